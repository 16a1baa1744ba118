//! The full ЕГН/ЛНЧ stays inside the service: every answer carries persons with the number
//! withheld whole (only `RevealIdent`, `Export`, `Payroll` and `Document`, each audited, give it).
//! Answers do show the birth date, and an ЕГН is that date plus four digits, so no digit of the
//! number leaves: not in a record, a search line, a draft or the audit log, which tells numbers
//! apart by a keyed hash alone. Reads of a person are logged.

use super::{api::Response, ServiceError};
use crate::domain::{
    audit::FieldChange,
    person::{PersonalId, MASK},
    record::{Body, Record},
};
use chrono::NaiveDateTime;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::{collections::HashMap, sync::Mutex};

/// Where the database keeps the key of the audit log's identifier hashes.
pub const KEY_NAME: &[u8] = b"ident_hash_key";

/// A fresh random key for a database's identifier hashes.
pub fn new_key() -> std::io::Result<[u8; 32]> {
    use std::io::Read;
    let mut key = [0u8; 32];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut key)?;
    Ok(key)
}

/// The mask plus a keyed hash ("********** #3f9a0c1d"): two numbers differ in the audit log,
/// and nobody without the database's key can test a guess.
pub fn ident_tag(key: &[u8; 32], ident: &PersonalId) -> String {
    match ident.as_str() {
        None => ident.masked(),
        Some(full) => {
            let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
                Ok(m) => m,
                Err(_) => return ident.masked(),
            };
            mac.update(full.as_bytes());
            let tag = mac.finalize().into_bytes();
            let hex: String = tag[..4].iter().map(|b| format!("{b:02x}")).collect();
            format!("{} #{hex}", ident.masked())
        }
    }
}

/// Replaces the "ident" change of a person's audit entry with tags.
pub fn redact_changes(key: &[u8; 32], changes: &mut [FieldChange], old: Option<&Body>, new: &Body) {
    let ident_of = |b: Option<&Body>| match b {
        Some(Body::Person(p)) => Some(p.ident.clone()),
        _ => None,
    };
    let Some(new_ident) = ident_of(Some(new)) else {
        return;
    };
    for c in changes.iter_mut().filter(|c| c.field == "ident") {
        c.old = ident_of(old)
            .map(|i| ident_tag(key, &i))
            .unwrap_or_default();
        c.new = ident_tag(key, &new_ident);
    }
}

pub fn mask_record(r: &mut Record) {
    if let Body::Person(p) = &mut r.body {
        p.ident = p.ident.to_masked();
    }
}

/// Masks every person an answer carries (the refused save's current version included), and
/// the digits that older versions left in drafts and in the audit log's identifier changes
/// (the chain forbids rewriting the stored entries; what leaves is cleaned).
pub fn mask(result: &mut Result<Response, ServiceError>) {
    match result {
        Ok(Response::Record(r)) => mask_record(r),
        Ok(Response::Saved(s)) => mask_record(&mut s.record),
        Ok(Response::Records(rs)) | Ok(Response::Clerks(rs)) => rs.iter_mut().for_each(mask_record),
        Err(ServiceError::Conflict { current }) => mask_record(current),
        Ok(Response::Drafts(drafts)) => {
            for (field, value) in drafts.iter_mut().flat_map(|d| d.fields.iter_mut()) {
                if field == "ident" && is_old_mask(value) {
                    *value = MASK.to_string();
                }
            }
        }
        Ok(Response::Audit(entries)) => {
            for c in entries
                .iter_mut()
                .flat_map(|e| e.changes.iter_mut())
                .filter(|c| c.field == "ident")
            {
                c.old = without_digits(&c.old);
                c.new = without_digits(&c.new);
            }
        }
        _ => {}
    }
}

/// "******1234": how versions before 0.6 showed a withheld number.
fn is_old_mask(v: &str) -> bool {
    v.len() == 10 && v.starts_with("******") && v[6..].bytes().all(|b| b.is_ascii_digit())
}

/// An audit log's identifier value with its number's digits withheld and its tag kept:
/// "******6031 #3f9a0c1d" and a full number written by an early version alike.
fn without_digits(v: &str) -> String {
    let (number, tag) = match v.find(" #") {
        Some(at) => v.split_at(at),
        None => (v, ""),
    };
    let number: String = number
        .chars()
        .map(|c| if c.is_ascii_digit() { '*' } else { c })
        .collect();
    format!("{number}{tag}")
}

/// Reads of a person by one clerk are logged once within this window: a card that refreshes
/// itself on a colleague's save is still the same opening.
const READ_WINDOW_MINUTES: i64 = 15;
/// Bounds the memory of recent reads; forgetting only means one more log entry.
const MAX_REMEMBERED: usize = 10_000;

#[derive(Default)]
pub struct RecentReads(Mutex<HashMap<(String, u64), NaiveDateTime>>);

impl RecentReads {
    /// Whether this read must be logged (and remembers it as logged).
    pub fn needs_entry(&self, login: &str, person: u64, now: NaiveDateTime) -> bool {
        let mut seen = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let key = (login.to_string(), person);
        if let Some(at) = seen.get(&key) {
            if now.signed_duration_since(*at).num_minutes() < READ_WINDOW_MINUTES && *at <= now {
                return false;
            }
        }
        if seen.len() >= MAX_REMEMBERED {
            seen.clear();
        }
        seen.insert(key, now);
        true
    }

    /// Forgets a read whose log entry could not be written.
    pub fn forget(&self, login: &str, person: u64) {
        let mut seen = self.0.lock().unwrap_or_else(|p| p.into_inner());
        seen.remove(&(login.to_string(), person));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::egn::Egn;
    use chrono::NaiveDate;

    fn egn(s: &str) -> PersonalId {
        PersonalId::Egn(Egn::parse(s, NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()).unwrap())
    }

    #[test]
    fn tags_hide_the_number_but_tell_numbers_apart() {
        let key = [7u8; 32];
        let a = ident_tag(&key, &egn("8032056031"));
        assert!(a.starts_with("********** #"), "{a}");
        assert!(!a.contains("6031") && !a.contains("803205"), "{a}");
        assert_eq!(a, ident_tag(&key, &egn("8032056031")));
        assert_ne!(a, ident_tag(&[8u8; 32], &egn("8032056031")));
        assert_ne!(a, ident_tag(&key, &egn("7523169263")));
    }

    #[test]
    fn audit_values_of_older_versions_leave_without_digits() {
        assert_eq!(
            without_digits("******6031 #3f9a0c1d"),
            "********** #3f9a0c1d"
        );
        assert_eq!(without_digits("8032056031"), "**********");
        assert_eq!(without_digits(""), "");
        assert!(is_old_mask("******6031"));
        assert!(!is_old_mask(MASK) && !is_old_mask("8032056031"));
    }

    #[test]
    fn reads_are_logged_once_per_window() {
        let r = RecentReads::default();
        let t = NaiveDate::from_ymd_opt(2026, 1, 1)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        assert!(r.needs_entry("ana", 1, t));
        assert!(!r.needs_entry("ana", 1, t + chrono::Duration::minutes(5)));
        assert!(r.needs_entry("bob", 1, t));
        assert!(r.needs_entry("ana", 2, t));
        assert!(r.needs_entry("ana", 1, t + chrono::Duration::minutes(20)));
    }
}
