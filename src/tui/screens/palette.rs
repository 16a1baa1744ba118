//! F9: every command by name with its keys; typing filters (Latin finds Cyrillic names too),
//! Enter runs the command on the screen below.

use crate::domain::search_key::search_tokens;
use crate::tui::{
    app::{Cx, Outcome, Screen},
    i18n::I18n,
    keymap::{self, Action, Context},
    widgets::{input, pad},
    Ev,
};
use ratatui::{buffer::Buffer, layout::Rect};
use ratatui_textarea::TextArea;

pub struct Palette {
    input: TextArea<'static>,
    /// The screen below's own actions come first.
    here: Vec<Action>,
    meanings: keymap::Meanings,
    selected: usize,
}

impl Palette {
    pub fn new(mut here: Vec<Action>, meanings: keymap::Meanings) -> Palette {
        // What the shell does on any screen.
        for a in [
            Action::NewPerson,
            Action::Search,
            Action::Help,
            Action::Redraw,
            Action::Back,
            Action::Quit,
        ] {
            if !here.contains(&a) {
                here.push(a);
            }
        }
        Palette {
            input: input::new_input(""),
            here,
            meanings,
            selected: 0,
        }
    }

    fn items(&self, t: &I18n) -> Vec<Action> {
        let mut all: Vec<Action> = self
            .here
            .iter()
            .copied()
            .filter(|a| Action::COMMANDS.contains(a))
            .collect();
        for a in Action::COMMANDS {
            // A key the screen gave its own meaning runs that meaning only.
            // F12 means something only where a screen names it.
            if a != Action::More && !all.contains(&a) && !self.meanings.iter().any(|(x, _)| *x == a)
            {
                all.push(a);
            }
        }
        all.retain(|a| *a != Action::Palette);
        let words = search_tokens(&input::value(&self.input));
        all.into_iter()
            .filter(|a| {
                let name = search_tokens(t.t(keymap::name_key(&self.meanings, *a)));
                let keys = keymap::keys_for(Context::Global, *a)
                    .join(" ")
                    .to_lowercase();
                words.iter().all(|w| {
                    name.iter().any(|n| n.starts_with(w.as_str())) || keys.contains(w.as_str())
                })
            })
            .collect()
    }
}

impl Screen for Palette {
    fn overlay(&self) -> Option<Action> {
        Some(Action::Palette)
    }

    fn title(&self, t: &I18n) -> String {
        t.t("palette.title").to_string()
    }

    fn context(&self) -> Context {
        Context::SearchBox
    }

    fn hints(&self) -> Vec<Action> {
        vec![Action::Open, Action::Back]
    }

    fn handle(&mut self, ev: &Ev, cx: &mut Cx) -> Outcome {
        let n = self.items(&cx.t).len();
        match ev {
            Ev::Action(Action::Back | Action::Palette) => return Outcome::Pop,
            Ev::Action(Action::Open) => {
                return match self.items(&cx.t).get(self.selected) {
                    Some(a) => Outcome::PopAndRun(*a),
                    None => Outcome::Consumed,
                }
            }
            Ev::Action(Action::Down) => {
                self.selected = (self.selected + 1).min(n.saturating_sub(1))
            }
            Ev::Action(Action::Up) => self.selected = self.selected.saturating_sub(1),
            Ev::Action(_) => return Outcome::Ignored,
            Ev::Key(k) => {
                if input::edit_line(&mut self.input, k) {
                    self.selected = 0;
                }
            }
            Ev::Paste(p) => {
                if input::paste_line(&mut self.input, p) {
                    self.selected = 0;
                }
            }
        }
        Outcome::Consumed
    }

    fn render(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        let (t, theme, sym) = (&cx.t, &cx.theme, &cx.sym);
        let w = area.width as usize;
        input::render_prompt(area, buf, t.t("palette.prompt"), &self.input, theme);
        for (n, a) in self
            .items(t)
            .iter()
            .take(area.height.saturating_sub(2) as usize)
            .enumerate()
        {
            let y = area.y + 2 + n as u16;
            let here = self.here.contains(a);
            let chosen = n == self.selected;
            let style = if chosen { theme.selected } else { theme.base };
            let pointer = if chosen { sym.pointer } else { "  " };
            let mut name = format!("{pointer}{}", t.t(keymap::name_key(&self.meanings, *a)));
            if !here {
                name.push_str(&format!(" ({})", t.t("palette.elsewhere")));
            }
            buf.set_stringn(area.x, y, pad(&name, 50.min(w), sym.ellipsis), w, style);
            let keys = keymap::keys_for(Context::Global, *a).join(", ");
            buf.set_stringn(area.x + 52, y, keys, w.saturating_sub(52), theme.key);
        }
    }
}
