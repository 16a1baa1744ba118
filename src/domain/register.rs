//! The register of social services and their providers (ЗСУ).

use super::{
    eik::Eik,
    phone::Phone,
    reason::{FieldError, Problems, Reason},
    settings::Coded,
    text::clean_text,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The ten activity types of ЗСУ чл. 15. Codes are appended only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ServiceType {
    Information,
    Advocacy,
    Community,
    Therapy,
    SkillsTraining,
    WorkSkills,
    DayCare,
    ResidentialCare,
    Shelter,
    AssistantSupport,
}

impl ServiceType {
    pub const ALL: [ServiceType; 10] = [
        ServiceType::Information,
        ServiceType::Advocacy,
        ServiceType::Community,
        ServiceType::Therapy,
        ServiceType::SkillsTraining,
        ServiceType::WorkSkills,
        ServiceType::DayCare,
        ServiceType::ResidentialCare,
        ServiceType::Shelter,
        ServiceType::AssistantSupport,
    ];

    pub fn name(self, lang: super::Lang) -> &'static str {
        use ServiceType::*;
        match self {
            Information => lang.pick("информиране и консултиране", "information and counselling"),
            Advocacy => lang.pick("застъпничество и посредничество", "advocacy and mediation"),
            Community => lang.pick("общностна работа", "community work"),
            Therapy => lang.pick("терапия и рехабилитация", "therapy and rehabilitation"),
            SkillsTraining => lang.pick("обучение за придобиване на умения", "skills training"),
            WorkSkills => lang.pick(
                "подкрепа за придобиване на трудови умения",
                "work skills support",
            ),
            DayCare => lang.pick("дневна грижа", "day care"),
            ResidentialCare => lang.pick("резидентна грижа", "residential care"),
            Shelter => lang.pick("осигуряване на подслон", "shelter"),
            AssistantSupport => lang.pick("асистентска подкрепа", "assistant support"),
        }
    }
}

/// Codes are appended only. Payload version 1 had `Private` in place of the last three; it
/// reads as `Other` (see `store::schema`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProviderKind {
    Municipality,
    State,
    Ngo,
    Company,
    Other,
}

impl ProviderKind {
    pub const ALL: [ProviderKind; 5] = [
        ProviderKind::Municipality,
        ProviderKind::State,
        ProviderKind::Ngo,
        ProviderKind::Company,
        ProviderKind::Other,
    ];

    /// Private providers need an АКСУ licence; municipalities and the state do not.
    pub fn needs_licence(self) -> bool {
        !matches!(self, ProviderKind::Municipality | ProviderKind::State)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Licence {
    pub number: String,
    pub date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provider {
    pub name: String,
    pub eik: Eik,
    pub kind: ProviderKind,
    /// From АКСУ; private providers only.
    pub licence: Option<Licence>,
    pub settlement: String,
    pub address: String,
    pub phone: Option<Phone>,
    pub email: String,
    /// Whom to call.
    pub contact: String,
}

/// An e-mail address as typed, trimmed: one `@`, something before it, a dot after it, no spaces.
pub fn check_email(s: &str) -> Result<String, Reason> {
    let s = s.trim();
    let ok = match s.split_once('@') {
        Some((user, host)) => {
            !user.is_empty()
                && !host.contains('@')
                && host.contains('.')
                && !host.starts_with('.')
                && !host.ends_with('.')
                && !s.chars().any(|c| c.is_whitespace() || c.is_control())
                && s.len() <= 120
        }
        None => false,
    };
    if s.is_empty() || ok {
        Ok(s.to_string())
    } else {
        Err(Reason::BadEmail)
    }
}

impl Provider {
    /// Checks the provider and stores its cleaned texts.
    pub fn validate(&mut self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut p = Problems::default();
        p.required("name", &self.name);
        p.clean("name", clean_text(&self.name, 200, false), &mut self.name);
        p.clean("eik", Eik::parse(self.eik.as_str()), &mut self.eik);
        self.settlement = self.settlement.trim().to_string();
        if let Some(ph) = &mut self.phone {
            p.clean("phone", Phone::parse(ph.as_str()), ph);
        }
        p.clean("email", check_email(&self.email), &mut self.email);
        p.clean(
            "contact",
            clean_text(&self.contact, 120, false),
            &mut self.contact,
        );
        match (self.kind.needs_licence(), &mut self.licence) {
            (true, None) => p.add("licence", Reason::LicenceRequired),
            (_, Some(l)) => {
                p.required("licence", &l.number);
                p.clean("licence", clean_text(&l.number, 40, false), &mut l.number);
                if l.date > today {
                    p.add("licence_date", Reason::InFuture);
                }
            }
            _ => {}
        }
        p.clean(
            "address",
            clean_text(&self.address, 200, false),
            &mut self.address,
        );
        p.into_result()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Access {
    /// Общодостъпна: no referral, assessment or contract needed.
    OpenToAll,
    /// Специализирана: needs a referral and an assessment.
    Specialised,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Funding {
    DelegatedState,
    Municipal,
    Project,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Referrer {
    Dsp,
    Municipality,
    Nobody,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    pub name: String,
    pub activity: ServiceType,
    pub access: Access,
    pub target_group: String,
    pub provider: u64,
    pub settlement: String,
    pub address: String,
    /// Places; occupancy is derived from active referrals.
    pub capacity: u32,
    pub funding: Funding,
    /// The project that funds it (required when `funding` is `Project`).
    pub project: String,
    pub referred_by: Referrer,
    /// In the register from, until (both optional: a service without dates is open-ended).
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

impl Service {
    /// Checks the service and stores its cleaned texts.
    pub fn validate(&mut self) -> Result<(), Vec<FieldError>> {
        let mut p = Problems::default();
        p.required("name", &self.name);
        p.clean("name", clean_text(&self.name, 200, false), &mut self.name);
        p.clean(
            "target_group",
            clean_text(&self.target_group, 400, false),
            &mut self.target_group,
        );
        self.settlement = self.settlement.trim().to_string();
        p.clean(
            "address",
            clean_text(&self.address, 200, false),
            &mut self.address,
        );
        p.clean(
            "project",
            clean_text(&self.project, 200, false),
            &mut self.project,
        );
        if self.funding == Funding::Project {
            p.required("project", &self.project);
        }
        if let (Some(from), Some(to)) = (self.valid_from, self.valid_to) {
            if to < from {
                p.add("valid_to", Reason::EndBeforeStart);
            }
        }
        if self.capacity > 10_000 {
            p.add(
                "capacity",
                Reason::OutOfRange {
                    min: 0,
                    max: 10_000,
                    found: self.capacity.into(),
                },
            );
        }
        p.into_result()
    }

    /// In the register on this day.
    pub fn valid_on(&self, day: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| f <= day) && self.valid_to.is_none_or(|t| day <= t)
    }

    /// Open to all: nobody refers (the referral warns).
    pub fn needs_referral(&self) -> bool {
        self.access == Access::Specialised
    }
}

impl Access {
    pub const ALL: [Access; 2] = [Access::OpenToAll, Access::Specialised];
}

impl Funding {
    pub const ALL: [Funding; 3] = [
        Funding::DelegatedState,
        Funding::Municipal,
        Funding::Project,
    ];
}

impl Referrer {
    pub const ALL: [Referrer; 3] = [Referrer::Dsp, Referrer::Municipality, Referrer::Nobody];
}

/// A monitoring visit (мониторинг) to a service the municipality pays for or registers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    pub service: u64,
    pub date: NaiveDate,
    /// Logins of the clerks who went.
    pub clerks: Vec<String>,
    pub findings: String,
    /// Code from the settings' list of ratings.
    pub rating: String,
    /// When to check again: on the agenda.
    pub follow_up: Option<NaiveDate>,
}

impl Visit {
    /// Checks the visit against the settings' ratings and stores its cleaned texts.
    pub fn validate(&mut self, today: NaiveDate, ratings: &[Coded]) -> Result<(), Vec<FieldError>> {
        let mut p = Problems::default();
        if self.service == 0 {
            p.add("service", Reason::Required);
        }
        if self.date > today {
            p.add("date", Reason::InFuture);
        }
        let mut seen = std::collections::HashSet::new();
        self.clerks = self
            .clerks
            .iter()
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty() && seen.insert(c.clone()))
            .collect();
        if self.clerks.is_empty() {
            p.add("clerks", Reason::Required);
        }
        p.required("findings", &self.findings);
        p.clean(
            "findings",
            clean_text(&self.findings, 8000, true),
            &mut self.findings,
        );
        self.rating = self.rating.trim().to_string();
        if self.rating.is_empty() {
            p.add("rating", Reason::Required);
        } else if !ratings.iter().any(|r| r.code == self.rating) {
            p.add("rating", Reason::UnknownCode);
        }
        if self.follow_up.is_some_and(|f| f < self.date) {
            p.add("follow_up", Reason::EndBeforeStart);
        }
        p.into_result()
    }
}

/// How an information campaign reached people. Codes are appended only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CampaignFormat {
    Meeting,
    VisitingDay,
    Leaflet,
    Media,
}

impl CampaignFormat {
    pub const ALL: [CampaignFormat; 4] = [
        CampaignFormat::Meeting,
        CampaignFormat::VisitingDay,
        CampaignFormat::Leaflet,
        CampaignFormat::Media,
    ];
}

/// An information campaign or a meeting in a settlement (информационна кампания, среща).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Campaign {
    pub date: NaiveDate,
    /// EKATTE code from the settings.
    pub settlement: String,
    pub topic: String,
    pub format: CampaignFormat,
    pub participants: u32,
    /// Login of the clerk who ran it.
    pub clerk: String,
    pub note: String,
}

impl Campaign {
    /// Checks the campaign against the municipality's settlements; stores cleaned texts.
    pub fn validate(&mut self, settlements: &[String]) -> Result<(), Vec<FieldError>> {
        let mut p = Problems::default();
        self.settlement = self.settlement.trim().to_string();
        if self.settlement.is_empty() {
            p.add("settlement", Reason::Required);
        } else if !settlements.contains(&self.settlement) {
            p.add("settlement", Reason::BadSettlement);
        }
        p.required("topic", &self.topic);
        p.clean(
            "topic",
            clean_text(&self.topic, 200, false),
            &mut self.topic,
        );
        p.required("clerk", &self.clerk);
        self.clerk = self.clerk.trim().to_string();
        p.clean("note", clean_text(&self.note, 4000, true), &mut self.note);
        if self.participants > 100_000 {
            p.add(
                "participants",
                Reason::OutOfRange {
                    min: 0,
                    max: 100_000,
                    found: self.participants.into(),
                },
            );
        }
        p.into_result()
    }
}

/// A line of the register of services: the service, its provider's name and its occupancy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterRow {
    pub id: u64,
    pub service: Service,
    pub provider_name: String,
    /// Active referrals to it (referred, accepted by the provider, started).
    pub occupied: u32,
    /// In the register on the service's today: one whose period ended (or has not begun)
    /// takes nobody, whatever its places say.
    pub in_register: bool,
}

impl RegisterRow {
    /// Places left; None when no capacity was entered (0: nothing to count against) or the
    /// service is not in the register today.
    pub fn free(&self) -> Option<u32> {
        (self.in_register && self.service.capacity > 0)
            .then(|| self.service.capacity.saturating_sub(self.occupied))
    }

    pub fn full(&self) -> bool {
        self.free() == Some(0)
    }

    /// Out of the register today because its period ended (not merely not begun).
    pub fn ended(&self, today: NaiveDate) -> bool {
        !self.in_register && self.service.valid_to.is_some_and(|t| t < today)
    }
}
