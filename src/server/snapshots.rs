//! Automatic snapshots: one when the server starts, then one a day, keeping the newest N, so a
//! store damaged by a bug is a restore, not a loss. Each is audited (the system as the actor) and
//! anchors the audit head; between them the head is anchored hourly when it moved. The thread
//! stops when its handle says so.

use crate::domain::sofia;
use crate::service::{
    backup::{prune, write_snapshot, AUTO},
    Service,
};
use chrono::{NaiveTime, Utc};
use std::{
    io,
    path::{Path, PathBuf},
    sync::{mpsc, Arc},
    thread::JoinHandle,
    time::Duration,
};

/// The running snapshot thread; `stop` (or dropping it) ends it.
pub struct Snapshots {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Snapshots {
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        self.stop.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Snapshots {
    fn drop(&mut self) {
        self.halt();
    }
}

/// Time until 00:05 tomorrow in Sofia, when the office is closed (a real duration: the night
/// the clocks change is an hour shorter or longer).
fn until_tomorrow() -> Duration {
    let now = Utc::now();
    let at = NaiveTime::from_hms_opt(0, 5, 0).unwrap_or_default();
    let next = (sofia::local(now).date() + chrono::Days::new(1)).and_time(at);
    (sofia::instant(next) - now)
        .to_std()
        .unwrap_or(Duration::from_secs(3600))
}

/// How often the audit head is anchored between snapshots (when it moved).
const ANCHOR_EVERY: Duration = Duration::from_secs(3600);

/// One snapshot into `dir` and the retention after it, logged.
pub fn snapshot_once(svc: &Service, dir: &Path, keep: usize) {
    match write_snapshot(svc, dir, AUTO) {
        Ok((path, size)) => tracing::info!(path = %path.display(), size, "snapshot written"),
        Err(e) => tracing::error!(dir = %dir.display(), error = %e, "snapshot failed"),
    }
    match prune(dir, AUTO, keep) {
        Ok(deleted) => {
            for path in deleted {
                tracing::info!(path = %path.display(), "old snapshot deleted");
            }
        }
        Err(e) => tracing::error!(dir = %dir.display(), error = %e, "snapshot retention failed"),
    }
}

/// Starts the thread: a snapshot now, then one a day; at most `keep` automatic ones are kept.
pub fn start(svc: Arc<Service>, dir: PathBuf, keep: usize) -> io::Result<Snapshots> {
    let keep = keep.max(1);
    let (tx, rx) = mpsc::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("snapshots".into())
        .spawn(move || loop {
            snapshot_once(&svc, &dir, keep);
            let next = std::time::Instant::now() + until_tomorrow();
            loop {
                let left = next.saturating_duration_since(std::time::Instant::now());
                if left.is_zero() {
                    break;
                }
                match rx.recv_timeout(left.min(ANCHOR_EVERY)) {
                    Err(mpsc::RecvTimeoutError::Timeout) => svc.anchor_if_moved("hourly"),
                    // Told to stop, or the handle is gone.
                    _ => return,
                }
            }
        })?;
    Ok(Snapshots {
        stop: Some(tx),
        thread: Some(thread),
    })
}
