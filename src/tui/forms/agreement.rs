//! The three-party agreement (споразумение): user, assistant, provider, the направление it
//! rests on, hours a month, the weekly schedule (hours on each weekday: it fills the monthly
//! reports), activities, substitute, period, signing day and status. The service checks the
//! hours against the направление and the assistant's limits, the start on the 1st and the
//! last working days of a month.

use super::{by_code, choices, Lens, Spec};
use crate::domain::{
    assistance::{hours_text, Agreement, AgreementStatus},
    date::format_date,
    record::{Body, Kind, Record},
};
use crate::service::ApiExt;
use crate::tui::{
    app::Cx,
    screens::{code, record_form::RecordForm},
    widgets::form::{Choice, FieldKind},
};
use crate::{date_lens, number_lens, ref_lens, text_lens};

pub struct AgreementSpec;

type L = Lens<Agreement>;

pub const STATUSES: [AgreementStatus; 4] = [
    AgreementStatus::Draft,
    AgreementStatus::Active,
    AgreementStatus::Suspended,
    AgreementStatus::Ended,
];

/// One weekday's hours of the schedule: `day_lens!(index, "key")`.
macro_rules! day_lens {
    ($i:literal, $key:literal) => {
        L::new(
            $key,
            |_| FieldKind::Text { max: 5 },
            |a, _| hours_text(a.week[$i]),
            |a, v, _| {
                a.week[$i] = crate::domain::month_grid::parse_hours(v)?.into();
                Ok(())
            },
        )
    };
}

/// The ending reasons of the settings, by code.
pub fn end_reasons(cx: &Cx) -> FieldKind {
    super::coded(cx, &cx.settings.end_reasons)
}

/// The name of a person, or of an assistant's person (by the search line: no read logged).
pub fn person_name(cx: &Cx, id: u64) -> String {
    let person = match cx.api.get(Kind::Assistant, id) {
        Ok(Record {
            body: Body::Assistant(a),
            ..
        }) => a.person,
        _ => id,
    };
    match cx.api.labels(vec![person]) {
        Ok(h) if !h.is_empty() => h[0].name.clone(),
        _ => format!("#{id}"),
    }
}

/// The assistants whose person's name starts with what was typed: "Name (IBAN)".
pub fn assistant_options(cx: &Cx, typed: &str) -> Vec<Choice> {
    if typed.trim().is_empty() {
        return Vec::new();
    }
    let hits = cx.api.search(typed, 30).unwrap_or_default();
    let mut out = Vec::new();
    for h in hits.into_iter().filter(|h| h.kind == Kind::Person) {
        for r in cx.api.related(h.id).unwrap_or_default() {
            if let Body::Assistant(a) = &r.body {
                if a.person == h.id {
                    out.push(Choice {
                        code: r.id().to_string(),
                        label: format!("{} ({})", h.name, a.iban.grouped()),
                    });
                }
            }
        }
        if out.len() >= 12 {
            break;
        }
    }
    out
}

/// The user's направления, the latest first: "ДСП-2026-014 · 84 ч · до 30.04.2028".
fn decision_options(cx: &Cx, user: u64) -> Vec<Choice> {
    if user == 0 {
        return Vec::new();
    }
    let mut d: Vec<Record> = cx
        .api
        .related(user)
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.kind() == Kind::DspDecision)
        .collect();
    d.sort_by_key(|r| std::cmp::Reverse(r.id()));
    d.into_iter()
        .filter_map(|r| match &r.body {
            Body::DspDecision(x) => Some(Choice {
                code: r.id().to_string(),
                label: format!(
                    "{} · {} {} · {} {}",
                    x.number,
                    x.hours_per_month,
                    cx.t.t("card.hours_month"),
                    cx.t.t("card.until"),
                    format_date(x.valid_until)
                ),
            }),
            _ => None,
        })
        .collect()
}

impl Spec for AgreementSpec {
    type T = Agreement;
    type Extra = ();
    const KIND: Kind = Kind::Agreement;

    fn lenses() -> Vec<Lens<Agreement>> {
        vec![
            ref_lens!(L, "user", Kind::Person, user),
            ref_lens!(L, "decision", Kind::DspDecision, decision),
            ref_lens!(L, "assistant", Kind::Assistant, assistant),
            ref_lens!(L, "substitute", Kind::Assistant, substitute, optional),
            ref_lens!(L, "provider", Kind::Provider, provider),
            date_lens!(L, "from", from),
            date_lens!(L, "to", to),
            number_lens!(L, "hours_per_month", 1, 744, hours_per_month).required(),
            day_lens!(0, "week_mon"),
            day_lens!(1, "week_tue"),
            day_lens!(2, "week_wed"),
            day_lens!(3, "week_thu"),
            day_lens!(4, "week_fri"),
            day_lens!(5, "week_sat"),
            day_lens!(6, "week_sun"),
            text_lens!(L, "activities", FieldKind::Note { max: 2000 }, activities),
            date_lens!(L, "signed", signed, optional),
            L::new(
                "status",
                |cx| FieldKind::Choice(choices(cx, "agreement.status", &STATUSES)),
                |a, _| code(&a.status),
                |a, v, _| {
                    a.status = by_code(&STATUSES, v)?;
                    Ok(())
                },
            )
            .required(),
            crate::choice_lens!(L, "end_reason", end_reasons, end_reason, optional),
        ]
    }

    fn blank(cx: &Cx) -> Agreement {
        // Agreements start on the 1st: of next month.
        let from = crate::domain::date::Month::of(cx.today())
            .next()
            .first_day();
        Agreement {
            number: String::new(),
            user: 0,
            assistant: 0,
            substitute: None,
            provider: 0,
            decision: 0,
            from,
            to: from,
            hours_per_month: 0,
            activities: String::new(),
            week: [0; 7],
            signed: None,
            status: AgreementStatus::Draft,
            end_reason: None,
        }
    }

    fn wrap(t: Agreement) -> Body {
        Body::Agreement(t)
    }

    fn unwrap(b: &Body) -> Option<Agreement> {
        match b {
            Body::Agreement(a) => Some(a.clone()),
            _ => None,
        }
    }

    fn name(a: &Agreement, cx: &Cx) -> String {
        format!("{} {}", cx.t.t("agreement.one"), a.number)
            .trim()
            .to_string()
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
            .then(|| super::write_document(cx, crate::domain::document::DocKind::Agreement, id))
    }

    fn check(a: &mut Agreement, _cx: &Cx) -> Result<(), Vec<crate::domain::FieldError>> {
        a.validate()
    }

    fn banner(f: &RecordForm<Self>, cx: &Cx) -> Option<String> {
        let a = &f.current(cx).0;
        let week = a.week_minutes();
        (week > 0).then(|| {
            cx.t.f(
                "agreement.week_total",
                &[
                    ("hours", &hours_text(week)),
                    ("month", &a.hours_per_month.to_string()),
                ],
            )
        })
    }

    fn ref_options(f: &RecordForm<Self>, key: &str, typed: &str, cx: &Cx) -> Option<Vec<Choice>> {
        match key {
            "assistant" | "substitute" => Some(assistant_options(cx, typed)),
            "decision" => {
                let user = f
                    .form
                    .choice("user")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                Some(decision_options(cx, user))
            }
            _ => None,
        }
    }

    /// A user chosen offers their направления; a направление chosen fills the hours and the
    /// period it allows.
    fn edited(f: &mut RecordForm<Self>, key: &str, cx: &mut Cx) {
        match key {
            "user" => {
                let user = f
                    .form
                    .choice("user")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                let options = decision_options(cx, user);
                f.form.set_options("decision", options);
            }
            "decision" => {
                let Some(id) = f.form.choice("decision").and_then(|v| v.parse().ok()) else {
                    return;
                };
                let Ok(Record {
                    body: Body::DspDecision(d),
                    ..
                }) = cx.api.get(Kind::DspDecision, id)
                else {
                    return;
                };
                if f.form.text("hours_per_month").is_empty()
                    || f.form.text("hours_per_month") == "0"
                {
                    f.form
                        .set_value("hours_per_month", &d.hours_per_month.to_string());
                }
                if f.editing.is_none() {
                    f.form.set_value("to", &format_date(d.valid_until));
                }
            }
            _ => {}
        }
    }
}

/// A new agreement of a user (from an accepted application: its assistant and substitute).
pub fn new_form(cx: &Cx, user: u64) -> RecordForm<AgreementSpec> {
    let mut a = AgreementSpec::blank(cx);
    a.user = user;
    let mut f = RecordForm::new(cx, a);
    let options = decision_options(cx, user);
    f.form.set_options("decision", options);
    f
}
