//! The register of social services and their providers (ЗСУ).

use super::{
    eik::Eik,
    phone::Phone,
    reason::{FieldError, Problems, Reason},
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProviderKind {
    Municipality,
    State,
    Private,
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
}

impl Provider {
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut p = Problems::default();
        p.required("name", &self.name);
        p.check("name", clean_text(&self.name, 200, false));
        p.check("eik", Eik::parse(self.eik.as_str()));
        match (&self.kind, &self.licence) {
            (ProviderKind::Private, None) => p.add("licence", Reason::LicenceRequired),
            (_, Some(l)) => {
                p.required("licence", &l.number);
                if l.date > today {
                    p.add("licence_date", Reason::InFuture);
                }
            }
            _ => {}
        }
        p.check("address", clean_text(&self.address, 200, false));
        p.into_result()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Access {
    /// Общодостъпна: no referral, assessment or contract needed.
    OpenToAll,
    /// Специализирана: needs a referral and an assessment.
    Specialised,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Funding {
    DelegatedState,
    Municipal,
    Project,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
    pub referred_by: Referrer,
}

impl Service {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut p = Problems::default();
        p.required("name", &self.name);
        p.check("name", clean_text(&self.name, 200, false));
        p.check("target_group", clean_text(&self.target_group, 400, false));
        p.check("address", clean_text(&self.address, 200, false));
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
}
