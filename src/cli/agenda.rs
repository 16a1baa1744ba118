//! `report agenda`: the day's work as a text table for an 80-column terminal (overdue, today,
//! soon), as CSV, or as JSON, so that a supervisor can mail it.

use super::Failure;
use crate::domain::{
    agenda::{Agenda, Bucket},
    date::format_date,
    Lang,
};
use std::io::{self, Write};
use unicode_width::UnicodeWidthStr;

const WIDTH: usize = 80;

/// `s` made safe, cut to `width` display columns (with "…" when cut) and padded to it: the
/// console's own `pad`, so a report lines up as the screens do.
fn fit(s: &str, width: usize) -> String {
    crate::tui::widgets::pad(s, width, "…")
}

fn bucket_name(b: Bucket, lang: Lang) -> &'static str {
    match b {
        Bucket::Overdue => lang.pick("ПРОСРОЧЕНИ", "OVERDUE"),
        Bucket::Today => lang.pick("ДНЕС", "TODAY"),
        Bucket::Soon => lang.pick("ПРЕДСТОЯЩИ", "SOON"),
    }
}

/// Lines of at most `WIDTH` columns from `parts` joined by " · ".
fn wrap(parts: &[String]) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for p in parts {
        let sep = if line.is_empty() { "" } else { " · " };
        if !line.is_empty() && line.width() + sep.width() + p.width() > WIDTH {
            lines.push(std::mem::take(&mut line));
            line.push_str(p);
        } else {
            line.push_str(sep);
            line.push_str(p);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

pub fn text(a: &Agenda, days: u32, lang: Lang, w: &mut impl Write) -> io::Result<()> {
    let title = match lang {
        Lang::Bg => format!("Задачи за {} (следващите {days} дни)", format_date(a.today)),
        Lang::En => format!("Agenda for {} (next {days} days)", format_date(a.today)),
    };
    writeln!(w, "{}", fit(&title, WIDTH).trim_end())?;
    let buckets: Vec<String> = [Bucket::Overdue, Bucket::Today, Bucket::Soon]
        .into_iter()
        .map(|b| {
            let n = a.items.iter().filter(|i| i.bucket(a.today) == b).count();
            format!("{} {n}", bucket_name(b, lang).to_lowercase())
        })
        .collect();
    for line in wrap(&buckets) {
        writeln!(w, "{line}")?;
    }
    let kinds: Vec<String> = a
        .counts()
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{} {n}", k.name(lang)))
        .collect();
    for line in wrap(&kinds) {
        writeln!(w, "{line}")?;
    }
    if a.items.is_empty() {
        writeln!(w, "{}", lang.pick("Няма задачи.", "Nothing to do."))?;
    }
    let mut current = None;
    for item in &a.items {
        let b = item.bucket(a.today);
        if current != Some(b) {
            current = Some(b);
            writeln!(w)?;
            writeln!(w, "{}", bucket_name(b, lang))?;
        }
        // 10 + 1 + 22 + 1 + 24 + 1 + 21 = 80 columns.
        let line = [
            format_date(item.due),
            fit(item.kind.name(lang), 22),
            fit(&item.who, 24),
            fit(&item.detail, 21),
        ]
        .join(" ");
        writeln!(w, "{}", line.trim_end())?;
    }
    if a.more > 0 {
        let more = match lang {
            Lang::Bg => format!("… и още {} задачи (стеснете с --days или --clerk)", a.more),
            Lang::En => format!("… and {} more (narrow with --days or --clerk)", a.more),
        };
        writeln!(w, "{more}")?;
    }
    Ok(())
}

pub fn csv(a: &Agenda, lang: Lang, w: impl Write) -> Result<(), csv::Error> {
    let mut c = csv::Writer::from_writer(w);
    c.write_record(match lang {
        Lang::Bg => [
            "срок",
            "състояние",
            "вид",
            "лице",
            "подробности",
            "служител",
            "запис",
            "номер",
        ],
        Lang::En => [
            "due", "bucket", "kind", "person", "detail", "clerk", "record", "id",
        ],
    })?;
    for i in &a.items {
        let (kind, id) = match i.record {
            Some((k, id)) => (k.tree().to_string(), id.to_string()),
            None => (String::new(), String::new()),
        };
        c.write_record([
            format_date(i.due),
            bucket_name(i.bucket(a.today), lang).to_lowercase(),
            i.kind.name(lang).to_string(),
            i.who.clone(),
            i.detail.clone(),
            i.clerk.clone().unwrap_or_default(),
            kind,
            id,
        ])?;
    }
    c.flush()?;
    Ok(())
}

pub fn print(a: &Agenda, days: u32, format: &str, lang: Lang) -> Result<(), Failure> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = match format {
        "csv" => csv(a, lang, &mut out).map_err(super::export::csv_io),
        "json" => serde_json::to_writer_pretty(&mut out, a)
            .map_err(io::Error::other)
            .and_then(|()| writeln!(out)),
        _ => text(a, days, lang, &mut out),
    };
    match result.and_then(|_| out.flush()) {
        // A reader that stops early (`| head`) is not a failure.
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(Failure(e.to_string())),
        _ => Ok(()),
    }
}

/// Every kind's name fits its column in both languages.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::agenda::AgendaKind;

    #[test]
    fn kind_names_fit_their_column() {
        for k in AgendaKind::ALL {
            for lang in [Lang::Bg, Lang::En] {
                assert!(k.name(lang).width() <= 22, "{k:?} {lang:?}");
            }
        }
    }
}
