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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    pub status: ReferralStatus,
    pub date: NaiveDate,
    pub note: String,
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
    /// When the current step is due (the provider's 20 days, say).
    pub due: Option<NaiveDate>,
    pub note: String,
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

    /// Moves to `next` on `date`, keeping the history.
    pub fn advance(
        &mut self,
        next: ReferralStatus,
        date: NaiveDate,
        note: &str,
    ) -> Result<(), Reason> {
        if !self.status.can_go_to(next) {
            return Err(Reason::BadTransition);
        }
        self.status = next;
        self.history.push(StatusChange {
            status: next,
            date,
            note: note.to_string(),
        });
        Ok(())
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
