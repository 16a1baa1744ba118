//! The sled store. One tree per record kind, index trees, a meta tree, the audit tree and the
//! settings. Every command's writes go in one transaction across the trees, then `flush` and an
//! `fsync` of the database file: sled 0.34.7's flush alone does not survive a power cut.
//!
//! sled writes a log item (a whole page of a tree, not one value) larger than
//! `segment_size / 4 - 20` bytes (131,052 with the default 512 KiB segments) to its own file
//! under `blobs/`, and never fsyncs it. A leaf page holds up to 17 values, so 17 people with
//! long notes (4,000 Cyrillic characters are 8,000 bytes) already make a blob: no bound on one
//! value keeps pages under the threshold. So `sync` fsyncs every blob file it has not synced at
//! its current length, and the `blobs/` directory when its entries changed.
//!
//! A failed flush or fsync is final for this process (the fsyncgate trap: the kernel may have
//! dropped the dirty pages, so a later fsync that succeeds proves nothing). The store turns
//! read-only: `sync` never runs again, `apply` refuses, and the caller answers with an error.

pub mod codec;
pub mod error;
mod housekeeping;
pub mod index;
pub mod months;
pub mod schema;
pub mod snapshot;

use crate::domain::{
    audit::AuditEntry,
    draft::Draft,
    record::{Body, Kind, Record},
};
use error::StoreError;
use index::Index;
use schema::VersionedSettings;
use sled::{transaction::TransactionError, Transactional, Tree};
use std::{
    collections::HashMap,
    ffi::OsString,
    fs::File,
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex, MutexGuard, OnceLock,
    },
};

const MAGIC_KEY: &[u8] = b"magic";
const MAGIC_VALUE: &[u8] = b"frontoffice";
const SCHEMA_KEY: &[u8] = b"schema";
const AUDIT_HEAD_KEY: &[u8] = b"audit_head";
const SETTINGS_KEY: &[u8] = b"settings";
/// A front office's data is small; a small cache keeps the server's memory low.
const CACHE_BYTES: u64 = 24 * 1024 * 1024;

/// Where a write goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Record(Kind),
    Index(Index),
    Meta,
    Audit,
    Settings,
    Drafts,
}

/// The writes of one command, applied atomically by `Store::commit`.
#[derive(Debug, Default)]
pub struct WriteSet {
    ops: Vec<(Target, Vec<u8>, Option<Vec<u8>>)>,
    /// The audit head and counters as this write set leaves them, so that several commands
    /// batched into one commit chain their entries and numbers correctly.
    pub audit_head: Option<(u64, [u8; 32])>,
    pub counters: std::collections::HashMap<String, u64>,
}

impl WriteSet {
    pub fn put(&mut self, target: Target, key: Vec<u8>, value: Vec<u8>) {
        self.ops.push((target, key, Some(value)));
    }

    pub fn remove(&mut self, target: Target, key: Vec<u8>) {
        self.ops.push((target, key, None));
    }

    /// Writes a record and moves its index entries from the old version's to the new one's.
    pub fn put_record(&mut self, old: Option<&Record>, new: &Record) -> Result<(), StoreError> {
        let bytes = schema::encode_record(new).map_err(|err| StoreError::Codec {
            tree: new.kind().tree().into(),
            key: new.id().to_string(),
            err,
        })?;
        self.put(
            Target::Record(new.kind()),
            new.id().to_be_bytes().to_vec(),
            bytes,
        );
        let before = old.map(index::entries).unwrap_or_default();
        let after = index::entries(new);
        for e in before.iter().filter(|e| !after.contains(e)) {
            self.remove(Target::Index(e.0), e.1.clone());
        }
        for e in after.iter().filter(|e| !before.contains(e)) {
            self.put(Target::Index(e.0), e.1.clone(), Vec::new());
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}

pub struct Store {
    db: sled::Db,
    dir: PathBuf,
    /// Every tree, in the order of `slot`; a transaction spans them all.
    trees: Vec<Tree>,
    db_file: File,
    writer: Mutex<()>,
    /// Set once, by the first failed flush or fsync: why saves are stopped.
    failed: OnceLock<String>,
    /// Blob files fsynced so far, with the length they had then (sled appends a blob in
    /// several writes; a file seen half-written is synced again once it has grown).
    blobs: Mutex<HashMap<OsString, u64>>,
    /// Blob files fsynced, for the tests.
    blob_syncs: AtomicU64,
    /// A fault injected by a test, run between the flush and the fsync.
    fault: Mutex<Option<SyncFault>>,
    /// While a snapshot copies: the (tree slot, key) of every write applied since it began
    /// (see `snapshot.rs`). None when no snapshot runs.
    dirty: Mutex<Option<snapshot::Dirty>>,
    /// One snapshot at a time (they share `dirty`).
    snapshotting: Mutex<()>,
    /// Test-only: called at a snapshot's patch moment, under the writer lock.
    patch_hook: Mutex<Option<snapshot::PatchHook>>,
}

/// A record by id, or why it does not decode.
pub type RecordOrDamage = (u64, Result<Record, StoreError>);

/// A test's stand-in for the disk's answer to a sync.
type SyncFault = Box<dyn Fn() -> std::io::Result<()> + Send + Sync>;

/// The message of a store that stopped saving, in both languages, Bulgarian first.
pub const READ_ONLY_BG: &str =
    "Дискът отказа запис; записването е спряно, обадете се на администратора.";
pub const READ_ONLY_EN: &str =
    "The disk refused a write; saves are stopped, call the administrator.";

fn slot(target: Target) -> usize {
    let kinds = Kind::ALL.len();
    let idx = Index::ALL.len();
    match target {
        Target::Record(k) => Kind::ALL.iter().position(|x| *x == k).unwrap_or(0),
        Target::Index(i) => kinds + Index::ALL.iter().position(|x| *x == i).unwrap_or(0),
        Target::Meta => kinds + idx,
        Target::Audit => kinds + idx + 1,
        Target::Settings => kinds + idx + 2,
        Target::Drafts => kinds + idx + 3,
    }
}

fn tree_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = Kind::ALL.iter().map(|k| k.tree()).collect();
    names.extend(Index::ALL.iter().map(|i| i.tree()));
    names.extend(["meta", "audit", "settings", "drafts"]);
    names
}

/// How to treat a directory that holds no database yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Only an existing database.
    Existing,
    /// Create an empty one if there is none.
    CreateIfMissing,
}

fn map_open_error(e: sled::Error, dir: &Path) -> StoreError {
    match &e {
        sled::Error::Io(io) if io.to_string().contains("could not acquire lock") => {
            StoreError::Locked {
                dir: dir.to_path_buf(),
            }
        }
        _ => StoreError::from(e),
    }
}

/// How long a lock held by a closing instance may take to go: sled releases its file lock from
/// background threads shortly after the database is dropped.
const LOCK_PATIENCE: std::time::Duration = std::time::Duration::from_millis(1500);

fn open_sled(dir: &Path) -> Result<sled::Db, StoreError> {
    let start = std::time::Instant::now();
    loop {
        match sled::Config::new()
            .path(dir)
            .cache_capacity(CACHE_BYTES)
            .open()
            .map_err(|e| map_open_error(e, dir))
        {
            Err(StoreError::Locked { .. }) if start.elapsed() < LOCK_PATIENCE => {
                std::thread::sleep(std::time::Duration::from_millis(25));
            }
            other => return other,
        }
    }
}

fn is_empty_dir(dir: &Path) -> std::io::Result<bool> {
    Ok(std::fs::read_dir(dir)?.next().is_none())
}

impl Store {
    /// Opens the database in `dir`. Returns the store and whether it was just created (then the
    /// caller must `initialise` it).
    pub fn open(dir: &Path, mode: OpenMode) -> Result<(Store, bool), StoreError> {
        let exists = dir.exists();
        if exists && !dir.is_dir() {
            return Err(StoreError::Foreign {
                dir: dir.to_path_buf(),
            });
        }
        let empty = !exists || is_empty_dir(dir)?;
        if empty && mode == OpenMode::Existing {
            return Err(StoreError::NotFound {
                dir: dir.to_path_buf(),
            });
        }
        // A non-empty directory must look like a sled database before we let sled write to it.
        let looks_like_sled = dir.join("conf").is_file() && dir.join("db").is_file();
        if !empty && !looks_like_sled {
            return Err(StoreError::Foreign {
                dir: dir.to_path_buf(),
            });
        }
        if empty {
            // Every full identifier is in here: nobody but the program's user may enter.
            use std::os::unix::fs::DirBuilderExt;
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)?;
        }
        let db = open_sled(dir)?;
        let trees = tree_names()
            .into_iter()
            .map(|n| db.open_tree(n))
            .collect::<Result<Vec<_>, _>>()?;
        let db_file = File::open(dir.join("db"))?;
        let store = Store {
            db,
            dir: dir.to_path_buf(),
            trees,
            db_file,
            writer: Mutex::new(()),
            failed: OnceLock::new(),
            blobs: Mutex::new(HashMap::new()),
            blob_syncs: AtomicU64::new(0),
            fault: Mutex::new(None),
            dirty: Mutex::new(None),
            snapshotting: Mutex::new(()),
            patch_hook: Mutex::new(None),
        };
        let meta = store.tree(Target::Meta);
        let created = match meta.get(MAGIC_KEY)? {
            Some(m) if m.as_ref() == MAGIC_VALUE => false,
            Some(_) => {
                return Err(StoreError::Foreign {
                    dir: dir.to_path_buf(),
                })
            }
            None => {
                // Ours only if nothing at all was written (an interrupted first start).
                let untouched = store.trees.iter().all(|t| t.is_empty()) && store.db.is_empty();
                if !untouched || mode == OpenMode::Existing {
                    return Err(if untouched {
                        StoreError::NotFound {
                            dir: dir.to_path_buf(),
                        }
                    } else {
                        StoreError::Foreign {
                            dir: dir.to_path_buf(),
                        }
                    });
                }
                true
            }
        };
        if !created {
            store.migrate()?;
        }
        if empty {
            // The directory entry itself must survive a power cut too.
            File::open(dir)?.sync_all()?;
        }
        Ok((store, created))
    }

    /// Adds the marker and schema to a first write set, so a database is ours only once its
    /// first command (settings, first administrator) is committed with it.
    pub fn mark_initialised(ws: &mut WriteSet) {
        ws.put(Target::Meta, MAGIC_KEY.to_vec(), MAGIC_VALUE.to_vec());
        ws.put(
            Target::Meta,
            SCHEMA_KEY.to_vec(),
            schema::SCHEMA.to_be_bytes().to_vec(),
        );
    }

    pub fn schema_version(&self) -> Result<u32, StoreError> {
        Ok(match self.tree(Target::Meta).get(SCHEMA_KEY)? {
            Some(v) if v.len() == 4 => u32::from_be_bytes([v[0], v[1], v[2], v[3]]),
            _ => 0,
        })
    }

    /// Brings an older schema up to date; refuses a newer one.
    fn migrate(&self) -> Result<(), StoreError> {
        let found = self.schema_version()?;
        if found > schema::SCHEMA {
            return Err(StoreError::NewerSchema {
                found,
                known: schema::SCHEMA,
            });
        }
        if found < 1 {
            return Err(StoreError::Foreign {
                dir: self.dir.clone(),
            });
        }
        // One committed step per version: its values rewritten and synced, then the schema
        // number set and synced. A step cut short is run again whole on the next open.
        if found < 2 {
            self.upgrade_envelopes()?;
            self.set_schema(2)?;
        }
        if found < 3 {
            self.build_due_index()?;
            self.set_schema(3)?;
        }
        if found < 4 {
            self.fix_report_facts()?;
            self.set_schema(4)?;
        }
        Ok(())
    }

    /// Schema 4: every accepted report without facts gets them from its agreement, the
    /// agreement's assistant and substitute and the settings' rates as they stand now: what
    /// the payroll paid the moment before the upgrade, fixed from then on. Done on open, not
    /// on a read, so no read ever writes and no report is paid by today's agreement after
    /// it. Meta (rev, author) stays: the report itself did not change. A report whose
    /// agreement or assistant is gone is left for `check` to report.
    fn fix_report_facts(&self) -> Result<(), StoreError> {
        use crate::domain::report::{Payee, ReportFacts, ReportStatus};
        const PAGE: usize = 512;
        let rates = self
            .settings()?
            .map(|s| s.settings.pay_rates)
            .unwrap_or_default();
        let payee = |id: u64| -> Result<Option<Payee>, StoreError> {
            Ok(match self.get(Kind::Assistant, id)? {
                Some(Record {
                    body: Body::Assistant(a),
                    ..
                }) => Some(Payee::of(id, &a)),
                _ => None,
            })
        };
        let tree = self.tree(Target::Record(Kind::Report));
        let mut after = None;
        loop {
            let page = self.record_page(Kind::Report, after, PAGE)?;
            let Some((last, _)) = page.last() else { break };
            after = Some(*last);
            let mut batch = sled::Batch::default();
            for (id, record) in page {
                let Ok(mut record) = record else { continue };
                let Body::Report(r) = &mut record.body else {
                    continue;
                };
                if r.status != ReportStatus::Accepted || r.facts.is_some() {
                    continue;
                }
                let Some(Record {
                    body: Body::Agreement(a),
                    meta,
                }) = self.get(Kind::Agreement, r.agreement)?
                else {
                    continue;
                };
                let Some(assistant) = payee(a.assistant)? else {
                    continue;
                };
                let substitute = match a.substitute {
                    Some(s) => payee(s)?,
                    None => None,
                };
                r.facts = Some(ReportFacts::fix(
                    r, &a, meta.rev, assistant, substitute, &rates,
                ));
                let bytes = schema::encode_record(&record).map_err(|err| StoreError::Codec {
                    tree: Kind::Report.tree().into(),
                    key: id.to_string(),
                    err,
                })?;
                batch.insert(&id.to_be_bytes(), bytes);
            }
            tree.apply_batch(batch)?;
        }
        self.sync()
    }

    /// Schema 3: the due-date index (`idx_due`) built from the records that carry a deadline,
    /// a page at a time. Damaged records are left for `check` to report.
    fn build_due_index(&self) -> Result<(), StoreError> {
        const PAGE: usize = 512;
        let due = self.tree(Target::Index(Index::Due));
        for kind in [
            Kind::Person,
            Kind::Intake,
            Kind::Referral,
            Kind::DspDecision,
            Kind::Application,
            Kind::Agreement,
            Kind::Contract,
        ] {
            let mut after = None;
            loop {
                let page = self.record_page(kind, after, PAGE)?;
                let Some((last, _)) = page.last() else { break };
                after = Some(*last);
                let mut batch = sled::Batch::default();
                for (_, record) in page {
                    let Ok(record) = record else { continue };
                    if let Some((class, date)) = index::due_of(&record) {
                        let key = index::key(&index::due_prefix(class, date), kind, record.id());
                        batch.insert(key, Vec::new());
                    }
                }
                due.apply_batch(batch)?;
            }
        }
        self.sync()
    }

    fn set_schema(&self, version: u32) -> Result<(), StoreError> {
        self.tree(Target::Meta)
            .insert(SCHEMA_KEY, &version.to_be_bytes())?;
        self.sync()
    }

    /// Schema 2: every value rewritten from envelope format 1 to format 2 (whose CRC covers the
    /// header), a page at a time. Values already converted are skipped, damaged ones left for
    /// `check` to report.
    fn upgrade_envelopes(&self) -> Result<(), StoreError> {
        const PAGE: usize = 512;
        let valued = Kind::ALL.iter().map(|k| Target::Record(*k)).chain([
            Target::Audit,
            Target::Settings,
            Target::Drafts,
        ]);
        for target in valued {
            let tree = self.tree(target);
            let mut after: Option<sled::IVec> = None;
            loop {
                let range = match &after {
                    Some(k) => tree.range::<&[u8], _>((
                        std::ops::Bound::Excluded(k.as_ref()),
                        std::ops::Bound::Unbounded,
                    )),
                    None => tree.iter(),
                };
                let page = range.take(PAGE).collect::<Result<Vec<_>, _>>()?;
                let Some((last, _)) = page.last() else { break };
                after = Some(last.clone());
                let mut batch = sled::Batch::default();
                for (k, v) in &page {
                    if let Some(new) = codec::upgrade(v) {
                        batch.insert(k, new);
                    }
                }
                tree.apply_batch(batch)?;
            }
        }
        self.sync()
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn tree(&self, target: Target) -> &Tree {
        &self.trees[slot(target)]
    }

    /// Commands are applied one at a time: a writer holds this while it reads what it needs,
    /// builds its write set and commits.
    pub fn writer(&self) -> MutexGuard<'_, ()> {
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A fresh record id (unique across kinds, never reused).
    pub fn new_id(&self) -> Result<u64, StoreError> {
        Ok(self.db.generate_id()? + 1)
    }

    /// Applies the write set atomically, then makes it durable. Only after this returns may a
    /// save be acknowledged.
    pub fn commit(&self, ws: WriteSet) -> Result<(), StoreError> {
        if ws.is_empty() {
            return Ok(());
        }
        self.apply(ws)?;
        self.sync()
    }

    /// Applies the write set atomically, in memory only: the caller makes it durable with
    /// `sync` (or a group commit) before acknowledging it. Refused once a sync has failed.
    /// Callers hold the writer lock (a snapshot's patch moment relies on it).
    pub fn apply(&self, ws: WriteSet) -> Result<(), StoreError> {
        if ws.is_empty() {
            return Ok(());
        }
        self.writable()?;
        let ops = ws.ops;
        let result = self.trees.as_slice().transaction(|tx| {
            for (target, key, value) in &ops {
                let t = &tx[slot(*target)];
                match value {
                    Some(v) => t.insert(key.as_slice(), v.as_slice())?,
                    None => t.remove(key.as_slice())?,
                };
            }
            Ok::<(), sled::transaction::ConflictableTransactionError<()>>(())
        });
        // After the writes are visible, so a snapshot that reads a key before this point has
        // it recorded for a later patch round (whatever the outcome: a key too many is harmless).
        self.record_dirty(ops.iter().map(|(t, k, _)| (slot(*t), k)));
        match result {
            Ok(()) => Ok(()),
            // sled refused a write (a full disk, a failed blob write): what it kept of the
            // transaction in memory is no longer known, so nothing more is saved.
            Err(TransactionError::Storage(e)) => Err(self.stop(e.into())),
            Err(TransactionError::Abort(())) => Err(StoreError::Sled("transaction aborted".into())),
        }
    }

    /// Stops saves for good after `e`, logging it once; returns the error to answer with.
    fn stop(&self, e: StoreError) -> StoreError {
        let why = e.to_string();
        if self.failed.set(why.clone()).is_ok() {
            tracing::error!(
                dir = %self.dir.display(),
                error = %why,
                "{READ_ONLY_EN} (a write, flush or fsync failed)"
            );
        }
        StoreError::ReadOnly { why }
    }

    /// Refuses with `ReadOnly` once a sync has failed.
    pub fn writable(&self) -> Result<(), StoreError> {
        match self.failed.get() {
            Some(why) => Err(StoreError::ReadOnly { why: why.clone() }),
            None => Ok(()),
        }
    }

    /// Why saves are stopped, once a flush or fsync has failed.
    pub fn read_only(&self) -> Option<&str> {
        self.failed.get().map(String::as_str)
    }

    /// `flush`, then `fsync` of every blob file not yet synced, of `blobs/` when its entries
    /// changed, and of the database file. A failure is final: the store turns read-only and
    /// this never touches the disk again (see the module comment).
    pub fn sync(&self) -> Result<(), StoreError> {
        self.writable()?;
        self.sync_once().map_err(|e| self.stop(e))
    }

    fn sync_once(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        if let Some(fault) = &*self.fault.lock().unwrap_or_else(|p| p.into_inner()) {
            fault()?;
        }
        self.sync_blobs()?;
        self.db_file.sync_all()?;
        Ok(())
    }

    /// Fsyncs each blob file that is new or has grown since it was last synced, then the
    /// directory if a file appeared or went.
    fn sync_blobs(&self) -> Result<(), StoreError> {
        let dir = self.dir.join("blobs");
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        let mut synced = self.blobs.lock().unwrap_or_else(|p| p.into_inner());
        let mut seen = HashMap::with_capacity(synced.len());
        let mut dir_changed = false;
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name();
            let gone = |e: &std::io::Error| e.kind() == std::io::ErrorKind::NotFound;
            // A stat, not an open, for the files synced already at this length.
            let len = match entry.metadata() {
                Ok(m) => m.len(),
                Err(e) if gone(&e) => continue, // collected by sled's blob GC meanwhile
                Err(e) => return Err(e.into()),
            };
            if synced.get(&name) != Some(&len) {
                dir_changed |= !synced.contains_key(&name);
                match File::open(entry.path()) {
                    Ok(f) => f.sync_all()?,
                    Err(e) if gone(&e) => continue,
                    Err(e) => return Err(e.into()),
                }
                self.blob_syncs.fetch_add(1, Ordering::Relaxed);
            }
            seen.insert(name, len);
        }
        dir_changed |= synced.keys().any(|k| !seen.contains_key(k));
        if dir_changed {
            File::open(&dir)?.sync_all()?;
        }
        *synced = seen;
        Ok(())
    }

    /// Makes every later sync call `fault` between the flush and the fsync; an error from it
    /// is a failed sync.
    #[doc(hidden)]
    pub fn set_sync_fault_for_test(
        &self,
        fault: impl Fn() -> std::io::Result<()> + Send + Sync + 'static,
    ) {
        *self.fault.lock().unwrap_or_else(|p| p.into_inner()) = Some(Box::new(fault));
    }

    /// Makes every later sync fail as a disk refusing the write would.
    #[doc(hidden)]
    pub fn fail_syncs_for_test(&self) {
        self.set_sync_fault_for_test(|| {
            Err(std::io::Error::other("injected: fsync failed (test)"))
        });
    }

    /// Blob files fsynced so far, and those known synced with their lengths.
    #[doc(hidden)]
    pub fn blob_syncs_for_test(&self) -> (u64, HashMap<OsString, u64>) {
        (
            self.blob_syncs.load(Ordering::Relaxed),
            self.blobs.lock().unwrap_or_else(|p| p.into_inner()).clone(),
        )
    }

    pub fn get(&self, kind: Kind, id: u64) -> Result<Option<Record>, StoreError> {
        match self.tree(Target::Record(kind)).get(id.to_be_bytes())? {
            Some(bytes) => Ok(Some(decode(kind, id, &bytes)?)),
            None => Ok(None),
        }
    }

    /// Records of a kind in id order, starting after `after`.
    pub fn scan(
        &self,
        kind: Kind,
        after: Option<u64>,
    ) -> impl Iterator<Item = Result<Record, StoreError>> + '_ {
        let start = after.map_or(0, |a| a.saturating_add(1));
        self.tree(Target::Record(kind))
            .range(start.to_be_bytes()..)
            .map(move |item| {
                let (k, v) = item?;
                let id = key_id(&k);
                decode(kind, id, &v)
            })
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.tree(Target::Record(kind)).len()
    }

    /// Index entries whose key starts with `prefix`, as (kind, id), in key order.
    pub fn index_scan(
        &self,
        index: Index,
        prefix: &[u8],
    ) -> impl Iterator<Item = Result<(Kind, u64), StoreError>> + '_ {
        self.tree(Target::Index(index))
            .scan_prefix(prefix)
            .keys()
            .filter_map(|k| match k {
                Ok(k) => index::split(&k).map(|(_, kind, id)| Ok((kind, id))),
                Err(e) => Some(Err(e.into())),
            })
    }

    /// Raw index keys that start with `prefix`, in key order.
    pub fn index_scan_keys(
        &self,
        index: Index,
        prefix: &[u8],
    ) -> impl Iterator<Item = Result<impl AsRef<[u8]>, StoreError>> + '_ {
        self.tree(Target::Index(index))
            .scan_prefix(prefix)
            .keys()
            .map(|k| k.map_err(StoreError::from))
    }

    /// Up to `limit` records of a kind after `after`, each with its id (a damaged one as its
    /// error), for walks that must go on past damage (`check`).
    pub fn record_page(
        &self,
        kind: Kind,
        after: Option<u64>,
        limit: usize,
    ) -> Result<Vec<RecordOrDamage>, StoreError> {
        let start = match after {
            Some(a) => match a.checked_add(1) {
                Some(s) => s,
                None => return Ok(Vec::new()),
            },
            None => 0,
        };
        self.tree(Target::Record(kind))
            .range(start.to_be_bytes()..)
            .take(limit)
            .map(|item| {
                let (k, v) = item?;
                let id = key_id(&k);
                Ok((id, decode(kind, id, &v)))
            })
            .collect()
    }

    /// Up to `limit` raw keys of an index tree after `after`, in key order.
    pub fn index_page(
        &self,
        index: Index,
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        use std::ops::Bound::{Excluded, Unbounded};
        let tree = self.tree(Target::Index(index));
        let keys = match after {
            Some(a) => tree.range::<&[u8], _>((Excluded(a), Unbounded)),
            None => tree.iter(),
        };
        keys.keys()
            .take(limit)
            .map(|k| k.map(|k| k.to_vec()).map_err(StoreError::from))
            .collect()
    }

    /// Index entries with keys from `from` up to (not including) `to`, as (kind, id) with
    /// the key's prefix, in key order.
    pub fn index_range(
        &self,
        index: Index,
        from: &[u8],
        to: &[u8],
    ) -> impl Iterator<Item = Result<(Vec<u8>, Kind, u64), StoreError>> + '_ {
        self.tree(Target::Index(index))
            .range(from..to)
            .keys()
            .filter_map(|k| match k {
                Ok(k) => index::split(&k).map(|(prefix, kind, id)| Ok((prefix.to_vec(), kind, id))),
                Err(e) => Some(Err(e.into())),
            })
    }

    pub fn has_index_key(&self, index: Index, key: &[u8]) -> Result<bool, StoreError> {
        Ok(self.tree(Target::Index(index)).contains_key(key)?)
    }

    pub fn meta_get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.tree(Target::Meta).get(key)?.map(|v| v.to_vec()))
    }

    /// Reads a counter kept in the meta tree (0 when absent).
    pub fn counter(&self, name: &str) -> Result<u64, StoreError> {
        Ok(match self.meta_get(name.as_bytes())? {
            Some(v) if v.len() == 8 => {
                u64::from_be_bytes(v.as_slice().try_into().unwrap_or([0; 8]))
            }
            _ => 0,
        })
    }

    /// Takes the next value of a counter, counting what this write set already took.
    pub fn next_counter(&self, ws: &mut WriteSet, name: &str) -> Result<u64, StoreError> {
        let current = match ws.counters.get(name) {
            Some(n) => *n,
            None => self.counter(name)?,
        };
        let next = current + 1;
        ws.counters.insert(name.to_string(), next);
        ws.put(
            Target::Meta,
            name.as_bytes().to_vec(),
            next.to_be_bytes().to_vec(),
        );
        Ok(next)
    }

    pub fn settings(&self) -> Result<Option<VersionedSettings>, StoreError> {
        match self.tree(Target::Settings).get(SETTINGS_KEY)? {
            Some(b) => schema::decode_settings(&b)
                .map(Some)
                .map_err(|err| StoreError::Codec {
                    tree: "settings".into(),
                    key: "settings".into(),
                    err,
                }),
            None => Ok(None),
        }
    }

    pub fn put_settings(ws: &mut WriteSet, s: &VersionedSettings) -> Result<(), StoreError> {
        let bytes = schema::encode_settings(s).map_err(|err| StoreError::Codec {
            tree: "settings".into(),
            key: "settings".into(),
            err,
        })?;
        ws.put(Target::Settings, SETTINGS_KEY.to_vec(), bytes);
        Ok(())
    }

    /// The last audit entry's sequence number and hash (0 and zeros when the log is empty).
    pub fn audit_head(&self) -> Result<(u64, [u8; 32]), StoreError> {
        Ok(match self.meta_get(AUDIT_HEAD_KEY)? {
            Some(v) if v.len() == 40 => {
                let seq = u64::from_be_bytes(v[0..8].try_into().unwrap_or([0; 8]));
                let mut hash = [0u8; 32];
                hash.copy_from_slice(&v[8..40]);
                (seq, hash)
            }
            _ => (0, [0; 32]),
        })
    }

    /// Appends a sealed entry to the audit log within the write set, moving the head.
    pub fn append_audit(&self, ws: &mut WriteSet, mut entry: AuditEntry) -> Result<(), StoreError> {
        let (seq, prev) = match ws.audit_head {
            Some(head) => head,
            None => self.audit_head()?,
        };
        entry = entry.seal(seq + 1, prev);
        ws.audit_head = Some((entry.seq, entry.hash));
        let entry = &entry;
        let bytes = schema::encode_audit(entry).map_err(|err| StoreError::Codec {
            tree: "audit".into(),
            key: entry.seq.to_string(),
            err,
        })?;
        ws.put(Target::Audit, entry.seq.to_be_bytes().to_vec(), bytes);
        let mut head = entry.seq.to_be_bytes().to_vec();
        head.extend_from_slice(&entry.hash);
        ws.put(Target::Meta, AUDIT_HEAD_KEY.to_vec(), head);
        Ok(())
    }

    /// Audit entries in order, starting after `after`.
    pub fn audit(
        &self,
        after: Option<u64>,
    ) -> impl Iterator<Item = Result<AuditEntry, StoreError>> + '_ {
        let start = after.map_or(0, |a| a.saturating_add(1));
        self.tree(Target::Audit)
            .range(start.to_be_bytes()..)
            .map(|item| {
                let (k, v) = item?;
                schema::decode_audit(&v).map_err(|err| StoreError::Codec {
                    tree: "audit".into(),
                    key: key_id(&k).to_string(),
                    err,
                })
            })
    }
}

/// A clerk's drafts live under "login\0key".
fn draft_key(login: &str, key: &str) -> Vec<u8> {
    let mut k = login.as_bytes().to_vec();
    k.push(0);
    k.extend_from_slice(key.as_bytes());
    k
}

impl Store {
    pub fn put_draft(ws: &mut WriteSet, login: &str, draft: &Draft) -> Result<(), StoreError> {
        let bytes =
            codec::encode(schema::DRAFT_CODE, schema::DRAFT_VERSION, draft).map_err(|err| {
                StoreError::Codec {
                    tree: "drafts".into(),
                    key: draft.key.clone(),
                    err,
                }
            })?;
        ws.put(Target::Drafts, draft_key(login, &draft.key), bytes);
        Ok(())
    }

    pub fn remove_draft(ws: &mut WriteSet, login: &str, key: &str) {
        ws.remove(Target::Drafts, draft_key(login, key));
    }

    pub fn has_draft(&self, login: &str, key: &str) -> Result<bool, StoreError> {
        Ok(self
            .tree(Target::Drafts)
            .contains_key(draft_key(login, key))?)
    }

    /// A clerk's drafts, oldest key first.
    pub fn drafts(&self, login: &str) -> Result<Vec<Draft>, StoreError> {
        let mut out = Vec::new();
        for item in self.tree(Target::Drafts).scan_prefix(draft_key(login, "")) {
            let (k, v) = item?;
            let draft =
                codec::decode(schema::DRAFT_CODE, schema::DRAFT_VERSION, &v).map_err(|err| {
                    StoreError::Codec {
                        tree: "drafts".into(),
                        key: String::from_utf8_lossy(&k).into_owned(),
                        err,
                    }
                })?;
            out.push(draft);
        }
        Ok(out)
    }
}

fn key_id(k: &[u8]) -> u64 {
    k.try_into().map(u64::from_be_bytes).unwrap_or(0)
}

fn decode(kind: Kind, id: u64, bytes: &[u8]) -> Result<Record, StoreError> {
    schema::decode_record(kind, bytes).map_err(|err| StoreError::Codec {
        tree: kind.tree().into(),
        key: id.to_string(),
        err,
    })
}
