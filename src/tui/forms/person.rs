//! The person form. While the clerk types, a possible duplicate (the same ЕГН, or a similar
//! name with the same birth date) is shown with a key to open it; the birth date follows the
//! ЕГН; the ЕГН comes masked and stays the stored one unless another is typed.

use super::{date_text, number, opt_date, settlements, yes, yes_text, Lens, Spec};
use crate::domain::{
    date::{format_date, parse_birth_date},
    egn::Egn,
    lnch::Lnch,
    person::{DisabilityDecision, ExpertBody, MaskedId, Person, PersonalId, Representative, MASK},
    phone::Phone,
    reason::Reason,
    record::{Body, Kind, Record},
    text::clean_name,
    Explain,
};
use crate::service::ApiExt;
use crate::tui::{
    app::{Cx, Outcome},
    keymap::{Action, Context},
    screens::{label, person_card::PersonCard, record_form::RecordForm},
    widgets::form::{CheckCx, Choice, FieldKind},
};

pub struct PersonSpec;

type L = Lens<Person>;

/// A person on file who may be the one being typed.
pub struct Duplicate {
    pub id: u64,
    pub name: String,
    pub why: &'static str,
}

#[derive(Default)]
pub struct PersonExtra {
    pub duplicate: Option<Duplicate>,
}

/// "**********": the stored number as the service shows it, kept unless the clerk types another.
fn is_masked(v: &str) -> bool {
    v.trim() == MASK
}

fn check_ident(v: &str, cx: &CheckCx) -> Result<Option<String>, String> {
    if is_masked(v) {
        return Ok(None);
    }
    let digits: String = v.chars().filter(|c| !c.is_whitespace()).collect();
    match Egn::parse(&digits, cx.today) {
        Ok(e) => Ok(Some(e.as_str().to_string())),
        Err(egn_error) => match Lnch::parse(&digits) {
            Ok(l) => Ok(Some(l.as_str().to_string())),
            Err(_) => Err(egn_error.explain(cx.t.lang())),
        },
    }
}

fn check_name(v: &str, cx: &CheckCx) -> Result<Option<String>, String> {
    clean_name(v).map(Some).map_err(|e| e.explain(cx.t.lang()))
}

fn check_phones(v: &str, cx: &CheckCx) -> Result<Option<String>, String> {
    let mut shown = Vec::new();
    for part in v.split([',', ';']).map(str::trim).filter(|p| !p.is_empty()) {
        let p = Phone::parse(part).map_err(|e| format!("{part}: {}", e.explain(cx.t.lang())))?;
        shown.push(p.national());
    }
    Ok(Some(shown.join(", ")))
}

/// The identifier as typed: the loaded one when its masked form is left as shown.
fn set_ident(p: &mut Person, v: &str, cx: &Cx) -> Result<(), Reason> {
    if !v.is_empty() && v == p.ident.masked() {
        return Ok(());
    }
    let digits: String = v.chars().filter(|c| !c.is_whitespace()).collect();
    p.ident = if digits.is_empty() {
        PersonalId::None
    } else if is_masked(&digits) {
        // Not this record's number: the service refuses it beside the field.
        PersonalId::Masked(MaskedId::new(false))
    } else if let Ok(e) = Egn::parse(&digits, cx.today()) {
        PersonalId::Egn(e)
    } else {
        match Lnch::parse(&digits) {
            Ok(l) => PersonalId::Lnch(l),
            Err(_) => {
                return Err(Egn::parse(&digits, cx.today())
                    .err()
                    .map(Reason::Egn)
                    .unwrap_or(Reason::Required))
            }
        }
    };
    Ok(())
}

const BODIES: [(&str, ExpertBody); 3] = [
    ("telk", ExpertBody::Telk),
    ("nelk", ExpertBody::Nelk),
    ("child", ExpertBody::Child),
];

fn bodies(cx: &Cx) -> FieldKind {
    FieldKind::Choice(
        BODIES
            .iter()
            .map(|(code, b)| Choice {
                code: code.to_string(),
                label: label(&cx.t, "person.body", b),
            })
            .collect(),
    )
}

/// A field of the disability decision: read from it when there is one; written only when the
/// body is chosen (the body's lens comes first and makes or removes the decision).
fn decision<T>(p: &Person, f: impl Fn(&DisabilityDecision) -> T) -> Option<T> {
    p.disability.as_ref().map(f)
}

impl Spec for PersonSpec {
    type T = Person;
    type Extra = PersonExtra;
    const KIND: Kind = Kind::Person;

    fn lenses() -> Vec<Lens<Person>> {
        vec![
            L::new(
                "ident",
                |_| FieldKind::Text { max: 12 },
                |p, _| p.ident.masked(),
                set_ident,
            )
            .check(check_ident),
            crate::text_lens!(L, "first_name", FieldKind::Text { max: 60 }, first_name)
                .required()
                .check(check_name),
            crate::text_lens!(L, "middle_name", FieldKind::Text { max: 60 }, middle_name)
                .check(check_name),
            crate::text_lens!(L, "last_name", FieldKind::Text { max: 60 }, last_name)
                .required()
                .check(check_name),
            L::new(
                "birth_date",
                |_| FieldKind::BirthDate,
                |p, _| date_text(p.birth_date),
                |p, v, cx| {
                    p.birth_date = (!v.is_empty())
                        .then(|| parse_birth_date(v, cx.today()))
                        .transpose()
                        .map_err(Reason::Date)?;
                    // The ЕГН decides birth date and sex when there is one.
                    p.derive_from_id();
                    Ok(())
                },
            ),
            crate::choice_lens!(L, "settlement", settlements, settlement),
            crate::text_lens!(L, "address", FieldKind::Text { max: 200 }, address),
            L::new(
                "phones",
                |_| FieldKind::Text { max: 80 },
                |p, _| {
                    let shown: Vec<String> = p.phones.iter().map(|x| x.national()).collect();
                    shown.join(", ")
                },
                |p, v, _| {
                    p.phones = v
                        .split([',', ';'])
                        .map(str::trim)
                        .filter(|x| !x.is_empty())
                        .map(|x| Phone::parse(x).map_err(Reason::Phone))
                        .collect::<Result<_, _>>()?;
                    Ok(())
                },
            )
            .check(check_phones),
            L::new(
                "representative",
                |_| FieldKind::Text { max: 60 },
                |p, _| {
                    p.representative
                        .as_ref()
                        .map(|r| r.name.clone())
                        .unwrap_or_default()
                },
                |p, v, _| {
                    p.representative = (!v.is_empty()).then(|| Representative {
                        name: v.into(),
                        basis: String::new(),
                        phone: p.representative.as_ref().and_then(|r| r.phone.clone()),
                    });
                    Ok(())
                },
            )
            .check(check_name),
            L::new(
                "representative_basis",
                |_| FieldKind::Text { max: 120 },
                |p, _| {
                    p.representative
                        .as_ref()
                        .map(|r| r.basis.clone())
                        .unwrap_or_default()
                },
                |p, v, _| {
                    if let Some(r) = &mut p.representative {
                        r.basis = v.into();
                    }
                    Ok(())
                },
            ),
            L::new(
                "disability_body",
                bodies,
                |p, _| {
                    decision(p, |d| {
                        BODIES.iter().find(|(_, b)| *b == d.body).map(|(c, _)| *c)
                    })
                    .flatten()
                    .unwrap_or_default()
                    .to_string()
                },
                |p, v, cx| {
                    p.disability = match BODIES.iter().find(|(c, _)| *c == v) {
                        None => None,
                        Some((_, body)) => Some(DisabilityDecision {
                            body: *body,
                            ..p.disability.clone().unwrap_or(DisabilityDecision {
                                body: *body,
                                number: String::new(),
                                issued: cx.today(),
                                percent: 0,
                                needs_help: false,
                                valid_until: None,
                            })
                        }),
                    };
                    Ok(())
                },
            ),
            L::new(
                "disability_number",
                |_| FieldKind::Text { max: 40 },
                |p, _| decision(p, |d| d.number.clone()).unwrap_or_default(),
                |p, v, _| {
                    if let Some(d) = &mut p.disability {
                        d.number = v.into();
                    }
                    Ok(())
                },
            ),
            L::new(
                "disability_issued",
                |_| FieldKind::Date,
                |p, _| decision(p, |d| format_date(d.issued)).unwrap_or_default(),
                |p, v, cx| {
                    if let Some(d) = &mut p.disability {
                        d.issued = super::req_date(v, cx)?;
                    }
                    Ok(())
                },
            ),
            L::new(
                "disability_percent",
                |_| FieldKind::Number { min: 0, max: 100 },
                |p, _| decision(p, |d| d.percent.to_string()).unwrap_or_default(),
                |p, v, _| {
                    if let Some(d) = &mut p.disability {
                        d.percent = number(v, 0, 100)?.unwrap_or(0);
                    }
                    Ok(())
                },
            ),
            L::new(
                "disability_needs_help",
                |_| FieldKind::YesNo,
                |p, _| yes_text(decision(p, |d| d.needs_help).unwrap_or(false)),
                |p, v, _| {
                    if let Some(d) = &mut p.disability {
                        d.needs_help = yes(v);
                    }
                    Ok(())
                },
            ),
            L::new(
                "disability_valid_until",
                |_| FieldKind::Date,
                |p, _| date_text(decision(p, |d| d.valid_until).flatten()),
                |p, v, cx| {
                    if let Some(d) = &mut p.disability {
                        d.valid_until = opt_date(v, cx)?;
                    }
                    Ok(())
                },
            ),
            L::new(
                "consent",
                |_| FieldKind::Date,
                |p, _| date_text(p.consent),
                |p, v, cx| {
                    p.consent = opt_date(v, cx)?;
                    Ok(())
                },
            ),
            crate::text_lens!(L, "note", FieldKind::Note { max: 4000 }, note),
        ]
    }

    fn blank(_cx: &Cx) -> Person {
        Person::default()
    }

    fn wrap(t: Person) -> Body {
        Body::Person(t)
    }

    fn unwrap(b: &Body) -> Option<Person> {
        match b {
            Body::Person(p) => Some(p.clone()),
            _ => None,
        }
    }

    fn name(p: &Person, _cx: &Cx) -> String {
        [p.first_name.trim(), p.last_name.trim()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn check(p: &mut Person, cx: &Cx) -> Result<(), Vec<crate::domain::FieldError>> {
        p.validate(cx.today(), &cx.settings.settlement_codes())
    }

    fn edited(f: &mut RecordForm<Self>, key: &str, cx: &mut Cx) {
        if key == "ident" {
            let digits: String = f
                .form
                .text("ident")
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            if let Ok(e) = Egn::parse(&digits, cx.today()) {
                f.form.set("birth_date", &format_date(e.birth_date()));
            }
        }
        if matches!(key, "ident" | "first_name" | "last_name" | "birth_date") {
            find_duplicate(f, cx);
        }
    }

    fn banner(f: &RecordForm<Self>, cx: &Cx) -> Option<String> {
        let d = f.extra.duplicate.as_ref()?;
        Some(format!(
            "{} {}: {} {} {}",
            cx.sym.warn,
            cx.t.t(d.why),
            d.name,
            cx.sym.dash,
            cx.t.f(
                "person.dup_open",
                &[(
                    "key",
                    &crate::tui::keymap::main_key(Context::Form, Action::OpenDuplicate)
                )]
            )
        ))
    }

    fn hints(f: &RecordForm<Self>) -> Vec<Action> {
        if f.extra.duplicate.is_some() {
            vec![Action::OpenDuplicate]
        } else {
            Vec::new()
        }
    }

    fn action(f: &mut RecordForm<Self>, a: Action, cx: &mut Cx) -> Option<Outcome> {
        if a != Action::OpenDuplicate {
            return None;
        }
        let d = f.extra.duplicate.as_ref()?;
        Some(match PersonCard::open(cx, d.id) {
            Ok(card) => Outcome::Push(Box::new(card)),
            Err(e) => {
                cx.fail(&e);
                Outcome::Consumed
            }
        })
    }

    /// A new person's card opens in place of the form.
    fn saved(record: &Record, created: bool, cx: &mut Cx) -> Outcome {
        if !created {
            return Outcome::Pop;
        }
        match PersonCard::open(cx, record.id()) {
            Ok(card) => Outcome::Replace(Box::new(card)),
            Err(e) => {
                cx.fail(&e);
                Outcome::Pop
            }
        }
    }
}

/// A new person from the search box: digits go to the ЕГН, words to the names.
pub fn seed(query: &str) -> Person {
    let q = query.trim();
    let mut p = Person::default();
    if q.is_empty() {
        return p;
    }
    if q.chars().all(|c| c.is_ascii_digit()) {
        // Digits go to the ЕГН field as typed (`new_form`).
        return p;
    }
    let words: Vec<String> = q
        .split_whitespace()
        .filter(|w| w.chars().all(|c| c.is_alphabetic() || c == '-'))
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| {
                    f.to_uppercase()
                        .chain(c.flat_map(char::to_lowercase))
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect();
    if let Some(f) = words.first() {
        p.first_name = f.clone();
    }
    if words.len() > 1 {
        p.last_name = words[words.len() - 1].clone();
    }
    p
}

/// The new-person form, filled from the search box.
pub fn new_form(cx: &Cx, query: &str) -> RecordForm<PersonSpec> {
    let mut f = RecordForm::<PersonSpec>::new(cx, seed(query));
    let q = query.trim();
    if !q.is_empty() && q.chars().all(|c| c.is_ascii_digit()) {
        f.form.set("ident", q);
    }
    f
}

/// Looks for the same person already on file.
fn find_duplicate(f: &mut RecordForm<PersonSpec>, cx: &mut Cx) {
    f.extra.duplicate = None;
    let own = f.editing.map(|(id, _)| id);
    let (p, _) = f.current(cx);
    let person_hits = |q: &str| -> Vec<crate::service::Hit> {
        cx.api
            .search(q, 20)
            .unwrap_or_default()
            .into_iter()
            .filter(|h| h.kind == Kind::Person && Some(h.id) != own)
            .collect()
    };
    if let Some(ident) = p.ident.as_str() {
        if let Some(h) = person_hits(ident).into_iter().find(|h| h.score >= 100) {
            f.extra.duplicate = Some(Duplicate {
                id: h.id,
                name: h.name,
                why: "person.dup_ident",
            });
            return;
        }
    }
    if let (false, false, Some(born)) = (
        p.first_name.is_empty(),
        p.last_name.is_empty(),
        p.birth_date,
    ) {
        let q = format!("{} {}", p.first_name, p.last_name);
        let born = format_date(born);
        if let Some(h) = person_hits(&q).into_iter().find(|h| h.detail == born) {
            f.extra.duplicate = Some(Duplicate {
                id: h.id,
                name: h.name,
                why: "person.dup_name",
            });
        }
    }
}
