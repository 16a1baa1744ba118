//! The monthly hours report: for each agreement in force in a month, the hours it allows that
//! month beside the hours reported, and the report's state.

use super::{
    assistance::{Agreement, AgreementStatus, Suspension},
    calendar::{MonthDays, WorkCalendar},
    date::Month,
    pay::{PaidMinutes, PayLine},
    report::{MonthlyReport, Payee, ReportStatus},
    Lang,
};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
    /// The user's settlement (its EKATTE code, as on the person).
    pub settlement: String,
    pub assistant: String,
    pub provider: String,
    pub agreed_minutes: u32,
    /// The report's total: the assistant's and the substitute's minutes.
    pub reported_minutes: u32,
    pub status: RowStatus,
    pub user_id: u64,
    /// The assistant record.
    pub assistant_id: u64,
    pub provider_id: u64,
    pub substitute_id: Option<u64>,
    /// The substitute's name ("" without one).
    pub substitute: String,
    /// The substitute's part of `reported_minutes`.
    pub substitute_minutes: u32,
    /// The month's report, if one came.
    pub report: Option<u64>,
    /// What the pay counts: an accepted report's minutes per person and rate (nothing while
    /// the report is missing, received or returned), from the facts fixed at its acceptance.
    pub paid: Vec<PaidMinutes>,
}

impl MonthlyRow {
    /// Reported less agreed, in minutes (negative: fewer hours than the agreement allows).
    pub fn difference(&self) -> i64 {
        i64::from(self.reported_minutes) - i64::from(self.agreed_minutes)
    }
}

/// A closed month: its data went to АСП and its reports are read-only until a supervisor
/// reopens it. Stored in the meta tree, one value per month (see `store::months`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthClosing {
    pub month: Month,
    pub at: NaiveDateTime,
    /// The login that closed it.
    pub by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthlySummary {
    pub month: Month,
    pub rows: Vec<MonthlyRow>,
    /// Set when the month is closed.
    pub closed: Option<MonthClosing>,
    /// Working days in the month by the calendar.
    pub working_days: u32,
}

/// A month's hours over every agreement in force (or one provider's): the chart of the last
/// months on the month screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthTotals {
    pub month: Month,
    pub agreed_minutes: u64,
    pub reported_minutes: u64,
    /// The part of `reported_minutes` in accepted reports.
    pub accepted_minutes: u64,
}

/// The most months a trend is asked for (two years).
pub const MAX_TREND_MONTHS: u32 = 24;

/// One provider's part of a month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderTotal {
    pub provider: u64,
    pub name: String,
    pub agreements: usize,
    pub missing: usize,
    pub agreed_minutes: u64,
    pub reported_minutes: u64,
    /// Accepted minutes, the ones paid.
    pub paid_minutes: u64,
    /// The pay in each currency of the rates that applied, in cents (one currency a month
    /// but where a rate changes currency inside it).
    pub cents: Vec<(String, u64)>,
    /// The pay's euro value: the sum of the lines' euro values.
    pub eur_cents: u64,
}

impl ProviderTotal {
    /// A provider with nothing counted yet.
    pub fn new(provider: u64, name: String) -> ProviderTotal {
        ProviderTotal {
            provider,
            name,
            agreements: 0,
            missing: 0,
            agreed_minutes: 0,
            reported_minutes: 0,
            paid_minutes: 0,
            cents: Vec::new(),
            eur_cents: 0,
        }
    }

    /// Adds `amount` cents of `currency` to the pay.
    fn add_cents(&mut self, currency: &str, amount: u64) {
        match self.cents.iter_mut().find(|(c, _)| c == currency) {
            Some((_, sum)) => *sum += amount,
            None => self.cents.push((currency.to_string(), amount)),
        }
    }

    /// The month's totals over providers, as one more (provider 0, no name).
    pub fn sum<'a>(all: impl IntoIterator<Item = &'a ProviderTotal>) -> ProviderTotal {
        let mut t = ProviderTotal::new(0, String::new());
        for p in all {
            t.agreements += p.agreements;
            t.missing += p.missing;
            t.agreed_minutes += p.agreed_minutes;
            t.reported_minutes += p.reported_minutes;
            t.paid_minutes += p.paid_minutes;
            t.eur_cents += p.eur_cents;
            for (c, n) in &p.cents {
                t.add_cents(c, *n);
            }
        }
        t
    }
}

impl MonthlySummary {
    /// The rows of one provider's agreements only.
    pub fn for_provider(&self, provider: u64) -> MonthlySummary {
        MonthlySummary {
            rows: self
                .rows
                .iter()
                .filter(|r| r.provider_id == provider)
                .cloned()
                .collect(),
            ..self.clone()
        }
    }

    /// The month's pay: one line per provider, assistant (or substitute) and rate, from the
    /// accepted reports; ordered by provider, then assistant's name.
    pub fn pay_lines(&self) -> Vec<PayLine> {
        self.payroll_lines(&BTreeMap::new())
            .into_iter()
            .map(|(l, _)| l)
            .collect()
    }

    /// The pay lines with who is paid, as each accepted report fixed it (`payees`: by
    /// agreement, from the reports' facts; the summary itself carries no account, as it goes
    /// to every clerk): an assistant paid into two accounts in one month (the account changed
    /// between two acceptances) has a line for each.
    pub fn payroll_lines(
        &self,
        payees: &BTreeMap<u64, Vec<Payee>>,
    ) -> Vec<(PayLine, Option<Payee>)> {
        let mut names: BTreeMap<u64, &str> = BTreeMap::new();
        for r in &self.rows {
            names.insert(r.assistant_id, &r.assistant);
            if let Some(s) = r.substitute_id {
                names.insert(s, &r.substitute);
            }
        }
        let mut lines: Vec<(PayLine, Option<Payee>)> = Vec::new();
        for r in &self.rows {
            for p in &r.paid {
                let payee = payees
                    .get(&r.agreement)
                    .and_then(|v| v.iter().find(|x| x.assistant == p.assistant));
                let same = |(l, x): &&mut (PayLine, Option<Payee>)| {
                    l.provider == r.provider_id
                        && l.assistant == p.assistant
                        && l.rate == p.rate
                        && x.as_ref() == payee
                };
                match lines.iter_mut().find(same) {
                    Some((l, _)) => l.minutes += p.minutes,
                    None => lines.push((
                        PayLine {
                            provider: r.provider_id,
                            provider_name: r.provider.clone(),
                            assistant: p.assistant,
                            name: names.get(&p.assistant).copied().unwrap_or_default().into(),
                            minutes: p.minutes,
                            rate: p.rate.clone(),
                            cents: 0,
                            eur_cents: None,
                        },
                        payee.cloned(),
                    )),
                }
            }
        }
        let mut lines: Vec<(PayLine, Option<Payee>)> =
            lines.into_iter().map(|(l, p)| (l.priced(), p)).collect();
        let key = |l: &PayLine| {
            (
                l.provider_name.clone(),
                l.provider,
                l.name.clone(),
                l.assistant,
                l.rate.as_ref().map(|r| r.from),
            )
        };
        lines.sort_by(|(a, pa), (b, pb)| {
            key(a).cmp(&key(b)).then_with(|| {
                let iban = |p: &Option<Payee>| p.as_ref().map(|p| p.iban.as_str().to_string());
                iban(pa).cmp(&iban(pb))
            })
        });
        lines
    }

    /// Each provider's agreements, hours, missing reports and pay, by provider name.
    pub fn providers(&self) -> Vec<ProviderTotal> {
        let mut out: Vec<ProviderTotal> = Vec::new();
        for r in &self.rows {
            let t = match out.iter_mut().position(|t| t.provider == r.provider_id) {
                Some(i) => &mut out[i],
                None => {
                    out.push(ProviderTotal::new(r.provider_id, r.provider.clone()));
                    out.last_mut().expect("just pushed")
                }
            };
            t.agreements += 1;
            t.missing += usize::from(r.status == RowStatus::Missing);
            t.agreed_minutes += u64::from(r.agreed_minutes);
            t.reported_minutes += u64::from(r.reported_minutes);
        }
        for l in self.pay_lines() {
            let Some(t) = out.iter_mut().find(|t| t.provider == l.provider) else {
                continue;
            };
            t.paid_minutes += u64::from(l.minutes);
            t.eur_cents += l.eur_cents.unwrap_or(0);
            if l.rate.is_some() {
                t.add_cents(l.currency(), l.cents);
            }
        }
        out.sort_by(|a, b| (&a.name, a.provider).cmp(&(&b.name, b.provider)));
        out
    }

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

/// The part of its monthly hours an agreement allows in a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Share {
    pub minutes: u32,
    /// Working days of the month in the agreement's period and not suspended.
    pub open_days: u32,
    pub working_days: u32,
}

/// The minutes an agreement allows in a month: its monthly hours in proportion to the month's
/// working days that fall in its period and outside its suspensions (all of them: the whole
/// monthly hours), rounded down to the minute.
///
/// Working days, not calendar days: the schedule's hours are worked on working days, so an
/// agreement from the 16th of a month with half of its working days gets half of its hours,
/// whatever weekends and holidays the two halves hold; and a suspension over a weekend costs
/// no hours. The monthly summary's "agreed" column and the report's check use this one rule.
pub fn agreed_share(a: &Agreement, suspensions: &[Suspension], days: &MonthDays) -> Share {
    let mut working = 0u32;
    let mut open = 0u32;
    for (d, kind) in days.iter() {
        if kind.is_working() {
            working += 1;
            if a.covers(d) && !suspensions.iter().any(|s| s.covers(d)) {
                open += 1;
            }
        }
    }
    let full = u64::from(a.hours_per_month) * 60;
    let minutes = if working == 0 {
        0
    } else {
        (full * u64::from(open) / u64::from(working)) as u32
    };
    Share {
        minutes,
        open_days: open,
        working_days: working,
    }
}

pub fn agreed_minutes(
    a: &Agreement,
    suspensions: &[Suspension],
    month: Month,
    cal: &WorkCalendar,
) -> u32 {
    agreed_share(a, suspensions, &cal.month_days(month)).minutes
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

    #[test]
    fn a_whole_month_allows_the_monthly_hours_and_a_part_in_proportion() {
        let cal = WorkCalendar::default();
        let may = Month::new(2026, 5).unwrap();
        let whole = Agreement::sample(d(2026, 1, 1), d(2026, 12, 31), [0; 7]);
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
        let ends = Agreement::sample(d(2026, 1, 1), d(2026, 4, 30), [0; 7]);
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
