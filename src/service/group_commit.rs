//! Group commit: commands apply their transactions one at a time under the writer lock, then
//! wait until a flush + fsync covers them. Whoever finds no sync running starts one for
//! everything applied so far; the others wait for it, so saves that queue up while one fsync
//! runs share the next.
//!
//! A failed sync is final: its caller, every waiter it covered and every transaction applied
//! after it get an error, and no sync runs again (a retried fsync may succeed after the kernel
//! dropped the pages the failed one should have written: the fsyncgate trap).

use crate::store::error::StoreError;
use std::sync::{Condvar, Mutex};

#[derive(Default)]
pub struct GroupCommit {
    state: Mutex<State>,
    done: Condvar,
}

#[derive(Default)]
struct State {
    /// Transactions applied (in memory), numbered in commit order.
    applied: u64,
    /// Every transaction up to this number is on disk.
    synced: u64,
    syncing: bool,
    /// Why a sync failed, once one has: nothing after it is ever acknowledged.
    failed: Option<String>,
    /// Flush + fsync calls that succeeded (for the benchmarks' saves-per-sync figure).
    syncs: u64,
}

impl GroupCommit {
    /// Numbers a transaction just applied. Called under the writer lock, so numbers follow
    /// commit order.
    pub fn applied(&self) -> u64 {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        st.applied += 1;
        st.applied
    }

    /// The number of the last transaction applied. Called under the writer lock.
    pub fn last_applied(&self) -> u64 {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).applied
    }

    /// Returns once transaction `seq` is on disk, running `sync` if no one else is.
    pub fn durable(
        &self,
        seq: u64,
        sync: impl Fn() -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if st.synced >= seq {
                return Ok(());
            }
            if let Some(why) = &st.failed {
                return Err(StoreError::ReadOnly { why: why.clone() });
            }
            if st.syncing {
                st = self.done.wait(st).unwrap_or_else(|p| p.into_inner());
                continue;
            }
            st.syncing = true;
            let target = st.applied;
            drop(st);
            let result = sync();
            st = self.state.lock().unwrap_or_else(|p| p.into_inner());
            st.syncing = false;
            match &result {
                Ok(()) => {
                    st.synced = st.synced.max(target);
                    st.syncs += 1;
                }
                Err(e) => {
                    st.failed.get_or_insert_with(|| e.to_string());
                }
            }
            self.done.notify_all();
            result?;
        }
    }

    pub fn syncs(&self) -> u64 {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).syncs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{
        atomic::{AtomicU64, Ordering},
        mpsc, Arc,
    };
    use std::thread::JoinHandle;

    type Done = JoinHandle<Result<(), StoreError>>;

    /// A leader whose sync (counted in `calls`) runs until the returned sender is signalled,
    /// then succeeds, or fails with EIO when `fail`; returns once that sync is running.
    fn held_sync(
        gc: &Arc<GroupCommit>,
        calls: &Arc<AtomicU64>,
        seq: u64,
        fail: bool,
    ) -> (Done, mpsc::Sender<()>) {
        let (started_tx, started) = mpsc::channel();
        let (go, go_rx) = mpsc::channel::<()>();
        let (gc, calls) = (Arc::clone(gc), Arc::clone(calls));
        let leader = std::thread::spawn(move || {
            gc.durable(seq, || {
                calls.fetch_add(1, Ordering::SeqCst);
                started_tx.send(()).unwrap();
                go_rx.recv().unwrap();
                match fail {
                    true => Err(StoreError::Io("EIO".into())),
                    false => Ok(()),
                }
            })
        });
        started.recv().unwrap();
        (leader, go)
    }

    /// Callers waiting for these transactions, each able to run a (counted) sync.
    fn waiters(gc: &Arc<GroupCommit>, calls: &Arc<AtomicU64>, seqs: &[u64]) -> Vec<Done> {
        seqs.iter()
            .map(|&seq| {
                let (gc, calls) = (Arc::clone(gc), Arc::clone(calls));
                std::thread::spawn(move || {
                    gc.durable(seq, || {
                        calls.fetch_add(1, Ordering::SeqCst);
                        Ok(())
                    })
                })
            })
            .collect()
    }

    /// Transactions applied while a sync runs are covered together by the next one.
    #[test]
    fn transactions_queued_during_a_sync_share_the_next() {
        let gc = Arc::new(GroupCommit::default());
        let calls = Arc::new(AtomicU64::new(0));
        let first = gc.applied();
        let (leader, go) = held_sync(&gc, &calls, first, false);
        // Applied while the first sync runs.
        let queued: Vec<u64> = (0..5).map(|_| gc.applied()).collect();
        let waiting = waiters(&gc, &calls, &queued);
        go.send(()).unwrap();
        leader.join().unwrap().unwrap();
        for w in waiting {
            w.join().unwrap().unwrap();
        }
        assert_eq!(
            calls.load(Ordering::SeqCst),
            2,
            "six transactions, two syncs"
        );
        assert_eq!(gc.syncs(), 2);
    }

    /// A failed sync fails its caller and every waiter it covered, and every later
    /// transaction, without running sync again.
    #[test]
    fn a_failed_sync_is_final() {
        let gc = Arc::new(GroupCommit::default());
        let calls = Arc::new(AtomicU64::new(0));
        let first = gc.applied();
        let covered: Vec<u64> = (0..3).map(|_| gc.applied()).collect();
        let (leader, go) = held_sync(&gc, &calls, first, true);
        let waiting = waiters(&gc, &calls, &covered);
        go.send(()).unwrap();
        assert!(leader.join().unwrap().is_err());
        for w in waiting {
            assert!(matches!(
                w.join().unwrap(),
                Err(StoreError::ReadOnly { .. })
            ));
        }
        let later = gc.applied();
        let calls2 = Arc::clone(&calls);
        let err = gc.durable(later, move || {
            calls2.fetch_add(1, Ordering::SeqCst);
            Ok(())
        });
        assert!(matches!(err, Err(StoreError::ReadOnly { ref why }) if why.contains("EIO")));
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "the failed sync is never retried"
        );
        assert_eq!(gc.syncs(), 0);
    }
}
