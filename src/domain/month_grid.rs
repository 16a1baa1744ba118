//! The grid of a monthly report: the month's days as the calendar and the agreement see them,
//! filled from the agreement's weekly schedule or from last month's pattern; hours typed as
//! "4", "3.5", "3,5" or "3:30", or a month's total spread over the schedule's days.

use super::{
    assistance::{Agreement, Suspension},
    calendar::{DayKind, MonthDays},
    reason::Reason,
    report::MonthlyReport,
};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// Why no hours may be reported on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Blocked {
    /// Before the agreement's start or after its end.
    Outside,
    /// In one of the agreement's suspensions.
    Suspended,
}

/// One day of the grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GridDay {
    pub date: NaiveDate,
    pub kind: DayKind,
    pub blocked: Option<Blocked>,
}

impl GridDay {
    /// Hours may be reported on it.
    pub fn open(&self) -> bool {
        self.blocked.is_none()
    }

    fn weekday(&self) -> usize {
        self.date.weekday().num_days_from_monday() as usize
    }
}

/// The month's days for one agreement: each with its calendar kind, and blocked outside the
/// agreement's period or in a suspension.
pub fn month_grid(days: &MonthDays, a: &Agreement, suspensions: &[Suspension]) -> Vec<GridDay> {
    days.iter()
        .map(|(date, kind)| GridDay {
            date,
            kind,
            blocked: if !a.covers(date) {
                Some(Blocked::Outside)
            } else if suspensions.iter().any(|s| s.covers(date)) {
                Some(Blocked::Suspended)
            } else {
                None
            },
        })
        .collect()
}

/// The minutes most weekdays (Monday to Friday) of a schedule have, the larger on a tie; 0 when
/// none has any.
fn usual_weekday(week: &[u32; 7]) -> u32 {
    let mut best = (0usize, 0u32);
    for &m in week[..5].iter().filter(|m| **m > 0) {
        let n = week[..5].iter().filter(|x| **x == m).count();
        if (n, m) > best {
            best = (n, m);
        }
    }
    best.1
}

/// The minutes a schedule gives a day. None on blocked days and days off (holidays, holidays
/// moved from a weekend, the government's extra days off); a weekend day follows the schedule's
/// own Saturday or Sunday. A weekend day the government declared working stands for a weekday
/// taken off: it takes its own weekday's minutes if the schedule has any, else the minutes most
/// weekdays have.
pub fn day_minutes(day: &GridDay, week: &[u32; 7]) -> u32 {
    if !day.open() || day.kind.is_off() {
        return 0;
    }
    let own = week[day.weekday()];
    if day.kind == DayKind::ExtraWorking && own == 0 {
        return usual_weekday(week);
    }
    own
}

fn to_minutes(m: u32) -> u16 {
    u16::try_from(m.min(24 * 60)).unwrap_or(24 * 60)
}

/// "Fill from the schedule": the month's minutes, day by day, from a weekly schedule (Monday
/// first, as `Agreement::week`).
pub fn fill_from_schedule(grid: &[GridDay], week: &[u32; 7]) -> Vec<u16> {
    grid.iter()
        .map(|d| to_minutes(day_minutes(d, week)))
        .collect()
}

/// The weekly pattern of a month's minutes: for each weekday, the minutes most of its open days
/// held (days off left out), the larger on a tie; 0 for a weekday with no such day.
pub fn week_pattern(grid: &[GridDay], minutes: &[u16]) -> [u32; 7] {
    let mut week = [0u32; 7];
    for (wd, slot) in week.iter_mut().enumerate() {
        let values: Vec<u32> = grid
            .iter()
            .zip(minutes)
            .filter(|(d, _)| d.weekday() == wd && d.open() && !d.kind.is_off())
            // A working weekend day stands for another weekday: not this weekday's pattern.
            .filter(|(d, _)| d.kind != DayKind::ExtraWorking)
            .map(|(_, m)| u32::from(*m))
            .collect();
        let mut best = (0usize, 0u32);
        for &m in &values {
            let n = values.iter().filter(|x| **x == m).count();
            if (n, m) > best {
                best = (n, m);
            }
        }
        *slot = best.1;
    }
    week
}

/// "Copy last month": last month's weekday pattern laid on this month's grid, for the
/// assistant's row and the substitute's (empty when last month had none).
pub fn copy_last_month(
    last_grid: &[GridDay],
    last: &MonthlyReport,
    grid: &[GridDay],
) -> (Vec<u16>, Vec<u16>) {
    let own = fill_from_schedule(grid, &week_pattern(last_grid, &last.minutes));
    let substitute = if last.substitute_minutes.iter().any(|&m| m > 0) {
        fill_from_schedule(grid, &week_pattern(last_grid, &last.substitute_minutes))
    } else {
        Vec::new()
    };
    (own, substitute)
}

/// Hours as a clerk types them, in minutes: "4", "3.5", "3,5", "3:30", "0:45", ":30"; blank is
/// 0. At most 24 hours; fractions to the minute ("0.1" is 6 minutes).
pub fn parse_hours(input: &str) -> Result<u16, Reason> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(0);
    }
    let digits = |t: &str, most: usize| {
        !t.is_empty() && t.len() <= most && t.bytes().all(|b| b.is_ascii_digit())
    };
    // Whole hours: up to two digits, none before ":30" or ".5".
    let whole = |t: &str| -> Result<u32, Reason> {
        match t {
            "" => Ok(0),
            t if digits(t, 2) => t.parse().map_err(|_| Reason::BadHours),
            _ => Err(Reason::BadHours),
        }
    };
    let minutes = if let Some((h, m)) = s.split_once(':') {
        if !(m.len() == 2 && digits(m, 2)) {
            return Err(Reason::BadHours);
        }
        let m: u32 = m.parse().map_err(|_| Reason::BadHours)?;
        if m >= 60 {
            return Err(Reason::BadHours);
        }
        whole(h)? * 60 + m
    } else if let Some((h, f)) = s.split_once(['.', ',']) {
        if !digits(f, 2) {
            return Err(Reason::BadHours);
        }
        let scale = 10u32.pow(f.len() as u32);
        let frac: u32 = f.parse().map_err(|_| Reason::BadHours)?;
        // The fraction of an hour, rounded to the nearest minute.
        whole(h)? * 60 + (frac * 120 + scale) / (2 * scale)
    } else {
        whole(s)? * 60
    };
    if minutes > 24 * 60 {
        return Err(Reason::OutOfRange {
            min: 0,
            max: 24,
            found: i64::from(minutes / 60),
        });
    }
    u16::try_from(minutes).map_err(|_| Reason::BadHours)
}

/// A month's total spread over the days in proportion to what the schedule gives each (evenly
/// over the open working days when the schedule gives none), in whole quarter hours when the
/// total is one, the rest going to the days with the largest remainders, earlier days first.
/// None when there is no day to spread over.
pub fn spread_total(total_minutes: u32, grid: &[GridDay], week: &[u32; 7]) -> Option<Vec<u16>> {
    let mut weights: Vec<u64> = grid.iter().map(|d| day_minutes(d, week).into()).collect();
    if weights.iter().all(|w| *w == 0) {
        weights = grid
            .iter()
            .map(|d| u64::from(d.open() && d.kind.is_working()))
            .collect();
    }
    let sum: u64 = weights.iter().sum();
    if sum == 0 {
        return (total_minutes == 0).then(|| vec![0; grid.len()]);
    }
    let unit: u64 = if total_minutes.is_multiple_of(15) {
        15
    } else {
        1
    };
    let units = u64::from(total_minutes) / unit;
    let mut out: Vec<u64> = weights.iter().map(|w| units * w / sum).collect();
    let left = units - out.iter().sum::<u64>();
    let mut order: Vec<usize> = (0..grid.len()).filter(|i| weights[*i] > 0).collect();
    // Largest remainder first; the sort is stable, so earlier days win ties.
    order.sort_by_key(|i| std::cmp::Reverse(units * weights[*i] % sum));
    for i in order.iter().cycle().take(left as usize) {
        out[*i] += 1;
    }
    Some(
        out.into_iter()
            .map(|u| to_minutes((u * unit) as u32))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        calendar::{CalendarRules, Holiday, WorkCalendar},
        date::Month,
    };

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn suspension(from: NaiveDate, to: NaiveDate) -> Suspension {
        Suspension {
            agreement: 9,
            from,
            to: Some(to),
            reason: "hospital".into(),
            note: String::new(),
        }
    }

    #[test]
    fn the_schedule_fills_working_days_inside_the_agreement() {
        // May 2026: 1 (Fri) and 6 (Wed) are holidays, 24 (Sun) moves to Monday 25.
        let cal = WorkCalendar::default();
        let may = Month::new(2026, 5).unwrap();
        let a = Agreement::sample(
            d(2026, 5, 4),
            d(2026, 12, 31),
            [240, 240, 180, 240, 120, 60, 0],
        );
        let susp = [suspension(d(2026, 5, 18), d(2026, 5, 19))];
        let grid = month_grid(&cal.month_days(may), &a, &susp);
        assert_eq!(grid[0].blocked, Some(Blocked::Outside));
        assert_eq!(grid[0].kind, DayKind::Holiday(Holiday::Labour));
        assert_eq!(grid[17].blocked, Some(Blocked::Suspended));
        assert_eq!(grid[24].kind, DayKind::DayOff);
        let m = fill_from_schedule(&grid, &a.week);
        assert_eq!(&m[..3], &[0, 0, 0], "before the 4th");
        assert_eq!(
            &m[3..10],
            &[240, 240, 0, 240, 120, 60, 0],
            "4–10 May, the 6th off"
        );
        assert_eq!((m[17], m[18]), (0, 0), "suspended");
        assert_eq!(m[24], 0, "the moved holiday");
        assert_eq!(m[23], 0, "a holiday on a Sunday gets nothing either");
        assert_eq!(m.len(), 31);
    }

    #[test]
    fn a_working_saturday_stands_for_a_weekday() {
        let rules = CalendarRules {
            extra_days_off: vec![d(2026, 1, 2)],
            extra_working_days: vec![d(2026, 1, 17)],
        };
        let cal = WorkCalendar::new(rules);
        let jan = Month::new(2026, 1).unwrap();
        let a = Agreement::sample(
            d(2026, 1, 1),
            d(2026, 12, 31),
            [240, 240, 240, 240, 180, 0, 0],
        );
        let grid = month_grid(&cal.month_days(jan), &a, &[]);
        assert_eq!(grid[1].kind, DayKind::DayOff);
        assert_eq!(grid[16].kind, DayKind::ExtraWorking);
        let m = fill_from_schedule(&grid, &a.week);
        assert_eq!(m[1], 0, "the extra day off");
        assert_eq!(m[16], 240, "the working Saturday: the usual weekday");
        assert_eq!(m[17], 0, "Sunday");
    }

    #[test]
    fn last_months_pattern_on_this_months_days() {
        let cal = WorkCalendar::default();
        let (apr, may) = (Month::new(2026, 4).unwrap(), Month::new(2026, 5).unwrap());
        let a = Agreement::sample(d(2026, 1, 1), d(2026, 12, 31), [0; 7]);
        let last_grid = month_grid(&cal.month_days(apr), &a, &[]);
        // April 2026 as worked: Mondays 3 h, Wednesdays 2 h, Fridays 4 h, but Good Friday (10)
        // and Easter Monday (13) off, and one Friday (24) only 1 h.
        let mut minutes = vec![0u16; 30];
        for g in &last_grid {
            let i = g.date.day0() as usize;
            minutes[i] = match g.date.weekday().num_days_from_monday() {
                0 => 180,
                2 => 120,
                4 => 240,
                _ => 0,
            };
            if g.kind.is_off() {
                minutes[i] = 0;
            }
        }
        minutes[23] = 60;
        let mut last = MonthlyReport::from_schedule(5, apr, &[], 0, d(2026, 5, 4));
        last.minutes = minutes.clone();
        assert_eq!(
            week_pattern(&last_grid, &minutes),
            [180, 0, 120, 0, 240, 0, 0]
        );
        let grid = month_grid(&cal.month_days(may), &a, &[]);
        let (own, sub) = copy_last_month(&last_grid, &last, &grid);
        assert!(sub.is_empty());
        // May: Friday 1 is Labour Day; Monday 4 gets 3 h, Wednesday 6 is St George's Day.
        assert_eq!(&own[..8], &[0, 0, 0, 180, 0, 0, 0, 240]);
        assert_eq!(own, fill_from_schedule(&grid, &[180, 0, 120, 0, 240, 0, 0]));
    }

    #[test]
    fn hours_as_typed() {
        for (s, m) in [
            ("4", 240),
            ("3.5", 210),
            ("3,5", 210),
            ("3:30", 210),
            ("0:45", 45),
            (":30", 30),
            ("0.25", 15),
            (" 8 ", 480),
            ("", 0),
            ("24", 1440),
        ] {
            assert_eq!(parse_hours(s), Ok(m), "{s:?}");
        }
        for s in ["x", "3:60", "3:5:1", "-1", "1e3", "3.", "3:"] {
            assert_eq!(parse_hours(s), Err(Reason::BadHours), "{s:?}");
        }
        assert!(matches!(parse_hours("25"), Err(Reason::OutOfRange { .. })));
    }

    #[test]
    fn a_total_spreads_over_the_schedule() {
        let cal = WorkCalendar::default();
        let nov = Month::new(2026, 11).unwrap();
        let a = Agreement::sample(
            d(2026, 1, 1),
            d(2026, 12, 31),
            [240, 240, 240, 240, 240, 0, 0],
        );
        let grid = month_grid(&cal.month_days(nov), &a, &[]);
        // November 2026 has 21 working days; 84 h over them: 4 h each.
        let m = spread_total(84 * 60, &grid, &a.week).unwrap();
        assert_eq!(m.iter().map(|&x| u32::from(x)).sum::<u32>(), 84 * 60);
        assert_eq!(m, fill_from_schedule(&grid, &a.week));
        // 10 h: forty quarter hours over 21 days, the first 19 days get two.
        let m = spread_total(600, &grid, &a.week).unwrap();
        assert_eq!(m.iter().map(|&x| u32::from(x)).sum::<u32>(), 600);
        assert!(m.iter().all(|&x| x == 0 || x == 15 || x == 30), "{m:?}");
        // Without a schedule: evenly over the working days; with nowhere to go: None.
        let none = Agreement::sample(d(2026, 1, 1), d(2026, 12, 31), [0; 7]);
        assert_eq!(
            spread_total(7, &grid, &none.week)
                .unwrap()
                .iter()
                .sum::<u16>(),
            7
        );
        let ended = Agreement::sample(d(2026, 1, 1), d(2026, 10, 31), [0; 7]);
        let blocked = month_grid(&cal.month_days(nov), &ended, &[]);
        assert_eq!(spread_total(60, &blocked, &ended.week), None);
        assert_eq!(spread_total(0, &blocked, &ended.week), Some(vec![0; 30]));
    }
}
