//! The municipality's settings: its settlements, deadlines and limits. Values the law leaves to
//! the municipality, or that we could not confirm, live here as data and never as constants.

use super::{
    calendar::CalendarRules,
    reason::{FieldError, Problems, Reason},
    text::clean_text,
};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settlement {
    /// EKATTE code (5 digits).
    pub ekatte: String,
    pub name: String,
}

/// A coded reason with its wording in both languages (suspension and ending reasons).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coded {
    pub code: String,
    pub bg: String,
    pub en: String,
}

/// An hourly pay rate from a date on, in integer cents of its currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayRate {
    pub from: chrono::NaiveDate,
    pub cents_per_hour: u32,
    pub currency: String,
}

/// Days each referral step may take, counted from the day the step was entered (ЗСУ: the
/// provider has 20 days for its assessment and offer; the others are the municipality's own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepDays {
    /// Requested: days to make the preliminary assessment.
    pub requested: u32,
    /// Assessed: days to refer.
    pub assessed: u32,
    /// Referred: days the provider has to decide.
    pub referred: u32,
    /// Accepted: days until the service starts.
    pub accepted: u32,
}

impl Default for StepDays {
    fn default() -> Self {
        StepDays {
            requested: 7,
            assessed: 7,
            referred: 20,
            accepted: 14,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub municipality: String,
    pub settlements: Vec<Settlement>,
    /// Days given to remedy a missing document in an application.
    pub remedy_days: u32,
    /// Validity in years of a needs assessment for a lifelong decision.
    pub lifelong_assessment_years: u32,
    /// No new agreements in the last N working days of a month.
    pub no_new_agreements_last_days: u32,
    pub agreements_start_on_first: bool,
    pub max_minutes_per_day: u32,
    pub max_minutes_per_week: u32,
    /// Assistant support (ЗСУ чл. 93): usual cap per day.
    pub assistant_support_minutes_per_day: u32,
    /// Alert this many days before a decision or направление expires.
    pub expiry_alert_days: u32,
    pub idle_lock_minutes: u32,
    pub retention_years: u32,
    pub calendar: CalendarRules,
    pub suspension_reasons: Vec<Coded>,
    pub end_reasons: Vec<Coded>,
    pub pay_rates: Vec<PayRate>,
    /// The most unsaved forms a clerk keeps; saving one more drops the oldest.
    pub drafts_per_clerk: u32,
    /// Drafts older than this many days are dropped.
    pub draft_days: u32,
    /// Deadlines of the referral steps.
    pub step_days: StepDays,
    /// The agenda shows disability decisions and направления expiring within this many days.
    pub decision_alert_days: u32,
    /// The agenda shows agreements and contracts ending within this many days.
    pub agreement_alert_days: u32,
    /// The day of the month by which the month before goes to АСП.
    pub asp_report_day: u32,
    /// How many days ahead the agenda looks by default.
    pub agenda_days: u32,
    /// The ratings a monitoring visit gives a service.
    pub visit_ratings: Vec<Coded>,
    /// The items an application-declaration is checked for (ЗЛП).
    pub checklist: Vec<Coded>,
}

impl Settings {
    pub fn settlement_codes(&self) -> Vec<String> {
        self.settlements.iter().map(|s| s.ekatte.clone()).collect()
    }

    pub fn settlement_name(&self, code: &str) -> Option<&str> {
        self.settlements
            .iter()
            .find(|s| s.ekatte == code)
            .map(|s| s.name.as_str())
    }
}

/// The allowed range of each number in the settings: wide enough for any municipality's rule,
/// narrow enough to catch a typing error (a deadline of 2000 days, 0 minutes a day).
pub const RANGES: [(&str, u32, u32); 20] = [
    ("remedy_days", 1, 365),
    ("lifelong_assessment_years", 1, 50),
    ("no_new_agreements_last_days", 0, 15),
    ("max_minutes_per_day", 1, 24 * 60),
    ("max_minutes_per_week", 1, 7 * 24 * 60),
    ("assistant_support_minutes_per_day", 1, 24 * 60),
    ("expiry_alert_days", 0, 365),
    // 0: the console never locks.
    ("idle_lock_minutes", 0, 240),
    ("retention_years", 1, 100),
    ("pay_rates", 1, 1_000_000),
    // 64 KiB drafts × 50 stay well inside one answer.
    ("drafts_per_clerk", 1, 50),
    ("draft_days", 1, 365),
    ("step_days.requested", 1, 365),
    ("step_days.assessed", 1, 365),
    ("step_days.referred", 1, 365),
    ("step_days.accepted", 1, 365),
    ("decision_alert_days", 0, 365),
    ("agreement_alert_days", 0, 365),
    // A day every month has.
    ("asp_report_day", 1, 28),
    ("agenda_days", 0, 90),
];

fn in_range(p: &mut Problems, field: &str, value: u32) {
    if let Some(&(_, min, max)) = RANGES.iter().find(|(f, ..)| *f == field) {
        if !(min..=max).contains(&value) {
            p.add(
                field,
                Reason::OutOfRange {
                    min: min.into(),
                    max: max.into(),
                    found: value.into(),
                },
            );
        }
    }
}

/// Flags the second and later occurrences of a key in a list.
fn unique<'a>(p: &mut Problems, field: &str, keys: impl Iterator<Item = &'a str>) {
    let mut seen = HashSet::new();
    for k in keys {
        if !seen.insert(k) {
            p.add(field, Reason::Duplicate { value: k.into() });
        }
    }
}

fn clean_coded(p: &mut Problems, field: &str, list: &mut [Coded]) {
    for c in list.iter_mut() {
        c.code = c.code.trim().to_string();
        let code_ok = !c.code.is_empty()
            && c.code.len() <= 40
            && c.code
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_');
        if !code_ok {
            p.add(field, Reason::UnknownCode);
        }
        p.required(field, &c.bg);
        p.clean(field, clean_text(&c.bg, 200, false), &mut c.bg);
        p.required(field, &c.en);
        p.clean(field, clean_text(&c.en, 200, false), &mut c.en);
    }
    unique(p, field, list.iter().map(|c| c.code.as_str()));
}

impl Settings {
    /// Checks the settings like any record and rewrites them cleaned: names trimmed and
    /// collapsed, the calendar's and the pay rates' dates in order without repeats.
    pub fn validate(&mut self) -> Result<(), Vec<FieldError>> {
        let mut p = Problems::default();
        p.required("municipality", &self.municipality);
        p.clean(
            "municipality",
            clean_text(&self.municipality, 120, false),
            &mut self.municipality,
        );
        for s in &mut self.settlements {
            s.ekatte = s.ekatte.trim().to_string();
            if !(s.ekatte.len() == 5 && s.ekatte.bytes().all(|b| b.is_ascii_digit())) {
                p.add("settlements", Reason::BadEkatte);
            }
            p.required("settlements", &s.name);
            p.clean("settlements", clean_text(&s.name, 120, false), &mut s.name);
        }
        unique(
            &mut p,
            "settlements",
            self.settlements.iter().map(|s| s.ekatte.as_str()),
        );
        let numbers = [
            ("remedy_days", self.remedy_days),
            ("lifelong_assessment_years", self.lifelong_assessment_years),
            (
                "no_new_agreements_last_days",
                self.no_new_agreements_last_days,
            ),
            ("max_minutes_per_day", self.max_minutes_per_day),
            ("max_minutes_per_week", self.max_minutes_per_week),
            (
                "assistant_support_minutes_per_day",
                self.assistant_support_minutes_per_day,
            ),
            ("expiry_alert_days", self.expiry_alert_days),
            ("idle_lock_minutes", self.idle_lock_minutes),
            ("retention_years", self.retention_years),
            ("drafts_per_clerk", self.drafts_per_clerk),
            ("draft_days", self.draft_days),
            ("step_days.requested", self.step_days.requested),
            ("step_days.assessed", self.step_days.assessed),
            ("step_days.referred", self.step_days.referred),
            ("step_days.accepted", self.step_days.accepted),
            ("decision_alert_days", self.decision_alert_days),
            ("agreement_alert_days", self.agreement_alert_days),
            ("asp_report_day", self.asp_report_day),
            ("agenda_days", self.agenda_days),
        ];
        for (field, value) in numbers {
            in_range(&mut p, field, value);
        }
        if self.max_minutes_per_week < self.max_minutes_per_day {
            p.add(
                "max_minutes_per_week",
                Reason::OutOfRange {
                    min: self.max_minutes_per_day.into(),
                    max: (7 * 24 * 60).into(),
                    found: self.max_minutes_per_week.into(),
                },
            );
        }
        let cal = &mut self.calendar;
        for days in [&mut cal.extra_days_off, &mut cal.extra_working_days] {
            days.sort();
            days.dedup();
        }
        if let Some(d) = cal
            .extra_days_off
            .iter()
            .find(|d| cal.extra_working_days.contains(d))
        {
            p.add(
                "calendar",
                Reason::Duplicate {
                    value: super::date::format_date(*d),
                },
            );
        }
        clean_coded(&mut p, "suspension_reasons", &mut self.suspension_reasons);
        clean_coded(&mut p, "end_reasons", &mut self.end_reasons);
        clean_coded(&mut p, "visit_ratings", &mut self.visit_ratings);
        clean_coded(&mut p, "checklist", &mut self.checklist);
        self.pay_rates.sort_by_key(|r| r.from);
        for r in &mut self.pay_rates {
            in_range(&mut p, "pay_rates", r.cents_per_hour);
            r.currency = r.currency.trim().to_ascii_uppercase();
            if !(r.currency.len() == 3 && r.currency.bytes().all(|b| b.is_ascii_uppercase())) {
                p.add("pay_rates", Reason::UnknownCode);
            }
        }
        let dates: Vec<String> = self
            .pay_rates
            .iter()
            .map(|r| super::date::format_date(r.from))
            .collect();
        unique(&mut p, "pay_rates", dates.iter().map(String::as_str));
        p.into_result()
    }
}

fn coded(code: &str, bg: &str, en: &str) -> Coded {
    Coded {
        code: code.into(),
        bg: bg.into(),
        en: en.into(),
    }
}

impl Default for Settings {
    fn default() -> Self {
        let date = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).expect("valid constant date");
        Settings {
            municipality: String::new(),
            settlements: Vec::new(),
            remedy_days: 14,
            lifelong_assessment_years: 5,
            no_new_agreements_last_days: 3,
            agreements_start_on_first: true,
            max_minutes_per_day: 8 * 60,
            max_minutes_per_week: 40 * 60,
            assistant_support_minutes_per_day: 4 * 60,
            expiry_alert_days: 30,
            idle_lock_minutes: 10,
            retention_years: 5,
            calendar: CalendarRules::default(),
            suspension_reasons: vec![
                coded("hospital", "болнично лечение", "hospital stay"),
                coded("abroad", "пребиваване в чужбина", "stay abroad"),
            ],
            end_reasons: vec![
                coded("wish", "по желание на ползвателя", "the user's wish"),
                coded("death", "смърт", "death"),
                coded(
                    "napravlenie",
                    "ново или изтекло направление",
                    "new or expired направление",
                ),
                coded(
                    "decision",
                    "ново или изтекло експертно решение",
                    "new or expired expert decision",
                ),
                coded(
                    "moved",
                    "смяна на адреса извън общината",
                    "moved out of the municipality",
                ),
                coded(
                    "residential",
                    "настаняване в резидентна грижа",
                    "residential care",
                ),
                coded(
                    "other_service",
                    "друга услуга за същите нужди",
                    "another service for the same needs",
                ),
                coded(
                    "contract_end",
                    "прекратен трудов договор на асистента",
                    "the assistant's contract ended",
                ),
                coded(
                    "violation",
                    "нарушения, установени при проверка",
                    "violations found at a check",
                ),
            ],
            pay_rates: vec![
                PayRate {
                    from: date(2024, 1, 1),
                    cents_per_hour: 781,
                    currency: "BGN".into(),
                },
                PayRate {
                    from: date(2026, 1, 1),
                    cents_per_hour: 374,
                    currency: "EUR".into(),
                },
            ],
            drafts_per_clerk: 20,
            draft_days: 14,
            step_days: StepDays::default(),
            decision_alert_days: 60,
            agreement_alert_days: 30,
            asp_report_day: 10,
            agenda_days: 7,
            visit_ratings: vec![
                coded("good", "добро", "good"),
                coded("remarks", "със забележки", "with remarks"),
                coded("poor", "незадоволително", "poor"),
            ],
            checklist: vec![
                coded(
                    "id_copy",
                    "копие на документ за самоличност",
                    "copy of the ID document",
                ),
                coded(
                    "decision",
                    "експертно решение на ТЕЛК/НЕЛК",
                    "the ТЕЛК/НЕЛК expert decision",
                ),
                coded("napravlenie", "направление от ДСП", "the ДСП направление"),
                coded(
                    "declaration",
                    "декларация, че няма друга подкрепа за същите нужди",
                    "declaration of no other support for the same needs",
                ),
                coded(
                    "representation",
                    "документ за представителство (при представител)",
                    "proof of representation (for a representative)",
                ),
                coded(
                    "assistant_declarations",
                    "декларации на асистента",
                    "the assistant's declarations",
                ),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Explain, Lang};

    fn good() -> Settings {
        Settings {
            municipality: "  Община   Тестово ".into(),
            settlements: vec![Settlement {
                ekatte: " 99001".into(),
                name: "гр.  Тестово".into(),
            }],
            ..Settings::default()
        }
    }

    #[test]
    fn the_defaults_with_a_name_pass_and_come_back_cleaned() {
        let mut s = good();
        s.validate().unwrap();
        assert_eq!(s.municipality, "Община Тестово");
        assert_eq!(s.settlements[0].ekatte, "99001");
        assert_eq!(s.settlements[0].name, "гр. Тестово");
    }

    #[test]
    fn each_rule_names_its_field() {
        let fields = |s: &mut Settings| -> Vec<String> {
            s.validate()
                .unwrap_err()
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        let mut s = good();
        s.municipality = " ".into();
        assert_eq!(fields(&mut s), ["municipality"]);
        let mut s = good();
        s.settlements.push(Settlement {
            ekatte: "9900".into(),
            name: "с. Късо".into(),
        });
        s.settlements.push(Settlement {
            ekatte: "99001".into(),
            name: "с. Двойно".into(),
        });
        assert_eq!(fields(&mut s), ["settlements", "settlements"]);
        let mut s = good();
        s.remedy_days = 0;
        s.max_minutes_per_day = 0;
        let errors = s.clone().validate().unwrap_err();
        assert_eq!(fields(&mut s), ["remedy_days", "max_minutes_per_day"]);
        assert!(errors[0].reason.explain(Lang::Bg).contains("1–365"));
        let mut s = good();
        s.end_reasons.push(s.end_reasons[0].clone());
        s.pay_rates[0].currency = "лв".into();
        assert_eq!(fields(&mut s), ["end_reasons", "pay_rates"]);
        let dup = Reason::Duplicate {
            value: "wish".into(),
        };
        assert!(dup.explain(Lang::Bg).contains("повтаря"));
        assert!(dup.explain(Lang::En).contains("twice"));
    }
}
