//! The Bulgarian working-day calendar (Labour Code чл. 154): fixed holidays, Orthodox Easter,
//! the weekend shift rule, and the government's per-year swaps kept in settings.

use super::{date::Month, Explain, Lang};
use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Days off added and working Saturdays declared by the government for a year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarRules {
    pub extra_days_off: Vec<NaiveDate>,
    pub extra_working_days: Vec<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Holiday {
    NewYear,
    Liberation,
    Labour,
    StGeorge,
    Culture,
    Unification,
    Independence,
    ChristmasEve,
    Christmas,
    Christmas2,
    GoodFriday,
    HolySaturday,
    Easter,
    EasterMonday,
}

impl Holiday {
    fn moves(self) -> bool {
        !matches!(
            self,
            Holiday::GoodFriday | Holiday::HolySaturday | Holiday::Easter | Holiday::EasterMonday
        )
    }
}

impl Explain for Holiday {
    fn explain(&self, lang: Lang) -> String {
        use Holiday::*;
        let (bg, en) = match self {
            NewYear => ("Нова година", "New Year's Day"),
            Liberation => ("Ден на Освобождението", "Liberation Day"),
            Labour => ("Ден на труда", "Labour Day"),
            StGeorge => ("Гергьовден", "St George's Day"),
            Culture => (
                "Ден на българската просвета и култура и на славянската писменост",
                "Day of Bulgarian Education and Culture",
            ),
            Unification => ("Ден на Съединението", "Unification Day"),
            Independence => ("Ден на Независимостта", "Independence Day"),
            ChristmasEve => ("Бъдни вечер", "Christmas Eve"),
            Christmas | Christmas2 => ("Рождество Христово", "Christmas Day"),
            GoodFriday => ("Велики петък", "Good Friday"),
            HolySaturday => ("Велика събота", "Holy Saturday"),
            Easter => ("Великден", "Easter Sunday"),
            EasterMonday => ("Великден (понеделник)", "Easter Monday"),
        };
        lang.pick(bg, en).to_string()
    }
}

/// Orthodox Easter (Meeus' Julian algorithm, +13 days to the Gregorian calendar for 1900–2099).
pub fn orthodox_easter(year: i32) -> NaiveDate {
    let a = year % 4;
    let b = year % 7;
    let c = year % 19;
    let d = (19 * c + 15) % 30;
    let e = (2 * a + 4 * b - d + 34) % 7;
    let month = (d + e + 114) / 31;
    let day = (d + e + 114) % 31 + 1;
    let julian = NaiveDate::from_ymd_opt(year, month as u32, day as u32).unwrap_or_default();
    julian + Days::new(13)
}

pub fn holidays(year: i32) -> Vec<(NaiveDate, Holiday)> {
    use Holiday::*;
    let fixed = [
        (1, 1, NewYear),
        (3, 3, Liberation),
        (5, 1, Labour),
        (5, 6, StGeorge),
        (5, 24, Culture),
        (9, 6, Unification),
        (9, 22, Independence),
        (12, 24, ChristmasEve),
        (12, 25, Christmas),
        (12, 26, Christmas2),
    ];
    let mut out: Vec<(NaiveDate, Holiday)> = fixed
        .iter()
        .filter_map(|&(m, d, h)| NaiveDate::from_ymd_opt(year, m, d).map(|date| (date, h)))
        .collect();
    let easter = orthodox_easter(year);
    for (offset, h) in [
        (-2i64, GoodFriday),
        (-1, HolySaturday),
        (0, Easter),
        (1, EasterMonday),
    ] {
        out.push((easter + chrono::Duration::days(offset), h));
    }
    out.sort_by_key(|(d, _)| *d);
    out
}

fn weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The weekdays off in a year: holidays on weekdays, the working days that replace fixed
/// holidays falling on a weekend, and the extra days off; less the extra working days.
pub fn days_off(year: i32, rules: &CalendarRules) -> Vec<NaiveDate> {
    let hol = holidays(year);
    let holiday_dates: BTreeSet<NaiveDate> = hol.iter().map(|(d, _)| *d).collect();
    let mut off: BTreeSet<NaiveDate> = holiday_dates
        .iter()
        .copied()
        .filter(|d| !weekend(*d))
        .collect();
    // Each fixed holiday on a weekend moves to the next working day not already taken.
    for (d, h) in &hol {
        if h.moves() && weekend(*d) {
            let mut next = *d + Days::new(1);
            while weekend(next) || off.contains(&next) || holiday_dates.contains(&next) {
                next = next + Days::new(1);
            }
            off.insert(next);
        }
    }
    off.extend(rules.extra_days_off.iter().filter(|d| d.year() == year));
    for d in &rules.extra_working_days {
        off.remove(d);
    }
    off.into_iter().collect()
}

pub fn is_working_day(date: NaiveDate, rules: &CalendarRules) -> bool {
    WorkCalendar::new(rules.clone()).is_working_day(date)
}

/// A calendar with its rules; years are computed as asked (a year is a dozen dates).
#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    rules: CalendarRules,
}

impl WorkCalendar {
    pub fn new(rules: CalendarRules) -> Self {
        WorkCalendar { rules }
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if self.rules.extra_working_days.contains(&d) {
            return true;
        }
        !weekend(d) && !days_off(d.year(), &self.rules).contains(&d)
    }

    /// What `d` is: working, weekend, holiday, day off or a working weekend day.
    pub fn day_kind(&self, d: NaiveDate) -> DayKind {
        self.month_days(Month::of(d))
            .kinds
            .get(d.day0() as usize)
            .copied()
            .unwrap_or(DayKind::Working)
    }

    /// Every day of a month with its kind; the year's holidays are computed once.
    pub fn month_days(&self, month: Month) -> MonthDays {
        let hol = holidays(month.year);
        let off = days_off(month.year, &self.rules);
        let kinds = Self::month_days_of(month.year, month.month)
            .map(|d| {
                if self.rules.extra_working_days.contains(&d) {
                    return if weekend(d) {
                        DayKind::ExtraWorking
                    } else {
                        DayKind::Working
                    };
                }
                if let Some((_, h)) = hol.iter().find(|(hd, _)| *hd == d) {
                    return DayKind::Holiday(*h);
                }
                if off.contains(&d) {
                    DayKind::DayOff
                } else if weekend(d) {
                    DayKind::Weekend
                } else {
                    DayKind::Working
                }
            })
            .collect();
        MonthDays { month, kinds }
    }

    /// Working days after `from` up to and including `to` (0 when `to` is not after `from`).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        from.iter_days()
            .skip(1)
            .take_while(|d| *d <= to)
            .filter(|d| self.is_working_day(*d))
            .count() as u32
    }

    /// `n` working days after `d` (not counting `d`).
    pub fn add_working_days(&self, d: NaiveDate, n: u32) -> NaiveDate {
        let mut day = d;
        let mut left = n;
        while left > 0 {
            day = day + Days::new(1);
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    fn month_days_of(year: i32, month: u32) -> impl Iterator<Item = NaiveDate> {
        (1..=31).filter_map(move |d| NaiveDate::from_ymd_opt(year, month, d))
    }

    pub fn working_days_in_month(&self, year: i32, month: u32) -> u32 {
        Self::month_days_of(year, month)
            .filter(|d| self.is_working_day(*d))
            .count() as u32
    }

    /// The last `n` working days of a month, oldest first.
    pub fn last_working_days(&self, year: i32, month: u32, n: u32) -> Vec<NaiveDate> {
        let mut days: Vec<NaiveDate> = Self::month_days_of(year, month)
            .filter(|d| self.is_working_day(*d))
            .collect();
        let keep = days.len().saturating_sub(n as usize);
        days.drain(..keep);
        days
    }
}

/// What a day is to the calendar (the grid of a monthly report marks each day so).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DayKind {
    /// A working weekday.
    Working,
    /// Saturday or Sunday, not declared working.
    Weekend,
    /// An official holiday, on whatever day of the week it falls.
    Holiday(Holiday),
    /// A weekday off that is no holiday itself: a holiday moved from a weekend, or a day off the
    /// government added.
    DayOff,
    /// A Saturday or Sunday the government declared working.
    ExtraWorking,
}

impl DayKind {
    pub fn is_working(self) -> bool {
        matches!(self, DayKind::Working | DayKind::ExtraWorking)
    }

    /// A holiday or a day off: no one works by the schedule (weekends follow the schedule).
    pub fn is_off(self) -> bool {
        matches!(self, DayKind::Holiday(_) | DayKind::DayOff)
    }
}

/// The days of one month as the calendar sees them, computed once (a month's checks and its
/// summary ask about every day, for every agreement).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthDays {
    pub month: Month,
    /// One per day of the month, the 1st first.
    pub kinds: Vec<DayKind>,
}

impl MonthDays {
    pub fn date(&self, index: usize) -> NaiveDate {
        self.month.first_day() + Days::new(index as u64)
    }

    pub fn working_days(&self) -> u32 {
        self.kinds.iter().filter(|k| k.is_working()).count() as u32
    }

    /// The days in order with what they are.
    pub fn iter(&self) -> impl Iterator<Item = (NaiveDate, DayKind)> + '_ {
        self.kinds
            .iter()
            .enumerate()
            .map(|(i, k)| (self.date(i), *k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn easter() {
        for (y, m, day) in [
            (2023, 4, 16),
            (2024, 5, 5),
            (2025, 4, 20),
            (2026, 4, 12),
            (2027, 5, 2),
            (2028, 4, 16),
        ] {
            assert_eq!(orthodox_easter(y), d(y, m, day), "{y}");
        }
    }

    #[test]
    fn days_off_2026() {
        let expected = [
            d(2026, 1, 1),
            d(2026, 3, 3),
            d(2026, 4, 10),
            d(2026, 4, 13),
            d(2026, 5, 1),
            d(2026, 5, 6),
            d(2026, 5, 25), // 24 May is a Sunday
            d(2026, 9, 7),  // 6 Sep is a Sunday
            d(2026, 9, 22),
            d(2026, 12, 24),
            d(2026, 12, 25),
            d(2026, 12, 28), // 26 Dec is a Saturday
        ];
        assert_eq!(days_off(2026, &CalendarRules::default()), expected);
    }

    #[test]
    fn a_weekend_christmas_moves_two_days() {
        // 2022: 24 Dec Saturday, 25 Sunday, 26 Monday: Tuesday and Wednesday are off.
        let off = days_off(2022, &CalendarRules::default());
        for day in [26, 27, 28] {
            assert!(off.contains(&d(2022, 12, day)), "{day}");
        }
        assert!(!off.contains(&d(2022, 12, 29)));
    }

    #[test]
    fn extra_days_from_settings() {
        let rules = CalendarRules {
            extra_days_off: vec![d(2026, 12, 31)],
            extra_working_days: vec![d(2026, 12, 12)],
        };
        let cal = WorkCalendar::new(rules);
        assert!(!cal.is_working_day(d(2026, 12, 31)));
        assert!(cal.is_working_day(d(2026, 12, 12)), "a working Saturday");
        assert!(!cal.is_working_day(d(2026, 12, 13)));
    }

    #[test]
    fn counting() {
        let cal = WorkCalendar::default();
        // May 2026: 21 weekdays, less 1, 6 and 25 May.
        assert_eq!(cal.working_days_in_month(2026, 5), 18);
        // December 2026: 24, 25 and 28 are off, so the last three are 29, 30, 31.
        assert_eq!(
            cal.last_working_days(2026, 12, 3),
            vec![d(2026, 12, 29), d(2026, 12, 30), d(2026, 12, 31)]
        );
        // From Wednesday 23 Dec 2026 (24, 25 and 28 off), two working days on: 29 and 30.
        assert_eq!(cal.add_working_days(d(2026, 12, 23), 2), d(2026, 12, 30));
        assert!(is_working_day(d(2026, 11, 24), &CalendarRules::default()));
    }
}
