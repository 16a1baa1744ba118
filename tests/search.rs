//! The in-memory search index against the index trees: same hits, same order, on a demo
//! database; kept current by saves.

mod common;

use common::*;
use frontoffice::domain::{
    record::{Body, Kind},
    translit::transliterate,
};
use frontoffice::service::{ApiExt, Service};
use proptest::prelude::*;
use std::sync::{Arc, OnceLock};

struct Demo {
    _dir: tempfile::TempDir,
    svc: Arc<Service>,
    queries: Vec<String>,
}

/// One demo database for the whole file (built once: it takes a while), opened afresh so that
/// the memory index comes from the background build.
fn demo() -> &'static Demo {
    static DEMO: OnceLock<Demo> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        frontoffice::demo::build(&path, "admin", "Админ", 300, clock()).unwrap();
        let svc = Service::open(&path, clock()).unwrap();
        assert!(svc.wait_search_index());
        let queries = queries(&svc);
        Demo {
            _dir: dir,
            svc,
            queries,
        }
    })
}

/// Queries drawn from the data: names in both scripts and any case, prefixes, two and three
/// words, identifiers whole, prefix and last four, phones in several formats, numbers.
fn queries(svc: &Arc<Service>) -> Vec<String> {
    let s = svc.session("admin").unwrap();
    let mut q: Vec<String> = [
        "",
        " ",
        "a",
        "и",
        "1",
        "12",
        "0",
        "08",
        "088",
        "+359",
        "2026",
        "ив-",
        "иван 12",
        "ДСП",
        "дсп-2026",
        "ДСП-2026-001",
        "100/2025",
        "ЗД-2026",
        "Ivan Ivanov",
        "ИВАН ив",
        "a b",
        "и п",
        "м и г",
        "Kh",
        "C",
        "Io",
        "Ch",
        "(08",
        "00359 88",
        "+44 20",
        "ЕООД",
        "център",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut after = None;
    let mut n = 0;
    loop {
        let page = s.list(Kind::Person, after, 100).unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.meta.id);
        for r in &page {
            n += 1;
            let Body::Person(p) = &r.body else { continue };
            if n % 7 != 0 {
                continue;
            }
            let first: String = p.first_name.chars().take(3).collect();
            let last3: String = p.last_name.chars().take(3).collect();
            q.push(p.last_name.clone());
            q.push(p.last_name.to_uppercase());
            q.push(last3.clone());
            q.push(transliterate(&p.last_name));
            q.push(
                transliterate(&p.last_name)
                    .to_lowercase()
                    .chars()
                    .take(4)
                    .collect(),
            );
            q.push(format!("{} {last3}", p.first_name));
            q.push(format!("{last3} {}", p.first_name.to_lowercase()));
            q.push(format!("{} {}", transliterate(&p.first_name), last3));
            q.push(format!("{} {} {last3}", p.first_name, p.middle_name));
            q.push(format!("{first} {} {}", p.middle_name, p.last_name));
            if let Some(id) = p.ident.as_str() {
                q.push(id.to_string());
                q.push(id[..6].to_string());
                q.push(id[6..].to_string());
            }
            for ph in &p.phones {
                let d = ph.search_digits();
                q.push(d.clone());
                q.push(d[..5.min(d.len())].to_string());
                q.push(ph.as_str().to_string());
                q.push(ph.national());
                if d.len() >= 7 {
                    q.push(format!("+359 {} {}", &d[1..4], &d[4..7]));
                    q.push(format!("00359{}", &d[1..]));
                    q.push(format!("({}) {}-{}", &d[..4], &d[4..7], &d[7..]));
                }
            }
        }
    }
    for kind in [
        Kind::Provider,
        Kind::Service,
        Kind::Agreement,
        Kind::DspDecision,
    ] {
        for r in s.list(kind, None, 5).unwrap() {
            match &r.body {
                Body::Provider(p) => {
                    q.push(p.name.clone());
                    q.push(p.eik.as_str().to_string());
                }
                Body::Service(sv) => q.push(sv.name.chars().take(5).collect()),
                Body::Agreement(a) => q.push(a.number.clone()),
                Body::DspDecision(d) => q.push(d.number.to_lowercase()),
                _ => {}
            }
        }
    }
    q
}

fn assert_same(svc: &Service, query: &str, limit: usize) {
    let sled = svc.search_sled(query, limit).unwrap();
    let mem = svc
        .search_memory(query, limit)
        .unwrap()
        .expect("index ready");
    assert_eq!(mem, sled, "query {query:?}, limit {limit}");
}

#[test]
fn memory_search_returns_what_the_trees_return() {
    let d = demo();
    assert!(d.queries.len() > 300);
    let mut found = 0;
    for q in &d.queries {
        for limit in [1, 5, 20, 1000] {
            assert_same(&d.svc, q, limit);
        }
        found += d.svc.search(q, 20).unwrap().len();
    }
    assert!(
        found > d.queries.len(),
        "the table should mostly find something"
    );
}

#[test]
fn sessions_search_from_memory_once_ready() {
    let d = demo();
    let s = d.svc.session("admin").unwrap();
    for q in d.queries.iter().take(50) {
        assert_eq!(
            s.search(q, 20).unwrap(),
            d.svc.search_memory(q, 20).unwrap().unwrap()
        );
    }
}

#[test]
fn saves_reach_the_memory_index() {
    let db = new_db();
    assert!(db.svc.wait_search_index());
    let s = &db.admin;
    let rec = s
        .create(Body::Person(person("Иван", "Иванов", Some("8032056031"))))
        .unwrap();
    let ids = |q: &str| -> Vec<u64> {
        let mem = db.svc.search_memory(q, 10).unwrap().unwrap();
        assert_eq!(mem, db.svc.search_sled(q, 10).unwrap(), "{q}");
        mem.iter().map(|h| h.id).collect()
    };
    assert_eq!(ids("иванов"), vec![rec.meta.id]);
    assert_eq!(ids("8032056031"), vec![rec.meta.id]);

    // Rename, new identifier and phone: the old keys go, the new ones answer.
    let Body::Person(mut p) = rec.body.clone() else {
        unreachable!()
    };
    p.last_name = "Цветков".into();
    p.ident = person("x", "y", Some("7523169263")).ident;
    p.phones = vec![frontoffice::domain::phone::Phone::parse("+359 87 765 4321").unwrap()];
    let updated = s
        .update(rec.meta.id, rec.meta.rev, Body::Person(p))
        .unwrap();
    assert!(ids("иванов").is_empty());
    assert!(ids("8032056031").is_empty());
    assert!(ids("0888 123").is_empty());
    assert_eq!(ids("tsvetkov"), vec![rec.meta.id]);
    assert_eq!(ids("иван цв"), vec![rec.meta.id]);
    assert_eq!(ids("7523169263"), vec![rec.meta.id]);
    assert_eq!(ids("087 765"), vec![rec.meta.id]);
    let hit = &db.svc.search_memory("цветков", 1).unwrap().unwrap()[0];
    assert_eq!(hit.name, "Иван Цветков");
    assert_eq!(hit.ident, "**********");

    // A batch is applied too, and so are providers and services.
    let many = s
        .create_many(vec![
            Body::Person(person("Мария", "Цветкова", None)),
            Body::Person(person("Петър", "Цветанов", None)),
        ])
        .unwrap();
    assert_eq!(ids("цвет").len(), 3);
    assert!(ids("цвет").contains(&many[1]));
    assert_eq!(updated.meta.rev, 2);
    let all = every_kind(s);
    for r in &all {
        if let Body::Provider(p) = &r.body {
            assert!(ids(&p.name).contains(&r.meta.id));
        }
        if let Body::Service(sv) = &r.body {
            assert!(ids(&sv.name).contains(&r.meta.id));
        }
    }
}

#[test]
fn saves_during_the_build_are_not_lost() {
    let db = new_db();
    let path = db.path();
    let s = &db.admin;
    let mut people = Vec::new();
    let letters: Vec<char> = "АБВГДЕЖЗ".chars().collect();
    for i in 0..40 {
        let last = format!("Стоянов-{}{}", letters[i / 8], letters[i % 8]);
        people.push(Body::Person(person("Стоян", &last, None)));
    }
    s.create_many(people).unwrap();
    drop(db.admin);
    drop(db.svc);

    // Reopen and write at once, while the background build is (likely) still scanning.
    let svc = Service::open(&path, clock()).unwrap();
    let s = svc.session("admin").unwrap();
    let first = s.list(Kind::Person, None, 1).unwrap().remove(0);
    let Body::Person(mut p) = first.body.clone() else {
        unreachable!()
    };
    p.last_name = "Преименуван".into();
    s.update(first.meta.id, first.meta.rev, Body::Person(p))
        .unwrap();
    let new = s
        .create(Body::Person(person("Нов", "Човек", None)))
        .unwrap();
    assert!(svc.wait_search_index());
    let ids = |q: &str| -> Vec<u64> {
        let mem = svc.search_memory(q, 100).unwrap().unwrap();
        assert_eq!(mem, svc.search_sled(q, 100).unwrap(), "{q}");
        mem.iter().map(|h| h.id).collect()
    };
    assert_eq!(ids("преименуван"), vec![first.meta.id]);
    assert_eq!(ids("човек"), vec![new.meta.id]);
    assert_eq!(ids("стоянов").len(), 39);
}

/// Query strings from letters of both scripts, digits and the punctuation clerks type.
fn query_strategy() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "и", "в", "а", "н", "о", "п", "е", "т", "р", "м", "я", "й", "ц", "х", "щ", "ъ", "ю", "I",
        "v", "a", "n", "K", "h", "c", "j", "o", "x", "w", "0", "1", "2", "5", "8", "9", " ", " ",
        "-", "+", "(", ")", "/", ".", "ив", "пет", "ова", "Мар", "359", "088", "ДСП", "é", "ё",
    ]);
    prop::collection::vec(pieces, 0..8).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn random_queries_match_the_trees(query in query_strategy(), limit in prop::sample::select(vec![1usize, 3, 20, 200])) {
        let d = demo();
        let sled = d.svc.search_sled(&query, limit).unwrap();
        let mem = d.svc.search_memory(&query, limit).unwrap().unwrap();
        prop_assert_eq!(mem, sled, "query {:?}", query);
    }
}
