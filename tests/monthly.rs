//! Monthly assistant reports on a real service in a temp dir: each check with its message, pro
//! rata and suspensions, returning for correction, closing and reopening a month by role, the
//! agenda's open month, the working days of 2025–2027, the month's summary and pay, the golden
//! payroll; then the real binary on the same database, also through a running server.

mod common;

use common::*;
use frontoffice::domain::{
    agenda::AgendaKind,
    assistance::*,
    audit::AuditAction,
    calendar::WorkCalendar,
    clerk::Role,
    date::Month,
    egn::make_egn,
    iban::{make_bg_iban, Iban},
    monthly::{MonthClosing, MonthlySummary, RowStatus},
    person::{DisabilityDecision, ExpertBody, Person},
    reason::{FieldError, Reason},
    record::{Body, Kind, Record},
    register::ProviderKind,
    report::{Absence, MonthlyReport, ReportStatus},
    Explain, Lang,
};
use frontoffice::service::{access::Action, ApiExt, ServiceError, Session};
use std::path::PathBuf;

fn month(y: i32, m: u32) -> Month {
    Month::new(y, m).unwrap()
}

/// The fictional office: two providers, five users with a 4th-degree направление each, three
/// assistants (Иван serves two users, Петър is Мария's substitute and had an agreement of his
/// own that ended mid-September), and their agreements.
struct Office {
    db: Db,
    p1: u64,
    p2: u64,
    /// Иван for Мария (84 h, substitute Петър).
    g1: u64,
    /// Иван for Георги (42 h).
    g2: u64,
    /// Елена for Стефка (168 h).
    g3: u64,
    /// Петър for Тодор (84 h, 1 Dec 2025 – 15 Sep 2026).
    g4: u64,
    /// Елена for Цветана (42 h).
    g5: u64,
    users: Vec<(u64, u64)>,
    a3: u64,
}

fn egn_of(y: i32, m: u32, d: u32, serial: u16) -> String {
    make_egn(date(y, m, d), serial).unwrap()
}

/// A user entitled to personal assistance and their направление (168 h a month).
fn user(s: &Session, first: &str, last: &str, ident: &str) -> (u64, u64) {
    let p = s
        .create(Body::Person(Person {
            disability: Some(DisabilityDecision {
                body: ExpertBody::Telk,
                number: format!("{}/2025", ident.len() + first.len()),
                issued: date(2025, 3, 1),
                percent: 95,
                needs_help: true,
                valid_until: None,
            }),
            ..person(first, last, Some(ident))
        }))
        .unwrap();
    let d = s
        .create(Body::DspDecision(DspDecision {
            person: p.id(),
            number: format!("ДСП-{}", p.id()),
            expert_decision: "0451/2025".into(),
            date: date(2025, 6, 1),
            degree: 4,
            hours_per_month: 168,
            valid_from: date(2025, 6, 1),
            valid_until: date(2027, 12, 31),
        }))
        .unwrap();
    (p.id(), d.id())
}

fn assistant(s: &Session, first: &str, last: &str, ident: &str, account: u64) -> u64 {
    let p = s
        .create(Body::Person(person(first, last, Some(ident))))
        .unwrap();
    s.create(Body::Assistant(Assistant {
        person: p.id(),
        iban: Iban::parse(&make_bg_iban("BNBG", account)).unwrap(),
        relation: "без родство".into(),
        no_protection_order: true,
    }))
    .unwrap()
    .id()
}

#[allow(clippy::too_many_arguments)]
fn agree(
    s: &Session,
    (user, decision): (u64, u64),
    assistant: u64,
    substitute: Option<u64>,
    provider: u64,
    hours: u32,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> u64 {
    // The weekly schedule in step with the hours: an assistant's limits (8 h a day, 40 a
    // week) count every user they serve.
    let day = hours * 60 / 21 / 15 * 15;
    s.create(Body::Agreement(Agreement {
        substitute,
        from,
        to,
        week: [day, day, day, day, day, 0, 0],
        ..agreement(user, assistant, provider, decision, hours)
    }))
    .unwrap()
    .id()
}

fn office() -> Office {
    let db = new_db();
    let s = &db.admin;
    let p1 = s
        .create(Body::Provider(provider(
            "Община Тестово",
            12345678,
            ProviderKind::Municipality,
        )))
        .unwrap()
        .id();
    let p2 = s
        .create(Body::Provider(provider(
            "Сдружение Грижа",
            23456789,
            ProviderKind::Ngo,
        )))
        .unwrap()
        .id();
    let users = vec![
        user(s, "Мария", "Петрова", "8032056031"),
        user(s, "Георги", "Колев", &egn_of(1948, 4, 12, 30)),
        user(s, "Стефка", "Николова", &egn_of(1955, 9, 3, 41)),
        user(s, "Тодор", "Ангелов", &egn_of(1960, 1, 25, 52)),
        user(s, "Цветана", "Георгиева", &egn_of(1952, 7, 8, 63)),
    ];
    let a1 = assistant(s, "Иван", "Иванов", "7501020002", 1001);
    let a2 = assistant(s, "Елена", "Димова", &egn_of(1980, 5, 17, 71), 1002);
    let a3 = assistant(s, "Петър", "Стоянов", &egn_of(1985, 11, 30, 82), 1003);
    let (from, to) = (date(2026, 7, 1), date(2027, 6, 30));
    let g1 = agree(s, users[0], a1, Some(a3), p1, 84, from, to);
    let g2 = agree(s, users[1], a1, None, p1, 42, from, to);
    let g3 = agree(s, users[2], a2, None, p2, 168, from, to);
    let g4 = agree(
        s,
        users[3],
        a3,
        None,
        p2,
        84,
        date(2025, 12, 1),
        date(2026, 9, 15),
    );
    let g5 = agree(s, users[4], a3, None, p2, 42, from, to);
    Office {
        db,
        p1,
        p2,
        g1,
        g2,
        g3,
        g4,
        g5,
        users,
        a3,
    }
}

/// A report with `minutes(day)` for each day of the month.
fn report_with(
    agreement: u64,
    m: Month,
    status: ReportStatus,
    minutes: impl Fn(chrono::NaiveDate) -> u16,
) -> MonthlyReport {
    let mut r = MonthlyReport::from_schedule(agreement, m, &[], 0, date(2026, 11, 3));
    for (i, slot) in r.minutes.iter_mut().enumerate() {
        *slot = minutes(m.first_day() + chrono::Days::new(i as u64));
    }
    r.status = status;
    r
}

/// `minutes` on each working day of the month (by the law's calendar) in `days`.
fn on_working_days(
    agreement: u64,
    m: Month,
    minutes: u16,
    days: std::ops::RangeInclusive<u32>,
) -> MonthlyReport {
    let cal = WorkCalendar::default();
    report_with(agreement, m, ReportStatus::Accepted, |d| {
        use chrono::Datelike;
        if cal.is_working_day(d) && days.contains(&d.day()) {
            minutes
        } else {
            0
        }
    })
}

fn refusal(r: Result<Record, ServiceError>) -> Vec<FieldError> {
    match r {
        Err(ServiceError::Invalid(e)) => e,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The refusal holds exactly this reason on this field, and its message in both languages.
fn refused_with(r: Result<Record, ServiceError>, field: &str, reason: Reason, bg: &str, en: &str) {
    let errors = refusal(r);
    let e = errors
        .iter()
        .find(|e| e.reason == reason)
        .unwrap_or_else(|| panic!("no {reason:?} in {errors:?}"));
    assert_eq!(e.field, field, "{errors:?}");
    let (b, n) = (reason.explain(Lang::Bg), reason.explain(Lang::En));
    assert!(b.contains(bg), "{b}");
    assert!(n.contains(en), "{n}");
}

fn create(o: &Office, r: MonthlyReport) -> Result<Record, ServiceError> {
    o.db.admin.create(Body::Report(r))
}

#[test]
fn each_check_names_its_day_and_rule() {
    let o = office();
    let oct = month(2026, 10);
    // A month that has not begun (today is 17 Nov 2026).
    refused_with(
        create(&o, on_working_days(o.g1, month(2026, 12), 60, 1..=3)),
        "month",
        Reason::FutureMonth {
            year: 2026,
            month: 12,
        },
        "месец 12.2026 още не е започнал",
        "12.2026 has not begun",
    );
    // This month, but a day after today.
    refused_with(
        create(&o, on_working_days(o.g1, month(2026, 11), 60, 16..=18)),
        "minutes",
        Reason::DayInFuture { day: 18 },
        "18-о число е след днешния ден",
        "day 18 is after today",
    );
    // After the agreement's end (Тодор's ended on 15 September).
    refused_with(
        create(&o, on_working_days(o.g4, month(2026, 9), 60, 14..=16)),
        "minutes",
        Reason::ReportOutsidePeriod { day: 16 },
        "16-о число е извън периода на споразумението",
        "day 16 is outside",
    );
    // On a suspended day.
    o.db.admin
        .create(Body::Suspension(Suspension {
            agreement: o.g1,
            from: date(2026, 10, 19),
            to: Some(date(2026, 10, 20)),
            reason: "hospital".into(),
            note: String::new(),
        }))
        .unwrap();
    refused_with(
        create(&o, on_working_days(o.g1, oct, 60, 16..=19)),
        "minutes",
        Reason::ReportedOnSuspendedDay { day: 19 },
        "19-о число е в период на спиране",
        "day 19 falls in a suspension",
    );
    // More than 8 hours in a day, in one report.
    refused_with(
        create(&o, on_working_days(o.g1, oct, 9 * 60, 5..=5)),
        "minutes",
        Reason::DayOverLimit {
            day: 5,
            limit_minutes: 480,
        },
        "5-о число: повече от 8 часа за ден",
        "day 5: more than 8 hours",
    );
    // The month's total over the agreement's 84 hours: 4 h on every working day is 88.
    refused_with(
        create(&o, on_working_days(o.g2, oct, 4 * 60, 1..=31)),
        "minutes",
        Reason::ReportOverAgreement {
            cap_minutes: 42 * 60,
            found_minutes: 88 * 60,
            open_days: 22,
            working_days: 22,
        },
        "отчетени са 88 часа, а споразумението позволява 42 часа за месеца",
        "88 hours reported; the agreement allows 42 hours",
    );
    // The substitute's hours: not on an agreement without a substitute, within the day's limit.
    let mut r = on_working_days(o.g2, oct, 60, 1..=2);
    r.substitute_minutes = r.minutes.clone();
    refused_with(
        create(&o, r),
        "substitute_minutes",
        Reason::NoSubstitute,
        "няма заместник асистент",
        "names no substitute",
    );
    let mut r = on_working_days(o.g1, oct, 60, 1..=2);
    r.substitute_minutes = vec![0; 31];
    r.substitute_minutes[5] = 9 * 60;
    refused_with(
        create(&o, r),
        "substitute_minutes",
        Reason::DayOverLimit {
            day: 6,
            limit_minutes: 480,
        },
        "6-о число",
        "day 6",
    );
    // Absences: the assistant on leave has no hours; with the user in hospital, no one has.
    let mut r = on_working_days(o.g1, oct, 120, 5..=9);
    r.substitute_minutes = vec![0; 31];
    r.substitute_minutes[6] = 120;
    r.substitute_minutes[7] = 120;
    r.minutes[6] = 0;
    r.minutes[7] = 0;
    r.absences = vec![
        (5, Absence::Leave),
        (7, Absence::UserInHospital),
        (8, Absence::Sick),
    ];
    let errors = refusal(create(&o, r.clone()));
    let days: Vec<Reason> = errors.iter().map(|e| e.reason.clone()).collect();
    assert_eq!(
        days,
        [
            Reason::HoursOnAbsence { day: 5 },
            Reason::HoursOnAbsence { day: 7 }
        ],
        "the 8th, sick with the substitute working, is fine: {errors:?}"
    );
    assert!(Reason::HoursOnAbsence { day: 5 }
        .explain(Lang::Bg)
        .contains("5-о число е отбелязано като отсъствие"));
    r.minutes[4] = 0;
    r.substitute_minutes[6] = 0;
    create(&o, r).unwrap();
}

#[test]
fn the_assistants_limits_count_every_user_and_the_neighbouring_month() {
    let o = office();
    let oct = month(2026, 10);
    // Иван: 5 h for Мария on 5 October, then 4 h for Георги the same day: 9 h.
    create(&o, on_working_days(o.g1, oct, 5 * 60, 5..=9)).unwrap();
    refused_with(
        create(&o, on_working_days(o.g2, oct, 4 * 60, 5..=5)),
        "minutes",
        Reason::DayOverLimit {
            day: 5,
            limit_minutes: 480,
        },
        "5-о число",
        "day 5",
    );
    // 3 h a day for Георги fits each day, but the week 5–11 October comes to 25 + 15 + 2 (the
    // Saturday) = 42 hours.
    let mut r = on_working_days(o.g2, oct, 3 * 60, 5..=9);
    r.minutes[9] = 120;
    refused_with(
        create(&o, r.clone()),
        "minutes",
        Reason::WeekOverLimit {
            from_day: 5,
            to_day: 11,
            limit_minutes: 40 * 60,
            found_minutes: 42 * 60,
        },
        "седмицата 5–11-о число: 42 часа при всички ползватели на асистента, над допустимите 40",
        "the week of days 5–11: 42 hours over all the assistant's users",
    );
    r.minutes[9] = 0;
    create(&o, r).unwrap();

    // A week across two months: Monday 28 September to Sunday 4 October.
    let o = office();
    let sep = month(2026, 9);
    create(
        &o,
        report_with(o.g1, sep, ReportStatus::Accepted, |d| {
            if d >= date(2026, 9, 28) {
                480
            } else {
                0
            }
        }),
    )
    .unwrap();
    let mut r = on_working_days(o.g2, oct, 480, 1..=2);
    r.minutes[2] = 60; // Saturday the 3rd
    refused_with(
        create(&o, r.clone()),
        "minutes",
        Reason::WeekOverLimit {
            from_day: 1,
            to_day: 4,
            limit_minutes: 40 * 60,
            found_minutes: 41 * 60,
        },
        "седмицата 1–4-о число: 41 часа",
        "the week of days 1–4: 41 hours",
    );
    r.minutes[2] = 0;
    create(&o, r).unwrap();
}

#[test]
fn hours_are_in_proportion_when_the_agreement_starts_ends_or_is_suspended_in_the_month() {
    let o = office();
    let s = &o.db.admin;
    let cal = WorkCalendar::default();
    // Тодор's agreement ends on 15 September 2026. September has 20 working days (the 7th
    // makes up for Sunday the 6th, the 22nd is a holiday); 1–15 hold 10 of them: 42 of 84 h.
    assert_eq!(cal.working_days_in_month(2026, 9), 20);
    let r = |extra: u16| {
        let mut r = on_working_days(o.g4, month(2026, 9), 240, 1..=15);
        r.minutes[11] = extra; // Saturday the 12th, inside the period
        r
    };
    refused_with(
        create(&o, r(180)),
        "minutes",
        Reason::ReportOverAgreement {
            cap_minutes: 42 * 60,
            found_minutes: 43 * 60,
            open_days: 10,
            working_days: 20,
        },
        "(пропорционално: 10 от 20 работни дни в срока му и без спиране)",
        "(in proportion: 10 of 20 working days",
    );
    create(&o, r(120)).unwrap();

    // Стефка's 168 h, suspended 5–9 October: 17 of October's 22 working days remain.
    s.create(Body::Suspension(Suspension {
        agreement: o.g3,
        from: date(2026, 10, 5),
        to: Some(date(2026, 10, 9)),
        reason: "hospital".into(),
        note: String::new(),
    }))
    .unwrap();
    let cap = 168 * 60 * 17 / 22;
    let open = |minutes: u16| {
        report_with(o.g3, month(2026, 10), ReportStatus::Accepted, |d| {
            if cal.is_working_day(d) && !(date(2026, 10, 5)..=date(2026, 10, 9)).contains(&d) {
                minutes
            } else {
                0
            }
        })
    };
    refused_with(
        create(&o, open(8 * 60)),
        "minutes",
        Reason::ReportOverAgreement {
            cap_minutes: cap,
            found_minutes: 17 * 8 * 60,
            open_days: 17,
            working_days: 22,
        },
        "17 от 22 работни дни",
        "17 of 22 working days",
    );
    create(&o, open(450)).unwrap();
    let summary = s.monthly_report(month(2026, 10)).unwrap();
    let row = summary.rows.iter().find(|r| r.agreement == o.g3).unwrap();
    assert_eq!(
        (row.agreed_minutes, row.reported_minutes),
        (cap, 17 * 450),
        "the summary's hours agreed follow the same rule"
    );

    // An agreement from the 16th of October (where the settings allow it): 11 of 22 days.
    let mut settings = s.settings().unwrap();
    settings.settings.agreements_start_on_first = false;
    s.update_settings(settings.rev, settings.settings).unwrap();
    // Георги's second agreement, with Петър: 42 + 84 hours within his направление's 168.
    let late = agree(
        s,
        o.users[1],
        o.a3,
        None,
        o.p2,
        84,
        date(2026, 10, 16),
        date(2026, 12, 31),
    );
    refused_with(
        create(&o, on_working_days(late, month(2026, 10), 240, 15..=31)),
        "minutes",
        Reason::ReportOutsidePeriod { day: 15 },
        "15-о число",
        "day 15",
    );
    refused_with(
        create(&o, on_working_days(late, month(2026, 10), 240, 16..=31)),
        "minutes",
        Reason::ReportOverAgreement {
            cap_minutes: 42 * 60,
            found_minutes: 44 * 60,
            open_days: 11,
            working_days: 22,
        },
        "11 от 22 работни дни",
        "11 of 22 working days",
    );
}

#[test]
fn an_accepted_report_changes_only_after_it_is_returned_with_a_reason() {
    let o = office();
    let s = &o.db.admin;
    let oct = month(2026, 10);
    // A report is never created as returned.
    let mut r = on_working_days(o.g1, oct, 180, 1..=31);
    r.status = ReportStatus::Returned;
    refused_with(
        create(&o, r.clone()),
        "status",
        Reason::BadTransition,
        "не е допустима",
        "not allowed",
    );
    r.status = ReportStatus::Accepted;
    let rec = create(&o, r.clone()).unwrap();
    let mut changed = r.clone();
    changed.minutes[0] = 120;
    refused_with(
        s.update(rec.id(), rec.meta.rev, Body::Report(changed.clone())),
        "status",
        Reason::ReportAccepted,
        "връщане за корекция",
        "returned for correction",
    );
    // The reason is required; a stale rev is a conflict.
    assert!(matches!(
        s.return_report(rec.id(), rec.meta.rev, "  "),
        Err(ServiceError::Invalid(e)) if e[0].reason == Reason::Required
    ));
    assert!(matches!(
        s.return_report(rec.id(), rec.meta.rev + 1, "грешка"),
        Err(ServiceError::Conflict { .. })
    ));
    let back = s
        .return_report(rec.id(), rec.meta.rev, "Часовете на 1-о число са 2, не 3.")
        .unwrap();
    let Body::Report(b) = &back.body else {
        unreachable!()
    };
    assert_eq!(b.status, ReportStatus::Returned);
    assert_eq!(back.meta.rev, rec.meta.rev + 1);
    assert!(matches!(
        s.return_report(back.id(), back.meta.rev, "пак"),
        Err(ServiceError::Invalid(e)) if e[0].reason == Reason::BadTransition
    ));
    let entry = s
        .audit_log(None, 1000)
        .unwrap()
        .into_iter()
        .find(|e| e.action == AuditAction::ReportReturn)
        .unwrap();
    assert_eq!(entry.id, Some(rec.id()));
    assert!(entry
        .changes
        .iter()
        .any(|c| c.field == "reason" && c.new == "Часовете на 1-о число са 2, не 3."));
    assert!(entry
        .changes
        .iter()
        .any(|c| c.field == "status" && c.old == "Accepted" && c.new == "Returned"));
    // Corrected and accepted again; a clerk may return too.
    let fixed = s
        .update(back.id(), back.meta.rev, Body::Report(changed))
        .unwrap();
    s.add_clerk("mpetrova", "Мария Петрова", Role::Clerk)
        .unwrap();
    let clerk = o.db.svc.session("mpetrova").unwrap();
    clerk
        .return_report(fixed.id(), fixed.meta.rev, "Липсва подпис.")
        .unwrap();
    // An auditor may not.
    s.add_clerk("odit", "Одитор", Role::Auditor).unwrap();
    let auditor = o.db.svc.session("odit").unwrap();
    let current = s.get(Kind::Report, fixed.id()).unwrap();
    assert!(matches!(
        auditor.return_report(current.id(), current.meta.rev, "x"),
        Err(ServiceError::Forbidden {
            role: Role::Auditor,
            ..
        })
    ));
}

/// A suspension over days a report already has hours on is refused, naming the first such
/// day; once the report is returned and its hours on those days taken off, it is saved.
#[test]
fn a_suspension_over_reported_hours_waits_for_the_reports_correction() {
    let o = office();
    let s = &o.db.admin;
    let oct = month(2026, 10);
    let rec = create(&o, on_working_days(o.g1, oct, 180, 1..=31)).unwrap();
    let suspension = Suspension {
        agreement: o.g1,
        from: date(2026, 10, 3),
        to: Some(date(2026, 10, 9)),
        reason: "hospital".into(),
        note: String::new(),
    };
    // The 3rd and 4th are a weekend without hours: the 5th is the first day reported.
    refused_with(
        s.create(Body::Suspension(suspension.clone())),
        "from",
        Reason::SuspensionOverReport {
            day: date(2026, 10, 5),
        },
        "на 05.10.2026 има отчетени часове",
        "05.10.2026 has hours in a monthly report",
    );
    let back = s
        .return_report(rec.id(), rec.meta.rev, "Болница от 5 до 9 октомври.")
        .unwrap();
    let Body::Report(mut r) = back.body.clone() else {
        unreachable!()
    };
    for day in 5..=9 {
        r.minutes[day - 1] = 0;
    }
    r.status = ReportStatus::Received;
    s.update(back.id(), back.meta.rev, Body::Report(r)).unwrap();
    s.create(Body::Suspension(suspension)).unwrap();
}

#[test]
fn a_closed_month_is_read_only_until_a_supervisor_reopens_it() {
    let o = office();
    let s = &o.db.admin;
    let oct = month(2026, 10);
    let rec = create(&o, on_working_days(o.g1, oct, 180, 1..=31)).unwrap();
    s.add_clerk("mpetrova", "Мария Петрова", Role::Clerk)
        .unwrap();
    s.add_clerk("shef", "Стоянка Шефова", Role::Supervisor)
        .unwrap();
    s.add_clerk("odit", "Одитор", Role::Auditor).unwrap();
    let clerk = o.db.svc.session("mpetrova").unwrap();
    let boss = o.db.svc.session("shef").unwrap();
    let auditor = o.db.svc.session("odit").unwrap();
    // After the АСП day (the 10th) the agenda shows October still open.
    let open_items = |s: &Session| {
        s.agenda(7, None)
            .unwrap()
            .items
            .into_iter()
            .filter(|i| i.kind == AgendaKind::MonthOpen)
            .map(|i| (i.due, i.detail))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        open_items(&clerk),
        [(date(2026, 11, 10), "10.2026".to_string())]
    );
    for who in [&clerk, &auditor] {
        assert!(matches!(
            who.close_month(oct),
            Err(ServiceError::Forbidden {
                action: Action::CloseMonth,
                ..
            })
        ));
    }
    let not_over = boss.close_month(month(2026, 11)).unwrap_err();
    assert!(
        matches!(&not_over, ServiceError::Invalid(e) if e[0].reason == Reason::MonthNotOver { year: 2026, month: 11 }),
        "{not_over:?}"
    );
    let closing = boss.close_month(oct).unwrap();
    assert_eq!(
        closing,
        MonthClosing {
            month: oct,
            at: now(),
            by: "shef".into()
        }
    );
    assert!(open_items(&clerk).is_empty());
    assert_eq!(s.monthly_report(oct).unwrap().closed, Some(closing.clone()));
    assert!(
        s.check().unwrap().problems.is_empty(),
        "check reads the closing"
    );
    let closed = Reason::MonthClosed {
        year: 2026,
        month: 10,
    };
    assert!(
        matches!(boss.close_month(oct), Err(ServiceError::Invalid(e)) if e[0].reason == closed)
    );
    // Nothing of October's reports changes: a new one, an update, a return.
    refused_with(
        create(&o, on_working_days(o.g2, oct, 60, 1..=31)),
        "month",
        closed.clone(),
        "месец 10.2026 е приключен",
        "the month 10.2026 is closed",
    );
    let Body::Report(mut r) = rec.body.clone() else {
        unreachable!()
    };
    r.status = ReportStatus::Received;
    refused_with(
        clerk.update(rec.id(), rec.meta.rev, Body::Report(r.clone())),
        "month",
        closed.clone(),
        "докато ръководител не го отвори отново",
        "until a supervisor reopens it",
    );
    assert!(matches!(
        clerk.return_report(rec.id(), rec.meta.rev, "грешка"),
        Err(ServiceError::Invalid(e)) if e[0].reason == closed
    ));
    // Reopening: supervisors, with a reason.
    assert!(matches!(
        clerk.reopen_month(oct, "грешка"),
        Err(ServiceError::Forbidden { .. })
    ));
    assert!(matches!(
        boss.reopen_month(oct, ""),
        Err(ServiceError::Invalid(e)) if e[0].reason == Reason::Required
    ));
    assert!(matches!(
        boss.reopen_month(month(2026, 9), "x"),
        Err(ServiceError::Invalid(e)) if e[0].reason == Reason::MonthNotClosed { year: 2026, month: 9 }
    ));
    boss.reopen_month(oct, "АСП поиска корекция на отчета на Мария Петрова.")
        .unwrap();
    assert_eq!(s.monthly_report(oct).unwrap().closed, None);
    clerk
        .return_report(rec.id(), rec.meta.rev, "грешка")
        .unwrap();
    let log = s.audit_log(None, 1000).unwrap();
    let close = log
        .iter()
        .find(|e| e.action == AuditAction::MonthClose)
        .unwrap();
    assert_eq!(close.login, "shef");
    assert!(close
        .changes
        .iter()
        .any(|c| c.field == "month" && c.new == "2026-10"));
    let reopen = log
        .iter()
        .find(|e| e.action == AuditAction::MonthReopen)
        .unwrap();
    assert!(reopen
        .changes
        .iter()
        .any(|c| c.field == "reason" && c.new.starts_with("АСП поиска")));
}

#[test]
fn a_closing_is_stored_as_its_golden_bytes() {
    use frontoffice::store::months::{decode_closing, encode_closing};
    let closing = MonthClosing {
        month: month(2026, 10),
        at: now(),
        by: "shef".into(),
    };
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/golden/envelope2/month_closing-v1.bin");
    let bytes = encode_closing(&closing).unwrap();
    if std::env::var("FO_BLESS").is_ok() && !path.exists() {
        std::fs::write(&path, &bytes).unwrap();
    }
    let golden = std::fs::read(&path).expect("FO_BLESS=1 writes the golden closing");
    assert_eq!(bytes, golden);
    assert_eq!(decode_closing(&golden).unwrap(), closing);
}

/// Working days per month by the Labour Code alone (чл. 154: fixed holidays, a fixed holiday on
/// a Saturday or Sunday moving to the next working day, the Orthodox Easter days from Good
/// Friday to Easter Monday, which do not move), without any government swap. Each month is its
/// weekdays less its weekdays off:
///
/// 2025 (Easter 20 Apr): Jan 23−1 (1st) = 22; Feb 20; Mar 21−1 (3rd, Mon) = 20; Apr 22−2 (Good
/// Friday 18th, Easter Monday 21st) = 20; May 22−3 (1st Thu, 6th Tue, 24th Sat → Mon 26th) = 19;
/// Jun 21; Jul 23; Aug 21; Sep 22−2 (6th Sat → Mon 8th, 22nd Mon) = 20; Oct 23; Nov 20; Dec
/// 23−3 (24th–26th, Wed–Fri) = 20.
///
/// 2026 (Easter 12 Apr): Jan 22−1 (1st) = 21; Feb 20; Mar 22−1 (3rd, Tue) = 21; Apr 22−2 (10th,
/// 13th) = 20; May 21−3 (1st Fri, 6th Wed, 24th Sun → Mon 25th) = 18; Jun 22; Jul 23; Aug 21;
/// Sep 22−2 (6th Sun → Mon 7th, 22nd Tue) = 20; Oct 22; Nov 21; Dec 23−3 (24th Thu, 25th Fri,
/// 26th Sat → Mon 28th) = 20.
///
/// 2027 (Easter 2 May): Jan 21−1 (1st) = 20; Feb 20; Mar 23−1 (3rd, Wed) = 22; Apr 22−1 (Good
/// Friday 30th) = 21; May 21−4 = 17: Labour Day falls on Holy Saturday (1st), so it moves to
/// the next working day: not Easter Monday the 3rd, a holiday itself, but Tuesday the 4th (as
/// in 2021, when 1 May was Holy Saturday too and 4 May was off); with the 3rd, the 6th (Thu)
/// and the 24th (Mon); Jun 22; Jul 22; Aug 22; Sep 22−2 (6th Mon, 22nd Wed) = 20; Oct 21;
/// Nov 22; Dec 23−3 (24th Fri, 25th Sat → Mon 27th, 26th Sun → Tue 28th) = 20.
#[test]
fn working_days_per_month_2025_to_2027() {
    let table = [
        (2025, [22, 20, 20, 20, 19, 21, 23, 21, 20, 23, 20, 20]),
        (2026, [21, 20, 21, 20, 18, 22, 23, 21, 20, 22, 21, 20]),
        (2027, [20, 20, 22, 21, 17, 22, 22, 22, 20, 21, 22, 20]),
    ];
    let cal = WorkCalendar::default();
    for (year, months) in table {
        for (m, expected) in (1..=12).zip(months) {
            assert_eq!(
                cal.working_days_in_month(year, m),
                expected,
                "{m:02}.{year}"
            );
            assert_eq!(cal.month_days(month(year, m)).working_days(), expected);
        }
    }
    // The government's swaps from the settings: a day off added, a Saturday worked.
    let swapped = WorkCalendar::new(frontoffice::domain::calendar::CalendarRules {
        extra_days_off: vec![date(2026, 1, 2)],
        extra_working_days: vec![date(2026, 1, 17)],
    });
    assert_eq!(swapped.working_days_in_month(2026, 1), 21);
    assert!(!swapped.is_working_day(date(2026, 1, 2)));
    assert!(swapped.is_working_day(date(2026, 1, 17)));
}

/// October 2026: Мария's report accepted (Иван 70 h, his substitute Петър 8 h while Иван was on
/// leave), Георги's received but not yet accepted, Стефка's accepted (Елена 132 h), Цветана's
/// missing. December 2025: Тодор's accepted (Петър 80 h at the lev rate).
fn october(o: &Office) {
    let oct = month(2026, 10);
    let mut r = on_working_days(o.g1, oct, 210, 1..=31);
    r.substitute_minutes = vec![0; 31];
    for day in [12, 13] {
        r.minutes[day - 1] = 0;
        r.substitute_minutes[day - 1] = 240;
        r.absences.push((day as u32, Absence::Leave));
    }
    create(o, r).unwrap();
    let cal = WorkCalendar::default();
    create(
        o,
        report_with(o.g2, oct, ReportStatus::Received, |d| {
            use chrono::{Datelike, Weekday};
            let mwf = matches!(d.weekday(), Weekday::Mon | Weekday::Wed | Weekday::Fri);
            if cal.is_working_day(d) && mwf && d != date(2026, 10, 12) {
                120
            } else {
                0
            }
        }),
    )
    .unwrap();
    create(o, on_working_days(o.g3, oct, 360, 1..=31)).unwrap();
    create(o, on_working_days(o.g4, month(2025, 12), 240, 1..=31)).unwrap();
}

#[test]
fn the_months_summary_gives_hours_missing_reports_and_pay_per_provider() {
    let o = office();
    october(&o);
    let s = &o.db.admin;
    let m = s.monthly_report(month(2026, 10)).unwrap();
    assert_eq!(m.working_days, 22);
    let row = |g: u64| m.rows.iter().find(|r| r.agreement == g).unwrap();
    assert!(
        m.rows.iter().all(|r| r.agreement != o.g4),
        "ended in September"
    );
    assert_eq!(
        (row(o.g1).reported_minutes, row(o.g1).substitute_minutes),
        (78 * 60, 8 * 60)
    );
    assert_eq!(row(o.g1).substitute, "Петър Стоянов");
    assert_eq!(row(o.g2).status, RowStatus::Received);
    assert_eq!(row(o.g2).reported_minutes, 24 * 60);
    assert!(row(o.g2).paid.is_empty(), "not accepted: not paid");
    assert_eq!(row(o.g5).status, RowStatus::Missing);
    let providers = m.providers();
    assert_eq!(
        providers
            .iter()
            .map(|p| (p.name.as_str(), p.agreements, p.missing))
            .collect::<Vec<_>>(),
        [("Община Тестово", 2, 0), ("Сдружение Грижа", 2, 1)]
    );
    // 70 h × 3.74 = 261.80 and 8 h × 3.74 = 29.92 for the municipality; 132 h × 3.74 = 493.68.
    let pay = m.pay_lines();
    let names: Vec<&str> = pay.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["Иван Иванов", "Петър Стоянов", "Елена Димова"]);
    assert_eq!(
        pay.iter()
            .map(|l| (l.provider, l.minutes, l.cents))
            .collect::<Vec<_>>(),
        [
            (o.p1, 70 * 60, 26180),
            (o.p1, 8 * 60, 2992),
            (o.p2, 132 * 60, 49368)
        ]
    );
    assert_eq!(
        (providers[0].eur_cents, providers[1].eur_cents),
        (29172, 49368)
    );
    assert_eq!(providers[0].cents, [("EUR".to_string(), 29172)]);
    let only = m.for_provider(o.p2);
    assert_eq!(only.rows.len(), 2);
    assert_eq!(only.providers().len(), 1);

    // December 2025 was paid in leva: 80 h × 7.81 = 624.80 BGN, worth 319.46 EUR.
    let dec = s.monthly_report(month(2025, 12)).unwrap();
    assert_eq!(dec.working_days, 20);
    let lines = dec.pay_lines();
    assert_eq!(lines.len(), 1);
    let rate = lines[0].rate.as_ref().unwrap();
    assert_eq!((rate.cents_per_hour, rate.currency.as_str()), (781, "BGN"));
    assert_eq!((lines[0].cents, lines[0].eur_cents), (62480, Some(31946)));
    assert_eq!(dec.providers()[0].cents, [("BGN".to_string(), 62480)]);
}

/// The chart's months are the months' summaries: for each of the 12 months up to October, the
/// agreed, reported and accepted hours over every agreement, or one provider's; more than two
/// years (or none) is refused with the bounds.
#[test]
fn the_trend_of_twelve_months_is_each_months_summary() {
    let o = office();
    october(&o);
    let s = &o.db.admin;
    for provider in [None, Some(o.p1), Some(o.p2)] {
        let trend = s.monthly_trend(month(2026, 10), 12, provider).unwrap();
        assert_eq!(trend.len(), 12);
        assert_eq!(trend[0].month, month(2025, 11));
        assert_eq!(trend[11].month, month(2026, 10));
        for t in &trend {
            let m = s.monthly_report(t.month).unwrap();
            let m = match provider {
                Some(p) => m.for_provider(p),
                None => m,
            };
            let (agreed, reported) = m.totals();
            let accepted: u64 = m
                .rows
                .iter()
                .filter(|r| r.status == RowStatus::Accepted)
                .map(|r| u64::from(r.reported_minutes))
                .sum();
            assert_eq!(
                (t.agreed_minutes, t.reported_minutes, t.accepted_minutes),
                (agreed, reported, accepted),
                "{:?} {provider:?}",
                t.month
            );
        }
    }
    let all = s.monthly_trend(month(2026, 10), 12, None).unwrap();
    assert!(
        all[11].reported_minutes > all[11].accepted_minutes,
        "October has a received one"
    );
    assert!(all[1].reported_minutes > 0, "December 2025 has a report");
    for bad in [0, 25] {
        match s.monthly_trend(month(2026, 10), bad, None) {
            Err(ServiceError::Invalid(e)) => assert_eq!(
                e[0].reason,
                Reason::OutOfRange {
                    min: 1,
                    max: 24,
                    found: bad.into()
                }
            ),
            other => panic!("{other:?}"),
        }
    }
}

/// The rows a month screen reloads after a change are the summary's rows of those agreements;
/// one not in force that month (or no agreement at all) is left out; a thousand and one are
/// refused.
#[test]
fn the_rows_of_some_agreements_are_the_summarys() {
    let o = office();
    october(&o);
    let s = &o.db.admin;
    let oct = month(2026, 10);
    let summary = s.monthly_report(oct).unwrap();
    let rows = s.monthly_rows(oct, vec![o.g2, o.g4, o.p1, o.g1]).unwrap();
    let want: Vec<_> = [o.g2, o.g1]
        .iter()
        .map(|g| {
            summary
                .rows
                .iter()
                .find(|r| r.agreement == *g)
                .unwrap()
                .clone()
        })
        .collect();
    assert_eq!(rows, want, "g4 ended in September; p1 is no agreement");
    assert!(matches!(
        s.monthly_rows(oct, vec![o.g1; 1001]),
        Err(ServiceError::BadRequest(_))
    ));
}

#[test]
fn the_payroll_is_an_audited_export_of_full_identifiers() {
    let o = office();
    october(&o);
    let s = &o.db.admin;
    s.add_clerk("mpetrova", "Мария Петрова", Role::Clerk)
        .unwrap();
    let clerk = o.db.svc.session("mpetrova").unwrap();
    assert!(matches!(
        clerk.payroll(month(2026, 10), None),
        Err(ServiceError::Forbidden {
            action: Action::Export,
            ..
        })
    ));
    let lines = s.payroll(month(2026, 10), Some(o.p1)).unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0].ident, "7501020002");
    assert_eq!(lines[0].iban, make_bg_iban("BNBG", 1001));
    let entry = s
        .audit_log(None, 1000)
        .unwrap()
        .into_iter()
        .rev()
        .find(|e| e.action == AuditAction::Export)
        .unwrap();
    assert_eq!(entry.kind, Some(Kind::Assistant));
    let change = |f: &str| {
        entry
            .changes
            .iter()
            .find(|c| c.field == f)
            .map(|c| c.new.clone())
    };
    assert_eq!(change("payroll").as_deref(), Some("2026-10"));
    assert_eq!(change("provider"), Some(o.p1.to_string()));
    assert_eq!(change("records").as_deref(), Some("2"));
    assert_eq!(change("ident").as_deref(), Some("full"));
    // The log never holds the number itself.
    assert!(!format!("{:?}", s.audit_log(None, 1000).unwrap()).contains("7501020002"));
}

// ---------------------------------------------------------------------------------------------
// The real binary on the same database.

fn bin() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_frontoffice"));
    c.env_remove("FRONTOFFICE_DB")
        .env_remove("FRONTOFFICE_LANG")
        .env_remove("FRONTOFFICE_SOCKET");
    c
}

fn ok(o: std::process::Output) -> String {
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    );
    assert!(o.status.success(), "{out}\n{err}");
    out
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The bytes are the golden file's (`FO_BLESS=1` writes a missing one).
fn golden(name: &str, bytes: &[u8]) {
    let path = fixture(name);
    if std::env::var("FO_BLESS").is_ok() && !path.exists() {
        std::fs::write(&path, bytes).unwrap();
    }
    let expected = std::fs::read(&path).unwrap_or_else(|_| panic!("{name}: FO_BLESS=1 writes it"));
    assert!(
        bytes == expected.as_slice(),
        "{name} differs:\n{}\n---\n{}",
        String::from_utf8_lossy(bytes),
        String::from_utf8_lossy(&expected)
    );
}

/// The October office with the Unix user running the tests as an administrator (the binary
/// and the server act as that user), and the summary the service gave in process.
fn office_for_binary() -> (MonthlySummary, Office) {
    let o = office();
    october(&o);
    let login = frontoffice::os::current_user().unwrap().login;
    if login != "admin" {
        o.db.admin.add_clerk(&login, "Тест", Role::Admin).unwrap();
    }
    let summary = o.db.admin.monthly_report(month(2026, 10)).unwrap();
    (summary, o)
}

/// Drops the office's service so that another process may open its database; returns the path.
fn release(o: Office) -> (tempfile::TempDir, PathBuf) {
    let Office { db, .. } = o;
    let Db { dir, svc, admin } = db;
    drop(admin);
    drop(svc);
    let path = dir.path().join("db");
    (dir, path)
}

#[test]
fn report_monthly_and_payroll_from_the_command_line() {
    let (summary, o) = office_for_binary();
    let (p1, p2) = (o.p1, o.p2);
    let (_dir, db) = release(o);
    let run = |args: &[&str]| ok(bin().arg("--db").arg(&db).args(args).output().unwrap());
    // JSON: the service's summary, and what the text computes from it.
    let json = run(&[
        "report", "monthly", "--month", "2026-10", "--format", "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let rows: Vec<frontoffice::domain::monthly::MonthlyRow> =
        serde_json::from_value(v["rows"].clone()).unwrap();
    assert_eq!(rows, summary.rows);
    let providers: Vec<frontoffice::domain::monthly::ProviderTotal> =
        serde_json::from_value(v["providers"].clone()).unwrap();
    assert_eq!(providers, summary.providers());
    let pay: Vec<frontoffice::domain::pay::PayLine> =
        serde_json::from_value(v["pay"].clone()).unwrap();
    assert_eq!(pay, summary.pay_lines());
    assert_eq!(v["working_days"], 22);
    // The text: 80 columns, a section per provider with its totals and pay.
    let text = run(&["report", "monthly", "--month", "2026-10", "--lang", "en"]);
    for line in text.lines() {
        assert!(unicode_width::UnicodeWidthStr::width(line) <= 80, "{line}");
    }
    for needle in [
        "Община Тестово",
        "Total: 2 agreements, 0 reports missing",
        "Total: 2 agreements, 1 report missing",
        "Total: 4 agreements, 1 report missing",
        "Иван Иванов",
        "70:00 × 3.74 EUR = 261.80 EUR",
        "8:00 × 3.74 EUR =  29.92 EUR",
        "Sum: 291.72 EUR",
        "Sum: 493.68 EUR",
        "Pay in all: 785.40 EUR",
    ] {
        assert!(text.contains(needle), "{needle:?} in\n{text}");
    }
    let only = run(&[
        "report",
        "monthly",
        "--month",
        "2026-10",
        "--provider",
        &p2.to_string(),
        "--format",
        "csv",
    ]);
    assert_eq!(only.lines().count(), 1 + 2 + 1, "{only}");
    assert!(!only.contains("Иван Иванов"));
    // A BGN month shows its euro value.
    let dec = run(&["report", "monthly", "--month", "2025-12"]);
    assert!(
        dec.contains("80:00 × 7.81 BGN = 624.80 BGN = 319.46 EUR"),
        "{dec}"
    );
    assert!(
        dec.contains("Заплащане общо: 624.80 BGN = 319.46 EUR"),
        "{dec}"
    );
    // The payroll, byte for byte: as CSV, and for Excel.
    golden(
        "payroll-2026-10.csv",
        run(&["report", "payroll", "--month", "2026-10"]).as_bytes(),
    );
    golden(
        "payroll-2026-10-excel.csv",
        run(&["report", "payroll", "--month", "2026-10", "--excel"]).as_bytes(),
    );
    let excel = run(&[
        "report",
        "payroll",
        "--month",
        "2026-10",
        "--excel",
        "--provider",
        &p1.to_string(),
    ]);
    assert!(excel.starts_with('\u{feff}'));
    assert!(
        excel.contains(";70,00;3,74;EUR;261,80;261,80;Община Тестово\r\n"),
        "{excel}"
    );
    let json = run(&[
        "report", "payroll", "--month", "2026-10", "--format", "json",
    ]);
    let lines: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(lines.as_array().unwrap().len(), 3);
    assert_eq!(lines[2]["cents"], 49368);
    // Bad input: a clear message and a failure.
    let bad = bin()
        .arg("--db")
        .arg(&db)
        .args(["report", "payroll", "--month", "2026-13"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--month 2026-13"));
    // Closing a month and reopening it from the command line.
    assert_eq!(
        run(&["month", "close", "2025-12", "--lang", "en"]),
        "2025-12: closed\n"
    );
    let again = bin()
        .arg("--db")
        .arg(&db)
        .args(["month", "close", "2025-12"])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("месец 12.2025 е приключен"));
    assert!(run(&["report", "monthly", "--month", "2025-12"]).contains("(приключен на "));
    assert_eq!(
        run(&[
            "month",
            "reopen",
            "2025-12",
            "--reason",
            "Корекция",
            "--lang",
            "en"
        ]),
        "2025-12: reopened\n"
    );
}

#[test]
fn through_a_running_server() {
    let (_, o) = office_for_binary();
    let g4 = o.g4;
    let (dir, db) = release(o);
    let socket = dir.path().join("fo.sock");
    let mut server = spawn_serve(&db, &socket);
    let client =
        frontoffice::server::client::Client::connect(&socket, Lang::Bg).expect("connected");
    // The payroll through the socket is the same file.
    let out = ok(bin()
        .arg("--connect")
        .arg(&socket)
        .args(["report", "payroll", "--month", "2026-10"])
        .output()
        .unwrap());
    golden("payroll-2026-10.csv", out.as_bytes());
    // December 2025 closed through the socket; a report of it is refused with its reason.
    let dec = month(2025, 12);
    let closing = client.close_month(dec).unwrap();
    assert_eq!(closing.month, dec);
    let report = client
        .related(g4)
        .unwrap()
        .into_iter()
        .find(|r| matches!(&r.body, Body::Report(x) if x.month == dec))
        .unwrap();
    match client.return_report(report.id(), report.meta.rev, "грешка") {
        Err(ServiceError::Invalid(e)) => assert_eq!(
            e[0].reason,
            Reason::MonthClosed {
                year: 2025,
                month: 12
            }
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        client.monthly_report(dec).unwrap().closed.map(|c| c.month),
        Some(dec)
    );
    client.reopen_month(dec, "Корекция от АСП").unwrap();
    let back = client
        .return_report(report.id(), report.meta.rev, "грешка")
        .unwrap();
    assert!(matches!(&back.body, Body::Report(r) if r.status == ReportStatus::Returned));
    drop(client);
    let _ = server.kill();
    let _ = server.wait();
}

// ---------------------------------------------------------------------------------------------
// What an accepted report fixes, and what a change of its agreement may do.

/// The refusal's reason on `field`, with its message in both languages.
fn refused_change<T: std::fmt::Debug>(
    r: Result<T, ServiceError>,
    field: &str,
    reason: Reason,
    bg: &str,
    en: &str,
) {
    let errors = match r {
        Err(ServiceError::Invalid(e)) => e,
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert_eq!(errors, [FieldError::new(field, reason.clone())]);
    let (b, n) = (reason.explain(Lang::Bg), reason.explain(Lang::En));
    assert!(b.contains(bg), "{b}");
    assert!(n.contains(en), "{n}");
}

fn agreement_of(s: &dyn frontoffice::service::Api, id: u64) -> (Record, Agreement) {
    let r = ApiExt::get(s, Kind::Agreement, id).unwrap();
    let Body::Agreement(a) = r.body.clone() else {
        panic!("{r:?}")
    };
    (r, a)
}

/// The two found cases, through the real server and the real binary: October accepted and
/// closed, then the agreement's assistant changed, or the agreement ended on 5 October. Each
/// is refused with the month and why (closed; once reopened, the accepted report it would
/// move); what is not the agreement (the assistant's account, the settings' rate) changes,
/// and `report payroll` stays the same bytes throughout: the facts fixed at acceptance pay.
#[test]
fn a_closed_months_payroll_stays_the_same_bytes_whatever_changes_after() {
    let (_, o) = office_for_binary();
    let g1 = o.g1;
    let (dir, db) = release(o);
    let socket = dir.path().join("fo.sock");
    let mut server = spawn_serve(&db, &socket);
    let c = frontoffice::server::client::Client::connect(&socket, Lang::Bg).expect("connected");
    let payroll = || {
        ok(bin()
            .arg("--connect")
            .arg(&socket)
            .args(["report", "payroll", "--month", "2026-10"])
            .output()
            .unwrap())
    };
    let before = payroll();
    golden("payroll-2026-10.csv", before.as_bytes());
    let oct = month(2026, 10);
    c.close_month(oct).unwrap();
    // Another assistant for Мария's agreement.
    let person = c
        .create(Body::Person(person(
            "Нов",
            "Асистентов",
            Some(&egn_of(1979, 3, 3, 91)),
        )))
        .unwrap();
    let other = c
        .create(Body::Assistant(Assistant {
            person: person.id(),
            iban: Iban::parse(&make_bg_iban("BNBG", 4242)).unwrap(),
            relation: "без родство".into(),
            no_protection_order: true,
        }))
        .unwrap()
        .id();
    let (rec, a) = agreement_of(&c, g1);
    let new_assistant = Agreement {
        assistant: other,
        ..a.clone()
    };
    let closed = Reason::ChangeInClosedMonth {
        year: 2026,
        month: 10,
    };
    refused_change(
        c.update(
            rec.id(),
            rec.meta.rev,
            Body::Agreement(new_assistant.clone()),
        ),
        "assistant",
        closed.clone(),
        "месец 10.2026 е приключен",
        "the month 10.2026 is closed",
    );
    refused_change(
        c.end_agreement(g1, rec.meta.rev, date(2026, 10, 5), "wish"),
        "date",
        closed,
        "промяната би променила часовете или заплащането му",
        "the change would move its hours or pay",
    );
    // What is not the agreement moves freely, and the closed month's pay does not follow:
    // Иван's account changes, and so does the rate from 2026.
    let ivan = a.assistant;
    let ar = ApiExt::get(&c, Kind::Assistant, ivan).unwrap();
    let Body::Assistant(mut x) = ar.body.clone() else {
        panic!()
    };
    x.iban = Iban::parse(&make_bg_iban("BNBG", 7777)).unwrap();
    c.update(ivan, ar.meta.rev, Body::Assistant(x)).unwrap();
    let mut settings = c.settings().unwrap();
    for r in &mut settings.settings.pay_rates {
        if r.currency == "EUR" {
            r.cents_per_hour += 50;
        }
    }
    c.update_settings(settings.rev, settings.settings).unwrap();
    assert_eq!(
        payroll(),
        before,
        "the closed month pays as it was accepted"
    );
    // Reopened, the accepted report refuses both changes until it is returned.
    c.reopen_month(oct, "Корекция").unwrap();
    let moved = Reason::ChangeMovesAcceptedReport {
        year: 2026,
        month: 10,
    };
    refused_change(
        c.update(rec.id(), rec.meta.rev, Body::Agreement(new_assistant)),
        "assistant",
        moved.clone(),
        "отчетът за 10.2026 е приет и промяната би го променила: първо го върнете за корекция",
        "the report of 10.2026 is accepted and the change would move it: return it for correction first",
    );
    refused_change(
        c.end_agreement(g1, rec.meta.rev, date(2026, 10, 5), "wish"),
        "date",
        moved,
        "първо го върнете за корекция",
        "return it for correction first",
    );
    assert_eq!(payroll(), before, "nothing moved");
    drop(c);
    let _ = server.kill();
    let _ = server.wait();
}

/// A report not yet accepted goes back for correction in the same commit as the change of
/// its agreement, and the answer names it; accepted again, it pays under the new terms.
#[test]
fn a_change_sends_the_open_reports_back_and_says_which() {
    let o = office();
    october(&o);
    let s = &o.db.admin;
    let oct = month(2026, 10);
    // Георги's October report is received, not accepted: his agreement moves to the NGO.
    let (rec, a) = agreement_of(s, o.g2);
    let saved = s
        .update_saved(
            rec.id(),
            rec.meta.rev,
            Body::Agreement(Agreement {
                provider: o.p2,
                ..a.clone()
            }),
        )
        .unwrap();
    let report = s
        .related(o.g2)
        .unwrap()
        .into_iter()
        .find(|r| matches!(&r.body, Body::Report(m) if m.month == oct))
        .unwrap();
    assert_eq!(
        saved.returned,
        [frontoffice::domain::agreement_change::Correction {
            report: report.id(),
            agreement: o.g2,
            number: a.number.clone(),
            month: oct,
        }]
    );
    let Body::Report(mut r) = report.body.clone() else {
        unreachable!()
    };
    assert_eq!(r.status, ReportStatus::Returned);
    assert_eq!(
        saved.returned[0].explain(Lang::Bg),
        format!("отчетът за 10.2026 по {} е върнат за корекция", a.number)
    );
    assert_eq!(
        saved.returned[0].explain(Lang::En),
        format!(
            "the report of 10.2026 under {} was returned for correction",
            a.number
        )
    );
    // In the audit log as an update of the report in the same commit.
    let log = s.audit_log(None, 1000).unwrap();
    let last_two: Vec<_> = log.iter().rev().take(2).collect();
    assert!(last_two
        .iter()
        .any(|e| e.id == Some(report.id()) && e.action == AuditAction::Update));
    // Accepted again, it is paid to the NGO, and fixes what it was accepted under.
    r.status = ReportStatus::Accepted;
    let back = s
        .update(report.id(), report.meta.rev, Body::Report(r))
        .unwrap();
    let Body::Report(r) = &back.body else {
        unreachable!()
    };
    let facts = r.facts.as_ref().expect("accepted: facts fixed");
    let (now, _) = agreement_of(s, o.g2);
    assert_eq!(
        (
            facts.provider,
            facts.agreement_rev,
            facts.assistant.assistant
        ),
        (o.p2, now.meta.rev, a.assistant)
    );
    assert_eq!(facts.assistant.iban.as_str(), make_bg_iban("BNBG", 1001));
    assert_eq!(
        facts.substitute, None,
        "Георги's agreement has no substitute"
    );
    let m = s.monthly_report(oct).unwrap();
    let row = m.rows.iter().find(|x| x.agreement == o.g2).unwrap();
    assert_eq!(row.provider_id, o.p2);
    // A change that touches no report (its activities) returns none.
    let (rec, a) = agreement_of(s, o.g2);
    let saved = s
        .update_saved(
            rec.id(),
            rec.meta.rev,
            Body::Agreement(Agreement {
                activities: "битови".into(),
                ..a
            }),
        )
        .unwrap();
    assert!(saved.returned.is_empty());
}

/// A replacement from 15 October while October is accepted for the first assistant is
/// refused; once returned, the first is paid only up to the 14th and the second only from
/// the 15th: no day is paid twice.
#[test]
fn a_replacement_is_never_paid_for_days_paid_to_the_first() {
    let o = office();
    let s = &o.db.admin;
    let oct = month(2026, 10);
    // Иван, all of October for Мария (accepted), 3 h on each working day.
    let first = create(&o, on_working_days(o.g1, oct, 180, 1..=31)).unwrap();
    let b = assistant(s, "Борис", "Борисов", &egn_of(1982, 2, 2, 17), 2002);
    let (rec, _) = agreement_of(s, o.g1);
    refused_change(
        s.replace_assistant(rec.id(), rec.meta.rev, date(2026, 10, 15), b, None, "wish"),
        "from",
        Reason::ChangeMovesAcceptedReport {
            year: 2026,
            month: 10,
        },
        "е приет",
        "is accepted",
    );
    let back = s
        .return_report(
            first.id(),
            first.meta.rev,
            "Смяна на асистента от 15-о число.",
        )
        .unwrap();
    let saved = s
        .replace_assistant_saved(rec.id(), rec.meta.rev, date(2026, 10, 15), b, None, "wish")
        .unwrap();
    assert_eq!(saved.returned.len(), 1, "the returned report is named");
    assert_eq!(saved.returned[0].report, first.id());
    let next = saved.record;
    let Body::Agreement(mut n) = next.body.clone() else {
        unreachable!()
    };
    n.signed = Some(date(2026, 10, 14));
    n.status = AgreementStatus::Active;
    let next = s
        .update(next.id(), next.meta.rev, Body::Agreement(n))
        .unwrap();
    // The first assistant's report keeps none of the days from the 15th.
    let Body::Report(mut r) = back.body.clone() else {
        unreachable!()
    };
    r.status = ReportStatus::Accepted;
    refused_with(
        s.update(back.id(), back.meta.rev, Body::Report(r.clone())),
        "minutes",
        Reason::ReportOutsidePeriod { day: 15 },
        "15-о число е извън периода",
        "day 15 is outside",
    );
    for m in &mut r.minutes[14..] {
        *m = 0;
    }
    s.update(back.id(), back.meta.rev, Body::Report(r)).unwrap();
    // The second's report: nothing before the 15th.
    refused_with(
        create(&o, on_working_days(next.id(), oct, 120, 1..=31)),
        "minutes",
        Reason::ReportOutsidePeriod { day: 1 },
        "1-о число е извън периода",
        "day 1 is outside",
    );
    create(&o, on_working_days(next.id(), oct, 120, 15..=31)).unwrap();
    // Each day of October is paid once: a plain count of the working days on each side.
    let cal = WorkCalendar::default();
    let working = |days: std::ops::RangeInclusive<u32>| {
        days.filter(|d| cal.is_working_day(date(2026, 10, *d)))
            .count() as u32
    };
    let lines = s.monthly_report(oct).unwrap().pay_lines();
    let paid = |who: u64| -> u32 {
        lines
            .iter()
            .filter(|l| l.assistant == who)
            .map(|l| l.minutes)
            .sum()
    };
    let (_, a) = agreement_of(s, o.g1);
    assert_eq!(paid(a.assistant), working(1..=14) * 180);
    assert_eq!(paid(b), working(15..=31) * 120);
}

/// Hours on a day the schedule leaves free (Sunday, with a Monday-to-Friday schedule) are
/// saved with the warning kept on the record, in both languages; a report inside the
/// schedule has none.
#[test]
fn hours_off_the_schedule_are_kept_with_a_warning() {
    use frontoffice::domain::report::ReportWarning;
    let o = office();
    let s = &o.db.admin;
    let oct = month(2026, 10);
    let plain = create(&o, on_working_days(o.g3, oct, 360, 1..=31)).unwrap();
    assert!(matches!(&plain.body, Body::Report(r) if r.warnings.is_empty()));
    // Sunday the 4th and Sunday the 11th, 2 h each, for Георги (Mondays to Fridays).
    let mut r = on_working_days(o.g2, oct, 60, 1..=31);
    r.minutes[3] = 120;
    r.minutes[10] = 120;
    let rec = create(&o, r).unwrap();
    let Body::Report(r) = s.get(Kind::Report, rec.id()).unwrap().body else {
        unreachable!()
    };
    let w = ReportWarning::OffSchedule { days: vec![4, 11] };
    assert_eq!(r.warnings, std::slice::from_ref(&w));
    assert_eq!(
        w.explain(Lang::Bg),
        "Часове в ден без часове по седмичния график на споразумението: 4, 11-о число."
    );
    assert_eq!(
        w.explain(Lang::En),
        "Hours on a day the agreement's weekly schedule leaves free: day 4, 11."
    );
}

/// One person is one assistant: a second record for them is refused, naming the first. An
/// older database that holds two (written here below the service, as such a database was)
/// still has every limit counted per person: the schedule's day, a report's day, and the
/// substitute rule.
#[test]
fn limits_and_the_substitute_rule_count_persons_not_records() {
    use frontoffice::domain::record::Meta;
    use frontoffice::store::WriteSet;
    let o = office();
    let s = &o.db.admin;
    let (_, g1) = agreement_of(s, o.g1);
    let ivan = g1.assistant;
    let Body::Assistant(first) = s.get(Kind::Assistant, ivan).unwrap().body else {
        unreachable!()
    };
    let second = Assistant {
        iban: Iban::parse(&make_bg_iban("BNBG", 5005)).unwrap(),
        ..first.clone()
    };
    refused_change(
        s.create(Body::Assistant(second.clone())),
        "person",
        Reason::DuplicateAssistant { id: ivan },
        &format!("лицето вече е асистент (запис номер {ivan})"),
        &format!("the person is already an assistant (record number {ivan})"),
    );
    // The older database's second record of Иван, written straight to the store.
    let store = o.db.svc.store();
    let dup = Record {
        meta: Meta {
            id: store.new_id().unwrap(),
            rev: 1,
            created: now(),
            updated: now(),
            by: "admin".into(),
        },
        body: Body::Assistant(second),
    };
    let mut ws = WriteSet::default();
    ws.put_record(None, &dup).unwrap();
    store.commit(ws).unwrap();
    // Its own edits go on (a new account); moving another person's record onto Иван does not.
    let Body::Assistant(mut edited) = dup.body.clone() else {
        unreachable!()
    };
    edited.iban = Iban::parse(&make_bg_iban("BNBG", 5006)).unwrap();
    let dup = s.update(dup.id(), 1, Body::Assistant(edited)).unwrap();
    let (_, g3) = agreement_of(s, o.g3);
    let elena = s.get(Kind::Assistant, g3.assistant).unwrap();
    let Body::Assistant(mut moved) = elena.body.clone() else {
        unreachable!()
    };
    moved.person = first.person;
    let errors = match s.update(elena.id(), elena.meta.rev, Body::Assistant(moved)) {
        Err(ServiceError::Invalid(e)) => e,
        other => panic!("{other:?}"),
    };
    assert!(
        matches!(errors[..], [FieldError { ref field, reason: Reason::DuplicateAssistant { .. } }] if field == "person"),
        "{errors:?}"
    );
    // Иван works 4 h (Мария) + 2 h (Георги) each weekday: 4 more under the second record
    // come to 10 h on Mondays.
    let users = &o.users;
    let over = Agreement {
        assistant: dup.id(),
        week: [240, 0, 0, 0, 0, 0, 0],
        ..agreement(users[2].0, dup.id(), o.p1, users[2].1, 20)
    };
    let errors = match s.create(Body::Agreement(over)) {
        Err(ServiceError::Invalid(e)) => e,
        other => panic!("{other:?}"),
    };
    assert!(
        errors.iter().any(|e| e.field == "week"
            && matches!(
                &e.reason,
                Reason::AssistantOverLimit {
                    span: frontoffice::domain::reason::Span::Day(0),
                    found: 600,
                    cap: 480,
                    ..
                }
            )),
        "{errors:?}"
    );
    // The same person as assistant and substitute of one agreement.
    let (rec, a) = agreement_of(s, o.g2);
    refused_change(
        s.update(
            rec.id(),
            rec.meta.rev,
            Body::Agreement(Agreement {
                substitute: Some(dup.id()),
                ..a
            }),
        ),
        "substitute",
        Reason::SameAsSubstitute,
        "заместникът не може да е същият асистент",
        "the substitute cannot be the same assistant",
    );
    // A report's day: 5 h for Мария on 5 October, then 4 h under the second record the same
    // day (an agreement of 1 h a day fits the schedule's limits).
    let small = Agreement {
        assistant: dup.id(),
        week: [60, 60, 60, 60, 60, 0, 0],
        ..agreement(users[4].0, dup.id(), o.p1, users[4].1, 20)
    };
    let g6 = s.create(Body::Agreement(small)).unwrap().id();
    create(&o, on_working_days(o.g1, month(2026, 10), 5 * 60, 5..=5)).unwrap();
    refused_with(
        create(&o, on_working_days(g6, month(2026, 10), 4 * 60, 5..=5)),
        "minutes",
        Reason::DayOverLimit {
            day: 5,
            limit_minutes: 480,
        },
        "5-о число: повече от 8 часа",
        "day 5: more than 8 hours",
    );
}

/// A database of schema 3 held accepted reports without facts (payload version 1): opening it
/// fixes them from the agreement as it stands then (the payroll the moment before), once,
/// and from then on the report pays what was fixed.
#[test]
fn reports_accepted_before_the_facts_get_them_on_open() {
    use frontoffice::domain::{date::Month as M, record::Meta};
    let o = office();
    october(&o);
    let s = &o.db.admin;
    let oct = month(2026, 10);
    let before = s.payroll(oct, None).unwrap();
    let report = s
        .related(o.g1)
        .unwrap()
        .into_iter()
        .find(|r| matches!(&r.body, Body::Report(m) if m.month == oct))
        .unwrap();
    let Body::Report(r) = report.body.clone() else {
        unreachable!()
    };
    let (agreement, _) = agreement_of(s, o.g1);
    let fixed = r
        .facts
        .clone()
        .expect("accepted through the service: facts");
    let (_dir, path) = release(o);
    // The report as version 1 stored it, and the database back at schema 3.
    #[derive(serde::Serialize)]
    struct ReportV1 {
        agreement: u64,
        month: M,
        minutes: Vec<u16>,
        substitute_minutes: Vec<u16>,
        absences: Vec<(u32, Absence)>,
        status: ReportStatus,
        received: chrono::NaiveDate,
        note: String,
    }
    #[derive(serde::Serialize)]
    struct Stored<'a> {
        meta: &'a Meta,
        body: ReportV1,
    }
    let v1 = frontoffice::store::codec::encode(
        Kind::Report.code(),
        1,
        &Stored {
            meta: &report.meta,
            body: ReportV1 {
                agreement: r.agreement,
                month: r.month,
                minutes: r.minutes.clone(),
                substitute_minutes: r.substitute_minutes.clone(),
                absences: r.absences.clone(),
                status: r.status,
                received: r.received,
                note: r.note.clone(),
            },
        },
    )
    .unwrap();
    {
        let raw = raw_open(&path);
        raw.open_tree(Kind::Report.tree())
            .unwrap()
            .insert(report.id().to_be_bytes(), v1)
            .unwrap();
        raw.open_tree("meta")
            .unwrap()
            .insert(b"schema", &3u32.to_be_bytes())
            .unwrap();
        raw.flush().unwrap();
    }
    let svc = frontoffice::service::Service::open(&path, clock()).unwrap();
    assert_eq!(
        svc.store().schema_version().unwrap(),
        frontoffice::store::schema::SCHEMA
    );
    let again = svc.store().get(Kind::Report, report.id()).unwrap().unwrap();
    let Body::Report(m) = &again.body else {
        unreachable!()
    };
    assert_eq!(
        m.facts.as_ref(),
        Some(&fixed),
        "the same facts as an acceptance"
    );
    assert_eq!(fixed.agreement_rev, agreement.meta.rev);
    assert_eq!(again.meta, report.meta, "the report itself did not change");
    let s = svc.session("admin").unwrap();
    assert_eq!(s.payroll(oct, None).unwrap(), before);
    assert!(s.check().unwrap().problems.is_empty());
}

/// A suspension is a change of its agreement too: over a received report's hours it sends
/// the report back in the same commit; over a closed month it is refused; a new agreement in
/// force in a closed month is refused the same way.
#[test]
fn a_suspension_or_a_new_agreement_in_a_closed_month_is_checked_the_same_way() {
    let o = office();
    october(&o);
    let s = &o.db.admin;
    let oct = month(2026, 10);
    // Георги's received October report has hours on Monday 5 October.
    let saved = s
        .create_saved(
            frontoffice::service::new_request_id(),
            Body::Suspension(Suspension {
                agreement: o.g2,
                from: date(2026, 10, 5),
                to: Some(date(2026, 10, 6)),
                reason: "hospital".into(),
                note: String::new(),
            }),
        )
        .unwrap();
    assert_eq!(saved.returned.len(), 1);
    assert_eq!(saved.returned[0].month, oct);
    let r = s.get(Kind::Report, saved.returned[0].report).unwrap();
    assert!(matches!(&r.body, Body::Report(m) if m.status == ReportStatus::Returned));
    // September closed: Елена's agreement suspended in it, or a new one in force in it.
    s.close_month(month(2026, 9)).unwrap();
    let closed = Reason::ChangeInClosedMonth {
        year: 2026,
        month: 9,
    };
    refused_change(
        s.create(Body::Suspension(Suspension {
            agreement: o.g3,
            from: date(2026, 9, 21),
            to: Some(date(2026, 9, 25)),
            reason: "hospital".into(),
            note: String::new(),
        })),
        "from",
        closed.clone(),
        "месец 09.2026 е приключен",
        "the month 09.2026 is closed",
    );
    let b = assistant(s, "Борис", "Борисов", &egn_of(1982, 2, 2, 17), 2002);
    refused_change(
        s.create(Body::Agreement(Agreement {
            from: date(2026, 9, 1),
            week: [60, 60, 60, 60, 60, 0, 0],
            ..agreement(o.users[4].0, b, o.p1, o.users[4].1, 20)
        })),
        "from",
        closed,
        "месец 09.2026 е приключен",
        "the month 09.2026 is closed",
    );
    // From November, after the closed months, it is made.
    s.create(Body::Agreement(Agreement {
        from: date(2026, 11, 1),
        week: [60, 60, 60, 60, 60, 0, 0],
        ..agreement(o.users[4].0, b, o.p1, o.users[4].1, 20)
    }))
    .unwrap();
}
