//! Saves while a snapshot runs, against the real `frontoffice serve` at 100k persons: 20 clients
//! save without pause (each its own person); first a few seconds without a snapshot, then an
//! administrator's backup through the socket (the server's snapshot: copy without the writer
//! lock, patches of the keys written meanwhile, the last under the lock). Prints the saves' p50,
//! p99 and max before and during the snapshot, and the snapshot's time and size. Asserts nothing
//! about speed.
//!
//! FO_BENCH_PERSONS (default 100000), FO_BASELINE_SECS (default 3).

mod common;

use common::{env_num, pct};
use frontoffice::domain::{record::Body, record::Kind, Lang};
use frontoffice::server::client::Client;
use frontoffice::service::ApiExt;
use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Mutex,
    },
    thread,
    time::{Duration, Instant},
};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// p50, p99 and max of the saves, as one line.
fn figures(what: &str, times: Vec<Duration>) {
    if times.is_empty() {
        return println!("{what}: no saves");
    }
    let max = times.iter().max().copied().unwrap_or_default();
    println!(
        "{what}: {} saves, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        times.len(),
        ms(pct(times.clone(), 0.5)),
        ms(pct(times, 0.99)),
        ms(max)
    );
}

fn main() {
    let persons = env_num("FO_BENCH_PERSONS", 100_000) as usize;
    let baseline = Duration::from_secs(env_num("FO_BASELINE_SECS", 3));
    let db = common::demo_db(persons);
    let socket = db.dir.path().join("fo.sock");
    let mut server = common::serve(&db.db, &socket);
    let admin = Client::connect(&socket, Lang::En).unwrap();
    // The start snapshot and the memory search index: let both finish before measuring.
    let snaps = frontoffice::service::backup::default_dir(&db.db);
    let t = Instant::now();
    while std::fs::read_dir(&snaps).map_or(0, |d| d.count()) == 0 {
        assert!(t.elapsed() < Duration::from_secs(300), "no start snapshot");
        thread::sleep(Duration::from_millis(100));
    }
    thread::sleep(Duration::from_secs(5));

    let targets: Vec<u64> = admin
        .list(Kind::Person, None, 20)
        .unwrap()
        .iter()
        .map(|r| r.id())
        .collect();
    // Every save: when it started and how long it took.
    let saves = Mutex::new(Vec::<(Instant, Duration)>::new());
    let stop = AtomicBool::new(false);
    let mut window = (Instant::now(), Instant::now());
    let mut size = 0;
    let start = Instant::now();
    thread::scope(|scope| {
        for &id in &targets {
            let (socket, saves, stop) = (&socket, &saves, &stop);
            scope.spawn(move || {
                let c = Client::connect(socket, Lang::En).unwrap();
                let mut rec = c.get(Kind::Person, id).unwrap();
                let mut mine = Vec::new();
                let mut k = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let Body::Person(mut p) = rec.body.clone() else {
                        panic!("not a person")
                    };
                    p.address = format!("ул. Снимкова {k}");
                    k += 1;
                    let t = Instant::now();
                    rec = c.update(id, rec.meta.rev, Body::Person(p)).unwrap();
                    mine.push((t, t.elapsed()));
                }
                saves.lock().unwrap().extend(mine);
            });
        }
        thread::sleep(baseline);
        let t0 = Instant::now();
        let (_, bytes) = admin.backup().unwrap();
        window = (t0, Instant::now());
        size = bytes;
        thread::sleep(Duration::from_secs(1));
        stop.store(true, Ordering::Relaxed);
    });
    let saves = saves.into_inner().unwrap();
    let (t0, t1) = window;
    let before: Vec<Duration> = saves
        .iter()
        .filter(|(at, took)| *at + *took < t0 && *at > start + Duration::from_millis(500))
        .map(|(_, took)| *took)
        .collect();
    // Every save that was under way at some point while the snapshot ran.
    let during: Vec<Duration> = saves
        .iter()
        .filter(|(at, took)| *at < t1 && *at + *took > t0)
        .map(|(_, took)| *took)
        .collect();
    println!(
        "snapshot through the server (Backup) at {persons} persons while 20 clients save: \
         {:.2} s, {:.1} MB",
        (t1 - t0).as_secs_f64(),
        size as f64 / 1e6
    );
    figures("saves before the snapshot", before);
    figures("saves during the snapshot", during);
    let _ = server.kill();
    let _ = server.wait();
}
