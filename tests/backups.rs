//! Snapshots taken while saves go on: the file is the store's state at the snapshot's patch
//! moment, key for key; saves through a real server during a backup leave a file whose restore
//! is clean; a format 1 file (written before patches existed) is still read and restored.

mod common;

use frontoffice::domain::{
    draft::Draft,
    record::{Body, Kind, Record},
    Lang,
};
use frontoffice::server::client::Client;
use frontoffice::service::{backup, ApiExt, Service};
use frontoffice::store::snapshot::{self, Pairs, Stage};
use std::{
    path::Path,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
};

const FIRST: [&str; 5] = ["Иван", "Мария", "Георги", "Елена", "Петър"];
const LAST: [&str; 5] = ["Петров", "Иванова", "Колев", "Димова", "Стоянов"];

/// Every tree's pairs, by name.
type Trees = Vec<(String, Pairs)>;

/// The trees that hold anything, for comparing a store with a parsed snapshot.
fn non_empty(trees: Trees) -> Trees {
    trees.into_iter().filter(|(_, p)| !p.is_empty()).collect()
}

fn draft(key: &str) -> Draft {
    Draft {
        key: key.into(),
        target: None,
        title: "Иван Петров".into(),
        fields: vec![("first_name".into(), "Иван".into())],
        saved: common::now(),
    }
}

/// Saves made after every tree was copied (so none of them is in the copy) reach the file only
/// through its patch: a rename (index keys removed and added), a new person, a removed draft, the
/// audit entries and head. The parsed file equals the store at the patch moment, and its restore
/// is clean.
#[test]
fn saves_during_the_copy_are_in_the_snapshot_as_of_its_patch_moment() {
    let db = common::new_db();
    common::every_kind(&db.admin);
    let mut people: Vec<Record> = Vec::new();
    for f in FIRST {
        for l in LAST {
            let p = common::person(f, l, None);
            people.push(db.admin.create(Body::Person(p)).unwrap());
        }
    }
    db.admin.save_draft(draft("person/new")).unwrap();
    let renamed = people[0].clone();
    let before = non_empty(db.svc.store().dump_for_test());

    let at_patch: Arc<Mutex<Option<Trees>>> = Arc::default();
    let saved = Arc::new(AtomicBool::new(false));
    let svc = Arc::downgrade(&db.svc);
    let (at_patch2, saved2) = (Arc::clone(&at_patch), Arc::clone(&saved));
    db.svc
        .store()
        .set_snapshot_hook_for_test(move |store, stage| match stage {
            Stage::Copied("drafts") if !saved2.swap(true, Ordering::SeqCst) => {
                let svc = svc.upgrade().unwrap();
                let s = svc.session("admin").unwrap();
                let Body::Person(mut p) = renamed.body.clone() else {
                    unreachable!()
                };
                p.last_name = "Преименуван".into();
                s.update(renamed.id(), renamed.meta.rev, Body::Person(p))
                    .unwrap();
                s.create(Body::Person(common::person("Нова", "Личност", None)))
                    .unwrap();
                s.drop_draft("person/new").unwrap();
            }
            Stage::PatchMoment => {
                *at_patch2.lock().unwrap() = Some(non_empty(store.dump_for_test()));
            }
            _ => {}
        });
    let mut bytes = Vec::new();
    db.svc.store().snapshot(&mut bytes, common::now()).unwrap();
    assert!(
        saved.load(Ordering::SeqCst),
        "the hook saved during the copy"
    );
    let parsed = snapshot::parse(&bytes).unwrap();
    let at_patch = at_patch.lock().unwrap().take().unwrap();
    assert_ne!(at_patch, before, "the saves changed the store");
    assert_eq!(non_empty(parsed.trees.clone()), at_patch);
    assert!(parsed.summary.patched > 0);
    assert_eq!(
        parsed.summary.audit_head,
        db.svc.store().audit_head().unwrap()
    );

    // The restore holds the saves and is consistent: records and index entries, chain and head.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("copy.fosnap");
    std::fs::write(&file, &bytes).unwrap();
    let restored = dir.path().join("restored");
    let r = backup::restore(&file, &restored).unwrap();
    assert!(r.check.problems.is_empty(), "{:?}", r.check.problems);
    let svc = Service::open(&restored, common::clock()).unwrap();
    let admin = svc.session("admin").unwrap();
    let Body::Person(p) = admin.get(Kind::Person, people[0].id()).unwrap().body else {
        panic!("a person")
    };
    assert_eq!(p.last_name, "Преименуван");
    assert!(admin.search("личност", 5).unwrap().len() == 1);
    assert!(admin.drafts().unwrap().is_empty());
}

fn me() -> String {
    frontoffice::os::current_user().unwrap().login
}

/// Twenty clients save through a real server while an administrator backs up through it. The
/// copied file restores with a clean `check` (every save whole: a person and its index entries,
/// the audit chain and its head), and every save acknowledged before the backup was asked for is
/// in it.
#[test]
fn a_backup_through_the_server_while_twenty_clients_save_restores_clean() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    frontoffice::demo::build(&db, &me(), "Админ", 100, common::clock()).unwrap();
    let svc = Service::open(&db, common::clock()).unwrap();
    svc.set_snapshots(dir.path().join("snapshots"), 3);
    let socket = dir.path().join("fo.sock");
    common::serve_as_one_user(&svc, &socket);
    let admin = Client::connect(&socket, Lang::En).unwrap();
    let targets: Vec<u64> = admin
        .list(Kind::Person, None, 20)
        .unwrap()
        .iter()
        .map(|r| r.id())
        .collect();
    assert_eq!(targets.len(), 20);

    let stop = AtomicBool::new(false);
    // Per client: the rev of its person acknowledged last before the backup was asked for.
    let acked_before = Mutex::new(Vec::new());
    let asked = AtomicBool::new(false);
    let copy = dir.path().join("copy.fosnap");
    std::thread::scope(|scope| {
        for &id in &targets {
            let (socket, stop, asked, acked_before) = (&socket, &stop, &asked, &acked_before);
            scope.spawn(move || {
                let c = Client::connect(socket, Lang::En).unwrap();
                let mut rec = c.get(Kind::Person, id).unwrap();
                let mut before = rec.meta.rev;
                let mut k = 0;
                while !stop.load(Ordering::SeqCst) || k < 5 {
                    let Body::Person(mut p) = rec.body.clone() else {
                        panic!("a person")
                    };
                    p.address = format!("ул. Резервна {k}");
                    k += 1;
                    let not_yet = !asked.load(Ordering::SeqCst);
                    rec = c.update(id, rec.meta.rev, Body::Person(p)).unwrap();
                    if not_yet {
                        before = rec.meta.rev;
                    }
                }
                acked_before.lock().unwrap().push((id, before));
            });
        }
        // Let every client save a few times first.
        common::wait_until("saves before the backup", || {
            svc.store().audit_head().unwrap().0 > 100
        });
        asked.store(true, Ordering::SeqCst);
        let (name, size) = admin.backup().unwrap();
        let mut bytes = Vec::new();
        loop {
            let chunk = admin.backup_read(&name, bytes.len() as u64).unwrap();
            if chunk.is_empty() {
                break;
            }
            bytes.extend(chunk);
        }
        assert_eq!(bytes.len() as u64, size);
        std::fs::write(&copy, &bytes).unwrap();
        stop.store(true, Ordering::SeqCst);
    });
    let restored = dir.path().join("restored");
    let r = backup::restore(&copy, &restored).unwrap();
    assert!(r.check.problems.is_empty(), "{:?}", r.check.problems);
    let back = Service::open(&restored, common::clock()).unwrap();
    let store = back.store();
    for (id, rev) in acked_before.into_inner().unwrap() {
        let got = store.get(Kind::Person, id).unwrap().unwrap();
        assert!(
            got.meta.rev >= rev,
            "person {id}: rev {} < {rev}",
            got.meta.rev
        );
    }
    // The live database agrees with itself too.
    assert!(admin.check().unwrap().problems.is_empty());
}

/// A format 1 file (written by the program before snapshots had patches: a database with an
/// administrator and one clerk) is read, its head taken from its meta tree, and restored clean.
#[test]
fn a_format_1_snapshot_is_still_read_and_restored() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/snapshot/format1.fosnap");
    let bytes = std::fs::read(&file).unwrap();
    let parsed = snapshot::parse(&bytes).unwrap();
    assert_eq!(parsed.summary.format, 1);
    assert_eq!(parsed.summary.patched, 0);
    assert_eq!(parsed.summary.audit_head.0, 3, "init, clerk added, backup");
    let (_, head) = snapshot::read_head(&file).unwrap();
    assert_eq!(head, parsed.summary.audit_head);
    let dir = tempfile::tempdir().unwrap();
    let restored = dir.path().join("restored");
    let r = backup::restore(&file, &restored).unwrap();
    assert!(r.check.problems.is_empty(), "{:?}", r.check.problems);
    assert_eq!(r.check.audit_entries, 3);
    let svc = Service::open(&restored, common::clock()).unwrap();
    let clerks: Vec<String> = svc
        .store()
        .scan(Kind::Clerk, None)
        .map(|r| match r.unwrap().body {
            Body::Clerk(c) => c.login,
            _ => String::new(),
        })
        .collect();
    assert!(clerks.contains(&"fo_fixture".to_string()), "{clerks:?}");
}
