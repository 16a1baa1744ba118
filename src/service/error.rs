//! What a service call can answer instead of a result.

use super::access::{describe, Action};
use crate::domain::{clerk::Role, record::Kind, Explain, FieldError, Lang, Record};
use crate::store::error::StoreError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum ServiceError {
    #[error("the role {role:?} may not {action:?}")]
    Forbidden { role: Role, action: Action },
    #[error("{kind:?} {id} not found")]
    NotFound { kind: Kind, id: u64 },
    /// Someone saved the record since the clerk loaded it: here is theirs.
    #[error("record {} changed meanwhile (now at rev {})", .current.meta.id, .current.meta.rev)]
    Conflict { current: Box<Record> },
    #[error("settings changed meanwhile (now at rev {current_rev})")]
    SettingsConflict { current_rev: u64 },
    #[error("invalid: {0:?}")]
    Invalid(Vec<FieldError>),
    #[error("unknown user {login}")]
    UnknownClerk { login: String },
    #[error("clerk account {login} is disabled")]
    Disabled { login: String },
    #[error("{0}")]
    Store(String),
    #[error("bad request: {0}")]
    BadRequest(String),
    /// A flush or fsync failed: this save was not acknowledged and no save is taken any more
    /// (reads still work) until an administrator restarts the service.
    #[error("saves are stopped: the disk refused a write")]
    ReadOnly,
    /// A panic inside the command, caught at the request boundary; the details are in the
    /// server's log under this incident number, never in the answer.
    #[error("internal error (incident {incident})")]
    Internal { incident: u64 },
    /// A create sent again under its request id with other content: the first one was saved
    /// as this record (its answer was lost); the form saves the rest onto it as an update.
    #[error("already created as {kind:?} {id} (rev {rev}) from other content")]
    AlreadyCreated { kind: Kind, id: u64, rev: u64 },
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        if let StoreError::ReadOnly { .. } = e {
            return ServiceError::ReadOnly;
        }
        // Both languages travel: the store's message is explained once, where it happens.
        ServiceError::Store(format!("{}\n{}", e.explain(Lang::Bg), e.explain(Lang::En)))
    }
}

impl Explain for ServiceError {
    fn explain(&self, lang: Lang) -> String {
        match self {
            ServiceError::Forbidden { role, action } => {
                let (role, action) = (role.name(lang), describe(*action, lang));
                match lang {
                    Lang::Bg => format!("Ролята „{role}“ няма право да {action}."),
                    Lang::En => format!("The role '{role}' may not {action}."),
                }
            }
            ServiceError::NotFound { kind, id } => match lang {
                Lang::Bg => format!("Няма {} с номер {id}.", kind.name(lang)),
                Lang::En => format!("There is no {} number {id}.", kind.name(lang)),
            },
            ServiceError::Conflict { current } => match lang {
                Lang::Bg => format!(
                    "Записът е променен от {} след като го отворихте. Презаредете го или запазете \
                     своя вариант, след като видите неговия.",
                    current.meta.by
                ),
                Lang::En => format!(
                    "{} changed this record after you opened it. Reload it, or keep yours after \
                     seeing theirs.",
                    current.meta.by
                ),
            },
            ServiceError::SettingsConflict { .. } => lang
                .pick(
                    "Настройките са променени междувременно; презаредете ги.",
                    "The settings changed meanwhile; reload them.",
                )
                .to_string(),
            ServiceError::Invalid(errors) => errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.reason.explain(lang)))
                .collect::<Vec<_>>()
                .join("; "),
            ServiceError::UnknownClerk { login } => match lang {
                Lang::Bg => format!(
                    "Потребителят {login} не е служител в тази база. Администраторът може да го \
                     добави: frontoffice clerk add {login} --name \"Име\" --role clerk"
                ),
                Lang::En => format!(
                    "The user {login} is not a clerk of this database. An administrator can add \
                     them: frontoffice clerk add {login} --name \"Name\" --role clerk"
                ),
            },
            ServiceError::Disabled { login } => match lang {
                Lang::Bg => format!("Профилът на {login} е спрян. Обърнете се към администратора."),
                Lang::En => format!("The account {login} is disabled. Ask an administrator."),
            },
            ServiceError::Store(m) => {
                // "bg\nen" as built in From<StoreError>.
                let mut parts = m.splitn(2, '\n');
                let bg = parts.next().unwrap_or_default();
                let en = parts.next().unwrap_or(bg);
                lang.pick(bg, en).to_string()
            }
            ServiceError::ReadOnly => lang
                .pick(crate::store::READ_ONLY_BG, crate::store::READ_ONLY_EN)
                .to_string(),
            ServiceError::BadRequest(m) => match lang {
                Lang::Bg => format!("Неправилна заявка: {m}"),
                Lang::En => format!("Bad request: {m}"),
            },
            ServiceError::Internal { incident } => match lang {
                Lang::Bg => format!(
                    "Вътрешна грешка прекъсна действието (случай № {incident}). Презаредете, за \
                     да видите дали е записано, и съобщете на администратора."
                ),
                Lang::En => format!(
                    "An internal error stopped this action (incident {incident}). Reload to see \
                     whether it was saved, and tell the administrator."
                ),
            },
            ServiceError::AlreadyCreated { kind, id, .. } => match lang {
                Lang::Bg => format!(
                    "Първото записване е направило {} № {id}, но отговорът е изгубен; \
                     промените след него не са записани.",
                    kind.name(lang)
                ),
                Lang::En => format!(
                    "The first save made {} no. {id}, but its answer was lost; the changes \
                     since are not saved.",
                    kind.name(lang)
                ),
            },
        }
    }
}
