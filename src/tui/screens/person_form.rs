//! Create and edit a person with the form widget. While the clerk types, a possible duplicate
//! (the same ЕГН, or a similar name with the same birth date) is shown with a key to open it.

use super::{conflict::Conflict, person_card::PersonCard};
use crate::domain::{
    date::format_date,
    draft::Draft,
    egn::Egn,
    lnch::Lnch,
    person::{DisabilityDecision, ExpertBody, Person, PersonalId, Representative},
    phone::Phone,
    reason::Reason,
    record::{Body, Kind, Record},
    text::clean_name,
    Explain, FieldError,
};
use crate::service::{ApiExt, Change, ServiceError};
use crate::tui::{
    app::{Cx, Level, Outcome, Screen},
    i18n::I18n,
    keymap::{Action, Context},
    widgets::{
        fit,
        form::{self, CheckCx, Field, FieldKind, Form, FormEvent},
    },
    Ev,
};
use ratatui::{buffer::Buffer, layout::Rect};

const FORM: &str = "person";

fn check_ident(v: &str, cx: &CheckCx) -> Result<Option<String>, String> {
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

fn parse_ident(v: &str, today: chrono::NaiveDate) -> PersonalId {
    if let Ok(e) = Egn::parse(v, today) {
        PersonalId::Egn(e)
    } else if let Ok(l) = Lnch::parse(v) {
        PersonalId::Lnch(l)
    } else {
        PersonalId::None
    }
}

const BODIES: [(&str, ExpertBody); 3] = [
    ("telk", ExpertBody::Telk),
    ("nelk", ExpertBody::Nelk),
    ("child", ExpertBody::Child),
];

fn fields(cx: &Cx) -> Vec<Field> {
    let t = &cx.t;
    let settlements = cx
        .settings
        .settlements
        .iter()
        .map(|s| form::Choice {
            code: s.ekatte.clone(),
            label: s.name.clone(),
        })
        .collect();
    let bodies = BODIES
        .iter()
        .map(|(code, b)| form::Choice {
            code: code.to_string(),
            label: super::label(t, "person.body", b),
        })
        .collect();
    use FieldKind::*;
    vec![
        Field::new("ident", Text { max: 12 }).check(check_ident),
        Field::new("first_name", Text { max: 60 })
            .required()
            .check(check_name),
        Field::new("middle_name", Text { max: 60 }).check(check_name),
        Field::new("last_name", Text { max: 60 })
            .required()
            .check(check_name),
        Field::new("birth_date", Date),
        Field::new("settlement", Choice(settlements)),
        Field::new("address", Text { max: 200 }),
        Field::new("phones", Text { max: 80 }).check(check_phones),
        Field::new("representative", Text { max: 60 }).check(check_name),
        Field::new("representative_basis", Text { max: 120 }),
        Field::new("disability_body", Choice(bodies)),
        Field::new("disability_number", Text { max: 40 }),
        Field::new("disability_issued", Date),
        Field::new("disability_percent", Number { min: 0, max: 100 }),
        Field::new("disability_needs_help", YesNo),
        Field::new("disability_valid_until", Date),
        Field::new("consent", Date),
        Field::new("note", Note { max: 4000 }),
    ]
}

/// A record that may be the same person.
pub struct Duplicate {
    pub id: u64,
    pub name: String,
    pub why: &'static str,
}

pub struct PersonForm {
    pub form: Form,
    /// The record being edited (id and the rev it was loaded at).
    editing: Option<(u64, u64)>,
    pub duplicate: Option<Duplicate>,
    /// The newer saved version a save ran into, while the clerk decides (conflict screen).
    theirs: Option<Record>,
}

impl PersonForm {
    /// A new person; the search query fills the ЕГН or the names.
    pub fn new(cx: &Cx, query: &str) -> PersonForm {
        let mut form = Form::new(fields(cx), &cx.theme);
        let q = query.trim();
        if !q.is_empty() && q.chars().all(|c| c.is_ascii_digit()) {
            form.set("ident", q);
        } else {
            let words: Vec<String> = q
                .split_whitespace()
                .filter(|w| w.chars().all(|c| c.is_alphabetic() || c == '-'))
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| {
                            f.to_uppercase()
                                .chain(c.flat_map(|x| x.to_lowercase()))
                                .collect()
                        })
                        .unwrap_or_default()
                })
                .collect();
            if let Some(f) = words.first() {
                form.set("first_name", f);
            }
            if words.len() > 1 {
                form.set("last_name", &words[words.len() - 1]);
            }
        }
        PersonForm {
            form,
            editing: None,
            duplicate: None,
            theirs: None,
        }
    }

    /// A form left unsaved, back as it was typed. An edit keeps the rev it was loaded at, so a
    /// record changed since shows as a conflict on save.
    pub fn from_draft(cx: &Cx, draft: &Draft) -> Result<PersonForm, String> {
        let mut f = match draft.target {
            Some((id, rev)) => {
                let record = match cx.api.get(Kind::Person, id) {
                    Ok(r) => r,
                    Err(ServiceError::NotFound { .. }) => {
                        return Err(cx.t.t("drafts.gone").to_string())
                    }
                    Err(e) => return Err(e.explain(cx.t.lang())),
                };
                let mut f = PersonForm::edit(cx, &record);
                f.editing = Some((id, rev));
                f
            }
            None => PersonForm::new(cx, ""),
        };
        f.form.restore(&draft.fields);
        Ok(f)
    }

    pub fn edit(cx: &Cx, record: &Record) -> PersonForm {
        let mut f = PersonForm::new(cx, "");
        f.editing = Some((record.id(), record.meta.rev));
        if let Body::Person(p) = &record.body {
            let form = &mut f.form;
            form.set("ident", p.ident.as_str().unwrap_or_default());
            form.set("first_name", &p.first_name);
            form.set("middle_name", &p.middle_name);
            form.set("last_name", &p.last_name);
            form.set(
                "birth_date",
                &p.birth_date.map(format_date).unwrap_or_default(),
            );
            form.set_choice("settlement", &p.settlement);
            form.set("address", &p.address);
            let phones: Vec<String> = p.phones.iter().map(|x| x.national()).collect();
            form.set("phones", &phones.join(", "));
            if let Some(r) = &p.representative {
                form.set("representative", &r.name);
                form.set("representative_basis", &r.basis);
            }
            if let Some(d) = &p.disability {
                let code = BODIES.iter().find(|(_, b)| *b == d.body).map(|(c, _)| *c);
                form.set_choice("disability_body", code.unwrap_or_default());
                form.set("disability_number", &d.number);
                form.set("disability_issued", &format_date(d.issued));
                form.set("disability_percent", &d.percent.to_string());
                form.set("disability_needs_help", if d.needs_help { "1" } else { "" });
                form.set(
                    "disability_valid_until",
                    &d.valid_until.map(format_date).unwrap_or_default(),
                );
            }
            form.set("consent", &p.consent.map(format_date).unwrap_or_default());
            form.set("note", &p.note);
        }
        f
    }

    fn check_cx<'a>(cx: &'a Cx) -> CheckCx<'a> {
        CheckCx {
            today: cx.today(),
            t: &cx.t,
        }
    }

    /// The person the form describes, with the refusals of fields that cannot be read.
    fn person(&self, cx: &Cx) -> (Person, Vec<FieldError>) {
        let f = &self.form;
        let today = cx.today();
        let mut missing = Vec::new();
        let ident = parse_ident(&f.text("ident"), today);
        let phones = f
            .text("phones")
            .split([',', ';'])
            .filter_map(|p| Phone::parse(p.trim()).ok())
            .collect();
        let representative = (!f.text("representative").is_empty()).then(|| Representative {
            name: f.text("representative"),
            basis: f.text("representative_basis"),
            phone: None,
        });
        let disability = match f.choice("disability_body") {
            Some(code) => {
                let body = BODIES
                    .iter()
                    .find(|(c, _)| *c == code)
                    .map(|(_, b)| *b)
                    .unwrap_or(ExpertBody::Telk);
                let issued = f.date("disability_issued", today);
                if issued.is_none() {
                    missing.push(FieldError::new("disability_issued", Reason::Required));
                }
                issued.map(|issued| DisabilityDecision {
                    body,
                    number: f.text("disability_number"),
                    issued,
                    percent: f.number("disability_percent").unwrap_or(0).clamp(0, 100) as u8,
                    needs_help: f.yes("disability_needs_help"),
                    valid_until: f.date("disability_valid_until", today),
                })
            }
            None => None,
        };
        let mut p = Person {
            ident,
            first_name: f.text("first_name"),
            middle_name: f.text("middle_name"),
            last_name: f.text("last_name"),
            birth_date: f.date("birth_date", today),
            sex: None,
            settlement: f.choice("settlement").unwrap_or_default(),
            address: f.text("address"),
            phones,
            representative,
            disability,
            consent: f.date("consent", today),
            note: f.text("note"),
        };
        p.derive_from_id();
        (p, missing)
    }

    /// Looks for the same person already on file.
    fn find_duplicate(&mut self, cx: &mut Cx) {
        self.duplicate = None;
        let own = self.editing.map(|(id, _)| id);
        let (p, _) = self.person(cx);
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
                self.duplicate = Some(Duplicate {
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
                self.duplicate = Some(Duplicate {
                    id: h.id,
                    name: h.name,
                    why: "person.dup_name",
                });
            }
        }
    }

    fn save(&mut self, cx: &mut Cx) -> Outcome {
        let ok = self.form.validate_all(&Self::check_cx(cx));
        if !ok {
            let msg = cx.t.t("status.fix_fields").to_string();
            cx.say(Level::Error, msg);
            return Outcome::Consumed;
        }
        let (mut person, missing) = self.person(cx);
        if !missing.is_empty() {
            self.refused(cx, &missing);
            return Outcome::Consumed;
        }
        let settlements = cx.settings.settlement_codes();
        if let Err(errors) = person.validate(cx.today(), &settlements) {
            self.refused(cx, &errors);
            return Outcome::Consumed;
        }
        let body = Body::Person(person);
        let result = match self.editing {
            None => cx.api.create(body),
            Some((id, rev)) => cx.api.update(id, rev, body),
        };
        match result {
            Ok(record) => {
                self.form.dirty = false;
                cx.previous.insert(FORM, self.form.values());
                // The service answered after flush and fsync: the save is on disk.
                let name = match &record.body {
                    Body::Person(p) => p.full_name(),
                    _ => String::new(),
                };
                let msg = cx.t.f("status.saved", &[("what", &name)]);
                cx.say(Level::Info, msg);
                if self.editing.is_some() {
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
            Err(ServiceError::Invalid(errors)) => {
                self.refused(cx, &errors);
                Outcome::Consumed
            }
            Err(ServiceError::Conflict { current }) => {
                let saved = PersonForm::edit(cx, &current);
                let rows = self.form.differences(&saved.form, &cx.t);
                let when = format!(
                    "{} {}",
                    format_date(current.meta.updated.date()),
                    current.meta.updated.format("%H:%M")
                );
                let screen = Conflict::new(current.meta.by.clone(), when, rows);
                self.theirs = Some(*current);
                Outcome::Push(Box::new(screen))
            }
            Err(e) => {
                cx.fail(&e);
                Outcome::Consumed
            }
        }
    }

    /// The clerk chose in the conflict screen: save their typing over the newer version, or
    /// load the newer version and drop the typing.
    fn decide(&mut self, keep_mine: bool, theirs: Record, cx: &mut Cx) -> Outcome {
        if keep_mine {
            self.editing = Some((theirs.id(), theirs.meta.rev));
            return self.save(cx);
        }
        let focus = self.form.focused().key;
        *self = PersonForm::edit(cx, &theirs);
        self.form.focus_key(focus);
        let msg = cx.t.t("conflict.taken").to_string();
        cx.say(Level::Info, msg);
        Outcome::Consumed
    }

    fn refused(&mut self, cx: &mut Cx, errors: &[FieldError]) {
        let rest = self.form.apply_errors(errors, cx.t.lang());
        let msg = rest
            .first()
            .cloned()
            .unwrap_or_else(|| cx.t.t("status.fix_fields").to_string());
        cx.say(Level::Error, msg);
    }
}

impl Screen for PersonForm {
    fn title(&self, t: &I18n) -> String {
        match self.editing {
            None => t.t("person.new_title").to_string(),
            Some(_) => t.t("person.edit_title").to_string(),
        }
    }

    fn context(&self) -> Context {
        self.form.context()
    }

    fn hints(&self) -> Vec<Action> {
        let mut h = vec![Action::Save, Action::NextField];
        if matches!(self.form.focused().kind, FieldKind::Choice(_)) {
            h.push(Action::ListValues);
        }
        if self.duplicate.is_some() {
            h.push(Action::OpenDuplicate);
        }
        h.push(Action::CopyPrevious);
        h.push(Action::Back);
        h
    }

    fn unsaved(&self) -> bool {
        self.form.dirty
    }

    fn resume(&mut self, _cx: &mut Cx) {
        // Back from the conflict screen without a choice: the next save asks again.
        self.theirs = None;
    }

    fn changed(&mut self, change: &Change, cx: &mut Cx) -> bool {
        let Some((id, rev)) = self.editing else {
            return false;
        };
        match change.records.iter().find(|c| c.id == id) {
            Some(c) if c.rev > rev => {
                let msg = cx.t.f("status.edited_meanwhile", &[("login", &change.by)]);
                cx.say(Level::Warn, msg);
                true
            }
            _ => false,
        }
    }

    fn draft(&self, cx: &Cx) -> Option<Draft> {
        if !self.form.dirty {
            return None;
        }
        let name = [self.form.text("first_name"), self.form.text("last_name")].join(" ");
        Some(Draft {
            key: Draft::key_for(Kind::Person, self.editing.map(|(id, _)| id)),
            target: self.editing,
            title: if name.trim().is_empty() {
                cx.t.t("person.new_title").to_string()
            } else {
                name.trim().to_string()
            },
            fields: self
                .form
                .values()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            saved: (cx.clock)(),
        })
    }

    fn handle(&mut self, ev: &Ev, cx: &mut Cx) -> Outcome {
        match ev {
            Ev::Action(a @ (Action::Save | Action::Discard)) if self.theirs.is_some() => {
                let theirs = self.theirs.take().expect("checked");
                return self.decide(*a == Action::Save, theirs, cx);
            }
            Ev::Action(Action::Save) => return self.save(cx),
            Ev::Action(Action::OpenDuplicate) => {
                if let Some(d) = &self.duplicate {
                    return match PersonCard::open(cx, d.id) {
                        Ok(card) => Outcome::Push(Box::new(card)),
                        Err(e) => {
                            cx.fail(&e);
                            Outcome::Consumed
                        }
                    };
                }
                return Outcome::Consumed;
            }
            Ev::Action(Action::CopyPrevious) => {
                let previous = cx.previous.get(FORM).cloned().unwrap_or_default();
                if self.form.copy_from(&previous) == FormEvent::Ignored {
                    let msg = cx.t.t("status.no_previous").to_string();
                    cx.say(Level::Info, msg);
                }
                return Outcome::Consumed;
            }
            _ => {}
        }
        let before = self.form.focus;
        let out = self.form.handle(ev, &Self::check_cx(cx));
        let key_changed = match out {
            FormEvent::Changed(i) => Some(self.form.fields[i].key),
            // Leaving a field may have normalised it (a date typed as ddmmyy).
            FormEvent::Consumed if self.form.focus != before => Some(self.form.fields[before].key),
            _ => None,
        };
        if let Some(key) = key_changed {
            if key == "ident" {
                if let PersonalId::Egn(e) = parse_ident(&self.form.text("ident"), cx.today()) {
                    self.form.set("birth_date", &format_date(e.birth_date()));
                }
            }
            if matches!(key, "ident" | "first_name" | "last_name" | "birth_date") {
                self.find_duplicate(cx);
            }
        }
        match out {
            FormEvent::Ignored => Outcome::Ignored,
            _ => Outcome::Consumed,
        }
    }

    fn render(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        let (t, theme, sym) = (&cx.t, &cx.theme, &cx.sym);
        let mut form_area = area;
        if let Some(d) = &self.duplicate {
            let line = format!(
                "{} {}: {} {} {}",
                sym.warn,
                t.t(d.why),
                d.name,
                sym.dash,
                t.f(
                    "person.dup_open",
                    &[(
                        "key",
                        &crate::tui::keymap::main_key(Context::Form, Action::OpenDuplicate)
                    )]
                )
            );
            buf.set_stringn(
                area.x,
                area.y,
                fit(&line, area.width as usize, sym.ellipsis),
                area.width as usize,
                theme.warn,
            );
            form_area.y += 1;
            form_area.height = form_area.height.saturating_sub(1);
        }
        self.form.render(form_area, buf, t, theme, sym);
    }
}
