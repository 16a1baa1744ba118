//! Server figures with 100k persons, against the real binary (`frontoffice serve`): 20 clients
//! saving at once (saves per second, p50/p99 per save), search over the socket (p50/p99), and
//! resident memory of the server and of a console connected to it. Prints figures; asserts
//! nothing about speed.
//!
//! FO_BENCH_PERSONS (default 100000), FO_SAVES_PER_CLIENT (default 150).

mod common;

use common::{env_num, pct};
use frontoffice::domain::{record::Body, record::Kind, Lang};
use frontoffice::server::client::Client;
use frontoffice::service::ApiExt;
use std::{
    os::unix::net::UnixStream,
    path::Path,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    thread,
    time::{Duration, Instant},
};

/// VmRSS and VmHWM (peak) of a process, in MiB.
fn rss_of(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn serve(db: &Path, socket: &Path) -> Child {
    let child = Command::new(env!("CARGO_BIN_EXE_frontoffice"))
        .args(["serve", "--db"])
        .arg(db)
        .arg("--socket")
        .arg(socket)
        // Twenty clients and the bench itself, all one Unix user.
        .args(["--max-connections-per-clerk", "64"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let t = Instant::now();
    while UnixStream::connect(socket).is_err() {
        assert!(t.elapsed() < Duration::from_secs(60), "never listened");
        thread::sleep(Duration::from_millis(20));
    }
    child
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let persons = env_num("FO_BENCH_PERSONS", 100_000) as usize;
    let per_client = env_num("FO_SAVES_PER_CLIENT", 150);
    let db = common::demo_db(persons);
    let socket = db.dir.path().join("fo.sock");
    let mut server = serve(&db.db, &socket);
    let pid = server.id();
    // The memory search index is built in the background; give it time to finish.
    thread::sleep(Duration::from_secs(5));
    let (idle, _) = rss_of(pid);
    println!("server RSS after start and index build: {idle:.0} MiB");

    // Search over the socket.
    let c = Client::connect(&socket, Lang::En).unwrap();
    let queries = [
        "пет",
        "иван",
        "petrova",
        "иван петров",
        "георги",
        "4417",
        "0888",
        "dimitrov",
        "мар",
        "ст",
    ];
    let mut times = Vec::new();
    for round in 0..300 {
        for q in queries {
            let t = Instant::now();
            let hits = c.search(q, 20).unwrap();
            times.push(t.elapsed());
            if round == 0 {
                std::hint::black_box(hits);
            }
        }
    }
    println!(
        "search over the socket, limit 20, {} queries: p50 {:.3} ms, p99 {:.3} ms",
        times.len(),
        ms(pct(times.clone(), 0.5)),
        ms(pct(times, 0.99))
    );

    // Twenty clients saving at once, each its own person (no conflicts: this measures the
    // writer and the group commit).
    let targets: Vec<u64> = c
        .list(Kind::Person, None, 20)
        .unwrap()
        .iter()
        .map(|r| r.id())
        .collect();
    let all = Arc::new(Mutex::new(Vec::new()));
    let start = Instant::now();
    thread::scope(|scope| {
        for &id in &targets {
            let (socket, all) = (&socket, Arc::clone(&all));
            scope.spawn(move || {
                let c = Client::connect(socket, Lang::En).unwrap();
                let mut rec = c.get(Kind::Person, id).unwrap();
                let mut mine = Vec::with_capacity(per_client as usize);
                for k in 0..per_client {
                    let Body::Person(mut p) = rec.body.clone() else {
                        panic!("not a person")
                    };
                    p.address = format!("ул. Товарна {k}");
                    let t = Instant::now();
                    rec = c.update(id, rec.meta.rev, Body::Person(p)).unwrap();
                    mine.push(t.elapsed());
                }
                all.lock().unwrap().extend(mine);
            });
        }
    });
    let wall = start.elapsed();
    let times = std::mem::take(&mut *all.lock().unwrap());
    let n = times.len();
    println!(
        "20 clients, {n} saves (transaction + flush + fsync): {:.0} saves/s; per save p50 {:.2} ms, \
         p99 {:.2} ms",
        n as f64 / wall.as_secs_f64(),
        ms(pct(times.clone(), 0.5)),
        ms(pct(times, 0.99))
    );
    let (now, peak) = rss_of(pid);
    println!("server RSS after the load: {now:.0} MiB (peak {peak:.0} MiB)");

    console_rss(&socket);
    let _ = server.kill();
    let _ = server.wait();
}

/// The real console in a pty, connected to the server, after a search.
fn console_rss(socket: &Path) {
    let mut c = common::spawn_console(&["--connect".as_ref(), socket.as_os_str()]);
    let wait_for = |text: &str| c.wait_for(text);
    wait_for("F10");
    let mut w = c.master.take_writer().unwrap();
    std::io::Write::write_all(&mut w, "ива".as_bytes()).unwrap();
    wait_for("Ива");
    thread::sleep(Duration::from_millis(300));
    let pid = c.child.process_id().unwrap();
    let (rss, peak) = rss_of(pid);
    println!(
        "console connected to the server, after a search: RSS {rss:.1} MiB (peak {peak:.1} MiB)"
    );
    let _ = std::io::Write::write_all(&mut w, b"\x1b[21~");
    let _ = c.child.wait();
}
