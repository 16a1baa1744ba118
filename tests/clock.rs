//! Sofia time whatever the server's zone: the service reads its clock (a UTC instant) on
//! Europe/Sofia's wall clock, so "today", intake times and the yearly register number are
//! the municipality's, and audit entries keep their offset across the clock changes (last
//! Sunday of March and of October). Expected times are written out by hand; the real binary
//! runs under TZ=UTC and is compared with `date` reading the system's zoneinfo.

mod common;

use chrono::{DateTime, Utc};
use common::*;
use frontoffice::domain::{
    audit::AuditAction,
    intake::{Channel, Intake, Topic},
    record::{Body, Kind},
    Lang,
};
use frontoffice::service::{ApiExt, Clock, Service as Svc};
use frontoffice::tui::{
    app::Cx,
    i18n::I18n,
    theme::{Symbols, Theme},
};
use std::sync::{Arc, Mutex};

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// A database whose clock is set by the test.
struct Timed {
    db: Db,
    at: Arc<Mutex<DateTime<Utc>>>,
}

impl Timed {
    fn new(start: &str) -> Timed {
        let at = Arc::new(Mutex::new(utc(start)));
        let clock: Clock = {
            let at = Arc::clone(&at);
            Arc::new(move || *at.lock().unwrap())
        };
        let dir = tempfile::tempdir().unwrap();
        let (svc, _) =
            Svc::open_or_create(&dir.path().join("db"), "admin", "Админ", settings(), clock)
                .unwrap();
        let admin = svc.session("admin").unwrap();
        Timed {
            db: Db { dir, svc, admin },
            at,
        }
    }

    fn set(&self, instant: &str) {
        *self.at.lock().unwrap() = utc(instant);
    }

    /// The console on this service, with the same clock.
    fn console(&self) -> Cx {
        let at = Arc::clone(&self.at);
        let session = self.db.svc.session("admin").unwrap();
        let clerk = session.whoami().unwrap();
        let settings = session.settings().unwrap().settings;
        Cx::new(
            Box::new(session),
            I18n::new(Lang::Bg),
            Theme::builtin("default"),
            Symbols::new(false),
            clerk,
            settings,
            Arc::new(move || *at.lock().unwrap()),
        )
    }

    /// A phone note as the console makes it: its time from the console's clock, its number
    /// from the service's.
    fn phone_note(&self, cx: &Cx) -> Intake {
        let mut i = frontoffice::tui::forms::intake::seed(cx, None, Channel::Phone);
        i.note = "Пита за социална услуга.".into();
        i.topics = vec![Topic::PersonalAssistance];
        let Body::Intake(i) = self.db.admin.create(Body::Intake(i)).unwrap().body else {
            unreachable!()
        };
        i
    }
}

fn wall(i: &Intake) -> String {
    i.at.format("%Y-%m-%d %H:%M").to_string()
}

#[test]
fn the_register_number_and_intake_times_follow_sofias_new_year() {
    // 23:59 on 31 December in Sofia is 21:59 UTC.
    let t = Timed::new("2026-12-31T21:59:00Z");
    let cx = t.console();
    assert_eq!(cx.today(), date(2026, 12, 31));
    let last = t.phone_note(&cx);
    assert_eq!(
        (last.reg_no.as_str(), wall(&last).as_str()),
        ("2026-000001", "2026-12-31 23:59")
    );
    // Two minutes later it is the new year in Sofia, still 2026 in UTC.
    t.set("2026-12-31T22:01:00Z");
    assert_eq!(cx.today(), date(2027, 1, 1));
    let first = t.phone_note(&cx);
    assert_eq!(
        (first.reg_no.as_str(), wall(&first).as_str()),
        ("2027-000001", "2027-01-01 00:01")
    );
    // At UTC's midnight the Sofia year is two hours old: the count goes on.
    t.set("2027-01-01T00:00:00Z");
    let next = t.phone_note(&cx);
    assert_eq!(
        (next.reg_no.as_str(), wall(&next).as_str()),
        ("2027-000002", "2027-01-01 02:00")
    );
    // The records are dated on the same clock.
    let rec = t.db.admin.get(Kind::Intake, 2).ok();
    let stamped: Vec<String> =
        t.db.admin
            .list(Kind::Intake, None, 10)
            .unwrap()
            .iter()
            .map(|r| r.meta.created.format("%Y-%m-%d %H:%M").to_string())
            .collect();
    assert_eq!(
        stamped,
        ["2026-12-31 23:59", "2027-01-01 00:01", "2027-01-01 02:00"],
        "{rec:?}"
    );
}

/// The service's audit entries of persons created at each instant: (wall time, offset, the
/// instant with its offset).
fn audit_times(t: &Timed, instants: &[&str]) -> Vec<(String, i32, String)> {
    for (k, at) in instants.iter().enumerate() {
        t.set(at);
        let mut p = person("Иван", "Часов", None);
        p.address = format!("ул. Часовникова {k}");
        t.db.admin.create(Body::Person(p)).unwrap();
    }
    t.db.admin
        .audit_log(None, 100)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == AuditAction::Create)
        .map(|e| {
            (
                e.at.format("%H:%M").to_string(),
                e.offset.unwrap(),
                e.instant().unwrap().to_rfc3339(),
            )
        })
        .collect()
}

#[test]
fn audit_times_keep_their_offset_through_octobers_repeated_hour() {
    // 25 October 2026: at 04:00 summer time (01:00 UTC) the clocks go back to 03:00.
    let t = Timed::new("2026-10-24T12:00:00Z");
    let got = audit_times(
        &t,
        &[
            "2026-10-25T00:30:00Z",
            "2026-10-25T00:59:00Z",
            "2026-10-25T01:10:00Z",
            "2026-10-25T01:40:00Z",
        ],
    );
    let want = [
        ("03:30", 10800, "2026-10-25T03:30:00+03:00"),
        ("03:59", 10800, "2026-10-25T03:59:00+03:00"),
        ("03:10", 7200, "2026-10-25T03:10:00+02:00"),
        ("03:40", 7200, "2026-10-25T03:40:00+02:00"),
    ];
    let got_ref: Vec<(&str, i32, &str)> = got
        .iter()
        .map(|(w, o, i)| (w.as_str(), *o, i.as_str()))
        .collect();
    assert_eq!(got_ref, want);
    // The wall clock repeats; the instants, in the log's order, never go back.
    let instants: Vec<DateTime<chrono::FixedOffset>> = got
        .iter()
        .map(|(_, _, i)| DateTime::parse_from_rfc3339(i).unwrap())
        .collect();
    assert!(instants.windows(2).all(|w| w[0] < w[1]), "{instants:?}");
    assert!(t.db.admin.check().unwrap().problems.is_empty());
}

#[test]
fn marchs_skipped_hour_moves_the_offset_and_the_wall_clock_on() {
    // 29 March 2026: at 03:00 winter time (01:00 UTC) the clocks go on to 04:00.
    let t = Timed::new("2026-03-28T12:00:00Z");
    let got = audit_times(&t, &["2026-03-29T00:59:00Z", "2026-03-29T01:00:00Z"]);
    assert_eq!(
        got,
        [
            (
                "02:59".to_string(),
                7200,
                "2026-03-29T02:59:00+02:00".to_string()
            ),
            (
                "04:00".to_string(),
                10800,
                "2026-03-29T04:00:00+03:00".to_string()
            ),
        ]
    );
    let cx = t.console();
    let i = t.phone_note(&cx);
    assert_eq!(wall(&i), "2026-03-29 04:00");
}

/// What `date` says now in Sofia, read from the system's zoneinfo (not our code).
fn system_sofia(format: &str) -> String {
    let out = std::process::Command::new("date")
        .arg(format!("+{format}"))
        .env("TZ", "Europe/Sofia")
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn the_server_under_tz_utc_keeps_sofia_time() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let bin = env!("CARGO_BIN_EXE_frontoffice");
    let me = frontoffice::os::current_user().unwrap().login;
    drop(Svc::open_or_create(&db, &me, "Админ", settings(), clock()).unwrap());
    let socket = dir.path().join("fo.sock");
    /// Killed however the test ends.
    struct Serving(std::process::Child);
    impl Drop for Serving {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _server = Serving(
        std::process::Command::new(bin)
            .args(["serve", "--db"])
            .arg(&db)
            .arg("--socket")
            .arg(&socket)
            .env("TZ", "UTC")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_until("the server listens", || {
        std::os::unix::net::UnixStream::connect(&socket).is_ok()
    });
    let c = frontoffice::server::client::Client::connect(&socket, Lang::En).unwrap();
    let stamp = "%Y-%m-%d %H:%M:%S";
    let before = system_sofia(stamp);
    let rec = c
        .create(Body::Person(person("Мария", "Часова", None)))
        .unwrap();
    let after = system_sofia(stamp);
    let created = rec.meta.created.format("%Y-%m-%d %H:%M:%S").to_string();
    assert!(
        before <= created && created <= after,
        "{before} <= {created} <= {after} (Sofia, from the system's zoneinfo)"
    );
    // Its audit entry carries Sofia's offset (`date +%z`: +0200 or +0300).
    let entry = c
        .audit_log(None, 100)
        .unwrap()
        .into_iter()
        .rfind(|e| e.action == AuditAction::Create)
        .unwrap();
    let z = system_sofia("%z");
    let hours: i32 = z[1..3].parse().unwrap();
    assert_eq!(entry.offset, Some(hours * 3600), "date says {z}");
    drop(c);
}

#[test]
fn the_person_form_reads_a_two_digit_birth_year_in_the_past() {
    use frontoffice::tui::{
        forms::{person::PersonSpec, Spec},
        widgets::form::FieldKind,
    };
    // 6 December 2026 in Sofia.
    let t = Timed::new("2026-12-06T10:00:00Z");
    let cx = t.console();
    let lens = PersonSpec::lenses()
        .into_iter()
        .find(|l| l.key == "birth_date")
        .unwrap();
    assert_eq!((lens.kind)(&cx), FieldKind::BirthDate);
    let mut p = person("Ана", "Родена", None);
    for (typed, want) in [
        ("010125", date(2025, 1, 1)),
        ("061226", date(2026, 12, 6)),
        ("071226", date(1926, 12, 7)),
        ("010130", date(1930, 1, 1)),
    ] {
        (lens.set)(&mut p, typed, &cx).unwrap();
        assert_eq!(p.birth_date, Some(want), "{typed}");
    }
}
