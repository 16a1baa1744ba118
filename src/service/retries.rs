//! Creates carry the client's request id. The ids a create made are kept under that id in the
//! same commit, so a create sent again after a lost answer (a dropped link, a timeout) gets the
//! first result back instead of making a duplicate. Kept two days, then forgotten.

use super::{api::RequestId, Service, ServiceError};
use crate::store::{Target, WriteSet};
use chrono::NaiveDateTime;

const PREFIX: &[u8] = b"req\0";
/// Long enough for any retry; short enough that the meta tree stays small.
const KEEP_HOURS: i64 = 48;

fn key(login: &str, request: RequestId) -> Vec<u8> {
    let mut k = PREFIX.to_vec();
    k.extend_from_slice(login.as_bytes());
    k.push(0);
    k.extend_from_slice(&request.to_be_bytes());
    k
}

/// The ids an earlier create with this request id made, if any. Call under the writer lock.
pub fn recall(
    svc: &Service,
    login: &str,
    request: RequestId,
) -> Result<Option<Vec<u64>>, ServiceError> {
    if request == 0 {
        return Ok(None);
    }
    let Some(v) = svc.store.meta_get(&key(login, request))? else {
        return Ok(None);
    };
    Ok(Some(
        v.get(8..)
            .unwrap_or_default()
            .chunks_exact(8)
            .map(|c| u64::from_be_bytes(c.try_into().unwrap_or([0; 8])))
            .collect(),
    ))
}

/// Notes what this create made, in the create's own write set.
pub fn remember(
    ws: &mut WriteSet,
    login: &str,
    request: RequestId,
    at: NaiveDateTime,
    ids: &[u64],
) {
    if request == 0 {
        return;
    }
    let mut v = at.and_utc().timestamp().to_be_bytes().to_vec();
    for id in ids {
        v.extend_from_slice(&id.to_be_bytes());
    }
    ws.put(Target::Meta, key(login, request), v);
}

/// Forgets request ids older than two days (on opening).
pub fn expire(svc: &Service, ws: &mut WriteSet, now: NaiveDateTime) -> Result<(), ServiceError> {
    let cutoff = now.and_utc().timestamp() - KEEP_HOURS * 3600;
    for item in svc.store.meta_scan(PREFIX) {
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
    Ok(())
}
