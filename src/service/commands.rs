//! Commands: each runs under the writer lock, reads what its rules need, validates with the
//! domain's rules, and commits its record, index entries and audit entry in one transaction.

use super::{
    api::{RequestId, Saved},
    audit::changes,
    privacy, retries, Service, ServiceError,
};
use crate::domain::{
    audit::AuditAction,
    clerk::{Clerk, Role},
    draft::{Draft, MAX_DRAFT_BYTES},
    person::PersonalId,
    reason::{FieldError, Reason},
    record::{Body, Kind, Meta, Record},
    referral::{Referral, ReferralStatus, StatusChange},
    settings::Settings,
};
use crate::store::{index, index::Index, schema::VersionedSettings, Store, WriteSet};
use chrono::{Datelike, NaiveDate};

pub(super) fn invalid(field: &str, reason: Reason) -> ServiceError {
    ServiceError::Invalid(vec![FieldError::new(field, reason)])
}

/// Loads a record the command refers to, or refuses with the field that names it.
fn load(svc: &Service, kind: Kind, id: u64, field: &str) -> Result<Record, ServiceError> {
    svc.store
        .get(kind, id)?
        .ok_or_else(|| invalid(field, Reason::Missing { id }))
}

fn person_of(
    svc: &Service,
    id: u64,
    field: &str,
) -> Result<crate::domain::person::Person, ServiceError> {
    match load(svc, Kind::Person, id, field)?.body {
        Body::Person(p) => Ok(p),
        _ => Err(invalid(field, Reason::Missing { id })),
    }
}

/// The next number of a yearly register: "{prefix}{year}-{seq}".
fn next_number(
    svc: &Service,
    ws: &mut WriteSet,
    counter: &str,
    prefix: &str,
    year: i32,
    width: usize,
) -> Result<String, ServiceError> {
    let n = svc
        .store
        .next_counter(ws, &format!("seq/{counter}/{year}"))?;
    Ok(format!("{prefix}{year}-{n:0width$}"))
}

/// Creates (`target` None) or updates (`target` = (id, base rev)) a record.
pub fn save(
    svc: &Service,
    clerk: &Clerk,
    target: Option<(u64, u64)>,
    body: Body,
) -> Result<Record, ServiceError> {
    save_saved(svc, clerk, target, body).map(|s| s.record)
}

/// `save`, with the reports the change sent back for correction.
pub fn save_saved(
    svc: &Service,
    clerk: &Clerk,
    target: Option<(u64, u64)>,
    body: Body,
) -> Result<Saved, ServiceError> {
    svc.write(&clerk.login, |ws| {
        let mut batch = Batch::default();
        let record = save_into(svc, ws, clerk, target, body, &mut batch)?;
        // The clerk's draft of this form is done with in the same commit.
        drop_saved_draft(svc, ws, clerk, target.map(|(id, _)| id), record.kind())?;
        Ok((batch.saved(record.clone()), batch.announced(record)))
    })
}

/// Creates a record once per client request id: sent again after a lost answer with the same
/// content, the request gets the record the first one made (as it is now); with other content,
/// `AlreadyCreated` names that record, so the form saves its corrections onto it.
pub fn create(
    svc: &Service,
    clerk: &Clerk,
    request: RequestId,
    body: Body,
) -> Result<Saved, ServiceError> {
    let kind = body.kind();
    let sent = retries::content(std::slice::from_ref(&body));
    svc.write(&clerk.login, |ws| {
        if let Some(first) = retries::recall(svc, &clerk.login, request, &sent)? {
            let id = first.ids.first().copied().unwrap_or(0);
            let record = svc
                .store
                .get(kind, id)?
                .ok_or(ServiceError::NotFound { kind, id })?;
            if !first.same {
                return Err(ServiceError::AlreadyCreated {
                    kind,
                    id,
                    rev: record.meta.rev,
                });
            }
            return Ok((
                Saved {
                    record,
                    returned: Vec::new(),
                },
                Vec::new(),
            ));
        }
        let mut batch = Batch::default();
        let record = save_into(svc, ws, clerk, None, body, &mut batch)?;
        retries::remember(ws, &clerk.login, request, &sent, svc.now(), &[record.id()]);
        drop_saved_draft(svc, ws, clerk, None, kind)?;
        Ok((batch.saved(record.clone()), batch.announced(record)))
    })
}

/// What one command has written so far: the records of a batch must not repeat an
/// identifier among themselves, and a later step reads what an earlier one wrote.
#[derive(Default)]
pub(super) struct Batch {
    idents: std::collections::HashMap<String, u64>,
    /// Every record this command wrote, as written (the store still holds the older versions
    /// until the commit).
    written: std::collections::HashMap<(Kind, u64), Record>,
    /// Records written besides the ones the command answers with (an agreement whose status a
    /// suspension changed): announced with them.
    also: Vec<Record>,
    /// The new agreement of a replacement: exempt from the start-of-month rules.
    pub replacing: bool,
    /// Monthly reports a change of their agreement sent back for correction (the answer says
    /// which).
    pub corrections: Vec<crate::domain::agreement_change::Correction>,
}

impl Batch {
    /// The batch of a replacement (`assistance::replace_assistant`).
    pub fn replacing() -> Batch {
        Batch {
            replacing: true,
            ..Batch::default()
        }
    }

    /// A record as this command sees it: its own write, else the store's.
    pub fn get(&self, svc: &Service, kind: Kind, id: u64) -> Result<Option<Record>, ServiceError> {
        match self.written.get(&(kind, id)) {
            Some(r) => Ok(Some(r.clone())),
            None => Ok(svc.store.get(kind, id)?),
        }
    }

    /// Records of `kind` that point to `id`, as this command sees them.
    pub fn referring(
        &self,
        svc: &Service,
        id: u64,
        kind: Kind,
    ) -> Result<Vec<Record>, ServiceError> {
        let mut out: Vec<Record> = svc
            .referring(id, Some(kind))?
            .into_iter()
            .filter(|r| !self.written.contains_key(&(kind, r.id())))
            .collect();
        out.extend(
            self.written
                .values()
                .filter(|r| r.kind() == kind && index::refs(r).contains(&id))
                .cloned(),
        );
        out.sort_by_key(Record::id);
        Ok(out)
    }

    /// Keeps a record written besides the answer, to announce it.
    pub fn also(&mut self, record: Record) {
        self.also.push(record);
    }

    /// The answer: the record, and the reports sent back for correction.
    pub fn saved(&mut self, record: Record) -> Saved {
        Saved {
            record,
            returned: std::mem::take(&mut self.corrections),
        }
    }

    /// What the command announces: its records, then those written besides them.
    pub fn announced(&mut self, first: Record) -> Vec<Record> {
        let mut out = vec![first];
        out.append(&mut self.also);
        out
    }
}

/// Creates every record or none, with one commit (and one fsync) for all.
pub fn save_many(
    svc: &Service,
    clerk: &Clerk,
    request: RequestId,
    bodies: Vec<Body>,
) -> Result<Vec<u64>, ServiceError> {
    let sent = retries::content(&bodies);
    svc.write(&clerk.login, |ws| {
        if let Some(first) = retries::recall(svc, &clerk.login, request, &sent)? {
            if !first.same {
                // A batch has no form to correct: a different batch under a used id is a
                // client's mistake.
                return Err(ServiceError::BadRequest(
                    "this request id was used for another batch".into(),
                ));
            }
            return Ok((first.ids, Vec::new()));
        }
        let mut batch = Batch::default();
        let mut out = Vec::with_capacity(bodies.len());
        for body in bodies {
            if matches!(body.kind(), Kind::Agreement | Kind::Report | Kind::Clerk) {
                // Their rules read neighbours that earlier items of the batch may have changed.
                return Err(ServiceError::BadRequest(format!(
                    "{} cannot be created in a batch",
                    body.kind().tree()
                )));
            }
            out.push(save_into(svc, ws, clerk, None, body, &mut batch)?);
        }
        let ids: Vec<u64> = out.iter().map(Record::id).collect();
        retries::remember(ws, &clerk.login, request, &sent, svc.now(), &ids);
        out.append(&mut batch.also);
        Ok((ids, out))
    })
}

/// A person's record was read: logged once per clerk and person within a short window.
pub fn log_read(svc: &Service, clerk: &Clerk, person: u64) -> Result<(), ServiceError> {
    if !svc.reads.needs_entry(&clerk.login, person, svc.now()) {
        return Ok(());
    }
    let logged = svc.write(&clerk.login, |ws| {
        svc.append_audit(
            ws,
            &clerk.login,
            AuditAction::ReadCard,
            Some(Kind::Person),
            Some(person),
            Vec::new(),
        )?;
        Ok(((), Vec::new()))
    });
    if logged.is_err() {
        svc.reads.forget(&clerk.login, person);
    }
    unlogged_read_allowed(logged, &clerk.login, "person", person)
}

/// With the disk refusing writes, reads go on (a clerk on the phone must still find people):
/// the read that the audit log could not take goes to the service's log instead.
fn unlogged_read_allowed(
    logged: Result<(), ServiceError>,
    login: &str,
    what: &str,
    id: u64,
) -> Result<(), ServiceError> {
    match logged {
        Err(ServiceError::ReadOnly) => {
            tracing::warn!(
                "read by {login} of {what} {id} not in the audit log: saves are stopped"
            );
            Ok(())
        }
        other => other,
    }
}

/// A page of persons was listed (masked, but with their health data): who, from where, how many.
pub fn log_list(
    svc: &Service,
    clerk: &Clerk,
    after: Option<u64>,
    count: usize,
) -> Result<(), ServiceError> {
    let field = |field: &str, new: String| crate::domain::audit::FieldChange {
        field: field.into(),
        old: String::new(),
        new,
    };
    let changes = vec![
        field("after", after.map(|a| a.to_string()).unwrap_or_default()),
        field("records", count.to_string()),
    ];
    let logged = svc.write(&clerk.login, |ws| {
        svc.append_audit(
            ws,
            &clerk.login,
            AuditAction::ReadList,
            Some(Kind::Person),
            None,
            changes,
        )?;
        Ok(((), Vec::new()))
    });
    unlogged_read_allowed(
        logged,
        &clerk.login,
        "a page of persons after",
        after.unwrap_or(0),
    )
}

/// Whether a draft is older than the settings keep drafts.
pub fn draft_expired(d: &Draft, settings: &Settings, now: chrono::NaiveDateTime) -> bool {
    now.signed_duration_since(d.saved).num_days() >= i64::from(settings.draft_days)
}

fn drop_saved_draft(
    svc: &Service,
    ws: &mut WriteSet,
    clerk: &Clerk,
    id: Option<u64>,
    kind: Kind,
) -> Result<(), ServiceError> {
    let key = Draft::key_for(kind, id);
    if svc.store.has_draft(&clerk.login, &key)? {
        Store::remove_draft(ws, &clerk.login, &key);
    }
    Ok(())
}

pub fn save_draft(svc: &Service, clerk: &Clerk, mut draft: Draft) -> Result<(), ServiceError> {
    // Expiry counts from the service's clock, whatever time the client claims.
    draft.saved = svc.now();
    if draft.size() > MAX_DRAFT_BYTES || draft.key.is_empty() || draft.key.contains('\0') {
        return Err(ServiceError::BadRequest(format!(
            "a draft of {} bytes",
            draft.size()
        )));
    }
    svc.write(&clerk.login, |ws| {
        // At most `drafts_per_clerk`: the expired go first, then the oldest, so the form being
        // typed now is always kept.
        let settings = svc.settings()?.settings;
        let now = svc.now();
        let mut others: Vec<Draft> = svc
            .store
            .drafts(&clerk.login)?
            .into_iter()
            .filter(|d| d.key != draft.key)
            .collect();
        others.sort_by_key(|d| d.saved);
        let keep = (settings.drafts_per_clerk.max(1) - 1) as usize;
        let excess = others.len().saturating_sub(keep);
        for (i, d) in others.iter().enumerate() {
            if i < excess || draft_expired(d, &settings, now) {
                Store::remove_draft(ws, &clerk.login, &d.key);
            }
        }
        Store::put_draft(ws, &clerk.login, &draft)?;
        Ok(((), Vec::new()))
    })
}

pub fn drop_draft(svc: &Service, clerk: &Clerk, key: &str) -> Result<(), ServiceError> {
    svc.write(&clerk.login, |ws| {
        Store::remove_draft(ws, &clerk.login, key);
        Ok(((), Vec::new()))
    })
}

pub(super) fn save_into(
    svc: &Service,
    ws: &mut WriteSet,
    clerk: &Clerk,
    target: Option<(u64, u64)>,
    mut body: Body,
    batch: &mut Batch,
) -> Result<Record, ServiceError> {
    let kind = body.kind();
    let now = svc.now();
    let old = match target {
        Some((id, base_rev)) => {
            let old = batch
                .get(svc, kind, id)?
                .ok_or(ServiceError::NotFound { kind, id })?;
            if old.meta.rev != base_rev {
                return Err(ServiceError::Conflict {
                    current: Box::new(old),
                });
            }
            Some(old)
        }
        None => None,
    };
    let settings = svc.settings()?.settings;
    let self_id = old.as_ref().map(|o| o.meta.id);
    // The terms of the agreement this save changes, as they were: checked against its
    // reports and closed months once the save is written.
    let changes_terms = match (&body, old.as_ref().map(|o| &o.body)) {
        (Body::Agreement(_), _) => self_id.map(|id| (id, "")),
        (Body::Suspension(s), _) => Some((s.agreement, "from")),
        _ => None,
    };
    let before = match changes_terms {
        Some((id, _)) => super::assistance::terms_of(svc, batch, id)?,
        None => None,
    };
    // A suspension moved to another agreement changes that one's terms too.
    let moved_from = match (&body, old.as_ref().map(|o| &o.body)) {
        (Body::Suspension(s), Some(Body::Suspension(o))) if o.agreement != s.agreement => Some((
            o.agreement,
            super::assistance::terms_of(svc, batch, o.agreement)?,
        )),
        _ => None,
    };
    prepare(
        svc,
        ws,
        clerk,
        &settings,
        now.date(),
        self_id,
        old.as_ref(),
        &mut body,
        batch,
    )?;
    if let Body::Person(p) = &body {
        if let Some(ident) = p.ident.as_str() {
            if let Some(&id) = batch.idents.get(ident) {
                return Err(invalid("ident", Reason::DuplicateEgn { id }));
            }
        }
    }
    let record = put(svc, ws, clerk, old.as_ref(), body, batch)?;
    if let Body::Person(p) = &record.body {
        if let Some(ident) = p.ident.as_str() {
            batch.idents.insert(ident.to_string(), record.meta.id);
        }
    }
    if let Body::Suspension(s) = &record.body {
        // The agreement's status follows its suspensions (the old one's too, if it moved).
        let before = match old.as_ref().map(|o| &o.body) {
            Some(Body::Suspension(o)) if o.agreement != s.agreement => Some(o.agreement),
            _ => None,
        };
        for agreement in std::iter::once(s.agreement).chain(before) {
            super::assistance::follow_suspensions(svc, ws, clerk, agreement, batch)?;
        }
    }
    let agreement = match &record.body {
        Body::Agreement(_) => Some((record.meta.id, "")),
        Body::Suspension(s) => Some((s.agreement, "from")),
        _ => None,
    };
    if let Some((id, field)) = agreement {
        let before = if changes_terms.is_some_and(|(c, _)| c == id) {
            before
        } else {
            None
        };
        super::assistance::follow_change(svc, ws, clerk, id, before, field, batch)?;
    }
    if let Some((id, before)) = moved_from {
        super::assistance::follow_change(svc, ws, clerk, id, before, "agreement", batch)?;
    }
    Ok(record)
}

/// Writes one record (a new one when `old` is None) with its index entries and its audit
/// entry: what every save ends with, once its rules have passed.
pub(super) fn put(
    svc: &Service,
    ws: &mut WriteSet,
    clerk: &Clerk,
    old: Option<&Record>,
    body: Body,
    batch: &mut Batch,
) -> Result<Record, ServiceError> {
    let kind = body.kind();
    let now = svc.now();
    let meta = match old {
        Some(o) => Meta {
            id: o.meta.id,
            rev: o.meta.rev + 1,
            created: o.meta.created,
            updated: now,
            by: clerk.login.clone(),
        },
        None => Meta {
            id: svc.store.new_id()?,
            rev: 1,
            created: now,
            updated: now,
            by: clerk.login.clone(),
        },
    };
    let record = Record { meta, body };
    ws.put_record(old, &record)?;
    let action = match (kind, old.is_some()) {
        (Kind::Clerk, false) => AuditAction::ClerkAdd,
        (Kind::Clerk, true) => AuditAction::ClerkChange,
        (_, false) => AuditAction::Create,
        (_, true) => AuditAction::Update,
    };
    let mut diff = changes(old.map(|o| &o.body), &record.body);
    // The audit log tells identifiers apart without holding them.
    privacy::redact_changes(
        svc.ident_key(),
        &mut diff,
        old.map(|o| &o.body),
        &record.body,
    );
    svc.append_audit(
        ws,
        &clerk.login,
        action,
        Some(kind),
        Some(record.meta.id),
        diff,
    )?;
    batch.written.insert((kind, record.meta.id), record.clone());
    Ok(record)
}

/// A login that names a clerk account (who went on a visit, who ran a campaign).
fn known_clerk(svc: &Service, login: &str, field: &str) -> Result<(), ServiceError> {
    let found = svc
        .store
        .index_scan(Index::Login, &index::exact(login.as_bytes()))
        .next()
        .transpose()?;
    match found {
        Some(_) => Ok(()),
        None => Err(invalid(field, Reason::UnknownClerk)),
    }
}

/// Per-kind rules that need the database: references, numbering, uniqueness, caps.
#[allow(clippy::too_many_arguments)]
fn prepare(
    svc: &Service,
    ws: &mut WriteSet,
    clerk: &Clerk,
    settings: &Settings,
    today: NaiveDate,
    self_id: Option<u64>,
    old: Option<&Record>,
    body: &mut Body,
    batch: &Batch,
) -> Result<(), ServiceError> {
    svc.fault.hit(body);
    let year = today.year();
    let keep_number = |old: Option<&Record>| -> Option<String> {
        old.and_then(|o| match &o.body {
            Body::Intake(i) => Some(i.reg_no.clone()),
            Body::Application(a) => Some(a.reg_no.clone()),
            Body::Agreement(a) => Some(a.number.clone()),
            _ => None,
        })
    };
    match body {
        Body::Person(p) => {
            // A masked number sent back unchanged keeps the stored one.
            if let (PersonalId::Masked(_), Some(Body::Person(o))) = (&p.ident, old.map(|o| &o.body))
            {
                if o.ident.to_masked() == p.ident {
                    p.ident = o.ident.clone();
                }
            }
            if matches!(p.ident, PersonalId::Masked(_)) {
                return Err(invalid("ident", Reason::MaskedIdent));
            }
            p.derive_from_id();
            p.validate(today, &settings.settlement_codes())
                .map_err(ServiceError::Invalid)?;
            if let Some(ident) = p.ident.as_str() {
                for hit in svc
                    .store
                    .index_scan(Index::Ident, &index::exact(ident.as_bytes()))
                {
                    let (_, id) = hit?;
                    if Some(id) != self_id {
                        return Err(invalid("ident", Reason::DuplicateEgn { id }));
                    }
                }
            }
        }
        Body::Intake(i) => {
            i.reg_no = match keep_number(old) {
                Some(n) => n,
                None => next_number(svc, ws, "intake", "", year, 6)?,
            };
            if i.clerk.is_empty() {
                i.clerk = clerk.login.clone();
            }
            if let Some(p) = i.person {
                person_of(svc, p, "person")?;
            }
            i.validate(today).map_err(ServiceError::Invalid)?;
        }
        Body::Assessment(a) => {
            person_of(svc, a.person, "person")?;
            if let Some(i) = a.intake {
                load(svc, Kind::Intake, i, "intake")?;
            }
            if a.clerk.is_empty() {
                a.clerk = clerk.login.clone();
            }
            a.validate(today).map_err(ServiceError::Invalid)?;
        }
        Body::Referral(r) => {
            person_of(svc, r.person, "person")?;
            if let Some(s) = r.service {
                load(svc, Kind::Service, s, "service")?;
            }
            if let Some(p) = r.provider {
                load(svc, Kind::Provider, p, "provider")?;
            }
            let old = match old.map(|o| &o.body) {
                Some(Body::Referral(o)) => Some(o),
                _ => None,
            };
            referral_steps(r, old, &clerk.login, today, settings)?;
            r.warnings = super::workflow::warnings(svc, r, self_id)?;
            r.validate(today).map_err(ServiceError::Invalid)?;
        }
        Body::Provider(p) => p.validate(today).map_err(ServiceError::Invalid)?,
        Body::Service(s) => {
            load(svc, Kind::Provider, s.provider, "provider")?;
            s.validate().map_err(ServiceError::Invalid)?;
            // The register holds the services on the municipality's territory.
            if !s.settlement.is_empty() && !settings.settlement_codes().contains(&s.settlement) {
                return Err(invalid("settlement", Reason::BadSettlement));
            }
        }
        Body::Visit(v) => {
            load(svc, Kind::Service, v.service, "service")?;
            if v.clerks.iter().all(|c| c.trim().is_empty()) {
                v.clerks = vec![clerk.login.clone()];
            }
            v.validate(today, &settings.visit_ratings)
                .map_err(ServiceError::Invalid)?;
            for login in &v.clerks {
                known_clerk(svc, login, "clerks")?;
            }
        }
        Body::Campaign(c) => {
            if c.clerk.trim().is_empty() {
                c.clerk = clerk.login.clone();
            }
            c.validate(&settings.settlement_codes())
                .map_err(ServiceError::Invalid)?;
            known_clerk(svc, &c.clerk, "clerk")?;
        }
        Body::DspDecision(_)
        | Body::Application(_)
        | Body::Assistant(_)
        | Body::Agreement(_)
        | Body::Contract(_)
        | Body::Suspension(_) => {
            let number = keep_number(old);
            super::assistance::prepare(
                &super::assistance::Prepare {
                    svc,
                    settings,
                    today,
                    self_id,
                    old,
                    batch,
                },
                body,
                |counter, prefix| match &number {
                    Some(n) => Ok(n.clone()),
                    None => next_number(svc, ws, counter, prefix, year, 4),
                },
            )?;
        }
        Body::Report(r) => {
            let old = match old.map(|o| &o.body) {
                Some(Body::Report(o)) => Some(o),
                _ => None,
            };
            super::monthly::check_save(svc, r, self_id, old, settings, today)?;
        }
        Body::Clerk(c) => {
            c.validate().map_err(ServiceError::Invalid)?;
            for hit in svc
                .store
                .index_scan(Index::Login, &index::exact(c.login.as_bytes()))
            {
                let (_, id) = hit?;
                if Some(id) != self_id {
                    return Err(invalid("login", Reason::DuplicateLogin));
                }
            }
            if let Some(Body::Clerk(o)) = old.map(|o| &o.body) {
                last_admin(svc, o, c, self_id)?;
            }
        }
    }
    Ok(())
}

/// An active administrator stays one unless another active one remains: with none, every
/// account change (and the way back) would be refused until a restore. Checked under the
/// writer lock, so two administrators disabling each other cannot both succeed.
fn last_admin(
    svc: &Service,
    old: &Clerk,
    new: &Clerk,
    self_id: Option<u64>,
) -> Result<(), ServiceError> {
    let admin = |c: &Clerk| c.active && c.role == Role::Admin;
    if !admin(old) || admin(new) {
        return Ok(());
    }
    for r in svc.store.scan(Kind::Clerk, None) {
        let r = r?;
        if Some(r.meta.id) != self_id && matches!(&r.body, Body::Clerk(c) if admin(c)) {
            return Ok(());
        }
    }
    let field = if new.active { "role" } else { "active" };
    Err(invalid(field, Reason::LastAdmin))
}

/// A referral's status and history change only by legal steps, each recorded with who, when and
/// why. A new referral starts as requested (or brings its earlier steps, as an import or the
/// demo does: a legal path, dated in order, never ahead of today); an update keeps the history
/// as stored, or adds exactly one legal step, dated today and made by this clerk. The current
/// step's deadline comes from the settings.
fn referral_steps(
    r: &mut Referral,
    old: Option<&Referral>,
    login: &str,
    today: NaiveDate,
    settings: &Settings,
) -> Result<(), ServiceError> {
    let declined_without_reason =
        |s: &StatusChange| s.status == ReferralStatus::Declined && s.note.trim().is_empty();
    match old {
        None => {
            if r.history.is_empty() {
                r.history.push(StatusChange {
                    status: ReferralStatus::Requested,
                    date: r.requested,
                    note: String::new(),
                    by: String::new(),
                });
            }
            let mut previous = r.requested;
            for step in &mut r.history {
                if step.by.trim().is_empty() {
                    step.by = login.to_string();
                }
                if step.date < previous || step.date > today {
                    return Err(invalid("history", Reason::BadTransition));
                }
                if declined_without_reason(step) {
                    return Err(invalid("note", Reason::Required));
                }
                previous = step.date;
            }
            if r.history[0].status != ReferralStatus::Requested {
                return Err(invalid("status", Reason::BadTransition));
            }
        }
        Some(o) => {
            let n = o.history.len();
            if r.history.len() == n {
                if r.history != o.history || r.status != o.status {
                    return Err(invalid("status", Reason::BadTransition));
                }
                r.due = o.due;
                return Ok(());
            }
            if r.history.len() != n + 1 || r.history[..n] != o.history[..] {
                return Err(invalid("status", Reason::BadTransition));
            }
            let step = &mut r.history[n];
            if !o.status.can_go_to(step.status) || r.status != step.status {
                return Err(invalid("status", Reason::BadTransition));
            }
            // Who and when are the service's to say.
            step.date = today;
            step.by = login.to_string();
            if declined_without_reason(step) {
                return Err(invalid("note", Reason::Required));
            }
        }
    }
    r.due = Referral::step_due(r.status, r.since(), &settings.step_days);
    Ok(())
}

/// `Request::ReferralStep`: the stored referral moved one step on, saved like an update.
pub fn step(
    svc: &Service,
    clerk: &Clerk,
    id: u64,
    base_rev: u64,
    to: ReferralStatus,
    note: String,
) -> Result<Record, ServiceError> {
    let current = svc
        .store
        .get(Kind::Referral, id)?
        .ok_or(ServiceError::NotFound {
            kind: Kind::Referral,
            id,
        })?;
    if current.meta.rev != base_rev {
        return Err(ServiceError::Conflict {
            current: Box::new(current),
        });
    }
    let Body::Referral(mut r) = current.body else {
        return Err(ServiceError::NotFound {
            kind: Kind::Referral,
            id,
        });
    };
    r.advance(to, svc.now().date(), &note, &clerk.login)
        .map_err(|e| ServiceError::Invalid(vec![e]))?;
    // The rev is checked again under the writer lock by `save`.
    save(svc, clerk, Some((id, base_rev)), Body::Referral(r))
}

/// The full identifier of a person; the read is audited.
pub fn reveal(svc: &Service, clerk: &Clerk, person: u64) -> Result<String, ServiceError> {
    svc.write(&clerk.login, |ws| {
        let p = match svc.store.get(Kind::Person, person)? {
            Some(Record {
                body: Body::Person(p),
                ..
            }) => p,
            _ => {
                return Err(ServiceError::NotFound {
                    kind: Kind::Person,
                    id: person,
                })
            }
        };
        svc.append_audit(
            ws,
            &clerk.login,
            AuditAction::Reveal,
            Some(Kind::Person),
            Some(person),
            Vec::new(),
        )?;
        Ok((p.ident.as_str().unwrap_or_default().to_string(), Vec::new()))
    })
}

pub fn update_settings(
    svc: &Service,
    clerk: &Clerk,
    base_rev: u64,
    mut settings: Settings,
) -> Result<VersionedSettings, ServiceError> {
    // Checked like any record; what is stored is the cleaned form.
    settings.validate().map_err(ServiceError::Invalid)?;
    svc.write(&clerk.login, |ws| {
        let current = svc.settings()?;
        if current.rev != base_rev {
            return Err(ServiceError::SettingsConflict {
                current_rev: current.rev,
            });
        }
        let diff = changes(Some(&current.settings), &settings);
        let next = VersionedSettings {
            rev: current.rev + 1,
            settings,
        };
        Store::put_settings(ws, &next)?;
        svc.append_audit(ws, &clerk.login, AuditAction::Settings, None, None, diff)?;
        Ok((next, Vec::new()))
    })
}
