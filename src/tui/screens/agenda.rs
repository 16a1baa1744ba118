//! The home screen: today's work. Overdue first, then today, then the next days (from the
//! settings), with the counts per kind on top; Enter opens the record. A clerk on the phone
//! loses nothing: any letter or digit typed here starts the search with it.

use super::{
    label,
    record_list::{self, RecordList},
    search::Search,
};
use crate::domain::{
    agenda::{Agenda, AgendaItem, AgendaKind, Bucket},
    date::format_date,
    record::Kind,
};
use crate::service::{ApiExt, Change};
use crate::tui::{
    app::{Cx, Outcome, Screen},
    forms,
    i18n::I18n,
    keymap::{Action, Context},
    widgets::{fit, pad},
    Ev,
};
use ratatui::{buffer::Buffer, crossterm::event::KeyCode, layout::Rect};

pub struct AgendaScreen {
    agenda: Agenda,
    selected: usize,
}

/// A row of the list: a bucket's heading, or an item (by its index).
enum Row {
    Heading(Bucket, usize),
    Item(usize),
}

impl AgendaScreen {
    pub fn new(cx: &mut Cx) -> AgendaScreen {
        let mut s = AgendaScreen {
            agenda: Agenda {
                today: cx.today(),
                items: Vec::new(),
                more: 0,
            },
            selected: 0,
        };
        s.load(cx);
        s
    }

    fn load(&mut self, cx: &mut Cx) {
        match cx.api.agenda(cx.settings.agenda_days, None) {
            Ok(a) => {
                // The chosen line stays on its item (its record, kind and date) when lines
                // arrive or go; if it went, on the line that took its place.
                let key = |i: &AgendaItem| (i.record, i.kind, i.due, i.detail.clone());
                let chosen = self.agenda.items.get(self.selected).map(key);
                self.agenda = a;
                self.selected = chosen
                    .and_then(|c| self.agenda.items.iter().position(|i| key(i) == c))
                    .unwrap_or(self.selected)
                    .min(self.agenda.items.len().saturating_sub(1));
            }
            Err(e) => cx.fail(&e),
        }
    }

    pub fn items(&self) -> &[AgendaItem] {
        &self.agenda.items
    }

    fn rows(&self) -> Vec<Row> {
        let today = self.agenda.today;
        let mut rows = Vec::new();
        let mut last = None;
        for (i, item) in self.agenda.items.iter().enumerate() {
            let b = item.bucket(today);
            if last != Some(b) {
                let n = self
                    .agenda
                    .items
                    .iter()
                    .filter(|x| x.bucket(today) == b)
                    .count();
                rows.push(Row::Heading(b, n));
                last = Some(b);
            }
            rows.push(Row::Item(i));
        }
        rows
    }

    fn open(&self, cx: &mut Cx) -> Outcome {
        let Some(item) = self.agenda.items.get(self.selected) else {
            return Outcome::Consumed;
        };
        // The record itself, else the person it is about.
        let target = item.record.or(item.person.map(|p| (Kind::Person, p)));
        let Some((kind, id)) = target else {
            return Outcome::Consumed;
        };
        match forms::open(cx, kind, id) {
            Ok(screen) => Outcome::Push(screen),
            Err(e) => {
                cx.fail(&e);
                Outcome::Consumed
            }
        }
    }

    /// "3 просрочени · 2 за днес · 12 до 7 дни | проследяване 4 · насочвания 5 ..."
    fn header(&self, t: &I18n) -> String {
        let today = self.agenda.today;
        let count = |b: Bucket| {
            self.agenda
                .items
                .iter()
                .filter(|i| i.bucket(today) == b)
                .count()
                .to_string()
        };
        let mut kinds: Vec<(AgendaKind, usize)> = Vec::new();
        for item in &self.agenda.items {
            match kinds.iter_mut().find(|(k, _)| *k == item.kind) {
                Some((_, n)) => *n += 1,
                None => kinds.push((item.kind, 1)),
            }
        }
        let per_kind = kinds
            .iter()
            .map(|(k, n)| format!("{} {n}", label(t, "agenda.short", k)))
            .collect::<Vec<_>>()
            .join(" · ");
        if per_kind.is_empty() {
            return t.f(
                "agenda.counts",
                &[
                    ("overdue", &count(Bucket::Overdue)),
                    ("today", &count(Bucket::Today)),
                    ("soon", &count(Bucket::Soon)),
                ],
            );
        }
        format!(
            "{} | {per_kind}",
            t.f(
                "agenda.counts",
                &[
                    ("overdue", &count(Bucket::Overdue)),
                    ("today", &count(Bucket::Today)),
                    ("soon", &count(Bucket::Soon)),
                ]
            )
        )
    }
}

impl Screen for AgendaScreen {
    fn title(&self, t: &I18n) -> String {
        format!("{} {}", t.t("agenda.title"), format_date(self.agenda.today))
    }

    fn context(&self) -> Context {
        Context::List
    }

    fn hints(&self) -> Vec<Action> {
        vec![
            Action::Open,
            Action::Search,
            Action::Reveal,
            Action::Edit,
            Action::CopyPrevious,
            Action::More,
            Action::ListValues,
            Action::NewPerson,
        ]
    }

    /// The lists of the daily work on the free keys: F5 open referrals, F6 intakes, F8 the
    /// register of services, F12 the month's reports, F4 the information campaigns.
    fn meanings(&self) -> crate::tui::keymap::Meanings {
        vec![
            (Action::Reveal, "action.list_referrals"),
            (Action::Edit, "action.list_intakes"),
            (Action::CopyPrevious, "action.register"),
            (Action::ListValues, "action.list_campaigns"),
            (Action::More, "action.month"),
        ]
    }

    fn handle(&mut self, ev: &Ev, cx: &mut Cx) -> Outcome {
        if let Ev::Action(a) = ev {
            if let Some(s) = super::moved(*a, self.selected, self.agenda.items.len()) {
                self.selected = s;
                return Outcome::Consumed;
            }
        }
        match ev {
            Ev::Action(Action::Open) => return self.open(cx),
            Ev::Action(Action::Reveal) => {
                let list = RecordList::new(record_list::open_referrals(), cx);
                return Outcome::Push(Box::new(list));
            }
            Ev::Action(Action::Edit) => {
                let list = RecordList::new(record_list::intakes(), cx);
                return Outcome::Push(Box::new(list));
            }
            Ev::Action(Action::CopyPrevious) => {
                return Outcome::Push(Box::new(super::register::Register::new(cx)));
            }
            Ev::Action(Action::ListValues) => {
                let list = RecordList::new(record_list::campaigns(), cx);
                return Outcome::Push(Box::new(list));
            }
            Ev::Action(Action::More) => {
                return Outcome::Push(Box::new(super::month::MonthScreen::new(cx)));
            }
            Ev::Action(_) => return Outcome::Ignored,
            // The phone rings: the first letter typed is the search's first letter.
            Ev::Key(k) => {
                if let KeyCode::Char(c) = k.code {
                    if c.is_alphanumeric() {
                        let mut search = Search::new(cx);
                        search.handle(ev, cx);
                        return Outcome::Push(Box::new(search));
                    }
                }
            }
            Ev::Paste(_) => {
                let mut search = Search::new(cx);
                search.handle(ev, cx);
                return Outcome::Push(Box::new(search));
            }
        }
        Outcome::Consumed
    }

    fn resume(&mut self, cx: &mut Cx) {
        self.load(cx);
    }

    fn changed(&mut self, _change: &Change, cx: &mut Cx) -> bool {
        let before = self.agenda.items.clone();
        self.load(cx);
        self.agenda.items != before
    }

    fn render(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        let (t, theme, sym) = (&cx.t, &cx.theme, &cx.sym);
        let w = area.width as usize;
        buf.set_stringn(
            area.x,
            area.y,
            fit(&self.header(t), w, sym.ellipsis),
            w,
            theme.heading,
        );
        if self.agenda.items.is_empty() {
            buf.set_stringn(area.x, area.y + 2, t.t("agenda.empty"), w, theme.dim);
            return;
        }
        let rows = self.rows();
        let h = area.height.saturating_sub(2) as usize;
        let at = rows
            .iter()
            .position(|r| matches!(r, Row::Item(i) if *i == self.selected))
            .unwrap_or(0);
        let first = at.saturating_sub(h.saturating_sub(1));
        let (who_w, date_w, kind_w) = (24usize, 10usize, 22usize);
        let detail_w = w.saturating_sub(2 + date_w + 1 + kind_w + 1 + who_w + 1);
        for (n, row) in rows.iter().skip(first).take(h).enumerate() {
            let y = area.y + 2 + n as u16;
            match row {
                Row::Heading(b, count) => {
                    let text = format!("{} {} ({count})", sym.dash, label(t, "agenda.bucket", b));
                    let style = match b {
                        Bucket::Overdue => theme.error,
                        _ => theme.heading,
                    };
                    buf.set_stringn(area.x, y, pad(&text, w, sym.ellipsis), w, style);
                }
                Row::Item(i) => {
                    let item = &self.agenda.items[*i];
                    let chosen = *i == self.selected;
                    let pointer = if chosen { sym.pointer } else { "  " };
                    let line = format!(
                        "{pointer}{} {} {} {}",
                        pad(&format_date(item.due), date_w, sym.ellipsis),
                        pad(&label(t, "agenda.kind", &item.kind), kind_w, sym.ellipsis),
                        pad(&item.who, who_w, sym.ellipsis),
                        pad(&item.detail, detail_w, sym.ellipsis),
                    );
                    let style = if chosen { theme.selected } else { theme.base };
                    buf.set_stringn(area.x, y, fit(&line, w, sym.ellipsis), w, style);
                }
            }
        }
        if self.agenda.more > 0 {
            let more = t.f("agenda.more", &[("n", &self.agenda.more.to_string())]);
            let y = area.bottom() - 1;
            buf.set_stringn(area.x, y, fit(&more, w, sym.ellipsis), w, theme.dim);
        }
    }
}
