//! The server: one process owns the database; consoles and tools connect over a Unix socket.
//! Identity is the peer's uid (SO_PEERCRED), mapped to a login and to an active clerk account;
//! every call is checked by the service as that clerk, whatever the client sends.
//!
//! Every connection costs a bounded amount: one descriptor, two threads, at most
//! `QUEUED_REQUESTS` requests read ahead and `QUEUED_CHANGES` change events waiting, and one
//! answer being written, under a write timeout. A client that stops reading is dropped; the
//! number of connections is capped, in all and per clerk account (one account cannot take
//! them all); a connection without a request for the idle time is closed; running out of
//! descriptors slows accepting down instead of ending the server.

pub mod client;
pub mod snapshots;
pub mod wire;

use crate::domain::{Explain, Lang};
use crate::service::{Api, Change, Request, Service, ServiceError};
use std::{
    collections::{HashMap, VecDeque},
    io,
    os::unix::{
        fs::PermissionsExt,
        io::AsRawFd,
        net::{UnixListener, UnixStream},
    },
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicBool, AtomicUsize, Ordering},
        Arc, Condvar, Mutex, MutexGuard, Weak,
    },
    thread::{self, JoinHandle},
    time::{Duration, Instant},
};
use wire::{Hello, ServerFrame, Welcome};

/// Requests read ahead of the one being answered: a client pipelining more waits in its own
/// socket buffer, not in the server's memory.
const QUEUED_REQUESTS: usize = 2;
/// Change events waiting to be written to one client. More means the client has not read for
/// a long while (its answers are blocked too): it is dropped. ~150 bytes each.
const QUEUED_CHANGES: usize = 1024;
/// The longest pause between failed accepts (out of descriptors, out of memory).
const MAX_BACKOFF: Duration = Duration::from_secs(1);
/// Repeated trouble (accept failures, refusals over the limit) is logged at most this often.
const LOG_EVERY: Duration = Duration::from_secs(60);

/// What one connection may cost, and how long a stop may take.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Connections served at once; the next one is refused with a reason.
    pub max_connections: usize,
    /// Of them, held by one clerk account at once; the next one of that account is refused.
    pub max_per_clerk: usize,
    /// How long a client may take over its hello, and leave an answer unread, before it is
    /// dropped.
    pub client_timeout: Duration,
    /// On stop: how long requests already read may take to be answered before the remaining
    /// connections are cut.
    pub drain: Duration,
    /// A connection without a request for this long after the hello is closed (the client is
    /// told, and connects again when it next needs to). None: the settings' idle-lock minutes,
    /// read when the connection is made (0 there: never).
    pub idle: Option<Duration>,
}

pub const DEFAULT_MAX_CONNECTIONS: usize = 64;
/// A console and a few commands at once, well under the total.
pub const DEFAULT_MAX_PER_CLERK: usize = 8;
pub const DEFAULT_CLIENT_TIMEOUT: Duration = Duration::from_secs(10);

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_per_clerk: DEFAULT_MAX_PER_CLERK,
            client_timeout: DEFAULT_CLIENT_TIMEOUT,
            drain: Duration::from_secs(5),
            idle: None,
        }
    }
}

/// The uid of the process on the other end of the socket.
pub fn peer_uid(stream: &UnixStream) -> io::Result<libc::uid_t> {
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

/// A live connection as the drain sees it: its socket (held weakly, so a finished connection's
/// descriptor is closed at once) and its thread.
struct Conn {
    stream: Weak<UnixStream>,
    thread: JoinHandle<()>,
}

pub struct Server {
    listener: UnixListener,
    svc: Arc<Service>,
    pub path: PathBuf,
    stop: Arc<AtomicBool>,
    limits: Limits,
    conns: Mutex<Vec<Conn>>,
    /// Connections whose thread has not ended yet.
    live: Arc<AtomicUsize>,
    /// Connections served per clerk login.
    accounts: Arc<Accounts>,
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
        // Wakes the accept loop (which also looks at the flag every second, in case no
        // descriptor is left for this connection).
        let _ = UnixStream::connect(&self.path);
    }
}

/// Logs a repeated kind of trouble once, then at most once per `LOG_EVERY` with a count.
struct Throttled {
    what: &'static str,
    last: Option<Instant>,
    since: u64,
}

impl Throttled {
    const fn new(what: &'static str) -> Self {
        Throttled {
            what,
            last: None,
            since: 0,
        }
    }

    fn note(&mut self, detail: &dyn std::fmt::Display) {
        if self.last.is_some_and(|t| t.elapsed() < LOG_EVERY) {
            self.since += 1;
            return;
        }
        if self.since > 0 {
            tracing::warn!(
                "{}: {detail} ({} more since the last line)",
                self.what,
                self.since
            );
        } else {
            tracing::warn!("{}: {detail}", self.what);
        }
        self.last = Some(Instant::now());
        self.since = 0;
    }
}

/// Sleeps between failed accepts: 5 ms, doubling up to `MAX_BACKOFF`; reset by a success.
struct Backoff {
    delay: Option<Duration>,
    failures: u64,
    log: Throttled,
    /// Descriptors freed one at a time make accepts fail and succeed by turns.
    recovered: Option<Instant>,
}

impl Backoff {
    fn failed(&mut self, e: &io::Error) {
        self.failures += 1;
        self.log.note(e);
        let d = self
            .delay
            .map_or(Duration::from_millis(5), |d| (d * 2).min(MAX_BACKOFF));
        self.delay = Some(d);
        thread::sleep(d);
    }

    fn succeeded(&mut self) {
        if self.failures > 0 && self.recovered.is_none_or(|t| t.elapsed() >= LOG_EVERY) {
            tracing::info!("accepting again after {} failed accepts", self.failures);
            self.recovered = Some(Instant::now());
            self.failures = 0;
        }
        self.delay = None;
    }
}

/// Waits until the listener has a connection (true) or a second has passed.
fn wait_readable(listener: &UnixListener) -> bool {
    let mut pfd = libc::pollfd {
        fd: listener.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd for the duration of the call.
    let n = unsafe { libc::poll(&mut pfd, 1, 1000) };
    // An error (EINTR) is a pass round the loop.
    n > 0
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
            limits: Limits::default(),
            conns: Mutex::new(Vec::new()),
            live: Arc::new(AtomicUsize::new(0)),
            accounts: Arc::default(),
        })
    }

    pub fn with_limits(mut self, limits: Limits) -> Server {
        self.limits = limits;
        self
    }

    pub fn stopper(&self) -> Stopper {
        Stopper {
            stop: Arc::clone(&self.stop),
            path: self.path.clone(),
        }
    }

    fn conns(&self) -> MutexGuard<'_, Vec<Conn>> {
        self.conns.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Serves connections until stopped; each connection has its own thread. A failed accept
    /// or a connection that cannot get a thread costs that connection, never the server. On
    /// stop no new request is read, the requests already read are answered (for
    /// `Limits::drain` at most), everything is flushed to disk and the socket file removed.
    pub fn run(&self) -> io::Result<()> {
        let mut backoff = Backoff {
            delay: None,
            failures: 0,
            log: Throttled::new("accept failed; retrying with back-off"),
            recovered: None,
        };
        let mut over = Throttled::new("connection refused: the limit of connections is reached");
        let mut spawn_failed = Throttled::new("connection closed: no thread for it");
        while !self.stop.load(Ordering::SeqCst) {
            if !wait_readable(&self.listener) {
                continue;
            }
            if self.stop.load(Ordering::SeqCst) {
                break;
            }
            let stream = match self.listener.accept() {
                Ok((s, _)) => s,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    backoff.failed(&e);
                    continue;
                }
            };
            backoff.succeeded();
            let mut conns = self.conns();
            conns.retain(|c| !c.thread.is_finished());
            let live = self.live.load(Ordering::SeqCst);
            if live >= self.limits.max_connections {
                over.note(&format_args!("{live} open"));
                refuse_over(stream, live, self.limits.max_connections);
                continue;
            }
            let stream = Arc::new(stream);
            let weak = Arc::downgrade(&stream);
            let svc = Arc::clone(&self.svc);
            let limits = self.limits.clone();
            let accounts = Arc::clone(&self.accounts);
            let guard = Live::enter(&self.live);
            match thread::Builder::new().name("client".into()).spawn(move || {
                let _guard = guard;
                match serve_one(&stream, &svc, &limits, &accounts) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {}
                    Err(e) => tracing::warn!("connection closed: {e}"),
                }
                let _ = stream.shutdown(std::net::Shutdown::Both);
            }) {
                Ok(thread) => conns.push(Conn {
                    stream: weak,
                    thread,
                }),
                // The closure (and with it the stream and the guard) is dropped: that
                // connection is closed and no longer counted.
                Err(e) => spawn_failed.note(&e),
            }
        }
        self.drain()
    }

    /// Stops reading, lets what was read be answered until the deadline, then cuts what is
    /// left; a client that reads nothing cannot hold the stop up.
    fn drain(&self) -> io::Result<()> {
        let conns = std::mem::take(&mut *self.conns());
        tracing::info!("stopping: {} connections to finish", conns.len());
        let each = |how| {
            for c in &conns {
                if let Some(s) = c.stream.upgrade() {
                    let _ = s.shutdown(how);
                }
            }
        };
        let wait = |limit: Duration| {
            let until = Instant::now() + limit;
            while Instant::now() < until && conns.iter().any(|c| !c.thread.is_finished()) {
                thread::sleep(Duration::from_millis(10));
            }
        };
        each(std::net::Shutdown::Read);
        wait(self.limits.drain);
        let left = conns.iter().filter(|c| !c.thread.is_finished()).count();
        if left > 0 {
            tracing::warn!(
                "stopping: {left} connections cut after {:?}",
                self.limits.drain
            );
            each(std::net::Shutdown::Both);
            // Their writes fail at once now; a command still running gets a moment more.
            wait(Duration::from_secs(2));
        }
        for c in conns {
            if c.thread.is_finished() {
                let _ = c.thread.join();
            }
        }
        // The socket goes whatever the disk says: a stale one would only mislead the next start.
        let synced = self.svc.store().sync();
        let _ = std::fs::remove_file(&self.path);
        match synced {
            Ok(()) => {
                tracing::info!("stopped; everything on disk");
                Ok(())
            }
            Err(e) => {
                tracing::error!("stopped; the last sync failed: {e}");
                Err(io::Error::other(e.to_string()))
            }
        }
    }
}

/// Counts a connection while its thread runs.
struct Live(Arc<AtomicUsize>);

impl Live {
    fn enter(n: &Arc<AtomicUsize>) -> Live {
        n.fetch_add(1, Ordering::SeqCst);
        Live(Arc::clone(n))
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Connections served per clerk login, so that one account cannot take them all.
#[derive(Default)]
struct Accounts(Mutex<HashMap<String, usize>>);

/// One of an account's connections, given back when dropped.
struct Slot<'a> {
    accounts: &'a Accounts,
    login: String,
}

impl Accounts {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, usize>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A slot for `login`, or how many it holds already when that is the limit.
    fn take(&self, login: &str, max: usize) -> Result<Slot<'_>, usize> {
        let mut held = self.lock();
        let n = held.entry(login.to_string()).or_insert(0);
        if *n >= max {
            return Err(*n);
        }
        *n += 1;
        Ok(Slot {
            accounts: self,
            login: login.to_string(),
        })
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut held = self.accounts.lock();
        if let Some(n) = held.get_mut(&self.login) {
            *n -= 1;
            if *n == 0 {
                held.remove(&self.login);
            }
        }
    }
}

/// Refusals of an account over its share come in bursts from one script or tool.
static OVER_SHARE: Mutex<Throttled> = Mutex::new(Throttled::new(
    "connection refused: the account's share is reached",
));

/// The account already holds its share: the reason in both languages, before the hello.
fn refuse_account(stream: &UnixStream, login: &str, open: usize, max: usize) -> io::Result<()> {
    OVER_SHARE
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .note(&format_args!("{login}: {open} open (at most {max})"));
    wire::write_frame(
        &mut &*stream,
        &Welcome::Refused {
            bg: format!(
                "Акаунтът {login} вече има {open} отворени връзки към сървъра (най-много {max} \
                 на служител). Затворете някой от другите си прозорци или команди и опитайте пак."
            ),
            en: format!(
                "The account {login} already has {open} connections to the server open (at most \
                 {max} per clerk). Close one of your other windows or commands and try again."
            ),
        },
    )
}

/// Over the limit: the reason, written without waiting (a new socket's buffer takes it), and
/// the connection closed.
fn refuse_over(stream: UnixStream, open: usize, max: usize) {
    let _ = stream.set_nonblocking(true);
    let _ = wire::write_frame(
        &mut &stream,
        &Welcome::Refused {
            bg: format!(
                "Сървърът е зает: отворени са {open} връзки (най-много {max}). Опитайте пак след \
                 малко; ако се повтаря, обадете се на администратора."
            ),
            en: format!(
                "The server is busy: {open} connections are open (at most {max}). Try again \
                 shortly; if it keeps happening, call the administrator."
            ),
        },
    );
}

/// Refusals for want of a resource, from every connection's thread: they come in bursts.
static OUT_OF_RESOURCES: Mutex<Throttled> =
    Mutex::new(Throttled::new("connection refused, out of resources"));

/// The server lacks a resource for this connection (logged with `why`).
fn refuse_busy(stream: &UnixStream, why: &str) {
    OUT_OF_RESOURCES
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .note(&why);
    let _ = wire::write_frame(
        &mut &*stream,
        &Welcome::Refused {
            bg: "Сървърът е претоварен в момента. Опитайте пак след малко; ако се повтаря, \
                 обадете се на администратора."
                .into(),
            en: "The server is overloaded at the moment. Try again shortly; if it keeps \
                 happening, call the administrator."
                .into(),
        },
    );
}

fn refuse(stream: &UnixStream, e: &ServiceError) -> io::Result<()> {
    tracing::info!("refused: {}", e.explain(Lang::En));
    wire::write_frame(
        &mut &*stream,
        &Welcome::Refused {
            bg: e.explain(Lang::Bg),
            en: e.explain(Lang::En),
        },
    )
}

/// What the reader and the change bus hand to a connection's thread, bounded both ways.
#[derive(Default)]
struct Inbox {
    /// Requests read, or why one did not decode (answered in its turn).
    requests: VecDeque<Result<Request, String>>,
    changes: VecDeque<Change>,
    /// The reader's end: the client left, sent a bad frame, or the read side was shut.
    gone: Option<io::Error>,
    /// More change events than `QUEUED_CHANGES` waited: the client is not reading.
    overflow: bool,
    /// No request for the idle time: the reader stopped, the client is to be told.
    idle: bool,
    /// A request is being answered (taken off the queue, its answer not written yet).
    busy: bool,
    /// When the last answer was written (or the hello answered).
    last_answer: Option<Instant>,
    /// The connection ended: the reader stops, the bus forgets this subscriber.
    closed: bool,
}

#[derive(Default)]
struct Mailbox {
    inbox: Mutex<Inbox>,
    /// Something to do for the connection's thread.
    ready: Condvar,
    /// Room for one more request.
    room: Condvar,
}

impl Mailbox {
    fn lock(&self) -> MutexGuard<'_, Inbox> {
        self.inbox.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits for room; false when the connection has ended.
    fn request(&self, req: Result<Request, String>) -> bool {
        let mut inbox = self.lock();
        while inbox.requests.len() >= QUEUED_REQUESTS && !inbox.closed {
            inbox = self.room.wait(inbox).unwrap_or_else(|p| p.into_inner());
        }
        if inbox.closed {
            return false;
        }
        inbox.requests.push_back(req);
        self.ready.notify_one();
        true
    }

    /// Never waits (it runs on a saving thread); false unsubscribes.
    fn change(&self, c: &Change) -> bool {
        let mut inbox = self.lock();
        if inbox.closed || inbox.overflow {
            return false;
        }
        if inbox.changes.len() >= QUEUED_CHANGES {
            inbox.overflow = true;
        } else {
            inbox.changes.push_back(c.clone());
        }
        self.ready.notify_one();
        !inbox.overflow
    }

    fn gone(&self, e: io::Error) {
        self.lock().gone = Some(e);
        self.ready.notify_one();
    }

    /// The answer to the request taken last is written.
    fn answered(&self) {
        let mut inbox = self.lock();
        inbox.busy = false;
        inbox.last_answer = Some(Instant::now());
    }

    /// The reader waited for a request: the connection is to close when nothing is queued or
    /// being answered and the last answer is `idle` old too; else the time still to wait.
    fn idle_for(&self, idle: Duration) -> Result<(), Duration> {
        let mut inbox = self.lock();
        if inbox.busy || !inbox.requests.is_empty() {
            return Err(idle);
        }
        let since = inbox.last_answer.map_or(idle, |t| t.elapsed());
        if since < idle {
            return Err(idle - since);
        }
        inbox.idle = true;
        self.ready.notify_one();
        Ok(())
    }

    fn close(&self) {
        let mut inbox = self.lock();
        inbox.closed = true;
        inbox.requests.clear();
        inbox.changes.clear();
        self.room.notify_all();
    }

    /// The next thing to do, in order: drop a client that fell behind, answer, end, or pass a
    /// change on.
    fn next(&self) -> Next {
        let mut inbox = self.lock();
        loop {
            if inbox.overflow {
                return Next::Overflow;
            }
            if let Some(r) = inbox.requests.pop_front() {
                inbox.busy = true;
                self.room.notify_one();
                return Next::Request(Box::new(r));
            }
            if inbox.idle {
                return Next::Idle;
            }
            // Requests read before the end are answered; changes are not sent to a client
            // that has gone.
            if let Some(e) = inbox.gone.take() {
                return Next::Gone(e);
            }
            if let Some(c) = inbox.changes.pop_front() {
                return Next::Changed(c);
            }
            inbox = self.ready.wait(inbox).unwrap_or_else(|p| p.into_inner());
        }
    }
}

enum Next {
    Request(Box<Result<Request, String>>),
    Changed(Change),
    Gone(io::Error),
    Overflow,
    Idle,
}

/// Waits until the socket has something to read (true) or `limit` has passed (false), without
/// consuming anything: a frame is then read whole or not at all.
fn wait_for_bytes(stream: &UnixStream, limit: Duration) -> io::Result<bool> {
    let mut pfd = libc::pollfd {
        fd: stream.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = i32::try_from(limit.as_millis()).unwrap_or(i32::MAX).max(1);
    // SAFETY: one valid pollfd for the duration of the call.
    match unsafe { libc::poll(&mut pfd, 1, ms) } {
        0 => Ok(false),
        n if n > 0 => Ok(true),
        _ => {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                Ok(true)
            } else {
                Err(e)
            }
        }
    }
}

/// The idle time of a new connection: the limit given, else the settings' idle lock.
fn idle_time(svc: &Service, limits: &Limits) -> Option<Duration> {
    if limits.idle.is_some() {
        return limits.idle;
    }
    let minutes = svc.settings().ok()?.settings.idle_lock_minutes;
    (minutes > 0).then(|| Duration::from_secs(u64::from(minutes) * 60))
}

/// The reader of one connection: requests into the mailbox until the client leaves, a frame
/// is bad, or (with an idle time) no request came for that long.
fn read_requests(stream: &UnixStream, mailbox: &Mailbox, idle: Option<Duration>) {
    if let Err(e) = stream.set_read_timeout(idle) {
        return mailbox.gone(e);
    }
    let mut wait = idle;
    loop {
        if let Some(limit) = wait {
            match wait_for_bytes(stream, limit) {
                Ok(true) => {}
                Ok(false) => match mailbox.idle_for(idle.unwrap_or(limit)) {
                    Ok(()) => return,
                    Err(remaining) => {
                        wait = Some(remaining);
                        continue;
                    }
                },
                Err(e) => return mailbox.gone(e),
            }
        }
        // A frame begun and left unfinished for the idle time is dropped with the connection.
        match wire::read_checked_frame::<Request>(&mut &*stream) {
            Ok(req) => {
                if !mailbox.request(req) {
                    return;
                }
            }
            Err(e) => return mailbox.gone(e),
        }
        wait = idle;
    }
}

/// A write that failed because the client did not take it within the timeout.
fn not_reading(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// One connection: identity from the socket, then a small hello, then requests in order until
/// the client leaves, with change events sent between answers.
fn serve_one(
    stream: &Arc<UnixStream>,
    svc: &Arc<Service>,
    limits: &Limits,
    accounts: &Accounts,
) -> io::Result<()> {
    stream.set_write_timeout(Some(limits.client_timeout))?;
    // Who is there before anything they send is read.
    let uid = peer_uid(stream)?;
    let user = match crate::os::lookup_uid(uid) {
        Ok(Some(user)) => user,
        Ok(None) => {
            let e = ServiceError::UnknownClerk {
                login: format!("uid {uid}"),
            };
            return refuse(stream, &e);
        }
        // Out of descriptors, most likely: not the clerk's fault, and not a refusal of them.
        Err(e) => {
            refuse_busy(stream, &format!("uid {uid}: {e}"));
            return Ok(());
        }
    };
    let session = match svc.session(&user.login) {
        Ok(s) => s,
        Err(e) => return refuse(stream, &e),
    };
    let _slot = match accounts.take(&user.login, limits.max_per_clerk) {
        Ok(slot) => slot,
        Err(open) => return refuse_account(stream, &user.login, open, limits.max_per_clerk),
    };
    stream.set_read_timeout(Some(limits.client_timeout))?;
    let hello: Hello = wire::read_frame_max(&mut &**stream, wire::MAX_HELLO).map_err(|e| {
        if not_reading(&e) {
            io::Error::new(io::ErrorKind::TimedOut, "no hello in time")
        } else {
            e
        }
    })?;
    if hello.magic != wire::MAGIC || hello.protocol != wire::PROTOCOL {
        let e = ServiceError::BadRequest(format!(
            "protocol {} (this server speaks {})",
            hello.protocol,
            wire::PROTOCOL
        ));
        return refuse(stream, &e);
    }
    wire::write_frame(
        &mut &**stream,
        &Welcome::Ok {
            login: user.login.clone(),
        },
    )?;
    // A client that is gone shows as end of file; one that sends nothing for the idle time is
    // closed (its slot is then free for others).
    let idle = idle_time(svc, limits);
    let mailbox = Arc::new(Mailbox::default());
    mailbox.answered();
    {
        let mailbox = Arc::clone(&mailbox);
        svc.subscribe_with(move |c| mailbox.change(c));
    }
    let reader = {
        let (mailbox, stream) = (Arc::clone(&mailbox), Arc::clone(stream));
        thread::Builder::new()
            .name("client-reader".into())
            .spawn(move || read_requests(&stream, &mailbox, idle))
    };
    if let Err(e) = reader {
        mailbox.close();
        return Err(e);
    }
    tracing::info!("{} connected", user.login);
    let result = loop {
        let written = match mailbox.next() {
            Next::Request(req) => {
                let answer = match *req {
                    Ok(req) => session.call(req),
                    Err(why) => {
                        tracing::info!("{}: a request that does not decode: {why}", user.login);
                        Err(ServiceError::BadRequest(why))
                    }
                };
                let written =
                    match wire::write_frame(&mut &**stream, &ServerFrame::Answer(Box::new(answer)))
                    {
                        // Too large to send (nothing was written): pages are bounded, so this is a
                        // backstop; the client hears why instead of losing its connection.
                        Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                            tracing::warn!("{}: an answer over the frame limit: {e}", user.login);
                            let refusal = Err(ServiceError::BadRequest(format!(
                                "the answer is over {} bytes; ask for a smaller page",
                                wire::MAX_FRAME
                            )));
                            wire::write_frame(
                                &mut &**stream,
                                &ServerFrame::Answer(Box::new(refusal)),
                            )
                        }
                        other => other,
                    };
                mailbox.answered();
                written
            }
            Next::Changed(change) => {
                wire::write_frame(&mut &**stream, &ServerFrame::Changed(change))
            }
            Next::Gone(e) => break Err(e),
            Next::Idle => {
                let idle = idle.unwrap_or_default();
                tracing::info!("{}: closed after {idle:?} without a request", user.login);
                let _ = wire::write_frame(
                    &mut &**stream,
                    &ServerFrame::Idle {
                        seconds: idle.as_secs(),
                    },
                );
                break Ok(());
            }
            Next::Overflow => {
                tracing::warn!(
                    "{}: dropped, {QUEUED_CHANGES} change events waited unread",
                    user.login
                );
                break Ok(());
            }
        };
        match written {
            Ok(()) => {}
            Err(e) if not_reading(&e) => {
                tracing::warn!(
                    "{}: dropped, an answer waited unread for {:?}",
                    user.login,
                    limits.client_timeout
                );
                break Ok(());
            }
            Err(e) => break Err(e),
        }
    };
    mailbox.close();
    tracing::info!("{} disconnected", user.login);
    result
}
