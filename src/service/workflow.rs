//! The daily work: referral warnings and the agenda (the steps are saves: `commands::step`).

use super::{Service, ServiceError};
use crate::domain::{
    agenda::{agenda as domain_agenda, Agenda, AgendaInput, Names},
    assistance::ApplicationStatus,
    date::Month,
    monthly::in_force,
    record::{Body, Kind, Record},
    referral::{Referral, ReferralWarning},
    register::{Access, RegisterRow, ServiceType},
};
use crate::store::index::{self, due_prefix, DueClass, Index};
use chrono::Days;

/// The warnings a referral would get if saved now (`self_id`: the referral itself, which does
/// not count against its own service's places).
///
/// Double funding is checked for assistant support only: it is the ЗСУ service that covers the
/// needs personal assistance (ЗЛП) covers (self-care, moving, household tasks); day care or
/// therapy for a person with personal assistance is not the same needs.
pub fn warnings(
    svc: &Service,
    r: &Referral,
    self_id: Option<u64>,
) -> Result<Vec<ReferralWarning>, ServiceError> {
    let mut out = Vec::new();
    if !r.status.is_open() {
        // A closed referral holds no place and funds nothing: its warnings no longer apply.
        return Ok(out);
    }
    if r.service_type == ServiceType::AssistantSupport && has_personal_assistance(svc, r.person)? {
        out.push(ReferralWarning::DoubleFunding);
    }
    if let Some(id) = r.service {
        if let Some(Record {
            body: Body::Service(service),
            ..
        }) = svc.store.get(Kind::Service, id)?
        {
            // A capacity of 0 means no places were entered: nothing to count against.
            if service.capacity > 0 {
                let occupied = occupancy(svc, id, self_id)?;
                if occupied >= service.capacity {
                    out.push(ReferralWarning::ServiceFull {
                        occupied,
                        capacity: service.capacity,
                    });
                }
            }
            if service.access == Access::OpenToAll {
                out.push(ReferralWarning::OpenToAll);
            }
            if !service.valid_on(svc.now().date()) {
                out.push(ReferralWarning::NotInRegister);
            }
        }
    }
    Ok(out)
}

/// Active referrals to a service, leaving out `except` (a referral being saved).
fn occupancy(svc: &Service, service: u64, except: Option<u64>) -> Result<u32, ServiceError> {
    let mut occupied = 0u32;
    for other in svc.referring(service, Some(Kind::Referral))? {
        if let Body::Referral(o) = &other.body {
            if Some(other.meta.id) != except && o.service == Some(service) && o.status.is_active() {
                occupied += 1;
            }
        }
    }
    Ok(occupied)
}

/// A service's line in the register (`Request::Register`, `report register`).
pub fn register_row(svc: &Service, rec: Record) -> Result<RegisterRow, ServiceError> {
    let id = rec.id();
    let Body::Service(service) = rec.body else {
        return Err(ServiceError::NotFound {
            kind: Kind::Service,
            id,
        });
    };
    let provider_name = match svc.store.get(Kind::Provider, service.provider)? {
        Some(Record {
            body: Body::Provider(p),
            ..
        }) => p.name,
        _ => String::new(),
    };
    Ok(RegisterRow {
        id,
        occupied: occupancy(svc, id, None)?,
        in_register: service.valid_on(svc.now().date()),
        service,
        provider_name,
    })
}

/// Whether the person has an agreement for personal assistance that is not ended, or an
/// application for it that is not refused or withdrawn.
fn has_personal_assistance(svc: &Service, person: u64) -> Result<bool, ServiceError> {
    for rec in svc.referring(person, None)? {
        match &rec.body {
            Body::Agreement(a) if a.user == person && a.status.holds_hours() => return Ok(true),
            Body::Application(a)
                if a.person == person
                    && !matches!(
                        a.status,
                        ApplicationStatus::Refused | ApplicationStatus::Withdrawn
                    ) =>
            {
                return Ok(true)
            }
            _ => {}
        }
    }
    Ok(false)
}

/// At most this many agenda items are answered; `Agenda::more` counts the rest.
pub const AGENDA_CAP: usize = 2000;
/// At most this many records are read for one agenda (the rest count in `more`).
const AGENDA_READ_LIMIT: usize = 20_000;

/// The agenda (`Request::Agenda`): the due-date index read from the oldest open work and from
/// the start of the expiry window up to the furthest horizon, the records it names, last
/// month's agreements and their reports; the rules are `domain::agenda`'s.
pub fn agenda(svc: &Service, days: u32, clerk: Option<String>) -> Result<Agenda, ServiceError> {
    let settings = svc.settings()?.settings;
    let today = svc.now().date();
    let days = days.min(366);
    let plus = |n: u32| {
        today
            .checked_add_days(Days::new(u64::from(n) + 1))
            .unwrap_or(today)
    };
    let minus = |n: u32| today.checked_sub_days(Days::new(n.into())).unwrap_or(today);
    let alert = settings
        .decision_alert_days
        .max(settings.agreement_alert_days);
    let ranges = [
        (
            vec![DueClass::Work as u8],
            due_prefix(DueClass::Work, plus(days)),
        ),
        (
            due_prefix(DueClass::Expiry, minus(alert)),
            due_prefix(DueClass::Expiry, plus(alert)),
        ),
    ];
    let mut records = Vec::new();
    let mut unread = 0usize;
    for (from, to) in &ranges {
        for hit in svc.store.index_range(Index::Due, from, to) {
            let (_, kind, id) = hit?;
            if records.len() >= AGENDA_READ_LIMIT {
                unread += 1;
                continue;
            }
            let Some(rec) = svc.store.get(kind, id)? else {
                continue;
            };
            if superseded_visit(svc, &rec)? {
                continue;
            }
            records.push(rec);
        }
    }
    let last = Month::of(today).prev();
    let mut last_month = Vec::new();
    let mut no_contract = Vec::new();
    let horizon = today
        .checked_add_days(Days::new(days.into()))
        .unwrap_or(today);
    for rec in svc.store.scan(Kind::Agreement, None) {
        let rec = rec?;
        let Body::Agreement(a) = &rec.body else {
            continue;
        };
        if let Some(since) = super::assistance::no_contract(svc, a, today, horizon)? {
            no_contract.push((rec.clone(), since));
        }
        if !in_force(a, last) {
            continue;
        }
        let prefix = index::report_month_prefix(rec.id(), last.year, last.month);
        let reported = svc
            .store
            .index_scan(Index::ReportMonth, &index::exact(&prefix))
            .next()
            .transpose()?
            .is_some();
        last_month.push((rec, reported));
    }
    let names = names_for(svc, &records, &last_month, &no_contract)?;
    let mut agenda = domain_agenda(&AgendaInput {
        today,
        days,
        clerk: clerk.as_deref(),
        settings: &settings,
        records: &records,
        last_month: &last_month,
        last_month_closed: svc.store.closing(last)?.is_some(),
        names: &names,
        no_contract: &no_contract,
        cap: AGENDA_CAP,
    });
    agenda.more = agenda
        .more
        .saturating_add(u32::try_from(unread).unwrap_or(u32::MAX));
    Ok(agenda)
}

/// A visit whose follow-up was made: a later visit to the same service is recorded.
fn superseded_visit(svc: &Service, rec: &Record) -> Result<bool, ServiceError> {
    let Body::Visit(v) = &rec.body else {
        return Ok(false);
    };
    for other in svc.referring(v.service, Some(Kind::Visit))? {
        if let Body::Visit(o) = &other.body {
            if o.service == v.service && (o.date, other.id()) > (v.date, rec.id()) {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// The names the agenda's lines show: persons, assistants' persons, services.
fn names_for(
    svc: &Service,
    records: &[Record],
    last_month: &[(Record, bool)],
    no_contract: &[(Record, chrono::NaiveDate)],
) -> Result<Names, ServiceError> {
    let mut names = Names::default();
    let mut persons = Vec::new();
    let agreements = last_month
        .iter()
        .map(|(r, _)| r)
        .chain(no_contract.iter().map(|(r, _)| r));
    for r in records.iter().chain(agreements) {
        match &r.body {
            Body::Person(p) => {
                names.persons.insert(r.id(), p.full_name());
            }
            Body::Intake(i) => persons.extend(i.person),
            Body::Referral(x) => {
                persons.push(x.person);
                if let Some(id) = x.service {
                    if let std::collections::hash_map::Entry::Vacant(e) = names.services.entry(id) {
                        if let Some(Record {
                            body: Body::Service(s),
                            ..
                        }) = svc.store.get(Kind::Service, id)?
                        {
                            e.insert(s.name);
                        }
                    }
                }
            }
            Body::Visit(v) => {
                if let std::collections::hash_map::Entry::Vacant(e) =
                    names.services.entry(v.service)
                {
                    if let Some(Record {
                        body: Body::Service(s),
                        ..
                    }) = svc.store.get(Kind::Service, v.service)?
                    {
                        e.insert(s.name);
                    }
                }
            }
            Body::Application(a) => persons.push(a.person),
            Body::DspDecision(d) => persons.push(d.person),
            Body::Agreement(a) => persons.push(a.user),
            Body::Contract(c) => {
                if let Some(Record {
                    body: Body::Assistant(a),
                    ..
                }) = svc.store.get(Kind::Assistant, c.assistant)?
                {
                    names.assistants.insert(c.assistant, a.person);
                    persons.push(a.person);
                }
            }
            _ => {}
        }
    }
    for p in persons {
        if names.persons.contains_key(&p) {
            continue;
        }
        if let Some(Record {
            body: Body::Person(person),
            ..
        }) = svc.store.get(Kind::Person, p)?
        {
            names.persons.insert(p, person.full_name());
        }
    }
    Ok(names)
}
