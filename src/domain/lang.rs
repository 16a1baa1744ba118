//! The two languages of the product. Bulgarian is the default.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Bg,
    En,
}

impl Lang {
    /// Parses `bg` or `en` (case-insensitive).
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "bg" => Some(Lang::Bg),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Picks the text of this language from a Bulgarian/English pair.
    pub fn pick<'a>(self, bg: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Bg => bg,
            Lang::En => en,
        }
    }
}

/// Something that can explain itself to a clerk in either language.
pub trait Explain {
    fn explain(&self, lang: Lang) -> String;
}
