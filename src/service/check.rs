//! `check`: every value decodes, every index entry matches its record (none missing, none stray)
//! and the audit chain is whole up to the recorded head.
//!
//! On a live server saves go on while it runs, and a save changes a record and its index entries
//! in one transaction applied under the writer lock. So `check` walks each record kind and each
//! index tree in pages of `PAGE` keys, each page under that lock: a record and the entries it
//! must have (or an entry and the record it must come from) are looked at in one state, never
//! half before a save and half after. Memory stays at a page; nothing is collected whole. The
//! audit log only grows: its head is read under the lock, then the entries up to it are streamed.
//!
//! The chain is then held against every anchor found outside the audit tree (`anchor.rs`):
//! collected before the head is read, so none can be newer than it.

use super::anchor::{Anchor, Anchors};
use super::api::CheckReport;
use crate::domain::{audit::AuditEntry, record::Kind};
use crate::store::{index, index::Index, Store};
use std::collections::BTreeMap;

/// Keys looked at per hold of the writer lock: short enough not to stall saves.
const PAGE: usize = 256;

/// The most problems one answer lists; the rest are counted in a last line.
const MAX_PROBLEMS: usize = 1000;

/// A report that fits one answer however damaged the database is.
pub fn bounded(mut report: CheckReport) -> CheckReport {
    let n = report.problems.len();
    if n > MAX_PROBLEMS {
        report.problems.truncate(MAX_PROBLEMS);
        report
            .problems
            .push(format!("… {} more problems not listed", n - MAX_PROBLEMS));
    }
    report
}

pub fn check(store: &Store, anchors: &Anchors) -> CheckReport {
    let mut report = CheckReport::default();
    report.problems.extend(anchors.problems.iter().cloned());
    for kind in Kind::ALL {
        check_records(store, kind, &mut report);
    }
    for idx in Index::ALL {
        check_index(store, idx, &mut report);
    }
    check_audit(store, &anchors.anchors, &mut report);
    if let Err(e) = store.settings() {
        report.problems.push(e.to_string());
    }
    if let Err(e) = store.closings() {
        report.problems.push(e.to_string());
    }
    report
}

/// Every record decodes and has each of its index entries.
fn check_records(store: &Store, kind: Kind, report: &mut CheckReport) {
    let mut after = None;
    loop {
        let _writer = store.writer();
        let page = match store.record_page(kind, after, PAGE) {
            Ok(p) => p,
            Err(e) => return report.problems.push(e.to_string()),
        };
        let Some(&(last, _)) = page.last() else {
            return;
        };
        after = Some(last);
        for (id, record) in page {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    report.problems.push(e.to_string());
                    continue;
                }
            };
            report.records += 1;
            // An accepted report pays only from its facts: one without them pays nothing.
            if let crate::domain::record::Body::Report(r) = &record.body {
                if r.status == crate::domain::report::ReportStatus::Accepted && r.facts.is_none() {
                    report.problems.push(format!(
                        "report {id}: accepted without the facts it pays by"
                    ));
                }
            }
            for (idx, key) in index::entries(&record) {
                match store.has_index_key(idx, &key) {
                    Ok(true) => {}
                    Ok(false) => report.problems.push(format!(
                        "{}: missing entry for {} {id}",
                        idx.tree(),
                        kind.tree()
                    )),
                    Err(e) => report.problems.push(e.to_string()),
                }
            }
        }
    }
}

/// Every index entry comes from a record that is there and produces it. An entry of a record
/// that does not decode is left alone: the record's damage is reported already.
fn check_index(store: &Store, idx: Index, report: &mut CheckReport) {
    let mut after: Option<Vec<u8>> = None;
    loop {
        let _writer = store.writer();
        let page = match store.index_page(idx, after.as_deref(), PAGE) {
            Ok(p) => p,
            Err(e) => return report.problems.push(e.to_string()),
        };
        let Some(last) = page.last() else {
            return;
        };
        after = Some(last.clone());
        for key in page {
            report.index_entries += 1;
            let stray = match index::split(&key) {
                None => Some("an unreadable key".to_string()),
                Some((_, kind, id)) => match store.get(kind, id) {
                    Ok(Some(r)) if index::entries(&r).contains(&(idx, key.clone())) => None,
                    Ok(_) => Some(format!("{} {id}", kind.tree())),
                    Err(_) => None,
                },
            };
            if let Some(what) = stray {
                report.problems.push(format!(
                    "{}: stray entry for {what} (key {})",
                    idx.tree(),
                    hex(&key)
                ));
            }
        }
    }
}

/// The chain is whole from the first entry to the head read under the lock, and holds every
/// anchored entry with the hash its anchor saw.
fn check_audit(store: &Store, anchors: &[Anchor], report: &mut CheckReport) {
    let mut anchored: BTreeMap<u64, Vec<&Anchor>> = BTreeMap::new();
    for a in anchors.iter().filter(|a| a.seq > 0) {
        anchored.entry(a.seq).or_default().push(a);
    }
    let head = {
        let _writer = store.writer();
        store.audit_head()
    };
    let (head_seq, head_hash) = match head {
        Ok(h) => h,
        Err(e) => return report.problems.push(e.to_string()),
    };
    let mut chain = Chain::default();
    for e in store.audit(None) {
        match e {
            // Saved after the head was read.
            Ok(e) if e.seq > head_seq => break,
            Ok(e) => {
                report.audit_entries += 1;
                for (seq, what) in chain.next(&e) {
                    report.problems.push(format!("audit entry {seq}: {what}"));
                }
                for a in anchored.remove(&e.seq).unwrap_or_default() {
                    if a.hash != e.hash {
                        report.problems.push(format!(
                            "audit entry {}: its hash differs from the one in {}: the log was \
                             rewritten",
                            e.seq, a.source
                        ));
                    }
                }
            }
            Err(e) => report.problems.push(e.to_string()),
        }
    }
    if chain.last != (head_seq, head_hash) {
        report.problems.push(format!(
            "audit log ends at entry {} but its head says {head_seq}: entries were removed",
            chain.last.0
        ));
    }
    for a in anchored.into_values().flatten() {
        report.problems.push(format!(
            "audit log ends at entry {} but {} saw entry {}: entries were removed (or the \
             database was restored from an older copy)",
            chain.last.0, a.source, a.seq
        ));
    }
}

/// `domain::audit::verify_chain` one entry at a time, so the log need not be held whole.
#[derive(Default)]
struct Chain {
    /// The last entry's number and hash (0 and zeros before the first).
    last: (u64, [u8; 32]),
}

impl Chain {
    fn next(&mut self, e: &AuditEntry) -> Vec<(u64, &'static str)> {
        let mut problems = Vec::new();
        if e.seq != self.last.0 + 1 {
            problems.push((e.seq, "sequence gap"));
        }
        if e.prev_hash != self.last.1 {
            problems.push((e.seq, "previous hash does not match"));
        }
        if e.compute_hash() != e.hash {
            problems.push((e.seq, "entry was altered"));
        }
        self.last = (e.seq, e.hash);
        problems
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit::{verify_chain, AuditAction};

    /// The streaming check finds what the whole-log check finds, on a chain with a gap, a
    /// broken link and an altered entry.
    #[test]
    fn the_streaming_chain_check_agrees_with_verify_chain() {
        let mut entries = Vec::new();
        let mut prev = (0, [0u8; 32]);
        for i in 0..6u64 {
            let e = AuditEntry {
                seq: 0,
                at: chrono::NaiveDate::from_ymd_opt(2026, 11, 17)
                    .unwrap()
                    .and_hms_opt(10, 0, 0)
                    .unwrap(),
                offset: None,
                login: format!("clerk{i}"),
                action: AuditAction::Init,
                kind: None,
                id: None,
                changes: Vec::new(),
                prev_hash: [0; 32],
                hash: [0; 32],
            }
            .seal(prev.0 + 1, prev.1);
            prev = (e.seq, e.hash);
            entries.push(e);
        }
        entries[2].login = "someone-else".into();
        entries.remove(4);
        entries[1].prev_hash[0] ^= 1;
        let mut chain = Chain::default();
        let streamed: Vec<_> = entries.iter().flat_map(|e| chain.next(e)).collect();
        assert_eq!(streamed, verify_chain(&entries));
        assert_eq!(streamed.len(), 5, "{streamed:?}");
    }
}
