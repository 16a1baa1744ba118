//! A suspension of an agreement (hospital, stay abroad...): from, to (empty while it lasts),
//! the reason from the settings' list, a note. No hours are reported on its days.

use super::{Lens, Spec};
use crate::domain::{
    assistance::Suspension,
    record::{Body, Kind},
};
use crate::tui::{app::Cx, screens::record_form::RecordForm, widgets::form::FieldKind};
use crate::{date_lens, ref_lens, text_lens};

pub struct SuspensionSpec;

type L = Lens<Suspension>;

impl Spec for SuspensionSpec {
    type T = Suspension;
    type Extra = ();
    const KIND: Kind = Kind::Suspension;

    fn lenses() -> Vec<Lens<Suspension>> {
        vec![
            ref_lens!(L, "agreement", Kind::Agreement, agreement),
            date_lens!(L, "from", from),
            date_lens!(L, "to", to, optional),
            crate::choice_lens!(
                L,
                "reason",
                |cx| super::coded(cx, &cx.settings.suspension_reasons),
                reason
            )
            .required(),
            text_lens!(L, "note", FieldKind::Note { max: 2000 }, note),
        ]
    }

    fn blank(cx: &Cx) -> Suspension {
        Suspension {
            agreement: 0,
            from: cx.today(),
            to: None,
            reason: String::new(),
            note: String::new(),
        }
    }

    fn wrap(t: Suspension) -> Body {
        Body::Suspension(t)
    }

    fn unwrap(b: &Body) -> Option<Suspension> {
        match b {
            Body::Suspension(s) => Some(s.clone()),
            _ => None,
        }
    }

    fn name(s: &Suspension, cx: &Cx) -> String {
        format!(
            "{} {}",
            cx.t.t("suspension.one"),
            crate::domain::date::format_date(s.from)
        )
    }

    fn check(s: &mut Suspension, _cx: &Cx) -> Result<(), Vec<crate::domain::FieldError>> {
        s.validate()
    }
}

/// A new suspension of an agreement, from today.
pub fn new_form(cx: &Cx, agreement: u64) -> RecordForm<SuspensionSpec> {
    let mut s = SuspensionSpec::blank(cx);
    s.agreement = agreement;
    let mut f = RecordForm::new(cx, s);
    f.form.focus_key("reason");
    f
}
