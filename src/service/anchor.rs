//! Anchors of the audit chain outside its own tree. The chain is an unkeyed hash whose head is
//! kept beside it, so whoever can write the database can cut the tail or re-hash it and leave the
//! head agreeing. So the head (sequence, hash) also goes where that writer does not reach: the
//! server's log, every snapshot and backup (their `H` frame), and, when the administrator keeps
//! a key outside the database directory, an append-only anchor file beside the key whose lines
//! are HMAC'd with it. `check` compares the chain with every anchor it finds: an anchored entry
//! that is gone means a cut tail, one with another hash a rewritten log.

use crate::domain::{Explain, Lang};
use chrono::NaiveDateTime;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::{
    fmt, fs,
    io::{self, Write},
    os::unix::fs::{MetadataExt, OpenOptionsExt},
    path::{Path, PathBuf},
};

/// Key files shorter than this are refused (`head -c 32 /dev/urandom` makes one).
pub const MIN_KEY_BYTES: usize = 32;

/// Where an anchor was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A snapshot or backup file and the time it was made.
    Snapshot(PathBuf, NaiveDateTime),
    /// A line of the anchor file and the time written on it.
    Line {
        file: PathBuf,
        line: usize,
        at: String,
    },
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Snapshot(path, at) => write!(
                f,
                "snapshot {} ({})",
                path.display(),
                at.format("%Y-%m-%d %H:%M:%S")
            ),
            Source::Line { file, line, at } => {
                write!(f, "anchor file {} line {line} ({at})", file.display())
            }
        }
    }
}

/// A head of the chain seen outside the audit tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub source: Source,
    pub seq: u64,
    pub hash: [u8; 32],
}

/// The anchors found, and what could not be read as one (a line that fails its MAC is itself a
/// finding: the file was edited).
#[derive(Debug, Default)]
pub struct Anchors {
    pub anchors: Vec<Anchor>,
    pub problems: Vec<String>,
}

impl Anchors {
    pub fn of(anchors: Vec<Anchor>) -> Anchors {
        Anchors {
            anchors,
            problems: Vec::new(),
        }
    }

    /// The heads held by the snapshots and backups in `dir` (none when it does not exist).
    pub fn add_snapshots(&mut self, dir: &Path) {
        let ext = format!(".{}", crate::store::snapshot::EXTENSION);
        let entries = match fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return,
            Err(e) => {
                return self
                    .problems
                    .push(format!("snapshot directory {}: {e}", dir.display()))
            }
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| !n.starts_with('.') && n.ends_with(&ext))
            })
            .collect();
        paths.sort();
        for path in paths {
            match crate::store::snapshot::read_head(&path) {
                Ok((created, (seq, hash))) => self.anchors.push(Anchor {
                    source: Source::Snapshot(path, created),
                    seq,
                    hash,
                }),
                // Deleted meanwhile by the retention: no anchor, no damage.
                Err(_) if !path.exists() => {}
                Err(e) => self.problems.push(format!(
                    "snapshot {}: {}",
                    path.display(),
                    e.explain(Lang::En)
                )),
            }
        }
    }

    /// The lines of the key's anchor file, each checked against the key.
    pub fn add_file(&mut self, key: &AuditKey) {
        let text = match fs::read_to_string(&key.anchors) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return,
            Err(e) => {
                return self
                    .problems
                    .push(format!("anchor file {}: {e}", key.anchors.display()))
            }
        };
        for (i, line) in text.lines().enumerate() {
            let line_no = i + 1;
            match key.parse_line(line) {
                Some((at, seq, hash)) => self.anchors.push(Anchor {
                    source: Source::Line {
                        file: key.anchors.clone(),
                        line: line_no,
                        at,
                    },
                    seq,
                    hash,
                }),
                None => self.problems.push(format!(
                    "anchor file {} line {line_no}: does not match the audit key (the line was \
                     edited, or written with another key)",
                    key.anchors.display()
                )),
            }
        }
    }
}

/// Why an audit key file is refused.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the audit key {key} is inside the database directory {db}")]
    InsideDb { key: PathBuf, db: PathBuf },
    #[error("cannot read the audit key {key}: {why}")]
    Unreadable { key: PathBuf, why: String },
    #[error("the audit key {key} is shorter than {MIN_KEY_BYTES} bytes")]
    TooShort { key: PathBuf },
    #[error("the audit key {key} may be read by others (mode {mode:o})")]
    OpenToOthers { key: PathBuf, mode: u32 },
}

impl Explain for KeyError {
    fn explain(&self, lang: Lang) -> String {
        use KeyError::*;
        match (self, lang) {
            (InsideDb { key, db }, Lang::Bg) => format!(
                "Одитният ключ {} е в папката на базата {}: който може да промени базата, би \
                 променил и него. Сложете го извън нея (например /etc/frontoffice/audit.key).",
                key.display(),
                db.display()
            ),
            (InsideDb { key, db }, Lang::En) => format!(
                "The audit key {} is inside the database directory {}: whoever can change the \
                 database could change it too. Keep it outside (e.g. /etc/frontoffice/audit.key).",
                key.display(),
                db.display()
            ),
            (Unreadable { key, why }, Lang::Bg) => {
                format!("Не мога да прочета одитния ключ {}: {why}", key.display())
            }
            (Unreadable { key, why }, Lang::En) => {
                format!("Cannot read the audit key {}: {why}", key.display())
            }
            (TooShort { key }, Lang::Bg) => format!(
                "Одитният ключ {} е по-къс от {MIN_KEY_BYTES} байта; създайте го с \
                 „head -c 32 /dev/urandom > {}“.",
                key.display(),
                key.display()
            ),
            (TooShort { key }, Lang::En) => format!(
                "The audit key {} is shorter than {MIN_KEY_BYTES} bytes; make one with \
                 'head -c 32 /dev/urandom > {}'.",
                key.display(),
                key.display()
            ),
            (OpenToOthers { key, mode }, Lang::Bg) => format!(
                "Одитният ключ {} може да се чете от други (права {mode:o}); \
                 „chmod 600 {}“.",
                key.display(),
                key.display()
            ),
            (OpenToOthers { key, mode }, Lang::En) => format!(
                "The audit key {} may be read by others (mode {mode:o}); 'chmod 600 {}'.",
                key.display(),
                key.display()
            ),
        }
    }
}

/// The administrator's audit key and the anchor file beside it (`audit.key` →
/// `audit.anchors`).
#[derive(Debug)]
pub struct AuditKey {
    key: Vec<u8>,
    anchors: PathBuf,
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex32(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

impl AuditKey {
    /// Reads the key at `path`; refused inside the database directory `db`, shorter than
    /// `MIN_KEY_BYTES`, or readable by group or others.
    pub fn load(path: &Path, db: &Path) -> Result<AuditKey, KeyError> {
        let unreadable = |e: io::Error| KeyError::Unreadable {
            key: path.to_path_buf(),
            why: e.to_string(),
        };
        let real = fs::canonicalize(path).map_err(unreadable)?;
        let db_real = fs::canonicalize(db).unwrap_or_else(|_| db.to_path_buf());
        if real.starts_with(&db_real) {
            return Err(KeyError::InsideDb {
                key: path.to_path_buf(),
                db: db.to_path_buf(),
            });
        }
        let mode = fs::metadata(&real).map_err(unreadable)?.mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(KeyError::OpenToOthers {
                key: path.to_path_buf(),
                mode,
            });
        }
        let key = fs::read(&real).map_err(unreadable)?;
        if key.len() < MIN_KEY_BYTES {
            return Err(KeyError::TooShort {
                key: path.to_path_buf(),
            });
        }
        Ok(AuditKey {
            key,
            anchors: real.with_extension("anchors"),
        })
    }

    pub fn anchor_file(&self) -> &Path {
        &self.anchors
    }

    fn mac(&self, body: &str) -> String {
        match Hmac::<Sha256>::new_from_slice(&self.key) {
            Ok(mut m) => {
                m.update(body.as_bytes());
                hex(&m.finalize().into_bytes())
            }
            Err(_) => String::new(),
        }
    }

    /// Appends `time why seq hash mac` to the anchor file (0600, created if missing) and syncs.
    pub fn append(&self, at: NaiveDateTime, why: &str, head: (u64, [u8; 32])) -> io::Result<()> {
        let body = format!(
            "{} {why} {} {}",
            at.format("%Y-%m-%dT%H:%M:%S"),
            head.0,
            hex(&head.1)
        );
        let line = format!("{body} {}\n", self.mac(&body));
        let mut f = fs::OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o600)
            .open(&self.anchors)?;
        f.write_all(line.as_bytes())?;
        f.sync_data()
    }

    /// A line's time, sequence and hash when its MAC holds.
    fn parse_line(&self, line: &str) -> Option<(String, u64, [u8; 32])> {
        let (body, mac) = line.trim_end().rsplit_once(' ')?;
        let expected = self.mac(body);
        // Not secret-dependent timing that matters here: the MAC is on the page already.
        if expected.is_empty() || expected != mac {
            return None;
        }
        let mut parts = body.split(' ');
        let at = parts.next()?.to_string();
        let _why = parts.next()?;
        let seq = parts.next()?.parse().ok()?;
        let hash = unhex32(parts.next()?)?;
        parts.next().is_none().then_some((at, seq, hash))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn key_in(dir: &Path, mode: u32, len: usize) -> PathBuf {
        let path = dir.join("audit.key");
        fs::write(&path, vec![7u8; len]).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        path
    }

    #[test]
    fn a_key_is_refused_inside_the_database_short_or_open_to_others() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        fs::create_dir(&db).unwrap();
        let inside = key_in(&db, 0o600, 32);
        assert!(matches!(
            AuditKey::load(&inside, &db),
            Err(KeyError::InsideDb { .. })
        ));
        let outside = key_in(dir.path(), 0o644, 32);
        assert!(matches!(
            AuditKey::load(&outside, &db),
            Err(KeyError::OpenToOthers { mode: 0o644, .. })
        ));
        let short = key_in(dir.path(), 0o600, 31);
        assert!(matches!(
            AuditKey::load(&short, &db),
            Err(KeyError::TooShort { .. })
        ));
        let good = key_in(dir.path(), 0o400, 32);
        let key = AuditKey::load(&good, &db).unwrap();
        assert_eq!(key.anchor_file(), dir.path().join("audit.anchors"));
        let e = KeyError::InsideDb { key: inside, db };
        assert!(e.explain(Lang::Bg).contains("извън"));
    }

    #[test]
    fn lines_are_read_back_and_an_edited_one_fails_its_mac() {
        let dir = tempfile::tempdir().unwrap();
        let key = AuditKey::load(
            &key_in(dir.path(), 0o600, 40),
            dir.path().join("db").as_path(),
        )
        .unwrap();
        let at = chrono::NaiveDate::from_ymd_opt(2026, 12, 6)
            .unwrap()
            .and_hms_opt(22, 0, 0)
            .unwrap();
        key.append(at, "start", (5, [1; 32])).unwrap();
        key.append(at, "stop", (9, [2; 32])).unwrap();
        let mode = fs::metadata(key.anchor_file()).unwrap().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let mut found = Anchors::default();
        found.add_file(&key);
        assert!(found.problems.is_empty(), "{:?}", found.problems);
        let seen: Vec<_> = found.anchors.iter().map(|a| (a.seq, a.hash)).collect();
        assert_eq!(seen, [(5, [1; 32]), (9, [2; 32])]);
        // Lower the second line's sequence, as a cut tail would need.
        let text = fs::read_to_string(key.anchor_file()).unwrap();
        fs::write(key.anchor_file(), text.replace(" stop 9 ", " stop 8 ")).unwrap();
        let mut found = Anchors::default();
        found.add_file(&key);
        assert_eq!(found.anchors.len(), 1);
        assert!(found.problems[0].contains("line 2"), "{:?}", found.problems);
    }
}
