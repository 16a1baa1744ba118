//! The last active administrator cannot be disabled or demoted, whichever way the request
//! comes (in process, the command line, the socket): afterwards nobody could manage accounts
//! or undo it. A second active administrator makes it allowed.

mod common;

use common::*;
use frontoffice::domain::{
    clerk::{Clerk, Role},
    reason::Reason,
    record::{Body, Kind},
    Explain, Lang,
};
use frontoffice::server::client::Client;
use frontoffice::service::{Api, ApiExt, ServiceError};

fn is_last_admin(e: &ServiceError, field: &str) -> bool {
    matches!(e, ServiceError::Invalid(errs)
        if errs.iter().any(|f| f.field == field && f.reason == Reason::LastAdmin))
}

/// The account as stored, and its rev.
fn account(api: &impl Api, login: &str) -> (u64, u64, Clerk) {
    let rec = api
        .clerks()
        .unwrap()
        .into_iter()
        .find(|r| matches!(&r.body, Body::Clerk(c) if c.login == login))
        .unwrap();
    let Body::Clerk(c) = rec.body.clone() else {
        unreachable!()
    };
    (rec.meta.id, rec.meta.rev, c)
}

fn demote(api: &impl Api, login: &str) -> Result<(), ServiceError> {
    let (id, rev, mut c) = account(api, login);
    c.role = Role::Supervisor;
    api.update(id, rev, Body::Clerk(c)).map(|_| ())
}

#[test]
fn the_only_active_administrator_is_neither_disabled_nor_demoted() {
    let db = new_db();
    let e = db.admin.set_clerk_active("admin", false).unwrap_err();
    assert!(is_last_admin(&e, "active"), "{e:?}");
    assert!(
        e.explain(Lang::Bg)
            .contains("единственият активен администратор"),
        "{}",
        e.explain(Lang::Bg)
    );
    assert!(
        e.explain(Lang::En)
            .contains("the only active administrator"),
        "{}",
        e.explain(Lang::En)
    );
    let e = demote(&db.admin, "admin").unwrap_err();
    assert!(is_last_admin(&e, "role"), "{e:?}");
    // Nothing changed: still an active administrator who manages accounts.
    let (_, rev, c) = account(&db.admin, "admin");
    assert_eq!((rev, c.role, c.active), (1, Role::Admin, true));
    db.admin.add_clerk("ivan", "Иван", Role::Clerk).unwrap();
    // Other accounts' changes are not held up by the rule.
    db.admin.set_clerk_active("ivan", false).unwrap();
}

#[test]
fn a_disabled_administrator_does_not_count_and_a_second_active_one_does() {
    let db = new_db();
    db.admin.add_clerk("admin2", "Втори", Role::Admin).unwrap();
    db.admin.set_clerk_active("admin2", false).unwrap();
    // admin2 is disabled: admin is still the last active one.
    let e = db.admin.set_clerk_active("admin", false).unwrap_err();
    assert!(is_last_admin(&e, "active"), "{e:?}");
    // An active clerk of another role is no administrator either.
    db.admin
        .add_clerk("sup", "Ръководител", Role::Supervisor)
        .unwrap();
    assert!(is_last_admin(
        &demote(&db.admin, "admin").unwrap_err(),
        "role"
    ));
    db.admin.set_clerk_active("admin2", true).unwrap();
    // Now the demotion is allowed, and the second administrator is then the last one.
    demote(&db.admin, "admin").unwrap();
    let second = db.svc.session("admin2").unwrap();
    let e = second.set_clerk_active("admin2", false).unwrap_err();
    assert!(is_last_admin(&e, "active"), "{e:?}");
    // Disabling works once there is another administrator again.
    let (id, rev, mut c) = account(&second, "admin");
    c.role = Role::Admin;
    second.update(id, rev, Body::Clerk(c)).unwrap();
    second.set_clerk_active("admin", false).unwrap();
    assert!(matches!(
        db.svc.session("admin"),
        Err(ServiceError::Disabled { .. })
    ));
    // The log keeps the refused state out: the stored account is what the last save made.
    let stored = db
        .svc
        .store()
        .scan(Kind::Clerk, None)
        .map(|r| r.unwrap())
        .filter_map(|r| match r.body {
            Body::Clerk(c) if c.active && c.role == Role::Admin => Some(c.login),
            _ => None,
        })
        .collect::<Vec<_>>();
    assert_eq!(stored, ["admin2"]);
}

fn me() -> String {
    frontoffice::os::current_user().unwrap().login
}

#[test]
fn the_command_line_and_the_socket_refuse_it_too() {
    let bin = env!("CARGO_BIN_EXE_frontoffice");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let run = |args: &[&str]| {
        std::process::Command::new(bin)
            .env_remove("FRONTOFFICE_DB")
            .env_remove("FRONTOFFICE_LANG")
            .env_remove("FRONTOFFICE_SOCKET")
            .env("FRONTOFFICE_CONFIG", "/nonexistent")
            .args(args)
            .arg("--db")
            .arg(&db)
            .output()
            .unwrap()
    };
    assert!(run(&["init"]).status.success());
    let o = run(&["--lang", "en", "clerk", "disable", &me()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(err.contains("the only active administrator"), "{err}");
    let o = run(&["clerk", "disable", &me()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(err.contains("единственият активен администратор"), "{err}");
    // Still in: the next command works.
    assert!(run(&["clerk", "list"]).status.success());

    // Over the socket, as the server's clerk for this Unix user.
    let socket = dir.path().join("fo.sock");
    let mut server = spawn_serve(&db, &socket);
    let c = Client::connect(&socket, Lang::En).unwrap();
    let e = c.set_clerk_active(&me(), false).unwrap_err();
    assert!(is_last_admin(&e, "active"), "{e:?}");
    let e = demote(&c, &me()).unwrap_err();
    assert!(is_last_admin(&e, "role"), "{e:?}");
    // A second administrator makes it allowed.
    c.add_clerk("fo_second_admin", "Втори Администратор", Role::Admin)
        .unwrap();
    c.set_clerk_active(&me(), false).unwrap();
    drop(c);
    server.kill().unwrap();
    server.wait().unwrap();
}
