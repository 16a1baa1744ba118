//! The server on a real Unix socket in a temp dir: the same calls as in process, identity from
//! the peer's uid, and bad frames that close one connection while the others carry on.

mod common;

use frontoffice::domain::{record::Body, Lang};
use frontoffice::server::{client::Client, wire, Server};
use frontoffice::service::{ApiExt, Service, ServiceError};
use std::{
    io::{Read, Write},
    os::unix::net::UnixStream,
    path::PathBuf,
    sync::Arc,
    time::Duration,
};

struct Running {
    _dir: tempfile::TempDir,
    socket: PathBuf,
    svc: Arc<Service>,
}

fn me() -> String {
    frontoffice::os::current_user().unwrap().login
}

/// A demo database owned by a server on a socket, served from a background thread.
fn start() -> Running {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    frontoffice::demo::build(&db, &me(), "Админ", 100, common::clock()).unwrap();
    let svc = Service::open(&db, common::clock()).unwrap();
    let socket = dir.path().join("fo.sock");
    let server = Server::bind(Arc::clone(&svc), &socket, None).unwrap();
    std::thread::spawn(move || server.run());
    Running {
        _dir: dir,
        socket,
        svc,
    }
}

fn client(r: &Running) -> Client {
    Client::connect(&r.socket, Lang::En).unwrap()
}

#[test]
fn the_same_calls_travel_over_the_socket() {
    let r = start();
    let c = client(&r);
    assert_eq!(c.login, me());
    assert_eq!(c.whoami().unwrap().login, me());
    let hits = c.search("petrova", 5).unwrap();
    assert!(!hits.is_empty());
    // An update through the socket, then a stale one: a conflict, not an overwrite.
    let rec = c.get(hits[0].kind, hits[0].id).unwrap();
    let Body::Person(mut p) = rec.body.clone() else {
        panic!("a person")
    };
    p.address = "ул. „Сокетна“ 1".into();
    let saved = c
        .update(rec.id(), rec.meta.rev, Body::Person(p.clone()))
        .unwrap();
    assert_eq!(saved.meta.rev, rec.meta.rev + 1);
    p.address = "ул. „Стара“ 2".into();
    match c.update(rec.id(), rec.meta.rev, Body::Person(p)) {
        Err(ServiceError::Conflict { current }) => assert_eq!(current.meta.rev, saved.meta.rev),
        other => panic!("expected a conflict, got {other:?}"),
    }
    // The server's own service sees the save (it is on disk before the answer came).
    let Body::Person(now) = r
        .svc
        .session(&me())
        .unwrap()
        .get(rec.kind(), rec.id())
        .unwrap()
        .body
    else {
        panic!("a person")
    };
    assert_eq!(now.address, "ул. „Сокетна“ 1");
}

/// A connection that sent a bad frame is closed; the server answers the next client.
fn closed(mut s: UnixStream) -> bool {
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut buf = [0u8; 64];
    matches!(s.read(&mut buf), Ok(0) | Err(_))
}

fn hello(s: &mut UnixStream) {
    wire::write_frame(
        s,
        &wire::Hello {
            magic: wire::MAGIC,
            protocol: wire::PROTOCOL,
        },
    )
    .unwrap();
    let w: wire::Welcome = wire::read_frame(s).unwrap();
    assert!(matches!(w, wire::Welcome::Ok { .. }), "{w:?}");
}

#[test]
fn malformed_truncated_and_huge_frames_close_only_that_connection() {
    let r = start();
    let keeper = client(&r);
    // Garbage after a good handshake.
    let mut s = UnixStream::connect(&r.socket).unwrap();
    hello(&mut s);
    s.write_all(&[0, 0, 0, 5, 0xff, 0xfe, 0xfd, 0xfc, 0xfb])
        .unwrap();
    assert!(closed(s));
    // A length over the limit.
    let mut s = UnixStream::connect(&r.socket).unwrap();
    hello(&mut s);
    s.write_all(&u32::MAX.to_be_bytes()).unwrap();
    assert!(closed(s));
    // Half a frame, then gone.
    let mut s = UnixStream::connect(&r.socket).unwrap();
    hello(&mut s);
    s.write_all(&[0, 0, 1, 0, 1, 2, 3]).unwrap();
    drop(s);
    // A wrong protocol version is refused with a reason.
    let mut s = UnixStream::connect(&r.socket).unwrap();
    wire::write_frame(
        &mut s,
        &wire::Hello {
            magic: wire::MAGIC,
            protocol: 999,
        },
    )
    .unwrap();
    let w: wire::Welcome = wire::read_frame(&mut s).unwrap();
    assert!(matches!(w, wire::Welcome::Refused { .. }), "{w:?}");
    // The server and the other client carry on.
    assert!(!keeper.search("ivan", 3).unwrap().is_empty());
    assert!(!client(&r).search("ivan", 3).unwrap().is_empty());
}

#[test]
fn random_bytes_never_bring_the_server_down() {
    use proptest::prelude::*;
    let r = start();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 64,
        ..ProptestConfig::default()
    });
    runner
        .run(
            &(any::<bool>(), prop::collection::vec(any::<u8>(), 0..300)),
            |(after_hello, bytes)| {
                let mut s = UnixStream::connect(&r.socket).unwrap();
                if after_hello {
                    hello(&mut s);
                }
                let _ = s.write_all(&bytes);
                drop(s);
                Ok(())
            },
        )
        .unwrap();
    assert!(!client(&r).search("petrova", 3).unwrap().is_empty());
}

/// Runs the real binary as another Unix user ("nobody") against the server.
fn find_as_nobody(r: &Running) -> (bool, String) {
    use std::os::unix::process::CommandExt;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_frontoffice"))
        .args(["--lang", "en", "--connect"])
        .arg(&r.socket)
        .args(["find", "petrova"])
        .uid(65534)
        .gid(65534)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn unknown_and_disabled_users_are_refused() {
    let r = start();
    let admin = client(&r);
    let nobody = frontoffice::os::user_of_uid(65534).map(|u| u.login);
    // SAFETY: geteuid cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    if let (true, Some(nobody)) = (root, nobody) {
        // The identity comes from the socket, not from anything the client says.
        std::fs::set_permissions(
            &r.socket,
            std::os::unix::fs::PermissionsExt::from_mode(0o666),
        )
        .unwrap();
        let (ok, err) = find_as_nobody(&r);
        assert!(!ok);
        assert!(err.contains(&format!("{nobody} is not a clerk")), "{err}");
        // Made a clerk, the same user gets in; disabled, refused again with the reason.
        admin
            .add_clerk(
                &nobody,
                "Никой Никоев",
                frontoffice::domain::clerk::Role::Clerk,
            )
            .unwrap();
        let (ok, err) = find_as_nobody(&r);
        assert!(ok, "{err}");
        admin.set_clerk_active(&nobody, false).unwrap();
        let (ok, err) = find_as_nobody(&r);
        assert!(!ok);
        assert!(err.contains("disabled"), "{err}");
    } else {
        // Without root we cannot become another user; the mapping the server applies to a
        // peer's login is checked directly instead.
        admin
            .add_clerk(
                "fo_test_clerk",
                "Тестов Служител",
                frontoffice::domain::clerk::Role::Clerk,
            )
            .unwrap();
        admin.set_clerk_active("fo_test_clerk", false).unwrap();
        assert!(matches!(
            r.svc.session("fo_test_clerk"),
            Err(ServiceError::Disabled { .. })
        ));
        assert!(matches!(
            r.svc.session("fo_no_such_user"),
            Err(ServiceError::UnknownClerk { .. })
        ));
    }
}

/// The real binary with `--connect` to the server; its standard output, after success.
fn connected(r: &Running, args: &[&str]) -> Vec<u8> {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_frontoffice"))
        .args(["--lang", "en", "--connect"])
        .arg(&r.socket)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn the_command_line_works_against_a_running_server() {
    let r = start();
    let v: serde_json::Value =
        serde_json::from_slice(&connected(&r, &["find", "petrova", "--json"])).unwrap();
    assert!(!v.as_array().unwrap().is_empty());
    let check = connected(&r, &["check"]);
    assert!(String::from_utf8_lossy(&check).contains("All is well"));
}
