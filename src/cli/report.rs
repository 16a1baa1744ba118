//! `report monthly`: the month's hours per agreement as a table for an 80-column terminal (cut
//! by display width, numbers never cut) or as CSV.

use super::Failure;
use crate::domain::{
    monthly::{format_decimal_hours, format_hm, MonthlySummary},
    pay::{format_cents, pay_cells, pay_total, PayLine, PayrollLine},
    text::safe_for_terminal,
    Lang,
};
use std::io::{self, Write};
use unicode_width::UnicodeWidthStr;

const WIDTH: usize = 80;

fn headers(lang: Lang) -> [&'static str; 8] {
    match lang {
        Lang::Bg => [
            "Номер",
            "Потребител",
            "Асистент",
            "Доставчик",
            "По СП",
            "Отчет.",
            "Разл.",
            "Отчет",
        ],
        Lang::En => [
            "Number",
            "User",
            "Assistant",
            "Provider",
            "Agreed",
            "Reported",
            "Diff",
            "Report",
        ],
    }
}

/// `s` made safe, cut to `width` display columns (with "…" when cut) and padded to it: the
/// console's own `pad`, so a report lines up as the screens do.
fn fit(s: &str, width: usize) -> String {
    crate::tui::widgets::pad(s, width, "…")
}

fn right(s: &str, width: usize) -> String {
    format!("{}{s}", " ".repeat(width.saturating_sub(s.width())))
}

/// A long name without its middle names first, then cut.
fn name_in(s: &str, width: usize) -> String {
    let s = safe_for_terminal(s);
    let words: Vec<&str> = s.split_whitespace().collect();
    if s.width() > width && words.len() > 2 {
        return fit(&format!("{} {}", words[0], words[words.len() - 1]), width);
    }
    fit(&s, width)
}

/// The pay lines of one provider, aligned, indented by two.
fn pay_block(lines: &[PayLine], lang: Lang, w: &mut impl Write) -> io::Result<()> {
    let cells: Vec<[String; 4]> = lines.iter().map(|l| pay_cells(l, lang)).collect();
    let col = |i: usize| cells.iter().map(|c| c[i].width()).max().unwrap_or(0);
    let (hw, rw, aw, ew) = (col(0), col(1), col(2), col(3));
    let tail = hw + 3 + rw + 3 + aw + if ew > 0 { 3 + ew } else { 0 };
    let name_w = WIDTH.saturating_sub(2 + 1 + tail).max(12);
    for (l, c) in lines.iter().zip(&cells) {
        let mut line = format!(
            "  {} {} × {}",
            name_in(&l.name, name_w),
            right(&c[0], hw),
            right(&c[1], rw)
        );
        if !c[2].is_empty() {
            line.push_str(&format!(" = {}", right(&c[2], aw)));
        }
        if !c[3].is_empty() {
            line.push_str(&format!(" = {}", right(&c[3], ew)));
        }
        writeln!(w, "{}", line.trim_end())?;
    }
    Ok(())
}

/// The month as an 80-column report: for each provider its agreements (agreed, reported,
/// difference, the report's state), its totals and missing reports, and the pay of the accepted
/// reports per assistant at the dated rate; then the month's totals.
pub fn text(m: &MonthlySummary, lang: Lang, w: &mut impl Write) -> io::Result<()> {
    let h = headers(lang);
    let (agreed, reported) = m.totals();
    let nums: Vec<[String; 3]> = m
        .rows
        .iter()
        .map(|r| {
            [
                format_hm(r.agreed_minutes.into()),
                format_hm(r.reported_minutes.into()),
                format_hm(r.difference()),
            ]
        })
        .collect();
    let providers = m.providers();
    let total_of = |a: u64, r: u64| {
        [
            format_hm(a as i64),
            format_hm(r as i64),
            format_hm(r as i64 - a as i64),
        ]
    };
    let mut totals: Vec<[String; 3]> = providers
        .iter()
        .map(|p| total_of(p.agreed_minutes, p.reported_minutes))
        .collect();
    totals.push(total_of(agreed, reported));
    let num_w: Vec<usize> = (0..3)
        .map(|i| {
            nums.iter()
                .chain(&totals)
                .map(|n| n[i].width())
                .chain(std::iter::once(h[4 + i].width()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let number_w = m
        .rows
        .iter()
        .map(|r| r.number.width())
        .chain(std::iter::once(h[0].width()))
        .max()
        .unwrap_or(0);
    let status_w = m
        .rows
        .iter()
        .map(|r| r.status.name(lang).width())
        .chain(std::iter::once(h[7].width()))
        .max()
        .unwrap_or(0);
    // The two names share what is left.
    let fixed = number_w + num_w.iter().sum::<usize>() + status_w + 6;
    let left = WIDTH.saturating_sub(fixed).max(12);
    let user_w = left / 2;
    let assistant_w = left - user_w;
    let label_w = number_w + user_w + assistant_w + 2;
    let line = |cells: [String; 7]| cells.join(" ").trim_end().to_string();
    let total_line = |label: &str, t: &[String; 3]| {
        [
            fit(label, label_w),
            right(&t[0], num_w[0]),
            right(&t[1], num_w[1]),
            right(&t[2], num_w[2]),
        ]
        .join(" ")
    };
    let counts = |agreements: usize, missing: usize| match lang {
        Lang::Bg => format!(
            "Общо: {agreements} {}, {missing} {}",
            if agreements == 1 {
                "споразумение"
            } else {
                "споразумения"
            },
            if missing == 1 {
                "липсващ отчет"
            } else {
                "липсващи отчета"
            }
        ),
        Lang::En => format!(
            "Total: {agreements} {}, {missing} {} missing",
            if agreements == 1 {
                "agreement"
            } else {
                "agreements"
            },
            if missing == 1 { "report" } else { "reports" }
        ),
    };
    let mut title = match lang {
        Lang::Bg => format!("Часове по споразумения за лична помощ, {}", m.month),
        Lang::En => format!("Personal-assistance hours by agreement, {}", m.month),
    };
    if let Some(c) = &m.closed {
        let by = safe_for_terminal(&c.by);
        let on = crate::domain::date::format_date(c.at.date());
        title.push_str(&match lang {
            Lang::Bg => format!(" (приключен на {on}, {by})"),
            Lang::En => format!(" (closed on {on}, {by})"),
        });
    }
    writeln!(w, "{}", fit(&title, WIDTH).trim_end())?;
    writeln!(
        w,
        "{}",
        match lang {
            Lang::Bg => format!("Работни дни в месеца: {}", m.working_days),
            Lang::En => format!("Working days in the month: {}", m.working_days),
        }
    )?;
    let pay = m.pay_lines();
    for (p, t) in providers.iter().zip(&totals) {
        writeln!(w)?;
        writeln!(w, "{}", name_in(&p.name, WIDTH).trim_end())?;
        writeln!(
            w,
            "{}",
            line([
                fit(h[0], number_w),
                fit(h[1], user_w),
                fit(h[2], assistant_w),
                right(h[4], num_w[0]),
                right(h[5], num_w[1]),
                right(h[6], num_w[2]),
                fit(h[7], status_w),
            ])
        )?;
        for (r, n) in m
            .rows
            .iter()
            .zip(&nums)
            .filter(|(r, _)| r.provider_id == p.provider)
        {
            writeln!(
                w,
                "{}",
                line([
                    fit(&safe_for_terminal(&r.number), number_w),
                    name_in(&r.user, user_w),
                    name_in(&r.assistant, assistant_w),
                    right(&n[0], num_w[0]),
                    right(&n[1], num_w[1]),
                    right(&n[2], num_w[2]),
                    fit(r.status.name(lang), status_w),
                ])
            )?;
        }
        writeln!(w, "{}", total_line(&counts(p.agreements, p.missing), t))?;
        let lines: Vec<PayLine> = pay
            .iter()
            .filter(|l| l.provider == p.provider)
            .cloned()
            .collect();
        if lines.is_empty() {
            writeln!(
                w,
                "{}",
                lang.pick(
                    "Заплащане: няма приети отчети.",
                    "Pay: no accepted reports."
                )
            )?;
        } else {
            writeln!(
                w,
                "{}",
                lang.pick(
                    "Заплащане по приетите отчети (часове × ставка):",
                    "Pay of the accepted reports (hours × rate):"
                )
            )?;
            pay_block(&lines, lang, w)?;
            writeln!(
                w,
                "  {}: {}",
                lang.pick("Сума", "Sum"),
                pay_total(&p.cents, p.eur_cents)
            )?;
        }
    }
    writeln!(w)?;
    let all = totals.last().cloned().unwrap_or_default();
    writeln!(
        w,
        "{}",
        total_line(&counts(m.rows.len(), m.missing()), &all)
    )?;
    let all = crate::domain::monthly::ProviderTotal::sum(&providers);
    writeln!(
        w,
        "{}: {}",
        lang.pick("Заплащане общо", "Pay in all"),
        pay_total(&all.cents, all.eur_cents)
    )
}

pub fn csv(m: &MonthlySummary, lang: Lang, w: impl Write) -> Result<(), csv::Error> {
    let mut c = csv::Writer::from_writer(w);
    let h = match lang {
        Lang::Bg => [
            "номер",
            "потребител",
            "асистент",
            "доставчик",
            "часове по споразумение",
            "отчетени часове",
            "състояние на отчета",
            "разлика",
            "заместник",
            "часове на заместника",
        ],
        Lang::En => [
            "number",
            "user",
            "assistant",
            "provider",
            "hours agreed",
            "hours reported",
            "report status",
            "difference",
            "substitute",
            "substitute's hours",
        ],
    };
    c.write_record(h)?;
    for r in &m.rows {
        c.write_record([
            r.number.clone(),
            r.user.clone(),
            r.assistant.clone(),
            r.provider.clone(),
            format_decimal_hours(r.agreed_minutes.into()),
            format_decimal_hours(r.reported_minutes.into()),
            r.status.name(lang).to_string(),
            format_decimal_hours(r.difference()),
            r.substitute.clone(),
            format_decimal_hours(r.substitute_minutes.into()),
        ])?;
    }
    let (agreed, reported) = m.totals();
    c.write_record([
        lang.pick("общо", "total").to_string(),
        String::new(),
        String::new(),
        String::new(),
        format_decimal_hours(agreed as i64),
        format_decimal_hours(reported as i64),
        String::new(),
        format_decimal_hours(reported as i64 - agreed as i64),
        String::new(),
        format_decimal_hours(m.rows.iter().map(|r| i64::from(r.substitute_minutes)).sum()),
    ])?;
    c.flush()?;
    Ok(())
}

/// The summary as JSON: its own fields, and what the text shows computed from them (each
/// provider's totals, the pay lines).
#[derive(serde::Serialize)]
struct Json<'a> {
    #[serde(flatten)]
    summary: &'a MonthlySummary,
    providers: Vec<crate::domain::monthly::ProviderTotal>,
    pay: Vec<PayLine>,
}

pub fn json(m: &MonthlySummary, w: &mut impl Write) -> io::Result<()> {
    let j = Json {
        summary: m,
        providers: m.providers(),
        pay: m.pay_lines(),
    };
    serde_json::to_writer_pretty(&mut *w, &j).map_err(io::Error::other)?;
    writeln!(w)
}

/// Writes to the standard output; a reader that stops early (`| head`) is not a failure.
fn to_stdout(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), Failure> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match write(&mut out).and_then(|_| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(Failure(e.to_string())),
        _ => Ok(()),
    }
}

pub fn print(m: &MonthlySummary, format: &str, lang: Lang) -> Result<(), Failure> {
    to_stdout(|mut out| match format {
        "csv" => csv(m, lang, &mut out).map_err(super::export::csv_io),
        "json" => json(m, &mut out),
        _ => text(m, lang, &mut out),
    })
}

/// How a payroll is written: `--excel` gives Excel in Bulgarian what it opens by a double
/// click: a UTF-8 byte order mark, `;` between fields, decimal commas and CRLF line ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PayrollFormat {
    pub json: bool,
    pub excel: bool,
}

/// The payroll as CSV for an accountant: one line per assistant, provider and rate.
pub fn payroll_csv(
    lines: &[PayrollLine],
    excel: bool,
    lang: Lang,
    w: &mut impl Write,
) -> Result<(), csv::Error> {
    if excel {
        w.write_all("\u{feff}".as_bytes())?;
    }
    let mut b = csv::WriterBuilder::new();
    if excel {
        b.delimiter(b';').terminator(csv::Terminator::CRLF);
    }
    let mut c = b.from_writer(w);
    c.write_record(match lang {
        Lang::Bg => [
            "асистент",
            "ЕГН",
            "IBAN",
            "часове",
            "ставка",
            "валута",
            "сума",
            "сума в евро",
            "доставчик",
        ],
        Lang::En => [
            "assistant",
            "ЕГН",
            "IBAN",
            "hours",
            "rate",
            "currency",
            "amount",
            "amount in euro",
            "provider",
        ],
    })?;
    let comma = |s: String| if excel { s.replace('.', ",") } else { s };
    for p in lines {
        let l = &p.line;
        c.write_record([
            l.name.clone(),
            p.ident.clone(),
            p.iban.clone(),
            comma(format_decimal_hours(l.minutes.into())),
            l.rate
                .as_ref()
                .map(|r| format_cents(r.cents_per_hour.into(), excel))
                .unwrap_or_default(),
            l.currency().to_string(),
            format_cents(l.cents, excel),
            l.eur_cents
                .map(|e| format_cents(e, excel))
                .unwrap_or_default(),
            l.provider_name.clone(),
        ])?;
    }
    c.flush()?;
    Ok(())
}

/// The payroll as a JSON array of flat lines (integer minutes and cents).
pub fn payroll_json(lines: &[PayrollLine], w: &mut impl Write) -> io::Result<()> {
    let items: Vec<serde_json::Value> = lines
        .iter()
        .map(|p| {
            let l = &p.line;
            serde_json::json!({
                "provider": l.provider,
                "provider_name": l.provider_name,
                "assistant": l.assistant,
                "name": l.name,
                "ident": p.ident,
                "iban": p.iban,
                "minutes": l.minutes,
                "hours": format_decimal_hours(l.minutes.into()),
                "rate_from": l.rate.as_ref().map(|r| r.from),
                "cents_per_hour": l.rate.as_ref().map(|r| r.cents_per_hour),
                "currency": l.currency(),
                "cents": l.cents,
                "eur_cents": l.eur_cents,
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *w, &items).map_err(io::Error::other)?;
    writeln!(w)
}

pub fn print_payroll(
    lines: &[PayrollLine],
    f: PayrollFormat,
    out: Option<&std::path::Path>,
    lang: Lang,
) -> Result<(), Failure> {
    let write = |mut w: &mut dyn Write| {
        if f.json {
            payroll_json(lines, &mut w)
        } else {
            payroll_csv(lines, f.excel, lang, &mut w).map_err(super::export::csv_io)
        }
    };
    match out {
        // Full ЕГН and IBAN: written 0600, whole or not at all.
        Some(path) => {
            crate::store::snapshot::write_atomically(path, |w| write(w))
                .map_err(|e| Failure(format!("{}: {e}", path.display())))?;
            println!(
                "{}",
                match lang {
                    Lang::Bg => format!("Ведомостта е записана в {}.", path.display()),
                    Lang::En => format!("The payroll is written to {}.", path.display()),
                }
            );
            Ok(())
        }
        None => to_stdout(write),
    }
}
