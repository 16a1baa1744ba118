//! `backup` and `restore`: a snapshot to a file (the server makes it when there is one) and a
//! snapshot back into a directory that holds no database.

use super::Failure;
use crate::domain::{Explain, Lang};
use crate::service::{ApiExt, Session};
use crate::store::snapshot;
use std::{
    io::{self, Write},
    path::Path,
};

fn done(path: &Path, size: u64, lang: Lang) {
    println!(
        "{}",
        match lang {
            Lang::Bg => format!("Резервно копие: {} ({size} байта).", path.display()),
            Lang::En => format!("Backup written: {} ({size} bytes).", path.display()),
        }
    );
}

/// On the database directory: the session writes the snapshot straight to `file`.
pub fn backup_local(s: &Session, file: &Path, lang: Lang) -> Result<(), Failure> {
    let size = s.backup_to(file).map_err(|e| Failure::from((e, lang)))?;
    done(file, size, lang);
    Ok(())
}

/// Through the server: it writes the snapshot; the chunks are copied to `file` (written under a
/// temporary name and renamed once whole), then the copy is verified.
pub fn backup_remote(s: &dyn crate::service::Api, file: &Path, lang: Lang) -> Result<(), Failure> {
    let fail = |e: crate::service::ServiceError| Failure::from((e, lang));
    let (name, size) = s.backup().map_err(fail)?;
    let copied = snapshot::write_atomically(file, |w| -> io::Result<u64> {
        let mut offset = 0u64;
        loop {
            let chunk = s
                .backup_read(&name, offset)
                .map_err(|e| io::Error::other(e.explain(lang)))?;
            if chunk.is_empty() {
                break;
            }
            w.write_all(&chunk)?;
            offset += chunk.len() as u64;
        }
        if offset != size {
            return Err(io::Error::other(match lang {
                Lang::Bg => format!("копирани са {offset} от {size} байта"),
                Lang::En => format!("copied {offset} of {size} bytes"),
            }));
        }
        Ok(offset)
    })
    .map_err(|e| Failure(format!("{}: {e}", file.display())))?;
    snapshot::read_file(file).map_err(|e| Failure(e.explain(lang)))?;
    done(file, copied, lang);
    Ok(())
}

/// Verifies `file`, writes it into `db`, then prints `check`'s result.
pub fn restore(file: &Path, db: &Path, lang: Lang) -> Result<bool, Failure> {
    let r = crate::service::backup::restore(file, db).map_err(|e| Failure(e.explain(lang)))?;
    let when = r.created.format("%d.%m.%Y %H:%M");
    println!(
        "{}",
        match lang {
            Lang::Bg => format!(
                "Възстановена е база в {} от копие от {when}: {} ключа.",
                db.display(),
                r.entries
            ),
            Lang::En => format!(
                "Restored a database into {} from a copy of {when}: {} keys.",
                db.display(),
                r.entries
            ),
        }
    );
    Ok(super::print_check(&r.check, lang))
}
