//! The ДСП направление for personal assistance: degree of dependence (1–4), the hours a month
//! it allows (capped by the degree: 15 / 42 / 84 / 168), its validity and the expert decision
//! (ТЕЛК/НЕЛК) it rests on.

use super::{Lens, Spec};
use crate::domain::{
    assistance::DspDecision,
    record::{Body, Kind},
};
use crate::tui::{app::Cx, screens::record_form::RecordForm, widgets::form::FieldKind};
use crate::{date_lens, number_lens, ref_lens, text_lens};

pub struct DspDecisionSpec;

type L = Lens<DspDecision>;

impl Spec for DspDecisionSpec {
    type T = DspDecision;
    type Extra = ();
    const KIND: Kind = Kind::DspDecision;

    fn lenses() -> Vec<Lens<DspDecision>> {
        vec![
            ref_lens!(L, "person", Kind::Person, person),
            text_lens!(L, "number", FieldKind::Text { max: 40 }, number).required(),
            date_lens!(L, "date", date),
            text_lens!(
                L,
                "expert_decision",
                FieldKind::Text { max: 40 },
                expert_decision
            ),
            number_lens!(L, "degree", 1, 4, degree).required(),
            number_lens!(L, "hours_per_month", 1, 168, hours_per_month).required(),
            date_lens!(L, "valid_from", valid_from),
            date_lens!(L, "valid_until", valid_until),
        ]
    }

    fn blank(cx: &Cx) -> DspDecision {
        DspDecision {
            person: 0,
            number: String::new(),
            expert_decision: String::new(),
            date: cx.today(),
            degree: 0,
            hours_per_month: 0,
            valid_from: cx.today(),
            valid_until: cx.today(),
        }
    }

    fn wrap(t: DspDecision) -> Body {
        Body::DspDecision(t)
    }

    fn unwrap(b: &Body) -> Option<DspDecision> {
        match b {
            Body::DspDecision(d) => Some(d.clone()),
            _ => None,
        }
    }

    fn number(x: &DspDecision) -> &str {
        &x.number
    }

    fn name(d: &DspDecision, cx: &Cx) -> String {
        format!("{} {}", cx.t.t("dsp_decision.one"), d.number)
    }

    fn check(d: &mut DspDecision, cx: &Cx) -> Result<(), Vec<crate::domain::FieldError>> {
        d.validate(cx.today())
    }
}

/// A new направление of a person.
pub fn new_form(cx: &Cx, person: u64) -> RecordForm<DspDecisionSpec> {
    let mut d = DspDecisionSpec::blank(cx);
    d.person = person;
    RecordForm::new(cx, d)
}
