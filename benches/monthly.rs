//! The month of personal assistance in the service, at 1,000 agreements: the month's summary
//! (every agreement with its report, hours and pay) and accepting 200 reports that match their
//! schedule, one durable save each with every check (the assistant's other work, the closed
//! month, the agreement's share); the 12-month trend; then the console at the same size, each
//! figure a key handled and its frame drawn at 80x24: the month screen opened, ↑↓, a typed
//! filter, the summary with its chart, and 200 more reports accepted in a row from the month
//! screen (Enter, F2: checks and a durable save, the row reloaded, the cursor on the next
//! expected one). Run with `cargo bench --bench monthly` (`FO_AGREEMENTS` to change the size).

mod common;

use chrono::NaiveDate;
use common::{counting_terminal, env_num, pct};
use frontoffice::domain::{
    assistance::{Agreement, AgreementStatus, Assistant, DspDecision},
    calendar::WorkCalendar,
    date::Month,
    eik::{make_eik9, Eik},
    iban::{make_bg_iban, Iban},
    month_grid::{fill_from_schedule, month_grid},
    monthly::RowStatus,
    person::{DisabilityDecision, ExpertBody, Person},
    record::Body,
    register::{Provider, ProviderKind},
    report::{MonthlyReport, ReportStatus},
    settings::{Settings, Settlement},
    Lang,
};
use frontoffice::service::{ApiExt, Service};
use frontoffice::tui::{
    app::{App, Cx},
    draw,
    i18n::I18n,
    theme::{Symbols, Theme},
};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::{
    sync::Arc,
    time::{Duration, Instant},
};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// 10:00 in Sofia (EET, +02:00) on 17 November 2026, as the service's clock gives it (UTC).
fn now() -> chrono::DateTime<chrono::Utc> {
    date(2026, 11, 17).and_hms_opt(8, 0, 0).unwrap().and_utc()
}

fn person(first: &str, last: String, disabled: bool) -> Body {
    Body::Person(Person {
        first_name: first.into(),
        last_name: last,
        settlement: "99001".into(),
        // Assistants are adults: the age comes from the birth date.
        birth_date: Some(date(1980, 5, 17)),
        disability: disabled.then(|| DisabilityDecision {
            body: ExpertBody::Telk,
            number: "1/2025".into(),
            issued: date(2025, 3, 1),
            percent: 95,
            needs_help: true,
            valid_until: None,
        }),
        ..Person::default()
    })
}

/// A surname that tells the `i`th person apart (names take letters only).
fn surname(stem: &str, i: usize) -> String {
    const LETTERS: [char; 20] = [
        'а', 'б', 'в', 'г', 'д', 'е', 'ж', 'з', 'и', 'к', 'л', 'м', 'н', 'о', 'п', 'р', 'с', 'т',
        'у', 'ф',
    ];
    let mut tag = String::new();
    let mut n = i;
    loop {
        tag.push(LETTERS[n % 20]);
        n /= 20;
        if n == 0 {
            break;
        }
    }
    format!("{stem}-{tag}")
}

fn main() {
    let n = env_num("FO_AGREEMENTS", 1000) as usize;
    let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&base).unwrap();
    let dir = tempfile::tempdir_in(&base).unwrap();
    let settings = Settings {
        municipality: "Община Тестово".into(),
        settlements: vec![Settlement {
            ekatte: "99001".into(),
            name: "гр. Тестово".into(),
        }],
        ..Settings::default()
    };
    let (svc, _) = Service::open_or_create(
        &dir.path().join("db"),
        "bench",
        "Bench",
        settings,
        Arc::new(now),
    )
    .unwrap();
    let s = svc.session("bench").unwrap();
    let t = Instant::now();
    let provider = s
        .create(Body::Provider(Provider {
            name: "Община Тестово".into(),
            eik: Eik::parse(&make_eik9(12345678)).unwrap(),
            kind: ProviderKind::Municipality,
            licence: None,
            settlement: "99001".into(),
            address: "пл. Централен 1".into(),
            phone: None,
            email: "obshtina@testovo.bg".into(),
            contact: "Мария Иванова".into(),
        }))
        .unwrap()
        .id();
    let mut agreements = Vec::with_capacity(n);
    for chunk in (0..n).collect::<Vec<_>>().chunks(200) {
        let users = s
            .create_many(
                chunk
                    .iter()
                    .map(|i| person("Мария", surname("Потребителева", *i), true))
                    .collect(),
            )
            .unwrap();
        let helpers = s
            .create_many(
                chunk
                    .iter()
                    .map(|i| person("Иван", surname("Асистентов", *i), false))
                    .collect(),
            )
            .unwrap();
        let decisions = s
            .create_many(
                users
                    .iter()
                    .map(|&u| {
                        Body::DspDecision(DspDecision {
                            person: u,
                            number: format!("ДСП-{u}"),
                            expert_decision: "1/2025".into(),
                            date: date(2025, 6, 1),
                            degree: 3,
                            hours_per_month: 84,
                            valid_from: date(2025, 6, 1),
                            valid_until: date(2027, 12, 31),
                        })
                    })
                    .collect(),
            )
            .unwrap();
        let assistants = s
            .create_many(
                helpers
                    .iter()
                    .map(|&p| {
                        Body::Assistant(Assistant {
                            person: p,
                            iban: Iban::parse(&make_bg_iban("BNBG", p)).unwrap(),
                            relation: String::new(),
                            no_protection_order: true,
                        })
                    })
                    .collect(),
            )
            .unwrap();
        for ((u, d), a) in users.iter().zip(&decisions).zip(&assistants) {
            let rec = s
                .create(Body::Agreement(Agreement {
                    number: String::new(),
                    user: *u,
                    assistant: *a,
                    substitute: None,
                    provider,
                    decision: *d,
                    from: date(2026, 7, 1),
                    to: date(2027, 6, 30),
                    hours_per_month: 84,
                    activities: String::new(),
                    week: [180, 180, 180, 180, 180, 0, 0],
                    signed: Some(date(2026, 6, 25)),
                    status: AgreementStatus::Active,
                    end_reason: None,
                }))
                .unwrap();
            agreements.push(rec);
        }
    }
    println!(
        "built {n} agreements (users, направления, assistants) in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    // Accepting reports that match the schedule: the grid filled, then one save each.
    let oct = Month::new(2026, 10).unwrap();
    let days = WorkCalendar::default().month_days(oct);
    let accept = 200.min(n);
    let mut saves: Vec<Duration> = Vec::with_capacity(accept);
    for rec in agreements.iter().take(accept) {
        let Body::Agreement(a) = &rec.body else {
            unreachable!()
        };
        let t = Instant::now();
        let grid = month_grid(&days, a, &[]);
        let mut r = MonthlyReport::from_schedule(rec.id(), oct, &[], 0, now().date_naive());
        r.minutes = fill_from_schedule(&grid, &a.week);
        r.status = ReportStatus::Accepted;
        s.create(Body::Report(r)).unwrap();
        saves.push(t.elapsed());
    }
    let total: Duration = saves.iter().sum();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "accepting {accept} matching reports in a row (fill from the schedule + checks + durable \
         save): p50 {:.2} ms, p99 {:.2} ms, {:.2} s in all",
        ms(pct(saves.clone(), 0.5)),
        ms(pct(saves, 0.99)),
        total.as_secs_f64()
    );

    // The month's summary, as the month screen and `report monthly` ask for it.
    let mut runs = Vec::new();
    let mut rows = 0;
    for _ in 0..20 {
        let t = Instant::now();
        let m = s.monthly_report(oct).unwrap();
        let _ = (m.providers(), m.pay_lines());
        runs.push(t.elapsed());
        rows = m.rows.len();
    }
    println!(
        "month summary at {rows} agreements ({accept} reports accepted), with providers and pay: \
         p50 {:.1} ms, p99 {:.1} ms",
        ms(pct(runs.clone(), 0.5)),
        ms(pct(runs, 0.99))
    );
    let mut runs = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        s.monthly_trend(oct, 12, None).unwrap();
        runs.push(t.elapsed());
    }
    println!(
        "12-month trend at {rows} agreements: p50 {:.1} ms, p99 {:.1} ms",
        ms(pct(runs.clone(), 0.5)),
        ms(pct(runs, 0.99))
    );
    console(&svc, oct, accept);
    drop(s);
    drop(svc);
}

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

/// The console on the same database: `accepted` of the month's reports are in already.
fn console(svc: &Arc<Service>, month: Month, accepted: usize) {
    let s = svc.session("bench").unwrap();
    let mut app = App::new(Cx::new(
        Box::new(svc.session("bench").unwrap()),
        I18n::new(Lang::Bg),
        Theme::builtin("default"),
        Symbols::new(false),
        s.whoami().unwrap(),
        s.settings().unwrap().settings,
        Arc::new(now),
    ));
    let (mut term, _) = counting_terminal(80, 24);
    draw(&mut term, &app).unwrap();
    let mut timed = |app: &mut App, keys: &[KeyEvent], v: &mut Vec<Duration>| {
        let t = Instant::now();
        for k in keys {
            app.on_key(*k);
            draw(&mut term, app).unwrap();
        }
        v.push(t.elapsed());
    };
    let (mut open, mut moves, mut typing, mut summary, mut accept) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..20 {
        timed(&mut app, &[key(KeyCode::F(12))], &mut open);
        app.on_key(key(KeyCode::Esc));
    }
    app.on_key(key(KeyCode::F(12)));
    for _ in 0..200 {
        timed(&mut app, &[key(KeyCode::Down)], &mut moves);
        timed(&mut app, &[key(KeyCode::Up)], &mut moves);
    }
    for _ in 0..50 {
        for c in "асис".chars() {
            timed(&mut app, &[key(KeyCode::Char(c))], &mut typing);
        }
        for _ in 0..4 {
            timed(&mut app, &[key(KeyCode::Backspace)], &mut typing);
        }
    }
    for _ in 0..20 {
        timed(&mut app, &[key(KeyCode::F(12))], &mut summary);
        app.on_key(key(KeyCode::Esc));
    }
    app.on_key(key(KeyCode::Home));
    let more = 200;
    for _ in 0..more {
        timed(
            &mut app,
            &[key(KeyCode::Enter), key(KeyCode::F(2))],
            &mut accept,
        );
    }
    let done = s
        .monthly_report(month)
        .unwrap()
        .rows
        .iter()
        .filter(|r| r.status == RowStatus::Accepted)
        .count();
    assert_eq!(done, accepted + more, "every Enter, F2 accepted a report");
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!("\nthe console at 80x24 (handle + render per key), the month's reports:");
    for (name, v) in [
        ("month screen opened (F12)", open),
        ("month screen ↑↓", moves),
        ("month screen typed filter", typing),
        ("summary with the chart (F12)", summary),
        ("accept a report (Enter, F2, durable)", accept),
    ] {
        println!(
            "{name:<40} p50 {:>7.0} µs  p99 {:>7.0} µs",
            us(pct(v.clone(), 0.5)),
            us(pct(v, 0.99))
        );
    }
}
