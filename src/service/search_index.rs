//! The search index kept in memory: what search needs of persons, providers and services (name
//! tokens, ЕГН/ЛНЧ whole and last four, phone digits, a ready hit summary), so that a query
//! decodes no records. It answers in the same key order as the sled index trees
//! (`prefix ++ 0x00 ++ kind ++ id`), which is what keeps ranking identical to the sled path.

use super::api::Hit;
use crate::domain::{
    record::{Body, Kind, Record},
    search_key::search_tokens,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;

/// Identifiers and phones held inline, NUL-padded: for strings without NUL that orders exactly
/// like the strings themselves (and like the sled keys, whose separator is NUL).
type Short = [u8; 16];

fn short(s: &str) -> Option<Short> {
    let b = s.as_bytes();
    if b.len() > 16 || b.contains(&0) {
        return None;
    }
    let mut out = [0u8; 16];
    out[..b.len()].copy_from_slice(b);
    Some(out)
}

/// Keys of `set` that start with `prefix`, with whether the key is the whole prefix.
fn short_prefix<'a>(
    set: &'a BTreeSet<(Short, u64)>,
    prefix: &'a [u8],
) -> impl Iterator<Item = (Kind, u64, bool)> + 'a {
    let mut start = [0u8; 16];
    let fits = prefix.len() <= 16;
    if fits {
        start[..prefix.len()].copy_from_slice(prefix);
    }
    set.range((start, 0)..)
        .take_while(move |(k, _)| fits && k.starts_with(prefix))
        .map(move |(k, id)| {
            (
                Kind::Person,
                *id,
                k.get(prefix.len()).is_none_or(|&b| b == 0),
            )
        })
}

/// A word's posting keys may number this many times the candidates before testing the
/// candidates one by one (reading their entries, a cache miss each) is cheaper than a bitmap.
const BITMAP_RATIO: usize = 16;

/// A set of slots.
struct Bits(Vec<u64>);

impl Bits {
    fn new(slots: usize) -> Bits {
        Bits(vec![0; slots.div_ceil(64)])
    }

    fn set(&mut self, slot: u32) {
        self.0[slot as usize / 64] |= 1 << (slot % 64);
    }

    fn get(&self, slot: u32) -> bool {
        self.0[slot as usize / 64] & (1 << (slot % 64)) != 0
    }
}

/// How `name_all` proceeds; tests force each way.
#[derive(Clone, Copy)]
struct Plan {
    /// Walk the order word's keys (true) or drive from the most selective word (false); None
    /// chooses by estimated work.
    walk: Option<bool>,
    /// See BITMAP_RATIO.
    ratio: usize,
}

enum Filter {
    /// Slots having the exact token, and slots having another token of the word's range.
    Bits {
        any: Bits,
        exact: Bits,
    },
    Tokens,
}

/// One indexed record.
struct Entry {
    kind: Kind,
    id: u64,
    /// Hit name, masked ident and detail, one allocation.
    text: Box<str>,
    name_end: u32,
    ident_end: u32,
    /// Name token ids, sorted.
    tokens: Box<[u32]>,
    /// ЕГН/ЛНЧ (all zero when none) and phone digits, to undo them on update.
    ident: Short,
    phones: Box<[Short]>,
}

impl Entry {
    fn key(&self) -> (u8, u64) {
        (self.kind.code(), self.id)
    }
}

/// The tokens one query word matches (a prefix range of the sorted distinct tokens).
struct WordSet {
    exact: Option<u32>,
    /// (token id, rank in token order, keys of the range before this token), by token id.
    tids: Vec<(u32, u32, usize)>,
    /// Index keys the word matches (entries of every matching token's posting list).
    keys: usize,
}

impl WordSet {
    fn find(&self, tid: u32) -> Option<(u32, usize)> {
        self.tids
            .binary_search_by_key(&tid, |t| t.0)
            .ok()
            .map(|i| (self.tids[i].1, self.tids[i].2))
    }
}

#[derive(Default)]
pub struct SearchIndex {
    entries: Vec<Entry>,
    slots: HashMap<(Kind, u64), u32>,
    /// Distinct name tokens, sorted, each stored once, to its id.
    tokens: BTreeMap<Box<str>, u32>,
    /// By token id: slots of the records with that token, in (kind, id) order.
    postings: Vec<Vec<u32>>,
    idents: BTreeSet<(Short, u64)>,
    phones: BTreeSet<(Short, u64)>,
    /// Set when a record held something this index cannot represent; search then stays on sled.
    unusable: bool,
}

impl SearchIndex {
    /// The kinds held here, in kind-code order (so that a full build only appends).
    pub fn kinds() -> Vec<Kind> {
        let mut k = vec![Kind::Person, Kind::Provider, Kind::Service];
        k.sort_by_key(|k| k.code());
        k
    }

    pub fn holds(kind: Kind) -> bool {
        matches!(kind, Kind::Person | Kind::Provider | Kind::Service)
    }

    pub fn usable(&self) -> bool {
        !self.unusable
    }

    /// Adds a record or replaces its previous version.
    pub fn apply(&mut self, record: &Record, summary: Hit) {
        if !Self::holds(record.kind()) {
            return;
        }
        let (names, ident, phones): (Vec<String>, Option<&str>, Vec<String>) = match &record.body {
            Body::Person(p) => {
                let mut phones: Vec<String> =
                    p.phones.iter().map(|ph| ph.search_digits()).collect();
                phones.sort();
                phones.dedup();
                (search_tokens(&p.full_name()), p.ident.as_str(), phones)
            }
            Body::Provider(p) => (search_tokens(&p.name), None, Vec::new()),
            Body::Service(s) => (search_tokens(&s.name), None, Vec::new()),
            _ => return,
        };
        let ident = match ident.map(short) {
            Some(Some(s)) => s,
            Some(None) => {
                self.unusable = true;
                return;
            }
            None => [0; 16],
        };
        let mut phone_keys = Vec::with_capacity(phones.len());
        for p in &phones {
            match short(p) {
                Some(s) => phone_keys.push(s),
                None => {
                    self.unusable = true;
                    return;
                }
            }
        }

        let kind = record.kind();
        let id = record.id();
        let slot = match self.slots.get(&(kind, id)) {
            Some(&slot) => {
                self.remove(slot);
                slot
            }
            None => {
                let slot = self.entries.len() as u32;
                self.slots.insert((kind, id), slot);
                self.entries.push(Entry {
                    kind,
                    id,
                    text: Box::from(""),
                    name_end: 0,
                    ident_end: 0,
                    tokens: Box::new([]),
                    ident: [0; 16],
                    phones: Box::new([]),
                });
                slot
            }
        };

        let mut tids: Vec<u32> = names.iter().map(|t| self.token_id(t)).collect();
        tids.sort_unstable();
        tids.dedup();
        let key = (kind.code(), id);
        for &tid in &tids {
            let entries = &self.entries;
            let posting = &mut self.postings[tid as usize];
            // A full build scans in key order: appending is the common case.
            match posting.last() {
                Some(&last) if entries[last as usize].key() >= key => {
                    let at = posting
                        .binary_search_by_key(&key, |&s| entries[s as usize].key())
                        .unwrap_or_else(|i| i);
                    posting.insert(at, slot);
                }
                _ => posting.push(slot),
            }
        }
        if ident != [0; 16] {
            self.idents.insert((ident, id));
        }
        for p in &phone_keys {
            self.phones.insert((*p, id));
        }
        let text = format!("{}{}{}", summary.name, summary.ident, summary.detail);
        let e = &mut self.entries[slot as usize];
        e.name_end = summary.name.len() as u32;
        e.ident_end = (summary.name.len() + summary.ident.len()) as u32;
        e.text = text.into_boxed_str();
        e.tokens = tids.into_boxed_slice();
        e.ident = ident;
        e.phones = phone_keys.into_boxed_slice();
    }

    /// Takes a slot's keys out of every structure (the entry itself stays, to be refilled).
    fn remove(&mut self, slot: u32) {
        let e = &self.entries[slot as usize];
        let key = e.key();
        let id = e.id;
        for &tid in e.tokens.iter() {
            let entries = &self.entries;
            let posting = &mut self.postings[tid as usize];
            if let Ok(at) = posting.binary_search_by_key(&key, |&s| entries[s as usize].key()) {
                posting.remove(at);
            }
        }
        if e.ident != [0; 16] {
            self.idents.remove(&(e.ident, id));
        }
        for p in e.phones.iter() {
            self.phones.remove(&(*p, id));
        }
    }

    fn token_id(&mut self, token: &str) -> u32 {
        if let Some(&tid) = self.tokens.get(token) {
            return tid;
        }
        let tid = self.postings.len() as u32;
        self.tokens.insert(Box::from(token), tid);
        self.postings.push(Vec::new());
        tid
    }

    /// The ready hit of an indexed record.
    pub fn hit(&self, kind: Kind, id: u64, score: u32) -> Option<Hit> {
        let e = &self.entries[*self.slots.get(&(kind, id))? as usize];
        let (n, i) = (e.name_end as usize, e.ident_end as usize);
        Some(Hit {
            kind,
            id,
            name: e.text[..n].to_string(),
            ident: e.text[n..i].to_string(),
            detail: e.text[i..].to_string(),
            score,
        })
    }

    /// ЕГН/ЛНЧ starting with `digits`, in key order, flagged when whole.
    pub fn ident_prefix<'a>(
        &'a self,
        digits: &'a str,
    ) -> impl Iterator<Item = (Kind, u64, bool)> + 'a {
        short_prefix(&self.idents, digits.as_bytes())
    }

    /// Phones (search digits) starting with `digits`, in key order.
    pub fn phone_prefix<'a>(&'a self, digits: &'a str) -> impl Iterator<Item = (Kind, u64)> + 'a {
        short_prefix(&self.phones, digits.as_bytes()).map(|(k, id, _)| (k, id))
    }

    /// Distinct tokens starting with `prefix`, in order, with their ids.
    fn token_range<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a str, u32)> + 'a {
        self.tokens
            .range::<str, _>((Bound::Included(prefix), Bound::Unbounded))
            .take_while(move |(t, _)| t.starts_with(prefix))
            .map(|(t, &tid)| (&**t, tid))
    }

    /// Name keys starting with `word`, in key order, flagged when the token is the whole word.
    pub fn name_prefix<'a>(
        &'a self,
        word: &'a str,
    ) -> impl Iterator<Item = (Kind, u64, bool)> + 'a {
        self.token_range(word).flat_map(move |(t, tid)| {
            let exact = t == word;
            self.postings[tid as usize].iter().map(move |&s| {
                let e = &self.entries[s as usize];
                (e.kind, e.id, exact)
            })
        })
    }

    fn word_set(&self, word: &str) -> WordSet {
        let mut set = WordSet {
            exact: None,
            tids: Vec::new(),
            keys: 0,
        };
        for (rank, (t, tid)) in self.token_range(word).enumerate() {
            if t == word {
                set.exact = Some(tid);
            }
            set.tids.push((tid, rank as u32, set.keys));
            set.keys += self.postings[tid as usize].len();
        }
        set.tids.sort_unstable_by_key(|t| t.0);
        set
    }

    /// How candidates are tested against one word: a bitmap over slots when filling it costs
    /// little next to the candidates to test (no record's entry is touched then), else the
    /// record's token ids.
    fn filter(&self, set: &WordSet, budget: usize) -> Filter {
        if set.keys > budget {
            return Filter::Tokens;
        }
        let mut any = Bits::new(self.entries.len());
        let mut exact = Bits::new(self.entries.len());
        for &(tid, _, _) in &set.tids {
            let bits = if Some(tid) == set.exact {
                &mut exact
            } else {
                &mut any
            };
            for &slot in &self.postings[tid as usize] {
                bits.set(slot);
            }
        }
        Filter::Bits { any, exact }
    }

    /// A record's name score over `words` if each matches one of its tokens (exact or prefix).
    fn score(
        &self,
        slot: u32,
        sets: &[WordSet],
        filters: &[(usize, Filter)],
        exact: u32,
        prefix: u32,
    ) -> Option<u32> {
        let mut score = 0;
        for (word, filter) in filters {
            score += match filter {
                Filter::Bits { any, exact: ex } => {
                    if ex.get(slot) {
                        exact
                    } else if any.get(slot) {
                        prefix
                    } else {
                        return None;
                    }
                }
                Filter::Tokens => {
                    let set = &sets[*word];
                    let tokens = &self.entries[slot as usize].tokens;
                    if set.exact.is_some_and(|e| tokens.binary_search(&e).is_ok()) {
                        exact
                    } else if tokens.iter().any(|&t| set.find(t).is_some()) {
                        prefix
                    } else {
                        return None;
                    }
                }
            };
        }
        Some(score)
    }

    /// Filters for the given words, bitmaps first so that most candidates are refused without
    /// reading their entries.
    fn filters(
        &self,
        sets: &[WordSet],
        words: impl Iterator<Item = usize>,
        budget: usize,
    ) -> Vec<(usize, Filter)> {
        let mut f: Vec<(usize, Filter)> =
            words.map(|i| (i, self.filter(&sets[i], budget))).collect();
        f.sort_by_key(|(_, f)| matches!(f, Filter::Tokens));
        f
    }

    /// Records matching every word, with their scores, in the order the sled path meets them:
    /// the key order of the `order` word (the longest), counting only its first `cap` keys.
    /// `emit` returns false to stop.
    pub fn name_all(
        &self,
        words: &[String],
        order: usize,
        cap: usize,
        (exact, prefix): (u32, u32),
        emit: impl FnMut(Kind, u64, u32) -> bool,
    ) {
        let plan = Plan {
            walk: None,
            ratio: BITMAP_RATIO,
        };
        self.name_all_planned(words, order, cap, (exact, prefix), plan, emit)
    }

    fn name_all_planned(
        &self,
        words: &[String],
        order: usize,
        cap: usize,
        (exact, prefix): (u32, u32),
        plan: Plan,
        mut emit: impl FnMut(Kind, u64, u32) -> bool,
    ) {
        let sets: Vec<WordSet> = words.iter().map(|w| self.word_set(w)).collect();
        let Some(driver) = (0..sets.len()).min_by_key(|&i| sets[i].keys) else {
            return;
        };
        let reach = sets[order].keys.min(cap);
        // Rough work of testing `candidates` against every word but `skip`: filling a bitmap per
        // word, or reading a candidate's entry (a cache miss, BITMAP_RATIO times a bitmap key).
        let work = |candidates: usize, skip: usize| -> usize {
            let words = (0..sets.len()).filter(|&i| i != skip);
            candidates
                + words
                    .map(|i| sets[i].keys.min(candidates.saturating_mul(plan.ratio)))
                    .sum::<usize>()
        };
        let walk = plan.walk.unwrap_or_else(|| {
            driver == order || work(reach, order) <= work(sets[driver].keys, driver)
        });
        if walk {
            // Walk the order word's keys (at most `cap`, sequentially, stopping as soon as the
            // caller has enough). A record is first met under its smallest matching token,
            // which is the exact one if it has it.
            let others = (0..sets.len()).filter(|&i| i != order);
            let filters = self.filters(&sets, others, reach.saturating_mul(plan.ratio));
            let mut seen = Bits::new(self.entries.len());
            let mut taken = 0;
            for (_, tid) in self.token_range(&words[order]) {
                let own = if Some(tid) == sets[order].exact {
                    exact
                } else {
                    prefix
                };
                for &slot in &self.postings[tid as usize] {
                    if taken >= cap {
                        return;
                    }
                    taken += 1;
                    if seen.get(slot) {
                        continue;
                    }
                    seen.set(slot);
                    if let Some(score) = self.score(slot, &sets, &filters, exact, prefix) {
                        let e = &self.entries[slot as usize];
                        if !emit(e.kind, e.id, own + score) {
                            return;
                        }
                    }
                }
            }
            return;
        }
        // A much more selective word drives; survivors are put back into the order word's key
        // order and dropped if the sled path would not have reached them within `cap` keys.
        let mut slots: Vec<u32> = sets[driver]
            .tids
            .iter()
            .flat_map(|&(tid, _, _)| self.postings[tid as usize].iter().copied())
            .collect();
        slots.sort_unstable();
        slots.dedup();
        let filters = self.filters(&sets, 0..sets.len(), slots.len().saturating_mul(plan.ratio));
        let ord = &sets[order];
        let mut found: Vec<((u32, u8, u64), u32)> = Vec::new();
        for slot in slots {
            let Some(score) = self.score(slot, &sets, &filters, exact, prefix) else {
                continue;
            };
            let e = &self.entries[slot as usize];
            // The record's first key under the order word: its smallest matching token.
            let Some((rank, before, tid)) = e
                .tokens
                .iter()
                .filter_map(|&t| ord.find(t).map(|(r, b)| (r, b, t)))
                .min()
            else {
                continue;
            };
            if ord.keys > cap {
                let at = self.postings[tid as usize]
                    .binary_search_by_key(&e.key(), |&s| self.entries[s as usize].key())
                    .unwrap_or(0);
                if before + at >= cap {
                    continue;
                }
            }
            found.push(((rank, e.kind.code(), e.id), score));
        }
        found.sort_unstable_by_key(|f| f.0);
        for ((_, code, id), score) in found {
            let kind = Kind::from_code(code).unwrap_or(Kind::Person);
            if !emit(kind, id, score) {
                return;
            }
        }
    }

    /// Approximate heap and inline bytes held.
    pub fn approx_bytes(&self) -> usize {
        use std::mem::size_of;
        let entries: usize = self.entries.capacity() * size_of::<Entry>()
            + self
                .entries
                .iter()
                .map(|e| e.text.len() + e.tokens.len() * 4 + e.phones.len() * 16)
                .sum::<usize>();
        // Hash map: entry plus a control byte, at 7/8 load at most.
        let slots = self.slots.capacity() * (size_of::<((Kind, u64), u32)>() + 1);
        let tokens: usize = self.tokens.keys().map(|t| t.len() + 16 + 4 + 8).sum();
        let postings: usize = self.postings.capacity() * size_of::<Vec<u32>>()
            + self
                .postings
                .iter()
                .map(|p| p.capacity() * 4)
                .sum::<usize>();
        // B-tree leaves hold 11 elements and are on average about 3/4 full.
        let tree = |n: usize, elem: usize| n * elem * 4 / 3;
        let sets = tree(self.idents.len(), size_of::<(Short, u64)>())
            + tree(self.phones.len(), size_of::<(Short, u64)>());
        entries + slots + tokens + postings + sets
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        person::Person,
        record::{Meta, Record},
    };
    use proptest::prelude::*;

    const NAMES: &[&str] = &[
        "Иван",
        "Ивана",
        "Иванов",
        "Иванова",
        "Ивайло",
        "Петър",
        "Петров",
        "Петрова",
        "Пенка",
        "Мария",
        "Марин",
        "Маринов",
        "Георги",
        "Георгиев",
        "Йордан",
        "Цветан",
        "Цветкова",
    ];

    fn person(id: u64, first: &str, middle: &str, last: &str) -> Record {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        Record {
            meta: Meta {
                id,
                rev: 1,
                created: at,
                updated: at,
                by: "t".into(),
            },
            body: Body::Person(Person {
                first_name: first.into(),
                middle_name: middle.into(),
                last_name: last.into(),
                ..Person::default()
            }),
        }
    }

    fn hit0(r: &Record) -> Hit {
        Hit {
            kind: r.kind(),
            id: r.id(),
            name: String::new(),
            ident: String::new(),
            detail: String::new(),
            score: 0,
        }
    }

    /// What the sled path does: walk the order word's first `cap` keys, keep full matches.
    fn reference(
        records: &[Record],
        words: &[String],
        order: usize,
        cap: usize,
    ) -> Vec<(u64, u32)> {
        let mut keys: Vec<(String, u64)> = Vec::new();
        for r in records {
            let Body::Person(p) = &r.body else { continue };
            for t in search_tokens(&p.full_name()) {
                if t.starts_with(words[order].as_str()) {
                    keys.push((t, r.id()));
                }
            }
        }
        keys.sort();
        let mut out: Vec<(u64, u32)> = Vec::new();
        for (_, id) in keys.into_iter().take(cap) {
            if out.iter().any(|o| o.0 == id) {
                continue;
            }
            let r = records.iter().find(|r| r.id() == id).unwrap();
            let Body::Person(p) = &r.body else { continue };
            let tokens = search_tokens(&p.full_name());
            let mut score = 0;
            let all = words.iter().all(|w| {
                if tokens.iter().any(|t| t == w) {
                    score += 3;
                    true
                } else if tokens.iter().any(|t| t.starts_with(w.as_str())) {
                    score += 1;
                    true
                } else {
                    false
                }
            });
            if all {
                out.push((id, score));
            }
        }
        out
    }

    proptest! {
        #[test]
        fn name_all_meets_candidates_as_the_trees_do(
            people in prop::collection::vec((0..NAMES.len(), 0..NAMES.len(), 0..NAMES.len()), 1..60),
            renames in prop::collection::vec((0..60usize, 0..NAMES.len()), 0..10),
            query in prop::collection::vec((0..NAMES.len(), 1..8usize), 2..4),
            cap in prop_oneof![1..40usize, Just(usize::MAX)],
        ) {
            let mut records: Vec<Record> = people
                .iter()
                .enumerate()
                .map(|(i, &(a, b, c))| person(1000 - 7 * i as u64, NAMES[a], NAMES[b], NAMES[c]))
                .collect();
            let mut index = SearchIndex::default();
            for r in &records {
                index.apply(r, hit0(r));
            }
            // Updates move records between posting lists.
            for (i, n) in renames {
                let i = i % records.len();
                if let Body::Person(p) = &mut records[i].body {
                    p.last_name = NAMES[n].into();
                }
                index.apply(&records[i], hit0(&records[i]));
            }
            let mut words: Vec<String> = Vec::new();
            for (n, len) in query {
                let w: String = NAMES[n].chars().take(len).collect();
                let k = crate::domain::search_key::search_key(&w);
                if !words.contains(&k) {
                    words.push(k);
                }
            }
            let order = words.iter().enumerate().max_by_key(|(_, w)| w.len()).unwrap().0;
            let want = reference(&records, &words, order, cap);
            let mut got = Vec::new();
            index.name_all(&words, order, cap, (3, 1), |_, id, score| {
                got.push((id, score));
                true
            });
            prop_assert_eq!(&got, &want);
            for walk in [true, false] {
                for ratio in [0, 1, usize::MAX] {
                    let mut got = Vec::new();
                    let plan = Plan { walk: Some(walk), ratio };
                    index.name_all_planned(&words, order, cap, (3, 1), plan, |_, id, score| {
                        got.push((id, score));
                        true
                    });
                    prop_assert_eq!(&got, &want, "walk {}, ratio {}", walk, ratio);
                }
            }
        }
    }
}
