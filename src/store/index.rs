//! Index trees: normalised keys that lead to records. Every entry's key is
//! `prefix ++ 0x00 ++ kind code ++ id (big-endian)` with an empty value, so `check` can recompute
//! what a record's entries must be and find both missing and stray ones.

use crate::domain::{
    assistance::{Agreement, Application, Assistant, Contract, DspDecision, Suspension},
    record::{Body, Kind, Record},
    search_key::{search_key, search_tokens},
};

/// The index trees. Names are stored on disk: never rename.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Index {
    /// Name tokens (persons, providers, services) under the search normaliser.
    Name,
    /// ЕГН or ЛНЧ, whole.
    Ident,
    /// The last four digits of ЕГН or ЛНЧ.
    IdentLast4,
    /// Phones as national digits.
    Phone,
    /// Register and agreement numbers, normalised.
    Number,
    /// Clerk logins.
    Login,
    /// (agreement id, year, month) of monthly reports.
    ReportMonth,
    /// Records that point to another record (by the other record's id).
    Ref,
    /// Deadlines: `due_prefix(class, date)` for each record with one (the agenda's index).
    Due,
}

impl Index {
    pub const ALL: [Index; 9] = [
        Index::Name,
        Index::Ident,
        Index::IdentLast4,
        Index::Phone,
        Index::Number,
        Index::Login,
        Index::ReportMonth,
        Index::Ref,
        Index::Due,
    ];

    pub fn tree(self) -> &'static str {
        match self {
            Index::Name => "idx_name",
            Index::Ident => "idx_ident",
            Index::IdentLast4 => "idx_ident4",
            Index::Phone => "idx_phone",
            Index::Number => "idx_number",
            Index::Login => "idx_login",
            Index::ReportMonth => "idx_report_month",
            Index::Ref => "idx_ref",
            Index::Due => "idx_due",
        }
    }
}

/// Builds an index key.
pub fn key(prefix: &[u8], kind: Kind, id: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(prefix.len() + 10);
    k.extend_from_slice(prefix);
    k.push(0);
    k.push(kind.code());
    k.extend_from_slice(&id.to_be_bytes());
    k
}

/// The scan prefix for an exact match of `prefix` (the separator included).
pub fn exact(prefix: &[u8]) -> Vec<u8> {
    let mut k = prefix.to_vec();
    k.push(0);
    k
}

/// Splits an index key into its prefix, kind and id.
pub fn split(key: &[u8]) -> Option<(&[u8], Kind, u64)> {
    if key.len() < 10 || key[key.len() - 10] != 0 {
        return None;
    }
    let (prefix, rest) = key.split_at(key.len() - 10);
    let kind = Kind::from_code(rest[1])?;
    let id = u64::from_be_bytes(rest[2..10].try_into().ok()?);
    Some((prefix, kind, id))
}

/// Register numbers are compared without punctuation and in Latin letters: "ЗД-2026-0007",
/// "zd 2026 0007" and "ZD20260007" are the same number.
pub fn number_key(number: &str) -> String {
    search_tokens(number).concat()
}

pub fn report_month_prefix(agreement: u64, year: i32, month: u32) -> Vec<u8> {
    let mut p = agreement.to_be_bytes().to_vec();
    p.extend_from_slice(&year.to_be_bytes());
    p.push(month as u8);
    p
}

/// The two classes of deadlines in the due-date index. Work stays on the agenda until it is
/// done, however old; an expiry only around its date, so years of expired decisions are never
/// read. Stored on disk: never renumber.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueClass {
    /// Follow-ups, referral steps, remedy deadlines.
    Work = 0,
    /// Decisions, направления, agreements and contracts ending.
    Expiry = 1,
}

/// The prefix of a due-date entry: class, then the date as big-endian days from the Common
/// Era (sign bit flipped, so byte order is date order).
pub fn due_prefix(class: DueClass, date: chrono::NaiveDate) -> Vec<u8> {
    use chrono::Datelike;
    let days = (date.num_days_from_ce() as u32) ^ 0x8000_0000;
    let mut p = vec![class as u8];
    p.extend_from_slice(&days.to_be_bytes());
    p
}

/// The deadline a record carries, if any, for the due-date index.
pub fn due_of(record: &Record) -> Option<(DueClass, chrono::NaiveDate)> {
    use crate::domain::{
        assistance::{ApplicationStatus, ContractStatus},
        intake::Outcome,
    };
    match &record.body {
        Body::Intake(i) if i.outcome == Outcome::Open => i.follow_up.map(|d| (DueClass::Work, d)),
        Body::Referral(r) if r.status.is_open() => r.due.map(|d| (DueClass::Work, d)),
        Body::Application(a) if a.status == ApplicationStatus::Incomplete => {
            a.remedy_by.map(|d| (DueClass::Work, d))
        }
        Body::Person(p) => p
            .disability
            .as_ref()
            .and_then(|d| d.valid_until)
            .map(|d| (DueClass::Expiry, d)),
        Body::DspDecision(d) => Some((DueClass::Expiry, d.valid_until)),
        Body::Agreement(a) if a.status.holds_hours() => Some((DueClass::Expiry, a.to)),
        Body::Contract(c) if c.status == ContractStatus::Signed => {
            c.end.map(|d| (DueClass::Expiry, d))
        }
        Body::Visit(v) => v.follow_up.map(|d| (DueClass::Work, d)),
        _ => None,
    }
}

/// Every index entry a record must have.
pub fn entries(record: &Record) -> Vec<(Index, Vec<u8>)> {
    let kind = record.kind();
    let id = record.id();
    let mut out: Vec<(Index, Vec<u8>)> = Vec::new();
    let mut add = |index: Index, prefix: &[u8]| out.push((index, key(prefix, kind, id)));
    let refs = |ids: &[Option<u64>], add: &mut dyn FnMut(Index, &[u8])| {
        for r in ids.iter().flatten() {
            add(Index::Ref, &r.to_be_bytes());
        }
    };
    match &record.body {
        Body::Person(p) => {
            let mut names = Vec::new();
            for part in [&p.first_name, &p.middle_name, &p.last_name] {
                for t in search_tokens(part) {
                    if !names.contains(&t) {
                        names.push(t);
                    }
                }
            }
            for t in names {
                add(Index::Name, t.as_bytes());
            }
            if let Some(ident) = p.ident.as_str() {
                add(Index::Ident, ident.as_bytes());
                let last4 = &ident[ident.len().saturating_sub(4)..];
                add(Index::IdentLast4, last4.as_bytes());
            }
            let mut phones: Vec<String> = p.phones.iter().map(|ph| ph.search_digits()).collect();
            phones.dedup();
            for ph in phones {
                add(Index::Phone, ph.as_bytes());
            }
        }
        Body::Provider(p) => {
            for t in search_tokens(&p.name) {
                add(Index::Name, t.as_bytes());
            }
            add(Index::Number, number_key(p.eik.as_str()).as_bytes());
        }
        Body::Service(s) => {
            for t in search_tokens(&s.name) {
                add(Index::Name, t.as_bytes());
            }
            refs(&[Some(s.provider)], &mut add);
        }
        Body::Intake(i) => {
            add(Index::Number, number_key(&i.reg_no).as_bytes());
            refs(&[i.person], &mut add);
        }
        Body::Assessment(a) => refs(&[Some(a.person), a.intake], &mut add),
        Body::Referral(r) => refs(&[Some(r.person), r.assessment, r.service], &mut add),
        Body::DspDecision(DspDecision { person, number, .. }) => {
            add(Index::Number, number_key(number).as_bytes());
            refs(&[Some(*person)], &mut add);
        }
        Body::Application(Application {
            reg_no,
            person,
            assistant,
            substitute,
            ..
        }) => {
            add(Index::Number, number_key(reg_no).as_bytes());
            refs(&[Some(*person), *assistant, *substitute], &mut add);
        }
        Body::Assistant(Assistant { person, .. }) => refs(&[Some(*person)], &mut add),
        Body::Agreement(Agreement {
            number,
            user,
            assistant,
            substitute,
            decision,
            ..
        }) => {
            add(Index::Number, number_key(number).as_bytes());
            refs(
                &[Some(*user), Some(*assistant), *substitute, Some(*decision)],
                &mut add,
            );
        }
        Body::Contract(Contract {
            number,
            assistant,
            agreement,
            ..
        }) => {
            add(Index::Number, number_key(number).as_bytes());
            refs(&[Some(*assistant), *agreement], &mut add);
        }
        Body::Suspension(Suspension { agreement, .. }) => refs(&[Some(*agreement)], &mut add),
        Body::Report(r) => {
            add(
                Index::ReportMonth,
                &report_month_prefix(r.agreement, r.month.year, r.month.month),
            );
            refs(&[Some(r.agreement)], &mut add);
        }
        Body::Clerk(c) => add(Index::Login, c.login.as_bytes()),
        Body::Visit(v) => refs(&[Some(v.service)], &mut add),
        Body::Campaign(_) => {}
    }
    if let Some((class, date)) = due_of(record) {
        out.push((Index::Due, key(&due_prefix(class, date), kind, id)));
    }
    out.sort();
    out.dedup();
    out
}

/// A single query word as the name index stores it.
pub fn name_prefix(word: &str) -> String {
    search_key(word)
}

/// The ids a record points to (its person, agreement, provider...): what a change to it can
/// show up on.
pub fn refs(record: &Record) -> Vec<u64> {
    let mut out: Vec<u64> = entries(record)
        .into_iter()
        .filter(|(index, _)| *index == Index::Ref)
        .filter_map(|(_, k)| {
            let (prefix, _, _) = split(&k)?;
            Some(u64::from_be_bytes(prefix.try_into().ok()?))
        })
        .collect();
    out.dedup();
    out
}
