//! Dates as clerks type them (`dd.mm.yyyy`, `ddmmyy`, …) and calendar months.

use super::{Explain, Lang};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DateError {
    Empty,
    Format,
    NoSuchDate { day: u32, month: u32, year: i32 },
}

fn date(day: u32, month: u32, year: i32) -> Result<NaiveDate, DateError> {
    NaiveDate::from_ymd_opt(year, month, day).ok_or(DateError::NoSuchDate { day, month, year })
}

/// How a two-digit year is read.
#[derive(Clone, Copy)]
enum TwoDigits {
    /// Deadlines, decisions, periods: this century unless that is more than ten years ahead.
    Near,
    /// Birth dates: always in the past, the latest such day not after today ("…25" typed in
    /// 2026 is 2025, "…30" is 1930; a day later this year than today is last century's).
    Past,
}

fn full_year(yy: i32, day: u32, month: u32, today: NaiveDate, rule: TwoDigits) -> i32 {
    let this = 2000 + yy;
    let in_this_century = match rule {
        TwoDigits::Near => this <= today.year() + 10,
        TwoDigits::Past => match NaiveDate::from_ymd_opt(this, month, day) {
            Some(d) => d <= today,
            // No such day (refused below with this year's number unless it is ahead).
            None => this <= today.year(),
        },
    };
    if in_this_century {
        this
    } else {
        1900 + yy
    }
}

fn num(s: &str) -> Option<u32> {
    (!s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())?
}

/// A date as typed: `dd.mm.yyyy`, `d.m.yy`, `ddmmyy`, `ddmmyyyy`, `yyyy-mm-dd` (`/` and `-`
/// too). A two-digit year is this century unless that is more than ten years ahead.
pub fn parse_date(input: &str, today: NaiveDate) -> Result<NaiveDate, DateError> {
    parse_with(input, today, TwoDigits::Near)
}

/// A birth date as typed, the same forms; a two-digit year is never in the future.
pub fn parse_birth_date(input: &str, today: NaiveDate) -> Result<NaiveDate, DateError> {
    parse_with(input, today, TwoDigits::Past)
}

fn parse_with(input: &str, today: NaiveDate, rule: TwoDigits) -> Result<NaiveDate, DateError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(DateError::Empty);
    }
    let short = |d: u32, m: u32, yy: u32| date(d, m, full_year(yy as i32, d, m, today, rule));
    if s.bytes().all(|b| b.is_ascii_digit()) {
        let n = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
        return match s.len() {
            6 => short(n(0..2), n(2..4), n(4..6)),
            8 => date(n(0..2), n(2..4), n(4..8) as i32),
            _ => Err(DateError::Format),
        };
    }
    let parts: Vec<&str> = s.split(['.', '/', '-']).collect();
    if parts.len() != 3 {
        return Err(DateError::Format);
    }
    let (a, b, c) = (num(parts[0]), num(parts[1]), num(parts[2]));
    match (a, b, c, parts[0].len(), parts[2].len()) {
        // ISO: yyyy-mm-dd
        (Some(y), Some(m), Some(d), 4, 1..=2) => date(d, m, y as i32),
        (Some(d), Some(m), Some(y), 1..=2, 4) => date(d, m, y as i32),
        (Some(d), Some(m), Some(y), 1..=2, 2) => short(d, m, y),
        _ => Err(DateError::Format),
    }
}

pub fn format_date(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// The years a month may name: the office's records start in the last century and a month far
/// ahead is a typing error.
pub const MONTH_YEARS: std::ops::RangeInclusive<i32> = 1900..=2199;

/// A calendar month (monthly reports, deadlines). Deserialization checks it like `new`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "RawMonth")]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

/// A month as it travels, before it is checked (the same fields, so the same bytes).
#[derive(Deserialize)]
struct RawMonth {
    year: i32,
    month: u32,
}

impl TryFrom<RawMonth> for Month {
    type Error = DateError;

    fn try_from(m: RawMonth) -> Result<Month, DateError> {
        Month::new(m.year, m.month).ok_or(DateError::NoSuchDate {
            day: 1,
            month: m.month,
            year: m.year,
        })
    }
}

impl Month {
    /// Months 1..=12 of a year in `MONTH_YEARS`.
    pub fn new(year: i32, month: u32) -> Option<Month> {
        ((1..=12).contains(&month) && MONTH_YEARS.contains(&year)).then_some(Month { year, month })
    }

    pub fn of(d: NaiveDate) -> Month {
        Month {
            year: d.year(),
            month: d.month(),
        }
    }

    pub fn first_day(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or_default()
    }

    pub fn next(&self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    pub fn prev(&self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    pub fn last_day(&self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or_default()
    }

    pub fn days(&self) -> u32 {
        self.last_day().day()
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        Month::of(d) == *self
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// "2026-11", "11.2026" or "11/2026".
pub fn parse_month(input: &str) -> Result<Month, DateError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(DateError::Empty);
    }
    let parts: Vec<&str> = s.split(['-', '.', '/']).collect();
    let (year, month) = match parts.as_slice() {
        [y, m] if y.len() == 4 => (num(y), num(m)),
        [m, y] if y.len() == 4 => (num(y), num(m)),
        _ => return Err(DateError::Format),
    };
    match (year, month) {
        (Some(y), Some(m)) => Month::new(y as i32, m).ok_or(DateError::NoSuchDate {
            day: 1,
            month: m,
            year: y as i32,
        }),
        _ => Err(DateError::Format),
    }
}

impl std::fmt::Display for DateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.explain(Lang::En))
    }
}

impl std::error::Error for DateError {}

impl Explain for DateError {
    fn explain(&self, lang: Lang) -> String {
        match (self, lang) {
            (DateError::Empty, _) => lang.pick("датата не е въведена", "no date entered").into(),
            (DateError::Format, _) => lang
                .pick(
                    "въведете датата като дд.мм.гггг или ддммгг",
                    "type the date as dd.mm.yyyy or ddmmyy",
                )
                .into(),
            (DateError::NoSuchDate { day, month, year }, Lang::Bg) => {
                format!("{day:02}.{month:02}.{year} не съществува")
            }
            (DateError::NoSuchDate { day, month, year }, Lang::En) => {
                format!("{day:02}.{month:02}.{year} does not exist")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn accepted() {
        let today = d(2026, 11, 24);
        let cases = [
            ("05.12.1980", d(1980, 12, 5)),
            ("5.12.1980", d(1980, 12, 5)),
            ("05/12/1980", d(1980, 12, 5)),
            ("05-12-1980", d(1980, 12, 5)),
            ("051280", d(1980, 12, 5)),
            ("05121980", d(1980, 12, 5)),
            ("010126", d(2026, 1, 1)),
            ("01.01.36", d(2036, 1, 1)),
            ("01.01.37", d(1937, 1, 1)),
            ("1980-12-05", d(1980, 12, 5)),
            ("29.02.2024", d(2024, 2, 29)),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_date(input, today), Ok(expected), "{input}");
        }
    }

    #[test]
    fn two_digit_birth_years_are_never_in_the_future() {
        let today = d(2026, 12, 6);
        let cases = [
            // Earlier this year or last year: this century.
            ("010125", d(2025, 1, 1)),
            ("010126", d(2026, 1, 1)),
            ("06.12.26", d(2026, 12, 6)),
            // Later this year, or a year ahead: the last century.
            ("071226", d(1926, 12, 7)),
            ("010127", d(1927, 1, 1)),
            ("15.03.30", d(1930, 3, 15)),
            ("050580", d(1980, 5, 5)),
            // 29 February 2000 was a day; four digits are taken as typed.
            ("290200", d(2000, 2, 29)),
            ("01.01.2030", d(2030, 1, 1)),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_birth_date(input, today), Ok(expected), "{input}");
        }
        // Other dates keep the ten-years-ahead rule: a deadline typed 010130 is 2030.
        assert_eq!(parse_date("010130", today), Ok(d(2030, 1, 1)));
        assert_eq!(parse_date("071226", today), Ok(d(2026, 12, 7)));
        // A day that no year of that pair has stays refused.
        assert_eq!(
            parse_birth_date("290201", today),
            Err(DateError::NoSuchDate {
                day: 29,
                month: 2,
                year: 2001
            })
        );
    }

    #[test]
    fn refused() {
        let today = d(2026, 11, 24);
        assert_eq!(parse_date("", today), Err(DateError::Empty));
        assert_eq!(parse_date("5 dec", today), Err(DateError::Format));
        assert_eq!(parse_date("1.2", today), Err(DateError::Format));
        assert_eq!(parse_date("12345", today), Err(DateError::Format));
        assert_eq!(
            parse_date("29.02.2025", today),
            Err(DateError::NoSuchDate {
                day: 29,
                month: 2,
                year: 2025
            })
        );
        assert!(DateError::NoSuchDate {
            day: 31,
            month: 2,
            year: 2026
        }
        .explain(Lang::Bg)
        .contains("31.02.2026 не съществува"));
    }

    #[test]
    fn months() {
        let m = parse_month("2026-02").unwrap();
        assert_eq!(m, parse_month("02.2026").unwrap());
        assert_eq!(m.days(), 28);
        assert_eq!(m.to_string(), "2026-02");
        assert_eq!(
            Month::new(2026, 12).unwrap().next(),
            Month::new(2027, 1).unwrap()
        );
        assert_eq!(
            Month::new(2026, 1).unwrap().prev(),
            Month::new(2025, 12).unwrap()
        );
        assert_eq!(
            parse_month("13.2026"),
            Err(DateError::NoSuchDate {
                day: 1,
                month: 13,
                year: 2026
            })
        );
        assert!(m.contains(d(2026, 2, 28)));
    }

    #[test]
    fn months_decode_through_new() {
        let config = bincode::config::standard();
        let decode = |year: i32, month: u32| {
            let raw = Month { year, month };
            let bytes = bincode::serde::encode_to_vec(raw, config).unwrap();
            bincode::serde::decode_from_slice::<Month, _>(&bytes, config).map(|(m, _)| m)
        };
        assert_eq!(decode(2026, 12).unwrap(), Month::new(2026, 12).unwrap());
        for (y, m) in [(2026, 13), (2026, 0), (-5, 1), (99_999, 1), (1899, 12)] {
            assert!(decode(y, m).is_err(), "{y}-{m}");
            assert_eq!(Month::new(y, m), None);
        }
    }
}
