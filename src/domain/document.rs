//! The documents the office prints for signing, and what the service hands out to fill one.

use super::{
    record::{Kind, Record},
    Lang,
};
use serde::{Deserialize, Serialize};

/// The documents to sign. Codes travel on the wire: append only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DocKind {
    /// The three-party agreement on personal assistance (споразумение).
    Agreement,
    /// The assistant's employment contract (трудов договор).
    Contract,
    /// The referral to a social service under ЗСУ (направление).
    Referral,
}

impl DocKind {
    pub const ALL: [DocKind; 3] = [DocKind::Agreement, DocKind::Contract, DocKind::Referral];

    /// The record a document is made from.
    pub fn kind(self) -> Kind {
        match self {
            DocKind::Agreement => Kind::Agreement,
            DocKind::Contract => Kind::Contract,
            DocKind::Referral => Kind::Referral,
        }
    }

    /// The name on the command line, of the template file and of the written PDF.
    pub fn code(self) -> &'static str {
        match self {
            DocKind::Agreement => "agreement",
            DocKind::Contract => "contract",
            DocKind::Referral => "referral",
        }
    }

    pub fn parse(s: &str) -> Option<DocKind> {
        DocKind::ALL.into_iter().find(|k| k.code() == s.trim())
    }

    pub fn name(self, lang: Lang) -> &'static str {
        self.kind().name(lang)
    }
}

/// Everything one document names, as stored: the record it is made from and the records it
/// refers to (persons with their identifiers in full). Only the audited `Document` request
/// hands this out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentRecords {
    pub kind: DocKind,
    pub main: Record,
    /// The persons, assistants, provider, service, направление and agreement it names.
    pub related: Vec<Record>,
}

impl DocumentRecords {
    pub fn find(&self, id: u64) -> Option<&Record> {
        self.related.iter().find(|r| r.id() == id)
    }
}
