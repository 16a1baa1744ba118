//! The one form screen: any kind's `Spec` drawn by the form widget. It creates (once per form,
//! by a request id, so a save retried after a lost answer cannot make the record twice) or
//! updates at the rev it loaded, shows a stale save side by side, keeps the typing as a
//! draft, puts refusals beside their fields and copies the previous record of the kind.

use super::conflict::Conflict;
use crate::domain::{
    agreement_change::Correction,
    date::format_date,
    draft::Draft,
    record::{Kind, Record},
    Explain, FieldError,
};
use crate::service::{ApiExt, Change, RequestId, Saved, ServiceError};
use crate::tui::{
    app::{Cx, Level, Outcome, Screen},
    forms::{self, Spec},
    i18n::I18n,
    keymap::{Action, Context},
    widgets::{
        fit,
        form::{CheckCx, FieldKind, Form, FormEvent},
    },
    Ev,
};
use ratatui::{buffer::Buffer, layout::Rect};

pub struct RecordForm<S: Spec> {
    pub form: Form,
    /// The record as loaded (or the new record's seed): what the fields are applied onto.
    pub base: S::T,
    /// The record being edited (id and the rev it was loaded at).
    pub editing: Option<(u64, u64)>,
    pub extra: S::Extra,
    /// The newer saved version a save ran into, while the clerk decides (conflict screen).
    theirs: Option<Record>,
    /// The fields both changed differently, the only ones the conflict screen asks about.
    asked: Vec<usize>,
    request: RequestId,
}

impl<S: Spec> RecordForm<S> {
    /// A new record starting from `seed`.
    pub fn new(cx: &Cx, seed: S::T) -> Self {
        let mut form = Form::new(forms::fields::<S>(cx), &cx.theme);
        forms::load::<S>(&mut form, &seed, cx);
        // The first field is reached as any other: a chosen value shows its start.
        let first = form.focused().key;
        form.focus_key(first);
        form.dirty = false;
        RecordForm {
            form,
            base: seed,
            editing: None,
            extra: S::Extra::default(),
            theirs: None,
            asked: Vec::new(),
            request: crate::service::new_request_id(),
        }
    }

    pub fn edit(cx: &mut Cx, record: &Record) -> Self {
        let base = S::unwrap(&record.body).unwrap_or_else(|| S::blank(cx));
        let mut f = Self::new(cx, base);
        f.editing = Some((record.id(), record.meta.rev));
        S::refresh(&mut f, cx);
        f
    }

    /// A form left unsaved, back as it was typed. An edit keeps the rev it was loaded at, so a
    /// record changed since shows as a conflict on save.
    pub fn from_draft(cx: &mut Cx, draft: &Draft) -> Result<Self, String> {
        let mut f = match draft.target {
            Some((id, rev)) => {
                let record = cx
                    .api
                    .get(S::KIND, id)
                    .map_err(|e| crate::domain::Explain::explain(&e, cx.t.lang()))?;
                let mut f = Self::edit(cx, &record);
                f.editing = Some((id, rev));
                f
            }
            None => Self::new(cx, S::blank(cx)),
        };
        f.form.restore(&draft.fields);
        Ok(f)
    }

    fn check_cx<'a>(cx: &'a Cx) -> CheckCx<'a> {
        CheckCx {
            today: cx.today(),
            t: &cx.t,
        }
    }

    /// The record as typed so far (with the fields that cannot be read).
    pub fn current(&self, cx: &Cx) -> (S::T, Vec<FieldError>) {
        forms::build::<S>(&self.form, &self.base, cx)
    }

    fn save(&mut self, cx: &mut Cx) -> Outcome {
        if !self.form.validate_all(&Self::check_cx(cx)) {
            let msg = cx.t.t("status.fix_fields").to_string();
            cx.say(Level::Error, msg);
            return Outcome::Consumed;
        }
        let (mut t, unreadable) = self.current(cx);
        if !unreadable.is_empty() {
            self.refused(cx, &unreadable);
            return Outcome::Consumed;
        }
        if let Err(errors) = S::check(&mut t, cx) {
            self.refused(cx, &errors);
            return Outcome::Consumed;
        }
        if !S::before_save(self, &t, cx) {
            return Outcome::Consumed;
        }
        let name = S::name(&t, cx);
        let body = S::wrap(t);
        let result = match self.editing {
            None => cx.api.create_saved(self.request, body),
            Some((id, rev)) => cx.api.update_saved(id, rev, body),
        };
        match result {
            Ok(Saved { record, returned }) => {
                self.form.dirty = false;
                cx.previous.insert(S::KIND.tree(), self.form.values());
                // The service answered after flush and fsync: the save is on disk. Named as
                // saved, with what the saving gave it (an intake's register number), and with
                // the monthly reports it sent back for correction.
                let name = S::unwrap(&record.body)
                    .map(|t| S::name(&t, cx))
                    .unwrap_or(name);
                let msg = saved_message(cx, &name, &returned);
                let level = if returned.is_empty() {
                    Level::Info
                } else {
                    Level::Warn
                };
                cx.say(level, msg);
                S::saved(&record, self.editing.is_none(), cx)
            }
            Err(ServiceError::Invalid(errors)) => {
                self.refused(cx, &errors);
                Outcome::Consumed
            }
            // The first save of this form was stored but its answer lost, and the clerk changed
            // the form since: what the form holds now goes onto that record as an update (a
            // colleague's change meanwhile still comes to the conflict screen).
            Err(ServiceError::AlreadyCreated { id, rev, .. }) if self.editing.is_none() => {
                self.editing = Some((id, rev));
                self.save(cx)
            }
            Err(ServiceError::Conflict { current }) => {
                // Three-way: against the version this form was opened at, a field only the
                // colleague changed takes their value, one only the clerk changed stays, and
                // only a field both changed differently is asked about.
                let saved = Self::edit(cx, &current);
                let opened = Self::new(cx, self.base.clone());
                let asked = self.form.merge_from(&opened.form, &saved.form);
                if asked.is_empty() {
                    // Nothing to ask: the form stands on the saved version (fields it does not
                    // show stay as saved now) and saves both sides' changes.
                    self.editing = Some((current.id(), current.meta.rev));
                    if let Some(t) = S::unwrap(&current.body) {
                        self.base = t;
                    }
                    let who = cx.clerk_name(&current.meta.by);
                    let out = self.save(cx);
                    if !self.form.dirty {
                        let msg = cx.t.f("conflict.merged", &[("by", &who)]);
                        cx.say(Level::Info, msg);
                    }
                    return out;
                }
                let rows = self.form.differences_in(&saved.form, &cx.t, &asked);
                self.asked = asked;
                let when = format!(
                    "{} {}",
                    format_date(current.meta.updated.date()),
                    current.meta.updated.format("%H:%M")
                );
                let screen = Conflict::new(cx.clerk_name(&current.meta.by), when, rows);
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
        let asked = std::mem::take(&mut self.asked);
        if !keep_mine && !asked.is_empty() {
            // Theirs for the fields asked about; the clerk's other changes still go on top.
            let saved = Self::edit(cx, &theirs);
            for &i in &asked {
                self.form.take_field(i, &saved.form);
            }
            if !self.form.same_as(&saved.form) {
                self.editing = Some((theirs.id(), theirs.meta.rev));
                return self.save(cx);
            }
        }
        if keep_mine {
            self.editing = Some((theirs.id(), theirs.meta.rev));
            if let Some(t) = S::unwrap(&theirs.body) {
                // Fields the form does not show stay as saved now.
                self.base = t;
            }
            return self.save(cx);
        }
        let focus = self.form.focused().key;
        let request = self.request;
        *self = Self::edit(cx, &theirs);
        self.request = request;
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

    /// A reference field the clerk typed in: its options follow the search.
    fn refresh_ref(&mut self, key: &'static str, cx: &Cx) {
        if let Some(kind) = self.form.ref_kind(key) {
            let typed = self.form.text(key);
            // A label taken from the list stays chosen.
            if self.form.options_of(key).iter().any(|c| c.label == typed) {
                return;
            }
            let options = S::ref_options(self, key, &typed, cx)
                .unwrap_or_else(|| forms::ref_options(cx, kind, &typed));
            self.form.set_options(key, options);
        }
    }

    /// F11 on a reference field: the record it points to.
    fn open_ref(&mut self, cx: &mut Cx) -> Option<Outcome> {
        let key = self.form.focused().key;
        let kind = self.form.ref_kind(key)?;
        let id: u64 = self.form.choice(key)?.parse().ok()?;
        Some(match forms::open(cx, kind, id) {
            Ok(screen) => Outcome::Push(screen),
            Err(e) => {
                cx.fail(&e);
                Outcome::Consumed
            }
        })
    }

    fn on_ref(&self) -> bool {
        matches!(self.form.focused().kind, FieldKind::Ref(..))
    }

    fn kind_key(suffix: &str) -> String {
        format!("{}.{suffix}", S::KIND.tree())
    }
}

impl<S: Spec> Screen for RecordForm<S> {
    fn title(&self, t: &I18n) -> String {
        match (self.editing, S::number(&self.base).trim()) {
            (None, _) => t.t(&Self::kind_key("new_title")).to_string(),
            (Some(_), "") => t.t(&Self::kind_key("edit_title")).to_string(),
            (Some(_), number) => format!("{} {number}", t.t(&Self::kind_key("edit_title"))),
        }
    }

    fn context(&self) -> Context {
        self.form.context()
    }

    fn hints(&self) -> Vec<Action> {
        // The form's own steps come right after save: they are what the clerk came for.
        // Then how to move and leave, which every form has, before what only some fields do
        // (the footer keeps the first that fit; F1 lists them all).
        let mut h = vec![Action::Save];
        h.extend(S::hints(self));
        h.push(Action::NextField);
        if self.form.focused().kind.listed() {
            h.push(Action::ListValues);
        }
        h.push(Action::Back);
        if self.on_ref() {
            h.push(Action::OpenDuplicate);
        }
        h.push(Action::CopyPrevious);
        h
    }

    fn unsaved(&self) -> bool {
        self.form.dirty
    }

    fn meanings(&self) -> crate::tui::keymap::Meanings {
        let mut m = S::meanings(self);
        if self.on_ref() {
            m.push((Action::OpenDuplicate, "action.open_ref"));
        }
        m
    }

    fn resume(&mut self, cx: &mut Cx) {
        // Back from the conflict screen without a choice: the next save asks again.
        self.theirs = None;
        S::refresh(self, cx);
    }

    fn reconnected(&mut self, cx: &mut Cx) -> bool {
        S::refresh(self, cx);
        // The typing stays; a save made meanwhile by a colleague is said now, as its event
        // would have said it (the save then comes to the conflict screen).
        let Some((id, rev)) = self.editing else {
            return true;
        };
        if let Ok(now) = cx.api.get(S::KIND, id) {
            if now.meta.rev > rev {
                let who = cx.clerk_name(&now.meta.by);
                let msg = cx.t.f("status.edited_meanwhile", &[("login", &who)]);
                cx.say(Level::Warn, msg);
            }
        }
        true
    }

    fn changed(&mut self, change: &Change, cx: &mut Cx) -> bool {
        // A new record's form too: what its fields offer may have changed.
        let watched = change.of_kinds(S::WATCH);
        if watched {
            S::refresh(self, cx);
        }
        let Some((id, rev)) = self.editing else {
            return watched;
        };
        match change.records.iter().find(|c| c.id == id) {
            Some(c) if c.rev > rev => {
                let who = cx.clerk_name(&change.by);
                let msg = cx.t.f("status.edited_meanwhile", &[("login", &who)]);
                cx.say(Level::Warn, msg);
                true
            }
            _ => watched,
        }
    }

    fn draft(&self, cx: &Cx) -> Option<Draft> {
        if !self.form.dirty {
            return None;
        }
        let name = S::name(&self.current(cx).0, cx);
        Some(Draft {
            key: Draft::key_for(S::KIND, self.editing.map(|(id, _)| id)),
            target: self.editing,
            title: if name.trim().is_empty() {
                self.title(&cx.t)
            } else {
                name.trim().to_string()
            },
            fields: self.form.draft_values(),
            saved: cx.now(),
        })
    }

    fn handle(&mut self, ev: &Ev, cx: &mut Cx) -> Outcome {
        match ev {
            Ev::Action(a @ (Action::Save | Action::Discard)) if self.theirs.is_some() => {
                let theirs = self.theirs.take().expect("checked");
                return self.decide(*a == Action::Save, theirs, cx);
            }
            Ev::Action(Action::Save) => return self.save(cx),
            Ev::Action(Action::CopyPrevious) => {
                let previous = cx.previous.get(S::KIND.tree()).cloned().unwrap_or_default();
                if self.form.copy_from(&previous) == FormEvent::Ignored {
                    let msg = cx.t.t("status.no_previous").to_string();
                    cx.say(Level::Info, msg);
                }
                return Outcome::Consumed;
            }
            Ev::Action(Action::OpenDuplicate) if self.on_ref() => {
                return self.open_ref(cx).unwrap_or(Outcome::Consumed);
            }
            Ev::Action(a) => {
                if let Some(out) = S::action(self, *a, cx) {
                    return out;
                }
            }
            _ => {}
        }
        if matches!(ev, Ev::Action(Action::ListValues)) && self.on_ref() {
            // F4 on an empty reference lists the first records it could point to.
            let key = self.form.focused().key;
            if self.form.text(key).trim().is_empty() && self.form.options_of(key).is_empty() {
                if let Some(kind) = self.form.ref_kind(key) {
                    let options = S::ref_options(self, key, "", cx)
                        .filter(|o| !o.is_empty())
                        .unwrap_or_else(|| forms::first_options(cx, kind));
                    self.form.set_options(key, options);
                }
            }
        }
        let before = self.form.focus;
        let out = self.form.handle(ev, &Self::check_cx(cx));
        if let FormEvent::Changed(i) = out {
            let key = self.form.fields[i].key;
            self.refresh_ref(key, cx);
        }
        let key_changed = match out {
            FormEvent::Changed(i) => Some(self.form.fields[i].key),
            // Leaving a field may have normalised it (a date typed as ddmmyy).
            FormEvent::Consumed if self.form.focus != before => Some(self.form.fields[before].key),
            _ => None,
        };
        if let Some(key) = key_changed {
            S::edited(self, key, cx);
        }
        match out {
            FormEvent::Ignored => Outcome::Ignored,
            _ => Outcome::Consumed,
        }
    }

    fn render(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        let (t, theme, sym) = (&cx.t, &cx.theme, &cx.sym);
        let mut form_area = area;
        if let Some(line) = S::banner(self, cx) {
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
        let below = S::below(self, cx);
        if !below.is_empty() {
            // At most a third of the screen, the fields keep the rest (the form scrolls).
            let h = (below.len() as u16).min(form_area.height / 3);
            form_area.height = form_area.height.saturating_sub(h);
            let w = area.width as usize;
            for (n, line) in below.iter().take(h as usize).enumerate() {
                let style = if n == 0 { theme.heading } else { theme.base };
                let y = form_area.bottom() + n as u16;
                buf.set_stringn(area.x, y, fit(line, w, sym.ellipsis), w, style);
            }
        }
        self.form.render(form_area, buf, t, theme, sym);
    }
}

/// The kind a form is for (drafts list their titles by it).
pub fn kind_of(draft: &Draft) -> Option<Kind> {
    let tree = draft.key.split('/').next()?;
    Kind::ALL.into_iter().find(|k| k.tree() == tree)
}

/// "Saved: …", and the monthly reports the change sent back for correction in the same
/// commit (a change of an agreement's terms over open months).
pub fn saved_message(cx: &Cx, what: &str, returned: &[Correction]) -> String {
    let mut msg = cx.t.f("status.saved", &[("what", what)]);
    if !returned.is_empty() {
        let list: Vec<String> = returned.iter().map(|c| c.explain(cx.t.lang())).collect();
        msg.push_str(&cx.t.f("status.returned", &[("reports", &list.join("; "))]));
    }
    msg
}
