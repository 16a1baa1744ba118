//! The assistant's monthly report of hours: one per agreement per month.

use super::{
    assistance::{Agreement, Suspension},
    calendar::MonthDays,
    date::Month,
    monthly::agreed_share,
    reason::{FieldError, Problems, Reason},
    text::clean_text,
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
