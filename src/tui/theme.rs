//! Themes are TOML files in `themes/` (compiled in; `--theme PATH` loads another file). Colours
//! are the 16 named ANSI colours only, so they look the same over any SSH client, and a mono
//! theme shows state by reverse, bold, underline and symbols.

use ratatui::{
    style::{Color, Modifier, Style},
    symbols::border,
};
use serde::Deserialize;
use std::collections::HashMap;

pub const BUILT_IN: [(&str, &str); 3] = [
    ("default", include_str!("../../themes/default.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("mono", include_str!("../../themes/mono.toml")),
];

/// The named styles every screen draws with.
#[derive(Debug, Clone)]
pub struct Theme {
    pub name: String,
    pub mono: bool,
    pub base: Style,
    pub title: Style,
    pub footer: Style,
    pub key: Style,
    pub border: Style,
    pub heading: Style,
    pub label: Style,
    pub input: Style,
    pub focus: Style,
    pub cursor: Style,
    pub selected: Style,
    pub error: Style,
    pub warn: Style,
    pub ok: Style,
    pub dim: Style,
}

#[derive(Deserialize)]
struct File {
    name: String,
    #[serde(default)]
    mono: bool,
    styles: HashMap<String, StyleDef>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct StyleDef {
    fg: Option<String>,
    bg: Option<String>,
    #[serde(default)]
    modifiers: Vec<String>,
}

/// The 16 ANSI colours and `reset`: nothing a 16-colour terminal cannot show.
pub fn parse_color(name: &str) -> Option<Color> {
    Some(match name {
        "reset" => Color::Reset,
        "black" => Color::Black,
        "red" => Color::Red,
        "green" => Color::Green,
        "yellow" => Color::Yellow,
        "blue" => Color::Blue,
        "magenta" => Color::Magenta,
        "cyan" => Color::Cyan,
        "gray" => Color::Gray,
        "darkgray" => Color::DarkGray,
        "lightred" => Color::LightRed,
        "lightgreen" => Color::LightGreen,
        "lightyellow" => Color::LightYellow,
        "lightblue" => Color::LightBlue,
        "lightmagenta" => Color::LightMagenta,
        "lightcyan" => Color::LightCyan,
        "white" => Color::White,
        _ => return None,
    })
}

fn parse_modifier(name: &str) -> Option<Modifier> {
    Some(match name {
        "bold" => Modifier::BOLD,
        "dim" => Modifier::DIM,
        "italic" => Modifier::ITALIC,
        "underlined" => Modifier::UNDERLINED,
        "reversed" => Modifier::REVERSED,
        _ => return None,
    })
}

const STYLE_NAMES: [&str; 15] = [
    "base", "title", "footer", "key", "border", "heading", "label", "input", "focus", "cursor",
    "selected", "error", "warn", "ok", "dim",
];

impl Theme {
    /// Parses a theme file; the error names the bad entry.
    pub fn parse(source: &str) -> Result<Theme, String> {
        let file: File = toml::from_str(source).map_err(|e| e.to_string())?;
        let mut styles = HashMap::new();
        for (name, def) in &file.styles {
            if !STYLE_NAMES.contains(&name.as_str()) {
                return Err(format!("unknown style '{name}'"));
            }
            let mut style = Style::default();
            if let Some(fg) = &def.fg {
                style = style.fg(parse_color(fg).ok_or(format!("{name}: unknown colour '{fg}'"))?);
            }
            if let Some(bg) = &def.bg {
                style = style.bg(parse_color(bg).ok_or(format!("{name}: unknown colour '{bg}'"))?);
            }
            for m in &def.modifiers {
                style = style.add_modifier(
                    parse_modifier(m).ok_or(format!("{name}: unknown modifier '{m}'"))?,
                );
            }
            styles.insert(name.as_str(), style);
        }
        let get = |n: &str| styles.get(n).copied().unwrap_or_default();
        Ok(Theme {
            name: file.name.clone(),
            mono: file.mono,
            base: get("base"),
            title: get("title"),
            footer: get("footer"),
            key: get("key"),
            border: get("border"),
            heading: get("heading"),
            label: get("label"),
            input: get("input"),
            focus: get("focus"),
            cursor: get("cursor"),
            selected: get("selected"),
            error: get("error"),
            warn: get("warn"),
            ok: get("ok"),
            dim: get("dim"),
        })
    }

    /// A built-in theme by name, or a theme file by path.
    pub fn load(name_or_path: &str) -> Result<Theme, String> {
        if let Some((_, src)) = BUILT_IN.iter().find(|(n, _)| *n == name_or_path) {
            return Theme::parse(src);
        }
        let path = std::path::Path::new(name_or_path);
        if path.extension().is_some_and(|e| e == "toml") {
            let src = std::fs::read_to_string(path).map_err(|e| format!("{name_or_path}: {e}"))?;
            return Theme::parse(&src);
        }
        Err(format!(
            "unknown theme '{name_or_path}' ({})",
            BUILT_IN.map(|(n, _)| n).join(", ")
        ))
    }

    pub fn builtin(name: &str) -> Theme {
        Theme::load(name).expect("built-in themes parse (tested)")
    }
}

/// Borders and marks: Unicode, or ASCII for terminals and locales without UTF-8.
#[derive(Debug, Clone, Copy)]
pub struct Symbols {
    pub ascii: bool,
    pub border: border::Set<'static>,
    pub pointer: &'static str,
    pub ellipsis: &'static str,
    pub error: &'static str,
    pub warn: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub dash: &'static str,
    pub arrow: &'static str,
    pub more: &'static str,
}

pub const ASCII_BORDER: border::Set<'static> = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

impl Symbols {
    pub fn new(ascii: bool) -> Symbols {
        if ascii {
            Symbols {
                ascii,
                border: ASCII_BORDER,
                pointer: "> ",
                ellipsis: "~",
                error: "!",
                warn: "*",
                yes: "[x]",
                no: "[ ]",
                dash: "-",
                arrow: "->",
                more: "v",
            }
        } else {
            Symbols {
                ascii,
                border: border::PLAIN,
                pointer: "▶ ",
                ellipsis: "…",
                error: "!",
                warn: "⚠",
                yes: "[✓]",
                no: "[ ]",
                dash: "–",
                arrow: "→",
                more: "▼",
            }
        }
    }
}

/// What an ASCII terminal shows for a symbol it may lack; Cyrillic stays (the text is always
/// UTF-8, whatever the locale says), everything else outside ASCII becomes its nearest sign.
fn ascii_of(c: char) -> Option<&'static str> {
    Some(match c {
        '·' | '•' | '–' | '—' | '−' => "-",
        '←' | '‹' | '«' => "<",
        '→' | '›' | '»' => ">",
        '↑' | '▲' => "^",
        '↓' | '▼' => "v",
        '…' => "~",
        '„' | '“' | '”' | '″' => "\"",
        '‘' | '’' | '′' => "'",
        '▶' | '►' => ">",
        '✓' | '✔' | '×' | '☑' => "x",
        '☐' => " ",
        '⚠' => "!",
        '№' => "N",
        '¼' | '½' | '¾' => "+",
        '░' | '▒' => ":",
        '▓' | '█' => "#",
        '\u{00A0}' | '\u{202F}' => " ",
        '\u{2500}'..='\u{257F}' => match c {
            '─' | '━' | '═' | '╌' | '┄' => "-",
            '│' | '┃' | '║' | '╎' | '┆' => "|",
            _ => "+",
        },
        '\u{2580}'..='\u{259F}' => "#",
        _ => return None,
    })
}

/// Folds every cell of a drawn frame to what an ASCII terminal has (see `ascii_of`).
pub fn fold_to_ascii(buf: &mut ratatui::buffer::Buffer) {
    for cell in buf.content.iter_mut() {
        let sym = cell.symbol();
        if sym.is_ascii() {
            continue;
        }
        let mut chars = sym.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            if let Some(a) = ascii_of(c) {
                cell.set_symbol(a);
            }
        }
    }
}

/// Whether the locale says UTF-8 (LC_ALL, then LC_CTYPE, then LANG, as the C library reads them).
pub fn locale_is_utf8(get: impl Fn(&str) -> Option<String>) -> bool {
    for var in ["LC_ALL", "LC_CTYPE", "LANG"] {
        if let Some(v) = get(var).filter(|v| !v.is_empty()) {
            let v = v.to_ascii_lowercase();
            return v.contains("utf-8") || v.contains("utf8");
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_themes_parse() {
        for (name, src) in BUILT_IN {
            let t = Theme::parse(src).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(t.name, name);
        }
    }

    #[test]
    fn mono_has_no_colours_and_marks_state_without_them() {
        let t = Theme::builtin("mono");
        assert!(t.mono);
        for s in [
            t.base, t.title, t.focus, t.selected, t.error, t.cursor, t.key,
        ] {
            assert!(s.fg.is_none_or(|c| c == Color::Reset), "{s:?}");
            assert!(s.bg.is_none_or(|c| c == Color::Reset), "{s:?}");
        }
        assert!(t.selected.add_modifier.contains(Modifier::REVERSED));
        assert!(t.cursor.add_modifier.contains(Modifier::REVERSED));
        assert!(t.focus.add_modifier.contains(Modifier::UNDERLINED));
        assert!(t.error.add_modifier.contains(Modifier::BOLD));
    }

    #[test]
    fn bad_theme_files_are_explained() {
        assert!(Theme::parse("name='x'\n[styles]\nbase={fg='#ff0000'}")
            .unwrap_err()
            .contains("unknown colour"));
        assert!(Theme::parse("name='x'\n[styles]\nnope={}")
            .unwrap_err()
            .contains("unknown style"));
        assert!(Theme::load("sunset").unwrap_err().contains("mono"));
    }

    #[test]
    fn utf8_locale_detection() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert!(locale_is_utf8(env(&[("LANG", "bg_BG.UTF-8")])));
        assert!(locale_is_utf8(env(&[("LC_ALL", "C.utf8"), ("LANG", "C")])));
        assert!(!locale_is_utf8(env(&[
            ("LC_ALL", "C"),
            ("LANG", "bg_BG.UTF-8")
        ])));
        assert!(!locale_is_utf8(env(&[])));
    }
}
