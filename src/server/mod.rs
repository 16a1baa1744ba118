//! The server: one process owns the database; consoles and tools connect over a Unix socket.
//! Identity is the peer's uid (SO_PEERCRED), mapped to a login and to an active clerk account;
//! every call is checked by the service as that clerk, whatever the client sends.

pub mod client;
pub mod wire;

use crate::domain::Lang;
use crate::service::{Api, Request, Response, Service, ServiceError};
use std::{
    io,
    os::unix::{
        fs::PermissionsExt,
        net::{UnixListener, UnixStream},
    },
    path::{Path, PathBuf},
    sync::Arc,
    thread,
    time::Duration,
};
use wire::{Hello, Welcome};

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
        })
    }

    /// Serves connections until the listener fails; each connection has its own thread.
    pub fn run(&self) -> io::Result<()> {
        for conn in self.listener.incoming() {
            let stream = match conn {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("frontoffice serve: accept: {e}");
                    continue;
                }
            };
            let svc = Arc::clone(&self.svc);
            thread::Builder::new()
                .name("client".into())
                .spawn(move || {
                    if let Err(e) = serve_one(stream, &svc) {
                        if e.kind() != io::ErrorKind::UnexpectedEof {
                            eprintln!("frontoffice serve: connection closed: {e}");
                        }
                    }
                })?;
        }
        Ok(())
    }
}

fn refuse(stream: &mut UnixStream, e: &ServiceError) -> io::Result<()> {
    use crate::domain::Explain;
    wire::write_frame(
        stream,
        &Welcome::Refused {
            bg: e.explain(Lang::Bg),
            en: e.explain(Lang::En),
        },
    )
}

/// One connection: handshake, identity, then requests in order until the client leaves.
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
    // A console may sit idle all day; a client that is gone shows as end of file.
    stream.set_read_timeout(None)?;
    loop {
        let req: Request = wire::read_frame(&mut stream)?;
        let answer: Result<Response, ServiceError> = session.call(req);
        wire::write_frame(&mut stream, &answer)?;
    }
}
