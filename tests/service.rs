//! The service's rules: conflicts, roles, audit chain, check, search, domain caps.

mod common;

use common::*;
use frontoffice::domain::{
    assistance::AgreementStatus,
    clerk::Role,
    date::Month,
    record::{Body, Kind},
    Explain, Lang, Reason,
};
use frontoffice::service::{ApiExt, Service as Svc, ServiceError};

fn id_of(records: &[frontoffice::domain::Record], kind: Kind) -> u64 {
    records.iter().find(|r| r.kind() == kind).unwrap().meta.id
}

#[test]
fn a_stale_rev_is_a_conflict_not_an_overwrite() {
    let db = new_db();
    let p = db
        .admin
        .create(Body::Person(person("Иван", "Петров", None)))
        .unwrap();
    let mut mine = person("Иван", "Петров", None);
    mine.note = "first".into();
    let saved = db
        .admin
        .update(p.meta.id, p.meta.rev, Body::Person(mine.clone()))
        .unwrap();
    assert_eq!(saved.meta.rev, 2);
    mine.note = "second, from a stale copy".into();
    let err = db
        .admin
        .update(p.meta.id, p.meta.rev, Body::Person(mine))
        .unwrap_err();
    match &err {
        ServiceError::Conflict { current } => assert_eq!(**current, saved),
        other => panic!("{other:?}"),
    }
    assert!(err.explain(Lang::Bg).contains("Презаредете"));
    assert_eq!(db.admin.get(Kind::Person, p.meta.id).unwrap(), saved);
}

#[test]
fn each_role_is_refused_what_it_may_not_do() {
    let db = new_db();
    db.admin
        .add_clerk("clerk1", "Служител", Role::Clerk)
        .unwrap();
    db.admin
        .add_clerk("sup", "Ръководител", Role::Supervisor)
        .unwrap();
    db.admin.add_clerk("aud", "Одитор", Role::Auditor).unwrap();
    let clerk = db.svc.session("clerk1").unwrap();
    let sup = db.svc.session("sup").unwrap();
    let aud = db.svc.session("aud").unwrap();

    let forbidden = |r: Result<_, ServiceError>| matches!(r, Err(ServiceError::Forbidden { .. }));
    // Clerks work cases but manage no accounts, settings or audit.
    assert!(clerk
        .create(Body::Person(person("Ана", "Колева", None)))
        .is_ok());
    assert!(forbidden(
        clerk.add_clerk("x", "X", Role::Clerk).map(|_| ())
    ));
    assert!(forbidden(clerk.audit_log(None, 10).map(|_| ())));
    let s = clerk.settings().unwrap();
    assert!(forbidden(
        clerk.update_settings(s.rev, s.settings.clone()).map(|_| ())
    ));
    // Supervisors read the audit log but manage no accounts.
    assert!(sup.audit_log(None, 10).is_ok());
    assert!(forbidden(sup.add_clerk("y", "Y", Role::Admin).map(|_| ())));
    // Auditors read, never write.
    assert!(aud.audit_log(None, 10).is_ok());
    assert!(aud.search("kol", 5).is_ok());
    let err = aud
        .create(Body::Person(person("Ана", "Колева", None)))
        .unwrap_err();
    assert!(matches!(err, ServiceError::Forbidden { .. }));
    assert!(
        err.explain(Lang::Bg).contains("одитор"),
        "{}",
        err.explain(Lang::Bg)
    );
    // Each language whole: the role and the action are named in the clerk's language.
    let en = err.explain(Lang::En);
    assert!(
        en.contains("auditor") && !en.chars().any(|c| ('а'..='я').contains(&c)),
        "{en}"
    );

    // Unknown and disabled logins get no session, and a live session stops when disabled.
    assert!(matches!(
        db.svc.session("stranger"),
        Err(ServiceError::UnknownClerk { .. })
    ));
    db.admin.set_clerk_active("clerk1", false).unwrap();
    assert!(matches!(
        clerk.search("a", 1),
        Err(ServiceError::Disabled { .. })
    ));
    assert!(matches!(
        db.svc.session("clerk1"),
        Err(ServiceError::Disabled { .. })
    ));
}

#[test]
fn every_write_is_audited_and_a_tampered_entry_is_found() {
    let db = new_db();
    let p = db
        .admin
        .create(Body::Person(person("Иван", "Петров", Some("8032056031"))))
        .unwrap();
    assert_eq!(db.admin.reveal_ident(p.meta.id).unwrap(), "8032056031");
    let log = db.admin.audit_log(None, 100).unwrap();
    let actions: Vec<_> = log.iter().map(|e| format!("{:?}", e.action)).collect();
    assert_eq!(actions, ["Init", "Create", "Reveal"]);
    assert!(log[1]
        .changes
        .iter()
        .any(|c| c.field == "first_name" && c.new == "Иван"));
    assert!(db.admin.check().unwrap().problems.is_empty());

    let path = db.path();
    drop(db.admin);
    drop(db.svc);
    {
        // Edit the second entry's login in place, keeping its envelope valid: only the chain
        // can tell.
        let raw = raw_open(&path);
        let t = raw.open_tree("audit").unwrap();
        let v = t.get(2u64.to_be_bytes()).unwrap().unwrap();
        let (_, payload) = frontoffice::store::codec::open(&v).unwrap();
        let mut e: frontoffice::domain::audit::AuditEntry =
            frontoffice::store::codec::decode_payload(payload).unwrap();
        e.login = "someone-else".into();
        let bytes = frontoffice::store::schema::encode_audit(&e).unwrap();
        t.insert(2u64.to_be_bytes(), bytes).unwrap();
        raw.flush().unwrap();
    }
    let svc = Svc::open(&path, clock()).unwrap();
    let report = svc.session("admin").unwrap().check().unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.contains("audit entry 2: entry was altered")),
        "{:?}",
        report.problems
    );
}

#[test]
fn a_removed_last_audit_entry_is_found() {
    let db = new_db();
    db.admin
        .create(Body::Person(person("Иван", "Петров", None)))
        .unwrap();
    let path = db.path();
    drop(db.admin);
    drop(db.svc);
    {
        let raw = raw_open(&path);
        raw.open_tree("audit")
            .unwrap()
            .remove(2u64.to_be_bytes())
            .unwrap();
        raw.flush().unwrap();
    }
    let svc = Svc::open(&path, clock()).unwrap();
    let report = svc.session("admin").unwrap().check().unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.contains("entries were removed")),
        "{:?}",
        report.problems
    );
}

#[test]
fn a_planted_or_missing_index_entry_is_found() {
    let db = new_db();
    let p = db
        .admin
        .create(Body::Person(person("Иван", "Петров", Some("8032056031"))))
        .unwrap();
    let path = db.path();
    drop(db.admin);
    drop(db.svc);
    {
        let raw = raw_open(&path);
        let names = raw.open_tree("idx_name").unwrap();
        // A stray entry pointing at the person under a name it does not have...
        names
            .insert(
                frontoffice::store::index::key(b"georgiev", Kind::Person, p.meta.id),
                vec![],
            )
            .unwrap();
        // ...and the entry of its real surname removed.
        names
            .remove(frontoffice::store::index::key(
                b"petrov",
                Kind::Person,
                p.meta.id,
            ))
            .unwrap();
        raw.flush().unwrap();
    }
    let svc = Svc::open(&path, clock()).unwrap();
    let report = svc.session("admin").unwrap().check().unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.contains("idx_name: stray entry")),
        "{:?}",
        report.problems
    );
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.contains("idx_name: missing entry")),
        "{:?}",
        report.problems
    );
}

#[test]
fn search_finds_names_in_either_script_and_identifiers_in_any_form() {
    let db = new_db();
    let s = &db.admin;
    let ivan = s
        .create(Body::Person(person("Иван", "Иванов", Some("8032056031"))))
        .unwrap();
    let maria = s
        .create(Body::Person(person(
            "Мария",
            "Цветкова",
            Some("7523169263"),
        )))
        .unwrap();
    let mut other = person("Петър", "Иванчев", None);
    other.phones = vec![frontoffice::domain::phone::Phone::parse("+359 87 765 4321").unwrap()];
    let petar = s.create(Body::Person(other)).unwrap();

    let ids = |q: &str| {
        s.search(q, 10)
            .unwrap()
            .iter()
            .map(|h| h.id)
            .collect::<Vec<_>>()
    };
    for q in ["ivanov", "Иванов", "IVANOV", "иванов", "ив"] {
        assert_eq!(ids(q).first(), Some(&ivan.meta.id), "{q}");
    }
    // A prefix finds both Иванов and Иванчев; the exact word ranks first.
    assert_eq!(ids("ivan").len(), 2);
    assert_eq!(ids("cvetkova"), vec![maria.meta.id]);
    assert_eq!(ids("tsvet"), vec![maria.meta.id]);
    assert_eq!(ids("мария цв"), vec![maria.meta.id]);
    assert!(ids("мария ив").is_empty());
    // ЕГН whole or its birth date's six digits, never its last digits or a longer start
    // (with the birth date every hit shows, either would complete the number); phones in any
    // format.
    assert_eq!(ids("8032056031"), vec![ivan.meta.id]);
    assert_eq!(ids("803205"), vec![ivan.meta.id]);
    assert_eq!(ids("7523169263"), vec![maria.meta.id]);
    assert!(ids("9263").is_empty());
    assert!(ids("6031").is_empty());
    assert!(ids("8032056").is_empty() && ids("803205603").is_empty());
    assert_eq!(ids("087 765 432"), vec![petar.meta.id]);
    assert_eq!(ids("+359 87 765"), vec![petar.meta.id]);
    assert_eq!(ids("(087) 765-43-21"), vec![petar.meta.id]);
    // Lists show the identifier masked.
    let hit = &s.search("ivanov", 1).unwrap()[0];
    assert_eq!(hit.ident, "**********");
    assert_eq!(hit.name, "Иван Иванов");
}

#[test]
fn register_and_agreement_numbers_are_found() {
    let db = new_db();
    let all = every_kind(&db.admin);
    let agreement = all.iter().find(|r| r.kind() == Kind::Agreement).unwrap();
    let number = match &agreement.body {
        Body::Agreement(a) => a.number.clone(),
        _ => unreachable!(),
    };
    assert_eq!(number, "СП-2026-0001");
    for q in ["СП-2026-0001", "sp-2026-0001", "SP20260001"] {
        let hits = db.admin.search(q, 5).unwrap();
        assert_eq!(hits.first().map(|h| h.id), Some(agreement.meta.id), "{q}");
    }
    let hits = db.admin.search("2026-000001", 5).unwrap();
    assert_eq!(hits.first().map(|h| h.kind), Some(Kind::Intake));
}

#[test]
fn duplicate_identifiers_are_refused() {
    let db = new_db();
    let first = db
        .admin
        .create(Body::Person(person("Иван", "Петров", Some("8032056031"))))
        .unwrap();
    let err = db
        .admin
        .create(Body::Person(person("Петър", "Иванов", Some("8032056031"))))
        .unwrap_err();
    match err {
        ServiceError::Invalid(e) => {
            assert_eq!(e[0].reason, Reason::DuplicateEgn { id: first.meta.id })
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn agreements_never_exceed_the_napravlenie_hours() {
    let db = new_db();
    let all = every_kind(&db.admin);
    let (user, assistant, provider, decision) = (
        id_of(&all, Kind::Person),
        id_of(&all, Kind::Assistant),
        id_of(&all, Kind::Provider),
        id_of(&all, Kind::DspDecision),
    );
    // The fixture's agreement holds all 84 hours; one more hour is over the cap.
    let err = db
        .admin
        .create(Body::Agreement(agreement(
            user, assistant, provider, decision, 1,
        )))
        .unwrap_err();
    match &err {
        ServiceError::Invalid(e) => assert_eq!(
            e[0].reason,
            Reason::HoursOverNapravlenie {
                found: 85,
                cap: 84,
                used: vec![("СП-2026-0001".into(), 84)]
            },
            "{e:?}"
        ),
        other => panic!("{other:?}"),
    }
    // Once the first agreement ends (with a reason), its hours are free again.
    let first = all.iter().find(|r| r.kind() == Kind::Agreement).unwrap();
    let mut a = match first.body.clone() {
        Body::Agreement(a) => a,
        _ => unreachable!(),
    };
    a.status = AgreementStatus::Ended;
    a.end_reason = Some("wish".into());
    db.admin
        .update(first.meta.id, first.meta.rev, Body::Agreement(a))
        .unwrap();
    db.admin
        .create(Body::Agreement(agreement(
            user, assistant, provider, decision, 40,
        )))
        .unwrap();
}

#[test]
fn monthly_reports_are_checked_against_the_agreement() {
    let db = new_db();
    let all = every_kind(&db.admin);
    let ag = id_of(&all, Kind::Agreement);
    // One report per agreement and month.
    let err = db
        .admin
        .create(Body::Report(report(ag, Month::new(2026, 10).unwrap(), 60)))
        .unwrap_err();
    assert!(
        matches!(&err, ServiceError::Invalid(e) if matches!(e[0].reason, Reason::DuplicateReport { .. })),
        "{err:?}"
    );
    // Hours over the agreement's 84 a month.
    let err = db
        .admin
        .create(Body::Report(report(ag, Month::new(2026, 9).unwrap(), 300)))
        .unwrap_err();
    assert!(
        format!("{err:?}").contains("ReportOverAgreement"),
        "{err:?}"
    );
    // Before the agreement's start.
    let err = db
        .admin
        .create(Body::Report(report(ag, Month::new(2026, 6).unwrap(), 60)))
        .unwrap_err();
    assert!(
        format!("{err:?}").contains("ReportOutsidePeriod"),
        "{err:?}"
    );
    // A future month.
    let err = db
        .admin
        .create(Body::Report(report(ag, Month::new(2026, 12).unwrap(), 60)))
        .unwrap_err();
    assert!(format!("{err:?}").contains("FutureMonth"), "{err:?}");
    // On suspended days (10–12 Nov in the fixture).
    let err = db
        .admin
        .create(Body::Report(report(ag, Month::new(2026, 11).unwrap(), 60)))
        .unwrap_err();
    assert!(
        format!("{err:?}").contains("ReportedOnSuspendedDay"),
        "{err:?}"
    );
    // A good one.
    db.admin
        .create(Body::Report(report(ag, Month::new(2026, 9).unwrap(), 180)))
        .unwrap();
}

#[test]
fn an_assistant_cannot_be_the_user_nor_a_minor() {
    let db = new_db();
    let all = every_kind(&db.admin);
    let user = id_of(&all, Kind::Person);
    let child = db
        .admin
        .create(Body::Person(person("Дете", "Малко", Some("1548010010"))))
        .unwrap();
    let err = db
        .admin
        .create(Body::Assistant(
            frontoffice::domain::assistance::Assistant {
                person: child.meta.id,
                iban: frontoffice::domain::iban::Iban::parse("BG80BNBG96611020345678").unwrap(),
                relation: String::new(),
                no_protection_order: true,
            },
        ))
        .unwrap_err();
    assert!(format!("{err:?}").contains("AssistantNotAdult"), "{err:?}");
    // The user as their own assistant.
    let own = db
        .admin
        .create(Body::Assistant(
            frontoffice::domain::assistance::Assistant {
                person: user,
                iban: frontoffice::domain::iban::Iban::parse("BG80BNBG96611020345678").unwrap(),
                relation: String::new(),
                no_protection_order: true,
            },
        ))
        .unwrap();
    let mut a = agreement(
        user,
        own.meta.id,
        id_of(&all, Kind::Provider),
        id_of(&all, Kind::DspDecision),
        1,
    );
    a.status = AgreementStatus::Draft;
    let err = db.admin.create(Body::Agreement(a)).unwrap_err();
    assert!(format!("{err:?}").contains("AssistantIsUser"), "{err:?}");
}

#[test]
fn a_batch_is_all_or_nothing() {
    let db = new_db();
    let before = db.admin.check().unwrap();
    let err = db
        .admin
        .create_many(vec![
            Body::Person(person("Иван", "Петров", Some("8032056031"))),
            Body::Person(person("Иван", "Петров", Some("8032056031"))),
        ])
        .unwrap_err();
    assert!(matches!(err, ServiceError::Invalid(_)));
    assert_eq!(db.admin.check().unwrap().records, before.records);
    let ok = db
        .admin
        .create_many(vec![
            Body::Person(person("Иван", "Петров", Some("8032056031"))),
            Body::Person(person("Мария", "Петрова", Some("7523169263"))),
        ])
        .unwrap();
    assert_eq!(ok.len(), 2);
    let report = db.admin.check().unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}
