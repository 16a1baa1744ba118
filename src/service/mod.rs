//! The service: the one API over the store. Commands and queries, access control by role, the
//! audit log and optimistic concurrency (every update names the rev it was based on).

pub mod access;
pub mod anchor;
pub mod api;
mod assistance;
mod audit;
pub mod backup;
mod bus;
mod check;
mod commands;
mod documents;
pub mod error;
mod export;
mod group_commit;
#[doc(hidden)]
pub mod guard;
mod handlers;
mod monthly;
pub mod paging;
mod privacy;
mod retries;
mod search;
mod search_index;
mod workflow;

pub use api::{
    new_request_id, Api, ApiExt, Change, Changed, CheckReport, Hit, Notice, Request, RequestId,
    Response, Saved,
};
pub use error::ServiceError;
pub use paging::{MAX_BATCH, MAX_PAGE};

use crate::domain::{
    audit::{AuditAction, AuditEntry, FieldChange},
    clerk::{Clerk, Role},
    record::{Body, Kind, Meta, Record},
    settings::Settings,
};
use crate::store::{
    error::StoreError, index, index::Index, schema::VersionedSettings, OpenMode, Store, WriteSet,
};
use access::Action;
use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use search_index::SearchIndex;
use std::{
    path::Path,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex, RwLock,
    },
    thread::JoinHandle,
};

/// Where "now" comes from, as an instant; tests fix it. The service reads it on Sofia's wall
/// clock (`domain::sofia`), whatever the server's own zone.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

pub fn system_clock() -> Clock {
    Arc::new(Utc::now)
}

/// Now on Sofia's wall clock, for what runs outside a service (file names, the nightly
/// snapshot, a command's "today").
pub fn sofia_now() -> NaiveDateTime {
    crate::domain::sofia::local(Utc::now())
}

pub struct Service {
    /// Shared with the thread that builds the search index.
    store: Arc<Store>,
    clock: Clock,
    search: Arc<SearchMemory>,
    builder: Mutex<Option<JoinHandle<()>>>,
    group: group_commit::GroupCommit,
    bus: bus::Bus,
    /// Where snapshots go (see `backup.rs`).
    snapshots: backup::Place,
    /// Who read which snapshot (one audit entry per copy, not per chunk).
    backup_reads: backup::Reads,
    /// The administrator's audit key, when one is set (see `anchor.rs`).
    audit_key: Mutex<Option<Arc<anchor::AuditKey>>>,
    /// The audit head last anchored, so a periodic anchor is written only when it moved.
    anchored: Mutex<Option<(u64, [u8; 32])>>,
    /// The key of the audit log's identifier hashes (kept in the meta tree).
    ident_key: std::sync::OnceLock<[u8; 32]>,
    reads: privacy::RecentReads,
    /// Test-only: called by every save under the writer lock (see `guard.rs`).
    fault: guard::Fault,
}

/// The in-memory search index and its life: built in the background after opening, then kept
/// current by every committed save.
#[derive(Default)]
struct SearchMemory {
    state: RwLock<MemState>,
    cancel: AtomicBool,
}

#[derive(Default)]
enum MemState {
    /// Saves committed meanwhile, in commit order, to replay onto the finished build.
    Building(Vec<Record>),
    Ready(Box<SearchIndex>),
    /// The build failed or was cancelled: the index trees serve.
    #[default]
    Off,
}

impl SearchMemory {
    fn build(&self, store: &Store) {
        let mut index = SearchIndex::default();
        for kind in SearchIndex::kinds() {
            for record in store.scan(kind, None) {
                if self.cancel.load(Ordering::Relaxed) {
                    return self.set_off();
                }
                match record {
                    Ok(r) => index.apply(&r, search::hit(&r, 0)),
                    Err(_) => return self.set_off(),
                }
            }
        }
        let mut state = self.state.write().unwrap_or_else(|p| p.into_inner());
        if let MemState::Building(pending) = std::mem::take(&mut *state) {
            for r in &pending {
                index.apply(r, search::hit(r, 0));
            }
            if index.usable() {
                *state = MemState::Ready(Box::new(index));
            }
        }
        drop(state);
        release_free_memory();
    }

    fn set_off(&self) {
        *self.state.write().unwrap_or_else(|p| p.into_inner()) = MemState::Off;
    }

    /// Called after a commit, under the writer lock, so changes arrive in commit order.
    fn committed(&self, records: &[Record]) {
        let mut records = records
            .iter()
            .filter(|r| SearchIndex::holds(r.kind()))
            .peekable();
        if records.peek().is_none() {
            return;
        }
        let mut state = self.state.write().unwrap_or_else(|p| p.into_inner());
        match &mut *state {
            MemState::Building(pending) => pending.extend(records.cloned()),
            MemState::Ready(index) => {
                for r in records {
                    index.apply(r, search::hit(r, 0));
                }
                if !index.usable() {
                    *state = MemState::Off;
                }
            }
            MemState::Off => {}
        }
    }
}

/// Hands memory freed by the index build (decoded records, scratch) back to the system:
/// glibc keeps it otherwise, and the server's memory target counts resident pages.
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free heap pages; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

impl Service {
    /// Opens an existing database.
    pub fn open(dir: &Path, clock: Clock) -> Result<Arc<Service>, StoreError> {
        let (store, _) = Store::open(dir, OpenMode::Existing)?;
        let svc = Service::with_store(store, clock);
        svc.on_open().map_err(|e| StoreError::Sled(e.to_string()))?;
        Ok(Arc::new(svc))
    }

    /// Loads (or makes, once per database) the identifier-hash key, and forgets what has
    /// expired: request ids of creates, drafts older than the settings allow.
    fn on_open(&self) -> Result<(), ServiceError> {
        let _w = self.store.writer();
        let mut ws = WriteSet::default();
        let key = match self.store.meta_get(privacy::KEY_NAME)? {
            Some(k) if k.len() == 32 => k.as_slice().try_into().unwrap_or([0; 32]),
            _ => {
                let k = privacy::new_key().map_err(|e| ServiceError::Store(e.to_string()))?;
                ws.put(
                    crate::store::Target::Meta,
                    privacy::KEY_NAME.to_vec(),
                    k.to_vec(),
                );
                k
            }
        };
        let _ = self.ident_key.set(key);
        let now = self.now();
        retries::expire(self, &mut ws, now)?;
        let settings = self.settings()?.settings;
        for (login, d) in self.store.every_draft()? {
            if commands::draft_expired(&d, &settings, now) {
                Store::remove_draft(&mut ws, &login, &d.key);
            }
        }
        self.store.commit(ws)?;
        Ok(())
    }

    fn ident_key(&self) -> &[u8; 32] {
        self.ident_key.get().unwrap_or(&[0; 32])
    }

    /// Wraps an open store and starts building the search index in the background: opening
    /// must not wait for it (search uses the index trees meanwhile).
    fn with_store(store: Store, clock: Clock) -> Service {
        let store = Arc::new(store);
        let search = Arc::new(SearchMemory {
            state: RwLock::new(MemState::Building(Vec::new())),
            cancel: AtomicBool::new(false),
        });
        let builder = {
            let (store, search) = (Arc::clone(&store), Arc::clone(&search));
            std::thread::Builder::new()
                .name("search-index".into())
                .spawn(move || search.build(&store))
                .ok()
        };
        if builder.is_none() {
            search.set_off();
        }
        Service {
            store,
            clock,
            search,
            builder: Mutex::new(builder),
            group: Default::default(),
            bus: Default::default(),
            snapshots: backup::Place::default(),
            backup_reads: Default::default(),
            audit_key: Default::default(),
            anchored: Default::default(),
            ident_key: Default::default(),
            reads: Default::default(),
            fault: guard::Fault::default(),
        }
    }

    /// Test-only seam: `hook` sees every body a save prepares, under the writer lock (a test
    /// makes it panic to show the request boundary at work). None removes it.
    #[doc(hidden)]
    pub fn inject_fault(&self, hook: Option<guard::FaultHook>) {
        self.fault.set(hook);
    }

    /// Waits until the background build of the search index has finished; returns whether
    /// search is now served from memory.
    pub fn wait_search_index(&self) -> bool {
        let handle = self
            .builder
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(h) = handle {
            let _ = h.join();
        }
        matches!(
            &*self.search.state.read().unwrap_or_else(|p| p.into_inner()),
            MemState::Ready(_)
        )
    }

    /// Approximate bytes the in-memory search index holds, once it is ready.
    pub fn search_index_bytes(&self) -> Option<usize> {
        match &*self.search.state.read().unwrap_or_else(|p| p.into_inner()) {
            MemState::Ready(index) => Some(index.approx_bytes()),
            _ => None,
        }
    }

    /// Search as a session runs it (memory when ready, else the index trees), without the
    /// access check.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>, StoreError> {
        let state = self.search.state.read().unwrap_or_else(|p| p.into_inner());
        match &*state {
            MemState::Ready(index) => search::search(&self.store, Some(index), query, limit),
            _ => {
                drop(state);
                search::search(&self.store, None, query, limit)
            }
        }
    }

    /// Search on the index trees only (the reference the memory index is tested against).
    pub fn search_sled(&self, query: &str, limit: usize) -> Result<Vec<Hit>, StoreError> {
        search::search(&self.store, None, query, limit)
    }

    /// Search on the memory index only; None until it is ready.
    pub fn search_memory(&self, query: &str, limit: usize) -> Result<Option<Vec<Hit>>, StoreError> {
        match &*self.search.state.read().unwrap_or_else(|p| p.into_inner()) {
            MemState::Ready(index) => {
                search::search(&self.store, Some(index), query, limit).map(Some)
            }
            _ => Ok(None),
        }
    }

    /// Runs one command: under the writer lock `build` reads what it needs and fills a write
    /// set, which is applied at once (commands are applied one at a time, in order); then,
    /// outside the lock, the command waits for a flush + fsync that covers it, shared with the
    /// commands queued meanwhile (group commit). Only then is it acknowledged and announced.
    /// `build` returns its answer and the records it saved. Once a sync has failed, every
    /// command is refused (`ServiceError::ReadOnly`) and every clerk is told once.
    fn write<T>(
        &self,
        by: &str,
        build: impl FnOnce(&mut WriteSet) -> Result<(T, Vec<Record>), ServiceError>,
    ) -> Result<T, ServiceError> {
        let result = self.write_inner(by, build);
        if let Err(ServiceError::ReadOnly) = &result {
            self.bus.read_only();
        }
        result
    }

    fn write_inner<T>(
        &self,
        by: &str,
        build: impl FnOnce(&mut WriteSet) -> Result<(T, Vec<Record>), ServiceError>,
    ) -> Result<T, ServiceError> {
        let (answer, records, seq) = {
            let _writer = self.store.writer();
            self.store.writable()?;
            let mut ws = WriteSet::default();
            let (answer, records) = build(&mut ws)?;
            if ws.is_empty() {
                // Nothing to write, but the answer may rest on an earlier save (a create sent
                // again): it leaves only once everything applied so far is on disk.
                let seq = self.group.last_applied();
                drop(_writer);
                self.group.durable(seq, || self.store.sync())?;
                return Ok(answer);
            }
            self.store.apply(ws)?;
            let seq = self.group.applied();
            self.search.committed(&records);
            (answer, records, seq)
        };
        self.group.durable(seq, || self.store.sync())?;
        self.bus.publish(by, &records);
        Ok(answer)
    }

    /// Records (of `kind`, or any) that point to `id`: a person's intakes, an agreement's
    /// reports and suspensions.
    fn referring(&self, id: u64, kind: Option<Kind>) -> Result<Vec<Record>, ServiceError> {
        let mut out = Vec::new();
        for hit in self
            .store
            .index_scan(Index::Ref, &index::exact(&id.to_be_bytes()))
        {
            let (k, rid) = hit?;
            if kind.is_none_or(|want| want == k) {
                out.extend(self.store.get(k, rid)?);
            }
        }
        Ok(out)
    }

    /// One page of `referring`, in (kind, id) order after `after`.
    fn referring_page(
        &self,
        id: u64,
        after: Option<(Kind, u64)>,
        limit: u32,
    ) -> Result<Vec<Record>, ServiceError> {
        let records = self
            .store
            .index_scan(Index::Ref, &index::exact(&id.to_be_bytes()))
            .filter(|hit| match (hit, after) {
                (Ok((k, rid)), Some((ak, aid))) => (k.code(), *rid) > (ak.code(), aid),
                _ => true,
            })
            .map(|hit| -> Result<Option<Record>, ServiceError> {
                let (k, rid) = hit?;
                Ok(self.store.get(k, rid)?)
            })
            .filter_map(Result::transpose);
        paging::page(records, limit)
    }

    /// Anchors the audit head from now on with this key (see `anchor.rs`).
    pub fn set_audit_key(&self, key: anchor::AuditKey) {
        *self.audit_key.lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(key));
    }

    fn audit_key(&self) -> Option<Arc<anchor::AuditKey>> {
        self.audit_key
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Puts the audit chain's head (sequence, hash) on the record outside the database: a line
    /// in the server's log and, with an audit key, a keyed line in the anchor file. `why` says
    /// when (start, snapshot, backup, hourly, stop). Failures are logged, never fatal.
    pub fn anchor_head(&self, why: &str) {
        let head = {
            let _writer = self.store.writer();
            self.store.audit_head()
        };
        let (seq, hash) = match head {
            Ok(h) => h,
            Err(e) => return tracing::error!(error = %e, "audit head unreadable"),
        };
        let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
        tracing::info!(seq, hash = %hex, why, "audit head");
        if let Some(key) = self.audit_key() {
            if let Err(e) = key.append(self.now(), why, (seq, hash)) {
                tracing::error!(
                    file = %key.anchor_file().display(),
                    error = %e,
                    "audit anchor not written"
                );
            }
        }
        *self.anchored.lock().unwrap_or_else(|p| p.into_inner()) = Some((seq, hash));
    }

    /// `anchor_head` when the head moved since the last anchor.
    pub fn anchor_if_moved(&self, why: &str) {
        let last = *self.anchored.lock().unwrap_or_else(|p| p.into_inner());
        if last.is_none() || self.store.audit_head().ok() != last {
            self.anchor_head(why);
        }
    }

    /// Every anchor of the audit chain this service can see: its snapshot directory and, with
    /// an audit key, the anchor file.
    pub fn anchors(&self) -> anchor::Anchors {
        let mut found = anchor::Anchors::default();
        found.add_snapshots(&self.snapshot_dir().0);
        if let Some(key) = self.audit_key() {
            found.add_file(&key);
        }
        found
    }

    /// Change events of every save from now on.
    pub fn subscribe(&self) -> std::sync::mpsc::Receiver<Change> {
        self.bus.subscribe()
    }

    /// Change events handed to `f` (on the saving thread) until it returns false.
    pub fn subscribe_with(&self, f: impl Fn(&Change) -> bool + Send + 'static) {
        self.bus.subscribe_with(Box::new(f))
    }

    /// Why saves are stopped, once a flush or fsync has failed (reads keep working).
    pub fn read_only(&self) -> Option<String> {
        self.store.read_only().map(str::to_string)
    }

    /// How many flush + fsync calls saves have needed so far (fewer than saves under load).
    pub fn syncs(&self) -> u64 {
        self.group.syncs()
    }

    /// Opens the database, creating it when there is none: the Unix user who creates it becomes
    /// its first administrator. Returns whether it was created.
    pub fn open_or_create(
        dir: &Path,
        creator: &str,
        creator_name: &str,
        settings: Settings,
        clock: Clock,
    ) -> Result<(Arc<Service>, bool), ServiceError> {
        let (store, created) = Store::open(dir, OpenMode::CreateIfMissing)?;
        let svc = Service::with_store(store, clock);
        if created {
            svc.initialise(creator, creator_name, settings)?;
        }
        svc.on_open()?;
        Ok((Arc::new(svc), created))
    }

    fn initialise(&self, login: &str, name: &str, settings: Settings) -> Result<(), ServiceError> {
        let _w = self.store.writer();
        let now = self.now();
        let mut clerk = Clerk {
            login: login.to_string(),
            name: name.to_string(),
            role: Role::Admin,
            active: true,
        };
        clerk.validate().map_err(ServiceError::Invalid)?;
        let mut ws = WriteSet::default();
        Store::mark_initialised(&mut ws);
        Store::put_settings(&mut ws, &VersionedSettings { rev: 1, settings })?;
        let record = Record {
            meta: Meta {
                id: self.store.new_id()?,
                rev: 1,
                created: now,
                updated: now,
                by: login.to_string(),
            },
            body: Body::Clerk(clerk),
        };
        ws.put_record(None, &record)?;
        self.append_audit(&mut ws, login, AuditAction::Init, None, None, Vec::new())?;
        self.store.commit(ws)?;
        Ok(())
    }

    /// Now on Sofia's wall clock: what records and "today" are dated with.
    pub fn now(&self) -> NaiveDateTime {
        crate::domain::sofia::local((self.clock)())
    }

    /// The same with its offset from UTC (the audit log keeps it: the autumn's repeated hour
    /// stays in order).
    pub fn now_offset(&self) -> DateTime<FixedOffset> {
        crate::domain::sofia::at((self.clock)())
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// A session for a Unix login: refused if the login is not an active clerk.
    pub fn session(self: &Arc<Self>, login: &str) -> Result<Session, ServiceError> {
        self.clerk(login)?;
        Ok(Session {
            svc: Arc::clone(self),
            login: login.to_string(),
        })
    }

    fn clerk_record(&self, login: &str) -> Result<Option<Record>, ServiceError> {
        let hit = self
            .store
            .index_scan(Index::Login, &index::exact(login.as_bytes()))
            .next()
            .transpose()?;
        match hit {
            Some((kind, id)) => Ok(self.store.get(kind, id)?),
            None => Ok(None),
        }
    }

    fn clerk(&self, login: &str) -> Result<Clerk, ServiceError> {
        match self.clerk_record(login)? {
            Some(Record {
                body: Body::Clerk(c),
                ..
            }) if c.active => Ok(c),
            Some(_) => Err(ServiceError::Disabled {
                login: login.to_string(),
            }),
            None => Err(ServiceError::UnknownClerk {
                login: login.to_string(),
            }),
        }
    }

    /// The settings as stored (the defaults before any were saved).
    pub fn settings(&self) -> Result<VersionedSettings, ServiceError> {
        Ok(self.store.settings()?.unwrap_or(VersionedSettings {
            rev: 0,
            settings: Settings::default(),
        }))
    }

    /// Seals an audit entry onto the chain inside the command's write set. Callers hold the
    /// writer lock, so the head cannot move underneath.
    fn append_audit(
        &self,
        ws: &mut WriteSet,
        login: &str,
        action: AuditAction,
        kind: Option<Kind>,
        id: Option<u64>,
        changes: Vec<FieldChange>,
    ) -> Result<(), ServiceError> {
        let now = self.now_offset();
        let entry = AuditEntry {
            seq: 0,
            at: now.naive_local(),
            offset: Some(now.offset().local_minus_utc()),
            login: login.to_string(),
            action,
            kind,
            id,
            changes,
            prev_hash: [0; 32],
            hash: [0; 32],
        };
        self.store.append_audit(ws, entry)?;
        Ok(())
    }
}

impl Drop for Service {
    /// Stops a build still running, so that the store is closed when the service is dropped.
    fn drop(&mut self) {
        self.search.cancel.store(true, Ordering::Relaxed);
        if let Some(h) = self
            .builder
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            let _ = h.join();
        }
    }
}

/// A clerk's session: every call is checked against the clerk's current role.
pub struct Session {
    svc: Arc<Service>,
    login: String,
}

impl Session {
    pub fn login(&self) -> &str {
        &self.login
    }

    pub fn service(&self) -> &Arc<Service> {
        &self.svc
    }

    fn require(&self, clerk: &Clerk, action: Action) -> Result<(), ServiceError> {
        handlers::require(clerk, action)
    }
}

impl Api for Session {
    fn subscribe(&self) -> Option<std::sync::mpsc::Receiver<Change>> {
        Some(self.svc.subscribe())
    }

    /// The request boundary: a panic inside the command is answered as an internal error for
    /// this request alone (see `guard.rs` for why the state stays consistent).
    fn call(&self, req: Request) -> Result<Response, ServiceError> {
        // Exports and documents are the answers that carry identifiers in full (each audited).
        let full = matches!(req, Request::Export { .. } | Request::Document { .. });
        let what = guard::request_name(&req);
        let mut answer = guard::contain(&self.login, &what, || self.dispatch(req));
        if !full {
            privacy::mask(&mut answer);
        }
        answer
    }
}

impl Session {
    fn dispatch(&self, req: Request) -> Result<Response, ServiceError> {
        // Re-read the account on every call: a clerk disabled meanwhile is stopped at once.
        let clerk = self.svc.clerk(&self.login)?;
        api::dispatch(
            &handlers::Caller {
                svc: &self.svc,
                clerk,
            },
            req,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        person::Person,
        settings::{Settings, Settlement},
    };

    /// A save committed while the build scans is replayed onto the finished build, over the
    /// older version the scan read.
    #[test]
    fn saves_queued_during_the_build_win_over_the_scan() {
        let dir = tempfile::tempdir().unwrap();
        let (svc, _) = Service::open_or_create(
            &dir.path().join("db"),
            "admin",
            "Админ",
            Settings {
                settlements: vec![Settlement {
                    ekatte: "99001".into(),
                    name: "Тестово".into(),
                }],
                ..Settings::default()
            },
            system_clock(),
        )
        .unwrap();
        let s = svc.session("admin").unwrap();
        let rec = s
            .create(Body::Person(Person {
                first_name: "Иван".into(),
                last_name: "Иванов".into(),
                settlement: "99001".into(),
                ..Person::default()
            }))
            .unwrap();
        let mut renamed = rec.clone();
        if let Body::Person(p) = &mut renamed.body {
            p.last_name = "Петров".into();
        }
        let memory = SearchMemory {
            state: RwLock::new(MemState::Building(Vec::new())),
            cancel: AtomicBool::new(false),
        };
        memory.committed(std::slice::from_ref(&renamed));
        memory.build(&svc.store);
        let state = memory.state.read().unwrap();
        let MemState::Ready(index) = &*state else {
            panic!("not ready")
        };
        let hits = search::search(&svc.store, Some(index), "петров", 5).unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].name, "Иван Петров");
        assert!(search::search(&svc.store, Some(index), "иванов", 5)
            .unwrap()
            .is_empty());
    }
}
