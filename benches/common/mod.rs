//! What every bench program shares: a demo database of N generated persons in a temp dir under
//! target/bench-data, opened as the Unix user running the bench, and figures from samples.

#![allow(dead_code)] // each bench uses part of it

use frontoffice::service::{system_clock, Service};
use std::{
    path::PathBuf,
    sync::Arc,
    time::{Duration, Instant},
};

pub struct BenchDb {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub login: String,
}

/// Builds the demo with `persons` generated persons and says how long it took.
pub fn demo_db(persons: usize) -> BenchDb {
    let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&base).unwrap();
    let dir = tempfile::tempdir_in(&base).unwrap();
    let db = dir.path().join("db");
    let login = frontoffice::os::current_user()
        .map(|u| u.login)
        .unwrap_or_else(|| "bench".into());
    let t = Instant::now();
    frontoffice::demo::build(&db, &login, "Bench", persons, system_clock()).unwrap();
    println!(
        "built demo database with {persons} generated persons in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    BenchDb { dir, db, login }
}

/// Opens the service and waits for its memory search index, printing what it cost.
pub fn open_ready(db: &BenchDb) -> Arc<Service> {
    let t = Instant::now();
    let svc = Service::open(&db.db, system_clock()).unwrap();
    let opened = t.elapsed();
    let rss_before = rss_mib();
    svc.wait_search_index();
    println!(
        "opened in {:.0} ms; memory search index ready after {:.2} s, ~{:.1} MiB by its own count \
         (RSS {:.0} MiB -> {:.0} MiB)",
        opened.as_secs_f64() * 1e3,
        t.elapsed().as_secs_f64(),
        svc.search_index_bytes().unwrap_or(0) as f64 / (1024.0 * 1024.0),
        rss_before,
        rss_mib()
    );
    svc
}

/// The real binary serving `db` on `socket` (its log beside the database), once it listens.
pub fn serve(db: &std::path::Path, socket: &std::path::Path) -> std::process::Child {
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_frontoffice"))
        .args(["serve", "--db"])
        .arg(db)
        .arg("--socket")
        .arg(socket)
        // Twenty clients and the bench itself, all one Unix user.
        .args(["--max-connections-per-clerk", "64"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let t = Instant::now();
    while std::os::unix::net::UnixStream::connect(socket).is_err() {
        assert!(t.elapsed() < Duration::from_secs(60), "never listened");
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

/// A number from the environment, or the default.
/// A terminal of `w`x`h` whose bytes are counted and thrown away.
pub type Counted = ratatui::Terminal<
    frontoffice::tui::terminal::Backend<frontoffice::tui::terminal::CountingWriter<std::io::Sink>>,
>;

pub fn counting_terminal(w: u16, h: u16) -> (Counted, Arc<std::sync::atomic::AtomicU64>) {
    use frontoffice::tui::terminal::{backend, CountingWriter};
    let writer = CountingWriter::new(std::io::sink());
    let count = Arc::clone(&writer.count);
    let term = ratatui::Terminal::with_options(
        backend(writer),
        ratatui::TerminalOptions {
            viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, w, h)),
        },
    )
    .unwrap();
    (term, count)
}

pub fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

pub fn pct(mut v: Vec<Duration>, p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

/// Resident memory of this process (Linux).
pub fn rss_mib() -> f64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: f64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    pages * 4096.0 / (1024.0 * 1024.0)
}

/// The real binary in an 80x24 pseudo-terminal; `seen` collects everything it draws.
pub struct PtyConsole {
    pub child: Box<dyn portable_pty::Child + Send + Sync>,
    pub master: Box<dyn portable_pty::MasterPty + Send>,
    pub seen: Arc<std::sync::Mutex<String>>,
}

pub fn spawn_console(args: &[&std::ffi::OsStr]) -> PtyConsole {
    use portable_pty::{native_pty_system, CommandBuilder, PtySize};
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_frontoffice"));
    for a in args {
        cmd.arg(a);
    }
    cmd.env("TERM", "xterm-256color");
    cmd.env("LANG", "C.UTF-8");
    let child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().unwrap();
    let seen = Arc::new(std::sync::Mutex::new(String::new()));
    let s2 = Arc::clone(&seen);
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = std::io::Read::read(&mut reader, &mut buf) {
            if n == 0 {
                break;
            }
            s2.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    PtyConsole {
        child,
        master: pair.master,
        seen,
    }
}

impl PtyConsole {
    /// Waits until `text` was drawn; the limit only turns a hang into a failure.
    pub fn wait_for(&self, text: &str) {
        let t = Instant::now();
        while !self.seen.lock().unwrap().contains(text) {
            assert!(t.elapsed() < Duration::from_secs(60), "never showed {text}");
            std::thread::sleep(Duration::from_micros(200));
        }
    }
}
