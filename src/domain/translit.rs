//! Official Bulgarian transliteration (Закон за транслитерацията).

/// The Latin letters for a lower-case Cyrillic letter, if it is one.
pub(crate) fn latin(c: char) -> Option<&'static str> {
    Some(match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'д' => "d",
        'е' => "e",
        'ж' => "zh",
        'з' => "z",
        'и' => "i",
        'й' => "y",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ф' => "f",
        'х' => "h",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "sht",
        'ъ' => "a",
        'ь' => "y",
        'ю' => "yu",
        'я' => "ya",
        _ => return None,
    })
}

fn word(w: &str) -> String {
    if w == "България" {
        return "Bulgaria".into();
    }
    if w == "БЪЛГАРИЯ" {
        return "BULGARIA".into();
    }
    let chars: Vec<char> = w.chars().collect();
    let letters = chars.iter().filter(|c| c.is_alphabetic()).count();
    let all_upper = letters > 1
        && chars
            .iter()
            .filter(|c| c.is_alphabetic())
            .all(|c| c.is_uppercase());
    let mut out = String::with_capacity(w.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        let lower = c.to_lowercase().next().unwrap_or(c);
        // "ия" at the end of a word is "ia".
        let at_end = i + 1 == chars.len();
        let after_i = i > 0 && chars[i - 1].to_lowercase().next() == Some('и');
        let mapped = if lower == 'я' && at_end && after_i {
            Some("a")
        } else {
            latin(lower)
        };
        match mapped {
            Some(l) if c.is_uppercase() => {
                if all_upper {
                    out.push_str(&l.to_uppercase());
                } else {
                    let mut it = l.chars();
                    if let Some(first) = it.next() {
                        out.extend(first.to_uppercase());
                        out.extend(it);
                    }
                }
            }
            Some(l) => out.push_str(l),
            None => out.push(c),
        }
    }
    out
}

/// Transliterates Cyrillic words; everything else passes through unchanged.
pub fn transliterate(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut current = String::new();
    for c in s.chars() {
        if c.is_alphabetic() {
            current.push(c);
        } else {
            out.push_str(&word(&current));
            current.clear();
            out.push(c);
        }
    }
    out.push_str(&word(&current));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let cases = [
            ("Иван Иванов", "Ivan Ivanov"),
            ("Мария", "Maria"),
            ("Щерев", "Shterev"),
            ("Цветелина Жекова", "Tsvetelina Zhekova"),
            ("Юлия", "Yulia"),
            ("ЙОРДАНОВ", "YORDANOV"),
            ("Жечо", "Zhecho"),
            ("ЖЕЧО", "ZHECHO"),
            ("София", "Sofia"),
            ("България", "Bulgaria"),
            ("Ъглен", "Aglen"),
            ("Пл. „Съединение“ 1, ет. 2", "Pl. „Saedinenie“ 1, et. 2"),
            ("Ж", "Zh"),
        ];
        for (cyr, lat) in cases {
            assert_eq!(transliterate(cyr), lat, "{cyr}");
        }
    }
}
