//! The monthly hours report: for each agreement in force in a month, the hours it allows that
//! month beside the hours reported, and the report's state.

use super::{
    assistance::{Agreement, AgreementStatus, Suspension},
    calendar::WorkCalendar,
    date::Month,
    report::{MonthlyReport, ReportStatus},
    Lang,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RowStatus {
    /// Hours were due and no report came.
    Missing,
    /// Nothing was due (suspended for the whole month) and no report came.
    NotDue,
    Received,
    Accepted,
    Returned,
}

impl RowStatus {
    pub fn name(self, lang: Lang) -> &'static str {
        match self {
            RowStatus::Missing => lang.pick("липсва", "missing"),
            RowStatus::NotDue => lang.pick("не се дължи", "not due"),
            RowStatus::Received => lang.pick("получен", "received"),
            RowStatus::Accepted => lang.pick("приет", "accepted"),
            RowStatus::Returned => lang.pick("върнат", "returned"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthlyRow {
    pub agreement: u64,
    pub number: String,
    pub user: String,
    pub assistant: String,
    pub provider: String,
    pub agreed_minutes: u32,
    pub reported_minutes: u32,
    pub status: RowStatus,
}

impl MonthlyRow {
    /// Reported less agreed, in minutes (negative: fewer hours than the agreement allows).
    pub fn difference(&self) -> i64 {
        i64::from(self.reported_minutes) - i64::from(self.agreed_minutes)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthlySummary {
    pub month: Month,
    pub rows: Vec<MonthlyRow>,
}

impl MonthlySummary {
    /// (agreed, reported) minutes over every row.
    pub fn totals(&self) -> (u64, u64) {
        self.rows.iter().fold((0, 0), |(a, r), row| {
            (
                a + u64::from(row.agreed_minutes),
                r + u64::from(row.reported_minutes),
            )
        })
    }

    pub fn missing(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.status == RowStatus::Missing)
            .count()
    }
}

/// In force at some day of the month: concluded (not a draft) and its period meets the month.
pub fn in_force(a: &Agreement, month: Month) -> bool {
    a.status != AgreementStatus::Draft && a.from <= month.last_day() && month.first_day() <= a.to
}

/// The minutes an agreement allows in a month: its monthly hours in proportion to the month's
/// working days that fall in its period and outside its suspensions (all of them: the whole
/// monthly hours).
pub fn agreed_minutes(
    a: &Agreement,
    suspensions: &[Suspension],
    month: Month,
    cal: &WorkCalendar,
) -> u32 {
    let working: Vec<_> = month
        .first_day()
        .iter_days()
        .take_while(|d| month.contains(*d))
        .filter(|d| cal.is_working_day(*d))
        .collect();
    if working.is_empty() {
        return 0;
    }
    let open = working
        .iter()
        .filter(|d| a.covers(**d) && !suspensions.iter().any(|s| s.covers(**d)))
        .count();
    let full = u64::from(a.hours_per_month) * 60;
    (full * open as u64 / working.len() as u64) as u32
}

pub fn row_status(report: Option<&MonthlyReport>, agreed_minutes: u32) -> RowStatus {
    match report.map(|r| r.status) {
        None if agreed_minutes == 0 => RowStatus::NotDue,
        None => RowStatus::Missing,
        Some(ReportStatus::Received) => RowStatus::Received,
        Some(ReportStatus::Accepted) => RowStatus::Accepted,
        Some(ReportStatus::Returned) => RowStatus::Returned,
    }
}

/// Minutes as hours and minutes, "84:00", "-1:30".
pub fn format_hm(minutes: i64) -> String {
    let sign = if minutes < 0 { "-" } else { "" };
    let m = minutes.unsigned_abs();
    format!("{sign}{}:{:02}", m / 60, m % 60)
}

/// Minutes as decimal hours for spreadsheets, "82.50".
pub fn format_decimal_hours(minutes: i64) -> String {
    let sign = if minutes < 0 { "-" } else { "" };
    let m = minutes.unsigned_abs();
    format!("{sign}{}.{:02}", m / 60, (m % 60) * 100 / 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn agreement(from: NaiveDate, to: NaiveDate) -> Agreement {
        Agreement {
            number: "СП-2026-0001".into(),
            user: 1,
            assistant: 2,
            substitute: None,
            provider: 3,
            decision: 4,
            from,
            to,
            hours_per_month: 84,
            activities: String::new(),
            week: [0; 7],
            signed: None,
            status: AgreementStatus::Active,
            end_reason: None,
        }
    }

    #[test]
    fn a_whole_month_allows_the_monthly_hours_and_a_part_in_proportion() {
        let cal = WorkCalendar::default();
        let may = Month::new(2026, 5).unwrap();
        let whole = agreement(d(2026, 1, 1), d(2026, 12, 31));
        assert_eq!(agreed_minutes(&whole, &[], may, &cal), 84 * 60);
        // May 2026 has 18 working days; 4–8 May holds four of them (the 6th is off).
        let susp = Suspension {
            agreement: 9,
            from: d(2026, 5, 4),
            to: Some(d(2026, 5, 8)),
            reason: "hospital".into(),
            note: String::new(),
        };
        assert_eq!(
            agreed_minutes(&whole, &[susp], may, &cal),
            84 * 60 * 14 / 18
        );
        let ends = agreement(d(2026, 1, 1), d(2026, 4, 30));
        assert!(!in_force(&ends, may));
        assert_eq!(agreed_minutes(&ends, &[], may, &cal), 0);
    }

    #[test]
    fn status_and_formats() {
        assert_eq!(row_status(None, 0), RowStatus::NotDue);
        assert_eq!(row_status(None, 60), RowStatus::Missing);
        assert_eq!(format_hm(84 * 60), "84:00");
        assert_eq!(format_hm(-90), "-1:30");
        assert_eq!(format_decimal_hours(4950), "82.50");
        assert_eq!(format_decimal_hours(-20), "-0.33");
    }
}
