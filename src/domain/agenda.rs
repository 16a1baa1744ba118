//! The agenda: a front office's day of work, from the deadlines its records carry.

use super::record::Kind;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What an agenda line is about. Codes are appended only (it travels over the socket).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AgendaKind {
    /// An open intake's follow-up date.
    FollowUp,
    /// A referral step's deadline (from the settings' step days).
    ReferralStep,
    /// An application's deadline to remedy missing documents.
    Remedy,
    /// A disability decision (ТЕЛК/НЕЛК) expiring.
    DecisionExpiry,
    /// A ДСП направление expiring.
    NapravlenieExpiry,
    /// A personal-assistance agreement ending.
    AgreementEnd,
    /// An assistant's employment contract ending.
    ContractEnd,
    /// Last month's report of an agreement in force then, not handed in.
    MissingReport,
    /// The day by which last month goes to АСП.
    AspDeadline,
}

impl AgendaKind {
    pub const ALL: [AgendaKind; 9] = [
        AgendaKind::FollowUp,
        AgendaKind::ReferralStep,
        AgendaKind::Remedy,
        AgendaKind::DecisionExpiry,
        AgendaKind::NapravlenieExpiry,
        AgendaKind::AgreementEnd,
        AgendaKind::ContractEnd,
        AgendaKind::MissingReport,
        AgendaKind::AspDeadline,
    ];

    pub fn name(self, lang: super::Lang) -> &'static str {
        use AgendaKind::*;
        match self {
            FollowUp => lang.pick("проследяване", "follow-up"),
            ReferralStep => lang.pick("стъпка по насочване", "referral step"),
            Remedy => lang.pick("срок за документи", "remedy deadline"),
            DecisionExpiry => lang.pick("изтичащо ЕР на ТЕЛК", "decision expiring"),
            NapravlenieExpiry => lang.pick("изтичащо направление", "направление expiring"),
            AgreementEnd => lang.pick("край на споразумение", "agreement ending"),
            ContractEnd => lang.pick("край на трудов договор", "contract ending"),
            MissingReport => lang.pick("липсващ отчет", "missing report"),
            AspDeadline => lang.pick("срок за АСП", "АСП deadline"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaItem {
    pub due: NaiveDate,
    pub kind: AgendaKind,
    /// The record to open (None for the АСП deadline).
    pub record: Option<(Kind, u64)>,
    /// The person concerned, if any.
    pub person: Option<u64>,
    /// The person's name, or "".
    pub who: String,
    /// What tells the line apart: a register number, a service, a month...
    pub detail: String,
    /// The clerk whose work it is (intakes and referrals); None: everyone's.
    pub clerk: Option<String>,
}

/// Where an item stands against today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Bucket {
    Overdue,
    Today,
    Soon,
}

impl AgendaItem {
    pub fn bucket(&self, today: NaiveDate) -> Bucket {
        match self.due.cmp(&today) {
            std::cmp::Ordering::Less => Bucket::Overdue,
            std::cmp::Ordering::Equal => Bucket::Today,
            std::cmp::Ordering::Greater => Bucket::Soon,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agenda {
    pub today: NaiveDate,
    /// Sorted: overdue first (oldest first), then today, then later by date.
    pub items: Vec<AgendaItem>,
    /// Items left out over the cap.
    pub more: u32,
}

impl Agenda {
    /// How many items of each kind (of those returned), in `AgendaKind::ALL` order.
    pub fn counts(&self) -> Vec<(AgendaKind, usize)> {
        AgendaKind::ALL
            .into_iter()
            .map(|k| (k, self.items.iter().filter(|i| i.kind == k).count()))
            .collect()
    }
}
