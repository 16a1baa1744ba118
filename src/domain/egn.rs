//! ЕГН, the Bulgarian personal number: YYMMDD (month +20 for the 1800s, +40 for the 2000s),
//! three serial digits (the third even for men, odd for women) and a check digit.

use super::{date::format_date, digits::checked_string_serde, Explain, Lang};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Sex {
    Male,
    Female,
}

/// Always 10 digits with a date that exists and a check digit that matches: the constructor
/// and deserialization both check (see `TryFrom<String>`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Egn(String);

checked_string_serde!(Egn, "EGN");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EgnError {
    Empty,
    NotDigits,
    Length { found: usize },
    BadDate,
    InFuture { date: NaiveDate },
    Checksum,
}

const WEIGHTS: [u32; 9] = [2, 4, 8, 5, 10, 9, 7, 3, 6];

pub fn egn_check_digit(first9: &[u8; 9]) -> u8 {
    let sum: u32 = first9
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(*d) * w)
        .sum();
    (sum % 11 % 10) as u8
}

fn birth_date_of(d: &[u8]) -> Option<NaiveDate> {
    if d.len() < 6 {
        return None;
    }
    let yy = i32::from(d[0]) * 10 + i32::from(d[1]);
    let mm = u32::from(d[2]) * 10 + u32::from(d[3]);
    let dd = u32::from(d[4]) * 10 + u32::from(d[5]);
    let (year, month) = match mm {
        1..=12 => (1900 + yy, mm),
        21..=32 => (1800 + yy, mm - 20),
        41..=52 => (2000 + yy, mm - 40),
        _ => return None,
    };
    NaiveDate::from_ymd_opt(year, month, dd)
}

impl Egn {
    /// What a clerk typed, checked in full: a birth date after `today` is refused too.
    pub fn parse(input: &str, today: NaiveDate) -> Result<Egn, EgnError> {
        Egn::check(input, Some(today))
    }

    /// Shape, date and check digit: what a value needs to be an ЕГН at all, without a clock.
    fn check(input: &str, today: Option<NaiveDate>) -> Result<Egn, EgnError> {
        let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.is_empty() {
            return Err(EgnError::Empty);
        }
        if !compact.chars().all(|c| c.is_ascii_digit()) {
            return Err(EgnError::NotDigits);
        }
        if compact.len() != 10 {
            return Err(EgnError::Length {
                found: compact.len(),
            });
        }
        let d: Vec<u8> = compact.bytes().map(|b| b - b'0').collect();
        let date = birth_date_of(&d).ok_or(EgnError::BadDate)?;
        if today.is_some_and(|t| date > t) {
            return Err(EgnError::InFuture { date });
        }
        let first9: [u8; 9] = d[..9].try_into().map_err(|_| EgnError::Checksum)?;
        if egn_check_digit(&first9) != d[9] {
            return Err(EgnError::Checksum);
        }
        Ok(Egn(compact))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> NaiveDate {
        let d: Vec<u8> = self.0.bytes().map(|b| b.wrapping_sub(b'0')).collect();
        birth_date_of(&d).unwrap_or_default()
    }

    pub fn sex(&self) -> Sex {
        match self.0.as_bytes().get(8).map(|b| b.wrapping_sub(b'0') % 2) {
            Some(0) => Sex::Male,
            _ => Sex::Female,
        }
    }
}

/// The wire's and the store's way in: everything but the "not born yet" rule, which needs a
/// clock and stays in `Person::validate`.
impl TryFrom<String> for Egn {
    type Error = EgnError;

    fn try_from(s: String) -> Result<Egn, EgnError> {
        Egn::check(&s, None)
    }
}

/// A valid ЕГН for a birth date and serial (0..=999); the serial's last digit gives the sex
/// (even: male, odd: female). For demo data and property tests.
pub fn make_egn(birth: NaiveDate, serial: u16) -> Option<String> {
    if serial > 999 {
        return None;
    }
    let year = birth.year();
    let month = match year {
        1800..=1899 => birth.month() + 20,
        1900..=1999 => birth.month(),
        2000..=2099 => birth.month() + 40,
        _ => return None,
    };
    let s = format!(
        "{:02}{:02}{:02}{:03}",
        year % 100,
        month,
        birth.day(),
        serial
    );
    let d: [u8; 9] = s
        .bytes()
        .map(|b| b - b'0')
        .collect::<Vec<_>>()
        .try_into()
        .ok()?;
    Some(format!("{s}{}", egn_check_digit(&d)))
}

impl std::fmt::Display for EgnError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.explain(Lang::En))
    }
}

impl std::error::Error for EgnError {}

impl Explain for EgnError {
    fn explain(&self, lang: Lang) -> String {
        match (self, lang) {
            (EgnError::Empty, _) => lang.pick("ЕГН не е въведен", "no EGN entered").into(),
            (EgnError::NotDigits, _) => lang
                .pick("ЕГН съдържа само цифри", "an EGN has digits only")
                .into(),
            (EgnError::Length { found }, Lang::Bg) => {
                format!("ЕГН трябва да има точно 10 цифри, въведени са {found}")
            }
            (EgnError::Length { found }, Lang::En) => {
                format!("an EGN has exactly 10 digits; {found} were entered")
            }
            (EgnError::BadDate, _) => lang
                .pick(
                    "първите 6 цифри на ЕГН не са съществуваща дата",
                    "the first 6 digits of the EGN are not a date that exists",
                )
                .into(),
            (EgnError::InFuture { date }, Lang::Bg) => {
                format!("ЕГН сочи рождена дата в бъдещето ({})", format_date(*date))
            }
            (EgnError::InFuture { date }, Lang::En) => {
                format!(
                    "the EGN gives a birth date in the future ({})",
                    format_date(*date)
                )
            }
            (EgnError::Checksum, _) => lang
                .pick(
                    "контролната цифра на ЕГН не съвпада: проверете за грешно въведена цифра",
                    "the EGN check digit does not match: look for a mistyped digit",
                )
                .into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
    }

    #[test]
    fn valid_examples() {
        // Month 32 is December of the 1800s; the ninth digit 3 is odd.
        let e = Egn::parse("8032056031", today()).unwrap();
        assert_eq!(
            e.birth_date(),
            NaiveDate::from_ymd_opt(1880, 12, 5).unwrap()
        );
        assert_eq!(e.sex(), Sex::Female);
        let e = Egn::parse("7523169263", today()).unwrap();
        assert_eq!(
            e.birth_date(),
            NaiveDate::from_ymd_opt(1875, 3, 16).unwrap()
        );
        assert_eq!(e.sex(), Sex::Male);
        let e = Egn::parse("0141010006", today()).unwrap();
        assert_eq!(e.birth_date(), NaiveDate::from_ymd_opt(2001, 1, 1).unwrap());
        assert!(Egn::parse(" 803205 6031 ", today()).is_ok());
    }

    #[test]
    fn invalid_examples() {
        let cases = [
            ("", EgnError::Empty),
            ("80320560a1", EgnError::NotDigits),
            ("803205603", EgnError::Length { found: 9 }),
            ("80320560311", EgnError::Length { found: 11 }),
            ("8032056032", EgnError::Checksum),
            ("8002310000", EgnError::BadDate), // 31 Feb 1980
            ("8013010000", EgnError::BadDate), // month 13
            (
                "7542011030",
                EgnError::InFuture {
                    date: NaiveDate::from_ymd_opt(2075, 2, 1).unwrap(),
                },
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(Egn::parse(input, today()), Err(expected), "{input}");
        }
    }

    #[test]
    fn decoding_goes_through_the_constructor() {
        let config = bincode::config::standard();
        let decode = |s: &str| {
            let bytes = bincode::serde::encode_to_vec(s, config).unwrap();
            bincode::serde::decode_from_slice::<Egn, _>(&bytes, config).map(|(e, _)| e)
        };
        assert_eq!(decode("8032056031").unwrap().as_str(), "8032056031");
        for bad in ["12", "", "8032056032", "8013010000", "80320560a1"] {
            let e = decode(bad).unwrap_err().to_string();
            assert!(e.contains("EGN"), "{bad}: {e}");
        }
        // No clock when decoding: a stored ЕГН stays readable whatever the date.
        assert!(Egn::try_from("7542011030".to_string()).is_ok());
        let json = serde_json::to_string(&decode("7523169263").unwrap()).unwrap();
        assert_eq!(json, "\"7523169263\"");
        assert!(serde_json::from_str::<Egn>("\"12\"").is_err());
    }

    #[test]
    fn messages_in_both_languages() {
        let e = EgnError::Length { found: 9 };
        assert!(e.explain(Lang::Bg).contains("10 цифри"));
        assert!(e.explain(Lang::En).contains("10 digits"));
        let f = EgnError::InFuture {
            date: NaiveDate::from_ymd_opt(2075, 2, 1).unwrap(),
        };
        assert!(f.explain(Lang::Bg).contains("01.02.2075"));
    }

    proptest! {
        #[test]
        fn every_generated_egn_is_valid(days in 0i64..46_000, serial in 0u16..1000) {
            let birth = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Duration::days(days);
            prop_assume!(birth <= today());
            let s = make_egn(birth, serial).unwrap();
            let e = Egn::parse(&s, today()).unwrap();
            prop_assert_eq!(e.birth_date(), birth);
            let expected = if serial % 2 == 0 { Sex::Male } else { Sex::Female };
            prop_assert_eq!(e.sex(), expected);
        }

        #[test]
        fn a_date_that_does_not_exist_fails(year in 1900i32..2000, month in 1u32..=12, serial in 0u16..1000) {
            // Day 32 never exists; 30 February neither. The check digit is made right anyway.
            for day in [32u32, if month == 2 { 30 } else { 32 }] {
                let s = format!("{:02}{:02}{:02}{:03}", year % 100, month, day, serial);
                let d: [u8; 9] = s.bytes().map(|b| b - b'0').collect::<Vec<_>>().try_into().unwrap();
                let egn = format!("{s}{}", egn_check_digit(&d));
                prop_assert_eq!(Egn::parse(&egn, today()), Err(EgnError::BadDate));
            }
        }
    }
}
