//! A person the front office serves, with the disability decision that opens personal assistance.

use super::{
    egn::{Egn, Sex},
    lnch::Lnch,
    phone::Phone,
    reason::{FieldError, Problems, Reason},
    text::{clean_name, clean_text},
};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum PersonalId {
    /// Not known yet (a phone enquiry, say).
    #[default]
    None,
    Egn(Egn),
    Lnch(Lnch),
    /// What leaves the service: which kind of number is on file, and not one of its digits.
    /// Sent back unchanged in an update it means "keep the stored number"; it is never stored.
    Masked(MaskedId),
}

/// A withheld ЕГН or ЛНЧ. It holds no digits by construction: an ЕГН is the birth date (which
/// answers show) plus four digits, so even the last four would complete it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaskedId {
    lnch: bool,
}

/// How a withheld number is shown: as long as one, and nothing of it.
pub const MASK: &str = "**********";

impl MaskedId {
    pub fn new(lnch: bool) -> MaskedId {
        MaskedId { lnch }
    }

    pub fn is_lnch(&self) -> bool {
        self.lnch
    }
}

impl PersonalId {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            PersonalId::None => None,
            PersonalId::Egn(e) => Some(e.as_str()),
            PersonalId::Lnch(l) => Some(l.as_str()),
            PersonalId::Masked(_) => None,
        }
    }

    /// The same identifier with every digit withheld.
    pub fn to_masked(&self) -> PersonalId {
        match self {
            PersonalId::None => PersonalId::None,
            PersonalId::Masked(m) => PersonalId::Masked(*m),
            PersonalId::Egn(_) => PersonalId::Masked(MaskedId::new(false)),
            PersonalId::Lnch(_) => PersonalId::Masked(MaskedId::new(true)),
        }
    }

    /// Lists show that a number is on file, and none of it, until the clerk reveals it.
    pub fn masked(&self) -> String {
        match self {
            PersonalId::None => String::new(),
            _ => MASK.to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExpertBody {
    /// ТЕЛК: the first-instance body for adults.
    Telk,
    /// НЕЛК: the national body, on appeal.
    Nelk,
    /// ДЕЛК/ТЕЛК for children.
    Child,
}

/// The expert decision on disability (ТЕЛК/НЕЛК).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisabilityDecision {
    pub body: ExpertBody,
    pub number: String,
    pub issued: NaiveDate,
    pub percent: u8,
    /// "Чужда помощ": the decision says the person needs another's help.
    pub needs_help: bool,
    /// None: lifelong.
    pub valid_until: Option<NaiveDate>,
}

impl DisabilityDecision {
    pub fn is_valid_on(&self, day: NaiveDate) -> bool {
        self.issued <= day && self.valid_until.is_none_or(|u| day <= u)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Representative {
    pub name: String,
    /// Parent, guardian, trustee, authorised person...
    pub basis: String,
    pub phone: Option<Phone>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Person {
    pub ident: PersonalId,
    pub first_name: String,
    pub middle_name: String,
    pub last_name: String,
    /// Derived from the ЕГН when there is one; typed otherwise.
    pub birth_date: Option<NaiveDate>,
    pub sex: Option<Sex>,
    /// EKATTE code of the settlement from the municipality's list.
    pub settlement: String,
    pub address: String,
    pub phones: Vec<Phone>,
    pub representative: Option<Representative>,
    pub disability: Option<DisabilityDecision>,
    /// Date the person consented to the processing of their data.
    pub consent: Option<NaiveDate>,
    pub note: String,
}

impl Person {
    pub fn full_name(&self) -> String {
        [&self.first_name, &self.middle_name, &self.last_name]
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn age_on(&self, day: NaiveDate) -> Option<u32> {
        let b = self.birth_date?;
        let mut age = day.year() - b.year();
        if (day.month(), day.day()) < (b.month(), b.day()) {
            age -= 1;
        }
        u32::try_from(age).ok()
    }

    /// ЗЛП since 2021: a decision with need of another's help, or a child with 90 % or more.
    pub fn eligible_for_personal_assistance(&self, day: NaiveDate) -> bool {
        let Some(d) = &self.disability else {
            return false;
        };
        if !d.is_valid_on(day) {
            return false;
        }
        let child = self.age_on(day).is_some_and(|a| a < 18);
        d.needs_help || (child && d.percent >= 90)
    }

    /// Fills birth date and sex from the ЕГН, so the two can never disagree.
    pub fn derive_from_id(&mut self) {
        if let PersonalId::Egn(e) = &self.ident {
            self.birth_date = Some(e.birth_date());
            self.sex = Some(e.sex());
        }
    }

    /// Checks every field and rewrites it with its cleaned form (names NFC, trimmed, inner
    /// spaces collapsed; identifiers and phones in their canonical form): what passes is what
    /// gets stored.
    pub fn validate(
        &mut self,
        today: NaiveDate,
        settlements: &[String],
    ) -> Result<(), Vec<FieldError>> {
        let mut p = Problems::default();
        match &mut self.ident {
            PersonalId::None => {}
            PersonalId::Egn(e) => {
                let checked = Egn::parse(e.as_str(), today);
                p.clean("ident", checked, e);
            }
            PersonalId::Lnch(l) => {
                let checked = Lnch::parse(l.as_str());
                p.clean("ident", checked, l);
            }
            // Only the service can tell whether it is the stored number's (it refuses others).
            PersonalId::Masked(_) => {}
        }
        p.clean(
            "first_name",
            clean_name(&self.first_name),
            &mut self.first_name,
        );
        if self.middle_name.trim().is_empty() {
            self.middle_name.clear();
        } else {
            p.clean(
                "middle_name",
                clean_name(&self.middle_name),
                &mut self.middle_name,
            );
        }
        p.clean(
            "last_name",
            clean_name(&self.last_name),
            &mut self.last_name,
        );
        if let Some(b) = self.birth_date {
            if b > today {
                p.add("birth_date", Reason::InFuture);
            }
        }
        self.settlement = self.settlement.trim().to_string();
        if !self.settlement.is_empty() && !settlements.iter().any(|s| s == &self.settlement) {
            p.add("settlement", Reason::BadSettlement);
        }
        p.clean(
            "address",
            clean_text(&self.address, 200, false),
            &mut self.address,
        );
        p.clean("note", clean_text(&self.note, 4000, true), &mut self.note);
        for ph in &mut self.phones {
            p.clean("phones", Phone::parse(ph.as_str()), ph);
        }
        if let Some(r) = &mut self.representative {
            p.clean("representative", clean_name(&r.name), &mut r.name);
            p.clean(
                "representative_basis",
                clean_text(&r.basis, 120, false),
                &mut r.basis,
            );
            if let Some(ph) = &mut r.phone {
                p.clean("representative_phone", Phone::parse(ph.as_str()), ph);
            }
        }
        if let Some(d) = &mut self.disability {
            p.required("disability_number", &d.number);
            p.clean(
                "disability_number",
                clean_text(&d.number, 40, false),
                &mut d.number,
            );
            if d.percent > 100 {
                p.add(
                    "disability_percent",
                    Reason::OutOfRange {
                        min: 0,
                        max: 100,
                        found: d.percent.into(),
                    },
                );
            }
            if d.issued > today {
                p.add("disability_issued", Reason::InFuture);
            }
            if d.valid_until.is_some_and(|u| u < d.issued) {
                p.add("disability_valid_until", Reason::EndBeforeStart);
            }
        }
        if self.consent.is_some_and(|c| c > today) {
            p.add("consent", Reason::InFuture);
        }
        p.into_result()
    }
}
