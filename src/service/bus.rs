//! Change events: after a save is on disk, every subscriber (the server's connections, an
//! in-process console) hears which records changed, so open lists and cards refresh.

use super::api::{Change, Changed, Notice};
use crate::domain::record::Record;
use crate::store::index;
use std::sync::{
    atomic::{AtomicBool, Ordering},
    mpsc::{channel, Receiver, Sender},
    Mutex,
};

/// Takes one change; false when the subscriber has gone.
pub type Subscriber = Box<dyn Fn(&Change) -> bool + Send>;

#[derive(Default)]
pub struct Bus {
    subscribers: Mutex<Vec<Subscriber>>,
    /// The read-only notice goes out once.
    read_only_told: AtomicBool,
}

impl Bus {
    pub fn subscribe(&self) -> Receiver<Change> {
        let (tx, rx): (Sender<Change>, _) = channel();
        self.subscribe_with(Box::new(move |c| tx.send(c.clone()).is_ok()));
        rx
    }

    /// A subscriber that forwards into a channel of its own kind (a connection's inbox).
    pub fn subscribe_with(&self, subscriber: Subscriber) {
        self.lock().push(subscriber);
    }

    /// Tells every subscriber; one that has gone is dropped.
    pub fn publish(&self, by: &str, records: &[Record]) {
        if records.is_empty() {
            return;
        }
        let change = Change {
            by: by.to_string(),
            records: records
                .iter()
                .map(|r| Changed {
                    kind: r.kind(),
                    id: r.id(),
                    rev: r.meta.rev,
                    refs: index::refs(r),
                })
                .collect(),
            notice: None,
        };
        self.lock().retain(|s| s(&change));
    }

    /// Tells every subscriber that saves are stopped, the first time only.
    pub fn read_only(&self) {
        if self.read_only_told.swap(true, Ordering::SeqCst) {
            return;
        }
        let change = Change {
            by: String::new(),
            records: Vec::new(),
            notice: Some(Notice::ReadOnly),
        };
        self.lock().retain(|s| s(&change));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Subscriber>> {
        self.subscribers.lock().unwrap_or_else(|p| p.into_inner())
    }
}
