//! Clerk accounts. A clerk is a Unix login mapped to a role; we keep no passwords of our own.

use super::{
    reason::{FieldError, Problems, Reason},
    text::clean_text,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    Admin,
    Supervisor,
    Clerk,
    Auditor,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_lowercase().as_str() {
            "admin" | "администратор" => Some(Role::Admin),
            "supervisor" | "ръководител" => Some(Role::Supervisor),
            "clerk" | "служител" => Some(Role::Clerk),
            "auditor" | "одитор" => Some(Role::Auditor),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
            Role::Clerk => "clerk",
            Role::Auditor => "auditor",
        }
    }

    pub fn name(self, lang: super::Lang) -> &'static str {
        match self {
            Role::Admin => lang.pick("администратор", "administrator"),
            Role::Supervisor => lang.pick("ръководител", "supervisor"),
            Role::Clerk => lang.pick("служител", "clerk"),
            Role::Auditor => lang.pick("одитор", "auditor"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clerk {
    /// The Unix login (what SO_PEERCRED or getuid maps to).
    pub login: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
}

/// Unix login names: what useradd accepts, conservatively.
pub fn valid_login(login: &str) -> bool {
    !login.is_empty()
        && login.len() <= 32
        && login
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && login
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | '.'))
}

impl Clerk {
    /// Checks the account and stores the cleaned name.
    pub fn validate(&mut self) -> Result<(), Vec<FieldError>> {
        let mut p = Problems::default();
        if !valid_login(&self.login) {
            p.add(
                "login",
                Reason::Text(super::text::TextError::BadChar {
                    ch: self
                        .login
                        .chars()
                        .find(|c| !c.is_ascii_alphanumeric())
                        .unwrap_or(' '),
                }),
            );
        }
        if self.login == super::audit::SYSTEM_LOGIN {
            p.add("login", Reason::ReservedLogin);
        }
        p.required("name", &self.name);
        p.clean("name", clean_text(&self.name, 120, false), &mut self.name);
        p.into_result()
    }
}
