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
        match (&self.kind, &mut self.licence) {
            (ProviderKind::Private, None) => p.add("licence", Reason::LicenceRequired),
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
