//! F1: the keys of the screen below and of everywhere, generated from the keymap table.

use crate::tui::{
    app::{Cx, Outcome, Screen},
    i18n::I18n,
    keymap::{self, Action, Context},
    widgets::pad,
    Ev,
};
use ratatui::{buffer::Buffer, layout::Rect};

pub struct Help {
    context: Context,
    hints: Vec<Action>,
    meanings: keymap::Meanings,
    of: String,
    scroll: usize,
}

enum Row {
    Heading(&'static str),
    Key(String, Action),
    Note(&'static str),
}

impl Help {
    pub fn new(
        context: Context,
        hints: Vec<Action>,
        meanings: keymap::Meanings,
        of: String,
    ) -> Help {
        Help {
            context,
            hints,
            meanings,
            of,
            scroll: 0,
        }
    }

    fn rows(&self) -> Vec<Row> {
        let keys = |ctx: Context, a: Action| keymap::keys_for(ctx, a).join(", ");
        let mut rows = vec![Row::Heading("help.this_screen")];
        for a in &self.hints {
            rows.push(Row::Key(keys(self.context, *a), *a));
        }
        rows.push(Row::Heading("help.everywhere"));
        for a in Action::COMMANDS {
            // A key the screen gave its own meaning is listed under the screen only.
            // F12 means something only where a screen names it.
            if a != Action::More
                && !self.hints.contains(&a)
                && !self.meanings.iter().any(|(x, _)| *x == a)
            {
                rows.push(Row::Key(keys(Context::Global, a), a));
            }
        }
        rows.push(Row::Heading("help.forms"));
        for a in [Action::NextField, Action::PrevField] {
            rows.push(Row::Key(keys(Context::Form, a), a));
        }
        rows.push(Row::Note("help.note_keys"));
        rows.push(Row::Heading("help.lists"));
        for a in [
            Action::Up,
            Action::Down,
            Action::PageUp,
            Action::PageDown,
            Action::Home,
            Action::End,
            Action::Open,
        ] {
            rows.push(Row::Key(keys(Context::List, a), a));
        }
        rows.push(Row::Heading("help.layout"));
        rows.push(Row::Note("help.note_layout"));
        rows.push(Row::Note("help.note_fkeys"));
        rows
    }
}

impl Screen for Help {
    fn overlay(&self) -> Option<Action> {
        Some(Action::Help)
    }

    fn title(&self, t: &I18n) -> String {
        format!("{}: {}", t.t("help.title"), self.of)
    }

    fn context(&self) -> Context {
        Context::List
    }

    fn hints(&self) -> Vec<Action> {
        vec![Action::Back, Action::Down, Action::Up]
    }

    fn handle(&mut self, ev: &Ev, _cx: &mut Cx) -> Outcome {
        let last = self.rows().len().saturating_sub(1);
        match ev {
            Ev::Action(Action::Back | Action::Help) => return Outcome::Pop,
            Ev::Action(Action::Down) => self.scroll = (self.scroll + 1).min(last),
            Ev::Action(Action::Up) => self.scroll = self.scroll.saturating_sub(1),
            Ev::Action(Action::PageDown) => self.scroll = (self.scroll + 10).min(last),
            Ev::Action(Action::PageUp) => self.scroll = self.scroll.saturating_sub(10),
            Ev::Action(Action::Home) => self.scroll = 0,
            Ev::Action(Action::End) => self.scroll = last,
            Ev::Action(_) => return Outcome::Ignored,
            _ => {}
        }
        Outcome::Consumed
    }

    fn render(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        let (t, theme, sym) = (&cx.t, &cx.theme, &cx.sym);
        let w = area.width as usize;
        for (n, row) in self
            .rows()
            .iter()
            .skip(self.scroll)
            .take(area.height as usize)
            .enumerate()
        {
            let y = area.y + n as u16;
            match row {
                Row::Heading(k) => {
                    buf.set_stringn(area.x, y, pad(t.t(k), w, sym.ellipsis), w, theme.heading);
                }
                Row::Key(keys, a) => {
                    buf.set_stringn(area.x + 2, y, pad(keys, 22, sym.ellipsis), 22, theme.key);
                    buf.set_stringn(
                        area.x + 25,
                        y,
                        t.t(keymap::name_key(&self.meanings, *a)),
                        w.saturating_sub(25),
                        theme.base,
                    );
                }
                Row::Note(k) => {
                    buf.set_stringn(area.x + 2, y, t.t(k), w.saturating_sub(2), theme.dim);
                }
            }
        }
    }
}
