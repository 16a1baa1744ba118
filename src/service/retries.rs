//! Creates carry the client's request id. The ids a create made are kept under that id in the
//! same commit, with a hash of what was sent, so a create sent again after a lost answer (a
//! dropped link, a timeout) gets the first result back instead of making a duplicate, and one
//! sent again with other content (the clerk corrected the form meanwhile) is told that the
//! first was saved, never answered as if its content were stored. Kept two days, then
//! forgotten. The answer to a repeat waits, like every answer, until the first is on disk.

use super::{api::RequestId, Service, ServiceError};
use crate::domain::record::Body;
use crate::store::{Target, WriteSet};
use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

/// Entries since 0.6: time, the content's hash, the ids.
const PREFIX: &[u8] = b"rq2\0";
/// Entries before 0.6 (time, the ids): read until they expire.
const OLD_PREFIX: &[u8] = b"req\0";
/// Long enough for any retry; short enough that the meta tree stays small.
const KEEP_HOURS: i64 = 48;

pub type Content = [u8; 32];

/// What a create sent: the hash of its bodies as they travel.
pub fn content(bodies: &[Body]) -> Content {
    let mut h = Sha256::new();
    for b in bodies {
        // Encoding a decoded body cannot fail; an empty encoding would only make every retry
        // of it look alike, which is what it is.
        h.update(bincode::serde::encode_to_vec(b, bincode::config::standard()).unwrap_or_default());
    }
    h.finalize().into()
}

fn key(prefix: &[u8], login: &str, request: RequestId) -> Vec<u8> {
    let mut k = prefix.to_vec();
    k.extend_from_slice(login.as_bytes());
    k.push(0);
    k.extend_from_slice(&request.to_be_bytes());
    k
}

fn ids(bytes: &[u8]) -> Vec<u64> {
    bytes
        .chunks_exact(8)
        .map(|c| u64::from_be_bytes(c.try_into().unwrap_or([0; 8])))
        .collect()
}

/// What an earlier create with this request id made.
pub struct Recalled {
    pub ids: Vec<u64>,
    /// Whether it was sent with the same content (an entry from before 0.6 has no hash: taken
    /// as the same).
    pub same: bool,
}

/// The ids an earlier create with this request id made, if any. Call under the writer lock.
pub fn recall(
    svc: &Service,
    login: &str,
    request: RequestId,
    sent: &Content,
) -> Result<Option<Recalled>, ServiceError> {
    if request == 0 {
        return Ok(None);
    }
    if let Some(v) = svc.store.meta_get(&key(PREFIX, login, request))? {
        return Ok(Some(Recalled {
            ids: ids(v.get(40..).unwrap_or_default()),
            same: v.get(8..40) == Some(&sent[..]),
        }));
    }
    Ok(svc
        .store
        .meta_get(&key(OLD_PREFIX, login, request))?
        .map(|v| Recalled {
            ids: ids(v.get(8..).unwrap_or_default()),
            same: true,
        }))
}

/// Notes what this create made, in the create's own write set.
pub fn remember(
    ws: &mut WriteSet,
    login: &str,
    request: RequestId,
    sent: &Content,
    at: NaiveDateTime,
    ids: &[u64],
) {
    if request == 0 {
        return;
    }
    let mut v = at.and_utc().timestamp().to_be_bytes().to_vec();
    v.extend_from_slice(sent);
    for id in ids {
        v.extend_from_slice(&id.to_be_bytes());
    }
    ws.put(Target::Meta, key(PREFIX, login, request), v);
}

/// Forgets request ids older than two days (on opening).
pub fn expire(svc: &Service, ws: &mut WriteSet, now: NaiveDateTime) -> Result<(), ServiceError> {
    let cutoff = now.and_utc().timestamp() - KEEP_HOURS * 3600;
    for prefix in [PREFIX, OLD_PREFIX] {
        for item in svc.store.meta_scan(prefix) {
            let (k, v) = item?;
            let at = v
                .get(..8)
                .and_then(|b| b.try_into().ok())
                .map(i64::from_be_bytes)
                .unwrap_or(0);
            if at < cutoff {
                ws.remove(Target::Meta, k);
            }
        }
    }
    Ok(())
}
