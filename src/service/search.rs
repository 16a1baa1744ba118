//! Search as the clerk types: name word prefixes in either script, ЕГН/ЛНЧ (whole, or its
//! first six digits: the birth date), phones in any format, register and agreement numbers. Served from the in-memory index
//! once it is built (no record decoded, see `search_index`), until then from the index trees: a
//! query reads index keys in order and decodes only the records it returns (or, for several
//! words, a bounded number of candidates), never a scan of the records. Both paths meet keys in
//! the same order and score them alike, so they return the same hits.

use super::{api::Hit, search_index::SearchIndex};
use crate::domain::{
    date::format_date,
    phone::phone_search_digits,
    record::{Body, Kind, Record},
    search_key::search_tokens,
};
use crate::store::{error::StoreError, index, index::Index, Store};
use std::collections::HashMap;

/// Candidates read for a query of several words before giving up on finding more.
const CANDIDATES: usize = 2000;

const EXACT_IDENT: u32 = 100;
const NUMBER: u32 = 80;
const IDENT_PREFIX: u32 = 60;
/// The birth date's digits at the start of an ЕГН.
const IDENT_DATE_DIGITS: usize = 6;
const IDENT_DIGITS: usize = 10;
const PHONE: u32 = 40;
const NAME_EXACT: u32 = 3;
const NAME_PREFIX: u32 = 1;

/// Collects the best score per record, in first-seen order.
#[derive(Default)]
struct Scores {
    order: Vec<(Kind, u64)>,
    best: HashMap<(Kind, u64), u32>,
}

impl Scores {
    fn add(&mut self, kind: Kind, id: u64, score: u32) {
        match self.best.get_mut(&(kind, id)) {
            Some(s) => *s = (*s).max(score),
            None => {
                self.order.push((kind, id));
                self.best.insert((kind, id), score);
            }
        }
    }

    fn len(&self) -> usize {
        self.order.len()
    }
}

fn scan_into(
    store: &Store,
    scores: &mut Scores,
    index: Index,
    prefix: &[u8],
    score: u32,
    exact_bonus: u32,
    limit: usize,
) -> Result<(), StoreError> {
    let exact = index::exact(prefix);
    let mut taken = 0;
    for item in store.index_scan_keys(index, prefix) {
        let key = item?;
        let key = key.as_ref();
        let Some((_, kind, id)) = index::split(key) else {
            continue;
        };
        let bonus = if key.starts_with(&exact) {
            exact_bonus
        } else {
            0
        };
        scores.add(kind, id, score + bonus);
        taken += 1;
        if taken >= limit {
            break;
        }
    }
    Ok(())
}

/// Adds the first `limit` keys an in-memory scan yields, as `scan_into` does for a tree.
fn add_keys(
    scores: &mut Scores,
    keys: impl Iterator<Item = (Kind, u64, bool)>,
    score: u32,
    exact_bonus: u32,
    limit: usize,
) {
    for (kind, id, exact) in keys.take(limit) {
        scores.add(kind, id, score + if exact { exact_bonus } else { 0 });
    }
}

/// The hit a record shows in a result list.
pub(super) fn hit(record: &Record, score: u32) -> Hit {
    let (name, ident, detail) = match &record.body {
        Body::Person(p) => (
            p.full_name(),
            p.ident.masked(),
            p.birth_date.map(format_date).unwrap_or_default(),
        ),
        Body::Provider(p) => (p.name.clone(), String::new(), p.eik.as_str().to_string()),
        Body::Service(s) => (s.name.clone(), String::new(), String::new()),
        Body::Intake(i) => (i.reg_no.clone(), String::new(), format_date(i.at.date())),
        Body::Application(a) => (a.reg_no.clone(), String::new(), format_date(a.date)),
        Body::Agreement(a) => (a.number.clone(), String::new(), format_date(a.from)),
        Body::Contract(c) => (c.number.clone(), String::new(), format_date(c.start)),
        Body::DspDecision(d) => (d.number.clone(), String::new(), format_date(d.date)),
        _ => (String::new(), String::new(), String::new()),
    };
    Hit {
        kind: record.kind(),
        id: record.id(),
        name,
        ident,
        detail,
        score,
    }
}

/// Name tokens of a record, as the name index has them.
fn tokens_of(record: &Record) -> Vec<String> {
    match &record.body {
        Body::Person(p) => search_tokens(&p.full_name()),
        Body::Provider(p) => search_tokens(&p.name),
        Body::Service(s) => search_tokens(&s.name),
        _ => Vec::new(),
    }
}

/// Searches with the in-memory index when given one, else with the index trees.
pub fn search(
    store: &Store,
    mem: Option<&SearchIndex>,
    query: &str,
    limit: usize,
) -> Result<Vec<Hit>, StoreError> {
    let query = query.trim();
    if query.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let mut scores = Scores::default();
    let digits: String = query.chars().filter(|c| c.is_ascii_digit()).collect();
    let has_letters = query.chars().any(|c| c.is_alphabetic());
    let numeric = !has_letters && !digits.is_empty();

    if numeric {
        // An ЕГН is the birth date (which hits show) and four digits: its first six digits
        // find the date, the whole number finds its person, and nothing between, so no answer
        // tells a clerk a digit of the number they did not type (a ЛНЧ alike).
        if digits.len() <= IDENT_DATE_DIGITS || digits.len() == IDENT_DIGITS {
            let bonus = EXACT_IDENT - IDENT_PREFIX;
            match mem {
                Some(m) => add_keys(
                    &mut scores,
                    m.ident_prefix(&digits),
                    IDENT_PREFIX,
                    bonus,
                    limit,
                ),
                None => scan_into(
                    store,
                    &mut scores,
                    Index::Ident,
                    digits.as_bytes(),
                    IDENT_PREFIX,
                    bonus,
                    limit,
                )?,
            }
        }
        let phone = phone_search_digits(query);
        if phone.len() >= 3 {
            match mem {
                Some(m) => add_keys(
                    &mut scores,
                    m.phone_prefix(&phone).map(|(k, id)| (k, id, false)),
                    PHONE,
                    0,
                    limit,
                ),
                None => scan_into(
                    store,
                    &mut scores,
                    Index::Phone,
                    phone.as_bytes(),
                    PHONE,
                    0,
                    limit,
                )?,
            }
        }
    }
    // Register numbers mix letters and digits ("ЗД-2026-0007") or are digits with dashes. Few
    // records: they stay on the tree in both paths.
    if !digits.is_empty() {
        let key = index::number_key(query);
        if !key.is_empty() {
            scan_into(
                store,
                &mut scores,
                Index::Number,
                key.as_bytes(),
                NUMBER,
                0,
                limit,
            )?;
        }
    }
    if has_letters {
        name_search(store, mem, query, limit, &mut scores)?;
    }

    let mut ranked: Vec<((Kind, u64), u32)> =
        scores.order.iter().map(|k| (*k, scores.best[k])).collect();
    // Stable: equal scores keep index order (alphabetical by the matched key).
    ranked.sort_by_key(|r| std::cmp::Reverse(r.1));
    let mut hits = Vec::with_capacity(limit.min(ranked.len()));
    for ((kind, id), score) in ranked.into_iter().take(limit) {
        if let Some(h) = mem.and_then(|m| m.hit(kind, id, score)) {
            hits.push(h);
        } else if let Some(r) = store.get(kind, id)? {
            hits.push(hit(&r, score));
        }
    }
    Ok(hits)
}

fn name_search(
    store: &Store,
    mem: Option<&SearchIndex>,
    query: &str,
    limit: usize,
    scores: &mut Scores,
) -> Result<(), StoreError> {
    let words: Vec<String> = search_tokens(query)
        .into_iter()
        .filter(|w| w.chars().any(|c| c.is_alphabetic()))
        .collect();
    let Some(driver) = words.iter().max_by_key(|w| w.len()) else {
        return Ok(());
    };
    if words.len() == 1 {
        // One word: the index order is the answer (exact words first, then by spelling).
        if let Some(m) = mem {
            add_keys(
                scores,
                m.name_prefix(driver),
                NAME_PREFIX,
                NAME_EXACT - NAME_PREFIX,
                limit,
            );
            return Ok(());
        }
        return scan_into(
            store,
            scores,
            Index::Name,
            driver.as_bytes(),
            NAME_PREFIX,
            NAME_EXACT - NAME_PREFIX,
            limit,
        );
    }
    if let Some(m) = mem {
        // Same candidates, order and cut-offs as below, without decoding a record.
        let order = words
            .iter()
            .enumerate()
            .max_by_key(|(_, w)| w.len())
            .map_or(0, |(i, _)| i);
        m.name_all(
            &words,
            order,
            CANDIDATES,
            (NAME_EXACT, NAME_PREFIX),
            |kind, id, score| {
                scores.add(kind, id, score);
                scores.len() < limit * 4
            },
        );
        return Ok(());
    }
    // Several words: read candidates for the longest word, keep those whose other words match.
    let mut candidates = Scores::default();
    scan_into(
        store,
        &mut candidates,
        Index::Name,
        driver.as_bytes(),
        0,
        0,
        CANDIDATES,
    )?;
    for (kind, id) in candidates.order {
        let Some(record) = store.get(kind, id)? else {
            continue;
        };
        let tokens = tokens_of(&record);
        let mut score = 0;
        let all = words.iter().all(|w| {
            if tokens.iter().any(|t| t == w) {
                score += NAME_EXACT;
                true
            } else if tokens.iter().any(|t| t.starts_with(w.as_str())) {
                score += NAME_PREFIX;
                true
            } else {
                false
            }
        });
        if all {
            scores.add(kind, id, score);
            if scores.len() >= limit * 4 {
                break;
            }
        }
    }
    Ok(())
}
