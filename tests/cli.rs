//! The real binary on temp databases.

use std::process::{Command, Output};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_frontoffice"));
    c.env_remove("FRONTOFFICE_DB")
        .env_remove("FRONTOFFICE_LANG");
    c
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Tests that open the shared demo database take turns: sled lets one process at a time in.
static DEMO_TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn turn() -> std::sync::MutexGuard<'static, ()> {
    DEMO_TURN.lock().unwrap_or_else(|p| p.into_inner())
}

/// One demo database shared by the read-only checks below (built once: it takes a second).
fn demo_db() -> &'static std::path::Path {
    static DB: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        let o = run(&[
            "demo",
            "--db",
            db.to_str().unwrap(),
            "--persons",
            "300",
            "--lang",
            "en",
        ]);
        let (out, err) = text(&o);
        assert!(o.status.success(), "{out}\n{err}");
        assert!(out.contains("300 generated persons"), "{out}");
        dir
    })
    .path()
}

fn db_arg() -> String {
    demo_db().join("db").to_string_lossy().into_owned()
}

#[test]
fn demo_then_find_json_lists_people_with_id_kind_and_name() {
    let _turn = turn();
    let o = run(&["find", "--db", &db_arg(), "petrov", "--json"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let items = v.as_array().unwrap();
    assert!(!items.is_empty());
    for item in items {
        assert!(item["id"].as_u64().is_some());
        assert_eq!(item["kind"], "person");
        let name = item["name"].as_str().unwrap();
        assert!(name.contains("Петров"), "{name}");
    }
}

#[test]
fn find_prints_a_table_with_masked_identifiers() {
    let _turn = turn();
    let o = run(&["find", "--db", &db_arg(), "Петрова"]);
    let (out, _) = text(&o);
    assert!(o.status.success());
    assert!(out.contains("******"), "{out}");
    assert!(out.contains("лице"), "Bulgarian by default: {out}");
}

#[test]
fn check_is_clean_on_the_demo() {
    let _turn = turn();
    let o = run(&["check", "--db", &db_arg()]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    assert!(out.contains("Всичко е наред"), "{out}");
}

#[test]
fn demo_covers_every_kind_of_record() {
    use frontoffice::domain::record::Kind;
    let _turn = turn();
    let svc = frontoffice::service::Service::open(
        &demo_db().join("db"),
        frontoffice::service::system_clock(),
    )
    .unwrap();
    let login = frontoffice::os::current_user().unwrap().login;
    let s = svc.session(&login).unwrap();
    use frontoffice::service::ApiExt;
    for kind in Kind::ALL {
        assert!(
            !s.list(kind, None, 1).unwrap().is_empty(),
            "demo has no {kind:?}"
        );
    }
    let persons = svc.store().count(Kind::Person);
    assert!((340..=360).contains(&persons), "{persons}");
}

#[test]
fn clerks_are_added_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let db = db.to_str().unwrap();
    assert!(run(&["init", "--db", db]).status.success());
    let o = run(&[
        "clerk",
        "add",
        "vpetkov",
        "--name",
        "Васил Петков",
        "--role",
        "clerk",
        "--db",
        db,
    ]);
    assert!(o.status.success(), "{:?}", text(&o));
    let o = run(&["clerk", "list", "--db", db, "--lang", "en"]);
    let (out, _) = text(&o);
    assert!(
        out.contains("vpetkov") && out.contains("Васил Петков") && out.contains("clerk"),
        "{out}"
    );
    // The creator is the administrator.
    let me = frontoffice::os::current_user().unwrap().login;
    assert!(
        out.lines()
            .any(|l| l.starts_with(&me) && l.contains("administrator")),
        "{out}"
    );
    // Bad role, duplicate login: clear messages, non-zero exit.
    let o = run(&[
        "clerk", "add", "x", "--name", "X", "--role", "boss", "--db", db,
    ]);
    assert!(!o.status.success());
    assert!(text(&o).1.contains("Непозната роля"), "{:?}", text(&o));
    let o = run(&[
        "clerk", "add", "vpetkov", "--name", "Друг", "--role", "clerk", "--db", db,
    ]);
    assert!(!o.status.success());
    assert!(text(&o).1.contains("вече има"), "{:?}", text(&o));
}

#[test]
fn bad_databases_get_clear_messages_and_a_non_zero_exit() {
    let _turn = turn();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let o = run(&["find", "x", "--db", missing.to_str().unwrap()]);
    assert!(!o.status.success());
    let (_, err) = text(&o);
    assert!(
        err.contains("Няма база данни") && err.contains("frontoffice demo"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
    assert!(!missing.exists());

    let foreign = dir.path().join("foreign");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("x.txt"), "x").unwrap();
    let o = run(&["check", "--db", foreign.to_str().unwrap(), "--lang", "en"]);
    assert!(!o.status.success());
    assert!(
        text(&o).1.contains("not a frontoffice database"),
        "{:?}",
        text(&o)
    );

    // demo refuses to build over an existing database.
    let o = run(&["demo", "--db", &db_arg()]);
    assert!(!o.status.success());
    assert!(text(&o).1.contains("вече има база"), "{:?}", text(&o));

    // Bad arguments are clap's usage errors, not panics.
    let o = run(&["find"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["demo", "--persons", "many"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["--lang", "de", "check"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn check_exits_non_zero_and_lists_problems() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    assert!(run(&["init", "--db", db.to_str().unwrap()])
        .status
        .success());
    {
        let raw = sled::open(&db).unwrap();
        raw.open_tree("idx_name")
            .unwrap()
            .insert(
                frontoffice::store::index::key(
                    b"ghost",
                    frontoffice::domain::record::Kind::Person,
                    4242,
                ),
                vec![],
            )
            .unwrap();
        raw.flush().unwrap();
    }
    let o = run(&["check", "--db", db.to_str().unwrap(), "--lang", "en"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(out.contains("stray entry for person 4242"), "{out}");
    assert!(err.contains("Problems found: 1"), "{err}");
}
