//! The console's and the command line's side of the socket: the same `Api` as in process. A
//! reader thread takes every frame off the socket: answers go to the waiting call, change
//! events to the subscriber.

use super::wire::{self, Hello, ServerFrame, Welcome};
use crate::domain::Lang;
use crate::service::{Api, Change, Request, Response, ServiceError};
use std::{
    os::unix::net::UnixStream,
    path::Path,
    sync::{
        atomic::{AtomicBool, Ordering},
        mpsc::{channel, Receiver, RecvTimeoutError, Sender},
        Mutex,
    },
    time::Duration,
};

pub struct Client {
    /// The write half and the answers, together: one call at a time, answers in order.
    line: Mutex<(UnixStream, Receiver<Result<Response, ServiceError>>)>,
    changes: Mutex<Option<Receiver<Change>>>,
    /// Set when an answer timed out: a late answer would be taken for the next call's.
    broken: AtomicBool,
    pub login: String,
}

/// Longest a single answer may take before the client gives up on the server.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

fn lost(detail: impl std::fmt::Display) -> ServiceError {
    ServiceError::Store(format!(
        "Връзката със сървъра прекъсна: {detail}\nThe connection to the server was lost: {detail}"
    ))
}

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
        let login = match wire::read_frame::<Welcome>(&mut stream).map_err(|e| e.to_string())? {
            Welcome::Ok { login } => login,
            Welcome::Refused { bg, en } => return Err(lang.pick(&bg, &en).to_string()),
        };
        // From here the reader waits as long as the console stays open.
        stream.set_read_timeout(None).map_err(|e| e.to_string())?;
        let reader = stream.try_clone().map_err(|e| e.to_string())?;
        let (answers_tx, answers) = channel();
        let (changes_tx, changes) = channel();
        std::thread::Builder::new()
            .name("server-reader".into())
            .spawn(move || read_frames(reader, answers_tx, changes_tx))
            .map_err(|e| e.to_string())?;
        Ok(Client {
            line: Mutex::new((stream, answers)),
            changes: Mutex::new(Some(changes)),
            broken: AtomicBool::new(false),
            login,
        })
    }
}

/// Until the socket closes: answers to the caller, changes to the subscriber (dropped when
/// nobody subscribed).
fn read_frames(
    mut stream: UnixStream,
    answers: Sender<Result<Response, ServiceError>>,
    changes: Sender<Change>,
) {
    loop {
        match wire::read_frame::<ServerFrame>(&mut stream) {
            Ok(ServerFrame::Answer(a)) => {
                if answers.send(*a).is_err() {
                    return;
                }
            }
            Ok(ServerFrame::Changed(c)) => {
                let _ = changes.send(c);
            }
            Err(e) => {
                let _ = answers.send(Err(lost(e)));
                return;
            }
        }
    }
}

impl Api for Client {
    fn call(&self, req: Request) -> Result<Response, ServiceError> {
        let mut line = self.line.lock().unwrap_or_else(|e| e.into_inner());
        if self.broken.load(Ordering::Relaxed) {
            return Err(lost("no answer in time"));
        }
        let (stream, answers) = &mut *line;
        wire::write_frame(stream, &req).map_err(lost)?;
        match answers.recv_timeout(ANSWER_TIMEOUT) {
            Ok(answer) => answer,
            Err(RecvTimeoutError::Timeout) => {
                self.broken.store(true, Ordering::Relaxed);
                Err(lost("no answer in time"))
            }
            Err(RecvTimeoutError::Disconnected) => {
                self.broken.store(true, Ordering::Relaxed);
                Err(lost("closed"))
            }
        }
    }

    fn subscribe(&self) -> Option<Receiver<Change>> {
        self.changes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }
}

impl Drop for Client {
    /// Ends the reader thread with the connection.
    fn drop(&mut self) {
        let line = self.line.get_mut().unwrap_or_else(|e| e.into_inner());
        let _ = line.0.shutdown(std::net::Shutdown::Both);
    }
}
