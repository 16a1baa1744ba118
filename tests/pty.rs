//! End to end: the real binary in a pseudo-terminal, its screen read through a terminal parser
//! (vt100). Waits poll the screen until the text appears; the limit only turns a hang into a
//! failure, it measures nothing.

mod common;

use portable_pty::{native_pty_system, Child, CommandBuilder, MasterPty, PtySize};
use std::{
    io::{Read, Write},
    sync::{Arc, Mutex},
    thread,
    time::{Duration, Instant},
};

const LIMIT: Duration = Duration::from_secs(60);

struct Console {
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    home: tempfile::TempDir,
}

impl Console {
    fn start(env: &[(&str, &str)], args: &[&str]) -> Console {
        Console::start_in(tempfile::tempdir().unwrap(), env, args)
    }

    /// In a home of an earlier console: its demo database, its drafts.
    fn start_in(home: tempfile::TempDir, env: &[(&str, &str)], args: &[&str]) -> Console {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 24,
                cols: 80,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_frontoffice"));
        cmd.arg("--demo");
        for a in args {
            cmd.arg(a);
        }
        cmd.env("XDG_DATA_HOME", home.path());
        cmd.env("HOME", home.path());
        cmd.env("TERM", "xterm-256color");
        cmd.env("LANG", "C.UTF-8");
        cmd.env_remove("NO_COLOR");
        cmd.env_remove("LC_ALL");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(nz(24), nz(80), 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let mut reader = pair.master.try_clone_reader().unwrap();
        let (p, r) = (Arc::clone(&parser), Arc::clone(&raw));
        thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                p.lock().unwrap().process(&buf[..n]);
                r.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        let writer = pair.master.take_writer().unwrap();
        Console {
            master: pair.master,
            writer,
            child,
            parser,
            raw,
            home,
        }
    }

    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    fn wait_for(&self, text: &str) {
        let start = Instant::now();
        while !self.screen().contains(text) {
            assert!(
                start.elapsed() < LIMIT,
                "never showed {text:?}; the screen:\n{}",
                self.screen()
            );
            thread::sleep(Duration::from_millis(20));
        }
    }

    fn send(&mut self, bytes: &str) {
        self.writer.write_all(bytes.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    fn resize(&self, cols: u16, rows: u16) {
        self.parser
            .lock()
            .unwrap()
            .screen_mut()
            .set_size(nz(rows), nz(cols));
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
    }

    /// Waits for the process to end; its exit code.
    fn wait_exit(&mut self) -> u32 {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.exit_code();
            }
            assert!(start.elapsed() < LIMIT, "the console did not exit");
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

const F10: &str = "\x1b[21~";
const F7: &str = "\x1b[18~";
const DOWN: &str = "\x1b[B";

#[test]
fn start_search_in_latin_open_a_card_quit() {
    let mut c = Console::start(&[], &[]);
    c.wait_for("Днешна работа");
    c.send("petrova");
    // The agenda names people too: wait for the search and its masked ЕГН.
    c.wait_for("Търсене:");
    c.wait_for("******");
    // The keys arrive one by one: the hits of "p" may show before those of "petrova".
    c.wait_for("Петрова");
    c.send(DOWN);
    c.send("\r");
    c.wait_for("Лице:");
    c.wait_for("Решение за увреждане");
    c.send(F10);
    assert_eq!(c.wait_exit(), 0);
    // The terminal is restored: out of the alternate screen, cursor shown.
    let p = c.parser.lock().unwrap();
    assert!(!p.screen().alternate_screen());
    assert!(!p.screen().hide_cursor());
}

#[test]
fn f1_arrives_in_three_encodings() {
    let mut c = Console::start(&[("FRONTOFFICE_LANG", "en")], &[]);
    c.wait_for("Today's work");
    // xterm, PuTTY/VT, Linux console.
    for f1 in ["\x1bOP", "\x1b[11~", "\x1b[[A"] {
        c.send(f1);
        c.wait_for("Help: Today's work");
        c.send("\x1b");
        c.wait_for("Today's work");
        let start = Instant::now();
        while c.screen().contains("Help: Today's work") {
            assert!(start.elapsed() < LIMIT, "Esc did not close help");
            thread::sleep(Duration::from_millis(20));
        }
    }
    c.send("\x11"); // Ctrl-Q
    assert_eq!(c.wait_exit(), 0);
}

#[test]
fn below_80x24_one_line_says_the_size_needed_and_back() {
    let mut c = Console::start(&[], &[]);
    c.wait_for("Днешна работа");
    c.resize(60, 20);
    c.wait_for("нужни са поне 80x24");
    c.resize(80, 24);
    c.wait_for("Днешна работа");
    c.send(F10);
    assert_eq!(c.wait_exit(), 0);
}

#[test]
fn sighup_leaves_no_process_behind() {
    let mut c = Console::start(&[], &[]);
    c.wait_for("Днешна работа");
    c.send("ива");
    c.wait_for("Ива");
    let pid = c.child.process_id().expect("a pid") as i32;
    // SAFETY: sending a signal to our own child process.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGHUP) }, 0);
    c.wait_exit();
    // The pid is gone (reaped by wait_exit), so nothing is spinning on the dead terminal.
    // SAFETY: signal 0 only checks that the process exists.
    let alive = unsafe { libc::kill(pid, 0) } == 0;
    assert!(!alive, "the console is still running after SIGHUP");
}

#[test]
fn after_sighup_mid_form_the_next_start_offers_the_draft() {
    let mut c = Console::start(&[], &[]);
    c.wait_for("Днешна работа");
    c.send(F7);
    c.wait_for("ЕГН / ЛНЧ");
    c.send("\t");
    c.send("Драфтина");
    c.send("\t\t");
    c.send("Чернова");
    c.wait_for("Чернова");
    let pid = c.child.process_id().expect("a pid") as i32;
    // SAFETY: sending a signal to our own child process.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGHUP) }, 0);
    c.wait_exit();
    let home = std::mem::replace(&mut c.home, tempfile::tempdir().unwrap());
    drop(c);
    let mut c = Console::start_in(home, &[], &[]);
    c.wait_for("Незавършени форми");
    c.wait_for("Драфтина Чернова");
    c.send("\r");
    c.wait_for("ЕГН / ЛНЧ");
    let s = c.screen();
    assert!(s.contains("Драфтина") && s.contains("Чернова"), "{s}");
    c.send(F10);
    c.send(F10);
    assert_eq!(c.wait_exit(), 0);
}

#[test]
fn no_color_means_no_colour_codes_and_ascii_borders_without_utf8() {
    let mut c = Console::start(&[("NO_COLOR", "1"), ("LANG", "C")], &[]);
    c.wait_for("Днешна работа");
    c.send("/"); // the agenda has no text field: / opens the search
    c.send("\x7f");
    c.send("\x06"); // Ctrl-F: search again (stays)
    c.send("\x1bOP");
    c.wait_for("Помощ");
    let raw = String::from_utf8_lossy(&c.raw.lock().unwrap()).to_string();
    for code in ["38;5", "48;5", "[3", "[4"] {
        let found = raw.match_indices(code).any(|(i, _)| {
            // "[3" and "[4" followed by a digit and "m" are colour codes; "[39m"/"[49m" reset.
            let rest = &raw[i + code.len()..];
            match code {
                "[3" | "[4" => {
                    rest.chars()
                        .next()
                        .is_some_and(|d| d.is_ascii_digit() && d != '9')
                        && rest.chars().nth(1) == Some('m')
                }
                _ => true,
            }
        });
        assert!(!found, "colour code {code:?} under NO_COLOR");
    }
    // The title line is reverse video, which a bare reset must not cancel; LANG=C: ASCII marks.
    let p = c.parser.lock().unwrap();
    let title = p.screen().rows(0, 80).next().unwrap();
    assert!(title.contains(" - ") && !title.contains('–'), "{title}");
    assert!(p.screen().cell(0, 1).unwrap().inverse());
    drop(p);
    c.send(F10);
    assert_eq!(c.wait_exit(), 0);
}

/// The month's reports in the real binary, in mono and ASCII at 80x24: every key of the screen
/// in its footer, the selected expected report accepted with Enter and F2 (its row then says
/// so), and the summary per provider with its chart drawn in ASCII marks.
#[test]
fn a_report_is_accepted_in_two_keys_in_the_real_console_in_mono_ascii() {
    const F12: &str = "\x1b[24~";
    const F2: &str = "\x1bOQ";
    let mut c = Console::start(&[("NO_COLOR", "1"), ("LANG", "C")], &[]);
    c.wait_for("Днешна работа");
    c.send(F12);
    c.wait_for("Месечни отчети");
    for k in [
        "F5 ",
        "F6 ",
        "F12 Суми",
        "F4 Място",
        "F11 Доставчик",
        "F8 Приключи",
        "F10 Изход",
    ] {
        c.wait_for(k);
    }
    let chosen = c
        .screen()
        .lines()
        .find(|l| l.starts_with("> "))
        .expect("a row is chosen")
        .to_string();
    assert!(chosen.trim_end().ends_with("очакван"), "{chosen}");
    let number = chosen[2..].split_whitespace().next().unwrap().to_string();
    c.send("\r");
    c.wait_for("F2 Приеми");
    c.send(F2);
    c.wait_for("е приет");
    let row = c
        .screen()
        .lines()
        .find(|l| l.contains(&number))
        .expect("the row is listed")
        .to_string();
    assert!(row.trim_end().ends_with("приет"), "{row}");
    c.send(F12);
    c.wait_for("по доставчици");
    c.wait_for(": договорени, # отчетени");
    c.send("\x1b");
    c.wait_for("Месечни отчети");
    c.send(F10);
    assert_eq!(c.wait_exit(), 0);
}

fn nz(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n).expect("a size above zero")
}

#[test]
fn the_console_works_against_a_running_server() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let socket = dir.path().join("fo.sock");
    let built = std::process::Command::new(env!("CARGO_BIN_EXE_frontoffice"))
        .arg("demo")
        .arg("--db")
        .arg(&db)
        .args(["--persons", "50"])
        .output()
        .unwrap();
    assert!(built.status.success());
    let mut server = common::spawn_serve(&db, &socket);
    let socket_arg = socket.to_string_lossy().into_owned();
    let mut c = Console::start(&[], &["--connect", &socket_arg]);
    c.wait_for("Днешна работа");
    c.send("ivan");
    c.wait_for("Иван");
    c.send("\r");
    c.wait_for("Лице:");
    c.send(F10);
    assert_eq!(c.wait_exit(), 0);
    let _ = server.kill();
    let _ = server.wait();
}

/// The contract path in the real console: the agreement from its user's card, F7 its
/// employment contract filled in, the number typed, F2; then found again by its number.
#[test]
fn an_employment_contract_is_made_from_its_agreement_in_the_real_console() {
    const F2: &str = "\x1bOQ";
    const F3: &str = "\x1bOR";
    let mut c = Console::start(&[], &[]);
    c.wait_for("Днешна работа");
    c.send("СП-2026-0001");
    c.wait_for("споразумение");
    c.send("\r");
    c.wait_for("Лице:");
    let chosen = |c: &Console| {
        c.screen()
            .lines()
            .find(|l| l.starts_with('▶'))
            .unwrap_or_default()
            .to_string()
    };
    let mut downs = 0;
    while !chosen(&c).contains("Споразумение СП-2026-0001") {
        c.send(DOWN);
        downs += 1;
        assert!(downs < 30, "no agreement line:\n{}", c.screen());
        thread::sleep(Duration::from_millis(30));
    }
    c.send("\r");
    c.wait_for("– Споразумение СП-2026-0001");
    c.wait_for("F7 Трудов договор");
    c.send(F7);
    c.wait_for("Нов трудов договор");
    c.send("ТД-2026-901");
    c.wait_for("ТД-2026-901");
    c.send(F2);
    c.wait_for("Записано: Договор ТД-2026-901");
    c.send(F3);
    c.send("ТД-2026-901");
    c.wait_for("трудов дого");
    c.send(F10);
    c.send(F10);
    assert_eq!(c.wait_exit(), 0);
}
