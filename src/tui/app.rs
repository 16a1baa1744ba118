//! The shell: a stack of screens, the title line, the status line and the footer. Keys become
//! actions once (keymap), go to the top screen, and bubble up to the shell when the screen does
//! not take them (gitui's consumed / not consumed).

use super::{
    i18n::I18n,
    keymap::{self, Action, Context},
    screens::{drafts::Drafts, help::Help, palette::Palette, search::Search},
    theme::{Symbols, Theme},
    widgets::{fit, pad, wrap_words},
    Ev,
};
use crate::domain::draft::Draft;
use crate::domain::{clerk::Clerk, settings::Settings, Explain};
use crate::service::{api::Link, Api, ApiExt, Change, Clock, Notice, ServiceError};
use chrono::NaiveDate;
use ratatui::{
    buffer::Buffer,
    crossterm::event::{Event, KeyEvent, KeyEventKind},
    layout::Rect,
    text::{Line, Span},
    widgets::{Paragraph, Widget},
};
use std::{
    collections::HashMap,
    time::{Duration, Instant},
};
use unicode_width::UnicodeWidthStr;

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

/// What screens share: the service, the strings, the look, who is working and what day it is.
pub struct Cx {
    pub api: Box<dyn Api>,
    pub t: I18n,
    pub theme: Theme,
    pub sym: Symbols,
    pub clerk: Clerk,
    pub settings: Settings,
    pub clock: Clock,
    /// Where documents are written and template overrides read (beside the database).
    pub data_dir: std::path::PathBuf,
    /// The last values saved per form, for "copy from the previous record".
    pub previous: HashMap<&'static str, Vec<(&'static str, String)>>,
    status: Option<(Level, String)>,
    /// A service-wide notice (saves stopped): shown whenever no fresher message is.
    notice: Option<String>,
    /// The connection to the server is down: said on the status line while nothing else is.
    link_down: bool,
    /// Clerks' names by login, read once and again when a login is not known yet: messages
    /// say who by name.
    clerk_names: HashMap<String, String>,
}

impl Cx {
    pub fn new(
        api: Box<dyn Api>,
        t: I18n,
        theme: Theme,
        sym: Symbols,
        clerk: Clerk,
        settings: Settings,
        clock: Clock,
    ) -> Cx {
        Cx {
            api,
            t,
            theme,
            sym,
            clerk,
            settings,
            clock,
            data_dir: std::path::PathBuf::from("."),
            previous: HashMap::new(),
            status: None,
            notice: None,
            link_down: false,
            clerk_names: HashMap::new(),
        }
    }

    /// A clerk's name for a message ("Мария Петрова записа…"), the login when no account has it.
    pub fn clerk_name(&mut self, login: &str) -> String {
        if !self.clerk_names.contains_key(login) {
            if let Ok(accounts) = self.api.clerks() {
                self.clerk_names = accounts
                    .into_iter()
                    .filter_map(|r| match r.body {
                        crate::domain::record::Body::Clerk(c) => Some((c.login, c.name)),
                        _ => None,
                    })
                    .collect();
            }
        }
        match self.clerk_names.get(login) {
            Some(name) if !name.trim().is_empty() => name.clone(),
            _ => login.to_string(),
        }
    }

    /// Now on Sofia's wall clock.
    pub fn now(&self) -> chrono::NaiveDateTime {
        crate::domain::sofia::local((self.clock)())
    }

    /// Today in Sofia.
    pub fn today(&self) -> NaiveDate {
        self.now().date()
    }

    pub fn say(&mut self, level: Level, msg: impl Into<String>) {
        self.status = Some((level, msg.into()));
    }

    /// Shows a refused call in the clerk's language.
    pub fn fail(&mut self, e: &ServiceError) {
        let msg = e.explain(self.t.lang());
        self.say(
            Level::Error,
            msg.lines().next().unwrap_or_default().to_string(),
        );
    }

    pub fn settlement_name(&self, code: &str) -> String {
        self.settings
            .settlement_name(code)
            .map(str::to_string)
            .unwrap_or_else(|| code.to_string())
    }
}

/// What a screen did with an event.
pub enum Outcome {
    /// Not mine: the shell may act on it.
    Ignored,
    Consumed,
    Push(Box<dyn Screen>),
    Pop,
    Replace(Box<dyn Screen>),
    /// Close this screen and perform the action on the one below (the palette).
    PopAndRun(Action),
}

/// Every screen has the same shape: state, `handle` (the only place that changes it or calls
/// the service), a pure `render`, and the keys its footer shows.
pub trait Screen {
    fn title(&self, t: &I18n) -> String;
    fn context(&self) -> Context;
    /// Actions shown in the footer and offered by the palette, most used first.
    fn hints(&self) -> Vec<Action>;
    fn handle(&mut self, ev: &Ev, cx: &mut Cx) -> Outcome;
    fn render(&self, area: Rect, buf: &mut Buffer, cx: &Cx);
    /// Back on top after the screen above closed: reload what may have changed.
    fn resume(&mut self, _cx: &mut Cx) {}
    /// Unsaved typing that leaving would lose.
    fn unsaved(&self) -> bool {
        false
    }
    fn is_search(&self) -> bool {
        false
    }
    /// Which of the shell's overlays this screen is (help, palette): asked for again it
    /// closes, and it gives way to another, so F1, F3 and F9 never pile screens up.
    fn overlay(&self) -> Option<Action> {
        None
    }
    /// Another save (this clerk's or another's) changed records: reload what this screen shows
    /// of them. Returns whether anything shown changed.
    fn changed(&mut self, _change: &Change, _cx: &mut Cx) -> bool {
        false
    }
    /// The connection to the server came back: the change events sent while it was down are
    /// lost, so reload what this screen shows, as when it comes back on top (typing that is not
    /// saved yet stays as it is). Returns whether anything shown may have changed.
    fn reconnected(&mut self, cx: &mut Cx) -> bool {
        if self.unsaved() {
            return false;
        }
        self.resume(cx);
        true
    }
    /// The unsaved form as a draft to keep (forms only).
    fn draft(&self, _cx: &Cx) -> Option<Draft> {
        None
    }
    /// Actions this screen gives its own meaning, with the locale key of their name here.
    fn meanings(&self) -> keymap::Meanings {
        Vec::new()
    }
}

pub struct App {
    pub cx: Cx,
    stack: Vec<Box<dyn Screen>>,
    pub quit: bool,
    /// Something changed since the last frame.
    pub dirty: bool,
    /// Ctrl-L: repaint every cell.
    pub clear: bool,
    /// An action that needs a second press (leaving unsaved work).
    armed: Option<Action>,
    /// No key for the idle-lock time: personal data is hidden until a key is pressed.
    pub locked: bool,
    drafts: DraftKeeper,
}

/// How often unsaved forms are sent to the service as drafts: at most once a second, and never
/// more than a second behind the typing.
pub const DRAFT_EVERY: Duration = Duration::from_secs(1);

#[derive(Default)]
struct DraftKeeper {
    /// The last draft sent per key.
    sent: HashMap<String, Draft>,
    last_sent: Option<Instant>,
    /// A change not sent yet is due then.
    due: Option<Instant>,
}

impl App {
    /// The console on its home screen: the agenda.
    pub fn new(mut cx: Cx) -> App {
        let root = Box::new(super::screens::agenda::AgendaScreen::new(&mut cx));
        App {
            cx,
            stack: vec![root],
            quit: false,
            dirty: true,
            clear: false,
            armed: None,
            locked: false,
            drafts: DraftKeeper::default(),
        }
    }

    /// The console as it opens: search, with this clerk's unsaved forms offered first.
    pub fn start(cx: Cx) -> App {
        let drafts = cx.api.drafts();
        let mut app = App::new(cx);
        match drafts {
            Ok(d) if !d.is_empty() => app.stack.push(Box::new(Drafts::new(d))),
            Ok(_) => {}
            Err(e) => app.cx.fail(&e),
        }
        app
    }

    /// Records changed (pushed by the service): every open screen reloads what it shows.
    pub fn on_change(&mut self, change: &Change) {
        if change.notice == Some(Notice::ReadOnly) {
            self.cx.notice = Some(self.cx.t.t("status.read_only").to_string());
            self.dirty = true;
        }
        for screen in self.stack.iter_mut() {
            if screen.changed(change, &mut self.cx) {
                self.dirty = true;
            }
        }
    }

    /// The connection to the server went down or came back. The typing stays in the open
    /// forms; their drafts go out by the usual path once the connection is back.
    pub fn on_link(&mut self, link: Link) {
        self.cx.link_down = link == Link::Lost;
        let (level, key) = match link {
            Link::Lost => (Level::Warn, "status.link_lost"),
            Link::Back => (Level::Info, "status.link_back"),
        };
        let msg = self.cx.t.t(key).to_string();
        self.cx.say(level, msg);
        self.dirty = true;
        if link == Link::Back {
            for screen in self.stack.iter_mut() {
                screen.reconnected(&mut self.cx);
            }
        }
    }

    /// When the next draft save falls due, if one is waiting.
    pub fn draft_due(&self) -> Option<Instant> {
        self.drafts.due
    }

    /// Sends the drafts of unsaved forms that changed since last sent: at once when the last
    /// send is a second old (or `now` is forced), else when it falls due.
    pub fn keep_drafts(&mut self, now: Instant, force: bool) {
        let current: Vec<Draft> = self
            .stack
            .iter()
            .filter_map(|s| s.draft(&self.cx))
            .collect();
        let keep = &mut self.drafts;
        keep.sent.retain(|k, _| current.iter().any(|d| &d.key == k));
        let changed: Vec<Draft> = current
            .into_iter()
            .filter(|d| !keep.sent.get(&d.key).is_some_and(|s| s.same_as(d)))
            .collect();
        if changed.is_empty() {
            keep.due = None;
            return;
        }
        let ready = force || keep.last_sent.is_none_or(|t| now >= t + DRAFT_EVERY);
        if !ready {
            keep.due = keep.last_sent.map(|t| t + DRAFT_EVERY);
            return;
        }
        keep.last_sent = Some(now);
        keep.due = None;
        for d in changed {
            match self.cx.api.save_draft(d.clone()) {
                Ok(()) => {
                    self.drafts.sent.insert(d.key.clone(), d);
                }
                Err(e) => {
                    let why = e.explain(self.cx.t.lang());
                    let msg = self.cx.t.f("status.draft_failed", &[("why", &why)]);
                    self.cx.say(Level::Warn, msg);
                    self.dirty = true;
                }
            }
        }
    }

    /// The clerk gave up these forms (the top one, or all): their drafts go too.
    fn drop_drafts(&mut self, all: bool) {
        let skip = if all { 0 } else { self.stack.len() - 1 };
        let keys: Vec<String> = self.stack[skip..]
            .iter()
            .filter_map(|s| s.draft(&self.cx))
            .map(|d| d.key)
            .collect();
        for key in keys {
            self.drafts.sent.remove(&key);
            if let Err(e) = self.cx.api.drop_draft(&key) {
                self.cx.fail(&e);
            }
        }
    }

    pub fn top(&self) -> &dyn Screen {
        self.stack
            .last()
            .expect("the stack is never empty")
            .as_ref()
    }

    pub fn depth(&self) -> usize {
        self.stack.len()
    }

    /// One terminal event.
    pub fn on_event(&mut self, ev: Event) {
        match ev {
            Event::Key(key) => self.on_key(key),
            Event::Paste(text) => self.dispatch(Ev::Paste(text)),
            Event::Resize(..) => self.dirty = true,
            _ => {}
        }
    }

    /// The idle lock: how long without a key before personal data is hidden (a setting).
    pub fn idle_limit(&self) -> Option<std::time::Duration> {
        let m = self.cx.settings.idle_lock_minutes;
        (m > 0).then(|| std::time::Duration::from_secs(u64::from(m) * 60))
    }

    /// Hides the screen (called by the loop when no key came for the idle limit).
    pub fn lock(&mut self) {
        if !self.locked {
            self.locked = true;
            self.dirty = true;
        }
    }

    pub fn on_key(&mut self, key: KeyEvent) {
        if key.kind == KeyEventKind::Release {
            return;
        }
        if self.locked {
            // The key that unlocks does nothing else: it may have been meant for another window.
            self.locked = false;
            self.dirty = true;
            // The server closes a connection idle as long as the lock took; events missed
            // meanwhile come back as a reload once it is open again.
            self.cx.api.resume();
            return;
        }
        let ev = match keymap::resolve(self.top().context(), &key) {
            Some(a) => Ev::Action(a),
            None => Ev::Key(key),
        };
        self.dispatch(ev);
    }

    pub fn dispatch(&mut self, ev: Ev) {
        let action = match &ev {
            Ev::Action(a) => Some(*a),
            _ => None,
        };
        if self.armed.is_some() && self.armed != action {
            self.armed = None;
        }
        self.cx.status = None;
        let top = self.stack.last_mut().expect("the stack is never empty");
        let out = top.handle(&ev, &mut self.cx);
        self.dirty = true;
        match out {
            Outcome::Ignored => {
                if let Some(a) = action {
                    self.global(a);
                }
            }
            other => self.apply(other),
        }
    }

    fn apply(&mut self, out: Outcome) {
        match out {
            Outcome::Ignored | Outcome::Consumed => {}
            Outcome::Push(s) => self.stack.push(s),
            Outcome::Replace(s) => {
                self.stack.pop();
                self.stack.push(s);
            }
            Outcome::Pop => self.pop(),
            Outcome::PopAndRun(a) => {
                // No `resume`: the screen below gets the action as if nothing had been above.
                if self.stack.len() > 1 {
                    self.stack.pop();
                }
                self.dispatch(Ev::Action(a));
            }
        }
    }

    fn pop(&mut self) {
        if self.stack.len() > 1 {
            self.stack.pop();
            if let Some(top) = self.stack.last_mut() {
                top.resume(&mut self.cx);
            }
        }
    }

    /// Actions the screen left to the shell.
    fn global(&mut self, a: Action) {
        if matches!(a, Action::Help | Action::Palette | Action::Search) {
            if self.top().overlay() == Some(a) {
                self.stack.pop();
                return;
            }
            while self.stack.len() > 1 && self.top().overlay().is_some() {
                self.stack.pop();
            }
        }
        match a {
            Action::Help => {
                let top = self.top();
                let help = Help::new(
                    top.context(),
                    top.hints(),
                    top.meanings(),
                    top.title(&self.cx.t),
                );
                self.stack.push(Box::new(help));
            }
            Action::Palette => {
                let p = Palette::new(self.top().hints(), self.top().meanings());
                self.stack.push(Box::new(p));
            }
            Action::Search if !self.top().is_search() => {
                self.stack.push(Box::new(Search::new(&self.cx)));
            }
            Action::Back => {
                if self.top().unsaved() && self.armed != Some(Action::Back) {
                    self.armed = Some(Action::Back);
                    let msg = self.cx.t.t("status.unsaved_back").to_string();
                    self.cx.say(Level::Warn, msg);
                } else {
                    self.armed = None;
                    if self.stack.len() > 1 {
                        self.drop_drafts(false);
                    }
                    self.pop();
                }
            }
            Action::Quit => {
                let unsaved = self.stack.iter().any(|s| s.unsaved());
                if unsaved && self.armed != Some(Action::Quit) {
                    self.armed = Some(Action::Quit);
                    let msg = self.cx.t.t("status.unsaved_quit").to_string();
                    self.cx.say(Level::Warn, msg);
                } else {
                    // Quitting twice past the warning gives the typing up, drafts included.
                    self.drop_drafts(true);
                    self.quit = true;
                }
            }
            Action::NewPerson => {
                let form = super::forms::person::new_form(&self.cx, "");
                self.stack.push(Box::new(form));
            }
            Action::Redraw => self.clear = true,
            _ => {}
        }
    }

    /// Draws the whole screen into `buf` (pure: no state changes, no I/O). On an ASCII terminal
    /// the symbols that locale texts and stored text carry (·, ←→, „“, …) are folded last, in
    /// one place, so no screen has to remember them.
    pub fn render(&self, area: Rect, buf: &mut Buffer) {
        self.draw(area, buf);
        if self.cx.sym.ascii {
            crate::tui::theme::fold_to_ascii(buf);
        }
    }

    fn draw(&self, area: Rect, buf: &mut Buffer) {
        let cx = &self.cx;
        let (t, theme, sym) = (&cx.t, &cx.theme, &cx.sym);
        // A frame starts from reset cells: the base style only needs painting when it is more
        // than a reset (a pass over every cell, a tenth of a 200x60 frame).
        if area == buf.area {
            // The whole buffer: cell by cell in memory order, without a position lookup each.
            if !is_reset(theme.base) {
                buf.content.iter_mut().for_each(|c| {
                    c.set_style(theme.base);
                });
            }
        } else {
            buf.set_style(area, theme.base);
        }
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            let msg = t.f(
                "shell.too_small",
                &[
                    ("w", &area.width.to_string()),
                    ("h", &area.height.to_string()),
                    ("minw", &MIN_WIDTH.to_string()),
                    ("minh", &MIN_HEIGHT.to_string()),
                ],
            );
            buf.set_stringn(
                area.x,
                area.y,
                fit(&msg, area.width as usize, sym.ellipsis),
                area.width as usize,
                theme.error,
            );
            return;
        }
        if self.locked {
            let msg = t.t("shell.locked");
            buf.set_stringn(
                area.x,
                area.y + area.height / 2,
                crate::tui::widgets::pad(msg, area.width as usize, sym.ellipsis),
                area.width as usize,
                theme.title,
            );
            return;
        }
        let top = self.top();
        // Title: municipality · clerk (role) · screen. What the screen is comes whole: the
        // role goes first when it does not fit, then the municipality, then the clerk.
        let screen = top.title(t);
        let (d, role) = (sym.dash, cx.clerk.role.name(t.lang()));
        let (town, name) = (&cx.settings.municipality, &cx.clerk.name);
        let title = [
            format!(" {town} {d} {name} ({role}) {d} {screen}"),
            format!(" {town} {d} {name} {d} {screen}"),
            format!(" {name} {d} {screen}"),
            format!(" {screen}"),
        ]
        .into_iter()
        .find(|t| t.width() <= area.width as usize)
        .unwrap_or_else(|| format!(" {screen}"));
        buf.set_stringn(
            area.x,
            area.y,
            pad(&title, area.width as usize, sym.ellipsis),
            area.width as usize,
            theme.title,
        );
        // The footer takes a second line when the screen's keys do not fit on one, and so does
        // the status line when its message does not: a message is read whole, never cut.
        let footer = self.footer(area.width as usize);
        let rows = footer.len() as u16;
        let lasting = if cx.link_down {
            Some((Level::Warn, t.t("status.link_lost").to_string()))
        } else {
            cx.notice.as_ref().map(|m| (Level::Error, m.clone()))
        };
        let status = cx.status.as_ref().or(lasting.as_ref()).map(|(level, msg)| {
            let (style, mark) = match level {
                Level::Info => (theme.ok, ""),
                Level::Warn => (theme.warn, sym.warn),
                Level::Error => (theme.error, sym.error),
            };
            let text = if mark.is_empty() {
                msg.clone()
            } else {
                format!("{mark} {msg}")
            };
            (
                style,
                wrap_words(&text, area.width as usize, 2, sym.ellipsis),
            )
        });
        let status_rows = status.as_ref().map_or(1, |(_, l)| l.len().max(1)) as u16;
        let body = Rect::new(
            area.x,
            area.y + 1,
            area.width,
            area.height - 1 - status_rows - rows,
        );
        top.render(body, buf, cx);
        let status_y = area.bottom() - status_rows - rows;
        if let Some((style, lines)) = status {
            for (i, line) in lines.iter().enumerate() {
                buf.set_stringn(
                    area.x,
                    status_y + i as u16,
                    line,
                    area.width as usize,
                    style,
                );
            }
        }
        // Footer: the keys that work here.
        Paragraph::new(footer).style(theme.footer).render(
            Rect::new(area.x, area.bottom() - rows, area.width, rows),
            buf,
        );
    }

    /// The footer: F1 help first and quit last always, the screen's own keys between, on one
    /// line or, when they need more room, two (a key that fits neither is left to F1's list).
    fn footer(&self, width: usize) -> Vec<Line<'static>> {
        let cx = &self.cx;
        let top = self.top();
        let ctx = top.context();
        let meanings = top.meanings();
        let item = |a: Action| {
            let key = keymap::main_key(ctx, a);
            let name = cx.t.t(keymap::name_key(&meanings, a)).to_string();
            let w = key.width() + name.width() + 2;
            (key, name, w)
        };
        let quit = item(Action::Quit);
        let mut lines = vec![vec![item(Action::Help)]];
        let mut used = lines[0][0].2;
        let hints: Vec<_> = top
            .hints()
            .into_iter()
            .filter(|a| *a != Action::Help && *a != Action::Quit)
            .map(item)
            .filter(|it| !it.0.is_empty())
            .collect();
        let all: usize = hints.iter().map(|it| it.2).sum();
        // Quit ends the last line: on the first when everything fits there.
        let two = used + all + quit.2 > width;
        for it in hints {
            let last = lines.len() == 2 || !two;
            let room = if last { width - quit.2 } else { width };
            if used + it.2 > room {
                if last {
                    // A key too wide for what is left: the shorter ones after it still fit.
                    continue;
                }
                lines.push(Vec::new());
                used = 0;
            }
            used += it.2;
            lines.last_mut().expect("a line").push(it);
        }
        if lines.len() == 1 && used + quit.2 > width {
            lines.push(Vec::new());
        }
        lines.last_mut().expect("a line").push(quit);
        lines
            .into_iter()
            .map(|items| {
                let mut spans = Vec::new();
                for (key, name, _) in items {
                    spans.push(Span::styled(key, cx.theme.key));
                    spans.push(Span::raw(format!(" {name} ")));
                }
                Line::from(spans)
            })
            .collect()
    }
}

/// Whether a style is what a reset cell already has (the terminal's own colours, no
/// attributes).
fn is_reset(s: ratatui::style::Style) -> bool {
    use ratatui::style::Color;
    let plain = |c: Option<Color>| c.is_none_or(|c| c == Color::Reset);
    plain(s.fg) && plain(s.bg) && s.add_modifier.is_empty() && s.sub_modifier.is_empty()
}
