//! Snapshots: every tree's key/value pairs in one file of our own format, consistent as of one
//! moment, written without stopping saves, and restored only into a directory that holds no
//! database.
//!
//! sled 0.34 has no snapshot isolation for iteration, so a copy made while saves go on is not one
//! state. Instead, while a snapshot runs, every write set applied records its (tree, key) pairs
//! into a dirty set (`Store::apply`). The trees are copied without the writer lock; then the
//! dirty keys are read again and appended as a patch (their current value, or a tombstone), in
//! rounds without the lock while many keys changed, and a last round under the writer lock. So
//! saves wait only for that last round, and copy + patches give exactly the state at it: a key
//! never written since the snapshot began was read as it is; a key written was recorded after
//! its write became visible, so it is read again in a round that starts after that write.
//!
//! Format 2 (integers big-endian): magic `FOSNAPSH`, format u16, schema u32, created i64
//! (seconds, the service clock); then per tree `T` name-len u16 name, entries `E` key-len u32
//! key value-len u32 value, and `Z` entry-count u64; then patch entries `P` name-len u16 name
//! key-len u32 key and `V` value-len u32 value or `X` (removed), later ones winning; then `H`
//! next id u64, audit head sequence u64 and hash (32 bytes), the state at the patch moment; then
//! `$` and a CRC32 over everything before it. Format 1 (still read) has the next id after the
//! creation time, no patches and no `H`. A file is checked whole (CRC, frames, known trees, no
//! trailing bytes) before anything is written from it.

use super::{error::StoreError, schema, tree_names, OpenMode, Store, MAGIC_KEY, MAGIC_VALUE};
use crate::domain::{Explain, Lang};
use chrono::{DateTime, NaiveDateTime};
use std::{
    collections::{BTreeMap, HashSet},
    fs::{self, File, OpenOptions},
    io::{self, BufWriter, Read, Write},
    os::unix::fs::OpenOptionsExt,
    path::{Path, PathBuf},
};

pub const MAGIC: &[u8; 8] = b"FOSNAPSH";
pub const FORMAT: u16 = 2;
/// The first format, without patches or the audit head (still read).
const FORMAT_1: u16 = 1;
/// `H`, next id, audit sequence and hash, `$`, CRC32: the fixed tail of a format 2 file.
const TAIL: usize = 1 + 8 + 8 + 32 + 1 + 4;
/// Patch rounds run without the writer lock while more keys than this changed meanwhile.
const LOCKED_ROUND_KEYS: usize = 1000;
/// Rounds without the lock before the last one (a write load faster than re-reading).
const MAX_ROUNDS: usize = 16;

/// The (tree slot, key) of every write applied while a snapshot runs.
pub(super) type Dirty = HashSet<(usize, Vec<u8>)>;
/// Where a snapshot is when a test's hook is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// This tree is copied (no lock held: the hook may save).
    Copied(&'static str),
    /// The last patch round is written, under the writer lock (the hook must not save).
    PatchMoment,
}

/// A test's look at the store while a snapshot runs.
pub(super) type PatchHook = Box<dyn Fn(&Store, Stage) + Send + Sync>;
/// The file name ending of snapshots and backups.
pub const EXTENSION: &str = "fosnap";

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("not a frontoffice snapshot")]
    NotASnapshot,
    #[error("snapshot format {found} is not known (this program reads up to {FORMAT})")]
    UnknownFormat { found: u16 },
    #[error("the snapshot is damaged: {0}")]
    Damaged(String),
    #[error("snapshot schema {found} is newer than this program knows ({known})")]
    NewerSchema { found: u32, known: u32 },
    #[error("{dir} already holds files")]
    TargetNotEmpty { dir: PathBuf },
    #[error("{0}")]
    Store(#[from] StoreError),
}

impl From<io::Error> for SnapshotError {
    fn from(e: io::Error) -> Self {
        SnapshotError::Store(StoreError::Io(e.to_string()))
    }
}

impl Explain for SnapshotError {
    fn explain(&self, lang: Lang) -> String {
        use SnapshotError::*;
        match (self, lang) {
            (NotASnapshot, Lang::Bg) => {
                "Файлът не е резервно копие на frontoffice; нищо не е записано.".into()
            }
            (NotASnapshot, Lang::En) => {
                "The file is not a frontoffice backup; nothing was written.".into()
            }
            (UnknownFormat { found }, Lang::Bg) => format!(
                "Резервното копие е във формат {found}, а тази програма чете до формат {FORMAT}. \
                 Обновете frontoffice; нищо не е записано."
            ),
            (UnknownFormat { found }, Lang::En) => format!(
                "The backup is in format {found}; this program reads up to format {FORMAT}. \
                 Update frontoffice; nothing was written."
            ),
            (Damaged(what), Lang::Bg) => format!(
                "Резервното копие е повредено ({what}); нищо не е записано. Използвайте друго копие."
            ),
            (Damaged(what), Lang::En) => format!(
                "The backup is damaged ({what}); nothing was written. Use another copy."
            ),
            (NewerSchema { found, known }, Lang::Bg) => format!(
                "Резервното копие е от по-нова версия (схема {found}, познавам до {known}). \
                 Обновете frontoffice; нищо не е записано."
            ),
            (NewerSchema { found, known }, Lang::En) => format!(
                "The backup is from a newer version (schema {found}; this program knows up to \
                 {known}). Update frontoffice; nothing was written."
            ),
            (TargetNotEmpty { dir }, Lang::Bg) => format!(
                "В {} вече има файлове. Възстановяване става само в празна или несъществуваща \
                 папка, за да не се загуби база; посочете друга с --db.",
                dir.display()
            ),
            (TargetNotEmpty { dir }, Lang::En) => format!(
                "{} already holds files. A restore goes only into an empty or new directory, so \
                 that no database is lost; name another with --db.",
                dir.display()
            ),
            (Store(e), lang) => e.explain(lang),
        }
    }
}

/// A writer that keeps the CRC32 and length of what went through it.
struct Summing<W: Write> {
    inner: W,
    crc: crc32fast::Hasher,
    len: u64,
}

impl<W: Write> Write for Summing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.crc.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn len_u16(n: usize) -> io::Result<u16> {
    u16::try_from(n).map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "name too long"))
}

fn len_u32(n: usize) -> io::Result<u32> {
    u32::try_from(n).map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "value too long"))
}

/// Recording of dirty keys for one snapshot; stops when dropped (a failed snapshot too).
struct Recording<'a>(&'a Store);

impl<'a> Recording<'a> {
    /// Starts recording under the writer lock, so no write set is half recorded.
    fn start(store: &'a Store) -> Recording<'a> {
        let _writer = store.writer();
        *store.dirty.lock().unwrap_or_else(|p| p.into_inner()) = Some(Dirty::new());
        Recording(store)
    }

    fn len(&self) -> usize {
        self.0
            .dirty
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .map_or(0, HashSet::len)
    }

    /// The keys recorded so far; recording goes on into a fresh set.
    fn swap(&self) -> Dirty {
        let mut dirty = self.0.dirty.lock().unwrap_or_else(|p| p.into_inner());
        dirty.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// The keys recorded so far; recording stops. Called under the writer lock.
    fn finish(&self) -> Dirty {
        let mut dirty = self.0.dirty.lock().unwrap_or_else(|p| p.into_inner());
        dirty.take().unwrap_or_default()
    }
}

impl Drop for Recording<'_> {
    fn drop(&mut self) {
        *self.0.dirty.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

fn frame_name(out: &mut impl Write, name: &str) -> io::Result<()> {
    out.write_all(&len_u16(name.len())?.to_be_bytes())?;
    out.write_all(name.as_bytes())
}

fn frame_bytes(out: &mut impl Write, b: &[u8]) -> io::Result<()> {
    out.write_all(&len_u32(b.len())?.to_be_bytes())?;
    out.write_all(b)
}

impl Store {
    /// Records the keys of a write set just applied, while a snapshot runs.
    pub(super) fn record_dirty<'k>(&self, keys: impl Iterator<Item = (usize, &'k Vec<u8>)>) {
        let mut dirty = self.dirty.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(set) = dirty.as_mut() {
            set.extend(keys.map(|(slot, k)| (slot, k.clone())));
        }
    }

    /// Writes a consistent snapshot of every tree to `w`: the state at its patch moment (see the
    /// module comment), then made durable. Saves go on while it copies and wait only for the
    /// last patch round. Returns the bytes written.
    pub fn snapshot(&self, w: impl Write, created: NaiveDateTime) -> Result<u64, StoreError> {
        let _one = self.snapshotting.lock().unwrap_or_else(|p| p.into_inner());
        let names = tree_names();
        let recording = Recording::start(self);
        let mut out = Summing {
            inner: w,
            crc: crc32fast::Hasher::new(),
            len: 0,
        };
        out.write_all(MAGIC)?;
        out.write_all(&FORMAT.to_be_bytes())?;
        out.write_all(&self.schema_version()?.to_be_bytes())?;
        out.write_all(&created.and_utc().timestamp().to_be_bytes())?;
        for (name, tree) in names.iter().zip(&self.trees) {
            out.write_all(b"T")?;
            frame_name(&mut out, name)?;
            let mut count = 0u64;
            for item in tree.iter() {
                let (k, v) = item?;
                out.write_all(b"E")?;
                frame_bytes(&mut out, &k)?;
                frame_bytes(&mut out, &v)?;
                count += 1;
            }
            out.write_all(b"Z")?;
            out.write_all(&count.to_be_bytes())?;
            self.snapshot_hook(Stage::Copied(name));
        }
        for _ in 0..MAX_ROUNDS {
            if recording.len() <= LOCKED_ROUND_KEYS {
                break;
            }
            self.write_patch(&mut out, &names, recording.swap())?;
        }
        let (next_id, (seq, hash)) = {
            let _writer = self.writer();
            self.write_patch(&mut out, &names, recording.finish())?;
            self.snapshot_hook(Stage::PatchMoment);
            // sled's id generator lives outside the trees: a restore must start past it.
            (self.db.generate_id()?, self.audit_head()?)
        };
        drop(recording);
        out.write_all(b"H")?;
        out.write_all(&next_id.to_be_bytes())?;
        out.write_all(&seq.to_be_bytes())?;
        out.write_all(&hash)?;
        out.write_all(b"$")?;
        let crc = out.crc.clone().finalize();
        out.inner.write_all(&crc.to_be_bytes())?;
        out.flush()?;
        // The state copied may hold saves applied but not yet synced: make it durable, so a
        // snapshot never holds what a failed fsync left unacknowledged. A store whose saves
        // stopped is copied as it is (that copy is what the administrator needs then).
        if self.read_only().is_none() {
            self.sync()?;
        }
        Ok(out.len + 4)
    }

    /// The current value (or a tombstone) of each key, in tree and key order.
    fn write_patch(
        &self,
        out: &mut impl Write,
        names: &[&str],
        keys: Dirty,
    ) -> Result<(), StoreError> {
        let mut keys: Vec<_> = keys.into_iter().collect();
        keys.sort_unstable();
        for (slot, key) in keys {
            out.write_all(b"P")?;
            frame_name(out, names[slot])?;
            frame_bytes(out, &key)?;
            match self.trees[slot].get(&key)? {
                Some(v) => {
                    out.write_all(b"V")?;
                    frame_bytes(out, &v)?;
                }
                None => out.write_all(b"X")?,
            }
        }
        Ok(())
    }

    fn snapshot_hook(&self, stage: Stage) {
        if let Some(hook) = &*self.patch_hook.lock().unwrap_or_else(|p| p.into_inner()) {
            hook(self, stage);
        }
    }

    /// Makes every later snapshot call `hook` after each tree's copy and at its patch moment.
    #[doc(hidden)]
    pub fn set_snapshot_hook_for_test(&self, hook: impl Fn(&Store, Stage) + Send + Sync + 'static) {
        *self.patch_hook.lock().unwrap_or_else(|p| p.into_inner()) = Some(Box::new(hook));
    }

    /// Every tree's pairs as they are now, in `tree_names` order (tests compare snapshots).
    #[doc(hidden)]
    pub fn dump_for_test(&self) -> Vec<(String, Pairs)> {
        tree_names()
            .into_iter()
            .zip(&self.trees)
            .map(|(name, tree)| {
                let pairs = tree
                    .iter()
                    .filter_map(Result::ok)
                    .map(|(k, v)| (k.to_vec(), v.to_vec()))
                    .collect();
                (name.to_string(), pairs)
            })
            .collect()
    }
}

/// One tree's pairs, in key order.
pub type Pairs = Vec<(Vec<u8>, Vec<u8>)>;

/// What a verified snapshot holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub format: u16,
    pub schema: u32,
    pub created: NaiveDateTime,
    pub next_id: u64,
    /// Pairs copied from the trees.
    pub entries: u64,
    /// Patch entries (keys written while the copy ran) applied over them.
    pub patched: u64,
    /// The audit chain's head at the snapshot's moment (sequence, hash): from the `H` frame,
    /// or for format 1 from the meta tree's `audit_head`.
    pub audit_head: (u64, [u8; 32]),
}

/// A snapshot read whole into memory (small ones: tests, tools).
#[derive(Debug)]
pub struct Snapshot {
    pub summary: Summary,
    /// Tree name and its pairs, in file order.
    pub trees: Vec<(String, Pairs)>,
}

impl Snapshot {
    pub fn entries(&self) -> usize {
        self.trees.iter().map(|(_, e)| e.len()).sum()
    }
}

/// No key or value is larger than this; a damaged length cannot make us read gigabytes.
const MAX_FIELD: usize = 64 * 1024 * 1024;
/// Pairs written to sled per batch while restoring.
const BATCH: usize = 10_000;

/// Reads the file's bytes in order, keeping the CRC32 of what it read.
struct Reader<R: Read> {
    inner: R,
    crc: crc32fast::Hasher,
    at: u64,
}

impl<R: Read> Reader<R> {
    fn raw(&mut self, buf: &mut Vec<u8>, n: usize) -> Result<(), SnapshotError> {
        buf.clear();
        (&mut self.inner).take(n as u64).read_to_end(buf)?;
        if buf.len() != n {
            return Err(SnapshotError::Damaged(format!(
                "cut short at byte {}",
                self.at + buf.len() as u64
            )));
        }
        self.at += n as u64;
        Ok(())
    }

    fn read(&mut self, buf: &mut Vec<u8>, n: usize) -> Result<(), SnapshotError> {
        self.raw(buf, n)?;
        self.crc.update(buf);
        Ok(())
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], SnapshotError> {
        let mut buf = Vec::with_capacity(N);
        self.read(&mut buf, N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(&buf);
        Ok(a)
    }

    fn len(&mut self) -> Result<usize, SnapshotError> {
        let n = u32::from_be_bytes(self.array()?) as usize;
        if n > MAX_FIELD {
            return Err(SnapshotError::Damaged(format!("length {n}")));
        }
        Ok(n)
    }
}

/// The audit head as the meta tree stores it (sequence, hash), or the empty log's.
fn decode_head(v: &[u8]) -> (u64, [u8; 32]) {
    match v.len() {
        40 => {
            let mut seq = [0u8; 8];
            seq.copy_from_slice(&v[..8]);
            let mut hash = [0u8; 32];
            hash.copy_from_slice(&v[8..]);
            (u64::from_be_bytes(seq), hash)
        }
        _ => (0, [0; 32]),
    }
}

/// Reads a whole snapshot, handing every pair to `entry(tree slot, key, value)` in file order
/// (a patch's removal as `None`; a later pair for a key replaces an earlier one) and checking
/// every frame on the way: known trees, counts, the checksum at the end, nothing after it. The
/// schema and the database marker are judged only once the checksum holds.
pub fn walk(
    r: impl Read,
    mut entry: impl FnMut(usize, &[u8], Option<&[u8]>) -> Result<(), SnapshotError>,
) -> Result<Summary, SnapshotError> {
    let mut r = Reader {
        inner: r,
        crc: crc32fast::Hasher::new(),
        at: 0,
    };
    let mut buf = Vec::new();
    r.read(&mut buf, MAGIC.len())
        .map_err(|_| SnapshotError::NotASnapshot)?;
    if buf != MAGIC {
        return Err(SnapshotError::NotASnapshot);
    }
    let format = u16::from_be_bytes(r.array()?);
    if format != FORMAT && format != FORMAT_1 {
        return Err(SnapshotError::UnknownFormat { found: format });
    }
    let schema = u32::from_be_bytes(r.array()?);
    let created = i64::from_be_bytes(r.array()?);
    let mut next_id = match format {
        FORMAT_1 => Some(u64::from_be_bytes(r.array()?)),
        _ => None,
    };
    let names = tree_names();
    let slot_of = |name: &[u8]| names.iter().position(|n| n.as_bytes() == name);
    let mut seen = vec![false; names.len()];
    let (mut entries, mut patched, mut marked) = (0u64, 0u64, false);
    let (mut key, mut value) = (Vec::new(), Vec::new());
    let meta = slot_of(b"meta");
    let mut meta_head = (0, [0u8; 32]);
    let mut trailer_head = None;
    loop {
        let tag = r.array::<1>()?[0];
        match tag {
            b'$' if format == FORMAT_1 || trailer_head.is_some() => break,
            b'T' if patched == 0 && trailer_head.is_none() => {
                let len = u16::from_be_bytes(r.array()?) as usize;
                r.read(&mut buf, len)?;
                let slot = slot_of(&buf)
                    .filter(|s| !seen[*s])
                    .ok_or_else(|| SnapshotError::Damaged("tree name".into()))?;
                seen[slot] = true;
                let mut count = 0u64;
                loop {
                    match r.array::<1>()?[0] {
                        b'E' => {}
                        b'Z' => break,
                        t => {
                            return Err(SnapshotError::Damaged(format!(
                                "unexpected frame {t:#04x}"
                            )))
                        }
                    }
                    let n = r.len()?;
                    r.read(&mut key, n)?;
                    let n = r.len()?;
                    r.read(&mut value, n)?;
                    if Some(slot) == meta {
                        marked |= key == MAGIC_KEY && value == MAGIC_VALUE;
                        if key == super::AUDIT_HEAD_KEY {
                            meta_head = decode_head(&value);
                        }
                    }
                    entry(slot, &key, Some(&value))?;
                    count += 1;
                }
                if u64::from_be_bytes(r.array()?) != count {
                    return Err(SnapshotError::Damaged(format!(
                        "entry count of {}",
                        names[slot]
                    )));
                }
                entries += count;
            }
            b'P' if format != FORMAT_1 && trailer_head.is_none() => {
                let len = u16::from_be_bytes(r.array()?) as usize;
                r.read(&mut buf, len)?;
                let slot = slot_of(&buf)
                    .filter(|s| seen[*s])
                    .ok_or_else(|| SnapshotError::Damaged("patch tree name".into()))?;
                let n = r.len()?;
                r.read(&mut key, n)?;
                let present = match r.array::<1>()?[0] {
                    b'V' => {
                        let n = r.len()?;
                        r.read(&mut value, n)?;
                        true
                    }
                    b'X' => false,
                    t => return Err(SnapshotError::Damaged(format!("unexpected frame {t:#04x}"))),
                };
                if Some(slot) == meta && key == super::AUDIT_HEAD_KEY {
                    meta_head = if present {
                        decode_head(&value)
                    } else {
                        (0, [0; 32])
                    };
                }
                entry(slot, &key, present.then_some(value.as_slice()))?;
                patched += 1;
            }
            b'H' if format != FORMAT_1 && trailer_head.is_none() => {
                next_id = Some(u64::from_be_bytes(r.array()?));
                let seq = u64::from_be_bytes(r.array()?);
                trailer_head = Some((seq, r.array::<32>()?));
            }
            t => return Err(SnapshotError::Damaged(format!("unexpected frame {t:#04x}"))),
        }
    }
    let crc = r.crc.clone().finalize();
    r.raw(&mut buf, 4)?;
    if buf != crc.to_be_bytes() {
        return Err(SnapshotError::Damaged("checksum does not match".into()));
    }
    if r.inner.read(&mut [0u8; 1])? != 0 {
        return Err(SnapshotError::Damaged("bytes after the end".into()));
    }
    if schema > schema::SCHEMA {
        return Err(SnapshotError::NewerSchema {
            found: schema,
            known: schema::SCHEMA,
        });
    }
    if !marked {
        return Err(SnapshotError::Damaged("no database marker".into()));
    }
    // The trailer is the head at the patch moment; the meta tree as patched must agree.
    let audit_head = trailer_head.unwrap_or(meta_head);
    if audit_head != meta_head {
        return Err(SnapshotError::Damaged("audit head".into()));
    }
    let created = DateTime::from_timestamp(created, 0)
        .ok_or_else(|| SnapshotError::Damaged("creation time".into()))?
        .naive_utc();
    Ok(Summary {
        format,
        schema,
        created,
        next_id: next_id.unwrap_or(0),
        entries,
        patched,
        audit_head,
    })
}

/// One tree's pairs by key, while a snapshot is parsed.
type Tree = BTreeMap<Vec<u8>, Vec<u8>>;

/// Parses and verifies a whole snapshot held in memory; patches are applied, so each tree holds
/// the state at the snapshot's moment, in key order.
pub fn parse(bytes: &[u8]) -> Result<Snapshot, SnapshotError> {
    let names = tree_names();
    let mut trees: Vec<(usize, Tree)> = Vec::new();
    let summary = walk(bytes, |slot, k, v| {
        let at = match trees.iter().position(|(s, _)| *s == slot) {
            Some(at) => at,
            None => {
                trees.push((slot, BTreeMap::new()));
                trees.len() - 1
            }
        };
        let pairs = &mut trees[at].1;
        match v {
            Some(v) => pairs.insert(k.to_vec(), v.to_vec()),
            None => pairs.remove(k),
        };
        Ok(())
    })?;
    let trees = trees
        .into_iter()
        .map(|(slot, pairs)| (names[slot].to_string(), pairs.into_iter().collect()))
        .collect();
    Ok(Snapshot { summary, trees })
}

/// The audit head a snapshot file holds and when it was made, read cheaply: a format 2 file's
/// fixed tail (its checksum is not verified here: a damaged tail only makes the head disagree),
/// a format 1 file walked whole.
pub fn read_head(path: &Path) -> Result<(NaiveDateTime, (u64, [u8; 32])), SnapshotError> {
    let mut file = File::open(path)?;
    let mut head = [0u8; 8 + 2 + 4 + 8];
    file.read_exact(&mut head)
        .map_err(|_| SnapshotError::NotASnapshot)?;
    if &head[..8] != MAGIC {
        return Err(SnapshotError::NotASnapshot);
    }
    let format = u16::from_be_bytes([head[8], head[9]]);
    if format == FORMAT_1 {
        let s = walk(open_file(path)?, |_, _, _| Ok(()))?;
        return Ok((s.created, s.audit_head));
    }
    if format != FORMAT {
        return Err(SnapshotError::UnknownFormat { found: format });
    }
    let mut secs = [0u8; 8];
    secs.copy_from_slice(&head[14..22]);
    let created = DateTime::from_timestamp(i64::from_be_bytes(secs), 0)
        .ok_or_else(|| SnapshotError::Damaged("creation time".into()))?
        .naive_utc();
    use std::io::{Seek, SeekFrom};
    file.seek(SeekFrom::End(-(TAIL as i64)))
        .map_err(|_| SnapshotError::Damaged("cut short".into()))?;
    let mut tail = [0u8; TAIL];
    file.read_exact(&mut tail)
        .map_err(|_| SnapshotError::Damaged("cut short".into()))?;
    if tail[0] != b'H' || tail[TAIL - 5] != b'$' {
        return Err(SnapshotError::Damaged("no audit head at the end".into()));
    }
    let mut seq = [0u8; 8];
    seq.copy_from_slice(&tail[9..17]);
    let mut hash = [0u8; 32];
    hash.copy_from_slice(&tail[17..49]);
    Ok((created, (u64::from_be_bytes(seq), hash)))
}

fn open_file(path: &Path) -> Result<impl Read, SnapshotError> {
    Ok(io::BufReader::with_capacity(1 << 20, File::open(path)?))
}

/// Verifies a snapshot file whole without holding it in memory.
pub fn read_file(path: &Path) -> Result<Summary, SnapshotError> {
    walk(open_file(path)?, |_, _, _| Ok(()))
}

fn holds_files(dir: &Path) -> io::Result<bool> {
    match fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_some()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

fn sibling(path: &Path, tag: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{tag}-{}", std::process::id()))
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Restores `file` into `dir`, which must not hold files. The file is verified whole first;
/// then its pairs go, in batches, into a sibling directory that is renamed into place once
/// flushed and synced, so an interrupted or failed restore never leaves a database under the
/// final name.
pub fn restore_file(file: &Path, dir: &Path) -> Result<Summary, SnapshotError> {
    if dir.exists() && (!dir.is_dir() || holds_files(dir)?) {
        return Err(SnapshotError::TargetNotEmpty {
            dir: dir.to_path_buf(),
        });
    }
    let summary = read_file(file)?;
    let work = sibling(dir, "restoring");
    if work.exists() {
        fs::remove_dir_all(&work)?;
    }
    let result = fill(file, &work, &summary).and_then(|()| {
        if dir.exists() {
            // Empty (checked above), so nothing is lost.
            fs::remove_dir(dir)?;
        }
        fs::rename(&work, dir)?;
        File::open(parent_of(dir))?.sync_all()?;
        Ok(())
    });
    if result.is_err() {
        let _ = fs::remove_dir_all(&work);
    }
    result.map(|()| summary)
}

/// Writes the snapshot's pairs into a new database in `work`.
fn fill(file: &Path, work: &Path, summary: &Summary) -> Result<(), SnapshotError> {
    let (store, created) = Store::open(work, OpenMode::CreateIfMissing)?;
    if !created {
        return Err(SnapshotError::TargetNotEmpty {
            dir: work.to_path_buf(),
        });
    }
    let mut pending: Option<(usize, sled::Batch, usize)> = None;
    let apply = |p: Option<(usize, sled::Batch, usize)>| -> Result<(), SnapshotError> {
        if let Some((slot, batch, _)) = p {
            store.trees[slot]
                .apply_batch(batch)
                .map_err(StoreError::from)?;
        }
        Ok(())
    };
    // Read again: the file may have changed since it was verified, and the walk checks it anew.
    let again = walk(open_file(file)?, |slot, k, v| {
        if pending
            .as_ref()
            .is_some_and(|p| p.0 != slot || p.2 >= BATCH)
        {
            apply(pending.take())?;
        }
        let p = pending.get_or_insert_with(|| (slot, sled::Batch::default(), 0));
        match v {
            Some(v) => p.1.insert(k, v),
            None => p.1.remove(k),
        }
        p.2 += 1;
        Ok(())
    })?;
    apply(pending.take())?;
    if again != *summary {
        return Err(SnapshotError::Damaged("changed while it was read".into()));
    }
    // New records must get ids past every restored one.
    while store.db.generate_id().map_err(StoreError::from)? < summary.next_id {}
    store.sync()?;
    for entry in fs::read_dir(work)? {
        let path = entry?.path();
        if path.is_file() {
            File::open(&path)?.sync_all()?;
        }
    }
    Ok(())
}

/// Writes a file under a temporary name in the same directory, syncs it, renames it into place
/// and syncs the directory: a half-written file never carries the final name. Created 0600:
/// what goes through here (snapshots, exports, payrolls) holds full identifiers.
pub fn write_atomically<T, E: From<io::Error>>(
    path: &Path,
    fill: impl FnOnce(&mut BufWriter<File>) -> Result<T, E>,
) -> Result<T, E> {
    let tmp = sibling(path, "partial");
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    let mut w = BufWriter::new(file);
    let result = fill(&mut w).and_then(|t| {
        let mut done = || -> io::Result<()> {
            w.flush()?;
            w.get_ref().sync_all()?;
            fs::rename(&tmp, path)?;
            File::open(parent_of(path))?.sync_all()
        };
        done().map_err(E::from)?;
        Ok(t)
    });
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// A snapshot of the store written atomically to `path` (0600); returns its size in bytes.
/// The copy runs on a thread of its own at a lower priority, so that on a small machine the
/// saves going on meanwhile keep the CPU.
pub fn write_file(store: &Store, path: &Path, created: NaiveDateTime) -> Result<u64, StoreError> {
    std::thread::scope(|scope| {
        let copy = std::thread::Builder::new()
            .name("snapshot".into())
            .spawn_scoped(scope, || {
                crate::os::lower_this_thread_priority();
                write_atomically(path, |w| store.snapshot(w, created))
            })?;
        copy.join()
            .unwrap_or_else(|_| Err(StoreError::Io("the snapshot thread panicked".into())))
    })
}
