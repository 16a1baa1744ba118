//! The full ЕГН stays inside the service: masked in every answer, in process and over the
//! socket; in full only through the audited reveal and exports; never in the audit log; drafts
//! bounded and expiring; answers paged within the frame; creates safe to retry.

mod common;

use chrono::NaiveDateTime;
use common::*;
use frontoffice::domain::{
    audit::AuditAction,
    clerk::Role,
    draft::Draft,
    intake::{Channel, Intake, Outcome, Topic},
    person::{MaskedId, Person, PersonalId},
    record::{Body, Kind},
    Lang,
};
use frontoffice::server::{client::Client, Server};
use frontoffice::service::{
    paging, Api, ApiExt, Request, Response, Service as Svc, ServiceError, MAX_BATCH,
};
use std::sync::{
    atomic::{AtomicI64, Ordering},
    Arc,
};

const FULL: [&str; 2] = ["8032056031", "7523169263"];

/// The whole answer as text: a full number anywhere in it is a leak.
fn leaks(answer: &impl std::fmt::Debug) -> bool {
    let text = format!("{answer:?}");
    FULL.iter().any(|f| text.contains(f))
}

fn a_person_with(s: &dyn Api, ident: &str) -> u64 {
    s.create(Body::Person(person("Мария", "Петрова", Some(ident))))
        .unwrap()
        .id()
}

/// Every read a client can make, each checked for a full number.
fn every_read_is_masked(api: &dyn Api, person: u64) {
    let reads = [
        Request::Get {
            kind: Kind::Person,
            id: person,
        },
        Request::OpenCard { person },
        Request::List {
            kind: Kind::Person,
            after: None,
            limit: 100,
        },
        Request::Related {
            id: person,
            after: None,
            limit: 100,
        },
        Request::Search {
            query: "петрова".into(),
            limit: 20,
        },
        Request::Search {
            query: FULL[0].into(),
            limit: 20,
        },
        Request::ListClerks {
            after: None,
            limit: 100,
        },
        Request::Drafts {
            after: None,
            limit: 50,
        },
    ];
    for req in reads {
        let answer = api.call(req.clone());
        assert!(answer.is_ok(), "{req:?}: {answer:?}");
        assert!(!leaks(&answer), "{req:?} leaked: {answer:?}");
    }
    let rec = api.get(Kind::Person, person).unwrap();
    let Body::Person(p) = &rec.body else { panic!() };
    assert_eq!(p.ident.masked(), "**********");
    assert!(matches!(p.ident, PersonalId::Masked(_)));
    // A stale save answers with the saved version: masked too.
    let mut p2 = p.clone();
    p2.address = "ул. Първа 1".into();
    api.update(person, rec.meta.rev, Body::Person(p2.clone()))
        .unwrap();
    let stale = api.update(person, rec.meta.rev, Body::Person(p2));
    assert!(
        matches!(stale, Err(ServiceError::Conflict { .. })),
        "{stale:?}"
    );
    assert!(!leaks(&stale), "{stale:?}");
    // The audited ways out give it whole.
    assert_eq!(api.reveal_ident(person).unwrap(), FULL[0]);
}

#[test]
fn persons_leave_the_service_masked_in_process() {
    let db = new_db();
    db.admin
        .add_clerk("mpetrova", "Мария Петрова", Role::Clerk)
        .unwrap();
    let clerk = db.svc.session("mpetrova").unwrap();
    let id = a_person_with(&clerk, FULL[0]);
    clerk.create(Body::Intake(an_intake(Some(id)))).unwrap();
    every_read_is_masked(&clerk, id);
    // Exports are the other way out (a role allowed to export), every page audited.
    let page = db.admin.export_page(Kind::Person, None, 10).unwrap();
    assert!(leaks(&page));
    assert!(matches!(
        clerk.export_page(Kind::Person, None, 10),
        Err(ServiceError::Forbidden { .. })
    ));
}

/// The database served on a socket in its temp dir, and a client as this Unix user (made an
/// administrator of it): (client, login).
fn served(db: &Db) -> (Client, String) {
    let me = frontoffice::os::current_user().unwrap().login;
    db.admin.add_clerk(&me, "Оператор", Role::Admin).unwrap();
    let socket = db.dir.path().join("fo.sock");
    let server = Server::bind(Arc::clone(&db.svc), &socket, None).unwrap();
    std::thread::spawn(move || server.run());
    (Client::connect(&socket, Lang::En).unwrap(), me)
}

#[test]
fn persons_leave_the_server_masked() {
    let db = new_db();
    let (c, _) = served(&db);
    let id = a_person_with(&c, FULL[0]);
    every_read_is_masked(&c, id);
}

fn an_intake(person: Option<u64>) -> Intake {
    Intake {
        reg_no: String::new(),
        at: now(),
        channel: Channel::Phone,
        clerk: String::new(),
        person,
        topics: vec![Topic::PersonalAssistance],
        note: "Пита за лична помощ.".into(),
        outcome: Outcome::Open,
        follow_up: None,
    }
}

fn stored_ident(db: &Db, id: u64) -> Option<String> {
    match db.svc.store().get(Kind::Person, id).unwrap().unwrap().body {
        Body::Person(p) => p.ident.as_str().map(str::to_string),
        _ => None,
    }
}

#[test]
fn an_update_keeps_the_stored_ident_unless_another_is_typed() {
    let db = new_db();
    let id = a_person_with(&db.admin, FULL[0]);
    let rec = db.admin.get(Kind::Person, id).unwrap();
    let Body::Person(mut p) = rec.body.clone() else {
        panic!()
    };
    // Sent back masked: the stored number stays.
    p.note = "нова бележка".into();
    let rec = db
        .admin
        .update(id, rec.meta.rev, Body::Person(p.clone()))
        .unwrap();
    assert_eq!(stored_ident(&db, id).as_deref(), Some(FULL[0]));
    // A masked number of another kind than this person's is refused beside the field.
    let mut other = p.clone();
    other.ident = PersonalId::Masked(MaskedId::new(true));
    match db.admin.update(id, rec.meta.rev, Body::Person(other)) {
        Err(ServiceError::Invalid(errs)) => assert_eq!(errs[0].field, "ident"),
        e => panic!("{e:?}"),
    }
    // ...and a masked number on a new person too.
    let mut new = person("Нов", "Човек", None);
    new.ident = p.ident.clone();
    assert!(matches!(
        db.admin.create(Body::Person(new)),
        Err(ServiceError::Invalid(_))
    ));
    // A number typed in full replaces it.
    p.ident = PersonalId::Egn(egn(FULL[1]));
    db.admin.update(id, rec.meta.rev, Body::Person(p)).unwrap();
    assert_eq!(stored_ident(&db, id).as_deref(), Some(FULL[1]));
    assert!(db.admin.check().unwrap().problems.is_empty());
}

fn entries(db: &Db, action: AuditAction) -> usize {
    db.admin
        .audit_log(None, 1000)
        .unwrap()
        .iter()
        .filter(|e| e.action == action)
        .count()
}

#[test]
fn reads_of_a_person_are_logged_and_the_log_holds_no_full_ident() {
    let db = new_db();
    let id = a_person_with(&db.admin, FULL[0]);
    assert_eq!(entries(&db, AuditAction::ReadCard), 0);
    db.admin.open_card(id).unwrap();
    assert_eq!(entries(&db, AuditAction::ReadCard), 1);
    // A card refreshing itself is the same opening.
    db.admin.open_card(id).unwrap();
    db.admin.get(Kind::Person, id).unwrap();
    assert_eq!(entries(&db, AuditAction::ReadCard), 1);
    // Another clerk's opening is theirs.
    db.admin
        .add_clerk("mpetrova", "Мария Петрова", Role::Clerk)
        .unwrap();
    db.svc.session("mpetrova").unwrap().open_card(id).unwrap();
    assert_eq!(entries(&db, AuditAction::ReadCard), 2);
    // A page of persons is logged with its size.
    db.admin.list(Kind::Person, None, 10).unwrap();
    assert_eq!(entries(&db, AuditAction::ReadList), 1);

    // The number changes: the log tells the two apart without holding either.
    let rec = db.admin.get(Kind::Person, id).unwrap();
    let Body::Person(mut p) = rec.body else {
        panic!()
    };
    p.ident = PersonalId::Egn(egn(FULL[1]));
    db.admin.update(id, rec.meta.rev, Body::Person(p)).unwrap();
    db.admin.reveal_ident(id).unwrap();
    db.admin.export_page(Kind::Person, None, 10).unwrap();
    let log = db.admin.audit_log(None, 1000).unwrap();
    assert!(!leaks(&log), "{log:?}");
    let change = log
        .iter()
        .filter(|e| e.action == AuditAction::Update)
        .flat_map(|e| e.changes.iter())
        .rfind(|c| c.field == "ident")
        .unwrap();
    assert!(change.old.starts_with("********** #"), "{change:?}");
    assert!(change.new.starts_with("********** #"), "{change:?}");
    assert_ne!(change.old, change.new, "the tags tell the numbers apart");
    // The same number gets the same tag (the create's entry and the update's old value).
    let created = log
        .iter()
        .find(|e| e.action == AuditAction::Create && e.id == Some(id))
        .unwrap();
    let tag = &created
        .changes
        .iter()
        .find(|c| c.field == "ident")
        .unwrap()
        .new;
    assert_eq!(tag, &change.old);
    // The raw audit tree has no full number either (the chain is what `check` verifies).
    let raw: Vec<_> = db
        .svc
        .store()
        .audit(None)
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(!leaks(&raw));
}

fn a_draft(key: &str) -> Draft {
    Draft {
        key: key.into(),
        target: None,
        title: key.into(),
        fields: vec![("first_name".into(), key.into())],
        // The service stamps its own time, whatever the client says.
        saved: NaiveDateTime::MAX,
    }
}

#[test]
fn drafts_are_bounded_per_clerk_and_expire() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let minutes = Arc::new(AtomicI64::new(0));
    let moving: frontoffice::service::Clock = {
        let minutes = Arc::clone(&minutes);
        Arc::new(move || {
            common::clock()() + chrono::Duration::minutes(minutes.load(Ordering::SeqCst))
        })
    };
    let (svc, _) =
        Svc::open_or_create(&path, "admin", "Админ", settings(), Arc::clone(&moving)).unwrap();
    let admin = svc.session("admin").unwrap();
    let current = admin.settings().unwrap();
    let mut s = current.settings.clone();
    s.drafts_per_clerk = 3;
    s.draft_days = 2;
    admin.update_settings(current.rev, s).unwrap();
    for k in ["person/new", "person/1", "person/2", "person/3", "person/4"] {
        minutes.fetch_add(1, Ordering::SeqCst);
        admin.save_draft(a_draft(k)).unwrap();
    }
    let keys: Vec<String> = admin.drafts().unwrap().into_iter().map(|d| d.key).collect();
    assert_eq!(
        keys,
        ["person/2", "person/3", "person/4"],
        "the newest three"
    );
    assert!(admin.drafts().unwrap().iter().all(|d| d.saved <= svc.now()));
    // Two days on they are gone from the list, and from the store on the next opening.
    minutes.fetch_add(2 * 24 * 60, Ordering::SeqCst);
    assert!(admin.drafts().unwrap().is_empty());
    drop(admin);
    drop(svc);
    let svc = Svc::open(&path, moving).unwrap();
    assert!(svc.store().drafts("admin").unwrap().is_empty());
}

fn long_note_person(i: usize) -> Body {
    let mut p: Person = person("Дълга", "Бележка", None);
    p.first_name = format!("Дълга{}", "а".repeat(i % 7));
    p.note = "ж".repeat(4000);
    Body::Person(p)
}

/// 1,100 persons with 8 KB notes: whole pages of them would pass the 8 MiB frame.
fn long_notes(api: &dyn Api) {
    for chunk in 0..2 {
        let bodies = (0..550)
            .map(|i| long_note_person(chunk * 550 + i))
            .collect();
        assert_eq!(api.create_many(bodies).unwrap().len(), 550);
    }
    let page = api.list(Kind::Person, None, 1000).unwrap();
    assert!(page.len() < 1000 && page.len() > 100, "{}", page.len());
    assert!(paging::encoded_len(&page) <= paging::ANSWER_BYTES);
    let mut all = 0;
    let mut after = None;
    loop {
        let page = api.list(Kind::Person, after, 1000).unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.id());
        all += page.len();
    }
    assert_eq!(all, 1100);
    // The audit log's entries carry the notes: paged the same way.
    let log = api.audit_log(None, 1000).unwrap();
    assert!(log.len() < 1000 && paging::encoded_len(&log) <= paging::ANSWER_BYTES);
    // Exports too.
    let export = api.export_page(Kind::Person, None, 1000).unwrap();
    assert!(paging::encoded_len(&export) <= paging::ANSWER_BYTES);
}

#[test]
fn long_records_come_in_pages_that_fit_a_frame() {
    let db = new_db();
    long_notes(&db.admin);
    // Related pages too: 250 intakes of one person, 100 a page.
    let id = a_person_with(&db.admin, FULL[0]);
    let bodies: Vec<Body> = (0..250)
        .map(|_| Body::Intake(an_intake(Some(id))))
        .collect();
    db.admin.create_many(bodies).unwrap();
    let first = db.admin.related_page(id, None, 100).unwrap();
    assert_eq!(first.len(), 100);
    let last = first.last().map(|r| (r.kind(), r.id()));
    let second = db.admin.related_page(id, last, 100).unwrap();
    assert_eq!(second.len(), 100);
    assert!(second[0].id() > first[99].id());
    assert_eq!(db.admin.related(id).unwrap().len(), 250);
}

#[test]
fn long_records_travel_over_the_socket() {
    let db = new_db();
    let (c, me) = served(&db);
    long_notes(&c);
    // The connection is still good.
    assert_eq!(c.whoami().unwrap().login, me);
}

#[test]
fn a_create_sent_again_returns_the_first_record() {
    let db = new_db();
    let before = db.svc.store().count(Kind::Person);
    let body = Body::Person(person("Повторен", "Запис", Some(FULL[1])));
    let first = db.admin.create_once(42, body.clone()).unwrap();
    let again = db.admin.create_once(42, body.clone()).unwrap();
    assert_eq!(first, again);
    assert_eq!(db.svc.store().count(Kind::Person), before + 1);
    // Another request id is another create (here refused: the same ЕГН).
    assert!(db.admin.create_once(43, body).is_err());
    // Batches alike.
    let bodies = vec![Body::Intake(an_intake(None)), Body::Intake(an_intake(None))];
    let req = Request::CreateMany {
        bodies: bodies.clone(),
        request: 7,
    };
    let a = db.admin.call(req.clone()).unwrap();
    let b = db.admin.call(req).unwrap();
    assert_eq!(a, b);
    assert_eq!(db.svc.store().count(Kind::Intake), 2);
    let Response::Ids(ids) = a else { panic!() };
    assert_eq!(ids.len(), 2);
    // And bounded.
    let too_many = vec![Body::Intake(an_intake(None)); MAX_BATCH + 1];
    assert!(matches!(
        db.admin.create_many(too_many),
        Err(ServiceError::BadRequest(_))
    ));
    assert_eq!(db.svc.store().count(Kind::Intake), 2);
}
