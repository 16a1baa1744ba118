//! Search from anywhere: one box, results as the clerk types (the service's ranked search), the
//! arrows and Enter open a card. ЕГН are masked until revealed with F5, an audited read.

use super::person_card::{person_of, PersonCard};
use crate::domain::record::Kind;
use crate::service::{ApiExt, Change, Hit};
use crate::tui::{
    app::{Cx, Level, Outcome, Screen},
    i18n::I18n,
    keymap::{Action, Context},
    widgets::{fit, input, pad},
    Ev,
};
use ratatui::{buffer::Buffer, layout::Rect};
use ratatui_textarea::TextArea;
use std::collections::HashMap;

/// Fills a 200x60 screen; a clerk narrows the query rather than scrolling far.
const LIMIT: u32 = 60;

pub struct Search {
    input: TextArea<'static>,
    hits: Vec<Hit>,
    selected: usize,
    revealed: HashMap<u64, String>,
    searched: String,
}

impl Search {
    pub fn new(cx: &Cx) -> Search {
        let mut input = input::new_input("");
        input.set_cursor_style(cx.theme.cursor);
        Search {
            input,
            hits: Vec::new(),
            selected: 0,
            revealed: HashMap::new(),
            searched: String::new(),
        }
    }

    pub fn query(&self) -> String {
        input::value(&self.input)
    }

    pub fn hits(&self) -> &[Hit] {
        &self.hits
    }

    fn run(&mut self, cx: &mut Cx) {
        let q = self.query();
        if q.trim() == self.searched.trim() {
            return;
        }
        self.searched = q.clone();
        self.selected = 0;
        if q.trim().is_empty() {
            self.hits.clear();
            return;
        }
        match cx.api.search(&q, LIMIT) {
            Ok(h) => self.hits = h,
            Err(e) => {
                self.hits.clear();
                cx.fail(&e);
            }
        }
    }

    fn open(&mut self, cx: &mut Cx) -> Outcome {
        let Some(hit) = self.hits.get(self.selected) else {
            return Outcome::Consumed;
        };
        let person = match hit.kind {
            Kind::Person => Some(hit.id),
            Kind::Provider | Kind::Service => {
                let msg = cx.t.f(
                    "search.register_record",
                    &[("kind", hit.kind.name(cx.t.lang())), ("name", &hit.name)],
                );
                cx.say(Level::Info, msg);
                return Outcome::Consumed;
            }
            kind => match person_of(cx, kind, hit.id) {
                Ok(p) => p,
                Err(e) => {
                    cx.fail(&e);
                    return Outcome::Consumed;
                }
            },
        };
        match person {
            Some(id) => match PersonCard::open(cx, id) {
                Ok(card) => Outcome::Push(Box::new(card)),
                Err(e) => {
                    cx.fail(&e);
                    Outcome::Consumed
                }
            },
            None => {
                let msg = cx.t.t("search.no_person").to_string();
                cx.say(Level::Info, msg);
                Outcome::Consumed
            }
        }
    }

    /// A phone note for the person of the selected hit.
    fn phone_note(&mut self, cx: &mut Cx) -> Outcome {
        let Some(hit) = self.hits.get(self.selected) else {
            return Outcome::Consumed;
        };
        match person_of(cx, hit.kind, hit.id) {
            Ok(Some(person)) => {
                Outcome::Push(Box::new(crate::tui::forms::intake::phone_note(cx, person)))
            }
            Ok(None) => {
                let msg = cx.t.t("search.no_person").to_string();
                cx.say(Level::Info, msg);
                Outcome::Consumed
            }
            Err(e) => {
                cx.fail(&e);
                Outcome::Consumed
            }
        }
    }

    fn reveal(&mut self, cx: &mut Cx) {
        let Some(hit) = self.hits.get(self.selected) else {
            return;
        };
        if hit.kind != Kind::Person || hit.ident.is_empty() {
            return;
        }
        if self.revealed.remove(&hit.id).is_some() {
            return;
        }
        match cx.api.reveal_ident(hit.id) {
            Ok(ident) => {
                self.revealed.insert(hit.id, ident);
                let msg = cx.t.t("status.revealed").to_string();
                cx.say(Level::Info, msg);
            }
            Err(e) => cx.fail(&e),
        }
    }
}

impl Screen for Search {
    fn title(&self, t: &I18n) -> String {
        t.t("search.title").to_string()
    }

    fn context(&self) -> Context {
        Context::SearchBox
    }

    /// F8 on a hit: a phone note for its person.
    fn meanings(&self) -> crate::tui::keymap::Meanings {
        vec![(Action::CopyPrevious, "action.phone_note")]
    }

    fn hints(&self) -> Vec<Action> {
        vec![
            Action::Open,
            Action::CopyPrevious,
            Action::Reveal,
            Action::NewPerson,
            Action::Palette,
            Action::Back,
        ]
    }

    fn is_search(&self) -> bool {
        true
    }

    fn handle(&mut self, ev: &Ev, cx: &mut Cx) -> Outcome {
        if let Ev::Action(a) = ev {
            if let Some(s) = super::moved(*a, self.selected, self.hits.len()) {
                self.selected = s;
                return Outcome::Consumed;
            }
        }
        match ev {
            Ev::Action(Action::Open) => return self.open(cx),
            Ev::Action(Action::CopyPrevious) => return self.phone_note(cx),
            Ev::Action(Action::Reveal) => self.reveal(cx),
            Ev::Action(Action::Search) => {
                input::set_value(&mut self.input, "");
                self.input.set_cursor_style(cx.theme.cursor);
                self.run(cx);
            }
            Ev::Action(Action::NewPerson) => {
                let form = crate::tui::forms::person::new_form(cx, &self.query());
                return Outcome::Push(Box::new(form));
            }
            Ev::Action(_) => return Outcome::Ignored,
            Ev::Key(k) => {
                if input::edit_line(&mut self.input, k) {
                    self.run(cx);
                }
            }
            Ev::Paste(p) => {
                if input::paste_line(&mut self.input, p) {
                    self.run(cx);
                }
            }
        }
        Outcome::Consumed
    }

    fn resume(&mut self, cx: &mut Cx) {
        // A card or form above may have changed names: search again.
        self.searched.clear();
        let keep = self.selected;
        self.run(cx);
        self.selected = keep.min(self.hits.len().saturating_sub(1));
    }

    fn changed(&mut self, change: &Change, cx: &mut Cx) -> bool {
        // New and renamed records can enter or leave the results: search again when any
        // searchable record changed and a query is showing.
        let searchable = change
            .records
            .iter()
            .any(|c| !matches!(c.kind, Kind::Clerk | Kind::Report));
        if !searchable || self.query().trim().is_empty() {
            return false;
        }
        let before = self.hits.clone();
        self.resume(cx);
        self.hits != before
    }

    fn render(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        let (t, theme, sym) = (&cx.t, &cx.theme, &cx.sym);
        let w = area.width as usize;
        input::render_prompt(area, buf, t.t("search.prompt"), &self.input, theme);
        let list = Rect::new(
            area.x,
            area.y + 2,
            area.width,
            area.height.saturating_sub(2),
        );
        if self.query().trim().is_empty() {
            for (n, k) in [
                "search.help_names",
                "search.help_ident",
                "search.help_phone",
                "search.help_numbers",
                "search.help_new",
            ]
            .iter()
            .enumerate()
            {
                buf.set_stringn(list.x + 2, list.y + n as u16, t.t(k), w - 2, theme.dim);
            }
            return;
        }
        if self.hits.is_empty() {
            // Seven to nine digits find no ЕГН by design (they would give its digits away):
            // say what does.
            let q = self.query();
            let digits = q
                .trim()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>();
            let key = match digits.len() {
                7..=9 if digits.bytes().all(|b| b.is_ascii_digit()) => "search.whole_ident",
                _ => "search.nothing",
            };
            buf.set_stringn(list.x + 2, list.y, t.t(key), w - 2, theme.dim);
            return;
        }
        // Columns: name, ЕГН, detail (birth date or number), kind.
        let (name_w, ident_w, detail_w) = (40usize, 12usize, 11usize);
        let kind_w = w.saturating_sub(2 + name_w + ident_w + detail_w + 3);
        let header = format!(
            "  {} {} {} {}",
            pad(t.t("search.col_name"), name_w, sym.ellipsis),
            pad(t.t("search.col_ident"), ident_w, sym.ellipsis),
            pad(t.t("search.col_detail"), detail_w, sym.ellipsis),
            fit(t.t("search.col_kind"), kind_w, sym.ellipsis)
        );
        buf.set_stringn(list.x, list.y, header, w, theme.heading);
        let rows = list.height.saturating_sub(1) as usize;
        let first = self.selected.saturating_sub(rows.saturating_sub(1));
        for (n, hit) in self.hits.iter().enumerate().skip(first).take(rows) {
            let chosen = n == self.selected;
            let ident = self.revealed.get(&hit.id).unwrap_or(&hit.ident);
            let pointer = if chosen { sym.pointer } else { "  " };
            let line = format!(
                "{pointer}{} {} {} {}",
                pad(&hit.name, name_w, sym.ellipsis),
                pad(ident, ident_w, sym.ellipsis),
                pad(&hit.detail, detail_w, sym.ellipsis),
                pad(hit.kind.name(t.lang()), kind_w, sym.ellipsis)
            );
            let style = if chosen { theme.selected } else { theme.base };
            buf.set_stringn(list.x, list.y + 1 + (n - first) as u16, line, w, style);
        }
        if self.hits.len() > rows {
            let more = t.f(
                "search.count",
                &[
                    ("n", &(self.selected + 1).to_string()),
                    ("total", &self.hits.len().to_string()),
                ],
            );
            let mw = unicode_width::UnicodeWidthStr::width(more.as_str()) as u16;
            buf.set_string(area.right().saturating_sub(mw), area.y, more, theme.dim);
        }
    }
}
