//! Every string the console shows comes from `locales/*.toml`, looked up by key. Both files are
//! compiled in, so a build is never missing a language; a test fails when a key is in one
//! file and not the other, or when the code asks for a key neither has.

use crate::domain::Lang;
use std::collections::HashMap;

const BG: &str = include_str!("../../locales/bg.toml");
const EN: &str = include_str!("../../locales/en.toml");

pub struct I18n {
    lang: Lang,
    map: HashMap<String, String>,
}

/// Flattens nested tables into dotted keys ("search.title").
fn flatten(prefix: &str, value: &toml::Value, out: &mut HashMap<String, String>) {
    match value {
        toml::Value::Table(t) => {
            for (k, v) in t {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        toml::Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

/// The strings of one locale file.
pub fn load(source: &str) -> Result<HashMap<String, String>, toml::de::Error> {
    let value: toml::Value = toml::from_str(source)?;
    let mut map = HashMap::new();
    flatten("", &value, &mut map);
    Ok(map)
}

pub fn source(lang: Lang) -> &'static str {
    match lang {
        Lang::Bg => BG,
        Lang::En => EN,
    }
}

impl I18n {
    pub fn new(lang: Lang) -> I18n {
        // The files are part of the binary and tested; a parse failure is a build defect.
        let map = load(source(lang)).expect("locale file is valid TOML (tested)");
        I18n { lang, map }
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The string for `key`; the key itself if missing (a test keeps that from happening).
    pub fn t<'a>(&'a self, key: &'a str) -> &'a str {
        self.map.get(key).map(String::as_str).unwrap_or(key)
    }

    /// The string for `key` with `{name}` placeholders filled in.
    /// The text with its `{name}` placeholders filled, and `{name|one|many}` worded by the
    /// count (1 takes the first form: "1 споразумение", "21 споразумения" as Bulgarian has it).
    pub fn f(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut s = self.t(key).to_string();
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), value);
            let open = format!("{{{name}|");
            while let Some(at) = s.find(&open) {
                let Some(len) = s[at..].find('}') else { break };
                let forms: Vec<&str> = s[at + open.len()..at + len].split('|').collect();
                let word = match (*value == "1", forms.as_slice()) {
                    (true, [one, ..]) => one.to_string(),
                    (false, [_, many, ..]) => many.to_string(),
                    (_, [only]) => only.to_string(),
                    _ => String::new(),
                };
                s.replace_range(at..at + len + 1, &word);
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(lang: Lang) -> BTreeSet<String> {
        load(source(lang)).unwrap().into_keys().collect()
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        let bg = keys(Lang::Bg);
        let en = keys(Lang::En);
        let only_bg: Vec<_> = bg.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&bg).collect();
        assert!(only_bg.is_empty(), "missing in en.toml: {only_bg:?}");
        assert!(only_en.is_empty(), "missing in bg.toml: {only_en:?}");
    }

    /// Every literal key the console code asks for (`t("…")`, `f("…"`) exists.
    #[test]
    fn every_key_used_in_the_code_exists() {
        let bg = keys(Lang::Bg);
        let mut missing = Vec::new();
        let mut seen = 0;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tui");
        let mut dirs = vec![root];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for pat in ["t(\"", "f(\""] {
                    for (pos, _) in text.match_indices(pat) {
                        let rest = &text[pos + pat.len()..];
                        let Some(end) = rest.find('"') else { continue };
                        let key = &rest[..end];
                        // Only dotted lowercase keys are locale keys.
                        if key.contains('.')
                            && key
                                .chars()
                                .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_')
                        {
                            seen += 1;
                            if !bg.contains(key) {
                                missing.push(format!("{}: {key}", path.display()));
                            }
                        }
                    }
                }
            }
        }
        assert!(seen > 50, "the scan found only {seen} keys");
        assert!(
            missing.is_empty(),
            "keys missing from the locales: {missing:#?}"
        );
    }

    #[test]
    fn placeholders_are_filled() {
        let t = I18n::new(Lang::En);
        assert_eq!(t.f("status.saved", &[("what", "X")]), "Saved: X");
    }

    #[test]
    fn counts_take_their_form() {
        let t = I18n::new(Lang::Bg);
        let totals = |n: &str| {
            t.f(
                "month.totals",
                &[("reported", "1:00"), ("agreed", "2:00"), ("n", n)],
            )
        };
        assert!(totals("1").ends_with("· 1 споразумение"), "{}", totals("1"));
        assert!(
            totals("21").ends_with("· 21 споразумения"),
            "{}",
            totals("21")
        );
        assert!(!totals("0").contains('|') && !totals("0").contains('{'));
    }
}
