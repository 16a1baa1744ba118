//! The one form widget. A form is data: fields with a kind, a label key, a required flag and an
//! optional check; this widget moves the focus, edits, validates a field as the clerk leaves it,
//! shows the error beside it (with `!`, never by colour alone) and draws every form the same way.

use super::{fit, input, pad};
use crate::domain::{
    date::{format_date, parse_birth_date, parse_date},
    record::Kind,
    search_key::search_tokens,
    Explain, FieldError, Lang,
};
use crate::tui::{
    i18n::I18n,
    keymap::{Action, Context},
    theme::{Symbols, Theme},
    Ev,
};
use chrono::NaiveDate;
use ratatui::{
    buffer::Buffer,
    crossterm::event::{KeyCode, KeyModifiers},
    layout::Rect,
    style::Style,
    text::{Line, Span},
    widgets::{Block, Borders, Clear, Paragraph, Widget},
};
use ratatui_textarea::{TextArea, WrapMode};
use unicode_width::UnicodeWidthStr;

/// What a check may look at besides the value.
pub struct CheckCx<'a> {
    pub today: NaiveDate,
    pub t: &'a I18n,
}

/// A field's own rule beyond its kind: the value normalised for display, or a message.
pub type Check = fn(&str, &CheckCx) -> Result<Option<String>, String>;

/// The suffix of a draft's entry that keeps a reference field's record id.
const REF_ID: &str = "#id";

#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub code: String,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    Text {
        max: usize,
    },
    Number {
        min: i64,
        max: i64,
    },
    Date,
    /// A birth date: a two-digit year is never in the future (`date::parse_birth_date`).
    BirthDate,
    Choice(Vec<Choice>),
    /// Several of the options, typed (or ticked in the F4 list) as labels separated by commas.
    Multi(Vec<Choice>),
    /// A record of a kind, picked by typing part of its name or number: the screen fills the
    /// options from the search as the clerk types (`set_options`); the value is the record's id.
    Ref(Kind, Vec<Choice>),
    YesNo,
    /// Several lines; Enter adds a line, Tab leaves.
    Note {
        max: usize,
    },
}

pub struct Field {
    /// The record's field name: errors from the service come back under it. The label is the
    /// locale key `field.<key>`.
    pub key: &'static str,
    pub kind: FieldKind,
    pub required: bool,
    pub check: Option<Check>,
    text: TextArea<'static>,
    yes: bool,
    pub error: Option<String>,
    /// The label when it is data (a checklist item's name), not the locale's `field.<key>`.
    pub label: Option<String>,
}

impl Field {
    /// What the field is called on screen.
    pub fn label_text(&self, t: &I18n) -> String {
        match &self.label {
            Some(l) => l.clone(),
            None => t.t(&format!("field.{}", self.key)).to_string(),
        }
    }

    pub fn new(key: &'static str, kind: FieldKind) -> Field {
        let mut text = input::new_input("");
        if matches!(kind, FieldKind::Note { .. }) {
            text = TextArea::default();
            text.set_cursor_line_style(Style::default());
            // A note reads whole: its lines wrap at words in the field's width.
            text.set_wrap_mode(WrapMode::WordOrGlyph);
        }
        text.set_cursor_style(Style::default());
        Field {
            key,
            kind,
            required: false,
            check: None,
            text,
            yes: false,
            error: None,
            label: None,
        }
    }

    pub fn required(mut self) -> Field {
        self.required = true;
        self
    }

    pub fn check(mut self, check: Check) -> Field {
        self.check = Some(check);
        self
    }

    fn height(&self) -> u16 {
        match self.kind {
            FieldKind::Note { .. } => 3,
            _ => 1,
        }
    }

    pub fn raw(&self) -> String {
        match self.kind {
            FieldKind::YesNo => if self.yes { "1" } else { "" }.to_string(),
            FieldKind::Note { .. } => self.text.lines().join("\n"),
            _ => input::value(&self.text),
        }
    }

    fn set_raw(&mut self, value: &str) {
        match self.kind {
            FieldKind::YesNo => self.yes = !value.is_empty() && value != "0",
            FieldKind::Note { .. } => {
                let style = self.text.cursor_style();
                let lines: Vec<String> = value
                    .lines()
                    .map(|l| l.chars().filter(|c| !c.is_control()).collect())
                    .collect();
                self.text = TextArea::new(if lines.is_empty() {
                    vec![String::new()]
                } else {
                    lines
                });
                self.text.set_cursor_line_style(Style::default());
                self.text.set_cursor_style(style);
                self.text.set_wrap_mode(WrapMode::WordOrGlyph);
            }
            _ => input::set_value(&mut self.text, value),
        }
    }

    /// The option whose label the typed text names: exact first, else the only one that matches
    /// by word prefixes in either script.
    fn resolve_choice(&self, typed: &str) -> Option<&Choice> {
        let options = self.kind.options()?;
        resolve(options, typed)
    }
}

impl FieldKind {
    /// The options of a choice, a multiple choice or a reference.
    pub fn options(&self) -> Option<&[Choice]> {
        match self {
            FieldKind::Choice(o) | FieldKind::Multi(o) | FieldKind::Ref(_, o) => Some(o),
            _ => None,
        }
    }

    /// Whether F4 lists values for it.
    pub fn listed(&self) -> bool {
        self.options().is_some()
    }
}

/// The option the typed text names: exact first, else the only one that matches by word
/// prefixes in either script.
fn resolve<'a>(options: &'a [Choice], typed: &str) -> Option<&'a Choice> {
    let typed = typed.trim();
    if let Some(c) = options
        .iter()
        .find(|c| c.label.eq_ignore_ascii_case(typed) || c.code == typed)
    {
        return Some(c);
    }
    let m = matching(options, typed);
    if m.len() == 1 {
        Some(m[0])
    } else {
        m.into_iter()
            .find(|c| c.label.to_lowercase() == typed.to_lowercase())
    }
}

/// The labels typed into a multiple choice.
fn multi_parts(v: &str) -> impl Iterator<Item = &str> {
    v.split([',', ';']).map(str::trim).filter(|p| !p.is_empty())
}

/// Options whose label words start with the typed words (Cyrillic or Latin, any case).
pub fn matching<'a>(options: &'a [Choice], typed: &str) -> Vec<&'a Choice> {
    let words = search_tokens(typed);
    options
        .iter()
        .filter(|c| {
            let label = search_tokens(&c.label);
            words
                .iter()
                .all(|w| label.iter().any(|l| l.starts_with(w.as_str())))
        })
        .collect()
}

/// What a key did to the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormEvent {
    Ignored,
    Consumed,
    /// The value of field `n` changed.
    Changed(usize),
}

pub struct Form {
    pub fields: Vec<Field>,
    pub focus: usize,
    /// The F4 list of the focused choice field: the selected row.
    list: Option<usize>,
    cursor: Style,
    /// Some value changed since the form was loaded or saved.
    pub dirty: bool,
}

impl Form {
    pub fn new(fields: Vec<Field>, theme: &Theme) -> Form {
        let mut f = Form {
            fields,
            focus: 0,
            list: None,
            cursor: theme.cursor,
            dirty: false,
        };
        f.focus_on(0);
        f
    }

    fn focus_on(&mut self, i: usize) {
        if let Some(f) = self.fields.get_mut(self.focus) {
            f.text.set_cursor_style(Style::default());
        }
        self.focus = i.min(self.fields.len().saturating_sub(1));
        let cursor = self.cursor;
        if let Some(f) = self.fields.get_mut(self.focus) {
            f.text.set_cursor_style(cursor);
            // A chosen value (a name with its birth date, a service with its place) shows its
            // start when the field is reached, not its tail.
            if matches!(f.kind, FieldKind::Ref(..) | FieldKind::Choice(_)) {
                f.text.move_cursor(ratatui_textarea::CursorMove::Head);
            }
        }
    }

    pub fn focus_key(&mut self, key: &str) {
        if let Some(i) = self.index(key) {
            self.focus_on(i);
        }
    }

    pub fn focused(&self) -> &Field {
        &self.fields[self.focus]
    }

    fn index(&self, key: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.key == key)
    }

    pub fn context(&self) -> Context {
        if self.list.is_some() {
            Context::List
        } else if matches!(self.focused().kind, FieldKind::Note { .. }) {
            Context::Note
        } else {
            Context::Form
        }
    }

    /// The trimmed text of a field ("" for unknown keys).
    pub fn text(&self, key: &str) -> String {
        self.index(key)
            .map(|i| self.fields[i].raw().trim().to_string())
            .unwrap_or_default()
    }

    pub fn set(&mut self, key: &str, value: &str) {
        if let Some(i) = self.index(key) {
            self.fields[i].set_raw(value);
        }
    }

    pub fn yes(&self, key: &str) -> bool {
        self.index(key).is_some_and(|i| self.fields[i].yes)
    }

    /// The code of the chosen option.
    pub fn choice(&self, key: &str) -> Option<String> {
        let f = &self.fields[self.index(key)?];
        f.resolve_choice(&f.raw()).map(|c| c.code.clone())
    }

    /// Shows the option with this code.
    pub fn set_choice(&mut self, key: &str, code: &str) {
        let Some(i) = self.index(key) else { return };
        let label = self.fields[i]
            .kind
            .options()
            .and_then(|o| o.iter().find(|c| c.code == code))
            .map(|c| c.label.clone());
        self.fields[i].set_raw(&label.unwrap_or_default());
    }

    /// The value a record takes: a choice's code (or the typed text when it names none), a
    /// yes/no as "1" or "", otherwise the trimmed text.
    pub fn value(&self, key: &str) -> String {
        match self.index(key).map(|i| &self.fields[i].kind) {
            Some(FieldKind::Choice(_) | FieldKind::Ref(..)) => {
                self.choice(key).unwrap_or_else(|| self.text(key))
            }
            Some(FieldKind::Multi(options)) => multi_parts(&self.text(key))
                .map(|p| {
                    resolve(options, p)
                        .map(|c| c.code.clone())
                        .unwrap_or(p.into())
                })
                .collect::<Vec<_>>()
                .join(","),
            _ => self.text(key),
        }
    }

    /// Shows a record's value (a choice by its code, several by codes separated by commas).
    pub fn set_value(&mut self, key: &str, value: &str) {
        let Some(i) = self.index(key) else { return };
        match &self.fields[i].kind {
            FieldKind::Choice(_) | FieldKind::Ref(..) => self.set_choice(key, value),
            FieldKind::Multi(options) => {
                let labels: Vec<String> = value
                    .split(',')
                    .filter(|c| !c.is_empty())
                    .map(|c| {
                        options
                            .iter()
                            .find(|o| o.code == c)
                            .map(|o| o.label.clone())
                            .unwrap_or(c.into())
                    })
                    .collect();
                self.fields[i].set_raw(&labels.join(", "));
            }
            _ => self.set(key, value),
        }
    }

    /// The options of a reference field (what the search found for the typed text); the
    /// text is left as typed.
    pub fn set_options(&mut self, key: &str, options: Vec<Choice>) {
        if let Some(i) = self.index(key) {
            if let FieldKind::Ref(_, o) = &mut self.fields[i].kind {
                *o = options;
            }
        }
    }

    /// The options a field offers now.
    pub fn options_of(&self, key: &str) -> &[Choice] {
        self.index(key)
            .and_then(|i| self.fields[i].kind.options())
            .unwrap_or_default()
    }

    /// The kind a reference field picks.
    pub fn ref_kind(&self, key: &str) -> Option<Kind> {
        match self.index(key).map(|i| &self.fields[i].kind) {
            Some(FieldKind::Ref(kind, _)) => Some(*kind),
            _ => None,
        }
    }

    pub fn date(&self, key: &str, today: NaiveDate) -> Option<NaiveDate> {
        parse_date(&self.text(key), today).ok()
    }

    pub fn number(&self, key: &str) -> Option<i64> {
        self.text(key).parse().ok()
    }

    /// Every field's raw value, for "copy from the previous record".
    pub fn values(&self) -> Vec<(&'static str, String)> {
        self.fields.iter().map(|f| (f.key, f.raw())).collect()
    }

    /// What a draft keeps: every field's raw value, and the record a reference field points
    /// to ("person#id"), which its text alone cannot bring back (its options come from a search
    /// that a resumed form has not run).
    pub fn draft_values(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .values()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        for f in &self.fields {
            if let FieldKind::Ref(..) = f.kind {
                if let Some(c) = f.resolve_choice(&f.raw()) {
                    out.push((format!("{}{REF_ID}", f.key), c.code.clone()));
                }
            }
        }
        out
    }

    /// Puts back values kept earlier (a draft): unknown keys are skipped; a reference field
    /// gets back the record it pointed to, under the text it showed.
    pub fn restore(&mut self, values: &[(String, String)]) {
        for (k, v) in values {
            if let Some(i) = self.index(k) {
                self.fields[i].set_raw(v);
            }
        }
        for (k, code) in values {
            let Some(key) = k.strip_suffix(REF_ID) else {
                continue;
            };
            let Some(i) = self.index(key) else { continue };
            let label = self.fields[i].raw();
            if let FieldKind::Ref(_, options) = &mut self.fields[i].kind {
                if !options.iter().any(|c| &c.code == code) {
                    options.push(Choice {
                        code: code.clone(),
                        label,
                    });
                }
            }
        }
        self.dirty = true;
    }

    /// Three-way against the version the form was opened at (`base`) and the newer saved one
    /// (`theirs`, the same fields): a field only they changed takes their value, one only this
    /// form changed keeps it, one both changed alike is settled. Returns the fields both
    /// changed differently: the only ones to ask about.
    pub fn merge_from(&mut self, base: &Form, theirs: &Form) -> Vec<usize> {
        let mut asked = Vec::new();
        for (i, (b, t)) in base.fields.iter().zip(&theirs.fields).enumerate() {
            let Some(mine) = self.fields.get(i) else {
                break;
            };
            let (b, t, m) = (b.raw(), t.raw(), mine.raw());
            let (b_, t_, m_) = (b.trim(), t.trim(), m.trim());
            if t_ == b_ || t_ == m_ {
                continue;
            }
            if m_ == b_ {
                // Only they changed it: theirs, with what a reference needs to resolve it.
                if let (FieldKind::Ref(_, mine), FieldKind::Ref(_, theirs)) =
                    (&mut self.fields[i].kind, &theirs.fields[i].kind)
                {
                    *mine = theirs.clone();
                }
                self.fields[i].set_raw(&t);
            } else {
                asked.push(i);
            }
        }
        asked
    }

    /// Sets field `i` to the other form's value (the clerk took theirs).
    pub fn take_field(&mut self, i: usize, theirs: &Form) {
        let Some(t) = theirs.fields.get(i) else {
            return;
        };
        if let (FieldKind::Ref(_, mine), FieldKind::Ref(_, o)) = (&mut self.fields[i].kind, &t.kind)
        {
            *mine = o.clone();
        }
        let v = t.raw();
        self.fields[i].set_raw(&v);
    }

    /// Whether every field shows what the other form shows.
    pub fn same_as(&self, other: &Form) -> bool {
        self.fields
            .iter()
            .zip(&other.fields)
            .all(|(a, b)| a.raw().trim() == b.raw().trim())
    }

    /// Field label, the other form's value and this one's, for every field that differs
    /// (a conflict shown side by side). Choices show their labels, yes/no a word.
    pub fn differences(&self, other: &Form, t: &I18n) -> Vec<(String, String, String)> {
        let all: Vec<usize> = (0..self.fields.len()).collect();
        self.differences_in(other, t, &all)
    }

    /// The same for the fields `only` (by index).
    pub fn differences_in(
        &self,
        other: &Form,
        t: &I18n,
        only: &[usize],
    ) -> Vec<(String, String, String)> {
        let shown = |f: &Field| match f.kind {
            FieldKind::YesNo => t.t(if f.yes { "form.yes" } else { "form.no" }).to_string(),
            _ => f.raw(),
        };
        self.fields
            .iter()
            .zip(&other.fields)
            .enumerate()
            .filter(|(i, (a, b))| only.contains(i) && a.raw().trim() != b.raw().trim())
            .map(|(_, (mine, theirs))| (mine.label_text(t), shown(theirs), shown(mine)))
            .collect()
    }

    /// Validates field `i` by its kind and its check; normalises the shown value.
    fn validate_field(&mut self, i: usize, cx: &CheckCx) {
        let f = &mut self.fields[i];
        let value = f.raw();
        let v = value.trim();
        f.error = None;
        if v.is_empty() {
            if f.required {
                f.error = Some(cx.t.t("form.required").to_string());
            }
            return;
        }
        let mut normal: Option<String> = None;
        let kind_error = match &f.kind {
            FieldKind::Text { max } | FieldKind::Note { max } => (v.chars().count() > *max)
                .then(|| cx.t.f("form.too_long", &[("max", &max.to_string())])),
            FieldKind::Number { min, max } => match v.parse::<i64>() {
                Ok(n) if n >= *min && n <= *max => None,
                _ => Some(cx.t.f(
                    "form.number_range",
                    &[("min", &min.to_string()), ("max", &max.to_string())],
                )),
            },
            FieldKind::Date | FieldKind::BirthDate => {
                let parse = if f.kind == FieldKind::BirthDate {
                    parse_birth_date
                } else {
                    parse_date
                };
                match parse(v, cx.today) {
                    Ok(d) => {
                        normal = Some(format_date(d));
                        None
                    }
                    Err(e) => Some(e.explain(cx.t.lang())),
                }
            }
            FieldKind::Choice(_) | FieldKind::Ref(..) => match f.resolve_choice(v) {
                Some(c) => {
                    normal = Some(c.label.clone());
                    None
                }
                None => Some(cx.t.t("form.choose_from_list").to_string()),
            },
            FieldKind::Multi(options) => {
                let parts: Vec<Option<&Choice>> =
                    multi_parts(v).map(|p| resolve(options, p)).collect();
                if parts.iter().all(Option::is_some) {
                    let labels: Vec<&str> =
                        parts.iter().flatten().map(|c| c.label.as_str()).collect();
                    normal = Some(labels.join(", "));
                    None
                } else {
                    Some(cx.t.t("form.choose_from_list").to_string())
                }
            }
            FieldKind::YesNo => None,
        };
        if let Some(e) = kind_error {
            f.error = Some(e);
            return;
        }
        if let Some(check) = f.check {
            match check(normal.as_deref().unwrap_or(v), cx) {
                Ok(Some(n)) => normal = Some(n),
                Ok(None) => {}
                Err(e) => f.error = Some(e),
            }
        }
        if let Some(n) = normal {
            if n != value {
                f.set_raw(&n);
            }
        }
    }

    /// Validates every field; focuses the first bad one. True when all are good.
    pub fn validate_all(&mut self, cx: &CheckCx) -> bool {
        for i in 0..self.fields.len() {
            self.validate_field(i, cx);
        }
        match self.fields.iter().position(|f| f.error.is_some()) {
            Some(i) => {
                self.focus_on(i);
                false
            }
            None => true,
        }
    }

    /// Puts the service's refusals beside their fields and focuses the first in form order.
    /// Returns the ones no field of this form shows.
    pub fn apply_errors(&mut self, errors: &[FieldError], lang: Lang) -> Vec<String> {
        let mut rest = Vec::new();
        for e in errors {
            match self.index(&e.field) {
                Some(i) => self.fields[i].error = Some(e.reason.explain(lang)),
                None => rest.push(format!("{}: {}", e.field, e.reason.explain(lang))),
            }
        }
        if let Some(i) = self.fields.iter().position(|f| f.error.is_some()) {
            self.focus_on(i);
        }
        rest
    }

    pub fn first_error(&self) -> Option<&Field> {
        self.fields.iter().find(|f| f.error.is_some())
    }

    fn move_focus(&mut self, forward: bool, cx: &CheckCx) {
        self.validate_field(self.focus, cx);
        let n = self.fields.len();
        let next = if forward {
            (self.focus + 1) % n
        } else {
            (self.focus + n - 1) % n
        };
        self.focus_on(next);
    }

    /// Copies the focused field's value from another record of this kind.
    pub fn copy_from(&mut self, values: &[(&'static str, String)]) -> FormEvent {
        let key = self.focused().key;
        match values.iter().find(|(k, _)| *k == key) {
            Some((_, v)) => {
                self.fields[self.focus].set_raw(v);
                self.dirty = true;
                FormEvent::Changed(self.focus)
            }
            None => FormEvent::Ignored,
        }
    }

    fn list_options(&self) -> Vec<&Choice> {
        match &self.focused().kind {
            // Every option, to tick and untick.
            FieldKind::Multi(options) => options.iter().collect(),
            FieldKind::Choice(options) | FieldKind::Ref(_, options) => {
                let typed = self.focused().raw();
                let m = matching(options, &typed);
                if m.is_empty() || self.focused().resolve_choice(&typed).is_some() {
                    options.iter().collect()
                } else {
                    m
                }
            }
            _ => Vec::new(),
        }
    }

    pub fn handle(&mut self, ev: &Ev, cx: &CheckCx) -> FormEvent {
        if let Some(sel) = self.list {
            return self.handle_list(sel, ev, cx);
        }
        let i = self.focus;
        match ev {
            Ev::Action(Action::NextField) => {
                self.move_focus(true, cx);
                FormEvent::Consumed
            }
            Ev::Action(Action::PrevField) => {
                self.move_focus(false, cx);
                FormEvent::Consumed
            }
            Ev::Action(Action::ListValues) => {
                if self.focused().kind.listed() {
                    self.list = Some(0);
                    FormEvent::Consumed
                } else {
                    FormEvent::Ignored
                }
            }
            Ev::Action(_) => FormEvent::Ignored,
            Ev::Paste(text) => {
                let f = &mut self.fields[i];
                let changed = match f.kind {
                    FieldKind::Note { .. } => {
                        let clean: String = text
                            .chars()
                            .filter(|c| *c == '\n' || !c.is_control())
                            .collect();
                        f.text.insert_str(clean)
                    }
                    FieldKind::YesNo => false,
                    _ => input::paste_line(&mut f.text, text),
                };
                self.changed(i, changed)
            }
            Ev::Key(key) => {
                let f = &mut self.fields[i];
                let changed = match f.kind {
                    FieldKind::YesNo => {
                        let before = f.yes;
                        match key.code {
                            KeyCode::Char(' ') => f.yes = !f.yes,
                            KeyCode::Char('y' | 'Y' | 'д' | 'Д' | '1') => f.yes = true,
                            KeyCode::Char('n' | 'N' | 'н' | 'Н' | '0') => f.yes = false,
                            _ => return FormEvent::Ignored,
                        }
                        f.yes != before
                    }
                    FieldKind::Note { max } => {
                        if matches!(key.code, KeyCode::Char(c) if c.is_control())
                            || key.modifiers.contains(KeyModifiers::ALT)
                        {
                            return FormEvent::Ignored;
                        }
                        let before = f.text.lines().join("\n");
                        if key.modifiers.contains(KeyModifiers::CONTROL)
                            && key.code == KeyCode::Char('u')
                        {
                            // Ctrl-U clears the line, as it clears every one-line field and
                            // the search box (the text widget's own Ctrl-U undoes).
                            f.text.move_cursor(ratatui_textarea::CursorMove::End);
                            f.text.delete_line_by_head();
                        } else {
                            f.text.input(*key);
                        }
                        let after = f.text.lines().join("\n");
                        if after.chars().count() > max {
                            f.text.undo();
                        }
                        f.text.lines().join("\n") != before
                    }
                    FieldKind::Number { .. } => {
                        if matches!(key.code, KeyCode::Char(c) if !c.is_ascii_digit() && c != '-') {
                            return FormEvent::Consumed;
                        }
                        input::edit_line(&mut f.text, key)
                    }
                    _ => input::edit_line(&mut f.text, key),
                };
                self.changed(i, changed)
            }
        }
    }

    fn changed(&mut self, i: usize, changed: bool) -> FormEvent {
        if changed {
            self.dirty = true;
            self.fields[i].error = None;
            FormEvent::Changed(i)
        } else {
            FormEvent::Consumed
        }
    }

    fn handle_list(&mut self, sel: usize, ev: &Ev, cx: &CheckCx) -> FormEvent {
        let n = self.list_options().len();
        match ev {
            Ev::Action(Action::Up) => self.list = Some(sel.saturating_sub(1)),
            Ev::Action(Action::Down) => self.list = Some((sel + 1).min(n.saturating_sub(1))),
            Ev::Action(Action::PageUp | Action::Home) => self.list = Some(0),
            Ev::Action(Action::PageDown | Action::End) => self.list = Some(n.saturating_sub(1)),
            Ev::Action(Action::Back) => self.list = None,
            Ev::Action(Action::Open | Action::ListValues) => {
                let label = self.list_options().get(sel).map(|c| c.label.clone());
                let i = self.focus;
                if let (Some(label), FieldKind::Multi(_)) = (&label, &self.fields[i].kind) {
                    // Enter ticks or unticks; the list stays open for the next one.
                    let mut parts: Vec<String> = multi_parts(&self.fields[i].raw())
                        .map(String::from)
                        .collect();
                    match parts.iter().position(|p| p.eq_ignore_ascii_case(label)) {
                        Some(at) => {
                            parts.remove(at);
                        }
                        None => parts.push(label.clone()),
                    }
                    self.fields[i].set_raw(&parts.join(", "));
                    return self.changed(i, true);
                }
                self.list = None;
                if let Some(label) = label {
                    self.fields[i].set_raw(&label);
                    return self.changed(i, true);
                }
            }
            Ev::Action(_) => return FormEvent::Ignored,
            // Typing goes on filtering the list.
            Ev::Key(_) | Ev::Paste(_) => {
                self.list = None;
                let out = self.handle(ev, cx);
                self.list = Some(0);
                return out;
            }
        }
        FormEvent::Consumed
    }

    /// Rows each field starts at, and the total.
    fn rows(&self) -> (Vec<u16>, u16) {
        let mut at = Vec::with_capacity(self.fields.len());
        let mut row = 0;
        for f in &self.fields {
            at.push(row);
            row += f.height();
        }
        (at, row)
    }

    /// Draws the fields in `area`: label, value, error beside it; the last row explains the
    /// focused field (its whole error, or how to fill it in).
    pub fn render(&self, area: Rect, buf: &mut Buffer, t: &I18n, theme: &Theme, sym: &Symbols) {
        if area.height < 2 || area.width < 20 {
            return;
        }
        let body = Rect {
            height: area.height - 1,
            ..area
        };
        let (at, _) = self.rows();
        // Scroll so the focused field is in view; no state, so drawing stays pure.
        let focus_end = at[self.focus] + self.fields[self.focus].height();
        let top = focus_end.saturating_sub(body.height);
        let label_w: u16 = 24.min(area.width / 3);
        // The value column takes the room the terminal gives (30 at 80 columns, 52 at 120),
        // the rest is for the error beside it.
        let value_w: u16 = (area.width.saturating_sub(label_w) * 11 / 20)
            .max(30.min(area.width.saturating_sub(label_w + 2) / 2 + 6));
        let err_x = area.x + label_w + value_w + 1;
        let err_w = area.right().saturating_sub(err_x) as usize;
        for (i, f) in self.fields.iter().enumerate() {
            let h = f.height();
            if at[i] < top || at[i] + h > top + body.height {
                continue;
            }
            let y = body.y + at[i] - top;
            let focused = i == self.focus;
            let pointer = if focused { sym.pointer } else { "  " };
            let mark = if f.required { "*" } else { "" };
            let label = format!("{pointer}{}{mark}", f.label_text(t));
            let label_style = if focused { theme.focus } else { theme.label };
            buf.set_stringn(
                area.x,
                y,
                pad(&label, label_w as usize, sym.ellipsis),
                label_w as usize,
                label_style,
            );
            let value_area = Rect::new(area.x + label_w, y, value_w, h);
            match &f.kind {
                FieldKind::YesNo => {
                    let (mark, word) = if f.yes {
                        (sym.yes, t.t("form.yes"))
                    } else {
                        (sym.no, t.t("form.no"))
                    };
                    let style = if focused { theme.cursor } else { theme.input };
                    buf.set_string(value_area.x, y, mark, style);
                    buf.set_string(value_area.x + mark.width() as u16 + 1, y, word, theme.input);
                }
                _ => {
                    let mut shown = value_area;
                    if f.kind.listed() {
                        shown.width = shown.width.saturating_sub(2);
                        buf.set_string(shown.right() + 1, y, sym.more, theme.dim);
                    }
                    buf.set_style(shown, theme.input);
                    if focused || matches!(f.kind, FieldKind::Note { .. }) {
                        Widget::render(&f.text, shown, buf);
                    } else {
                        // Away from the cursor a value reads from its start (a long name
                        // picked from a list would otherwise show its end).
                        let w = shown.width as usize;
                        buf.set_stringn(shown.x, y, fit(&f.raw(), w, sym.ellipsis), w, theme.input);
                    }
                }
            }
            if let Some(e) = &f.error {
                if err_w > 2 {
                    let text = format!("{} {e}", sym.error);
                    buf.set_string(err_x, y, fit(&text, err_w, sym.ellipsis), theme.error);
                }
            }
        }
        // The help line for the focused field.
        let f = self.focused();
        let help = match (&f.error, &f.kind) {
            (Some(e), _) => Line::from(Span::styled(format!("{} {e}", sym.error), theme.error)),
            (None, FieldKind::Date | FieldKind::BirthDate) => {
                Line::from(Span::styled(t.t("form.hint_date"), theme.dim))
            }
            (None, FieldKind::Choice(_)) => {
                Line::from(Span::styled(t.t("form.hint_choice"), theme.dim))
            }
            (None, FieldKind::Multi(_)) => {
                Line::from(Span::styled(t.t("form.hint_multi"), theme.dim))
            }
            (None, FieldKind::Ref(..)) => Line::from(Span::styled(t.t("form.hint_ref"), theme.dim)),
            (None, FieldKind::YesNo) => Line::from(Span::styled(t.t("form.hint_yesno"), theme.dim)),
            (None, FieldKind::Note { .. }) => {
                Line::from(Span::styled(t.t("form.hint_note"), theme.dim))
            }
            _ => Line::default(),
        };
        let help_area = Rect::new(area.x, area.bottom() - 1, area.width, 1);
        Paragraph::new(help).render(help_area, buf);
        if let Some(sel) = self.list {
            self.render_list(sel, area, top, &at, t, theme, sym, buf);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn render_list(
        &self,
        sel: usize,
        area: Rect,
        top: u16,
        at: &[u16],
        t: &I18n,
        theme: &Theme,
        sym: &Symbols,
        buf: &mut Buffer,
    ) {
        let options = self.list_options();
        let label_w: u16 = 24.min(area.width / 3);
        // As wide as the longest option (a service with its place and free places), from
        // the value column, or further left when it does not fit there.
        let widest = options
            .iter()
            .map(|c| unicode_width::UnicodeWidthStr::width(c.label.as_str()) + 4)
            .max()
            .unwrap_or(0);
        let width = (widest.clamp(34, 200) as u16).min(area.width);
        let x = (area.x + label_w).min(area.right().saturating_sub(width));
        let height = (options.len() as u16 + 2)
            .min(area.height.saturating_sub(1))
            .max(3);
        let below = area.y + at[self.focus] - top + 1;
        let y = if below + height <= area.bottom() {
            below
        } else {
            area.bottom().saturating_sub(height)
        };
        let rect = Rect::new(x, y, width, height);
        Clear.render(rect, buf);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(sym.border)
            .border_style(theme.border)
            .title(fit(
                t.t("form.list_title"),
                width as usize - 2,
                sym.ellipsis,
            ));
        let inner = block.inner(rect);
        block.render(rect, buf);
        let rows = inner.height as usize;
        let first = sel.saturating_sub(rows.saturating_sub(1));
        // Several choices: each option ticked or not, as Enter leaves it.
        let ticked: Option<Vec<String>> = match self.focused().kind {
            FieldKind::Multi(_) => Some(
                multi_parts(&self.focused().raw())
                    .map(str::to_lowercase)
                    .collect(),
            ),
            _ => None,
        };
        for (n, c) in options.iter().enumerate().skip(first).take(rows) {
            let style = if n == sel { theme.selected } else { theme.base };
            let pointer = if n == sel { sym.pointer } else { "  " };
            let tick = match &ticked {
                Some(t) if t.contains(&c.label.to_lowercase()) => format!("{} ", sym.yes),
                Some(_) => format!("{} ", sym.no),
                None => String::new(),
            };
            buf.set_stringn(
                inner.x,
                inner.y + (n - first) as u16,
                pad(
                    &format!("{pointer}{tick}{}", c.label),
                    inner.width as usize,
                    sym.ellipsis,
                ),
                inner.width as usize,
                style,
            );
        }
    }
}
