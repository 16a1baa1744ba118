//! Where documents and template overrides live, writing a PDF, and handing it to `lp`.

use super::DocError;
use crate::domain::{document::DocKind, translit::transliterate};
use std::path::{Path, PathBuf};

/// The data directory of a database: the directory that holds the database directory (its
/// snapshots and the server's log are there too; sled's own directory holds only sled's files).
pub fn data_dir(db: &Path) -> PathBuf {
    match db.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Where the municipality's own templates override the shipped ones.
pub fn templates_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("templates")
}

/// Where the console writes documents.
pub fn documents_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("documents")
}

/// "agreement-SP-2026-0001.pdf": the number in Latin letters (the file may travel to other
/// systems), anything but letters, digits, `-`, `_` and `.` made a `-`.
pub fn file_name(kind: DocKind, number: &str) -> String {
    let safe: String = transliterate(number)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let safe = safe.trim_matches(|c| c == '.' || c == '-');
    let safe = if safe.is_empty() { "0" } else { safe };
    format!("{}-{safe}.pdf", kind.code())
}

/// Writes the bytes whole or not at all: a part file, renamed when complete. The file holds full
/// identifiers, so it is created 0600, and a missing folder 0700 (one that exists is the
/// caller's choice, `--out`; our own `documents/` is made private by `private_documents_dir`).
pub fn save(bytes: &[u8], path: &Path) -> Result<(), DocError> {
    use std::io::Write;
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    let io = |e: std::io::Error| DocError::Io {
        path: path.display().to_string(),
        detail: e.to_string(),
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(io)?;
    }
    let mut part = path.as_os_str().to_owned();
    part.push(".part");
    let part = PathBuf::from(part);
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&part)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&part);
        return Err(io(e));
    }
    std::fs::rename(&part, path).map_err(|e| {
        let _ = std::fs::remove_file(&part);
        io(e)
    })
}

/// The data directory's `documents/`, created 0700 or tightened to 0700 when it was open to
/// others (it is ours, and every file in it holds full identifiers).
pub fn private_documents_dir(data_dir: &Path) -> Result<PathBuf, DocError> {
    let dir = documents_dir(data_dir);
    crate::os::private_dir(&dir).map_err(|e| DocError::Io {
        path: dir.display().to_string(),
        detail: e.to_string(),
    })?;
    Ok(dir)
}

/// What `print` did.
#[derive(Debug, Clone, PartialEq)]
pub enum Printed {
    /// `lp` took the file; what it said (the print job's id).
    Sent(String),
    /// There is no `lp` on this machine (CUPS is not installed).
    NoCups,
}

fn find_lp() -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join("lp"))
        .find(|p| {
            std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// Hands the file to the default printer with `lp`.
pub fn print(path: &Path) -> Result<Printed, DocError> {
    let Some(lp) = find_lp() else {
        return Ok(Printed::NoCups);
    };
    let out = std::process::Command::new(&lp)
        .arg("--")
        .arg(path)
        .output()
        .map_err(|e| DocError::Io {
            path: lp.display().to_string(),
            detail: e.to_string(),
        })?;
    if out.status.success() {
        Ok(Printed::Sent(
            String::from_utf8_lossy(&out.stdout).trim().to_string(),
        ))
    } else {
        Err(DocError::Io {
            path: format!("lp {}", path.display()),
            detail: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_latin_and_safe() {
        assert_eq!(
            file_name(DocKind::Agreement, "СП-2026-0001"),
            "agreement-SP-2026-0001.pdf"
        );
        assert_eq!(
            file_name(DocKind::Contract, "ТД 7/2026"),
            "contract-TD-7-2026.pdf"
        );
        assert_eq!(file_name(DocKind::Referral, "../.."), "referral-0.pdf");
        assert_eq!(file_name(DocKind::Referral, "42"), "referral-42.pdf");
    }

    #[test]
    fn the_data_directory_holds_the_database_directory() {
        assert_eq!(data_dir(Path::new("/srv/fo/db")), Path::new("/srv/fo"));
        assert_eq!(data_dir(Path::new("db")), Path::new("."));
    }
}
