//! `export KIND`: every record of a kind as CSV (flat columns) or JSON (whole records), a page at
//! a time through the service, which audits the export once.

use super::Failure;
use crate::domain::{flat, record::Kind, Explain, Lang, Record};
use crate::service::{Api, ApiExt};
use std::{io, io::Write, path::Path};

const PAGE: u32 = 500;

/// A kind by its tree name ("person"), plural ("persons") or name in either language ("лице").
pub fn parse_kind(s: &str) -> Option<Kind> {
    let s = s.trim().to_lowercase();
    Kind::ALL.into_iter().find(|k| {
        let t = k.tree();
        s == t
            || s.strip_suffix('s') == Some(t)
            || s == k.name(Lang::Bg).to_lowercase()
            || s == k.name(Lang::En).to_lowercase()
    })
}

pub fn unknown_kind(s: &str, lang: Lang) -> Failure {
    let names: Vec<&str> = Kind::ALL.iter().map(|k| k.tree()).collect();
    Failure(match lang {
        Lang::Bg => format!("Непознат вид записи „{s}“: {}.", names.join(", ")),
        Lang::En => format!("Unknown kind of records '{s}': {}.", names.join(", ")),
    })
}

fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

/// The I/O error under a CSV error, so a closed pipe stays recognisable.
pub fn csv_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// Every record of the kind, page by page, to `each`; returns how many.
fn pages(
    s: &dyn Api,
    kind: Kind,
    lang: Lang,
    mut each: impl FnMut(u64, &Record) -> io::Result<()>,
) -> io::Result<u64> {
    let mut after = None;
    let mut count = 0u64;
    loop {
        let page = s
            .export_page(kind, after, PAGE)
            .map_err(|e| other(e.explain(lang)))?;
        for r in &page {
            each(count, r)?;
            count += 1;
        }
        // A page may be short when its records are large: only an empty one ends.
        match page.last() {
            Some(last) => after = Some(last.id()),
            None => return Ok(count),
        }
    }
}

/// Writes the export to `w`; returns how many records went out.
fn write(s: &dyn Api, kind: Kind, json: bool, w: &mut dyn Write, lang: Lang) -> io::Result<u64> {
    if json {
        let count = pages(s, kind, lang, |i, r| {
            w.write_all(if i == 0 { b"[\n" } else { b",\n" })?;
            serde_json::to_writer(&mut *w, r).map_err(other)
        })?;
        w.write_all(if count == 0 { b"[]\n" } else { b"\n]\n" })?;
        return Ok(count);
    }
    let mut c = csv::Writer::from_writer(w);
    let count = pages(s, kind, lang, |i, r| {
        if i == 0 {
            c.write_record(flat::columns(r)).map_err(csv_io)?;
        }
        c.write_record(flat::row(r)).map_err(csv_io)
    })?;
    if count == 0 {
        c.write_record(flat::meta_columns()).map_err(csv_io)?;
    }
    c.flush()?;
    Ok(count)
}

pub fn export(
    s: &dyn Api,
    kind: Kind,
    json: bool,
    out: Option<&Path>,
    lang: Lang,
) -> Result<(), Failure> {
    let count = match out {
        Some(path) => {
            crate::store::snapshot::write_atomically(path, |f| write(s, kind, json, f, lang))
                .map_err(|e| Failure(format!("{}: {e}", path.display())))?
        }
        None => {
            let stdout = io::stdout();
            let mut lock = io::BufWriter::new(stdout.lock());
            // A reader that stops early (`| head`) is not a failure.
            let quiet = |e: io::Error| match e.kind() {
                io::ErrorKind::BrokenPipe => Ok(0),
                _ => Err(Failure(e.to_string())),
            };
            match write(s, kind, json, &mut lock, lang).and_then(|n| lock.flush().map(|_| n)) {
                Ok(n) => n,
                Err(e) => quiet(e)?,
            }
        }
    };
    if let Some(path) = out {
        println!(
            "{}",
            match lang {
                Lang::Bg => format!("Изнесени {count} записа в {}.", path.display()),
                Lang::En => format!("Exported {count} records to {}.", path.display()),
            }
        );
    }
    Ok(())
}
