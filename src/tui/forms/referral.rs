//! The referral (насочване) under ЗСУ. The form holds what the clerk types; the status moves
//! only by its steps, one key per step the law allows from here (F5, F6, F7), each recorded
//! with who, when and why (the "why" field; a provider's decline needs one). The line above
//! the fields shows the status, its deadline (overdue in the error style) and the warnings
//! (double funding, a full service, a service open to all): shown before saving, kept on the
//! record; a save with new warnings takes a second F2.

use super::{by_code, choices, date_text, opt_ref, req_date, Lens, Spec};
use crate::domain::search_key::search_tokens;
use crate::domain::{
    date::format_date,
    reason::Reason,
    record::{Body, Kind, Record},
    referral::{Referral, ReferralStatus, ReferralWarning},
    register::{RegisterRow, ServiceType},
    Explain, FieldError,
};
use crate::service::{ApiExt, ServiceError};
use crate::tui::screens::register::Filter;
use crate::tui::{
    app::{Cx, Level, Outcome},
    keymap::{Action, Meanings},
    screens::{code, label, record_form::RecordForm},
    widgets::form::{Choice, FieldKind},
};
use std::cell::OnceCell;

pub struct ReferralSpec;

type L = Lens<Referral>;

/// The keys that take the steps, in the order the steps are offered.
const STEP_KEYS: [Action; 3] = [Action::Reveal, Action::Edit, Action::NewPerson];

#[derive(Default)]
pub struct ReferralExtra {
    /// Warnings the clerk has been shown for the record as typed; a save with others asks again.
    pub shown: Option<Vec<ReferralWarning>>,
    /// What the service field chooses from: read when first needed, forgotten by `refresh`.
    services: OnceCell<Services>,
}

/// The register's services with their occupancy and the types the referral's assessment
/// recommended, read once per form (not on every key typed in the service field): one row
/// per service of the register, replaced when read again, gone with the form.
struct Services {
    rows: Vec<RegisterRow>,
    /// Each row's words (`Filter::row_words`), in the rows' order.
    words: Vec<Vec<String>>,
    recommended: Vec<ServiceType>,
}

/// The form's `Services`, read now unless it holds them; None when they cannot be read (no
/// options then; tried again at the next key).
fn services<'a>(f: &'a RecordForm<ReferralSpec>, cx: &Cx) -> Option<&'a Services> {
    if let Some(s) = f.extra.services.get() {
        return Some(s);
    }
    let rows = cx.api.register().ok()?;
    let recommended = match f.base.assessment {
        None => Vec::new(),
        Some(a) => match cx.api.get(Kind::Assessment, a) {
            Ok(Record {
                body: Body::Assessment(a),
                ..
            }) => a.recommended,
            Ok(_) | Err(ServiceError::NotFound { .. }) => Vec::new(),
            Err(_) => return None,
        },
    };
    let words = rows
        .iter()
        .map(|r| {
            let place = cx
                .settings
                .settlement_name(&r.service.settlement)
                .unwrap_or("");
            Filter::row_words(r, place)
        })
        .collect();
    Some(f.extra.services.get_or_init(|| Services {
        rows,
        words,
        recommended,
    }))
}

/// The steps the law allows from a status, each with its key.
pub fn steps(status: ReferralStatus) -> Vec<(Action, ReferralStatus)> {
    STEP_KEYS.iter().copied().zip(status.next()).collect()
}

pub fn warning_text(w: &ReferralWarning, cx: &Cx) -> String {
    match w {
        ReferralWarning::ServiceFull { occupied, capacity } => cx.t.f(
            "referral.warn_full",
            &[
                ("occupied", &occupied.to_string()),
                ("capacity", &capacity.to_string()),
            ],
        ),
        other => label(&cx.t, "referral.warn", other),
    }
}

impl Spec for ReferralSpec {
    type T = Referral;
    type Extra = ReferralExtra;
    const KIND: Kind = Kind::Referral;

    fn lenses() -> Vec<Lens<Referral>> {
        vec![
            L::new(
                "person",
                |_| FieldKind::Ref(Kind::Person, Vec::new()),
                |r, _| match r.person {
                    0 => String::new(),
                    p => p.to_string(),
                },
                |r, v, _| {
                    r.person = v.parse().map_err(|_| Reason::Required)?;
                    Ok(())
                },
            )
            .required(),
            L::new(
                "service_type",
                |cx| FieldKind::Choice(choices(cx, "service_type", &ServiceType::ALL)),
                |r, _| code(&r.service_type),
                |r, v, _| {
                    r.service_type = by_code(&ServiceType::ALL, v)?;
                    Ok(())
                },
            )
            .required(),
            L::new(
                "service",
                |_| FieldKind::Ref(Kind::Service, Vec::new()),
                |r, _| r.service.map(|s| s.to_string()).unwrap_or_default(),
                |r, v, _| {
                    r.service = opt_ref(v)?;
                    Ok(())
                },
            ),
            L::new(
                "provider",
                |_| FieldKind::Ref(Kind::Provider, Vec::new()),
                |r, _| r.provider.map(|s| s.to_string()).unwrap_or_default(),
                |r, v, _| {
                    r.provider = opt_ref(v)?;
                    Ok(())
                },
            ),
            L::new(
                "requested",
                |_| FieldKind::Date,
                |r, _| date_text(Some(r.requested)),
                |r, v, cx| {
                    r.requested = req_date(v, cx)?;
                    Ok(())
                },
            )
            .required(),
            crate::text_lens!(L, "note", FieldKind::Note { max: 4000 }, note),
            // Not part of the record: the reason given with the next step.
            L::new(
                "step_note",
                |_| FieldKind::Text { max: 400 },
                |_, _| String::new(),
                |_, _, _| Ok(()),
            ),
        ]
    }

    fn blank(cx: &Cx) -> Referral {
        Referral {
            person: 0,
            assessment: None,
            service_type: ServiceType::Information,
            service: None,
            provider: None,
            requested: cx.today(),
            status: ReferralStatus::Requested,
            history: Vec::new(),
            due: None,
            note: String::new(),
            warnings: Vec::new(),
        }
    }

    fn wrap(t: Referral) -> Body {
        Body::Referral(t)
    }

    fn unwrap(b: &Body) -> Option<Referral> {
        match b {
            Body::Referral(r) => Some(r.clone()),
            _ => None,
        }
    }

    fn name(r: &Referral, cx: &Cx) -> String {
        format!(
            "{}: {}",
            cx.t.t("referral.one"),
            r.service_type.name(cx.t.lang())
        )
    }

    /// Warnings come before the save: a save with warnings the clerk has not seen is held
    /// once, with the warnings on the top line.
    fn check(r: &mut Referral, cx: &Cx) -> Result<(), Vec<FieldError>> {
        r.validate(cx.today())
    }

    fn banner(f: &RecordForm<Self>, cx: &Cx) -> Option<String> {
        let r = &f.base;
        let mut parts = Vec::new();
        if f.editing.is_some() {
            parts.push(label(&cx.t, "referral.status", &r.status));
            if let Some(due) = r.due {
                let overdue = due < cx.today() && r.status.is_open();
                let key = if overdue {
                    "referral.overdue"
                } else {
                    "referral.due"
                };
                parts.push(cx.t.f(key, &[("date", &format_date(due))]));
            }
        }
        let warnings = f.extra.shown.as_ref().unwrap_or(&r.warnings);
        for w in warnings {
            parts.push(format!("{} {}", cx.sym.warn, warning_text(w, cx)));
        }
        (!parts.is_empty()).then(|| parts.join(" · "))
    }

    fn hints(f: &RecordForm<Self>) -> Vec<Action> {
        match f.editing {
            Some(_) => {
                let mut h: Vec<Action> = steps(f.base.status).into_iter().map(|(a, _)| a).collect();
                h.push(Action::More);
                h
            }
            None => Vec::new(),
        }
    }

    fn meanings(f: &RecordForm<Self>) -> Meanings {
        if f.editing.is_none() {
            return Vec::new();
        }
        let mut m: Meanings = steps(f.base.status)
            .into_iter()
            .map(|(a, to)| (a, step_key(to)))
            .collect();
        m.push((Action::More, "action.document"));
        m
    }

    fn action(f: &mut RecordForm<Self>, a: Action, cx: &mut Cx) -> Option<Outcome> {
        if a == Action::Save {
            return None;
        }
        let (id, rev) = f.editing?;
        if a == Action::More {
            return Some(super::write_document(
                cx,
                crate::domain::document::DocKind::Referral,
                id,
            ));
        }
        let (_, to) = steps(f.base.status).into_iter().find(|(k, _)| *k == a)?;
        // Typing the step's reason is not a change of the record; anything else is.
        if f.current(cx).0 != f.base {
            let msg = cx.t.t("referral.save_first").to_string();
            cx.say(Level::Warn, msg);
            return Some(Outcome::Consumed);
        }
        let why = f.form.text("step_note");
        Some(match cx.api.referral_step(id, rev, to, &why) {
            Ok(record) => {
                let focus = f.form.focused().key;
                *f = RecordForm::<ReferralSpec>::edit(cx, &record);
                f.form.focus_key(focus);
                let msg = cx.t.f(
                    "referral.stepped",
                    &[("status", &label(&cx.t, "referral.status", &to))],
                );
                cx.say(Level::Info, msg);
                Outcome::Consumed
            }
            Err(ServiceError::Invalid(errors)) => {
                // The reason of a step is typed in "step_note".
                let errors: Vec<FieldError> = errors
                    .into_iter()
                    .map(|e| match e.field.as_str() {
                        "note" => FieldError::new("step_note", e.reason),
                        _ => e,
                    })
                    .collect();
                let rest = f.form.apply_errors(&errors, cx.t.lang());
                let msg = rest
                    .first()
                    .cloned()
                    .or_else(|| errors.first().map(|e| e.reason.explain(cx.t.lang())))
                    .unwrap_or_default();
                cx.say(Level::Error, msg);
                Outcome::Consumed
            }
            Err(e) => {
                cx.fail(&e);
                Outcome::Consumed
            }
        })
    }

    fn before_save(f: &mut RecordForm<Self>, r: &Referral, cx: &mut Cx) -> bool {
        let warnings = match cx.api.referral_warnings(r.clone()) {
            Ok(w) => w,
            Err(e) => {
                cx.fail(&e);
                return false;
            }
        };
        let new: Vec<&ReferralWarning> = warnings
            .iter()
            .filter(|w| {
                !f.extra
                    .shown
                    .as_ref()
                    .unwrap_or(&f.base.warnings)
                    .contains(w)
            })
            .collect();
        if new.is_empty() {
            return true;
        }
        f.extra.shown = Some(warnings.clone());
        let msg = cx.t.t("referral.warned").to_string();
        cx.say(Level::Warn, msg);
        false
    }

    fn saved(_record: &Record, _created: bool, _cx: &mut Cx) -> Outcome {
        Outcome::Pop
    }

    /// The register's rows change with a service, its provider or a referral (occupancy); the
    /// recommended types with the assessment.
    const WATCH: &'static [Kind] = &[
        Kind::Service,
        Kind::Provider,
        Kind::Referral,
        Kind::Assessment,
    ];

    /// The services are read again; the list the clerk is choosing from follows at once.
    fn refresh(f: &mut RecordForm<Self>, cx: &mut Cx) {
        f.extra.services.take();
        if super::choosing(&f.form, "service") {
            let options = service_options(f, &f.form.text("service"), cx);
            f.form.set_options("service", options);
        }
    }

    fn ref_options(f: &RecordForm<Self>, key: &str, typed: &str, cx: &Cx) -> Option<Vec<Choice>> {
        (key == "service").then(|| service_options(f, typed, cx))
    }

    /// A service chosen fills its type and provider; a type chosen offers its services.
    fn edited(f: &mut RecordForm<Self>, key: &str, cx: &mut Cx) {
        match key {
            "service" => {
                let Some(id) = f.form.choice("service").and_then(|v| v.parse::<u64>().ok()) else {
                    return;
                };
                let held = f
                    .extra
                    .services
                    .get()
                    .and_then(|s| s.rows.iter().find(|r| r.id == id).cloned());
                let row = match held {
                    Some(row) => row,
                    None => match cx.api.register_row(id) {
                        Ok(Some(row)) => row,
                        _ => return,
                    },
                };
                f.form
                    .set_value("service_type", &code(&row.service.activity));
                f.form.set_options(
                    "provider",
                    vec![Choice {
                        code: row.service.provider.to_string(),
                        label: row.provider_name.clone(),
                    }],
                );
                f.form
                    .set_value("provider", &row.service.provider.to_string());
            }
            "service_type" if f.form.text("service").is_empty() => {
                let options = service_options(f, "", cx);
                f.form.set_options("service", options);
            }
            _ => {}
        }
    }
}

/// The services a referral can go to, from the register: of the types the assessment
/// recommended and the type chosen, in the register today, matching what was typed; those
/// with free places first. Each says where it is, its free places and whether it takes
/// referrals (one open to all needs none).
pub fn service_options(f: &RecordForm<ReferralSpec>, typed: &str, cx: &Cx) -> Vec<Choice> {
    let Some(services) = services(f, cx) else {
        return Vec::new();
    };
    let mut types: Vec<ServiceType> = f
        .form
        .choice("service_type")
        .and_then(|c| by_code(&ServiceType::ALL, &c).ok())
        .into_iter()
        .collect();
    types.extend(services.recommended.iter().copied());
    let filter = Filter::default();
    let typed = search_tokens(typed);
    let today = cx.today();
    let mut rows: Vec<&RegisterRow> = services
        .rows
        .iter()
        .zip(&services.words)
        .filter(|(r, _)| types.is_empty() || types.contains(&r.service.activity))
        .filter(|(r, _)| r.service.valid_on(today))
        .filter(|(r, words)| filter.matches(r, &typed, words))
        .map(|(r, _)| r)
        .collect();
    rows.sort_by_cached_key(|r| (r.full(), r.service.name.to_lowercase()));
    rows.into_iter()
        .take(50)
        .map(|r| {
            let place = cx
                .settings
                .settlement_name(&r.service.settlement)
                .unwrap_or(&r.service.settlement);
            let free = match r.free() {
                None => String::new(),
                Some(0) => format!(" · {}", cx.t.t("referral.option_full")),
                Some(n) => format!(
                    " · {}",
                    cx.t.f("referral.option_free", &[("n", &n.to_string())])
                ),
            };
            let access = match r.service.needs_referral() {
                true => cx.t.t("referral.option_referral"),
                false => cx.t.t("referral.option_open"),
            };
            Choice {
                code: r.id.to_string(),
                label: format!(
                    "{} · {place}{free} · {access}",
                    crate::tui::widgets::fit(&r.service.name, 32, cx.sym.ellipsis)
                ),
            }
        })
        .collect()
}

/// The locale key of a step's name ("step.accepted").
fn step_key(to: ReferralStatus) -> &'static str {
    match to {
        ReferralStatus::Requested => "step.requested",
        ReferralStatus::Assessed => "step.assessed",
        ReferralStatus::Referred => "step.referred",
        ReferralStatus::Accepted => "step.accepted",
        ReferralStatus::Declined => "step.declined",
        ReferralStatus::Started => "step.started",
        ReferralStatus::Ended => "step.ended",
        ReferralStatus::Withdrawn => "step.withdrawn",
    }
}

/// A new referral of a person (from an assessment when given: its recommended type first).
pub fn new_form(cx: &Cx, person: u64, assessment: Option<u64>) -> RecordForm<ReferralSpec> {
    let mut r = ReferralSpec::blank(cx);
    r.person = person;
    r.assessment = assessment;
    let mut f = RecordForm::<ReferralSpec>::new(cx, r);
    // F4 on the service lists the register's services of the recommended types at once.
    let options = service_options(&f, "", cx);
    f.form.set_options("service", options);
    f
}
