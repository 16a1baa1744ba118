//! The month per provider (F12 on the month screen): agreements, missing reports, hours agreed,
//! reported and accepted, and the pay of the accepted reports in euro (leva months with their
//! euro value), as `report monthly` prints them; under it the hours of the last 12 months,
//! agreed beside reported, as bars, or (F5) the pay lines: each assistant's accepted hours at
//! the dated rate and the amount. ↑↓ scroll the pay lines when shown, else the providers.

use crate::domain::{
    date::Month,
    monthly::{format_hm, MonthTotals, MonthlySummary, ProviderTotal},
    pay::{money, pay_cells, pay_total, PayLine},
};
use crate::service::{ApiExt, ServiceError};
use crate::tui::{
    app::{Cx, Outcome, Screen},
    i18n::I18n,
    keymap::{Action, Context, Meanings},
    widgets::{fit, heading, pad},
    Ev,
};
use ratatui::{
    buffer::Buffer,
    layout::Rect,
    style::Style,
    symbols::bar,
    widgets::{Bar, BarChart, BarGroup, Widget},
};

/// Months in the chart.
const CHART_MONTHS: u32 = 12;
/// A month's columns in the chart: two bars of two and a gap of two.
const MONTH_COLUMNS: u16 = 6;
/// Rows the chart needs at least: its title, three of bars and the months.
const CHART_ROWS: u16 = 5;

pub struct MonthSummaryScreen {
    summary: MonthlySummary,
    providers: Vec<ProviderTotal>,
    trend: Vec<MonthTotals>,
    /// The first provider shown.
    first: usize,
    /// The month's pay lines (accepted reports), by provider and assistant.
    pay: Vec<PayLine>,
    /// F5: the pay lines in the lower pane instead of the chart.
    show_pay: bool,
    /// The first pay line shown.
    pay_first: usize,
}

impl MonthSummaryScreen {
    /// `summary` as the month screen shows it (one provider's rows when it filters by one);
    /// the chart then is that provider's too.
    pub fn new(
        cx: &Cx,
        summary: MonthlySummary,
        provider: Option<u64>,
    ) -> Result<MonthSummaryScreen, ServiceError> {
        let trend = cx
            .api
            .monthly_trend(summary.month, CHART_MONTHS, provider)?;
        Ok(MonthSummaryScreen {
            providers: summary.providers(),
            pay: summary.pay_lines(),
            summary,
            trend,
            first: 0,
            show_pay: false,
            pay_first: 0,
        })
    }

    fn month_text(m: Month) -> String {
        format!("{:02}.{}", m.month, m.year)
    }

    /// The provider table's cells for one line.
    fn cells(name: &str, p: &ProviderTotal, ellipsis: &str) -> String {
        let right = |s: String, w: usize| format!("{s:>w$}");
        [
            pad(name, WIDTHS[0], ellipsis),
            right(p.agreements.to_string(), WIDTHS[1]),
            right(p.missing.to_string(), WIDTHS[2]),
            right(format_hm(p.agreed_minutes as i64), WIDTHS[3]),
            right(format_hm(p.reported_minutes as i64), WIDTHS[4]),
            right(format_hm(p.paid_minutes as i64), WIDTHS[5]),
            right(money(p.eur_cents, "EUR"), WIDTHS[6]),
        ]
        .join(" ")
    }

    /// The chart: for each month its agreed hours (light bars) and reported hours (full bars),
    /// two ratatui bar charts laid side by side so each keeps its own bar symbols: mono and
    /// ASCII terminals tell them apart by shape, not colour.
    fn render_chart(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        let (t, theme, sym) = (&cx.t, &cx.theme, &cx.sym);
        let fits = (area.width / MONTH_COLUMNS) as usize;
        let shown = &self.trend[self.trend.len().saturating_sub(fits)..];
        let (Some(from), Some(to)) = (shown.first(), shown.last()) else {
            return;
        };
        let max = shown
            .iter()
            .map(|m| m.agreed_minutes.max(m.reported_minutes) / 60)
            .max()
            .unwrap_or(0)
            .max(1);
        let (agreed_mark, reported_mark) = if sym.ascii {
            (":", "#")
        } else {
            ("░", "█")
        };
        let title = t.f(
            "summary.chart",
            &[
                ("from", &Self::month_text(from.month)),
                ("to", &Self::month_text(to.month)),
                ("max", &max.to_string()),
                ("agreed", agreed_mark),
                ("reported", reported_mark),
            ],
        );
        let w = area.width as usize;
        buf.set_stringn(
            area.x,
            area.y,
            fit(&title, w, sym.ellipsis),
            w,
            theme.heading,
        );
        let bars = Rect::new(
            area.x,
            area.y + 1,
            area.width,
            area.height.saturating_sub(2),
        );
        let light = light_set(agreed_mark);
        let full = if sym.ascii {
            ASCII_BARS
        } else {
            bar::NINE_LEVELS
        };
        let chart = |hours: &dyn Fn(&MonthTotals) -> u64, set: bar::Set<'static>, style: Style| {
            let group: Vec<Bar> = shown
                .iter()
                .map(|m| Bar::default().value(hours(m)).text_value(""))
                .collect();
            BarChart::default()
                .data(BarGroup::default().bars(&group))
                .max(max)
                .bar_width(2)
                .bar_gap(MONTH_COLUMNS - 2)
                .bar_set(set)
                .bar_style(style)
        };
        chart(&|m| m.agreed_minutes / 60, light, theme.dim).render(bars, buf);
        let right = Rect {
            x: bars.x + 2,
            width: bars.width.saturating_sub(2),
            ..bars
        };
        chart(&|m| m.reported_minutes / 60, full, theme.ok).render(right, buf);
        let y = area.bottom() - 1;
        for (i, m) in shown.iter().enumerate() {
            let label = format!("{:02}.{:02}", m.month.month, m.month.year % 100);
            buf.set_string(area.x + i as u16 * MONTH_COLUMNS, y, label, theme.dim);
        }
    }
}

impl MonthSummaryScreen {
    /// The pay lines: assistant, provider, hours × rate = amount (= its euro value when in
    /// leva), as `report monthly` words them; scrolled from `pay_first`.
    fn render_pay(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        let (t, theme, sym) = (&cx.t, &cx.theme, &cx.sym);
        let w = area.width as usize;
        if area.height < 2 {
            return;
        }
        let heads = [
            "summary.col_assistant",
            "summary.col_provider",
            "summary.col_hours",
            "summary.col_rate",
            "summary.col_amount",
            "summary.col_eur",
        ];
        buf.set_stringn(
            area.x,
            area.y,
            fit(
                &heading(t, &heads, &PAY_WIDTHS, sym.ellipsis),
                w,
                sym.ellipsis,
            ),
            w,
            theme.heading,
        );
        if self.pay.is_empty() {
            buf.set_stringn(area.x, area.y + 1, t.t("summary.no_pay"), w, theme.dim);
            return;
        }
        let room = (area.height - 1) as usize;
        let first = self.pay_first.min(self.pay.len().saturating_sub(room));
        let lang = t.lang();
        for (n, (i, l)) in self
            .pay
            .iter()
            .enumerate()
            .skip(first)
            .take(room)
            .enumerate()
        {
            let more = n + 1 == room && i + 1 < self.pay.len();
            let [hours, rate, amount, eur] = pay_cells(l, lang);
            let right = |s: &str, w: usize| format!("{s:>w$}");
            let text = format!(
                "{}{} {} {} {} {} {}",
                pad(if more { sym.more } else { "" }, 2, ""),
                pad(&l.name, PAY_WIDTHS[0], sym.ellipsis),
                pad(&l.provider_name, PAY_WIDTHS[1], sym.ellipsis),
                right(&hours, PAY_WIDTHS[2]),
                right(&rate, PAY_WIDTHS[3]),
                right(&amount, PAY_WIDTHS[4]),
                right(&eur, PAY_WIDTHS[5]),
            );
            let style = if l.rate.is_none() {
                theme.warn
            } else {
                theme.base
            };
            buf.set_stringn(
                area.x,
                area.y + 1 + n as u16,
                fit(&text, w, sym.ellipsis),
                w,
                style,
            );
        }
    }
}

/// Assistant, provider, hours, rate, amount, euro value: 80 columns with the pointer's room.
const PAY_WIDTHS: [usize; 6] = [20, 13, 7, 9, 12, 11];

/// Provider, agreements, missing, agreed, reported, accepted, pay: 79 columns.
const WIDTHS: [usize; 7] = [24, 4, 5, 9, 9, 9, 12];

/// Every level of a bar drawn with one mark (the agreed hours' light bars).
fn light_set(mark: &'static str) -> bar::Set<'static> {
    bar::Set {
        full: mark,
        seven_eighths: mark,
        three_quarters: mark,
        five_eighths: mark,
        half: mark,
        three_eighths: mark,
        one_quarter: mark,
        one_eighth: mark,
        empty: " ",
    }
}

const ASCII_BARS: bar::Set<'static> = bar::Set {
    full: "#",
    seven_eighths: "#",
    three_quarters: "#",
    five_eighths: "=",
    half: "=",
    three_eighths: "-",
    one_quarter: "-",
    one_eighth: "_",
    empty: " ",
};

impl Screen for MonthSummaryScreen {
    fn title(&self, t: &I18n) -> String {
        t.f(
            "summary.title",
            &[("month", &Self::month_text(self.summary.month))],
        )
    }

    fn context(&self) -> Context {
        Context::List
    }

    fn hints(&self) -> Vec<Action> {
        vec![Action::Reveal, Action::Back]
    }

    fn meanings(&self) -> Meanings {
        vec![(
            Action::Reveal,
            if self.show_pay {
                "summary.show_chart"
            } else {
                "summary.show_pay"
            },
        )]
    }

    /// F5 shows the pay lines or the chart; ↑↓ scroll the pay lines when shown, else the
    /// providers.
    fn handle(&mut self, ev: &Ev, _cx: &mut Cx) -> Outcome {
        let Ev::Action(a) = ev else {
            return Outcome::Ignored;
        };
        if *a == Action::Reveal {
            self.show_pay = !self.show_pay;
            return Outcome::Consumed;
        }
        let (at, len) = match self.show_pay {
            true => (&mut self.pay_first, self.pay.len()),
            false => (&mut self.first, self.providers.len()),
        };
        match super::moved(*a, *at, len) {
            Some(f) => {
                *at = f;
                Outcome::Consumed
            }
            None => Outcome::Ignored,
        }
    }

    fn render(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        let (t, theme, sym) = (&cx.t, &cx.theme, &cx.sym);
        let w = area.width as usize;
        let total = ProviderTotal::sum(&self.providers);
        let head = t.f(
            "summary.head",
            &[
                ("days", &self.summary.working_days.to_string()),
                ("n", &total.agreements.to_string()),
                ("missing", &total.missing.to_string()),
            ],
        );
        buf.set_stringn(area.x, area.y, fit(&head, w, sym.ellipsis), w, theme.dim);
        if area.height < 4 {
            return;
        }
        let heads = [
            "summary.col_provider",
            "summary.col_agreements",
            "summary.col_missing",
            "summary.col_agreed",
            "summary.col_reported",
            "summary.col_accepted",
            "summary.col_pay",
        ];
        let mut y = area.y + 1;
        let line = |buf: &mut Buffer, y: u16, s: &str, style: Style| {
            buf.set_stringn(area.x, y, fit(s, w, sym.ellipsis), w, style);
        };
        line(
            buf,
            y,
            &heading(t, &heads, &WIDTHS, sym.ellipsis),
            theme.heading,
        );
        y += 1;
        // Rows left for providers once the total, the leva note and the chart have theirs.
        let leva = total.cents.iter().any(|(c, _)| c != "EUR");
        let below = 1 + u16::from(leva) + 1 + CHART_ROWS;
        let room = area.bottom().saturating_sub(y + below).max(1) as usize;
        let first = self.first.min(self.providers.len().saturating_sub(room));
        for (i, p) in self.providers.iter().enumerate().skip(first).take(room) {
            let more = i + 1 == first + room && i + 1 < self.providers.len();
            let pointer = if more { sym.more } else { "  " };
            let style = if p.missing > 0 {
                theme.warn
            } else {
                theme.base
            };
            line(
                buf,
                y,
                &format!(
                    "{}{}",
                    pad(pointer, 2, ""),
                    Self::cells(&p.name, p, sym.ellipsis)
                ),
                style,
            );
            y += 1;
        }
        line(
            buf,
            y,
            &format!(
                "  {}",
                Self::cells(t.t("summary.total"), &total, sym.ellipsis)
            ),
            theme.heading,
        );
        y += 1;
        if leva {
            let pay = pay_total(&total.cents, total.eur_cents);
            line(buf, y, &t.f("summary.leva", &[("pay", &pay)]), theme.dim);
            y += 1;
        }
        let pane = Rect::new(
            area.x,
            y + 1,
            area.width,
            area.bottom().saturating_sub(y + 1),
        );
        if self.show_pay {
            self.render_pay(pane, buf, cx);
        } else if pane.height >= CHART_ROWS {
            self.render_chart(pane, buf, cx);
        }
    }
}
