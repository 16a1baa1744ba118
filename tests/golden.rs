//! Golden bytes: the stored form of every record kind at schema version 1 is fixed. A change to a
//! stored struct must come as a new version with a migration, never as a silent change of bytes.
//! `FO_BLESS=1 cargo test --test golden` writes missing files (for a new version only).
//! A kind at version N has `envelope2/{kind}-vN.bin`; its version 1 files stay and convert.
//! `golden/` holds the bytes in envelope format 1 (as schema 1 wrote them), `golden/envelope2/`
//! in format 2 (schema 2 on); both decode, and the upgrade turns the first into the second.

mod common;

use common::*;
use frontoffice::domain::{
    record::{Body, Kind},
    referral::ReferralStatus,
    register::{Licence, ProviderKind, ServiceType},
};
use frontoffice::store::{
    codec,
    schema::{decode_record, encode_record, version},
};
use std::path::PathBuf;

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/golden")
}

/// Kinds that schema 1 did not have: no format 1 bytes.
const NEWER_THAN_SCHEMA_1: [Kind; 2] = [Kind::Visit, Kind::Campaign];

#[test]
fn every_kind_matches_its_golden_bytes() {
    let db = new_db();
    let records = every_kind(&db.admin);
    let bless = std::env::var("FO_BLESS").is_ok();
    let mut seen = std::collections::HashSet::new();
    // The first record of each kind stands for the kind.
    for r in records.iter().filter(|r| seen.insert(r.kind())) {
        let mut r = r.clone();
        // Intake numbers have six digits since issue 10; the golden intake was numbered before
        // (the layout is what the bytes fix, not the service's numbering).
        if let Body::Intake(i) = &mut r.body {
            assert_eq!(i.reg_no, "2026-000001");
            i.reg_no = "2026-00001".into();
        }
        let r = &r;
        let v = version(r.kind());
        let name = format!("{}-v{v}.bin", r.kind().tree());
        let path = golden_dir().join("envelope2").join(&name);
        let bytes = encode_record(r).unwrap();
        if bless && !path.exists() {
            std::fs::create_dir_all(golden_dir().join("envelope2")).unwrap();
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
        if NEWER_THAN_SCHEMA_1.contains(&r.kind()) {
            continue;
        }
        // What schema 1 wrote still reads, and upgrades to exactly the format 2 bytes.
        let v1 = format!("{}-v1.bin", r.kind().tree());
        let old = std::fs::read(golden_dir().join(&v1)).unwrap();
        let old2 = std::fs::read(golden_dir().join("envelope2").join(&v1)).unwrap();
        assert_eq!(codec::upgrade(&old).as_deref(), Some(&old2[..]));
        let (from_old, from_old2) = (
            decode_record(r.kind(), &old).unwrap(),
            decode_record(r.kind(), &old2).unwrap(),
        );
        assert_eq!(from_old, from_old2);
        if v == 1 {
            assert_eq!(&from_old, r);
        } else {
            // Converted: the same record, told apart only by what version 1 could not hold.
            assert_eq!(from_old.meta, r.meta);
        }
    }
}

/// Version 1 assessments and referrals convert: the free-text needs become the conclusion; each
/// step is credited to the clerk who saved the record; no warnings.
#[test]
fn version_1_assessments_and_referrals_convert() {
    let read = |name: &str| std::fs::read(golden_dir().join("envelope2").join(name)).unwrap();
    let a = decode_record(Kind::Assessment, &read("assessment-v1.bin")).unwrap();
    let Body::Assessment(a) = a.body else {
        panic!("{a:?}")
    };
    assert_eq!(a.conclusion, "Помощ при самообслужване.");
    assert!(a.needs.is_empty());
    assert_eq!(a.recommended, [ServiceType::AssistantSupport]);
    let r = decode_record(Kind::Referral, &read("referral-v1.bin")).unwrap();
    let by = r.meta.by.clone();
    let Body::Referral(r) = r.body else {
        panic!("{r:?}")
    };
    assert!(!by.is_empty());
    assert_eq!(r.history.len(), 1);
    assert_eq!(r.history[0].by, by);
    assert_eq!(r.history[0].status, ReferralStatus::Requested);
    assert!(r.warnings.is_empty());
}

/// Version 1 providers and services convert: a private provider becomes "other" with its
/// licence, no e-mail or contact; a service gets no project and no validity dates.
#[test]
fn version_1_providers_and_services_convert() {
    let read = |name: &str| std::fs::read(golden_dir().join("envelope2").join(name)).unwrap();
    let p = decode_record(Kind::Provider, &read("provider-v1.bin")).unwrap();
    let Body::Provider(p) = p.body else {
        panic!("{p:?}")
    };
    assert_eq!(p.name, "Община Тестово");
    assert_eq!(p.kind, ProviderKind::Municipality);
    assert!(p.email.is_empty() && p.contact.is_empty());
    let s = decode_record(Kind::Service, &read("service-v1.bin")).unwrap();
    let Body::Service(s) = s.body else {
        panic!("{s:?}")
    };
    assert_eq!(s.capacity, 20);
    assert!(s.project.is_empty() && s.valid_from.is_none() && s.valid_to.is_none());
    // A version 1 "private" provider (its kind's code 2) reads as "other", licence kept.
    #[derive(serde::Serialize)]
    enum KindV1 {
        _Municipality,
        _State,
        Private,
    }
    #[derive(serde::Serialize)]
    struct ProviderV1 {
        name: String,
        eik: String,
        kind: KindV1,
        licence: Option<Licence>,
        settlement: String,
        address: String,
        phone: Option<String>,
    }
    #[derive(serde::Serialize)]
    struct Stored<'a> {
        meta: &'a frontoffice::domain::record::Meta,
        body: ProviderV1,
    }
    let meta = decode_record(Kind::Provider, &read("provider-v1.bin"))
        .unwrap()
        .meta;
    let licence = Licence {
        number: "Л-1234-05".into(),
        date: date(2024, 3, 1),
    };
    let bytes = codec::encode(
        Kind::Provider.code(),
        1,
        &Stored {
            meta: &meta,
            body: ProviderV1 {
                name: "Сдружение „Подкрепа“".into(),
                eik: "123456786".into(),
                kind: KindV1::Private,
                licence: Some(licence.clone()),
                settlement: "99001".into(),
                address: String::new(),
                phone: None,
            },
        },
    )
    .unwrap();
    let Body::Provider(p) = decode_record(Kind::Provider, &bytes).unwrap().body else {
        panic!()
    };
    assert_eq!(p.kind, ProviderKind::Other);
    assert_eq!(p.licence, Some(licence));
}

/// Writes tests/fixtures/schema{N}-db for the current schema N: run once per schema version with
/// `cargo test --test golden -- --ignored`, then commit the directory.
#[test]
#[ignore]
fn make_schema_fixture() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!(
        "tests/fixtures/schema{}-db",
        frontoffice::store::schema::SCHEMA
    ));
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

/// Version 1 ЗЛП records convert: the checklist's fixed items become the settings' codes
/// (present: ok); the schedule's text joins the activities and the week is empty; contracts
/// and направления gain empty new fields.
#[test]
fn version_1_personal_assistance_records_convert() {
    use frontoffice::domain::assistance::CheckState;
    let read = |name: &str| std::fs::read(golden_dir().join("envelope2").join(name)).unwrap();
    let Body::Application(a) = decode_record(Kind::Application, &read("application-v1.bin"))
        .unwrap()
        .body
    else {
        panic!()
    };
    assert_eq!(a.checklist.len(), 1);
    assert_eq!(
        (a.checklist[0].code.as_str(), a.checklist[0].state),
        ("id_copy", CheckState::Ok)
    );
    assert!(a.applicant_name.is_empty() && a.refusal_reason.is_empty());
    let Body::Agreement(g) = decode_record(Kind::Agreement, &read("agreement-v1.bin"))
        .unwrap()
        .body
    else {
        panic!()
    };
    assert_eq!(g.activities, "лични и битови\nделнични дни");
    assert_eq!((g.week, g.signed), ([0; 7], None));
    let Body::Contract(c) = decode_record(Kind::Contract, &read("contract-v1.bin"))
        .unwrap()
        .body
    else {
        panic!()
    };
    assert_eq!(c.end_reason, None);
    let Body::DspDecision(d) = decode_record(Kind::DspDecision, &read("dsp_decision-v1.bin"))
        .unwrap()
        .body
    else {
        panic!()
    };
    assert_eq!(
        (d.number.as_str(), d.expert_decision.as_str()),
        ("ДСП-77", "")
    );
}

/// An accepted report's facts and warnings are part of its bytes (payload version 2).
#[test]
fn an_accepted_report_with_its_facts_matches_its_golden_bytes() {
    use frontoffice::domain::{
        date::Month,
        iban::Iban,
        record::{Meta, Record},
        report::{Payee, ReportFacts, ReportStatus, ReportWarning},
        settings::PayRate,
    };
    let mut r = report(7, Month::new(2026, 10).unwrap(), 120);
    r.status = ReportStatus::Accepted;
    r.substitute_minutes = vec![0; 31];
    r.substitute_minutes[3] = 60;
    r.warnings = vec![ReportWarning::OffSchedule { days: vec![4] }];
    let payee = |assistant, person, iban: &str| Payee {
        assistant,
        person,
        iban: Iban::parse(iban).unwrap(),
    };
    r.facts = Some(ReportFacts {
        agreement_rev: 3,
        provider: 5,
        assistant: payee(8, 2, "BG80 BNBG 9661 1020 3456 78"),
        substitute: Some(payee(
            9,
            4,
            &frontoffice::domain::iban::make_bg_iban("RZBB", 42),
        )),
        rates: vec![PayRate {
            from: date(2026, 1, 1),
            cents_per_hour: 374,
            currency: "EUR".into(),
        }],
    });
    let record = Record {
        meta: Meta {
            id: 12,
            rev: 2,
            created: now(),
            updated: now(),
            by: "admin".into(),
        },
        body: Body::Report(r),
    };
    let path = golden_dir().join("envelope2/report-v2-accepted.bin");
    let bytes = encode_record(&record).unwrap();
    if std::env::var("FO_BLESS").is_ok() && !path.exists() {
        std::fs::write(&path, &bytes).unwrap();
    }
    let golden = std::fs::read(&path).expect("FO_BLESS=1 writes it");
    assert_eq!(bytes, golden);
    assert_eq!(decode_record(Kind::Report, &golden).unwrap(), record);
    // Version 1 bytes read as a report without facts or warnings.
    let old = std::fs::read(golden_dir().join("envelope2/report-v1.bin")).unwrap();
    let Body::Report(o) = decode_record(Kind::Report, &old).unwrap().body else {
        panic!()
    };
    assert!(o.facts.is_none() && o.warnings.is_empty());
}

/// Audit entries: version 1 (no offset) as the committed schema 2 database holds them, version
/// 2 with Sofia's offset. Both decode; a version 1 entry keeps its hash (the chain leaves out
/// the offset it never had), so old logs still check clean.
#[test]
fn audit_entries_match_their_golden_bytes_and_version_1_converts() {
    use frontoffice::domain::audit::{verify_chain, AuditAction};
    use frontoffice::store::schema::{decode_audit, encode_audit};
    let bless = std::env::var("FO_BLESS").is_ok();
    let dir = golden_dir().join("envelope2");
    let v1_path = dir.join("audit-v1.bin");
    if bless && !v1_path.exists() {
        // Bytes as the version 1 code wrote them: the fixture's first entry, untouched.
        let (_tmp, db) = fixture_copy("schema2-db");
        let raw = raw_open(&db);
        let (_, v) = raw.open_tree("audit").unwrap().first().unwrap().unwrap();
        std::fs::write(&v1_path, &v).unwrap();
    }
    let v1 = std::fs::read(&v1_path).unwrap();
    assert_eq!(codec::open(&v1).unwrap().0.version, 1);
    let old = decode_audit(&v1).unwrap();
    assert_eq!(
        (old.seq, old.action, old.offset),
        (1, AuditAction::Init, None)
    );
    assert_eq!(old.instant(), None, "its zone was never recorded");
    assert!(verify_chain([&old]).is_empty(), "the old hash still holds");

    let db = new_db();
    let entry = db.svc.store().audit(None).next().unwrap().unwrap();
    let bytes = encode_audit(&entry).unwrap();
    let v2_path = dir.join("audit-v2.bin");
    if bless && !v2_path.exists() {
        std::fs::write(&v2_path, &bytes).unwrap();
    }
    let golden = std::fs::read(&v2_path)
        .unwrap_or_else(|_| panic!("{} is missing: FO_BLESS=1 writes it", v2_path.display()));
    assert_eq!(bytes, golden, "audit entries encode differently");
    let back = decode_audit(&golden).unwrap();
    assert_eq!(back, entry);
    // 10:00 on 17 November in Sofia is winter time.
    assert_eq!(back.offset, Some(7200));
    assert_eq!(
        back.instant().unwrap().to_rfc3339(),
        "2026-11-17T10:00:00+02:00"
    );
    assert!(verify_chain([&back]).is_empty());
}
