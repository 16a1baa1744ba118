//! IBAN (ISO 13616) for the assistant's pay; Bulgarian ones have a fixed 22-character shape.

use super::{digits::checked_string_serde, Explain, Lang};
use serde::{Deserialize, Serialize};

/// Only `parse` makes one; deserialization goes through it too.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Iban(String);

checked_string_serde!(Iban, "IBAN");

impl TryFrom<String> for Iban {
    type Error = IbanError;

    fn try_from(s: String) -> Result<Iban, IbanError> {
        Iban::parse(&s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum IbanError {
    Empty,
    BadCharacters,
    Length { found: usize, expected: usize },
    Shape,
    Checksum,
}

/// ISO 7064 mod 97 over the rearranged IBAN (letters as 10..35).
fn mod97(s: &str) -> u32 {
    let rearranged = s[4..].chars().chain(s[..4].chars());
    let mut r: u32 = 0;
    for c in rearranged {
        let v = c.to_digit(36).unwrap_or(0);
        r = if v >= 10 {
            (r * 100 + v) % 97
        } else {
            (r * 10 + v) % 97
        };
    }
    r
}

/// A valid Bulgarian IBAN for a bank code and an account number (demo data).
pub fn make_bg_iban(bank: &str, account: u64) -> String {
    let body = format!(
        "{}{:014}",
        bank.to_ascii_uppercase(),
        account % 100_000_000_000_000
    );
    let check = 98 - mod97(&format!("BG00{body}"));
    format!("BG{check:02}{body}")
}

impl Iban {
    pub fn parse(input: &str) -> Result<Iban, IbanError> {
        let s: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if s.is_empty() {
            return Err(IbanError::Empty);
        }
        if !s.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(IbanError::BadCharacters);
        }
        let bytes = s.as_bytes();
        if s.len() < 15 || s.len() > 34 {
            return Err(IbanError::Length {
                found: s.len(),
                expected: 22,
            });
        }
        let country = bytes[0].is_ascii_uppercase() && bytes[1].is_ascii_uppercase();
        let check = bytes[2].is_ascii_digit() && bytes[3].is_ascii_digit();
        if !(country && check) {
            return Err(IbanError::Shape);
        }
        if s.starts_with("BG") {
            if s.len() != 22 {
                return Err(IbanError::Length {
                    found: s.len(),
                    expected: 22,
                });
            }
            let shape = bytes[4..8].iter().all(u8::is_ascii_uppercase)
                && bytes[8..14].iter().all(u8::is_ascii_digit);
            if !shape {
                return Err(IbanError::Shape);
            }
        }
        if mod97(&s) != 1 {
            return Err(IbanError::Checksum);
        }
        Ok(Iban(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// In groups of four, as printed on documents.
    pub fn grouped(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl std::fmt::Display for IbanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.explain(Lang::En))
    }
}

impl std::error::Error for IbanError {}

impl Explain for IbanError {
    fn explain(&self, lang: Lang) -> String {
        match (self, lang) {
            (IbanError::Empty, _) => lang.pick("IBAN не е въведен", "no IBAN entered").into(),
            (IbanError::BadCharacters, _) => lang
                .pick(
                    "IBAN съдържа само латински букви и цифри",
                    "an IBAN has Latin letters and digits only",
                )
                .into(),
            (IbanError::Length { found, expected }, Lang::Bg) => {
                format!("български IBAN има {expected} знака, въведени са {found}")
            }
            (IbanError::Length { found, expected }, Lang::En) => {
                format!("a Bulgarian IBAN has {expected} characters; {found} were entered")
            }
            (IbanError::Shape, _) => lang
                .pick(
                    "IBAN е във вид BGкк ББББ ЦЦЦЦ ЦЦ и 8 знака (код на банката от 4 букви)",
                    "an IBAN looks like BGkk BBBB DDDD DD and 8 characters (4-letter bank code)",
                )
                .into(),
            (IbanError::Checksum, _) => lang
                .pick(
                    "контролните цифри на IBAN не съвпадат: проверете за грешно въведен знак",
                    "the IBAN check digits do not match: look for a mistyped character",
                )
                .into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let i = Iban::parse("BG80BNBG96611020345678").unwrap();
        assert_eq!(i.grouped(), "BG80 BNBG 9661 1020 3456 78");
        assert_eq!(Iban::parse("bg80 bnbg 9661 1020 3456 78").unwrap(), i);
        assert!(Iban::parse("GB82WEST12345698765432").is_ok());
        assert_eq!(
            Iban::parse("BG80BNBG96611020345679"),
            Err(IbanError::Checksum)
        );
        assert_eq!(
            Iban::parse("BG80BNBG9661102034567"),
            Err(IbanError::Length {
                found: 21,
                expected: 22
            })
        );
        assert_eq!(Iban::parse("BG80BN1G96611020345678"), Err(IbanError::Shape));
        assert_eq!(Iban::parse("BG80-BNBG"), Err(IbanError::BadCharacters));
        assert_eq!(Iban::parse(""), Err(IbanError::Empty));
    }

    #[test]
    fn made_ibans_are_valid() {
        for n in [0u64, 1, 7000_1500_0000, 99_999_999_999_999] {
            let s = make_bg_iban("UNCR", n);
            assert!(Iban::parse(&s).is_ok(), "{s}");
        }
    }

    #[test]
    fn decoding_goes_through_parse() {
        let config = bincode::config::standard();
        let decode = |s: &str| {
            let bytes = bincode::serde::encode_to_vec(s, config).unwrap();
            bincode::serde::decode_from_slice::<Iban, _>(&bytes, config).map(|(v, _)| v)
        };
        let good = decode("BG80BNBG96611020345678").unwrap();
        let again = bincode::serde::encode_to_vec(&good, config).unwrap();
        assert_eq!(
            again,
            bincode::serde::encode_to_vec("BG80BNBG96611020345678", config).unwrap()
        );
        for bad in ["BG80BNBG96611020345679", "BG", ""] {
            assert!(decode(bad).is_err(), "{bad}");
        }
    }
}
