//! ЕИК/БУЛСТАТ, the identifier of a legal entity: 9 digits, or 13 for a branch.

use super::{digits::*, Explain, Lang};
use serde::{Deserialize, Serialize};

/// Only `parse` makes one; deserialization goes through it too.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Eik(String);

checked_string_serde!(Eik, "EIK");

impl TryFrom<String> for Eik {
    type Error = EikError;

    fn try_from(s: String) -> Result<Eik, EikError> {
        Eik::parse(&s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EikError {
    Empty,
    NotDigits,
    Length {
        found: usize,
    },
    /// The 9th digit does not follow from the first eight.
    Checksum,
    /// A 13-digit ЕИК (a branch): the 13th digit does not follow from digits 9–12.
    BranchChecksum,
}

/// Check digit of a 9-digit ЕИК: weights 1..8 mod 11; if 10, weights 3..10; if 10 again, 0.
pub fn eik9_check(d: &[u8; 8]) -> u8 {
    let first = weighted(d, &[1, 2, 3, 4, 5, 6, 7, 8]) % 11;
    if first != 10 {
        return first as u8;
    }
    (weighted(d, &[3, 4, 5, 6, 7, 8, 9, 10]) % 11 % 10) as u8
}

/// Check digit of the 13-digit form over digits 9..12: weights 2,7,3,5; if 10, 4,9,5,7.
fn eik13_check(d: &[u8]) -> u8 {
    let first = weighted(&d[8..12], &[2, 7, 3, 5]) % 11;
    if first != 10 {
        return first as u8;
    }
    (weighted(&d[8..12], &[4, 9, 5, 7]) % 11 % 10) as u8
}

/// A valid 9-digit ЕИК from its first eight digits (demo data).
pub fn make_eik9(first8: u32) -> String {
    let s = format!("{:08}", first8 % 100_000_000);
    let d: [u8; 8] = s
        .bytes()
        .map(|b| b - b'0')
        .collect::<Vec<_>>()
        .try_into()
        .unwrap_or([0; 8]);
    format!("{s}{}", eik9_check(&d))
}

impl Eik {
    pub fn parse(input: &str) -> Result<Eik, EikError> {
        let d = digits(input, &[9, 13]).map_err(|s| match s {
            Shape::Empty => EikError::Empty,
            Shape::NotDigits => EikError::NotDigits,
            Shape::Length(found) => EikError::Length { found },
        })?;
        let first8: [u8; 8] = d[..8].try_into().map_err(|_| EikError::Checksum)?;
        if eik9_check(&first8) != d[8] {
            return Err(EikError::Checksum);
        }
        if d.len() == 13 && eik13_check(&d) != d[12] {
            return Err(EikError::BranchChecksum);
        }
        Ok(Eik(to_string(&d)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for EikError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.explain(Lang::En))
    }
}

impl std::error::Error for EikError {}

impl Explain for EikError {
    fn explain(&self, lang: Lang) -> String {
        match (self, lang) {
            (EikError::Empty, _) => lang.pick("ЕИК не е въведен", "no EIK entered").into(),
            (EikError::NotDigits, _) => lang
                .pick("ЕИК съдържа само цифри", "an EIK has digits only")
                .into(),
            (EikError::Length { found }, Lang::Bg) => {
                format!("ЕИК има 9 или 13 цифри, въведени са {found}")
            }
            (EikError::Length { found }, Lang::En) => {
                format!("an EIK has 9 or 13 digits; {found} were entered")
            }
            (EikError::Checksum, _) => lang
                .pick(
                    "грешен ЕИК: 9-ата (контролна) цифра не съответства на първите осем",
                    "wrong EIK: the 9th (check) digit does not follow from the first eight",
                )
                .into(),
            (EikError::BranchChecksum, _) => lang
                .pick(
                    "грешен ЕИК на клон: 13-ата (контролна) цифра не съответства на цифри 9–12",
                    "wrong branch EIK: the 13th (check) digit does not follow from digits 9–12",
                )
                .into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nine_digits() {
        // 12345678: 1·1+2·2+…+8·8 = 204 = 18·11 + 6, so the check digit is 6.
        assert_eq!(make_eik9(12345678), "123456786");
        assert!(Eik::parse("123456786").is_ok());
        assert_eq!(Eik::parse("123456787"), Err(EikError::Checksum));
        // 00000019: 1·7 + 9·8 = 79 = 7·11 + 2 → 2.
        assert_eq!(make_eik9(19), "000000192");
        // 00000004: 4·8 = 32 = 2·11 + 10, so weights 3..10: 4·10 = 40 = 3·11 + 7 → 7.
        assert_eq!(make_eik9(4), "000000047");
        assert_eq!(Eik::parse("12345678"), Err(EikError::Length { found: 8 }));
        assert_eq!(Eik::parse(""), Err(EikError::Empty));
    }

    #[test]
    fn second_fallback_gives_zero() {
        // Find a first8 whose both sums are 10 mod 11 and check the digit is 0.
        let n = (0..10_000_000u32)
            .find(|n| {
                let s = format!("{n:08}");
                let d: Vec<u8> = s.bytes().map(|b| b - b'0').collect();
                weighted(&d, &[1, 2, 3, 4, 5, 6, 7, 8]) % 11 == 10
                    && weighted(&d, &[3, 4, 5, 6, 7, 8, 9, 10]) % 11 == 10
            })
            .unwrap();
        assert!(make_eik9(n).ends_with('0'));
    }

    #[test]
    fn thirteen_digits() {
        // Digits 9–12 of 1234567860016 are 6,0,0,1: 6·2 + 1·5 = 17 = 11 + 6 → check 6.
        assert!(Eik::parse("1234567860016").is_ok());
        assert_eq!(Eik::parse("1234567860015"), Err(EikError::BranchChecksum));
        // The first nine must be valid too.
        assert_eq!(Eik::parse("1234567870016"), Err(EikError::Checksum));
    }

    #[test]
    fn decoding_goes_through_parse() {
        let config = bincode::config::standard();
        let decode = |s: &str| {
            let bytes = bincode::serde::encode_to_vec(s, config).unwrap();
            bincode::serde::decode_from_slice::<Eik, _>(&bytes, config).map(|(v, _)| v)
        };
        let good = decode("123456786").unwrap();
        let again = bincode::serde::encode_to_vec(&good, config).unwrap();
        assert_eq!(
            again,
            bincode::serde::encode_to_vec("123456786", config).unwrap()
        );
        for bad in ["123456787", "1", "x"] {
            assert!(decode(bad).is_err(), "{bad}");
        }
    }
}
