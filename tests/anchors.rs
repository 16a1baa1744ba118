//! The audit chain against its anchors outside the audit tree: the snapshots' heads and the
//! keyed anchor file. A cut tail with a rewritten head, and a re-hashed chain, pass the chain's
//! own check but fail against every anchor, each named; a clean chain passes with all of them;
//! the server writes its anchors at start, after snapshots and at stop.

mod common;

use frontoffice::domain::{audit::AuditEntry, record::Body};
use frontoffice::service::{
    anchor::AuditKey,
    backup::{write_snapshot, AUTO},
    ApiExt, Service,
};
use frontoffice::store::schema;
use std::{
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    process::Command,
};

/// A 32-byte key, mode 0600, in `dir`.
fn key_file(dir: &Path) -> PathBuf {
    let path = dir.join("audit.key");
    let key: Vec<u8> = (0..32u8).map(|i| i.wrapping_mul(37) ^ 0xa5).collect();
    std::fs::write(&path, key).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    path
}

/// The service on `db` with its anchors: the snapshot directory and, if given, the audit key.
fn open(db: &Path, snaps: &Path, key: Option<&Path>) -> std::sync::Arc<Service> {
    let svc = Service::open(db, common::clock()).unwrap();
    svc.set_snapshots(snaps.to_path_buf(), 7);
    if let Some(k) = key {
        svc.set_audit_key(AuditKey::load(k, db).unwrap());
    }
    svc
}

fn problems(svc: &std::sync::Arc<Service>) -> Vec<String> {
    svc.session("admin").unwrap().check().unwrap().problems
}

/// A database with a few saves, one automatic snapshot and a stop anchor (so the anchor file has
/// two lines); returns (temp dir, db, snapshot dir, key).
fn anchored_db() -> (tempfile::TempDir, PathBuf, PathBuf, PathBuf) {
    let db = common::new_db();
    for (f, l) in [("Иван", "Петров"), ("Мария", "Колева")] {
        db.admin
            .create(Body::Person(common::person(f, l, None)))
            .unwrap();
    }
    let path = db.path();
    let common::Db { dir, svc, admin } = db;
    drop(admin);
    drop(svc);
    let snaps = dir.path().join("snapshots");
    let key = key_file(dir.path());
    let svc = open(&path, &snaps, Some(&key));
    write_snapshot(&svc, &snaps, AUTO).unwrap();
    svc.anchor_head("stop");
    let found = svc.anchors();
    assert!(found.problems.is_empty(), "{:?}", found.problems);
    assert_eq!(found.anchors.len(), 3, "a snapshot and two lines");
    assert_eq!(problems(&svc), Vec::<String>::new(), "a clean chain passes");
    (dir, path, snaps, key)
}

/// Every audit entry of a closed database, and a way to write entries and the head back.
struct Raw(sled::Db);

impl Raw {
    fn entries(&self) -> Vec<AuditEntry> {
        let t = self.0.open_tree("audit").unwrap();
        t.iter()
            .map(|kv| {
                let (_, v) = kv.unwrap();
                schema::decode_audit(&v).unwrap()
            })
            .collect()
    }

    fn put(&self, e: &AuditEntry) {
        let bytes = schema::encode_audit(e).unwrap();
        self.0
            .open_tree("audit")
            .unwrap()
            .insert(e.seq.to_be_bytes(), bytes)
            .unwrap();
    }

    fn set_head(&self, seq: u64, hash: [u8; 32]) {
        let mut v = seq.to_be_bytes().to_vec();
        v.extend_from_slice(&hash);
        self.0
            .open_tree("meta")
            .unwrap()
            .insert("audit_head", v)
            .unwrap();
        self.0.flush().unwrap();
    }
}

#[test]
fn a_cut_tail_with_a_rewritten_head_fails_against_every_anchor() {
    let (dir, db, snaps, key) = anchored_db();
    {
        let raw = Raw(common::raw_open(&db));
        let entries = raw.entries();
        let last = entries.last().unwrap();
        let prev = &entries[entries.len() - 2];
        raw.0
            .open_tree("audit")
            .unwrap()
            .remove(last.seq.to_be_bytes())
            .unwrap();
        raw.set_head(prev.seq, prev.hash);
    }
    // Without anchors the chain agrees with its head: the hole the anchors close.
    let elsewhere = dir.path().join("no-snapshots");
    assert_eq!(problems(&open(&db, &elsewhere, None)), Vec::<String>::new());
    // Each anchor names itself.
    let found = problems(&open(&db, &snaps, Some(&key)));
    let removed: Vec<&String> = found
        .iter()
        .filter(|p| p.contains("entries were removed"))
        .collect();
    assert!(
        removed
            .iter()
            .any(|p| p.contains("snapshot ") && p.contains("auto-")),
        "{found:?}"
    );
    assert!(
        removed
            .iter()
            .any(|p| p.contains("anchor file") && p.contains("audit.anchors line 2")),
        "{found:?}"
    );
}

#[test]
fn a_rehashed_chain_fails_against_every_anchor() {
    let (dir, db, snaps, key) = anchored_db();
    {
        let raw = Raw(common::raw_open(&db));
        let mut entries = raw.entries();
        // Rewrite the second entry and seal everything after it again: the chain is whole.
        entries[1].login = "someone-else".into();
        let mut prev = entries[0].hash;
        for e in entries.iter_mut().skip(1) {
            *e = e.clone().seal(e.seq, prev);
            prev = e.hash;
            raw.put(e);
        }
        let last = entries.last().unwrap();
        raw.set_head(last.seq, last.hash);
    }
    let elsewhere = dir.path().join("no-snapshots");
    assert_eq!(problems(&open(&db, &elsewhere, None)), Vec::<String>::new());
    let found = problems(&open(&db, &snaps, Some(&key)));
    let rewritten: Vec<&String> = found
        .iter()
        .filter(|p| p.contains("the log was rewritten"))
        .collect();
    assert!(
        rewritten.iter().any(|p| p.contains("snapshot ")),
        "{found:?}"
    );
    assert!(
        rewritten.iter().any(|p| p.contains("anchor file")),
        "{found:?}"
    );
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_frontoffice"));
    c.env_remove("FRONTOFFICE_DB")
        .env_remove("FRONTOFFICE_SOCKET")
        .env_remove("FRONTOFFICE_AUDIT_KEY")
        .env("FRONTOFFICE_CONFIG", "/nonexistent")
        .args(["--lang", "en"]);
    c
}

/// The command line: a key inside the database directory is refused; `serve --audit-key`
/// anchors at start, after its snapshot and at stop, in the anchor file and its log; `check
/// --audit-key` passes on the clean chain and names the anchor file once the tail is cut.
#[test]
fn the_server_anchors_its_heads_and_check_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let o = bin().arg("--db").arg(&db).arg("init").output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let inside = key_file(&db);
    let o = bin()
        .arg("--db")
        .arg(&db)
        .arg("--audit-key")
        .arg(&inside)
        .arg("check")
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("inside the database directory"), "{err}");
    std::fs::remove_file(&inside).unwrap();

    let key = key_file(dir.path());
    let log = dir.path().join("serve.log");
    let socket = dir.path().join("fo.sock");
    let mut server = common::spawn_serve_with(
        &db,
        &socket,
        &[
            "--audit-key".as_ref(),
            key.as_os_str(),
            "--log".as_ref(),
            log.as_os_str(),
        ],
        None,
    );
    let anchors = dir.path().join("audit.anchors");
    let lines = || {
        std::fs::read_to_string(&anchors)
            .unwrap_or_default()
            .lines()
            .map(|l| l.split(' ').nth(1).unwrap_or("").to_string())
            .collect::<Vec<_>>()
    };
    common::wait_until("the start and snapshot anchors", || {
        lines().contains(&"snapshot".to_string())
    });
    // SIGTERM: the server stops cleanly and anchors its last head.
    unsafe { libc::kill(server.id() as i32, libc::SIGTERM) };
    assert!(server.wait().unwrap().success());
    assert_eq!(lines(), ["start", "snapshot", "stop"]);
    let mode = std::fs::metadata(&anchors).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let logged = std::fs::read_to_string(&log).unwrap();
    assert_eq!(logged.matches("audit head").count(), 3, "{logged}");

    let check = || {
        bin()
            .arg("--db")
            .arg(&db)
            .arg("--audit-key")
            .arg(&key)
            .arg("check")
            .output()
            .unwrap()
    };
    let o = check();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("All is well"), "{out}");
    {
        // The system's snapshot entry goes, and the head is moved back over it.
        let raw = Raw(common::raw_open(&db));
        let entries = raw.entries();
        let prev = &entries[entries.len() - 2];
        raw.0
            .open_tree("audit")
            .unwrap()
            .remove(entries.last().unwrap().seq.to_be_bytes())
            .unwrap();
        raw.set_head(prev.seq, prev.hash);
    }
    let o = check();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(!o.status.success(), "{out}");
    assert!(out.contains("audit.anchors line"), "{out}");
    assert!(out.contains("snapshot "), "{out}");
}

/// The periodic anchor is written only when the head moved since the last one.
#[test]
fn a_periodic_anchor_is_written_only_when_the_head_moved() {
    let db = common::new_db();
    let key = key_file(db.dir.path());
    db.svc
        .set_audit_key(AuditKey::load(&key, &db.path()).unwrap());
    let anchors = db.dir.path().join("audit.anchors");
    let count = || {
        std::fs::read_to_string(&anchors)
            .unwrap_or_default()
            .lines()
            .count()
    };
    db.svc.anchor_if_moved("hourly");
    assert_eq!(count(), 1, "nothing anchored yet: the first one is written");
    db.svc.anchor_if_moved("hourly");
    assert_eq!(count(), 1, "the head did not move");
    db.admin
        .create(Body::Person(common::person("Иван", "Петров", None)))
        .unwrap();
    db.svc.anchor_if_moved("hourly");
    assert_eq!(count(), 2);
    assert!(db.admin.check().unwrap().problems.is_empty());
}
