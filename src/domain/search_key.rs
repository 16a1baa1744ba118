//! The search normaliser: Cyrillic and Latin spellings of a name meet under one ASCII key.
//!
//! Cyrillic letters map one by one through the official table (with "ия" → "ia"), so a key of a
//! Cyrillic prefix is always a prefix of the key of the whole word. Latin input is folded to the
//! same spellings: kh→h, ph→f, w→v, q→k, x→ks, j→y, c→ts (but ch stays), word-initial io→yo,
//! iya/iia→ia, diacritics dropped. Prefix stability can break for Latin only, while a fold's
//! first letter has been typed but not its second: "K" before "Kh…", "C" before "Ch…", "I"
//! before "Io…"; one more letter and the match is back.

use super::translit::latin;
use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

/// One word to its key.
pub fn search_key(word: &str) -> String {
    // Composed first: a query typed or pasted in NFD must keep its й like the stored NFC name.
    let word: String = word.nfc().collect();
    let word = word.as_str();
    let src: Vec<char> = word
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect();
    // NFD splits й into и + breve; put it back for Cyrillic before dropping marks.
    let src: Vec<char> = fix_short_i(word, src);
    let mut out = String::with_capacity(src.len() + 4);
    let mut i = 0;
    while i < src.len() {
        let c = src[i];
        let next = src.get(i + 1).copied();
        let prev_out_i = out.ends_with('i');
        if let Some(l) = latin(c) {
            // "ия" → "ia" (Мария, Юлиян meet Maria, Yulian).
            if c == 'я' && prev_out_i {
                out.push('a');
            } else {
                out.push_str(l);
            }
        } else if c.is_ascii_alphabetic() {
            match (c, next) {
                ('k', Some('h')) => {
                    out.push('h');
                    i += 1;
                }
                ('p', Some('h')) => {
                    out.push('f');
                    i += 1;
                }
                ('c', Some('h')) => {
                    out.push_str("ch");
                    i += 1;
                }
                ('c', _) => out.push_str("ts"),
                ('w', _) => out.push('v'),
                ('q', _) => out.push('k'),
                ('x', _) => out.push_str("ks"),
                ('j', _) => out.push('y'),
                ('i', Some('o')) if out.is_empty() => out.push('y'),
                // "iya" and "iia" → "ia".
                ('y' | 'i', Some('a')) if prev_out_i => {}
                _ => out.push(c),
            }
        } else if c.is_ascii_digit() {
            out.push(c);
        }
        i += 1;
    }
    out
}

/// Restores й/Й that NFD decomposition and mark removal would turn into и.
fn fix_short_i(word: &str, folded: Vec<char>) -> Vec<char> {
    if !word.contains(['й', 'Й']) {
        return folded;
    }
    word.chars()
        .flat_map(|c| {
            if matches!(c, 'й' | 'Й') {
                vec!['й']
            } else {
                c.to_string()
                    .nfd()
                    .filter(|c| !is_combining_mark(*c))
                    .flat_map(char::to_lowercase)
                    .collect()
            }
        })
        .collect()
}

/// Whether every typed word (`search_tokens`) starts one of `words` (a row's tokens, made
/// once): how the lists narrow as the clerk types.
pub fn prefixes_all(typed: &[String], words: &[String]) -> bool {
    typed
        .iter()
        .all(|t| words.iter().any(|w| w.starts_with(t.as_str())))
}

/// The keys of every word in a text, in order, without repeats. Hyphens and apostrophes split.
pub fn search_tokens(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in text.split(|c: char| !(c.is_alphanumeric() || is_combining_mark(c))) {
        let k = search_key(w);
        if !k.is_empty() && !out.contains(&k) {
            out.push(k);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn same(words: &[&str]) {
        let k = search_key(words[0]);
        for w in words {
            assert_eq!(search_key(w), k, "{w} vs {}", words[0]);
        }
    }

    #[test]
    fn spellings_meet() {
        same(&["ivanov", "Иванов", "IVANOV", "иванов"]);
        same(&["Цветков", "Tsvetkov", "Cvetkov"]);
        same(&["Йорданов", "Yordanov", "Jordanov", "Iordanov"]);
        let nfd: String = "Йорданов".nfd().collect();
        same(&["Йорданов", &nfd]);
        same(&["Христо", "Hristo", "Khristo"]);
        same(&["Мария", "Maria", "Mariya"]);
        same(&["Георгиева", "Georgieva"]);
        same(&["Щерев", "Shterev"]);
        same(&["Жечев", "Zhechev"]);
        same(&["Юлиян", "Yuliyan", "Yulian"]);
        same(&["Стефан", "Stephan"]);
        same(&["Zoë", "zoe"]);
    }

    #[test]
    fn tokens() {
        assert_eq!(
            search_tokens("Мария-Елена  Иванова"),
            ["maria", "elena", "ivanova"]
        );
        assert_eq!(search_tokens("Иван Иван"), ["ivan"]);
        assert_eq!(search_tokens("ЗД-2026-0007"), ["zd", "2026", "0007"]);
        assert!(search_tokens(" - ").is_empty());
    }

    const WORDS: &[&str] = &[
        "Иван",
        "Мария",
        "Георги",
        "Йордан",
        "Цветан",
        "Христо",
        "Щерева",
        "Жечев",
        "Юлиян",
        "Петрова",
        "Йорданка",
        "Цветелина",
        "Димитър",
        "Стоянов",
        "Ангелова",
        "Любомир",
        "Юлия",
        "Николай",
        "Щерев",
        "Чолаков",
        "Шопова",
        "Ъглена",
        "Вълчев",
        "Гърков",
        "Калоян",
        "Ния",
        "Ивайло",
        "Ясен",
        "Явор",
        "Ирина",
        "Златка",
        "Зоя",
        "Теодора",
        "Емилия",
        "Благой",
        "Виктория",
        "Силвия",
        "Радослав",
        "Дойчинов",
        "Пенчева",
    ];

    proptest! {
        #[test]
        fn cyrillic_prefixes_are_prefixes_of_the_key(i in 0..WORDS.len(), upper in any::<bool>()) {
            let word = if upper { WORDS[i].to_uppercase() } else { WORDS[i].to_string() };
            let full = search_key(&word);
            let chars: Vec<char> = word.chars().collect();
            for n in 1..=chars.len() {
                let prefix: String = chars[..n].iter().collect();
                let k = search_key(&prefix);
                prop_assert!(full.starts_with(&k), "{} → {} is not a prefix of {}", prefix, k, full);
            }
        }
    }
}
