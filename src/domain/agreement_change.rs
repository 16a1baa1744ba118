//! What a change of an agreement does to its months: the one check every change goes through
//! (its assistant, substitute, provider, user, hours, period, ending, a replacement, a
//! suspension, putting it in force). A month is touched when the change moves its figures
//! (the agreement in force there or not, the hours it allows) or its report (who is paid, the
//! provider, days with hours now outside the period or suspended, a total over the new share,
//! a substitute's hours without a substitute). A touched closed month refuses the change (its
//! data went to АСП); a touched accepted report refuses it too (it is returned for correction
//! first, with a reason in the audit log: a routine edit never moves accepted pay); a touched
//! report not yet accepted goes back for correction in the same commit.

use super::{
    assistance::{Agreement, Suspension},
    calendar::WorkCalendar,
    date::Month,
    monthly::{agreed_share, in_force},
    reason::Reason,
    report::{MonthlyReport, ReportStatus},
    Explain, Lang,
};
use chrono::Days;
use serde::{Deserialize, Serialize};

/// An agreement with its suspensions: what its months are computed from.
#[derive(Clone, Copy)]
pub struct Terms<'a> {
    pub agreement: &'a Agreement,
    pub suspensions: &'a [Suspension],
}

/// A report sent back for correction by a change of its agreement (told in the save's answer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    pub report: u64,
    pub agreement: u64,
    /// The agreement's number.
    pub number: String,
    pub month: Month,
}

impl Explain for Correction {
    fn explain(&self, lang: Lang) -> String {
        let m = format!("{:02}.{}", self.month.month, self.month.year);
        match lang {
            Lang::Bg => format!("отчетът за {m} по {} е върнат за корекция", self.number),
            Lang::En => format!(
                "the report of {m} under {} was returned for correction",
                self.number
            ),
        }
    }
}

/// The first thing that makes a report wrong under some terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Problem {
    OutsidePeriod(u32),
    Suspended(u32),
    NoSubstitute,
    OverShare,
}

fn problem(t: Terms, r: &MonthlyReport, cal: &WorkCalendar) -> Option<Problem> {
    let a = t.agreement;
    for i in 0..r.minutes.len() {
        let own = r.minutes[i];
        let sub = r.substitute_minutes.get(i).copied().unwrap_or(0);
        if own == 0 && sub == 0 {
            continue;
        }
        let day = r.month.first_day() + Days::new(i as u64);
        if !a.covers(day) || !in_force(a, r.month) {
            return Some(Problem::OutsidePeriod(i as u32 + 1));
        }
        if t.suspensions.iter().any(|s| s.covers(day)) {
            return Some(Problem::Suspended(i as u32 + 1));
        }
    }
    if a.substitute.is_none() && r.substitute_minutes.iter().any(|m| *m > 0) {
        return Some(Problem::NoSubstitute);
    }
    let share = agreed_share(a, t.suspensions, &cal.month_days(r.month));
    (r.total_minutes() > share.minutes).then_some(Problem::OverShare)
}

/// Whether the change moves who or what a report pays.
fn moves_pay(before: &Agreement, after: &Agreement, r: &MonthlyReport) -> bool {
    let own = r.minutes.iter().any(|m| *m > 0);
    let sub = r.substitute_minutes.iter().any(|m| *m > 0);
    before.user != after.user
        || (own && before.assistant != after.assistant)
        || (sub && before.substitute != after.substitute)
        || ((own || sub) && before.provider != after.provider)
}

/// The minutes an agreement's terms allow in a month, None when not in force then.
fn figures(t: Option<Terms>, month: Month, cal: &WorkCalendar) -> Option<u32> {
    let t = t?;
    in_force(t.agreement, month)
        .then(|| agreed_share(t.agreement, t.suspensions, &cal.month_days(month)).minutes)
}

/// Why a change is refused: the reason, to be given on the field the caller names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub Reason);

/// Checks a change of an agreement's terms from `before` (None: the agreement is new) to
/// `after` against its reports (`(id, report)`) and the closed months. Answers with the
/// reports to send back for correction (received or returned ones the change touches), or the
/// refusal for the first touched month that is closed or whose report is accepted.
pub fn check_change(
    agreement_id: u64,
    before: Option<Terms>,
    after: Terms,
    reports: &[(u64, MonthlyReport)],
    closed: &[Month],
    cal: &WorkCalendar,
) -> Result<Vec<Correction>, Refusal> {
    let mut months: Vec<Month> = closed
        .iter()
        .copied()
        .chain(reports.iter().map(|(_, r)| r.month))
        .collect();
    months.sort();
    months.dedup();
    let mut out = Vec::new();
    for month in months {
        let report = reports.iter().find(|(_, r)| r.month == month);
        let moved = figures(before, month, cal) != figures(Some(after), month, cal);
        let touched = report.is_some_and(|(_, r)| {
            let pay = before.is_some_and(|b| moves_pay(b.agreement, after.agreement, r));
            let now = problem(after, r, cal);
            pay || (now.is_some() && now != before.and_then(|b| problem(b, r, cal)))
        });
        let (year, m) = (month.year, month.month);
        if closed.contains(&month) && (moved || touched) {
            return Err(Refusal(Reason::ChangeInClosedMonth { year, month: m }));
        }
        let Some((id, r)) = report.filter(|_| touched) else {
            continue;
        };
        if r.status == ReportStatus::Accepted {
            // A suspension over an accepted report's hours names the day, as it always did.
            if let Some(Problem::Suspended(day)) = problem(after, r, cal) {
                let day = month.first_day() + Days::new(u64::from(day) - 1);
                return Err(Refusal(Reason::SuspensionOverReport { day }));
            }
            return Err(Refusal(Reason::ChangeMovesAcceptedReport {
                year,
                month: m,
            }));
        }
        out.push(Correction {
            report: *id,
            agreement: agreement_id,
            number: after.agreement.number.clone(),
            month,
        });
    }
    Ok(out)
}

/// The field a change of the agreement is refused on: the first of its terms that changed.
pub fn changed_field(before: Option<&Agreement>, after: &Agreement) -> &'static str {
    let Some(b) = before else { return "from" };
    if b.user != after.user {
        "user"
    } else if b.assistant != after.assistant {
        "assistant"
    } else if b.substitute != after.substitute {
        "substitute"
    } else if b.provider != after.provider {
        "provider"
    } else if b.hours_per_month != after.hours_per_month {
        "hours_per_month"
    } else if b.from != after.from {
        "from"
    } else if b.to != after.to {
        "to"
    } else {
        "status"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::assistance::AgreementStatus;
    use chrono::NaiveDate;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn oct() -> Month {
        Month::new(2026, 10).unwrap()
    }

    /// 2 h on every weekday of October 2026 (22 of them: 44 h of 84).
    fn report(status: ReportStatus) -> MonthlyReport {
        let cal = WorkCalendar::default();
        let days: Vec<NaiveDate> = oct()
            .first_day()
            .iter_days()
            .take(31)
            .filter(|x| cal.is_working_day(*x))
            .collect();
        let mut r = MonthlyReport::from_schedule(9, oct(), &days, 120, d(2026, 11, 2));
        r.status = status;
        r
    }

    fn check(
        before: &Agreement,
        after: &Agreement,
        r: MonthlyReport,
        closed: &[Month],
    ) -> Result<Vec<Correction>, Refusal> {
        let t = |a| Terms {
            agreement: a,
            suspensions: &[],
        };
        check_change(
            9,
            Some(t(before)),
            t(after),
            &[(5, r)],
            closed,
            &WorkCalendar::default(),
        )
    }

    #[test]
    fn an_accepted_or_closed_month_refuses_and_an_open_report_goes_back() {
        let a = Agreement::sample(d(2026, 7, 1), d(2027, 6, 30), [120; 7]);
        let other = Agreement {
            assistant: 7,
            ..a.clone()
        };
        let closed = Reason::ChangeInClosedMonth {
            year: 2026,
            month: 10,
        };
        let accepted = Reason::ChangeMovesAcceptedReport {
            year: 2026,
            month: 10,
        };
        // Another assistant: October's hours were the first one's.
        assert_eq!(
            check(&a, &other, report(ReportStatus::Accepted), &[oct()]),
            Err(Refusal(closed.clone()))
        );
        assert_eq!(
            check(&a, &other, report(ReportStatus::Accepted), &[]),
            Err(Refusal(accepted.clone()))
        );
        let back = check(&a, &other, report(ReportStatus::Received), &[]).unwrap();
        assert_eq!((back[0].report, back[0].month), (5, oct()));
        // Ended on 5 October: the hours after it move.
        let ended = Agreement {
            to: d(2026, 10, 5),
            status: AgreementStatus::Ended,
            ..a.clone()
        };
        assert_eq!(
            check(&a, &ended, report(ReportStatus::Accepted), &[]),
            Err(Refusal(accepted))
        );
        // Ended on 31 October (November on, nothing reported or closed): nothing moves.
        let later = Agreement {
            to: d(2026, 10, 31),
            ..ended.clone()
        };
        assert_eq!(
            check(&a, &later, report(ReportStatus::Accepted), &[oct()]),
            Ok(vec![])
        );
        // More hours move a closed month's figures; in an open month the report still holds.
        let more = Agreement {
            hours_per_month: 100,
            ..a.clone()
        };
        assert_eq!(
            check(&a, &more, report(ReportStatus::Accepted), &[oct()]),
            Err(Refusal(closed))
        );
        assert_eq!(
            check(&a, &more, report(ReportStatus::Accepted), &[]),
            Ok(vec![])
        );
        // The schedule and the activities move nothing.
        let week = Agreement {
            week: [0; 7],
            activities: "битови".into(),
            ..a.clone()
        };
        assert_eq!(
            check(&a, &week, report(ReportStatus::Accepted), &[oct()]),
            Ok(vec![])
        );
    }

    #[test]
    fn a_suspension_over_accepted_hours_names_the_day() {
        let a = Agreement::sample(d(2026, 7, 1), d(2027, 6, 30), [120; 7]);
        let s = [Suspension {
            agreement: 9,
            from: d(2026, 10, 3),
            to: Some(d(2026, 10, 9)),
            reason: "hospital".into(),
            note: String::new(),
        }];
        let t = |s| Terms {
            agreement: &a,
            suspensions: s,
        };
        let r = check_change(
            9,
            Some(t(&[])),
            t(&s),
            &[(5, report(ReportStatus::Accepted))],
            &[],
            &WorkCalendar::default(),
        );
        assert_eq!(
            r,
            Err(Refusal(Reason::SuspensionOverReport {
                day: d(2026, 10, 5)
            }))
        );
    }
}
