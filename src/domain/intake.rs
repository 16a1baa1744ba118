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
    /// Yearly register number ("2026-00042"), given by the service on creation.
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

/// Preliminary assessment of needs made by the front office before a referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub person: u64,
    pub intake: Option<u64>,
    pub date: NaiveDate,
    pub clerk: String,
    /// What the person needs, in the clerk's words.
    pub needs: String,
    /// Service types the front office recommends.
    pub recommended: Vec<ServiceType>,
    pub note: String,
}

impl Assessment {
    /// Checks the assessment and stores its cleaned texts.
    pub fn validate(&mut self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut p = Problems::default();
        if self.date > today {
            p.add("date", Reason::InFuture);
        }
        p.required("needs", &self.needs);
        p.clean(
            "needs",
            clean_text(&self.needs, 4000, true),
            &mut self.needs,
        );
        p.clean("note", clean_text(&self.note, 4000, true), &mut self.note);
        p.into_result()
    }
}
