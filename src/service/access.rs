//! Who may do what. Checked in the service, so a console or a socket client cannot get around it.

use crate::domain::{clerk::Role, record::Kind, Lang};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Action {
    Read,
    Write(Kind),
    /// Show an identifier in full or open a person's full card (audited).
    Reveal,
    ReadAudit,
    ManageClerks,
    ManageSettings,
    Check,
    Export,
    /// Write a snapshot of the whole database and read it back (administrators only).
    Backup,
    /// Close a month after its data went to АСП, or reopen it (supervisors and administrators).
    CloseMonth,
}

pub fn allowed(role: Role, action: Action) -> bool {
    use Action::*;
    match role {
        Role::Admin => true,
        Role::Supervisor => !matches!(
            action,
            ManageClerks | ManageSettings | Write(Kind::Clerk) | Backup
        ),
        Role::Clerk => {
            matches!(action, Read | Reveal) || matches!(action, Write(k) if k != Kind::Clerk)
        }
        Role::Auditor => matches!(action, Read | Reveal | ReadAudit | Check | Export),
    }
}

/// The action in words, for the refusal message.
pub fn describe(action: Action, lang: Lang) -> String {
    use Action::*;
    match action {
        Read => lang.pick("чете записи", "read records").into(),
        Write(k) => match lang {
            Lang::Bg => format!("записва „{}“", k.name(lang)),
            Lang::En => format!("save a {}", k.name(lang)),
        },
        Reveal => lang.pick("вижда пълни ЕГН", "see full identifiers").into(),
        ReadAudit => lang
            .pick("чете одитния журнал", "read the audit log")
            .into(),
        ManageClerks => lang.pick("управлява служителите", "manage clerks").into(),
        ManageSettings => lang
            .pick("променя настройките", "change the settings")
            .into(),
        Check => lang.pick("проверява базата", "check the database").into(),
        Export => lang.pick("изнася данни", "export data").into(),
        Backup => lang.pick("прави резервни копия", "make backups").into(),
        CloseMonth => lang
            .pick("приключва и отваря месеци", "close and reopen months")
            .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix() {
        let cases = [
            (Role::Admin, Action::ManageClerks, true),
            (Role::Supervisor, Action::ManageClerks, false),
            (Role::Supervisor, Action::ReadAudit, true),
            (Role::Supervisor, Action::Write(Kind::Agreement), true),
            (Role::Clerk, Action::Write(Kind::Person), true),
            (Role::Clerk, Action::Write(Kind::Clerk), false),
            (Role::Clerk, Action::ReadAudit, false),
            (Role::Clerk, Action::ManageSettings, false),
            (Role::Auditor, Action::Write(Kind::Person), false),
            (Role::Auditor, Action::ReadAudit, true),
            (Role::Auditor, Action::Read, true),
            (Role::Admin, Action::Backup, true),
            (Role::Supervisor, Action::Backup, false),
            (Role::Clerk, Action::Backup, false),
            (Role::Auditor, Action::Backup, false),
            (Role::Supervisor, Action::Export, true),
            (Role::Auditor, Action::Export, true),
            (Role::Clerk, Action::Export, false),
            (Role::Admin, Action::CloseMonth, true),
            (Role::Supervisor, Action::CloseMonth, true),
            (Role::Clerk, Action::CloseMonth, false),
            (Role::Auditor, Action::CloseMonth, false),
        ];
        for (role, action, expected) in cases {
            assert_eq!(allowed(role, action), expected, "{role:?} {action:?}");
        }
    }
}
