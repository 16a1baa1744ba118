//! The console's and the command line's side of the socket: the same `Api` as in process.

use super::wire::{self, Hello, Welcome};
use crate::domain::Lang;
use crate::service::{Api, Request, Response, ServiceError};
use std::{os::unix::net::UnixStream, path::Path, sync::Mutex, time::Duration};

pub struct Client {
    stream: Mutex<UnixStream>,
    pub login: String,
}

/// Longest a single answer may take before the client gives up on the server.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

impl Client {
    /// Connects and shakes hands; a refusal comes back in the clerk's language.
    pub fn connect(path: &Path, lang: Lang) -> Result<Client, String> {
        let mut stream = UnixStream::connect(path).map_err(|e| match lang {
            Lang::Bg => format!("Няма връзка със сървъра през {}: {e}", path.display()),
            Lang::En => format!("Cannot reach the server at {}: {e}", path.display()),
        })?;
        stream
            .set_read_timeout(Some(ANSWER_TIMEOUT))
            .map_err(|e| e.to_string())?;
        let hello = Hello {
            magic: wire::MAGIC,
            protocol: wire::PROTOCOL,
        };
        wire::write_frame(&mut stream, &hello).map_err(|e| e.to_string())?;
        match wire::read_frame::<Welcome>(&mut stream).map_err(|e| e.to_string())? {
            Welcome::Ok { login } => Ok(Client {
                stream: Mutex::new(stream),
                login,
            }),
            Welcome::Refused { bg, en } => Err(lang.pick(&bg, &en).to_string()),
        }
    }
}

impl Api for Client {
    fn call(&self, req: Request) -> Result<Response, ServiceError> {
        let mut s = self.stream.lock().unwrap_or_else(|e| e.into_inner());
        let lost = |e: std::io::Error| {
            ServiceError::Store(format!(
                "Връзката със сървъра прекъсна: {e}\nThe connection to the server was lost: {e}"
            ))
        };
        wire::write_frame(&mut *s, &req).map_err(lost)?;
        wire::read_frame::<Result<Response, ServiceError>>(&mut *s).map_err(lost)?
    }
}
