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
const HEADER_LEN: usize = 8 + 2 + 4 + 8 + 8;

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

/// A snapshot read back and verified whole.
#[derive(Debug)]
pub struct Snapshot {
    pub schema: u32,
    pub created: NaiveDateTime,
    pub next_id: u64,
    /// Tree name and its pairs, in file order.
    pub trees: Vec<(String, Pairs)>,
}

impl Snapshot {
    pub fn entries(&self) -> usize {
        self.trees.iter().map(|(_, e)| e.len()).sum()
    }
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], SnapshotError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|e| *e <= self.bytes.len())
            .ok_or_else(|| SnapshotError::Damaged(format!("cut short at byte {}", self.at)))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], SnapshotError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn tag(&mut self) -> Result<u8, SnapshotError> {
        Ok(self.take(1)?[0])
    }
}

/// Parses and verifies a whole snapshot: magic, format, CRC, then every frame.
pub fn parse(bytes: &[u8]) -> Result<Snapshot, SnapshotError> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(SnapshotError::NotASnapshot);
    }
    if bytes.len() < HEADER_LEN + 5 {
        return Err(SnapshotError::Damaged("cut short".into()));
    }
    let format = u16::from_be_bytes([bytes[8], bytes[9]]);
    if format != FORMAT {
        return Err(SnapshotError::UnknownFormat { found: format });
    }
    let (body, sum) = bytes.split_at(bytes.len() - 4);
    let stored = u32::from_be_bytes([sum[0], sum[1], sum[2], sum[3]]);
    if crc32fast::hash(body) != stored {
        return Err(SnapshotError::Damaged("checksum does not match".into()));
    }
    let mut c = Cursor {
        bytes: body,
        at: 10,
    };
    let schema = u32::from_be_bytes(c.array()?);
    let created = DateTime::from_timestamp(i64::from_be_bytes(c.array()?), 0)
        .ok_or_else(|| SnapshotError::Damaged("creation time".into()))?
        .naive_utc();
    let next_id = u64::from_be_bytes(c.array()?);
    if schema > schema::SCHEMA {
        return Err(SnapshotError::NewerSchema {
            found: schema,
            known: schema::SCHEMA,
        });
    }
    let known = tree_names();
    let mut trees: Vec<(String, Pairs)> = Vec::new();
    loop {
        match c.tag()? {
            b'$' => break,
            b'T' => {}
            t => return Err(SnapshotError::Damaged(format!("unexpected frame {t:#04x}"))),
        }
        let len = u16::from_be_bytes(c.array()?) as usize;
        let name = std::str::from_utf8(c.take(len)?)
            .map_err(|_| SnapshotError::Damaged("tree name".into()))?
            .to_string();
        if !known.contains(&name.as_str()) || trees.iter().any(|(n, _)| *n == name) {
            return Err(SnapshotError::Damaged(format!("tree {name}")));
        }
        let mut entries = Vec::new();
        loop {
            match c.tag()? {
                b'E' => {
                    let kl = u32::from_be_bytes(c.array()?) as usize;
                    let k = c.take(kl)?.to_vec();
                    let vl = u32::from_be_bytes(c.array()?) as usize;
                    let v = c.take(vl)?.to_vec();
                    entries.push((k, v));
                }
                b'Z' => break,
                t => return Err(SnapshotError::Damaged(format!("unexpected frame {t:#04x}"))),
            }
        }
        if u64::from_be_bytes(c.array()?) != entries.len() as u64 {
            return Err(SnapshotError::Damaged(format!("entry count of {name}")));
        }
        trees.push((name, entries));
    }
    if c.at != body.len() {
        return Err(SnapshotError::Damaged("bytes after the end".into()));
    }
    let ours = trees
        .iter()
        .find(|(n, _)| n == "meta")
        .is_some_and(|(_, e)| e.iter().any(|(k, v)| k == MAGIC_KEY && v == MAGIC_VALUE));
    if !ours {
        return Err(SnapshotError::Damaged("no database marker".into()));
    }
    Ok(Snapshot {
        schema,
        created,
        next_id,
        trees,
    })
}

/// Reads and verifies a snapshot file.
pub fn read_file(path: &Path) -> Result<Snapshot, SnapshotError> {
    let mut bytes = Vec::new();
    File::open(path)?.read_to_end(&mut bytes)?;
    parse(&bytes)
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

/// Writes the snapshot's trees into `dir`, which must not hold files. They go first into a
/// sibling directory that is renamed into place once flushed and synced, so an interrupted
/// restore never leaves a half database under the final name.
pub fn restore(snapshot: &Snapshot, dir: &Path) -> Result<(), SnapshotError> {
    if dir.exists() && (!dir.is_dir() || holds_files(dir)?) {
        return Err(SnapshotError::TargetNotEmpty {
            dir: dir.to_path_buf(),
        });
    }
    let work = sibling(dir, "restoring");
    if work.exists() {
        fs::remove_dir_all(&work)?;
    }
    {
        let (store, created) = Store::open(&work, OpenMode::CreateIfMissing)?;
        if !created {
            return Err(SnapshotError::TargetNotEmpty { dir: work });
        }
        let names = tree_names();
        for (name, entries) in &snapshot.trees {
            let slot = names.iter().position(|n| n == name).unwrap_or(0);
            let mut batch = sled::Batch::default();
            for (k, v) in entries {
                batch.insert(k.as_slice(), v.as_slice());
            }
            store.trees[slot]
                .apply_batch(batch)
                .map_err(StoreError::from)?;
        }
        // New records must get ids past every restored one.
        while store.db.generate_id().map_err(StoreError::from)? < snapshot.next_id {}
        store.sync()?;
        for entry in fs::read_dir(&work)? {
            let path = entry?.path();
            if path.is_file() {
                File::open(&path)?.sync_all()?;
            }
        }
    }
    if dir.exists() {
        // Empty (checked above): rename(2) replaces an empty directory.
        fs::remove_dir(dir)?;
    }
    fs::rename(&work, dir)?;
    File::open(parent_of(dir))?.sync_all()?;
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
