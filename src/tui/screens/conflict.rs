//! A save met a newer version of its record: both versions side by side, field by field. The
//! clerk keeps theirs (F2 saves it over the other) or takes the saved one (Del); Esc goes back
//! to the form with nothing decided. Nothing is overwritten without this choice.

use crate::tui::{
    app::{Cx, Outcome, Screen},
    i18n::I18n,
    keymap::{Action, Context},
    widgets::{fit, pad},
    Ev,
};
use ratatui::{buffer::Buffer, layout::Rect};

pub struct Conflict {
    by: String,
    when: String,
    /// Field label, saved value, the clerk's value.
    rows: Vec<(String, String, String)>,
    scroll: usize,
}

impl Conflict {
    pub fn new(by: String, when: String, rows: Vec<(String, String, String)>) -> Conflict {
        Conflict {
            by,
            when,
            rows,
            scroll: 0,
        }
    }
}

impl Screen for Conflict {
    fn title(&self, t: &I18n) -> String {
        t.t("conflict.title").to_string()
    }

    fn context(&self) -> Context {
        Context::List
    }

    fn hints(&self) -> Vec<Action> {
        vec![Action::Save, Action::Discard, Action::Back]
    }

    fn handle(&mut self, ev: &Ev, _cx: &mut Cx) -> Outcome {
        match ev {
            // The form below does the work: it knows its record and its fields.
            Ev::Action(Action::Save) => Outcome::PopAndRun(Action::Save),
            Ev::Action(Action::Discard) => Outcome::PopAndRun(Action::Discard),
            Ev::Action(Action::Down | Action::PageDown) => {
                self.scroll = (self.scroll + 1).min(self.rows.len().saturating_sub(1));
                Outcome::Consumed
            }
            Ev::Action(Action::Up | Action::PageUp) => {
                self.scroll = self.scroll.saturating_sub(1);
                Outcome::Consumed
            }
            Ev::Action(_) => Outcome::Ignored,
            _ => Outcome::Consumed,
        }
    }

    fn render(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        let (t, theme, sym) = (&cx.t, &cx.theme, &cx.sym);
        let w = area.width as usize;
        let mut y = area.y;
        let mut line = |y: &mut u16, text: &str, style| {
            if *y < area.bottom() {
                buf.set_stringn(area.x, *y, fit(text, w, sym.ellipsis), w, style);
                *y += 1;
            }
        };
        let intro = t.f("conflict.intro", &[("by", &self.by), ("when", &self.when)]);
        line(&mut y, &intro, theme.warn);
        line(&mut y, t.t("conflict.keys"), theme.dim);
        y += 1;
        if self.rows.is_empty() {
            line(&mut y, t.t("conflict.same"), theme.base);
            return;
        }
        // Label | saved | yours: the two versions get equal room.
        let label_w = 20.min(w / 4);
        let col = (w.saturating_sub(label_w + 2)) / 2;
        let row = |a: &str, b: &str, c: &str| {
            format!(
                "{} {} {}",
                pad(a, label_w, sym.ellipsis),
                pad(b, col, sym.ellipsis),
                fit(c, col, sym.ellipsis)
            )
        };
        let theirs = t.f("conflict.theirs", &[("by", &self.by)]);
        line(
            &mut y,
            &row(t.t("conflict.field"), &theirs, t.t("conflict.mine")),
            theme.heading,
        );
        for (label, theirs, mine) in self.rows.iter().skip(self.scroll) {
            // A note's lines are joined: the comparison is of the text, not its layout.
            let flat = |s: &str| s.replace('\n', " ");
            line(&mut y, &row(label, &flat(theirs), &flat(mine)), theme.base);
        }
    }
}
