//! The assistant's monthly report of hours: one per agreement per month.

use super::{
    assistance::{Agreement, Suspension},
    date::Month,
    reason::{FieldError, Problems, Reason},
    text::clean_text,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

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
            use chrono::Datelike;
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
        }
    }
}

/// The rules that need the agreement and the assistant's other work that month.
pub struct ReportContext<'a> {
    pub agreement: &'a Agreement,
    pub suspensions: &'a [Suspension],
    /// Per-day minutes of the same assistant's reports for other users in the same month.
    pub other_minutes: &'a [Vec<u16>],
    pub max_minutes_per_day: u32,
    pub today: NaiveDate,
}

/// Checks a report against its agreement and stores its cleaned note.
pub fn check_report(r: &mut MonthlyReport, ctx: &ReportContext) -> Result<(), Vec<FieldError>> {
    let mut p = Problems::default();
    let days = r.month.days() as usize;
    if r.month > Month::of(ctx.today) {
        p.add("month", Reason::InFuture);
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
        p.add("substitute_minutes", Reason::Required);
        return p.into_result();
    }
    for (i, date) in (0..days).map(|i| (i, r.month.first_day() + chrono::Days::new(i as u64))) {
        let own =
            u32::from(r.minutes[i]) + r.substitute_minutes.get(i).map_or(0, |&m| u32::from(m));
        let day = i as u32 + 1;
        if own == 0 {
            continue;
        }
        if !ctx.agreement.covers(date) {
            p.add("minutes", Reason::ReportOutsidePeriod { day });
        } else if ctx.suspensions.iter().any(|s| s.covers(date)) {
            p.add("minutes", Reason::ReportedOnSuspendedDay { day });
        }
        // The per-day limit is the assistant's, summed over every user they serve.
        let others: u32 = ctx
            .other_minutes
            .iter()
            .map(|o| o.get(i).map_or(0, |&m| u32::from(m)))
            .sum();
        if u32::from(r.minutes[i]) + others > ctx.max_minutes_per_day {
            p.add(
                "minutes",
                Reason::DayOverLimit {
                    day,
                    limit_minutes: ctx.max_minutes_per_day,
                },
            );
        }
    }
    let cap = ctx.agreement.hours_per_month.saturating_mul(60);
    if r.total_minutes() > cap {
        p.add(
            "minutes",
            Reason::HoursOverCap {
                cap,
                found: r.total_minutes(),
            },
        );
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
    p.clean("note", clean_text(&r.note, 2000, true), &mut r.note);
    p.into_result()
}
