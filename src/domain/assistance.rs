//! Personal assistance under ЗЛП: the ДСП направление, the application-declaration, the assistant,
//! the three-party agreement, the employment contract and suspensions.

use super::{
    iban::Iban,
    reason::{FieldError, Problems, Reason, Span},
    settings::Coded,
    text::clean_text,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The hours a dependence degree allows per month (ЗЛП): 1st 15, 2nd 42, 3rd 84, 4th 168.
pub fn degree_cap_hours(degree: u8) -> Option<u32> {
    match degree {
        1 => Some(15),
        2 => Some(42),
        3 => Some(84),
        4 => Some(168),
        _ => None,
    }
}

/// The ДСП направление for personal assistance: hours per month, degree, validity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DspDecision {
    pub person: u64,
    pub number: String,
    /// The number of the person's expert decision (ТЕЛК/НЕЛК) it rests on.
    pub expert_decision: String,
    pub date: NaiveDate,
    pub degree: u8,
    pub hours_per_month: u32,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
}

impl DspDecision {
    /// Checks the направление and stores its cleaned number.
    pub fn validate(&mut self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut p = Problems::default();
        p.required("number", &self.number);
        p.clean(
            "number",
            clean_text(&self.number, 40, false),
            &mut self.number,
        );
        p.clean(
            "expert_decision",
            clean_text(&self.expert_decision, 40, false),
            &mut self.expert_decision,
        );
        if self.date > today {
            p.add("date", Reason::InFuture);
        }
        match degree_cap_hours(self.degree) {
            None => p.add(
                "degree",
                Reason::OutOfRange {
                    min: 1,
                    max: 4,
                    found: self.degree.into(),
                },
            ),
            Some(cap) if self.hours_per_month > cap => p.add(
                "hours_per_month",
                Reason::HoursOverCap {
                    cap: cap * 60,
                    // Saturating: the hours come from the client, any u32.
                    found: self.hours_per_month.saturating_mul(60),
                },
            ),
            Some(_) if self.hours_per_month == 0 => p.add("hours_per_month", Reason::Required),
            Some(_) => {}
        }
        if self.valid_until < self.valid_from {
            p.add("valid_until", Reason::EndBeforeStart);
        }
        p.into_result()
    }

    pub fn covers(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.valid_from <= from && to <= self.valid_until
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Applicant {
    User,
    Representative,
    Authorised,
}

/// Where an item of the application's checklist stands. Codes are appended only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CheckState {
    Ok,
    Missing,
    NotApplicable,
}

impl CheckState {
    pub const ALL: [CheckState; 3] = [
        CheckState::Ok,
        CheckState::Missing,
        CheckState::NotApplicable,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApplicationStatus {
    Received,
    /// Something is missing: the applicant has until `remedy_by`.
    Incomplete,
    Complete,
    Approved,
    Refused,
    Withdrawn,
}

/// One item of the checklist: its code from the settings' `checklist`, its state, a note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckItem {
    pub code: String,
    pub state: CheckState,
    pub note: String,
}

/// The application-declaration (заявление-декларация) to the mayor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub reg_no: String,
    pub person: u64,
    pub date: NaiveDate,
    pub applicant: Applicant,
    /// Who submitted it when not the user: a legal representative or an authorised person,
    /// with the document that gives them the right.
    pub applicant_name: String,
    pub applicant_document: String,
    /// Person id of the chosen assistant and of the optional substitute.
    pub assistant: Option<u64>,
    pub substitute: Option<u64>,
    pub declares_no_other_support: bool,
    pub checklist: Vec<CheckItem>,
    pub status: ApplicationStatus,
    pub remedy_by: Option<NaiveDate>,
    /// Why it was refused (required then).
    pub refusal_reason: String,
    pub note: String,
}

impl Application {
    /// The codes of the checklist's missing items.
    pub fn missing(&self) -> impl Iterator<Item = &str> + '_ {
        self.checklist
            .iter()
            .filter(|c| c.state == CheckState::Missing)
            .map(|c| c.code.as_str())
    }

    /// Checks the application's own fields and stores its cleaned texts. The checklist's codes
    /// are the settings' (`check_checklist`).
    pub fn validate(&mut self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut p = Problems::default();
        if self.date > today {
            p.add("date", Reason::InFuture);
        }
        if self.assistant.is_some() && self.assistant == self.substitute {
            p.add("substitute", Reason::SameAsSubstitute);
        }
        if self.assistant.is_some() && self.assistant == Some(self.person) {
            p.add("assistant", Reason::AssistantIsUser);
        }
        if self.substitute.is_some() && self.substitute == Some(self.person) {
            p.add("substitute", Reason::AssistantIsUser);
        }
        // A representative or an authorised person is named, with the document of their right.
        if self.applicant == Applicant::User {
            self.applicant_name.clear();
            self.applicant_document.clear();
        } else {
            p.required("applicant_name", &self.applicant_name);
            p.required("applicant_document", &self.applicant_document);
        }
        p.clean(
            "applicant_name",
            clean_text(&self.applicant_name, 120, false),
            &mut self.applicant_name,
        );
        p.clean(
            "applicant_document",
            clean_text(&self.applicant_document, 200, false),
            &mut self.applicant_document,
        );
        let complete = matches!(
            self.status,
            ApplicationStatus::Complete | ApplicationStatus::Approved
        );
        if complete && !self.declares_no_other_support {
            p.add("declares_no_other_support", Reason::NoDeclaration);
        }
        if self.status == ApplicationStatus::Incomplete && self.remedy_by.is_none() {
            p.add("remedy_by", Reason::Required);
        }
        if self.remedy_by.is_some_and(|r| r < self.date) {
            p.add("remedy_by", Reason::EndBeforeStart);
        }
        if self.status == ApplicationStatus::Refused {
            p.required("refusal_reason", &self.refusal_reason);
        }
        p.clean(
            "refusal_reason",
            clean_text(&self.refusal_reason, 2000, true),
            &mut self.refusal_reason,
        );
        p.clean("note", clean_text(&self.note, 4000, true), &mut self.note);
        p.into_result()
    }

    /// The settings' checklist as items not yet checked (each missing until the clerk marks
    /// it), for an application saved without one.
    pub fn fill_checklist(&mut self, items: &[Coded]) {
        if self.checklist.is_empty() {
            self.checklist = items
                .iter()
                .map(|c| CheckItem {
                    code: c.code.clone(),
                    state: CheckState::Missing,
                    note: String::new(),
                })
                .collect();
        }
    }

    /// Received and incomplete follow the checklist: an item missing makes the application
    /// incomplete, with a deadline `remedy_days` from `today` unless one is set; nothing
    /// missing, it is received. The other statuses are the clerk's.
    pub fn follow_checklist(&mut self, today: NaiveDate, remedy_days: u32) {
        if !matches!(
            self.status,
            ApplicationStatus::Received | ApplicationStatus::Incomplete
        ) {
            return;
        }
        if self.missing().next().is_some() {
            self.status = ApplicationStatus::Incomplete;
            if self.remedy_by.is_none() {
                self.remedy_by = today.checked_add_days(chrono::Days::new(remedy_days.into()));
            }
        } else {
            self.status = ApplicationStatus::Received;
        }
    }

    /// Checks the checklist against the settings' items: known codes, each once, notes
    /// cleaned; a complete or approved application has nothing missing.
    pub fn check_checklist(&mut self, items: &[Coded]) -> Result<(), Vec<FieldError>> {
        let mut p = Problems::default();
        let mut seen = std::collections::HashSet::new();
        for c in &mut self.checklist {
            c.code = c.code.trim().to_string();
            if !items.iter().any(|i| i.code == c.code) {
                p.add("checklist", Reason::UnknownCode);
            } else if !seen.insert(c.code.clone()) {
                p.add(
                    "checklist",
                    Reason::Duplicate {
                        value: c.code.clone(),
                    },
                );
            }
            p.clean("checklist", clean_text(&c.note, 400, false), &mut c.note);
        }
        let complete = matches!(
            self.status,
            ApplicationStatus::Complete | ApplicationStatus::Approved
        );
        let missing: Vec<Coded> = self
            .missing()
            .filter_map(|code| items.iter().find(|i| i.code == code).cloned())
            .collect();
        if complete && !missing.is_empty() {
            p.add("checklist", Reason::ChecklistMissing { items: missing });
        }
        p.into_result()
    }
}

/// A personal assistant: a person with the account their pay goes to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assistant {
    pub person: u64,
    pub iban: Iban,
    /// Relation to the user (relatives may be assistants).
    pub relation: String,
    /// Declared that no protection order under the domestic-violence law was imposed.
    pub no_protection_order: bool,
}

impl Assistant {
    /// Checks the assistant and stores the canonical IBAN and the cleaned relation.
    pub fn validate(&mut self) -> Result<(), Vec<FieldError>> {
        let mut p = Problems::default();
        p.clean("iban", Iban::parse(self.iban.as_str()), &mut self.iban);
        p.clean(
            "relation",
            clean_text(&self.relation, 80, false),
            &mut self.relation,
        );
        if !self.no_protection_order {
            p.add("no_protection_order", Reason::NoProtectionOrderDeclaration);
        }
        p.into_result()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AgreementStatus {
    Draft,
    Active,
    Suspended,
    Ended,
}

impl AgreementStatus {
    /// Not ended: on the agenda when its end nears (a draft too: it is to be signed).
    pub fn holds_hours(self) -> bool {
        !matches!(self, AgreementStatus::Ended)
    }

    /// Signed and not ended: what counts against the направление's hours and the assistant's
    /// limits. A draft does not: it is checked alone, and with the others once put in force.
    pub fn in_force(self) -> bool {
        matches!(self, AgreementStatus::Active | AgreementStatus::Suspended)
    }
}

/// More hours than a month has is a typing error, whatever the направление says.
pub const MAX_HOURS_PER_MONTH: u32 = 31 * 24;

/// The three-party agreement (user, assistant, provider) concluded by the mayor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agreement {
    pub number: String,
    pub user: u64,
    /// Assistant record id.
    pub assistant: u64,
    pub substitute: Option<u64>,
    pub provider: u64,
    pub decision: u64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub hours_per_month: u32,
    pub activities: String,
    /// The weekly schedule: minutes on each weekday, Monday first (fills the monthly reports).
    pub week: [u32; 7],
    /// The day the three parties signed (None while a draft).
    pub signed: Option<NaiveDate>,
    pub status: AgreementStatus,
    /// Code from the settings' list of ending reasons.
    pub end_reason: Option<String>,
}

impl Agreement {
    /// Checks the agreement's own fields and stores its cleaned texts.
    pub fn validate(&mut self) -> Result<(), Vec<FieldError>> {
        let mut p = Problems::default();
        if self.to < self.from {
            p.add("to", Reason::EndBeforeStart);
        }
        if self.hours_per_month == 0 {
            p.add("hours_per_month", Reason::Required);
        } else if self.hours_per_month > MAX_HOURS_PER_MONTH {
            p.add(
                "hours_per_month",
                Reason::OutOfRange {
                    min: 1,
                    max: MAX_HOURS_PER_MONTH.into(),
                    found: self.hours_per_month.into(),
                },
            );
        }
        if self.substitute == Some(self.assistant) {
            p.add("substitute", Reason::SameAsSubstitute);
        }
        p.clean(
            "activities",
            clean_text(&self.activities, 2000, true),
            &mut self.activities,
        );
        if let Some(day) = self.week.iter().position(|m| *m > 24 * 60) {
            p.add(
                "week",
                Reason::OutOfRange {
                    min: 0,
                    max: 24,
                    found: (self.week[day] / 60).into(),
                },
            );
        }
        p.into_result()
    }

    pub fn covers(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.to
    }

    /// Minutes a week by the schedule (saturating: the minutes come from the client).
    pub fn week_minutes(&self) -> u32 {
        self.week.iter().fold(0u32, |s, m| s.saturating_add(*m))
    }
}

/// Minutes as hours for a field: `4`, `3:30`; 0 is empty.
pub fn hours_text(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, 0) => String::new(),
        (h, 0) => h.to_string(),
        (h, m) => format!("{h}:{m:02}"),
    }
}

/// A weekly schedule in words: "пн 4 ч, вт 4 ч, ср 3,5 ч" (days without hours left out).
pub fn week_text(week: &[u32; 7], lang: super::Lang) -> String {
    const BG: [&str; 7] = ["пн", "вт", "ср", "чт", "пт", "сб", "нд"];
    const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let names = match lang {
        super::Lang::Bg => BG,
        super::Lang::En => EN,
    };
    let unit = lang.pick("ч", "h");
    week.iter()
        .zip(names)
        .filter(|(m, _)| **m > 0)
        .map(|(m, d)| {
            let h = if m % 60 == 0 {
                (m / 60).to_string()
            } else {
                let t = format!("{:.1}", *m as f64 / 60.0);
                if lang == super::Lang::Bg {
                    t.replace('.', ",")
                } else {
                    t
                }
            };
            format!("{d} {h} {unit}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Another agreement as the caps count it: the user's or the assistant's, in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Neighbour {
    pub number: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub hours_per_month: u32,
    pub week: [u32; 7],
}

impl Neighbour {
    pub fn of(a: &Agreement) -> Neighbour {
        Neighbour {
            number: a.number.clone(),
            from: a.from,
            to: a.to,
            hours_per_month: a.hours_per_month,
            week: a.week,
        }
    }

    fn week_minutes(&self) -> u32 {
        self.week.iter().fold(0u32, |s, m| s.saturating_add(*m))
    }
}

/// The most `load` the neighbours put on one day of `from..=to` at the same time, and the
/// neighbours that make it (with their load). Agreements are periods, so the peak is on the
/// first day or on a day one of them starts.
pub fn peak(
    others: &[Neighbour],
    from: NaiveDate,
    to: NaiveDate,
    load: impl Fn(&Neighbour) -> u32,
) -> (u32, Vec<(&Neighbour, u32)>) {
    let mut best: (u32, Vec<(&Neighbour, u32)>) = (0, Vec::new());
    let starts = std::iter::once(from).chain(
        others
            .iter()
            .map(|n| n.from)
            .filter(|d| from < *d && *d <= to),
    );
    for day in starts {
        let on: Vec<(&Neighbour, u32)> = others
            .iter()
            .filter(|n| n.from <= day && day <= n.to)
            .map(|n| (n, load(n)))
            .filter(|(_, l)| *l > 0)
            .collect();
        let sum = on.iter().fold(0u32, |s, (_, l)| s.saturating_add(*l));
        if sum > best.0 {
            best = (sum, on);
        }
    }
    best
}

/// The rules that need the agreement's neighbours: the направление, the other agreements in
/// force of the user and of the assistant, the people behind user and assistant, the limits.
pub struct AgreementContext<'a> {
    pub decision: &'a DspDecision,
    /// The user's other agreements in force.
    pub user_agreements: &'a [Neighbour],
    /// The assistant's other agreements in force (with any user).
    pub assistant_agreements: &'a [Neighbour],
    pub user_person: u64,
    pub assistant_person: u64,
    /// The substitute's person, if there is a substitute.
    pub substitute_person: Option<u64>,
    pub assistant_age: Option<u32>,
    /// Settings: an assistant's limits over all their users.
    pub max_minutes_per_day: u32,
    pub max_minutes_per_week: u32,
    pub today: NaiveDate,
}

/// An assistant's monthly limit from the weekly one: 52 weeks over 12 months (40 hours a week
/// give 173 hours 20 minutes a month).
pub fn month_minutes_cap(max_minutes_per_week: u32) -> u32 {
    max_minutes_per_week.saturating_mul(52) / 12
}

fn used(list: &[(&Neighbour, u32)]) -> Vec<(String, u32)> {
    list.iter().map(|(n, l)| (n.number.clone(), *l)).collect()
}

/// Checks an agreement against its neighbours and stores its cleaned texts. The caps count
/// the agreements in force: a draft is held to them alone, and with the others once it is put
/// in force.
pub fn check_agreement(a: &mut Agreement, ctx: &AgreementContext) -> Result<(), Vec<FieldError>> {
    let mut p = Problems::default();
    if let Err(e) = a.validate() {
        p.0.extend(e);
    }
    if ctx.user_person == ctx.assistant_person {
        p.add("assistant", Reason::AssistantIsUser);
    }
    if ctx.substitute_person == Some(ctx.user_person) {
        p.add("substitute", Reason::AssistantIsUser);
    }
    // Persons, not records: two assistant records of one person are one assistant.
    if a.substitute.is_some_and(|s| s != a.assistant)
        && ctx.substitute_person == Some(ctx.assistant_person)
    {
        p.add("substitute", Reason::SameAsSubstitute);
    }
    match ctx.assistant_age {
        Some(age) if age < 18 => p.add("assistant", Reason::AssistantNotAdult),
        None => p.add("assistant", Reason::AgeUnknown),
        Some(_) => {}
    }
    if ctx.decision.person != a.user {
        p.add("decision", Reason::Missing { id: a.decision });
    }
    if !ctx.decision.covers(a.from, a.to) {
        p.add("to", Reason::OutsideValidity);
    }
    if a.status.in_force() && a.signed.is_none() {
        p.add("signed", Reason::Required);
    }
    if a.signed.is_some_and(|d| d > ctx.today) {
        p.add("signed", Reason::InFuture);
    }
    let none: &[Neighbour] = &[];
    let (users, assistants) = if a.status.in_force() {
        (ctx.user_agreements, ctx.assistant_agreements)
    } else {
        (none, none)
    };
    let (taken, by) = peak(users, a.from, a.to, |n| n.hours_per_month);
    let total = taken.saturating_add(a.hours_per_month);
    if total > ctx.decision.hours_per_month {
        p.add(
            "hours_per_month",
            Reason::HoursOverNapravlenie {
                found: total,
                cap: ctx.decision.hours_per_month,
                used: used(&by),
            },
        );
    }
    for day in 0..7 {
        let (taken, by) = peak(assistants, a.from, a.to, |n| n.week[day]);
        let total = taken.saturating_add(a.week[day]);
        if a.week[day] > 0 && total > ctx.max_minutes_per_day {
            p.add(
                "week",
                Reason::AssistantOverLimit {
                    span: Span::Day(day as u8),
                    found: total,
                    cap: ctx.max_minutes_per_day,
                    used: used(&by),
                },
            );
        }
    }
    let (taken, by) = peak(assistants, a.from, a.to, Neighbour::week_minutes);
    let total = taken.saturating_add(a.week_minutes());
    if a.week_minutes() > 0 && total > ctx.max_minutes_per_week {
        p.add(
            "week",
            Reason::AssistantOverLimit {
                span: Span::Week,
                found: total,
                cap: ctx.max_minutes_per_week,
                used: used(&by),
            },
        );
    }
    let month_cap = month_minutes_cap(ctx.max_minutes_per_week);
    let (taken, by) = peak(assistants, a.from, a.to, |n| {
        n.hours_per_month.saturating_mul(60)
    });
    let total = taken.saturating_add(a.hours_per_month.saturating_mul(60));
    if total > month_cap {
        p.add(
            "hours_per_month",
            Reason::AssistantOverLimit {
                span: Span::Month,
                found: total,
                cap: month_cap,
                used: used(&by),
            },
        );
    }
    p.into_result()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContractStatus {
    Signed,
    Ended,
}

/// The assistant's employment contract (трудов договор) with the provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contract {
    pub number: String,
    pub assistant: u64,
    pub provider: u64,
    pub agreement: Option<u64>,
    pub date: NaiveDate,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    /// Working time in minutes per day.
    pub minutes_per_day: u32,
    pub status: ContractStatus,
    /// Code from the settings' list of ending reasons (when ended).
    pub end_reason: Option<String>,
}

impl Contract {
    /// Checks the contract and stores its cleaned number.
    pub fn validate(&mut self, max_minutes_per_day: u32) -> Result<(), Vec<FieldError>> {
        let mut p = Problems::default();
        p.required("number", &self.number);
        p.clean(
            "number",
            clean_text(&self.number, 40, false),
            &mut self.number,
        );
        if self.start < self.date {
            p.add("start", Reason::EndBeforeStart);
        }
        if self.end.is_some_and(|e| e < self.start) {
            p.add("end", Reason::EndBeforeStart);
        }
        if self.minutes_per_day == 0 || self.minutes_per_day > max_minutes_per_day {
            p.add(
                "minutes_per_day",
                Reason::HoursOverCap {
                    cap: max_minutes_per_day,
                    found: self.minutes_per_day,
                },
            );
        }
        if self.status == ContractStatus::Ended {
            if self.end.is_none() {
                p.add("end", Reason::Required);
            }
            if self
                .end_reason
                .as_deref()
                .is_none_or(|r| r.trim().is_empty())
            {
                p.add("end_reason", Reason::Required);
            }
        } else {
            self.end_reason = None;
        }
        p.into_result()
    }

    /// Whether the contract holds on `day`: from its start to its end, if it has one.
    pub fn in_force(&self, day: NaiveDate) -> bool {
        self.start <= day && self.end.is_none_or(|e| day <= e)
    }
}

/// A suspension of an agreement (hospital, stay abroad...); `to` None while it lasts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspension {
    pub agreement: u64,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    /// Code from the settings' list of reasons.
    pub reason: String,
    pub note: String,
}

impl Suspension {
    /// Checks the suspension and stores its cleaned note.
    pub fn validate(&mut self) -> Result<(), Vec<FieldError>> {
        let mut p = Problems::default();
        if self.to.is_some_and(|t| t < self.from) {
            p.add("to", Reason::EndBeforeStart);
        }
        p.required("reason", &self.reason);
        p.clean("note", clean_text(&self.note, 2000, true), &mut self.note);
        p.into_result()
    }

    pub fn covers(&self, day: NaiveDate) -> bool {
        self.from <= day && self.to.is_none_or(|t| day <= t)
    }

    /// Whether two suspensions share a day (an open one runs on for ever).
    pub fn overlaps(&self, other: &Suspension) -> bool {
        self.from <= other.to.unwrap_or(NaiveDate::MAX)
            && other.from <= self.to.unwrap_or(NaiveDate::MAX)
    }
}

/// The status an agreement in force has by its suspensions: suspended while one of them is
/// open (no end date yet); a suspension entered with both dates is a closed period (the
/// monthly report leaves its days out) and leaves the agreement active. It depends on the
/// records alone, never on the day, so the stored status cannot go stale.
pub fn status_by_suspensions(suspensions: &[Suspension]) -> AgreementStatus {
    if suspensions.iter().any(|s| s.to.is_none()) {
        AgreementStatus::Suspended
    } else {
        AgreementStatus::Active
    }
}

/// What the person card and the agenda warn of about personal assistance. Codes are appended
/// only (it travels over the socket).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AssistanceWarning {
    /// An agreement in force (or starting within the agenda's days) whose assistant has no
    /// employment contract with the agreement's provider in force on `since`, the first day
    /// without one.
    NoContract {
        agreement: u64,
        number: String,
        /// Assistant record id.
        assistant: u64,
        since: NaiveDate,
    },
}

/// The unit tests' agreement: in force over `from`–`to` with `week`, 84 hours a month.
#[cfg(test)]
impl Agreement {
    pub(crate) fn sample(from: NaiveDate, to: NaiveDate, week: [u32; 7]) -> Agreement {
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
            week,
            signed: None,
            status: AgreementStatus::Active,
            end_reason: None,
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
    fn minutes_show_as_hours() {
        assert_eq!(hours_text(210), "3:30");
        assert_eq!(hours_text(240), "4");
        assert_eq!(hours_text(0), "");
    }

    /// Hours come from the client as any u32: the rules refuse them, they do not overflow (a
    /// debug build panicked here, found by tests/hostile.rs).
    #[test]
    fn huge_hours_are_refused_not_overflowed() {
        let mut decision = DspDecision {
            person: 1,
            number: "ДСП-1".into(),
            expert_decision: String::new(),
            date: d(2026, 1, 5),
            degree: 4,
            hours_per_month: u32::MAX,
            valid_from: d(2026, 1, 1),
            valid_until: d(2026, 12, 31),
        };
        let e = decision.validate(d(2026, 11, 17)).unwrap_err();
        assert!(matches!(e[0].reason, Reason::HoursOverCap { .. }), "{e:?}");
        decision.hours_per_month = 100;
        let mut a = Agreement {
            number: String::new(),
            user: 1,
            assistant: 2,
            substitute: None,
            provider: 3,
            decision: 4,
            from: d(2026, 2, 1),
            to: d(2026, 6, 30),
            hours_per_month: u32::MAX,
            activities: String::new(),
            week: [u32::MAX; 7],
            signed: Some(d(2026, 1, 20)),
            status: AgreementStatus::Active,
            end_reason: None,
        };
        let other = Neighbour {
            number: "СП-1".into(),
            from: d(2026, 1, 1),
            to: d(2026, 12, 31),
            hours_per_month: u32::MAX,
            week: [u32::MAX; 7],
        };
        let others = [other.clone(), other];
        let ctx = AgreementContext {
            decision: &decision,
            user_agreements: &others,
            assistant_agreements: &others,
            user_person: 1,
            assistant_person: 5,
            substitute_person: None,
            assistant_age: Some(40),
            max_minutes_per_day: 480,
            max_minutes_per_week: 2400,
            today: d(2026, 11, 17),
        };
        let fields: Vec<String> = check_agreement(&mut a, &ctx)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields[0], "hours_per_month");
        assert!(fields.contains(&"week".to_string()), "{fields:?}");
    }

    fn neighbour(number: &str, from: NaiveDate, to: NaiveDate, hours: u32) -> Neighbour {
        Neighbour {
            number: number.into(),
            from,
            to,
            hours_per_month: hours,
            week: [0; 7],
        }
    }

    /// Agreements one after the other do not add up: the peak is what runs at the same time.
    #[test]
    fn the_peak_counts_only_agreements_at_the_same_time() {
        let others = [
            neighbour("СП-1", d(2026, 1, 1), d(2026, 6, 30), 50),
            neighbour("СП-2", d(2026, 7, 1), d(2026, 12, 31), 40),
            neighbour("СП-3", d(2026, 3, 1), d(2026, 3, 31), 20),
            neighbour("СП-4", d(2027, 1, 1), d(2027, 12, 31), 84),
        ];
        let (sum, by) = peak(&others, d(2026, 1, 1), d(2026, 12, 31), |n| {
            n.hours_per_month
        });
        assert_eq!(sum, 70);
        let numbers: Vec<&str> = by.iter().map(|(n, _)| n.number.as_str()).collect();
        assert_eq!(numbers, ["СП-1", "СП-3"]);
        let (sum, _) = peak(&others, d(2026, 7, 1), d(2026, 12, 31), |n| {
            n.hours_per_month
        });
        assert_eq!(sum, 40);
        assert_eq!(month_minutes_cap(40 * 60), 10_400);
    }
}
