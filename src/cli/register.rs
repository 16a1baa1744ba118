//! `report register`: the register of social services with each one's occupancy (active
//! referrals) and free places, as a table for an 80-column terminal, as CSV or as JSON; narrowed
//! by activity type, settlement and free places.

use super::Failure;
use crate::domain::{
    register::{Access, RegisterRow, ServiceType},
    settings::Settings,
    Explain, Lang,
};
use crate::service::{Api, ApiExt};
use chrono::NaiveDate;
use std::io::{self, Write};
use unicode_width::UnicodeWidthStr;

const WIDTH: usize = 80;
/// Rows asked for at a time (a page may come back shorter: only an empty one ends).
const PAGE: u32 = 500;

/// Which services the report keeps.
pub struct Filter {
    pub activity: Option<ServiceType>,
    /// An EKATTE code.
    pub settlement: Option<String>,
    /// Only services with a free place (a capacity was entered and not all of it is taken).
    pub free: bool,
    /// Also services not in the register on `today` (before their start, after their end).
    pub all: bool,
    pub today: NaiveDate,
}

impl Filter {
    fn keeps(&self, r: &RegisterRow) -> bool {
        self.activity.is_none_or(|t| r.service.activity == t)
            && self
                .settlement
                .as_ref()
                .is_none_or(|c| &r.service.settlement == c)
            && (!self.free || r.free().is_some_and(|n| n > 0))
            && (self.all || r.service.valid_on(self.today))
    }
}

/// An enum value's code as the console's choices and the locale files name it ("day_care").
fn code(value: &impl std::fmt::Debug) -> String {
    crate::tui::screens::code(value)
}

/// `--type`: a code ("day_care"), also written "DayCare" or "day-care".
pub fn parse_type(s: &str, lang: Lang) -> Result<ServiceType, Failure> {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| !matches!(c, '_' | '-' | ' '))
            .flat_map(char::to_lowercase)
            .collect()
    };
    let wanted = squash(s);
    ServiceType::ALL
        .into_iter()
        .find(|t| squash(&code(t)) == wanted)
        .ok_or_else(|| {
            let codes: Vec<String> = ServiceType::ALL.iter().map(code).collect();
            Failure(match lang {
                Lang::Bg => format!("Непознат вид услуга „{s}“: {}.", codes.join(", ")),
                Lang::En => format!("Unknown service type '{s}': {}.", codes.join(", ")),
            })
        })
}

/// `--settlement`: an EKATTE code of the municipality's (or of a service outside it), or a
/// settlement's name as the settings spell it ("с. Лозен", or "Лозен").
fn resolve_settlement(
    s: &str,
    settings: &Settings,
    rows: &[RegisterRow],
    lang: Lang,
) -> Result<String, Failure> {
    let s = s.trim();
    let known = settings.settlements.iter().any(|x| x.ekatte == s)
        || rows.iter().any(|r| r.service.settlement == s);
    if known {
        return Ok(s.to_string());
    }
    let wanted = s.to_lowercase();
    let by_name = settings.settlements.iter().find(|x| {
        let name = x.name.to_lowercase();
        name == wanted
            || name
                .split_once(". ")
                .is_some_and(|(_, bare)| bare == wanted)
    });
    if let Some(x) = by_name {
        return Ok(x.ekatte.clone());
    }
    let list: Vec<String> = settings
        .settlements
        .iter()
        .map(|x| format!("{} {}", x.ekatte, x.name))
        .collect();
    Err(Failure(match lang {
        Lang::Bg => format!("Няма населено място „{s}“ в общината: {}.", list.join(", ")),
        Lang::En => format!(
            "No settlement '{s}' in the municipality: {}.",
            list.join(", ")
        ),
    }))
}

/// The register's rows through the `Register` request, page by page, filtered.
pub fn rows(
    s: &dyn Api,
    settings: &Settings,
    mut filter: Filter,
    settlement: Option<&str>,
    lang: Lang,
) -> Result<(Vec<RegisterRow>, Filter), Failure> {
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = s
            .register_page(after, PAGE)
            .map_err(|e| Failure(e.explain(lang)))?;
        match page.last() {
            Some(last) => after = Some(last.id),
            None => break,
        }
        all.extend(page);
    }
    if let Some(x) = settlement {
        filter.settlement = Some(resolve_settlement(x, settings, &all, lang)?);
    }
    all.retain(|r| filter.keeps(r));
    Ok((all, filter))
}

fn headers(lang: Lang) -> [&'static str; 7] {
    match lang {
        Lang::Bg => [
            "Услуга",
            "вид",
            "населено място",
            "доставчик",
            "Места",
            "Заети",
            "Своб.",
        ],
        Lang::En => [
            "Service",
            "type",
            "settlement",
            "provider",
            "Places",
            "Taken",
            "Free",
        ],
    }
}

/// Free places as the table shows them: a number, "full", or a dash when no capacity was
/// entered (nothing to count against).
fn free_text(r: &RegisterRow, lang: Lang) -> String {
    match r.free() {
        None if !r.in_register => lang.pick("извън регистъра", "not in register").into(),
        None => "–".into(),
        Some(0) => lang.pick("пълна", "full").into(),
        Some(n) => n.to_string(),
    }
}

fn settlement_name<'a>(settings: &'a Settings, code: &'a str) -> &'a str {
    settings.settlement_name(code).unwrap_or(code)
}

/// `s` made safe, cut to `width` display columns (with "…" when cut) and padded to it: the
/// console's own `pad`, so a report lines up as the screens do.
fn fit(s: &str, width: usize) -> String {
    crate::tui::widgets::pad(s, width, "…")
}

fn right(s: &str, width: usize) -> String {
    format!("{}{s}", " ".repeat(width.saturating_sub(s.width())))
}

/// What the filters keep, in words, for the table's second line (None when nothing is kept out).
fn filter_line(f: &Filter, settings: &Settings, lang: Lang) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(t) = f.activity {
        parts.push(format!("{}: {}", lang.pick("вид", "type"), t.name(lang)));
    }
    if let Some(c) = &f.settlement {
        parts.push(format!(
            "{}: {}",
            lang.pick("населено място", "settlement"),
            settlement_name(settings, c)
        ));
    }
    if f.free {
        parts.push(lang.pick("със свободни места", "with free places").into());
    }
    if f.all {
        parts.push(
            lang.pick("и извън срока на вписване", "also outside their validity")
                .into(),
        );
    }
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// Each service on two lines: its name and the numbers (places, taken, free) on the first,
/// its type, settlement and provider below, indented; 80 columns wide, so that long names stay
/// legible (one line for seven columns would cut every name to twenty columns).
pub fn text(
    rows: &[RegisterRow],
    settings: &Settings,
    filter: &Filter,
    lang: Lang,
    w: &mut impl Write,
) -> io::Result<()> {
    let title = match lang {
        Lang::Bg => format!(
            "Регистър на социалните услуги – {}, {}",
            settings.municipality,
            crate::domain::date::format_date(filter.today)
        ),
        Lang::En => format!(
            "Register of social services – {}, {}",
            settings.municipality,
            crate::domain::date::format_date(filter.today)
        ),
    };
    writeln!(w, "{}", fit(&title, WIDTH).trim_end())?;
    if let Some(line) = filter_line(filter, settings, lang) {
        writeln!(w, "{}", fit(&line, WIDTH).trim_end())?;
    }
    if rows.is_empty() {
        writeln!(w, "{}", lang.pick("Няма услуги.", "No services."))?;
        return Ok(());
    }
    let h = headers(lang);
    let numbers: Vec<[String; 3]> = rows
        .iter()
        .map(|r| {
            [
                if r.service.capacity == 0 {
                    "–".into()
                } else {
                    r.service.capacity.to_string()
                },
                r.occupied.to_string(),
                free_text(r, lang),
            ]
        })
        .collect();
    let widths: Vec<usize> = (0..3)
        .map(|i| {
            numbers
                .iter()
                .map(|n| n[i].width())
                .chain(std::iter::once(h[4 + i].width()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let name_w = WIDTH.saturating_sub(widths.iter().sum::<usize>() + 3);
    let first = |name: &str, n: [&str; 3]| -> String {
        let mut parts = vec![fit(name, name_w)];
        parts.extend((0..3).map(|i| right(n[i], widths[i])));
        parts.join(" ")
    };
    let second = |parts: [&str; 3]| -> String {
        let line = format!("  {}", parts.join(" · "));
        fit(&line, WIDTH).trim_end().to_string()
    };
    writeln!(w)?;
    writeln!(w, "{}", first(h[0], [h[4], h[5], h[6]]))?;
    writeln!(w, "{}", second([h[1], h[2], h[3]]))?;
    for (r, n) in rows.iter().zip(&numbers) {
        writeln!(w, "{}", first(&r.service.name, [&n[0], &n[1], &n[2]]))?;
        writeln!(
            w,
            "{}",
            second([
                r.service.activity.name(lang),
                settlement_name(settings, &r.service.settlement),
                &r.provider_name,
            ])
        )?;
    }
    let places: u64 = rows.iter().map(|r| u64::from(r.service.capacity)).sum();
    let taken: u64 = rows.iter().map(|r| u64::from(r.occupied)).sum();
    let free: u64 = rows.iter().filter_map(|r| r.free()).map(u64::from).sum();
    let full = rows.iter().filter(|r| r.full()).count();
    let total = match lang {
        Lang::Bg => format!(
            "Общо {} услуги: {places} места, {taken} заети, {free} свободни; пълни: {full}",
            rows.len()
        ),
        Lang::En => format!(
            "Total {} services: {places} places, {taken} taken, {free} free; full: {full}",
            rows.len()
        ),
    };
    writeln!(w)?;
    writeln!(w, "{}", fit(&total, WIDTH).trim_end())
}

fn access_name(a: Access, lang: Lang) -> &'static str {
    match a {
        Access::OpenToAll => lang.pick("общодостъпна", "open to all"),
        Access::Specialised => lang.pick("специализирана", "specialised"),
    }
}

pub fn csv(
    rows: &[RegisterRow],
    settings: &Settings,
    lang: Lang,
    w: impl Write,
) -> Result<(), csv::Error> {
    let mut c = csv::Writer::from_writer(w);
    c.write_record(match lang {
        Lang::Bg => [
            "номер",
            "услуга",
            "вид",
            "достъп",
            "ЕКАТТЕ",
            "населено място",
            "доставчик",
            "места",
            "заети",
            "свободни",
            "пълна",
        ],
        Lang::En => [
            "id",
            "service",
            "type",
            "access",
            "EKATTE",
            "settlement",
            "provider",
            "capacity",
            "occupied",
            "free",
            "full",
        ],
    })?;
    for r in rows {
        let s = &r.service;
        c.write_record([
            r.id.to_string(),
            s.name.clone(),
            s.activity.name(lang).to_string(),
            access_name(s.access, lang).to_string(),
            s.settlement.clone(),
            settlement_name(settings, &s.settlement).to_string(),
            r.provider_name.clone(),
            s.capacity.to_string(),
            r.occupied.to_string(),
            r.free().map(|n| n.to_string()).unwrap_or_default(),
            if r.full() {
                lang.pick("да", "yes")
            } else {
                lang.pick("не", "no")
            }
            .to_string(),
        ])?;
    }
    c.flush()?;
    Ok(())
}

/// A row as JSON: codes that do not depend on the language, names that do.
#[derive(serde::Serialize)]
struct JsonRow<'a> {
    id: u64,
    service: &'a str,
    #[serde(rename = "type")]
    activity: String,
    type_name: &'a str,
    access: String,
    settlement: &'a str,
    settlement_name: &'a str,
    provider: u64,
    provider_name: &'a str,
    capacity: u32,
    occupied: u32,
    /// None when no capacity was entered.
    free: Option<u32>,
    full: bool,
    funding: String,
    project: &'a str,
    valid_from: Option<NaiveDate>,
    valid_to: Option<NaiveDate>,
}

fn json_rows<'a>(rows: &'a [RegisterRow], settings: &'a Settings, lang: Lang) -> Vec<JsonRow<'a>> {
    rows.iter()
        .map(|r| {
            let s = &r.service;
            JsonRow {
                id: r.id,
                service: &s.name,
                activity: code(&s.activity),
                type_name: s.activity.name(lang),
                access: code(&s.access),
                settlement: &s.settlement,
                settlement_name: settlement_name(settings, &s.settlement),
                provider: s.provider,
                provider_name: &r.provider_name,
                capacity: s.capacity,
                occupied: r.occupied,
                free: r.free(),
                full: r.full(),
                funding: code(&s.funding),
                project: &s.project,
                valid_from: s.valid_from,
                valid_to: s.valid_to,
            }
        })
        .collect()
}

pub fn print(
    rows: &[RegisterRow],
    settings: &Settings,
    filter: &Filter,
    format: &str,
    lang: Lang,
) -> Result<(), Failure> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = match format {
        "csv" => csv(rows, settings, lang, &mut out).map_err(super::export::csv_io),
        "json" => serde_json::to_writer_pretty(&mut out, &json_rows(rows, settings, lang))
            .map_err(io::Error::other)
            .and_then(|()| writeln!(out)),
        _ => text(rows, settings, filter, lang, &mut out),
    };
    match result.and_then(|_| out.flush()) {
        // A reader that stops early (`| head`) is not a failure.
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(Failure(e.to_string())),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_code_parses_in_each_spelling() {
        for t in ServiceType::ALL {
            let c = code(&t);
            assert_eq!(parse_type(&c, Lang::En).ok(), Some(t), "{c}");
            assert_eq!(parse_type(&format!("{t:?}"), Lang::En).ok(), Some(t));
            assert_eq!(parse_type(&c.replace('_', "-"), Lang::En).ok(), Some(t));
        }
        let Err(Failure(m)) = parse_type("daycare centre", Lang::Bg) else {
            panic!("a wrong type was taken");
        };
        assert!(
            m.contains("Непознат вид услуга") && m.contains("day_care"),
            "{m}"
        );
    }
}
