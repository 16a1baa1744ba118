//! The register of services and providers through the real service on a real database: ЕИК and
//! licence rules with their messages, e-mail, project and validity dates, occupancy from
//! referrals in every state, monitoring visits and their follow-up on the agenda, campaigns,
//! and the settings of older versions reading with the new lists' defaults.

mod common;

use common::*;
use frontoffice::domain::{
    agenda::AgendaKind,
    eik::{Eik, EikError},
    reason::Reason,
    record::{Body, Kind, Record},
    referral::{ReferralStatus, ReferralWarning},
    register::{
        Access, Campaign, CampaignFormat, Funding, Licence, Provider, ProviderKind, Referrer,
        Service, ServiceType, Visit,
    },
    settings::{Coded, Settings},
    Explain, Lang,
};
use frontoffice::server::{wire, Server};
use frontoffice::service::{ApiExt, Request, Response, ServiceError, Session};
use std::os::unix::net::UnixStream;
use std::sync::Arc;

fn provider(kind: ProviderKind, licence: Option<Licence>) -> Provider {
    Provider {
        name: "Сдружение „Подкрепа“".into(),
        eik: Eik::parse("123456786").unwrap(),
        kind,
        licence,
        settlement: "99001".into(),
        address: "ул. Първа 1".into(),
        phone: None,
        email: String::new(),
        contact: String::new(),
    }
}

fn licence(date: chrono::NaiveDate) -> Licence {
    Licence {
        number: " Л-1234-05 ".into(),
        date,
    }
}

fn service(provider: u64, capacity: u32) -> Service {
    Service {
        name: "Дневен център за възрастни хора".into(),
        activity: ServiceType::DayCare,
        access: Access::Specialised,
        target_group: "възрастни хора".into(),
        provider,
        settlement: "99001".into(),
        address: "ул. Втора 2".into(),
        capacity,
        funding: Funding::Municipal,
        project: String::new(),
        referred_by: Referrer::Municipality,
        valid_from: None,
        valid_to: None,
    }
}

/// The refusal's fields and reasons.
fn refusal(e: ServiceError) -> Vec<(String, Reason)> {
    match e {
        ServiceError::Invalid(errors) => errors.into_iter().map(|e| (e.field, e.reason)).collect(),
        other => panic!("{other:?}"),
    }
}

fn refused(r: Result<Record, ServiceError>) -> Vec<(String, Reason)> {
    refusal(r.expect_err("saved what should be refused"))
}

fn a_provider(s: &Session) -> u64 {
    s.create(Body::Provider(provider(ProviderKind::Municipality, None)))
        .unwrap()
        .id()
}

// ---------------------------------------------------------------------------------------------
// Providers: ЕИК, licence, e-mail.

/// A Provider create request whose ЕИК was replaced, on the wire, by `eik` (a client cannot
/// build an invalid `Eik`; only the bytes can carry one).
fn create_with_eik(eik: &str) -> Vec<u8> {
    let req = Request::Create {
        request: 0,
        body: Body::Provider(provider(ProviderKind::Municipality, None)),
    };
    let config = bincode::config::standard();
    let mut frame = Vec::new();
    wire::write_frame(&mut frame, &req).unwrap();
    let payload = frame.split_off(4);
    let old = bincode::serde::encode_to_vec("123456786", config).unwrap();
    let new = bincode::serde::encode_to_vec(eik, config).unwrap();
    let at = payload
        .windows(old.len())
        .position(|w| w == old.as_slice())
        .expect("the ЕИК is in the frame");
    let mut out = payload[..at].to_vec();
    out.extend_from_slice(&new);
    out.extend_from_slice(&payload[at + old.len()..]);
    let mut framed = (out.len() as u32).to_be_bytes().to_vec();
    framed.extend_from_slice(&out);
    framed
}

/// The server's answer to one raw frame.
fn answer(socket: &std::path::Path, frame: &[u8]) -> Result<Response, ServiceError> {
    use std::io::Write;
    let mut s = UnixStream::connect(socket).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    hello(&mut s);
    s.write_all(frame).unwrap();
    loop {
        match wire::read_frame::<wire::ServerFrame>(&mut s).unwrap() {
            wire::ServerFrame::Answer(a) => return *a,
            wire::ServerFrame::Changed(_) => continue,
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn eik_of_9_and_13_digits_is_taken_and_each_refusal_says_why() {
    let db = new_db();
    // Valid ones of both lengths are stored as their digits.
    for (typed, stored) in [
        ("123456786", "123456786"),
        ("123 456 786", "123456786"),
        ("1234567860016", "1234567860016"),
        ("177304180 0122", "1773041800122"),
    ] {
        let mut p = provider(ProviderKind::Municipality, None);
        p.eik = Eik::parse(typed).unwrap();
        let saved = db.admin.create(Body::Provider(p)).unwrap();
        let Body::Provider(p) = saved.body else {
            panic!()
        };
        assert_eq!(p.eik.as_str(), stored);
    }
    // Each wrong one, with the reason a provider's ЕИК field shows in either language.
    let cases: [(&str, EikError, &str, &str); 7] = [
        ("", EikError::Empty, "ЕИК не е въведен", "no EIK entered"),
        (
            "12345678",
            EikError::Length { found: 8 },
            "ЕИК има 9 или 13 цифри, въведени са 8",
            "an EIK has 9 or 13 digits; 8 were entered",
        ),
        (
            "12345678601",
            EikError::Length { found: 11 },
            "ЕИК има 9 или 13 цифри, въведени са 11",
            "an EIK has 9 or 13 digits; 11 were entered",
        ),
        (
            "12345678O",
            EikError::NotDigits,
            "ЕИК съдържа само цифри",
            "an EIK has digits only",
        ),
        (
            "123456787",
            EikError::Checksum,
            "грешен ЕИК: 9-ата (контролна) цифра не съответства на първите осем",
            "wrong EIK: the 9th (check) digit does not follow from the first eight",
        ),
        (
            // A 13-digit one whose first nine are wrong is wrong for its 9th digit.
            "1234567870016",
            EikError::Checksum,
            "9-ата (контролна) цифра",
            "the 9th (check) digit",
        ),
        (
            "1234567860015",
            EikError::BranchChecksum,
            "грешен ЕИК на клон: 13-ата (контролна) цифра не съответства на цифри 9–12",
            "wrong branch EIK: the 13th (check) digit does not follow from digits 9–12",
        ),
    ];
    let me = frontoffice::os::current_user().unwrap().login;
    db.admin
        .add_clerk(&me, "Оператор", frontoffice::domain::clerk::Role::Admin)
        .unwrap();
    let socket = db.dir.path().join("fo.sock");
    let server = Server::bind(Arc::clone(&db.svc), &socket, None).unwrap();
    std::thread::spawn(move || server.run());
    let before = db.svc.store().count(Kind::Provider);
    for (typed, error, bg, en) in cases {
        assert_eq!(Eik::parse(typed), Err(error.clone()), "{typed}");
        let reason = Reason::Eik(error);
        assert!(reason.explain(Lang::Bg).contains(bg), "{typed}");
        assert!(reason.explain(Lang::En).contains(en), "{typed}");
        // A create that carries it on the wire is refused with the reason, and nothing is stored.
        match answer(&socket, &create_with_eik(typed)) {
            Err(ServiceError::BadRequest(why)) => {
                assert!(why.contains("EIK") && why.contains(en), "{typed}: {why}")
            }
            other => panic!("{typed}: {other:?}"),
        }
    }
    assert_eq!(db.svc.store().count(Kind::Provider), before);
    // The same connection path saves a good one.
    assert!(matches!(
        answer(&socket, &create_with_eik("1234567860016")),
        Ok(Response::Saved(_))
    ));
}

#[test]
fn a_licence_is_required_of_private_providers_only() {
    let db = new_db();
    let s = &db.admin;
    for kind in [
        ProviderKind::Ngo,
        ProviderKind::Company,
        ProviderKind::Other,
    ] {
        assert!(kind.needs_licence());
        let e = s.create(Body::Provider(provider(kind, None))).unwrap_err();
        for (lang, says) in [
            (Lang::Bg, "licence: частен доставчик (НПО, търговец, друг) трябва да има лиценз от АКСУ: номер и дата"),
            (Lang::En, "licence: a private provider (NGO, company, other) needs an АКСУ licence: number and date"),
        ] {
            assert_eq!(e.explain(lang), says);
        }
        assert_eq!(refusal(e), [("licence".into(), Reason::LicenceRequired)]);
        // With its number and date it is saved, the number trimmed.
        let saved = s
            .create(Body::Provider(provider(
                kind,
                Some(licence(date(2023, 6, 1))),
            )))
            .unwrap();
        let Body::Provider(p) = saved.body else {
            panic!()
        };
        assert_eq!(p.licence.unwrap().number, "Л-1234-05");
    }
    for kind in [ProviderKind::Municipality, ProviderKind::State] {
        assert!(!kind.needs_licence());
        s.create(Body::Provider(provider(kind, None))).unwrap();
    }
    // A licence dated after today, or without its number, is refused (any kind).
    assert_eq!(
        refused(s.create(Body::Provider(provider(
            ProviderKind::Ngo,
            Some(licence(today() + chrono::Days::new(1)))
        )))),
        [("licence_date".into(), Reason::InFuture)]
    );
    let mut blank = licence(date(2023, 6, 1));
    blank.number = "  ".into();
    assert_eq!(
        refused(s.create(Body::Provider(provider(ProviderKind::Company, Some(blank))))),
        [("licence".into(), Reason::Required)]
    );
    // An update that takes a private provider's licence away is refused too.
    let ngo = s
        .create(Body::Provider(provider(
            ProviderKind::Ngo,
            Some(licence(date(2022, 3, 15))),
        )))
        .unwrap();
    assert_eq!(
        refused(s.update(
            ngo.id(),
            ngo.meta.rev,
            Body::Provider(provider(ProviderKind::Ngo, None))
        )),
        [("licence".into(), Reason::LicenceRequired)]
    );
}

#[test]
fn e_mail_project_and_validity_dates_are_checked() {
    let db = new_db();
    let s = &db.admin;
    for bad in [
        "obshtina",
        "obshtina@",
        "@testovo.bg",
        "a b@testovo.bg",
        "x@testovo",
        "x@@t.bg",
    ] {
        let mut p = provider(ProviderKind::Municipality, None);
        p.email = bad.into();
        let e = s.create(Body::Provider(p)).unwrap_err();
        assert_eq!(
            e.explain(Lang::Bg),
            "email: адресът на е-поща е във вида име@домейн.bg",
            "{bad}"
        );
        assert_eq!(
            e.explain(Lang::En),
            "email: an e-mail address looks like name@domain.bg"
        );
        assert_eq!(refusal(e), [("email".into(), Reason::BadEmail)]);
    }
    let mut p = provider(ProviderKind::Municipality, None);
    p.email = "  sotsialni@testovo.bg ".into();
    p.contact = " Елена Маринова ".into();
    let Body::Provider(p) = s.create(Body::Provider(p)).unwrap().body else {
        panic!()
    };
    assert_eq!(
        (p.email.as_str(), p.contact.as_str()),
        ("sotsialni@testovo.bg", "Елена Маринова")
    );
    let owner = a_provider(s);
    // Project funding names its project.
    let mut project = service(owner, 60);
    project.funding = Funding::Project;
    assert_eq!(
        refused(s.create(Body::Service(project.clone()))),
        [("project".into(), Reason::Required)]
    );
    project.project = "„Грижа в дома“, BG05SFPR002-2.001".into();
    project.valid_from = Some(date(2023, 2, 1));
    project.valid_to = Some(date(2029, 12, 31));
    let saved = s.create(Body::Service(project.clone())).unwrap();
    // An end before the start is refused; the same day is a one-day service.
    let mut backwards = project.clone();
    backwards.valid_to = Some(date(2023, 1, 31));
    let e = s
        .update(saved.id(), saved.meta.rev, Body::Service(backwards))
        .unwrap_err();
    assert_eq!(
        e.explain(Lang::Bg),
        "valid_to: крайната дата е преди началната"
    );
    assert_eq!(refusal(e), [("valid_to".into(), Reason::EndBeforeStart)]);
    let mut one_day = project;
    one_day.valid_to = one_day.valid_from;
    s.update(saved.id(), saved.meta.rev, Body::Service(one_day))
        .unwrap();
    // A service of a provider that does not exist is refused.
    assert!(s.create(Body::Service(service(999_999, 5))).is_err());
}

// ---------------------------------------------------------------------------------------------
// Occupancy.

/// A referral of a new person to `service` moved through `path`, each step a command.
fn referred(s: &Session, service: u64, n: usize, path: &[ReferralStatus]) -> Record {
    let person = s
        .create(Body::Person(person(
            [
                "Анна",
                "Борис",
                "Вера",
                "Галин",
                "Дора",
                "Емил",
                "Жана",
                "Здравко",
                "Ива",
            ][n % 9],
            "Петрова",
            None,
        )))
        .unwrap()
        .id();
    let mut r = s
        .create(Body::Referral(referral(
            person,
            Some(service),
            ServiceType::DayCare,
        )))
        .unwrap();
    for to in path {
        let note = if *to == ReferralStatus::Declined {
            "Няма подходящо място."
        } else {
            ""
        };
        r = s.referral_step(r.id(), r.meta.rev, *to, note).unwrap();
    }
    r
}

fn status_of(r: &Record) -> ReferralStatus {
    match &r.body {
        Body::Referral(x) => x.status,
        other => panic!("{other:?}"),
    }
}

fn warnings_of(r: &Record) -> Vec<ReferralWarning> {
    match &r.body {
        Body::Referral(x) => x.warnings.clone(),
        other => panic!("{other:?}"),
    }
}

/// Every row of the register, a page of `limit` at a time.
fn register(s: &Session, limit: u32) -> Vec<frontoffice::domain::register::RegisterRow> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = s.register_page(after, limit).unwrap();
        match page.last() {
            Some(last) => after = Some(last.id),
            None => return out,
        }
        out.extend(page);
    }
}

#[test]
fn occupancy_counts_only_active_referrals_and_a_full_service_warns() {
    use ReferralStatus::*;
    let db = new_db();
    let s = &db.admin;
    let owner = a_provider(s);
    let centre = s.create(Body::Service(service(owner, 8))).unwrap();
    let paths: [&[ReferralStatus]; 8] = [
        &[],
        &[Assessed],
        &[Assessed, Referred],
        &[Assessed, Referred, Accepted],
        &[Assessed, Referred, Declined],
        &[Assessed, Referred, Accepted, Started],
        &[Assessed, Referred, Accepted, Started, Ended],
        &[Assessed, Referred, Accepted, Withdrawn],
    ];
    let mut seen = Vec::new();
    for (n, path) in paths.iter().enumerate() {
        let r = referred(s, centre.id(), n, path);
        seen.push(status_of(&r));
    }
    assert_eq!(seen, ReferralStatus::ALL, "one referral in every state");
    // A service nobody is referred to, and one without a capacity.
    let empty = s.create(Body::Service(service(owner, 5))).unwrap();
    let uncounted = s.create(Body::Service(service(owner, 0))).unwrap();
    referred(s, uncounted.id(), 0, &[Assessed, Referred]);

    let rows = register(s, 1);
    let ids: Vec<u64> = rows.iter().map(|r| r.id).collect();
    assert_eq!(ids, [centre.id(), empty.id(), uncounted.id()]);
    assert_eq!(register(s, 1000), rows, "the page size changes nothing");
    let row = &rows[0];
    // Referred, accepted by the provider, started: three of the eight hold a place.
    assert_eq!(row.occupied, 3);
    assert_eq!((row.free(), row.full()), (Some(5), false));
    assert_eq!(row.provider_name, "Сдружение „Подкрепа“");
    assert_eq!(
        (rows[1].occupied, rows[1].free(), rows[1].full()),
        (0, Some(5), false)
    );
    // No capacity entered: occupied is counted, free and full are not.
    assert_eq!(
        (rows[2].occupied, rows[2].free(), rows[2].full()),
        (1, None, false)
    );

    // Three places for three active referrals: full, and the next referral is warned (the
    // requested, assessed and closed ones do not count against it).
    let three = Service {
        capacity: 3,
        ..service(owner, 3)
    };
    let centre = s
        .update(centre.id(), centre.meta.rev, Body::Service(three))
        .unwrap();
    let row = register(s, 10).remove(0);
    assert_eq!((row.free(), row.full()), (Some(0), true));
    let full = ReferralWarning::ServiceFull {
        occupied: 3,
        capacity: 3,
    };
    let waiting = referred(s, centre.id(), 8, &[Assessed]);
    assert_eq!(warnings_of(&waiting), std::slice::from_ref(&full));
    // Referred: it holds a place itself now; the others still fill the three (it is warned, and
    // the service is over its capacity, still full with no free place).
    let over = s
        .referral_step(waiting.id(), waiting.meta.rev, Referred, "")
        .unwrap();
    assert_eq!(warnings_of(&over), [full]);
    let row = register(s, 10).remove(0);
    assert_eq!((row.occupied, row.free(), row.full()), (4, Some(0), true));
    // A place frees when one ends; the over-capacity referral is then within the places.
    let started = s
        .list(Kind::Referral, None, 100)
        .unwrap()
        .into_iter()
        .find(|r| status_of(r) == Started)
        .unwrap();
    s.referral_step(started.id(), started.meta.rev, Ended, "")
        .unwrap();
    let row = register(s, 10).remove(0);
    assert_eq!((row.occupied, row.free(), row.full()), (3, Some(0), true));
    let over = s.get(Kind::Referral, over.id()).unwrap();
    let accepted = s
        .referral_step(over.id(), over.meta.rev, Accepted, "")
        .unwrap();
    assert!(
        warnings_of(&accepted).is_empty(),
        "{:?}",
        warnings_of(&accepted)
    );

    // Out of the register (its period ended yesterday, or begins tomorrow): no places offered,
    // not full, and ended only in the first case.
    let empty = s.get(Kind::Service, empty.id()).unwrap();
    let ended = Service {
        valid_from: Some(date(2024, 1, 1)),
        valid_to: Some(date(2026, 11, 16)),
        ..service(owner, 5)
    };
    let empty = s
        .update(empty.id(), empty.meta.rev, Body::Service(ended))
        .unwrap();
    let row = register(s, 10)
        .into_iter()
        .find(|r| r.id == empty.id())
        .unwrap();
    assert_eq!(
        (row.in_register, row.free(), row.full(), row.ended(today())),
        (false, None, false, true)
    );
    let later = Service {
        valid_from: Some(date(2026, 12, 1)),
        ..service(owner, 5)
    };
    s.update(empty.id(), empty.meta.rev, Body::Service(later))
        .unwrap();
    let row = register(s, 10)
        .into_iter()
        .find(|r| r.id == empty.id())
        .unwrap();
    assert_eq!(
        (row.in_register, row.free(), row.ended(today())),
        (false, None, false)
    );
}

// ---------------------------------------------------------------------------------------------
// Monitoring visits and campaigns.

fn visit(service: u64, on: chrono::NaiveDate, follow_up: Option<chrono::NaiveDate>) -> Visit {
    Visit {
        service,
        date: on,
        clerks: Vec::new(),
        findings: "Документацията е пълна.\nЛипсва график за месеца.".into(),
        rating: "remarks".into(),
        follow_up,
    }
}

fn follow_ups(s: &Session) -> Vec<frontoffice::domain::agenda::AgendaItem> {
    s.agenda(7, None)
        .unwrap()
        .items
        .into_iter()
        .filter(|i| i.kind == AgendaKind::VisitFollowUp)
        .collect()
}

#[test]
fn a_visit_is_checked_and_its_follow_up_is_on_the_agenda_until_the_next_visit() {
    let db = new_db();
    let s = &db.admin;
    s.add_clerk(
        "mpetrova",
        "Мария Петрова",
        frontoffice::domain::clerk::Role::Clerk,
    )
    .unwrap();
    let clerk = db.svc.session("mpetrova").unwrap();
    let owner = a_provider(s);
    let centre = s.create(Body::Service(service(owner, 20))).unwrap();
    let other = s
        .create(Body::Service(Service {
            name: "Защитено жилище".into(),
            ..service(owner, 6)
        }))
        .unwrap();

    // A rating not in the settings' list, a follow-up before the visit, a visit in the future.
    let mut v = visit(centre.id(), date(2026, 11, 10), None);
    v.rating = "excellent".into();
    let e = clerk.create(Body::Visit(v)).unwrap_err();
    assert_eq!(e.explain(Lang::Bg), "rating: стойността не е от списъка");
    assert_eq!(refusal(e), [("rating".into(), Reason::UnknownCode)]);
    assert_eq!(
        refused(clerk.create(Body::Visit(visit(
            centre.id(),
            date(2026, 11, 10),
            Some(date(2026, 11, 9))
        )))),
        [("follow_up".into(), Reason::EndBeforeStart)]
    );
    assert_eq!(
        refused(clerk.create(Body::Visit(visit(
            centre.id(),
            today() + chrono::Days::new(1),
            None
        )))),
        [("date".into(), Reason::InFuture)]
    );
    // A rating the settings add is taken.
    let current = s.settings().unwrap();
    let mut settings = current.settings.clone();
    settings.visit_ratings.push(Coded {
        code: "model".into(),
        bg: "образцово".into(),
        en: "exemplary".into(),
    });
    s.update_settings(current.rev, settings).unwrap();
    let mut v = visit(other.id(), date(2026, 9, 1), None);
    v.rating = "model".into();
    clerk.create(Body::Visit(v)).unwrap();

    // Clerks default to the one who saves; the follow-up shows with the service's name.
    let first = clerk
        .create(Body::Visit(visit(
            centre.id(),
            date(2026, 11, 10),
            Some(date(2026, 11, 20)),
        )))
        .unwrap();
    let Body::Visit(saved) = &first.body else {
        panic!()
    };
    assert_eq!(saved.clerks, ["mpetrova"]);
    let items = follow_ups(s);
    assert_eq!(items.len(), 1, "{items:?}");
    let item = &items[0];
    assert_eq!(item.due, date(2026, 11, 20));
    assert_eq!(item.detail, "Дневен център за възрастни хора");
    assert_eq!(item.record, Some((Kind::Visit, first.id())));
    assert_eq!(item.clerk.as_deref(), Some("mpetrova"));
    // A second clerk named on the visit keeps the first one's name on the agenda.
    let mut two = visit(other.id(), date(2026, 11, 12), Some(date(2026, 11, 16)));
    two.clerks = vec!["admin".into(), "mpetrova".into()];
    let two = clerk.create(Body::Visit(two)).unwrap();
    let items = follow_ups(s);
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].record, Some((Kind::Visit, two.id())));
    assert_eq!(items[0].detail, "Защитено жилище");
    assert_eq!(items[0].clerk.as_deref(), Some("admin"));

    // A later visit to the protected home takes its follow-up off and leaves the day centre's;
    // so does an earlier visit to the day centre entered later; the day centre's next visit
    // takes its own off.
    s.create(Body::Visit(visit(other.id(), date(2026, 11, 14), None)))
        .unwrap();
    s.create(Body::Visit(visit(centre.id(), date(2026, 10, 1), None)))
        .unwrap();
    let items = follow_ups(s);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].record, Some((Kind::Visit, first.id())));
    s.create(Body::Visit(visit(centre.id(), date(2026, 11, 17), None)))
        .unwrap();
    assert!(follow_ups(s).is_empty());
    let report = s.check().unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

#[test]
fn a_campaign_is_in_a_settlement_of_the_municipality_and_run_by_the_caller() {
    let db = new_db();
    db.admin
        .add_clerk(
            "gdimitrov",
            "Георги Димитров",
            frontoffice::domain::clerk::Role::Clerk,
        )
        .unwrap();
    let clerk = db.svc.session("gdimitrov").unwrap();
    let campaign = |settlement: &str| Campaign {
        date: date(2026, 10, 8),
        settlement: settlement.into(),
        topic: "Личната помощ: кой има право".into(),
        format: CampaignFormat::VisitingDay,
        participants: 12,
        clerk: String::new(),
        note: String::new(),
    };
    let e = clerk.create(Body::Campaign(campaign("12345"))).unwrap_err();
    assert_eq!(
        e.explain(Lang::En),
        "settlement: the settlement is not in the municipality's list"
    );
    assert_eq!(refusal(e), [("settlement".into(), Reason::BadSettlement)]);
    assert_eq!(
        refused(clerk.create(Body::Campaign(campaign(" ")))),
        [("settlement".into(), Reason::Required)]
    );
    let mut untitled = campaign("99002");
    untitled.topic = " ".into();
    assert_eq!(
        refused(clerk.create(Body::Campaign(untitled))),
        [("topic".into(), Reason::Required)]
    );
    let saved = clerk.create(Body::Campaign(campaign(" 99002 "))).unwrap();
    let Body::Campaign(c) = saved.body else {
        panic!()
    };
    assert_eq!(
        (c.settlement.as_str(), c.clerk.as_str()),
        ("99002", "gdimitrov")
    );
    // Named by the one who saves it, another clerk stays.
    let mut theirs = campaign("99001");
    theirs.clerk = "admin".into();
    let Body::Campaign(c) = clerk.create(Body::Campaign(theirs)).unwrap().body else {
        panic!()
    };
    assert_eq!(c.clerk, "admin");
}

// ---------------------------------------------------------------------------------------------
// Older settings.

/// Settings as version 2 wrote them (after issue 10 extended it): every field of today's but
/// the visit ratings and the checklist, in order. bincode writes a tuple as it writes a struct.
fn settings_v2_bytes(rev: u64, s: &Settings) -> Vec<u8> {
    let head = (
        rev,
        &s.municipality,
        &s.settlements,
        s.remedy_days,
        s.lifelong_assessment_years,
        s.no_new_agreements_last_days,
        s.agreements_start_on_first,
        s.max_minutes_per_day,
        s.max_minutes_per_week,
        s.assistant_support_minutes_per_day,
        s.expiry_alert_days,
        s.idle_lock_minutes,
    );
    let tail = (
        s.retention_years,
        &s.calendar,
        &s.suspension_reasons,
        &s.end_reasons,
        &s.pay_rates,
        s.drafts_per_clerk,
        s.draft_days,
        &s.step_days,
        s.decision_alert_days,
        s.agreement_alert_days,
        s.asp_report_day,
        s.agenda_days,
    );
    frontoffice::store::codec::encode(frontoffice::store::schema::SETTINGS_CODE, 2, &(head, tail))
        .unwrap()
}

#[test]
fn settings_of_version_2_read_with_the_default_ratings_and_checklist() {
    use frontoffice::store::schema::decode_settings;
    let mut old = settings();
    old.agenda_days = 9;
    old.asp_report_day = 12;
    old.step_days.referred = 25;
    // What version 3 adds cannot be in version 2's bytes: it reads as the defaults.
    old.visit_ratings.clear();
    old.checklist.clear();
    let read = decode_settings(&settings_v2_bytes(4, &old)).unwrap();
    assert_eq!(read.rev, 4);
    let expected = Settings {
        visit_ratings: Settings::default().visit_ratings,
        checklist: Settings::default().checklist,
        ..old
    };
    assert_eq!(read.settings, expected);
    assert!(!expected.visit_ratings.is_empty() && !expected.checklist.is_empty());
    // The committed schema 2 database (its settings in the first version 2 layout) too.
    let (_dir, dst) = fixture_copy("schema2-db");
    let svc = frontoffice::service::Service::open(&dst, clock()).unwrap();
    let s = svc.session("fixture").unwrap();
    let settings = s.settings().unwrap().settings;
    assert_eq!(settings.visit_ratings, Settings::default().visit_ratings);
    assert_eq!(settings.checklist, Settings::default().checklist);
    assert_eq!(settings.municipality, "Община Тестово");
    // The ratings are there to be used: a visit saves on the old database.
    let service = s.list(Kind::Service, None, 1).unwrap().remove(0).id();
    s.create(Body::Visit(visit(service, date(2026, 11, 3), None)))
        .unwrap();
}

/// Who went on a visit and who ran a campaign are clerk accounts: a login of nobody is refused
/// beside its field; a login given twice counts once.
#[test]
fn visit_and_campaign_clerks_are_accounts() {
    use frontoffice::domain::register::{Campaign, CampaignFormat};
    let db = new_db();
    let all = every_kind(&db.admin);
    let service = all.iter().find(|r| r.kind() == Kind::Service).unwrap().id();
    let visit = |clerks: Vec<&str>| Visit {
        service,
        date: date(2026, 11, 2),
        clerks: clerks.into_iter().map(String::from).collect(),
        findings: "Всичко е наред.".into(),
        rating: "good".into(),
        follow_up: None,
    };
    let e = db
        .admin
        .create(Body::Visit(visit(vec!["mpetrova", "nobody"])))
        .unwrap_err();
    assert_eq!(refusal(e), [("clerks".to_string(), Reason::UnknownClerk)]);
    let saved = db
        .admin
        .create(Body::Visit(visit(vec!["mpetrova", " ", "mpetrova"])))
        .unwrap();
    let Body::Visit(v) = saved.body else { panic!() };
    assert_eq!(v.clerks, ["mpetrova"]);
    let e = db
        .admin
        .create(Body::Campaign(Campaign {
            date: date(2026, 11, 2),
            settlement: "99001".into(),
            topic: "Среща".into(),
            format: CampaignFormat::Meeting,
            participants: 5,
            clerk: "nobody".into(),
            note: String::new(),
        }))
        .unwrap_err();
    assert_eq!(refusal(e), [("clerk".to_string(), Reason::UnknownClerk)]);
}

/// A service is in one of the municipality's settlements; a referral to a service that is not
/// in the register today (closed, or not yet open) is warned about.
#[test]
fn a_service_outside_the_municipality_or_the_register_dates_is_caught() {
    let db = new_db();
    let s = &db.admin;
    let p = a_provider(s);
    let mut elsewhere = service(p, 10);
    elsewhere.settlement = "12345".into();
    assert_eq!(
        refused(s.create(Body::Service(elsewhere))),
        [("settlement".to_string(), Reason::BadSettlement)]
    );
    let mut closed = service(p, 10);
    closed.valid_from = Some(date(2022, 1, 1));
    closed.valid_to = Some(date(2023, 12, 31));
    let closed = s.create(Body::Service(closed)).unwrap().id();
    let open = s.create(Body::Service(service(p, 10))).unwrap().id();
    let person = every_kind(s)
        .into_iter()
        .find(|r| r.kind() == Kind::Person)
        .unwrap()
        .id();
    let warned = |service: u64| {
        s.referral_warnings(referral(person, Some(service), ServiceType::DayCare))
            .unwrap()
    };
    assert!(warned(closed).contains(&ReferralWarning::NotInRegister));
    assert!(!warned(open).contains(&ReferralWarning::NotInRegister));
}
