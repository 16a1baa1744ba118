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
