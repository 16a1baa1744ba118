//! A record list is a declaration: its columns and its query. ↑↓ choose, Enter opens the
//! record, F7 creates one of the kind; the list runs its query again when a record of its
//! kind is saved (by this clerk or another).

use crate::domain::{
    date::format_date,
    record::{Body, Kind, Record},
    referral::ReferralStatus,
};
use crate::service::{ApiExt, Change, ServiceError};
use crate::tui::{
    app::{Cx, Outcome, Screen},
    forms,
    i18n::I18n,
    keymap::{Action, Context, Meanings},
    screens::label,
    widgets::{fit, heading, pad},
    Ev,
};
use ratatui::{buffer::Buffer, layout::Rect};

pub struct Column {
    /// Locale key of the heading.
    pub head: &'static str,
    pub width: usize,
    pub cell: fn(&Record, &Cx, &Names) -> String,
}

/// Names the rows show, asked once per load (not one read per row).
#[derive(Default)]
pub struct Names {
    /// The persons the rows point to, by id.
    pub persons: std::collections::HashMap<u64, String>,
    /// Clerks' names by login, for a list that names clerks (`ListSpec::clerks`).
    pub clerks: std::collections::HashMap<String, String>,
}

/// A list's records, in the order shown.
pub type Query = Box<dyn Fn(&Cx) -> Result<Vec<Record>, ServiceError>>;
/// A list's new record (F7).
pub type Create = Box<dyn Fn(&Cx) -> Box<dyn Screen>>;

pub struct ListSpec {
    /// Locale key of the title.
    pub title: &'static str,
    pub kind: Kind,
    pub columns: Vec<Column>,
    /// The records, in the order shown.
    pub query: Query,
    /// The person a row is about, if any (its name comes from `Names`).
    pub person: fn(&Record) -> Option<u64>,
    /// Whether the rows name clerks by login (their names come from `Names`).
    pub clerks: bool,
    /// F7: a new record of the kind.
    pub create: Create,
}

pub struct RecordList {
    spec: ListSpec,
    rows: Vec<Record>,
    names: Names,
    selected: usize,
}

impl RecordList {
    pub fn new(spec: ListSpec, cx: &mut Cx) -> RecordList {
        let mut l = RecordList {
            spec,
            rows: Vec::new(),
            names: Names::default(),
            selected: 0,
        };
        l.load(cx);
        l
    }

    fn load(&mut self, cx: &mut Cx) {
        match (self.spec.query)(cx) {
            Ok(rows) => {
                let mut ids: Vec<u64> = rows.iter().filter_map(self.spec.person).collect();
                ids.sort_unstable();
                ids.dedup();
                self.names.persons.clear();
                for chunk in ids.chunks(crate::service::MAX_PAGE as usize) {
                    match cx.api.labels(chunk.to_vec()) {
                        Ok(hits) => self
                            .names
                            .persons
                            .extend(hits.into_iter().map(|h| (h.id, h.name))),
                        Err(e) => cx.fail(&e),
                    }
                }
                if self.spec.clerks {
                    match cx.api.clerks() {
                        Ok(accounts) => {
                            self.names.clerks = accounts
                                .into_iter()
                                .filter_map(|r| match r.body {
                                    Body::Clerk(c) => Some((c.login, c.name)),
                                    _ => None,
                                })
                                .collect()
                        }
                        Err(e) => cx.fail(&e),
                    }
                }
                // The selection stays on its record when rows arrive, change or go; if the
                // record itself went, on the row that took its place.
                let chosen = self.rows.get(self.selected).map(Record::id);
                self.rows = rows;
                self.selected = chosen
                    .and_then(|id| self.rows.iter().position(|r| r.id() == id))
                    .unwrap_or(self.selected)
                    .min(self.rows.len().saturating_sub(1));
            }
            Err(e) => cx.fail(&e),
        }
    }
}

impl Screen for RecordList {
    fn title(&self, t: &I18n) -> String {
        format!("{} ({})", t.t(self.spec.title), self.rows.len())
    }

    fn context(&self) -> Context {
        Context::List
    }

    fn hints(&self) -> Vec<Action> {
        vec![
            Action::Open,
            Action::NewPerson,
            Action::Search,
            Action::Back,
        ]
    }

    fn meanings(&self) -> Meanings {
        vec![(Action::NewPerson, "action.new_record")]
    }

    fn handle(&mut self, ev: &Ev, cx: &mut Cx) -> Outcome {
        if let Ev::Action(a) = ev {
            if let Some(s) = super::moved(*a, self.selected, self.rows.len()) {
                self.selected = s;
                return Outcome::Consumed;
            }
        }
        match ev {
            Ev::Action(Action::NewPerson) => return Outcome::Push((self.spec.create)(cx)),
            Ev::Action(Action::Open) => {
                let Some(r) = self.rows.get(self.selected) else {
                    return Outcome::Consumed;
                };
                return match forms::open(cx, r.kind(), r.id()) {
                    Ok(s) => Outcome::Push(s),
                    Err(e) => {
                        cx.fail(&e);
                        Outcome::Consumed
                    }
                };
            }
            Ev::Action(_) => return Outcome::Ignored,
            _ => {}
        }
        Outcome::Consumed
    }

    fn resume(&mut self, cx: &mut Cx) {
        self.load(cx);
    }

    fn changed(&mut self, change: &Change, cx: &mut Cx) -> bool {
        if !change.of_kinds(&[self.spec.kind]) {
            return false;
        }
        self.load(cx);
        true
    }

    fn render(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        let (t, theme, sym) = (&cx.t, &cx.theme, &cx.sym);
        let w = area.width as usize;
        let keys: Vec<&str> = self.spec.columns.iter().map(|c| c.head).collect();
        let widths: Vec<usize> = self.spec.columns.iter().map(|c| c.width).collect();
        let line = heading(t, &keys, &widths, sym.ellipsis);
        buf.set_stringn(
            area.x,
            area.y,
            fit(&line, w, sym.ellipsis),
            w,
            theme.heading,
        );
        if self.rows.is_empty() {
            buf.set_stringn(area.x, area.y + 2, t.t("list.empty"), w, theme.dim);
            return;
        }
        let h = area.height.saturating_sub(1) as usize;
        let first = self.selected.saturating_sub(h.saturating_sub(1));
        for (n, r) in self.rows.iter().enumerate().skip(first).take(h) {
            let chosen = n == self.selected;
            let cells: Vec<String> = self
                .spec
                .columns
                .iter()
                .map(|c| pad(&(c.cell)(r, cx, &self.names), c.width, sym.ellipsis))
                .collect();
            let pointer = if chosen { sym.pointer } else { "  " };
            let line = format!("{pointer}{}", cells.join(" "));
            let style = if chosen { theme.selected } else { theme.base };
            let y = area.y + 1 + (n - first) as u16;
            buf.set_stringn(area.x, y, fit(&line, w, sym.ellipsis), w, style);
        }
    }
}

/// Every record of a kind, page by page.
pub fn all(cx: &Cx, kind: Kind) -> Result<Vec<Record>, ServiceError> {
    let mut out: Vec<Record> = Vec::new();
    loop {
        let page = cx.api.list(kind, out.last().map(Record::id), 500)?;
        if page.is_empty() {
            return Ok(out);
        }
        out.extend(page);
    }
}

/// The name of a row's person.
fn name(names: &Names, id: Option<u64>) -> String {
    id.and_then(|p| names.persons.get(&p).cloned())
        .unwrap_or_default()
}

/// Open referrals, the nearest deadline first.
pub fn open_referrals() -> ListSpec {
    ListSpec {
        title: "list.referrals",
        kind: Kind::Referral,
        columns: vec![
            Column {
                head: "list.due",
                width: 10,
                cell: |r, _, _| match &r.body {
                    Body::Referral(x) => x.due.map(format_date).unwrap_or_default(),
                    _ => String::new(),
                },
            },
            Column {
                head: "list.status",
                width: 16,
                cell: |r, cx, _| match &r.body {
                    Body::Referral(x) => label(&cx.t, "referral.status", &x.status),
                    _ => String::new(),
                },
            },
            Column {
                head: "list.person",
                width: 24,
                cell: |r, _, names| match &r.body {
                    Body::Referral(x) => name(names, Some(x.person)),
                    _ => String::new(),
                },
            },
            Column {
                head: "list.service",
                width: 22,
                cell: |r, cx, _| match &r.body {
                    Body::Referral(x) => x.service_type.name(cx.t.lang()).to_string(),
                    _ => String::new(),
                },
            },
        ],
        query: Box::new(|cx| {
            let mut v: Vec<Record> = all(cx, Kind::Referral)?
                .into_iter()
                .filter(|r| {
                    matches!(&r.body, Body::Referral(x) if x.status.is_open()
                        && x.status != ReferralStatus::Started)
                })
                .collect();
            v.sort_by_key(|r| match &r.body {
                Body::Referral(x) => x.due,
                _ => None,
            });
            Ok(v)
        }),
        person: |r| match &r.body {
            Body::Referral(x) => Some(x.person),
            _ => None,
        },
        clerks: false,
        create: Box::new(|cx| Box::new(forms::referral::new_form(cx, 0, None))),
    }
}

/// Intakes, the newest first.
pub fn intakes() -> ListSpec {
    ListSpec {
        title: "list.intakes",
        kind: Kind::Intake,
        columns: vec![
            Column {
                head: "list.number",
                width: 11,
                cell: |r, _, _| match &r.body {
                    Body::Intake(i) => i.reg_no.clone(),
                    _ => String::new(),
                },
            },
            Column {
                head: "list.when",
                width: 16,
                cell: |r, _, _| match &r.body {
                    Body::Intake(i) => {
                        format!("{} {}", format_date(i.at.date()), i.at.format("%H:%M"))
                    }
                    _ => String::new(),
                },
            },
            Column {
                head: "list.channel",
                width: 12,
                cell: |r, cx, _| match &r.body {
                    Body::Intake(i) => label(&cx.t, "intake.channel", &i.channel),
                    _ => String::new(),
                },
            },
            Column {
                head: "list.person",
                width: 24,
                cell: |r, _, names| match &r.body {
                    Body::Intake(i) => name(names, i.person),
                    _ => String::new(),
                },
            },
        ],
        query: Box::new(|cx| {
            let mut v = all(cx, Kind::Intake)?;
            v.reverse();
            Ok(v)
        }),
        person: |r| match &r.body {
            Body::Intake(i) => i.person,
            _ => None,
        },
        clerks: false,
        create: Box::new(|cx| Box::new(forms::intake::new_form(cx, None))),
    }
}

/// A text cell of a row of one kind: `cell!(Kind, |x| ...)`.
macro_rules! cell {
    ($variant:ident, |$x:ident, $cx:ident| $e:expr) => {
        |r: &Record, $cx: &Cx, _: &Names| match &r.body {
            Body::$variant($x) => $e,
            _ => String::new(),
        }
    };
}

/// The settlement's name from the settings (its code if unknown).
fn place(cx: &Cx, code: &str) -> String {
    cx.settings
        .settlement_name(code)
        .unwrap_or(code)
        .to_string()
}

/// A service's monitoring visits, the latest first; F7 records a new one.
pub fn visits_of(service: u64) -> ListSpec {
    ListSpec {
        title: "list.visits",
        kind: Kind::Visit,
        columns: vec![
            Column {
                head: "list.date",
                width: 10,
                cell: cell!(Visit, |v, _cx| format_date(v.date)),
            },
            Column {
                head: "list.rating",
                width: 16,
                cell: cell!(Visit, |v, cx| forms::visit::rating_name(&v.rating, cx)),
            },
            Column {
                head: "list.clerks",
                width: 16,
                // By name; a login the accounts no longer list stays a login.
                cell: |r, _, names| match &r.body {
                    Body::Visit(v) => v
                        .clerks
                        .iter()
                        .map(|l| names.clerks.get(l).unwrap_or(l).as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    _ => String::new(),
                },
            },
            Column {
                head: "list.findings",
                width: 32,
                cell: cell!(Visit, |v, _cx| v
                    .findings
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_string()),
            },
        ],
        query: Box::new(move |cx| {
            let mut v: Vec<Record> = cx
                .api
                .related(service)?
                .into_iter()
                .filter(|r| r.kind() == Kind::Visit)
                .collect();
            v.sort_by_key(|r| match &r.body {
                Body::Visit(x) => std::cmp::Reverse((x.date, r.id())),
                _ => std::cmp::Reverse((chrono::NaiveDate::MIN, 0)),
            });
            Ok(v)
        }),
        person: |_| None,
        clerks: true,
        create: Box::new(move |cx| Box::new(forms::visit::new_form(cx, service))),
    }
}

/// Information campaigns by month (the latest first) and settlement.
pub fn campaigns() -> ListSpec {
    ListSpec {
        title: "list.campaigns",
        kind: Kind::Campaign,
        columns: vec![
            Column {
                head: "list.month",
                width: 7,
                cell: cell!(Campaign, |c, _cx| c.date.format("%m.%Y").to_string()),
            },
            Column {
                head: "list.settlement",
                width: 14,
                cell: cell!(Campaign, |c, cx| place(cx, &c.settlement)),
            },
            Column {
                head: "list.date",
                width: 10,
                cell: cell!(Campaign, |c, _cx| format_date(c.date)),
            },
            Column {
                head: "list.format",
                width: 12,
                cell: cell!(Campaign, |c, cx| label(&cx.t, "campaign.format", &c.format)),
            },
            Column {
                head: "list.participants",
                width: 4,
                cell: cell!(Campaign, |c, _cx| c.participants.to_string()),
            },
            Column {
                head: "list.topic",
                width: 24,
                cell: cell!(Campaign, |c, _cx| c.topic.clone()),
            },
        ],
        query: Box::new(|cx| {
            let mut v = all(cx, Kind::Campaign)?;
            let key = |r: &Record| match &r.body {
                Body::Campaign(c) => (
                    std::cmp::Reverse(crate::domain::date::Month::of(c.date)),
                    place(cx, &c.settlement),
                    c.date,
                ),
                _ => (
                    std::cmp::Reverse(crate::domain::date::Month::of(chrono::NaiveDate::MIN)),
                    String::new(),
                    chrono::NaiveDate::MIN,
                ),
            };
            v.sort_by_cached_key(key);
            Ok(v)
        }),
        person: |_| None,
        clerks: false,
        create: Box::new(|cx| Box::new(<forms::campaign::CampaignSpec as forms::Spec>::form(cx))),
    }
}

/// The providers of services, by name; F7 adds one.
pub fn providers() -> ListSpec {
    ListSpec {
        title: "list.providers",
        kind: Kind::Provider,
        columns: vec![
            Column {
                head: "list.name",
                width: 30,
                cell: cell!(Provider, |p, _cx| p.name.clone()),
            },
            Column {
                head: "list.kind",
                width: 12,
                cell: cell!(Provider, |p, cx| label(&cx.t, "provider.kind", &p.kind)),
            },
            Column {
                head: "list.eik",
                width: 13,
                cell: cell!(Provider, |p, _cx| p.eik.as_str().to_string()),
            },
            Column {
                head: "list.settlement",
                width: 18,
                cell: cell!(Provider, |p, cx| place(cx, &p.settlement)),
            },
        ],
        query: Box::new(|cx| {
            let mut v = all(cx, Kind::Provider)?;
            v.sort_by_cached_key(|r| match &r.body {
                Body::Provider(p) => p.name.to_lowercase(),
                _ => String::new(),
            });
            Ok(v)
        }),
        person: |_| None,
        clerks: false,
        create: Box::new(|cx| Box::new(<forms::provider::ProviderSpec as forms::Spec>::form(cx))),
    }
}
