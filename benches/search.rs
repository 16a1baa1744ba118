//! Search latency at 100k persons, next to SQLite (bundled, with indexes) on the same data and
//! the same queries. Prints p50/p99 per query family and the ratio. Not a test: run with
//! `cargo bench --bench search` (FO_BENCH_PERSONS changes the size).

use frontoffice::domain::{phone::phone_search_digits, record::Body, search_key::search_tokens};
mod common;

use common::pct;
use frontoffice::service::ApiExt;
use rusqlite::{params, Connection};
use std::time::{Duration, Instant};

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn main() {
    let persons = common::env_num("FO_BENCH_PERSONS", 100_000) as usize;
    let bench = common::demo_db(persons);
    let svc = common::open_ready(&bench);
    let s = svc.session(&bench.login).unwrap();
    let dir = &bench.dir;

    // Mirror every person into SQLite: tokens, identifiers and phones, each indexed.
    let sql = Connection::open(dir.path().join("mirror.sqlite")).unwrap();
    sql.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
         CREATE TABLE person(id INTEGER PRIMARY KEY, name TEXT, ident TEXT, last4 TEXT, birth TEXT);
         CREATE TABLE tok(token TEXT, id INTEGER);
         CREATE TABLE phone(digits TEXT, id INTEGER);",
    )
    .unwrap();
    let mut names = Vec::new();
    let mut idents = Vec::new();
    let mut phones = Vec::new();
    {
        let tx = sql.unchecked_transaction().unwrap();
        // From the store: answers carry the ЕГН masked, SQLite needs them whole.
        let people: Vec<_> = svc
            .store()
            .scan(frontoffice::domain::record::Kind::Person, None)
            .collect::<Result<_, _>>()
            .unwrap();
        {
            for r in &people {
                let Body::Person(p) = &r.body else { continue };
                let ident = p.ident.as_str().unwrap_or_default().to_string();
                tx.execute(
                    "INSERT INTO person VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![
                        r.meta.id as i64,
                        p.full_name(),
                        ident,
                        &ident[ident.len().saturating_sub(4)..],
                        p.birth_date.map(|d| d.to_string())
                    ],
                )
                .unwrap();
                for t in search_tokens(&p.full_name()) {
                    tx.execute(
                        "INSERT INTO tok VALUES (?1, ?2)",
                        params![t, r.meta.id as i64],
                    )
                    .unwrap();
                }
                for ph in &p.phones {
                    tx.execute(
                        "INSERT INTO phone VALUES (?1, ?2)",
                        params![ph.search_digits(), r.meta.id as i64],
                    )
                    .unwrap();
                    phones.push(ph.search_digits());
                }
                names.push((p.first_name.clone(), p.last_name.clone()));
                idents.push(ident);
            }
        }
        tx.commit().unwrap();
    }
    sql.execute_batch(
        "CREATE INDEX tok_i ON tok(token, id); CREATE INDEX ident_i ON person(ident);
         CREATE INDEX last4_i ON person(last4); CREATE INDEX phone_i ON phone(digits, id); ANALYZE;",
    )
    .unwrap();

    // Query families, drawn from the data so that every query has answers.
    let n = 2000;
    let pick = |i: usize| i.wrapping_mul(7919) % names.len();
    let families: Vec<(&str, Vec<String>)> = vec![
        (
            "name prefix, Cyrillic (3 letters)",
            (0..n)
                .map(|i| names[pick(i)].1.chars().take(3).collect())
                .collect(),
        ),
        (
            "name prefix, Cyrillic (whole word)",
            (0..n).map(|i| names[pick(i)].1.clone()).collect(),
        ),
        (
            "name prefix, Latin (4 letters)",
            (0..n)
                .map(|i| {
                    frontoffice::domain::translit::transliterate(&names[pick(i)].1)
                        .to_lowercase()
                        .chars()
                        .take(4)
                        .collect()
                })
                .collect(),
        ),
        (
            "two words (first + surname prefix)",
            (0..n)
                .map(|i| {
                    let (f, l) = &names[pick(i)];
                    format!("{f} {}", l.chars().take(3).collect::<String>())
                })
                .collect(),
        ),
        (
            "ЕГН whole",
            (0..n).map(|i| idents[pick(i)].clone()).collect(),
        ),
        (
            // The last four digits are no query any more: with the birth date a hit shows,
            // they would complete the number.
            "ЕГН birth date (first six)",
            (0..n).map(|i| idents[pick(i)][..6].to_string()).collect(),
        ),
        (
            "phone, any format",
            (0..n)
                .map(|i| {
                    let p = &phones[pick(i)];
                    format!("+359 {} {}", &p[1..4], &p[4..7])
                })
                .collect(),
        ),
    ];
    let limit = 20u32;
    let mut st_tok = sql.prepare("SELECT p.id, p.name, p.ident, p.birth FROM tok t JOIN person p ON p.id = t.id WHERE t.token >= ?1 AND t.token < ?2 ORDER BY t.token LIMIT ?3").unwrap();
    let mut st_ident = sql
        .prepare(
            "SELECT id, name, ident, birth FROM person WHERE ident >= ?1 AND ident < ?2 LIMIT ?3",
        )
        .unwrap();
    let mut st_phone = sql.prepare("SELECT p.id, p.name, p.ident, p.birth FROM phone h JOIN person p ON p.id = h.id WHERE h.digits >= ?1 AND h.digits < ?2 LIMIT ?3").unwrap();
    let mut st_two = sql.prepare("SELECT p.id, p.name, p.ident, p.birth FROM tok a JOIN tok b ON a.id = b.id JOIN person p ON p.id = a.id WHERE a.token = ?1 AND b.token >= ?2 AND b.token < ?3 LIMIT ?4").unwrap();
    let upper = |s: &str| format!("{s}\u{10FFFF}");

    println!(
        "\nsearch, {} persons, {n} queries per family, limit {limit}",
        names.len()
    );
    println!(
        "{:<38} {:>9} {:>9} {:>9} {:>9} {:>7}",
        "family", "ours p50", "ours p99", "sqlite p50", "sqlite p99", "p99 ×"
    );
    for (family, queries) in &families {
        let mut ours = Vec::with_capacity(n);
        let mut theirs = Vec::with_capacity(n);
        let mut found = 0usize;
        for q in queries {
            let t = Instant::now();
            let hits = s.search(q, limit).unwrap();
            ours.push(t.elapsed());
            found += hits.len();
            let t = Instant::now();
            let rows: usize = match *family {
                f if f.starts_with("name prefix") => {
                    let k = search_tokens(q).concat();
                    st_tok
                        .query_map(params![k, upper(&k), limit], |r| r.get::<_, i64>(0))
                        .unwrap()
                        .count()
                }
                f if f.starts_with("two words") => {
                    let w = search_tokens(q);
                    st_two
                        .query_map(params![w[0], w[1], upper(&w[1]), limit], |r| {
                            r.get::<_, i64>(0)
                        })
                        .unwrap()
                        .count()
                }
                f if f.starts_with("ЕГН") => st_ident
                    .query_map(params![q, upper(q), limit], |r| r.get::<_, i64>(0))
                    .unwrap()
                    .count(),
                _ => {
                    let d = phone_search_digits(q);
                    st_phone
                        .query_map(params![d, upper(&d), limit], |r| r.get::<_, i64>(0))
                        .unwrap()
                        .count()
                }
            };
            theirs.push(t.elapsed());
            std::hint::black_box(rows);
        }
        assert!(found > 0, "{family}: no hits at all");
        let (o50, o99, s50, s99) = (
            pct(ours.clone(), 0.5),
            pct(ours, 0.99),
            pct(theirs.clone(), 0.5),
            pct(theirs, 0.99),
        );
        println!(
            "{:<38} {:>7.1}µs {:>7.1}µs {:>8.1}µs {:>8.1}µs {:>7.2}",
            family,
            us(o50),
            us(o99),
            us(s50),
            us(s99),
            us(o99) / us(s99)
        );
    }
    // The agenda at this size: the due-date index is range-scanned, never the persons.
    let mut times = Vec::new();
    let mut lines = 0;
    for _ in 0..50 {
        let t = Instant::now();
        let a = s.agenda(7, None).unwrap();
        times.push(t.elapsed());
        lines = a.items.len();
    }
    println!(
        "{:<38} {:>7.1}µs {:>7.1}µs   ({lines} lines)",
        "agenda (7 days, all clerks)",
        us(pct(times.clone(), 0.5)),
        us(pct(times, 0.99)),
    );
}
