//! Fast entry of an assistant's monthly report: the month's days in columns (two characters
//! each, so 31 days fit 80 columns), rows for the assistant's hours, the substitute's hours and
//! absences. Weekends and days off are dim; days outside the agreement or suspended are
//! blocked. A report not yet entered opens filled from the agreement's weekly schedule, so one
//! key accepts it (F2). F5 fills from the schedule again, F6 copies last month's pattern, F7
//! spreads the total typed in the cell over the open working days. Hours are typed per day as
//! `4`, `3.5` or `3:30`; absences as a letter (О/L leave, Б/S sick, Х/H hospital, Д/O other).

use super::reason_prompt::{ReasonPrompt, Step};
use crate::domain::{
    assistance::{hours_text, Agreement},
    calendar::WorkCalendar,
    date::{format_date, Month},
    month_grid::{
        copy_last_month, fill_from_schedule, month_grid, parse_hours, spread_total, GridDay,
    },
    monthly::format_hm,
    record::{Body, Kind, Record},
    report::{report_warnings, Absence, MonthlyReport, ReportStatus, ReportWarning},
    Explain, FieldError, Reason,
};
use crate::service::{ApiExt, ServiceError};
use crate::tui::{
    app::{Cx, Level, Outcome, Screen},
    i18n::I18n,
    keymap::{Action, Context, Meanings},
    widgets::{fit, pad},
    Ev,
};
use chrono::Datelike;
use ratatui::{buffer::Buffer, crossterm::event::KeyCode, layout::Rect};

/// The rows of the grid.
const ROWS: [&str; 3] = ["grid.assistant", "grid.substitute", "grid.absence_row"];
const LABEL: usize = 9;

/// At most `cap` minutes in all: the last days give up what is over (a schedule of 4 hours a
/// day asks 92 in a month of 23 working days; an agreement of 84 allows 84).
pub fn capped(mut minutes: Vec<u16>, cap: u32) -> Vec<u16> {
    let mut over = minutes
        .iter()
        .map(|m| u32::from(*m))
        .sum::<u32>()
        .saturating_sub(cap);
    for m in minutes.iter_mut().rev() {
        if over == 0 {
            break;
        }
        let take = over.min(u32::from(*m)) as u16;
        *m -= take;
        over -= u32::from(take);
    }
    minutes
}

fn absence_of(c: char) -> Option<Option<Absence>> {
    Some(match c.to_lowercase().next()? {
        'о' | 'o' | 'l' => Some(Absence::Leave),
        'б' | 'b' | 's' => Some(Absence::Sick),
        'х' | 'h' => Some(Absence::UserInHospital),
        'д' | 'd' => Some(Absence::Other),
        ' ' | '0' => None,
        _ => return None,
    })
}

fn absence_letter(a: Absence, t: &I18n) -> &str {
    t.t(match a {
        Absence::Leave => "grid.leave",
        Absence::Sick => "grid.sick",
        Absence::UserInHospital => "grid.hospital",
        Absence::Other => "grid.other",
    })
}

pub struct ReportGrid {
    agreement_id: u64,
    pub agreement: Agreement,
    pub month: Month,
    /// The saved report (id, rev) when there is one.
    saved: Option<(u64, u64, ReportStatus)>,
    grid: Vec<GridDay>,
    /// Last month's grid, for its pattern.
    last_grid: Vec<GridDay>,
    minutes: Vec<u16>,
    substitute: Vec<u16>,
    absences: Vec<Option<Absence>>,
    last_month: Option<MonthlyReport>,
    /// The hours the agreement allows this month (pro rata), minutes.
    agreed: u32,
    row: usize,
    col: usize,
    /// What is being typed in the focused cell.
    typing: String,
    /// Days the service refused, with why.
    refused: Vec<(u32, String)>,
    dirty: bool,
    names: String,
    /// The warnings the clerk was shown for the report as typed: F2 with the same ones saves,
    /// with others it warns again (as the referral's warnings).
    warned: Option<Vec<ReportWarning>>,
}

impl ReportGrid {
    /// The month's report of an agreement: the saved one, else filled from the schedule.
    pub fn open(cx: &Cx, agreement_id: u64, month: Month) -> Result<ReportGrid, ServiceError> {
        let rec = cx.api.get(Kind::Agreement, agreement_id)?;
        let Body::Agreement(agreement) = rec.body else {
            return Err(ServiceError::NotFound {
                kind: Kind::Agreement,
                id: agreement_id,
            });
        };
        let mut suspensions = Vec::new();
        let mut saved: Option<Record> = None;
        let mut last_month = None;
        for r in cx.api.related(agreement_id)? {
            match &r.body {
                Body::Suspension(s) => suspensions.push(s.clone()),
                Body::Report(m) if m.month == month => saved = Some(r.clone()),
                Body::Report(m) if m.month == month.prev() => last_month = Some(m.clone()),
                _ => {}
            }
        }
        let cal = WorkCalendar::new(cx.settings.calendar.clone());
        let grid = month_grid(&cal.month_days(month), &agreement, &suspensions);
        let last_grid = month_grid(&cal.month_days(month.prev()), &agreement, &suspensions);
        let n = grid.len();
        let names = [agreement.user, agreement.assistant]
            .iter()
            .map(|id| crate::tui::forms::agreement::person_name(cx, *id))
            .collect::<Vec<_>>()
            .join(" · ");
        let agreed = crate::domain::monthly::agreed_minutes(&agreement, &suspensions, month, &cal);
        let mut g = ReportGrid {
            agreement_id,
            minutes: capped(fill_from_schedule(&grid, &agreement.week), agreed),
            agreement,
            month,
            saved: None,
            substitute: vec![0; n],
            absences: vec![None; n],
            grid,
            last_grid,
            last_month,
            agreed,
            row: 0,
            col: 0,
            typing: String::new(),
            refused: Vec::new(),
            dirty: false,
            names,
            warned: None,
        };
        if let Some(r) = saved {
            if let Body::Report(m) = &r.body {
                g.saved = Some((r.id(), r.meta.rev, m.status));
                g.minutes = m.minutes.clone();
                g.minutes.resize(n, 0);
                if !m.substitute_minutes.is_empty() {
                    g.substitute = m.substitute_minutes.clone();
                    g.substitute.resize(n, 0);
                }
                for (day, a) in &m.absences {
                    if let Some(slot) = g.absences.get_mut((*day as usize).wrapping_sub(1)) {
                        *slot = Some(*a);
                    }
                }
            }
        }
        g.col = g.grid.iter().position(Self::working).unwrap_or(0);
        Ok(g)
    }

    /// The stored report and its rev when it can go back for correction (received or
    /// accepted).
    fn returnable(&self) -> Option<(u64, u64)> {
        match self.saved {
            Some((id, rev, ReportStatus::Received | ReportStatus::Accepted)) => Some((id, rev)),
            _ => None,
        }
    }

    /// A day of the agreement that is a working day.
    fn working(d: &GridDay) -> bool {
        d.open() && d.kind.is_working()
    }

    fn row_mut(&mut self) -> Option<&mut Vec<u16>> {
        match self.row {
            0 => Some(&mut self.minutes),
            1 => Some(&mut self.substitute),
            _ => None,
        }
    }

    /// The typed value into the focused cell.
    fn commit(&mut self, cx: &mut Cx) {
        if self.typing.is_empty() {
            return;
        }
        let typed = std::mem::take(&mut self.typing);
        let col = self.col;
        match parse_hours(&typed) {
            Ok(m) => {
                if let Some(row) = self.row_mut() {
                    row[col] = m;
                    self.dirty = true;
                }
            }
            Err(r) => cx.say(Level::Error, r.explain(cx.t.lang())),
        }
    }

    fn total(&self) -> u32 {
        self.minutes
            .iter()
            .chain(&self.substitute)
            .map(|m| u32::from(*m))
            .sum()
    }

    fn report(&self, cx: &Cx) -> MonthlyReport {
        MonthlyReport {
            agreement: self.agreement_id,
            month: self.month,
            minutes: self.minutes.clone(),
            substitute_minutes: if self.substitute.iter().any(|m| *m > 0) {
                self.substitute.clone()
            } else {
                Vec::new()
            },
            absences: self
                .absences
                .iter()
                .enumerate()
                .filter_map(|(i, a)| a.map(|a| (i as u32 + 1, a)))
                .collect(),
            status: ReportStatus::Accepted,
            received: cx.today(),
            note: String::new(),
            // The service's to fix and to say.
            facts: None,
            warnings: Vec::new(),
        }
    }

    /// F2: the report as accepted, durable before the screen says so. Hours on a day the
    /// schedule leaves empty are warned of first: the first F2 shows the warning, a second
    /// saves (the service keeps it on the record).
    fn accept(&mut self, cx: &mut Cx) -> Outcome {
        self.commit(cx);
        let report = self.report(cx);
        let warnings = report_warnings(&report, &self.agreement);
        if !warnings.is_empty() && self.warned.as_ref() != Some(&warnings) {
            let text: Vec<String> = warnings.iter().map(|w| w.explain(cx.t.lang())).collect();
            let msg = cx.t.f("grid.warned", &[("warning", &text.join(" "))]);
            self.warned = Some(warnings);
            cx.say(Level::Warn, msg);
            return Outcome::Consumed;
        }
        let body = Body::Report(report);
        let result = match self.saved {
            Some((id, rev, _)) => cx.api.update(id, rev, body),
            None => cx.api.create(body),
        };
        match result {
            Ok(_) => {
                let msg = cx.t.f(
                    "grid.accepted",
                    &[
                        ("number", &self.agreement.number),
                        ("hours", &format_hm(self.total().into())),
                    ],
                );
                cx.say(Level::Info, msg);
                Outcome::Pop
            }
            Err(ServiceError::Invalid(errors)) => {
                self.show_refusal(&errors, cx);
                Outcome::Consumed
            }
            Err(e) => {
                cx.fail(&e);
                Outcome::Consumed
            }
        }
    }

    fn show_refusal(&mut self, errors: &[FieldError], cx: &mut Cx) {
        let lang = cx.t.lang();
        self.refused = errors
            .iter()
            .filter_map(|e| match e.reason {
                Reason::ReportOutsidePeriod { day }
                | Reason::ReportedOnSuspendedDay { day }
                | Reason::DayOverLimit { day, .. } => Some((day, e.reason.explain(lang))),
                _ => None,
            })
            .collect();
        if let Some(first) = errors.first() {
            cx.say(Level::Error, first.reason.explain(lang));
        }
    }

    fn cell(&self, row: usize, i: usize, t: &I18n) -> String {
        if !self.grid[i].open() {
            return "--".into();
        }
        let m = match row {
            0 => self.minutes[i],
            1 => self.substitute[i],
            _ => {
                return match self.absences[i] {
                    Some(a) => format!("{:>2}", absence_letter(a, t)),
                    None => " ·".into(),
                }
            }
        };
        match (m / 60, m % 60) {
            (0, 0) => " ·".into(),
            (h, 0) => format!("{h:>2}"),
            // Quarters in two cells ("3½" is 3:30; an ASCII terminal folds them to "+"); any
            // other part hour a mark. The exact value is on the line below.
            (h, 15) if h < 10 => format!("{h}¼"),
            (h, 30) if h < 10 => format!("{h}½"),
            (h, 45) if h < 10 => format!("{h}¾"),
            (h, _) => format!("{h}+"),
        }
    }
}

impl Screen for ReportGrid {
    fn title(&self, t: &I18n) -> String {
        t.f(
            "grid.title",
            &[
                ("number", &self.agreement.number),
                (
                    "month",
                    &format!("{:02}.{}", self.month.month, self.month.year),
                ),
            ],
        )
    }

    fn context(&self) -> Context {
        Context::List
    }

    fn hints(&self) -> Vec<Action> {
        let mut v = vec![
            Action::Save,
            Action::Reveal,
            Action::Edit,
            Action::NewPerson,
        ];
        if self.returnable().is_some() {
            v.push(Action::CopyPrevious);
        }
        v.push(Action::Back);
        v
    }

    fn meanings(&self) -> Meanings {
        vec![
            (Action::Save, "grid.accept"),
            (Action::Reveal, "grid.fill"),
            (Action::Edit, "grid.copy_last"),
            (Action::NewPerson, "grid.spread"),
            (Action::CopyPrevious, "grid.return"),
        ]
    }

    /// Back from returning the report: the grid as it is stored now, the cursor where it was.
    fn resume(&mut self, cx: &mut Cx) {
        match ReportGrid::open(cx, self.agreement_id, self.month) {
            Ok(g) => {
                let (row, col) = (self.row, self.col);
                *self = g;
                (self.row, self.col) = (row, col);
            }
            Err(e) => cx.fail(&e),
        }
    }

    fn unsaved(&self) -> bool {
        self.dirty
    }

    fn handle(&mut self, ev: &Ev, cx: &mut Cx) -> Outcome {
        let n = self.grid.len();
        match ev {
            Ev::Action(Action::Save) => return self.accept(cx),
            Ev::Action(Action::CopyPrevious) => {
                if let Some((id, rev)) = self.returnable() {
                    let what = format!(
                        "{} {:02}.{}",
                        self.agreement.number, self.month.month, self.month.year
                    );
                    return Outcome::Push(Box::new(ReasonPrompt::new(
                        Step::ReturnReport { id, rev, what },
                        cx,
                    )));
                }
            }
            Ev::Action(Action::Reveal) => {
                self.typing.clear();
                self.minutes = capped(
                    fill_from_schedule(&self.grid, &self.agreement.week),
                    self.agreed,
                );
                self.dirty = true;
            }
            Ev::Action(Action::Edit) => {
                self.typing.clear();
                match &self.last_month {
                    Some(last) => {
                        let (own, substitute) = copy_last_month(&self.last_grid, last, &self.grid);
                        self.minutes = capped(own, self.agreed);
                        if !substitute.is_empty() {
                            self.substitute = substitute;
                        }
                        self.dirty = true;
                    }
                    None => {
                        let msg = cx.t.t("grid.no_last").to_string();
                        cx.say(Level::Info, msg);
                    }
                }
            }
            Ev::Action(Action::NewPerson) => {
                // The total typed in the cell (or the month's agreed hours) over the open days.
                let total = match parse_hours_total(&std::mem::take(&mut self.typing)) {
                    Some(m) => m,
                    None => self.agreed,
                };
                if let Some(m) = spread_total(total, &self.grid, &self.agreement.week) {
                    self.minutes = m;
                    self.dirty = true;
                }
            }
            Ev::Action(Action::Up) => {
                self.commit(cx);
                self.row = self.row.saturating_sub(1);
            }
            Ev::Action(Action::Down) => {
                self.commit(cx);
                self.row = (self.row + 1).min(ROWS.len() - 1);
            }
            Ev::Action(Action::Home) => {
                self.commit(cx);
                self.col = 0;
            }
            Ev::Action(Action::End) => {
                self.commit(cx);
                self.col = n - 1;
            }
            Ev::Action(Action::Open) => {
                self.commit(cx);
                self.col = (self.col + 1).min(n - 1);
            }
            Ev::Action(_) => return Outcome::Ignored,
            Ev::Key(k) => match k.code {
                KeyCode::Left => {
                    self.commit(cx);
                    self.col = self.col.saturating_sub(1);
                }
                KeyCode::Right | KeyCode::Tab => {
                    self.commit(cx);
                    self.col = (self.col + 1).min(n - 1);
                }
                // Backspace takes back a typed character, else clears the cell.
                KeyCode::Backspace if self.typing.pop().is_none() => {
                    let col = self.col;
                    match self.row_mut() {
                        Some(row) => row[col] = 0,
                        None => self.absences[col] = None,
                    }
                    self.dirty = true;
                }
                KeyCode::Char(c) if self.row == 2 => {
                    if let Some(a) = absence_of(c) {
                        self.absences[self.col] = a;
                        self.dirty = true;
                        self.col = (self.col + 1).min(n - 1);
                    }
                }
                KeyCode::Char(c)
                    if (c.is_ascii_digit() || matches!(c, '.' | ',' | ':'))
                        && self.grid[self.col].open()
                        && self.typing.len() < 6 =>
                {
                    self.typing.push(c);
                }
                _ => {}
            },
            Ev::Paste(_) => {}
        }
        Outcome::Consumed
    }

    fn render(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        let (t, theme, sym) = (&cx.t, &cx.theme, &cx.sym);
        let w = area.width as usize;
        let mut y = area.y;
        let line = |buf: &mut Buffer, text: String, style, y: &mut u16| {
            if *y < area.bottom() {
                buf.set_stringn(area.x, *y, fit(&text, w, sym.ellipsis), w, style);
            }
            *y += 1;
        };
        let week = crate::domain::assistance::week_text(&self.agreement.week, t.lang());
        line(buf, self.names.clone(), theme.heading, &mut y);
        line(
            buf,
            t.f(
                "grid.terms",
                &[
                    ("hours", &self.agreement.hours_per_month.to_string()),
                    ("agreed", &format_hm(self.agreed.into())),
                    ("week", if week.is_empty() { sym.dash } else { &week }),
                ],
            ),
            theme.base,
            &mut y,
        );
        // Day numbers and weekdays, a cell per day: days off dim, the others alternating so
        // that two-character columns read apart.
        let first = self.month.first_day();
        for (i, d) in first.iter_days().take(self.grid.len()).enumerate() {
            let x = area.x + (LABEL + 2 * i) as u16;
            if x + 2 > area.right() || y + 1 >= area.bottom() {
                break;
            }
            let style = match (Self::working(&self.grid[i]), i % 2) {
                (true, 0) => theme.heading,
                (true, _) => theme.label,
                _ => theme.dim,
            };
            let key = format!("grid.wd{}", d.weekday().num_days_from_monday());
            buf.set_stringn(x, y, format!("{:>2}", i + 1), 2, style);
            buf.set_stringn(x, y + 1, pad(t.t(&key), 2, ""), 2, style);
        }
        y += 2;
        for (r, key) in ROWS.iter().enumerate() {
            let x0 = area.x;
            if y >= area.bottom() {
                break;
            }
            let label_style = if r == self.row {
                theme.heading
            } else {
                theme.label
            };
            buf.set_stringn(
                x0,
                y,
                pad(t.t(key), LABEL, sym.ellipsis),
                LABEL,
                label_style,
            );
            for i in 0..self.grid.len() {
                let x = x0 + (LABEL + 2 * i) as u16;
                if x + 2 > area.right() {
                    break;
                }
                let focused = r == self.row && i == self.col;
                let text = if focused && !self.typing.is_empty() {
                    pad(&self.typing, 2, "")
                        .chars()
                        .rev()
                        .take(2)
                        .collect::<Vec<_>>()
                        .into_iter()
                        .rev()
                        .collect()
                } else {
                    self.cell(r, i, t)
                };
                let refused = self.refused.iter().any(|(d, _)| *d as usize == i + 1);
                let style = match (focused, refused, Self::working(&self.grid[i])) {
                    (true, _, _) => theme.selected,
                    (_, true, _) => theme.error,
                    (_, _, true) => theme.base,
                    _ => theme.dim,
                };
                buf.set_stringn(x, y, &text, 2, style);
            }
            y += 1;
        }
        y += 1;
        // The focused day in full.
        let day = first + chrono::Days::new(self.col as u64);
        let value = match self.row {
            0 => hours_text(self.minutes[self.col].into()),
            1 => hours_text(self.substitute[self.col].into()),
            _ => self.absences[self.col]
                .map(|a| crate::tui::screens::label(t, "grid.absence", &a))
                .unwrap_or_default(),
        };
        let d = &self.grid[self.col];
        let state = match (d.open(), d.kind.is_working()) {
            (false, _) => t.t("grid.blocked"),
            (true, false) => t.t("grid.off"),
            (true, true) => "",
        };
        let why = self
            .refused
            .iter()
            .find(|(d, _)| *d as usize == self.col + 1)
            .map(|(_, w)| format!(" · {w}"))
            .unwrap_or_default();
        let wd_key = format!("grid.wd{}", day.weekday().num_days_from_monday());
        line(
            buf,
            format!(
                "{} {}: {} {state}{why}",
                format_date(day),
                t.t(&wd_key),
                if self.typing.is_empty() {
                    &value
                } else {
                    &self.typing
                },
            ),
            if why.is_empty() {
                theme.base
            } else {
                theme.error
            },
            &mut y,
        );
        let total = self.total();
        let over = total > self.agreed;
        line(
            buf,
            t.f(
                "grid.total",
                &[
                    ("total", &format_hm(total.into())),
                    ("agreed", &format_hm(self.agreed.into())),
                    (
                        "assistant",
                        &format_hm(self.minutes.iter().map(|m| i64::from(*m)).sum()),
                    ),
                    (
                        "substitute",
                        &format_hm(self.substitute.iter().map(|m| i64::from(*m)).sum()),
                    ),
                ],
            ),
            if over { theme.warn } else { theme.base },
            &mut y,
        );
        if let Some(w) = self.warned.as_ref().filter(|w| !w.is_empty()) {
            let text: Vec<String> = w.iter().map(|w| w.explain(t.lang())).collect();
            line(
                buf,
                format!("{} {}", sym.warn, text.join(" ")),
                theme.warn,
                &mut y,
            );
        }
        if let Some((_, _, status)) = self.saved {
            line(
                buf,
                format!(
                    "{}: {}",
                    t.t("grid.saved"),
                    crate::tui::screens::label(t, "report.status", &status)
                ),
                theme.dim,
                &mut y,
            );
        }
        line(buf, t.t("grid.keys").to_string(), theme.dim, &mut y);
    }
}

/// A total typed before F7: hours as typed ("84", "82:30"), any size.
fn parse_hours_total(s: &str) -> Option<u32> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    match s.split_once(':') {
        Some((h, m)) => Some(h.parse::<u32>().ok()? * 60 + m.parse::<u32>().ok()?.min(59)),
        None => s
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && (0.0..=744.0).contains(v))
            .map(|v| (v * 60.0).round() as u32),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fill_never_passes_the_months_hours() {
        assert_eq!(parse_hours_total("82:30"), Some(4950));
        assert_eq!(parse_hours_total("84"), Some(5040));
        assert_eq!(parse_hours_total("x"), None);
        assert_eq!(capped(vec![240, 240, 240], 600), [240, 240, 120]);
        assert_eq!(capped(vec![240, 0, 240], 1000), [240, 0, 240]);
    }
}
