//! Reads for housekeeping: the meta tree by prefix (create request ids) and every clerk's
//! drafts (expiry).

use super::{codec, error::StoreError, schema, Store, Target};
use crate::domain::draft::Draft;

impl Store {
    /// Meta entries whose key starts with `prefix`, in key order.
    pub fn meta_scan(
        &self,
        prefix: &[u8],
    ) -> impl Iterator<Item = Result<(Vec<u8>, Vec<u8>), StoreError>> + '_ {
        self.tree(Target::Meta).scan_prefix(prefix).map(|item| {
            item.map(|(k, v)| (k.to_vec(), v.to_vec()))
                .map_err(Into::into)
        })
    }

    /// Every clerk's drafts as (login, draft); a draft that does not decode is skipped (it is
    /// reported by `check`, and expiry must not stop on it).
    pub fn every_draft(&self) -> Result<Vec<(String, Draft)>, StoreError> {
        let mut out = Vec::new();
        for item in self.tree(Target::Drafts).iter() {
            let (k, v) = item?;
            let Some(zero) = k.iter().position(|b| *b == 0) else {
                continue;
            };
            let login = String::from_utf8_lossy(&k[..zero]).into_owned();
            if let Ok(d) = codec::decode::<Draft>(schema::DRAFT_CODE, schema::DRAFT_VERSION, &v) {
                out.push((login, d));
            }
        }
        Ok(out)
    }
}
