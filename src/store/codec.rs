//! The envelope around every stored value: magic, record kind, schema version, payload length,
//! CRC32, then the bincode 2 payload. Decoding is strict so that a damaged or foreign value is a
//! typed error, never a panic or a silently wrong record.
//!
//! Two envelope formats share the layout and differ in their magic and in what the CRC covers:
//! format 1 (`FO`, schema 1) covers the payload only, so a flipped version byte read as "a newer
//! schema"; format 2 (`F2`, schema 2 on) covers the header fields before it too (magic, kind,
//! version, length), so any flipped byte is damage. Values are written in format 2; format 1 is
//! still read, and opening a schema 1 database rewrites its values (`upgrade`).

use serde::{de::DeserializeOwned, Serialize};

/// Marks our values (format 2); a sled database written by another program will not carry it.
pub const MAGIC: [u8; 2] = *b"F2";
/// The magic of format 1, whose CRC covers the payload only.
pub const MAGIC_V1: [u8; 2] = *b"FO";
/// magic(2) + kind(1) + version(2) + length(4) + crc32(4)
pub const HEADER_LEN: usize = 13;
/// The header bytes before the CRC: what format 2's CRC covers besides the payload.
const CHECKED_HEADER: std::ops::Range<usize> = 0..9;
/// No single record is allowed to be larger than this (bincode's own limit is set to it too).
pub const MAX_PAYLOAD: usize = 1 << 20;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    #[error("value too short for the envelope ({0} bytes)")]
    Truncated(usize),
    #[error("value does not start with the frontoffice magic")]
    BadMagic,
    #[error("value is of record kind {found}, expected {expected}")]
    WrongKind { expected: u8, found: u8 },
    #[error("record kind {kind} has schema version {found}; this program knows up to {known}")]
    UnknownVersion { kind: u8, found: u16, known: u16 },
    #[error("payload length {declared} does not match the {actual} bytes stored")]
    Length { declared: usize, actual: usize },
    #[error("checksum mismatch: the value is damaged")]
    Checksum,
    #[error("payload does not decode: {0}")]
    Payload(String),
    #[error("{0} bytes left over after the payload")]
    TrailingBytes(usize),
    #[error("payload too large ({0} bytes)")]
    TooLarge(usize),
}

fn config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<MAX_PAYLOAD>()
}

/// Encodes `value` as the payload of record kind `kind` at schema `version`.
pub fn encode<T: Serialize>(kind: u8, version: u16, value: &T) -> Result<Vec<u8>, CodecError> {
    let payload = bincode::serde::encode_to_vec(value, config())
        .map_err(|e| CodecError::Payload(e.to_string()))?;
    if payload.len() > MAX_PAYLOAD {
        return Err(CodecError::TooLarge(payload.len()));
    }
    Ok(envelope(kind, version, &payload))
}

/// A format 2 envelope around `payload`.
fn envelope(kind: u8, version: u16, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(&MAGIC);
    out.push(kind);
    out.extend_from_slice(&version.to_be_bytes());
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    let crc = crc2(&out[CHECKED_HEADER], payload);
    out.extend_from_slice(&crc.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

fn crc2(header: &[u8], payload: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(header);
    h.update(payload);
    h.finalize()
}

/// A format 1 value rewritten in format 2 with the same kind, version and payload; None when
/// the value is already format 2, or is damaged or foreign (left as it is, for `check` to
/// report).
pub fn upgrade(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.get(0..2)? != MAGIC_V1 {
        return None;
    }
    let (header, payload) = open(bytes).ok()?;
    Some(envelope(header.kind, header.version, payload))
}

/// The checked header of a value: which kind and version its payload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub kind: u8,
    pub version: u16,
}

/// Checks the envelope (either format) and returns the header and the payload bytes.
pub fn open(bytes: &[u8]) -> Result<(Header, &[u8]), CodecError> {
    if bytes.len() < HEADER_LEN {
        return Err(CodecError::Truncated(bytes.len()));
    }
    let crc = u32::from_be_bytes([bytes[9], bytes[10], bytes[11], bytes[12]]);
    let payload = &bytes[HEADER_LEN..];
    if bytes[0..2] == MAGIC {
        // The CRC first: nothing in a header it does not vouch for is believed.
        if crc2(&bytes[CHECKED_HEADER], payload) != crc {
            return Err(CodecError::Checksum);
        }
    } else if bytes[0..2] != MAGIC_V1 {
        return Err(CodecError::BadMagic);
    }
    let kind = bytes[2];
    let version = u16::from_be_bytes([bytes[3], bytes[4]]);
    let declared = u32::from_be_bytes([bytes[5], bytes[6], bytes[7], bytes[8]]) as usize;
    if declared != payload.len() {
        return Err(CodecError::Length {
            declared,
            actual: payload.len(),
        });
    }
    if bytes[0..2] == MAGIC_V1 && crc32fast::hash(payload) != crc {
        return Err(CodecError::Checksum);
    }
    Ok((Header { kind, version }, payload))
}

/// Decodes a payload strictly: every byte must be consumed.
pub fn decode_payload<T: DeserializeOwned>(payload: &[u8]) -> Result<T, CodecError> {
    let (value, used) = bincode::serde::decode_from_slice(payload, config())
        .map_err(|e| CodecError::Payload(e.to_string()))?;
    if used != payload.len() {
        return Err(CodecError::TrailingBytes(payload.len() - used));
    }
    Ok(value)
}

/// Opens and decodes a value that must be of `kind` at exactly `version` (the current one).
/// Older versions go through the record kind's migration in `store::schema` instead.
pub fn decode<T: DeserializeOwned>(kind: u8, version: u16, bytes: &[u8]) -> Result<T, CodecError> {
    let (header, payload) = open(bytes)?;
    if header.kind != kind {
        return Err(CodecError::WrongKind {
            expected: kind,
            found: header.kind,
        });
    }
    if header.version != version {
        return Err(CodecError::UnknownVersion {
            kind,
            found: header.version,
            known: version,
        });
    }
    decode_payload(payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Sample {
        name: String,
        n: u32,
    }

    fn sample() -> Vec<u8> {
        encode(
            7,
            1,
            &Sample {
                name: "Иван".into(),
                n: 42,
            },
        )
        .unwrap()
    }

    #[test]
    fn round_trip() {
        let v: Sample = decode(7, 1, &sample()).unwrap();
        assert_eq!(v.name, "Иван");
        assert_eq!(v.n, 42);
    }

    #[test]
    fn every_damage_is_a_typed_error() {
        let good = sample();
        assert_eq!(
            decode::<Sample>(7, 1, &good[..5]),
            Err(CodecError::Truncated(5))
        );
        let mut bad = good.clone();
        bad[0] = b'X';
        assert_eq!(decode::<Sample>(7, 1, &bad), Err(CodecError::BadMagic));
        assert!(matches!(
            decode::<Sample>(8, 1, &good),
            Err(CodecError::WrongKind { .. })
        ));
        assert!(matches!(
            decode::<Sample>(7, 2, &good),
            Err(CodecError::UnknownVersion { found: 1, .. })
        ));
        let mut flipped = good.clone();
        *flipped.last_mut().unwrap() ^= 0x01;
        assert_eq!(decode::<Sample>(7, 1, &flipped), Err(CodecError::Checksum));
        // A byte added: format 2's CRC covers the declared length too, format 1 compares them.
        let mut longer = good.clone();
        longer.push(0);
        assert_eq!(decode::<Sample>(7, 1, &longer), Err(CodecError::Checksum));
        let mut longer = sample_v1();
        longer.push(0);
        assert!(matches!(
            decode::<Sample>(7, 1, &longer),
            Err(CodecError::Length { .. })
        ));
    }

    #[test]
    fn trailing_bytes_inside_a_valid_envelope_are_refused() {
        // A payload with one byte more than the struct needs, with a correct length and CRC.
        let mut payload = bincode::serde::encode_to_vec(
            &Sample {
                name: "a".into(),
                n: 1,
            },
            config(),
        )
        .unwrap();
        payload.push(0);
        let bytes = envelope(7, 1, &payload);
        assert_eq!(
            decode::<Sample>(7, 1, &bytes),
            Err(CodecError::TrailingBytes(1))
        );
    }

    /// A format 1 value: what schema 1 wrote.
    fn sample_v1() -> Vec<u8> {
        let good = sample();
        let payload = &good[HEADER_LEN..];
        let mut out = Vec::new();
        out.extend_from_slice(&MAGIC_V1);
        out.extend_from_slice(&good[2..9]);
        out.extend_from_slice(&crc32fast::hash(payload).to_be_bytes());
        out.extend_from_slice(payload);
        out
    }

    /// Every byte of the header, flipped in any bit or wholly, reads as damage: never as
    /// another kind, a newer version or a good value.
    #[test]
    fn a_flipped_header_byte_is_damage() {
        let good = sample();
        for i in 0..HEADER_LEN {
            for mask in [0x01u8, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff] {
                let mut bad = good.clone();
                bad[i] ^= mask;
                let err = decode::<Sample>(7, 1, &bad).unwrap_err();
                let expected = if i < 2 && bad[0..2] != MAGIC_V1 {
                    CodecError::BadMagic
                } else {
                    CodecError::Checksum
                };
                assert_eq!(err, expected, "byte {i} ^ {mask:#04x}");
            }
        }
    }

    #[test]
    fn format_1_is_read_and_upgraded_to_the_current_bytes() {
        let old = sample_v1();
        let v: Sample = decode(7, 1, &old).unwrap();
        assert_eq!(v.name, "Иван");
        assert_eq!(upgrade(&old), Some(sample()));
        assert_eq!(upgrade(&sample()), None, "format 2 stays as it is");
        let mut damaged = old.clone();
        *damaged.last_mut().unwrap() ^= 1;
        assert_eq!(
            upgrade(&damaged),
            None,
            "damage is left for check to report"
        );
        assert_eq!(decode::<Sample>(7, 1, &damaged), Err(CodecError::Checksum));
    }
}
