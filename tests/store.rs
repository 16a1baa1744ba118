//! The store through the service, on a real sled database in a temp dir.

mod common;

use common::*;
use frontoffice::domain::{record::Kind, settings::Settings, Explain, Lang};
use frontoffice::service::{ApiExt, Service as Svc};
use frontoffice::store::{error::StoreError, OpenMode, Store};

#[test]
fn every_kind_round_trips_and_survives_reopening() {
    let db = new_db();
    let created = every_kind(&db.admin);
    let kinds: std::collections::HashSet<Kind> = created.iter().map(|r| r.kind()).collect();
    assert_eq!(kinds.len(), Kind::ALL.len(), "a record of every kind");
    for r in &created {
        let stored = db.svc.store().get(r.kind(), r.meta.id).unwrap().unwrap();
        assert_eq!(&stored, r);
    }
    let path = db.path();
    drop(db.admin);
    drop(db.svc);
    // Reopen: every acknowledged write is there, byte for byte the same record.
    let svc = Svc::open(&path, clock()).unwrap();
    let s = svc.session("admin").unwrap();
    for r in &created {
        assert_eq!(&svc.store().get(r.kind(), r.meta.id).unwrap().unwrap(), r);
    }
    assert!(s.check().unwrap().problems.is_empty());
}

#[test]
fn a_command_refused_half_way_leaves_nothing_behind() {
    let db = new_db();
    let before = db.admin.check().unwrap();
    // An intake for a person that does not exist: numbering ran, then the reference failed.
    let mut intake = match every_kind(&db.admin)
        .into_iter()
        .find(|r| r.kind() == Kind::Intake)
        .unwrap()
        .body
    {
        frontoffice::domain::Body::Intake(i) => i,
        _ => unreachable!(),
    };
    let after_fixtures = db.admin.check().unwrap();
    intake.person = Some(999_999);
    let err = db
        .admin
        .create(frontoffice::domain::Body::Intake(intake.clone()))
        .unwrap_err();
    assert!(
        err.explain(Lang::Bg).contains("999999"),
        "{}",
        err.explain(Lang::Bg)
    );
    let after = db.admin.check().unwrap();
    assert_eq!(after.records, after_fixtures.records);
    assert_eq!(after.audit_entries, after_fixtures.audit_entries);
    assert!(after.records > before.records);
    // The register number was not used up by the refused command.
    intake.person = None;
    let next = db
        .admin
        .create(frontoffice::domain::Body::Intake(intake))
        .unwrap();
    match next.body {
        frontoffice::domain::Body::Intake(i) => assert_eq!(i.reg_no, "2026-000002"),
        _ => unreachable!(),
    }
}

#[test]
fn a_second_process_gets_a_message_naming_the_server() {
    let db = new_db();
    // flock is per open file description, so a second open in this process is refused like
    // another process would be.
    let err = Svc::open(&db.path(), clock()).err().expect("locked");
    assert!(matches!(err, StoreError::Locked { .. }), "{err:?}");
    let msg = err.explain(Lang::Bg);
    assert!(msg.contains("frontoffice serve"), "{msg}");
    assert!(err.explain(Lang::En).contains("--connect"));
}

#[test]
fn missing_and_foreign_directories_are_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing");
    assert!(matches!(
        Svc::open(&missing, clock()),
        Err(StoreError::NotFound { .. })
    ));
    assert!(!missing.exists(), "opening must not create a directory");

    let foreign = dir.path().join("foreign");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("notes.txt"), "not a database").unwrap();
    let err = Svc::open(&foreign, clock()).err().unwrap();
    assert!(matches!(err, StoreError::Foreign { .. }));
    assert!(err.explain(Lang::Bg).contains("не е база данни"));
    assert_eq!(
        std::fs::read_dir(&foreign).unwrap().count(),
        1,
        "nothing written"
    );

    // A sled database of another program.
    let other = dir.path().join("other");
    {
        let db = sled::open(&other).unwrap();
        db.insert(b"k", b"v").unwrap();
        db.flush().unwrap();
    }
    assert!(matches!(
        Svc::open(&other, clock()),
        Err(StoreError::Foreign { .. })
    ));
}

#[test]
fn a_newer_schema_is_refused_with_a_message() {
    let db = new_db();
    let path = db.path();
    drop(db.admin);
    drop(db.svc);
    {
        let raw = raw_open(&path);
        raw.open_tree("meta")
            .unwrap()
            .insert(b"schema", &99u32.to_be_bytes())
            .unwrap();
        raw.flush().unwrap();
    }
    let err = Store::open(&path, OpenMode::Existing).err().unwrap();
    assert!(matches!(
        err,
        StoreError::NewerSchema {
            found: 99,
            known: frontoffice::store::schema::SCHEMA
        }
    ));
    assert!(err.explain(Lang::En).contains("Update frontoffice"));
}

#[test]
fn a_damaged_value_is_a_typed_error_not_a_panic() {
    let db = new_db();
    let p = db
        .admin
        .create(frontoffice::domain::Body::Person(person(
            "Иван",
            "Петров",
            None,
        )))
        .unwrap();
    let path = db.path();
    drop(db.admin);
    drop(db.svc);
    {
        let raw = raw_open(&path);
        let t = raw.open_tree("person").unwrap();
        let mut v = t.get(p.meta.id.to_be_bytes()).unwrap().unwrap().to_vec();
        let last = v.len() - 1;
        v[last] ^= 0xff;
        t.insert(p.meta.id.to_be_bytes(), v).unwrap();
        raw.flush().unwrap();
    }
    let svc = Svc::open(&path, clock()).unwrap();
    let s = svc.session("admin").unwrap();
    let err = s.get(Kind::Person, p.meta.id).unwrap_err();
    assert!(
        err.explain(Lang::En).contains("checksum"),
        "{}",
        err.explain(Lang::En)
    );
    let report = s.check().unwrap();
    assert!(
        report.problems.iter().any(|p| p.contains("checksum")),
        "{:?}",
        report.problems
    );
}

/// A database written by schema 1, committed under tests/fixtures: it must open and read.
#[test]
fn the_committed_schema_1_database_opens_and_reads() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema1-db");
    let dir = tempfile::tempdir().unwrap();
    let dst = dir.path().join("db");
    copy_dir(&src, &dst);
    let svc = Svc::open(&dst, clock()).unwrap();
    let s = svc.session("fixture").unwrap();
    let hits = s.search("petrova", 10).unwrap();
    assert!(hits.iter().any(|h| h.name == "Мария Петрова"), "{hits:?}");
    let report = s.check().unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert!(report.records >= Kind::ALL.len() as u64 - 2);
    // Monitoring visits and campaigns came after schema 1; its settings read with the default
    // ratings and checklist.
    let settings = s.settings().unwrap().settings;
    assert_eq!(settings.visit_ratings, Settings::default().visit_ratings);
    assert_eq!(settings.checklist, Settings::default().checklist);
    for kind in Kind::ALL
        .into_iter()
        .filter(|k| !matches!(k, Kind::Visit | Kind::Campaign))
    {
        assert!(
            !s.list(kind, None, 1).unwrap().is_empty(),
            "fixture has a {kind:?}"
        );
    }
}

fn copy_dir(src: &std::path::Path, dst: &std::path::Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), to).unwrap();
        }
    }
}

/// A demo larger than one batch builds in batches the service takes (at most `MAX_BATCH`).
#[test]
fn a_demo_of_more_persons_than_one_batch_builds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let n = frontoffice::service::MAX_BATCH + 300;
    frontoffice::demo::build(&path, "admin", "Админ", n, clock()).unwrap();
    let svc = Svc::open(&path, clock()).unwrap();
    assert!(svc.store().count(frontoffice::domain::record::Kind::Person) > n);
}
