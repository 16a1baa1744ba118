//! Intake (a citizen's request, in person or by phone) and the preliminary needs assessment (ЗСУ).

use super::{
    reason::{FieldError, Problems, Reason},
    register::ServiceType,
    text::clean_text,
};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Channel {
    InPerson,
    Phone,
    Written,
    Email,
    /// A clerk's visiting day in a village (изнесен приемен ден).
    VisitingDay,
}

impl Channel {
    pub const ALL: [Channel; 5] = [
        Channel::InPerson,
        Channel::Phone,
        Channel::Written,
        Channel::Email,
        Channel::VisitingDay,
    ];

    pub fn name(self, lang: super::Lang) -> &'static str {
        match self {
            Channel::InPerson => lang.pick("лично", "in person"),
            Channel::Phone => lang.pick("по телефона", "phone"),
            Channel::Written => lang.pick("писмено", "letter"),
            Channel::Email => lang.pick("електронна поща", "e-mail"),
            Channel::VisitingDay => lang.pick("приемен ден в село", "visiting day"),
        }
    }
}

/// What the request was about. Codes are appended only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Topic {
    SocialServices,
    PersonalAssistance,
    AssistantSupport,
    DisabilityRights,
    MonthlyReport,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    Open,
    Informed,
    Referred,
    ApplicationAccepted,
    ForwardedToDsp,
    Closed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intake {
    /// Yearly register number ("2026-000042"), given by the service inside the saving
    /// transaction: unique and gap-free per year.
    pub reg_no: String,
    pub at: NaiveDateTime,
    pub channel: Channel,
    /// Login of the clerk who took it.
    pub clerk: String,
    /// None: anonymous enquiry.
    pub person: Option<u64>,
    pub topics: Vec<Topic>,
    pub note: String,
    pub outcome: Outcome,
    pub follow_up: Option<NaiveDate>,
}

impl Intake {
    /// Checks the intake and stores the cleaned note.
    pub fn validate(&mut self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut p = Problems::default();
        if self.at.date() > today {
            p.add("at", Reason::InFuture);
        }
        if self.topics.is_empty() {
            p.add("topics", Reason::Required);
        }
        p.clean("note", clean_text(&self.note, 4000, true), &mut self.note);
        if self.follow_up.is_some_and(|f| f < self.at.date()) {
            p.add("follow_up", Reason::EndBeforeStart);
        }
        p.into_result()
    }
}

/// How much help a person needs in one domain. Codes are appended only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Need {
    None,
    Partial,
    Full,
}

impl Need {
    pub const ALL: [Need; 3] = [Need::None, Need::Partial, Need::Full];

    pub fn name(self, lang: super::Lang) -> &'static str {
        match self {
            Need::None => lang.pick("няма нужда", "none"),
            Need::Partial => lang.pick("частична", "partial"),
            Need::Full => lang.pick("пълна", "full"),
        }
    }
}

/// The domains of the preliminary assessment. Codes are appended only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum NeedDomain {
    SelfCare,
    Mobility,
    Household,
    Health,
    Communication,
    Social,
    Housing,
    Income,
    /// Whether a carer is available (a "full need" here: nobody to help).
    Carer,
}

impl NeedDomain {
    pub const ALL: [NeedDomain; 9] = [
        NeedDomain::SelfCare,
        NeedDomain::Mobility,
        NeedDomain::Household,
        NeedDomain::Health,
        NeedDomain::Communication,
        NeedDomain::Social,
        NeedDomain::Housing,
        NeedDomain::Income,
        NeedDomain::Carer,
    ];

    pub fn name(self, lang: super::Lang) -> &'static str {
        use NeedDomain::*;
        match self {
            SelfCare => lang.pick("самообслужване", "self-care"),
            Mobility => lang.pick("придвижване", "mobility"),
            Household => lang.pick("домакински задачи", "household tasks"),
            Health => lang.pick("здраве", "health"),
            Communication => lang.pick("общуване", "communication"),
            Social => lang.pick("социални контакти", "social contacts"),
            Housing => lang.pick("жилище", "housing"),
            Income => lang.pick("доходи", "income"),
            Carer => lang.pick("наличие на грижещ се", "a carer available"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainNeed {
    pub domain: NeedDomain,
    pub need: Need,
    pub note: String,
}

/// Preliminary assessment of needs made by the front office before a referral (payload
/// version 2; version 1 had free-text needs, see `store::schema::AssessmentV1`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub person: u64,
    pub intake: Option<u64>,
    pub date: NaiveDate,
    pub clerk: String,
    /// One entry per assessed domain, each domain at most once.
    pub needs: Vec<DomainNeed>,
    /// Service types the front office recommends.
    pub recommended: Vec<ServiceType>,
    /// The clerk's conclusion.
    pub conclusion: String,
}

impl Assessment {
    /// Checks the assessment and stores its cleaned texts.
    pub fn validate(&mut self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut p = Problems::default();
        if self.date > today {
            p.add("date", Reason::InFuture);
        }
        let mut seen = Vec::new();
        for n in &mut self.needs {
            if seen.contains(&n.domain) {
                p.add(
                    "needs",
                    Reason::Duplicate {
                        value: n.domain.name(super::Lang::Bg).into(),
                    },
                );
            }
            seen.push(n.domain);
            p.clean("needs", clean_text(&n.note, 1000, true), &mut n.note);
        }
        self.recommended.sort();
        self.recommended.dedup();
        p.required("conclusion", &self.conclusion);
        p.clean(
            "conclusion",
            clean_text(&self.conclusion, 4000, true),
            &mut self.conclusion,
        );
        p.into_result()
    }

    /// The assessed need in a domain (None when the domain was not assessed).
    pub fn need(&self, domain: NeedDomain) -> Option<Need> {
        self.needs
            .iter()
            .find(|n| n.domain == domain)
            .map(|n| n.need)
    }
}
