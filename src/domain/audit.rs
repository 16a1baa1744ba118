//! The audit log's entries and their hash chain: each entry carries the hash of the one before,
//! so an edited, removed or inserted entry breaks the chain and `check` finds it.

use super::record::Kind;
use chrono::{DateTime, FixedOffset, NaiveDateTime};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuditAction {
    /// The database was created.
    Init,
    Create,
    Update,
    /// A masked identifier was shown in full.
    Reveal,
    /// A person's full card was opened.
    ReadCard,
    Export,
    Settings,
    ClerkAdd,
    ClerkChange,
    /// A snapshot of the whole database was written (a backup).
    Backup,
    /// A page of persons was listed.
    ReadList,
    /// A document to sign (agreement, contract, referral) was filled: its persons' identifiers
    /// went out in full.
    Document,
    /// A monthly report was returned for correction (the reason is in the entry).
    ReportReturn,
    /// A month was closed after its data went to АСП.
    MonthClose,
    /// A closed month was reopened (the reason is in the entry).
    MonthReopen,
    /// A snapshot's bytes were handed to a client (`BackupRead`): the file and the offset the
    /// read started at.
    BackupRead,
}

/// The actor of the entries the program writes by itself (the server's automatic snapshots).
/// No clerk may have this login.
pub const SYSTEM_LOGIN: &str = "system";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub old: String,
    pub new: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: u64,
    /// Sofia's wall clock when the entry was made.
    pub at: NaiveDateTime,
    /// `at`'s offset from UTC in seconds (+7200 in winter, +10800 in summer), so the hour that
    /// repeats when the clocks go back stays in order. None in entries from before it was kept
    /// (audit version 1: the server's local time, its zone not recorded).
    pub offset: Option<i32>,
    pub login: String,
    pub action: AuditAction,
    pub kind: Option<Kind>,
    pub id: Option<u64>,
    pub changes: Vec<FieldChange>,
    pub prev_hash: [u8; 32],
    pub hash: [u8; 32],
}

/// What the hash covers: the entry in its field order, the offset left out when there is none,
/// so an entry of version 1 hashes to the same bytes it was sealed with.
#[derive(Serialize)]
struct Hashed<'a> {
    seq: u64,
    at: NaiveDateTime,
    #[serde(skip_serializing_if = "Option::is_none")]
    offset: Option<i32>,
    login: &'a str,
    action: AuditAction,
    kind: Option<Kind>,
    id: Option<u64>,
    changes: &'a [FieldChange],
    prev_hash: [u8; 32],
    hash: [u8; 32],
}

impl AuditEntry {
    /// When the entry was made, as an instant with its offset (None before offsets were kept).
    pub fn instant(&self) -> Option<DateTime<FixedOffset>> {
        let offset = FixedOffset::east_opt(self.offset?)?;
        self.at.and_local_timezone(offset).single()
    }

    /// SHA-256 over the previous hash and the entry's content (its own hash left out).
    pub fn compute_hash(&self) -> [u8; 32] {
        let content = Hashed {
            seq: self.seq,
            at: self.at,
            offset: self.offset,
            login: &self.login,
            action: self.action,
            kind: self.kind,
            id: self.id,
            changes: &self.changes,
            prev_hash: self.prev_hash,
            hash: [0; 32],
        };
        let bytes = serde_json::to_vec(&content).unwrap_or_default();
        let mut h = Sha256::new();
        h.update(self.prev_hash);
        h.update(&bytes);
        h.finalize().into()
    }

    /// Seals the entry onto the chain after `prev`.
    pub fn seal(mut self, seq: u64, prev_hash: [u8; 32]) -> AuditEntry {
        self.seq = seq;
        self.prev_hash = prev_hash;
        self.hash = self.compute_hash();
        self
    }
}

/// Where a chain of entries (in order) is broken, as (seq, what).
pub fn verify_chain<'a>(
    entries: impl IntoIterator<Item = &'a AuditEntry>,
) -> Vec<(u64, &'static str)> {
    let mut problems = Vec::new();
    let mut prev_hash = [0u8; 32];
    let mut expected_seq = 1;
    for e in entries {
        if e.seq != expected_seq {
            problems.push((e.seq, "sequence gap"));
        }
        if e.prev_hash != prev_hash {
            problems.push((e.seq, "previous hash does not match"));
        }
        if e.compute_hash() != e.hash {
            problems.push((e.seq, "entry was altered"));
        }
        prev_hash = e.hash;
        expected_seq = e.seq + 1;
    }
    problems
}
