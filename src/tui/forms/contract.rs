//! The assistant's employment contract (трудов договор) with the provider: number, dates,
//! working time a day, the agreement it serves; ended with a date and a reason.

use super::{by_code, choices, Lens, Spec};
use crate::domain::{
    assistance::{hours_text, Contract, ContractStatus},
    record::{Body, Kind},
};
use crate::tui::{
    app::Cx,
    screens::{code, record_form::RecordForm},
    widgets::form::{Choice, FieldKind},
};
use crate::{date_lens, ref_lens, text_lens};

pub struct ContractSpec;

type L = Lens<Contract>;

const STATUSES: [ContractStatus; 2] = [ContractStatus::Signed, ContractStatus::Ended];

impl Spec for ContractSpec {
    type T = Contract;
    type Extra = super::agreement::Assistants;
    const KIND: Kind = Kind::Contract;

    fn lenses() -> Vec<Lens<Contract>> {
        vec![
            text_lens!(L, "number", FieldKind::Text { max: 40 }, number).required(),
            ref_lens!(L, "assistant", Kind::Assistant, assistant),
            ref_lens!(L, "provider", Kind::Provider, provider),
            ref_lens!(L, "agreement", Kind::Agreement, agreement, optional),
            date_lens!(L, "date", date),
            date_lens!(L, "start", start),
            date_lens!(L, "end", end, optional),
            L::new(
                "minutes_per_day",
                |_| FieldKind::Text { max: 5 },
                |c, _| hours_text(c.minutes_per_day),
                |c, v, _| {
                    c.minutes_per_day = crate::domain::month_grid::parse_hours(v)?.into();
                    Ok(())
                },
            )
            .required(),
            L::new(
                "status",
                |cx| FieldKind::Choice(choices(cx, "contract.status", &STATUSES)),
                |c, _| code(&c.status),
                |c, v, _| {
                    c.status = by_code(&STATUSES, v)?;
                    Ok(())
                },
            )
            .required(),
            crate::choice_lens!(
                L,
                "end_reason",
                super::agreement::end_reasons,
                end_reason,
                optional
            ),
        ]
    }

    fn blank(cx: &Cx) -> Contract {
        Contract {
            number: String::new(),
            assistant: 0,
            provider: 0,
            agreement: None,
            date: cx.today(),
            start: cx.today(),
            end: None,
            minutes_per_day: 4 * 60,
            status: ContractStatus::Signed,
            end_reason: None,
        }
    }

    fn wrap(t: Contract) -> Body {
        Body::Contract(t)
    }

    fn unwrap(b: &Body) -> Option<Contract> {
        match b {
            Body::Contract(c) => Some(c.clone()),
            _ => None,
        }
    }

    fn number(x: &Contract) -> &str {
        &x.number
    }

    fn name(c: &Contract, cx: &Cx) -> String {
        format!("{} {}", cx.t.t("contract.one"), c.number)
    }

    fn hints(f: &RecordForm<Self>) -> Vec<crate::tui::keymap::Action> {
        match f.editing {
            Some(_) => vec![crate::tui::keymap::Action::More],
            None => Vec::new(),
        }
    }

    fn meanings(f: &RecordForm<Self>) -> crate::tui::keymap::Meanings {
        match f.editing {
            Some(_) => vec![(crate::tui::keymap::Action::More, "action.document")],
            None => Vec::new(),
        }
    }

    fn action(
        f: &mut RecordForm<Self>,
        a: crate::tui::keymap::Action,
        cx: &mut Cx,
    ) -> Option<crate::tui::app::Outcome> {
        let (id, _) = f.editing?;
        (a == crate::tui::keymap::Action::More)
            .then(|| super::write_document(cx, crate::domain::document::DocKind::Contract, id))
    }

    fn check(c: &mut Contract, cx: &Cx) -> Result<(), Vec<crate::domain::FieldError>> {
        c.validate(cx.settings.max_minutes_per_day)
    }

    fn ref_options(f: &RecordForm<Self>, key: &str, typed: &str, cx: &Cx) -> Option<Vec<Choice>> {
        (key == "assistant").then(|| f.extra.options(cx, typed))
    }

    /// The assistants to choose from change with an assistant or a person's name.
    const WATCH: &'static [Kind] = &super::agreement::ASSISTANT_KINDS;

    fn refresh(f: &mut RecordForm<Self>, cx: &mut Cx) {
        f.extra.refresh(&mut f.form, &["assistant"], cx);
    }
}

/// A new employment contract for an agreement's assistant: the assistant, the provider, the
/// agreement, its term (from its start, or today if later, to its end) and the working day
/// of its schedule's longest day (4 hours when it has none); the clerk types the number.
pub fn from_agreement(
    cx: &Cx,
    id: u64,
    a: &crate::domain::assistance::Agreement,
) -> RecordForm<ContractSpec> {
    let longest = a.week.iter().copied().max().unwrap_or(0);
    let seed = Contract {
        assistant: a.assistant,
        provider: a.provider,
        agreement: Some(id),
        start: a.from.max(cx.today()),
        end: Some(a.to),
        minutes_per_day: if longest > 0 { longest } else { 4 * 60 },
        ..ContractSpec::blank(cx)
    };
    RecordForm::<ContractSpec>::new(cx, seed)
}
