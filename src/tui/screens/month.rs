//! The month's reports (default: last month): every agreement in force that month with its
//! report's state and hours agreed / reported, the counts per state and the working days left
//! to the АСП deadline. Typing filters by user, assistant, provider or number; F5 and F6 step
//! the month, F4 and F11 go through the users' settlements and the providers. Enter opens the
//! report's grid, filled from the schedule when none came yet: F2 there accepts it and the
//! cursor comes back on the next expected report, so a report that matches its schedule takes
//! two keys. F12 shows the month per provider with the pay and the last 12 months' chart; F8
//! closes the month (supervisors), or reopens a closed one with a reason.

use super::{
    month_summary::MonthSummaryScreen,
    reason_prompt::{ReasonPrompt, Step},
    report_grid::ReportGrid,
};
use crate::domain::{
    calendar::WorkCalendar,
    date::{format_date, Month},
    monthly::{format_hm, MonthlyRow, MonthlySummary, RowStatus},
    search_key::{prefixes_all, search_tokens},
};
use crate::service::{ApiExt, Change};
use crate::tui::{
    app::{Cx, Outcome, Screen},
    i18n::I18n,
    keymap::{Action, Context, Meanings},
    widgets::{fit, heading, input, pad},
    Ev,
};
use ratatui::{buffer::Buffer, layout::Rect};
use ratatui_textarea::TextArea;
use std::collections::HashMap;

const STATES: [RowStatus; 5] = [
    RowStatus::Missing,
    RowStatus::Received,
    RowStatus::Returned,
    RowStatus::Accepted,
    RowStatus::NotDue,
];

pub struct MonthScreen {
    month: Month,
    summary: MonthlySummary,
    /// Indexes into the rows that pass the filter.
    shown: Vec<usize>,
    /// Each row's words (`words_of`), in the rows' order; made when the clerk first types a
    /// filter (empty until then: a month of a thousand agreements opens without them).
    words: Vec<Vec<String>>,
    input: TextArea<'static>,
    selected: usize,
    /// Only the users of this settlement (an EKATTE code), F4.
    settlement: Option<String>,
    /// Only this provider's agreements, F11.
    provider: Option<u64>,
    /// The agreement whose report is open above this screen: its row reloads on return.
    opened: Option<u64>,
    /// The month itself may change above this screen (reopened): all of it reloads on return.
    stale: bool,
}

/// At most this many agreements are reloaded row by row; a change of more reloads the month.
const ROWS_AT_ONCE: usize = 64;

/// The next value after `current` in `values` (sorted, unique), then none, then the first.
fn cycle<T: Clone + PartialEq>(values: &[T], current: &Option<T>) -> Option<T> {
    match current {
        None => values.first().cloned(),
        Some(c) => {
            let at = values.iter().position(|v| v == c);
            at.and_then(|i| values.get(i + 1)).cloned()
        }
    }
}

/// The words a row is found by: its number, names and settlement, as search keys (made once
/// per load: typing then only compares prefixes).
fn words_of(row: &MonthlyRow, settlement: &str) -> Vec<String> {
    search_tokens(&format!(
        "{} {} {} {} {} {settlement}",
        row.number, row.user, row.assistant, row.substitute, row.provider
    ))
}

impl MonthScreen {
    pub fn new(cx: &mut Cx) -> MonthScreen {
        let month = Month::of(cx.today()).prev();
        let mut input = input::new_input("");
        input.set_cursor_style(cx.theme.cursor);
        let mut s = MonthScreen {
            month,
            summary: MonthlySummary {
                month,
                rows: Vec::new(),
                closed: None,
                working_days: 0,
            },
            shown: Vec::new(),
            words: Vec::new(),
            input,
            selected: 0,
            settlement: None,
            provider: None,
            opened: None,
            stale: false,
        };
        s.load(cx);
        s.selected = s.next_expected(0).unwrap_or(0);
        s
    }

    fn load(&mut self, cx: &mut Cx) {
        match cx.api.monthly_report(self.month) {
            Ok(s) => {
                self.summary = s;
                self.rows_changed(cx);
            }
            Err(e) => cx.fail(&e),
        }
    }

    /// Reloads the rows of these agreements only (a report or an agreement changed): one
    /// short request instead of the whole month, which at a thousand agreements is tens of ms.
    fn reload_rows(&mut self, cx: &mut Cx, ids: &[u64]) {
        if ids.len() > ROWS_AT_ONCE {
            return self.load(cx);
        }
        match cx.api.monthly_rows(self.month, ids.to_vec()) {
            Ok(fresh) => {
                let at = self.shown.get(self.selected).copied();
                let was = at.map(|i| self.summary.rows[i].agreement);
                // The other rows keep their words: only the fresh ones are made again.
                let mut kept: HashMap<u64, Vec<String>> = self
                    .summary
                    .rows
                    .iter()
                    .map(|r| r.agreement)
                    .zip(std::mem::take(&mut self.words))
                    .filter(|(id, _)| !ids.contains(id))
                    .collect();
                let rows = &mut self.summary.rows;
                rows.retain(|r| !ids.contains(&r.agreement));
                rows.extend(fresh);
                rows.sort_by(|a, b| a.number.cmp(&b.number));
                self.words = rows
                    .iter()
                    .map(|r| kept.remove(&r.agreement).unwrap_or_default())
                    .collect();
                self.apply(cx);
                // The cursor stays on its agreement.
                if let Some(pos) = was.and_then(|id| {
                    self.shown
                        .iter()
                        .position(|&i| self.summary.rows[i].agreement == id)
                }) {
                    self.selected = pos;
                }
            }
            Err(e) => cx.fail(&e),
        }
    }

    /// The rows changed: their words are made again when needed, then the filter.
    fn rows_changed(&mut self, cx: &Cx) {
        self.words = vec![Vec::new(); self.summary.rows.len()];
        self.apply(cx);
    }

    /// The filter: the settlement and provider chosen, and every word typed starting a word
    /// of the row.
    fn apply(&mut self, cx: &Cx) {
        let typed = search_tokens(&input::value(&self.input));
        let rows = &self.summary.rows;
        if !typed.is_empty() {
            for (r, w) in rows.iter().zip(&mut self.words) {
                if w.is_empty() {
                    *w = words_of(r, settlement_name(cx, &r.settlement));
                }
            }
        }
        self.shown = (0..rows.len())
            .filter(|&i| {
                let r = &rows[i];
                self.settlement.as_ref().is_none_or(|s| *s == r.settlement)
                    && self.provider.is_none_or(|p| p == r.provider_id)
                    && prefixes_all(&typed, &self.words[i])
            })
            .collect();
        self.selected = self.selected.min(self.shown.len().saturating_sub(1));
    }

    /// The month's settlements of users (codes, by name) and providers (ids, by name).
    fn settlements(&self, cx: &Cx) -> Vec<String> {
        let mut v: Vec<String> = self
            .summary
            .rows
            .iter()
            .map(|r| r.settlement.clone())
            .collect();
        v.sort_by(|a, b| settlement_name(cx, a).cmp(settlement_name(cx, b)));
        v.dedup();
        v
    }

    fn providers(&self) -> Vec<u64> {
        let mut v: Vec<(&str, u64)> = self
            .summary
            .rows
            .iter()
            .map(|r| (r.provider.as_str(), r.provider_id))
            .collect();
        v.sort();
        v.dedup();
        v.into_iter().map(|(_, id)| id).collect()
    }

    /// The filters in force, for the header ("" without any).
    fn filters(&self, cx: &Cx) -> String {
        let mut out = Vec::new();
        if let Some(s) = &self.settlement {
            out.push(settlement_name(cx, s).to_string());
        }
        if let Some(p) = self.provider {
            if let Some(r) = self.summary.rows.iter().find(|r| r.provider_id == p) {
                out.push(r.provider.clone());
            }
        }
        out.join(" · ")
    }

    fn month_text(&self) -> String {
        format!("{:02}.{}", self.month.month, self.month.year)
    }

    /// The first row at or after `from` whose report is expected.
    fn next_expected(&self, from: usize) -> Option<usize> {
        (from..self.shown.len())
            .chain(0..from.min(self.shown.len()))
            .find(|&i| self.summary.rows[self.shown[i]].status == RowStatus::Missing)
    }

    /// Working days from tomorrow to the АСП day of the month after this one.
    fn days_left(&self, cx: &Cx) -> Option<(chrono::NaiveDate, u32)> {
        let next = self.month.next();
        let day = cx.settings.asp_report_day.clamp(1, next.days());
        let deadline = chrono::NaiveDate::from_ymd_opt(next.year, next.month, day)?;
        let today = cx.today();
        if today > deadline {
            return Some((deadline, 0));
        }
        let cal = WorkCalendar::new(cx.settings.calendar.clone());
        let n = today
            .iter_days()
            .skip(1)
            .take_while(|d| *d <= deadline)
            .filter(|d| cal.is_working_day(*d))
            .count();
        Some((deadline, n as u32))
    }

    fn header(&self, cx: &Cx) -> String {
        let t = &cx.t;
        let counts: Vec<String> = STATES
            .iter()
            .filter_map(|s| {
                let rows = &self.summary.rows;
                let n = self.shown.iter().filter(|&&i| rows[i].status == *s).count();
                (n > 0).then(|| format!("{} {n}", crate::tui::screens::label(t, "month.state", s)))
            })
            .collect();
        let left = match self.days_left(cx) {
            Some((d, _)) if d < cx.today() => {
                t.f("month.deadline_passed", &[("date", &format_date(d))])
            }
            Some((d, n)) => t.f(
                "month.days_left",
                &[("date", &format_date(d)), ("n", &n.to_string())],
            ),
            None => String::new(),
        };
        let closed = match &self.summary.closed {
            Some(c) => format!(
                " · {}",
                t.f(
                    "month.closed",
                    &[("by", &c.by), ("date", &format_date(c.at.date()))]
                )
            ),
            None => String::new(),
        };
        let filters = self.filters(cx);
        let filters = if filters.is_empty() {
            filters
        } else {
            format!("[{filters}] ")
        };
        format!("{filters}{} · {left}{closed}", counts.join(" · "))
    }
}

/// A settlement's name as the settings spell it (its code when they do not list it).
fn settlement_name<'a>(cx: &'a Cx, code: &'a str) -> &'a str {
    cx.settings.settlement_name(code).unwrap_or(code)
}

impl Screen for MonthScreen {
    fn title(&self, t: &I18n) -> String {
        t.f("month.title", &[("month", &self.month_text())])
    }

    fn context(&self) -> Context {
        Context::SearchBox
    }

    fn hints(&self) -> Vec<Action> {
        vec![
            Action::Open,
            Action::Reveal,
            Action::Edit,
            Action::More,
            Action::ListValues,
            Action::OpenDuplicate,
            Action::CopyPrevious,
            Action::Back,
        ]
    }

    fn meanings(&self) -> Meanings {
        vec![
            (Action::Reveal, "month.prev"),
            (Action::Edit, "month.next"),
            (Action::More, "month.summary"),
            (Action::ListValues, "month.by_settlement"),
            (Action::OpenDuplicate, "month.by_provider"),
            (
                Action::CopyPrevious,
                if self.summary.closed.is_some() {
                    "month.reopen"
                } else {
                    "month.close"
                },
            ),
        ]
    }

    fn handle(&mut self, ev: &Ev, cx: &mut Cx) -> Outcome {
        if let Ev::Action(a) = ev {
            if let Some(s) = super::moved(*a, self.selected, self.shown.len()) {
                self.selected = s;
                return Outcome::Consumed;
            }
        }
        match ev {
            Ev::Action(Action::Open) => {
                let Some(&i) = self.shown.get(self.selected) else {
                    return Outcome::Consumed;
                };
                let agreement = self.summary.rows[i].agreement;
                return match ReportGrid::open(cx, agreement, self.month) {
                    Ok(g) => {
                        self.opened = Some(agreement);
                        Outcome::Push(Box::new(g))
                    }
                    Err(e) => {
                        cx.fail(&e);
                        Outcome::Consumed
                    }
                };
            }
            Ev::Action(Action::Reveal) => {
                self.month = self.month.prev();
                self.selected = 0;
                self.load(cx);
            }
            Ev::Action(Action::CopyPrevious) if self.summary.closed.is_some() => {
                self.stale = true;
                return Outcome::Push(Box::new(ReasonPrompt::new(
                    Step::ReopenMonth(self.month),
                    cx,
                )));
            }
            Ev::Action(Action::CopyPrevious) => match cx.api.close_month(self.month) {
                Ok(_) => {
                    let msg = cx.t.f("month.closed_now", &[("month", &self.month_text())]);
                    cx.say(crate::tui::app::Level::Info, msg);
                    self.load(cx);
                }
                Err(e) => cx.fail(&e),
            },
            Ev::Action(Action::More) => {
                let summary = match self.provider {
                    Some(p) => self.summary.for_provider(p),
                    None => self.summary.clone(),
                };
                return match MonthSummaryScreen::new(cx, summary, self.provider) {
                    Ok(s) => Outcome::Push(Box::new(s)),
                    Err(e) => {
                        cx.fail(&e);
                        Outcome::Consumed
                    }
                };
            }
            Ev::Action(Action::ListValues) => {
                self.settlement = cycle(&self.settlements(cx), &self.settlement);
                self.apply(cx);
            }
            Ev::Action(Action::OpenDuplicate) => {
                self.provider = cycle(&self.providers(), &self.provider);
                self.apply(cx);
            }
            Ev::Action(Action::Edit) => {
                // Never past the current month.
                if self.month < Month::of(cx.today()) {
                    self.month = self.month.next();
                    self.selected = 0;
                    self.load(cx);
                }
            }
            Ev::Action(_) => return Outcome::Ignored,
            Ev::Key(k) => {
                if input::edit_line(&mut self.input, k) {
                    self.apply(cx);
                }
            }
            Ev::Paste(p) => {
                if input::paste_line(&mut self.input, p) {
                    self.apply(cx);
                }
            }
        }
        Outcome::Consumed
    }

    /// Back from a report: its row reloaded, the cursor goes on to the next expected one.
    fn reconnected(&mut self, cx: &mut Cx) -> bool {
        // Reports saved while the link was down came with no event: the whole month again.
        self.load(cx);
        true
    }

    fn resume(&mut self, cx: &mut Cx) {
        if std::mem::take(&mut self.stale) {
            self.load(cx);
        }
        if let Some(id) = self.opened.take() {
            self.reload_rows(cx, &[id]);
            let at = self.selected;
            self.selected = self.next_expected(at).unwrap_or(at);
        }
    }

    /// A report, suspension or agreement saved anywhere: the rows of its agreements.
    fn changed(&mut self, change: &Change, cx: &mut Cx) -> bool {
        use crate::domain::record::Kind;
        let mut ids: Vec<u64> = Vec::new();
        for c in &change.records {
            match c.kind {
                Kind::Agreement => ids.push(c.id),
                Kind::Report | Kind::Suspension => ids.extend(&c.refs),
                _ => {}
            }
        }
        if ids.is_empty() {
            return false;
        }
        ids.sort_unstable();
        ids.dedup();
        self.reload_rows(cx, &ids);
        true
    }

    fn render(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        let (t, theme, sym) = (&cx.t, &cx.theme, &cx.sym);
        let w = area.width as usize;
        input::render_prompt(area, buf, t.t("register.prompt"), &self.input, theme);
        if area.height < 4 {
            return;
        }
        buf.set_stringn(
            area.x,
            area.y + 1,
            fit(&self.header(cx), w, sym.ellipsis),
            w,
            theme.dim,
        );
        // 2 + 12 + 20 + 18 + 13 + 11 and the spaces: 80 columns.
        let widths = [12usize, 20, 18, 13, 10];
        let heads = [
            "month.col_number",
            "month.col_user",
            "month.col_assistant",
            "month.col_hours",
            "month.col_state",
        ];
        buf.set_stringn(
            area.x,
            area.y + 2,
            fit(&heading(t, &heads, &widths, sym.ellipsis), w, sym.ellipsis),
            w,
            theme.heading,
        );
        if self.shown.is_empty() {
            buf.set_stringn(area.x, area.y + 4, t.t("list.empty"), w, theme.dim);
            return;
        }
        let h = area.height.saturating_sub(4) as usize;
        let first = self.selected.saturating_sub(h.saturating_sub(1));
        for (n, &i) in self.shown.iter().enumerate().skip(first).take(h) {
            let r = &self.summary.rows[i];
            let chosen = n == self.selected;
            let hours = format!(
                "{}/{}",
                format_hm(r.reported_minutes.into()),
                format_hm(r.agreed_minutes.into())
            );
            let cells = [
                pad(&r.number, widths[0], sym.ellipsis),
                pad(&r.user, widths[1], sym.ellipsis),
                pad(&r.assistant, widths[2], sym.ellipsis),
                pad(&hours, widths[3], sym.ellipsis),
                pad(
                    &crate::tui::screens::label(t, "month.state", &r.status),
                    widths[4],
                    sym.ellipsis,
                ),
            ];
            let pointer = if chosen { sym.pointer } else { "  " };
            let style = match (chosen, r.status) {
                (true, _) => theme.selected,
                (_, RowStatus::Missing | RowStatus::Returned) => theme.warn,
                (_, RowStatus::Accepted) => theme.ok,
                _ => theme.base,
            };
            let y = area.y + 3 + (n - first) as u16;
            buf.set_stringn(
                area.x,
                y,
                fit(&format!("{pointer}{}", cells.join(" ")), w, sym.ellipsis),
                w,
                style,
            );
        }
        // The rows shown: the whole month's totals when nothing filters them.
        let (agreed, reported) = self.shown.iter().fold((0u64, 0u64), |(a, r), &i| {
            let row = &self.summary.rows[i];
            (
                a + u64::from(row.agreed_minutes),
                r + u64::from(row.reported_minutes),
            )
        });
        let total = t.f(
            "month.totals",
            &[
                ("reported", &format_hm(reported as i64)),
                ("agreed", &format_hm(agreed as i64)),
                ("n", &self.shown.len().to_string()),
            ],
        );
        buf.set_stringn(
            area.x,
            area.bottom() - 1,
            fit(&total, w, sym.ellipsis),
            w,
            theme.dim,
        );
    }
}
