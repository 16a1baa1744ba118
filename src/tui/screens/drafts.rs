//! On start: the forms this clerk left unsaved (dropped SSH link, crash, kill), offered back.

use crate::domain::{date::format_date, draft::Draft};
use crate::service::ApiExt;
use crate::tui::{
    app::{Cx, Level, Outcome, Screen},
    i18n::I18n,
    keymap::{Action, Context},
    widgets::fit,
    Ev,
};
use ratatui::{buffer::Buffer, layout::Rect};

pub struct Drafts {
    drafts: Vec<Draft>,
    selected: usize,
}

impl Drafts {
    pub fn new(drafts: Vec<Draft>) -> Drafts {
        Drafts {
            drafts,
            selected: 0,
        }
    }

    fn resume(&mut self, cx: &mut Cx) -> Outcome {
        let Some(draft) = self.drafts.get(self.selected) else {
            return Outcome::Consumed;
        };
        match crate::tui::forms::from_draft(cx, draft) {
            Ok(form) => {
                let msg = cx.t.t("drafts.resumed").to_string();
                cx.say(Level::Info, msg);
                Outcome::Replace(form)
            }
            Err(msg) => {
                cx.say(Level::Error, msg);
                Outcome::Consumed
            }
        }
    }

    fn discard(&mut self, cx: &mut Cx) -> Outcome {
        let Some(draft) = self.drafts.get(self.selected) else {
            return Outcome::Consumed;
        };
        match cx.api.drop_draft(&draft.key) {
            Ok(()) => {
                self.drafts.remove(self.selected);
                self.selected = self.selected.min(self.drafts.len().saturating_sub(1));
                let msg = cx.t.t("drafts.dropped").to_string();
                cx.say(Level::Info, msg);
                if self.drafts.is_empty() {
                    return Outcome::Pop;
                }
            }
            Err(e) => cx.fail(&e),
        }
        Outcome::Consumed
    }
}

impl Screen for Drafts {
    fn title(&self, t: &I18n) -> String {
        t.t("drafts.title").to_string()
    }

    fn context(&self) -> Context {
        Context::List
    }

    fn hints(&self) -> Vec<Action> {
        vec![Action::Open, Action::Discard, Action::Back]
    }

    fn handle(&mut self, ev: &Ev, cx: &mut Cx) -> Outcome {
        let n = self.drafts.len();
        match ev {
            Ev::Action(Action::Open) => return self.resume(cx),
            Ev::Action(Action::Discard) => return self.discard(cx),
            Ev::Action(Action::Down) => {
                self.selected = (self.selected + 1).min(n.saturating_sub(1))
            }
            Ev::Action(Action::Up) => self.selected = self.selected.saturating_sub(1),
            Ev::Action(_) => return Outcome::Ignored,
            _ => {}
        }
        Outcome::Consumed
    }

    fn render(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        let (t, theme, sym) = (&cx.t, &cx.theme, &cx.sym);
        let w = area.width as usize;
        buf.set_stringn(
            area.x,
            area.y,
            fit(t.t("drafts.intro"), w, sym.ellipsis),
            w,
            theme.dim,
        );
        for (n, d) in self.drafts.iter().enumerate() {
            let y = area.y + 2 + n as u16;
            if y >= area.bottom() {
                break;
            }
            let what = t.t(if d.target.is_some() {
                "drafts.edit"
            } else {
                "drafts.new"
            });
            let when = format!(
                "{} {}",
                format_date(d.saved.date()),
                d.saved.format("%H:%M")
            );
            let pointer = if n == self.selected {
                sym.pointer
            } else {
                "  "
            };
            let text = format!(
                "{pointer}{} ({what}) {} {}",
                d.title,
                sym.dash,
                t.f("drafts.saved", &[("when", &when)])
            );
            let style = if n == self.selected {
                theme.selected
            } else {
                theme.base
            };
            buf.set_stringn(area.x, y, fit(&text, w, sym.ellipsis), w, style);
        }
    }
}
