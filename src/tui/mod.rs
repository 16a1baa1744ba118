//! The console: ratatui screens over the service API. One message loop; input and signals on
//! their own threads; a frame is drawn only when something changed.

pub mod app;
pub mod event;
pub mod forms;
pub mod i18n;
pub mod keymap;
pub mod screens;
pub mod terminal;
pub mod theme;
pub mod widgets;

use crate::domain::{Explain, Lang};
use crate::service::{system_clock, ApiExt, Clock, Service};
use app::{App, Cx};
use event::Msg;
use i18n::I18n;
use ratatui::{backend::Backend, crossterm::event::KeyEvent, Terminal};
use std::{io::Write, path::PathBuf, sync::mpsc, time::Instant};
use theme::{Symbols, Theme};

/// What reaches a screen: an action from the keymap, or a key or paste to type.
#[derive(Debug, Clone)]
pub enum Ev {
    Action(keymap::Action),
    Key(KeyEvent),
    Paste(String),
}

pub struct Options {
    pub db: PathBuf,
    /// A running server's socket: then `db` is not opened here.
    pub connect: Option<PathBuf>,
    /// Build a demo database in `db` first if there is none.
    pub demo: bool,
    pub lang: Lang,
    pub theme: Option<String>,
    pub ascii: bool,
}

/// Generated persons in the demo the console builds on first use.
pub const DEMO_PERSONS: usize = 1000;

/// The theme and symbols the environment asks for: `--theme`, else mono under NO_COLOR;
/// ASCII with `--ascii` or a locale that is not UTF-8.
pub fn look(
    theme: Option<&str>,
    ascii: bool,
    env: impl Fn(&str) -> Option<String>,
) -> Result<(Theme, Symbols), String> {
    let no_color = env("NO_COLOR").is_some_and(|v| !v.is_empty());
    let name = theme.unwrap_or(if no_color { "mono" } else { "default" });
    let theme = Theme::load(name)?;
    let ascii = ascii || !theme::locale_is_utf8(&env);
    Ok((theme, Symbols::new(ascii)))
}

/// Builds everything the loop needs; errors are already in the clerk's language.
pub fn prepare(opts: &Options, clock: Clock) -> Result<Cx, String> {
    let lang = opts.lang;
    let t = I18n::new(lang);
    let (theme, sym) = look(opts.theme.as_deref(), opts.ascii, |k| std::env::var(k).ok())?;
    let api: Box<dyn crate::service::Api> = match &opts.connect {
        Some(path) => Box::new(crate::server::client::Client::connect(path, lang)?),
        None => open_here(opts, &t, clock.clone())?,
    };
    let clerk = api.whoami().map_err(|e| e.explain(lang))?;
    let settings = api.settings().map_err(|e| e.explain(lang))?.settings;
    let mut cx = Cx::new(api, t, theme, sym, clerk, settings, clock);
    cx.data_dir = crate::documents::data_dir(&opts.db);
    Ok(cx)
}

/// The embedded mode: this process opens the database (building the demo first if asked).
fn open_here(
    opts: &Options,
    t: &I18n,
    clock: Clock,
) -> Result<Box<dyn crate::service::Api>, String> {
    let lang = opts.lang;
    let user = crate::os::current_user().ok_or_else(|| t.t("shell.no_user").to_string())?;
    if opts.demo && !opts.db.join("db").exists() {
        eprintln!(
            "{}",
            t.f(
                "shell.building_demo",
                &[("dir", &opts.db.display().to_string())]
            )
        );
        crate::demo::build(
            &opts.db,
            &user.login,
            &user.full_name,
            DEMO_PERSONS,
            clock.clone(),
        )
        .map_err(|e| match e {
            crate::demo::DemoError::Service(s) => s.explain(lang),
            other => other.to_string(),
        })?;
    }
    let svc = Service::open(&opts.db, clock.clone()).map_err(|e| e.explain(lang))?;
    let session = svc.session(&user.login).map_err(|e| e.explain(lang))?;
    Ok(Box::new(session))
}

/// Opens the console; returns when the clerk quits or the terminal goes away.
pub fn run(opts: Options) -> Result<(), String> {
    let cx = prepare(&opts, system_clock())?;
    if cx.theme.mono {
        // Under NO_COLOR crossterm writes a bare reset for every colour change, which cancels
        // reverse video; the mono theme has no colours, so let those changes through.
        ratatui::crossterm::style::force_color_output(true);
    }
    let mut app = App::start(cx);
    terminal::install_panic_hook();
    let (tx, rx) = mpsc::channel();
    event::spawn_signals(tx.clone()).map_err(|e| e.to_string())?;
    if let Some(changes) = app.cx.api.subscribe() {
        event::spawn_changes(changes, tx.clone());
    }
    if let Some(link) = app.cx.api.link_events() {
        event::spawn_link(link, tx.clone());
    }
    let mut term = terminal::open().map_err(|e| {
        terminal::restore();
        e.to_string()
    })?;
    event::spawn_input(tx);
    let result = main_loop(&mut term, &mut app, &rx);
    terminal::restore();
    match result {
        Err(e) if !terminal::HUNG_UP.load(std::sync::atomic::Ordering::SeqCst) => {
            Err(e.to_string())
        }
        _ => Ok(()),
    }
}

/// Renders the app and sends only the cells that changed. Nothing at all is written when
/// nothing changed (no cursor moves: fields draw their own cursor).
pub fn draw<B: Backend>(term: &mut Terminal<B>, app: &App) -> Result<(), B::Error> {
    term.autoresize()?;
    let buf = term.current_buffer_mut();
    let area = buf.area;
    app.render(area, buf);
    term.flush()?;
    term.swap_buffers();
    term.backend_mut().flush()
}

pub fn handle(app: &mut App, msg: Msg) {
    match msg {
        Msg::Input(ev) => app.on_event(ev),
        Msg::Changed(change) => app.on_change(&change),
        Msg::Link(link) => app.on_link(link),
        // The terminal is gone or we are told to stop: keep the typing as drafts first.
        Msg::InputGone | Msg::Signal(_) => {
            app.keep_drafts(Instant::now(), true);
            app.quit = true;
        }
    }
}

/// The message loop: drain what is pending, update, draw once if anything changed. Besides
/// messages only two things wake it: the idle lock and a draft falling due.
pub fn main_loop<B: Backend>(
    term: &mut Terminal<B>,
    app: &mut App,
    rx: &mpsc::Receiver<Msg>,
) -> Result<(), B::Error> {
    draw(term, app)?;
    app.dirty = false;
    let mut last_key = Instant::now();
    loop {
        let idle_at = app
            .idle_limit()
            .filter(|_| !app.locked)
            .map(|limit| last_key + limit);
        let wake = idle_at.into_iter().chain(app.draft_due()).min();
        let first = match wake {
            Some(at) => match rx.recv_timeout(at.saturating_duration_since(Instant::now())) {
                Ok(m) => Some(m),
                Err(mpsc::RecvTimeoutError::Timeout) => None,
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            },
            None => match rx.recv() {
                Ok(m) => Some(m),
                Err(_) => break,
            },
        };
        let mut pending: Vec<Msg> = first.into_iter().collect();
        pending.extend(rx.try_iter());
        for msg in pending {
            if matches!(msg, Msg::Input(ratatui::crossterm::event::Event::Key(_))) {
                last_key = Instant::now();
            }
            handle(app, msg);
        }
        if app.quit {
            break;
        }
        let now = Instant::now();
        if app
            .idle_limit()
            .is_some_and(|limit| now >= last_key + limit)
        {
            app.lock();
        }
        app.keep_drafts(now, false);
        if app.clear {
            term.clear()?;
            app.clear = false;
            app.dirty = true;
        }
        if app.dirty {
            draw(term, app)?;
            app.dirty = false;
        }
    }
    let _ = std::io::stdout().flush();
    Ok(())
}
