//! A personal assistant: the person, the account their pay goes to (IBAN, shown in groups of
//! four), their relation to the user and their declaration.

use super::{yes, yes_text, Lens, Spec};
use crate::domain::{
    assistance::Assistant,
    iban::Iban,
    record::{Body, Kind},
};
use crate::tui::{app::Cx, widgets::form::FieldKind};
use crate::{ref_lens, text_lens};

pub struct AssistantSpec;

type L = Lens<Assistant>;

/// What a new assistant holds before the IBAN is typed (shown empty).
fn no_iban() -> Iban {
    Iban::parse(&crate::domain::iban::make_bg_iban("AAAA", 0))
        .unwrap_or_else(|_| unreachable!("a made IBAN is valid"))
}

impl Spec for AssistantSpec {
    type T = Assistant;
    type Extra = ();
    const KIND: Kind = Kind::Assistant;

    fn lenses() -> Vec<Lens<Assistant>> {
        vec![
            ref_lens!(L, "person", Kind::Person, person),
            L::new(
                "iban",
                |_| FieldKind::Text { max: 34 },
                |a, _| match a.iban == no_iban() {
                    true => String::new(),
                    false => a.iban.grouped(),
                },
                |a, v, _| {
                    a.iban = Iban::parse(v)?;
                    Ok(())
                },
            )
            .required(),
            text_lens!(L, "relation", FieldKind::Text { max: 80 }, relation),
            L::new(
                "no_protection_order",
                |_| FieldKind::YesNo,
                |a, _| yes_text(a.no_protection_order),
                |a, v, _| {
                    a.no_protection_order = yes(v);
                    Ok(())
                },
            ),
        ]
    }

    fn blank(_cx: &Cx) -> Assistant {
        Assistant {
            person: 0,
            iban: no_iban(),
            relation: String::new(),
            no_protection_order: false,
        }
    }

    fn wrap(t: Assistant) -> Body {
        Body::Assistant(t)
    }

    fn unwrap(b: &Body) -> Option<Assistant> {
        match b {
            Body::Assistant(a) => Some(a.clone()),
            _ => None,
        }
    }

    fn name(a: &Assistant, cx: &Cx) -> String {
        format!("{} {}", cx.t.t("assistant.one"), a.iban.grouped())
    }

    fn check(a: &mut Assistant, _cx: &Cx) -> Result<(), Vec<crate::domain::FieldError>> {
        a.validate()
    }
}
