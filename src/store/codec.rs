//! The envelope around every stored value: magic, record kind, schema version, payload length,
//! CRC32, then the bincode 2 payload. Decoding is strict so that a damaged or foreign value is a
//! typed error, never a panic or a silently wrong record.

use serde::{de::DeserializeOwned, Serialize};

/// Marks our values; a sled database written by another program will not carry it.
pub const MAGIC: [u8; 2] = *b"FO";
/// magic(2) + kind(1) + version(2) + length(4) + crc32(4)
pub const HEADER_LEN: usize = 13;
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
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(&MAGIC);
    out.push(kind);
    out.extend_from_slice(&version.to_be_bytes());
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    out.extend_from_slice(&crc32fast::hash(&payload).to_be_bytes());
    out.extend_from_slice(&payload);
    Ok(out)
}

/// The checked header of a value: which kind and version its payload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub kind: u8,
    pub version: u16,
}

/// Checks the envelope and returns the header and the payload bytes.
pub fn open(bytes: &[u8]) -> Result<(Header, &[u8]), CodecError> {
    if bytes.len() < HEADER_LEN {
        return Err(CodecError::Truncated(bytes.len()));
    }
    if bytes[0..2] != MAGIC {
        return Err(CodecError::BadMagic);
    }
    let kind = bytes[2];
    let version = u16::from_be_bytes([bytes[3], bytes[4]]);
    let declared = u32::from_be_bytes([bytes[5], bytes[6], bytes[7], bytes[8]]) as usize;
    let crc = u32::from_be_bytes([bytes[9], bytes[10], bytes[11], bytes[12]]);
    let payload = &bytes[HEADER_LEN..];
    if declared != payload.len() {
        return Err(CodecError::Length {
            declared,
            actual: payload.len(),
        });
    }
    if crc32fast::hash(payload) != crc {
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
        let mut longer = good.clone();
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
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&MAGIC);
        bytes.push(7);
        bytes.extend_from_slice(&1u16.to_be_bytes());
        bytes.extend_from_slice(&(payload.len() as u32).to_be_bytes());
        bytes.extend_from_slice(&crc32fast::hash(&payload).to_be_bytes());
        bytes.extend_from_slice(&payload);
        assert_eq!(
            decode::<Sample>(7, 1, &bytes),
            Err(CodecError::TrailingBytes(1))
        );
    }
}
