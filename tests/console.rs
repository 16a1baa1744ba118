//! The console without a terminal: screens rendered into ratatui's TestBackend over a real demo
//! database, keys fed through the same path as real input (App::on_key), snapshots of every
//! screen at 80x24 in Bulgarian and English and in mono/ASCII, state updates, and random keys.

mod common;

use frontoffice::domain::{audit::AuditAction, Lang};
use frontoffice::service::{ApiExt, Service};
use frontoffice::tui::{
    app::{App, Cx},
    draw,
    i18n::I18n,
    theme::{Symbols, Theme},
};
use ratatui::{
    backend::TestBackend,
    crossterm::event::{KeyCode, KeyEvent, KeyModifiers},
    Terminal,
};
use std::sync::{Arc, Mutex, OnceLock};

const LOGIN: &str = "tester";

/// One demo database for every test in this file (building it is the slow part).
fn db() -> &'static Mutex<(tempfile::TempDir, Arc<Service>)> {
    static DB: OnceLock<Mutex<(tempfile::TempDir, Arc<Service>)>> = OnceLock::new();
    DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        frontoffice::demo::build(&path, LOGIN, "Тест Тестов", 300, common::clock()).unwrap();
        let svc = Service::open(&path, common::clock()).unwrap();
        Mutex::new((dir, svc))
    })
}

fn app(lang: Lang, theme: &str, ascii: bool) -> App {
    let svc = Arc::clone(&db().lock().unwrap_or_else(|e| e.into_inner()).1);
    app_on(&svc, lang, theme, ascii)
}

/// A database of its own, for a test whose saves must not show in the others' snapshots.
fn own_db() -> (tempfile::TempDir, Arc<Service>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    frontoffice::demo::build(&path, LOGIN, "Тест Тестов", 100, common::clock()).unwrap();
    let svc = Service::open(&path, common::clock()).unwrap();
    (dir, svc)
}

fn app_on(svc: &Arc<Service>, lang: Lang, theme: &str, ascii: bool) -> App {
    App::new(cx_look(svc, lang, theme, ascii))
}

fn cx_on(svc: &Arc<Service>, lang: Lang) -> Cx {
    cx_look(svc, lang, "default", false)
}

fn cx_look(svc: &Arc<Service>, lang: Lang, theme: &str, ascii: bool) -> Cx {
    let session = svc.session(LOGIN).unwrap();
    let clerk = session.whoami().unwrap();
    let settings = session.settings().unwrap().settings;
    Cx::new(
        Box::new(session),
        I18n::new(lang),
        Theme::builtin(theme),
        Symbols::new(ascii),
        clerk,
        settings,
        common::clock(),
    )
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        app.on_key(key(KeyCode::Char(c)));
    }
}

fn screen(app: &App, w: u16, h: u16) -> String {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    draw(&mut term, app).unwrap();
    let buf = term.backend().buffer();
    (0..h)
        .map(|y| {
            let mut line = String::new();
            for x in 0..w {
                let cell = &buf[(x, y)];
                line.push_str(cell.symbol());
            }
            line.trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn shot(app: &App) -> String {
    screen(app, 80, 24)
}

/// A scenario person with an agreement, reports and a deadline.
const AGREEMENT: &str = "СП-2026-0001";

/// The screens of this issue, reached by keys, in one language and look.
fn every_screen(lang: Lang, theme: &str, ascii: bool, suffix: &str) {
    let mut a = app(lang, theme, ascii);
    insta::assert_snapshot!(format!("home{suffix}"), shot(&a));
    register_screens(&mut a, suffix);
    // The lists of the daily work, declared as columns and a query.
    a.on_key(key(KeyCode::F(5)));
    insta::assert_snapshot!(format!("list_referrals{suffix}"), shot(&a));
    a.on_key(key(KeyCode::Esc));
    a.on_key(key(KeyCode::F(6)));
    insta::assert_snapshot!(format!("list_intakes{suffix}"), shot(&a));
    a.on_key(key(KeyCode::Esc));
    typed(&mut a, "petrova");
    insta::assert_snapshot!(format!("search_latin{suffix}"), shot(&a));
    a.on_key(ctrl('u'));
    typed(&mut a, AGREEMENT);
    a.on_key(key(KeyCode::Enter));
    insta::assert_snapshot!(format!("person_card{suffix}"), shot(&a));
    // Personal assistance from the card: F4 an application, F12 an agreement.
    a.on_key(key(KeyCode::F(4)));
    insta::assert_snapshot!(format!("application_new{suffix}"), shot(&a));
    a.on_key(key(KeyCode::Esc));
    a.on_key(key(KeyCode::F(12)));
    insta::assert_snapshot!(format!("agreement_new{suffix}"), shot(&a));
    a.on_key(key(KeyCode::Esc));
    assistance_screens(&mut a, suffix);
    // The card's workflow keys: a new intake, a phone note, a new referral.
    a.on_key(key(KeyCode::F(7)));
    insta::assert_snapshot!(format!("intake_new{suffix}"), shot(&a));
    a.on_key(key(KeyCode::Esc));
    a.on_key(key(KeyCode::F(8)));
    insta::assert_snapshot!(format!("phone_note{suffix}"), shot(&a));
    a.on_key(key(KeyCode::Esc));
    a.on_key(key(KeyCode::F(11)));
    insta::assert_snapshot!(format!("referral_new{suffix}"), shot(&a));
    // The service comes from the register, of the type chosen, with its free places.
    a.on_key(key(KeyCode::Tab));
    a.on_key(ctrl('u'));
    typed(&mut a, "дн");
    a.on_key(key(KeyCode::Tab));
    a.on_key(key(KeyCode::F(4)));
    insta::assert_snapshot!(format!("referral_services{suffix}"), shot(&a));
    a.on_key(key(KeyCode::Esc));
    a.on_key(key(KeyCode::Esc));
    a.on_key(key(KeyCode::Esc));
    // The card's lines open their records: the first is an intake, then the referral.
    a.on_key(key(KeyCode::Down));
    insta::assert_snapshot!(format!("card_chosen{suffix}"), shot(&a));
    a.on_key(key(KeyCode::Enter));
    insta::assert_snapshot!(format!("intake_edit{suffix}"), shot(&a));
    a.on_key(key(KeyCode::F(5)));
    insta::assert_snapshot!(format!("assessment_new{suffix}"), shot(&a));
    a.on_key(key(KeyCode::Esc));
    a.on_key(key(KeyCode::Esc));
    a.on_key(key(KeyCode::Down));
    a.on_key(key(KeyCode::Enter));
    insta::assert_snapshot!(format!("referral_edit{suffix}"), shot(&a));
    a.on_key(key(KeyCode::Esc));
    a.on_key(key(KeyCode::Up));
    a.on_key(key(KeyCode::Up));
    a.on_key(key(KeyCode::F(1)));
    insta::assert_snapshot!(format!("help{suffix}"), shot(&a));
    a.on_key(key(KeyCode::Esc));
    a.on_key(key(KeyCode::F(9)));
    insta::assert_snapshot!(format!("palette{suffix}"), shot(&a));
    a.on_key(key(KeyCode::Esc));
    a.on_key(key(KeyCode::F(6)));
    insta::assert_snapshot!(format!("person_edit{suffix}"), shot(&a));
    a.on_key(key(KeyCode::Esc));
    a.on_key(key(KeyCode::Esc));
    a.on_key(key(KeyCode::F(7)));
    a.on_key(key(KeyCode::F(2)));
    insta::assert_snapshot!(format!("person_new_refused{suffix}"), shot(&a));
    // From the first name (the first bad field) to the settlement.
    for _ in 0..4 {
        a.on_key(key(KeyCode::Tab));
    }
    a.on_key(key(KeyCode::F(4)));
    insta::assert_snapshot!(format!("person_choice_list{suffix}"), shot(&a));
    insta::assert_snapshot!(format!("too_small{suffix}"), screen(&a, 60, 20));
}

/// The card's personal-assistance lines (after an intake and a referral): the application,
/// the направление, the agreement (F5 a suspension, F11 on its assistant), the contract.
fn assistance_screens(a: &mut App, suffix: &str) {
    let open = |a: &mut App, n: usize| {
        a.on_key(key(KeyCode::Home));
        for _ in 0..n {
            a.on_key(key(KeyCode::Down));
        }
        a.on_key(key(KeyCode::Enter));
    };
    open(a, 4);
    insta::assert_snapshot!(format!("dsp_edit{suffix}"), shot(a));
    a.on_key(key(KeyCode::Esc));
    open(a, 5);
    insta::assert_snapshot!(format!("agreement_edit{suffix}"), shot(a));
    a.on_key(key(KeyCode::F(5)));
    insta::assert_snapshot!(format!("suspension_new{suffix}"), shot(a));
    a.on_key(key(KeyCode::Esc));
    a.on_key(key(KeyCode::Tab));
    a.on_key(key(KeyCode::Tab));
    a.on_key(key(KeyCode::F(11)));
    insta::assert_snapshot!(format!("assistant_edit{suffix}"), shot(a));
    a.on_key(key(KeyCode::Esc));
    a.on_key(key(KeyCode::Esc));
    open(a, 6);
    insta::assert_snapshot!(format!("contract_edit{suffix}"), shot(a));
    a.on_key(key(KeyCode::Esc));
    a.on_key(key(KeyCode::Home));
}

/// The register (F8 from home): filtered, a service with its visits, a new visit, its
/// provider, the providers, a new service; the campaigns (F4 from home). Back home after.
fn register_screens(a: &mut App, suffix: &str) {
    a.on_key(key(KeyCode::F(8)));
    insta::assert_snapshot!(format!("register{suffix}"), shot(a));
    typed(a, "dnev");
    a.on_key(key(KeyCode::F(8)));
    insta::assert_snapshot!(format!("register_filtered{suffix}"), shot(a));
    a.on_key(key(KeyCode::Enter));
    insta::assert_snapshot!(format!("service_edit{suffix}"), shot(a));
    a.on_key(key(KeyCode::F(7)));
    insta::assert_snapshot!(format!("visit_new{suffix}"), shot(a));
    a.on_key(key(KeyCode::Esc));
    a.on_key(key(KeyCode::F(6)));
    insta::assert_snapshot!(format!("list_visits{suffix}"), shot(a));
    a.on_key(key(KeyCode::Esc));
    a.on_key(key(KeyCode::Esc));
    a.on_key(key(KeyCode::F(11)));
    insta::assert_snapshot!(format!("provider_edit{suffix}"), shot(a));
    a.on_key(key(KeyCode::Esc));
    a.on_key(key(KeyCode::F(4)));
    insta::assert_snapshot!(format!("list_providers{suffix}"), shot(a));
    a.on_key(key(KeyCode::Esc));
    a.on_key(key(KeyCode::F(7)));
    insta::assert_snapshot!(format!("service_new{suffix}"), shot(a));
    a.on_key(key(KeyCode::Esc));
    a.on_key(key(KeyCode::Esc));
    a.on_key(key(KeyCode::F(4)));
    insta::assert_snapshot!(format!("list_campaigns{suffix}"), shot(a));
    a.on_key(key(KeyCode::Enter));
    insta::assert_snapshot!(format!("campaign_edit{suffix}"), shot(a));
    a.on_key(key(KeyCode::Esc));
    a.on_key(key(KeyCode::Esc));
    // The month's reports (F12 from home) and a report's grid.
    a.on_key(key(KeyCode::F(12)));
    insta::assert_snapshot!(format!("month{suffix}"), shot(a));
    // The month per provider with its chart, the month of one settlement.
    a.on_key(key(KeyCode::F(12)));
    insta::assert_snapshot!(format!("month_summary{suffix}"), shot(a));
    a.on_key(key(KeyCode::F(5)));
    insta::assert_snapshot!(format!("month_summary_pay{suffix}"), shot(a));
    a.on_key(key(KeyCode::Esc));
    a.on_key(key(KeyCode::F(4)));
    insta::assert_snapshot!(format!("month_settlement{suffix}"), shot(a));
    a.on_key(key(KeyCode::Esc));
    a.on_key(key(KeyCode::F(12)));
    a.on_key(key(KeyCode::Enter));
    insta::assert_snapshot!(format!("report_grid{suffix}"), shot(a));
    a.on_key(key(KeyCode::Esc));
    // An accepted report's grid offers F8, which asks the reason to return it.
    a.on_key(key(KeyCode::Down));
    a.on_key(key(KeyCode::Enter));
    a.on_key(key(KeyCode::F(8)));
    insta::assert_snapshot!(format!("return_report{suffix}"), shot(a));
    a.on_key(key(KeyCode::Esc));
    a.on_key(key(KeyCode::Esc));
    a.on_key(key(KeyCode::Esc));
}

#[test]
fn snapshots_bulgarian() {
    every_screen(Lang::Bg, "default", false, "_bg");
}

#[test]
fn snapshots_english() {
    every_screen(Lang::En, "default", false, "_en");
}

#[test]
fn snapshots_mono_ascii() {
    every_screen(Lang::Bg, "mono", true, "_mono_ascii");
}

#[test]
fn a_latin_query_finds_cyrillic_names_and_enter_opens_the_card() {
    let mut a = app(Lang::Bg, "default", false);
    typed(&mut a, "petrova");
    let s = shot(&a);
    assert!(s.contains("Петрова"), "{s}");
    assert!(s.contains("******"), "ЕГН masked in the list: {s}");
    a.on_key(key(KeyCode::Down));
    a.on_key(key(KeyCode::Enter));
    // Agenda (home), the search the first letter opened, the card.
    assert_eq!(a.depth(), 3);
    assert!(a.top().title(&a.cx.t).starts_with("Лице"));
    a.on_key(key(KeyCode::Esc));
    assert_eq!(a.depth(), 2);
    a.on_key(key(KeyCode::Esc));
    assert_eq!(a.depth(), 1, "back home");
    // Esc on the first screen is safe: it stays.
    a.on_key(key(KeyCode::Esc));
    assert_eq!(a.depth(), 1);
    assert!(!a.quit);
}

/// The tests that reveal the same person's ЕГН take turns, so each counts only its own reads.
static REVEALS: Mutex<()> = Mutex::new(());

#[test]
fn revealing_an_ident_is_an_audited_read() {
    let _turn = REVEALS.lock().unwrap_or_else(|e| e.into_inner());
    let mut a = app(Lang::Bg, "default", false);
    typed(&mut a, AGREEMENT);
    a.on_key(key(KeyCode::Enter));
    let before = shot(&a);
    assert!(before.contains("******"));
    a.on_key(key(KeyCode::F(5)));
    let after = shot(&a);
    let line = after.lines().nth(1).unwrap();
    assert!(!line.contains("******"), "{line}");
    assert!(
        line.chars().filter(|c| c.is_ascii_digit()).count() >= 10,
        "{line}"
    );
    let reveals = |a: &App| {
        a.cx.api
            .audit_log(None, 1_000_000)
            .unwrap()
            .into_iter()
            .filter(|e| e.action == AuditAction::Reveal && e.login == LOGIN)
            .count()
    };
    let after_one = reveals(&a);
    assert!(after_one >= 1, "the read is in the audit log");
    // F5 again hides it, without another read.
    a.on_key(key(KeyCode::F(5)));
    assert!(shot(&a).lines().nth(1).unwrap().contains("******"));
    assert_eq!(reveals(&a), after_one);
}

#[test]
fn saving_is_refused_on_the_first_bad_field_then_succeeds() {
    let mut a = app(Lang::En, "default", false);
    a.on_key(key(KeyCode::F(7)));
    typed(&mut a, "123"); // a bad ЕГН
    a.on_key(key(KeyCode::Tab));
    let s = shot(&a);
    assert!(
        s.contains('!'),
        "the error shows beside the field as it is left: {s}"
    );
    a.on_key(ctrl('s'));
    let s = shot(&a);
    assert!(s.contains("Not saved"), "{s}");
    // Focus went back to the first bad field (the ЕГН): fix it there.
    for _ in 0..3 {
        a.on_key(key(KeyCode::Backspace));
    }
    let egn = frontoffice::domain::egn::make_egn(common::date(1961, 3, 9), 417).unwrap();
    typed(&mut a, &egn);
    a.on_key(key(KeyCode::Enter));
    let s = shot(&a);
    assert!(
        s.contains("09.03.1961"),
        "birth date derived from the ЕГН: {s}"
    );
    typed(&mut a, "Radka");
    a.on_key(key(KeyCode::Enter));
    a.on_key(key(KeyCode::Enter));
    typed(&mut a, "Кръстева");
    a.on_key(key(KeyCode::F(2)));
    let s = shot(&a);
    assert!(s.contains("Saved: Radka Кръстева"), "{s}");
    assert!(
        s.contains("Person: Radka Кръстева"),
        "the new card opens: {s}"
    );
    // The save is in the database.
    let hits = a.cx.api.search(&egn, 5).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].name, "Radka Кръстева");
}

#[test]
fn a_duplicate_is_shown_while_typing_and_opens_with_a_key() {
    let _turn = REVEALS.lock().unwrap_or_else(|e| e.into_inner());
    let mut a = app(Lang::Bg, "default", false);
    // The ЕГН of a person on file.
    typed(&mut a, AGREEMENT);
    a.on_key(key(KeyCode::Enter));
    a.on_key(key(KeyCode::F(5)));
    let line = shot(&a).lines().nth(1).unwrap().to_string();
    let egn: String = line
        .split_whitespace()
        .find(|w| w.len() == 10 && w.chars().all(|c| c.is_ascii_digit()))
        .unwrap()
        .to_string();
    // F7 on the card is a new intake; a new person is F7 from the search.
    a.on_key(key(KeyCode::Esc));
    a.on_key(key(KeyCode::F(7)));
    a.on_key(ctrl('u'));
    typed(&mut a, &egn);
    let s = shot(&a);
    assert!(s.contains("същото ЕГН"), "{s}");
    assert!(s.contains("F11"), "{s}");
    let depth = a.depth();
    a.on_key(ctrl('o'));
    assert_eq!(a.depth(), depth + 1);
    assert!(a.top().title(&a.cx.t).starts_with("Лице"));
}

#[test]
fn leaving_unsaved_work_takes_a_second_press() {
    let mut a = app(Lang::Bg, "default", false);
    a.on_key(key(KeyCode::F(7)));
    typed(&mut a, "8");
    a.on_key(key(KeyCode::Esc));
    assert_eq!(a.depth(), 2, "first Esc only warns");
    assert!(shot(&a).contains("незаписани"));
    a.on_key(key(KeyCode::Esc));
    assert_eq!(a.depth(), 1);
    a.on_key(key(KeyCode::F(7)));
    typed(&mut a, "8");
    a.on_key(key(KeyCode::F(10)));
    assert!(!a.quit);
    a.on_key(key(KeyCode::F(10)));
    assert!(a.quit);
}

#[test]
fn copy_previous_fills_the_field_from_the_last_saved_person() {
    let mut a = app(Lang::Bg, "default", false);
    a.cx.previous
        .insert("person", vec![("first_name", "Донка".to_string())]);
    a.on_key(key(KeyCode::F(7)));
    a.on_key(key(KeyCode::Tab));
    a.on_key(key(KeyCode::F(8)));
    assert!(shot(&a).contains("Донка"));
}

#[test]
fn the_palette_runs_a_command_by_name() {
    let mut a = app(Lang::Bg, "default", false);
    a.on_key(key(KeyCode::F(9)));
    typed(&mut a, "novo"); // Latin for "Ново лице"
    a.on_key(key(KeyCode::Enter));
    assert!(
        a.top().title(&a.cx.t).starts_with("Ново лице"),
        "{}",
        shot(&a)
    );
}

/// A hostile client stores a draft whose title and fields carry escape sequences (drafts hold
/// text as typed, so the service keeps them); the console draws them replaced, not raw. The
/// replacement character proves our cleaning ran: ratatui alone would drop the ESC silently
/// and leave "[2J" behind.
#[test]
fn stored_control_characters_never_reach_the_screen() {
    let (_dir, svc) = own_db();
    a_session(&svc)
        .save_draft(frontoffice::domain::draft::Draft {
            key: "person/new".into(),
            target: None,
            title: "Злоб\u{1b}[2Jник\u{7}".into(),
            fields: vec![("first_name".into(), "Злоб\u{1b}]0;x\u{7}ник".into())],
            saved: chrono::NaiveDateTime::default(),
        })
        .unwrap();
    let stored = a_session(&svc).drafts().unwrap();
    assert!(stored[0].title.contains('\u{1b}'), "stored as sent");
    let mut a = frontoffice::tui::app::App::start(cx_on(&svc, Lang::Bg));
    let s = shot(&a);
    assert!(s.contains("Злоб\u{FFFD}[2Jник\u{FFFD}"), "{s}");
    assert!(!s.chars().any(|c| c.is_control() && c != '\n'), "{s:?}");
    // Resumed into the form: the field shows it cleaned too.
    a.on_key(key(KeyCode::Enter));
    let s = shot(&a);
    assert!(!s.chars().any(|c| c.is_control() && c != '\n'), "{s:?}");
    assert!(s.contains("Злоб"), "{s}");
}

#[test]
fn random_keys_on_every_screen_never_panic() {
    use proptest::prelude::*;
    // Random keys save random records: on a database of its own.
    let (_dir, svc) = own_db();
    let pool: Vec<KeyEvent> = {
        let mut v: Vec<KeyEvent> = (1..=12).map(|n| key(KeyCode::F(n))).collect();
        for c in ['a', 'я', '1', '0', '/', '?', ' ', '.', '-', 'Z'] {
            v.push(key(KeyCode::Char(c)));
        }
        for c in [
            's', 'u', 'd', 'o', 't', 'r', 'e', 'n', 'p', 'l', 'w', 'k', 'j',
        ] {
            v.push(ctrl(c));
        }
        for k in [
            KeyCode::Enter,
            KeyCode::Tab,
            KeyCode::BackTab,
            KeyCode::Backspace,
            KeyCode::Delete,
            KeyCode::Up,
            KeyCode::Down,
            KeyCode::Left,
            KeyCode::Right,
            KeyCode::Home,
            KeyCode::End,
            KeyCode::PageUp,
            KeyCode::PageDown,
        ] {
            v.push(key(k));
        }
        v
    };
    // Start on each screen: the agenda, search, card, the forms, help, palette.
    let card = [key(KeyCode::Char('p')), key(KeyCode::Enter)];
    let on_card = |k: KeyEvent| [card[0], card[1], k];
    let (intake, phone, referral) = (
        on_card(key(KeyCode::F(7))),
        on_card(key(KeyCode::F(8))),
        on_card(key(KeyCode::F(11))),
    );
    let chosen = [
        card[0],
        card[1],
        key(KeyCode::Down),
        key(KeyCode::Down),
        key(KeyCode::Enter),
    ];
    let register_service = [key(KeyCode::F(8)), key(KeyCode::Enter)];
    let (application, agreement) = (on_card(key(KeyCode::F(4))), on_card(key(KeyCode::F(12))));
    let grid = [key(KeyCode::F(12)), key(KeyCode::Enter)];
    let month_summary = [key(KeyCode::F(12)), key(KeyCode::F(12))];
    // An accepted report's grid (the demo's second row), then the prompt for the reason.
    let return_prompt = [
        key(KeyCode::F(12)),
        key(KeyCode::Down),
        key(KeyCode::Enter),
        key(KeyCode::F(8)),
    ];
    let starts: [&[KeyEvent]; 21] = [
        &[key(KeyCode::F(12))],
        &grid,
        &month_summary,
        &return_prompt,
        &application,
        &agreement,
        &[key(KeyCode::F(8))],
        &register_service,
        &[key(KeyCode::F(4))],
        &[],
        &[key(KeyCode::F(5))],
        &[key(KeyCode::F(6))],
        &[key(KeyCode::Char('p'))],
        &card,
        &[key(KeyCode::F(7))],
        &[key(KeyCode::F(1))],
        &[key(KeyCode::F(9))],
        &intake,
        &phone,
        &referral,
        &chosen,
    ];
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 40,
        ..ProptestConfig::default()
    });
    let n = pool.len();
    runner
        .run(
            &(0..starts.len(), prop::collection::vec(0..n, 1..60)),
            |(start, keys)| {
                let mut a = app_on(&svc, Lang::Bg, "default", false);
                for k in starts[start] {
                    a.on_key(*k);
                }
                for i in keys {
                    // F10 twice quits; keep going as if the clerk had not.
                    a.quit = false;
                    a.on_key(pool[i]);
                    let _ = screen(&a, 80, 24);
                }
                let _ = screen(&a, 40, 10);
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn the_idle_lock_hides_personal_data_until_a_key() {
    let mut a = app(Lang::Bg, "default", false);
    assert_eq!(
        a.idle_limit(),
        Some(std::time::Duration::from_secs(10 * 60)),
        "the default setting"
    );
    typed(&mut a, AGREEMENT);
    a.on_key(key(KeyCode::Enter));
    let card = shot(&a);
    assert!(card.contains("Вълчев"));
    a.lock();
    let locked = shot(&a);
    assert!(
        !locked.contains("Вълчев") && !locked.contains("******"),
        "{locked}"
    );
    assert!(locked.contains("заключен"));
    // The unlocking key does nothing else (F10 here would have quit).
    a.on_key(key(KeyCode::F(10)));
    assert!(!a.quit);
    assert_eq!(shot(&a), card);
}

#[test]
fn a_decision_without_its_date_is_refused_beside_the_date() {
    let mut a = app(Lang::Bg, "default", false);
    a.on_key(key(KeyCode::F(7)));
    a.on_key(key(KeyCode::Tab));
    typed(&mut a, "Радка");
    a.on_key(key(KeyCode::Tab));
    a.on_key(key(KeyCode::Tab));
    typed(&mut a, "Бонева");
    // From the surname to "Решение: орган".
    for _ in 0..7 {
        a.on_key(key(KeyCode::Tab));
    }
    typed(&mut a, "ТЕЛК");
    a.on_key(key(KeyCode::F(2)));
    let s = shot(&a);
    assert!(s.contains("Не е записано"), "{s}");
    let line = s.lines().find(|l| l.contains("Решение: дата")).unwrap();
    assert!(
        line.contains('!'),
        "the error stands beside the date: {line}"
    );
    assert!(
        line.starts_with(a.cx.sym.pointer),
        "and the focus is there: {line}"
    );
    assert!(a.cx.api.search("радка бонева", 5).unwrap().is_empty());
}

/// The person of the demo's first agreement: (record id, the colleague's session).
fn agreement_person(svc: &Arc<Service>) -> (u64, frontoffice::service::Session) {
    use frontoffice::domain::{clerk::Role, record::Body, Kind};
    let admin = svc.session(LOGIN).unwrap();
    admin
        .add_clerk("colleague", "Колега Колегов", Role::Clerk)
        .unwrap();
    let hit = admin.search(AGREEMENT, 1).unwrap().remove(0);
    let Body::Agreement(a) = admin.get(Kind::Agreement, hit.id).unwrap().body else {
        panic!("not an agreement")
    };
    (a.user, svc.session("colleague").unwrap())
}

/// The colleague changes the person's address: a save the clerk's console did not make.
fn colleague_sets_address(other: &frontoffice::service::Session, id: u64, address: &str) {
    use frontoffice::domain::{record::Body, Kind};
    let rec = other.get(Kind::Person, id).unwrap();
    let Body::Person(mut p) = rec.body else {
        panic!("not a person")
    };
    p.address = address.to_string();
    other.update(id, rec.meta.rev, Body::Person(p)).unwrap();
}

fn address_on_file(svc: &Arc<Service>, id: u64) -> String {
    use frontoffice::domain::{record::Body, Kind};
    match svc
        .session(LOGIN)
        .unwrap()
        .get(Kind::Person, id)
        .unwrap()
        .body
    {
        Body::Person(p) => p.address,
        _ => panic!("not a person"),
    }
}

#[test]
fn an_open_card_shows_a_colleagues_save_by_itself() {
    let (_dir, svc) = own_db();
    let (person, other) = agreement_person(&svc);
    let mut a = app_on(&svc, Lang::Bg, "default", false);
    let changes =
        a.cx.api
            .subscribe()
            .expect("in process, changes are delivered");
    typed(&mut a, AGREEMENT);
    a.on_key(key(KeyCode::Enter));
    assert!(!shot(&a).contains("ул. Нова 5"));
    colleague_sets_address(&other, person, "ул. Нова 5");
    let change = next_change(&changes);
    assert_eq!(change.by, "colleague");
    a.on_change(&change);
    let s = shot(&a);
    assert!(s.contains("ул. Нова 5"), "the card reloaded: {s}");
    assert!(
        s.contains("Колега Колегов промени"),
        "and says who, by name: {s}"
    );
}

#[test]
fn a_stale_save_shows_both_versions_and_the_clerk_decides() {
    let (_dir, svc) = own_db();
    let (person, other) = agreement_person(&svc);
    let mut a = app_on(&svc, Lang::Bg, "default", false);
    let changes = a.cx.api.subscribe().unwrap();
    typed(&mut a, AGREEMENT);
    a.on_key(key(KeyCode::Enter));
    a.on_key(key(KeyCode::F(6)));
    let form_depth = a.depth();
    // To the address; the clerk types over it.
    for _ in 0..6 {
        a.on_key(key(KeyCode::Tab));
    }
    a.on_key(ctrl('u'));
    typed(&mut a, "ул. Моя 1");
    // Meanwhile the colleague saves the same person; the form says so at once.
    colleague_sets_address(&other, person, "ул. Тяхна 2");
    a.on_change(&next_change(&changes));
    assert!(shot(&a).contains("Колега Колегов промени този запис"));

    a.on_key(key(KeyCode::F(2)));
    let s = shot(&a);
    insta::assert_snapshot!("conflict", s);
    assert!(s.contains("Две версии на записа"), "{s}");
    let row = s
        .lines()
        .find(|l| l.starts_with("Адрес"))
        .expect("the address row");
    assert!(
        row.contains("ул. Тяхна 2") && row.contains("ул. Моя 1"),
        "side by side: {row}"
    );
    assert_eq!(
        address_on_file(&svc, person),
        "ул. Тяхна 2",
        "nothing overwritten"
    );

    // Esc: back to the form, undecided; saving asks again.
    a.on_key(key(KeyCode::Esc));
    assert_eq!(a.depth(), form_depth);
    a.on_key(key(KeyCode::F(2)));
    assert!(shot(&a).contains("Две версии на записа"));

    // Del takes theirs: the form shows the saved address and nothing is saved.
    a.on_key(key(KeyCode::Delete));
    assert_eq!(a.depth(), form_depth);
    assert!(shot(&a).contains("ул. Тяхна 2"));
    assert!(!a.top().unsaved());

    // Type again, the colleague saves again, and this time the clerk keeps theirs over it.
    a.on_key(ctrl('u'));
    typed(&mut a, "ул. Моя 3");
    colleague_sets_address(&other, person, "ул. Тяхна 4");
    a.on_key(key(KeyCode::F(2)));
    assert!(shot(&a).contains("ул. Тяхна 4"));
    a.on_key(key(KeyCode::F(2)));
    assert_eq!(a.depth(), form_depth - 1, "saved: back on the card");
    assert_eq!(address_on_file(&svc, person), "ул. Моя 3");
    assert!(shot(&a).contains("ул. Моя 3"));
}

#[test]
fn drafts_follow_the_typing_within_a_second_and_come_back_on_the_next_start() {
    use std::time::{Duration, Instant};
    let (_dir, svc) = own_db();
    let mut a = app_on(&svc, Lang::Bg, "default", false);
    a.on_key(key(KeyCode::F(7)));
    a.on_key(key(KeyCode::Tab));
    typed(&mut a, "Драфтина");
    let t0 = Instant::now();
    a.keep_drafts(t0, false);
    let drafts = || a_session(&svc).drafts().unwrap();
    assert_eq!(drafts().len(), 1, "the first change is sent at once");
    a.on_key(key(KeyCode::Tab));
    a.on_key(key(KeyCode::Tab));
    typed(&mut a, "Чернова");
    a.keep_drafts(t0 + Duration::from_millis(500), false);
    assert!(
        !drafts()[0].title.contains("Чернова"),
        "not twice in a second"
    );
    assert_eq!(a.draft_due(), Some(t0 + Duration::from_secs(1)));
    a.keep_drafts(t0 + Duration::from_secs(1), false);
    assert_eq!(drafts()[0].title, "Драфтина Чернова", "sent when due");
    assert_eq!(a.draft_due(), None);
    drop(a);

    let mut b = frontoffice::tui::app::App::start(cx_on(&svc, Lang::Bg));
    let s = shot(&b);
    insta::assert_snapshot!("drafts_offered", s);
    assert!(
        s.contains("Незавършени форми") && s.contains("Драфтина Чернова"),
        "{s}"
    );
    b.on_key(key(KeyCode::Enter));
    let s = shot(&b);
    assert!(s.contains("Драфтина") && s.contains("Чернова"), "{s}");
    b.on_key(key(KeyCode::F(2)));
    assert!(
        shot(&b).contains("Записано: Драфтина Чернова"),
        "{}",
        shot(&b)
    );
    assert!(drafts().is_empty(), "the save took the draft with it");

    // A draft given up (Esc twice) is gone too.
    b.on_key(key(KeyCode::F(7)));
    typed(&mut b, "8");
    b.keep_drafts(Instant::now() + Duration::from_secs(5), false);
    assert_eq!(drafts().len(), 1);
    b.on_key(key(KeyCode::Esc));
    b.on_key(key(KeyCode::Esc));
    assert!(drafts().is_empty());
}

/// The next change event, or a failure after ten seconds.
fn next_change(
    changes: &std::sync::mpsc::Receiver<frontoffice::service::Change>,
) -> frontoffice::service::Change {
    changes
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("the save is announced")
}

/// A colleague's session and the console on the card of the demo's person with an agreement,
/// listening to change events.
fn on_agreement_card(
    svc: &Arc<Service>,
) -> (
    App,
    frontoffice::service::Session,
    std::sync::mpsc::Receiver<frontoffice::service::Change>,
) {
    let (_, other) = agreement_person(svc);
    let mut a = app_on(svc, Lang::Bg, "default", false);
    let changes = a.cx.api.subscribe().unwrap();
    typed(&mut a, AGREEMENT);
    a.on_key(key(KeyCode::Enter));
    (a, other, changes)
}

fn a_session(svc: &Arc<Service>) -> frontoffice::service::Session {
    svc.session(LOGIN).unwrap()
}

/// The edit form shows the ЕГН masked; a save that leaves it keeps the stored number, the
/// draft of the typing holds only the masked form, and the card still reveals it with F5.
#[test]
fn an_edit_keeps_the_masked_ident_and_its_draft_never_holds_it() {
    use frontoffice::domain::{record::Body, Kind};
    let (_dir, svc) = own_db();
    let (person, _) = agreement_person(&svc);
    let stored = || match svc.store().get(Kind::Person, person).unwrap().unwrap().body {
        Body::Person(p) => p.ident.as_str().unwrap().to_string(),
        _ => unreachable!(),
    };
    let full = stored();
    let mut a = app_on(&svc, Lang::Bg, "default", false);
    typed(&mut a, AGREEMENT);
    a.on_key(key(KeyCode::Enter));
    a.on_key(key(KeyCode::F(6)));
    let s = shot(&a);
    assert!(!s.contains(&full), "{s}");
    assert!(!s.contains(&full[6..]) && s.contains("**********"), "{s}");
    for _ in 0..6 {
        a.on_key(key(KeyCode::Tab));
    }
    a.on_key(ctrl('u'));
    typed(&mut a, "ул. Маскирана 7");
    a.keep_drafts(std::time::Instant::now(), false);
    let drafts = a_session(&svc).drafts().unwrap();
    assert_eq!(drafts.len(), 1);
    assert!(!format!("{drafts:?}").contains(&full), "{drafts:?}");
    a.on_key(key(KeyCode::F(2)));
    assert_eq!(address_on_file(&svc, person), "ул. Маскирана 7");
    assert_eq!(stored(), full, "the stored number stayed");
    // Back on the card, F5 shows it in full (audited).
    a.on_key(key(KeyCode::F(5)));
    assert!(shot(&a).contains(&full));
}

/// The intakes of a person on file, newest last.
fn intakes_of(svc: &Arc<Service>, person: u64) -> Vec<frontoffice::domain::intake::Intake> {
    use frontoffice::domain::record::Body;
    let mut v: Vec<_> = a_session(svc)
        .related(person)
        .unwrap()
        .into_iter()
        .filter_map(|r| match r.body {
            Body::Intake(i) => Some(i),
            _ => None,
        })
        .collect();
    v.sort_by_key(|i| i.reg_no.clone());
    v
}

/// The phone rings; the clerk finds the caller, notes the call and is back where they were:
/// after typing the text, the note is saved in at most 3 keystrokes (here: 1, F2), counted
/// through the real keymap, from a search hit and from the card.
#[test]
fn a_phone_note_is_saved_in_at_most_three_keys_after_the_text() {
    use frontoffice::domain::intake::Channel;
    let (_dir, svc) = own_db();
    let (person, _) = agreement_person(&svc);
    let before = intakes_of(&svc, person).len();
    let mut a = app_on(&svc, Lang::Bg, "default", false);
    // From the agenda: the first letter starts the search.
    typed(&mut a, AGREEMENT);
    assert!(a.top().is_search());
    let home_depth = a.depth();
    a.on_key(key(KeyCode::F(8)));
    assert_eq!(a.depth(), home_depth + 1, "the phone note opened");
    typed(&mut a, "Пита кога идва асистентът.");
    // The only key after the text (the budget is 3): what follows proves it saved and went back.
    a.on_key(key(KeyCode::F(2)));
    assert_eq!(a.depth(), home_depth, "back on the search: {}", shot(&a));
    assert!(shot(&a).contains("Записано"), "{}", shot(&a));
    let after = intakes_of(&svc, person);
    assert_eq!(after.len(), before + 1);
    let note = after
        .iter()
        .find(|i| i.note.contains("асистентът"))
        .unwrap();
    assert_eq!(note.channel, Channel::Phone);
    assert_eq!(note.clerk, LOGIN);
    assert_eq!(note.person, Some(person));
    assert!(note.reg_no.starts_with("2026-"), "{}", note.reg_no);

    // From the card the same: F8, the text, F2; back on the card.
    a.on_key(key(KeyCode::Enter));
    let card_depth = a.depth();
    a.on_key(key(KeyCode::F(8)));
    typed(&mut a, "Втори разговор.");
    a.on_key(key(KeyCode::F(2)));
    assert_eq!(a.depth(), card_depth, "{}", shot(&a));
    assert_eq!(intakes_of(&svc, person).len(), before + 2);
    assert!(
        shot(&a).contains("по телефона"),
        "the card shows it: {}",
        shot(&a)
    );
}

/// A referral moves only by the steps its status allows, one key each, shown in the footer;
/// a provider's decline needs its reason, typed beside the step.
#[test]
fn a_referral_moves_by_its_step_keys_only() {
    use frontoffice::domain::{record::Body, referral::ReferralStatus, Kind};
    let (_dir, svc) = own_db();
    let (person, _) = agreement_person(&svc);
    let status = |svc: &Arc<Service>| {
        let r = a_session(svc)
            .related(person)
            .unwrap()
            .into_iter()
            .find_map(|r| match (r.kind(), r.body) {
                (Kind::Referral, Body::Referral(x)) => Some(x),
                _ => None,
            })
            .unwrap();
        (
            r.status,
            r.history.last().map(|h| (h.by.clone(), h.note.clone())),
        )
    };
    assert_eq!(status(&svc).0, ReferralStatus::Requested);
    let mut a = app_on(&svc, Lang::Bg, "default", false);
    typed(&mut a, AGREEMENT);
    a.on_key(key(KeyCode::Enter));
    // The card's second openable line is the referral.
    a.on_key(key(KeyCode::Down));
    a.on_key(key(KeyCode::Down));
    a.on_key(key(KeyCode::Enter));
    let s = shot(&a);
    assert!(s.contains("F5 Оценено") && s.contains("F6 Оттегли"), "{s}");
    // Requested → assessed.
    a.on_key(key(KeyCode::F(5)));
    assert_eq!(status(&svc).0, ReferralStatus::Assessed);
    let s = shot(&a);
    assert!(s.contains("F5 Насочи") && !s.contains("F5 Оценено"), "{s}");
    // Assessed → referred; then the provider's three answers are offered.
    a.on_key(key(KeyCode::F(5)));
    assert_eq!(status(&svc).0, ReferralStatus::Referred);
    let s = shot(&a);
    assert!(s.contains("F6 Отказ от доставчика"), "{s}");
    // A decline without its reason is refused beside the reason, and nothing moves.
    a.on_key(key(KeyCode::F(6)));
    assert_eq!(status(&svc).0, ReferralStatus::Referred);
    let s = shot(&a);
    let line = s
        .lines()
        .find(|l| l.contains("Причина за стъпката"))
        .unwrap();
    assert!(line.contains('!'), "{s}");
    // With the reason (the focus is there now) it goes, recorded with who and why.
    typed(&mut a, "Няма свободни места.");
    a.on_key(key(KeyCode::F(6)));
    let (now, last) = status(&svc);
    assert_eq!(now, ReferralStatus::Declined, "{}", shot(&a));
    assert_eq!(
        last,
        Some((LOGIN.to_string(), "Няма свободни места.".to_string()))
    );
    // A declined referral is final: no step keys are offered any more.
    let s = shot(&a);
    assert!(!s.contains("F5 ") && !s.contains("F6 Отказ"), "{s}");
}

/// The home screen is the agenda; a letter typed there starts the search with it, and Enter
/// on an item opens its record.
#[test]
fn the_agenda_is_home_and_a_letter_starts_the_search() {
    let mut a = app(Lang::Bg, "default", false);
    let s = shot(&a);
    assert!(
        s.contains("Днешна работа") && s.contains("Просрочено"),
        "{s}"
    );
    a.on_key(key(KeyCode::Enter));
    assert_eq!(a.depth(), 2, "the first item opened: {}", shot(&a));
    a.on_key(key(KeyCode::Esc));
    a.on_key(key(KeyCode::Char('п')));
    assert!(a.top().is_search());
    typed(&mut a, "етрова");
    assert!(shot(&a).contains("Петрова"), "{}", shot(&a));
}

/// A record list runs its query again when a record of its kind is saved, and Enter opens the
/// chosen record in its form.
#[test]
fn a_list_follows_the_saves_and_opens_its_records() {
    use frontoffice::domain::record::Body;
    let (_dir, svc) = own_db();
    let (person, other) = agreement_person(&svc);
    let mut a = app_on(&svc, Lang::Bg, "default", false);
    let changes = a.cx.api.subscribe().unwrap();
    a.on_key(key(KeyCode::F(6)));
    let before = a.top().title(&a.cx.t);
    // A colleague's phone note arrives as a change event.
    let mut intake = frontoffice::tui::forms::intake::seed(
        &a.cx,
        Some(person),
        frontoffice::domain::intake::Channel::Phone,
    );
    intake.topics = vec![frontoffice::domain::intake::Topic::Other];
    intake.note = "Обаждане от колега.".into();
    other.create(Body::Intake(intake)).unwrap();
    a.on_change(&next_change(&changes));
    let after = a.top().title(&a.cx.t);
    assert_ne!(before, after, "the count went up");
    // The newest first (the selection stayed on the row it was on): Home, then Enter opens
    // it in the intake form.
    a.on_key(key(KeyCode::Home));
    a.on_key(key(KeyCode::Enter));
    let s = shot(&a);
    assert!(s.contains("Обаждане от колега."), "{s}");
}

/// Drafts of every form come back, not only the person's: a phone note left unsaved is offered
/// on the next start and resumes in the intake form with its text.
#[test]
fn an_unsaved_phone_note_comes_back_as_its_form() {
    let (_dir, svc) = own_db();
    let b = resumed_phone_note(&svc, "Недовършена бележка");
    let s = shot(&b);
    assert!(
        s.contains("Недовършена бележка") && s.contains("Канал"),
        "{s}"
    );
}

/// The register: typing narrows it, a full service is marked; a referral a colleague makes
/// to a service shows in its occupancy by itself; a visit recorded from the service's screen
/// is listed there and its follow-up is on the agenda.
#[test]
fn the_register_follows_referrals_and_a_visit_is_recorded_from_the_service() {
    use frontoffice::domain::{
        record::{Body, Kind},
        referral::ReferralStatus,
    };
    let (_dir, svc) = own_db();
    let mut a = app_on(&svc, Lang::Bg, "default", false);
    let changes = a.cx.api.subscribe().unwrap();
    a.on_key(key(KeyCode::F(8)));
    typed(&mut a, "zashtiteno");
    let s = shot(&a);
    let row = s.lines().find(|l| l.contains("Защитено жилище")).unwrap();
    assert!(row.ends_with("пълна"), "{s}");
    a.on_key(ctrl('u'));
    typed(&mut a, "dnev");
    let s = shot(&a);
    let row = s.lines().find(|l| l.starts_with('▶')).unwrap().to_string();
    let free = |row: &str| -> u32 { row.split_whitespace().last().unwrap().parse().unwrap() };
    let before = free(&row);
    // A colleague refers a person there: the register counts it as soon as it is saved.
    let other = a_session(&svc);
    // The chosen row: the first day centre by name, as the register sorts.
    let mut centres: Vec<_> = other
        .register()
        .unwrap()
        .into_iter()
        .filter(|r| r.service.name.starts_with("Дневен"))
        .collect();
    centres.sort_by_key(|r| r.service.name.to_lowercase());
    let service = centres.remove(0);
    let person = other.list(Kind::Person, None, 1).unwrap()[0].id();
    let mut r = common::referral(person, Some(service.id), service.service.activity);
    r.status = ReferralStatus::Requested;
    let made = other.create(Body::Referral(r)).unwrap();
    for to in [ReferralStatus::Assessed, ReferralStatus::Referred] {
        let rev = other.get(Kind::Referral, made.id()).unwrap().meta.rev;
        other.referral_step(made.id(), rev, to, "").unwrap();
    }
    while let Ok(c) = changes.recv_timeout(std::time::Duration::from_millis(500)) {
        a.on_change(&c);
    }
    let s = shot(&a);
    let row = s.lines().find(|l| l.starts_with('▶')).unwrap();
    assert_eq!(free(row), before - 1, "{s}");
    // The service's screen: its occupancy on top, a new visit with F7.
    a.on_key(key(KeyCode::Enter));
    let visits = |s: &str| -> usize {
        let at = s.find("Мониторинг (").expect(s) + "Мониторинг (".len();
        s[at..].split(')').next().unwrap().parse().unwrap()
    };
    let s = shot(&a);
    assert!(s.contains("свободни"), "{s}");
    let before = visits(&s);
    a.on_key(key(KeyCode::F(7)));
    typed(&mut a, "Графикът за декември не е изготвен.");
    a.on_key(key(KeyCode::Tab));
    typed(&mut a, "със");
    a.on_key(key(KeyCode::Tab));
    typed(&mut a, "10.12.2026");
    a.on_key(key(KeyCode::F(2)));
    let s = shot(&a);
    assert_eq!(visits(&s), before + 1, "{s}");
    assert!(s.contains("Графикът за декември"), "{s}");
    let agenda = a.cx.api.agenda(30, None).unwrap();
    assert!(agenda.items.iter().any(|i| i.kind
        == frontoffice::domain::agenda::AgendaKind::VisitFollowUp
        && i.due == common::date(2026, 12, 10)
        && i.detail == service.service.name));
}

/// The card's personal-assistance lines open their records: the направление, the agreement
/// (its weekly schedule, F12 writes its document to sign beside the database, an audited
/// read), the contract from the agreement's form.
#[test]
fn the_card_opens_the_assistance_records_and_f12_writes_the_agreement() {
    let (_dir, svc) = own_db();
    let out = tempfile::tempdir().unwrap();
    let mut a = app_on(&svc, Lang::Bg, "default", false);
    a.cx.data_dir = out.path().to_path_buf();
    typed(&mut a, AGREEMENT);
    a.on_key(key(KeyCode::Enter));
    // Down through the card's lines until the agreement's form opens.
    let mut titles = Vec::new();
    for n in 1..12 {
        for _ in 0..n {
            a.on_key(key(KeyCode::Down));
        }
        a.on_key(key(KeyCode::Enter));
        let title = a.top().title(&a.cx.t);
        titles.push(title.clone());
        if title.starts_with("Споразумение СП-") {
            break;
        }
        a.on_key(key(KeyCode::Esc));
        a.on_key(key(KeyCode::Home));
    }
    assert!(
        titles
            .iter()
            .any(|t| t.starts_with("Направление от ДСП ДСП-")),
        "{titles:?}"
    );
    assert_eq!(
        titles.last().map(String::as_str),
        Some("Споразумение СП-2026-0001"),
        "{titles:?}"
    );
    let s = shot(&a);
    assert!(s.contains("F12 Документ") && s.contains("седмично"), "{s}");
    a.on_key(key(KeyCode::F(12)));
    let s = shot(&a);
    assert!(s.contains("Документът е записан"), "{s}");
    // The popup says the whole path, wrapped at 80 columns, and offers to print it.
    let path = out
        .path()
        .join("documents")
        .join("agreement-SP-2026-0001.pdf");
    let lines: Vec<&str> = s.lines().collect();
    let path_text = path.display().to_string();
    let first = path_text.chars().take(20).collect::<String>();
    let at = lines.iter().position(|l| l.contains(&first)).unwrap();
    let joined: String = lines[at..]
        .iter()
        .take_while(|l| !l.trim().is_empty())
        .map(|l| l.trim())
        .collect();
    assert!(joined.contains(&path_text), "{s}");
    assert!(s.contains("F5 Печат (lp)"), "{s}");
    // Private: 0600 in a 0700 folder.
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&out.path().join("documents")), 0o700);
    a.on_key(key(KeyCode::Esc));
    assert_eq!(a.top().title(&a.cx.t), "Споразумение СП-2026-0001");
    let written: Vec<_> = std::fs::read_dir(out.path().join("documents"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(written, ["agreement-SP-2026-0001.pdf"]);
    // The last entry of the audit log is the document's read.
    let s = a_session(&svc);
    let mut last = None;
    loop {
        let page = s
            .audit_log(
                last.as_ref()
                    .map(|e: &frontoffice::domain::audit::AuditEntry| e.seq),
                1000,
            )
            .unwrap();
        match page.last() {
            Some(e) => last = Some(e.clone()),
            None => break,
        }
    }
    assert_eq!(
        last.map(|e| e.action),
        Some(frontoffice::domain::audit::AuditAction::Document)
    );
}

/// A report that matches its agreement's schedule takes at most three keys from the month
/// screen (here two: Enter opens it filled from the schedule, F2 accepts), through the real
/// keymap; the stored report is the schedule's, accepted; the cursor then stands on the next
/// expected report.
#[test]
fn a_report_matching_its_schedule_is_accepted_in_two_keys_from_the_month() {
    use frontoffice::domain::month_grid::{fill_from_schedule, month_grid};
    use frontoffice::domain::{
        calendar::WorkCalendar,
        date::Month,
        record::{Body, Kind},
        report::ReportStatus,
    };
    use frontoffice::tui::screens::report_grid::capped;
    let (_dir, svc) = own_db();
    let mut a = app_on(&svc, Lang::Bg, "default", false);
    a.on_key(key(KeyCode::F(12)));
    let chosen = |a: &App| -> (String, String) {
        let s = shot(a);
        let line = s
            .lines()
            .find(|l| l.starts_with('▶'))
            .expect(&s)
            .to_string();
        let number = line
            .trim_start_matches('▶')
            .split_whitespace()
            .next()
            .unwrap()
            .to_string();
        (number, line)
    };
    let (number, line) = chosen(&a);
    assert!(line.ends_with("очакван"), "{line}");
    let s = a_session(&svc);
    let mut after = None;
    let agreement = loop {
        let page = s.list(Kind::Agreement, after, 100).unwrap();
        let found = page
            .iter()
            .find(|r| matches!(&r.body, Body::Agreement(x) if x.number == number))
            .cloned();
        if let Some(r) = found {
            break r;
        }
        after = Some(page.last().expect("the agreement is listed").id());
    };
    let Body::Agreement(ag) = &agreement.body else {
        unreachable!()
    };
    let month = Month::of(common::today()).prev();
    let keys = [key(KeyCode::Enter), key(KeyCode::F(2))];
    let mut actions = 0;
    for k in keys {
        if frontoffice::tui::keymap::resolve(a.top().context(), &k).is_some() {
            actions += 1;
        }
        a.on_key(k);
    }
    assert!(actions <= 3);
    let report = s
        .related(agreement.id())
        .unwrap()
        .into_iter()
        .find_map(|r| match r.body {
            Body::Report(m) if m.month == month => Some(m),
            _ => None,
        })
        .unwrap_or_else(|| panic!("the report is not stored:\n{}", shot(&a)));
    let suspensions: Vec<_> = s
        .related(agreement.id())
        .unwrap()
        .into_iter()
        .filter_map(|r| match r.body {
            Body::Suspension(x) => Some(x),
            _ => None,
        })
        .collect();
    let settings = s.settings().unwrap().settings;
    let cal = WorkCalendar::new(settings.calendar);
    let agreed = frontoffice::domain::monthly::agreed_minutes(ag, &suspensions, month, &cal);
    let grid = month_grid(&cal.month_days(month), ag, &suspensions);
    let expected = capped(fill_from_schedule(&grid, &ag.week), agreed);
    assert_eq!(report.minutes, expected);
    assert_eq!(report.status, ReportStatus::Accepted);
    assert!(report.total_minutes() > 0);
    // Back on the month screen, on the next expected report.
    let (next, line) = chosen(&a);
    assert_ne!(next, number);
    assert!(line.ends_with("очакван"), "{line}\n{}", shot(&a));
}

/// F6 on an agreement in force replaces its assistant in one action: the clerk chooses the new
/// assistant, the reason and the day; the old agreement ends the day before and the new one,
/// a draft to sign, opens.
#[test]
fn f6_replaces_the_assistant_of_an_agreement() {
    use frontoffice::domain::{
        assistance::AgreementStatus,
        record::{Body, Kind},
    };
    let (_dir, svc) = own_db();
    let s = a_session(&svc);
    // The demo's last assistant takes over.
    let spare = s.list(Kind::Assistant, None, 1000).unwrap().pop().unwrap();
    let Body::Assistant(x) = &spare.body else {
        unreachable!()
    };
    let spare_name = s.labels(vec![x.person]).unwrap()[0].name.clone();
    let mut a = app_on(&svc, Lang::Bg, "default", false);
    typed(&mut a, AGREEMENT);
    a.on_key(key(KeyCode::Enter));
    for n in 1..12 {
        a.on_key(key(KeyCode::Home));
        for _ in 0..n {
            a.on_key(key(KeyCode::Down));
        }
        a.on_key(key(KeyCode::Enter));
        if a.top().title(&a.cx.t).starts_with("Споразумение СП-") {
            break;
        }
        a.on_key(key(KeyCode::Esc));
    }
    assert!(
        a.top().title(&a.cx.t).starts_with("Споразумение СП-"),
        "{}",
        shot(&a)
    );
    // The assistant field (third): the new one by name, from the list.
    a.on_key(key(KeyCode::Tab));
    a.on_key(key(KeyCode::Tab));
    a.on_key(ctrl('u'));
    typed(&mut a, &spare_name);
    a.on_key(key(KeyCode::F(4)));
    a.on_key(key(KeyCode::Enter));
    // The reason for ending (the last but one field), then the day of the change.
    for _ in 0..16 {
        a.on_key(key(KeyCode::Tab));
    }
    a.on_key(ctrl('u'));
    typed(&mut a, "по желание");
    a.on_key(key(KeyCode::Tab));
    typed(&mut a, "01.12.2026");
    a.on_key(key(KeyCode::F(6)));
    let screen = shot(&a);
    assert!(
        screen.contains("Асистентът е сменен от 01.12.2026"),
        "{screen}"
    );
    assert!(screen.contains(&spare_name), "{screen}");
    // In the service: the old one ended on 30.11, the new one a draft from 01.12.
    let mut agreements: Vec<_> = s
        .list(Kind::Agreement, None, 1000)
        .unwrap()
        .into_iter()
        .filter_map(|r| match r.body {
            Body::Agreement(g) => Some(g),
            _ => None,
        })
        .collect();
    let old = agreements
        .iter()
        .find(|g| g.number == AGREEMENT)
        .unwrap()
        .clone();
    assert_eq!(old.status, AgreementStatus::Ended);
    assert_eq!(old.to, common::date(2026, 11, 30));
    assert_eq!(old.end_reason.as_deref(), Some("wish"));
    agreements.retain(|g| g.user == old.user && g.from == common::date(2026, 12, 1));
    assert_eq!(agreements.len(), 1);
    assert_eq!(agreements[0].assistant, spare.id());
    assert_eq!(agreements[0].status, AgreementStatus::Draft);
}

/// The month screen's totals are the service's month summary (what `report monthly` prints,
/// tested there against the command line); F8 closes the month, and the header says so.
#[test]
fn the_month_screens_totals_are_the_reports_and_f8_closes_the_month() {
    use frontoffice::domain::{date::Month, monthly::format_hm};
    let (_dir, svc) = own_db();
    let mut a = app_on(&svc, Lang::Bg, "default", false);
    a.on_key(key(KeyCode::F(12)));
    let month = Month::of(common::today()).prev();
    let summary = a_session(&svc).monthly_report(month).unwrap();
    let (agreed, reported) = summary.totals();
    let s = shot(&a);
    let line = s.lines().find(|l| l.starts_with("Общо")).expect(&s);
    assert_eq!(
        line,
        format!(
            "Общо {} отчетени от {} по споразумения · {} споразумения",
            format_hm(reported as i64),
            format_hm(agreed as i64),
            summary.rows.len()
        )
    );
    a.on_key(key(KeyCode::F(8)));
    let s = shot(&a);
    assert!(s.contains("приключен от"), "{s}");
    assert!(a_session(&svc)
        .monthly_report(month)
        .unwrap()
        .closed
        .is_some());
}

// ---------------------------------------------------------------------------------------------
// The month: returning a report for correction, reopening a month, filters, the summary.

/// The first row of the month screen whose state is `state`, chosen with ↓ (its number).
fn choose_month_row(a: &mut App, state: &str) -> String {
    for _ in 0..40 {
        let s = shot(a);
        let line = s
            .lines()
            .find(|l| l.starts_with('▶'))
            .expect(&s)
            .to_string();
        if line.trim_end().ends_with(state) {
            return line
                .trim_start_matches('▶')
                .split_whitespace()
                .next()
                .unwrap()
                .to_string();
        }
        a.on_key(key(KeyCode::Down));
    }
    panic!("no row is {state}: {}", shot(a));
}

/// The stored report of the agreement numbered `number` for `month`.
fn stored_report(
    svc: &Arc<Service>,
    number: &str,
    month: frontoffice::domain::date::Month,
) -> (u64, frontoffice::domain::report::MonthlyReport) {
    let summary = a_session(svc).monthly_report(month).unwrap();
    let row = summary.rows.iter().find(|r| r.number == number).unwrap();
    let id = row.report.expect("a report");
    match a_session(svc)
        .get(frontoffice::domain::record::Kind::Report, id)
        .unwrap()
        .body
    {
        frontoffice::domain::record::Body::Report(r) => (id, r),
        b => panic!("{b:?}"),
    }
}

/// F8 on an accepted report's grid asks the reason; none is refused with a message and the
/// prompt stays; with one the report is returned (the reason in the audit log), the grid shows
/// it so, and F2 accepts it again.
#[test]
fn an_accepted_report_goes_back_for_correction_with_a_reason_and_is_accepted_again() {
    use frontoffice::domain::{audit::AuditAction, date::Month, report::ReportStatus};
    let (_dir, svc) = own_db();
    let month = Month::of(common::today()).prev();
    let mut a = app_on(&svc, Lang::Bg, "default", false);
    a.on_key(key(KeyCode::F(12)));
    let number = choose_month_row(&mut a, "приет");
    a.on_key(key(KeyCode::Enter));
    assert!(shot(&a).contains("F8 За корекция"), "{}", shot(&a));
    a.on_key(key(KeyCode::F(8)));
    let depth = a.depth();
    a.on_key(key(KeyCode::Enter));
    assert_eq!(a.depth(), depth, "no reason, no return");
    assert!(shot(&a).contains("задължително поле"), "{}", shot(&a));
    assert_eq!(
        stored_report(&svc, &number, month).1.status,
        ReportStatus::Accepted
    );
    typed(&mut a, "грешни часове на 5-ти");
    a.on_key(key(KeyCode::F(2)));
    assert_eq!(a.depth(), depth - 1, "back on the grid");
    let (id, r) = stored_report(&svc, &number, month);
    assert_eq!(r.status, ReportStatus::Returned);
    let s = shot(&a);
    assert!(
        s.contains("за корекция") && s.contains("върнат за корекция"),
        "{s}"
    );
    assert!(
        !s.contains("F8 За корекция"),
        "a returned report is not returned again: {s}"
    );
    let log = a_session(&svc).audit_log(None, 1_000_000).unwrap();
    let entry = log
        .iter()
        .rev()
        .find(|e| e.action == AuditAction::ReportReturn && e.id == Some(id))
        .expect("the return is audited");
    assert!(entry
        .changes
        .iter()
        .any(|c| c.field == "reason" && c.new == "грешни часове на 5-ти"));
    a.on_key(key(KeyCode::F(2)));
    assert_eq!(
        stored_report(&svc, &number, month).1.status,
        ReportStatus::Accepted
    );
}

/// F8 closes the month; on a closed month F8 reopens it after a reason (audited), and the
/// footer names the key for what it does.
#[test]
fn a_closed_month_reopens_from_the_month_screen_with_a_reason() {
    use frontoffice::domain::{audit::AuditAction, date::Month};
    let (_dir, svc) = own_db();
    let month = Month::of(common::today()).prev();
    let mut a = app_on(&svc, Lang::Bg, "default", false);
    a.on_key(key(KeyCode::F(12)));
    assert!(shot(&a).contains("F8 Приключи"), "{}", shot(&a));
    a.on_key(key(KeyCode::F(8)));
    assert!(a_session(&svc)
        .monthly_report(month)
        .unwrap()
        .closed
        .is_some());
    let s = shot(&a);
    assert!(
        s.contains("F8 Отключи") && s.contains("приключен от"),
        "{s}"
    );
    a.on_key(key(KeyCode::F(8)));
    typed(&mut a, "поправка на отчет за АСП");
    a.on_key(key(KeyCode::Enter));
    assert!(a_session(&svc)
        .monthly_report(month)
        .unwrap()
        .closed
        .is_none());
    let s = shot(&a);
    assert!(
        s.contains("F8 Приключи") && !s.contains("приключен от"),
        "{s}"
    );
    let log = a_session(&svc).audit_log(None, 1_000_000).unwrap();
    let entry = log.last().unwrap();
    assert_eq!(entry.action, AuditAction::MonthReopen);
    assert!(entry
        .changes
        .iter()
        .any(|c| c.new == "поправка на отчет за АСП"));
}

/// F4 keeps one settlement's users, F11 one provider's agreements; the totals line sums the
/// rows shown, and each step of F4 goes to the next settlement, then back to all.
#[test]
fn the_month_filters_by_settlement_and_provider() {
    use frontoffice::domain::{date::Month, monthly::format_hm};
    let (_dir, svc) = own_db();
    let month = Month::of(common::today()).prev();
    let summary = a_session(&svc).monthly_report(month).unwrap();
    let settings = a_session(&svc).settings().unwrap().settings;
    let name = |code: &str| {
        settings
            .settlements
            .iter()
            .find(|s| s.ekatte == code)
            .map(|s| s.name.clone())
            .unwrap()
    };
    let mut codes: Vec<String> = summary.rows.iter().map(|r| r.settlement.clone()).collect();
    codes.sort_by_key(|c| name(c));
    codes.dedup();
    assert!(
        codes.len() > 1,
        "the demo's users live in several settlements"
    );
    let mut a = app_on(&svc, Lang::Bg, "default", false);
    a.on_key(key(KeyCode::F(12)));
    for code in &codes {
        a.on_key(key(KeyCode::F(4)));
        let rows: Vec<_> = summary
            .rows
            .iter()
            .filter(|r| &r.settlement == code)
            .collect();
        let s = shot(&a);
        assert!(s.contains(&format!("[{}]", name(code))), "{s}");
        for r in &summary.rows {
            assert_eq!(
                s.contains(&r.number),
                rows.contains(&r),
                "{}: {s}",
                r.number
            );
        }
        let agreed: u64 = rows.iter().map(|r| u64::from(r.agreed_minutes)).sum();
        let reported: u64 = rows.iter().map(|r| u64::from(r.reported_minutes)).sum();
        let total = format!(
            "Общо {} отчетени от {} по споразумения · {} {}",
            format_hm(reported as i64),
            format_hm(agreed as i64),
            rows.len(),
            if rows.len() == 1 {
                "споразумение"
            } else {
                "споразумения"
            }
        );
        assert!(s.contains(&total), "{total}\n{s}");
    }
    a.on_key(key(KeyCode::F(4)));
    let s = shot(&a);
    assert!(!s.contains('['), "all settlements again: {s}");
    a.on_key(key(KeyCode::F(11)));
    let first = summary.providers();
    let s = shot(&a);
    assert!(s.contains(&format!("[{}]", first[0].name)), "{s}");
    for r in &summary.rows {
        assert_eq!(s.contains(&r.number), r.provider_id == first[0].provider);
    }
}

/// F12 on the month screen: each provider's agreements, missing reports, hours and pay are the
/// month summary's (what `report monthly` prints), and the chart's months end at the month.
#[test]
fn the_month_summary_shows_each_providers_hours_and_pay_and_the_chart() {
    use frontoffice::domain::{date::Month, monthly::format_hm, pay::money};
    let (_dir, svc) = own_db();
    let month = Month::of(common::today()).prev();
    let summary = a_session(&svc).monthly_report(month).unwrap();
    let mut a = app_on(&svc, Lang::En, "default", false);
    a.on_key(key(KeyCode::F(12)));
    a.on_key(key(KeyCode::F(12)));
    let s = shot(&a);
    let providers = summary.providers();
    assert!(!providers.is_empty());
    for p in &providers {
        let line = s.lines().skip(1).find(|l| l.contains(&p.name)).expect(&s);
        let cells: Vec<&str> = line.split_whitespace().rev().take(6).collect();
        assert_eq!(
            cells,
            [
                "EUR".to_string(),
                money(p.eur_cents, "EUR").replace(" EUR", ""),
                format_hm(p.paid_minutes as i64),
                format_hm(p.reported_minutes as i64),
                format_hm(p.agreed_minutes as i64),
                p.missing.to_string(),
            ],
            "{line}"
        );
    }
    let from = {
        let mut m = month;
        for _ in 0..11 {
            m = m.prev();
        }
        m
    };
    let span = format!(
        "Hours {:02}.{}–{:02}.{}",
        from.month, from.year, month.month, month.year
    );
    assert!(s.contains(&span), "{s}");
    assert!(s.contains(&format!("{:02}.{:02}", month.month, month.year % 100)));
    // F5: the pay lines, each assistant's hours, rate and amount as the report words them.
    a.on_key(key(KeyCode::F(5)));
    let s = shot(&a);
    let lines = summary.pay_lines();
    assert!(!lines.is_empty());
    for l in &lines {
        let [hours, rate, amount, _] = frontoffice::domain::pay::pay_cells(l, Lang::En);
        let first_name = l.name.split_whitespace().next().unwrap();
        let row = s
            .lines()
            .skip(1)
            .find(|r| r.contains(first_name) && r.contains(&hours))
            .expect(&s);
        assert!(row.contains(&rate) && row.contains(&amount), "{row}");
    }
    assert!(s.contains("F5 Chart"), "{s}");
}

/// A report accepted by a colleague arrives as a change event: its row on the month screen shows
/// it (reloaded alone), the totals follow, and the cursor stays on its agreement.
#[test]
fn the_month_screen_follows_a_colleagues_report() {
    use frontoffice::domain::month_grid::{fill_from_schedule, month_grid};
    use frontoffice::domain::{
        calendar::WorkCalendar,
        date::Month,
        monthly::format_hm,
        record::{Body, Kind},
        report::{MonthlyReport, ReportStatus},
    };
    use frontoffice::tui::screens::report_grid::capped;
    let (_dir, svc) = own_db();
    let month = Month::of(common::today()).prev();
    let mut a = app_on(&svc, Lang::Bg, "default", false);
    let changes = a.cx.api.subscribe().unwrap();
    a.on_key(key(KeyCode::F(12)));
    let number = choose_month_row(&mut a, "очакван");
    let s = a_session(&svc);
    let row = s
        .monthly_report(month)
        .unwrap()
        .rows
        .into_iter()
        .find(|r| r.number == number)
        .unwrap();
    let Body::Agreement(ag) = s.get(Kind::Agreement, row.agreement).unwrap().body else {
        unreachable!()
    };
    let grid = month_grid(
        &WorkCalendar::new(a.cx.settings.calendar.clone()).month_days(month),
        &ag,
        &[],
    );
    let mut r = MonthlyReport::from_schedule(row.agreement, month, &[], 0, common::today());
    r.minutes = capped(fill_from_schedule(&grid, &ag.week), row.agreed_minutes);
    r.status = ReportStatus::Accepted;
    let hours = format_hm(r.total_minutes().into());
    s.create(Body::Report(r)).unwrap();
    a.on_change(&next_change(&changes));
    let after = shot(&a);
    let line = after.lines().find(|l| l.starts_with('▶')).expect(&after);
    assert!(line.contains(&number), "the cursor stays: {line}");
    assert!(line.trim_end().ends_with("приет"), "{line}");
    assert!(line.contains(&format!("{hours}/")), "{line}");
    let (agreed, reported) = s.monthly_report(month).unwrap().totals();
    assert!(
        after.contains(&format!(
            "Общо {} отчетени от {}",
            format_hm(reported as i64),
            format_hm(agreed as i64)
        )),
        "{after}"
    );
}

// ---------------------------------------------------------------------------------------------

// Reference fields that read what they offer once per form (the referral's service, the
// agreement's and the contract's assistant) and filter it per key: a colleague's save that
// changes it is offered once the save is announced, and names are ranked as the search ranks
// them.
// ---------------------------------------------------------------------------------------------

/// A day centre a colleague enters in the register after the clerk opened a referral and began
/// typing its name in the service field is offered there once the save is announced (the
/// register rows the form read at opening are read again).
#[test]
fn a_service_a_colleague_enters_is_offered_in_an_open_referral() {
    use frontoffice::domain::record::Body;
    let (_dir, svc) = own_db();
    let (mut a, other, changes) = on_agreement_card(&svc);
    // F11 on the card: a new referral; the type "дневна грижа", then the service by name.
    a.on_key(key(KeyCode::F(11)));
    a.on_key(key(KeyCode::Tab));
    a.on_key(ctrl('u'));
    typed(&mut a, "дн");
    a.on_key(key(KeyCode::Tab));
    typed(&mut a, "слънчоглед");
    a.on_key(key(KeyCode::F(4)));
    assert!(!shot(&a).contains("Слънчоглед ·"), "{}", shot(&a));
    a.on_key(key(KeyCode::Esc));
    // The colleague enters a new day centre, like the demo's, under another name.
    let centre = other
        .register()
        .unwrap()
        .into_iter()
        .find(|r| r.service.name == "Дневен център за възрастни хора")
        .unwrap();
    let mut service = centre.service.clone();
    service.name = "Дневен център Слънчоглед".into();
    other.create(Body::Service(service)).unwrap();
    let change = next_change(&changes);
    assert_eq!(change.by, "colleague");
    a.on_change(&change);
    // Without another key typed: the list follows the register.
    a.on_key(key(KeyCode::F(4)));
    let s = shot(&a);
    assert!(
        s.contains("▶ Дневен център Слънчоглед · с. Бистрица · своб."),
        "{s}"
    );
    // Chosen, it fills the provider from the register's row.
    a.on_key(key(KeyCode::Enter));
    let s = shot(&a);
    let provider = s.lines().find(|l| l.contains("Доставчик")).expect(&s);
    let start: String = centre.provider_name.chars().take(12).collect();
    assert!(provider.contains(&start), "{s}");
}

/// A new person (an adult, as a known assistant's person is) made an assistant by `other`;
/// returns the assistant's IBAN as the console shows it.
fn colleague_adds_assistant(
    other: &frontoffice::service::Session,
    first: &str,
    last: &str,
) -> String {
    use frontoffice::domain::{
        assistance::Assistant,
        iban::Iban,
        record::{Body, Kind},
    };
    let known = other.list(Kind::Assistant, None, 1).unwrap().remove(0);
    let Body::Assistant(x) = known.body else {
        unreachable!()
    };
    let Body::Person(mut p) = other.get(Kind::Person, x.person).unwrap().body else {
        unreachable!()
    };
    p.first_name = first.into();
    p.middle_name = String::new();
    p.last_name = last.into();
    p.ident = Default::default();
    let person = other.create(Body::Person(p)).unwrap();
    let iban = Iban::parse("BG80 BNBG 9661 1020 3456 78").unwrap();
    other
        .create(Body::Assistant(Assistant {
            person: person.id(),
            iban: iban.clone(),
            relation: String::new(),
            no_protection_order: true,
        }))
        .unwrap();
    iban.grouped()
}

/// A person a colleague enters and makes an assistant after the clerk opened an agreement and
/// began typing her name in the assistant field is offered there once the saves are announced.
#[test]
fn an_assistant_a_colleague_enters_is_offered_in_an_open_agreement() {
    let (_dir, svc) = own_db();
    let (mut a, other, changes) = on_agreement_card(&svc);
    // F12 on the card: a new agreement; its third field is the assistant.
    a.on_key(key(KeyCode::F(12)));
    a.on_key(key(KeyCode::Tab));
    a.on_key(key(KeyCode::Tab));
    typed(&mut a, "Слънчева");
    // The colleague enters the person and makes her an assistant.
    let iban = colleague_adds_assistant(&other, "Калина", "Слънчева");
    for _ in 0..2 {
        let change = next_change(&changes);
        a.on_change(&change);
    }
    a.on_key(key(KeyCode::F(4)));
    let s = shot(&a);
    assert!(s.contains(&format!("▶ Калина Слънчева ({iban})")), "{s}");
}

/// The assistant field matches names in the console; it offers the assistants whose persons
/// the service's search finds, in the search's order (exact words first, then by spelling),
/// at least 12 of them: for prefixes and whole words of every assistant's name, Cyrillic and
/// Latin, one word and two.
#[test]
fn the_assistant_field_offers_what_the_search_finds_in_its_order() {
    use frontoffice::domain::{
        record::{Body, Kind},
        search_key::search_tokens,
    };
    use frontoffice::tui::forms::{agreement::AgreementSpec, Spec};
    let (_dir, svc) = own_db();
    // Names that share their surname and one begins another's first name ("тестова иван"
    // finds both; the whole word ranks first, whatever the ids).
    let s = a_session(&svc);
    for (first, last) in [
        ("Иванка", "Тестова"),
        ("Иван", "Тестова"),
        ("Иво", "Тестов"),
    ] {
        colleague_adds_assistant(&s, first, last);
    }
    let cx = cx_on(&svc, Lang::Bg);
    let mut by_person: std::collections::BTreeMap<u64, Vec<(u64, String)>> = Default::default();
    for r in s.list(Kind::Assistant, None, 1000).unwrap() {
        if let Body::Assistant(x) = &r.body {
            by_person
                .entry(x.person)
                .or_default()
                .push((r.id(), x.iban.grouped()));
        }
    }
    assert!(by_person.len() > 3, "the demo has assistants");
    // What the field offered before it matched names itself: the search's persons, each with
    // their assistants (no hit left out by the search's limit here).
    let reference = |q: &str| -> Vec<(String, String)> {
        let mut out = Vec::new();
        for h in s.search(q, 1000).unwrap() {
            if h.kind != Kind::Person {
                continue;
            }
            for (id, iban) in by_person.get(&h.id).into_iter().flatten() {
                out.push((id.to_string(), format!("{} ({iban})", h.name)));
            }
            if out.len() >= 12 {
                break;
            }
        }
        out
    };
    let form = AgreementSpec::form(&cx);
    let mut queries = Vec::new();
    for person in by_person.keys() {
        let name = s.labels(vec![*person]).unwrap().remove(0).name;
        let words: Vec<&str> = name.split_whitespace().collect();
        for w in &words {
            let chars: Vec<char> = w.chars().collect();
            for n in [1, 2, 3, chars.len()] {
                queries.push(chars[..n.min(chars.len())].iter().collect::<String>());
            }
        }
        queries.extend(search_tokens(&name));
        if let [first, .., last] = words.as_slice() {
            let two: String = first.chars().take(2).collect();
            queries.push(format!("{two} {last}"));
            queries.push(format!("{last} {first}"));
        }
    }
    queries.sort();
    queries.dedup();
    let mut compared = 0;
    for q in &queries {
        let offered: Vec<(String, String)> = AgreementSpec::ref_options(&form, "assistant", q, &cx)
            .unwrap()
            .into_iter()
            .map(|c| (c.code, c.label))
            .collect();
        assert_eq!(offered, reference(q), "typed {q:?}");
        compared += usize::from(!offered.is_empty());
    }
    assert!(compared > 20, "{compared} queries found assistants");
}

/// The agreement's направление field reads the user's направления once (not per key), and a
/// направление a colleague saves meanwhile is offered once the save is announced.
#[test]
fn a_napravlenie_a_colleague_saves_is_offered_in_an_open_agreement() {
    use frontoffice::domain::record::{Body, Kind};
    let (_dir, svc) = own_db();
    let (mut a, other, changes) = on_agreement_card(&svc);
    let hit = other.search(AGREEMENT, 1).unwrap().remove(0);
    let Body::Agreement(agreement) = other.get(Kind::Agreement, hit.id).unwrap().body else {
        panic!("not an agreement")
    };
    let user = agreement.user;
    // F12 on the card: a new agreement; its second field is the направление.
    a.on_key(key(KeyCode::F(12)));
    a.on_key(key(KeyCode::Tab));
    a.on_key(key(KeyCode::F(4)));
    assert!(!shot(&a).contains("ДСП-2026-777"), "{}", shot(&a));
    a.on_key(key(KeyCode::Esc));
    let mut d = other
        .related(user)
        .unwrap()
        .into_iter()
        .find_map(|r| match r.body {
            Body::DspDecision(d) => Some(d),
            _ => None,
        })
        .expect("the user has a направление");
    d.number = "ДСП-2026-777".into();
    other.create(Body::DspDecision(d)).unwrap();
    a.on_change(&next_change(&changes));
    a.on_key(key(KeyCode::F(4)));
    let s = shot(&a);
    assert!(s.contains("ДСП-2026-777"), "{s}");
}

/// A theme with a base of its own (high contrast: white on black) paints every cell of a
/// frame, the empty ones too; the default theme leaves the terminal's own colours where
/// nothing is drawn.
#[test]
fn a_themes_own_base_covers_every_cell_and_the_default_leaves_the_terminals() {
    use ratatui::style::Color;
    let cells = |theme: &str| {
        let a = app(Lang::Bg, theme, false);
        let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
        frontoffice::tui::draw(&mut term, &a).unwrap();
        term.backend().buffer().content.clone()
    };
    let contrast = cells("high-contrast");
    assert!(
        contrast.iter().all(|c| c.bg != Color::Reset),
        "every cell painted"
    );
    assert!(contrast
        .iter()
        .any(|c| c.bg == Color::Black && c.symbol() == " "));
    let default = cells("default");
    assert!(default
        .iter()
        .any(|c| c.bg == Color::Reset && c.symbol() == " "));
}

/// A service whose register period ended is shown as ended, offers no places (F8's free places
/// leave it out), and its screen says so on top.
#[test]
fn an_ended_register_entry_is_shown_as_ended_and_offers_no_places() {
    use frontoffice::domain::record::{Body, Kind};
    let (_dir, svc) = own_db();
    let other = a_session(&svc);
    let mut rows = other.register().unwrap();
    rows.sort_by_key(|r| r.service.name.to_lowercase());
    let centre = rows
        .into_iter()
        .find(|r| r.service.name.starts_with("Дневен") && r.free().is_some_and(|n| n > 0))
        .unwrap();
    let rec = other.get(Kind::Service, centre.id).unwrap();
    let Body::Service(mut s) = rec.body else {
        unreachable!()
    };
    s.valid_from = Some(common::date(2024, 1, 1));
    s.valid_to = Some(common::today().pred_opt().unwrap());
    other
        .update(centre.id, rec.meta.rev, Body::Service(s))
        .unwrap();
    let mut a = app_on(&svc, Lang::Bg, "default", false);
    a.on_key(key(KeyCode::F(8)));
    typed(&mut a, &centre.service.name);
    let shown = shot(&a);
    let row = shown.lines().find(|l| l.starts_with('▶')).expect(&shown);
    assert!(row.trim_end().ends_with("закр."), "{shown}");
    // Free places only: it is gone.
    a.on_key(key(KeyCode::F(8)));
    let filtered = shot(&a);
    assert!(
        filtered.contains("(0)") && !filtered.lines().any(|l| l.starts_with('▶')),
        "{filtered}"
    );
    a.on_key(key(KeyCode::F(8)));
    a.on_key(key(KeyCode::Enter));
    let form = shot(&a);
    assert!(
        form.contains("ЗАЛИЧЕНА от регистъра на 16.11.2026"),
        "{form}"
    );
}

/// After the link to the server comes back, the events sent while it was down are lost: the
/// open screens load again (the register, then a card), with no event and no key.
#[test]
fn after_a_reconnect_every_open_screen_reloads() {
    use frontoffice::domain::{
        record::{Body, Kind},
        referral::ReferralStatus,
    };
    use frontoffice::service::api::Link;
    let (_dir, svc) = own_db();
    let mut a = app_on(&svc, Lang::Bg, "default", false);
    let other = a_session(&svc);
    let mut centres: Vec<_> = other
        .register()
        .unwrap()
        .into_iter()
        .filter(|r| r.service.name.starts_with("Дневен") && r.free().is_some_and(|n| n > 0))
        .collect();
    centres.sort_by_key(|r| r.service.name.to_lowercase());
    let centre = centres.remove(0);
    a.on_key(key(KeyCode::F(8)));
    typed(&mut a, &centre.service.name);
    let free = |a: &App| -> u32 {
        let s = shot(a);
        let row = s
            .lines()
            .find(|l| l.starts_with('▶'))
            .expect(&s)
            .to_string();
        row.split_whitespace().last().unwrap().parse().unwrap()
    };
    let before = free(&a);
    let person = other.list(Kind::Person, None, 1).unwrap().remove(0);
    a.on_link(Link::Lost);
    // Meanwhile a colleague refers someone to the centre; the events never arrive.
    let mut r = common::referral(person.id(), Some(centre.id), centre.service.activity);
    r.status = ReferralStatus::Requested;
    let made = other.create(Body::Referral(r)).unwrap();
    for to in [ReferralStatus::Assessed, ReferralStatus::Referred] {
        let rev = other.get(Kind::Referral, made.id()).unwrap().meta.rev;
        other.referral_step(made.id(), rev, to, "").unwrap();
    }
    assert_eq!(free(&a), before);
    a.on_link(Link::Back);
    assert_eq!(free(&a), before - 1, "{}", shot(&a));

    // A person's card over the register; the colleague renames the person while the link is down.
    let Body::Person(p) = &person.body else {
        unreachable!()
    };
    a.on_key(key(KeyCode::F(3)));
    typed(&mut a, &p.last_name);
    a.on_key(key(KeyCode::Enter));
    assert!(shot(&a).contains(&p.last_name));
    a.on_link(Link::Lost);
    let mut renamed = p.clone();
    renamed.last_name = "Преименувана".into();
    let now = other.get(Kind::Person, person.id()).unwrap();
    other
        .update(person.id(), now.meta.rev, Body::Person(renamed))
        .unwrap();
    assert!(!shot(&a).contains("Преименувана"));
    a.on_link(Link::Back);
    assert!(shot(&a).contains("Преименувана"), "{}", shot(&a));
}

/// Seven to nine digits of an ЕГН find nobody (they would give its digits away); the screen
/// says what does.
#[test]
fn part_of_an_egn_past_the_date_says_to_type_it_whole() {
    let mut a = app(Lang::Bg, "default", false);
    a.on_key(key(KeyCode::F(3)));
    typed(&mut a, "5912123");
    let s = shot(&a);
    assert!(s.contains("въведете го цялото (10 цифри)"), "{s}");
    a.on_key(ctrl('u'));
    typed(&mut a, "zzzzqq");
    assert!(shot(&a).contains("Няма намерени.") && !shot(&a).contains("10 цифри"));
}

/// With `--ascii` no screen draws a symbol an ASCII terminal may lack (·, ←→, „“, …, arrows,
/// blocks, box lines): only ASCII and Cyrillic letters reach it.
#[test]
fn ascii_screens_draw_only_ascii_and_cyrillic() {
    let mut a = app(Lang::Bg, "mono", true);
    let only_ascii = |a: &App, at: &str| {
        let s = shot(a);
        let odd: String = s
            .chars()
            .filter(|c| !c.is_ascii() && !('\u{0400}'..='\u{04FF}').contains(c))
            .collect();
        assert!(odd.is_empty(), "{at}: {odd:?}\n{s}");
    };
    only_ascii(&a, "agenda");
    let steps: &[(&str, &[KeyCode])] = &[
        ("help", &[KeyCode::F(1)]),
        ("palette", &[KeyCode::Esc, KeyCode::F(9)]),
        ("register", &[KeyCode::Esc, KeyCode::F(8)]),
        ("month", &[KeyCode::Esc, KeyCode::F(12)]),
        ("grid", &[KeyCode::Enter]),
        ("grid help", &[KeyCode::F(1)]),
        ("summary", &[KeyCode::Esc, KeyCode::Esc, KeyCode::F(12)]),
    ];
    for (at, keys) in steps {
        for k in *keys {
            a.on_key(key(*k));
        }
        only_ascii(&a, at);
    }
    for _ in 0..4 {
        a.on_key(key(KeyCode::Esc));
    }
    typed(&mut a, "petrova");
    only_ascii(&a, "search");
    a.on_key(key(KeyCode::Enter));
    only_ascii(&a, "card");
}

/// Ctrl-U in a note clears to the line's start, as in the search box and every one-line field
/// (the text widget's own Ctrl-U would undo).
#[test]
fn ctrl_u_clears_a_notes_line_as_it_does_the_search() {
    let mut a = app(Lang::Bg, "default", false);
    typed(&mut a, "petrova");
    a.on_key(key(KeyCode::F(8)));
    typed(&mut a, "Пита за асистент");
    assert!(shot(&a).contains("Пита за асистент"));
    a.on_key(ctrl('u'));
    typed(&mut a, "Обажда се пак");
    let s = shot(&a);
    assert!(s.contains("Обажда се пак") && !s.contains("Пита за"), "{s}");
}

/// F1, F3 and F9 in any order never pile screens up: help and the palette close when asked
/// again and give way to each other and to the search, so one Esc or two bring the clerk home.
#[test]
fn help_search_and_palette_do_not_pile_up() {
    let mut a = app(Lang::Bg, "default", false);
    let home = shot(&a);
    let keys = [1, 3, 9, 1, 9, 3, 1, 1, 9, 9, 3, 3, 1, 9, 3, 9, 1, 3];
    for _ in 0..3 {
        for k in keys {
            a.on_key(key(KeyCode::F(k)));
        }
    }
    let mut escapes = 0;
    while shot(&a).lines().next() != home.lines().next() {
        a.on_key(key(KeyCode::Esc));
        escapes += 1;
        assert!(escapes <= 3, "{escapes} Esc and not home:\n{}", shot(&a));
    }
    // F1 twice: help opens and closes.
    a.on_key(key(KeyCode::F(1)));
    assert_ne!(shot(&a).lines().next(), home.lines().next());
    a.on_key(key(KeyCode::F(1)));
    assert_eq!(shot(&a), home);
}

/// The card lists an направление expiring as early as the agenda does (`decision_alert_days`,
/// 60), not only within the card's 30 days.
#[test]
fn the_card_lists_an_expiring_napravlenie_as_the_agenda_does() {
    use frontoffice::domain::{
        assistance::DspDecision,
        record::{Body, Kind},
    };
    let (_dir, svc) = own_db();
    let other = a_session(&svc);
    let person = other.list(Kind::Person, None, 1).unwrap().remove(0);
    let in_45_days = common::today() + chrono::Days::new(45);
    other
        .create(Body::DspDecision(DspDecision {
            person: person.id(),
            number: "ДСП-2026-777".into(),
            expert_decision: "0451/2026".into(),
            date: common::date(2026, 5, 1),
            degree: 2,
            hours_per_month: 42,
            valid_from: common::date(2026, 5, 1),
            valid_until: in_45_days,
        }))
        .unwrap();
    let agenda = other.agenda(7, None).unwrap();
    assert!(
        format!("{agenda:?}").contains(&format!("{in_45_days:?}")),
        "the agenda lists it: {agenda:?}"
    );
    let mut a = app_on(&svc, Lang::Bg, "default", false);
    let Body::Person(p) = &person.body else {
        unreachable!()
    };
    typed(&mut a, &format!("{} {}", p.first_name, p.last_name));
    a.on_key(key(KeyCode::Enter));
    let s = shot(&a);
    assert!(s.contains("изтича направлението от ДСП"), "{s}");
}

/// A save says what it made, with the number the saving gave it.
#[test]
fn a_save_names_what_it_made_with_its_number() {
    let (_dir, svc) = own_db();
    let mut a = app_on(&svc, Lang::Bg, "default", false);
    typed(&mut a, "petrova");
    a.on_key(key(KeyCode::F(8)));
    typed(&mut a, "Пита за дневния център.");
    a.on_key(key(KeyCode::F(2)));
    let s = shot(&a);
    let at = s.find("Записано: Обръщение 2026-").expect(&s);
    let number: String = s[at + "Записано: Обръщение ".len()..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    assert_eq!(number.len(), "2026-000123".len(), "{s}");
    let hits = a.cx.api.search(&number, 5).unwrap();
    assert!(
        hits.iter()
            .any(|h| h.kind == frontoffice::domain::record::Kind::Intake),
        "{hits:?}"
    );
}

/// Messages name a colleague by name, not by login.
#[test]
fn a_colleagues_save_is_said_with_their_name() {
    use frontoffice::domain::{
        clerk::Role,
        record::{Body, Kind},
    };
    let (_dir, svc) = own_db();
    a_session(&svc)
        .add_clerk("kkoleva", "Калина Колева", Role::Clerk)
        .unwrap();
    let colleague = svc.session("kkoleva").unwrap();
    let mut a = app_on(&svc, Lang::Bg, "default", false);
    let changes = a.cx.api.subscribe().unwrap();
    let person = colleague.list(Kind::Person, None, 1).unwrap().remove(0);
    let Body::Person(p) = person.body.clone() else {
        unreachable!()
    };
    typed(&mut a, &format!("{} {}", p.first_name, p.last_name));
    a.on_key(key(KeyCode::Enter));
    let mut changed = p.clone();
    changed.note = "Обадила се е за асистент.".into();
    colleague
        .update(person.id(), person.meta.rev, Body::Person(changed))
        .unwrap();
    while let Ok(c) = changes.recv_timeout(std::time::Duration::from_millis(500)) {
        a.on_change(&c);
    }
    let s = shot(&a);
    assert!(s.contains("Калина Колева промени"), "{s}");
    assert!(!s.contains("kkoleva"), "{s}");
}

/// The document popup over a path longer than the screen: every character of it is on the
/// screen, wrapped, never cut; F5 without `lp` says so and names the file.
#[test]
fn the_document_popup_wraps_a_long_path_and_says_when_lp_is_missing() {
    use frontoffice::documents::Printed;
    use frontoffice::tui::{app::Screen, keymap::Action, screens::document_written, Ev};
    let svc = Arc::clone(&db().lock().unwrap_or_else(|e| e.into_inner()).1);
    let path = std::path::PathBuf::from(
        "/srv/община-тестово/социални-услуги/фронт-офис/документи-за-подпис/2026/ноември/agreement-SP-2026-0001.pdf",
    );
    for lang in [Lang::Bg, Lang::En] {
        let mut cx = cx_on(&svc, lang);
        let mut popup =
            document_written::DocumentWritten::with_printer(path.clone(), |_| Ok(Printed::NoCups));
        let render = |popup: &document_written::DocumentWritten, cx: &Cx| {
            let area = ratatui::layout::Rect::new(0, 0, 80, 20);
            let mut buf = ratatui::buffer::Buffer::empty(area);
            popup.render(area, &mut buf, cx);
            (0..20)
                .map(|y| (0..80).map(|x| buf[(x, y)].symbol()).collect::<String>())
                .collect::<Vec<_>>()
        };
        let lines = render(&popup, &cx);
        let whole: String = lines[1..4].iter().map(|l| l.trim_end()).collect();
        assert!(whole.starts_with(&path.display().to_string()), "{lines:#?}");
        popup.handle(&Ev::Action(Action::Reveal), &mut cx);
        let shown: String = render(&popup, &cx).iter().map(|l| l.trim_end()).collect();
        let want = match lang {
            Lang::Bg => "няма lp (CUPS не е инсталиран)",
            Lang::En => "no lp on this machine (CUPS is not installed)",
        };
        assert!(shown.contains(want), "{shown}");
        assert!(shown.contains("agreement-SP-2026-0001.pdf"), "{shown}");
    }
}

/// A resumed draft keeps its reference fields: the phone note's person comes back as the
/// record it pointed to, so the resumed form saves with it (no "choose from the list").
#[test]
fn a_resumed_draft_keeps_the_record_its_reference_points_to() {
    use frontoffice::domain::record::{Body, Kind};
    let (_dir, svc) = own_db();
    let mut b = resumed_phone_note(&svc, "Бележка за продължение");
    let resumed = shot(&b);
    assert!(!resumed.contains("изберете от списъка"), "{resumed}");
    b.on_key(key(KeyCode::F(2)));
    let s = shot(&b);
    assert!(s.contains("Записано: Обръщение"), "{s}");
    let intakes = a_session(&svc).list(Kind::Intake, None, 1000).unwrap();
    let saved = intakes
        .iter()
        .filter_map(|r| match &r.body {
            Body::Intake(i) if i.note.contains("Бележка за продължение") => {
                Some(i.person)
            }
            _ => None,
        })
        .collect::<Vec<_>>();
    let [Some(person)] = saved[..] else {
        panic!("{saved:?}")
    };
    let Body::Person(p) = a_session(&svc).get(Kind::Person, person).unwrap().body else {
        panic!()
    };
    assert!(
        resumed.contains(&p.last_name),
        "the person shown: {resumed}"
    );
}

/// F4 on an empty reference lists the first records it could point to; a list of several
/// choices shows each ticked or not ([✓]/[ ], in ASCII [x]/[ ]).
#[test]
fn f4_lists_an_empty_reference_and_ticks_show_in_several_choices() {
    for (ascii, tick) in [(false, "[✓]"), (true, "[x]")] {
        let mut a = app(Lang::Bg, "default", ascii);
        a.on_key(key(KeyCode::F(6)));
        a.on_key(key(KeyCode::F(7)));
        assert!(shot(&a).contains("Ново обръщение"), "{}", shot(&a));
        a.on_key(key(KeyCode::Tab));
        a.on_key(key(KeyCode::Tab));
        a.on_key(key(KeyCode::F(4)));
        let s = shot(&a);
        let listed = s
            .lines()
            .filter(|l| l.contains(".19") || l.contains(".20"))
            .count();
        assert!(listed >= 3, "persons with their birth dates listed:\n{s}");
        a.on_key(key(KeyCode::Esc));
        a.on_key(key(KeyCode::Tab));
        a.on_key(key(KeyCode::F(4)));
        let s = shot(&a);
        assert!(s.contains("[ ]") && !s.contains(tick), "{s}");
        a.on_key(key(KeyCode::Enter));
        let s = shot(&a);
        assert_eq!(s.matches(tick).count(), 1, "{s}");
    }
}

/// Hours on a day the agreement's schedule leaves free (a Sunday; the demo's schedules are
/// Monday to Friday) are warned of before saving, through the real keymap: the first F2 shows
/// the warning and saves nothing, a second F2 saves with the warning kept on the record.
#[test]
fn hours_off_the_schedule_take_a_second_f2() {
    use frontoffice::domain::{date::Month, report::ReportWarning};
    let (_dir, svc) = own_db();
    let month = Month::of(common::today()).prev();
    assert_eq!(month, Month::new(2026, 10).unwrap());
    let mut a = app_on(&svc, Lang::Bg, "default", false);
    a.on_key(key(KeyCode::F(12)));
    let number = choose_month_row(&mut a, "очакван");
    a.on_key(key(KeyCode::Enter));
    // Friday 16 October cleared and Sunday the 18th 2 h: the week and the month hold less.
    a.on_key(key(KeyCode::Home));
    for _ in 0..15 {
        a.on_key(key(KeyCode::Right));
    }
    a.on_key(key(KeyCode::Backspace));
    a.on_key(key(KeyCode::Right));
    a.on_key(key(KeyCode::Right));
    typed(&mut a, "2");
    a.on_key(key(KeyCode::F(2)));
    let s = shot(&a);
    assert!(
        s.contains("Часове в ден без часове по седмичния график"),
        "the warning is shown:\n{s}"
    );
    let row = |svc: &Arc<Service>| {
        a_session(svc)
            .monthly_report(month)
            .unwrap()
            .rows
            .into_iter()
            .find(|r| r.number == number)
            .unwrap()
    };
    assert_eq!(row(&svc).report, None, "nothing saved on the first F2");
    a.on_key(key(KeyCode::F(2)));
    let (_, r) = stored_report(&svc, &number, month);
    assert_eq!(r.warnings, [ReportWarning::OffSchedule { days: vec![18] }]);
    assert_eq!((r.minutes[15], r.minutes[17]), (0, 120));
}

/// A save that sent monthly reports back for correction says which, in the clerk's language.
#[test]
fn a_save_names_the_reports_it_sent_back() {
    use frontoffice::domain::{agreement_change::Correction, date::Month};
    use frontoffice::tui::screens::record_form::saved_message;
    let svc = Arc::clone(&db().lock().unwrap_or_else(|e| e.into_inner()).1);
    let back = [Correction {
        report: 7,
        agreement: 3,
        number: "СП-2026-0001".into(),
        month: Month::new(2026, 10).unwrap(),
    }];
    assert_eq!(
        saved_message(&cx_on(&svc, Lang::Bg), "Споразумение", &back),
        "Записано: Споразумение · Върнати за корекция, поправете ги: отчетът за 10.2026 по \
         СП-2026-0001 е върнат за корекция."
    );
    assert_eq!(
        saved_message(&cx_on(&svc, Lang::En), "Agreement", &back),
        "Saved: Agreement · Returned for correction, correct them: the report of 10.2026 under \
         СП-2026-0001 was returned for correction."
    );
    assert_eq!(
        saved_message(&cx_on(&svc, Lang::En), "Agreement", &[]),
        "Saved: Agreement"
    );
}

/// A colleague's save never moves the clerk's selection: the chosen row stays on its record
/// when a new one arrives in the list, and Enter opens that record.
#[test]
fn a_colleagues_save_leaves_the_list_selection_on_its_record() {
    use frontoffice::domain::{
        intake::{Channel, Intake, Outcome, Topic},
        record::Body,
    };
    let (_dir, svc) = own_db();
    let mut a = app_on(&svc, Lang::Bg, "default", false);
    let changes = a.cx.api.subscribe().unwrap();
    a.on_key(key(KeyCode::F(6)));
    for _ in 0..3 {
        a.on_key(key(KeyCode::Down));
    }
    let chosen = |a: &App| -> String {
        let s = shot(a);
        s.lines()
            .find(|l| l.starts_with('▶'))
            .expect(&s)
            .trim_start_matches('▶')
            .trim()
            .to_string()
    };
    let before = chosen(&a);
    let number = before.split_whitespace().next().unwrap().to_string();
    for n in 0..3 {
        a_session(&svc)
            .create(Body::Intake(Intake {
                reg_no: String::new(),
                at: common::now(),
                channel: Channel::Phone,
                clerk: String::new(),
                person: None,
                topics: vec![Topic::PersonalAssistance],
                note: format!("Колега записа {n}"),
                outcome: Outcome::Open,
                follow_up: None,
            }))
            .unwrap();
    }
    while let Ok(c) = changes.recv_timeout(std::time::Duration::from_millis(500)) {
        a.on_change(&c);
    }
    assert!(shot(&a).contains("Обръщения ("));
    assert_eq!(chosen(&a), before, "{}", shot(&a));
    a.on_key(key(KeyCode::Enter));
    assert_eq!(a.top().title(&a.cx.t), format!("Обръщение {number}"));
}

/// Conflicts by field: the clerk edits the note while a colleague saves a new address; the
/// clerk's save keeps both without a question (three-way against the version the form was
/// opened at). Had both changed the address, only that field would be asked about.
#[test]
fn a_conflict_where_each_changed_another_field_saves_both_without_a_question() {
    use frontoffice::domain::record::{Body, Kind};
    let (_dir, svc) = own_db();
    let (person, other) = agreement_person(&svc);
    let mut a = app_on(&svc, Lang::Bg, "default", false);
    typed(&mut a, AGREEMENT);
    a.on_key(key(KeyCode::Enter));
    a.on_key(key(KeyCode::F(6)));
    let form_depth = a.depth();
    // To the address, and past it to the note: the clerk writes the note only.
    let mut tabs = 0;
    while !shot(&a).lines().any(|l| l.starts_with("▶ Бележка")) {
        a.on_key(key(KeyCode::Tab));
        tabs += 1;
        assert!(tabs < 30, "no note field: {}", shot(&a));
    }
    typed(&mut a, "Предпочита обаждане следобед.");
    colleague_sets_address(&other, person, "ул. Тяхна 9");
    a.on_key(key(KeyCode::F(2)));
    let s = shot(&a);
    assert!(!s.contains("Две версии на записа"), "no question: {s}");
    assert!(s.contains("Колега Колегов беше променил"), "{s}");
    assert_eq!(a.depth(), form_depth - 1, "saved: back on the card");
    assert_eq!(address_on_file(&svc, person), "ул. Тяхна 9", "theirs kept");
    let Body::Person(p) = a_session(&svc).get(Kind::Person, person).unwrap().body else {
        panic!()
    };
    assert!(
        p.note.contains("Предпочита обаждане следобед."),
        "mine kept: {}",
        p.note
    );
}

/// Text fits: a note wraps over its rows instead of running off its field, and at 120 columns
/// a field takes the wider room: the person's label that 80 columns cut shows whole.
#[test]
fn notes_wrap_and_fields_take_the_width_the_terminal_gives() {
    let (_dir, svc) = own_db();
    let mut a = app_on(&svc, Lang::Bg, "default", false);
    typed(&mut a, AGREEMENT);
    a.on_key(key(KeyCode::F(8)));
    typed(
        &mut a,
        "Обажда се дъщерята: майка ѝ е след инсулт и пита за асистент.",
    );
    let s = shot(&a);
    assert!(
        s.contains("Обажда се дъщерята: майка ѝ") && s.contains("след инсулт"),
        "the note's second line is shown: {s}"
    );
    let person = |s: &str| {
        s.lines()
            .find(|l| l.trim_start_matches(['▶', ' ']).starts_with("Лице"))
            .map(str::to_string)
            .unwrap_or_default()
    };
    assert!(person(&s).contains('…'), "80 columns cut the label: {s}");
    let wide = screen(&a, 120, 40);
    assert!(
        !person(&wide).contains('…') && person(&wide).contains(')'),
        "{wide}"
    );
}

/// A saved assessment is reachable: F5 on its intake opens it again (not a new one), the card
/// lists it, and F5 on it opens a new referral from it.
#[test]
fn an_assessment_is_reopened_from_its_intake_and_the_card_and_starts_its_referral() {
    use frontoffice::domain::record::{Body, Kind};
    let (_dir, svc) = own_db();
    let mut a = app_on(&svc, Lang::Bg, "default", false);
    typed(&mut a, AGREEMENT);
    a.on_key(key(KeyCode::Enter));
    // The card's first line to open is its intake.
    a.on_key(key(KeyCode::Down));
    a.on_key(key(KeyCode::Enter));
    assert!(
        a.top().title(&a.cx.t).starts_with("Обръщение 2026-"),
        "{}",
        shot(&a)
    );
    let card_depth = a.depth() - 1;
    a.on_key(key(KeyCode::F(5)));
    assert_eq!(a.top().title(&a.cx.t), "Нова предварителна оценка");
    // Saving is refused on the one required field, the conclusion, focused; typed, it saves.
    a.on_key(key(KeyCode::F(2)));
    typed(&mut a, "Нужда от асистентска подкрепа.");
    a.on_key(key(KeyCode::F(2)));
    assert_eq!(
        a.top().title(&a.cx.t),
        "Предварителна оценка",
        "{}",
        shot(&a)
    );
    let assessments = a_session(&svc).list(Kind::Assessment, None, 1000).unwrap();
    let made = assessments.iter().map(|r| r.id()).max().unwrap();
    // Back to the intake; F5 opens the same one.
    a.on_key(key(KeyCode::Esc));
    a.on_key(key(KeyCode::F(5)));
    assert_eq!(
        a.top().title(&a.cx.t),
        "Предварителна оценка",
        "{}",
        shot(&a)
    );
    assert_eq!(
        a_session(&svc)
            .list(Kind::Assessment, None, 1000)
            .unwrap()
            .len(),
        assessments.len(),
        "no second assessment"
    );
    // F5 on it: a referral from it, saved with the assessment.
    a.on_key(key(KeyCode::F(5)));
    assert_eq!(a.top().title(&a.cx.t), "Ново насочване", "{}", shot(&a));
    while a.depth() > card_depth {
        a.on_key(key(KeyCode::Esc));
    }
    let s = shot(&a);
    assert!(s.contains("Предварителна оценка 17.11.2026"), "{s}");
    let Body::Assessment(x) = a_session(&svc).get(Kind::Assessment, made).unwrap().body else {
        panic!()
    };
    assert!(x.intake.is_some());
}

/// An employment contract is made from its agreement (F7), through the real keymap: the
/// assistant, the provider, the agreement and its term filled in; the clerk types the number
/// and saves.
#[test]
fn f7_on_an_agreement_makes_its_employment_contract() {
    use frontoffice::domain::record::{Body, Kind};
    let (_dir, svc) = own_db();
    let mut a = app_on(&svc, Lang::Bg, "default", false);
    typed(&mut a, AGREEMENT);
    a.on_key(key(KeyCode::Enter));
    // Down the card's lines to the agreement's form.
    for n in 1..12 {
        a.on_key(key(KeyCode::Home));
        for _ in 0..n {
            a.on_key(key(KeyCode::Down));
        }
        a.on_key(key(KeyCode::Enter));
        if a.top().title(&a.cx.t) == format!("Споразумение {AGREEMENT}") {
            break;
        }
        a.on_key(key(KeyCode::Esc));
    }
    assert!(shot(&a).contains("F7 Трудов договор"), "{}", shot(&a));
    let agreement = a_session(&svc)
        .search(AGREEMENT, 5)
        .unwrap()
        .into_iter()
        .find(|h| h.kind == Kind::Agreement)
        .unwrap();
    let Body::Agreement(ag) = a_session(&svc)
        .get(Kind::Agreement, agreement.id)
        .unwrap()
        .body
    else {
        panic!()
    };
    a.on_key(key(KeyCode::F(7)));
    assert_eq!(a.top().title(&a.cx.t), "Нов трудов договор", "{}", shot(&a));
    typed(&mut a, "ТД-2026-900");
    a.on_key(key(KeyCode::F(2)));
    let made: Vec<_> = a_session(&svc)
        .list(Kind::Contract, None, 1000)
        .unwrap()
        .into_iter()
        .filter_map(|r| match r.body {
            Body::Contract(c) if c.number == "ТД-2026-900" => Some(c),
            _ => None,
        })
        .collect();
    assert_eq!(made.len(), 1, "saved once: {}", shot(&a));
    let c = &made[0];
    assert_eq!(
        (c.assistant, c.provider, c.agreement, c.end),
        (ag.assistant, ag.provider, Some(agreement.id), Some(ag.to))
    );
}

/// A phone note typed and left unsaved (its draft kept), then the next start: the offer of
/// unsaved forms is shown and Enter resumes the note in its form.
fn resumed_phone_note(svc: &Arc<Service>, text: &str) -> App {
    let mut a = app_on(svc, Lang::Bg, "default", false);
    typed(&mut a, AGREEMENT);
    a.on_key(key(KeyCode::F(8)));
    typed(&mut a, text);
    a.keep_drafts(std::time::Instant::now(), true);
    drop(a);
    let mut b = frontoffice::tui::app::App::start(cx_on(svc, Lang::Bg));
    assert!(shot(&b).contains("Незавършени форми"), "{}", shot(&b));
    b.on_key(key(KeyCode::Enter));
    b
}
