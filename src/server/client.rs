//! The console's and the command line's side of the socket: the same `Api` as in process. A
//! reader thread takes every frame off the socket: answers go to the waiting call, change
//! events to the subscriber.
//!
//! A lost connection (the server restarted, an answer that never came) is not the end: the
//! next call connects again, and until then the reader retries in the background, so change
//! events resume by themselves. The call whose answer was lost returns the error; it is never
//! sent twice. Subscribers hear `Link::Lost` and `Link::Back`.
//!
//! A connection the server closed for idleness (`ServerFrame::Idle`) is not reopened in the
//! background: the next call, or `Api::resume` (the console's unlocking key), opens a new one,
//! and subscribers then hear `Link::Back`, since change events were missed meanwhile.

use super::wire::{self, Hello, ServerFrame, Welcome};
use crate::domain::Lang;
use crate::service::{api::Link, Api, Change, Request, Response, ServiceError};
use std::{
    os::unix::net::UnixStream,
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicBool, Ordering},
        mpsc::{channel, Receiver, RecvTimeoutError, Sender},
        Arc, Mutex, MutexGuard,
    },
    time::Duration,
};

/// Longest a single answer may take before the client gives up on the server.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);
/// The handshake is quick or the server is not well.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
/// Background reconnects: the first soon after the loss, then less often.
const RETRY_FIRST: Duration = Duration::from_millis(100);
const RETRY_MAX: Duration = Duration::from_secs(5);

fn lost(detail: impl std::fmt::Display) -> ServiceError {
    ServiceError::Store(format!(
        "Връзката със сървъра прекъсна: {detail}\nThe connection to the server was lost: {detail}"
    ))
}

/// What the reader hands the waiting call.
enum Reply {
    Answer(Box<Result<Response, ServiceError>>),
    /// The connection ended; no answer will come on it.
    Gone(String),
    /// The server closed the connection for idleness and read nothing after deciding so: a
    /// request sent meanwhile was never seen.
    Idle,
}

/// A live connection: the socket (shared with its reader thread) and its answers.
struct Up {
    stream: Arc<UnixStream>,
    answers: Receiver<Reply>,
}

struct Line {
    /// None while the connection is lost.
    up: Option<Up>,
    /// Bumped by every new connection: a reader of an older one does not touch the line.
    generation: u64,
    /// Whether `Link::Lost` was sent and not yet followed by `Link::Back`.
    told_lost: bool,
    /// Closed for idleness: the next connection is announced with `Link::Back` (events were
    /// missed) though no `Link::Lost` was said.
    idle: bool,
}

/// What the client's calls and its reader threads share.
struct Shared {
    path: PathBuf,
    lang: Lang,
    /// One call at a time: answers come in order.
    line: Mutex<Line>,
    /// Every connection's reader feeds the same subscriber.
    changes: Sender<Change>,
    link: Sender<Link>,
    /// The client was dropped: background reconnects stop.
    closed: AtomicBool,
}

pub struct Client {
    shared: Arc<Shared>,
    changes: Mutex<Option<Receiver<Change>>>,
    link: Mutex<Option<Receiver<Link>>>,
    pub login: String,
}

/// Connects and shakes hands; a refusal comes back in the clerk's language.
fn handshake(path: &Path, lang: Lang) -> Result<(UnixStream, String), String> {
    let mut stream = UnixStream::connect(path).map_err(|e| match (lang, e.kind()) {
        // The socket is open to the office's group only: a stranger is told who may use it,
        // not the system's "Permission denied (os error 13)".
        (Lang::Bg, std::io::ErrorKind::PermissionDenied) => format!(
            "Този потребител не е служител на фронт-офиса: сървърът през {} приема само \
             потребителите от групата на офиса. Обърнете се към администратора.",
            path.display()
        ),
        (Lang::En, std::io::ErrorKind::PermissionDenied) => format!(
            "This account is not a clerk of this office: the server at {} takes only the \
             office's group. Ask the administrator.",
            path.display()
        ),
        (Lang::Bg, _) => format!("Няма връзка със сървъра през {}: {e}", path.display()),
        (Lang::En, _) => format!("Cannot reach the server at {}: {e}", path.display()),
    })?;
    stream
        .set_read_timeout(Some(HELLO_TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(ANSWER_TIMEOUT)))
        .map_err(|e| e.to_string())?;
    let hello = Hello {
        magic: wire::MAGIC,
        protocol: wire::PROTOCOL,
    };
    // A server that refuses (over its limit, not a clerk) answers before reading the hello and
    // may have closed already: its reason is still there to read.
    let sent = wire::write_frame(&mut stream, &hello);
    let login = match wire::read_frame::<Welcome>(&mut stream) {
        Ok(Welcome::Ok { login }) => login,
        Ok(Welcome::Refused { bg, en }) => return Err(lang.pick(&bg, &en).to_string()),
        Err(e) => return Err(sent.err().unwrap_or(e).to_string()),
    };
    // From here the reader waits as long as the console stays open.
    stream.set_read_timeout(None).map_err(|e| e.to_string())?;
    Ok((stream, login))
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Line> {
        self.line.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new connection on `line`, with its reader thread.
    fn open(self: &Arc<Self>, line: &mut Line) -> Result<(), String> {
        let (stream, _) = handshake(&self.path, self.lang)?;
        let stream = Arc::new(stream);
        let (answers_tx, answers) = channel();
        let generation = line.generation + 1;
        {
            let (shared, stream) = (Arc::clone(self), Arc::clone(&stream));
            std::thread::Builder::new()
                .name("server-reader".into())
                .spawn(move || shared.read_frames(generation, &stream, answers_tx))
                .map_err(|e| e.to_string())?;
        }
        line.generation = generation;
        line.up = Some(Up { stream, answers });
        if line.told_lost || line.idle {
            line.told_lost = false;
            line.idle = false;
            let _ = self.link.send(Link::Back);
        }
        Ok(())
    }

    /// The connection is gone: closed here, and said once.
    fn down(&self, line: &mut Line) {
        if let Some(up) = line.up.take() {
            let _ = up.stream.shutdown(std::net::Shutdown::Both);
        }
        if !line.told_lost {
            line.told_lost = true;
            let _ = self.link.send(Link::Lost);
        }
    }

    /// Until the socket closes: answers to the caller, changes to the subscriber (dropped when
    /// nobody subscribed). Then, unless a call got there first, connects again in the
    /// background.
    fn read_frames(self: Arc<Self>, generation: u64, stream: &UnixStream, answers: Sender<Reply>) {
        loop {
            match wire::read_frame::<ServerFrame>(&mut &*stream) {
                Ok(ServerFrame::Answer(a)) => {
                    if answers.send(Reply::Answer(a)).is_err() {
                        return;
                    }
                }
                Ok(ServerFrame::Changed(c)) => {
                    let _ = self.changes.send(c);
                }
                Ok(ServerFrame::Idle { .. }) => {
                    let _ = answers.send(Reply::Idle);
                    let mut line = self.lock();
                    if line.generation == generation {
                        if let Some(up) = line.up.take() {
                            let _ = up.stream.shutdown(std::net::Shutdown::Both);
                        }
                        line.idle = true;
                    }
                    return;
                }
                Err(e) => {
                    let _ = answers.send(Reply::Gone(e.to_string()));
                    break;
                }
            }
        }
        self.retry(generation);
    }

    /// Connects again in the background until it works, the client is dropped, or a newer
    /// connection took the line.
    fn retry(self: Arc<Self>, generation: u64) {
        let mut wait = RETRY_FIRST;
        loop {
            if self.closed.load(Ordering::SeqCst) {
                return;
            }
            {
                let mut line = self.lock();
                if line.generation != generation {
                    return;
                }
                self.down(&mut line);
                // Another reader now owns the line.
                if self.open(&mut line).is_ok() {
                    return;
                }
            }
            std::thread::sleep(wait);
            wait = (wait * 2).min(RETRY_MAX);
        }
    }
}

impl Client {
    /// Connects and shakes hands; a refusal comes back in the clerk's language.
    pub fn connect(path: &Path, lang: Lang) -> Result<Client, String> {
        let (changes_tx, changes) = channel();
        let (link_tx, link) = channel();
        let shared = Arc::new(Shared {
            path: path.to_path_buf(),
            lang,
            line: Mutex::new(Line {
                up: None,
                generation: 0,
                told_lost: false,
                idle: false,
            }),
            changes: changes_tx,
            link: link_tx,
            closed: AtomicBool::new(false),
        });
        let (stream, login) = handshake(path, lang)?;
        let stream = Arc::new(stream);
        let (answers_tx, answers) = channel();
        {
            let (shared, stream) = (Arc::clone(&shared), Arc::clone(&stream));
            std::thread::Builder::new()
                .name("server-reader".into())
                .spawn(move || shared.read_frames(0, &stream, answers_tx))
                .map_err(|e| e.to_string())?;
        }
        shared.lock().up = Some(Up { stream, answers });
        Ok(Client {
            shared,
            changes: Mutex::new(Some(changes)),
            link: Mutex::new(Some(link)),
            login,
        })
    }
}

impl Api for Client {
    fn call(&self, req: Request) -> Result<Response, ServiceError> {
        let mut line = self.shared.lock();
        // A connection closed for idleness while this request was on its way never read it:
        // it goes once more on a new connection.
        let mut sends = 0;
        loop {
            sends += 1;
            // A request that could not be written whole was never read by the server: it goes
            // once more on a new connection (a connection that died while idle shows only here).
            let mut tries = 0;
            let up = loop {
                tries += 1;
                if line.up.is_none() {
                    self.shared.open(&mut line).map_err(lost)?;
                }
                let Some(up) = &line.up else {
                    return Err(lost("closed"));
                };
                match wire::write_frame(&mut &*up.stream, &req) {
                    Ok(()) => break up,
                    // Too big to send (nothing was written): the connection is fine.
                    Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                        return Err(ServiceError::BadRequest(e.to_string()))
                    }
                    Err(e) => {
                        self.shared.down(&mut line);
                        if tries == 2 {
                            return Err(lost(e));
                        }
                    }
                }
            };
            let why = match up.answers.recv_timeout(ANSWER_TIMEOUT) {
                Ok(Reply::Answer(answer)) => return *answer,
                Ok(Reply::Idle) if sends == 1 => {
                    // The reader has closed the line already (or is about to): start afresh.
                    if let Some(up) = line.up.take() {
                        let _ = up.stream.shutdown(std::net::Shutdown::Both);
                    }
                    line.idle = true;
                    continue;
                }
                Ok(Reply::Idle) => "closed for idleness twice".to_string(),
                Ok(Reply::Gone(e)) => e,
                // A late answer would be taken for the next call's: this connection is done.
                Err(RecvTimeoutError::Timeout) => "no answer in time".to_string(),
                Err(RecvTimeoutError::Disconnected) => "closed".to_string(),
            };
            self.shared.down(&mut line);
            return Err(lost(why));
        }
    }

    /// After a close for idleness: connects now, so change events flow again and subscribers
    /// hear `Link::Back`; if the server is not there, `Link::Lost` and retries in the background.
    fn resume(&self) {
        let mut line = self.shared.lock();
        if line.up.is_some() || !line.idle {
            return;
        }
        if self.shared.open(&mut line).is_err() {
            self.shared.down(&mut line);
            let (shared, generation) = (Arc::clone(&self.shared), line.generation);
            let _ = std::thread::Builder::new()
                .name("server-retry".into())
                .spawn(move || shared.retry(generation));
        }
    }

    fn subscribe(&self) -> Option<Receiver<Change>> {
        self.changes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }

    fn link_events(&self) -> Option<Receiver<Link>> {
        self.link.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

impl Drop for Client {
    /// Ends the reader thread with the connection, and any reconnecting.
    fn drop(&mut self) {
        self.shared.closed.store(true, Ordering::SeqCst);
        if let Some(up) = self.shared.lock().up.take() {
            let _ = up.stream.shutdown(std::net::Shutdown::Both);
        }
    }
}
