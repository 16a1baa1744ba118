//! Store errors, each with a message that names the way out.

use super::codec::CodecError;
use crate::domain::{Explain, Lang};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {dir} is in use by another process")]
    Locked { dir: PathBuf },
    #[error("no database at {dir}")]
    NotFound { dir: PathBuf },
    #[error("{dir} is not a frontoffice database")]
    Foreign { dir: PathBuf },
    #[error("database schema {found} is newer than this program knows ({known})")]
    NewerSchema { found: u32, known: u32 },
    #[error("damaged value in {tree} (key {key}): {err}")]
    Codec {
        tree: String,
        key: String,
        err: CodecError,
    },
    #[error("storage error: {0}")]
    Sled(String),
    #[error("disk error: {0}")]
    Io(String),
    /// A flush or fsync failed: saves are stopped for good in this process.
    #[error("saves are stopped: a flush or fsync failed ({why})")]
    ReadOnly { why: String },
}

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> Self {
        match e {
            sled::Error::Io(io) => StoreError::Io(io.to_string()),
            other => StoreError::Sled(other.to_string()),
        }
    }
}

impl From<std::io::Error> for StoreError {
    fn from(e: std::io::Error) -> Self {
        StoreError::Io(e.to_string())
    }
}

impl Explain for StoreError {
    fn explain(&self, lang: Lang) -> String {
        match (self, lang) {
            (StoreError::Locked { dir }, Lang::Bg) => format!(
                "Базата {} е отворена от друга програма. Когато повече служители работят едновременно, \
                 стартирайте сървъра (frontoffice serve --db {} --socket ПЪТ) и се свързвайте с \
                 frontoffice --connect ПЪТ.",
                dir.display(),
                dir.display()
            ),
            (StoreError::Locked { dir }, Lang::En) => format!(
                "The database {} is open in another process. For several clerks at once, start the \
                 server (frontoffice serve --db {} --socket PATH) and connect with \
                 frontoffice --connect PATH.",
                dir.display(),
                dir.display()
            ),
            (StoreError::NotFound { dir }, Lang::Bg) => format!(
                "Няма база данни в {}. Създайте нова с frontoffice init --db {} или демонстрационна с \
                 frontoffice demo --db {}.",
                dir.display(),
                dir.display(),
                dir.display()
            ),
            (StoreError::NotFound { dir }, Lang::En) => format!(
                "There is no database at {}. Create one with frontoffice init --db {} or a demo with \
                 frontoffice demo --db {}.",
                dir.display(),
                dir.display(),
                dir.display()
            ),
            (StoreError::Foreign { dir }, Lang::Bg) => format!(
                "{} не е база данни на frontoffice; нищо не е променено. Посочете друга папка.",
                dir.display()
            ),
            (StoreError::Foreign { dir }, Lang::En) => format!(
                "{} is not a frontoffice database; nothing was changed. Choose another directory.",
                dir.display()
            ),
            (StoreError::NewerSchema { found, known }, Lang::Bg) => format!(
                "Базата е от по-нова версия (схема {found}), а тази програма познава до схема {known}. \
                 Обновете frontoffice."
            ),
            (StoreError::NewerSchema { found, known }, Lang::En) => format!(
                "The database is from a newer version (schema {found}); this program knows up to \
                 schema {known}. Update frontoffice."
            ),
            (StoreError::Codec { tree, key, err }, Lang::Bg) => format!(
                "Повреден запис в {tree} ({key}): {err}. Изпълнете frontoffice check и възстановете \
                 от резервно копие."
            ),
            (StoreError::Codec { .. }, Lang::En) => format!(
                "{self}. Run frontoffice check and restore from a backup."
            ),
            (StoreError::Sled(m), Lang::Bg) => format!("Грешка в хранилището: {m}"),
            (StoreError::Io(m), Lang::Bg) => format!(
                "Грешка при запис на диска: {m}. Проверете свободното място и правата; нищо не е \
                 записано наполовина."
            ),
            (StoreError::Sled(_), Lang::En) => self.to_string(),
            // The cause is for the log and the administrator; the clerk needs the way out.
            (StoreError::ReadOnly { .. }, Lang::Bg) => super::READ_ONLY_BG.to_string(),
            (StoreError::ReadOnly { .. }, Lang::En) => super::READ_ONLY_EN.to_string(),
            (StoreError::Io(m), Lang::En) => format!(
                "Disk error: {m}. Check free space and permissions; nothing was half-written."
            ),
        }
    }
}
