//! The service: the one API over the store. Commands and queries, access control by role, the
//! audit log and optimistic concurrency (every update names the rev it was based on).

pub mod access;
pub mod api;
mod audit;
mod check;
mod commands;
pub mod error;
mod memindex;
pub(crate) mod search;

pub use api::{Api, ApiExt, CheckReport, Hit, Request, Response};
pub use error::ServiceError;

use crate::domain::{
    audit::{AuditAction, AuditEntry, FieldChange},
    clerk::{Clerk, Role},
    record::{Body, Kind, Meta, Record},
    settings::Settings,
    Lang,
};
use crate::store::{
    error::StoreError, index, index::Index, schema::VersionedSettings, OpenMode, Store, WriteSet,
};
use access::Action;
use chrono::NaiveDateTime;
use memindex::MemIndex;
use std::{
    path::Path,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex, RwLock,
    },
    thread,
};

/// Where "now" comes from; tests fix it.
pub type Clock = Arc<dyn Fn() -> NaiveDateTime + Send + Sync>;

pub fn system_clock() -> Clock {
    Arc::new(|| chrono::Local::now().naive_local())
}

pub struct Service {
    store: Arc<Store>,
    clock: Clock,
    mem: Arc<RwLock<MemState>>,
    builder: Mutex<Option<thread::JoinHandle<()>>>,
    stop: Arc<AtomicBool>,
}

/// The memory search index: being built (changes meanwhile are queued), ready, or given up
/// (search then stays on the sled index trees).
enum MemState {
    Building(Vec<(Option<Record>, Record)>),
    Ready(MemIndex),
    Failed,
}

/// Records read per step of the background build; the service may close between steps.
const BUILD_CHUNK: usize = 2000;

/// Builds the memory index in steps, stopping early when the service closes.
fn build_mem_index(store: Arc<Store>, mem: Arc<RwLock<MemState>>, stop: Arc<AtomicBool>) {
    let mut idx = MemIndex::default();
    for kind in memindex::KINDS {
        let mut after = None;
        loop {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            let chunk: Result<Vec<Record>, _> = store.scan(kind, after).take(BUILD_CHUNK).collect();
            let Ok(chunk) = chunk else {
                *mem.write().unwrap_or_else(|e| e.into_inner()) = MemState::Failed;
                return;
            };
            let Some(last) = chunk.last() else { break };
            after = Some(last.id());
            for r in &chunk {
                idx.apply(None, r);
            }
        }
    }
    let mut m = mem.write().unwrap_or_else(|e| e.into_inner());
    if let MemState::Building(pending) = std::mem::replace(&mut *m, MemState::Failed) {
        for (old, new) in &pending {
            idx.apply(old.as_ref(), new);
        }
    }
    *m = MemState::Ready(idx);
}

impl Drop for Service {
    fn drop(&mut self) {
        // The builder stops at its next step; wait for it, so the database is really closed
        // (its lock released) when the service is gone.
        self.stop.store(true, Ordering::Relaxed);
        let handle = self
            .builder
            .get_mut()
            .map(|h| h.take())
            .unwrap_or_else(|e| e.into_inner().take());
        if let Some(h) = handle {
            let _ = h.join();
        }
    }
}

/// The largest page a list or search returns.
pub const MAX_PAGE: u32 = 1000;

impl Service {
    /// Opens an existing database.
    pub fn open(dir: &Path, clock: Clock) -> Result<Arc<Service>, StoreError> {
        let (store, _) = Store::open(dir, OpenMode::Existing)?;
        Ok(Service::start(Service::new(store, clock)))
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
        let svc = Service::new(store, clock);
        if created {
            svc.initialise(creator, creator_name, settings)?;
        }
        Ok((Service::start(svc), created))
    }

    fn new(store: Store, clock: Clock) -> Service {
        Service {
            store: Arc::new(store),
            clock,
            mem: Arc::new(RwLock::new(MemState::Building(Vec::new()))),
            builder: Mutex::new(None),
            stop: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Shares the service and starts building its memory search index.
    fn start(svc: Service) -> Arc<Service> {
        let (store, mem, stop) = (
            Arc::clone(&svc.store),
            Arc::clone(&svc.mem),
            Arc::clone(&svc.stop),
        );
        let handle = thread::Builder::new()
            .name("search-index".into())
            .spawn(move || build_mem_index(store, mem, stop));
        match handle {
            Ok(h) => *svc.builder.lock().unwrap_or_else(|e| e.into_inner()) = Some(h),
            Err(_) => *svc.mem.write().unwrap_or_else(|e| e.into_inner()) = MemState::Failed,
        }
        Arc::new(svc)
    }

    /// Whether search is served from memory yet (tests and benchmarks wait for it).
    pub fn search_index_ready(&self) -> bool {
        matches!(
            *self.mem.read().unwrap_or_else(|e| e.into_inner()),
            MemState::Ready(_)
        )
    }

    /// Applies a committed change to the memory index (after the commit, never inside it).
    pub(crate) fn indexed(&self, old: Option<&Record>, new: &Record) {
        if !memindex::KINDS.contains(&new.kind()) {
            return;
        }
        match &mut *self.mem.write().unwrap_or_else(|e| e.into_inner()) {
            MemState::Building(pending) => pending.push((old.cloned(), new.clone())),
            MemState::Ready(idx) => idx.apply(old, new),
            MemState::Failed => {}
        }
    }

    fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>, StoreError> {
        let m = self.mem.read().unwrap_or_else(|e| e.into_inner());
        let mem = match &*m {
            MemState::Ready(idx) => Some(idx),
            _ => None,
        };
        search::search(&self.store, mem, query, limit)
    }

    fn initialise(&self, login: &str, name: &str, settings: Settings) -> Result<(), ServiceError> {
        let _w = self.store.writer();
        let now = self.now();
        let clerk = Clerk {
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

    pub fn now(&self) -> NaiveDateTime {
        (self.clock)()
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

    fn settings(&self) -> Result<VersionedSettings, ServiceError> {
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
        let entry = AuditEntry {
            seq: 0,
            at: self.now(),
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
        if access::allowed(clerk.role, action) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden {
                role: clerk.role.name(Lang::Bg).to_string(),
                action: access::describe(action, Lang::Bg),
            })
        }
    }
}

impl Api for Session {
    fn call(&self, req: Request) -> Result<Response, ServiceError> {
        let svc = &*self.svc;
        // Re-read the account on every call: a clerk disabled meanwhile is stopped at once.
        let clerk = svc.clerk(&self.login)?;
        let store = &svc.store;
        match req {
            Request::WhoAmI => Ok(Response::Clerk(clerk)),
            Request::Get { kind, id } => {
                self.require(&clerk, Action::Read)?;
                store
                    .get(kind, id)?
                    .map(Response::Record)
                    .ok_or(ServiceError::NotFound { kind, id })
            }
            Request::List { kind, after, limit } => {
                self.require(&clerk, Action::Read)?;
                let records = store
                    .scan(kind, after)
                    .take(limit.min(MAX_PAGE) as usize)
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Response::Records(records))
            }
            Request::Related { id } => {
                self.require(&clerk, Action::Read)?;
                let mut out = Vec::new();
                for hit in store.index_scan(Index::Ref, &index::exact(&id.to_be_bytes())) {
                    let (kind, rid) = hit?;
                    if let Some(r) = store.get(kind, rid)? {
                        out.push(r);
                    }
                }
                Ok(Response::Records(out))
            }
            Request::Create { body } => {
                self.require(&clerk, Action::Write(body.kind()))?;
                commands::save(svc, &clerk, None, body).map(Response::Record)
            }
            Request::CreateMany { bodies } => {
                for b in &bodies {
                    self.require(&clerk, Action::Write(b.kind()))?;
                }
                commands::save_many(svc, &clerk, bodies).map(Response::Records)
            }
            Request::Update { id, base_rev, body } => {
                self.require(&clerk, Action::Write(body.kind()))?;
                commands::save(svc, &clerk, Some((id, base_rev)), body).map(Response::Record)
            }
            Request::Search { query, limit } => {
                self.require(&clerk, Action::Read)?;
                Ok(Response::Hits(
                    svc.search(&query, limit.min(MAX_PAGE) as usize)?,
                ))
            }
            Request::RevealIdent { person } => {
                self.require(&clerk, Action::Reveal)?;
                commands::reveal(svc, &clerk, person).map(Response::Ident)
            }
            Request::GetSettings => {
                self.require(&clerk, Action::Read)?;
                svc.settings().map(Response::Settings)
            }
            Request::UpdateSettings { base_rev, settings } => {
                self.require(&clerk, Action::ManageSettings)?;
                commands::update_settings(svc, &clerk, base_rev, settings).map(Response::Settings)
            }
            Request::AddClerk { login, name, role } => {
                self.require(&clerk, Action::ManageClerks)?;
                let body = Body::Clerk(Clerk {
                    login,
                    name,
                    role,
                    active: true,
                });
                commands::save(svc, &clerk, None, body).map(Response::Record)
            }
            Request::SetClerkActive { login, active } => {
                self.require(&clerk, Action::ManageClerks)?;
                let rec = svc
                    .clerk_record(&login)?
                    .ok_or(ServiceError::UnknownClerk {
                        login: login.clone(),
                    })?;
                let Body::Clerk(mut c) = rec.body.clone() else {
                    return Err(ServiceError::UnknownClerk { login });
                };
                c.active = active;
                commands::save(
                    svc,
                    &clerk,
                    Some((rec.meta.id, rec.meta.rev)),
                    Body::Clerk(c),
                )
                .map(Response::Record)
            }
            Request::ListClerks => {
                self.require(&clerk, Action::Read)?;
                let records = store
                    .scan(Kind::Clerk, None)
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Response::Clerks(records))
            }
            Request::Audit { after, limit } => {
                self.require(&clerk, Action::ReadAudit)?;
                let entries = store
                    .audit(after)
                    .take(limit.min(MAX_PAGE) as usize)
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Response::Audit(entries))
            }
            Request::Check => {
                self.require(&clerk, Action::Check)?;
                Ok(Response::Check(check::check(store)))
            }
        }
    }
}
