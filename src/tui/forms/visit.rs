//! A monitoring visit (мониторинг) to a service: who went, what they found, the rating (from
//! the settings' list) and the date to check again, which the agenda shows until a later
//! visit to the service is recorded.

use super::{Lens, Spec};
use crate::domain::{
    record::{Body, Kind},
    register::Visit,
};
use crate::service::ApiExt;
use crate::tui::{
    app::Cx,
    screens::record_form::RecordForm,
    widgets::form::{Choice, FieldKind},
};
use crate::{date_lens, ref_lens, text_lens};

pub struct VisitSpec;

type L = Lens<Visit>;

/// A rating's name in the clerk's language (its code if the settings no longer list it).
pub fn rating_name(code: &str, cx: &Cx) -> String {
    cx.settings
        .visit_ratings
        .iter()
        .find(|r| r.code == code)
        .map(|r| cx.t.lang().pick(&r.bg, &r.en).to_string())
        .unwrap_or_else(|| code.to_string())
}

/// The clerks who may have gone: every active account, by login.
fn clerks(cx: &Cx) -> FieldKind {
    let accounts = cx.api.clerks().unwrap_or_default();
    FieldKind::Multi(
        accounts
            .into_iter()
            .filter_map(|r| match r.body {
                Body::Clerk(c) if c.active => Some(Choice {
                    label: c.name.clone(),
                    code: c.login,
                }),
                _ => None,
            })
            .collect(),
    )
}

impl Spec for VisitSpec {
    type T = Visit;
    type Extra = ();
    const KIND: Kind = Kind::Visit;

    fn lenses() -> Vec<Lens<Visit>> {
        vec![
            ref_lens!(L, "service", Kind::Service, service),
            date_lens!(L, "date", date),
            L::new(
                "clerks",
                clerks,
                |v, _| v.clerks.join(","),
                |v, s, _| {
                    v.clerks = s
                        .split(',')
                        .filter(|c| !c.is_empty())
                        .map(str::to_string)
                        .collect();
                    Ok(())
                },
            )
            .required(),
            text_lens!(L, "findings", FieldKind::Note { max: 8000 }, findings).required(),
            crate::choice_lens!(
                L,
                "rating",
                |cx| super::coded(cx, &cx.settings.visit_ratings),
                rating
            )
            .required(),
            date_lens!(L, "follow_up", follow_up, optional),
        ]
    }

    fn blank(cx: &Cx) -> Visit {
        Visit {
            service: 0,
            date: cx.today(),
            clerks: vec![cx.clerk.login.clone()],
            findings: String::new(),
            rating: String::new(),
            follow_up: None,
        }
    }

    fn wrap(t: Visit) -> Body {
        Body::Visit(t)
    }

    fn unwrap(b: &Body) -> Option<Visit> {
        match b {
            Body::Visit(v) => Some(v.clone()),
            _ => None,
        }
    }

    fn name(v: &Visit, cx: &Cx) -> String {
        format!(
            "{} {}",
            cx.t.t("visit.one"),
            crate::domain::date::format_date(v.date)
        )
    }

    fn check(v: &mut Visit, cx: &Cx) -> Result<(), Vec<crate::domain::FieldError>> {
        v.validate(cx.today(), &cx.settings.visit_ratings)
    }
}

/// A new visit to a service, this clerk and today filled in; the focus on the findings.
pub fn new_form(cx: &Cx, service: u64) -> RecordForm<VisitSpec> {
    let mut v = VisitSpec::blank(cx);
    v.service = service;
    let mut f = RecordForm::<VisitSpec>::new(cx, v);
    if service != 0 {
        f.form.focus_key("findings");
    }
    f
}
