//! Disclosure is a type: from everything a clerk receives about one person outside the audited
//! ways out (every answer kind, as a clerk and as an administrator, refusals and conflicts
//! included, change events, drafts and the audit log), the stored ЕГН cannot be narrowed below
//! 100 candidates, nor a ЛНЧ. The candidates are counted here by plain loops over the
//! numbers' own rules (the checksum weights of DOMAIN.md), not by the code under test.

mod common;

use common::*;
use frontoffice::domain::{
    date::Month,
    document::DocKind,
    draft::Draft,
    intake::{Channel, Intake, Outcome, Topic},
    lnch::Lnch,
    person::PersonalId,
    record::{Body, Kind, Record},
    referral::ReferralStatus,
};
use frontoffice::service::{Api, ApiExt, Request, Response, Session};
use std::collections::BTreeSet;

/// The user's ЕГН: 23 April 1957, a woman; digits chosen to appear nowhere else in the fixture.
const EGN: &str = "5704238795";
/// The assistant's ЛНЧ.
const LNCH: &str = "4827159631";

/// Valid ЕГН born on `date` (YYMMDD as the number writes it) whose ninth digit has `parity`
/// and whose every digit fixed by `fixed` (position, digit) agrees.
fn egn_candidates(date: &str, parity: u32, fixed: &BTreeSet<(usize, u8)>) -> usize {
    const W: [u32; 9] = [2, 4, 8, 5, 10, 9, 7, 3, 6];
    (0..1000u32)
        .filter(|serial| serial % 2 == parity)
        .filter(|serial| {
            let mut digits: Vec<u8> = format!("{date}{serial:03}").bytes().collect();
            let sum: u32 = digits
                .iter()
                .zip(W)
                .map(|(d, w)| u32::from(d - b'0') * w)
                .sum();
            digits.push(b'0' + (sum % 11 % 10) as u8);
            fixed.iter().all(|&(at, d)| digits[at] == d)
        })
        .count()
}

/// Valid ЛНЧ agreeing with the fixed digits: ten digits whose last is the check of the first
/// nine, so every free digit among the first nine multiplies by ten, and a fixed check digit
/// takes one of those tens back.
fn lnch_candidates(fixed: &BTreeSet<(usize, u8)>) -> u64 {
    let free = (0..9)
        .filter(|p| !fixed.iter().any(|&(at, _)| at == *p))
        .count() as u32;
    let check_fixed = fixed.iter().any(|&(at, _)| at == 9);
    match (free, check_fixed) {
        (0, _) => 1,
        (f, true) => 10u64.pow(f - 1),
        (f, false) => 10u64.pow(f),
    }
}

/// Digits of `number` that `seen` gives away: every run of three or more digits in the text
/// that stands in the number fixes those digits where it stands there (a generous reading: a
/// run that only happens to match counts against us).
fn fixed_digits(number: &str, seen: &str, from: usize) -> BTreeSet<(usize, u8)> {
    let mut fixed = BTreeSet::new();
    let runs = seen
        .split(|c: char| !c.is_ascii_digit())
        .filter(|r| r.len() >= 3);
    for run in runs {
        for len in 3..=run.len().min(number.len()) {
            for w in 0..=run.len() - len {
                let piece = &run[w..w + len];
                for at in 0..=number.len() - len {
                    if &number[at..at + len] == piece && at + len > from {
                        fixed.extend((at..at + len).map(|p| (p, number.as_bytes()[p])));
                    }
                }
            }
        }
    }
    fixed
}

fn count_egn(seen: &str) -> usize {
    // The birth date shows (the card, hits): its six digits are taken as known, and so is the
    // sex (names and the card tell it), whatever the text says.
    let fixed = fixed_digits(EGN, seen, 6);
    let parity = u32::from(EGN.as_bytes()[8] - b'0') % 2;
    egn_candidates(&EGN[..6], parity, &fixed)
}

fn count_lnch(seen: &str) -> u64 {
    lnch_candidates(&fixed_digits(LNCH, seen, 0))
}

#[test]
fn the_counts_see_a_leak() {
    // The old mask beside the birth date is the whole number; a ЛНЧ's last four leave 10^5.
    assert_eq!(count_egn("1957-04-23 ******8795"), 1);
    assert_eq!(count_egn("born 23.04.1957"), 500);
    assert_eq!(count_lnch("******9631"), 100_000);
    assert_eq!(count_lnch(LNCH), 1);
    assert_eq!(count_lnch("nothing here 123"), 1_000_000_000);
}

/// Everything a session can ask, one request of each kind, aimed at the user's records.
fn every_request(recs: &[Record], user: u64, helper: u64) -> Vec<Request> {
    let id_of = |k: Kind| recs.iter().find(|r| r.kind() == k).unwrap().clone();
    let agreement = id_of(Kind::Agreement);
    let referral = id_of(Kind::Referral);
    let report = id_of(Kind::Report);
    let Body::Referral(referral_body) = referral.body.clone() else {
        unreachable!()
    };
    let october = Month::new(2026, 10).unwrap();
    let intake = Body::Intake(Intake {
        reg_no: String::new(),
        at: now(),
        channel: Channel::Phone,
        clerk: String::new(),
        person: Some(user),
        topics: vec![Topic::PersonalAssistance],
        note: "Обади се отново.".into(),
        outcome: Outcome::Open,
        follow_up: None,
    });
    let mut reqs = vec![
        Request::WhoAmI,
        Request::OpenCard { person: user },
        Request::Create {
            body: intake.clone(),
            request: 77,
        },
        // Sent again with another body: the refusal is an answer too.
        Request::Create {
            body: Body::Person(person("Друг", "Човек", None)),
            request: 77,
        },
        Request::CreateMany {
            bodies: vec![intake],
            request: 78,
        },
        Request::GetSettings,
        // A stale settings save: refused with the current rev.
        Request::UpdateSettings {
            base_rev: 0,
            settings: settings(),
        },
        Request::AddClerk {
            login: "ivelinova".into(),
            name: "Ивелина Ивелинова".into(),
            role: frontoffice::domain::clerk::Role::Clerk,
        },
        Request::SetClerkActive {
            login: "ivelinova".into(),
            active: true,
        },
        Request::ListClerks {
            after: None,
            limit: 100,
        },
        Request::Audit {
            after: None,
            limit: 1000,
        },
        Request::Check,
        Request::Drafts {
            after: None,
            limit: 100,
        },
        Request::DropDraft { key: "x".into() },
        Request::MonthlyReport { month: october },
        Request::Agenda {
            days: 60,
            clerk: None,
        },
        Request::ReferralStep {
            id: referral.id(),
            base_rev: referral.meta.rev,
            to: ReferralStatus::Accepted,
            note: String::new(),
        },
        Request::ReferralWarnings {
            referral: referral_body,
        },
        Request::Labels {
            ids: recs.iter().map(Record::id).collect(),
        },
        Request::Register {
            after: None,
            limit: 100,
        },
        Request::EndAgreement {
            id: agreement.id(),
            base_rev: agreement.meta.rev,
            date: date(2026, 11, 30),
            reason: "user_wish".into(),
        },
        Request::ReplaceAssistant {
            id: agreement.id(),
            base_rev: agreement.meta.rev,
            from: date(2026, 12, 1),
            assistant: helper,
            substitute: None,
            reason: "user_wish".into(),
        },
        Request::AssistanceWarnings { person: user },
        Request::AssistanceWarnings { person: helper },
        Request::ReturnReport {
            id: report.id(),
            base_rev: report.meta.rev,
            reason: "Грешка в часовете".into(),
        },
        Request::CloseMonth { month: october },
        Request::ReopenMonth {
            month: october,
            reason: "Поправка".into(),
        },
        Request::MonthlyTrend {
            last: october,
            months: 12,
            provider: None,
        },
        Request::MonthlyRows {
            month: october,
            agreements: vec![agreement.id()],
        },
    ];
    for r in recs {
        reqs.push(Request::Get {
            kind: r.kind(),
            id: r.id(),
        });
        reqs.push(Request::Related {
            id: r.id(),
            after: None,
            limit: 100,
        });
        // A stale save: answered with the saved version.
        reqs.push(Request::Update {
            id: r.id(),
            base_rev: 0,
            body: r.body.clone(),
        });
    }
    for kind in Kind::ALL {
        reqs.push(Request::List {
            kind,
            after: None,
            limit: 1000,
        });
    }
    for q in [
        "петрова",
        "мария",
        "petrova",
        "570423",
        "57042",
        "5704238",
        "570423879",
        "8795",
        "795",
        EGN,
        "482715",
        "9631",
        LNCH,
        "иванов",
        "0888",
    ] {
        reqs.push(Request::Search {
            query: q.into(),
            limit: 50,
        });
    }
    reqs
}

/// Whether a request is one of the audited ways out, which give the number whole on purpose.
fn audited_way_out(r: &Request) -> bool {
    // Every variant named: a new request kind fails to compile here until it is placed.
    match r {
        Request::RevealIdent { .. }
        | Request::Export { .. }
        | Request::Payroll { .. }
        | Request::Document { .. }
        | Request::Backup
        | Request::BackupRead { .. } => true,
        Request::WhoAmI
        | Request::Get { .. }
        | Request::List { .. }
        | Request::Related { .. }
        | Request::OpenCard { .. }
        | Request::Create { .. }
        | Request::CreateMany { .. }
        | Request::Update { .. }
        | Request::Search { .. }
        | Request::GetSettings
        | Request::UpdateSettings { .. }
        | Request::AddClerk { .. }
        | Request::SetClerkActive { .. }
        | Request::ListClerks { .. }
        | Request::Audit { .. }
        | Request::Check
        | Request::SaveDraft { .. }
        | Request::Drafts { .. }
        | Request::DropDraft { .. }
        | Request::MonthlyReport { .. }
        | Request::Agenda { .. }
        | Request::ReferralStep { .. }
        | Request::ReferralWarnings { .. }
        | Request::Labels { .. }
        | Request::Register { .. }
        | Request::EndAgreement { .. }
        | Request::ReplaceAssistant { .. }
        | Request::AssistanceWarnings { .. }
        | Request::ReturnReport { .. }
        | Request::CloseMonth { .. }
        | Request::ReopenMonth { .. }
        | Request::MonthlyTrend { .. }
        | Request::MonthlyRows { .. } => false,
    }
}

/// The variant's name, to tell which kinds the run covered.
fn variant(r: &Request) -> String {
    format!("{r:?}")
        .split([' ', '{', '('])
        .next()
        .unwrap_or_default()
        .to_string()
}

fn set_ident(s: &Session, id: u64, ident: PersonalId) {
    let stored = s.service().store().get(Kind::Person, id).unwrap().unwrap();
    let Body::Person(mut p) = stored.body else {
        unreachable!()
    };
    p.ident = ident;
    p.birth_date = None;
    p.sex = None;
    s.update(id, stored.meta.rev, Body::Person(p)).unwrap();
}

#[test]
fn nothing_a_clerk_receives_narrows_a_number_below_a_hundred() {
    let db = new_db();
    let changes = db.svc.subscribe();
    let recs = every_kind(&db.admin);
    let user = recs[0].id();
    let helper = recs[1].id();
    set_ident(&db.admin, user, PersonalId::Egn(egn(EGN)));
    set_ident(
        &db.admin,
        helper,
        PersonalId::Lnch(Lnch::parse(LNCH).unwrap()),
    );
    let recs: Vec<Record> = recs
        .iter()
        .filter_map(|r| db.svc.store().get(r.kind(), r.id()).unwrap())
        .collect();
    let clerk = db.svc.session("mpetrova").unwrap();
    // Drafts as a console keeps them, one in the older versions' mask.
    for (s, key) in [(&clerk, "person/1"), (&db.admin, "person/2")] {
        s.save_draft(Draft {
            key: key.into(),
            target: Some((user, 1)),
            title: "Мария Петрова".into(),
            fields: vec![
                ("ident".into(), format!("******{}", &EGN[6..])),
                ("first_name".into(), "Мария".into()),
            ],
            saved: now(),
        })
        .unwrap();
    }

    let mut seen = String::new();
    let mut covered = BTreeSet::new();
    let reqs = every_request(&recs, user, helper);
    for s in [&clerk, &db.admin] {
        for req in &reqs {
            assert!(!audited_way_out(req), "{req:?}");
            covered.insert(variant(req));
            let mut answer = s.call(req.clone());
            if let Ok(Response::Audit(entries)) = &mut answer {
                // The chain's hashes are SHA-256 over entries that hold no digit of a number
                // (tested by what the entries say); as decimal bytes they would only make
                // chance runs of digits.
                for e in entries {
                    e.hash = [0; 32];
                    e.prev_hash = [0; 32];
                }
            }
            seen.push_str(&format!("{answer:?}\n"));
        }
    }
    covered.insert("SaveDraft".into());
    while let Ok(change) = changes.try_recv() {
        seen.push_str(&format!("{change:?}\n"));
    }

    // The run reached what it must: the user's card, hits and the audit log's entries.
    assert!(
        seen.contains("Петрова") && seen.contains("1957-04-23"),
        "{seen}"
    );
    assert!(seen.contains("Audit([") && seen.contains("Hits(["));
    assert!(seen.contains("Masked(MaskedId { lnch: false })") && seen.contains("\"**********\""));
    assert!(!seen.contains(EGN) && !seen.contains(LNCH));
    let egn_left = count_egn(&seen);
    let lnch_left = count_lnch(&seen);
    assert!(egn_left >= 100, "the ЕГН narrowed to {egn_left} candidates");
    assert!(
        lnch_left >= 100,
        "the ЛНЧ narrowed to {lnch_left} candidates"
    );
    // Every request kind but the six audited ways out was asked.
    assert_eq!(covered.len() + 6, REQUEST_KINDS, "{covered:?}");
    // ...and the audited ways out do give the number, so the counts are about something.
    assert_eq!(db.admin.reveal_ident(user).unwrap(), EGN);
    let agreement = recs.iter().find(|r| r.kind() == Kind::Agreement).unwrap();
    let doc = format!(
        "{:?}",
        db.admin.document(DocKind::Agreement, agreement.id())
    );
    assert!(doc.contains(EGN), "{doc}");
}

/// The request kinds of the table: `audited_way_out` names each of them once.
const REQUEST_KINDS: usize = 39;
