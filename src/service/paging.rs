//! Every list-like answer is a page bounded in count and in bytes, so that any answer fits in
//! one frame (records with long notes are large): a page ends early when it would pass the
//! byte budget, and callers page on until an empty page.

use serde::Serialize;

/// The largest page a list or search returns.
pub const MAX_PAGE: u32 = 1000;
/// Bytes an answer's items may take, well under the socket's frame limit (8 MiB).
pub const ANSWER_BYTES: usize = 4 * 1024 * 1024;
/// The most records one `CreateMany` may carry.
pub const MAX_BATCH: usize = 1000;

/// Counts what bincode would write.
struct Counter(usize);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub fn encoded_len<T: Serialize>(value: &T) -> usize {
    let mut c = Counter(0);
    let _ = bincode::serde::encode_into_std_write(value, &mut c, bincode::config::standard());
    c.0
}

/// Takes up to `limit` items (at most `MAX_PAGE`) while they fit in `ANSWER_BYTES`; the
/// first item is always taken.
pub fn page<T: Serialize, E>(
    items: impl Iterator<Item = Result<T, E>>,
    limit: u32,
) -> Result<Vec<T>, E> {
    let limit = limit.clamp(1, MAX_PAGE) as usize;
    let mut out = Vec::new();
    let mut bytes = 0;
    for item in items {
        let item = item?;
        bytes += encoded_len(&item);
        if !out.is_empty() && bytes > ANSWER_BYTES {
            break;
        }
        out.push(item);
        if out.len() == limit {
            break;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_stop_at_the_count_or_the_byte_budget() {
        let small = (0..5000u32).map(Ok::<_, ()>);
        assert_eq!(page(small, 10).unwrap().len(), 10);
        assert_eq!(
            page((0..5000u32).map(Ok::<_, ()>), 5000).unwrap().len(),
            1000
        );
        // 100 KiB items: about 40 fit in the budget, whatever the limit.
        let big = (0..100).map(|_| Ok::<_, ()>(vec![1u8; 100 * 1024]));
        let got = page(big, 1000).unwrap();
        assert!(got.len() < 41 && got.len() > 35, "{}", got.len());
        assert!(got.iter().map(encoded_len).sum::<usize>() <= ANSWER_BYTES);
        // One item over the budget still goes (alone): a page is never empty by size.
        let huge = std::iter::once(Ok::<_, ()>(vec![0u8; ANSWER_BYTES + 1]));
        assert_eq!(page(huge, 10).unwrap().len(), 1);
    }
}
