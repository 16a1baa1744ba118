//! Phone numbers: any punctuation in, "+359…" out. Bulgarian mobiles are 08X/09X XXX XXXX.

use super::{digits::checked_string_serde, Explain, Lang};
use serde::{Deserialize, Serialize};

/// Only `parse` makes one; deserialization goes through it too.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone(String);

checked_string_serde!(Phone, "phone");

impl TryFrom<String> for Phone {
    type Error = PhoneError;

    fn try_from(s: String) -> Result<Phone, PhoneError> {
        Phone::parse(&s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PhoneError {
    Empty,
    BadCharacters,
    TooShort,
    TooLong,
    BadMobile,
    BadPrefix,
}

const MOBILE: [&str; 5] = ["87", "88", "89", "98", "99"];

/// The digits and whether the number was written in international form.
fn split(input: &str) -> Result<(bool, String), PhoneError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(PhoneError::Empty);
    }
    if trimmed
        .chars()
        .any(|c| !(c.is_ascii_digit() || " +-()./".contains(c)))
    {
        return Err(PhoneError::BadCharacters);
    }
    let plus = trimmed.starts_with('+');
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    if let Some(rest) = digits.strip_prefix("00") {
        return Ok((true, rest.to_string()));
    }
    Ok((plus, digits))
}

impl Phone {
    pub fn parse(input: &str) -> Result<Phone, PhoneError> {
        let (international, digits) = split(input)?;
        // The national significant number (without the leading 0), if Bulgarian.
        let national = if international {
            match digits.strip_prefix("359") {
                Some(n) => n.trim_start_matches('0').to_string(),
                // No country code starts with 0; refusing it keeps parse idempotent.
                None if digits.starts_with('0') => return Err(PhoneError::BadPrefix),
                None => {
                    return match digits.len() {
                        0..=7 => Err(PhoneError::TooShort),
                        8..=15 => Ok(Phone(format!("+{digits}"))),
                        _ => Err(PhoneError::TooLong),
                    };
                }
            }
        } else if digits.len() == 12 && digits.starts_with("359") {
            digits[3..].to_string()
        } else if let Some(n) = digits.strip_prefix('0') {
            n.to_string()
        } else {
            return Err(PhoneError::BadPrefix);
        };
        if national.starts_with('0') || national.is_empty() {
            return Err(PhoneError::BadPrefix);
        }
        if national.len() < 7 {
            return Err(PhoneError::TooShort);
        }
        if national.len() > 9 {
            return Err(PhoneError::TooLong);
        }
        if MOBILE.iter().any(|m| national.starts_with(m)) && national.len() != 9 {
            return Err(PhoneError::BadMobile);
        }
        Ok(Phone(format!("+359{national}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn bulgarian(&self) -> Option<&str> {
        self.0.strip_prefix("+359")
    }

    pub fn is_mobile(&self) -> bool {
        self.bulgarian()
            .is_some_and(|n| n.len() == 9 && MOBILE.iter().any(|m| n.starts_with(m)))
    }

    /// Readable national form: "0888 123 456"; Sofia "02 987 6543"; others "0XX XX XX XX".
    pub fn national(&self) -> String {
        let Some(n) = self.bulgarian() else {
            return self.0.clone();
        };
        let d = format!("0{n}");
        if self.is_mobile() {
            format!("{} {} {}", &d[..4], &d[4..7], &d[7..])
        } else if let Some(rest) = d.strip_prefix("02") {
            format!("02 {rest}")
        } else {
            let cut = d.len().min(3).max(d.len().saturating_sub(6));
            format!("{} {}", &d[..cut], &d[cut..])
        }
    }

    /// The national digits ("0888123456") for the phone index; foreign numbers without "+".
    pub fn search_digits(&self) -> String {
        match self.bulgarian() {
            Some(n) => format!("0{n}"),
            None => self.0.trim_start_matches('+').to_string(),
        }
    }
}

/// The digits of a (possibly partial) phone query in the index's national form.
pub fn phone_search_digits(input: &str) -> String {
    let international = input.trim_start().starts_with('+');
    let digits: String = input.chars().filter(char::is_ascii_digit).collect();
    let rest = if international {
        Some(digits.as_str())
    } else {
        digits.strip_prefix("00")
    };
    match rest {
        Some(r) if r.starts_with("359") => format!("0{}", r[3..].trim_start_matches('0')),
        Some(r) => r.to_string(),
        None => digits,
    }
}

impl std::fmt::Display for PhoneError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.explain(Lang::En))
    }
}

impl std::error::Error for PhoneError {}

impl Explain for PhoneError {
    fn explain(&self, lang: Lang) -> String {
        let (bg, en) = match self {
            PhoneError::Empty => ("телефонът не е въведен", "no phone number entered"),
            PhoneError::BadCharacters => (
                "телефонът съдържа само цифри, интервали, +, -, ( и )",
                "a phone number has digits, spaces, +, -, ( and ) only",
            ),
            PhoneError::TooShort => ("телефонът е твърде кратък", "the phone number is too short"),
            PhoneError::TooLong => ("телефонът е твърде дълъг", "the phone number is too long"),
            PhoneError::BadMobile => (
                "мобилният номер има 10 цифри: 08X XXX XXXX",
                "a mobile number has 10 digits: 08X XXX XXXX",
            ),
            PhoneError::BadPrefix => (
                "номерът започва с 0 (или +359) и код",
                "the number starts with 0 (or +359) and an area code",
            ),
        };
        lang.pick(bg, en).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_forms() {
        for input in [
            "0888 123 456",
            "+359 88 812 3456",
            "00359888123456",
            "359888123456",
            "0888-123-456",
            "(0888) 123456",
        ] {
            let p = Phone::parse(input).unwrap();
            assert_eq!(p.as_str(), "+359888123456", "{input}");
            assert!(p.is_mobile());
            assert_eq!(p.national(), "0888 123 456");
            assert_eq!(p.search_digits(), "0888123456");
        }
        let sofia = Phone::parse("(02) 987 65 43").unwrap();
        assert_eq!(sofia.as_str(), "+35929876543");
        assert_eq!(sofia.national(), "02 9876543");
        assert!(!sofia.is_mobile());
        assert_eq!(
            Phone::parse("+44 20 7946 0958").unwrap().as_str(),
            "+442079460958"
        );
    }

    #[test]
    fn refused_forms() {
        let cases = [
            ("", PhoneError::Empty),
            ("0888 12a 456", PhoneError::BadCharacters),
            ("0888 123 45", PhoneError::BadMobile),
            ("0888 123 4567", PhoneError::TooLong),
            ("02 12", PhoneError::TooShort),
            ("888 123 456", PhoneError::BadPrefix),
            ("00 888", PhoneError::TooShort),
            ("+0000123456789", PhoneError::BadPrefix),
        ];
        for (input, expected) in cases {
            assert_eq!(Phone::parse(input), Err(expected), "{input}");
        }
    }

    #[test]
    fn partial_queries() {
        assert_eq!(phone_search_digits("+359 88"), "088");
        assert_eq!(phone_search_digits("0888-12"), "088812");
        assert_eq!(phone_search_digits("00359 88"), "088");
        assert_eq!(phone_search_digits("88812"), "88812");
    }

    #[test]
    fn decoding_goes_through_parse() {
        let config = bincode::config::standard();
        let decode = |s: &str| {
            let bytes = bincode::serde::encode_to_vec(s, config).unwrap();
            bincode::serde::decode_from_slice::<Phone, _>(&bytes, config).map(|(v, _)| v)
        };
        let good = decode("+359888123456").unwrap();
        let again = bincode::serde::encode_to_vec(&good, config).unwrap();
        assert_eq!(
            again,
            bincode::serde::encode_to_vec("+359888123456", config).unwrap()
        );
        for bad in ["12", "+359 88", "abc"] {
            assert!(decode(bad).is_err(), "{bad}");
        }
    }
}
