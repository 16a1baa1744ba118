//! What the number-shaped identifiers share: trimming, digits only, exact length.

/// The digits of `input` with spaces removed, or why not.
pub(crate) enum Shape {
    Empty,
    NotDigits,
    Length(usize),
}

pub(crate) fn digits(input: &str, lengths: &[usize]) -> Result<Vec<u8>, Shape> {
    let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        return Err(Shape::Empty);
    }
    if !compact.chars().all(|c| c.is_ascii_digit()) {
        return Err(Shape::NotDigits);
    }
    if !lengths.contains(&compact.len()) {
        return Err(Shape::Length(compact.len()));
    }
    Ok(compact.bytes().map(|b| b - b'0').collect())
}

pub(crate) fn weighted(d: &[u8], w: &[u32]) -> u32 {
    d.iter().zip(w).map(|(d, w)| u32::from(*d) * w).sum()
}

pub(crate) fn to_string(d: &[u8]) -> String {
    d.iter().map(|d| char::from(b'0' + d)).collect()
}

/// Serde for a checked string newtype: written as its string, read back only through its
/// constructor (`TryFrom<String>`), so a value from the wire or the disk is as checked as one
/// a clerk typed. The error names the type, never the value (it may be a personal number).
macro_rules! checked_string_serde {
    ($t:ty, $what:literal) => {
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <String as serde::Deserialize>::deserialize(d)?;
                <$t>::try_from(s)
                    .map_err(|e| serde::de::Error::custom(format_args!("{}: {e}", $what)))
            }
        }
    };
}
pub(crate) use checked_string_serde;
