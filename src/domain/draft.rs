//! A form's unsaved state, kept per clerk so that a dropped SSH link, a crash or a kill loses
//! at most a second of typing.

use super::record::Kind;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// The most a draft may hold: a form's text, never a file.
pub const MAX_DRAFT_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// Which form: one draft per form and record ("person/new", "person/1234").
    pub key: String,
    /// The record being edited and the rev it was loaded at; None for a new record.
    pub target: Option<(u64, u64)>,
    /// What the clerk sees in the offer to resume ("Иван Петров").
    pub title: String,
    /// Field name and text as typed.
    pub fields: Vec<(String, String)>,
    pub saved: NaiveDateTime,
}

impl Draft {
    /// The key of a form: one per kind and record ("person/new", "person/1234").
    pub fn key_for(kind: Kind, id: Option<u64>) -> String {
        match id {
            Some(id) => format!("{}/{id}", kind.tree()),
            None => format!("{}/new", kind.tree()),
        }
    }

    /// Whether two drafts hold the same typing (the time saved aside).
    pub fn same_as(&self, other: &Draft) -> bool {
        self.key == other.key && self.target == other.target && self.fields == other.fields
    }

    pub fn size(&self) -> usize {
        self.key.len()
            + self.title.len()
            + self
                .fields
                .iter()
                .map(|(k, v)| k.len() + v.len())
                .sum::<usize>()
    }
}
