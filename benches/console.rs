//! Console figures at 100k persons: handle + render per keystroke (80x24 and 200x60), bytes sent
//! to the terminal (one typed character, a full redraw, idle seconds), and start to first frame
//! of the real binary in a pseudo-terminal. Prints figures; asserts nothing about speed.
//!
//! FO_BENCH_PERSONS (default 100000) and FO_IDLE_SECS (default 60) change the run.

mod common;

use common::{counting_terminal, env_num};
use frontoffice::domain::Lang;
use frontoffice::service::{system_clock, ApiExt};
use frontoffice::tui::{
    app::{App, Cx},
    draw,
    event::Msg,
    i18n::I18n,
    main_loop,
    theme::{Symbols, Theme},
};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::{
    sync::{atomic::Ordering, mpsc, Arc},
    thread,
    time::{Duration, Instant},
};

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn main() {
    let persons = env_num("FO_BENCH_PERSONS", 100_000) as usize;
    let idle_secs = env_num("FO_IDLE_SECS", 60);
    let bench = common::demo_db(persons);
    start_to_first_frame(&bench.db);
    let svc = common::open_ready(&bench);
    let login = bench.login.clone();
    let make_app = || {
        let s = svc.session(&login).unwrap();
        let clerk = s.whoami().unwrap();
        let settings = s.settings().unwrap().settings;
        App::new(Cx::new(
            Box::new(s),
            I18n::new(Lang::Bg),
            Theme::builtin("default"),
            Symbols::new(false),
            clerk,
            settings,
            system_clock(),
        ))
    };
    println!("\nhandle + render per keystroke (the search box searches on every key)");
    println!("{:<34}{:>10}{:>10}{:>10}", "screen", "p50", "p99", "max");
    for (w, h) in [(80u16, 24u16), (200, 60)] {
        let (mut term, _) = counting_terminal(w, h);
        let mut app = make_app();
        draw(&mut term, &app).unwrap();
        let mut search = Vec::new();
        let mut form = Vec::new();
        // A round unmeasured first: the first size measured should not pay the caches'
        // warm-up alone (figures then do not depend on the order of the sizes).
        for _ in 0..20 {
            for c in "petrova".chars() {
                app.on_key(key(KeyCode::Char(c)));
                draw(&mut term, &app).unwrap();
            }
            for _ in 0..7 {
                app.on_key(key(KeyCode::Backspace));
                draw(&mut term, &app).unwrap();
            }
        }
        for _ in 0..100 {
            for c in ["p", "e", "t", "r", "o", "v", "a"] {
                let k = key(KeyCode::Char(c.chars().next().unwrap()));
                let t = Instant::now();
                app.on_key(k);
                draw(&mut term, &app).unwrap();
                search.push(t.elapsed().as_secs_f64() * 1e6);
            }
            for _ in 0..7 {
                let t = Instant::now();
                app.on_key(key(KeyCode::Backspace));
                draw(&mut term, &app).unwrap();
                search.push(t.elapsed().as_secs_f64() * 1e6);
            }
        }
        app.on_key(key(KeyCode::F(7)));
        app.on_key(key(KeyCode::Tab));
        // Now in the new-person form: typing into a field.
        for _ in 0..50 {
            for c in "Радослава".chars() {
                let t = Instant::now();
                app.on_key(key(KeyCode::Char(c)));
                draw(&mut term, &app).unwrap();
                form.push(t.elapsed().as_secs_f64() * 1e6);
            }
            for _ in 0..9 {
                let t = Instant::now();
                app.on_key(key(KeyCode::Backspace));
                draw(&mut term, &app).unwrap();
                form.push(t.elapsed().as_secs_f64() * 1e6);
            }
        }
        // The daily work: the agenda (home), a record list, the phone note.
        let timed = |app: &mut App, term: &mut _, k: KeyEvent, v: &mut Vec<f64>| {
            let t = Instant::now();
            app.on_key(k);
            draw(term, app).unwrap();
            v.push(t.elapsed().as_secs_f64() * 1e6);
        };
        for _ in 0..4 {
            app.on_key(key(KeyCode::Esc));
        }
        let (mut agenda, mut list, mut note) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..200 {
            timed(&mut app, &mut term, key(KeyCode::Down), &mut agenda);
            timed(&mut app, &mut term, key(KeyCode::Up), &mut agenda);
        }
        app.on_key(key(KeyCode::F(5)));
        for _ in 0..200 {
            timed(&mut app, &mut term, key(KeyCode::Down), &mut list);
            timed(&mut app, &mut term, key(KeyCode::Up), &mut list);
        }
        app.on_key(key(KeyCode::Esc));
        for c in "petrova".chars() {
            app.on_key(key(KeyCode::Char(c)));
        }
        app.on_key(key(KeyCode::F(8)));
        for _ in 0..50 {
            for c in "Обажда се".chars() {
                timed(&mut app, &mut term, key(KeyCode::Char(c)), &mut note);
            }
            for _ in 0..9 {
                timed(&mut app, &mut term, key(KeyCode::Backspace), &mut note);
            }
        }
        // The register (typing narrows it), the month's reports (↑↓) and a report's grid
        // (hours typed and moved over day by day).
        for _ in 0..4 {
            app.on_key(key(KeyCode::Esc));
        }
        let (mut register, mut month, mut grid) = (Vec::new(), Vec::new(), Vec::new());
        app.on_key(key(KeyCode::F(8)));
        for _ in 0..100 {
            for c in "dnev".chars() {
                timed(&mut app, &mut term, key(KeyCode::Char(c)), &mut register);
            }
            for _ in 0..4 {
                timed(&mut app, &mut term, key(KeyCode::Backspace), &mut register);
            }
        }
        app.on_key(key(KeyCode::Esc));
        app.on_key(key(KeyCode::F(12)));
        for _ in 0..200 {
            timed(&mut app, &mut term, key(KeyCode::Down), &mut month);
            timed(&mut app, &mut term, key(KeyCode::Up), &mut month);
        }
        app.on_key(key(KeyCode::Enter));
        for _ in 0..20 {
            app.on_key(key(KeyCode::Home));
            for _ in 0..30 {
                timed(&mut app, &mut term, key(KeyCode::Char('4')), &mut grid);
                timed(&mut app, &mut term, key(KeyCode::Right), &mut grid);
            }
        }
        // Accepting reports in a row is measured at 1,000 agreements by the monthly bench: the
        // demo's month has only a few reports still expected.
        for (name, v) in [
            ("register typing", &mut register),
            ("month reports ↑↓", &mut month),
            ("report grid cells", &mut grid),
            ("search box", &mut search),
            ("form field", &mut form),
            ("agenda ↑↓", &mut agenda),
            ("open referrals list ↑↓", &mut list),
            ("phone note text", &mut note),
        ] {
            let max = v.iter().cloned().fold(0.0, f64::max);
            println!(
                "{:<34}{:>8.0}µs{:>8.0}µs{:>8.0}µs",
                format!("{name}, {w}x{h}"),
                pct(v, 0.5),
                pct(v, 0.99),
                max
            );
        }
    }

    bytes(&make_app);
    idle(make_app(), idle_secs);
}

/// Bytes the terminal receives for one typed character in a form field and for a full redraw.
fn bytes(make_app: &dyn Fn() -> App) {
    let (mut term, count) = counting_terminal(80, 24);
    let mut app = make_app();
    draw(&mut term, &app).unwrap();
    app.on_key(key(KeyCode::F(7)));
    app.on_key(key(KeyCode::Tab));
    draw(&mut term, &app).unwrap();
    let mut per_char = Vec::new();
    for c in "Радослава Petrova".chars() {
        let before = count.load(Ordering::Relaxed);
        app.on_key(key(KeyCode::Char(c)));
        draw(&mut term, &app).unwrap();
        per_char.push((count.load(Ordering::Relaxed) - before) as f64);
    }
    // A full redraw (Ctrl-L) of a busy screen: search results for a common name.
    app.on_key(key(KeyCode::F(3)));
    for c in "иван".chars() {
        app.on_key(key(KeyCode::Char(c)));
    }
    // A fresh terminal has empty buffers, so its first frame sends every cell, as Ctrl-L does.
    let (mut fresh_term, fresh_count) = counting_terminal(80, 24);
    draw(&mut fresh_term, &app).unwrap();
    let full = fresh_count.load(Ordering::Relaxed);
    let max = per_char.iter().cloned().fold(0.0, f64::max);
    println!("\nbytes to the terminal at 80x24");
    println!(
        "  one typed character in a form field: p50 {:.0} B, max {:.0} B",
        pct(&mut per_char, 0.5),
        max
    );
    println!("  full redraw of a screen of search results: {full} B");
}

/// The real message loop with nothing happening: bytes written while idle.
fn idle(mut app: App, secs: u64) {
    let (mut term, count) = counting_terminal(80, 24);
    let (tx, rx) = mpsc::channel::<Msg>();
    let counter = Arc::clone(&count);
    let watcher = thread::spawn(move || {
        thread::sleep(Duration::from_millis(500));
        let first = counter.load(Ordering::Relaxed);
        thread::sleep(Duration::from_secs(secs));
        let idle = counter.load(Ordering::Relaxed) - first;
        drop(tx);
        (first, idle)
    });
    main_loop(&mut term, &mut app, &rx).unwrap();
    let (first, idle) = watcher.join().unwrap();
    println!("  first frame: {first} B; then {secs} idle seconds: {idle} B");
}

/// The real binary in a pseudo-terminal: from spawn to the first frame on screen.
fn start_to_first_frame(db: &std::path::Path) {
    let mut times = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        let mut c = common::spawn_console(&["--db".as_ref(), db.as_os_str()]);
        c.wait_for("F10");
        let elapsed = start.elapsed();
        times.push(elapsed.as_secs_f64() * 1e3);
        let mut w = c.master.take_writer().unwrap();
        let _ = std::io::Write::write_all(&mut w, b"\x1b[21~");
        let _ = c.child.wait();
    }
    let max = times.iter().cloned().fold(0.0, f64::max);
    println!(
        "start to first frame (real binary in a pty): p50 {:.0} ms, max {:.0} ms over {} starts",
        pct(&mut times, 0.5),
        max,
        times.len()
    );
}
