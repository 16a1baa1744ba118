//! Widgets shared by every screen.

pub mod form;
pub mod input;

use crate::domain::text::safe_for_terminal;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Stored text made safe and cut to `width` display columns, with an ellipsis when cut.
pub fn fit(s: &str, width: usize, ellipsis: &str) -> String {
    let s = safe_for_terminal(s);
    if s.width() <= width {
        return s.into_owned();
    }
    let room = width.saturating_sub(ellipsis.width());
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > room {
            break;
        }
        out.push(c);
        used += w;
    }
    if width >= ellipsis.width() {
        out.push_str(ellipsis);
    }
    out
}

/// Stored text made safe and broken at spaces into lines of at most `width` columns (a word
/// longer than a line is broken inside); at most `most` lines, the last cut with an ellipsis.
pub fn wrap_words(s: &str, width: usize, most: usize, ellipsis: &str) -> Vec<String> {
    let s = safe_for_terminal(s);
    let width = width.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in s.split(' ') {
        let candidate = match line.is_empty() {
            true => word.to_string(),
            false => format!("{line} {word}"),
        };
        if candidate.width() <= width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        // A word wider than the line: as much of it as fits, the rest on the next.
        let mut rest = word.to_string();
        while rest.width() > width {
            let mut head = String::new();
            let mut used = 0;
            for c in rest.chars() {
                let w = c.width().unwrap_or(0);
                if used + w > width {
                    break;
                }
                head.push(c);
                used += w;
            }
            rest = rest[head.len()..].to_string();
            lines.push(head);
        }
        line = rest;
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    if lines.len() > most {
        let tail = lines[most - 1..].join(" ");
        lines.truncate(most - 1);
        lines.push(fit(&tail, width, ellipsis));
    }
    lines
}

/// `s` padded with spaces (or cut) to exactly `width` columns.
pub fn pad(s: &str, width: usize, ellipsis: &str) -> String {
    let mut s = fit(s, width, ellipsis);
    let w = s.width();
    if w < width {
        s.push_str(&" ".repeat(width - w));
    }
    s
}

/// A list's heading: each column's locale key padded to its width, after the pointer's room.
pub fn heading(
    t: &crate::tui::i18n::I18n,
    keys: &[&str],
    widths: &[usize],
    ellipsis: &str,
) -> String {
    let cells: Vec<String> = keys
        .iter()
        .zip(widths)
        .map(|(k, w)| pad(t.t(k), *w, ellipsis))
        .collect();
    format!("  {}", cells.join(" "))
}

/// Values as a one-line bar chart against `max`: eighth blocks, or in ASCII ` .:-=+*#` (a
/// missing value is a space, a value over `max` the top mark).
pub fn spark(values: &[Option<u32>], max: u32, ascii: bool) -> String {
    const BLOCKS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    const MARKS: [char; 9] = [' ', '_', '.', ':', '-', '=', '+', '*', '#'];
    let marks = if ascii { MARKS } else { BLOCKS };
    values
        .iter()
        .map(|v| match v {
            None => ' ',
            Some(0) => marks[1],
            Some(v) => {
                let level = (u64::from(*v) * 8)
                    .div_ceil(u64::from(max.max(1)))
                    .clamp(1, 8);
                marks[level as usize]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_counts_display_width_and_cleans() {
        assert_eq!(fit("Иванова", 10, "…"), "Иванова");
        assert_eq!(fit("Иванова Петрова", 8, "…"), "Иванова…");
        assert_eq!(fit("ab\u{1b}[2Jcd", 20, "…"), "ab\u{FFFD}[2Jcd");
        assert_eq!(fit("日本語", 5, "~"), "日本~");
        assert_eq!(pad("ab", 4, "…"), "ab  ");
        assert_eq!(fit("abc", 0, "…"), "");
    }

    #[test]
    fn a_spark_line_scales_to_its_maximum() {
        let v = [None, Some(0), Some(42), Some(84), Some(100)];
        assert_eq!(spark(&v, 84, false), " ▁▄██");
        assert_eq!(spark(&v, 84, true), " _-##");
    }

    #[test]
    fn messages_wrap_at_spaces_and_keep_every_word_up_to_the_last_line() {
        let text = "Часове в ден без часове по графика: 8-о число. F2 още веднъж записва.";
        let lines = wrap_words(text, 40, 2, "…");
        assert_eq!(lines.len(), 2);
        assert!(lines.iter().all(|l| l.width() <= 40), "{lines:?}");
        assert_eq!(lines.join(" "), text);
        // Over the lines allowed: the last one says it was cut.
        let cut = wrap_words(text, 20, 2, "…");
        assert_eq!(cut.len(), 2);
        assert!(cut[1].ends_with('…'), "{cut:?}");
        // A word wider than a line is broken, not lost.
        assert_eq!(wrap_words("abcdefgh", 3, 5, "…"), ["abc", "def", "gh"]);
        assert_eq!(wrap_words("", 10, 2, "…"), [""]);
    }
}
