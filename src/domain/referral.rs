//! A referral to a social service under ЗСУ, tracked to its end.

use super::{
    reason::{FieldError, Problems, Reason},
    register::ServiceType,
    text::clean_text,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReferralStatus {
    Requested,
    Assessed,
    Referred,
    Accepted,
    Declined,
    Started,
    Ended,
    Withdrawn,
}

impl ReferralStatus {
    /// requested → assessed → referred → accepted/declined → started → ended; withdrawn any time
    /// before the end.
    pub fn can_go_to(self, next: ReferralStatus) -> bool {
        use ReferralStatus::*;
        matches!(
            (self, next),
            (Requested, Assessed)
                | (Assessed, Referred)
                | (Referred, Accepted)
                | (Referred, Declined)
                | (Accepted, Started)
                | (Started, Ended)
                | (
                    Requested | Assessed | Referred | Accepted | Started,
                    Withdrawn
                )
        )
    }

    pub fn is_open(self) -> bool {
        !matches!(
            self,
            ReferralStatus::Declined | ReferralStatus::Ended | ReferralStatus::Withdrawn
        )
    }
}

impl ReferralStatus {
    pub const ALL: [ReferralStatus; 8] = [
        ReferralStatus::Requested,
        ReferralStatus::Assessed,
        ReferralStatus::Referred,
        ReferralStatus::Accepted,
        ReferralStatus::Declined,
        ReferralStatus::Started,
        ReferralStatus::Ended,
        ReferralStatus::Withdrawn,
    ];

    /// The steps that may follow this one, in the order a screen offers them.
    pub fn next(self) -> Vec<ReferralStatus> {
        ReferralStatus::ALL
            .into_iter()
            .filter(|n| self.can_go_to(*n))
            .collect()
    }

    /// Whether the referral holds a place at its service (occupancy).
    pub fn is_active(self) -> bool {
        matches!(
            self,
            ReferralStatus::Referred | ReferralStatus::Accepted | ReferralStatus::Started
        )
    }

    pub fn name(self, lang: super::Lang) -> &'static str {
        use ReferralStatus::*;
        match self {
            Requested => lang.pick("заявено", "requested"),
            Assessed => lang.pick("оценено", "assessed"),
            Referred => lang.pick("насочено", "referred"),
            Accepted => lang.pick("прието от доставчика", "accepted"),
            Declined => lang.pick("отказано от доставчика", "declined"),
            Started => lang.pick("услугата започна", "service started"),
            Ended => lang.pick("приключило", "ended"),
            Withdrawn => lang.pick("оттеглено", "withdrawn"),
        }
    }
}

/// One step of a referral: what it became, when, why and by whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    pub status: ReferralStatus,
    pub date: NaiveDate,
    /// Why (a provider's decline needs one).
    pub note: String,
    /// Login of the clerk who recorded the step.
    pub by: String,
}

/// What the front office must know before saving a referral; kept on the record.
/// Codes are appended only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReferralWarning {
    /// The person has or applies for personal assistance (ЗЛП) for the same needs.
    DoubleFunding,
    /// The service's places are taken by active referrals.
    ServiceFull { occupied: u32, capacity: u32 },
    /// The service is open to all: no referral is needed.
    OpenToAll,
    /// The service is not in the register today (before its start or after its end).
    NotInRegister,
}

impl super::Explain for ReferralWarning {
    fn explain(&self, lang: super::Lang) -> String {
        match (self, lang) {
            (ReferralWarning::DoubleFunding, super::Lang::Bg) => {
                "Лицето ползва или е заявило лична помощ (ЗЛП) за същите нужди: двойно финансиране."
                    .into()
            }
            (ReferralWarning::DoubleFunding, super::Lang::En) => {
                "The person has or applies for personal assistance (ЗЛП) for the same needs: \
                 double funding."
                    .into()
            }
            (ReferralWarning::ServiceFull { occupied, capacity }, super::Lang::Bg) => {
                format!("Услугата е пълна: {occupied} заети от {capacity} места.")
            }
            (ReferralWarning::ServiceFull { occupied, capacity }, super::Lang::En) => {
                format!("The service is full: {occupied} of {capacity} places taken.")
            }
            (ReferralWarning::OpenToAll, super::Lang::Bg) => {
                "Услугата е общодостъпна: не е нужно насочване.".into()
            }
            (ReferralWarning::OpenToAll, super::Lang::En) => {
                "The service is open to all: no referral is needed.".into()
            }
            (ReferralWarning::NotInRegister, super::Lang::Bg) => {
                "Услугата не е в регистъра към днешна дата (още не е започнала или е закрита)."
                    .into()
            }
            (ReferralWarning::NotInRegister, super::Lang::En) => {
                "The service is not in the register today (not started yet, or closed).".into()
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referral {
    pub person: u64,
    pub assessment: Option<u64>,
    pub service_type: ServiceType,
    pub service: Option<u64>,
    pub provider: Option<u64>,
    pub requested: NaiveDate,
    pub status: ReferralStatus,
    /// Every step with its date: the current status is the last one.
    pub history: Vec<StatusChange>,
    /// When the current step is due (from `Settings::step_days`; none in a final state).
    pub due: Option<NaiveDate>,
    pub note: String,
    /// Computed by the service on every save (payload version 2).
    pub warnings: Vec<ReferralWarning>,
}

impl Referral {
    /// Checks the referral and its history and stores the cleaned notes.
    pub fn validate(&mut self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut p = Problems::default();
        if self.requested > today {
            p.add("requested", Reason::InFuture);
        }
        p.clean("note", clean_text(&self.note, 4000, true), &mut self.note);
        for step in &mut self.history {
            p.clean(
                "history",
                clean_text(&step.note, 4000, true),
                &mut step.note,
            );
        }
        // The history must be a legal path ending at the current status.
        let mut at = ReferralStatus::Requested;
        for step in &self.history {
            if step.status != at && !at.can_go_to(step.status) {
                p.add("status", Reason::BadTransition);
                break;
            }
            at = step.status;
        }
        if at != self.status {
            p.add("status", Reason::BadTransition);
        }
        p.into_result()
    }

    /// Moves to `next` on `date`, keeping the history; `by` is the clerk's login. A provider's
    /// decline needs a reason.
    pub fn advance(
        &mut self,
        next: ReferralStatus,
        date: NaiveDate,
        note: &str,
        by: &str,
    ) -> Result<(), FieldError> {
        if !self.status.can_go_to(next) {
            return Err(FieldError::new("status", Reason::BadTransition));
        }
        if next == ReferralStatus::Declined && note.trim().is_empty() {
            return Err(FieldError::new("note", Reason::Required));
        }
        self.status = next;
        self.history.push(StatusChange {
            status: next,
            date,
            note: note.to_string(),
            by: by.to_string(),
        });
        Ok(())
    }

    /// The date the step just entered is due, from the settings' step days (None in the final
    /// states, and once the service has started: it runs until it ends).
    pub fn step_due(
        status: ReferralStatus,
        entered: NaiveDate,
        days: &super::settings::StepDays,
    ) -> Option<NaiveDate> {
        let n = match status {
            ReferralStatus::Requested => days.requested,
            ReferralStatus::Assessed => days.assessed,
            ReferralStatus::Referred => days.referred,
            ReferralStatus::Accepted => days.accepted,
            _ => return None,
        };
        entered.checked_add_days(chrono::Days::new(n.into()))
    }

    /// When the current status was entered (the last step's date).
    pub fn since(&self) -> NaiveDate {
        self.history.last().map_or(self.requested, |s| s.date)
    }

    /// The clerk who opened the referral: its owner on the agenda.
    pub fn clerk(&self) -> Option<&str> {
        self.history.first().map(|s| s.by.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReferralStatus::*;

    #[test]
    fn transitions_follow_the_law() {
        assert!(Requested.can_go_to(Assessed));
        assert!(Referred.can_go_to(Declined));
        assert!(Started.can_go_to(Withdrawn));
        assert!(!Requested.can_go_to(Started));
        assert!(!Ended.can_go_to(Withdrawn));
        assert!(!Declined.can_go_to(Accepted));
    }
}
