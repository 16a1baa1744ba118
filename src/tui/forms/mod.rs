//! Record forms as declarations. A `Spec` lists a kind's fields once, each a `Lens` onto the
//! domain struct (how the form shows the value, how a typed value goes back); the one generic
//! screen (`screens::record_form`) saves, shows conflicts, keeps drafts, maps refusals to
//! fields, copies the previous record and asks before unsaved typing is left, for every kind.

pub mod agreement;
pub mod application;
pub mod assessment;
pub mod assistant;
pub mod campaign;
pub mod contract;
pub mod dsp_decision;
pub mod intake;
pub mod person;
pub mod provider;
pub mod referral;
pub mod service;
pub mod suspension;
pub mod visit;

use crate::domain::{
    date::{format_date, parse_date},
    draft::Draft,
    reason::Reason,
    record::{Body, Kind, Record},
    FieldError,
};
use crate::service::ApiExt;
use crate::tui::{
    app::{Cx, Outcome, Screen},
    keymap::Action,
    screens::record_form::RecordForm,
    widgets::form::{Check, Choice, Field, FieldKind, Form},
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
    /// The label when it is data (None: the locale's `field.<key>`); a field whose label
    /// function gives None is left out of the form (a checklist slot the settings do not use).
    pub label: Option<fn(&Cx) -> Option<String>>,
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
            label: None,
        }
    }

    /// A label from data; the field is shown only while it gives one.
    pub fn labelled(mut self, label: fn(&Cx) -> Option<String>) -> Self {
        self.label = Some(label);
        self
    }

    /// Whether the form shows this field.
    pub fn shown(&self, cx: &Cx) -> bool {
        self.label.is_none_or(|l| l(cx).is_some())
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
        f.label = self.label.and_then(|l| l(cx));
        f
    }
}

/// A field that is a `String` of the record, as typed: `text_lens!(Lens<T>, "key", kind, field)`.
#[macro_export]
macro_rules! text_lens {
    ($lens:ty, $key:literal, $kind:expr, $field:ident) => {
        <$lens>::new(
            $key,
            |_| $kind,
            |t, _| t.$field.clone(),
            |t, v, _| {
                t.$field = v.into();
                Ok(())
            },
        )
    };
}

/// A `String` field chosen from options the settings give (`kinds`: `fn(&Cx) -> FieldKind`):
/// `choice_lens!(Lens<T>, "key", kinds, field)`, or `.., field, optional)` for an
/// `Option<String>` ("" is none).
#[macro_export]
macro_rules! choice_lens {
    ($lens:ty, $key:literal, $kinds:expr, $field:ident) => {
        <$lens>::new(
            $key,
            $kinds,
            |t, _| t.$field.clone(),
            |t, v, _| {
                t.$field = v.into();
                Ok(())
            },
        )
    };
    ($lens:ty, $key:literal, $kinds:expr, $field:ident, optional) => {
        <$lens>::new(
            $key,
            $kinds,
            |t, _| t.$field.clone().unwrap_or_default(),
            |t, v, _| {
                t.$field = (!v.is_empty()).then(|| v.to_string());
                Ok(())
            },
        )
    };
}

/// A field choosing one value of an enum (labelled from the locale `prefix.code`):
/// `enum_lens!(Lens<T>, "key", "prefix", ALL, field)`.
#[macro_export]
macro_rules! enum_lens {
    ($lens:ty, $key:literal, $prefix:literal, $all:expr, $field:ident) => {
        <$lens>::new(
            $key,
            |cx| {
                $crate::tui::widgets::form::FieldKind::Choice($crate::tui::forms::choices(
                    cx, $prefix, &$all,
                ))
            },
            |t, _| $crate::tui::screens::code(&t.$field),
            |t, v, _| {
                t.$field = $crate::tui::forms::by_code(&$all, v)?;
                Ok(())
            },
        )
    };
}

/// A date field: `date_lens!(Lens<T>, "key", field)` for a `NaiveDate` (required),
/// `date_lens!(Lens<T>, "key", field, optional)` for an `Option<NaiveDate>`.
#[macro_export]
macro_rules! date_lens {
    ($lens:ty, $key:literal, $field:ident) => {
        <$lens>::new(
            $key,
            |_| $crate::tui::widgets::form::FieldKind::Date,
            |t, _| $crate::tui::forms::date_text(Some(t.$field)),
            |t, v, cx| {
                t.$field = $crate::tui::forms::req_date(v, cx)?;
                Ok(())
            },
        )
        .required()
    };
    ($lens:ty, $key:literal, $field:ident, optional) => {
        <$lens>::new(
            $key,
            |_| $crate::tui::widgets::form::FieldKind::Date,
            |t, _| $crate::tui::forms::date_text(t.$field),
            |t, v, cx| {
                t.$field = $crate::tui::forms::opt_date(v, cx)?;
                Ok(())
            },
        )
    };
}

/// A whole number in a range: `number_lens!(Lens<T>, "key", min, max, field)` (empty is 0).
#[macro_export]
macro_rules! number_lens {
    ($lens:ty, $key:literal, $min:expr, $max:expr, $field:ident) => {
        <$lens>::new(
            $key,
            |_| $crate::tui::widgets::form::FieldKind::Number {
                min: $min,
                max: $max,
            },
            |t, _| t.$field.to_string(),
            |t, v, _| {
                t.$field = $crate::tui::forms::number(v, $min, $max)?.unwrap_or_default();
                Ok(())
            },
        )
    };
}

/// A reference to a record of a kind: `ref_lens!(Lens<T>, "key", Kind::X, field)` for a `u64`
/// (0: none yet; required), `ref_lens!(.., field, optional)` for an `Option<u64>`.
#[macro_export]
macro_rules! ref_lens {
    ($lens:ty, $key:literal, $kind:expr, $field:ident) => {
        <$lens>::new(
            $key,
            |_| $crate::tui::widgets::form::FieldKind::Ref($kind, Vec::new()),
            |t, _| match t.$field {
                0 => String::new(),
                id => id.to_string(),
            },
            |t, v, _| {
                t.$field = v
                    .parse()
                    .map_err(|_| $crate::domain::reason::Reason::Required)?;
                Ok(())
            },
        )
        .required()
    };
    ($lens:ty, $key:literal, $kind:expr, $field:ident, optional) => {
        <$lens>::new(
            $key,
            |_| $crate::tui::widgets::form::FieldKind::Ref($kind, Vec::new()),
            |t, _| t.$field.map(|id| id.to_string()).unwrap_or_default(),
            |t, v, _| {
                t.$field = $crate::tui::forms::opt_ref(v)?;
                Ok(())
            },
        )
    };
}

/// A kind's form.
pub trait Spec: Sized + 'static {
    type T: Clone + 'static;
    /// State of the form beyond its fields (a duplicate found while typing, say).
    type Extra: Default;
    const KIND: Kind;

    fn lenses() -> Vec<Lens<Self::T>>;
    /// A new record before the clerk types anything.
    fn blank(cx: &Cx) -> Self::T;
    fn wrap(t: Self::T) -> Body;
    fn unwrap(b: &Body) -> Option<Self::T>;
    /// What the clerk calls the record (drafts, the status line after a save).
    fn name(t: &Self::T, cx: &Cx) -> String;
    /// The record's own number (register number, agreement or contract number), shown in the
    /// title of its form.
    fn number(_t: &Self::T) -> &str {
        ""
    }

    /// Rules the domain can check before the round trip (the service checks them again).
    fn check(_t: &mut Self::T, _cx: &Cx) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
    /// Last look before the save goes out (warnings to show first); false holds it.
    fn before_save(_f: &mut RecordForm<Self>, _t: &Self::T, _cx: &mut Cx) -> bool {
        true
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
    /// Actions this form gives its own meaning (workflow steps on free keys).
    fn meanings(_f: &RecordForm<Self>) -> crate::tui::keymap::Meanings {
        Vec::new()
    }
    /// Where the clerk goes after a save (back, by default).
    fn saved(_record: &Record, _created: bool, _cx: &mut Cx) -> Outcome {
        Outcome::Pop
    }
    /// The options of a reference field for what the clerk typed, when this form chooses
    /// them itself (None: the search's hits of the field's kind).
    fn ref_options(
        _f: &RecordForm<Self>,
        _key: &str,
        _typed: &str,
        _cx: &Cx,
    ) -> Option<Vec<Choice>> {
        None
    }
    /// A new record's form, blank.
    fn form(cx: &Cx) -> RecordForm<Self> {
        RecordForm::new(cx, Self::blank(cx))
    }
    /// Kinds whose saves change what this form shows beside its record or what its fields
    /// offer (`refresh` runs, in a new record's form too).
    const WATCH: &'static [Kind] = &[];
    /// Loads what the form shows beside its record, and forgets what its fields choose from
    /// (read again when next needed; at once for the options of a field the clerk is choosing
    /// in, see `choosing`): on opening a record, on coming back to the form, and when a record
    /// of a `WATCH` kind is saved.
    fn refresh(_f: &mut RecordForm<Self>, _cx: &mut Cx) {}
    /// Lines under the fields (a service's monitoring visits).
    fn below(_f: &RecordForm<Self>, _cx: &Cx) -> Vec<String> {
        Vec::new()
    }
}

/// The form's fields, built from the lenses.
pub fn fields<S: Spec>(cx: &Cx) -> Vec<Field> {
    S::lenses()
        .iter()
        .filter(|l| l.shown(cx))
        .map(|l| l.field(cx))
        .collect()
}

/// Shows a record in the form (a reference by the label of the record it points to).
pub fn load<S: Spec>(form: &mut Form, t: &S::T, cx: &Cx) {
    for l in S::lenses().into_iter().filter(|l| l.shown(cx)) {
        let v = (l.get)(t, cx);
        if let (Some(_), Ok(id)) = (form.ref_kind(l.key), v.parse::<u64>()) {
            // The record's search line, as the field's options show it (no whole record read).
            let label = match cx.api.labels(vec![id]) {
                Ok(hits) if !hits.is_empty() => hit_label(&hits[0]),
                _ => format!("#{id}"),
            };
            form.set_options(
                l.key,
                vec![Choice {
                    code: v.clone(),
                    label,
                }],
            );
        }
        form.set_value(l.key, &v);
    }
}

/// What a reference field shows for a record: its search line ("Мария Петрова (05.12.1880)").
fn hit_label(h: &crate::service::Hit) -> String {
    if h.detail.is_empty() {
        h.name.clone()
    } else {
        format!("{} ({})", h.name, h.detail)
    }
}

/// Whether a reference field offers options the clerk has not taken one of (its text is no
/// option's label, and it has text or options): after a save changed what it chooses from,
/// they are offered again for what is typed.
pub fn choosing(form: &Form, key: &str) -> bool {
    let typed = form.text(key);
    let options = form.options_of(key);
    !options.iter().any(|c| c.label == typed) && (!typed.is_empty() || !options.is_empty())
}

/// The options a reference field offers for what the clerk typed: search hits of its kind.
pub fn ref_options(cx: &Cx, kind: Kind, typed: &str) -> Vec<Choice> {
    if typed.trim().is_empty() {
        return Vec::new();
    }
    cx.api
        .search(typed, 50)
        .unwrap_or_default()
        .into_iter()
        .filter(|h| h.kind == kind)
        .take(12)
        .map(|h| Choice {
            code: h.id.to_string(),
            label: hit_label(&h),
        })
        .collect()
}

/// The first records of a kind, as a reference field lists them before anything is typed.
pub fn first_options(cx: &Cx, kind: Kind) -> Vec<Choice> {
    let ids: Vec<u64> = match cx.api.list(kind, None, 12) {
        Ok(records) => records.iter().map(Record::id).collect(),
        Err(_) => return Vec::new(),
    };
    cx.api
        .labels(ids)
        .unwrap_or_default()
        .into_iter()
        .map(|h| Choice {
            code: h.id.to_string(),
            label: hit_label(&h),
        })
        .collect()
}

/// The screen of a record: a person's card, else its form.
pub fn open(
    cx: &mut Cx,
    kind: Kind,
    id: u64,
) -> Result<Box<dyn Screen>, crate::service::ServiceError> {
    if kind == Kind::Person {
        return crate::tui::screens::person_card::PersonCard::open(cx, id)
            .map(|c| Box::new(c) as Box<dyn Screen>);
    }
    let record = cx.api.get(kind, id)?;
    edit(cx, &record).ok_or(crate::service::ServiceError::NotFound { kind, id })
}

/// The record the form describes, from `base` (the loaded record, or a new one's seed), with
/// the refusals of fields that cannot be read.
pub fn build<S: Spec>(form: &Form, base: &S::T, cx: &Cx) -> (S::T, Vec<FieldError>) {
    let mut t = base.clone();
    let mut errors = Vec::new();
    for l in S::lenses().into_iter().filter(|l| l.shown(cx)) {
        let v = form.value(l.key);
        if let Err(r) = (l.set)(&mut t, &v, cx) {
            errors.push(FieldError::new(l.key, r));
        }
    }
    (t, errors)
}

/// The kinds that have a form, each with its `Spec`: the one list `edit` and `from_draft`
/// read, so a new form is registered once.
macro_rules! with_spec {
    ($kind:expr, $S:ident => $then:expr, _ => $none:expr) => {
        match $kind {
            Kind::Person => {
                type $S = person::PersonSpec;
                $then
            }
            Kind::Intake => {
                type $S = intake::IntakeSpec;
                $then
            }
            Kind::Assessment => {
                type $S = assessment::AssessmentSpec;
                $then
            }
            Kind::Referral => {
                type $S = referral::ReferralSpec;
                $then
            }
            Kind::Provider => {
                type $S = provider::ProviderSpec;
                $then
            }
            Kind::Service => {
                type $S = service::ServiceSpec;
                $then
            }
            Kind::Visit => {
                type $S = visit::VisitSpec;
                $then
            }
            Kind::Campaign => {
                type $S = campaign::CampaignSpec;
                $then
            }
            Kind::DspDecision => {
                type $S = dsp_decision::DspDecisionSpec;
                $then
            }
            Kind::Application => {
                type $S = application::ApplicationSpec;
                $then
            }
            Kind::Assistant => {
                type $S = assistant::AssistantSpec;
                $then
            }
            Kind::Agreement => {
                type $S = agreement::AgreementSpec;
                $then
            }
            Kind::Contract => {
                type $S = contract::ContractSpec;
                $then
            }
            Kind::Suspension => {
                type $S = suspension::SuspensionSpec;
                $then
            }
            _ => $none,
        }
    };
}

/// Opens a record in its form.
pub fn edit(cx: &mut Cx, record: &Record) -> Option<Box<dyn Screen>> {
    with_spec!(record.kind(), S => Some(Box::new(RecordForm::<S>::edit(cx, record))), _ => None)
}

/// A form left unsaved, back as it was typed (any kind with a form).
pub fn from_draft(cx: &mut Cx, draft: &Draft) -> Result<Box<dyn Screen>, String> {
    let unknown = || cx.t.t("drafts.unknown").to_string();
    let Some(kind) = crate::tui::screens::record_form::kind_of(draft) else {
        return Err(unknown());
    };
    with_spec!(
        kind,
        S => Ok(Box::new(RecordForm::<S>::from_draft(cx, draft)?)),
        _ => Err(unknown())
    )
}

/// F12 on a saved agreement, contract or referral: its document to sign, written beside the
/// database (an audited read: it carries the full ЕГН); a popup says the whole path and offers
/// to print it.
pub fn write_document(cx: &mut Cx, kind: crate::domain::document::DocKind, id: u64) -> Outcome {
    let today = cx.today();
    match crate::documents::write_into_data_dir(cx.api.as_ref(), kind, id, &cx.data_dir, today) {
        Ok(path) => {
            let msg =
                cx.t.f("status.document", &[("path", &path.display().to_string())]);
            cx.say(crate::tui::app::Level::Info, msg);
            return Outcome::Push(Box::new(
                crate::tui::screens::document_written::DocumentWritten::new(path),
            ));
        }
        Err(e) => {
            let msg = crate::domain::Explain::explain(&e, cx.t.lang());
            cx.say(crate::tui::app::Level::Error, msg);
        }
    }
    Outcome::Consumed
}

// Lens helpers for the common value types.

/// The choices of an enum, labelled from the locale (`prefix.code`).
pub fn choices<T: std::fmt::Debug>(cx: &Cx, prefix: &str, values: &[T]) -> Vec<Choice> {
    values
        .iter()
        .map(|v| Choice {
            code: crate::tui::screens::code(v),
            label: crate::tui::screens::label(&cx.t, prefix, v),
        })
        .collect()
}

/// The enum value with this code.
pub fn by_code<T: std::fmt::Debug + Copy>(values: &[T], c: &str) -> Result<T, Reason> {
    values
        .iter()
        .find(|v| crate::tui::screens::code(*v) == c)
        .copied()
        .ok_or(Reason::UnknownCode)
}

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

/// An optional reference as typed ("" is none).
pub fn opt_ref(v: &str) -> Result<Option<u64>, Reason> {
    match v {
        "" => Ok(None),
        v => v.parse().map(Some).map_err(|_| Reason::UnknownCode),
    }
}

/// A settings list of coded reasons as a choice, each by its wording in the clerk's language.
pub fn coded(cx: &Cx, list: &[crate::domain::settings::Coded]) -> FieldKind {
    FieldKind::Choice(
        list.iter()
            .map(|r| Choice {
                code: r.code.clone(),
                label: cx.t.lang().pick(&r.bg, &r.en).to_string(),
            })
            .collect(),
    )
}

/// The municipality's settlements as a choice (EKATTE code, name).
pub fn settlements(cx: &Cx) -> FieldKind {
    FieldKind::Choice(
        cx.settings
            .settlements
            .iter()
            .map(|s| Choice {
                code: s.ekatte.clone(),
                label: s.name.clone(),
            })
            .collect(),
    )
}

pub fn yes(v: &str) -> bool {
    !v.is_empty() && v != "0"
}

pub fn yes_text(b: bool) -> String {
    if b { "1" } else { "" }.to_string()
}
