//! The register of social services: every service with its provider, type, settlement, places,
//! occupancy (active referrals) and free places; a full one is marked. Typing filters by name,
//! provider, settlement or target group (Latin finds Cyrillic); F5 cycles the type, F6 the
//! access, F8 keeps those with free places. Enter opens the service, F11 its provider, F7
//! adds a service, F4 lists the providers. Refreshed when a service, provider or referral is
//! saved.

use super::{
    label,
    record_list::{self, RecordList},
};
use crate::domain::{
    record::Kind,
    register::{Access, RegisterRow, ServiceType},
    search_key::{prefixes_all, search_tokens},
};
use crate::service::{ApiExt, Change};
use crate::tui::{
    app::{Cx, Outcome, Screen},
    forms::{self, Spec},
    i18n::I18n,
    keymap::{Action, Context, Meanings},
    widgets::{fit, heading, input, pad},
    Ev,
};
use ratatui::{buffer::Buffer, layout::Rect};
use ratatui_textarea::TextArea;

/// What the clerk narrowed the register to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub text: String,
    pub activity: Option<ServiceType>,
    pub access: Option<Access>,
    pub free_only: bool,
}

impl Filter {
    /// The words a row is found by: its name, provider, settlement and target group (made
    /// once per load, not per key).
    pub fn row_words(row: &RegisterRow, settlement: &str) -> Vec<String> {
        let s = &row.service;
        search_tokens(&format!(
            "{} {} {settlement} {}",
            s.name, row.provider_name, s.target_group
        ))
    }

    /// Every word `typed` (the text's tokens) starts one of the row's `words`; the chosen type
    /// and access match; a free place if asked.
    pub fn matches(&self, row: &RegisterRow, typed: &[String], words: &[String]) -> bool {
        let s = &row.service;
        !(self.activity.is_some_and(|a| a != s.activity)
            || self.access.is_some_and(|a| a != s.access)
            || (self.free_only && row.free().is_none_or(|f| f == 0)))
            && prefixes_all(typed, words)
    }
}

/// The next value of a cycle through "all" and each of `values`.
fn next<T: Copy + PartialEq>(current: Option<T>, values: &[T]) -> Option<T> {
    match current.and_then(|c| values.iter().position(|v| *v == c)) {
        None => values.first().copied(),
        Some(i) => values.get(i + 1).copied(),
    }
}

pub struct Register {
    rows: Vec<RegisterRow>,
    /// Each row's words (`Filter::row_words`), in the rows' order.
    words: Vec<Vec<String>>,
    /// Indexes into `rows` that pass the filter, in the order shown.
    shown: Vec<usize>,
    filter: Filter,
    input: TextArea<'static>,
    selected: usize,
}

/// Column widths: pointer 2, then name, type, settlement, provider, places, taken, free, with a
/// space between: 80 columns.
const WIDTHS: [usize; 7] = [19, 14, 11, 13, 5, 5, 5];

impl Register {
    pub fn new(cx: &mut Cx) -> Register {
        let mut input = input::new_input("");
        input.set_cursor_style(cx.theme.cursor);
        let mut r = Register {
            rows: Vec::new(),
            words: Vec::new(),
            shown: Vec::new(),
            filter: Filter::default(),
            input,
            selected: 0,
        };
        r.load(cx);
        r
    }

    fn load(&mut self, cx: &mut Cx) {
        match cx.api.register() {
            Ok(mut rows) => {
                rows.sort_by_cached_key(|r| r.service.name.to_lowercase());
                self.words = rows
                    .iter()
                    .map(|r| Filter::row_words(r, Self::place(cx, &r.service.settlement)))
                    .collect();
                self.rows = rows;
                self.apply();
            }
            Err(e) => cx.fail(&e),
        }
    }

    fn place<'a>(cx: &'a Cx, code: &'a str) -> &'a str {
        cx.settings.settlement_name(code).unwrap_or(code)
    }

    fn apply(&mut self) {
        let chosen = self.chosen().map(|r| r.id);
        let typed = search_tokens(&self.filter.text);
        self.shown = (0..self.rows.len())
            .filter(|&i| self.filter.matches(&self.rows[i], &typed, &self.words[i]))
            .collect();
        self.selected = chosen
            .and_then(|id| self.shown.iter().position(|&i| self.rows[i].id == id))
            .unwrap_or(0)
            .min(self.shown.len().saturating_sub(1));
    }

    fn chosen(&self) -> Option<&RegisterRow> {
        self.shown.get(self.selected).map(|&i| &self.rows[i])
    }

    fn open(&self, cx: &mut Cx, kind: Kind, id: u64) -> Outcome {
        match forms::open(cx, kind, id) {
            Ok(s) => Outcome::Push(s),
            Err(e) => {
                cx.fail(&e);
                Outcome::Consumed
            }
        }
    }

    /// "вид: всички · достъп: специализирани · само със свободни места"
    fn chips(&self, t: &I18n) -> String {
        let all = t.t("register.all");
        let activity = self
            .filter
            .activity
            .map(|a| label(t, "service_type", &a))
            .unwrap_or_else(|| all.to_string());
        let access = self
            .filter
            .access
            .map(|a| label(t, "service.access", &a))
            .unwrap_or_else(|| all.to_string());
        let free = t.t(if self.filter.free_only {
            "register.free_only"
        } else {
            "register.free_any"
        });
        t.f(
            "register.chips",
            &[("activity", &activity), ("access", &access), ("free", free)],
        )
    }

    fn line(&self, row: &RegisterRow, cx: &Cx) -> String {
        let (t, sym) = (&cx.t, &cx.sym);
        let s = &row.service;
        let right = |v: String, w: usize| format!("{v:>w$}");
        let free = match row.free() {
            None if !row.in_register => {
                let why = match row.ended(cx.today()) {
                    true => "register.ended",
                    false => "register.not_yet",
                };
                pad(t.t(why), WIDTHS[6], sym.ellipsis)
            }
            None => right(sym.dash.into(), WIDTHS[6]),
            Some(0) => pad(t.t("register.full"), WIDTHS[6], sym.ellipsis),
            Some(n) => right(n.to_string(), WIDTHS[6]),
        };
        let capacity = match s.capacity {
            0 => sym.dash.to_string(),
            n => n.to_string(),
        };
        [
            pad(&s.name, WIDTHS[0], sym.ellipsis),
            pad(
                &label(t, "service_type", &s.activity),
                WIDTHS[1],
                sym.ellipsis,
            ),
            pad(Self::place(cx, &s.settlement), WIDTHS[2], sym.ellipsis),
            pad(&row.provider_name, WIDTHS[3], sym.ellipsis),
            right(capacity, WIDTHS[4]),
            right(row.occupied.to_string(), WIDTHS[5]),
            free,
        ]
        .join(" ")
    }
}

impl Screen for Register {
    fn title(&self, t: &I18n) -> String {
        format!("{} ({})", t.t("register.title"), self.shown.len())
    }

    fn context(&self) -> Context {
        Context::SearchBox
    }

    fn hints(&self) -> Vec<Action> {
        // The filter keys are on the line above the list; the footer keeps the rest.
        vec![
            Action::Open,
            Action::OpenDuplicate,
            Action::NewPerson,
            Action::ListValues,
            Action::Back,
            Action::Reveal,
            Action::Edit,
            Action::CopyPrevious,
        ]
    }

    fn meanings(&self) -> Meanings {
        vec![
            (Action::OpenDuplicate, "action.open_provider"),
            (Action::NewPerson, "action.new_service"),
            (Action::Reveal, "action.filter_type"),
            (Action::Edit, "action.filter_access"),
            (Action::CopyPrevious, "action.filter_free"),
            (Action::ListValues, "action.list_providers"),
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
            Ev::Action(Action::Open) => match self.chosen() {
                Some(row) => return self.open(cx, Kind::Service, row.id),
                None => return Outcome::Consumed,
            },
            Ev::Action(Action::OpenDuplicate) => match self.chosen() {
                Some(row) => return self.open(cx, Kind::Provider, row.service.provider),
                None => return Outcome::Consumed,
            },
            Ev::Action(Action::NewPerson) => {
                return Outcome::Push(Box::new(forms::service::ServiceSpec::form(cx)))
            }
            Ev::Action(Action::ListValues) => {
                let list = RecordList::new(record_list::providers(), cx);
                return Outcome::Push(Box::new(list));
            }
            Ev::Action(Action::Reveal) => {
                self.filter.activity = next(self.filter.activity, &ServiceType::ALL);
            }
            Ev::Action(Action::Edit) => {
                self.filter.access = next(self.filter.access, &Access::ALL);
            }
            Ev::Action(Action::CopyPrevious) => self.filter.free_only = !self.filter.free_only,
            Ev::Action(_) => return Outcome::Ignored,
            Ev::Key(k) => {
                if !input::edit_line(&mut self.input, k) {
                    return Outcome::Consumed;
                }
                self.filter.text = input::value(&self.input);
            }
            Ev::Paste(p) => {
                if !input::paste_line(&mut self.input, p) {
                    return Outcome::Consumed;
                }
                self.filter.text = input::value(&self.input);
            }
        }
        self.apply();
        Outcome::Consumed
    }

    fn resume(&mut self, cx: &mut Cx) {
        self.load(cx);
    }

    fn changed(&mut self, change: &Change, cx: &mut Cx) -> bool {
        if !change.of_kinds(&[Kind::Service, Kind::Provider, Kind::Referral]) {
            return false;
        }
        self.load(cx);
        true
    }

    fn render(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        let (t, theme, sym) = (&cx.t, &cx.theme, &cx.sym);
        let w = area.width as usize;
        input::render_prompt(area, buf, t.t("register.prompt"), &self.input, theme);
        if area.height < 4 {
            return;
        }
        let chips = fit(&self.chips(t), w, sym.ellipsis);
        buf.set_stringn(area.x, area.y + 1, &chips, w, theme.dim);
        let heads = [
            "register.col_service",
            "register.col_type",
            "register.col_place",
            "register.col_provider",
            "register.col_places",
            "register.col_taken",
            "register.col_free",
        ];
        let head = heading(t, &heads, &WIDTHS, sym.ellipsis);
        buf.set_stringn(
            area.x,
            area.y + 2,
            fit(&head, w, sym.ellipsis),
            w,
            theme.heading,
        );
        if self.shown.is_empty() {
            let empty = t.t(if self.rows.is_empty() {
                "list.empty"
            } else {
                "register.none_match"
            });
            buf.set_stringn(area.x, area.y + 4, empty, w, theme.dim);
            return;
        }
        let h = area.height.saturating_sub(3) as usize;
        let first = self.selected.saturating_sub(h.saturating_sub(1));
        for (n, &i) in self.shown.iter().enumerate().skip(first).take(h) {
            let row = &self.rows[i];
            let chosen = n == self.selected;
            let pointer = if chosen { sym.pointer } else { "  " };
            let line = format!("{pointer}{}", self.line(row, cx));
            let style = match (chosen, row.full()) {
                (true, _) => theme.selected,
                (false, true) => theme.warn,
                (false, false) => theme.base,
            };
            let y = area.y + 3 + (n - first) as u16;
            buf.set_stringn(area.x, y, fit(&line, w, sym.ellipsis), w, style);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::register::{Funding, Referrer, Service};

    fn row(name: &str, activity: ServiceType, capacity: u32, occupied: u32) -> RegisterRow {
        RegisterRow {
            id: 1,
            service: Service {
                name: name.into(),
                activity,
                access: Access::Specialised,
                target_group: "възрастни хора".into(),
                provider: 2,
                settlement: "99001".into(),
                address: String::new(),
                capacity,
                funding: Funding::Municipal,
                project: String::new(),
                referred_by: Referrer::Municipality,
                valid_from: None,
                valid_to: None,
            },
            provider_name: "Сдружение „Надежда“".into(),
            in_register: true,
            occupied,
        }
    }

    #[test]
    fn the_filter_narrows_by_words_type_access_and_free_places() {
        let day = row("Дневен център", ServiceType::DayCare, 20, 12);
        let full = row("Защитено жилище", ServiceType::ResidentialCare, 8, 8);
        let mut f = Filter::default();
        let w = |r: &RegisterRow, place: &str| Filter::row_words(r, place);
        let (day_words, full_words) = (w(&day, "Примерово"), w(&full, "Примерово"));
        let on = |f: &Filter, r: &RegisterRow, words: &[String]| {
            f.matches(r, &search_tokens(&f.text), words)
        };
        assert!(on(&f, &day, &day_words) && on(&f, &full, &full_words));
        f.text = "dnev".into();
        assert!(on(&f, &day, &day_words) && !on(&f, &full, &full_words));
        f.text = "надеж прим".into();
        assert!(on(&f, &day, &day_words));
        f.text = "възрастни".into();
        assert!(on(&f, &full, &full_words));
        f.text.clear();
        f.free_only = true;
        assert!(on(&f, &day, &[]) && !on(&f, &full, &[]));
        f.free_only = false;
        f.activity = Some(ServiceType::ResidentialCare);
        assert!(!on(&f, &day, &[]) && on(&f, &full, &[]));
        f.access = Some(Access::OpenToAll);
        assert!(!on(&f, &full, &[]));
    }

    #[test]
    fn the_type_cycle_goes_through_all_and_back() {
        let mut v = None;
        let mut seen = Vec::new();
        for _ in 0..=ServiceType::ALL.len() {
            v = next(v, &ServiceType::ALL);
            seen.push(v);
        }
        assert_eq!(seen[0], Some(ServiceType::Information));
        assert_eq!(seen[9], Some(ServiceType::AssistantSupport));
        assert_eq!(seen[10], None);
    }
}
