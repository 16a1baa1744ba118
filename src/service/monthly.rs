//! The month of personal assistance in the service: the summary (hours agreed and reported per
//! agreement, the pay of accepted reports), the rules a report is saved under (which need the
//! assistant's other reports and the closed months), returning a report for correction,
//! closing and reopening a month, and the payroll (full identifiers: an audited export).
//! The rules themselves are the domain's (`domain::monthly`, `domain::report`, `domain::pay`).

use super::{paging::MAX_PAGE, Service, ServiceError};
use crate::domain::{
    assistance::Agreement,
    audit::{AuditAction, FieldChange},
    calendar::{MonthDays, WorkCalendar},
    clerk::Clerk,
    date::Month,
    monthly::{
        agreed_share, in_force, row_status, MonthClosing, MonthTotals, MonthlyRow, MonthlySummary,
        MAX_TREND_MONTHS,
    },
    pay::PayrollLine,
    reason::{FieldError, Reason},
    record::{Body, Kind, Meta, Record},
    report::{
        check_report, report_warnings, MonthlyReport, Payee, ReportContext, ReportFacts,
        ReportStatus,
    },
    settings::Settings,
    text::clean_text,
};
use crate::store::{index, index::Index, Store};
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};

fn invalid(field: &str, reason: Reason) -> ServiceError {
    ServiceError::Invalid(vec![FieldError::new(field, reason)])
}

fn name_of(svc: &Service, kind: Kind, id: u64) -> Result<String, ServiceError> {
    Ok(match svc.store.get(kind, id)?.map(|r| r.body) {
        Some(Body::Person(p)) => p.full_name(),
        Some(Body::Provider(p)) => p.name,
        Some(Body::Assistant(a)) => name_of(svc, Kind::Person, a.person)?,
        _ => format!("#{id}"),
    })
}

/// A person's full name and settlement ("#id" and "" for no person).
fn person_of(svc: &Service, id: u64) -> Result<(String, String), ServiceError> {
    Ok(match svc.store.get(Kind::Person, id)?.map(|r| r.body) {
        Some(Body::Person(p)) => (p.full_name(), p.settlement),
        _ => (format!("#{id}"), String::new()),
    })
}

fn suspensions_of(
    svc: &Service,
    agreement: u64,
) -> Result<Vec<crate::domain::assistance::Suspension>, ServiceError> {
    Ok(svc
        .referring(agreement, Some(Kind::Suspension))?
        .into_iter()
        .filter_map(|r| match r.body {
            Body::Suspension(s) => Some(s),
            _ => None,
        })
        .collect())
}

/// An agreement's report for a month, if one was handed in (the index holds one at most).
fn report_of(
    svc: &Service,
    agreement: u64,
    month: Month,
) -> Result<Option<(u64, MonthlyReport)>, ServiceError> {
    let prefix = index::report_month_prefix(agreement, month.year, month.month);
    for hit in svc
        .store
        .index_scan(Index::ReportMonth, &index::exact(&prefix))
    {
        let (kind, id) = hit?;
        if let Some(Record {
            body: Body::Report(r),
            ..
        }) = svc.store.get(kind, id)?
        {
            return Ok(Some((id, r)));
        }
    }
    Ok(None)
}

/// Refuses unless the month is open.
fn open_month(svc: &Service, month: Month) -> Result<(), ServiceError> {
    match svc.store.closing(month)? {
        Some(_) => Err(invalid(
            "month",
            Reason::MonthClosed {
                year: month.year,
                month: month.month,
            },
        )),
        None => Ok(()),
    }
}

/// What every row of a month needs once: the month's days, providers' names.
struct RowContext {
    days: MonthDays,
    month: Month,
    providers: HashMap<u64, String>,
}

impl RowContext {
    fn new(svc: &Service, month: Month) -> Result<RowContext, ServiceError> {
        let settings = svc.settings()?.settings;
        let days = WorkCalendar::new(settings.calendar.clone()).month_days(month);
        Ok(RowContext {
            days,
            month,
            providers: HashMap::new(),
        })
    }

    /// The row of an agreement in the month: none unless it is in force then.
    fn row(
        &mut self,
        svc: &Service,
        id: u64,
        a: &Agreement,
    ) -> Result<Option<MonthlyRow>, ServiceError> {
        let month = self.month;
        if !in_force(a, month) {
            return Ok(None);
        }
        let suspensions = suspensions_of(svc, id)?;
        let report = report_of(svc, id, month)?;
        let agreed = agreed_share(a, &suspensions, &self.days).minutes;
        // An accepted report pays what was fixed when it was accepted: its assistant,
        // substitute, provider and rates, whatever the agreement says now.
        let facts = report
            .as_ref()
            .filter(|(_, r)| r.status == ReportStatus::Accepted)
            .and_then(|(_, r)| r.facts.as_ref().map(|f| (f.paid(r), f)));
        let paid = facts.as_ref().map(|(p, _)| p.clone()).unwrap_or_default();
        let fixed = facts.as_ref().map(|(_, f)| *f);
        let assistant_id = fixed.map_or(a.assistant, |f| f.assistant.assistant);
        let substitute_id = match fixed.and_then(|f| f.substitute.as_ref()) {
            Some(s) => Some(s.assistant),
            None => a.substitute,
        };
        let provider_id = fixed.map_or(a.provider, |f| f.provider);
        let provider = match self.providers.get(&provider_id) {
            Some(n) => n.clone(),
            None => {
                let n = name_of(svc, Kind::Provider, provider_id)?;
                self.providers.insert(provider_id, n.clone());
                n
            }
        };
        let (user, settlement) = person_of(svc, a.user)?;
        Ok(Some(MonthlyRow {
            agreement: id,
            number: a.number.clone(),
            user,
            settlement,
            assistant: name_of(svc, Kind::Assistant, assistant_id)?,
            provider,
            agreed_minutes: agreed,
            reported_minutes: report.as_ref().map_or(0, |(_, r)| r.total_minutes()),
            status: row_status(report.as_ref().map(|(_, r)| r), agreed),
            user_id: a.user,
            assistant_id,
            provider_id,
            substitute_id,
            substitute: match substitute_id {
                Some(s) => name_of(svc, Kind::Assistant, s)?,
                None => String::new(),
            },
            substitute_minutes: report.as_ref().map_or(0, |(_, r)| {
                r.substitute_minutes.iter().map(|&m| u32::from(m)).sum()
            }),
            report: report.as_ref().map(|(id, _)| *id),
            paid,
        }))
    }
}

pub fn monthly(svc: &Service, month: Month) -> Result<MonthlySummary, ServiceError> {
    let mut cx = RowContext::new(svc, month)?;
    let mut rows = Vec::new();
    for rec in svc.store.scan(Kind::Agreement, None) {
        let rec = rec?;
        if let Body::Agreement(a) = &rec.body {
            rows.extend(cx.row(svc, rec.id(), a)?);
        }
    }
    rows.sort_by(|a, b| a.number.cmp(&b.number));
    Ok(MonthlySummary {
        month,
        rows,
        closed: svc.store.closing(month)?,
        working_days: cx.days.working_days(),
    })
}

/// `Request::MonthlyRows`: the month's rows of these agreements only (those in force then), as
/// the summary has them: what a month screen reloads when a report or an agreement changes.
pub fn monthly_rows(
    svc: &Service,
    month: Month,
    agreements: &[u64],
) -> Result<Vec<MonthlyRow>, ServiceError> {
    if agreements.len() > MAX_PAGE as usize {
        return Err(ServiceError::BadRequest(format!(
            "rows of {} agreements (at most {MAX_PAGE})",
            agreements.len()
        )));
    }
    let mut cx = RowContext::new(svc, month)?;
    let mut rows = Vec::new();
    for &id in agreements {
        if let Some(Body::Agreement(a)) = svc.store.get(Kind::Agreement, id)?.map(|r| r.body) {
            rows.extend(cx.row(svc, id, &a)?);
        }
    }
    Ok(rows)
}

/// The hours of the `months` months up to `last` (oldest first) over every agreement in force,
/// or `provider`'s: agreed (pro rata, as in the summary), reported and accepted. One pass over
/// the agreements, each one's suspensions and reports read once: no names, no pay.
pub fn trend(
    svc: &Service,
    last: Month,
    months: u32,
    provider: Option<u64>,
) -> Result<Vec<MonthTotals>, ServiceError> {
    if !(1..=MAX_TREND_MONTHS).contains(&months) {
        return Err(invalid(
            "months",
            Reason::OutOfRange {
                min: 1,
                max: MAX_TREND_MONTHS.into(),
                found: months.into(),
            },
        ));
    }
    let settings = svc.settings()?.settings;
    let cal = WorkCalendar::new(settings.calendar);
    let mut out: Vec<MonthTotals> = Vec::with_capacity(months as usize);
    let mut m = last;
    for _ in 0..months {
        out.push(MonthTotals {
            month: m,
            agreed_minutes: 0,
            reported_minutes: 0,
            accepted_minutes: 0,
        });
        m = m.prev();
    }
    out.reverse();
    let days: Vec<_> = out.iter().map(|t| cal.month_days(t.month)).collect();
    for rec in svc.store.scan(Kind::Agreement, None) {
        let rec = rec?;
        let Body::Agreement(a) = &rec.body else {
            continue;
        };
        if provider.is_some_and(|p| p != a.provider) || !out.iter().any(|t| in_force(a, t.month)) {
            continue;
        }
        let suspensions = suspensions_of(svc, rec.id())?;
        let reports: Vec<MonthlyReport> = svc
            .referring(rec.id(), Some(Kind::Report))?
            .into_iter()
            .filter_map(|r| match r.body {
                Body::Report(r) => Some(r),
                _ => None,
            })
            .collect();
        for (t, days) in out.iter_mut().zip(&days) {
            if !in_force(a, t.month) {
                continue;
            }
            t.agreed_minutes += u64::from(agreed_share(a, &suspensions, days).minutes);
            if let Some(r) = reports.iter().find(|r| r.month == t.month) {
                let n = u64::from(r.total_minutes());
                t.reported_minutes += n;
                if r.status == ReportStatus::Accepted {
                    t.accepted_minutes += n;
                }
            }
        }
    }
    Ok(out)
}

/// The assistant records of the person behind `assistant` (itself included): limits count
/// the person's work, whatever records an older database holds for them.
pub(super) fn records_of_person(svc: &Service, assistant: u64) -> Result<Vec<u64>, ServiceError> {
    let person = match svc.store.get(Kind::Assistant, assistant)?.map(|r| r.body) {
        Some(Body::Assistant(a)) => a.person,
        _ => return Ok(vec![assistant]),
    };
    let mut out: Vec<u64> = svc
        .referring(person, Some(Kind::Assistant))?
        .into_iter()
        .filter(|r| matches!(&r.body, Body::Assistant(a) if a.person == person))
        .map(|r| r.id())
        .collect();
    if !out.contains(&assistant) {
        out.push(assistant);
    }
    Ok(out)
}

/// The minutes a person (any of their assistant records `records`) worked each day around
/// `month` (the month before, itself and the month after: a week spans two months) in every
/// report but `skip`'s (agreement, month): as the assistant of an agreement, its own row; as
/// its substitute, the substitute's row.
fn worked_elsewhere(
    svc: &Service,
    records: &[u64],
    skip: (u64, Month),
) -> Result<BTreeMap<NaiveDate, u32>, ServiceError> {
    let mut out: BTreeMap<NaiveDate, u32> = BTreeMap::new();
    let mut seen = std::collections::HashSet::new();
    for &assistant in records {
        for rec in svc.referring(assistant, Some(Kind::Agreement))? {
            let Body::Agreement(a) = &rec.body else {
                continue;
            };
            if !seen.insert(rec.id()) {
                continue;
            }
            for month in [skip.1.prev(), skip.1, skip.1.next()] {
                if (rec.id(), month) == skip {
                    continue;
                }
                let Some((_, r)) = report_of(svc, rec.id(), month)? else {
                    continue;
                };
                // Both rows when the person is the agreement's assistant and its substitute
                // (an older database): each is their work.
                let mut rows = Vec::new();
                if records.contains(&a.assistant) {
                    rows.push(&r.minutes);
                }
                if a.substitute.is_some_and(|s| records.contains(&s)) {
                    rows.push(&r.substitute_minutes);
                }
                for row in rows {
                    for (i, &m) in row.iter().enumerate().filter(|(_, m)| **m > 0) {
                        let day = month.first_day() + chrono::Days::new(i as u64);
                        *out.entry(day).or_default() += u32::from(m);
                    }
                }
            }
        }
    }
    Ok(out)
}

/// A row's minutes by date, to add to the other row's work when both rows are one person's.
fn by_date(month: Month, row: &[u16]) -> BTreeMap<NaiveDate, u32> {
    row.iter()
        .enumerate()
        .filter(|(_, m)| **m > 0)
        .map(|(i, &m)| {
            (
                month.first_day() + chrono::Days::new(i as u64),
                u32::from(m),
            )
        })
        .collect()
}

fn add_into(into: &mut BTreeMap<NaiveDate, u32>, more: BTreeMap<NaiveDate, u32>) {
    for (d, m) in more {
        *into.entry(d).or_default() += m;
    }
}

fn payee(svc: &Service, id: u64) -> Result<Payee, ServiceError> {
    match svc.store.get(Kind::Assistant, id)?.map(|r| r.body) {
        Some(Body::Assistant(a)) => Ok(Payee::of(id, &a)),
        _ => Err(invalid("agreement", Reason::Missing { id })),
    }
}

/// The rules a report is saved under (create or update), under the writer lock: one report per
/// agreement and month, the month open, an accepted report changed only through "returned for
/// correction" and a return only through `ReturnReport` (it takes a reason), and the domain's
/// checks with the assistant's and the substitute's work elsewhere (by person). A report saved
/// as accepted gets its facts fixed (the agreement's revision, provider, who is paid, the
/// rates); any other loses them. Its warnings are the domain's, kept on the record.
pub(super) fn check_save(
    svc: &Service,
    r: &mut MonthlyReport,
    self_id: Option<u64>,
    old: Option<&MonthlyReport>,
    settings: &Settings,
    today: NaiveDate,
) -> Result<(), ServiceError> {
    let (agreement, agreement_rev) = match svc
        .store
        .get(Kind::Agreement, r.agreement)?
        .map(|x| (x.body, x.meta.rev))
    {
        Some((Body::Agreement(a), rev)) => (a, rev),
        _ => return Err(invalid("agreement", Reason::Missing { id: r.agreement })),
    };
    open_month(svc, r.month)?;
    if let Some(o) = old {
        open_month(svc, o.month)?;
        if o.status == ReportStatus::Accepted {
            return Err(invalid("status", Reason::ReportAccepted));
        }
    }
    if r.status == ReportStatus::Returned && old.is_none_or(|o| o.status != ReportStatus::Returned)
    {
        return Err(invalid("status", Reason::BadTransition));
    }
    if let Some((id, _)) = report_of(svc, r.agreement, r.month)? {
        if Some(id) != self_id {
            return Err(invalid("month", Reason::DuplicateReport { id }));
        }
    }
    let suspensions = suspensions_of(svc, r.agreement)?;
    let days = WorkCalendar::new(settings.calendar.clone()).month_days(r.month);
    let skip = (r.agreement, r.month);
    let assistant_records = records_of_person(svc, agreement.assistant)?;
    let mut assistant_elsewhere = worked_elsewhere(svc, &assistant_records, skip)?;
    let substitute_elsewhere = match agreement.substitute {
        Some(s) => {
            let records = records_of_person(svc, s)?;
            // One person as assistant and substitute of this agreement (an older database):
            // each row counts the other as their own work the same days.
            if records.contains(&agreement.assistant) {
                add_into(
                    &mut assistant_elsewhere,
                    by_date(r.month, &r.substitute_minutes),
                );
            }
            let mut w = worked_elsewhere(svc, &records, skip)?;
            if records.contains(&agreement.assistant) {
                add_into(&mut w, by_date(r.month, &r.minutes));
            }
            w
        }
        None => BTreeMap::new(),
    };
    let ctx = ReportContext {
        agreement: &agreement,
        suspensions: &suspensions,
        days: &days,
        assistant_elsewhere: &assistant_elsewhere,
        substitute_elsewhere: &substitute_elsewhere,
        max_minutes_per_day: settings.max_minutes_per_day,
        max_minutes_per_week: settings.max_minutes_per_week,
        today,
    };
    check_report(r, &ctx).map_err(ServiceError::Invalid)?;
    r.warnings = report_warnings(r, &agreement);
    r.facts = match r.status {
        ReportStatus::Accepted => {
            let substitute = match agreement.substitute {
                Some(s) => Some(payee(svc, s)?),
                None => None,
            };
            Some(ReportFacts::fix(
                r,
                &agreement,
                agreement_rev,
                payee(svc, agreement.assistant)?,
                substitute,
                &settings.pay_rates,
            ))
        }
        _ => None,
    };
    Ok(())
}

fn change(field: &str, old: String, new: String) -> FieldChange {
    FieldChange {
        field: field.into(),
        old,
        new,
    }
}

fn reason_text(reason: &str) -> Result<String, ServiceError> {
    let cleaned = clean_text(reason, 500, true).map_err(|e| invalid("reason", e.into()))?;
    if cleaned.trim().is_empty() {
        return Err(invalid("reason", Reason::Required));
    }
    Ok(cleaned)
}

fn status_name(s: ReportStatus) -> String {
    format!("{s:?}")
}

/// `Request::ReturnReport`: a received or accepted report goes back for correction, with the
/// reason in the audit log; the month must be open. Answers with the new version.
pub fn return_report(
    svc: &Service,
    clerk: &Clerk,
    id: u64,
    base_rev: u64,
    reason: &str,
) -> Result<Record, ServiceError> {
    let reason = reason_text(reason)?;
    svc.write(&clerk.login, |ws| {
        let old = svc
            .store
            .get(Kind::Report, id)?
            .ok_or(ServiceError::NotFound {
                kind: Kind::Report,
                id,
            })?;
        if old.meta.rev != base_rev {
            return Err(ServiceError::Conflict {
                current: Box::new(old),
            });
        }
        let Body::Report(mut r) = old.body.clone() else {
            return Err(ServiceError::NotFound {
                kind: Kind::Report,
                id,
            });
        };
        open_month(svc, r.month)?;
        if r.status == ReportStatus::Returned {
            return Err(invalid("status", Reason::BadTransition));
        }
        let was = r.status;
        r.status = ReportStatus::Returned;
        // Not accepted any more: nothing is paid until it is accepted again (with new facts).
        r.facts = None;
        let now = svc.now();
        let record = Record {
            meta: Meta {
                rev: old.meta.rev + 1,
                updated: now,
                by: clerk.login.clone(),
                ..old.meta.clone()
            },
            body: Body::Report(r),
        };
        ws.put_record(Some(&old), &record)?;
        svc.append_audit(
            ws,
            &clerk.login,
            AuditAction::ReportReturn,
            Some(Kind::Report),
            Some(id),
            vec![
                change(
                    "status",
                    status_name(was),
                    status_name(ReportStatus::Returned),
                ),
                change("reason", String::new(), reason.clone()),
            ],
        )?;
        Ok((record.clone(), vec![record]))
    })
}

/// `Request::CloseMonth`: a month that has ended is closed (its data went to АСП); its reports
/// are read-only from now on.
pub fn close_month(
    svc: &Service,
    clerk: &Clerk,
    month: Month,
) -> Result<MonthClosing, ServiceError> {
    svc.write(&clerk.login, |ws| {
        let now = svc.now();
        if month >= Month::of(now.date()) {
            return Err(invalid(
                "month",
                Reason::MonthNotOver {
                    year: month.year,
                    month: month.month,
                },
            ));
        }
        open_month(svc, month)?;
        let closing = MonthClosing {
            month,
            at: now,
            by: clerk.login.clone(),
        };
        Store::put_closing(ws, &closing)?;
        svc.append_audit(
            ws,
            &clerk.login,
            AuditAction::MonthClose,
            None,
            None,
            vec![change("month", String::new(), month.to_string())],
        )?;
        Ok((closing, Vec::new()))
    })
}

/// `Request::ReopenMonth`: a closed month open again, with the reason in the audit log.
pub fn reopen_month(
    svc: &Service,
    clerk: &Clerk,
    month: Month,
    reason: &str,
) -> Result<(), ServiceError> {
    let reason = reason_text(reason)?;
    svc.write(&clerk.login, |ws| {
        let Some(closing) = svc.store.closing(month)? else {
            return Err(invalid(
                "month",
                Reason::MonthNotClosed {
                    year: month.year,
                    month: month.month,
                },
            ));
        };
        Store::remove_closing(ws, month);
        svc.append_audit(
            ws,
            &clerk.login,
            AuditAction::MonthReopen,
            None,
            None,
            vec![
                change("month", String::new(), month.to_string()),
                change(
                    "closed",
                    format!("{} {}", closing.at, closing.by),
                    String::new(),
                ),
                change("reason", String::new(), reason.clone()),
            ],
        )?;
        Ok(((), Vec::new()))
    })
}

/// `Request::Payroll`: the month's pay lines (accepted reports) with each assistant's full
/// ЕГН/ЛНЧ and IBAN, for the accountant. Identifiers leave in full, so it is an export: one
/// audit entry per call (who, which month and provider, how many lines), or no payroll.
pub fn payroll(
    svc: &Service,
    clerk: &Clerk,
    month: Month,
    provider: Option<u64>,
) -> Result<Vec<PayrollLine>, ServiceError> {
    let mut summary = monthly(svc, month)?;
    if let Some(p) = provider {
        summary = summary.for_provider(p);
    }
    // Who each accepted report pays, from its facts (the summary carries no accounts).
    let mut payees: BTreeMap<u64, Vec<Payee>> = BTreeMap::new();
    for row in summary.rows.iter().filter(|r| !r.paid.is_empty()) {
        let Some(id) = row.report else { continue };
        if let Some(Body::Report(r)) = svc.store.get(Kind::Report, id)?.map(|x| x.body) {
            if let Some(f) = r.facts {
                payees.insert(
                    row.agreement,
                    std::iter::once(f.assistant).chain(f.substitute).collect(),
                );
            }
        }
    }
    let mut out = Vec::new();
    for (line, payee) in summary.payroll_lines(&payees) {
        // The person and account the accepted report fixed; the person's identifier as
        // stored now (a corrected typo is corrected).
        let ident = match &payee {
            Some(p) => match svc.store.get(Kind::Person, p.person)?.map(|r| r.body) {
                Some(Body::Person(p)) => p.ident.as_str().unwrap_or_default().to_string(),
                _ => String::new(),
            },
            None => String::new(),
        };
        let iban = payee
            .map(|p| p.iban.as_str().to_string())
            .unwrap_or_default();
        out.push(PayrollLine { line, ident, iban });
    }
    let changes = vec![
        change("payroll", String::new(), month.to_string()),
        change(
            "provider",
            String::new(),
            provider.map(|p| p.to_string()).unwrap_or_default(),
        ),
        change("records", String::new(), out.len().to_string()),
        change("ident", String::new(), "full".into()),
    ];
    svc.write(&clerk.login, |ws| {
        svc.append_audit(
            ws,
            &clerk.login,
            AuditAction::Export,
            Some(Kind::Assistant),
            None,
            changes,
        )?;
        Ok(((), Vec::new()))
    })?;
    Ok(out)
}
