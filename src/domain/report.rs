//! The assistant's monthly report of hours: one per agreement per month.

use super::{
    assistance::{Agreement, Assistant, Suspension},
    calendar::MonthDays,
    date::Month,
    iban::Iban,
    monthly::agreed_share,
    pay::{paid_minutes, PaidMinutes},
    reason::{FieldError, Problems, Reason},
    settings::PayRate,
    text::clean_text,
    Lang,
};
use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Absence {
    Leave,
    Sick,
    UserInHospital,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReportStatus {
    Received,
    Accepted,
    Returned,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthlyReport {
    pub agreement: u64,
    pub month: Month,
    /// Minutes the assistant worked, one entry per day of the month.
    pub minutes: Vec<u16>,
    /// Minutes the substitute worked, per day (empty when there was none).
    pub substitute_minutes: Vec<u16>,
    pub absences: Vec<(u32, Absence)>,
    pub status: ReportStatus,
    pub received: NaiveDate,
    pub note: String,
    /// What the report was accepted under, fixed by the service when it is accepted and
    /// cleared when it goes back for correction (payload version 2): the pay comes from these,
    /// never from the agreement as it is later. None while not accepted.
    pub facts: Option<ReportFacts>,
    /// What the clerk was warned of before it was saved (computed by the service on every
    /// save, payload version 2).
    pub warnings: Vec<ReportWarning>,
}

/// Who is paid for a row of an accepted report: the assistant record, its person and the
/// account the pay went to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payee {
    pub assistant: u64,
    pub person: u64,
    pub iban: Iban,
}

impl Payee {
    pub fn of(id: u64, a: &Assistant) -> Payee {
        Payee {
            assistant: id,
            person: a.person,
            iban: a.iban.clone(),
        }
    }
}

/// The facts of an accepted report: the agreement's revision, its provider, who was paid
/// (the substitute only when they have hours) and the hourly rates in force on the month's
/// days, all as they were at acceptance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportFacts {
    pub agreement_rev: u64,
    pub provider: u64,
    pub assistant: Payee,
    pub substitute: Option<Payee>,
    /// The settings' rates that apply to some day of the month (the one in force on its 1st
    /// and those starting inside it).
    pub rates: Vec<PayRate>,
}

impl ReportFacts {
    /// The facts of `r` accepted now under the agreement at `agreement_rev`.
    pub fn fix(
        r: &MonthlyReport,
        agreement: &Agreement,
        agreement_rev: u64,
        assistant: Payee,
        substitute: Option<Payee>,
        rates: &[PayRate],
    ) -> ReportFacts {
        let first = r.month.first_day();
        let in_force_first = super::pay::rate_on(rates, first).map(|x| x.from);
        let mut kept: Vec<PayRate> = rates
            .iter()
            .filter(|x| Some(x.from) == in_force_first || r.month.contains(x.from))
            .cloned()
            .collect();
        kept.sort_by_key(|x| x.from);
        ReportFacts {
            agreement_rev,
            provider: agreement.provider,
            assistant,
            substitute: substitute.filter(|_| r.substitute_minutes.iter().any(|m| *m > 0)),
            rates: kept,
        }
    }

    /// The report's minutes per payee and rate, from the facts alone.
    pub fn paid(&self, r: &MonthlyReport) -> Vec<PaidMinutes> {
        let mut out = paid_minutes(&r.minutes, r.month, self.assistant.assistant, &self.rates);
        if let Some(s) = &self.substitute {
            out.extend(paid_minutes(
                &r.substitute_minutes,
                r.month,
                s.assistant,
                &self.rates,
            ));
        }
        out
    }

    /// The payee of an assistant record paid by this report.
    pub fn payee(&self, assistant: u64) -> Option<&Payee> {
        std::iter::once(&self.assistant)
            .chain(self.substitute.as_ref())
            .find(|p| p.assistant == assistant)
    }
}

/// What a clerk is told before a report is saved; kept on the record. Codes are appended only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReportWarning {
    /// Hours (the assistant's or the substitute's) on days of the week that the agreement's
    /// schedule leaves without hours: the days of the month.
    OffSchedule { days: Vec<u32> },
}

impl super::Explain for ReportWarning {
    fn explain(&self, lang: Lang) -> String {
        match self {
            ReportWarning::OffSchedule { days } => {
                let list = days
                    .iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join(", ");
                match lang {
                    Lang::Bg => format!(
                        "Часове в ден без часове по седмичния график на споразумението: {list}-о число."
                    ),
                    Lang::En => format!(
                        "Hours on a day the agreement's weekly schedule leaves free: day {list}."
                    ),
                }
            }
        }
    }
}

/// The warnings a report gets under its agreement: hours on a weekday the schedule leaves
/// empty (none when the agreement has no schedule at all, as one converted from version 1).
pub fn report_warnings(r: &MonthlyReport, agreement: &Agreement) -> Vec<ReportWarning> {
    if agreement.week.iter().all(|m| *m == 0) {
        return Vec::new();
    }
    let days: Vec<u32> = (0..r.minutes.len())
        .filter(|&i| {
            let own = r.minutes[i];
            let sub = r.substitute_minutes.get(i).copied().unwrap_or(0);
            let date = r.month.first_day() + Days::new(i as u64);
            (own > 0 || sub > 0)
                && agreement.week[date.weekday().num_days_from_monday() as usize] == 0
        })
        .map(|i| i as u32 + 1)
        .collect();
    if days.is_empty() {
        Vec::new()
    } else {
        vec![ReportWarning::OffSchedule { days }]
    }
}

impl MonthlyReport {
    pub fn total_minutes(&self) -> u32 {
        self.minutes
            .iter()
            .chain(self.substitute_minutes.iter())
            .map(|&m| u32::from(m))
            .sum()
    }

    /// A report filled from the agreement's schedule: the same minutes on every working day.
    pub fn from_schedule(
        agreement_id: u64,
        month: Month,
        working_days: &[NaiveDate],
        minutes_per_day: u16,
        received: NaiveDate,
    ) -> MonthlyReport {
        let mut minutes = vec![0u16; month.days() as usize];
        for d in working_days.iter().filter(|d| month.contains(**d)) {
            minutes[d.day0() as usize] = minutes_per_day;
        }
        MonthlyReport {
            agreement: agreement_id,
            month,
            minutes,
            substitute_minutes: Vec::new(),
            absences: Vec::new(),
            status: ReportStatus::Received,
            received,
            note: String::new(),
            facts: None,
            warnings: Vec::new(),
        }
    }
}

/// The rules that need the agreement, the calendar and the assistant's other work.
pub struct ReportContext<'a> {
    pub agreement: &'a Agreement,
    pub suspensions: &'a [Suspension],
    /// The month's days as the calendar sees them (the agreement's hours are in proportion to
    /// its working days).
    pub days: &'a MonthDays,
    /// Minutes the agreement's assistant worked each day in every other report: for their other
    /// users, and this agreement's neighbouring months (a week can span two months).
    pub assistant_elsewhere: &'a BTreeMap<NaiveDate, u32>,
    /// The same for the agreement's substitute.
    pub substitute_elsewhere: &'a BTreeMap<NaiveDate, u32>,
    pub max_minutes_per_day: u32,
    pub max_minutes_per_week: u32,
    pub today: NaiveDate,
}

/// One person's minutes in a report (the assistant's or the substitute's row) with the limits
/// that are theirs: per day and per week, summed with their work elsewhere.
fn check_person_limits(
    p: &mut Problems,
    field: &str,
    row: &[u16],
    month: Month,
    elsewhere: &BTreeMap<NaiveDate, u32>,
    ctx: &ReportContext,
) {
    let own = |d: NaiveDate| -> u32 {
        if month.contains(d) {
            row.get(d.day0() as usize).map_or(0, |&m| u32::from(m))
        } else {
            0
        }
    };
    let other = |d: NaiveDate| elsewhere.get(&d).copied().unwrap_or(0);
    for (i, &m) in row.iter().enumerate() {
        let date = month.first_day() + Days::new(i as u64);
        if m > 0 && u32::from(m) + other(date) > ctx.max_minutes_per_day {
            p.add(
                field,
                Reason::DayOverLimit {
                    day: i as u32 + 1,
                    limit_minutes: ctx.max_minutes_per_day,
                },
            );
        }
    }
    // Every week (Monday to Sunday) that meets the month and holds some of this row's hours.
    let mut monday = month.first_day()
        - Days::new(u64::from(
            month.first_day().weekday().num_days_from_monday(),
        ));
    while monday <= month.last_day() {
        let week: Vec<NaiveDate> = monday.iter_days().take(7).collect();
        let mine: u32 = week.iter().map(|d| own(*d)).sum();
        let total: u32 = mine + week.iter().map(|d| other(*d)).sum::<u32>();
        if mine > 0 && total > ctx.max_minutes_per_week {
            let inside: Vec<u32> = week
                .iter()
                .filter(|d| month.contains(**d))
                .map(|d| d.day())
                .collect();
            p.add(
                field,
                Reason::WeekOverLimit {
                    from_day: inside.first().copied().unwrap_or(1),
                    to_day: inside.last().copied().unwrap_or(1),
                    limit_minutes: ctx.max_minutes_per_week,
                    found_minutes: total,
                },
            );
        }
        monday = monday + Days::new(7);
    }
}

/// Checks a report against its agreement and stores its cleaned note. Each refusal names the
/// day (or week) and the rule: hours only inside the agreement's period, not on suspended days,
/// not after today, not on the assistant's absences; the day and week limits of each person
/// over all their users; the month's total within the agreement's hours (in proportion when
/// it starts, ends or is suspended inside the month); the month not in the future.
pub fn check_report(r: &mut MonthlyReport, ctx: &ReportContext) -> Result<(), Vec<FieldError>> {
    let mut p = Problems::default();
    let days = r.month.days() as usize;
    let future_month = r.month > Month::of(ctx.today);
    if future_month {
        p.add(
            "month",
            Reason::FutureMonth {
                year: r.month.year,
                month: r.month.month,
            },
        );
    }
    if r.minutes.len() != days {
        p.add(
            "minutes",
            Reason::OutOfRange {
                min: days as i64,
                max: days as i64,
                found: r.minutes.len() as i64,
            },
        );
        return p.into_result();
    }
    if !r.substitute_minutes.is_empty() && r.substitute_minutes.len() != days {
        p.add(
            "substitute_minutes",
            Reason::OutOfRange {
                min: days as i64,
                max: days as i64,
                found: r.substitute_minutes.len() as i64,
            },
        );
        return p.into_result();
    }
    if ctx.agreement.substitute.is_none() && r.substitute_minutes.iter().any(|&m| m > 0) {
        p.add("substitute_minutes", Reason::NoSubstitute);
    }
    for (day, _) in &r.absences {
        if *day == 0 || *day as usize > days {
            p.add(
                "absences",
                Reason::OutOfRange {
                    min: 1,
                    max: days as i64,
                    found: i64::from(*day),
                },
            );
        }
    }
    for i in 0..days {
        let date = r.month.first_day() + Days::new(i as u64);
        let (own, sub) = (
            r.minutes[i],
            r.substitute_minutes.get(i).copied().unwrap_or(0),
        );
        let day = i as u32 + 1;
        if own == 0 && sub == 0 {
            continue;
        }
        if !ctx.agreement.covers(date) {
            p.add("minutes", Reason::ReportOutsidePeriod { day });
        } else if ctx.suspensions.iter().any(|s| s.covers(date)) {
            p.add("minutes", Reason::ReportedOnSuspendedDay { day });
        }
        if date > ctx.today && !future_month {
            p.add("minutes", Reason::DayInFuture { day });
        }
        for (_, absence) in r.absences.iter().filter(|(d, _)| *d == day) {
            // On leave or sick the substitute may work; with the user in hospital, no one.
            if own > 0 || (*absence == Absence::UserInHospital && sub > 0) {
                p.add("absences", Reason::HoursOnAbsence { day });
            }
        }
    }
    check_person_limits(
        &mut p,
        "minutes",
        &r.minutes,
        r.month,
        ctx.assistant_elsewhere,
        ctx,
    );
    if !r.substitute_minutes.is_empty() {
        check_person_limits(
            &mut p,
            "substitute_minutes",
            &r.substitute_minutes,
            r.month,
            ctx.substitute_elsewhere,
            ctx,
        );
    }
    let share = agreed_share(ctx.agreement, ctx.suspensions, ctx.days);
    if r.total_minutes() > share.minutes {
        p.add(
            "minutes",
            Reason::ReportOverAgreement {
                cap_minutes: share.minutes,
                found_minutes: r.total_minutes(),
                open_days: share.open_days,
                working_days: share.working_days,
            },
        );
    }
    p.clean("note", clean_text(&r.note, 2000, true), &mut r.note);
    p.into_result()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::WorkCalendar;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn check(r: &mut MonthlyReport, elsewhere: &BTreeMap<NaiveDate, u32>) -> Vec<Reason> {
        let a = Agreement::sample(d(2026, 7, 1), d(2026, 10, 15), [240; 7]);
        let days = WorkCalendar::default().month_days(r.month);
        let ctx = ReportContext {
            agreement: &a,
            suspensions: &[],
            days: &days,
            assistant_elsewhere: elsewhere,
            substitute_elsewhere: &BTreeMap::new(),
            max_minutes_per_day: 480,
            max_minutes_per_week: 2400,
            today: d(2026, 11, 17),
        };
        check_report(r, &ctx)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.reason)
            .collect()
    }

    #[test]
    fn the_week_and_the_share_of_a_month_the_agreement_ends_in() {
        let oct = Month::new(2026, 10).unwrap();
        let mut r = MonthlyReport::from_schedule(1, oct, &[], 0, d(2026, 11, 2));
        // Thursday 1 and Friday 2 October, 8 h each, after 25 h worked on 28–30 September.
        r.minutes[0] = 480;
        r.minutes[1] = 480;
        let sept: BTreeMap<NaiveDate, u32> = [
            (d(2026, 9, 28), 600),
            (d(2026, 9, 29), 600),
            (d(2026, 9, 30), 300),
        ]
        .into();
        assert_eq!(
            check(&mut r, &sept),
            [Reason::WeekOverLimit {
                from_day: 1,
                to_day: 4,
                limit_minutes: 2400,
                found_minutes: 41 * 60,
            }]
        );
        assert!(check(&mut r, &BTreeMap::new()).is_empty());
        // Until the 15th: 11 of October's 22 working days, so 42 of the 84 hours.
        for day in [5, 6, 7, 8] {
            r.minutes[day - 1] = 480;
        }
        r.minutes[8] = 600;
        assert_eq!(
            check(&mut r, &BTreeMap::new()),
            [
                Reason::DayOverLimit {
                    day: 9,
                    limit_minutes: 480
                },
                Reason::WeekOverLimit {
                    from_day: 5,
                    to_day: 11,
                    limit_minutes: 2400,
                    found_minutes: 42 * 60,
                },
                Reason::ReportOverAgreement {
                    cap_minutes: 42 * 60,
                    found_minutes: 58 * 60,
                    open_days: 11,
                    working_days: 22,
                }
            ]
        );
    }
}
