//! A document to sign was written (F12 on an agreement, contract or referral): the whole path,
//! wrapped at the screen's width and never cut (the clerk must find the file), and F5 to hand it
//! to `lp`; where CUPS is not installed it says so and where the file is. Esc or Enter goes back.

use crate::documents::{self, DocError, Printed};
use crate::domain::{text::safe_for_terminal, Explain};
use crate::tui::{
    app::{Cx, Level, Outcome, Screen},
    i18n::I18n,
    keymap::{Action, Context, Meanings},
    Ev,
};
use ratatui::{buffer::Buffer, layout::Rect};
use std::path::{Path, PathBuf};
use unicode_width::UnicodeWidthChar;

/// How the file goes to the printer: `documents::print` (a test stands in for `lp`).
pub type Printer = fn(&Path) -> Result<Printed, DocError>;

pub struct DocumentWritten {
    path: PathBuf,
    printer: Printer,
    /// What the last F5 did, shown under the path.
    printed: Option<(Level, String)>,
}

impl DocumentWritten {
    pub fn new(path: PathBuf) -> DocumentWritten {
        DocumentWritten::with_printer(path, documents::print)
    }

    pub fn with_printer(path: PathBuf, printer: Printer) -> DocumentWritten {
        DocumentWritten {
            path,
            printer,
            printed: None,
        }
    }

    fn print(&mut self, cx: &mut Cx) {
        let shown = self.path.display().to_string();
        let (level, msg) = match (self.printer)(&self.path) {
            Ok(Printed::Sent(job)) => (Level::Info, cx.t.f("document.sent", &[("job", &job)])),
            Ok(Printed::NoCups) => (Level::Error, cx.t.f("document.no_lp", &[("path", &shown)])),
            Err(e) => (Level::Error, e.explain(cx.t.lang())),
        };
        cx.say(level, msg.clone());
        self.printed = Some((level, msg));
    }
}

/// `text` in lines of at most `width` columns, broken anywhere (a path has no spaces to break
/// at), so nothing of it is lost.
pub fn wrap_all(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = vec![String::new()];
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width && used > 0 {
            lines.push(String::new());
            used = 0;
        }
        if let Some(last) = lines.last_mut() {
            last.push(c);
        }
        used += w;
    }
    lines
}

impl Screen for DocumentWritten {
    fn title(&self, t: &I18n) -> String {
        t.t("document.title").to_string()
    }

    fn context(&self) -> Context {
        Context::List
    }

    fn hints(&self) -> Vec<Action> {
        vec![Action::Reveal, Action::Back]
    }

    fn meanings(&self) -> Meanings {
        vec![(Action::Reveal, "document.print")]
    }

    fn handle(&mut self, ev: &Ev, cx: &mut Cx) -> Outcome {
        match ev {
            Ev::Action(Action::Reveal) => {
                self.print(cx);
                Outcome::Consumed
            }
            Ev::Action(Action::Open) => Outcome::Pop,
            Ev::Action(_) => Outcome::Ignored,
            _ => Outcome::Consumed,
        }
    }

    fn render(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        let (t, theme) = (&cx.t, &cx.theme);
        let w = area.width as usize;
        let mut y = area.y;
        let mut put = |y: &mut u16, text: &str, style| {
            for line in wrap_all(text, w) {
                if *y < area.bottom() {
                    buf.set_stringn(area.x, *y, &line, w, style);
                    *y += 1;
                }
            }
        };
        put(&mut y, t.t("document.written"), theme.base);
        let path = self.path.display().to_string();
        put(&mut y, &safe_for_terminal(&path), theme.heading);
        y += 1;
        put(&mut y, t.t("document.private"), theme.dim);
        y += 1;
        match &self.printed {
            Some((Level::Error, msg)) => put(&mut y, &safe_for_terminal(msg), theme.error),
            Some((_, msg)) => put(&mut y, &safe_for_terminal(msg), theme.base),
            None => put(&mut y, t.t("document.keys"), theme.dim),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_path_is_wrapped_whole() {
        let path = "/var/lib/frontoffice/documents/agreement-SP-2026-0001-a-very-long-name.pdf";
        let lines = wrap_all(path, 20);
        assert!(lines.iter().all(|l| l.chars().count() <= 20), "{lines:?}");
        assert_eq!(lines.concat(), path);
        assert_eq!(wrap_all("Документи", 4), ["Доку", "мент", "и"]);
    }
}
