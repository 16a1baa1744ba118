//! The server's resources stay bounded whatever its clients do, against the real binary on a
//! real socket: a client that never reads is dropped (memory stays flat, others are served, a
//! stop does not wait for it), connections over the limit are refused with a reason, running out
//! of descriptors neither ends the server nor floods its log, and a client whose server went
//! away connects again by itself. One account holds at most its share of the connections, and
//! a connection without requests for the idle time is closed.

mod common;

use frontoffice::domain::{record::Body, Lang};
use frontoffice::server::{client::Client, wire};
use frontoffice::service::{api::Link, Api, ApiExt, Request, Response, Service};
use std::{
    ffi::OsStr,
    os::unix::{io::AsRawFd, net::UnixStream},
    path::{Path, PathBuf},
    process::Child,
    time::{Duration, Instant},
};

/// Limits that only turn a hang into a failure.
const HANG: Duration = Duration::from_secs(60);

fn me() -> String {
    frontoffice::os::current_user().unwrap().login
}

/// A database whose administrator is the user running the tests, with `persons` persons named
/// "Лимитов" created through `CreateMany`.
fn database(persons: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let (svc, _) =
        Service::open_or_create(&db, &me(), "Админ", common::settings(), common::clock()).unwrap();
    let s = svc.session(&me()).unwrap();
    let mut made = 0;
    while made < persons {
        let n = (persons - made).min(500);
        let bodies = (0..n)
            .map(|i| {
                let mut p = common::person("Иван", "Лимитов", None);
                p.address = format!("ул. Тестова {}", made + i);
                Body::Person(p)
            })
            .collect();
        made += s.create_many(bodies).unwrap().len();
    }
    drop(s);
    drop(svc);
    (dir, db)
}

fn flags<'a>(args: &'a [&'a str]) -> Vec<&'a OsStr> {
    args.iter().map(OsStr::new).collect()
}

/// The server process's resident memory, from /proc.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/PID/status")
}

/// Whether the other end shut the connection down (without reading anything from it).
fn peer_closed(s: &UnixStream, wait: Duration) -> bool {
    let mut pfd = libc::pollfd {
        fd: s.as_raw_fd(),
        events: libc::POLLRDHUP,
        revents: 0,
    };
    // SAFETY: one valid pollfd for the duration of the call.
    let n = unsafe { libc::poll(&mut pfd, 1, wait.as_millis() as i32) };
    n > 0 && pfd.revents & (libc::POLLRDHUP | libc::POLLHUP) != 0
}

/// SIGTERM, then a clean exit within the limit, the socket file gone.
fn stop(mut child: Child, socket: &Path) {
    // SAFETY: a signal to our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > HANG {
            let _ = child.kill();
            panic!("SIGTERM did not stop the server");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "a clean exit: {status:?}");
    assert!(!socket.exists(), "the socket file is removed");
}

/// A client, retried while the server is busy (connections just closed are still finishing).
fn connect_soon(socket: &Path) -> Client {
    let start = Instant::now();
    loop {
        match Client::connect(socket, Lang::En) {
            Ok(c) => return c,
            Err(e) => assert!(start.elapsed() < HANG, "never served again: {e}"),
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_client_that_never_reads_is_dropped_and_memory_stays_flat() {
    let (dir, db) = database(3000);
    let socket = dir.path().join("fo.sock");
    let log = dir.path().join("serve.log");
    let child = common::spawn_serve_with(
        &db,
        &socket,
        &[
            OsStr::new("--client-timeout"),
            OsStr::new("1"),
            OsStr::new("--log"),
            log.as_os_str(),
        ],
        None,
    );
    let pid = child.id();
    let other = Client::connect(&socket, Lang::En).unwrap();
    // Warm up the path the big answers take, so the baseline holds what any search costs.
    assert_eq!(other.search("лимитов", 1000).unwrap().len(), 1000);
    let baseline = rss_kib(pid);
    // 300 searches of 1000 hits each (~100 KB an answer, ~30 MB in all), none of them read.
    let mut greedy = UnixStream::connect(&socket).unwrap();
    common::hello(&mut greedy);
    greedy.set_write_timeout(Some(HANG)).unwrap();
    // Sent from a thread of its own: the socket's buffer takes only part of them before the
    // server stops reading.
    let mut sender = greedy.try_clone().unwrap();
    let sending = std::thread::spawn(move || {
        for _ in 0..300 {
            let req = Request::Search {
                query: "лимитов".into(),
                limit: 1000,
            };
            // The server drops us before all are sent.
            if wire::write_frame(&mut sender, &req).is_err() {
                break;
            }
        }
    });
    let mut peak = baseline;
    let mut answered = 0;
    let start = Instant::now();
    while !peer_closed(&greedy, Duration::from_millis(50)) {
        assert!(
            start.elapsed() < HANG,
            "the client that never reads was never dropped"
        );
        assert!(!other.search("лимитов", 20).unwrap().is_empty());
        answered += 1;
        peak = peak.max(rss_kib(pid));
    }
    // Served after the drop too, and memory did not climb with the unread answers: the server
    // holds at most three of the requests and writes one answer at a time (~100 KB; twice that
    // while it is encoded), the rest waits in the client's own socket buffer. 32 MiB covers
    // allocator slack and is far below the ~30 MB of answers the old server kept for it.
    assert!(!other.search("лимитов", 1000).unwrap().is_empty());
    peak = peak.max(rss_kib(pid));
    println!(
        "RSS {baseline} KiB before, peak {peak} KiB while the greedy client was connected; \
         {answered} searches answered to the other client meanwhile"
    );
    assert!(
        peak < baseline + 32 * 1024,
        "RSS grew from {baseline} KiB to {peak} KiB"
    );
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("waited unread"), "the drop is logged: {text}");
    sending.join().unwrap();
    drop(other);
    stop(child, &socket);
}

#[test]
fn a_stop_does_not_wait_for_a_client_that_never_reads() {
    // The client stops reading with an answer half written; the stop cuts it after the drain
    // deadline (5 s) even though its own write timeout (an hour here) has not run out.
    let (dir, db) = database(1500);
    let socket = dir.path().join("fo.sock");
    let child = common::spawn_serve_with(&db, &socket, &flags(&["--client-timeout", "3600"]), None);
    let mut greedy = UnixStream::connect(&socket).unwrap();
    common::hello(&mut greedy);
    for _ in 0..20 {
        let req = Request::Search {
            query: "лимитов".into(),
            limit: 1000,
        };
        wire::write_frame(&mut greedy, &req).unwrap();
    }
    // The server is now stuck writing to us; let it get there.
    let c = Client::connect(&socket, Lang::En).unwrap();
    assert!(!c.search("лимитов", 5).unwrap().is_empty());
    drop(c);
    stop(child, &socket);
    drop(greedy);
}

#[test]
fn connections_over_the_limit_are_refused_with_a_reason() {
    let (dir, db) = database(10);
    let socket = dir.path().join("fo.sock");
    // One account here: its own share is lifted to show the total.
    let child = common::spawn_serve_with(
        &db,
        &socket,
        &flags(&[
            "--max-connections",
            "150",
            "--max-connections-per-clerk",
            "200",
        ]),
        None,
    );
    let mut open = Vec::new();
    let mut refused = Vec::new();
    for i in 0..200 {
        let lang = if i % 2 == 0 { Lang::En } else { Lang::Bg };
        match Client::connect(&socket, lang) {
            Ok(c) => open.push(c),
            Err(e) => refused.push((lang, e)),
        }
    }
    assert_eq!(open.len(), 150, "{refused:?}");
    assert_eq!(refused.len(), 50);
    for (lang, e) in &refused {
        let want = match lang {
            Lang::En => "The server is busy: 150 connections are open (at most 150)",
            Lang::Bg => "Сървърът е зает: отворени са 150 връзки (най-много 150)",
        };
        assert!(e.contains(want), "{e}");
    }
    // The ones in are served.
    assert!(!open[0].search("лимитов", 3).unwrap().is_empty());
    assert!(!open[149].search("лимитов", 3).unwrap().is_empty());
    // Room again after some leave.
    open.truncate(140);
    let fresh = connect_soon(&socket);
    assert!(!fresh.search("лимитов", 3).unwrap().is_empty());
    drop(fresh);
    drop(open);
    stop(child, &socket);
}

#[test]
fn one_account_holds_its_share_of_connections_and_other_accounts_are_served() {
    let (dir, db) = database(10);
    let socket = dir.path().join("fo.sock");
    // The defaults: 64 in all, 8 per clerk.
    let child = common::spawn_serve(&db, &socket);
    let mut open = Vec::new();
    let mut refused = Vec::new();
    for i in 0..64 {
        let lang = if i % 2 == 0 { Lang::En } else { Lang::Bg };
        match Client::connect(&socket, lang) {
            Ok(c) => open.push(c),
            Err(e) => refused.push((lang, e)),
        }
    }
    assert_eq!(open.len(), 8, "{refused:?}");
    assert_eq!(refused.len(), 56);
    let login = me();
    for (lang, e) in &refused {
        let want = match lang {
            Lang::En => format!(
                "The account {login} already has 8 connections to the server open (at most 8 per \
                 clerk)"
            ),
            Lang::Bg => format!(
                "Акаунтът {login} вече има 8 отворени връзки към сървъра (най-много 8 на служител)"
            ),
        };
        assert!(e.contains(&want), "{e}");
    }
    // The command line (and the console, through the same connect) says it to the clerk.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_frontoffice"))
        .args(["--lang", "en", "--connect"])
        .arg(&socket)
        .args(["find", "лимитов"])
        .env("FRONTOFFICE_CONFIG", "/nonexistent")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("per clerk"), "{err}");
    // The ones in are served.
    assert!(!open[7].search("лимитов", 3).unwrap().is_empty());
    // Another account is served while this one holds its whole share.
    let nobody = frontoffice::os::user_of_uid(65534).map(|u| u.login);
    // SAFETY: geteuid cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    if let (true, Some(nobody)) = (root, nobody) {
        std::fs::set_permissions(&socket, std::os::unix::fs::PermissionsExt::from_mode(0o666))
            .unwrap();
        open[0]
            .add_clerk(
                &nobody,
                "Друг Служител",
                frontoffice::domain::clerk::Role::Clerk,
            )
            .unwrap();
        let (ok, err) = common::find_as_nobody(&socket, "лимитов");
        assert!(ok, "another account refused: {err}");
    } else {
        println!("not root: another Unix user cannot be tried; the share per account was");
    }
    // A connection given back makes room for the same account again.
    open.truncate(7);
    let fresh = connect_soon(&socket);
    assert!(!fresh.search("лимитов", 3).unwrap().is_empty());
    drop(fresh);
    drop(open);
    stop(child, &socket);
}

#[test]
fn a_connection_without_requests_is_closed_after_the_idle_time_and_frees_its_slot() {
    let (dir, db) = database(10);
    let socket = dir.path().join("fo.sock");
    let log = dir.path().join("serve.log");
    let child = common::spawn_serve_with(
        &db,
        &socket,
        &[
            OsStr::new("--idle-timeout"),
            OsStr::new("1"),
            OsStr::new("--max-connections-per-clerk"),
            OsStr::new("2"),
            OsStr::new("--log"),
            log.as_os_str(),
        ],
        None,
    );
    // Two connections that say hello and then nothing: this account's whole share.
    let mut idle: Vec<UnixStream> = (0..2)
        .map(|_| {
            let mut s = UnixStream::connect(&socket).unwrap();
            common::hello(&mut s);
            s
        })
        .collect();
    let e = Client::connect(&socket, Lang::En).err();
    assert!(
        e.as_deref().is_some_and(|e| e.contains("per clerk")),
        "{e:?}"
    );
    // Each is told why and closed once the idle second is over.
    for s in &mut idle {
        s.set_read_timeout(Some(HANG)).unwrap();
        let last = wire::read_frame::<wire::ServerFrame>(s).unwrap();
        assert_eq!(last, wire::ServerFrame::Idle { seconds: 1 });
        assert!(peer_closed(s, HANG), "closed after the idle frame");
    }
    // Their slots are free again.
    let c = connect_soon(&socket);
    let link = c.link_events().unwrap();
    assert!(!c.search("лимитов", 3).unwrap().is_empty());
    common::wait_until("the client's connection closed for idleness", || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .matches("without a request")
            .count()
            >= 3
    });
    // Not reported as lost (nothing is wrong), and not reopened behind the clerk's back ...
    assert!(link.try_recv().is_err());
    // ... until the clerk is back: the console's unlocking key opens it, and the screens
    // hear that events may have been missed.
    c.resume();
    assert_eq!(link.recv_timeout(HANG).unwrap(), Link::Back);
    assert!(!c.search("лимитов", 3).unwrap().is_empty());
    // A call after the close opens a new connection by itself.
    common::wait_until("the second close for idleness", || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .matches("without a request")
            .count()
            >= 4
    });
    assert!(!c.search("лимитов", 3).unwrap().is_empty());
    drop(c);
    stop(child, &socket);
}

#[test]
fn out_of_descriptors_the_server_slows_down_and_keeps_serving() {
    let (dir, db) = database(10);
    let socket = dir.path().join("fo.sock");
    let log = dir.path().join("serve.log");
    let mut child = common::spawn_serve_with(
        &db,
        &socket,
        &[
            OsStr::new("--client-timeout"),
            OsStr::new("2"),
            // All from one account here: its share must not turn them away first.
            OsStr::new("--max-connections-per-clerk"),
            OsStr::new("100"),
            OsStr::new("--log"),
            log.as_os_str(),
        ],
        Some(48),
    );
    // 60 idle connections that never say hello: more than the server has descriptors for.
    let idle: Vec<UnixStream> = (0..60)
        .map(|_| UnixStream::connect(&socket).unwrap())
        .collect();
    // Three seconds of it: the old server wrote hundreds of megabytes of log in that time.
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(3) {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the server exited when out of descriptors"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(idle);
    let c = connect_soon(&socket);
    assert!(!c.search("лимитов", 3).unwrap().is_empty());
    drop(c);
    let size = std::fs::metadata(&log).unwrap().len();
    let text = std::fs::read_to_string(&log).unwrap();
    println!(
        "log after 60 connections under ulimit -n 48: {size} bytes, {} lines",
        text.lines().count()
    );
    assert!(
        text.contains("accept failed"),
        "the trouble is logged: {text}"
    );
    assert!(size < 64 * 1024, "the log grew to {size} bytes");
    stop(child, &socket);
}

#[test]
fn the_client_connects_again_and_keeps_its_change_events() {
    let (dir, db) = database(10);
    let socket = dir.path().join("fo.sock");
    let mut server = common::spawn_serve(&db, &socket);
    let c = Client::connect(&socket, Lang::En).unwrap();
    let changes = c.subscribe().unwrap();
    let link = c.link_events().unwrap();
    assert!(!c.search("лимитов", 3).unwrap().is_empty());
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(link.recv_timeout(HANG).unwrap(), Link::Lost);
    // Back on the same socket: the next call goes through the same client.
    let server = common::spawn_serve(&db, &socket);
    assert!(!c.search("лимитов", 3).unwrap().is_empty());
    assert_eq!(link.recv_timeout(HANG).unwrap(), Link::Back);
    // A save by somebody else after the reconnect reaches the receiver taken before it.
    let other = Client::connect(&socket, Lang::En).unwrap();
    let saved = other
        .create(Body::Person(common::person("Нов", "Връзков", None)))
        .unwrap();
    let start = Instant::now();
    loop {
        let change = changes
            .recv_timeout(HANG)
            .expect("a change after reconnecting");
        if change.records.iter().any(|r| r.id == saved.id()) {
            break;
        }
        assert!(start.elapsed() < HANG);
    }
    drop((c, other));
    stop(server, &socket);
}

#[test]
fn a_call_whose_answer_was_lost_fails_and_is_not_sent_again() {
    use std::sync::mpsc;
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("fake.sock");
    let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    // A stand-in server: the first connection takes one request and dies without answering;
    // later ones answer every request with Done. It reports each request it read.
    let (seen_tx, seen) = mpsc::channel::<(usize, Request)>();
    std::thread::spawn(move || {
        for (n, conn) in listener.incoming().enumerate() {
            let mut s = conn.unwrap();
            let seen_tx = seen_tx.clone();
            std::thread::spawn(move || {
                let _: wire::Hello = wire::read_frame(&mut s).unwrap();
                wire::write_frame(&mut s, &wire::Welcome::Ok { login: me() }).unwrap();
                while let Ok(req) = wire::read_frame::<Request>(&mut s) {
                    let _ = seen_tx.send((n, req));
                    if n == 0 {
                        return;
                    }
                    let answer = wire::ServerFrame::Answer(Box::new(Ok(Response::Done)));
                    if wire::write_frame(&mut s, &answer).is_err() {
                        return;
                    }
                }
            });
        }
    });
    let c = Client::connect(&socket, Lang::En).unwrap();
    let first = Request::DropDraft { key: "a".into() };
    let e = c.call(first.clone()).unwrap_err();
    assert!(
        e.to_string().contains("connection to the server was lost"),
        "{e:?}"
    );
    assert_eq!(seen.recv_timeout(HANG).unwrap(), (0, first));
    let second = Request::DropDraft { key: "b".into() };
    assert_eq!(c.call(second.clone()).unwrap(), Response::Done);
    // The lost call was not replayed on the new connection: its first request is the second.
    let (conn, req) = seen.recv_timeout(HANG).unwrap();
    assert!(conn > 0);
    assert_eq!(req, second);
    assert!(seen.try_recv().is_err());
}

/// The console's screen as text.
fn screen(app: &frontoffice::tui::app::App) -> String {
    use ratatui::{backend::TestBackend, Terminal};
    let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
    frontoffice::tui::draw(&mut term, app).unwrap();
    let buf = term.backend().buffer();
    (0..24)
        .map(|y| (0..80).map(|x| buf[(x, y)].symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_console_says_when_the_connection_is_lost_and_back_and_keeps_the_typing() {
    use frontoffice::tui::{
        app::{App, Cx},
        i18n::I18n,
        theme::{Symbols, Theme},
    };
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let (dir, db) = database(10);
    let socket = dir.path().join("fo.sock");
    let mut server = common::spawn_serve(&db, &socket);
    let client = Client::connect(&socket, Lang::Bg).unwrap();
    let link = client.link_events().unwrap();
    let clerk = client.whoami().unwrap();
    let settings = client.settings().unwrap().settings;
    let cx = Cx::new(
        Box::new(client),
        I18n::new(Lang::Bg),
        Theme::builtin("default"),
        Symbols::new(false),
        clerk,
        settings,
        common::clock(),
    );
    let mut app = App::new(cx);
    // A new person's form, a name typed into it.
    app.on_key(KeyEvent::new(KeyCode::F(7), KeyModifiers::NONE));
    for ch in "Незабравка".chars() {
        app.on_key(KeyEvent::new(KeyCode::Char(ch), KeyModifiers::NONE));
    }
    server.kill().unwrap();
    server.wait().unwrap();
    let notice = link.recv_timeout(HANG).unwrap();
    assert_eq!(notice, Link::Lost);
    app.on_link(notice);
    let shown = screen(&app);
    assert!(shown.contains("Връзката със сървъра прекъсна"), "{shown}");
    assert!(shown.contains("Незабравка"), "{shown}");
    // The draft cannot go out now; the form keeps the typing, and the notice stays up.
    app.keep_drafts(Instant::now(), true);
    let shown = screen(&app);
    assert!(shown.contains("Незабравка"), "{shown}");
    // The server comes back: the draft goes out by its usual path, through a new connection.
    let server = common::spawn_serve(&db, &socket);
    app.keep_drafts(Instant::now(), true);
    let notice = link.recv_timeout(HANG).unwrap();
    assert_eq!(notice, Link::Back);
    app.on_link(notice);
    let shown = screen(&app);
    assert!(
        shown.contains("Връзката със сървъра е възстановена"),
        "{shown}"
    );
    assert!(shown.contains("Незабравка"), "{shown}");
    let other = Client::connect(&socket, Lang::En).unwrap();
    let drafts = other.drafts().unwrap();
    assert!(
        drafts
            .iter()
            .any(|d| d.fields.iter().any(|(_, v)| v == "Незабравка")),
        "{drafts:?}"
    );
    drop((app, other));
    stop(server, &socket);
}

/// A Unix user outside the office's group cannot open the socket (mode 0660): the console and
/// the command line say this account is not a clerk of the office, in the clerk's language,
/// not the system's "Permission denied (os error 13)". Needs root and setpriv to run as
/// another user; skipped by name where they are missing.
#[test]
fn a_stranger_is_told_they_are_not_a_clerk_of_this_office() {
    let root = unsafe { libc::geteuid() } == 0;
    let setpriv = std::path::Path::new("/usr/bin/setpriv").exists();
    if !root || !setpriv {
        eprintln!("skipped a_stranger_is_told_they_are_not_a_clerk_of_this_office: needs root and /usr/bin/setpriv");
        return;
    }
    let common::Db { dir, svc, admin } = common::new_db();
    let (path, socket) = (dir.path().join("db"), dir.path().join("fo.sock"));
    drop(admin);
    drop(svc);
    // The directory open to all: only the socket's own mode keeps the stranger out.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut server = common::spawn_serve(&path, &socket);
    let run = |lang: &str| {
        std::process::Command::new("/usr/bin/setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_frontoffice"))
            .args(["--lang", lang, "--connect"])
            .arg(&socket)
            .args(["find", "петрова"])
            .output()
            .unwrap()
    };
    let bg = run("bg");
    let en = run("en");
    server.kill().unwrap();
    server.wait().unwrap();
    let (bg_err, en_err) = (
        String::from_utf8_lossy(&bg.stderr).to_string(),
        String::from_utf8_lossy(&en.stderr).to_string(),
    );
    assert!(!bg.status.success() && !en.status.success());
    assert!(bg_err.contains("не е служител на фронт-офиса"), "{bg_err}");
    assert!(en_err.contains("not a clerk of this office"), "{en_err}");
    assert!(!bg_err.contains("os error"), "{bg_err}");
}
