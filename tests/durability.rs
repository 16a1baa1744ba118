//! Durability, through the real service on a real sled database: a failed sync is never
//! acknowledged and stops every save; sled's blob files are synced; `check` under a stream of
//! saves sees one state; the envelope's CRC covers its header; schema 1 databases are upgraded.

mod common;

use common::*;
use frontoffice::domain::{record::Kind, Body, Explain, Lang, Record};
use frontoffice::service::{ApiExt, Notice, Service as Svc, ServiceError};
use frontoffice::store::{codec, schema, Target, WriteSet, READ_ONLY_BG, READ_ONLY_EN};
use std::sync::{
    atomic::{AtomicBool, AtomicU64, Ordering},
    mpsc, Arc,
};
use std::time::Duration;

/// A number spelled in Cyrillic letters (names take no digits): 0 is "а", 12 is "бв".
fn letters(mut n: usize) -> String {
    const L: [char; 10] = ['а', 'б', 'в', 'г', 'д', 'е', 'ж', 'з', 'и', 'к'];
    let mut out = Vec::new();
    loop {
        out.push(L[n % 10]);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.iter().rev().collect()
}

fn named(first: &str, last: &str) -> Body {
    Body::Person(person(first, last, None))
}

/// The longest note a person may have (4,000 characters), in Cyrillic (two bytes a letter)
/// with dashes between the words (three bytes): about 8.5 KB.
fn longest_note(seed: usize) -> String {
    let words = ["Помощ", "вкъщи", "пазаруване", "лекар", "аптека", "съсед"];
    let mut s = String::new();
    let mut i = seed;
    while s.chars().count() < 4000 {
        s.push_str(words[i % words.len()]);
        s.push('—');
        i += 1;
    }
    s.chars().take(3999).chain(['.']).collect()
}

/// Saves A, B and C: A's sync succeeds while B and C are applied; the next sync, which covers
/// B and C, fails. A is acknowledged; B and C are not, and the failed sync is never retried.
/// Every later save, the retry of B's create among them, is refused with the message in both
/// languages, without touching the disk; reads go on; every subscriber hears it once.
#[test]
fn a_failed_sync_is_never_acknowledged_and_stops_every_save() {
    let db = new_db();
    let changes = db.svc.subscribe();
    let persons_before = db.svc.store().count(Kind::Person);

    let calls = Arc::new(AtomicU64::new(0));
    let (started_tx, started) = mpsc::channel::<()>();
    let (go_tx, go) = mpsc::channel::<()>();
    let go = std::sync::Mutex::new(go);
    {
        let calls = Arc::clone(&calls);
        let started_tx = std::sync::Mutex::new(started_tx);
        db.svc.store().set_sync_fault_for_test(move || {
            match calls.fetch_add(1, Ordering::SeqCst) {
                0 => {
                    started_tx.lock().unwrap().send(()).unwrap();
                    go.lock().unwrap().recv().unwrap();
                    Ok(())
                }
                _ => Err(std::io::Error::other("EIO from the test disk")),
            }
        });
    }
    let save = |first: &'static str| {
        let svc = Arc::clone(&db.svc);
        std::thread::spawn(move || {
            svc.session("admin")
                .unwrap()
                .create(named(first, "Тестова"))
        })
    };
    let a = save("Анна");
    started.recv_timeout(Duration::from_secs(20)).unwrap();
    let b = save("Бояна");
    let c = save("Цвета");
    // B and C are applied (visible) and wait for a sync to cover them.
    wait_until("B and C applied", || {
        db.svc.store().count(Kind::Person) == persons_before + 3
    });
    go_tx.send(()).unwrap();
    let a = a.join().unwrap().expect("A's sync succeeded");
    assert_eq!(b.join().unwrap(), Err(ServiceError::ReadOnly));
    assert_eq!(c.join().unwrap(), Err(ServiceError::ReadOnly));
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "the failed sync is not retried"
    );

    let why = db.svc.read_only().expect("read-only");
    assert!(why.contains("EIO from the test disk"), "{why}");

    // Every later write is refused, without another sync; a retried create adds nothing.
    let err = db.admin.create(named("Бояна", "Тестова")).unwrap_err();
    assert_eq!(err, ServiceError::ReadOnly);
    assert_eq!(err.explain(Lang::Bg), READ_ONLY_BG);
    assert_eq!(err.explain(Lang::En), READ_ONLY_EN);
    assert_eq!(
        READ_ONLY_BG,
        "Дискът отказа запис; записването е спряно, обадете се на администратора."
    );
    assert_eq!(
        READ_ONLY_EN,
        "The disk refused a write; saves are stopped, call the administrator."
    );
    let Body::Person(mut renamed) = a.body.clone() else {
        unreachable!()
    };
    renamed.last_name = "Друга".into();
    assert_eq!(
        db.admin
            .update(a.meta.id, a.meta.rev, Body::Person(renamed)),
        Err(ServiceError::ReadOnly)
    );
    assert_eq!(db.svc.store().count(Kind::Person), persons_before + 3);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "refused saves never reach the disk"
    );
    // The store refuses on its own too, whoever calls it.
    assert!(db.svc.store().sync().is_err());
    assert_eq!(calls.load(Ordering::SeqCst), 2);

    // Reads keep working.
    assert_eq!(db.admin.get(Kind::Person, a.meta.id).unwrap(), a);
    assert!(!db.admin.list(Kind::Person, None, 10).unwrap().is_empty());
    assert!(db
        .admin
        .search("анна", 5)
        .unwrap()
        .iter()
        .any(|h| h.id == a.meta.id));
    assert!(db.admin.check().unwrap().problems.is_empty());

    // Subscribers heard A's save and, once, that saves are stopped; never B's or C's.
    let heard: Vec<_> = changes.try_iter().collect();
    let notices = heard
        .iter()
        .filter(|c| c.notice == Some(Notice::ReadOnly))
        .count();
    assert_eq!(notices, 1, "{heard:?}");
    let saved: Vec<u64> = heard
        .iter()
        .flat_map(|c| c.records.iter().map(|r| r.id))
        .collect();
    assert_eq!(
        saved,
        [a.meta.id],
        "only the acknowledged save is announced"
    );
}

/// A disk that is really full (a 3 MiB tmpfs): saving long notes until the disk refuses
/// gives a clear error, every later save is refused, and on a bigger disk the database
/// reopens whole, with every acknowledged save, and nothing half-written. Skipped (with the
/// reason printed) where tmpfs cannot be mounted.
#[test]
fn a_full_disk_stops_saves_and_leaves_nothing_half_written() {
    let mnt = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=3m", "tmpfs"])
        .arg(mnt.path())
        .stderr(std::process::Stdio::null())
        .status();
    if !matches!(status, Ok(s) if s.success()) {
        eprintln!("skipped: cannot mount a tmpfs here ({status:?}); needs root");
        return;
    }
    struct Unmount<'a>(&'a std::path::Path);
    impl Drop for Unmount<'_> {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(self.0).status();
        }
    }
    let _unmount = Unmount(mnt.path());
    let path = mnt.path().join("db");
    let (svc, created) = Svc::open_or_create(&path, "admin", "Админ", settings(), clock()).unwrap();
    assert!(created);
    let s = svc.session("admin").unwrap();
    let mut acked: Vec<Record> = Vec::new();
    let err = loop {
        let mut p = person(
            "Мария",
            &format!("Пълнодискова{}", letters(acked.len())),
            None,
        );
        p.note = longest_note(acked.len());
        match s.create(Body::Person(p)) {
            Ok(r) => acked.push(r),
            Err(e) => break e,
        }
        assert!(acked.len() < 10_000, "the 3 MiB disk never filled");
    };
    let why = svc.read_only().expect("read-only");
    eprintln!(
        "the disk refused after {} saves: {err:?} ({why})",
        acked.len()
    );
    assert_eq!(err, ServiceError::ReadOnly);
    assert_eq!(
        s.create(named("Иван", "Последен")),
        Err(ServiceError::ReadOnly)
    );
    // When sled's own log write hit the full disk, sled 0.34.7 keeps that error and returns it
    // from any read that would tidy a page: a read gives the right record or an error, never
    // another record.
    let unreadable = acked
        .iter()
        .filter(|r| match s.get(Kind::Person, r.meta.id) {
            Ok(got) => {
                assert_eq!(&got, *r);
                false
            }
            Err(_) => true,
        })
        .count();
    eprintln!("{unreadable} of {} unreadable until restart", acked.len());
    drop(s);
    drop(svc);
    // Room again (as after the administrator freed space), then a fresh start.
    let remount = std::process::Command::new("mount")
        .args(["-o", "remount,size=64m"])
        .arg(mnt.path())
        .status()
        .unwrap();
    assert!(remount.success());
    let svc = Svc::open(&path, clock()).unwrap();
    let s = svc.session("admin").unwrap();
    let report = s.check().unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    for r in &acked {
        assert_eq!(&s.get(Kind::Person, r.meta.id).unwrap(), r);
    }
    // The refused save is there whole or not at all; the database takes saves again.
    let persons = s.list(Kind::Person, None, 1000).unwrap();
    assert!(persons.len() == acked.len() || persons.len() == acked.len() + 1);
    s.create(named("Иван", "Следващ")).unwrap();
    drop(s);
    drop(svc);
}

/// sled writes a page (not a value) larger than its threshold (segment 512 KiB / 4 - 20 bytes)
/// to a file under `blobs/`. Text limits count characters, not bytes: a person with the longest
/// Cyrillic note (~8.5 KB) stays under it even nine to a page, but assessments whose needs and
/// note are at their limit (~16 KB) make blobs. `sync` fsyncs every blob file: each one that
/// existed before a sync is known synced at its length after it.
#[test]
fn blob_files_of_long_texts_are_synced() {
    let db = new_db();
    let mut p = person("Мария", "Дългобележкова", None);
    p.note = longest_note(0);
    assert_eq!(p.note.chars().count(), 4000);
    let person = db.admin.create(Body::Person(p)).unwrap();
    let biggest_person = schema::encode_record(&person).unwrap().len();
    assert!(biggest_person > 8000, "{biggest_person}");
    let mut biggest = 0;
    for i in 0..30 {
        let r = db
            .admin
            .create(Body::Assessment(frontoffice::domain::intake::Assessment {
                person: person.meta.id,
                intake: None,
                date: today(),
                clerk: String::new(),
                needs: frontoffice::domain::intake::NeedDomain::ALL[..5]
                    .iter()
                    .map(|d| frontoffice::domain::intake::DomainNeed {
                        domain: *d,
                        need: frontoffice::domain::intake::Need::Partial,
                        note: longest_note(i + 1).chars().take(1000).collect(),
                    })
                    .collect(),
                recommended: Vec::new(),
                conclusion: longest_note(i),
            }))
            .unwrap();
        biggest = biggest.max(schema::encode_record(&r).unwrap().len());
    }
    // One record stays far under the threshold; pages of them do not.
    assert!(biggest > 16_000 && biggest < 131_052, "{biggest}");
    let blobs = db.path().join("blobs");
    let list = || -> Vec<std::ffi::OsString> {
        std::fs::read_dir(&blobs)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect()
    };
    let before = list();
    assert!(!before.is_empty(), "30 long assessments wrote no blob file");
    db.svc.store().sync().unwrap();
    let (fsyncs, synced) = db.svc.store().blob_syncs_for_test();
    assert!(fsyncs >= before.len() as u64, "{fsyncs} fsyncs");
    for name in before {
        let Ok(meta) = std::fs::metadata(blobs.join(&name)) else {
            continue; // collected by sled meanwhile
        };
        assert_eq!(
            synced.get(&name),
            Some(&meta.len()),
            "blob {name:?} not synced at its length"
        );
    }
}

/// Several clerks save (creates and renames, which move index entries) while `check` runs
/// again and again: it sees one state at a time and reports nothing. Then planted damage (a
/// stray entry, a missing one, a record with a flipped version byte) is reported under the
/// same load, and nothing else.
#[test]
fn check_under_a_stream_of_saves_sees_one_state() {
    let db = new_db();
    let stop = Arc::new(AtomicBool::new(false));
    let saved = Arc::new(AtomicU64::new(0));
    let writers: Vec<_> = (0..4)
        .map(|t| {
            let (svc, stop, saved) = (Arc::clone(&db.svc), Arc::clone(&stop), Arc::clone(&saved));
            std::thread::spawn(move || {
                let s = svc.session("admin").unwrap();
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    let r = s
                        .create(named(
                            "Петър",
                            &format!("Нишков{}{}", letters(t), letters(i)),
                        ))
                        .unwrap();
                    let Body::Person(mut p) = r.body.clone() else {
                        unreachable!()
                    };
                    p.last_name = format!("Преименуван{}{}", letters(t), letters(i));
                    p.first_name = "Георги".into();
                    s.update(r.meta.id, r.meta.rev, Body::Person(p)).unwrap();
                    saved.fetch_add(2, Ordering::Relaxed);
                    i += 1;
                }
            })
        })
        .collect();
    let checks = |rounds: usize| {
        let mut found = Vec::new();
        for _ in 0..rounds {
            let before = saved.load(Ordering::Relaxed);
            let report = db.admin.check().unwrap();
            wait_until("saves during the check", || {
                saved.load(Ordering::Relaxed) > before
            });
            found.extend(report.problems);
        }
        found
    };
    wait_until("the first saves", || saved.load(Ordering::Relaxed) > 20);
    let problems = checks(8);
    assert!(problems.is_empty(), "{problems:#?}");

    // Plant damage through the store, as a bad disk or a bug would leave it.
    let victim = db.admin.create(named("Повреден", "Записов")).unwrap();
    let intact = db.admin.create(named("Цял", "Записов")).unwrap();
    let mut ws = WriteSet::default();
    let stray = frontoffice::store::index::key(b"nobody", Kind::Person, 9_999_999);
    ws.put(
        Target::Index(frontoffice::store::index::Index::Name),
        stray,
        Vec::new(),
    );
    let (idx, key) = frontoffice::store::index::entries(&intact)
        .into_iter()
        .find(|(i, _)| *i == frontoffice::store::index::Index::Name)
        .unwrap();
    ws.remove(Target::Index(idx), key);
    let mut bytes = schema::encode_record(&victim).unwrap();
    bytes[4] ^= 0x01; // the low byte of the schema version
    ws.put(
        Target::Record(Kind::Person),
        victim.meta.id.to_be_bytes().to_vec(),
        bytes,
    );
    {
        let _w = db.svc.store().writer();
        db.svc.store().apply(ws).unwrap();
    }
    let problems = checks(3);
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    let mut kinds: Vec<&str> = problems
        .iter()
        .map(|p| {
            if p.contains("stray entry for person 9999999") {
                "stray"
            } else if p.contains(&format!("missing entry for person {}", intact.meta.id)) {
                "missing"
            } else if p.contains("checksum") && p.contains(&victim.meta.id.to_string()) {
                "damaged"
            } else {
                panic!("unexpected problem: {p}")
            }
        })
        .collect();
    kinds.sort();
    kinds.dedup();
    assert_eq!(kinds, ["damaged", "missing", "stray"], "{problems:#?}");
    // Each check round found each of the three once.
    assert_eq!(problems.len(), 9, "{problems:#?}");
    // The flipped version byte reads as damage, not as a newer schema.
    let err = db.admin.get(Kind::Person, victim.meta.id).unwrap_err();
    let msg = err.explain(Lang::En);
    assert!(msg.contains("checksum"), "{msg}");
    assert!(!msg.contains("schema version"), "{msg}");
}

/// A flipped byte anywhere in a stored record's header is damage when read, never "a newer
/// schema" or another kind.
#[test]
fn every_flipped_header_byte_of_a_stored_record_reads_as_damage() {
    let db = new_db();
    let r = db.admin.create(named("Иван", "Байтов")).unwrap();
    let good = schema::encode_record(&r).unwrap();
    for i in 0..codec::HEADER_LEN {
        let mut bad = good.clone();
        bad[i] ^= 0x01;
        let mut ws = WriteSet::default();
        ws.put(
            Target::Record(Kind::Person),
            r.meta.id.to_be_bytes().to_vec(),
            bad,
        );
        db.svc.store().apply(ws).unwrap();
        let msg = db
            .admin
            .get(Kind::Person, r.meta.id)
            .unwrap_err()
            .explain(Lang::En);
        assert!(
            msg.contains("checksum") || msg.contains("magic"),
            "byte {i}: {msg}"
        );
        assert!(!msg.contains("schema version"), "byte {i}: {msg}");
    }
}
/// The schema number, the count of values in envelope format 1 and 2, and every record.
fn raw_contents(path: &std::path::Path) -> (Option<u32>, usize, usize, Vec<Record>) {
    let raw = raw_open(path);
    let schema_v = raw
        .open_tree("meta")
        .unwrap()
        .get(b"schema")
        .unwrap()
        .map(|v| u32::from_be_bytes(v.as_ref().try_into().unwrap()));
    let (mut v1, mut v2, mut records) = (0, 0, Vec::new());
    let trees = Kind::ALL.iter().map(|k| (k.tree(), Some(*k))).chain([
        ("audit", None),
        ("settings", None),
        ("drafts", None),
    ]);
    for (name, kind) in trees {
        for item in raw.open_tree(name).unwrap().iter() {
            let (_, v) = item.unwrap();
            match &v[0..2] {
                m if m == codec::MAGIC_V1 => v1 += 1,
                m if m == codec::MAGIC => v2 += 1,
                other => panic!("{name}: magic {other:?}"),
            }
            if let Some(kind) = kind {
                records.push(schema::decode_record(kind, &v).unwrap());
            }
        }
    }
    (schema_v, v1, v2, records)
}

/// The committed schema 1 database opens as the current schema: every value rewritten in
/// envelope format 2, the very same records, `check` clean.
#[test]
fn a_schema_1_database_is_upgraded_on_open() {
    let (_dir, dst) = fixture_copy("schema1-db");
    let (schema_before, v1, v2, before) = raw_contents(&dst);
    assert_eq!(schema_before, Some(1));
    assert!(before.len() >= Kind::ALL.len());
    assert!(
        v1 > before.len(),
        "records, audit entries and settings: {v1}"
    );
    assert_eq!(v2, 0);
    {
        let svc = Svc::open(&dst, clock()).unwrap();
        let s = svc.session("fixture").unwrap();
        assert!(s.check().unwrap().problems.is_empty());
    }
    let (schema_after, v1_after, v2_after, after) = raw_contents(&dst);
    assert_eq!(schema_after, Some(schema::SCHEMA));
    assert_eq!((v1_after, v2_after), (0, v1), "every value rewritten");
    assert_eq!(after, before);
    let svc = Svc::open(&dst, clock()).unwrap();
    let s = svc.session("fixture").unwrap();
    assert!(s.check().unwrap().problems.is_empty());
}

/// The console hears that saves are stopped and keeps saying so on its status line, after
/// other keys too, in the clerk's language; the failure is logged once, however many saves are
/// refused after it.
#[test]
fn every_clerk_is_told_and_the_log_says_it_once() {
    use frontoffice::tui::{
        app::{App, Cx},
        draw,
        i18n::I18n,
        theme::{Symbols, Theme},
    };
    use ratatui::{backend::TestBackend, Terminal};

    let db = new_db();
    let changes = db.svc.subscribe();
    let console = |lang: Lang| {
        let session = db.svc.session("admin").unwrap();
        let clerk = session.whoami().unwrap();
        let settings = session.settings().unwrap().settings;
        App::new(Cx::new(
            Box::new(session),
            I18n::new(lang),
            Theme::builtin("default"),
            Symbols::new(false),
            clerk,
            settings,
            clock(),
        ))
    };
    let (mut bg, mut en) = (console(Lang::Bg), console(Lang::En));
    let status_line = |app: &App| {
        let mut term = Terminal::new(TestBackend::new(100, 24)).unwrap();
        draw(&mut term, app).unwrap();
        let buf = term.backend().buffer();
        // The whole screen: the status line stands above the footer, one or two lines.
        (0..24u16)
            .flat_map(|y| (0..100u16).map(move |x| (x, y)))
            .map(|xy| buf[xy].symbol().to_string())
            .collect::<String>()
    };
    assert!(!status_line(&bg).contains("Дискът"));

    // Everything logged while the saves fail, on this thread.
    #[derive(Clone, Default)]
    struct Log(Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Log {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let log = Log::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer({
            let log = log.clone();
            move || log.clone()
        })
        .with_ansi(false)
        .finish();
    db.svc.store().fail_syncs_for_test();
    tracing::subscriber::with_default(subscriber, || {
        for first in ["Анна", "Бояна", "Цвета"] {
            assert_eq!(
                db.admin.create(named(first, "Тестова")),
                Err(ServiceError::ReadOnly)
            );
        }
    });
    let log = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert_eq!(log.matches(READ_ONLY_EN).count(), 1, "{log}");
    assert!(log.contains("ERROR") && log.contains("injected"), "{log}");

    for change in changes.try_iter() {
        bg.on_change(&change);
        en.on_change(&change);
    }
    assert!(
        status_line(&bg).contains("Дискът отказа запис; записването е спряно"),
        "{}",
        status_line(&bg)
    );
    assert!(status_line(&en).contains("The disk refused a write; saves are stopped"));
    // A key clears passing messages, not this one.
    bg.on_key(ratatui::crossterm::event::KeyEvent::new(
        ratatui::crossterm::event::KeyCode::Char('и'),
        ratatui::crossterm::event::KeyModifiers::NONE,
    ));
    assert!(status_line(&bg).contains("Дискът отказа запис"));
}

/// The committed schema 2 database (envelope format 2 throughout) opens as it is and reads.
#[test]
fn the_committed_schema_2_database_opens_and_reads() {
    let (_dir, dst) = fixture_copy("schema2-db");
    let (schema_v, v1, v2, before) = raw_contents(&dst);
    assert_eq!((schema_v, v1), (Some(2), 0));
    assert!(v2 > before.len() && before.len() >= Kind::ALL.len());
    let svc = Svc::open(&dst, clock()).unwrap();
    let s = svc.session("fixture").unwrap();
    assert!(s.check().unwrap().problems.is_empty());
    for r in &before {
        assert_eq!(&svc.store().get(r.kind(), r.meta.id).unwrap().unwrap(), r);
    }
}

/// A create sent again while the first one's fsync is still running is not answered before
/// that fsync: here the held fsync fails, and the repeat, which found the first record already
/// applied, is refused with it instead of being told "saved".
#[test]
fn a_repeated_create_waits_for_the_first_ones_fsync() {
    let db = new_db();
    let (started_tx, started) = mpsc::channel::<()>();
    let (go_tx, go) = mpsc::channel::<()>();
    let go = std::sync::Mutex::new(go);
    let started_tx = std::sync::Mutex::new(started_tx);
    db.svc.store().set_sync_fault_for_test(move || {
        started_tx.lock().unwrap().send(()).unwrap();
        go.lock().unwrap().recv().unwrap();
        Err(std::io::Error::other("EIO from the held disk"))
    });
    let body = named("Анна", "Повторна");
    let send = |body: Body| {
        let svc = Arc::clone(&db.svc);
        std::thread::spawn(move || svc.session("admin").unwrap().create_once(4242, body))
    };
    let first = send(body.clone());
    started.recv_timeout(Duration::from_secs(20)).unwrap();
    let (answered_tx, answered) = mpsc::channel();
    let repeat = {
        let svc = Arc::clone(&db.svc);
        let body = body.clone();
        std::thread::spawn(move || {
            let r = svc.session("admin").unwrap().create_once(4242, body);
            answered_tx.send(()).unwrap();
            r
        })
    };
    // While the first fsync is held, the repeat gets no answer (a wrong one would come at once).
    assert!(answered.recv_timeout(Duration::from_millis(300)).is_err());
    go_tx.send(()).unwrap();
    assert_eq!(first.join().unwrap(), Err(ServiceError::ReadOnly));
    assert_eq!(repeat.join().unwrap(), Err(ServiceError::ReadOnly));
}

/// Sent again with other content (the clerk corrected the form after a lost answer), a create
/// is told which record the first one made, and nothing more is stored; with the same content
/// it gets that record.
#[test]
fn a_repeated_create_with_other_content_is_not_told_saved() {
    let db = new_db();
    let before = db.svc.store().count(Kind::Person);
    let first = db.admin.create_once(99, named("Анна", "Първа")).unwrap();
    let again = db.admin.create_once(99, named("Анна", "Първа")).unwrap();
    assert_eq!(first, again);
    match db.admin.create_once(99, named("Анна", "Поправена")) {
        Err(e @ ServiceError::AlreadyCreated { .. }) => {
            assert_eq!(
                e,
                ServiceError::AlreadyCreated {
                    kind: Kind::Person,
                    id: first.id(),
                    rev: first.meta.rev
                }
            );
            assert!(e.explain(Lang::Bg).contains(&format!("№ {}", first.id())));
            assert!(e.explain(Lang::En).contains("answer was lost"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(db.svc.store().count(Kind::Person), before + 1);
    let stored = db.admin.get(Kind::Person, first.id()).unwrap();
    assert_eq!(stored, first, "the first record is as it was");
}
