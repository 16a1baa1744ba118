//! The search index kept in memory: the same keys as the sled index trees (names, ЕГН/ЛНЧ, last
//! four digits, phones) for persons, providers and services, plus each record's ready summary
//! and name tokens, so a query decodes no records and several words are matched without reading
//! candidates from disk. Built from the store on a background thread when the service opens;
//! until it is ready, search reads the sled index trees. Every commit is applied to it afterwards.

use super::api::Hit;
use crate::domain::record::{Kind, Record};
use crate::store::{index, index::Index};
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;

/// The kinds search finds by name or identifier.
pub const KINDS: [Kind; 3] = [Kind::Person, Kind::Provider, Kind::Service];

/// The trees kept in memory, in `Index` order.
const TREES: [Index; 4] = [Index::Name, Index::Ident, Index::IdentLast4, Index::Phone];

/// Whether the memory index holds this index tree.
pub fn held(index: Index) -> bool {
    tree_no(index).is_some()
}

fn tree_no(index: Index) -> Option<usize> {
    TREES.iter().position(|i| *i == index)
}

struct Entry {
    kind: Kind,
    id: u64,
    rev: u64,
    /// Name, masked ident and detail, as a hit shows them.
    hit: Box<[Box<str>; 3]>,
    /// Ids of its name tokens (in `tokens`).
    tokens: Box<[u32]>,
}

#[derive(Default)]
struct Postings {
    /// Token id (names only).
    token: u32,
    /// Slots in (kind, id) order, as the sled keys order them.
    slots: Vec<u32>,
}

#[derive(Default)]
pub struct MemIndex {
    trees: [BTreeMap<Box<[u8]>, Postings>; 4],
    entries: Vec<Option<Entry>>,
    free: Vec<u32>,
    slot_of: HashMap<(Kind, u64), u32>,
    next_token: u32,
}

/// A matched index key: the key's own prefix and the record.
pub struct Found<'a> {
    pub key: &'a [u8],
    pub slot: u32,
    pub kind: Kind,
    pub id: u64,
}

impl MemIndex {
    /// Reads every person, provider and service at once (the service builds in steps).
    #[cfg(test)]
    pub fn build(store: &crate::store::Store) -> Result<MemIndex, crate::store::error::StoreError> {
        let mut m = MemIndex::default();
        for kind in KINDS {
            for r in store.scan(kind, None) {
                m.apply(None, &r?);
            }
        }
        Ok(m)
    }

    /// Applies a committed create (`old` None) or update.
    pub fn apply(&mut self, old: Option<&Record>, record: &Record) {
        if !KINDS.contains(&record.kind()) {
            return;
        }
        // Changes made while the index was being built are replayed afterwards: skip what
        // the build already read, so `old` is always the version held when it is removed.
        let held = self
            .slot_of
            .get(&(record.kind(), record.id()))
            .and_then(|s| self.entries[*s as usize].as_ref())
            .map(|e| e.rev);
        match (held, old) {
            (Some(h), _) if h >= record.meta.rev => return,
            (Some(_), Some(old)) => self.remove(old),
            (Some(_), None) => return,
            (None, _) => {}
        }
        self.insert(record);
    }

    fn order(&self, slot: u32) -> (u8, u64) {
        let e = self.entries[slot as usize]
            .as_ref()
            .expect("postings point at live entries");
        (e.kind.code(), e.id)
    }

    fn insert(&mut self, record: &Record) {
        let (kind, id) = (record.kind(), record.id());
        let h = super::search::hit(record, 0);
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                self.entries.push(None);
                (self.entries.len() - 1) as u32
            }
        };
        self.entries[slot as usize] = Some(Entry {
            kind,
            id,
            rev: record.meta.rev,
            hit: Box::new([h.name.into(), h.ident.into(), h.detail.into()]),
            tokens: Box::new([]),
        });
        self.slot_of.insert((kind, id), slot);
        let mut tokens = Vec::new();
        for (idx, key) in index::entries(record) {
            let Some(t) = tree_no(idx) else { continue };
            let Some((prefix, _, _)) = index::split(&key) else {
                continue;
            };
            let next_token = &mut self.next_token;
            let postings = self.trees[t]
                .entry(prefix.to_vec().into_boxed_slice())
                .or_insert_with(|| {
                    // Only name tokens need ids (for matching several words).
                    let token = if t == 0 {
                        *next_token += 1;
                        *next_token
                    } else {
                        0
                    };
                    Postings {
                        token,
                        slots: Vec::new(),
                    }
                });
            if idx == Index::Name {
                tokens.push(postings.token);
            }
            let mut slots = std::mem::take(&mut postings.slots);
            let at = slots.partition_point(|s| self.order(*s) < (kind.code(), id));
            slots.insert(at, slot);
            self.trees[t].get_mut(prefix).expect("just inserted").slots = slots;
        }
        if let Some(e) = self.entries[slot as usize].as_mut() {
            e.tokens = tokens.into_boxed_slice();
        }
    }

    /// Takes a record out by the keys it was indexed under.
    fn remove(&mut self, old: &Record) {
        let Some(slot) = self.slot_of.remove(&(old.kind(), old.id())) else {
            return;
        };
        for (idx, key) in index::entries(old) {
            let Some(t) = tree_no(idx) else { continue };
            let Some((prefix, _, _)) = index::split(&key) else {
                continue;
            };
            if let Some(p) = self.trees[t].get_mut(prefix) {
                p.slots.retain(|s| *s != slot);
                if p.slots.is_empty() {
                    self.trees[t].remove(prefix);
                }
            }
        }
        self.entries[slot as usize] = None;
        self.free.push(slot);
    }

    /// Keys of `index` that start with `prefix`, in key order; a prefix ending in 0 (the key
    /// separator, as `index::exact` builds it) matches that key only. Same order as sled's scan.
    pub fn scan<'a>(
        &'a self,
        index: Index,
        prefix: &'a [u8],
    ) -> impl Iterator<Item = Found<'a>> + 'a {
        let tree = tree_no(index).map(|t| &self.trees[t]);
        let (prefix, exact) = match prefix.split_last() {
            Some((0, p)) => (p, true),
            _ => (prefix, false),
        };
        tree.into_iter()
            .flat_map(move |t| {
                t.range::<[u8], _>((Bound::Included(prefix), Bound::Unbounded))
                    .take_while(move |(k, _)| {
                        if exact {
                            k.as_ref() == prefix
                        } else {
                            k.starts_with(prefix)
                        }
                    })
            })
            .flat_map(move |(k, p)| {
                p.slots.iter().map(move |s| {
                    let e = self.entries[*s as usize].as_ref().expect("live entry");
                    Found {
                        key: k,
                        slot: *s,
                        kind: e.kind,
                        id: e.id,
                    }
                })
            })
    }

    /// Name tokens matching a query word: (token id, exact), and how many records they hold.
    pub fn word(&self, word: &str) -> (Vec<(u32, bool)>, usize) {
        let tree = &self.trees[0];
        let w = word.as_bytes();
        let mut out = Vec::new();
        let mut total = 0;
        for (k, p) in tree
            .range::<[u8], _>((Bound::Included(w), Bound::Unbounded))
            .take_while(|(k, _)| k.starts_with(w))
        {
            out.push((p.token, k.as_ref() == w));
            total += p.slots.len();
        }
        (out, total)
    }

    /// The name token ids of the record in `slot`.
    pub fn tokens(&self, slot: u32) -> &[u32] {
        self.entries[slot as usize]
            .as_ref()
            .map(|e| &e.tokens[..])
            .unwrap_or(&[])
    }

    /// One past the largest name token id.
    pub fn token_count(&self) -> usize {
        self.next_token as usize + 1
    }

    /// The ready summary of a record, as a hit.
    pub fn hit(&self, kind: Kind, id: u64, score: u32) -> Option<Hit> {
        let e = self.entries[*self.slot_of.get(&(kind, id))? as usize].as_ref()?;
        Some(Hit {
            kind,
            id,
            name: e.hit[0].to_string(),
            ident: e.hit[1].to_string(),
            detail: e.hit[2].to_string(),
            score,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::record::Body;
    use crate::domain::search_key::search_tokens;
    use crate::service::{search::search, system_clock, ApiExt, Service};
    use std::sync::Arc;

    const LOGIN: &str = "tester";

    fn demo() -> (tempfile::TempDir, Arc<Service>) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        crate::demo::build(&db, LOGIN, "Тест", 400, system_clock()).unwrap();
        let svc = Service::open(&db, system_clock()).unwrap();
        (dir, svc)
    }

    fn wait_ready(svc: &Service) {
        while !svc.search_index_ready() {
            std::thread::yield_now();
        }
    }

    const ONE_WORD: &[&str] = &[
        "петрова",
        "petrova",
        "PETROVA",
        "пет",
        "pet",
        "иван",
        "ivan",
        "Иван",
        "z",
        "я",
        "0888",
        "+359 88",
        "088",
        "1234",
        "5",
        "85",
        "8501",
        "ЗД-2026",
        "zd 2026",
        "СП-2026-0001",
        "2026-00012",
        "примерово",
        "дневен",
        "ц",
        "",
    ];
    const WORDS: &[&str] = &[
        "иван петров",
        "ivan petrov",
        "мария иванова",
        "м и",
        "gin hr pet",
        "петрова гинка",
        "а б в",
        "дневен център",
    ];

    #[test]
    fn memory_and_sled_give_the_same_answers() {
        let (_d, svc) = demo();
        let store = svc.store();
        let idx = MemIndex::build(store).unwrap();
        for q in ONE_WORD {
            for limit in [1, 20, 200] {
                let mem = search(store, Some(&idx), q, limit).unwrap();
                let sled = search(store, None, q, limit).unwrap();
                assert_eq!(mem, sled, "query {q:?} limit {limit}");
            }
        }
        for q in WORDS {
            let words = search_tokens(q);
            let mem = search(store, Some(&idx), q, 200).unwrap();
            let sled = search(store, None, q, 200).unwrap();
            for h in &mem {
                let tokens = search_tokens(&h.name);
                assert!(
                    words
                        .iter()
                        .all(|w| tokens.iter().any(|t| t.starts_with(w.as_str()))),
                    "{q:?} found {}",
                    h.name
                );
            }
            let ids = |v: &[Hit]| {
                let mut x: Vec<u64> = v.iter().map(|h| h.id).collect();
                x.sort();
                x
            };
            // Both find every match when there are fewer than the limit.
            if sled.len() < 50 {
                assert_eq!(ids(&mem), ids(&sled), "{q:?}");
            }
        }
    }

    #[test]
    fn changes_reach_the_memory_index() {
        let (_d, svc) = demo();
        wait_ready(&svc);
        let s = svc.session(LOGIN).unwrap();
        let hit = s.search("petrova", 1).unwrap().remove(0);
        let rec = s.get(Kind::Person, hit.id).unwrap();
        let Body::Person(mut p) = rec.body.clone() else {
            panic!("a person")
        };
        let old_ident = p.ident.as_str().unwrap().to_string();
        p.last_name = "Зюмбюлева".into();
        s.update(rec.id(), rec.meta.rev, Body::Person(p)).unwrap();
        let found = s.search("zyumbyuleva", 10).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].id, hit.id);
        assert!(found[0].name.ends_with("Зюмбюлева"));
        // The ЕГН still leads to it, once.
        let by_ident = s.search(&old_ident, 10).unwrap();
        assert_eq!(by_ident.iter().filter(|h| h.id == hit.id).count(), 1);
        // The old surname no longer does (unless another word of the name has it).
        let old: Vec<_> = s.search(&hit.name, 50).unwrap();
        assert!(old
            .iter()
            .all(|h| h.id != hit.id || h.name.contains("Зюмбюлева")));
    }

    #[test]
    fn changes_made_during_the_build_are_not_lost() {
        let (_d, svc) = demo();
        // Whether or not the build has finished, the change must be found.
        let s = svc.session(LOGIN).unwrap();
        let hit = s.search("ivan", 1).unwrap().remove(0);
        let rec = s.get(Kind::Person, hit.id).unwrap();
        let Body::Person(mut p) = rec.body.clone() else {
            panic!("a person")
        };
        p.first_name = "Евлампия".into();
        s.update(rec.id(), rec.meta.rev, Body::Person(p)).unwrap();
        wait_ready(&svc);
        let found = s.search("евлампия", 10).unwrap();
        assert_eq!(found.iter().map(|h| h.id).collect::<Vec<_>>(), vec![hit.id]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn random_queries_agree_with_sled(q in "[а-яa-z0-9 +\\-]{0,12}") {
            static DB: std::sync::OnceLock<(tempfile::TempDir, Arc<Service>, MemIndex)> =
                std::sync::OnceLock::new();
            let (_, svc, idx) = DB.get_or_init(|| {
                let (d, svc) = demo();
                let idx = MemIndex::build(svc.store()).unwrap();
                (d, svc, idx)
            });
            let mem = search(svc.store(), Some(idx), &q, 20).unwrap();
            if search_tokens(&q).len() <= 1 {
                let sled = search(svc.store(), None, &q, 20).unwrap();
                proptest::prop_assert_eq!(mem, sled);
            }
        }
    }
}
