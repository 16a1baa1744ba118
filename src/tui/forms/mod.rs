//! Record forms as declarations. A `Spec` lists a kind's fields once, each a `Lens` onto the
//! domain struct (how the form shows the value, how a typed value goes back); the one generic
//! screen (`screens::record_form`) saves, shows conflicts, keeps drafts, maps refusals to
//! fields, copies the previous record and asks before unsaved typing is left, for every kind.

pub mod person;

use crate::domain::{
    date::{format_date, parse_date},
    draft::Draft,
    reason::Reason,
    record::{Body, Kind, Record},
    FieldError,
};
use crate::tui::{
    app::{Cx, Outcome, Screen},
    keymap::Action,
    screens::record_form::RecordForm,
    widgets::form::{Check, Field, FieldKind, Form},
};
use chrono::NaiveDate;

/// One field: its key (the record's field name, the locale label `field.<key>` and the name
/// refusals come back under), its kind, and how it reads and writes the record.
pub struct Lens<T> {
    pub key: &'static str,
    pub kind: fn(&Cx) -> FieldKind,
    pub required: bool,
    pub check: Option<Check>,
    /// The value as the form shows it (a choice: its code; yes/no: "1" or "").
    pub get: fn(&T, &Cx) -> String,
    /// The form's value into the record (trimmed; a choice: its code).
    pub set: fn(&mut T, &str, &Cx) -> Result<(), Reason>,
}

impl<T> Lens<T> {
    pub fn new(
        key: &'static str,
        kind: fn(&Cx) -> FieldKind,
        get: fn(&T, &Cx) -> String,
        set: fn(&mut T, &str, &Cx) -> Result<(), Reason>,
    ) -> Lens<T> {
        Lens {
            key,
            kind,
            required: false,
            check: None,
            get,
            set,
        }
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn check(mut self, check: Check) -> Self {
        self.check = Some(check);
        self
    }

    fn field(&self, cx: &Cx) -> Field {
        let mut f = Field::new(self.key, (self.kind)(cx));
        if self.required {
            f = f.required();
        }
        if let Some(c) = self.check {
            f = f.check(c);
        }
        f
    }
}

/// A kind's form.
pub trait Spec: Sized + 'static {
    type T: Clone + Default + 'static;
    /// State of the form beyond its fields (a duplicate found while typing, say).
    type Extra: Default;
    const KIND: Kind;

    fn lenses() -> Vec<Lens<Self::T>>;
    fn wrap(t: Self::T) -> Body;
    fn unwrap(b: &Body) -> Option<Self::T>;
    /// What the clerk calls the record (drafts, the status line after a save).
    fn name(t: &Self::T, cx: &Cx) -> String;

    /// Rules the domain can check before the round trip (the service checks them again).
    fn check(_t: &mut Self::T, _cx: &Cx) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
    /// A field changed (or was left normalised): fill others, look for duplicates...
    fn edited(_f: &mut RecordForm<Self>, _key: &str, _cx: &mut Cx) {}
    /// A line above the fields.
    fn banner(_f: &RecordForm<Self>, _cx: &Cx) -> Option<String> {
        None
    }
    /// Actions of this form beyond save and the fields' own (shown in the footer).
    fn hints(_f: &RecordForm<Self>) -> Vec<Action> {
        Vec::new()
    }
    fn action(_f: &mut RecordForm<Self>, _a: Action, _cx: &mut Cx) -> Option<Outcome> {
        None
    }
    /// Where the clerk goes after a save (back, by default).
    fn saved(_record: &Record, _created: bool, _cx: &mut Cx) -> Outcome {
        Outcome::Pop
    }
}

/// The form's fields, built from the lenses.
pub fn fields<S: Spec>(cx: &Cx) -> Vec<Field> {
    S::lenses().iter().map(|l| l.field(cx)).collect()
}

/// Shows a record in the form.
pub fn load<S: Spec>(form: &mut Form, t: &S::T, cx: &Cx) {
    for l in S::lenses() {
        let v = (l.get)(t, cx);
        form.set_value(l.key, &v);
    }
}

/// The record the form describes, from `base` (the loaded record, or a new one's seed), with
/// the refusals of fields that cannot be read.
pub fn build<S: Spec>(form: &Form, base: &S::T, cx: &Cx) -> (S::T, Vec<FieldError>) {
    let mut t = base.clone();
    let mut errors = Vec::new();
    for l in S::lenses() {
        let v = form.value(l.key);
        if let Err(r) = (l.set)(&mut t, &v, cx) {
            errors.push(FieldError::new(l.key, r));
        }
    }
    (t, errors)
}

/// Opens a record in its form.
pub fn edit(cx: &mut Cx, record: &Record) -> Option<Box<dyn Screen>> {
    match record.kind() {
        Kind::Person => Some(Box::new(RecordForm::<person::PersonSpec>::edit(cx, record))),
        _ => None,
    }
}

/// A form left unsaved, back as it was typed (any kind with a form).
pub fn from_draft(cx: &mut Cx, draft: &Draft) -> Result<Box<dyn Screen>, String> {
    let kind = draft.key.split('/').next().unwrap_or_default();
    match kind {
        k if k == Kind::Person.tree() => Ok(Box::new(
            RecordForm::<person::PersonSpec>::from_draft(cx, draft)?,
        )),
        _ => Err(cx.t.t("drafts.unknown").to_string()),
    }
}

// Lens helpers for the common value types.

pub fn date_text(d: Option<NaiveDate>) -> String {
    d.map(format_date).unwrap_or_default()
}

/// An optional date as typed ("" is none).
pub fn opt_date(v: &str, cx: &Cx) -> Result<Option<NaiveDate>, Reason> {
    if v.is_empty() {
        return Ok(None);
    }
    parse_date(v, cx.today()).map(Some).map_err(Reason::Date)
}

/// A required date.
pub fn req_date(v: &str, cx: &Cx) -> Result<NaiveDate, Reason> {
    opt_date(v, cx)?.ok_or(Reason::Required)
}

pub fn number<N: TryFrom<i64>>(v: &str, min: i64, max: i64) -> Result<Option<N>, Reason> {
    if v.is_empty() {
        return Ok(None);
    }
    let n: i64 = v
        .parse()
        .map_err(|_| Reason::OutOfRange { min, max, found: 0 })?;
    if !(min..=max).contains(&n) {
        return Err(Reason::OutOfRange { min, max, found: n });
    }
    N::try_from(n)
        .map(Some)
        .map_err(|_| Reason::OutOfRange { min, max, found: n })
}

pub fn yes(v: &str) -> bool {
    !v.is_empty() && v != "0"
}

pub fn yes_text(b: bool) -> String {
    if b { "1" } else { "" }.to_string()
}
