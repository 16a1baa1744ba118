//! Backups and restores: snapshots written by the service (it owns the database), read back in
//! chunks over the socket, retention of the newest N, and a restore that ends with `check`.

use super::{access::Action, anchor, check, CheckReport, Service, ServiceError, Session};
use crate::domain::{
    audit::{AuditAction, FieldChange, SYSTEM_LOGIN},
    clerk::Clerk,
};
use crate::store::{
    error::StoreError,
    snapshot::{self, SnapshotError, EXTENSION},
    OpenMode, Store,
};
use std::{
    collections::HashSet,
    fs,
    io::{Read, Seek, SeekFrom},
    path::{Path, PathBuf},
    sync::Mutex,
};

/// The largest chunk a `BackupRead` answers: well under the socket's frame limit.
pub const CHUNK: usize = 1024 * 1024;
/// Snapshots kept when nobody said otherwise.
pub const DEFAULT_KEEP: usize = 7;
/// Name prefixes: the server's daily snapshots and backups asked for by an administrator.
pub const AUTO: &str = "auto";
pub const MANUAL: &str = "backup";

/// Where the service writes snapshots and how many of each sort it keeps.
#[derive(Default)]
pub struct Place(Mutex<Option<(PathBuf, usize)>>);

/// The default snapshot directory: `snapshots` beside the database directory, never inside it.
pub fn default_dir(db: &Path) -> PathBuf {
    match db.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.join("snapshots"),
        _ => PathBuf::from("snapshots"),
    }
}

impl Service {
    /// Sets the snapshot directory and how many snapshots of each sort to keep.
    pub fn set_snapshots(&self, dir: PathBuf, keep: usize) {
        *self.snapshots.0.lock().unwrap_or_else(|p| p.into_inner()) = Some((dir, keep.max(1)));
    }

    pub fn snapshot_dir(&self) -> (PathBuf, usize) {
        self.snapshots
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .unwrap_or_else(|| (default_dir(self.store.dir()), DEFAULT_KEEP))
    }
}

/// A name that sorts by time: `auto-20261117-100000-000.fosnap` (the last number counts
/// snapshots within one second).
fn fresh_name(dir: &Path, prefix: &str) -> String {
    let stamp = super::sofia_now().format("%Y%m%d-%H%M%S");
    let mut n = 0;
    loop {
        let name = format!("{prefix}-{stamp}-{n:03}.{EXTENSION}");
        if !dir.join(&name).exists() {
            return name;
        }
        n += 1;
    }
}

/// Our own directory for files with full identifiers: created 0700, tightened to 0700 when it
/// exists with wider bits (see `crate::os::private_dir`).
fn make_dir(dir: &Path) -> Result<(), StoreError> {
    if crate::os::private_dir(dir)? {
        tracing::warn!(dir = %dir.display(), "snapshot directory was open to others: now 0700");
    }
    Ok(())
}

/// An audit entry of a snapshot written or read: who, the action, the file.
fn audit_file(
    svc: &Service,
    login: &str,
    action: AuditAction,
    file: &str,
    from: Option<u64>,
) -> Result<(), ServiceError> {
    let mut changes = vec![FieldChange {
        field: "file".into(),
        old: String::new(),
        new: file.to_string(),
    }];
    if let Some(offset) = from {
        changes.push(FieldChange {
            field: "offset".into(),
            old: String::new(),
            new: offset.to_string(),
        });
    }
    svc.write(login, |ws| {
        svc.append_audit(ws, login, action, None, None, changes)?;
        Ok(((), Vec::new()))
    })
}

/// Writes a snapshot into `dir` under a fresh `prefix-...` name, audited with the system as the
/// actor (the entry is in the snapshot), then anchors the audit head; returns its path and size.
pub fn write_snapshot(
    svc: &Service,
    dir: &Path,
    prefix: &str,
) -> Result<(PathBuf, u64), ServiceError> {
    make_dir(dir)?;
    let path = dir.join(fresh_name(dir, prefix));
    audit_file(
        svc,
        SYSTEM_LOGIN,
        AuditAction::Backup,
        &path.to_string_lossy(),
        None,
    )?;
    let size = snapshot::write_file(&svc.store, &path, svc.now())?;
    svc.anchor_head("snapshot");
    Ok((path, size))
}

/// Deletes the oldest `prefix-*` snapshots beyond the newest `keep`; returns what it deleted.
pub fn prune(dir: &Path, prefix: &str, keep: usize) -> std::io::Result<Vec<PathBuf>> {
    let mut names: Vec<String> = fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&format!("{prefix}-")) && n.ends_with(&format!(".{EXTENSION}")))
        .collect();
    names.sort();
    let excess = names.len().saturating_sub(keep);
    let mut deleted = Vec::new();
    for n in names.into_iter().take(excess) {
        let path = dir.join(n);
        fs::remove_file(&path)?;
        deleted.push(path);
    }
    Ok(deleted)
}

/// A backup asked for by an administrator: audited, then written into the snapshot directory
/// (the audit entry is in it) while saves go on. Returns the file's name and size.
pub fn backup(svc: &Service, clerk: &Clerk) -> Result<(String, u64), ServiceError> {
    let (dir, keep) = svc.snapshot_dir();
    make_dir(&dir)?;
    let name = fresh_name(&dir, MANUAL);
    let size = backup_to(svc, clerk, &dir.join(&name))?;
    prune(&dir, MANUAL, keep).map_err(StoreError::from)?;
    Ok((name, size))
}

/// A backup written straight to `path` (the command line on a database directory).
pub fn backup_to(svc: &Service, clerk: &Clerk, path: &Path) -> Result<u64, ServiceError> {
    audit_file(
        svc,
        &clerk.login,
        AuditAction::Backup,
        &path.to_string_lossy(),
        None,
    )?;
    let size = snapshot::write_file(&svc.store, path, svc.now())?;
    svc.anchor_head("backup");
    Ok(size)
}

impl Session {
    /// A backup straight to a file, for an administrator working on the database directory.
    pub fn backup_to(&self, path: &Path) -> Result<u64, ServiceError> {
        let clerk = self.svc.clerk(&self.login)?;
        self.require(&clerk, Action::Backup)?;
        backup_to(&self.svc, &clerk, path)
    }
}

/// Which clerk has read which snapshot already, so a copy in 1 MiB chunks is one audit entry,
/// not seventy. A read from the start is logged again; forgetting only means one more entry.
#[derive(Default)]
pub struct Reads(Mutex<HashSet<(String, String)>>);

const MAX_REMEMBERED: usize = 1000;

impl Reads {
    fn needs_entry(&self, login: &str, name: &str, offset: u64) -> bool {
        let mut seen = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() >= MAX_REMEMBERED {
            seen.clear();
        }
        seen.insert((login.to_string(), name.to_string())) || offset == 0
    }

    fn forget(&self, login: &str, name: &str) {
        let mut seen = self.0.lock().unwrap_or_else(|p| p.into_inner());
        seen.remove(&(login.to_string(), name.to_string()));
    }
}

/// Up to `CHUNK` bytes of a snapshot in the snapshot directory, from `offset`; empty at the end.
/// The first chunk a clerk reads of a file (and every read from its start) is in the audit log
/// before any byte goes out.
pub fn read_chunk(
    svc: &Service,
    clerk: &Clerk,
    name: &str,
    offset: u64,
) -> Result<Vec<u8>, ServiceError> {
    let plain = !name.is_empty()
        && !name.starts_with('.')
        && name.ends_with(&format!(".{EXTENSION}"))
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    if !plain {
        return Err(ServiceError::BadRequest(format!("snapshot name {name:?}")));
    }
    let (dir, _) = svc.snapshot_dir();
    let mut file = fs::File::open(dir.join(name)).map_err(StoreError::from)?;
    if svc.backup_reads.needs_entry(&clerk.login, name, offset) {
        let logged = audit_file(
            svc,
            &clerk.login,
            AuditAction::BackupRead,
            name,
            Some(offset),
        );
        if let Err(e) = logged {
            svc.backup_reads.forget(&clerk.login, name);
            return Err(e);
        }
    }
    file.seek(SeekFrom::Start(offset))
        .map_err(StoreError::from)?;
    let mut buf = Vec::with_capacity(CHUNK);
    file.take(CHUNK as u64)
        .read_to_end(&mut buf)
        .map_err(StoreError::from)?;
    Ok(buf)
}

/// What a restore did.
#[derive(Debug)]
pub struct Restored {
    pub entries: u64,
    pub created: chrono::NaiveDateTime,
    pub check: CheckReport,
}

/// Verifies `file` whole, writes it into `dir` (which must hold no database), then checks the
/// result, its audit chain against the head the file holds. (The directory's other snapshots
/// are not anchors here: a restore from an older copy rightly lacks their later entries, which
/// a later `check` names.)
pub fn restore(file: &Path, dir: &Path) -> Result<Restored, SnapshotError> {
    let summary = snapshot::restore_file(file, dir)?;
    let (store, _) = Store::open(dir, OpenMode::Existing)?;
    let own = anchor::Anchor {
        source: anchor::Source::Snapshot(file.to_path_buf(), summary.created),
        seq: summary.audit_head.0,
        hash: summary.audit_head.1,
    };
    Ok(Restored {
        entries: summary.entries,
        created: summary.created,
        check: check::check(&store, &anchor::Anchors::of(vec![own])),
    })
}
