//! Settings a login shell should not have to type: `/etc/frontoffice/config.toml`, then the
//! user's `~/.config/frontoffice/config.toml` (or the file named by `FRONTOFFICE_CONFIG`).
//! Flags and environment variables win over both.
//!
//! ```toml
//! socket = "/run/frontoffice/fo.sock"   # work through this server
//! db = "/var/lib/frontoffice/db"        # or open this database directly
//! theme = "high-contrast"
//! max_connections = 64                  # `serve`: connections served at once
//! audit_key = "/etc/frontoffice/audit.key" # anchor the audit chain with this key (`--audit-key`)
//! max_connections_per_clerk = 8         # `serve`: of them, held by one clerk account
//! ```

use super::{Cli, Failure};
use crate::domain::Lang;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub socket: Option<PathBuf>,
    pub db: Option<PathBuf>,
    pub theme: Option<String>,
    pub max_connections: Option<usize>,
    pub audit_key: Option<PathBuf>,
    pub max_connections_per_clerk: Option<usize>,
}

impl Config {
    /// Values of `over` replace ours.
    fn and(self, over: Config) -> Config {
        Config {
            socket: over.socket.or(self.socket),
            db: over.db.or(self.db),
            theme: over.theme.or(self.theme),
            max_connections: over.max_connections.or(self.max_connections),
            audit_key: over.audit_key.or(self.audit_key),
            max_connections_per_clerk: over
                .max_connections_per_clerk
                .or(self.max_connections_per_clerk),
        }
    }
}

/// The files read, lowest priority first.
fn files() -> Vec<PathBuf> {
    if let Some(path) = std::env::var_os("FRONTOFFICE_CONFIG") {
        return vec![PathBuf::from(path)];
    }
    let mut out = vec![PathBuf::from("/etc/frontoffice/config.toml")];
    if let Some(dir) = dirs::config_dir() {
        out.push(dir.join("frontoffice").join("config.toml"));
    }
    out
}

pub fn read(path: &Path, lang: Lang) -> Result<Config, Failure> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        // Absent, or behind a directory this user may not enter (`sudo -u` keeping HOME):
        // not this user's settings.
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied
            ) =>
        {
            return Ok(Config::default())
        }
        Err(e) => {
            return Err(Failure(match lang {
                Lang::Bg => format!("Не мога да прочета {}: {e}", path.display()),
                Lang::En => format!("Cannot read {}: {e}", path.display()),
            }))
        }
    };
    toml::from_str(&text).map_err(|e| {
        Failure(match lang {
            Lang::Bg => format!("Грешка в настройките {}: {}", path.display(), e.message()),
            Lang::En => format!(
                "Error in the settings file {}: {}",
                path.display(),
                e.message()
            ),
        })
    })
}

/// Fills in what the command line left open. The socket is used only when no database was
/// named either (`--db`, `--demo` or the config's `db` mean this process opens it).
pub fn apply(mut cli: Cli) -> Result<Cli, Failure> {
    let mut cfg = Config::default();
    for f in files() {
        cfg = cfg.and(read(&f, cli.lang)?);
    }
    if cli.connect.is_none() && cli.db.is_none() && !cli.demo {
        cli.connect = cfg.socket;
    }
    if cli.db.is_none() {
        cli.db = cfg.db;
    }
    if cli.theme.is_none() {
        cli.theme = cfg.theme;
    }
    if cli.audit_key.is_none() {
        cli.audit_key = cfg.audit_key;
    }
    if let Some(super::Command::Serve {
        max_connections,
        max_connections_per_clerk,
        ..
    }) = &mut cli.command
    {
        if max_connections.is_none() {
            *max_connections = cfg.max_connections;
        }
        if max_connections_per_clerk.is_none() {
            *max_connections_per_clerk = cfg.max_connections_per_clerk;
        }
    }
    Ok(cli)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_fills_in_and_mistakes_are_explained() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        assert_eq!(
            read(&path, Lang::En).ok(),
            Some(Config::default()),
            "no file, no settings"
        );
        std::fs::write(
            &path,
            "socket = \"/run/fo.sock\"\ntheme = \"mono\"\nmax_connections = 150\n\
             max_connections_per_clerk = 3\n",
        )
        .unwrap();
        let cfg = read(&path, Lang::En).ok().unwrap();
        assert_eq!(cfg.socket, Some(PathBuf::from("/run/fo.sock")));
        assert_eq!(cfg.max_connections, Some(150));
        assert_eq!(cfg.max_connections_per_clerk, Some(3));
        let user = Config {
            theme: Some("high-contrast".into()),
            ..Config::default()
        };
        let both = cfg.and(user);
        assert_eq!(both.theme.as_deref(), Some("high-contrast"));
        assert_eq!(both.socket, Some(PathBuf::from("/run/fo.sock")));
        std::fs::write(&path, "sokcet = 1\n").unwrap();
        let Err(Failure(msg)) = read(&path, Lang::Bg) else {
            panic!("a misspelt key is an error")
        };
        assert!(
            msg.contains("Грешка в настройките") && msg.contains("sokcet"),
            "{msg}"
        );
    }
}
