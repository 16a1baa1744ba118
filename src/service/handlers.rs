//! One handler per request. The table in `api.rs` declares each request, its answer and the
//! access check that runs before its handler; a handler checks only what depends on the
//! request (the kind of a body it saves).

use super::{
    access::{self, Action},
    api::Handlers,
    assistance, backup, check, commands, documents, export, monthly, paging, workflow, CheckReport,
    Hit, RequestId, Saved, Service, ServiceError, MAX_BATCH, MAX_PAGE,
};
use crate::domain::{
    agenda::Agenda,
    assistance::AssistanceWarning,
    audit::AuditEntry,
    clerk::{Clerk, Role},
    date::Month,
    document::{DocKind, DocumentRecords},
    draft::Draft,
    monthly::{MonthClosing, MonthTotals, MonthlyRow, MonthlySummary},
    pay::PayrollLine,
    record::{Body, Kind, Record},
    referral::{Referral, ReferralStatus, ReferralWarning},
    register::RegisterRow,
    settings::Settings,
};
use crate::store::schema::VersionedSettings;
use chrono::NaiveDate;

/// Refuses unless the clerk's role allows `action`.
pub(super) fn require(clerk: &Clerk, action: Action) -> Result<(), ServiceError> {
    if access::allowed(clerk.role, action) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden {
            role: clerk.role,
            action,
        })
    }
}

/// One request's caller: the service and the clerk's account as read for this request.
pub(super) struct Caller<'a> {
    pub svc: &'a Service,
    pub clerk: Clerk,
}

impl Handlers for Caller<'_> {
    fn require(&self, action: Action) -> Result<(), ServiceError> {
        require(&self.clerk, action)
    }

    fn whoami(&self) -> Result<Clerk, ServiceError> {
        Ok(self.clerk.clone())
    }

    fn get(&self, kind: Kind, id: u64) -> Result<Record, ServiceError> {
        let record = self
            .svc
            .store
            .get(kind, id)?
            .ok_or(ServiceError::NotFound { kind, id })?;
        if kind == Kind::Person {
            commands::log_read(self.svc, &self.clerk, id)?;
        }
        Ok(record)
    }

    fn list(
        &self,
        kind: Kind,
        after: Option<u64>,
        limit: u32,
    ) -> Result<Vec<Record>, ServiceError> {
        let records = paging::page(self.svc.store.scan(kind, after), limit)?;
        if kind == Kind::Person && !records.is_empty() {
            commands::log_list(self.svc, &self.clerk, after, records.len())?;
        }
        Ok(records)
    }

    fn related_page(
        &self,
        id: u64,
        after: Option<(Kind, u64)>,
        limit: u32,
    ) -> Result<Vec<Record>, ServiceError> {
        self.svc.referring_page(id, after, limit)
    }

    fn open_card(&self, person: u64) -> Result<Record, ServiceError> {
        let record = self
            .svc
            .store
            .get(Kind::Person, person)?
            .ok_or(ServiceError::NotFound {
                kind: Kind::Person,
                id: person,
            })?;
        commands::log_read(self.svc, &self.clerk, person)?;
        Ok(record)
    }

    fn create_saved(&self, body: Body, request: RequestId) -> Result<Saved, ServiceError> {
        require(&self.clerk, Action::Write(body.kind()))?;
        commands::create(self.svc, &self.clerk, request, body)
    }

    fn create_many_once(
        &self,
        bodies: Vec<Body>,
        request: RequestId,
    ) -> Result<Vec<u64>, ServiceError> {
        if bodies.len() > MAX_BATCH {
            return Err(ServiceError::BadRequest(format!(
                "a batch of {} records (at most {MAX_BATCH})",
                bodies.len()
            )));
        }
        for b in &bodies {
            require(&self.clerk, Action::Write(b.kind()))?;
        }
        commands::save_many(self.svc, &self.clerk, request, bodies)
    }

    fn update_saved(&self, id: u64, base_rev: u64, body: Body) -> Result<Saved, ServiceError> {
        require(&self.clerk, Action::Write(body.kind()))?;
        commands::save_saved(self.svc, &self.clerk, Some((id, base_rev)), body)
    }

    fn search(&self, query: String, limit: u32) -> Result<Vec<Hit>, ServiceError> {
        Ok(self.svc.search(&query, limit.min(MAX_PAGE) as usize)?)
    }

    fn reveal_ident(&self, person: u64) -> Result<String, ServiceError> {
        commands::reveal(self.svc, &self.clerk, person)
    }

    fn settings(&self) -> Result<VersionedSettings, ServiceError> {
        self.svc.settings()
    }

    fn update_settings(
        &self,
        base_rev: u64,
        settings: Settings,
    ) -> Result<VersionedSettings, ServiceError> {
        commands::update_settings(self.svc, &self.clerk, base_rev, settings)
    }

    fn add_clerk(&self, login: String, name: String, role: Role) -> Result<Record, ServiceError> {
        let body = Body::Clerk(Clerk {
            login,
            name,
            role,
            active: true,
        });
        commands::save(self.svc, &self.clerk, None, body)
    }

    fn set_clerk_active(&self, login: String, active: bool) -> Result<Record, ServiceError> {
        let rec = self
            .svc
            .clerk_record(&login)?
            .ok_or(ServiceError::UnknownClerk {
                login: login.clone(),
            })?;
        let Body::Clerk(mut c) = rec.body.clone() else {
            return Err(ServiceError::UnknownClerk { login });
        };
        c.active = active;
        commands::save(
            self.svc,
            &self.clerk,
            Some((rec.meta.id, rec.meta.rev)),
            Body::Clerk(c),
        )
    }

    fn clerks_page(&self, after: Option<u64>, limit: u32) -> Result<Vec<Record>, ServiceError> {
        Ok(paging::page(
            self.svc.store.scan(Kind::Clerk, after),
            limit,
        )?)
    }

    fn audit_log(&self, after: Option<u64>, limit: u32) -> Result<Vec<AuditEntry>, ServiceError> {
        Ok(paging::page(self.svc.store.audit(after), limit)?)
    }

    fn check(&self) -> Result<CheckReport, ServiceError> {
        Ok(check::bounded(check::check(
            &self.svc.store,
            &self.svc.anchors(),
        )))
    }

    fn save_draft(&self, draft: Draft) -> Result<(), ServiceError> {
        commands::save_draft(self.svc, &self.clerk, draft)
    }

    fn drafts_page(&self, after: Option<String>, limit: u32) -> Result<Vec<Draft>, ServiceError> {
        let settings = self.svc.settings()?.settings;
        let now = self.svc.now();
        let drafts = self
            .svc
            .store
            .drafts(&self.clerk.login)?
            .into_iter()
            .filter(|d| after.as_ref().is_none_or(|a| d.key > *a))
            .filter(|d| !commands::draft_expired(d, &settings, now))
            .map(Ok::<_, ServiceError>);
        paging::page(drafts, limit)
    }

    fn drop_draft(&self, key: String) -> Result<(), ServiceError> {
        commands::drop_draft(self.svc, &self.clerk, &key)
    }

    fn export_page(
        &self,
        kind: Kind,
        after: Option<u64>,
        limit: u32,
    ) -> Result<Vec<Record>, ServiceError> {
        export::page(self.svc, &self.clerk, kind, after, limit)
    }

    fn monthly_report(&self, month: Month) -> Result<MonthlySummary, ServiceError> {
        monthly::monthly(self.svc, month)
    }

    fn backup(&self) -> Result<(String, u64), ServiceError> {
        backup::backup(self.svc, &self.clerk)
    }

    fn backup_read(&self, name: String, offset: u64) -> Result<Vec<u8>, ServiceError> {
        backup::read_chunk(self.svc, &self.clerk, &name, offset)
    }

    fn agenda(&self, days: u32, clerk: Option<String>) -> Result<Agenda, ServiceError> {
        workflow::agenda(self.svc, days, clerk)
    }

    fn referral_step(
        &self,
        id: u64,
        base_rev: u64,
        to: ReferralStatus,
        note: String,
    ) -> Result<Record, ServiceError> {
        self.require(Action::Write(Kind::Referral))?;
        commands::step(self.svc, &self.clerk, id, base_rev, to, note)
    }

    fn referral_warnings(&self, referral: Referral) -> Result<Vec<ReferralWarning>, ServiceError> {
        workflow::warnings(self.svc, &referral, None)
    }

    fn register_page(
        &self,
        after: Option<u64>,
        limit: u32,
    ) -> Result<Vec<RegisterRow>, ServiceError> {
        let rows =
            self.svc.store.scan(Kind::Service, after).map(
                |r| -> Result<RegisterRow, ServiceError> { workflow::register_row(self.svc, r?) },
            );
        paging::page(rows, limit)
    }

    fn labels(&self, ids: Vec<u64>) -> Result<Vec<Hit>, ServiceError> {
        if ids.len() > MAX_PAGE as usize {
            return Err(ServiceError::BadRequest(format!(
                "labels of {} records (at most {MAX_PAGE})",
                ids.len()
            )));
        }
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            for kind in Kind::ALL {
                if let Some(r) = self.svc.store.get(kind, id)? {
                    let mut hit = super::search::hit(&r, 0);
                    // An assistant is shown as its person, with the account pay goes to.
                    if let Body::Assistant(a) = &r.body {
                        if let Some(p) = self.svc.store.get(Kind::Person, a.person)? {
                            hit.name = super::search::hit(&p, 0).name;
                            hit.detail = a.iban.grouped();
                        }
                    }
                    out.push(hit);
                    break;
                }
            }
        }
        Ok(out)
    }

    fn document(&self, kind: DocKind, id: u64) -> Result<DocumentRecords, ServiceError> {
        documents::records(self.svc, &self.clerk, kind, id)
    }

    fn end_agreement_saved(
        &self,
        id: u64,
        base_rev: u64,
        date: NaiveDate,
        reason: String,
    ) -> Result<Saved, ServiceError> {
        self.require(Action::Write(Kind::Agreement))?;
        assistance::end_agreement(self.svc, &self.clerk, id, base_rev, date, reason)
    }

    fn replace_assistant_saved(
        &self,
        id: u64,
        base_rev: u64,
        from: NaiveDate,
        assistant: u64,
        substitute: Option<u64>,
        reason: String,
    ) -> Result<Saved, ServiceError> {
        self.require(Action::Write(Kind::Agreement))?;
        assistance::replace_assistant(
            self.svc,
            &self.clerk,
            id,
            base_rev,
            from,
            assistant,
            substitute,
            reason,
        )
    }

    fn assistance_warnings(&self, person: u64) -> Result<Vec<AssistanceWarning>, ServiceError> {
        assistance::warnings(self.svc, person)
    }

    fn return_report(
        &self,
        id: u64,
        base_rev: u64,
        reason: String,
    ) -> Result<Record, ServiceError> {
        self.require(Action::Write(Kind::Report))?;
        monthly::return_report(self.svc, &self.clerk, id, base_rev, &reason)
    }

    fn close_month(&self, month: Month) -> Result<MonthClosing, ServiceError> {
        monthly::close_month(self.svc, &self.clerk, month)
    }

    fn reopen_month(&self, month: Month, reason: String) -> Result<(), ServiceError> {
        monthly::reopen_month(self.svc, &self.clerk, month, &reason)
    }

    fn payroll(
        &self,
        month: Month,
        provider: Option<u64>,
    ) -> Result<Vec<PayrollLine>, ServiceError> {
        monthly::payroll(self.svc, &self.clerk, month, provider)
    }

    fn monthly_trend(
        &self,
        last: Month,
        months: u32,
        provider: Option<u64>,
    ) -> Result<Vec<MonthTotals>, ServiceError> {
        monthly::trend(self.svc, last, months, provider)
    }

    fn monthly_rows(
        &self,
        month: Month,
        agreements: Vec<u64>,
    ) -> Result<Vec<MonthlyRow>, ServiceError> {
        monthly::monthly_rows(self.svc, month, &agreements)
    }
}
