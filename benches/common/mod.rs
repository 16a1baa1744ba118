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

/// A number from the environment, or the default.
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
