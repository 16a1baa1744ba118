//! A step that the audit log keeps with its reason: sending a monthly report back for
//! correction, reopening a closed month. One line to type the reason, F2 or Enter does the
//! step (the service checks the role and the reason), Esc leaves without it. The screen below
//! reloads when this one closes.

use crate::domain::{date::Month, text::safe_for_terminal, Explain};
use crate::service::{ApiExt, ServiceError};
use crate::tui::{
    app::{Cx, Level, Outcome, Screen},
    i18n::I18n,
    keymap::{Action, Context, Meanings},
    widgets::{fit, input},
    Ev,
};
use ratatui::{
    buffer::Buffer,
    layout::Rect,
    widgets::{Paragraph, Widget, Wrap},
};
use ratatui_textarea::TextArea;

/// The step done once the reason is typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A received or accepted report, at the rev it was loaded at, with a line naming it.
    ReturnReport {
        id: u64,
        rev: u64,
        what: String,
    },
    ReopenMonth(Month),
}

pub struct ReasonPrompt {
    step: Step,
    input: TextArea<'static>,
}

impl ReasonPrompt {
    pub fn new(step: Step, cx: &Cx) -> ReasonPrompt {
        let mut input = input::new_input("");
        input.set_cursor_style(cx.theme.cursor);
        ReasonPrompt { step, input }
    }

    fn month_text(m: Month) -> String {
        format!("{:02}.{}", m.month, m.year)
    }

    fn run(&mut self, cx: &mut Cx) -> Outcome {
        let reason = input::value(&self.input);
        let done = match &self.step {
            Step::ReturnReport { id, rev, what } => cx
                .api
                .return_report(*id, *rev, reason.as_str())
                .map(|_| cx.t.f("reason.returned", &[("what", what)])),
            Step::ReopenMonth(m) => cx.api.reopen_month(*m, reason.as_str()).map(|_| {
                cx.t.f("reason.reopened", &[("month", &Self::month_text(*m))])
            }),
        };
        match done {
            Ok(msg) => {
                cx.say(Level::Info, msg);
                Outcome::Pop
            }
            // The one field here is the reason: its error alone, not a field's name.
            Err(ServiceError::Invalid(errors)) if !errors.is_empty() => {
                cx.say(Level::Error, errors[0].reason.explain(cx.t.lang()));
                Outcome::Consumed
            }
            Err(e) => {
                cx.fail(&e);
                Outcome::Consumed
            }
        }
    }
}

impl Screen for ReasonPrompt {
    fn title(&self, t: &I18n) -> String {
        match &self.step {
            Step::ReturnReport { .. } => t.t("reason.return_title").to_string(),
            Step::ReopenMonth(m) => t.f("reason.reopen_title", &[("month", &Self::month_text(*m))]),
        }
    }

    fn context(&self) -> Context {
        Context::SearchBox
    }

    fn hints(&self) -> Vec<Action> {
        vec![Action::Save, Action::Back]
    }

    fn meanings(&self) -> Meanings {
        vec![(Action::Save, "reason.confirm")]
    }

    fn unsaved(&self) -> bool {
        !input::value(&self.input).trim().is_empty()
    }

    fn handle(&mut self, ev: &Ev, cx: &mut Cx) -> Outcome {
        match ev {
            Ev::Action(Action::Save | Action::Open) => self.run(cx),
            Ev::Action(_) => Outcome::Ignored,
            Ev::Key(k) => {
                input::edit_line(&mut self.input, k);
                Outcome::Consumed
            }
            Ev::Paste(p) => {
                input::paste_line(&mut self.input, p);
                Outcome::Consumed
            }
        }
    }

    fn render(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        let (t, theme, sym) = (&cx.t, &cx.theme, &cx.sym);
        let w = area.width as usize;
        let about = match &self.step {
            Step::ReturnReport { what, .. } => t.f("reason.return_about", &[("what", what)]),
            Step::ReopenMonth(m) => t.f("reason.reopen_about", &[("month", &Self::month_text(*m))]),
        };
        // What the step does, on two lines at most.
        Paragraph::new(safe_for_terminal(&about).into_owned())
            .style(theme.base)
            .wrap(Wrap { trim: true })
            .render(
                Rect::new(area.x, area.y, area.width, area.height.min(2)),
                buf,
            );
        if area.height < 4 {
            return;
        }
        let line = Rect::new(area.x, area.y + 3, area.width, 1);
        input::render_prompt(line, buf, t.t("reason.prompt"), &self.input, theme);
        if area.height > 5 {
            buf.set_stringn(
                area.x,
                area.y + 5,
                fit(t.t("reason.audit"), w, sym.ellipsis),
                w,
                theme.dim,
            );
        }
    }
}
