//! The three-party agreement (споразумение): user, assistant, provider, the направление it
//! rests on, hours a month, the weekly schedule (hours on each weekday: it fills the monthly
//! reports), activities, substitute, period, signing day and status. The service checks the
//! hours against the направление and the assistant's limits, the start on the 1st and the
//! last working days of a month.

use super::{by_code, choices, Lens, Spec};
use crate::domain::{
    assistance::{hours_text, Agreement, AgreementStatus, Assistant},
    date::format_date,
    record::{Body, Kind, Record},
};
use crate::service::ApiExt;
use crate::tui::{
    app::{Cx, Level, Outcome},
    keymap::Action,
    screens::{code, record_form::RecordForm},
    widgets::form::{Choice, FieldKind, Form},
};
use crate::{date_lens, domain::search_key::search_tokens, number_lens, ref_lens, text_lens};
use std::cell::OnceCell;

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

/// An assistant as the assistant fields offer it: "Name (IBAN)".
struct AssistantRow {
    id: u64,
    person: u64,
    /// The person's name as the search's name index has it (word keys).
    tokens: Vec<String>,
    label: String,
}

/// What the assistant fields (an agreement's assistant and substitute, a contract's
/// assistant) choose from: every assistant with their person's name, read when first needed
/// (two or three requests however many keys are typed), forgotten by `forget` when a save
/// changed them (`ASSISTANT_KINDS`). One row per assistant, replaced when read again, gone
/// with the form.
#[derive(Default)]
pub struct Assistants(OnceCell<Vec<AssistantRow>>);

/// The kinds whose saves change what the assistant fields offer: assistants, and their
/// persons' names.
pub const ASSISTANT_KINDS: [Kind; 2] = [Kind::Assistant, Kind::Person];

/// Options offered for a name typed: at least this many when there are (a person with several
/// assistant records gives them all).
const ASSISTANT_OPTIONS: usize = 12;

impl Assistants {
    /// The rows, read now unless held (None when they cannot be read: tried again next time).
    fn rows(&self, cx: &Cx) -> Option<&[AssistantRow]> {
        if let Some(rows) = self.0.get() {
            return Some(rows);
        }
        let mut assistants: Vec<(u64, Assistant)> =
            crate::tui::screens::record_list::all(cx, Kind::Assistant)
                .ok()?
                .into_iter()
                .filter_map(|r| match r.body {
                    Body::Assistant(a) => Some((r.meta.id, a)),
                    _ => None,
                })
                .collect();
        assistants.sort_by_key(|(id, a)| (a.person, *id));
        let mut persons: Vec<u64> = assistants.iter().map(|(_, a)| a.person).collect();
        persons.dedup();
        // Names by the search line: no person's record read, no read logged.
        let mut names = std::collections::HashMap::new();
        for chunk in persons.chunks(crate::service::MAX_PAGE as usize) {
            for h in cx.api.labels(chunk.to_vec()).ok()? {
                names.insert(h.id, h.name);
            }
        }
        let rows = assistants
            .into_iter()
            .filter_map(|(id, a)| {
                let name = names.get(&a.person)?;
                Some(AssistantRow {
                    id,
                    person: a.person,
                    tokens: search_tokens(name),
                    label: format!("{name} ({})", a.iban.grouped()),
                })
            })
            .collect();
        Some(self.0.get_or_init(|| rows))
    }

    /// Read again when next needed.
    pub fn forget(&mut self) {
        self.0.take();
    }

    /// The assistants for what was typed, in the order the search finds their persons; a
    /// name's words are matched here, without a request. Digits only (an ЕГН, its last four, a
    /// phone) go to the search, which holds what the console is not given.
    pub fn options(&self, cx: &Cx, typed: &str) -> Vec<Choice> {
        if typed.trim().is_empty() {
            return Vec::new();
        }
        let Some(rows) = self.rows(cx) else {
            return Vec::new();
        };
        let words: Vec<String> = search_tokens(typed)
            .into_iter()
            .filter(|w| w.chars().any(char::is_alphabetic))
            .collect();
        let ranked: Vec<&AssistantRow> = if words.is_empty() {
            let hits = cx.api.search(typed, 30).unwrap_or_default();
            hits.iter()
                .filter(|h| h.kind == Kind::Person)
                .flat_map(|h| rows.iter().filter(move |r| r.person == h.id))
                .collect()
        } else {
            let mut found: Vec<(u32, &str, &AssistantRow)> = rows
                .iter()
                .filter_map(|r| {
                    let (score, first) = name_rank(&r.tokens, &words)?;
                    Some((score, first, r))
                })
                .collect();
            // The best score first, then as the search meets them: by that first word, then
            // by person; a person's assistants in id order.
            found.sort_unstable_by(|a, b| {
                b.0.cmp(&a.0)
                    .then_with(|| (a.1, a.2.person, a.2.id).cmp(&(b.1, b.2.person, b.2.id)))
            });
            found.into_iter().map(|(_, _, r)| r).collect()
        };
        let mut out: Vec<Choice> = Vec::new();
        let mut last = None;
        for r in ranked {
            if out.len() >= ASSISTANT_OPTIONS && last != Some(r.person) {
                break;
            }
            last = Some(r.person);
            out.push(Choice {
                code: r.id.to_string(),
                label: r.label.clone(),
            });
        }
        out
    }

    /// Forgets the rows and offers the fields' options again where the clerk is choosing.
    pub fn refresh(&mut self, form: &mut Form, keys: &[&str], cx: &Cx) {
        self.forget();
        for key in keys {
            if super::choosing(form, key) {
                let options = self.options(cx, &form.text(key));
                form.set_options(key, options);
            }
        }
    }
}

/// Where the search ranks a name (its word keys) for the typed words: None unless each word
/// begins one of the name's words; else the score (3 for a whole word, 1 for a word begun,
/// summed over the words) and the name's first word under the longest typed word (the search
/// meets names in that order; a higher score goes first).
fn name_rank<'a>(tokens: &'a [String], words: &[String]) -> Option<(u32, &'a str)> {
    let longest = words.iter().max_by_key(|w| w.len())?;
    let mut score = 0;
    for w in words {
        score += if tokens.iter().any(|t| t == w) {
            3
        } else if tokens.iter().any(|t| t.starts_with(w.as_str())) {
            1
        } else {
            return None;
        };
    }
    let first = tokens
        .iter()
        .filter(|t| t.starts_with(longest.as_str()))
        .min()?;
    Some((score, first))
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

/// What the form shows beside the agreement: its assistant without a contract in force.
#[derive(Default)]
pub struct AgreementExtra {
    no_contract: Option<chrono::NaiveDate>,
    assistants: Assistants,
    /// The направления of the user last asked for (read once per user, not per key; read
    /// again when one is saved).
    decisions: std::cell::RefCell<Option<(u64, Vec<Choice>)>>,
}

impl AgreementExtra {
    fn decision_options(&self, cx: &Cx, user: u64) -> Vec<Choice> {
        let mut held = self.decisions.borrow_mut();
        match &*held {
            Some((u, options)) if *u == user => options.clone(),
            _ => {
                let options = decision_options(cx, user);
                *held = Some((user, options.clone()));
                options
            }
        }
    }
}

impl Spec for AgreementSpec {
    type T = Agreement;
    type Extra = AgreementExtra;
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
            // Not part of the record: from when F6 gives the agreement the assistant chosen
            // above (the old one ends the day before, for the ending reason above).
            L::new(
                "replace_from",
                |_| FieldKind::Date,
                |_, _| String::new(),
                |_, _, _| Ok(()),
            ),
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

    fn number(x: &Agreement) -> &str {
        &x.number
    }

    fn name(a: &Agreement, cx: &Cx) -> String {
        format!("{} {}", cx.t.t("agreement.one"), a.number)
            .trim()
            .to_string()
    }

    fn hints(f: &RecordForm<Self>) -> Vec<Action> {
        match f.editing {
            Some(_) => vec![
                Action::More,
                Action::Reveal,
                Action::Edit,
                Action::NewPerson,
            ],
            None => Vec::new(),
        }
    }

    /// F12 the document to sign, F5 a suspension, F6 the assistant replaced.
    fn meanings(f: &RecordForm<Self>) -> crate::tui::keymap::Meanings {
        match f.editing {
            Some(_) => vec![
                (Action::More, "action.document"),
                (Action::Reveal, "action.suspend"),
                (Action::Edit, "action.replace_assistant"),
                (Action::NewPerson, "action.new_contract"),
            ],
            None => Vec::new(),
        }
    }

    fn action(f: &mut RecordForm<Self>, a: Action, cx: &mut Cx) -> Option<Outcome> {
        let (id, rev) = f.editing?;
        match a {
            Action::More => Some(super::write_document(
                cx,
                crate::domain::document::DocKind::Agreement,
                id,
            )),
            Action::Reveal => Some(Outcome::Push(Box::new(super::suspension::new_form(cx, id)))),
            Action::Edit => Some(replace(f, id, rev, cx)),
            // F7: the assistant's employment contract, filled in from this agreement.
            Action::NewPerson => Some(Outcome::Push(Box::new(super::contract::from_agreement(
                cx, id, &f.base,
            )))),
            _ => None,
        }
    }

    fn check(a: &mut Agreement, _cx: &Cx) -> Result<(), Vec<crate::domain::FieldError>> {
        a.validate()
    }

    const WATCH: &'static [Kind] = &[
        Kind::Contract,
        Kind::Assistant,
        Kind::Person,
        Kind::DspDecision,
    ];

    /// The assistants to choose from; the warning of an agreement in force whose assistant has
    /// no contract in force.
    fn refresh(f: &mut RecordForm<Self>, cx: &mut Cx) {
        f.extra
            .assistants
            .refresh(&mut f.form, &["assistant", "substitute"], cx);
        // A направление saved meanwhile is offered.
        f.extra.decisions.take();
        if let Some(user) = f.form.choice("user").and_then(|v| v.parse().ok()) {
            let options = f.extra.decision_options(cx, user);
            f.form.set_options("decision", options);
        }
        let Some((id, _)) = f.editing else {
            return;
        };
        match cx.api.assistance_warnings(f.base.user) {
            Ok(w) => {
                f.extra.no_contract = w.into_iter().find_map(|w| match w {
                    crate::domain::assistance::AssistanceWarning::NoContract {
                        agreement,
                        since,
                        ..
                    } if agreement == id => Some(since),
                    _ => None,
                })
            }
            Err(e) => cx.fail(&e),
        }
    }

    fn banner(f: &RecordForm<Self>, cx: &Cx) -> Option<String> {
        let a = &f.current(cx).0;
        let week = a.week_minutes();
        let mut parts = Vec::new();
        if let Some(since) = f.extra.no_contract {
            parts.push(format!(
                "{} {}",
                cx.sym.warn,
                cx.t.f("agreement.no_contract", &[("date", &format_date(since))])
            ));
        }
        if week > 0 {
            parts.push(cx.t.f(
                "agreement.week_total",
                &[
                    ("hours", &hours_text(week)),
                    ("month", &a.hours_per_month.to_string()),
                ],
            ));
        }
        (!parts.is_empty()).then(|| parts.join(" · "))
    }

    fn ref_options(f: &RecordForm<Self>, key: &str, typed: &str, cx: &Cx) -> Option<Vec<Choice>> {
        match key {
            "assistant" | "substitute" => Some(f.extra.assistants.options(cx, typed)),
            "decision" => {
                let user = f
                    .form
                    .choice("user")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                Some(f.extra.decision_options(cx, user))
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
                let options = f.extra.decision_options(cx, user);
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

/// F6: the agreement's assistant replaced by the one chosen in the form, from the date typed
/// in "replace from", the old agreement ending the day before for the ending reason chosen;
/// one commit in the service. The new agreement opens, a draft to sign.
fn replace(f: &mut RecordForm<AgreementSpec>, id: u64, rev: u64, cx: &mut Cx) -> Outcome {
    let from = super::opt_date(&f.form.text("replace_from"), cx);
    let assistant: Option<u64> = f.form.choice("assistant").and_then(|v| v.parse().ok());
    let substitute: Option<u64> = f.form.choice("substitute").and_then(|v| v.parse().ok());
    let reason = f.form.choice("end_reason").unwrap_or_default();
    let (Ok(Some(from)), Some(assistant)) = (from, assistant) else {
        f.form.apply_errors(
            &[crate::domain::FieldError::new(
                "replace_from",
                crate::domain::Reason::Required,
            )],
            cx.t.lang(),
        );
        let msg = cx.t.t("agreement.replace_how").to_string();
        cx.say(Level::Warn, msg);
        return Outcome::Consumed;
    };
    match cx
        .api
        .replace_assistant_saved(id, rev, from, assistant, substitute, &reason)
    {
        Ok(crate::service::Saved {
            record: next,
            returned,
        }) => {
            let mut msg =
                cx.t.f("agreement.replaced", &[("date", &format_date(from))]);
            if !returned.is_empty() {
                let list: Vec<String> = returned
                    .iter()
                    .map(|c| crate::domain::Explain::explain(c, cx.t.lang()))
                    .collect();
                msg.push_str(&cx.t.f("status.returned", &[("reports", &list.join("; "))]));
            }
            cx.say(Level::Info, msg);
            Outcome::Push(Box::new(RecordForm::<AgreementSpec>::edit(cx, &next)))
        }
        Err(crate::service::ServiceError::Invalid(errors)) => {
            let rest = f.form.apply_errors(&errors, cx.t.lang());
            let msg = rest
                .first()
                .cloned()
                .or_else(|| {
                    errors
                        .first()
                        .map(|e| crate::domain::Explain::explain(&e.reason, cx.t.lang()))
                })
                .unwrap_or_default();
            cx.say(Level::Error, msg);
            Outcome::Consumed
        }
        Err(e) => {
            cx.fail(&e);
            Outcome::Consumed
        }
    }
}

/// A new agreement of a user (from an accepted application: its assistant and substitute).
pub fn new_form(cx: &Cx, user: u64) -> RecordForm<AgreementSpec> {
    let mut a = AgreementSpec::blank(cx);
    a.user = user;
    let mut f: RecordForm<AgreementSpec> = RecordForm::new(cx, a);
    let options = f.extra.decision_options(cx, user);
    f.form.set_options("decision", options);
    f
}
