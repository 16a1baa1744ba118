//! Personal assistance (ЗЛП): the rules of its records that need the database, and its
//! commands: ending an agreement, replacing its assistant (one commit), and the warnings a
//! person's card and the agenda show.

use super::{
    api::Saved,
    commands::{self, invalid, Batch},
    Service, ServiceError,
};
use crate::domain::{
    assistance::*,
    calendar::WorkCalendar,
    clerk::Clerk,
    person::Person,
    reason::{FieldError, Reason},
    record::{Body, Kind, Record},
    settings::Settings,
};
use crate::store::WriteSet;
use chrono::{Datelike, Days, NaiveDate};

/// What the rules of one save read: the service, the settings, today, the record's old
/// version, and what the command wrote before it.
pub(super) struct Prepare<'a> {
    pub svc: &'a Service,
    pub settings: &'a Settings,
    pub today: NaiveDate,
    pub self_id: Option<u64>,
    pub old: Option<&'a Record>,
    pub batch: &'a Batch,
}

impl Prepare<'_> {
    fn load(&self, kind: Kind, id: u64, field: &str) -> Result<Record, ServiceError> {
        self.batch
            .get(self.svc, kind, id)?
            .ok_or_else(|| invalid(field, Reason::Missing { id }))
    }

    fn person(&self, id: u64, field: &str) -> Result<Person, ServiceError> {
        match self.load(Kind::Person, id, field)?.body {
            Body::Person(p) => Ok(p),
            _ => Err(invalid(field, Reason::Missing { id })),
        }
    }

    fn assistant(&self, id: u64, field: &str) -> Result<Assistant, ServiceError> {
        match self.load(Kind::Assistant, id, field)?.body {
            Body::Assistant(a) => Ok(a),
            _ => Err(invalid(field, Reason::Missing { id })),
        }
    }

    fn agreement(&self, id: u64, field: &str) -> Result<Agreement, ServiceError> {
        match self.load(Kind::Agreement, id, field)?.body {
            Body::Agreement(a) => Ok(a),
            _ => Err(invalid(field, Reason::Missing { id })),
        }
    }

    fn decision(&self, id: u64, field: &str) -> Result<DspDecision, ServiceError> {
        match self.load(Kind::DspDecision, id, field)?.body {
            Body::DspDecision(d) => Ok(d),
            _ => Err(invalid(field, Reason::Missing { id })),
        }
    }
}

/// Refuses with every error found, or passes.
fn all(errors: Vec<FieldError>) -> Result<(), ServiceError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Invalid(errors))
    }
}

fn collect(errors: &mut Vec<FieldError>, r: Result<(), Vec<FieldError>>) {
    if let Err(e) = r {
        errors.extend(e);
    }
}

/// The rules of the personal-assistance kinds. `number(counter, prefix)` gives a new record
/// its register number (an update keeps its own).
pub(super) fn prepare(
    cx: &Prepare,
    body: &mut Body,
    mut number: impl FnMut(&str, &str) -> Result<String, ServiceError>,
) -> Result<(), ServiceError> {
    match body {
        Body::DspDecision(d) => decision(cx, d),
        Body::Application(a) => {
            a.reg_no = number("application", "ЗД-")?;
            application(cx, a)
        }
        Body::Assistant(a) => assistant(cx, a),
        Body::Agreement(a) => {
            a.number = number("agreement", "СП-")?;
            agreement(cx, a)
        }
        Body::Contract(c) => contract(cx, c),
        Body::Suspension(s) => suspension(cx, s),
        _ => Ok(()),
    }
}

/// The направление rests on the person's expert decision: its number unless one is typed.
fn decision(cx: &Prepare, d: &mut DspDecision) -> Result<(), ServiceError> {
    let person = cx.person(d.person, "person")?;
    if d.expert_decision.trim().is_empty() {
        if let Some(x) = &person.disability {
            d.expert_decision = x.number.clone();
        }
    }
    d.validate(cx.today).map_err(ServiceError::Invalid)
}

/// The checklist comes from the settings when the application has none; received and
/// incomplete follow its missing items (with the remedy deadline).
fn application(cx: &Prepare, a: &mut Application) -> Result<(), ServiceError> {
    cx.person(a.person, "person")?;
    if let Some(x) = a.assistant {
        cx.person(x, "assistant")?;
    }
    if let Some(x) = a.substitute {
        cx.person(x, "substitute")?;
    }
    a.fill_checklist(&cx.settings.checklist);
    a.follow_checklist(cx.today, cx.settings.remedy_days);
    let mut errors = Vec::new();
    collect(&mut errors, a.validate(cx.today));
    collect(&mut errors, a.check_checklist(&cx.settings.checklist));
    all(errors)
}

/// The assistant records of a person, as this command sees them.
fn assistant_records(cx: &Prepare, person: u64) -> Result<Vec<u64>, ServiceError> {
    Ok(cx
        .batch
        .referring(cx.svc, person, Kind::Assistant)?
        .into_iter()
        .filter(|r| matches!(&r.body, Body::Assistant(x) if x.person == person))
        .map(|r| r.id())
        .collect())
}

/// An assistant is an adult today: the age comes from the birth date (the ЕГН's). One person
/// is one assistant: a second record for them is refused, naming the first.
fn assistant(cx: &Prepare, a: &mut Assistant) -> Result<(), ServiceError> {
    let p = cx.person(a.person, "person")?;
    let mut errors = Vec::new();
    match p.age_on(cx.today) {
        None => errors.push(FieldError::new("person", Reason::AgeUnknown)),
        Some(age) if age < 18 => errors.push(FieldError::new("person", Reason::AssistantNotAdult)),
        Some(_) => {}
    }
    collect(&mut errors, a.validate());
    // Checked once the record itself is right, so the clerk fixes one thing at a time. An
    // older database's second record of a person still takes its own edits (its account),
    // as long as it stays that person's.
    let same_person =
        matches!(cx.old.map(|o| &o.body), Some(Body::Assistant(o)) if o.person == a.person);
    if errors.is_empty() && !same_person {
        if let Some(first) = assistant_records(cx, a.person)?
            .into_iter()
            .find(|id| Some(*id) != cx.self_id)
        {
            errors.push(FieldError::new(
                "person",
                Reason::DuplicateAssistant { id: first },
            ));
        }
    }
    all(errors)
}

/// The suspensions of an agreement as this command sees them.
fn suspensions_of(
    svc: &Service,
    batch: &Batch,
    agreement: u64,
) -> Result<Vec<(Record, Suspension)>, ServiceError> {
    Ok(batch
        .referring(svc, agreement, Kind::Suspension)?
        .into_iter()
        .filter_map(|r| match &r.body {
            Body::Suspension(s) if s.agreement == agreement => {
                let s = s.clone();
                Some((r, s))
            }
            _ => None,
        })
        .collect())
}

/// The agreements in force that point to `id` (a user, an assistant) and pass `keep`, but the
/// one being saved.
fn neighbours(
    cx: &Prepare,
    id: u64,
    keep: impl Fn(&Agreement) -> bool,
) -> Result<Vec<Neighbour>, ServiceError> {
    Ok(cx
        .batch
        .referring(cx.svc, id, Kind::Agreement)?
        .iter()
        .filter(|r| Some(r.id()) != cx.self_id)
        .filter_map(|r| match &r.body {
            Body::Agreement(o) if o.status.in_force() && keep(o) => Some(Neighbour::of(o)),
            _ => None,
        })
        .collect())
}

fn known_end_reason(settings: &Settings, code: &str, field: &str) -> Result<(), ServiceError> {
    if code.trim().is_empty() {
        Err(invalid(field, Reason::Required))
    } else if settings.end_reasons.iter().any(|c| c.code == code) {
        Ok(())
    } else {
        Err(invalid(field, Reason::UnknownCode))
    }
}

/// Draft, then in force (active or suspended, by its suspensions), then ended for good; an
/// ended agreement names its reason from the settings.
fn agreement_status(
    cx: &Prepare,
    old: Option<&Agreement>,
    a: &mut Agreement,
) -> Result<(), ServiceError> {
    use AgreementStatus::*;
    match (old.map(|o| o.status), a.status) {
        (Some(Ended), s) if s != Ended => return Err(invalid("status", Reason::BadTransition)),
        (Some(Active | Suspended), Draft) => return Err(invalid("status", Reason::BadTransition)),
        _ => {}
    }
    if a.status.in_force() {
        let suspensions: Vec<Suspension> = match cx.self_id {
            Some(id) => suspensions_of(cx.svc, cx.batch, id)?
                .into_iter()
                .map(|(_, s)| s)
                .collect(),
            None => Vec::new(),
        };
        a.status = status_by_suspensions(&suspensions);
    }
    if a.status == Ended {
        let code = a.end_reason.clone().unwrap_or_default();
        known_end_reason(cx.settings, &code, "end_reason")?;
    } else {
        a.end_reason = None;
    }
    Ok(())
}

/// A new agreement starts on the 1st, and none is made in the last working days of a month
/// (both by the settings); a replacement's is exempt, as it only continues one.
fn start_rules(cx: &Prepare, a: &Agreement) -> Result<(), ServiceError> {
    if cx.settings.agreements_start_on_first && a.from.day() != 1 {
        return Err(invalid("from", Reason::StartsOnFirst));
    }
    let n = cx.settings.no_new_agreements_last_days;
    if n > 0 {
        let cal = WorkCalendar::new(cx.settings.calendar.clone());
        if cal
            .last_working_days(cx.today.year(), cx.today.month(), n)
            .contains(&cx.today)
        {
            return Err(invalid("from", Reason::NoNewAgreementsNow { days: n }));
        }
    }
    Ok(())
}

fn agreement(cx: &Prepare, a: &mut Agreement) -> Result<(), ServiceError> {
    let old = match cx.old.map(|o| &o.body) {
        Some(Body::Agreement(o)) => Some(o),
        _ => None,
    };
    let user = cx.person(a.user, "user")?;
    let assistant = cx.assistant(a.assistant, "assistant")?;
    let substitute_person = match a.substitute {
        Some(s) => Some(cx.assistant(s, "substitute")?.person),
        None => None,
    };
    cx.load(Kind::Provider, a.provider, "provider")?;
    let decision = cx.decision(a.decision, "decision")?;
    if !user.eligible_for_personal_assistance(a.from) {
        return Err(invalid("user", Reason::NotEligible));
    }
    let assistant_person = cx.person(assistant.person, "assistant")?;
    agreement_status(cx, old, a)?;
    // A changed period still holds its suspensions.
    if let Some(id) = cx.self_id {
        for (_, s) in suspensions_of(cx.svc, cx.batch, id)? {
            if s.from < a.from {
                return Err(invalid("from", Reason::OutsideAgreement));
            }
            if s.from > a.to || s.to.is_some_and(|t| t > a.to) {
                return Err(invalid("to", Reason::OutsideAgreement));
            }
        }
    }
    if old.is_none() && !cx.batch.replacing {
        start_rules(cx, a)?;
    }
    let user_id = a.user;
    let user_agreements = neighbours(cx, user_id, |o| o.user == user_id)?;
    // The assistant's limits count the person's agreements, whichever of their assistant
    // records each names (an older database may hold two for one person).
    let records = assistant_records(cx, assistant.person)?;
    let mut assistant_agreements = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for r in records.iter().copied().chain([a.assistant]) {
        if !seen.insert(r) {
            continue;
        }
        assistant_agreements.extend(neighbours(cx, r, |o| o.assistant == r)?);
    }
    let ctx = AgreementContext {
        decision: &decision,
        user_agreements: &user_agreements,
        assistant_agreements: &assistant_agreements,
        user_person: a.user,
        assistant_person: assistant.person,
        substitute_person,
        assistant_age: assistant_person.age_on(a.from),
        max_minutes_per_day: cx.settings.max_minutes_per_day,
        max_minutes_per_week: cx.settings.max_minutes_per_week,
        today: cx.today,
    };
    check_agreement(a, &ctx).map_err(ServiceError::Invalid)
}

fn contract(cx: &Prepare, c: &mut Contract) -> Result<(), ServiceError> {
    cx.assistant(c.assistant, "assistant")?;
    cx.load(Kind::Provider, c.provider, "provider")?;
    if let Some(id) = c.agreement {
        if cx.agreement(id, "agreement")?.assistant != c.assistant {
            return Err(invalid("agreement", Reason::NotThisAssistant));
        }
    }
    c.validate(cx.settings.max_minutes_per_day)
        .map_err(ServiceError::Invalid)?;
    match &c.end_reason {
        Some(code) => known_end_reason(cx.settings, code, "end_reason"),
        None => Ok(()),
    }
}

/// A suspension of an agreement in force, inside its period, by a reason of the settings,
/// overlapping none of its other suspensions.
fn suspension(cx: &Prepare, s: &mut Suspension) -> Result<(), ServiceError> {
    let a = cx.agreement(s.agreement, "agreement")?;
    if !a.status.in_force() {
        return Err(invalid("agreement", Reason::NotInForce));
    }
    if !cx
        .settings
        .suspension_reasons
        .iter()
        .any(|c| c.code == s.reason)
    {
        return Err(invalid("reason", Reason::UnknownCode));
    }
    s.validate().map_err(ServiceError::Invalid)?;
    if s.from < a.from || s.from > a.to {
        return Err(invalid("from", Reason::OutsideAgreement));
    }
    if s.to.is_some_and(|t| t > a.to) {
        return Err(invalid("to", Reason::OutsideAgreement));
    }
    for (r, other) in suspensions_of(cx.svc, cx.batch, s.agreement)? {
        if Some(r.id()) != cx.self_id && other.overlaps(s) {
            return Err(invalid(
                "from",
                Reason::OverlapsSuspension {
                    from: other.from,
                    to: other.to,
                },
            ));
        }
    }
    // Hours already reported on the suspended days: `follow_change` (after the save) refuses
    // it over an accepted report or a closed month, and sends an open report back.
    Ok(())
}

/// An agreement and its suspensions as this command sees them (None: no such agreement).
pub(super) fn terms_of(
    svc: &Service,
    batch: &Batch,
    agreement: u64,
) -> Result<Option<(Agreement, Vec<Suspension>)>, ServiceError> {
    let Some(Record {
        body: Body::Agreement(a),
        ..
    }) = batch.get(svc, Kind::Agreement, agreement)?
    else {
        return Ok(None);
    };
    let suspensions = suspensions_of(svc, batch, agreement)?
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    Ok(Some((a, suspensions)))
}

/// After a change of an agreement's terms (`before`: as they were, None for a new one): the
/// one check of `domain::agreement_change` against its reports and the closed months. It
/// refuses on `field` (the command writes nothing), or sends the open reports it touches back
/// for correction in the same commit, each kept in `batch` for the answer.
pub(super) fn follow_change(
    svc: &Service,
    ws: &mut WriteSet,
    clerk: &Clerk,
    agreement: u64,
    before: Option<(Agreement, Vec<Suspension>)>,
    field: &str,
    batch: &mut Batch,
) -> Result<(), ServiceError> {
    use crate::domain::agreement_change::{changed_field, check_change, Terms};
    let Some(after) = terms_of(svc, batch, agreement)? else {
        return Ok(());
    };
    let reports: Vec<(u64, crate::domain::report::MonthlyReport)> = batch
        .referring(svc, agreement, Kind::Report)?
        .into_iter()
        .filter_map(|r| match r.body {
            Body::Report(m) if m.agreement == agreement => Some((r.meta.id, m)),
            _ => None,
        })
        .collect();
    if reports.is_empty() && !svc.store.has_closings()? {
        return Ok(());
    }
    let closed: Vec<crate::domain::date::Month> =
        svc.store.closings()?.into_iter().map(|c| c.month).collect();
    let settings = svc.settings()?.settings;
    let cal = WorkCalendar::new(settings.calendar);
    fn terms(t: &(Agreement, Vec<Suspension>)) -> Terms<'_> {
        Terms {
            agreement: &t.0,
            suspensions: &t.1,
        }
    }
    let field = match field {
        "" => changed_field(before.as_ref().map(|b| &b.0), &after.0),
        f => f,
    };
    let corrections = check_change(
        agreement,
        before.as_ref().map(terms),
        terms(&after),
        &reports,
        &closed,
        &cal,
    )
    .map_err(|r| invalid(field, r.0))?;
    for c in &corrections {
        let Some(rec) = batch.get(svc, Kind::Report, c.report)? else {
            continue;
        };
        let Body::Report(mut r) = rec.body.clone() else {
            continue;
        };
        if r.status == crate::domain::report::ReportStatus::Returned {
            continue;
        }
        r.status = crate::domain::report::ReportStatus::Returned;
        r.facts = None;
        let saved = commands::put(svc, ws, clerk, Some(&rec), Body::Report(r), batch)?;
        batch.also(saved);
    }
    batch.corrections.extend(corrections);
    Ok(())
}

/// After a suspension is saved: its agreement is suspended while one of its suspensions is
/// open, active otherwise (written in the same commit, audited as an update).
pub(super) fn follow_suspensions(
    svc: &Service,
    ws: &mut WriteSet,
    clerk: &Clerk,
    agreement: u64,
    batch: &mut Batch,
) -> Result<(), ServiceError> {
    let Some(rec) = batch.get(svc, Kind::Agreement, agreement)? else {
        return Ok(());
    };
    let Body::Agreement(a) = &rec.body else {
        return Ok(());
    };
    if !a.status.in_force() {
        return Ok(());
    }
    let suspensions: Vec<Suspension> = suspensions_of(svc, batch, agreement)?
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    let status = status_by_suspensions(&suspensions);
    if status == a.status {
        return Ok(());
    }
    let next = Agreement {
        status,
        ..a.clone()
    };
    let saved = commands::put(svc, ws, clerk, Some(&rec), Body::Agreement(next), batch)?;
    batch.also(saved);
    Ok(())
}

/// The stored agreement at the clerk's rev, in force.
fn in_force_at(svc: &Service, id: u64, base_rev: u64) -> Result<(Record, Agreement), ServiceError> {
    let rec = svc
        .store
        .get(Kind::Agreement, id)?
        .ok_or(ServiceError::NotFound {
            kind: Kind::Agreement,
            id,
        })?;
    if rec.meta.rev != base_rev {
        return Err(ServiceError::Conflict {
            current: Box::new(rec),
        });
    }
    let Body::Agreement(a) = rec.body.clone() else {
        return Err(ServiceError::NotFound {
            kind: Kind::Agreement,
            id,
        });
    };
    if !a.status.in_force() {
        return Err(invalid("status", Reason::NotInForce));
    }
    Ok((rec, a))
}

/// Ends the agreement with `last` as its last day: its suspensions that run on past it end
/// then too; one that starts later refuses the ending.
#[allow(clippy::too_many_arguments)]
fn end_at(
    svc: &Service,
    ws: &mut WriteSet,
    clerk: &Clerk,
    rec: &Record,
    mut a: Agreement,
    last: NaiveDate,
    reason: String,
    field: &str,
    batch: &mut Batch,
) -> Result<Record, ServiceError> {
    let before = terms_of(svc, batch, rec.id())?;
    for (s_rec, s) in suspensions_of(svc, batch, rec.id())? {
        if s.from > last {
            return Err(invalid(
                "date",
                Reason::OverlapsSuspension {
                    from: s.from,
                    to: s.to,
                },
            ));
        }
        if s.to.is_none_or(|t| t > last) {
            let clipped = Suspension {
                to: Some(last),
                ..s
            };
            let saved = commands::put(
                svc,
                ws,
                clerk,
                Some(&s_rec),
                Body::Suspension(clipped),
                batch,
            )?;
            batch.also(saved);
        }
    }
    a.to = last;
    a.status = AgreementStatus::Ended;
    a.end_reason = Some(reason);
    let ended = commands::put(svc, ws, clerk, Some(rec), Body::Agreement(a), batch)?;
    follow_change(svc, ws, clerk, rec.id(), before, field, batch)?;
    Ok(ended)
}

/// `Request::EndAgreement`: the agreement ends on `date` (its last day) for a reason of the
/// settings' ending reasons.
pub fn end_agreement(
    svc: &Service,
    clerk: &Clerk,
    id: u64,
    base_rev: u64,
    date: NaiveDate,
    reason: String,
) -> Result<Saved, ServiceError> {
    svc.write(&clerk.login, |ws| {
        let mut batch = Batch::default();
        let (rec, a) = in_force_at(svc, id, base_rev)?;
        let settings = svc.settings()?.settings;
        known_end_reason(&settings, &reason, "reason")?;
        if date < a.from {
            return Err(invalid("date", Reason::EndBeforeStart));
        }
        if date > a.to {
            return Err(invalid("date", Reason::OutsideAgreement));
        }
        let ended = end_at(svc, ws, clerk, &rec, a, date, reason, "date", &mut batch)?;
        Ok((batch.saved(ended.clone()), batch.announced(ended)))
    })
}

/// `Request::ReplaceAssistant`: in one commit the agreement ends the day before `from` and
/// the next one, for the same user, provider, направление, hours, schedule and activities,
/// starts on `from` with the new assistant, as a draft to sign. The old one must not be
/// suspended on or after `from`.
#[allow(clippy::too_many_arguments)]
pub fn replace_assistant(
    svc: &Service,
    clerk: &Clerk,
    id: u64,
    base_rev: u64,
    from: NaiveDate,
    assistant: u64,
    substitute: Option<u64>,
    reason: String,
) -> Result<Saved, ServiceError> {
    svc.write(&clerk.login, |ws| {
        let mut batch = Batch::replacing();
        let (rec, a) = in_force_at(svc, id, base_rev)?;
        let settings = svc.settings()?.settings;
        known_end_reason(&settings, &reason, "reason")?;
        if assistant == a.assistant {
            return Err(invalid("assistant", Reason::SameAssistant));
        }
        let last = from.checked_sub_days(Days::new(1));
        let Some(last) = last.filter(|l| a.from <= *l && from <= a.to) else {
            return Err(invalid("from", Reason::OutsideAgreement));
        };
        for (_, s) in suspensions_of(svc, &batch, id)? {
            if s.to.is_none_or(|t| t >= from) {
                return Err(invalid(
                    "from",
                    Reason::OverlapsSuspension {
                        from: s.from,
                        to: s.to,
                    },
                ));
            }
        }
        let next = Agreement {
            number: String::new(),
            assistant,
            substitute,
            from,
            signed: None,
            status: AgreementStatus::Draft,
            end_reason: None,
            ..a.clone()
        };
        let ended = end_at(svc, ws, clerk, &rec, a, last, reason, "from", &mut batch)?;
        batch.also(ended);
        let made = commands::save_into(svc, ws, clerk, None, Body::Agreement(next), &mut batch)?;
        Ok((batch.saved(made.clone()), batch.announced(made)))
    })
}

/// The first day from which an agreement in force (or starting by `until`) has no
/// employment contract of its assistant with its provider in force: None when it has one.
pub(super) fn no_contract(
    svc: &Service,
    a: &Agreement,
    today: NaiveDate,
    until: NaiveDate,
) -> Result<Option<NaiveDate>, ServiceError> {
    if !a.status.in_force() || a.to < today || a.from > until {
        return Ok(None);
    }
    let day = a.from.max(today);
    let contracts: Vec<Contract> = svc
        .referring(a.assistant, Some(Kind::Contract))?
        .into_iter()
        .filter_map(|r| match r.body {
            Body::Contract(c) if c.assistant == a.assistant && c.provider == a.provider => Some(c),
            _ => None,
        })
        .collect();
    if contracts.iter().any(|c| c.in_force(day)) {
        return Ok(None);
    }
    let since = contracts
        .iter()
        .filter_map(|c| c.end)
        .filter(|e| *e < day)
        .max()
        .and_then(|e| e.succ_opt())
        .map_or(a.from, |d| d.max(a.from));
    Ok(Some(since))
}

/// `Request::AssistanceWarnings`: the warnings about the agreements of a person, as the user
/// or as an assistant.
pub fn warnings(svc: &Service, person: u64) -> Result<Vec<AssistanceWarning>, ServiceError> {
    let settings = svc.settings()?.settings;
    let today = svc.now().date();
    let until = today
        .checked_add_days(Days::new(settings.agenda_days.into()))
        .unwrap_or(today);
    let mut agreements: Vec<Record> = svc
        .referring(person, Some(Kind::Agreement))?
        .into_iter()
        .filter(|r| matches!(&r.body, Body::Agreement(a) if a.user == person))
        .collect();
    for r in svc.referring(person, Some(Kind::Assistant))? {
        if matches!(&r.body, Body::Assistant(x) if x.person == person) {
            agreements.extend(
                svc.referring(r.id(), Some(Kind::Agreement))?
                    .into_iter()
                    .filter(|a| matches!(&a.body, Body::Agreement(a) if a.assistant == r.id())),
            );
        }
    }
    agreements.sort_by_key(Record::id);
    agreements.dedup_by_key(|r| r.id());
    let mut out = Vec::new();
    for r in &agreements {
        let Body::Agreement(a) = &r.body else {
            continue;
        };
        if let Some(since) = no_contract(svc, a, today, until)? {
            out.push(AssistanceWarning::NoContract {
                agreement: r.id(),
                number: a.number.clone(),
                assistant: a.assistant,
                since,
            });
        }
    }
    Ok(out)
}
