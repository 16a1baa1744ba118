//! The server on a real Unix socket in a temp dir: the same calls as in process, identity from
//! the peer's uid, and bad frames that close one connection while the others carry on.

mod common;

use frontoffice::domain::{record::Body, Lang};
use frontoffice::server::{client::Client, wire};
use frontoffice::service::{Api, ApiExt, Service, ServiceError};
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
    common::serve_as_one_user(&svc, &socket);
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

#[test]
fn malformed_truncated_and_huge_frames_close_only_that_connection() {
    let r = start();
    let keeper = client(&r);
    // Garbage inside a sound frame after a good handshake: refused with the reason, and the
    // connection, still in step, answers the next request.
    let mut s = UnixStream::connect(&r.socket).unwrap();
    common::hello(&mut s);
    s.write_all(&[0, 0, 0, 5, 0xff, 0xfe, 0xfd, 0xfc, 0xfb])
        .unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let answer = |s: &mut UnixStream| loop {
        match wire::read_frame::<wire::ServerFrame>(s).unwrap() {
            wire::ServerFrame::Answer(a) => return *a,
            wire::ServerFrame::Changed(_) => continue,
            other => panic!("{other:?}"),
        }
    };
    assert!(
        matches!(answer(&mut s), Err(ServiceError::BadRequest(_))),
        "refused"
    );
    wire::write_frame(&mut s, &frontoffice::service::Request::WhoAmI).unwrap();
    assert!(matches!(
        answer(&mut s),
        Ok(frontoffice::service::Response::Clerk(_))
    ));
    // A length over the limit.
    let mut s = UnixStream::connect(&r.socket).unwrap();
    common::hello(&mut s);
    s.write_all(&u32::MAX.to_be_bytes()).unwrap();
    assert!(closed(s));
    // Half a frame, then gone.
    let mut s = UnixStream::connect(&r.socket).unwrap();
    common::hello(&mut s);
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
                    common::hello(&mut s);
                }
                let _ = s.write_all(&bytes);
                drop(s);
                Ok(())
            },
        )
        .unwrap();
    assert!(!client(&r).search("petrova", 3).unwrap().is_empty());
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
        let (ok, err) = common::find_as_nobody(&r.socket, "petrova");
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
        let (ok, err) = common::find_as_nobody(&r.socket, "petrova");
        assert!(ok, "{err}");
        admin.set_clerk_active(&nobody, false).unwrap();
        let (ok, err) = common::find_as_nobody(&r.socket, "petrova");
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

/// The address carries a counter: each save writes the value it read plus one.
fn counter_of(p: &frontoffice::domain::person::Person) -> u64 {
    p.address
        .strip_prefix("брояч ")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[test]
fn twenty_clients_contending_lose_no_update_and_stale_saves_are_conflicts() {
    use frontoffice::domain::record::Kind;
    use std::sync::atomic::{AtomicU64, Ordering};
    let r = start();
    let admin = client(&r);
    // Five persons everybody fights over.
    let hot: Vec<u64> = admin
        .list(Kind::Person, None, 5)
        .unwrap()
        .iter()
        .map(|rec| rec.id())
        .collect();
    let start_revs: Vec<u64> = hot
        .iter()
        .map(|&id| admin.get(Kind::Person, id).unwrap().meta.rev)
        .collect();
    let watcher = client(&r);
    let events = watcher.subscribe().expect("the socket delivers changes");
    let wins: Vec<AtomicU64> = hot.iter().map(|_| AtomicU64::new(0)).collect();
    let stale_refused = AtomicU64::new(0);
    let conflicts = AtomicU64::new(0);
    std::thread::scope(|scope| {
        for t in 0..20u64 {
            let (r, hot, wins) = (&r, &hot, &wins);
            let (stale_refused, conflicts) = (&stale_refused, &conflicts);
            scope.spawn(move || {
                let c = client(r);
                let mut old: Option<(u64, u64)> = None;
                for k in 0..25u64 {
                    let slot = ((t * 7 + k * 3) % hot.len() as u64) as usize;
                    let id = hot[slot];
                    match (t + k) % 5 {
                        // Read-modify-write: the counter goes up by one per accepted save.
                        0..=2 => {
                            let rec = c.get(Kind::Person, id).unwrap();
                            let Body::Person(mut p) = rec.body else {
                                panic!()
                            };
                            p.address = format!("брояч {}", counter_of(&p) + 1);
                            match c.update(id, rec.meta.rev, Body::Person(p)) {
                                Ok(saved) => {
                                    assert_eq!(saved.meta.rev, rec.meta.rev + 1);
                                    wins[slot].fetch_add(1, Ordering::SeqCst);
                                    old = Some((id, rec.meta.rev));
                                }
                                Err(ServiceError::Conflict { .. }) => {
                                    conflicts.fetch_add(1, Ordering::SeqCst);
                                }
                                Err(e) => panic!("{e:?}"),
                            }
                        }
                        // A save on a rev known to be old must be refused.
                        3 => {
                            if let Some((id, rev)) = old {
                                let rec = c.get(Kind::Person, id).unwrap();
                                match c.update(id, rev, rec.body) {
                                    Err(ServiceError::Conflict { current }) => {
                                        assert!(current.meta.rev > rev);
                                        stale_refused.fetch_add(1, Ordering::SeqCst);
                                    }
                                    other => panic!("a stale save was not refused: {other:?}"),
                                }
                            }
                        }
                        _ => {
                            assert!(!c.search("petrova", 10).unwrap().is_empty());
                        }
                    }
                }
            });
        }
    });
    let mut total = 0;
    for (slot, &id) in hot.iter().enumerate() {
        let rec = admin.get(Kind::Person, id).unwrap();
        let Body::Person(p) = &rec.body else { panic!() };
        let won = wins[slot].load(Ordering::SeqCst);
        assert_eq!(counter_of(p), won, "no update lost on person {id}");
        assert_eq!(rec.meta.rev, start_revs[slot] + won);
        total += won;
    }
    assert!(total > 0 && stale_refused.load(Ordering::SeqCst) > 0);
    println!(
        "{total} saves accepted, {} conflicts on races, {} stale saves refused; {} flush + fsync \
         calls for all the saves since the server opened",
        conflicts.load(Ordering::SeqCst),
        stale_refused.load(Ordering::SeqCst),
        r.svc.syncs()
    );
    // Every accepted save was announced to the other connection.
    let mut heard = 0;
    while heard < total {
        let change = events
            .recv_timeout(Duration::from_secs(30))
            .expect("an announcement for every save");
        heard += change
            .records
            .iter()
            .filter(|c| hot.contains(&c.id))
            .count() as u64;
    }
    assert_eq!(heard, total);
    assert!(admin.check().unwrap().problems.is_empty());
}

#[test]
fn drafts_travel_over_the_socket_per_clerk() {
    use frontoffice::domain::draft::Draft;
    let r = start();
    let c = client(&r);
    let draft = Draft {
        key: "person/new".into(),
        target: None,
        title: "Драфтина Чернова".into(),
        fields: vec![("first_name".into(), "Драфтина".into())],
        saved: common::now(),
    };
    c.save_draft(draft.clone()).unwrap();
    assert_eq!(c.drafts().unwrap(), vec![draft.clone()]);
    // Another clerk does not see it.
    let admin = r.svc.session(&me()).unwrap();
    admin
        .add_clerk(
            "fo_other",
            "Друг Служител",
            frontoffice::domain::clerk::Role::Clerk,
        )
        .unwrap();
    assert!(r
        .svc
        .session("fo_other")
        .unwrap()
        .drafts()
        .unwrap()
        .is_empty());
    // Too big a draft is refused, the old one stays.
    let mut huge = draft.clone();
    huge.fields = vec![("note".into(), "я".repeat(40_000))];
    assert!(matches!(
        c.save_draft(huge),
        Err(ServiceError::BadRequest(_))
    ));
    assert_eq!(c.drafts().unwrap().len(), 1);
    c.drop_draft("person/new").unwrap();
    assert!(c.drafts().unwrap().is_empty());
}

/// A server process of the real binary on a demo database of its own.
struct Process {
    dir: tempfile::TempDir,
    socket: PathBuf,
    child: std::process::Child,
}

impl Process {
    fn db(&self) -> PathBuf {
        self.dir.path().join("db")
    }
}

fn serve_process() -> Process {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let built = std::process::Command::new(env!("CARGO_BIN_EXE_frontoffice"))
        .args(["demo", "--persons", "50", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(built.status.success());
    let socket = dir.path().join("fo.sock");
    // Eight clients and the test's own, all one Unix user.
    let child = common::spawn_serve_with(
        &db,
        &socket,
        &[
            std::ffi::OsStr::new("--max-connections-per-clerk"),
            std::ffi::OsStr::new("64"),
        ],
        None,
    );
    Process { dir, socket, child }
}

/// Eight clients create persons until the server stops answering, after `signal` is sent once
/// 300 saves were acknowledged. Returns every acknowledged (id, address).
fn load_until(p: &mut Process, signal: i32) -> Vec<(u64, String)> {
    use std::sync::{atomic::AtomicBool, Mutex};
    let settlement = Client::connect(&p.socket, Lang::En)
        .unwrap()
        .settings()
        .unwrap()
        .settings
        .settlements[0]
        .ekatte
        .clone();
    let acked = Mutex::new(Vec::new());
    let signalled = AtomicBool::new(false);
    std::thread::scope(|scope| {
        for t in 0..8 {
            let (acked, socket, settlement) = (&acked, &p.socket, &settlement);
            scope.spawn(move || {
                let Ok(c) = Client::connect(socket, Lang::En) else {
                    return;
                };
                for k in 0.. {
                    let address = format!("товар {t}-{k}");
                    let body = Body::Person(frontoffice::domain::person::Person {
                        first_name: "Товар".into(),
                        last_name: "Тестов".into(),
                        settlement: settlement.clone(),
                        address: address.clone(),
                        ..Default::default()
                    });
                    match c.create(body) {
                        Ok(rec) => acked.lock().unwrap().push((rec.id(), address)),
                        Err(_) => return,
                    }
                }
            });
        }
        let t = std::time::Instant::now();
        while acked.lock().unwrap().len() < 300 {
            assert!(
                t.elapsed() < Duration::from_secs(120),
                "the load never got going"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        // SAFETY: a signal to our own child.
        unsafe { libc::kill(p.child.id() as i32, signal) };
        signalled.store(true, std::sync::atomic::Ordering::SeqCst);
    });
    assert!(signalled.into_inner());
    acked.into_inner().unwrap()
}

/// Every acknowledged save is in the database, and `check` finds nothing wrong.
fn all_there(db: &std::path::Path, acked: &[(u64, String)]) {
    use frontoffice::domain::record::Kind;
    let svc = Service::open(db, common::clock()).unwrap();
    let s = svc.session(&me()).unwrap();
    for (id, address) in acked {
        let Body::Person(p) = s.get(Kind::Person, *id).unwrap().body else {
            panic!("not a person")
        };
        assert_eq!(&p.address, address);
    }
    let report = s.check().unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

#[test]
fn killed_under_load_the_server_keeps_every_acknowledged_save() {
    let mut p = serve_process();
    let acked = load_until(&mut p, libc::SIGKILL);
    let status = p.child.wait().unwrap();
    assert!(!status.success(), "killed");
    println!("{} saves acknowledged before SIGKILL", acked.len());
    all_there(&p.db(), &acked);
    // The binary's own check agrees, and a new server starts over the stale socket.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_frontoffice"))
        .args(["--lang", "en", "check", "--db"])
        .arg(p.db())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(p.socket.exists(), "SIGKILL left the socket file behind");
    let mut again = common::spawn_serve(&p.db(), &p.socket);
    assert!(Client::connect(&p.socket, Lang::En).is_ok());
    let _ = again.kill();
    let _ = again.wait();
}

#[test]
fn sigterm_finishes_in_flight_saves_flushes_and_exits() {
    let mut p = serve_process();
    let acked = load_until(&mut p, libc::SIGTERM);
    let status = p.child.wait().unwrap();
    assert!(status.success(), "a clean exit: {status:?}");
    assert!(!p.socket.exists(), "the socket file is removed");
    all_there(&p.db(), &acked);
}

#[test]
fn a_config_file_names_the_socket_so_a_login_shell_needs_no_flags() {
    let r = start();
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        format!("socket = {:?}\n", r.socket.display().to_string()),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_frontoffice"))
        .args(["--lang", "en", "find", "petrova", "--json"])
        .env("FRONTOFFICE_CONFIG", &config)
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path())
        .env_remove("FRONTOFFICE_DB")
        .env_remove("FRONTOFFICE_SOCKET")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!v.as_array().unwrap().is_empty(), "answered by the server");
    // A mistake in the file is explained, not ignored.
    std::fs::write(&config, "socket = [\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_frontoffice"))
        .args(["--lang", "en", "find", "petrova"])
        .env("FRONTOFFICE_CONFIG", &config)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Error in the settings file"));
}
