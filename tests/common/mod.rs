//! Shared test helpers: a real sled database in a temp dir, a fixed clock, and one valid record
//! of every kind built through the service.
#![allow(dead_code)]

use chrono::{NaiveDate, NaiveDateTime};
use frontoffice::domain::{
    assistance::*,
    clerk::Role,
    date::Month,
    egn::Egn,
    eik::Eik,
    iban::Iban,
    intake::{Assessment, Channel, DomainNeed, Intake, Need, NeedDomain, Outcome, Topic},
    person::{DisabilityDecision, ExpertBody, Person, PersonalId},
    phone::Phone,
    record::{Body, Record},
    referral::{Referral, ReferralStatus},
    register::{
        Access, Campaign, CampaignFormat, Funding, Licence, Provider, ProviderKind, Referrer,
        Service, ServiceType, Visit,
    },
    report::{MonthlyReport, ReportStatus},
    settings::{Settings, Settlement},
};
use frontoffice::service::{ApiExt, Clock, Service as Svc, Session};
use std::sync::Arc;

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Today in every test: a Tuesday in the middle of a month (no "last working days" rule).
pub fn today() -> NaiveDate {
    date(2026, 11, 17)
}

pub fn now() -> NaiveDateTime {
    today().and_hms_opt(10, 0, 0).unwrap()
}

/// `now()` in Sofia: 10:00 EET is 08:00 UTC.
pub fn clock() -> Clock {
    Arc::new(|| (now() - chrono::Duration::hours(2)).and_utc())
}

pub fn settings() -> Settings {
    Settings {
        municipality: "Община Тестово".into(),
        settlements: vec![
            Settlement {
                ekatte: "99001".into(),
                name: "гр. Тестово".into(),
            },
            Settlement {
                ekatte: "99002".into(),
                name: "с. Пробно".into(),
            },
        ],
        ..Settings::default()
    }
}

pub struct Db {
    pub dir: tempfile::TempDir,
    pub svc: Arc<Svc>,
    pub admin: Session,
}

impl Db {
    pub fn path(&self) -> std::path::PathBuf {
        self.dir.path().join("db")
    }
}

/// A new database whose administrator is "admin".
pub fn new_db() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let (svc, created) = Svc::open_or_create(
        &dir.path().join("db"),
        "admin",
        "Админ",
        settings(),
        clock(),
    )
    .unwrap();
    assert!(created);
    let admin = svc.session("admin").unwrap();
    Db { dir, svc, admin }
}

pub fn egn(s: &str) -> Egn {
    Egn::parse(s, today()).unwrap()
}

pub fn person(first: &str, last: &str, ident: Option<&str>) -> Person {
    Person {
        ident: ident.map(|e| PersonalId::Egn(egn(e))).unwrap_or_default(),
        first_name: first.into(),
        middle_name: String::new(),
        last_name: last.into(),
        settlement: "99001".into(),
        phones: vec![Phone::parse("0888 123 456").unwrap()],
        consent: Some(date(2026, 1, 10)),
        ..Person::default()
    }
}

/// A user entitled to personal assistance (need of another's help, lifelong).
pub fn user_person() -> Person {
    Person {
        disability: Some(DisabilityDecision {
            body: ExpertBody::Telk,
            number: "1234/2025".into(),
            issued: date(2025, 3, 1),
            percent: 95,
            needs_help: true,
            valid_until: None,
        }),
        ..person("Мария", "Петрова", Some("8032056031"))
    }
}

/// Records of every kind, created in dependency order. Returns them in creation order.
pub fn every_kind(s: &Session) -> Vec<Record> {
    let mut out = Vec::new();
    // As stored (answers mask the ЕГН): the golden bytes are the stored form.
    let mut add = |b: Body| {
        let r = s.create(b).unwrap();
        let r = s.service().store().get(r.kind(), r.id()).unwrap().unwrap();
        out.push(r.clone());
        r
    };
    let user = add(Body::Person(user_person()));
    let helper = add(Body::Person(person("Иван", "Иванов", Some("7501020002"))));
    let intake = add(Body::Intake(Intake {
        reg_no: String::new(),
        at: now(),
        channel: Channel::Phone,
        clerk: String::new(),
        person: Some(user.meta.id),
        topics: vec![Topic::PersonalAssistance],
        note: "Пита за лична помощ.".into(),
        outcome: Outcome::Open,
        follow_up: Some(date(2026, 11, 20)),
    }));
    add(Body::Assessment(Assessment {
        person: user.meta.id,
        intake: Some(intake.meta.id),
        date: today(),
        clerk: String::new(),
        needs: vec![
            DomainNeed {
                domain: NeedDomain::SelfCare,
                need: Need::Full,
                note: "Не се облича сама.".into(),
            },
            DomainNeed {
                domain: NeedDomain::Carer,
                need: Need::Partial,
                note: String::new(),
            },
        ],
        recommended: vec![ServiceType::AssistantSupport],
        conclusion: "Помощ при самообслужване.".into(),
    }));
    let provider = add(Body::Provider(Provider {
        name: "Община Тестово".into(),
        eik: Eik::parse(&frontoffice::domain::eik::make_eik9(12345678)).unwrap(),
        kind: ProviderKind::Municipality,
        licence: None,
        settlement: "99001".into(),
        address: "пл. Централен 1".into(),
        phone: None,
        email: "obshtina@testovo.bg".into(),
        contact: "Мария Иванова".into(),
    }));
    let service = add(Body::Service(Service {
        name: "Дневен център".into(),
        activity: ServiceType::DayCare,
        access: Access::Specialised,
        target_group: "пълнолетни с увреждания".into(),
        provider: provider.meta.id,
        settlement: "99001".into(),
        address: "ул. Първа 1".into(),
        capacity: 20,
        funding: Funding::DelegatedState,
        project: String::new(),
        referred_by: Referrer::Dsp,
        valid_from: Some(date(2024, 1, 1)),
        valid_to: None,
    }));
    add(Body::Referral(Referral {
        provider: Some(provider.meta.id),
        ..referral(user.meta.id, Some(service.meta.id), ServiceType::DayCare)
    }));
    let decision = add(Body::DspDecision(DspDecision {
        person: user.meta.id,
        number: "ДСП-77".into(),
        expert_decision: "0451/2026".into(),
        date: date(2026, 5, 1),
        degree: 3,
        hours_per_month: 84,
        valid_from: date(2026, 5, 1),
        valid_until: date(2028, 4, 30),
    }));
    add(Body::Application(Application {
        reg_no: String::new(),
        person: user.meta.id,
        date: date(2026, 6, 1),
        applicant: Applicant::User,
        applicant_name: String::new(),
        applicant_document: String::new(),
        assistant: Some(helper.meta.id),
        substitute: None,
        declares_no_other_support: true,
        checklist: vec![CheckItem {
            code: "id_copy".into(),
            state: CheckState::Ok,
            note: String::new(),
        }],
        status: ApplicationStatus::Approved,
        remedy_by: None,
        refusal_reason: String::new(),
        note: String::new(),
    }));
    let assistant = add(Body::Assistant(Assistant {
        person: helper.meta.id,
        iban: Iban::parse("BG80 BNBG 9661 1020 3456 78").unwrap(),
        relation: "син".into(),
        no_protection_order: true,
    }));
    let agreement = add(Body::Agreement(agreement(
        user.meta.id,
        assistant.meta.id,
        provider.meta.id,
        decision.meta.id,
        84,
    )));
    add(Body::Contract(contract(
        "ТД-1",
        assistant.meta.id,
        provider.meta.id,
        Some(agreement.meta.id),
    )));
    add(Body::Suspension(Suspension {
        agreement: agreement.meta.id,
        from: date(2026, 11, 10),
        to: Some(date(2026, 11, 12)),
        reason: "hospital".into(),
        note: String::new(),
    }));
    add(Body::Report(report(
        agreement.meta.id,
        Month::new(2026, 10).unwrap(),
        120,
    )));
    let clerk = s
        .add_clerk("mpetrova", "Мария Петрова", Role::Clerk)
        .unwrap();
    out.push(clerk);
    // Kinds added after schema 1 come last, so the earlier records keep their ids.
    out.push(
        s.create(Body::Visit(Visit {
            service: service.meta.id,
            date: date(2026, 10, 20),
            clerks: vec!["mpetrova".into()],
            findings: "Досиетата са попълнени.\nЛипсва график за месеца.".into(),
            rating: "remarks".into(),
            follow_up: Some(date(2026, 12, 10)),
        }))
        .unwrap(),
    );
    out.push(
        s.create(Body::Campaign(Campaign {
            date: date(2026, 9, 15),
            settlement: "99001".into(),
            topic: "Личната помощ: кой има право".into(),
            format: CampaignFormat::Meeting,
            participants: 24,
            clerk: "mpetrova".into(),
            note: String::new(),
        }))
        .unwrap(),
    );
    out
}

pub fn agreement(user: u64, assistant: u64, provider: u64, decision: u64, hours: u32) -> Agreement {
    Agreement {
        number: String::new(),
        user,
        assistant,
        substitute: None,
        provider,
        decision,
        from: date(2026, 7, 1),
        to: date(2027, 6, 30),
        hours_per_month: hours,
        activities: "лични и битови".into(),
        week: [240, 240, 240, 240, 240, 0, 0],
        signed: Some(date(2026, 6, 28)),
        status: AgreementStatus::Active,
        end_reason: None,
    }
}

/// A signed employment contract of an assistant with a provider from 1 July 2026, 4 hours a
/// day, for an agreement if given.
pub fn contract(number: &str, assistant: u64, provider: u64, agreement: Option<u64>) -> Contract {
    Contract {
        number: number.into(),
        assistant,
        provider,
        agreement,
        date: date(2026, 6, 28),
        start: date(2026, 7, 1),
        end: None,
        minutes_per_day: 240,
        status: ContractStatus::Signed,
        end_reason: None,
    }
}

/// A report with `minutes` on each weekday of the month.
pub fn report(agreement: u64, month: Month, minutes: u16) -> MonthlyReport {
    use chrono::Datelike;
    let days: Vec<NaiveDate> = (1..=month.days())
        .map(|d| date(month.year, month.month, d))
        .filter(|d| d.weekday().number_from_monday() <= 5)
        .collect();
    let mut r = MonthlyReport::from_schedule(agreement, month, &days, minutes, today());
    r.status = ReportStatus::Received;
    r
}

/// The real binary serving `db` on `socket`, once it listens.
pub fn spawn_serve(db: &std::path::Path, socket: &std::path::Path) -> std::process::Child {
    spawn_serve_with(db, socket, &[], None)
}

/// The same with more `serve` flags, and under a descriptor limit (`ulimit -n`) if given.
pub fn spawn_serve_with(
    db: &std::path::Path,
    socket: &std::path::Path,
    flags: &[&std::ffi::OsStr],
    nofile: Option<u32>,
) -> std::process::Child {
    let bin = env!("CARGO_BIN_EXE_frontoffice");
    let mut cmd = match nofile {
        Some(n) => {
            let mut c = std::process::Command::new("sh");
            c.arg("-c")
                .arg(format!("ulimit -n {n} && exec \"$0\" \"$@\""))
                .arg(bin);
            c
        }
        None => std::process::Command::new(bin),
    };
    let child = cmd
        .args(["serve", "--db"])
        .arg(db)
        .arg("--socket")
        .arg(socket)
        .args(flags)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while std::os::unix::net::UnixStream::connect(socket).is_err() {
        // The limit only turns a hang into a failure.
        assert!(
            start.elapsed() < std::time::Duration::from_secs(60),
            "the server never listened"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child
}

/// A raw socket's handshake as a client would do it, asserting the server let it in.
pub fn hello(s: &mut std::os::unix::net::UnixStream) {
    use frontoffice::server::wire;
    wire::write_frame(
        s,
        &wire::Hello {
            magic: wire::MAGIC,
            protocol: wire::PROTOCOL,
        },
    )
    .unwrap();
    let w: wire::Welcome = wire::read_frame(s).unwrap();
    assert!(matches!(w, wire::Welcome::Ok { .. }), "{w:?}");
}

/// A referral just requested today.
pub fn referral(person: u64, service: Option<u64>, service_type: ServiceType) -> Referral {
    Referral {
        person,
        assessment: None,
        service_type,
        service,
        provider: None,
        requested: today(),
        status: ReferralStatus::Requested,
        history: Vec::new(),
        due: None,
        note: String::new(),
        warnings: Vec::new(),
    }
}

/// Turns a hang into a failure.
pub fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    use std::time::{Duration, Instant};
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Opens a database with sled directly, waiting for a closing service to let go of its lock
/// (sled's background threads release it shortly after the last handle is dropped).
pub fn raw_open(path: &std::path::Path) -> sled::Db {
    let mut db = None;
    wait_until("the database lock", || {
        db = sled::open(path).ok();
        db.is_some()
    });
    db.unwrap()
}

/// A provider in the test settlement with a valid ЕИК made of `eik8` (an NGO licensed).
pub fn provider(name: &str, eik8: u32, kind: ProviderKind) -> Provider {
    Provider {
        name: name.into(),
        eik: Eik::parse(&frontoffice::domain::eik::make_eik9(eik8)).unwrap(),
        kind,
        licence: (kind == ProviderKind::Ngo).then(|| Licence {
            number: "ЛС-123".into(),
            date: date(2024, 2, 1),
        }),
        settlement: "99001".into(),
        address: "ул. Първа 1".into(),
        phone: None,
        email: "office@testovo.bg".into(),
        contact: "Мария Иванова".into(),
    }
}

/// A copy of a committed fixture database (`tests/fixtures/NAME`) in a temp dir: the database
/// is the returned path.
pub fn fixture_copy(name: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let dir = tempfile::tempdir().unwrap();
    let dst = dir.path().join("db");
    std::fs::create_dir_all(&dst).unwrap();
    for e in std::fs::read_dir(&src).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), dst.join(e.file_name())).unwrap();
        }
    }
    (dir, dst)
}

/// The real server, in process, on `socket`, for tests whose clients are all this one Unix
/// user: its share of the connections is the whole.
pub fn serve_as_one_user(svc: &Arc<Svc>, socket: &std::path::Path) {
    let server = frontoffice::server::Server::bind(Arc::clone(svc), socket, None)
        .unwrap()
        .with_limits(frontoffice::server::Limits {
            max_per_clerk: frontoffice::server::DEFAULT_MAX_CONNECTIONS,
            ..Default::default()
        });
    std::thread::spawn(move || server.run());
}

/// The real binary run as another Unix user ("nobody", uid 65534) against the server at
/// `socket`, searching `query`: whether it succeeded, and what it said on stderr.
pub fn find_as_nobody(socket: &std::path::Path, query: &str) -> (bool, String) {
    use std::os::unix::process::CommandExt;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_frontoffice"))
        .args(["--lang", "en", "--connect"])
        .arg(socket)
        .args(["find", query])
        .env("FRONTOFFICE_CONFIG", "/nonexistent")
        .uid(65534)
        .gid(65534)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
