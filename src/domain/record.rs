//! Every kind of record in one place: its code, its tree, and a body enum so that generic code
//! (the store, the audit log, the wire) can carry any of them.

use super::{
    assistance::{Agreement, Application, Assistant, Contract, DspDecision, Suspension},
    clerk::Clerk,
    intake::{Assessment, Intake},
    person::Person,
    referral::Referral,
    register::{Campaign, Provider, Service, Visit},
    report::MonthlyReport,
    Lang,
};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// Record kinds. The codes are stored in every value's envelope: append only, never renumber.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Kind {
    Person = 1,
    Intake = 2,
    Assessment = 3,
    Referral = 4,
    Provider = 5,
    Service = 6,
    DspDecision = 7,
    Application = 8,
    Assistant = 9,
    Agreement = 10,
    Contract = 11,
    Suspension = 12,
    Report = 13,
    Clerk = 14,
    Visit = 15,
    Campaign = 16,
}

impl Kind {
    pub const ALL: [Kind; 16] = [
        Kind::Person,
        Kind::Intake,
        Kind::Assessment,
        Kind::Referral,
        Kind::Provider,
        Kind::Service,
        Kind::DspDecision,
        Kind::Application,
        Kind::Assistant,
        Kind::Agreement,
        Kind::Contract,
        Kind::Suspension,
        Kind::Report,
        Kind::Clerk,
        Kind::Visit,
        Kind::Campaign,
    ];

    pub fn code(self) -> u8 {
        self as u8
    }

    pub fn from_code(code: u8) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The sled tree that holds this kind (and the name used on the command line).
    pub fn tree(self) -> &'static str {
        match self {
            Kind::Person => "person",
            Kind::Intake => "intake",
            Kind::Assessment => "assessment",
            Kind::Referral => "referral",
            Kind::Provider => "provider",
            Kind::Service => "service",
            Kind::DspDecision => "dsp_decision",
            Kind::Application => "application",
            Kind::Assistant => "assistant",
            Kind::Agreement => "agreement",
            Kind::Contract => "contract",
            Kind::Suspension => "suspension",
            Kind::Report => "report",
            Kind::Clerk => "clerk",
            Kind::Visit => "visit",
            Kind::Campaign => "campaign",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.tree() == s)
    }

    pub fn name(self, lang: Lang) -> &'static str {
        match self {
            Kind::Person => lang.pick("лице", "person"),
            Kind::Intake => lang.pick("приемане", "intake"),
            Kind::Assessment => lang.pick("предварителна оценка", "preliminary assessment"),
            Kind::Referral => lang.pick("насочване", "referral"),
            Kind::Provider => lang.pick("доставчик", "provider"),
            Kind::Service => lang.pick("услуга", "service"),
            Kind::DspDecision => lang.pick("направление от ДСП", "ДСП направление"),
            Kind::Application => lang.pick("заявление-декларация", "application-declaration"),
            Kind::Assistant => lang.pick("асистент", "assistant"),
            Kind::Agreement => lang.pick("споразумение", "agreement"),
            Kind::Contract => lang.pick("трудов договор", "employment contract"),
            Kind::Suspension => lang.pick("спиране", "suspension"),
            Kind::Report => lang.pick("месечен отчет", "monthly report"),
            Kind::Clerk => lang.pick("служител", "clerk"),
            Kind::Visit => lang.pick("мониторингово посещение", "monitoring visit"),
            Kind::Campaign => lang.pick("информационна кампания", "information campaign"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Body {
    Person(Person),
    Intake(Intake),
    Assessment(Assessment),
    Referral(Referral),
    Provider(Provider),
    Service(Service),
    DspDecision(DspDecision),
    Application(Application),
    Assistant(Assistant),
    Agreement(Agreement),
    Contract(Contract),
    Suspension(Suspension),
    Report(MonthlyReport),
    Clerk(Clerk),
    Visit(Visit),
    Campaign(Campaign),
}

impl Body {
    pub fn kind(&self) -> Kind {
        match self {
            Body::Person(_) => Kind::Person,
            Body::Intake(_) => Kind::Intake,
            Body::Assessment(_) => Kind::Assessment,
            Body::Referral(_) => Kind::Referral,
            Body::Provider(_) => Kind::Provider,
            Body::Service(_) => Kind::Service,
            Body::DspDecision(_) => Kind::DspDecision,
            Body::Application(_) => Kind::Application,
            Body::Assistant(_) => Kind::Assistant,
            Body::Agreement(_) => Kind::Agreement,
            Body::Contract(_) => Kind::Contract,
            Body::Suspension(_) => Kind::Suspension,
            Body::Report(_) => Kind::Report,
            Body::Clerk(_) => Kind::Clerk,
            Body::Visit(_) => Kind::Visit,
            Body::Campaign(_) => Kind::Campaign,
        }
    }
}

/// What every stored record carries besides its body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    pub id: u64,
    /// Starts at 1; every update adds one. An update names the rev it was based on.
    pub rev: u64,
    pub created: NaiveDateTime,
    pub updated: NaiveDateTime,
    /// Login of the clerk who saved this revision.
    pub by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub meta: Meta,
    pub body: Body,
}

impl Record {
    pub fn kind(&self) -> Kind {
        self.body.kind()
    }

    pub fn id(&self) -> u64 {
        self.meta.id
    }
}
