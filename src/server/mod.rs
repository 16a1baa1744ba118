//! The server: one process owns the database; consoles and tools connect over a Unix socket.
//! Identity is the peer's uid (SO_PEERCRED), mapped to a login and to an active clerk account;
//! every call is checked by the service as that clerk, whatever the client sends.

pub mod client;
pub mod snapshots;
pub mod wire;

use crate::domain::Lang;
use crate::service::{Api, Change, Request, Service, ServiceError};
use std::{
    io,
    os::unix::{
        fs::PermissionsExt,
        net::{UnixListener, UnixStream},
    },
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicBool, Ordering},
        mpsc::channel,
        Arc, Mutex,
    },
    thread::{self, JoinHandle},
    time::Duration,
};
use wire::{Hello, ServerFrame, Welcome};

/// The handshake must come quickly.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);

/// The uid of the process on the other end of the socket.
pub fn peer_uid(stream: &UnixStream) -> io::Result<libc::uid_t> {
    use std::os::unix::io::AsRawFd;
    // SAFETY: ucred is plain old data; getsockopt fills at most `len` bytes of it.
    let mut cred: libc::ucred = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: the fd is a live Unix socket owned by `stream`; the pointers are valid.
    let rc = unsafe {
        libc::getsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            &mut cred as *mut libc::ucred as *mut libc::c_void,
            &mut len,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(cred.uid)
}

pub struct Server {
    listener: UnixListener,
    svc: Arc<Service>,
    pub path: PathBuf,
    stop: Arc<AtomicBool>,
    /// Live connections: a copy of each socket (to stop its reads) and its thread.
    conns: Mutex<Vec<(UnixStream, JoinHandle<()>)>>,
}

/// Asks a running server to stop; safe to use from a signal thread.
#[derive(Clone)]
pub struct Stopper {
    stop: Arc<AtomicBool>,
    path: PathBuf,
}

impl Stopper {
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop.
        let _ = UnixStream::connect(&self.path);
    }
}

impl Server {
    /// Binds the socket (mode 0660, group if given). A stale socket file from a crashed server
    /// is replaced; a live one is refused.
    pub fn bind(svc: Arc<Service>, path: &Path, group: Option<libc::gid_t>) -> io::Result<Server> {
        if path.exists() {
            if UnixStream::connect(path).is_ok() {
                return Err(io::Error::new(
                    io::ErrorKind::AddrInUse,
                    format!("a server is already listening on {}", path.display()),
                ));
            }
            std::fs::remove_file(path)?;
        }
        let listener = UnixListener::bind(path)?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660))?;
        if let Some(gid) = group {
            let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes())
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
            // SAFETY: a valid NUL-terminated path; -1 keeps the owner.
            if unsafe { libc::chown(c.as_ptr(), u32::MAX, gid) } != 0 {
                return Err(io::Error::last_os_error());
            }
        }
        Ok(Server {
            listener,
            svc,
            path: path.to_path_buf(),
            stop: Arc::new(AtomicBool::new(false)),
            conns: Mutex::new(Vec::new()),
        })
    }

    pub fn stopper(&self) -> Stopper {
        Stopper {
            stop: Arc::clone(&self.stop),
            path: self.path.clone(),
        }
    }

    /// Serves connections until stopped; each connection has its own thread. On stop no new
    /// request is read, the requests already read are answered, everything is flushed to
    /// disk and the socket file removed.
    pub fn run(&self) -> io::Result<()> {
        for conn in self.listener.incoming() {
            if self.stop.load(Ordering::SeqCst) {
                break;
            }
            let stream = match conn {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!("accept: {e}");
                    continue;
                }
            };
            let copy = stream.try_clone()?;
            let svc = Arc::clone(&self.svc);
            let handle =
                thread::Builder::new()
                    .name("client".into())
                    .spawn(move || match serve_one(stream, &svc) {
                        Ok(()) => {}
                        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {}
                        Err(e) => tracing::warn!("connection closed: {e}"),
                    })?;
            let mut conns = self.conns.lock().unwrap_or_else(|p| p.into_inner());
            conns.retain(|(_, h)| !h.is_finished());
            conns.push((copy, handle));
        }
        self.drain()
    }

    fn drain(&self) -> io::Result<()> {
        let conns = std::mem::take(&mut *self.conns.lock().unwrap_or_else(|p| p.into_inner()));
        tracing::info!("stopping: {} connections to finish", conns.len());
        for (stream, _) in &conns {
            let _ = stream.shutdown(std::net::Shutdown::Read);
        }
        for (_, handle) in conns {
            let _ = handle.join();
        }
        self.svc
            .store()
            .sync()
            .map_err(|e| io::Error::other(e.to_string()))?;
        let _ = std::fs::remove_file(&self.path);
        tracing::info!("stopped; everything on disk");
        Ok(())
    }
}

fn refuse(stream: &mut UnixStream, e: &ServiceError) -> io::Result<()> {
    use crate::domain::Explain;
    tracing::info!("refused: {}", e.explain(Lang::En));
    wire::write_frame(
        stream,
        &Welcome::Refused {
            bg: e.explain(Lang::Bg),
            en: e.explain(Lang::En),
        },
    )
}

/// What a connection's loop handles next: a request read off the socket, a change to pass
/// on, or the end of the client.
enum Inbox {
    Request(Box<Request>),
    Changed(Change),
    Gone(io::Error),
}

/// One connection: handshake, identity, then requests in order until the client leaves, with
/// change events sent between answers.
fn serve_one(mut stream: UnixStream, svc: &Arc<Service>) -> io::Result<()> {
    stream.set_read_timeout(Some(HELLO_TIMEOUT))?;
    let hello: Hello = wire::read_frame(&mut stream)?;
    if hello.magic != wire::MAGIC || hello.protocol != wire::PROTOCOL {
        let e = ServiceError::BadRequest(format!(
            "protocol {} (this server speaks {})",
            hello.protocol,
            wire::PROTOCOL
        ));
        return refuse(&mut stream, &e);
    }
    let uid = peer_uid(&stream)?;
    let Some(user) = crate::os::user_of_uid(uid) else {
        let e = ServiceError::UnknownClerk {
            login: format!("uid {uid}"),
        };
        return refuse(&mut stream, &e);
    };
    let session = match svc.session(&user.login) {
        Ok(s) => s,
        Err(e) => return refuse(&mut stream, &e),
    };
    wire::write_frame(
        &mut stream,
        &Welcome::Ok {
            login: user.login.clone(),
        },
    )?;
    tracing::info!("{} connected", user.login);
    // A console may sit idle all day; a client that is gone shows as end of file.
    stream.set_read_timeout(None)?;
    let (inbox, rx) = channel();
    {
        let inbox = inbox.clone();
        svc.subscribe_with(move |c| inbox.send(Inbox::Changed(c.clone())).is_ok());
    }
    let mut reader = stream.try_clone()?;
    thread::Builder::new()
        .name("client-reader".into())
        .spawn(move || loop {
            match wire::read_frame::<Request>(&mut reader) {
                Ok(req) => {
                    if inbox.send(Inbox::Request(Box::new(req))).is_err() {
                        return;
                    }
                }
                Err(e) => {
                    let _ = inbox.send(Inbox::Gone(e));
                    return;
                }
            }
        })?;
    let result = loop {
        match rx.recv() {
            Ok(Inbox::Request(req)) => {
                let answer = session.call(*req);
                wire::write_frame(&mut stream, &ServerFrame::Answer(Box::new(answer)))?;
            }
            Ok(Inbox::Changed(change)) => {
                wire::write_frame(&mut stream, &ServerFrame::Changed(change))?;
            }
            Ok(Inbox::Gone(e)) => break Err(e),
            Err(_) => break Ok(()),
        }
    };
    tracing::info!("{} disconnected", user.login);
    result
}
