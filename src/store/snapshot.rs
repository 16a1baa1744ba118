//! Snapshots: every tree's key/value pairs in one file of our own format, taken under the writer
//! lock so no commit lands mid-dump, and restored only into a directory that holds no database.
//!
//! Layout (integers big-endian): magic `FOSNAPSH`, format u16, schema u32, created i64 (seconds,
//! the service clock), next id u64; then per tree `T` name-len u16 name, entries `E` key-len u32
//! key value-len u32 value, and `Z` entry-count u64; then `$` and a CRC32 over everything before
//! it. A file is checked whole (CRC, frames, known trees, no trailing bytes) before anything is
//! written from it.

use super::{error::StoreError, schema, tree_names, OpenMode, Store, MAGIC_KEY, MAGIC_VALUE};
use crate::domain::{Explain, Lang};
use chrono::{DateTime, NaiveDateTime};
use std::{
    fs::{self, File, OpenOptions},
    io::{self, BufWriter, Read, Write},
    os::unix::fs::OpenOptionsExt,
    path::{Path, PathBuf},
};

pub const MAGIC: &[u8; 8] = b"FOSNAPSH";
pub const FORMAT: u16 = 1;
/// The file name ending of snapshots and backups.
pub const EXTENSION: &str = "fosnap";

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("not a frontoffice snapshot")]
    NotASnapshot,
    #[error("snapshot format {found} is not known (this program reads {FORMAT})")]
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
                "Резервното копие е във формат {found}, а тази програма чете формат {FORMAT}. \
                 Обновете frontoffice; нищо не е записано."
            ),
            (UnknownFormat { found }, Lang::En) => format!(
                "The backup is in format {found}; this program reads format {FORMAT}. Update \
                 frontoffice; nothing was written."
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

impl Store {
    /// Writes a consistent snapshot of every tree to `w`; returns the bytes written. Holds the
    /// writer lock throughout, so the dump sees whole commits only.
    pub fn snapshot(&self, w: impl Write, created: NaiveDateTime) -> Result<u64, StoreError> {
        let _writer = self.writer();
        self.snapshot_locked(w, created)
    }

    /// As `snapshot`, for a caller that already holds the writer lock.
    pub fn snapshot_locked(
        &self,
        w: impl Write,
        created: NaiveDateTime,
    ) -> Result<u64, StoreError> {
        let mut out = Summing {
            inner: w,
            crc: crc32fast::Hasher::new(),
            len: 0,
        };
        out.write_all(MAGIC)?;
        out.write_all(&FORMAT.to_be_bytes())?;
        out.write_all(&self.schema_version()?.to_be_bytes())?;
        out.write_all(&created.and_utc().timestamp().to_be_bytes())?;
        // sled's id generator lives outside the trees: a restore must start past it.
        out.write_all(&self.db.generate_id()?.to_be_bytes())?;
        for (name, tree) in tree_names().into_iter().zip(&self.trees) {
            out.write_all(b"T")?;
            out.write_all(&len_u16(name.len())?.to_be_bytes())?;
            out.write_all(name.as_bytes())?;
            let mut count = 0u64;
            for item in tree.iter() {
                let (k, v) = item?;
                out.write_all(b"E")?;
                out.write_all(&len_u32(k.len())?.to_be_bytes())?;
                out.write_all(&k)?;
                out.write_all(&len_u32(v.len())?.to_be_bytes())?;
                out.write_all(&v)?;
                count += 1;
            }
            out.write_all(b"Z")?;
            out.write_all(&count.to_be_bytes())?;
        }
        out.write_all(b"$")?;
        let crc = out.crc.clone().finalize();
        out.inner.write_all(&crc.to_be_bytes())?;
        out.flush()?;
        Ok(out.len + 4)
    }
}

/// One tree's pairs, in key order.
pub type Pairs = Vec<(Vec<u8>, Vec<u8>)>;

/// What a verified snapshot holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub schema: u32,
    pub created: NaiveDateTime,
    pub next_id: u64,
    pub entries: u64,
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

/// Reads a whole snapshot, handing every pair to `entry(tree slot, key, value)` and checking
/// every frame on the way: known trees, counts, the checksum at the end, nothing after it. The
/// schema and the database marker are judged only once the checksum holds.
pub fn walk(
    r: impl Read,
    mut entry: impl FnMut(usize, &[u8], &[u8]) -> Result<(), SnapshotError>,
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
    if format != FORMAT {
        return Err(SnapshotError::UnknownFormat { found: format });
    }
    let schema = u32::from_be_bytes(r.array()?);
    let created = i64::from_be_bytes(r.array()?);
    let next_id = u64::from_be_bytes(r.array()?);
    let names = tree_names();
    let mut seen = vec![false; names.len()];
    let (mut entries, mut marked) = (0u64, false);
    let (mut key, mut value) = (Vec::new(), Vec::new());
    loop {
        match r.array::<1>()?[0] {
            b'$' => break,
            b'T' => {}
            t => return Err(SnapshotError::Damaged(format!("unexpected frame {t:#04x}"))),
        }
        let len = u16::from_be_bytes(r.array()?) as usize;
        r.read(&mut buf, len)?;
        let slot = names
            .iter()
            .position(|n| n.as_bytes() == buf.as_slice())
            .filter(|s| !seen[*s])
            .ok_or_else(|| SnapshotError::Damaged("tree name".into()))?;
        seen[slot] = true;
        let mut count = 0u64;
        loop {
            match r.array::<1>()?[0] {
                b'E' => {}
                b'Z' => break,
                t => return Err(SnapshotError::Damaged(format!("unexpected frame {t:#04x}"))),
            }
            let n = r.len()?;
            r.read(&mut key, n)?;
            let n = r.len()?;
            r.read(&mut value, n)?;
            marked |= names[slot] == "meta" && key == MAGIC_KEY && value == MAGIC_VALUE;
            entry(slot, &key, &value)?;
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
    let created = DateTime::from_timestamp(created, 0)
        .ok_or_else(|| SnapshotError::Damaged("creation time".into()))?
        .naive_utc();
    Ok(Summary {
        schema,
        created,
        next_id,
        entries,
    })
}

/// Parses and verifies a whole snapshot held in memory.
pub fn parse(bytes: &[u8]) -> Result<Snapshot, SnapshotError> {
    let names = tree_names();
    let mut trees: Vec<(String, Pairs)> = Vec::new();
    let summary = walk(bytes, |slot, k, v| {
        if trees.last().map(|(n, _)| n.as_str()) != Some(names[slot]) {
            trees.push((names[slot].to_string(), Vec::new()));
        }
        if let Some((_, pairs)) = trees.last_mut() {
            pairs.push((k.to_vec(), v.to_vec()));
        }
        Ok(())
    })?;
    Ok(Snapshot { summary, trees })
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
        p.1.insert(k, v);
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
/// and syncs the directory: a half-written file never carries the final name. Created 0640.
pub fn write_atomically<T, E: From<io::Error>>(
    path: &Path,
    fill: impl FnOnce(&mut BufWriter<File>) -> Result<T, E>,
) -> Result<T, E> {
    let tmp = sibling(path, "partial");
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o640)
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

/// A snapshot of the store written atomically to `path`; returns its size in bytes.
pub fn write_file(store: &Store, path: &Path, created: NaiveDateTime) -> Result<u64, StoreError> {
    write_atomically(path, |w| store.snapshot(w, created))
}
