//! The operations commands on real databases and the real binary: backup and restore (whole,
//! refused when damaged or aimed at a database), retention, export, the monthly hours report, and
//! all of it through a running `frontoffice serve`.

mod common;

use frontoffice::domain::{
    assistance::AgreementStatus,
    audit::AuditAction,
    clerk::Role,
    date::Month,
    record::{Body, Kind, Record},
};
use frontoffice::service::{
    backup::{prune, write_snapshot, AUTO},
    ApiExt, Request, Service, ServiceError,
};
use frontoffice::store::snapshot;
use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
    time::{Duration, Instant},
};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_frontoffice"));
    c.env_remove("FRONTOFFICE_DB")
        .env_remove("FRONTOFFICE_SOCKET")
        .env_remove("FRONTOFFICE_LANG")
        .args(["--lang", "en"]);
    c
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn ok(o: Output) -> String {
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    String::from_utf8(o.stdout).unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A demo database built by the binary (so the running user is its administrator).
fn demo(dir: &Path) -> PathBuf {
    let db = dir.join("db");
    ok(run(&["demo", "--db", s(&db), "--persons", "40"]));
    db
}

/// Every record of every kind, in kind and id order.
fn all_records(db: &Path) -> Vec<Record> {
    let svc = Service::open(db, common::clock()).unwrap();
    let store = svc.store();
    Kind::ALL
        .into_iter()
        .flat_map(|k| store.scan(k, None).map(Result::unwrap).collect::<Vec<_>>())
        .collect()
}

fn me() -> String {
    frontoffice::os::current_user().unwrap().login
}

#[test]
fn backup_then_restore_gives_the_same_records_and_a_clean_check() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let file = dir.path().join("copy.fosnap");
    let out = ok(run(&["--db", s(&db), "backup", s(&file)]));
    assert!(out.contains("Backup written"), "{out}");
    let restored = dir.path().join("restored");
    let out = ok(run(&["--db", s(&restored), "restore", s(&file)]));
    assert!(out.contains("All is well"), "{out}");
    let before = all_records(&db);
    assert_eq!(all_records(&restored), before);
    // The backup is in the audit log, and new records get ids past every restored one.
    let svc = Service::open(&restored, common::clock()).unwrap();
    let admin = svc.session(&me()).unwrap();
    let log = admin.audit_log(None, 100_000).unwrap();
    assert_eq!(log.last().unwrap().action, AuditAction::Backup);
    let max = before.iter().map(|r| r.id()).max().unwrap();
    let new = admin
        .add_clerk("fo_after_restore", "Нов Служител", Role::Clerk)
        .unwrap();
    assert!(new.id() > max, "{} <= {max}", new.id());
    assert!(admin.check().unwrap().problems.is_empty());
}

#[test]
fn restore_refuses_a_directory_that_holds_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let file = dir.path().join("copy.fosnap");
    ok(run(&["--db", s(&db), "backup", s(&file)]));
    let before = std::fs::read(db.join("db")).unwrap();
    let o = run(&["--db", s(&db), "restore", s(&file)]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("already holds files"), "{err}");
    assert_eq!(std::fs::read(db.join("db")).unwrap(), before);
    // In Bulgarian by default.
    let o = Command::new(env!("CARGO_BIN_EXE_frontoffice"))
        .env_remove("FRONTOFFICE_LANG")
        .args(["--db", s(&db), "restore", s(&file)])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&o.stderr).contains("вече има файлове"));
}

/// Entries of a damaged file: every flipped byte and every truncation is refused by the parser,
/// and a restore of a few of them writes nothing at all.
#[test]
fn damaged_snapshots_are_refused_and_nothing_is_written() {
    let db = common::new_db();
    common::every_kind(&db.admin);
    let mut bytes = Vec::new();
    db.svc.store().snapshot(&mut bytes, common::now()).unwrap();
    let good = snapshot::parse(&bytes).unwrap();
    assert!(good.entries() > 20);
    for at in 0..bytes.len() {
        let mut bad = bytes.clone();
        bad[at] ^= 0x5a;
        assert!(snapshot::parse(&bad).is_err(), "flip at {at}");
    }
    for len in 0..bytes.len() {
        assert!(snapshot::parse(&bytes[..len]).is_err(), "cut at {len}");
    }
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("restored");
    for (i, at) in [3usize, 12, 40, bytes.len() / 2, bytes.len() - 1]
        .into_iter()
        .enumerate()
    {
        let mut bad = bytes.clone();
        bad[at] ^= 0x01;
        let file = dir.path().join(format!("bad{i}.fosnap"));
        std::fs::write(&file, &bad).unwrap();
        let o = run(&["--db", s(&target), "restore", s(&file)]);
        assert!(!o.status.success());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("damaged") || err.contains("not a frontoffice backup"),
            "{err}"
        );
        assert!(!target.exists(), "flip at {at} wrote something");
    }
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("bad"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn retention_keeps_the_newest_and_the_daily_thread_stops_when_told() {
    let db = common::new_db();
    let snaps = db.dir.path().join("snapshots");
    let mut written = Vec::new();
    for _ in 0..5 {
        written.push(write_snapshot(&db.svc, &snaps, AUTO).unwrap().0);
    }
    let deleted = prune(&snaps, AUTO, 3).unwrap();
    assert_eq!(deleted, written[..2]);
    let mut left: Vec<PathBuf> = std::fs::read_dir(&snaps)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    left.sort();
    assert_eq!(left, written[2..]);
    // The thread writes one at once and prunes to its own `keep`.
    let t = frontoffice::server::snapshots::start(std::sync::Arc::clone(&db.svc), snaps.clone(), 2)
        .unwrap();
    let start = Instant::now();
    while std::fs::read_dir(&snaps).unwrap().count() != 2
        && start.elapsed() < Duration::from_secs(20)
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    t.stop();
    let names: Vec<PathBuf> = std::fs::read_dir(&snaps)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(!names.contains(&written[2]));
    for n in &names {
        snapshot::read_file(n).unwrap();
    }
}

fn parse_csv(text: &str) -> Vec<Vec<String>> {
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn export_csv_has_a_row_per_record_and_json_parses() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let persons = all_records(&db)
        .into_iter()
        .filter(|r| r.kind() == Kind::Person)
        .count();
    let csv = ok(run(&["--db", s(&db), "export", "persons"]));
    let rows = parse_csv(&csv);
    assert_eq!(rows.len(), persons);
    assert!(
        csv.starts_with("id,rev,created,updated,by,ident,first_name"),
        "{csv}"
    );
    // ЕГН in full: that is what an office export is for.
    assert!(rows
        .iter()
        .any(|r| r[5].len() == 10 && r[5].bytes().all(|b| b.is_ascii_digit())));
    let out = dir.path().join("agreements.json");
    ok(run(&[
        "--db",
        s(&db),
        "export",
        "agreement",
        "--format",
        "json",
        "--out",
        s(&out),
    ]));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let agreements = all_records(&db)
        .into_iter()
        .filter(|r| r.kind() == Kind::Agreement)
        .count();
    assert_eq!(v.as_array().unwrap().len(), agreements);
    // Every page is in the audit log, with its count: together, every record that went out.
    let svc = Service::open(&db, common::clock()).unwrap();
    let log = svc
        .session(&me())
        .unwrap()
        .audit_log(None, 100_000)
        .unwrap();
    let exports: Vec<_> = log
        .iter()
        .filter(|e| e.action == AuditAction::Export)
        .collect();
    let sent = |kind: Kind| -> usize {
        exports
            .iter()
            .filter(|e| e.kind == Some(kind))
            .map(|e| {
                let n = e.changes.iter().find(|c| c.field == "records").unwrap();
                n.new.parse::<usize>().unwrap()
            })
            .sum()
    };
    assert_eq!(sent(Kind::Person), persons);
    assert_eq!(sent(Kind::Agreement), agreements);
    assert!(exports
        .iter()
        .filter(|e| e.kind == Some(Kind::Person))
        .all(|e| e
            .changes
            .iter()
            .any(|c| c.field == "ident" && c.new == "full")));
    let unknown = run(&["--db", s(&db), "export", "nonsense"]);
    assert!(!unknown.status.success());
}

/// The month before the one the demo was built in (by the system clock), and an agreement that
/// covers it whole, with its report.
fn known_agreement(db: &Path) -> (Month, Record, u32) {
    let records = all_records(db);
    let month = Month::of(frontoffice::service::sofia_now().date()).prev();
    for r in &records {
        let Body::Agreement(a) = &r.body else {
            continue;
        };
        let whole = a.from <= month.first_day() && month.last_day() <= a.to;
        let suspended = records
            .iter()
            .any(|s| matches!(&s.body, Body::Suspension(x) if x.agreement == r.id()));
        if !whole || suspended || a.status != AgreementStatus::Active {
            continue;
        }
        let report = records.iter().find_map(|x| match &x.body {
            Body::Report(p) if p.agreement == r.id() && p.month == month => Some(p.total_minutes()),
            _ => None,
        });
        if let Some(minutes) = report {
            return (month, r.clone(), minutes);
        }
    }
    panic!("no agreement with a report for {month}");
}

fn decimal(minutes: u32) -> String {
    format!("{}.{:02}", minutes / 60, (minutes % 60) * 100 / 60)
}

#[test]
fn the_monthly_report_gives_each_agreements_hours() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let (month, rec, minutes) = known_agreement(&db);
    let Body::Agreement(a) = &rec.body else {
        unreachable!()
    };
    let m = month.to_string();
    let csv = ok(run(&[
        "--db",
        s(&db),
        "report",
        "monthly",
        "--month",
        &m,
        "--format",
        "csv",
    ]));
    let rows = parse_csv(&csv);
    let row = rows
        .iter()
        .find(|r| r[0] == a.number)
        .expect("the agreement's row");
    assert_eq!(row[4], decimal(a.hours_per_month * 60));
    assert_eq!(row[5], decimal(minutes));
    assert_eq!(row[6], "accepted");
    assert_eq!(rows.last().unwrap()[0], "total");
    let text = ok(run(&["--db", s(&db), "report", "monthly", "--month", &m]));
    for line in text.lines() {
        assert!(unicode_width::UnicodeWidthStr::width(line) <= 80, "{line}");
    }
    assert!(text.contains(&a.number));
    let bad = run(&["--db", s(&db), "report", "monthly", "--month", "2026-13"]);
    assert!(!bad.status.success());
}

/// `frontoffice serve` as a child process, stopped when dropped.
struct Served {
    child: std::process::Child,
    socket: PathBuf,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(db: &Path, socket: &Path) -> Served {
    let child = bin()
        .args(["--db", s(db), "serve", "--socket", s(socket), "--keep", "3"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while std::os::unix::net::UnixStream::connect(socket).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Served {
        child,
        socket: socket.to_path_buf(),
    }
}

fn connected(sv: &Served, args: &[&str]) -> String {
    ok(bin()
        .arg("--connect")
        .arg(&sv.socket)
        .args(args)
        .output()
        .unwrap())
}

#[test]
fn backup_export_and_report_through_a_running_server() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let (month, rec, minutes) = known_agreement(&db);
    let sv = serve(&db, &dir.path().join("fo.sock"));
    // The daily snapshot is written at start, beside the database, and logged to the file.
    let snaps = dir.path().join("snapshots");
    let log = dir.path().join("frontoffice-serve.log");
    let start = Instant::now();
    while !std::fs::read_to_string(&log)
        .unwrap_or_default()
        .contains("snapshot written")
    {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no snapshot logged"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let auto: Vec<_> = std::fs::read_dir(&snaps).unwrap().collect();
    assert_eq!(auto.len(), 1);
    let file = dir.path().join("via-server.fosnap");
    let out = connected(&sv, &["backup", s(&file)]);
    assert!(out.contains("Backup written"), "{out}");
    let json = connected(&sv, &["export", "person", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let report = connected(
        &sv,
        &[
            "report",
            "monthly",
            "--month",
            &month.to_string(),
            "--format",
            "csv",
        ],
    );
    let Body::Agreement(a) = &rec.body else {
        unreachable!()
    };
    let rows = parse_csv(&report);
    let row = rows.iter().find(|r| r[0] == a.number).unwrap();
    assert_eq!(row[5], decimal(minutes));
    drop(sv);
    let persons = all_records(&db)
        .iter()
        .filter(|r| r.kind() == Kind::Person)
        .count();
    assert_eq!(v.as_array().unwrap().len(), persons);
    // The copy restores to the server's database as it was.
    let restored = dir.path().join("restored");
    ok(run(&["--db", s(&restored), "restore", s(&file)]));
    let (a, b) = (all_records(&db), all_records(&restored));
    assert_eq!(a.len(), b.len());
    assert_eq!(
        a.iter().map(Record::id).collect::<Vec<_>>(),
        b.iter().map(Record::id).collect::<Vec<_>>()
    );
}

#[test]
fn only_an_administrator_may_back_up() {
    let db = common::new_db();
    db.admin
        .add_clerk("fo_aud", "Одитор", Role::Auditor)
        .unwrap();
    // The running Unix user is a supervisor here, and asks the server through the socket.
    db.admin
        .add_clerk(&me(), "Супервайзор", Role::Supervisor)
        .unwrap();
    let socket = db.dir.path().join("fo.sock");
    let server =
        frontoffice::server::Server::bind(std::sync::Arc::clone(&db.svc), &socket, None).unwrap();
    std::thread::spawn(move || server.run());
    let file = db.dir.path().join("not-allowed.fosnap");
    let o = bin()
        .arg("--connect")
        .arg(&socket)
        .args(["backup", s(&file)])
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("The role 'supervisor' may not make backups"),
        "{err}"
    );
    assert!(!file.exists());
    for login in ["fo_aud", &me()] {
        let s = db.svc.session(login).unwrap();
        assert!(
            matches!(s.backup(), Err(ServiceError::Forbidden { .. })),
            "{login}"
        );
        let read = Request::BackupRead {
            name: "x.fosnap".into(),
            offset: 0,
        };
        assert!(matches!(
            frontoffice::service::Api::call(&s, read),
            Err(ServiceError::Forbidden { .. })
        ));
        // Exports are theirs to make.
        assert!(s.export_page(Kind::Person, None, 10).is_ok());
    }
    let (name, _) = db.admin.backup().unwrap();
    assert!(name.starts_with("backup-"), "{name}");
    // A name that reaches outside the snapshot directory is refused.
    assert!(matches!(
        db.admin.backup_read("../db/db", 0),
        Err(ServiceError::BadRequest(_))
    ));
}

fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// The automatic snapshot is in the audit log with the system as its actor (and `check` and
/// the audit log take that actor; no clerk may have its login); each copy read back through
/// `BackupRead` is one entry, logged before any byte goes out, and again when read from the
/// start. The snapshot directory, found open to others, is tightened to 0700; files are 0600.
#[test]
fn snapshots_and_their_reads_are_audited_and_private() {
    use frontoffice::domain::{audit::SYSTEM_LOGIN, reason::Reason};
    use std::os::unix::fs::PermissionsExt;
    let db = common::new_db();
    let snaps = db.dir.path().join("snapshots");
    std::fs::create_dir(&snaps).unwrap();
    std::fs::set_permissions(&snaps, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (auto, _) = write_snapshot(&db.svc, &snaps, AUTO).unwrap();
    assert_eq!(mode(&snaps), 0o700);
    assert_eq!(mode(&auto), 0o600);
    let log = db.admin.audit_log(None, 1000).unwrap();
    let last = log.last().unwrap();
    assert_eq!(
        (last.login.as_str(), last.action),
        (SYSTEM_LOGIN, AuditAction::Backup)
    );
    assert_eq!(last.changes[0].new, auto.display().to_string());
    // The entry is inside the snapshot it describes.
    let inside = snapshot::read_file(&auto).unwrap();
    assert_eq!(inside.audit_head.0, last.seq);
    assert!(db.admin.check().unwrap().problems.is_empty());

    db.svc.set_snapshots(snaps.clone(), 3);
    let (name, size) = db.admin.backup().unwrap();
    assert_eq!(mode(&snaps.join(&name)), 0o600);
    let reads = |admin: &frontoffice::service::Session| -> Vec<(String, String)> {
        admin
            .audit_log(None, 1000)
            .unwrap()
            .into_iter()
            .filter(|e| e.action == AuditAction::BackupRead)
            .map(|e| (e.changes[0].new.clone(), e.changes[1].new.clone()))
            .collect()
    };
    assert!(reads(&db.admin).is_empty());
    let whole = db.admin.backup_read(&name, 0).unwrap();
    assert_eq!(whole.len() as u64, size);
    db.admin.backup_read(&name, size / 2).unwrap();
    assert_eq!(reads(&db.admin), [(name.clone(), "0".to_string())]);
    db.admin.backup_read(&name, 0).unwrap();
    assert_eq!(reads(&db.admin).len(), 2, "a read from the start again");
    // A client that starts in the middle is logged too (with where it started).
    let other = snaps.join(write_snapshot(&db.svc, &snaps, AUTO).unwrap().0);
    let other = other.file_name().unwrap().to_string_lossy().into_owned();
    db.admin.backup_read(&other, 7).unwrap();
    assert_eq!(reads(&db.admin)[2], (other, "7".to_string()));
    assert!(db.admin.check().unwrap().problems.is_empty());

    let refused = db.admin.add_clerk(SYSTEM_LOGIN, "Системата", Role::Clerk);
    match refused {
        Err(ServiceError::Invalid(errors)) => {
            assert_eq!(errors[0].field, "login");
            assert_eq!(errors[0].reason, Reason::ReservedLogin);
        }
        other => panic!("{other:?}"),
    }
}

/// Every file the command line writes with full identifiers is 0600: a backup, an export, a
/// payroll, a document (in the data directory's documents/, made 0700 though it was 0755); a
/// database directory it creates is 0700.
#[test]
fn files_with_full_identifiers_are_created_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let (month, agreement, _) = known_agreement(&db);
    let backup = dir.path().join("copy.fosnap");
    ok(run(&["--db", s(&db), "backup", s(&backup)]));
    let export = dir.path().join("persons.csv");
    ok(run(&[
        "--db",
        s(&db),
        "export",
        "person",
        "--out",
        s(&export),
    ]));
    let payroll = dir.path().join("payroll.csv");
    let m = month.to_string();
    let said = ok(run(&[
        "--db",
        s(&db),
        "report",
        "payroll",
        "--month",
        &m,
        "--out",
        s(&payroll),
    ]));
    assert!(said.contains("The payroll is written to"), "{said}");
    assert!(std::fs::read_to_string(&payroll).unwrap().contains("IBAN"));
    let docs = dir.path().join("documents");
    std::fs::create_dir(&docs).unwrap();
    std::fs::set_permissions(&docs, std::fs::Permissions::from_mode(0o755)).unwrap();
    ok(run(&[
        "--db",
        s(&db),
        "document",
        "agreement",
        &agreement.id().to_string(),
    ]));
    let pdf = std::fs::read_dir(&docs)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    for file in [&backup, &export, &payroll, &pdf] {
        assert_eq!(mode(file), 0o600, "{}", file.display());
    }
    assert_eq!(mode(&docs), 0o700);
    // The database directory itself, and a restored one.
    assert_eq!(mode(&db), 0o700);
    let restored = dir.path().join("restored");
    ok(run(&["--db", s(&restored), "restore", s(&backup)]));
    assert_eq!(mode(&restored), 0o700);
}
