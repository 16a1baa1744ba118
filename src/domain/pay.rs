//! Assistants' pay: hours at the hourly rate in force each day (a dated table in the settings),
//! in integer cents of the rate's currency, with the euro value of lev amounts (Bulgaria uses
//! the euro since 1 Jan 2026 at the fixed rate 1 EUR = 1.95583 BGN).

use super::{date::Month, monthly::format_hm, settings::PayRate, Lang};
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// Leva to the euro, as a fraction: 1.95583 = 195583 / 100000.
const BGN_PER_EUR: (u64, u64) = (195_583, 100_000);

/// The rate in force on `day`: the latest that starts on or before it (the settings keep them
/// sorted by date, but any order works).
pub fn rate_on(rates: &[PayRate], day: NaiveDate) -> Option<&PayRate> {
    rates
        .iter()
        .filter(|r| r.from <= day)
        .max_by_key(|r| r.from)
}

/// The pay for `minutes` at `cents_per_hour`, rounded half up to the cent.
pub fn amount_cents(minutes: u64, cents_per_hour: u32) -> u64 {
    (minutes * u64::from(cents_per_hour) + 30) / 60
}

/// The euro value of an amount: euro as it is, leva divided by 1.95583 and rounded half up to
/// the cent; None for any other currency.
pub fn eur_cents(cents: u64, currency: &str) -> Option<u64> {
    match currency {
        "EUR" => Some(cents),
        "BGN" => {
            let (num, den) = BGN_PER_EUR;
            // cents × den / num, half up: (2·x·den + num) / (2·num).
            Some((2 * cents * den + num) / (2 * num))
        }
        _ => None,
    }
}

/// Cents as "1234.56", or "1234,56" with a decimal comma (spreadsheets in Bulgarian).
pub fn format_cents(cents: u64, decimal_comma: bool) -> String {
    let sep = if decimal_comma { ',' } else { '.' };
    format!("{}{sep}{:02}", cents / 100, cents % 100)
}

/// Money of a pay line or total: "314.16 EUR".
pub fn money(cents: u64, currency: &str) -> String {
    format!("{} {currency}", format_cents(cents, false))
}

/// A pay line's words (the report and the month screen write them alike): hours × rate = amount (= its euro value when in leva).
pub fn pay_cells(l: &PayLine, lang: Lang) -> [String; 4] {
    let hours = format_hm(l.minutes.into());
    match &l.rate {
        Some(r) => [
            hours,
            money(r.cents_per_hour.into(), &r.currency),
            money(l.cents, &r.currency),
            match l.eur_cents {
                Some(e) if r.currency != "EUR" => money(e, "EUR"),
                _ => String::new(),
            },
        ],
        None => [
            hours,
            lang.pick("няма ставка", "no rate").to_string(),
            String::new(),
            String::new(),
        ],
    }
}

/// A provider's or the month's pay: "314.16 EUR", or "656.04 BGN = 335.43 EUR" (the report and
/// the month screen write it alike).
pub fn pay_total(cents: &[(String, u64)], eur_cents: u64) -> String {
    let others: Vec<String> = cents
        .iter()
        .filter(|(c, _)| c != "EUR")
        .map(|(c, n)| money(*n, c))
        .collect();
    let eur = money(eur_cents, "EUR");
    if others.is_empty() {
        eur
    } else {
        format!("{} = {eur}", others.join(" + "))
    }
}

/// Minutes one person worked in one report, at one rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaidMinutes {
    /// The assistant record paid (the agreement's assistant or its substitute).
    pub assistant: u64,
    /// The rate in force on those days; None for days before the first rate.
    pub rate: Option<PayRate>,
    pub minutes: u32,
}

/// A row of minutes (one per day of `month`) split by the rate in force each day, in date order.
pub fn paid_minutes(
    row: &[u16],
    month: Month,
    assistant: u64,
    rates: &[PayRate],
) -> Vec<PaidMinutes> {
    let mut out: Vec<PaidMinutes> = Vec::new();
    for (i, &m) in row.iter().enumerate().filter(|(_, m)| **m > 0) {
        let rate = rate_on(rates, month.first_day() + Days::new(i as u64)).cloned();
        match out.iter_mut().find(|p| p.rate == rate) {
            Some(p) => p.minutes += u32::from(m),
            None => out.push(PaidMinutes {
                assistant,
                rate,
                minutes: u32::from(m),
            }),
        }
    }
    out
}

/// One line of a month's pay: an assistant's accepted hours for one provider at one rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayLine {
    pub provider: u64,
    pub provider_name: String,
    pub assistant: u64,
    pub name: String,
    pub minutes: u32,
    pub rate: Option<PayRate>,
    /// In the rate's currency (0 without a rate).
    pub cents: u64,
    /// The euro value (None for a currency other than EUR and BGN, or without a rate).
    pub eur_cents: Option<u64>,
}

impl PayLine {
    /// Money follows the minutes and the rate: computed once here, so every total adds up.
    pub fn priced(mut self) -> PayLine {
        match &self.rate {
            Some(r) => {
                self.cents = amount_cents(self.minutes.into(), r.cents_per_hour);
                self.eur_cents = eur_cents(self.cents, &r.currency);
            }
            None => {
                self.cents = 0;
                self.eur_cents = None;
            }
        }
        self
    }

    pub fn currency(&self) -> &str {
        self.rate.as_ref().map_or("", |r| r.currency.as_str())
    }
}

/// A payroll line for the accountant: the pay line with the assistant's full ЕГН/ЛНЧ and IBAN
/// (handed out only by the audited payroll request).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayrollLine {
    pub line: PayLine,
    pub ident: String,
    pub iban: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn rate(from: NaiveDate, cents: u32, currency: &str) -> PayRate {
        PayRate {
            from,
            cents_per_hour: cents,
            currency: currency.into(),
        }
    }

    #[test]
    fn the_rate_in_force_and_the_money() {
        let rates = [
            rate(d(2026, 1, 1), 374, "EUR"),
            rate(d(2024, 1, 1), 781, "BGN"),
        ];
        assert_eq!(rate_on(&rates, d(2023, 12, 31)), None);
        assert_eq!(rate_on(&rates, d(2025, 12, 31)).unwrap().currency, "BGN");
        assert_eq!(rate_on(&rates, d(2026, 1, 1)).unwrap().currency, "EUR");
        // 84 h at 3.74 EUR: 314.16; 82 h 30 min at 7.81 BGN: 644.325 → 644.33.
        assert_eq!(amount_cents(84 * 60, 374), 31416);
        assert_eq!(amount_cents(82 * 60 + 30, 781), 64433);
        // 644.33 BGN / 1.95583 = 329.4355... → 329.44 EUR; 1.00 BGN = 0.5113 → 0.51.
        assert_eq!(eur_cents(64433, "BGN"), Some(32944));
        assert_eq!(eur_cents(100, "BGN"), Some(51));
        assert_eq!(eur_cents(195583, "BGN"), Some(100000));
        assert_eq!(eur_cents(5, "EUR"), Some(5));
        assert_eq!(eur_cents(5, "USD"), None);
        assert_eq!(format_cents(31416, false), "314.16");
        assert_eq!(format_cents(7, true), "0,07");
    }

    #[test]
    fn a_month_splits_where_the_rate_changes() {
        let rates = [
            rate(d(2024, 1, 1), 781, "BGN"),
            rate(d(2025, 12, 15), 800, "BGN"),
        ];
        let dec = Month::new(2025, 12).unwrap();
        let mut row = vec![0u16; 31];
        row[0] = 240; // the 1st, at 7.81
        row[13] = 120; // the 14th, at 7.81
        row[14] = 60; // the 15th, at 8.00
        let paid = paid_minutes(&row, dec, 9, &rates);
        assert_eq!(paid.len(), 2);
        assert_eq!(
            (
                paid[0].minutes,
                paid[0].rate.as_ref().unwrap().cents_per_hour
            ),
            (360, 781)
        );
        assert_eq!(
            (
                paid[1].minutes,
                paid[1].rate.as_ref().unwrap().cents_per_hour
            ),
            (60, 800)
        );
        assert!(paid_minutes(&row, dec, 9, &[])
            .iter()
            .all(|p| p.rate.is_none()));
    }
}
