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
}
