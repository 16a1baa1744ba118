//! The server's log: tracing events appended to a file (created 0640, no colours), never to a
//! terminal, so a console sharing the terminal is never written over. `FRONTOFFICE_LOG` sets the
//! filter (default `info`).

use std::{fs::OpenOptions, os::unix::fs::OpenOptionsExt, path::Path, sync::Mutex};
use tracing_subscriber::EnvFilter;

/// Sends this process's tracing events to `path`. Fails if the file cannot be opened or a
/// logger is already installed.
pub fn init(path: &Path) -> Result<(), String> {
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o640)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let filter =
        EnvFilter::try_from_env("FRONTOFFICE_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .try_init()
        .map_err(|e| e.to_string())
}
