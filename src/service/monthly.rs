//! The monthly hours report as a query: the service gathers agreements, reports, suspensions and
//! names; the rules of the rows are the domain's (`domain::monthly`).

use super::{Service, ServiceError};
use crate::domain::{
    calendar::WorkCalendar,
    date::Month,
    monthly::{agreed_minutes, in_force, row_status, MonthlyRow, MonthlySummary},
    record::{Body, Kind, Record},
};
use crate::store::{index, index::Index};

fn name_of(svc: &Service, kind: Kind, id: u64) -> Result<String, ServiceError> {
    Ok(match svc.store.get(kind, id)?.map(|r| r.body) {
        Some(Body::Person(p)) => p.full_name(),
        Some(Body::Provider(p)) => p.name,
        Some(Body::Assistant(a)) => name_of(svc, Kind::Person, a.person)?,
        _ => format!("#{id}"),
    })
}

pub fn monthly(svc: &Service, month: Month) -> Result<MonthlySummary, ServiceError> {
    let cal = WorkCalendar::new(svc.settings()?.settings.calendar);
    let mut rows = Vec::new();
    for rec in svc.store.scan(Kind::Agreement, None) {
        let rec = rec?;
        let Body::Agreement(a) = &rec.body else {
            continue;
        };
        if !in_force(a, month) {
            continue;
        }
        let suspensions: Vec<_> = svc
            .referring(rec.id(), Some(Kind::Suspension))?
            .into_iter()
            .filter_map(|r| match r.body {
                Body::Suspension(s) => Some(s),
                _ => None,
            })
            .collect();
        let prefix = index::report_month_prefix(rec.id(), month.year, month.month);
        let mut report = None;
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
                report = Some(r);
            }
        }
        let agreed = agreed_minutes(a, &suspensions, month, &cal);
        rows.push(MonthlyRow {
            agreement: rec.id(),
            number: a.number.clone(),
            user: name_of(svc, Kind::Person, a.user)?,
            assistant: name_of(svc, Kind::Assistant, a.assistant)?,
            provider: name_of(svc, Kind::Provider, a.provider)?,
            agreed_minutes: agreed,
            reported_minutes: report.as_ref().map_or(0, |r| r.total_minutes()),
            status: row_status(report.as_ref(), agreed),
        });
    }
    rows.sort_by(|a, b| a.number.cmp(&b.number));
    Ok(MonthlySummary { month, rows })
}
