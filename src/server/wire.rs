//! Frames on the socket: a 4-byte big-endian length, then a bincode 2 payload. Sizes are bounded
//! both ways, so a malformed or huge frame costs one closed connection, never the server.

use crate::service::{Change, Response, ServiceError};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use std::io::{self, Read, Write};

/// Bumped whenever a request or answer changes shape; the handshake refuses a mismatch.
pub const PROTOCOL: u32 = 7;
pub const MAGIC: [u8; 4] = *b"FOPR";
/// The largest frame either side accepts (a batch of records, a page of audit entries).
pub const MAX_FRAME: usize = 8 * 1024 * 1024;
/// The hello is a few bytes; nothing bigger is read before the peer is known to be a clerk.
pub const MAX_HELLO: usize = 64;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hello {
    pub magic: [u8; 4],
    pub protocol: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Welcome {
    /// The clerk the server saw behind the socket.
    Ok { login: String },
    /// Why the server will not serve this connection, in Bulgarian and English.
    Refused { bg: String, en: String },
}

/// What the server sends after the handshake: answers in request order, and change events
/// whenever a save lands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ServerFrame {
    Answer(Box<Result<Response, ServiceError>>),
    Changed(Change),
    /// The last frame of a connection that sent no request for `seconds`: the server read
    /// nothing after it, so a request the client sent meanwhile was not seen and may go again
    /// on a new connection.
    Idle {
        seconds: u64,
    },
}

fn config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<MAX_FRAME>()
}

pub fn write_frame<T: Serialize>(w: &mut impl Write, value: &T) -> io::Result<()> {
    let payload = bincode::serde::encode_to_vec(value, config())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
    if payload.len() > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "frame too large",
        ));
    }
    let mut frame = Vec::with_capacity(4 + payload.len());
    frame.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    frame.extend_from_slice(&payload);
    w.write_all(&frame)?;
    w.flush()
}

/// Reads one frame. A length over the limit, a short read or bytes that do not decode are
/// errors; trailing bytes inside a frame are too.
pub fn read_frame<T: DeserializeOwned>(r: &mut impl Read) -> io::Result<T> {
    read_frame_max(r, MAX_FRAME)
}

/// Reads one frame whose value may not decode: the frame's length was sound, so the stream is
/// still in step and the sender can be told why (an ЕГН that fails its check, month 13...)
/// instead of losing its connection. A bad length or a short read is still an error.
pub fn read_checked_frame<T: DeserializeOwned>(r: &mut impl Read) -> io::Result<Result<T, String>> {
    let mut len = [0u8; 4];
    r.read_exact(&mut len)?;
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("frame of {len} bytes is over the limit"),
        ));
    }
    let mut payload = vec![0u8; len];
    r.read_exact(&mut payload)?;
    Ok(
        match bincode::serde::decode_from_slice(&payload, config()) {
            Ok((value, used)) if used == len => Ok(value),
            Ok(_) => Err("trailing bytes in a frame".into()),
            Err(e) => Err(e.to_string()),
        },
    )
}

/// Reads one frame of at most `max` bytes (the length is checked before anything is allocated).
pub fn read_frame_max<T: DeserializeOwned>(r: &mut impl Read, max: usize) -> io::Result<T> {
    let mut len = [0u8; 4];
    r.read_exact(&mut len)?;
    let len = u32::from_be_bytes(len) as usize;
    if len > max.min(MAX_FRAME) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("frame of {len} bytes is over the limit"),
        ));
    }
    let mut payload = vec![0u8; len];
    r.read_exact(&mut payload)?;
    let (value, used) = bincode::serde::decode_from_slice(&payload, config())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
    if used != len {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "trailing bytes in a frame",
        ));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::Request;

    #[test]
    fn frames_round_trip_and_damage_is_an_error() {
        let mut buf = Vec::new();
        write_frame(
            &mut buf,
            &Request::Search {
                query: "иван".into(),
                limit: 5,
            },
        )
        .unwrap();
        let back: Request = read_frame(&mut buf.as_slice()).unwrap();
        assert_eq!(
            back,
            Request::Search {
                query: "иван".into(),
                limit: 5
            }
        );
        // Truncated.
        assert!(read_frame::<Request>(&mut &buf[..buf.len() - 1]).is_err());
        // Over the limit.
        let huge = ((MAX_FRAME + 1) as u32).to_be_bytes();
        assert!(read_frame::<Request>(&mut &huge[..]).is_err());
        // A hello-sized limit refuses a bigger frame before reading it.
        let mut hello = Vec::new();
        write_frame(&mut hello, &"x".repeat(MAX_HELLO)).unwrap();
        assert!(read_frame_max::<String>(&mut hello.as_slice(), MAX_HELLO).is_err());
        assert!(read_frame::<String>(&mut hello.as_slice()).is_ok());
        // Trailing bytes inside the frame.
        let mut long = buf.clone();
        long.push(0);
        let n = (buf.len() - 4 + 1) as u32;
        long[..4].copy_from_slice(&n.to_be_bytes());
        assert!(read_frame::<Request>(&mut long.as_slice()).is_err());
    }

    proptest::proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..256)) {
            let _ = read_frame::<Request>(&mut bytes.as_slice());
        }
    }
}
