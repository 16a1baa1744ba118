//! The application-declaration (заявление-декларация) for personal assistance: who submitted it
//! and by what right, the chosen assistant and substitute, the declaration of no other
//! support, the checklist (its items are the settings' `checklist`: each ok / missing / not
//! applicable with a note; a missing one gives a remedy deadline on the agenda) and the
//! outcome. On an accepted one F5 starts the agreement, filled in.

use super::{by_code, choices, yes, yes_text, Lens, Spec};
use crate::domain::{
    assistance::{Applicant, Application, ApplicationStatus, CheckItem, CheckState},
    record::{Body, Kind},
};
use crate::service::ApiExt;
use crate::tui::{
    app::{Cx, Outcome},
    keymap::{Action, Meanings},
    screens::{code, record_form::RecordForm},
    widgets::form::FieldKind,
};
use crate::{date_lens, ref_lens, text_lens};

pub struct ApplicationSpec;

type L = Lens<Application>;

const APPLICANTS: [Applicant; 3] = [
    Applicant::User,
    Applicant::Representative,
    Applicant::Authorised,
];

const STATUSES: [ApplicationStatus; 6] = [
    ApplicationStatus::Received,
    ApplicationStatus::Incomplete,
    ApplicationStatus::Complete,
    ApplicationStatus::Approved,
    ApplicationStatus::Refused,
    ApplicationStatus::Withdrawn,
];

/// The code of the settings' checklist item in slot `i`.
fn item_code(cx: &Cx, i: usize) -> Option<String> {
    cx.settings.checklist.get(i).map(|c| c.code.clone())
}

/// The state of slot `i` as the form shows it.
fn item_state(a: &Application, cx: &Cx, i: usize) -> String {
    item_code(cx, i)
        .and_then(|c| a.checklist.iter().find(|x| x.code == c))
        .map(|x| code(&x.state))
        .unwrap_or_default()
}

/// The item of slot `i` in the record, made when missing.
fn item_mut<'a>(a: &'a mut Application, cx: &Cx, i: usize) -> Option<&'a mut CheckItem> {
    let c = item_code(cx, i)?;
    if !a.checklist.iter().any(|x| x.code == c) {
        a.checklist.push(CheckItem {
            code: c.clone(),
            state: CheckState::Missing,
            note: String::new(),
        });
    }
    a.checklist.iter_mut().find(|x| x.code == c)
}

/// A checklist slot: its state and its note (`check_lenses!(0, "check_0", "check_0_note")`);
/// a slot the settings do not use is not shown.
macro_rules! check_lenses {
    ($i:literal, $key:literal, $note:literal) => {
        [
            L::new(
                $key,
                |cx| FieldKind::Choice(choices(cx, "application.check", &CheckState::ALL)),
                |a, cx| item_state(a, cx, $i),
                |a, v, cx| {
                    let state = by_code(&CheckState::ALL, v)?;
                    if let Some(x) = item_mut(a, cx, $i) {
                        x.state = state;
                    }
                    Ok(())
                },
            )
            .labelled(|cx| {
                cx.settings
                    .checklist
                    .get($i)
                    .map(|c| cx.t.lang().pick(&c.bg, &c.en).to_string())
            }),
            L::new(
                $note,
                |_| FieldKind::Text { max: 200 },
                |a, cx| {
                    item_code(cx, $i)
                        .and_then(|c| a.checklist.iter().find(|x| x.code == c))
                        .map(|x| x.note.clone())
                        .unwrap_or_default()
                },
                |a, v, cx| {
                    if let Some(x) = item_mut(a, cx, $i) {
                        x.note = v.into();
                    }
                    Ok(())
                },
            )
            .labelled(|cx| {
                cx.settings
                    .checklist
                    .get($i)
                    .map(|_| cx.t.t("application.item_note").to_string())
            }),
        ]
    };
}

impl Spec for ApplicationSpec {
    type T = Application;
    type Extra = ();
    const KIND: Kind = Kind::Application;

    fn lenses() -> Vec<Lens<Application>> {
        let mut v = vec![
            ref_lens!(L, "person", Kind::Person, person),
            date_lens!(L, "date", date),
            crate::enum_lens!(
                L,
                "applicant",
                "application.applicant",
                APPLICANTS,
                applicant
            )
            .required(),
            text_lens!(
                L,
                "applicant_name",
                FieldKind::Text { max: 120 },
                applicant_name
            ),
            text_lens!(
                L,
                "applicant_document",
                FieldKind::Text { max: 120 },
                applicant_document
            ),
            ref_lens!(L, "assistant", Kind::Person, assistant, optional),
            ref_lens!(L, "substitute", Kind::Person, substitute, optional),
            L::new(
                "declares_no_other_support",
                |_| FieldKind::YesNo,
                |a, _| yes_text(a.declares_no_other_support),
                |a, v, _| {
                    a.declares_no_other_support = yes(v);
                    Ok(())
                },
            ),
        ];
        v.extend(check_lenses!(0, "check_0", "check_0_note"));
        v.extend(check_lenses!(1, "check_1", "check_1_note"));
        v.extend(check_lenses!(2, "check_2", "check_2_note"));
        v.extend(check_lenses!(3, "check_3", "check_3_note"));
        v.extend(check_lenses!(4, "check_4", "check_4_note"));
        v.extend(check_lenses!(5, "check_5", "check_5_note"));
        v.extend(check_lenses!(6, "check_6", "check_6_note"));
        v.extend(check_lenses!(7, "check_7", "check_7_note"));
        v.extend([
            crate::enum_lens!(L, "status", "application.status", STATUSES, status).required(),
            date_lens!(L, "remedy_by", remedy_by, optional),
            text_lens!(
                L,
                "refusal_reason",
                FieldKind::Text { max: 400 },
                refusal_reason
            ),
            text_lens!(L, "note", FieldKind::Note { max: 4000 }, note),
        ]);
        v
    }

    /// Every item of the settings' checklist starts as missing: the clerk marks what is there.
    fn blank(cx: &Cx) -> Application {
        Application {
            reg_no: String::new(),
            person: 0,
            date: cx.today(),
            applicant: Applicant::User,
            applicant_name: String::new(),
            applicant_document: String::new(),
            assistant: None,
            substitute: None,
            declares_no_other_support: false,
            checklist: cx
                .settings
                .checklist
                .iter()
                .map(|c| CheckItem {
                    code: c.code.clone(),
                    state: CheckState::Missing,
                    note: String::new(),
                })
                .collect(),
            status: ApplicationStatus::Received,
            remedy_by: None,
            refusal_reason: String::new(),
            note: String::new(),
        }
    }

    fn wrap(t: Application) -> Body {
        Body::Application(t)
    }

    fn unwrap(b: &Body) -> Option<Application> {
        match b {
            Body::Application(a) => Some(a.clone()),
            _ => None,
        }
    }

    fn number(x: &Application) -> &str {
        &x.reg_no
    }

    fn name(a: &Application, cx: &Cx) -> String {
        format!("{} {}", cx.t.t("application.one"), a.reg_no)
            .trim()
            .to_string()
    }

    fn check(a: &mut Application, cx: &Cx) -> Result<(), Vec<crate::domain::FieldError>> {
        a.validate(cx.today())
    }

    fn hints(f: &RecordForm<Self>) -> Vec<Action> {
        match (f.editing, f.base.status) {
            (Some(_), ApplicationStatus::Approved) => vec![Action::Reveal],
            _ => Vec::new(),
        }
    }

    fn meanings(f: &RecordForm<Self>) -> Meanings {
        match (f.editing, f.base.status) {
            (Some(_), ApplicationStatus::Approved) => {
                vec![(Action::Reveal, "action.new_agreement")]
            }
            _ => Vec::new(),
        }
    }

    /// F5 on an accepted application: its agreement, the user, the assistant and the
    /// substitute filled in.
    fn action(f: &mut RecordForm<Self>, a: Action, cx: &mut Cx) -> Option<Outcome> {
        if a != Action::Reveal
            || f.editing.is_none()
            || f.base.status != ApplicationStatus::Approved
        {
            return None;
        }
        let app = f.base.clone();
        let assistant_of = |person: Option<u64>, cx: &Cx| -> Option<(u64, String)> {
            let person = person?;
            cx.api
                .related(person)
                .ok()?
                .into_iter()
                .find_map(|r| match &r.body {
                    Body::Assistant(x) if x.person == person => Some((r.id(), x.iban.grouped())),
                    _ => None,
                })
        };
        let mut form = super::agreement::new_form(cx, app.person);
        for (key, person) in [("assistant", app.assistant), ("substitute", app.substitute)] {
            if let Some((id, iban)) = assistant_of(person, cx) {
                let name = match person.map(|p| cx.api.labels(vec![p])) {
                    Some(Ok(h)) if !h.is_empty() => h[0].name.clone(),
                    _ => String::new(),
                };
                form.form.set_options(
                    key,
                    vec![crate::tui::widgets::form::Choice {
                        code: id.to_string(),
                        label: format!("{name} ({iban})"),
                    }],
                );
                form.form.set_value(key, &id.to_string());
            }
        }
        Some(Outcome::Push(Box::new(form)))
    }
}

/// A new application of a person.
pub fn new_form(cx: &Cx, person: u64) -> RecordForm<ApplicationSpec> {
    let mut a = ApplicationSpec::blank(cx);
    a.person = person;
    RecordForm::new(cx, a)
}
