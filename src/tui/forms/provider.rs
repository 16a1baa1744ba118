//! A provider of social services: the municipality, the state, an NGO, a company or another.
//! Private providers carry their АКСУ licence (number and date); the service refuses one
//! without it, beside the licence field.

use super::{settlements, Lens, Spec};
use crate::domain::{
    eik::{make_eik9, Eik},
    phone::Phone,
    reason::Reason,
    record::{Body, Kind},
    register::{Licence, Provider, ProviderKind},
};
use crate::tui::{app::Cx, widgets::form::FieldKind};
use crate::{enum_lens, text_lens};

pub struct ProviderSpec;

type L = Lens<Provider>;

/// What a new provider holds before its ЕИК is typed (all zeros: no entity has it, and the
/// form shows it as empty).
fn no_eik() -> Eik {
    Eik::parse(&make_eik9(0)).unwrap_or_else(|_| unreachable!("a made ЕИК is valid"))
}

fn licence_date(p: &Provider) -> Option<chrono::NaiveDate> {
    p.licence.as_ref().map(|l| l.date)
}

impl Spec for ProviderSpec {
    type T = Provider;
    type Extra = ();
    const KIND: Kind = Kind::Provider;

    fn lenses() -> Vec<Lens<Provider>> {
        vec![
            text_lens!(L, "name", FieldKind::Text { max: 200 }, name).required(),
            enum_lens!(L, "kind", "provider.kind", ProviderKind::ALL, kind).required(),
            L::new(
                "eik",
                |_| FieldKind::Text { max: 13 },
                |p, _| match p.eik == no_eik() {
                    true => String::new(),
                    false => p.eik.as_str().to_string(),
                },
                |p, v, _| {
                    p.eik = Eik::parse(v)?;
                    Ok(())
                },
            )
            .required(),
            // The date's lens works on the licence the number's lens made (or removed).
            L::new(
                "licence",
                |_| FieldKind::Text { max: 40 },
                |p, _| {
                    p.licence
                        .as_ref()
                        .map(|l| l.number.clone())
                        .unwrap_or_default()
                },
                |p, v, cx| {
                    p.licence = (!v.is_empty()).then(|| Licence {
                        number: v.into(),
                        date: licence_date(p).unwrap_or(cx.today()),
                    });
                    Ok(())
                },
            ),
            L::new(
                "licence_date",
                |_| FieldKind::Date,
                |p, _| super::date_text(licence_date(p)),
                |p, v, cx| {
                    let date = super::opt_date(v, cx)?;
                    match (&mut p.licence, date) {
                        (Some(l), Some(d)) => l.date = d,
                        (Some(_), None) => return Err(Reason::Required),
                        (None, _) => {}
                    }
                    Ok(())
                },
            ),
            crate::choice_lens!(L, "settlement", settlements, settlement),
            text_lens!(L, "address", FieldKind::Text { max: 200 }, address),
            L::new(
                "phone",
                |_| FieldKind::Text { max: 20 },
                |p, _| p.phone.as_ref().map(Phone::national).unwrap_or_default(),
                |p, v, _| {
                    p.phone = match v {
                        "" => None,
                        v => Some(Phone::parse(v)?),
                    };
                    Ok(())
                },
            ),
            text_lens!(L, "email", FieldKind::Text { max: 120 }, email),
            text_lens!(L, "contact", FieldKind::Text { max: 120 }, contact),
        ]
    }

    fn blank(_cx: &Cx) -> Provider {
        Provider {
            name: String::new(),
            eik: no_eik(),
            kind: ProviderKind::Ngo,
            licence: None,
            settlement: String::new(),
            address: String::new(),
            phone: None,
            email: String::new(),
            contact: String::new(),
        }
    }

    fn wrap(t: Provider) -> Body {
        Body::Provider(t)
    }

    fn unwrap(b: &Body) -> Option<Provider> {
        match b {
            Body::Provider(p) => Some(p.clone()),
            _ => None,
        }
    }

    fn name(p: &Provider, _cx: &Cx) -> String {
        p.name.clone()
    }

    fn check(p: &mut Provider, cx: &Cx) -> Result<(), Vec<crate::domain::FieldError>> {
        p.validate(cx.today())
    }
}
