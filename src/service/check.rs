//! `check`: every value decodes, every index entry matches its record (none missing, none stray)
//! and the audit chain is whole up to the recorded head.

use super::api::CheckReport;
use crate::domain::{audit::verify_chain, record::Kind};
use crate::store::{index, index::Index, Store};
use std::collections::HashSet;

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

pub fn check(store: &Store) -> CheckReport {
    let mut report = CheckReport::default();
    let mut expected: HashSet<(Index, Vec<u8>)> = HashSet::new();
    for kind in Kind::ALL {
        for item in store.scan(kind, None) {
            match item {
                Ok(record) => {
                    report.records += 1;
                    expected.extend(index::entries(&record));
                }
                Err(e) => report.problems.push(e.to_string()),
            }
        }
    }
    for idx in Index::ALL {
        for key in store.index_keys(idx) {
            match key {
                Ok(key) => {
                    report.index_entries += 1;
                    if !expected.remove(&(idx, key.clone())) {
                        let what = match index::split(&key) {
                            Some((_, kind, id)) => format!("{} {id}", kind.tree()),
                            None => "an unreadable key".to_string(),
                        };
                        report.problems.push(format!(
                            "{}: stray entry for {what} (key {})",
                            idx.tree(),
                            hex(&key)
                        ));
                    }
                }
                Err(e) => report.problems.push(e.to_string()),
            }
        }
    }
    let mut missing: Vec<_> = expected.into_iter().collect();
    missing.sort();
    for (idx, key) in missing {
        let what = index::split(&key)
            .map(|(_, kind, id)| format!("{} {id}", kind.tree()))
            .unwrap_or_default();
        report
            .problems
            .push(format!("{}: missing entry for {what}", idx.tree()));
    }
    let mut entries = Vec::new();
    for e in store.audit(None) {
        match e {
            Ok(e) => entries.push(e),
            Err(e) => report.problems.push(e.to_string()),
        }
    }
    report.audit_entries = entries.len() as u64;
    for (seq, what) in verify_chain(&entries) {
        report.problems.push(format!("audit entry {seq}: {what}"));
    }
    match store.audit_head() {
        Ok((seq, hash)) => {
            let last = entries
                .last()
                .map(|e| (e.seq, e.hash))
                .unwrap_or((0, [0; 32]));
            if last != (seq, hash) {
                report.problems.push(format!(
                    "audit log ends at entry {} but its head says {seq}: entries were removed",
                    last.0
                ));
            }
        }
        Err(e) => report.problems.push(e.to_string()),
    }
    if let Err(e) = store.settings() {
        report.problems.push(e.to_string());
    }
    report
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
