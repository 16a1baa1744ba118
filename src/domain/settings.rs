//! The municipality's settings: its settlements, deadlines and limits. Values the law leaves to
//! the municipality, or that we could not confirm, live here as data and never as constants.

use super::calendar::CalendarRules;
use serde::{Deserialize, Serialize};

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub municipality: String,
    pub settlements: Vec<Settlement>,
    /// Days the provider has for its assessment after a referral (ЗСУ).
    pub provider_step_days: u32,
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
            provider_step_days: 20,
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
        }
    }
}
