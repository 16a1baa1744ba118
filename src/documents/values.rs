//! The values a template is filled with, built from a document's records. A value the record
//! lacks (no phone, no end date, no ЕГН yet) is left out rather than left blank: a template
//! that prints it without `is defined` is refused naming it.

use crate::domain::{
    assistance::{Agreement, Assistant, Contract, DspDecision},
    date::format_date,
    document::{DocKind, DocumentRecords},
    egn::Sex,
    person::{Person, PersonalId},
    record::Body,
    referral::Referral,
    register::{Provider, Service, ServiceType},
    settings::Settings,
    Lang,
};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// One value of a document: a text, a yes/no for the template's conditions, or a group of
/// named values (`user.name`).
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    Text(String),
    Flag(bool),
    Group(Group),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Group(BTreeMap<String, Field>);

/// Everything a template may name.
pub type DocValues = Group;

impl Group {
    pub fn text(&mut self, key: &str, value: impl Into<String>) -> &mut Group {
        self.0.insert(key.into(), Field::Text(value.into()));
        self
    }

    /// Left out when there is nothing to say.
    pub fn maybe(&mut self, key: &str, value: Option<impl Into<String>>) -> &mut Group {
        if let Some(v) = value
            .map(Into::into)
            .filter(|v: &String| !v.trim().is_empty())
        {
            self.0.insert(key.into(), Field::Text(v));
        }
        self
    }

    pub fn flag(&mut self, key: &str, value: bool) -> &mut Group {
        self.0.insert(key.into(), Field::Flag(value));
        self
    }

    pub fn group(&mut self, key: &str, value: Group) -> &mut Group {
        self.0.insert(key.into(), Field::Group(value));
        self
    }

    /// The value at a dotted path ("user.egn").
    pub fn get(&self, path: &str) -> Option<&Field> {
        let mut parts = path.split('.');
        let mut at = self.0.get(parts.next()?)?;
        for p in parts {
            match at {
                Field::Group(g) => at = g.0.get(p)?,
                _ => return None,
            }
        }
        Some(at)
    }

    /// The text at a dotted path.
    pub fn text_at(&self, path: &str) -> Option<&str> {
        match self.get(path)? {
            Field::Text(t) => Some(t),
            _ => None,
        }
    }

    pub(super) fn to_value(&self) -> minijinja::Value {
        fn one(f: &Field) -> minijinja::Value {
            match f {
                Field::Text(t) => minijinja::Value::from(t.as_str()),
                Field::Flag(b) => minijinja::Value::from(*b),
                Field::Group(g) => g.to_value(),
            }
        }
        let map: BTreeMap<&str, minijinja::Value> =
            self.0.iter().map(|(k, v)| (k.as_str(), one(v))).collect();
        minijinja::Value::from(map)
    }
}

/// The values of a document, as of `today` (the date it is written).
pub fn build(recs: &DocumentRecords, settings: &Settings, today: NaiveDate) -> DocValues {
    let mut v = Group::default();
    v.text("today", format_date(today));
    v.maybe("municipality", Some(settings.municipality.as_str()));
    let person = |id: u64| match recs.find(id).map(|r| &r.body) {
        Some(Body::Person(p)) => Some(person(p, settings)),
        _ => None,
    };
    let assistant = |id: u64| match recs.find(id).map(|r| &r.body) {
        Some(Body::Assistant(a)) => person(a.person).map(|p| assistant(a, p)),
        _ => None,
    };
    let provider = |id: u64| match recs.find(id).map(|r| &r.body) {
        Some(Body::Provider(p)) => Some(provider(p, settings)),
        _ => None,
    };
    let mut put = |key: &str, g: Option<Group>| {
        if let Some(g) = g {
            v.group(key, g);
        }
    };
    match &recs.main.body {
        Body::Agreement(a) => {
            put("agreement", Some(agreement(a)));
            put("user", person(a.user));
            put("assistant", assistant(a.assistant));
            put("substitute", a.substitute.and_then(assistant));
            put("provider", provider(a.provider));
            put(
                "decision",
                match recs.find(a.decision).map(|r| &r.body) {
                    Some(Body::DspDecision(d)) => Some(decision(d)),
                    _ => None,
                },
            );
        }
        Body::Contract(c) => {
            put("contract", Some(contract(c)));
            put("assistant", assistant(c.assistant));
            put("provider", provider(c.provider));
            put(
                "agreement",
                match c.agreement.and_then(|id| recs.find(id)).map(|r| &r.body) {
                    Some(Body::Agreement(a)) => Some(agreement(a)),
                    _ => None,
                },
            );
        }
        Body::Referral(r) => {
            put("referral", Some(referral(r, recs.main.id(), settings)));
            put("person", person(r.person));
            let service = r
                .service
                .and_then(|id| match recs.find(id).map(|r| &r.body) {
                    Some(Body::Service(s)) => Some(s),
                    _ => None,
                });
            put("service", service.map(|s| self::service(s, settings)));
            put(
                "provider",
                r.provider
                    .or(service.map(|s| s.provider))
                    .and_then(provider),
            );
        }
        _ => {}
    }
    v
}

/// What names the document among its kind: the agreement's and contract's numbers, the
/// referral's record id.
pub fn number(recs: &DocumentRecords) -> String {
    let n = match (&recs.kind, &recs.main.body) {
        (DocKind::Agreement, Body::Agreement(a)) => a.number.clone(),
        (DocKind::Contract, Body::Contract(c)) => c.number.clone(),
        _ => String::new(),
    };
    if n.trim().is_empty() {
        recs.main.id().to_string()
    } else {
        n
    }
}

fn settlement(code: &str, settings: &Settings) -> Option<String> {
    let code = code.trim();
    (!code.is_empty()).then(|| settings.settlement_name(code).unwrap_or(code).to_string())
}

fn person(p: &Person, settings: &Settings) -> Group {
    let mut g = Group::default();
    g.text("name", p.full_name())
        .text("first_name", &p.first_name)
        .maybe("middle_name", Some(&p.middle_name))
        .text("last_name", &p.last_name);
    let (label, sex) = match &p.ident {
        PersonalId::Egn(e) => ("ЕГН", Some(e.sex())),
        PersonalId::Lnch(_) => ("ЛНЧ", p.sex),
        _ => ("ЕГН", p.sex),
    };
    // The label is always there, so a missing number is reported as `egn`.
    g.maybe("egn", p.ident.as_str())
        .text("ident_label", label)
        // The grammatical gender of the texts about the person (наричан / наричана).
        .flag("female", sex == Some(Sex::Female))
        .maybe("birth_date", p.birth_date.map(format_date))
        .maybe("address", Some(&p.address))
        .maybe("settlement", settlement(&p.settlement, settings))
        .maybe("phone", p.phones.first().map(|ph| ph.national()));
    if let Some(r) = &p.representative {
        let mut rep = Group::default();
        rep.text("name", &r.name).maybe("basis", Some(&r.basis));
        g.group("representative", rep);
    }
    g
}

fn assistant(a: &Assistant, mut person: Group) -> Group {
    person
        .text("iban", a.iban.grouped())
        .maybe("relation", Some(&a.relation));
    person
}

fn provider(p: &Provider, settings: &Settings) -> Group {
    let mut g = Group::default();
    g.text("name", &p.name)
        .text("eik", p.eik.as_str())
        .maybe("address", Some(&p.address))
        .maybe("settlement", settlement(&p.settlement, settings))
        .maybe("phone", p.phone.as_ref().map(|ph| ph.national()));
    g
}

fn service(s: &Service, settings: &Settings) -> Group {
    let mut g = Group::default();
    g.text("name", &s.name)
        .text("activity", s.activity.name(Lang::Bg))
        .maybe("address", Some(&s.address))
        .maybe("settlement", settlement(&s.settlement, settings));
    g
}

fn agreement(a: &Agreement) -> Group {
    let mut g = Group::default();
    g.text("number", &a.number)
        .text("from", format_date(a.from))
        .text("to", format_date(a.to))
        .text("hours", a.hours_per_month.to_string())
        .maybe("activities", Some(&a.activities))
        .maybe(
            "schedule",
            Some(&crate::domain::assistance::week_text(
                &a.week,
                crate::domain::Lang::Bg,
            )),
        );
    g
}

fn decision(d: &DspDecision) -> Group {
    let mut g = Group::default();
    g.text("number", &d.number)
        .text("date", format_date(d.date))
        .text("degree", d.degree.to_string())
        .text("hours", d.hours_per_month.to_string())
        .text("valid_from", format_date(d.valid_from))
        .text("valid_until", format_date(d.valid_until));
    g
}

/// Minutes as hours: "4", or "4:30" when not whole.
fn hours(minutes: u32) -> String {
    match minutes % 60 {
        0 => (minutes / 60).to_string(),
        m => format!("{}:{m:02}", minutes / 60),
    }
}

fn contract(c: &Contract) -> Group {
    let mut g = Group::default();
    g.text("number", &c.number)
        .text("date", format_date(c.date))
        .text("start", format_date(c.start))
        .maybe("end", c.end.map(format_date))
        .text("hours_per_day", hours(c.minutes_per_day));
    g
}

fn referral(r: &Referral, id: u64, settings: &Settings) -> Group {
    let mut g = Group::default();
    let support = r.service_type == ServiceType::AssistantSupport;
    g.text("number", id.to_string())
        .text("date", format_date(r.requested))
        .text("service_type", r.service_type.name(Lang::Bg))
        .text("status", r.status.name(Lang::Bg))
        .maybe("note", Some(&r.note))
        .text("provider_days", settings.step_days.referred.to_string())
        .flag("assistant_support", support);
    if support {
        g.text(
            "hours_per_day",
            hours(settings.assistant_support_minutes_per_day),
        );
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_whole_or_hours_and_minutes() {
        assert_eq!(hours(240), "4");
        assert_eq!(hours(270), "4:30");
        assert_eq!(hours(5), "0:05");
    }

    #[test]
    fn paths_reach_into_groups() {
        let mut inner = Group::default();
        inner.text("name", "Мария").flag("female", true);
        let mut v = Group::default();
        v.group("user", inner).maybe("phone", None::<String>);
        assert_eq!(v.text_at("user.name"), Some("Мария"));
        assert_eq!(v.get("user.female"), Some(&Field::Flag(true)));
        assert!(v.get("phone").is_none());
        assert!(v.get("user.name.x").is_none());
    }
}
