//! The request boundary: a panic inside one command becomes an `Internal` answer for that
//! request, logged for the administrator, instead of a dead connection thread and a client
//! waiting for an answer that never comes.
//!
//! Why the state stays consistent after a caught panic (and `AssertUnwindSafe` is sound here):
//! a command fills a private `WriteSet` under the writer lock and the store applies it only
//! after `build` returned, in one sled batch; a panic before that drops the write set and
//! nothing of the command reaches the store (at most an id from sled's generator is skipped).
//! A panic after the batch (updating the search memory, waiting for the fsync) would leave the
//! save applied but unannounced, which is why the answer tells the clerk to reload and look
//! rather than claiming nothing was saved. Every lock the service and the store take is
//! taken with `unwrap_or_else(|p| p.into_inner())`, so a guard dropped by the unwinding leaves
//! no lock that refuses the next caller. The session itself holds only its login and the
//! service.

use super::ServiceError;
use crate::domain::record::Body;
use std::{
    fmt::Write,
    panic::{catch_unwind, AssertUnwindSafe},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
};

/// Numbers the caught panics of this process, so a clerk's report meets its log line.
static INCIDENTS: AtomicU64 = AtomicU64::new(0);

/// Runs one request; a panic comes back as `ServiceError::Internal`. `what` names the request
/// for the log (its variant only: a request may carry a personal number).
pub(super) fn contain<T>(
    login: &str,
    what: &str,
    call: impl FnOnce() -> Result<T, ServiceError>,
) -> Result<T, ServiceError> {
    match catch_unwind(AssertUnwindSafe(call)) {
        Ok(answer) => answer,
        Err(payload) => {
            let incident = INCIDENTS.fetch_add(1, Ordering::Relaxed) + 1;
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(no message)".into());
            tracing::error!(
                "internal error, incident {incident}: {what} by {login} panicked: {message}"
            );
            Err(ServiceError::Internal { incident })
        }
    }
}

/// The variant name of a request (`Create`, `Search`...), at most a few dozen bytes of its
/// Debug form: the fields, which may hold an ЕГН, are cut off.
pub(super) fn request_name(req: &impl std::fmt::Debug) -> String {
    struct Head(String);
    impl Write for Head {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            for c in s.chars() {
                if !(c.is_ascii_alphanumeric() || c == '_') || self.0.len() >= 40 {
                    // Stops the formatting of the rest of the request.
                    return Err(std::fmt::Error);
                }
                self.0.push(c);
            }
            Ok(())
        }
    }
    let mut head = Head(String::new());
    let _ = write!(head, "{req:?}");
    head.0
}

#[doc(hidden)]
pub type FaultHook = Arc<dyn Fn(&Body) + Send + Sync>;

/// A test-only seam: a function every save calls with the body it is preparing, under the
/// writer lock. Tests make it panic to show what the boundary does; unset, it costs a lock.
#[derive(Default)]
pub(super) struct Fault(Mutex<Option<FaultHook>>);

impl Fault {
    pub(super) fn set(&self, hook: Option<FaultHook>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = hook;
    }

    pub(super) fn hit(&self, body: &Body) {
        // Cloned out first: the hook may panic, and must not do it holding this lock.
        let hook = self.0.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(hook) = hook {
            hook(body);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_hides_the_fields() {
        assert_eq!(contain("x", "Test", || Ok(5)), Ok(5));
        #[derive(Debug)]
        #[allow(dead_code)]
        enum R {
            Create { ident: String },
            WhoAmI,
        }
        let name = request_name(&R::Create {
            ident: "8032056031".into(),
        });
        assert_eq!(name, "Create");
        assert_eq!(request_name(&R::WhoAmI), "WhoAmI");
    }

    /// The administrator's log gets the incident, the request's name, the clerk and the panic's
    /// message; the answer carries the incident number alone. (The only test here that panics:
    /// a log callsite first hit on another thread without a subscriber can stay silenced.)
    #[test]
    fn the_panic_is_logged_with_its_incident() {
        #[derive(Clone, Default)]
        struct Buf(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Buf {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buf = Buf::default();
        let writer = buf.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let answer: Result<(), _> = tracing::subscriber::with_default(subscriber, || {
            contain("mpetrova", "Create", || panic!("index out of bounds"))
        });
        let Err(ServiceError::Internal { incident }) = answer else {
            panic!("{answer:?}")
        };
        let log = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        assert!(log.contains("ERROR"), "{log}");
        assert!(log.contains(&format!("incident {incident}")), "{log}");
        assert!(
            log.contains("Create by mpetrova panicked: index out of bounds"),
            "{log}"
        );
    }
}
