//! One-line text input on top of ratatui-textarea: navigation keys are taken before the text
//! widget sees them, and nothing can put a newline or a control character in the value.

use crate::tui::theme::Theme;
use ratatui::{
    buffer::Buffer,
    crossterm::event::{KeyCode, KeyEvent, KeyModifiers},
    layout::Rect,
    style::Style,
    widgets::Widget,
};
use ratatui_textarea::TextArea;

pub fn new_input(value: &str) -> TextArea<'static> {
    let mut ta = TextArea::new(vec![one_line(value)]);
    ta.set_cursor_line_style(Style::default());
    ta.move_cursor(ratatui_textarea::CursorMove::End);
    ta
}

fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The value of a one-line input.
pub fn value(ta: &TextArea<'_>) -> String {
    ta.lines().join(" ")
}

pub fn set_value(ta: &mut TextArea<'static>, value: &str) {
    let style = ta.cursor_line_style();
    let cursor = ta.cursor_style();
    let mut fresh = new_input(value);
    fresh.set_cursor_line_style(style);
    fresh.set_cursor_style(cursor);
    *ta = fresh;
}

/// Feeds an editing key to a one-line input; returns whether the value changed. Keys that would
/// add a line (Enter, Ctrl-J, Ctrl-M) or scroll are refused here.
pub fn edit_line(ta: &mut TextArea<'static>, key: &KeyEvent) -> bool {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Enter | KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down => {
            return false
        }
        KeyCode::PageUp | KeyCode::PageDown | KeyCode::Esc | KeyCode::F(_) => return false,
        KeyCode::Char('j' | 'm' | 'v' | 'y') if ctrl => return false,
        KeyCode::Char(c) if c.is_control() => return false,
        _ => {}
    }
    let before = value(ta);
    if ctrl && key.code == KeyCode::Char('u') {
        // Ctrl-U clears the field, wherever the cursor stands (the text widget would undo).
        ta.move_cursor(ratatui_textarea::CursorMove::End);
        ta.delete_line_by_head();
        return value(ta) != before;
    }
    ta.input(*key);
    if ta.lines().len() > 1 {
        let v = value(ta);
        set_value(ta, &v);
    }
    value(ta) != before
}

/// Pastes text into a one-line input (newlines become spaces, control characters dropped).
pub fn paste_line(ta: &mut TextArea<'static>, text: &str) -> bool {
    let clean: String = text
        .chars()
        .map(|c| if c == '\n' || c == '\t' { ' ' } else { c })
        .filter(|c| !c.is_control())
        .collect();
    !clean.is_empty() && ta.insert_str(clean)
}

/// A prompt and its one-line input across the first row of `area`.
pub fn render_prompt(area: Rect, buf: &mut Buffer, prompt: &str, ta: &TextArea<'_>, theme: &Theme) {
    let prompt = format!("{prompt} ");
    buf.set_string(area.x, area.y, &prompt, theme.label);
    let x = area.x + unicode_width::UnicodeWidthStr::width(prompt.as_str()) as u16;
    let field = Rect::new(x, area.y, area.right().saturating_sub(x), 1);
    buf.set_style(field, theme.input);
    ta.render(field, buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn typing_editing_and_refused_keys() {
        let mut ta = new_input("");
        for c in "Ивн".chars() {
            assert!(edit_line(&mut ta, &key(KeyCode::Char(c))));
        }
        assert!(!edit_line(&mut ta, &key(KeyCode::Left)));
        assert!(edit_line(&mut ta, &key(KeyCode::Char('а'))));
        assert_eq!(value(&ta), "Иван");
        assert!(!edit_line(&mut ta, &key(KeyCode::Enter)));
        assert!(!edit_line(
            &mut ta,
            &KeyEvent::new(KeyCode::Char('m'), KeyModifiers::CONTROL)
        ));
        assert!(!edit_line(&mut ta, &key(KeyCode::End)));
        assert!(edit_line(&mut ta, &key(KeyCode::Backspace)));
        assert_eq!(value(&ta), "Ива");
        assert!(paste_line(&mut ta, "н\nПетров\u{7}"));
        assert_eq!(value(&ta), "Иван Петров");
        assert_eq!(ta.lines().len(), 1);
    }
}
