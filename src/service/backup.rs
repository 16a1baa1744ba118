//! Backups and restores: snapshots written by the service (it owns the database), read back in
//! chunks over the socket, retention of the newest N, and a restore that ends with `check`.

use super::{access::Action, check, CheckReport, Service, ServiceError, Session};
use crate::domain::{audit::AuditAction, audit::FieldChange, clerk::Clerk};
use crate::store::{
    error::StoreError,
    snapshot::{self, SnapshotError, EXTENSION},
    OpenMode, Store, WriteSet,
};
use std::{
    fs,
    io::{Read, Seek, SeekFrom},
    os::unix::fs::DirBuilderExt,
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

fn make_dir(dir: &Path) -> Result<(), StoreError> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o750)
        .create(dir)?;
    Ok(())
}

/// Writes a snapshot into `dir` under a fresh `prefix-...` name; returns its path and size.
pub fn write_snapshot(
    svc: &Service,
    dir: &Path,
    prefix: &str,
) -> Result<(PathBuf, u64), StoreError> {
    make_dir(dir)?;
    let path = dir.join(fresh_name(dir, prefix));
    let size = snapshot::write_file(&svc.store, &path, svc.now())?;
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

fn audit_backup(
    svc: &Service,
    clerk: &Clerk,
    target: &str,
    ws: &mut WriteSet,
) -> Result<(), ServiceError> {
    let change = FieldChange {
        field: "file".into(),
        old: String::new(),
        new: target.to_string(),
    };
    svc.append_audit(
        ws,
        &clerk.login,
        AuditAction::Backup,
        None,
        None,
        vec![change],
    )
}

/// A backup asked for by an administrator: audited, then written into the snapshot directory
/// (the audit entry is in it). Returns the file's name and size.
pub fn backup(svc: &Service, clerk: &Clerk) -> Result<(String, u64), ServiceError> {
    let (dir, keep) = svc.snapshot_dir();
    make_dir(&dir)?;
    let name = fresh_name(&dir, MANUAL);
    let path = dir.join(&name);
    let size = {
        let _writer = svc.store.writer();
        let mut ws = WriteSet::default();
        audit_backup(svc, clerk, &path.to_string_lossy(), &mut ws)?;
        svc.store.commit(ws)?;
        snapshot::write_atomically(&path, |w| svc.store.snapshot_locked(w, svc.now()))?
    };
    prune(&dir, MANUAL, keep).map_err(StoreError::from)?;
    Ok((name, size))
}

/// A backup written straight to `path` (the command line on a database directory).
pub fn backup_to(svc: &Service, clerk: &Clerk, path: &Path) -> Result<u64, ServiceError> {
    let _writer = svc.store.writer();
    let mut ws = WriteSet::default();
    audit_backup(svc, clerk, &path.to_string_lossy(), &mut ws)?;
    svc.store.commit(ws)?;
    Ok(snapshot::write_atomically(path, |w| {
        svc.store.snapshot_locked(w, svc.now())
    })?)
}

impl Session {
    /// A backup straight to a file, for an administrator working on the database directory.
    pub fn backup_to(&self, path: &Path) -> Result<u64, ServiceError> {
        let clerk = self.svc.clerk(&self.login)?;
        self.require(&clerk, Action::Backup)?;
        backup_to(&self.svc, &clerk, path)
    }
}

/// Up to `CHUNK` bytes of a snapshot in the snapshot directory, from `offset`; empty at the end.
pub fn read_chunk(svc: &Service, name: &str, offset: u64) -> Result<Vec<u8>, ServiceError> {
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
/// result.
pub fn restore(file: &Path, dir: &Path) -> Result<Restored, SnapshotError> {
    let summary = snapshot::restore_file(file, dir)?;
    let (store, _) = Store::open(dir, OpenMode::Existing)?;
    Ok(Restored {
        entries: summary.entries,
        created: summary.created,
        check: check::check(&store),
    })
}
