//! ЛНЧ, the personal number of a foreigner: 10 digits with a check digit.

use super::{digits::*, Explain, Lang};
use serde::{Deserialize, Serialize};

/// Only `parse` makes one; deserialization goes through it too.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Lnch(String);

checked_string_serde!(Lnch, "LNCh");

impl TryFrom<String> for Lnch {
    type Error = LnchError;

    fn try_from(s: String) -> Result<Lnch, LnchError> {
        Lnch::parse(&s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LnchError {
    Empty,
    NotDigits,
    Length { found: usize },
    Checksum,
}

impl Lnch {
    pub fn parse(input: &str) -> Result<Lnch, LnchError> {
        let d = digits(input, &[10]).map_err(|s| match s {
            Shape::Empty => LnchError::Empty,
            Shape::NotDigits => LnchError::NotDigits,
            Shape::Length(found) => LnchError::Length { found },
        })?;
        let check = weighted(&d[..9], &[21, 19, 17, 13, 11, 9, 7, 3, 1]) % 10;
        if check != u32::from(d[9]) {
            return Err(LnchError::Checksum);
        }
        Ok(Lnch(to_string(&d)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for LnchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.explain(Lang::En))
    }
}

impl std::error::Error for LnchError {}

impl Explain for LnchError {
    fn explain(&self, lang: Lang) -> String {
        match (self, lang) {
            (LnchError::Empty, _) => lang.pick("ЛНЧ не е въведен", "no LNCh entered").into(),
            (LnchError::NotDigits, _) => lang
                .pick("ЛНЧ съдържа само цифри", "an LNCh has digits only")
                .into(),
            (LnchError::Length { found }, Lang::Bg) => {
                format!("ЛНЧ трябва да има точно 10 цифри, въведени са {found}")
            }
            (LnchError::Length { found }, Lang::En) => {
                format!("an LNCh has exactly 10 digits; {found} were entered")
            }
            (LnchError::Checksum, _) => lang
                .pick(
                    "контролната цифра на ЛНЧ не съвпада",
                    "the LNCh check digit does not match",
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
        assert_eq!(Lnch::parse("7111042925").unwrap().as_str(), "7111042925");
        assert_eq!(Lnch::parse("7111042922"), Err(LnchError::Checksum));
        assert_eq!(Lnch::parse(""), Err(LnchError::Empty));
        assert_eq!(Lnch::parse("71110429"), Err(LnchError::Length { found: 8 }));
        assert_eq!(Lnch::parse("711104292x"), Err(LnchError::NotDigits));
    }

    #[test]
    fn decoding_goes_through_parse() {
        let config = bincode::config::standard();
        let decode = |s: &str| {
            let bytes = bincode::serde::encode_to_vec(s, config).unwrap();
            bincode::serde::decode_from_slice::<Lnch, _>(&bytes, config).map(|(v, _)| v)
        };
        let good = decode("7111042925").unwrap();
        let again = bincode::serde::encode_to_vec(&good, config).unwrap();
        assert_eq!(
            again,
            bincode::serde::encode_to_vec("7111042925", config).unwrap()
        );
        for bad in ["7111042922", "12", ""] {
            assert!(decode(bad).is_err(), "{bad}");
        }
    }
}
