//! Golden bytes: the stored form of every record kind at schema version 1 is fixed. A change to a
//! stored struct must come as a new version with a migration, never as a silent change of bytes.
//! `FO_BLESS=1 cargo test --test golden` writes missing files (for a new version only).

mod common;

use common::*;
use frontoffice::store::schema::{decode_record, encode_record};
use std::path::PathBuf;

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/golden")
}

#[test]
fn every_kind_matches_its_golden_bytes() {
    let db = new_db();
    let records = every_kind(&db.admin);
    let bless = std::env::var("FO_BLESS").is_ok();
    let mut seen = std::collections::HashSet::new();
    // The first record of each kind stands for the kind.
    for r in records.iter().filter(|r| seen.insert(r.kind())) {
        let path = golden_dir().join(format!("{}-v1.bin", r.kind().tree()));
        let bytes = encode_record(r).unwrap();
        if bless && !path.exists() {
            std::fs::create_dir_all(golden_dir()).unwrap();
            std::fs::write(&path, &bytes).unwrap();
        }
        let golden = std::fs::read(&path)
            .unwrap_or_else(|_| panic!("{} is missing: FO_BLESS=1 writes it", path.display()));
        assert_eq!(
            bytes,
            golden,
            "{:?} encodes differently from {}",
            r.kind(),
            path.display()
        );
        assert_eq!(&decode_record(r.kind(), &golden).unwrap(), r);
    }
}

/// Writes tests/fixtures/schema1-db: run once per schema version with
/// `cargo test --test golden -- --ignored`, then commit the directory.
#[test]
#[ignore]
fn make_schema1_fixture() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema1-db");
    assert!(!dir.exists(), "{} exists already", dir.display());
    let (svc, _) = frontoffice::service::Service::open_or_create(
        &dir,
        "fixture",
        "Fixture",
        settings(),
        clock(),
    )
    .unwrap();
    let s = svc.session("fixture").unwrap();
    every_kind(&s);
}
