//! `report monthly`: the month's hours per agreement as a table for an 80-column terminal (cut
//! by display width, numbers never cut) or as CSV.

use super::Failure;
use crate::domain::{
    monthly::{format_decimal_hours, format_hm, MonthlySummary},
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

pub fn text(m: &MonthlySummary, lang: Lang, w: &mut impl Write) -> io::Result<()> {
    let h = headers(lang);
    let (agreed, reported) = m.totals();
    let total_diff = reported as i64 - agreed as i64;
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
    let totals = [
        format_hm(agreed as i64),
        format_hm(reported as i64),
        format_hm(total_diff),
    ];
    let num_w: Vec<usize> = (0..3)
        .map(|i| {
            nums.iter()
                .chain(std::iter::once(&totals))
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
    // The names share what is left, the provider taking the smallest part.
    let fixed = number_w + num_w.iter().sum::<usize>() + status_w + 7;
    let left = WIDTH.saturating_sub(fixed).max(18);
    let provider_w = left / 4;
    let user_w = (left - provider_w) / 2;
    let assistant_w = left - provider_w - user_w;
    let line = |cells: [String; 8]| cells.join(" ").trim_end().to_string();
    writeln!(
        w,
        "{}",
        match lang {
            Lang::Bg => format!("Часове по споразумения за лична помощ, {}", m.month),
            Lang::En => format!("Personal-assistance hours by agreement, {}", m.month),
        }
    )?;
    writeln!(
        w,
        "{}",
        line([
            fit(h[0], number_w),
            fit(h[1], user_w),
            fit(h[2], assistant_w),
            fit(h[3], provider_w),
            right(h[4], num_w[0]),
            right(h[5], num_w[1]),
            right(h[6], num_w[2]),
            fit(h[7], status_w),
        ])
    )?;
    for (r, n) in m.rows.iter().zip(&nums) {
        writeln!(
            w,
            "{}",
            line([
                fit(&safe_for_terminal(&r.number), number_w),
                name_in(&r.user, user_w),
                name_in(&r.assistant, assistant_w),
                name_in(&r.provider, provider_w),
                right(&n[0], num_w[0]),
                right(&n[1], num_w[1]),
                right(&n[2], num_w[2]),
                fit(r.status.name(lang), status_w),
            ])
        )?;
    }
    let label = match lang {
        Lang::Bg => format!(
            "Общо: {} споразумения, {} липсващи отчета",
            m.rows.len(),
            m.missing()
        ),
        Lang::En => format!(
            "Total: {} agreements, {} reports missing",
            m.rows.len(),
            m.missing()
        ),
    };
    let label_w = number_w + user_w + assistant_w + provider_w + 3;
    writeln!(
        w,
        "{}",
        [
            fit(&label, label_w),
            right(&totals[0], num_w[0]),
            right(&totals[1], num_w[1]),
            right(&totals[2], num_w[2]),
        ]
        .join(" ")
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
    ])?;
    c.flush()?;
    Ok(())
}

pub fn print(m: &MonthlySummary, csv_format: bool, lang: Lang) -> Result<(), Failure> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = if csv_format {
        csv(m, lang, &mut out).map_err(super::export::csv_io)
    } else {
        text(m, lang, &mut out)
    };
    match result.and_then(|_| out.flush()) {
        // A reader that stops early (`| head`) is not a failure.
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(Failure(e.to_string())),
        _ => Ok(()),
    }
}
