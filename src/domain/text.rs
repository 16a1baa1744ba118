//! Names and free text as typed by clerks, and the one function that makes stored text safe to
//! draw: nothing stored ever reaches a terminal with a control character in it.

use super::{Explain, Lang};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

pub const MAX_NAME: usize = 60;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TextError {
    Empty,
    TooLong { max: usize, found: usize },
    ControlChar { code: u32 },
    BadChar { ch: char },
    MustStartWithLetter,
}

/// Bidi overrides and isolates can make text read differently from what is stored.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// A person's name or a part of it: letters of any script, spaces, hyphens and apostrophes.
pub fn clean_name(input: &str) -> Result<String, TextError> {
    let nfc: String = input.nfc().collect();
    let collapsed = nfc.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.is_empty() {
        return Err(TextError::Empty);
    }
    if let Some(c) = collapsed.chars().find(|c| is_unsafe(*c)) {
        return Err(TextError::ControlChar { code: c as u32 });
    }
    let found = collapsed.chars().count();
    if found > MAX_NAME {
        return Err(TextError::TooLong {
            max: MAX_NAME,
            found,
        });
    }
    if !collapsed.chars().next().is_some_and(char::is_alphabetic) {
        return Err(TextError::MustStartWithLetter);
    }
    let mut prev_letter = false;
    for c in collapsed.chars() {
        let ok = c.is_alphabetic()
            || matches!(c, ' ' | '-' | '\'' | '’')
            || (prev_letter && is_combining_mark(c));
        if !ok {
            return Err(TextError::BadChar { ch: c });
        }
        prev_letter = c.is_alphabetic() || (prev_letter && is_combining_mark(c));
    }
    Ok(collapsed)
}

/// Free text (notes, addresses): NFC, tabs become spaces, no control characters (a newline
/// only where `multiline`), at most `max_chars`; empty is fine. One line is trimmed with its
/// inner runs of spaces collapsed, like a name; several lines keep their inner spacing, lose
/// trailing spaces per line and blank lines at both ends. The result is what gets stored.
pub fn clean_text(input: &str, max_chars: usize, multiline: bool) -> Result<String, TextError> {
    let nfc: String = input
        .nfc()
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    let normalised = nfc.replace("\r\n", "\n");
    if let Some(c) = normalised
        .chars()
        .find(|c| is_unsafe(*c) && !(multiline && *c == '\n'))
    {
        return Err(TextError::ControlChar { code: c as u32 });
    }
    let text = if multiline {
        let text = normalised
            .lines()
            .map(str::trim_end)
            .collect::<Vec<_>>()
            .join("\n");
        text.trim_start_matches('\n').trim_end().to_string()
    } else {
        normalised.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let found = text.chars().count();
    if found > max_chars {
        return Err(TextError::TooLong {
            max: max_chars,
            found,
        });
    }
    Ok(text)
}

/// Stored text made safe to draw: every control or bidi character becomes U+FFFD.
pub fn safe_for_terminal(s: &str) -> Cow<'_, str> {
    if s.chars().any(is_unsafe) {
        Cow::Owned(
            s.chars()
                .map(|c| if is_unsafe(c) { '\u{FFFD}' } else { c })
                .collect(),
        )
    } else {
        Cow::Borrowed(s)
    }
}

impl std::fmt::Display for TextError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.explain(Lang::En))
    }
}

impl std::error::Error for TextError {}

impl Explain for TextError {
    fn explain(&self, lang: Lang) -> String {
        match (self, lang) {
            (TextError::Empty, _) => lang.pick("полето е празно", "the field is empty").into(),
            (TextError::TooLong { max, found }, Lang::Bg) => {
                format!("твърде дълго: {found} знака при най-много {max}")
            }
            (TextError::TooLong { max, found }, Lang::En) => {
                format!("too long: {found} characters, at most {max}")
            }
            (TextError::ControlChar { code }, Lang::Bg) => {
                format!("съдържа управляващ знак (U+{code:04X}), който не може да се запише")
            }
            (TextError::ControlChar { code }, Lang::En) => {
                format!("contains a control character (U+{code:04X}) that cannot be stored")
            }
            (TextError::BadChar { ch }, Lang::Bg) => {
                format!("знакът „{ch}“ не е допустим в име (букви, интервал, тире и апостроф)")
            }
            (TextError::BadChar { ch }, Lang::En) => {
                format!("'{ch}' is not allowed in a name (letters, space, hyphen and apostrophe)")
            }
            (TextError::MustStartWithLetter, _) => lang
                .pick("името започва с буква", "a name starts with a letter")
                .into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(clean_name("  Мария-Елена  ").unwrap(), "Мария-Елена");
        assert_eq!(clean_name("Д'Артанян").unwrap(), "Д'Артанян");
        assert_eq!(clean_name("O’Neil").unwrap(), "O’Neil");
        assert_eq!(clean_name("Иван   Петров").unwrap(), "Иван Петров");
        // NFD "й" (и + combining breve) is stored as the single NFC letter.
        assert_eq!(
            clean_name("Йордан".nfd().collect::<String>().as_str()).unwrap(),
            "Йордан"
        );
        assert_eq!(
            clean_name("\x1b[31mИван"),
            Err(TextError::ControlChar { code: 0x1b })
        );
        assert_eq!(clean_name("Иван3"), Err(TextError::BadChar { ch: '3' }));
        assert_eq!(clean_name("-Иван"), Err(TextError::MustStartWithLetter));
        assert_eq!(clean_name("   "), Err(TextError::Empty));
        assert!(matches!(
            clean_name(&"а".repeat(61)),
            Err(TextError::TooLong { max: 60, found: 61 })
        ));
        assert_eq!(
            clean_name("Ива\u{202E}н"),
            Err(TextError::ControlChar { code: 0x202E })
        );
    }

    #[test]
    fn free_text() {
        assert_eq!(
            clean_text("ред 1  \r\nред 2\t!", 100, true).unwrap(),
            "ред 1\nред 2 !"
        );
        assert_eq!(
            clean_text("a\nb", 100, false),
            Err(TextError::ControlChar { code: 10 })
        );
        assert_eq!(
            clean_text("a\x07", 100, true),
            Err(TextError::ControlChar { code: 7 })
        );
        assert_eq!(clean_text("", 10, false).unwrap(), "");
        // One line: trimmed, inner runs collapsed (a no-break space is a space).
        assert_eq!(
            clean_text("  ул.\u{a0} Първа   1 ", 100, false).unwrap(),
            "ул. Първа 1"
        );
        // Several: inner spacing kept, blank lines at the ends dropped, NFC.
        let nfd: String = "\n\n  й  1\n\nред  \n\n".nfd().collect();
        assert_eq!(clean_text(&nfd, 100, true).unwrap(), "  й  1\n\nред");
        assert!(matches!(
            clean_text("abcdef", 5, false),
            Err(TextError::TooLong { .. })
        ));
    }

    #[test]
    fn terminal_safety() {
        assert_eq!(safe_for_terminal("a\x1b[2Jb"), "a\u{FFFD}[2Jb");
        assert_eq!(safe_for_terminal("x\u{9b}y\nz"), "x\u{FFFD}y\u{FFFD}z");
        assert!(matches!(safe_for_terminal("Иван"), Cow::Borrowed(_)));
    }
}
