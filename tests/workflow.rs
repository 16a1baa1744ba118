//! The daily work through the service, the socket and the binary: referral steps and their
//! rules, warnings, intake register numbers under concurrency, and the agenda.

mod common;

use common::*;
use frontoffice::domain::{
    agenda::{AgendaKind, Bucket},
    intake::{Channel, Intake, Outcome, Topic},
    reason::Reason,
    record::{Body, Kind, Record},
    referral::{Referral, ReferralStatus, ReferralWarning},
    register::{Access, Funding, Referrer, Service, ServiceType},
};
use frontoffice::server::client::Client;
use frontoffice::service::{ApiExt, Service as Svc, ServiceError, Session};
use std::sync::Arc;

fn me() -> String {
    frontoffice::os::current_user().unwrap().login
}

fn first(records: &[Record], kind: Kind) -> &Record {
    records.iter().find(|r| r.kind() == kind).unwrap()
}

fn body(r: &Record) -> Referral {
    match &r.body {
        Body::Referral(x) => x.clone(),
        other => panic!("{other:?}"),
    }
}

fn field_error(e: ServiceError) -> (String, Reason) {
    match e {
        ServiceError::Invalid(errors) => (errors[0].field.clone(), errors[0].reason.clone()),
        other => panic!("{other:?}"),
    }
}

fn service(s: &Session, provider: u64, access: Access, capacity: u32) -> Record {
    s.create(Body::Service(Service {
        name: "Защитено жилище".into(),
        activity: ServiceType::ResidentialCare,
        access,
        target_group: "пълнолетни".into(),
        provider,
        settlement: "99001".into(),
        address: "ул. Втора 2".into(),
        capacity,
        funding: Funding::Municipal,
        project: String::new(),
        referred_by: Referrer::Municipality,
        valid_from: None,
        valid_to: None,
    }))
    .unwrap()
}

#[test]
fn referral_steps_follow_the_law_and_record_who_when_why() {
    let db = new_db();
    let all = every_kind(&db.admin);
    let user = first(&all, Kind::Person).id();
    let clerk = db.svc.session("mpetrova").unwrap();
    let created = clerk
        .create(Body::Referral(referral(user, None, ServiceType::DayCare)))
        .unwrap();
    let r = body(&created);
    assert_eq!(r.history.len(), 1);
    assert_eq!(r.history[0].by, "mpetrova");
    // Requested: the preliminary assessment is due in step_days.requested (7).
    assert_eq!(r.due, Some(date(2026, 11, 24)));

    let step = clerk
        .referral_step(created.id(), 1, ReferralStatus::Assessed, "оценена")
        .unwrap();
    let r = body(&step);
    assert_eq!(step.meta.rev, 2);
    assert_eq!(r.status, ReferralStatus::Assessed);
    let last = r.history.last().unwrap();
    assert_eq!(
        (last.status, last.date, last.note.as_str(), last.by.as_str()),
        (ReferralStatus::Assessed, today(), "оценена", "mpetrova")
    );

    // A step the law does not allow, a stale one, an update that rewrites the status: refused,
    // and nothing is written (no new rev, no audit entry).
    let audit_before = db.admin.audit_log(None, 10_000).unwrap().len();
    let e = clerk
        .referral_step(created.id(), 2, ReferralStatus::Started, "")
        .unwrap_err();
    assert_eq!(field_error(e), ("status".into(), Reason::BadTransition));
    assert!(matches!(
        clerk.referral_step(created.id(), 1, ReferralStatus::Referred, ""),
        Err(ServiceError::Conflict { .. })
    ));
    let mut forged = r.clone();
    forged.status = ReferralStatus::Started;
    let e = clerk
        .update(created.id(), 2, Body::Referral(forged))
        .unwrap_err();
    assert_eq!(field_error(e), ("status".into(), Reason::BadTransition));
    let mut rewritten = r.clone();
    rewritten.history[0].by = "someone".into();
    assert!(clerk
        .update(created.id(), 2, Body::Referral(rewritten))
        .is_err());
    assert_eq!(
        db.admin.get(Kind::Referral, created.id()).unwrap().meta.rev,
        2
    );
    assert_eq!(
        db.admin.audit_log(None, 10_000).unwrap().len(),
        audit_before
    );

    // An ordinary update keeps the history and the deadline.
    let mut noted = r.clone();
    noted.note = "Бележка.".into();
    let updated = clerk
        .update(created.id(), 2, Body::Referral(noted))
        .unwrap();
    assert_eq!(body(&updated).history, r.history);
    assert_eq!(body(&updated).due, r.due);

    let referred = clerk
        .referral_step(created.id(), 3, ReferralStatus::Referred, "")
        .unwrap();
    // The provider has step_days.referred (20) days.
    assert_eq!(body(&referred).due, Some(date(2026, 12, 7)));
    // A provider's decline needs a reason.
    let e = clerk
        .referral_step(created.id(), 4, ReferralStatus::Declined, "  ")
        .unwrap_err();
    assert_eq!(field_error(e), ("note".into(), Reason::Required));
    let declined = db
        .admin
        .referral_step(created.id(), 4, ReferralStatus::Declined, "Няма места.")
        .unwrap();
    let r = body(&declined);
    assert_eq!(r.status, ReferralStatus::Declined);
    assert_eq!(r.history.last().unwrap().by, "admin");
    assert_eq!(r.history.last().unwrap().note, "Няма места.");
    // A final state: no deadline, no further step.
    assert_eq!(r.due, None);
    assert!(db
        .admin
        .referral_step(created.id(), 5, ReferralStatus::Accepted, "")
        .is_err());
    let statuses: Vec<_> = r.history.iter().map(|h| h.status).collect();
    use ReferralStatus::*;
    assert_eq!(statuses, [Requested, Assessed, Referred, Declined]);
}

#[test]
fn warnings_are_shown_before_saving_and_kept_on_the_record() {
    let db = new_db();
    let all = every_kind(&db.admin);
    // The user has an approved application and an active agreement for personal assistance.
    let user = first(&all, Kind::Person).id();
    let provider = first(&all, Kind::Provider).id();
    let other = db
        .admin
        .create(Body::Person(person("Пенка", "Пенева", Some("7523169263"))))
        .unwrap()
        .id();

    let support = referral(user, None, ServiceType::AssistantSupport);
    assert_eq!(
        db.admin.referral_warnings(support.clone()).unwrap(),
        [ReferralWarning::DoubleFunding]
    );
    // Other needs than personal assistance covers: no double funding.
    let day_care = referral(user, None, ServiceType::DayCare);
    assert!(db
        .admin
        .referral_warnings(day_care.clone())
        .unwrap()
        .is_empty());
    assert!(db
        .admin
        .referral_warnings(referral(other, None, ServiceType::AssistantSupport))
        .unwrap()
        .is_empty());

    let open = service(&db.admin, provider, Access::OpenToAll, 10).id();
    let saved = db
        .admin
        .create(Body::Referral(referral(
            other,
            Some(open),
            ServiceType::ResidentialCare,
        )))
        .unwrap();
    assert_eq!(body(&saved).warnings, [ReferralWarning::OpenToAll]);

    // One place: taken by an active referral, so the next one is warned (and the first not).
    let small = service(&db.admin, provider, Access::Specialised, 1).id();
    let first_one = db
        .admin
        .create(Body::Referral(referral(
            other,
            Some(small),
            ServiceType::ResidentialCare,
        )))
        .unwrap();
    let mut rev = first_one.meta.rev;
    for to in [ReferralStatus::Assessed, ReferralStatus::Referred] {
        let r = db.admin.referral_step(first_one.id(), rev, to, "").unwrap();
        assert!(body(&r).warnings.is_empty(), "{:?}", body(&r).warnings);
        rev = r.meta.rev;
    }
    let second = referral(user, Some(small), ServiceType::ResidentialCare);
    let full = ReferralWarning::ServiceFull {
        occupied: 1,
        capacity: 1,
    };
    assert_eq!(
        db.admin.referral_warnings(second.clone()).unwrap(),
        std::slice::from_ref(&full)
    );
    let saved = db.admin.create(Body::Referral(second)).unwrap();
    assert_eq!(body(&saved).warnings, [full]);
    // The place is freed once the first one is withdrawn.
    db.admin
        .referral_step(first_one.id(), rev, ReferralStatus::Withdrawn, "")
        .unwrap();
    let again = db
        .admin
        .referral_step(saved.id(), 1, ReferralStatus::Assessed, "")
        .unwrap();
    assert!(body(&again).warnings.is_empty());
}

fn intake(person: Option<u64>) -> Body {
    Body::Intake(Intake {
        reg_no: String::new(),
        at: now(),
        channel: Channel::Phone,
        clerk: String::new(),
        person,
        topics: vec![Topic::Other],
        note: "Въпрос по телефона.".into(),
        outcome: Outcome::Informed,
        follow_up: None,
    })
}

/// Every number of the year once, from 1 up, and each in the register's form.
fn assert_gap_free(mut numbers: Vec<String>, count: usize) {
    numbers.sort();
    let expected: Vec<String> = (1..=count).map(|n| format!("2026-{n:06}")).collect();
    assert_eq!(numbers, expected);
}

fn reg_no(r: &Record) -> String {
    match &r.body {
        Body::Intake(i) => i.reg_no.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn register_numbers_from_8_threads_are_unique_and_gap_free() {
    let db = new_db();
    let svc = Arc::clone(&db.svc);
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let svc = Arc::clone(&svc);
            std::thread::spawn(move || {
                let s = svc.session("admin").unwrap();
                (0..25)
                    .map(|_| {
                        let r = s.create(intake(None)).unwrap();
                        assert_eq!(
                            match &r.body {
                                Body::Intake(i) => i.clerk.as_str(),
                                _ => "",
                            },
                            "admin"
                        );
                        let _ = t;
                        reg_no(&r)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let numbers: Vec<String> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    assert_gap_free(numbers, 200);
    // A refused intake (a person that does not exist) takes no number.
    assert!(db.admin.create(intake(Some(999_999))).is_err());
    assert_eq!(
        reg_no(&db.admin.create(intake(None)).unwrap()),
        "2026-000201"
    );
}

#[test]
fn register_numbers_from_8_socket_clients_are_unique_and_gap_free() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let login = me();
    {
        Svc::open_or_create(&db, &login, "Админ", settings(), clock()).unwrap();
    }
    let socket = dir.path().join("fo.sock");
    let mut server = spawn_serve(&db, &socket);
    let year = chrono::Datelike::year(&frontoffice::service::sofia_now().date());
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let socket = socket.clone();
            std::thread::spawn(move || {
                let c = Client::connect(&socket, frontoffice::domain::Lang::En).unwrap();
                (0..15)
                    .map(|_| reg_no(&c.create(intake(None)).unwrap()))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut numbers: Vec<String> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    server.kill().unwrap();
    server.wait().unwrap();
    numbers.sort();
    let expected: Vec<String> = (1..=120).map(|n| format!("{year}-{n:06}")).collect();
    assert_eq!(numbers, expected);
}

/// The demo on a fixed day: every kind of line, in date order, counted per kind.
fn demo_agenda_db() -> (tempfile::TempDir, Arc<Svc>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    frontoffice::demo::build(&path, "admin", "Админ", 0, clock()).unwrap();
    let svc = Svc::open(&path, clock()).unwrap();
    (dir, svc)
}

#[test]
fn the_demo_agenda_has_every_kind_in_order() {
    let (_dir, svc) = demo_agenda_db();
    let s = svc.session("admin").unwrap();
    let a = s.agenda(7, None).unwrap();
    assert_eq!(a.today, today());
    assert_eq!(a.more, 0);
    let counts = a.counts();
    for (kind, n) in &counts {
        assert!(*n > 0, "no {kind:?} on the demo's agenda: {counts:?}");
    }
    let count = |k: AgendaKind| counts.iter().find(|c| c.0 == k).unwrap().1;
    // The АСП deadline (the 10th) is past with reports still missing: one line, with their
    // number; three active agreements owe October's report.
    assert_eq!(count(AgendaKind::AspDeadline), 1);
    assert_eq!(count(AgendaKind::MissingReport), 3);
    let asp = a
        .items
        .iter()
        .find(|i| i.kind == AgendaKind::AspDeadline)
        .unwrap();
    assert_eq!(
        (asp.due, asp.detail.as_str()),
        (date(2026, 11, 10), "10.2026: 3")
    );
    // Two incomplete applications, one late; the two suspended users' направления, agreements
    // and contracts ending within the month.
    assert_eq!(count(AgendaKind::Remedy), 2);
    assert_eq!(count(AgendaKind::AgreementEnd), 2);
    assert_eq!(count(AgendaKind::ContractEnd), 2);
    // Overdue first (the oldest first), then today, then the rest by date.
    assert!(a.items.windows(2).all(|w| w[0].due <= w[1].due));
    let buckets: Vec<Bucket> = a.items.iter().map(|i| i.bucket(a.today)).collect();
    assert!(buckets.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(buckets.first(), Some(&Bucket::Overdue));
    assert!(buckets.contains(&Bucket::Soon));
    // Work beyond the 7 days is not there; expiries within 60 days are.
    for i in &a.items {
        let horizon = match i.kind {
            AgendaKind::DecisionExpiry | AgendaKind::NapravlenieExpiry => 60,
            AgendaKind::AgreementEnd | AgendaKind::ContractEnd => 30,
            _ => 7,
        };
        assert!(i.due <= today() + chrono::Days::new(horizon), "{i:?}");
        if let Some((kind, id)) = i.record {
            s.get(kind, id).unwrap();
        }
    }
    // A longer look ahead only adds.
    let longer = s.agenda(30, None).unwrap();
    assert!(longer.items.len() >= a.items.len());
    for i in &a.items {
        assert!(longer.items.contains(i), "{i:?}");
    }
}

#[test]
fn the_clerk_filter_keeps_that_clerks_work_and_everyones() {
    let (_dir, svc) = demo_agenda_db();
    let s = svc.session("admin").unwrap();
    let all = s.agenda(7, None).unwrap();
    // The demo's intakes and referrals were taken by its administrator; its monitoring visits
    // by other clerks, whose follow-ups leave the administrator's agenda.
    let mine = s.agenda(7, Some("admin".into())).unwrap();
    let expected: Vec<_> = all
        .items
        .iter()
        .filter(|i| i.clerk.as_deref().is_none_or(|c| c == "admin"))
        .cloned()
        .collect();
    assert_eq!(mine.items, expected);
    assert!(all
        .items
        .iter()
        .any(|i| i.kind == AgendaKind::VisitFollowUp && i.clerk.as_deref() != Some("admin")));
    let other = s.agenda(7, Some("nobody".into())).unwrap();
    assert!(other
        .items
        .iter()
        .all(|i| !matches!(i.kind, AgendaKind::FollowUp | AgendaKind::ReferralStep)));
    let without: Vec<_> = all
        .items
        .iter()
        .filter(|i| i.clerk.is_none())
        .cloned()
        .collect();
    assert_eq!(other.items, without);
    assert!(!without.is_empty() && without.len() < all.items.len());
}

#[test]
fn a_database_of_schema_2_gets_its_due_index_on_open() {
    let (_dir, dst) = fixture_copy("schema2-db");
    let svc = Svc::open(&dst, clock()).unwrap();
    assert_eq!(
        svc.store().schema_version().unwrap(),
        frontoffice::store::schema::SCHEMA
    );
    let s = svc.session("fixture").unwrap();
    // `check` recomputes every record's index entries, the due dates' included.
    let report = s.check().unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let a = s.agenda(7, None).unwrap();
    // The fixture's open intake has its follow-up on the 20th.
    assert!(
        a.items.iter().any(|i| i.kind == AgendaKind::FollowUp),
        "{a:?}"
    );
}

fn run(args: &[&str]) -> (String, String, bool) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_frontoffice"))
        .env_remove("FRONTOFFICE_DB")
        .env_remove("FRONTOFFICE_LANG")
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
        o.status.success(),
    )
}

#[test]
fn report_agenda_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let db = db.to_str().unwrap();
    let (out, err, ok) = run(&["demo", "--db", db]);
    assert!(ok, "{out}{err}");
    let (text, err, ok) = run(&["report", "agenda", "--db", db]);
    assert!(ok, "{err}");
    assert!(text.starts_with("Задачи за "), "{text}");
    assert!(
        text.contains("ПРОСРОЧЕНИ") && text.contains("стъпка по насочване"),
        "{text}"
    );
    for line in text.lines() {
        assert!(
            unicode_width::UnicodeWidthStr::width(line) <= 80,
            "{} columns: {line}",
            unicode_width::UnicodeWidthStr::width(line)
        );
    }
    let (en, _, ok) = run(&[
        "report", "agenda", "--db", db, "--lang", "en", "--days", "30",
    ]);
    assert!(ok);
    assert!(
        en.starts_with("Agenda for ") && en.contains("OVERDUE"),
        "{en}"
    );
    assert!(en.contains("referral step"), "{en}");

    let (csv, err, ok) = run(&[
        "report", "agenda", "--db", db, "--format", "csv", "--lang", "en",
    ]);
    assert!(ok, "{err}");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        ["due", "bucket", "kind", "person", "detail", "clerk", "record", "id"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    // The same lines as the text (one per item).
    let items = text
        .lines()
        .filter(|l| l.len() > 10 && l.as_bytes()[2] == b'.' && l.as_bytes()[5] == b'.')
        .count();
    assert_eq!(rows.len(), items);
    assert!(rows.iter().any(|r| &r[1] == "overdue"));
    assert!(rows.iter().all(|r| !r[2].is_empty()));

    let (json, err, ok) = run(&["report", "agenda", "--db", db, "--format", "json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["items"].as_array().unwrap().len(), rows.len());
    // Only one clerk's: the demo's intakes and referrals are its builder's.
    let (mine, _, ok) = run(&[
        "report", "agenda", "--db", db, "--format", "csv", "--clerk", "nobody",
    ]);
    assert!(ok);
    assert!(mine.lines().count() < csv.lines().count());
}
