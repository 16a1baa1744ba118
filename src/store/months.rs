//! Closed months: one value per month in the meta tree, under "month\0" and the month's year
//! and number (big-endian, so they sort by date). Closing puts it, reopening removes it; the
//! audit log keeps who did either, when and why. A value is an envelope like any stored value
//! (`schema::MONTH_CLOSING_CODE`, version 1): a changed `MonthClosing` is a new version.

use super::{codec, error::StoreError, schema, Store, Target, WriteSet};
use crate::domain::{date::Month, monthly::MonthClosing};

const PREFIX: &[u8] = b"month\0";

fn key(month: Month) -> Vec<u8> {
    let mut k = PREFIX.to_vec();
    k.extend_from_slice(&month.year.to_be_bytes());
    k.push(month.month as u8);
    k
}

fn decode(key: &[u8], bytes: &[u8]) -> Result<MonthClosing, StoreError> {
    codec::decode(
        schema::MONTH_CLOSING_CODE,
        schema::MONTH_CLOSING_VERSION,
        bytes,
    )
    .map_err(|err| StoreError::Codec {
        tree: "meta".into(),
        key: String::from_utf8_lossy(key).into_owned(),
        err,
    })
}

/// The stored bytes of a closing (the golden test fixes them).
pub fn encode_closing(c: &MonthClosing) -> Result<Vec<u8>, codec::CodecError> {
    codec::encode(schema::MONTH_CLOSING_CODE, schema::MONTH_CLOSING_VERSION, c)
}

pub fn decode_closing(bytes: &[u8]) -> Result<MonthClosing, StoreError> {
    decode(b"closing", bytes)
}

impl Store {
    /// The month's closing, if it is closed.
    pub fn closing(&self, month: Month) -> Result<Option<MonthClosing>, StoreError> {
        let k = key(month);
        self.meta_get(&k)?.map(|v| decode(&k, &v)).transpose()
    }

    /// Whether any month is closed.
    pub fn has_closings(&self) -> Result<bool, StoreError> {
        Ok(self.meta_scan(PREFIX).next().transpose()?.is_some())
    }

    /// Every closed month, oldest first.
    pub fn closings(&self) -> Result<Vec<MonthClosing>, StoreError> {
        self.meta_scan(PREFIX)
            .map(|item| item.and_then(|(k, v)| decode(&k, &v)))
            .collect()
    }

    pub fn put_closing(ws: &mut WriteSet, c: &MonthClosing) -> Result<(), StoreError> {
        let bytes = encode_closing(c).map_err(|err| StoreError::Codec {
            tree: "meta".into(),
            key: c.month.to_string(),
            err,
        })?;
        ws.put(Target::Meta, key(c.month), bytes);
        Ok(())
    }

    pub fn remove_closing(ws: &mut WriteSet, month: Month) {
        ws.remove(Target::Meta, key(month));
    }
}
