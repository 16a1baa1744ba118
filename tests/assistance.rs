//! Personal assistance (ЗЛП) through the service: every rule with a case it lets through and
//! one it refuses, and the refusal's words in both languages; the hour caps with several
//! agreements and a suspension, ending, replacing an assistant in one commit, the warning of
//! an agreement without a contract, an application pending remedy on the agenda, the demo in
//! every state; and a few rules through the real server's socket.

mod common;

use common::*;
use frontoffice::domain::{
    agenda::AgendaKind,
    assistance::*,
    audit::AuditAction,
    egn::make_egn,
    iban::Iban,
    person::{Person, PersonalId},
    reason::{Reason, Span},
    record::{Body, Kind, Record},
    register::ProviderKind,
    Explain, Lang,
};
use frontoffice::service::{ApiExt, Clock, Service as Svc, ServiceError, Session};
use std::sync::{Arc, Mutex};

/// The refusal's fields and reasons.
fn refused<T: std::fmt::Debug>(r: Result<T, ServiceError>) -> Vec<(String, Reason)> {
    match r.expect_err("saved what should be refused") {
        ServiceError::Invalid(errors) => errors.into_iter().map(|e| (e.field, e.reason)).collect(),
        other => panic!("{other:?}"),
    }
}

/// The one refusal, on `field`.
fn refused_on<T: std::fmt::Debug>(r: Result<T, ServiceError>, field: &str) -> Reason {
    let errors = refused(r);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, field, "{errors:?}");
    errors[0].1.clone()
}

/// The reason says `bg` and `en` in its languages.
fn says(reason: &Reason, bg: &str, en: &str) {
    assert_eq!(reason.explain(Lang::Bg), bg);
    assert_eq!(reason.explain(Lang::En), en);
}

/// A database whose clock a test can move.
struct Zlp {
    db: Db,
    now: Arc<Mutex<chrono::NaiveDateTime>>,
    user: u64,
    helper: u64,
    assistant: u64,
    provider: u64,
    decision: u64,
}

impl Zlp {
    fn s(&self) -> &Session {
        &self.db.admin
    }

    fn set_today(&self, day: chrono::NaiveDate) {
        *self.now.lock().unwrap() = day.and_hms_opt(10, 0, 0).unwrap();
    }

    fn create(&self, body: Body) -> Record {
        self.s().create(body).unwrap()
    }

    /// A user's agreement of `hours` with `assistant` on this user's направление.
    fn agreement(&self, assistant: u64, hours: u32) -> Agreement {
        agreement(self.user, assistant, self.provider, self.decision, hours)
    }

    fn get(&self, kind: Kind, id: u64) -> Record {
        self.s().get(kind, id).unwrap()
    }

    fn agreement_of(&self, id: u64) -> (Record, Agreement) {
        let r = self.get(Kind::Agreement, id);
        let Body::Agreement(a) = r.body.clone() else {
            panic!("not an agreement")
        };
        (r, a)
    }

    /// Another adult with an assistant record, born on `born`.
    fn assistant_born(&self, born: chrono::NaiveDate, serial: u16, last: &str) -> u64 {
        let egn = make_egn(born, serial).unwrap();
        let p = self.create(Body::Person(person("Асистент", last, Some(&egn))));
        self.create(Body::Assistant(assistant_of(p.id()))).id()
    }

    /// Another user entitled to personal assistance, with a направление of `hours`.
    fn other_user(&self, serial: u16, hours: u32) -> (u64, u64) {
        let egn = make_egn(date(1950, 2, 3), serial).unwrap();
        let p = self.create(Body::Person(Person {
            disability: user_person().disability,
            ..person("Потребител", "Втори", Some(&egn))
        }));
        let degree = if hours > 84 { 4 } else { 3 };
        let d = self.create(Body::DspDecision(decision(p.id(), degree, hours)));
        (p.id(), d.id())
    }
}

fn assistant_of(person: u64) -> Assistant {
    Assistant {
        person,
        iban: Iban::parse("BG80 BNBG 9661 1020 3456 78").unwrap(),
        relation: "съсед".into(),
        no_protection_order: true,
    }
}

fn decision(person: u64, degree: u8, hours: u32) -> DspDecision {
    DspDecision {
        person,
        number: format!("ДСП-{person}"),
        expert_decision: String::new(),
        date: date(2026, 5, 1),
        degree,
        hours_per_month: hours,
        valid_from: date(2026, 5, 1),
        valid_until: date(2028, 4, 30),
    }
}

/// The parties: the user (Мария Петрова), her neighbour as assistant (his person and his
/// assistant record), the municipality and her направление: (user, helper, provider, decision,
/// assistant).
fn parties(s: &Session) -> (u64, u64, u64, u64, u64) {
    let user = s.create(Body::Person(user_person())).unwrap().id();
    let helper = s
        .create(Body::Person(person("Иван", "Иванов", Some("7501020002"))))
        .unwrap()
        .id();
    let provider = s
        .create(Body::Provider(provider(
            "Община Тестово",
            12345678,
            ProviderKind::Municipality,
        )))
        .unwrap()
        .id();
    let decision = s
        .create(Body::DspDecision(decision(user, 3, 84)))
        .unwrap()
        .id();
    let assistant = s
        .create(Body::Assistant(assistant_of(helper)))
        .unwrap()
        .id();
    (user, helper, provider, decision, assistant)
}

/// A user (Мария Петрова, need of another's help, lifelong), her neighbour as assistant, the
/// municipality, and a направление of the 3rd degree (84 hours) from May 2026 to April 2028;
/// today is 17 Nov 2026.
fn zlp() -> Zlp {
    let now = Arc::new(Mutex::new(common::now()));
    let clock: Clock = {
        let now = Arc::clone(&now);
        // The times set below are Sofia's wall clock.
        Arc::new(move || frontoffice::domain::sofia::instant(*now.lock().unwrap()))
    };
    let dir = tempfile::tempdir().unwrap();
    let (svc, _) =
        Svc::open_or_create(&dir.path().join("db"), "admin", "Админ", settings(), clock).unwrap();
    let admin = svc.session("admin").unwrap();
    let db = Db { dir, svc, admin };
    let s = &db.admin;
    let (user, helper, provider, decision, assistant) = parties(s);
    Zlp {
        db,
        now,
        user,
        helper,
        assistant,
        provider,
        decision,
    }
}

// ---------------------------------------------------------------------------------------------
// Направление

#[test]
fn the_napravlenie_hours_follow_the_degree_and_it_rests_on_the_persons_decision() {
    let z = zlp();
    // The fixture's направление took the number of Мария's expert decision.
    let Body::DspDecision(d) = z.get(Kind::DspDecision, z.decision).body else {
        panic!()
    };
    assert_eq!(d.expert_decision, "1234/2025");
    // A typed number is kept.
    let typed = z.create(Body::DspDecision(DspDecision {
        expert_decision: " 0451/2026 ".into(),
        ..decision(z.user, 4, 168)
    }));
    let Body::DspDecision(d) = typed.body else {
        panic!()
    };
    assert_eq!(d.expert_decision, "0451/2026");
    // Each degree's cap: 15, 42, 84, 168 hours; one more is refused with both numbers.
    for (degree, cap) in [(1u8, 15u32), (2, 42), (3, 84), (4, 168)] {
        z.create(Body::DspDecision(decision(z.user, degree, cap)));
        let r = z
            .s()
            .create(Body::DspDecision(decision(z.user, degree, cap + 1)));
        let reason = refused_on(r, "hours_per_month");
        assert_eq!(
            reason.explain(Lang::Bg),
            format!("{} часа надвишават допустимите {cap} часа", cap + 1)
        );
        assert_eq!(
            reason.explain(Lang::En),
            format!("{} hours exceed the {cap} hours allowed", cap + 1)
        );
    }
    let reason = refused_on(
        z.s().create(Body::DspDecision(decision(z.user, 5, 10))),
        "degree",
    );
    says(
        &reason,
        "стойността 5 е извън допустимото (1–4)",
        "5 is outside the allowed range (1–4)",
    );
}

// ---------------------------------------------------------------------------------------------
// Application-declaration

fn application(z: &Zlp, status: ApplicationStatus, checklist: Vec<CheckItem>) -> Application {
    Application {
        reg_no: String::new(),
        person: z.user,
        date: date(2026, 11, 10),
        applicant: Applicant::User,
        applicant_name: String::new(),
        applicant_document: String::new(),
        assistant: Some(z.helper),
        substitute: None,
        declares_no_other_support: true,
        checklist,
        status,
        remedy_by: None,
        refusal_reason: String::new(),
        note: String::new(),
    }
}

/// Every item of the settings' checklist in `state`.
fn all_items(state: CheckState) -> Vec<CheckItem> {
    settings()
        .checklist
        .iter()
        .map(|c| CheckItem {
            code: c.code.clone(),
            state,
            note: String::new(),
        })
        .collect()
}

fn app_of(r: &Record) -> Application {
    let Body::Application(a) = r.body.clone() else {
        panic!("not an application")
    };
    a
}

#[test]
fn an_application_names_who_applied_and_is_checked_item_by_item() {
    let z = zlp();
    use ApplicationStatus::*;
    // A representative is named, with the document of the right.
    let mut a = application(&z, Received, all_items(CheckState::Ok));
    a.applicant = Applicant::Representative;
    let errors = refused(z.s().create(Body::Application(a.clone())));
    assert_eq!(
        errors,
        [
            ("applicant_name".to_string(), Reason::Required),
            ("applicant_document".to_string(), Reason::Required)
        ]
    );
    a.applicant_name = "  Петър   Петров ".into();
    a.applicant_document = "пълномощно рег. № 1234/2026".into();
    let saved = app_of(&z.create(Body::Application(a)));
    assert_eq!(saved.applicant_name, "Петър Петров");
    assert_eq!(saved.reg_no, "ЗД-2026-0001");
    // Codes come from the settings, each once.
    let mut items = all_items(CheckState::Ok);
    items[0].code = "passport".into();
    let r = z
        .s()
        .create(Body::Application(application(&z, Received, items)));
    says(
        &refused_on(r, "checklist"),
        "стойността не е от списъка",
        "the value is not in the list",
    );
    let mut items = all_items(CheckState::Ok);
    items.push(items[1].clone());
    let r = z
        .s()
        .create(Body::Application(application(&z, Received, items)));
    assert_eq!(
        refused_on(r, "checklist"),
        Reason::Duplicate {
            value: "decision".into()
        }
    );
    // A complete application has nothing missing, and the declaration.
    let mut items = all_items(CheckState::Ok);
    items[2].state = CheckState::Missing;
    let r = z
        .s()
        .create(Body::Application(application(&z, Complete, items)));
    says(
        &refused_on(r, "checklist"),
        "липсва: направление от ДСП",
        "missing: the ДСП направление",
    );
    let mut a = application(&z, Approved, all_items(CheckState::Ok));
    a.declares_no_other_support = false;
    says(
        &refused_on(
            z.s().create(Body::Application(a)),
            "declares_no_other_support",
        ),
        "липсва декларацията, че няма друга подкрепа за същите нужди",
        "the declaration of no other support for the same needs is missing",
    );
    z.create(Body::Application(application(
        &z,
        Complete,
        all_items(CheckState::Ok),
    )));
    // A refusal says why.
    let r = z.s().create(Body::Application(application(
        &z,
        Refused,
        all_items(CheckState::Ok),
    )));
    assert_eq!(refused_on(r, "refusal_reason"), Reason::Required);
    let mut a = application(&z, Refused, all_items(CheckState::Ok));
    a.refusal_reason = "Няма решение с чужда помощ.".into();
    z.create(Body::Application(a));
    // The chosen assistant is not the user, nor the substitute.
    let mut a = application(&z, Received, all_items(CheckState::Ok));
    a.assistant = Some(z.user);
    says(
        &refused_on(z.s().create(Body::Application(a)), "assistant"),
        "асистентът не може да бъде самият ползвател",
        "the assistant cannot be the user",
    );
    let mut a = application(&z, Received, all_items(CheckState::Ok));
    a.substitute = Some(z.helper);
    says(
        &refused_on(z.s().create(Body::Application(a)), "substitute"),
        "заместникът не може да е същият асистент",
        "the substitute cannot be the same assistant",
    );
}

#[test]
fn missing_items_give_a_remedy_deadline_on_the_agenda() {
    let z = zlp();
    use ApplicationStatus::*;
    // Saved without a checklist: the settings' items, each missing until checked; so it is
    // incomplete, with the settings' 14 days to remedy.
    let r = z.create(Body::Application(application(&z, Received, Vec::new())));
    let a = app_of(&r);
    let codes: Vec<&str> = a.checklist.iter().map(|c| c.code.as_str()).collect();
    let expected: Vec<String> = settings().checklist.into_iter().map(|c| c.code).collect();
    assert_eq!(codes, expected);
    assert!(a.checklist.iter().all(|c| c.state == CheckState::Missing));
    assert_eq!(a.status, Incomplete);
    assert_eq!(a.remedy_by, Some(date(2026, 12, 1)));
    let remedy = |days| {
        z.s()
            .agenda(days, None)
            .unwrap()
            .items
            .into_iter()
            .filter(|i| i.kind == AgendaKind::Remedy)
            .collect::<Vec<_>>()
    };
    assert!(remedy(7).is_empty(), "not within a week");
    let items = remedy(14);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].due, date(2026, 12, 1));
    assert_eq!(items[0].record, Some((Kind::Application, r.id())));
    assert_eq!(items[0].who, "Мария Петрова");
    assert_eq!(items[0].detail, "ЗД-2026-0001");
    // A deadline the clerk set is kept; past, the item is overdue.
    let mut late = application(&z, Received, all_items(CheckState::Ok));
    late.checklist[0].state = CheckState::Missing;
    late.remedy_by = Some(date(2026, 11, 16));
    let late = z.create(Body::Application(late));
    assert_eq!(app_of(&late).status, Incomplete);
    let agenda = z.s().agenda(7, None).unwrap();
    let first = &agenda.items[0];
    assert_eq!(
        (first.kind, first.due, first.record),
        (
            AgendaKind::Remedy,
            date(2026, 11, 16),
            Some((Kind::Application, late.id()))
        )
    );
    // The documents came: every item checked, it is received again and off the agenda.
    let mut a = app_of(&r);
    for c in &mut a.checklist {
        c.state = if c.code == "representation" {
            CheckState::NotApplicable
        } else {
            CheckState::Ok
        };
    }
    let r = z
        .s()
        .update(r.id(), r.meta.rev, Body::Application(a))
        .unwrap();
    assert_eq!(app_of(&r).status, Received);
    assert!(remedy(14)
        .iter()
        .all(|i| i.record != Some((Kind::Application, r.id()))));
    // Then complete.
    let mut a = app_of(&r);
    a.status = Complete;
    z.s()
        .update(r.id(), r.meta.rev, Body::Application(a))
        .unwrap();
}

// ---------------------------------------------------------------------------------------------
// Assistant

#[test]
fn an_assistant_is_an_adult_today_who_made_the_declaration() {
    let z = zlp();
    // 18 today is an adult; a day short is not.
    z.assistant_born(date(2008, 11, 17), 11, "Пълнолетен");
    let egn = make_egn(date(2008, 11, 18), 21).unwrap();
    let minor = z.create(Body::Person(person("Млад", "Непълнолетен", Some(&egn))));
    says(
        &refused_on(
            z.s().create(Body::Assistant(assistant_of(minor.id()))),
            "person",
        ),
        "асистентът трябва да е пълнолетен",
        "the assistant must be an adult",
    );
    // Without a birth date the age cannot be told.
    let unknown = z.create(Body::Person(Person {
        ident: PersonalId::None,
        ..person("Без", "Дата", None)
    }));
    says(
        &refused_on(
            z.s().create(Body::Assistant(assistant_of(unknown.id()))),
            "person",
        ),
        "рождената дата на лицето не е известна, а асистентът трябва да е пълнолетен",
        "the person's birth date is not known, and an assistant must be an adult",
    );
    // The declaration that no protection order was imposed.
    let mut a = assistant_of(z.helper);
    a.no_protection_order = false;
    says(
        &refused_on(z.s().create(Body::Assistant(a)), "no_protection_order"),
        "липсва декларацията на асистента, че не му е налагана мярка за защита по ЗЗДН",
        "the assistant's declaration that no protection order (ЗЗДН) was imposed is missing",
    );
    // The IBAN is stored as its characters and shown in groups of four.
    let Body::Assistant(a) = z.get(Kind::Assistant, z.assistant).body else {
        panic!()
    };
    assert_eq!(a.iban.as_str(), "BG80BNBG96611020345678");
    assert_eq!(a.iban.grouped(), "BG80 BNBG 9661 1020 3456 78");
}

// ---------------------------------------------------------------------------------------------
// Agreement

#[test]
fn the_users_hours_never_exceed_the_napravlenie_at_any_time() {
    let z = zlp();
    let second = z.assistant_born(date(1985, 4, 4), 41, "Втори");
    let third = z.assistant_born(date(1987, 5, 5), 51, "Трети");
    // 60 hours until the end of the year.
    let mut first = z.agreement(z.assistant, 60);
    first.to = date(2026, 12, 31);
    let a1 = z.create(Body::Agreement(first));
    // 30 more are over the 84: the refusal names the agreement that holds the 60.
    let mut over = z.agreement(second, 30);
    over.week = [120, 120, 120, 0, 0, 0, 0];
    let reason = refused_on(z.s().create(Body::Agreement(over)), "hours_per_month");
    assert_eq!(
        reason,
        Reason::HoursOverNapravlenie {
            found: 90,
            cap: 84,
            used: vec![("СП-2026-0001".into(), 60)]
        }
    );
    says(
        &reason,
        "90 часа надвишават 84-те по направлението на ползвателя: 60 вече са в споразумение СП-2026-0001",
        "90 hours exceed the 84 of the user's направление: 60 already in agreement СП-2026-0001",
    );
    // 24 fit exactly.
    let mut b = z.agreement(second, 24);
    b.week = [120, 120, 120, 0, 0, 0, 0];
    let a2 = z.create(Body::Agreement(b));
    // A suspension does not give its hours back: the agreement still holds them.
    let s = z.create(Body::Suspension(Suspension {
        agreement: a1.id(),
        from: date(2026, 11, 10),
        to: None,
        reason: "hospital".into(),
        note: String::new(),
    }));
    assert_eq!(z.agreement_of(a1.id()).1.status, AgreementStatus::Suspended);
    let mut one = z.agreement(third, 1);
    one.week = [60, 0, 0, 0, 0, 0, 0];
    let reason = refused_on(
        z.s().create(Body::Agreement(one.clone())),
        "hours_per_month",
    );
    says(
        &reason,
        "85 часа надвишават 84-те по направлението на ползвателя: вече са в споразумения 60 в СП-2026-0001, 24 в СП-2026-0002",
        "85 hours exceed the 84 of the user's направление: already in agreements 60 in СП-2026-0001, 24 in СП-2026-0002",
    );
    // A draft is held to the направление alone; put in force, to the others too.
    let mut draft = z.agreement(third, 84);
    draft.status = AgreementStatus::Draft;
    draft.signed = None;
    draft.week = [60, 0, 0, 0, 0, 0, 0];
    let d = z.create(Body::Agreement(draft));
    let (r, mut a) = z.agreement_of(d.id());
    a.status = AgreementStatus::Active;
    a.signed = Some(date(2026, 11, 16));
    assert!(matches!(
        refused_on(
            z.s().update(d.id(), r.meta.rev, Body::Agreement(a)),
            "hours_per_month"
        ),
        Reason::HoursOverNapravlenie { found: 168, .. }
    ));
    let mut alone = z.agreement(third, 85);
    alone.status = AgreementStatus::Draft;
    alone.signed = None;
    assert!(matches!(
        refused_on(z.s().create(Body::Agreement(alone)), "hours_per_month"),
        Reason::HoursOverNapravlenie {
            found: 85,
            cap: 84,
            ..
        }
    ));
    // Agreements one after the other do not add up: from January the first one is over, so
    // 60 more fit beside the 24 (60 + 24 + 60 agreed in all, never more than 84 at once).
    let (sr, _) = (z.get(Kind::Suspension, s.id()), ());
    let Body::Suspension(mut closed) = sr.body.clone() else {
        panic!()
    };
    closed.to = Some(date(2026, 11, 12));
    z.s()
        .update(s.id(), sr.meta.rev, Body::Suspension(closed))
        .unwrap();
    assert_eq!(z.agreement_of(a1.id()).1.status, AgreementStatus::Active);
    let mut next = z.agreement(third, 60);
    next.from = date(2027, 1, 1);
    next.week = [60, 0, 0, 0, 0, 0, 0];
    z.create(Body::Agreement(next));
    assert_eq!(z.agreement_of(a2.id()).1.hours_per_month, 24);
    // Beyond the направление's validity.
    let mut long = z.agreement(third, 1);
    long.from = date(2028, 4, 1);
    long.to = date(2028, 5, 31);
    long.status = AgreementStatus::Draft;
    long.signed = None;
    says(
        &refused_on(z.s().create(Body::Agreement(long)), "to"),
        "периодът излиза извън срока на направлението",
        "the period goes beyond the направление's validity",
    );
}

#[test]
fn an_assistants_schedule_over_all_users_stays_within_the_settings() {
    let z = zlp();
    let (user2, decision2) = z.other_user(33, 168);
    let (user3, decision3) = z.other_user(43, 168);
    // Мария's agreement: 4 hours on weekdays, 84 a month.
    z.create(Body::Agreement(z.agreement(z.assistant, 84)));
    let for_user = |user: u64, decision: u64, hours: u32, week: [u32; 7]| {
        let mut a = agreement(user, z.assistant, z.provider, decision, hours);
        a.week = week;
        a
    };
    // 5 more hours on Mondays are 9, over the settings' 8 a day.
    let r = z.s().create(Body::Agreement(for_user(
        user2,
        decision2,
        40,
        [300, 0, 0, 0, 0, 0, 0],
    )));
    let reason = refused_on(r, "week");
    assert_eq!(
        reason,
        Reason::AssistantOverLimit {
            span: Span::Day(0),
            found: 540,
            cap: 480,
            used: vec![("СП-2026-0001".into(), 240)]
        }
    );
    says(
        &reason,
        "асистентът би работил 9 часа в понеделник при допустими 8 (вече 4 в СП-2026-0001)",
        "the assistant would work 9 hours on Mondays, 8 allowed (already 4 in СП-2026-0001)",
    );
    // 4 more hours each weekday fit the day (8), and the week (40).
    let a2 = z.create(Body::Agreement(for_user(
        user2,
        decision2,
        80,
        [240, 240, 240, 240, 240, 0, 0],
    )));
    // A Saturday on top is over the week's 40 hours.
    let r = z.s().create(Body::Agreement(for_user(
        user3,
        decision3,
        4,
        [0, 0, 0, 0, 0, 60, 0],
    )));
    let reason = refused_on(r, "week");
    says(
        &reason,
        "асистентът би работил 41 часа седмично при допустими 40 (вече 20 в СП-2026-0001, 20 в СП-2026-0002)",
        "the assistant would work 41 hours a week, 40 allowed (already 20 in СП-2026-0001, 20 in СП-2026-0002)",
    );
    // A month's hours: 84 + 80 + 10 are over 40 × 52 / 12 = 173 h 20 min.
    let (r2, mut x) = z.agreement_of(a2.id());
    x.week = [240, 240, 240, 240, 0, 0, 0];
    z.s()
        .update(a2.id(), r2.meta.rev, Body::Agreement(x))
        .unwrap();
    let r = z.s().create(Body::Agreement(for_user(
        user3,
        decision3,
        10,
        [0, 0, 0, 0, 60, 0, 0],
    )));
    let reason = refused_on(r, "hours_per_month");
    assert!(matches!(
        reason,
        Reason::AssistantOverLimit {
            span: Span::Month,
            found: 10_440,
            cap: 10_400,
            ..
        }
    ));
    assert!(reason
        .explain(Lang::Bg)
        .starts_with("асистентът би работил 174 часа месечно при допустими 173.3"));
    // 9 hours fit the month.
    z.create(Body::Agreement(for_user(
        user3,
        decision3,
        9,
        [0, 0, 0, 0, 60, 0, 0],
    )));
}

#[test]
fn the_assistant_is_not_the_user_nor_their_own_substitute() {
    let z = zlp();
    let own = z.create(Body::Assistant(assistant_of(z.user))).id();
    says(
        &refused_on(
            z.s().create(Body::Agreement(z.agreement(own, 10))),
            "assistant",
        ),
        "асистентът не може да бъде самият ползвател",
        "the assistant cannot be the user",
    );
    let mut a = z.agreement(z.assistant, 10);
    a.substitute = Some(own);
    assert_eq!(
        refused_on(z.s().create(Body::Agreement(a)), "substitute"),
        Reason::AssistantIsUser
    );
    let mut a = z.agreement(z.assistant, 10);
    a.substitute = Some(z.assistant);
    assert_eq!(
        refused_on(z.s().create(Body::Agreement(a)), "substitute"),
        Reason::SameAsSubstitute
    );
    let substitute = z.assistant_born(date(1980, 1, 1), 61, "Заместник");
    let mut a = z.agreement(z.assistant, 10);
    a.substitute = Some(substitute);
    z.create(Body::Agreement(a));
}

#[test]
fn new_agreements_start_on_the_first_and_not_in_the_last_working_days() {
    let z = zlp();
    let mut a = z.agreement(z.assistant, 40);
    a.from = date(2026, 12, 15);
    says(
        &refused_on(z.s().create(Body::Agreement(a)), "from"),
        "споразуменията започват от 1-во число на месеца",
        "agreements start on the 1st of a month",
    );
    let made = z.create(Body::Agreement(z.agreement(z.assistant, 40)));
    // Friday 27 November 2026 is one of the month's last 3 working days (26, 27, 30).
    z.set_today(date(2026, 11, 27));
    let mut a = z.agreement(z.assistant, 40);
    a.from = date(2026, 12, 1);
    let reason = refused_on(z.s().create(Body::Agreement(a)), "from");
    says(
        &reason,
        "в последните 3 работни дни на месеца не се сключват нови споразумения",
        "no new agreements in the last 3 working days of a month",
    );
    // An agreement made before can be changed; a replacement only continues one: both go.
    let (r, mut a) = z.agreement_of(made.id());
    a.activities = "лични дейности".into();
    z.s()
        .update(made.id(), r.meta.rev, Body::Agreement(a))
        .unwrap();
    let second = z.assistant_born(date(1985, 4, 4), 41, "Втори");
    let r = z.get(Kind::Agreement, made.id());
    z.s()
        .replace_assistant(
            made.id(),
            r.meta.rev,
            date(2026, 12, 1),
            second,
            None,
            "wish",
        )
        .unwrap();
    // Monday 30 November too; Wednesday 25 is not.
    z.set_today(date(2026, 11, 30));
    assert!(matches!(
        refused_on(
            z.s().create(Body::Agreement(z.agreement(z.assistant, 1))),
            "from"
        ),
        Reason::NoNewAgreementsNow { days: 3 }
    ));
    z.set_today(date(2026, 11, 25));
    let mut a = z.agreement(z.assistant, 20);
    a.from = date(2026, 12, 1);
    z.create(Body::Agreement(a));
}

#[test]
fn an_agreement_in_force_was_signed_and_its_status_goes_one_way() {
    let z = zlp();
    let mut a = z.agreement(z.assistant, 40);
    a.signed = None;
    assert_eq!(
        refused_on(z.s().create(Body::Agreement(a.clone())), "signed"),
        Reason::Required
    );
    a.signed = Some(date(2026, 11, 18));
    assert_eq!(
        refused_on(z.s().create(Body::Agreement(a.clone())), "signed"),
        Reason::InFuture
    );
    // A draft to sign, then in force once signed.
    a.signed = None;
    a.status = AgreementStatus::Draft;
    let d = z.create(Body::Agreement(a));
    let (r, mut a) = z.agreement_of(d.id());
    a.signed = Some(date(2026, 11, 16));
    a.status = AgreementStatus::Active;
    let r = z
        .s()
        .update(d.id(), r.meta.rev, Body::Agreement(a))
        .unwrap();
    // In force, it never goes back to a draft.
    let Body::Agreement(mut a) = r.body.clone() else {
        panic!()
    };
    a.status = AgreementStatus::Draft;
    says(
        &refused_on(
            z.s().update(d.id(), r.meta.rev, Body::Agreement(a.clone())),
            "status",
        ),
        "тази промяна на състоянието не е допустима",
        "this change of status is not allowed",
    );
    // Suspended only by a suspension: a status typed in is the service's to set.
    a.status = AgreementStatus::Suspended;
    let r = z
        .s()
        .update(d.id(), r.meta.rev, Body::Agreement(a.clone()))
        .unwrap();
    assert_eq!(z.agreement_of(r.id()).1.status, AgreementStatus::Active);
    // Ended by an update needs a reason from the settings; once ended, it stays ended.
    a.status = AgreementStatus::Ended;
    assert_eq!(
        refused_on(
            z.s().update(d.id(), r.meta.rev, Body::Agreement(a.clone())),
            "end_reason"
        ),
        Reason::Required
    );
    a.end_reason = Some("bored".into());
    assert_eq!(
        refused_on(
            z.s().update(d.id(), r.meta.rev, Body::Agreement(a.clone())),
            "end_reason"
        ),
        Reason::UnknownCode
    );
    a.end_reason = Some("death".into());
    let r = z
        .s()
        .update(d.id(), r.meta.rev, Body::Agreement(a.clone()))
        .unwrap();
    a.status = AgreementStatus::Active;
    assert_eq!(
        refused_on(
            z.s().update(d.id(), r.meta.rev, Body::Agreement(a)),
            "status"
        ),
        Reason::BadTransition
    );
}

// ---------------------------------------------------------------------------------------------
// Suspension

fn suspension(
    agreement: u64,
    from: chrono::NaiveDate,
    to: Option<chrono::NaiveDate>,
) -> Suspension {
    Suspension {
        agreement,
        from,
        to,
        reason: "hospital".into(),
        note: String::new(),
    }
}

#[test]
fn suspensions_are_of_agreements_in_force_inside_their_period_and_never_overlap() {
    let z = zlp();
    let mut draft = z.agreement(z.assistant, 40);
    draft.status = AgreementStatus::Draft;
    draft.signed = None;
    let draft = z.create(Body::Agreement(draft));
    says(
        &refused_on(
            z.s().create(Body::Suspension(suspension(
                draft.id(),
                date(2026, 8, 1),
                None,
            ))),
            "agreement",
        ),
        "споразумението не е в сила (чернова или прекратено)",
        "the agreement is not in force (a draft, or ended)",
    );
    let (r, mut a) = z.agreement_of(draft.id());
    a.status = AgreementStatus::Active;
    a.signed = Some(date(2026, 6, 28));
    let id = z
        .s()
        .update(draft.id(), r.meta.rev, Body::Agreement(a))
        .unwrap()
        .id();
    // A reason from the settings' list.
    let mut s = suspension(id, date(2026, 8, 1), Some(date(2026, 8, 5)));
    s.reason = "holiday".into();
    assert_eq!(
        refused_on(z.s().create(Body::Suspension(s)), "reason"),
        Reason::UnknownCode
    );
    // Inside the agreement (1 July 2026 – 30 June 2027).
    says(
        &refused_on(
            z.s()
                .create(Body::Suspension(suspension(id, date(2026, 6, 20), None))),
            "from",
        ),
        "периодът излиза извън срока на споразумението",
        "the period goes beyond the agreement's",
    );
    assert_eq!(
        refused_on(
            z.s().create(Body::Suspension(suspension(
                id,
                date(2027, 6, 1),
                Some(date(2027, 7, 10))
            ))),
            "to"
        ),
        Reason::OutsideAgreement
    );
    // A closed stay in hospital: the agreement stays active.
    z.create(Body::Suspension(suspension(
        id,
        date(2026, 11, 10),
        Some(date(2026, 11, 12)),
    )));
    assert_eq!(z.agreement_of(id).1.status, AgreementStatus::Active);
    // The agreement's period keeps holding it.
    let (r, mut shorter) = z.agreement_of(id);
    shorter.to = date(2026, 11, 11);
    assert_eq!(
        refused_on(z.s().update(id, r.meta.rev, Body::Agreement(shorter)), "to"),
        Reason::OutsideAgreement
    );
    let reason = refused_on(
        z.s().create(Body::Suspension(suspension(
            id,
            date(2026, 11, 12),
            Some(date(2026, 11, 20)),
        ))),
        "from",
    );
    says(
        &reason,
        "припокрива спирането от 10.11.2026 до 12.11.2026",
        "overlaps the suspension from 10.11.2026 to 12.11.2026",
    );
    // An open one suspends the agreement until its end is entered.
    let open = z.create(Body::Suspension(suspension(id, date(2026, 11, 16), None)));
    assert_eq!(z.agreement_of(id).1.status, AgreementStatus::Suspended);
    assert_eq!(
        refused_on(
            z.s().create(Body::Suspension(suspension(
                id,
                date(2027, 3, 1),
                Some(date(2027, 3, 2))
            ))),
            "from"
        ),
        Reason::OverlapsSuspension {
            from: date(2026, 11, 16),
            to: None
        }
    );
    // The status change is written in the same commit, and logged as the agreement's update.
    let log = z.s().audit_log(None, 1000).unwrap();
    let last: Vec<_> = log.iter().rev().take(2).collect();
    assert_eq!(
        (last[1].action, last[1].kind, last[1].id),
        (AuditAction::Create, Some(Kind::Suspension), Some(open.id()))
    );
    assert_eq!(
        (last[0].action, last[0].kind, last[0].id),
        (AuditAction::Update, Some(Kind::Agreement), Some(id))
    );
    assert!(last[0]
        .changes
        .iter()
        .any(|c| c.field == "status" && c.new.contains("Suspended")));
    let Body::Suspension(mut back) = open.body.clone() else {
        panic!()
    };
    back.to = Some(date(2026, 11, 20));
    z.s()
        .update(open.id(), open.meta.rev, Body::Suspension(back))
        .unwrap();
    assert_eq!(z.agreement_of(id).1.status, AgreementStatus::Active);
}

// ---------------------------------------------------------------------------------------------
// Ending and replacing

#[test]
fn ending_an_agreement_takes_a_day_inside_it_and_a_reason_of_the_settings() {
    let z = zlp();
    let made = z.create(Body::Agreement(z.agreement(z.assistant, 40)));
    let open = z.create(Body::Suspension(suspension(
        made.id(),
        date(2026, 11, 1),
        None,
    )));
    let r = z.get(Kind::Agreement, made.id());
    let end = |date, reason: &str| z.s().end_agreement(made.id(), r.meta.rev, date, reason);
    assert_eq!(
        refused_on(end(date(2026, 11, 30), "bored"), "reason"),
        Reason::UnknownCode
    );
    assert_eq!(
        refused_on(end(date(2026, 6, 30), "wish"), "date"),
        Reason::EndBeforeStart
    );
    assert_eq!(
        refused_on(end(date(2027, 7, 1), "wish"), "date"),
        Reason::OutsideAgreement
    );
    assert!(matches!(
        z.s()
            .end_agreement(made.id(), made.meta.rev, date(2026, 11, 30), "wish"),
        Err(ServiceError::Conflict { .. })
    ));
    let ended = end(date(2026, 11, 30), "death").unwrap();
    let Body::Agreement(a) = &ended.body else {
        panic!()
    };
    assert_eq!(
        (a.to, a.status, a.end_reason.as_deref()),
        (date(2026, 11, 30), AgreementStatus::Ended, Some("death"))
    );
    // The open suspension ended with it.
    let Body::Suspension(s) = z.get(Kind::Suspension, open.id()).body else {
        panic!()
    };
    assert_eq!(s.to, Some(date(2026, 11, 30)));
    // Audited as the agreement's update, with what changed.
    let log = z.s().audit_log(None, 1000).unwrap();
    let entry = log.iter().rev().find(|e| e.id == Some(made.id())).unwrap();
    assert_eq!(entry.action, AuditAction::Update);
    let fields: Vec<&str> = entry.changes.iter().map(|c| c.field.as_str()).collect();
    assert!(
        ["to", "status", "end_reason"]
            .iter()
            .all(|f| fields.contains(f)),
        "{fields:?}"
    );
    // Ended, it cannot be ended again, suspended or replaced.
    let again = z
        .s()
        .end_agreement(made.id(), ended.meta.rev, date(2026, 11, 30), "wish");
    assert_eq!(refused_on(again, "status"), Reason::NotInForce);
    assert_eq!(
        refused_on(
            z.s().create(Body::Suspension(suspension(
                made.id(),
                date(2026, 11, 5),
                None
            ))),
            "agreement"
        ),
        Reason::NotInForce
    );
}

#[test]
fn replacing_the_assistant_ends_one_agreement_and_starts_the_next_in_one_commit() {
    let z = zlp();
    let mut a = z.agreement(z.assistant, 60);
    a.activities = "лични и битови; пазаруване".into();
    a.week = [180, 180, 180, 180, 0, 120, 0];
    let made = z.create(Body::Agreement(a));
    z.create(Body::Suspension(suspension(
        made.id(),
        date(2026, 11, 2),
        Some(date(2026, 11, 4)),
    )));
    let next_assistant = z.assistant_born(date(1979, 4, 12), 345, "Нов");
    let substitute = z.assistant_born(date(1982, 9, 15), 226, "Заместник");
    let r = z.get(Kind::Agreement, made.id());
    // Refused: the same assistant, a day outside the agreement, a suspension still running
    // on the day, a reason not in the settings.
    let replace = |from, assistant, reason: &str| {
        z.s().replace_assistant(
            made.id(),
            r.meta.rev,
            from,
            assistant,
            Some(substitute),
            reason,
        )
    };
    says(
        &refused_on(replace(date(2026, 12, 1), z.assistant, "wish"), "assistant"),
        "това е асистентът по споразумението",
        "this is the agreement's own assistant",
    );
    assert_eq!(
        refused_on(replace(date(2026, 7, 1), next_assistant, "wish"), "from"),
        Reason::OutsideAgreement
    );
    assert_eq!(
        refused_on(replace(date(2027, 7, 1), next_assistant, "wish"), "from"),
        Reason::OutsideAgreement
    );
    assert_eq!(
        refused_on(replace(date(2026, 11, 3), next_assistant, "wish"), "from"),
        Reason::OverlapsSuspension {
            from: date(2026, 11, 2),
            to: Some(date(2026, 11, 4))
        }
    );
    assert_eq!(
        refused_on(replace(date(2026, 12, 1), next_assistant, "gone"), "reason"),
        Reason::UnknownCode
    );
    // One commit: one sync, one change event with both records, both in the audit log.
    let syncs = z.db.svc.syncs();
    let events = z.db.svc.subscribe();
    let log_before = z.s().audit_log(None, 1000).unwrap().len();
    let new = replace(date(2026, 12, 1), next_assistant, "contract_end").unwrap();
    assert_eq!(z.db.svc.syncs(), syncs + 1);
    let change = events
        .recv_timeout(std::time::Duration::from_secs(5))
        .unwrap();
    let mut ids: Vec<u64> = change.records.iter().map(|c| c.id).collect();
    ids.sort();
    assert_eq!(ids, [made.id(), new.id()]);
    assert!(events.try_recv().is_err(), "one change event");
    let log = z.s().audit_log(None, 1000).unwrap();
    let entries: Vec<_> = log[log_before..]
        .iter()
        .map(|e| (e.action, e.kind, e.id))
        .collect();
    assert_eq!(
        entries,
        [
            (AuditAction::Update, Some(Kind::Agreement), Some(made.id())),
            (AuditAction::Create, Some(Kind::Agreement), Some(new.id())),
        ]
    );
    // The old one ends the day before; the new one starts that day, with the same terms.
    let (_, old) = z.agreement_of(made.id());
    let Body::Agreement(next) = new.body.clone() else {
        panic!()
    };
    assert_eq!(
        (old.to, old.status, old.end_reason.as_deref()),
        (
            date(2026, 11, 30),
            AgreementStatus::Ended,
            Some("contract_end")
        )
    );
    assert_eq!(next.from, date(2026, 12, 1));
    assert_eq!(next.to, date(2027, 6, 30));
    assert_eq!(
        (
            next.user,
            next.provider,
            next.decision,
            next.hours_per_month
        ),
        (old.user, old.provider, old.decision, old.hours_per_month)
    );
    assert_eq!((next.week, &next.activities), (old.week, &old.activities));
    assert_eq!(
        (next.assistant, next.substitute),
        (next_assistant, Some(substitute))
    );
    assert_eq!(
        (next.status, next.signed, next.number.as_str()),
        (AgreementStatus::Draft, None, "СП-2026-0002")
    );
    // Signed, it is in force: the old one's hours are free.
    let mut signed = next.clone();
    signed.signed = Some(date(2026, 11, 17));
    signed.status = AgreementStatus::Active;
    z.s()
        .update(new.id(), new.meta.rev, Body::Agreement(signed))
        .unwrap();
    let report = z.s().check().unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

// ---------------------------------------------------------------------------------------------
// Contract

fn contract(z: &Zlp, agreement: Option<u64>) -> Contract {
    common::contract("ТД-5/2026", z.assistant, z.provider, agreement)
}

#[test]
fn a_contract_ends_on_a_day_for_a_reason_and_belongs_to_its_assistant() {
    let z = zlp();
    let made = z.create(Body::Agreement(z.agreement(z.assistant, 40)));
    let other = z.assistant_born(date(1985, 4, 4), 41, "Друг");
    let mut c = contract(&z, Some(made.id()));
    c.assistant = other;
    says(
        &refused_on(z.s().create(Body::Contract(c)), "agreement"),
        "споразумението е с друг асистент",
        "the agreement is with another assistant",
    );
    let saved = z.create(Body::Contract(contract(&z, Some(made.id()))));
    let mut c = contract(&z, Some(made.id()));
    c.status = ContractStatus::Ended;
    let errors = refused(
        z.s()
            .update(saved.id(), saved.meta.rev, Body::Contract(c.clone())),
    );
    assert_eq!(
        errors,
        [
            ("end".to_string(), Reason::Required),
            ("end_reason".to_string(), Reason::Required)
        ]
    );
    c.end = Some(date(2026, 11, 30));
    c.end_reason = Some("holiday".into());
    assert_eq!(
        refused_on(
            z.s()
                .update(saved.id(), saved.meta.rev, Body::Contract(c.clone())),
            "end_reason"
        ),
        Reason::UnknownCode
    );
    c.end_reason = Some("wish".into());
    z.s()
        .update(saved.id(), saved.meta.rev, Body::Contract(c))
        .unwrap();
}

#[test]
fn an_agreement_in_force_without_a_contract_is_warned_of_on_the_card_and_the_agenda() {
    let z = zlp();
    let made = z.create(Body::Agreement(z.agreement(z.assistant, 40)));
    let warning = |since| AssistanceWarning::NoContract {
        agreement: made.id(),
        number: "СП-2026-0001".into(),
        assistant: z.assistant,
        since,
    };
    // For the user, and for the assistant's person.
    assert_eq!(
        z.s().assistance_warnings(z.user).unwrap(),
        [warning(date(2026, 7, 1))]
    );
    assert_eq!(
        z.s().assistance_warnings(z.helper).unwrap(),
        [warning(date(2026, 7, 1))]
    );
    let on_agenda = || {
        z.s()
            .agenda(7, None)
            .unwrap()
            .items
            .into_iter()
            .filter(|i| i.kind == AgendaKind::NoContract)
            .map(|i| (i.due, i.record, i.who, i.detail))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        on_agenda(),
        [(
            date(2026, 7, 1),
            Some((Kind::Agreement, made.id())),
            "Мария Петрова".to_string(),
            "СП-2026-0001".to_string()
        )]
    );
    assert_eq!(AgendaKind::NoContract.name(Lang::Bg), "няма трудов договор");
    // A contract with another provider does not count; one that ended leaves the day after.
    let other_provider = z
        .create(Body::Provider(provider(
            "Сдружение „Грижа“",
            87654321,
            ProviderKind::Municipality,
        )))
        .id();
    let mut elsewhere = contract(&z, None);
    elsewhere.provider = other_provider;
    z.create(Body::Contract(elsewhere));
    let mut ended = contract(&z, Some(made.id()));
    ended.end = Some(date(2026, 10, 31));
    ended.status = ContractStatus::Ended;
    ended.end_reason = Some("wish".into());
    z.create(Body::Contract(ended));
    assert_eq!(
        z.s().assistance_warnings(z.user).unwrap(),
        [warning(date(2026, 11, 1))]
    );
    assert_eq!(on_agenda()[0].0, date(2026, 11, 1));
    // A contract in force: no warning.
    let mut c = contract(&z, Some(made.id()));
    c.start = date(2026, 11, 1);
    c.date = date(2026, 10, 30);
    z.create(Body::Contract(c));
    assert!(z.s().assistance_warnings(z.user).unwrap().is_empty());
    assert!(on_agenda().is_empty());
    // A draft, or an agreement starting beyond the agenda's days, is not warned of.
    let (user2, decision2) = z.other_user(33, 84);
    let mut draft = agreement(user2, z.assistant, z.provider, decision2, 40);
    draft.status = AgreementStatus::Draft;
    draft.signed = None;
    draft.week = [0; 7];
    z.create(Body::Agreement(draft));
    assert!(z.s().assistance_warnings(user2).unwrap().is_empty());
}

// ---------------------------------------------------------------------------------------------
// The demo

#[test]
fn the_demo_has_personal_assistance_in_every_state() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    frontoffice::demo::build(&path, "admin", "Админ", 0, clock()).unwrap();
    let svc = Svc::open(&path, clock()).unwrap();
    let s = svc.session("admin").unwrap();
    let all = |kind| s.list(kind, None, 1000).unwrap();
    let agreements: Vec<(u64, Agreement)> = all(Kind::Agreement)
        .into_iter()
        .filter_map(|r| match r.body {
            Body::Agreement(a) => Some((r.meta.id, a)),
            _ => None,
        })
        .collect();
    let count = |st: AgreementStatus| agreements.iter().filter(|(_, a)| a.status == st).count();
    assert!(count(AgreementStatus::Active) >= 5);
    assert_eq!(count(AgreementStatus::Suspended), 2);
    // Two ended by the user's wish, one by its assistant's replacement.
    assert_eq!(count(AgreementStatus::Ended), 3);
    let replaced = agreements
        .iter()
        .find(|(_, a)| a.end_reason.as_deref() == Some("contract_end"))
        .unwrap();
    let next = agreements
        .iter()
        .find(|(_, a)| a.user == replaced.1.user && a.status == AgreementStatus::Active)
        .unwrap();
    assert_eq!(next.1.from, replaced.1.to.succ_opt().unwrap());
    assert_ne!(next.1.assistant, replaced.1.assistant);
    // An assistant serving two users.
    let shared = agreements.iter().any(|(_, a)| {
        agreements.iter().any(|(_, b)| {
            a.status.in_force()
                && b.status.in_force()
                && a.assistant == b.assistant
                && a.user != b.user
        })
    });
    assert!(shared);
    // Week schedules and signing days everywhere.
    assert!(agreements
        .iter()
        .all(|(_, a)| a.week_minutes() > 0 && a.signed.is_some()));
    // Applications pending remedy, and one made by a representative.
    let apps: Vec<Application> = all(Kind::Application)
        .into_iter()
        .map(|r| app_of(&r))
        .collect();
    assert_eq!(
        apps.iter()
            .filter(|a| a.status == ApplicationStatus::Incomplete)
            .count(),
        2
    );
    assert!(apps
        .iter()
        .any(|a| a.applicant == Applicant::Representative && !a.applicant_name.is_empty()));
    // The agreement without a contract is on the agenda and its user's card.
    let agenda = s.agenda(7, None).unwrap();
    let line = agenda
        .items
        .iter()
        .find(|i| i.kind == AgendaKind::NoContract)
        .unwrap();
    let Some((Kind::Agreement, id)) = line.record else {
        panic!("{line:?}")
    };
    let user = agreements.iter().find(|(a, _)| *a == id).unwrap().1.user;
    assert!(matches!(
        s.assistance_warnings(user).unwrap()[..],
        [AssistanceWarning::NoContract { agreement, .. }] if agreement == id
    ));
    assert_eq!(
        agenda
            .items
            .iter()
            .filter(|i| i.kind == AgendaKind::Remedy)
            .count(),
        2
    );
    let report = s.check().unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

// ---------------------------------------------------------------------------------------------
// Through the real server

#[test]
fn the_rules_hold_through_the_real_servers_socket() {
    use frontoffice::server::client::Client;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let login = frontoffice::os::current_user().unwrap().login;
    // The server runs on the system's clock: no rule of this test depends on the day (the
    // last working days of a month are off in its settings).
    let (user, helper, provider, decision, assistant) = {
        let (svc, _) = Svc::open_or_create(
            &db,
            &login,
            "Админ",
            frontoffice::domain::settings::Settings {
                no_new_agreements_last_days: 0,
                ..settings()
            },
            clock(),
        )
        .unwrap();
        parties(&svc.session(&login).unwrap())
    };
    let socket = dir.path().join("fo.sock");
    let mut server = spawn_serve(&db, &socket);
    let c = Client::connect(&socket, Lang::En).unwrap();
    // The hour cap, named with the agreement that holds the hours.
    let first = c
        .create(Body::Agreement(agreement(
            user, assistant, provider, decision, 60,
        )))
        .unwrap();
    let egn = make_egn(date(1979, 4, 12), 345).unwrap();
    let p = c
        .create(Body::Person(person("Нов", "Асистент", Some(&egn))))
        .unwrap();
    let next = c
        .create(Body::Assistant(assistant_of(p.id())))
        .unwrap()
        .id();
    let mut over = agreement(user, next, provider, decision, 30);
    over.week = [60, 0, 0, 0, 0, 0, 0];
    let reason = refused_on(c.create(Body::Agreement(over)), "hours_per_month");
    assert_eq!(
        reason.explain(Lang::En),
        "90 hours exceed the 84 of the user's направление: 60 already in agreement СП-2026-0001"
    );
    // A minor cannot be an assistant; a checklist code must be the settings'.
    let egn = make_egn(date(2015, 1, 1), 11).unwrap();
    let child = c
        .create(Body::Person(person("Дете", "Малко", Some(&egn))))
        .unwrap();
    assert_eq!(
        refused_on(
            c.create(Body::Assistant(assistant_of(child.id()))),
            "person"
        ),
        Reason::AssistantNotAdult
    );
    let app = Application {
        reg_no: String::new(),
        person: user,
        date: date(2026, 6, 1),
        applicant: Applicant::User,
        applicant_name: String::new(),
        applicant_document: String::new(),
        assistant: Some(helper),
        substitute: None,
        declares_no_other_support: true,
        checklist: vec![CheckItem {
            code: "passport".into(),
            state: CheckState::Ok,
            note: String::new(),
        }],
        status: ApplicationStatus::Received,
        remedy_by: None,
        refusal_reason: String::new(),
        note: String::new(),
    };
    assert_eq!(
        refused_on(c.create(Body::Application(app)), "checklist"),
        Reason::UnknownCode
    );
    // No contract yet: warned of; then the assistant is replaced in one call.
    assert!(matches!(
        c.assistance_warnings(user).unwrap()[..],
        [AssistanceWarning::NoContract { agreement, .. }] if agreement == first.id()
    ));
    let made = c
        .replace_assistant(
            first.id(),
            first.meta.rev,
            date(2026, 12, 1),
            next,
            None,
            "contract_end",
        )
        .unwrap();
    let Body::Agreement(a) = &made.body else {
        panic!()
    };
    assert_eq!(
        (a.from, a.assistant, a.status),
        (date(2026, 12, 1), next, AgreementStatus::Draft)
    );
    let Body::Agreement(old) = c.get(Kind::Agreement, first.id()).unwrap().body else {
        panic!()
    };
    assert_eq!(
        (old.to, old.status),
        (date(2026, 11, 30), AgreementStatus::Ended)
    );
    // Ending the new one before it starts is refused with its reason.
    let r = c.end_agreement(made.id(), made.meta.rev, date(2026, 11, 1), "wish");
    assert_eq!(refused_on(r, "status"), Reason::NotInForce);
    server.kill().unwrap();
    server.wait().unwrap();
}
