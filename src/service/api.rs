//! The one API: plain serde requests and answers, so the same calls work in process and over the
//! server's socket.

use super::error::ServiceError;
use crate::domain::{
    agenda::Agenda,
    audit::AuditEntry,
    clerk::{Clerk, Role},
    date::Month,
    draft::Draft,
    monthly::MonthlySummary,
    record::{Body, Kind, Record},
    referral::{Referral, ReferralStatus, ReferralWarning},
    settings::Settings,
};
use crate::store::schema::VersionedSettings;
use serde::{Deserialize, Serialize};
use std::sync::mpsc::Receiver;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Who am I: the caller's clerk account.
    WhoAmI,
    Get {
        kind: Kind,
        id: u64,
    },
    /// Records of a kind in id order, a page at a time.
    List {
        kind: Kind,
        after: Option<u64>,
        limit: u32,
    },
    /// Records that point to `id` (a person's intakes, an agreement's reports...), in (kind,
    /// id) order, a page at a time.
    Related {
        id: u64,
        after: Option<(Kind, u64)>,
        limit: u32,
    },
    /// A person's card is opened: the person, and a read entry in the audit log.
    OpenCard {
        person: u64,
    },
    /// `request` is the client's id for this create: sent again after a lost answer, it
    /// returns the record the first one made instead of making another.
    Create {
        body: Body,
        request: RequestId,
    },
    /// Creates all or none (at most `MAX_BATCH`), in one commit (imports, the demo's
    /// generated persons); answers with the new ids.
    CreateMany {
        bodies: Vec<Body>,
        request: RequestId,
    },
    /// `base_rev` is the rev the clerk's copy was loaded at.
    Update {
        id: u64,
        base_rev: u64,
        body: Body,
    },
    Search {
        query: String,
        limit: u32,
    },
    /// The full ЕГН/ЛНЧ of a person (audited).
    RevealIdent {
        person: u64,
    },
    GetSettings,
    UpdateSettings {
        base_rev: u64,
        settings: Settings,
    },
    AddClerk {
        login: String,
        name: String,
        role: Role,
    },
    SetClerkActive {
        login: String,
        active: bool,
    },
    ListClerks {
        after: Option<u64>,
        limit: u32,
    },
    Audit {
        after: Option<u64>,
        limit: u32,
    },
    Check,
    /// Keeps the caller's unsaved form (replaces the draft with the same key).
    SaveDraft {
        draft: Draft,
    },
    /// The caller's drafts, by key, a page at a time.
    Drafts {
        after: Option<String>,
        limit: u32,
    },
    /// Forgets one of the caller's drafts (saved or given up).
    DropDraft {
        key: String,
    },
    /// Whole records of a kind for an export, a page at a time (audited once per export).
    Export {
        kind: Kind,
        after: Option<u64>,
        limit: u32,
    },
    /// The monthly hours report: every agreement in force in the month.
    MonthlyReport {
        month: Month,
    },
    /// The server writes a snapshot into its snapshot directory (administrators; audited).
    Backup,
    /// A chunk (at most 1 MiB) of a snapshot in the snapshot directory; empty at its end.
    BackupRead {
        name: String,
        offset: u64,
    },
    /// The day's work: everything overdue, then due within `days` (expiries within the
    /// settings' alert days); `clerk` keeps that clerk's intakes and referrals (and everything
    /// that has no clerk).
    Agenda {
        days: u32,
        clerk: Option<String>,
    },
    /// Moves a referral one legal step on, recording who, when (today) and why; answers with
    /// the new version.
    ReferralStep {
        id: u64,
        base_rev: u64,
        to: ReferralStatus,
        note: String,
    },
    /// The warnings a referral would be saved with (shown before saving).
    ReferralWarnings {
        referral: Referral,
    },
}

/// One record a save changed, as subscribers hear of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Changed {
    pub kind: Kind,
    pub id: u64,
    pub rev: u64,
    /// The records it points to (its person, agreement...): a card showing one of them shows
    /// this one too.
    pub refs: Vec<u64>,
}

/// What one committed command changed, and which clerk did it; or, with no records, a notice
/// to every connected clerk about the service itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub by: String,
    pub records: Vec<Changed>,
    pub notice: Option<Notice>,
}

/// Service-wide news for every connected clerk; the console keeps it on its status line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Notice {
    /// A flush or fsync failed: saves are stopped, reads still work
    /// (`ServiceError::ReadOnly` explains it).
    ReadOnly,
}

impl Change {
    /// Whether a view showing these ids should reload.
    pub fn touches(&self, ids: &[u64]) -> bool {
        self.records
            .iter()
            .any(|c| ids.contains(&c.id) || c.refs.iter().any(|r| ids.contains(r)))
    }
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub kind: Kind,
    pub id: u64,
    pub name: String,
    /// ЕГН/ЛНЧ masked to the last four digits.
    pub ident: String,
    /// Birth date, settlement or number: what tells two hits apart.
    pub detail: String,
    pub score: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CheckReport {
    pub records: u64,
    pub index_entries: u64,
    pub audit_entries: u64,
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Response {
    Clerk(Clerk),
    Record(Record),
    Records(Vec<Record>),
    Hits(Vec<Hit>),
    Ident(String),
    Settings(VersionedSettings),
    Clerks(Vec<Record>),
    Audit(Vec<AuditEntry>),
    Check(CheckReport),
    Drafts(Vec<Draft>),
    Done,
    Monthly(MonthlySummary),
    /// A snapshot's file name in the snapshot directory and its size in bytes.
    Backup {
        name: String,
        size: u64,
    },
    Chunk(Vec<u8>),
    /// The ids of records a batch created, in the batch's order.
    Ids(Vec<u64>),
    Agenda(Agenda),
    Warnings(Vec<ReferralWarning>),
}

/// A client's id for one create; 0 means none (no protection against a retry).
pub type RequestId = u128;

/// A new id for a create: unique per clerk in practice (time, process and a counter).
pub fn new_request_id() -> RequestId {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(1);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    (nanos << 48) ^ (u128::from(std::process::id()) << 32) ^ u128::from(n) | 1
}

/// Pages every list-like call until an empty page: a page may hold fewer than asked when
/// its records are large (answers are bounded in bytes).
fn all_pages<T, C>(
    mut page: impl FnMut(Option<C>) -> Result<Vec<T>, ServiceError>,
    cursor: impl Fn(&T) -> C,
) -> Result<Vec<T>, ServiceError> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let items = page(after.take())?;
        match items.last() {
            None => return Ok(out),
            Some(last) => after = Some(cursor(last)),
        }
        out.extend(items);
    }
}

/// The connection to a server went down or came back (socket clients only; the console shows
/// it on its status line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    Lost,
    Back,
}

/// Anything that answers requests: the in-process session, and later the socket client.
pub trait Api {
    fn call(&self, req: Request) -> Result<Response, ServiceError>;

    /// Change events from now on; None when this connection cannot deliver them. The
    /// receiver is handed out once.
    fn subscribe(&self) -> Option<Receiver<Change>> {
        None
    }

    /// Notices of the connection going down and coming back; None in process. Handed out once.
    fn link_events(&self) -> Option<Receiver<Link>> {
        None
    }
}

fn unexpected(r: Response) -> ServiceError {
    ServiceError::BadRequest(format!("unexpected answer {r:?}"))
}

/// Typed calls over any `Api`.
pub trait ApiExt: Api {
    fn whoami(&self) -> Result<Clerk, ServiceError> {
        match self.call(Request::WhoAmI)? {
            Response::Clerk(c) => Ok(c),
            r => Err(unexpected(r)),
        }
    }

    fn get(&self, kind: Kind, id: u64) -> Result<Record, ServiceError> {
        match self.call(Request::Get { kind, id })? {
            Response::Record(r) => Ok(r),
            r => Err(unexpected(r)),
        }
    }

    fn list(
        &self,
        kind: Kind,
        after: Option<u64>,
        limit: u32,
    ) -> Result<Vec<Record>, ServiceError> {
        match self.call(Request::List { kind, after, limit })? {
            Response::Records(r) => Ok(r),
            r => Err(unexpected(r)),
        }
    }

    fn related_page(
        &self,
        id: u64,
        after: Option<(Kind, u64)>,
        limit: u32,
    ) -> Result<Vec<Record>, ServiceError> {
        match self.call(Request::Related { id, after, limit })? {
            Response::Records(r) => Ok(r),
            r => Err(unexpected(r)),
        }
    }

    /// Every record that points to `id`, page by page.
    fn related(&self, id: u64) -> Result<Vec<Record>, ServiceError> {
        all_pages(
            |after| self.related_page(id, after, 200),
            |r: &Record| (r.kind(), r.id()),
        )
    }

    /// The person of a card being opened (the read is audited).
    fn open_card(&self, person: u64) -> Result<Record, ServiceError> {
        match self.call(Request::OpenCard { person })? {
            Response::Record(r) => Ok(r),
            r => Err(unexpected(r)),
        }
    }

    /// A create that is safe to send again with the same `request` after a lost answer.
    fn create_once(&self, request: RequestId, body: Body) -> Result<Record, ServiceError> {
        match self.call(Request::Create { body, request })? {
            Response::Record(r) => Ok(r),
            r => Err(unexpected(r)),
        }
    }

    fn create(&self, body: Body) -> Result<Record, ServiceError> {
        self.create_once(new_request_id(), body)
    }

    /// The ids of the records created, in order.
    fn create_many(&self, bodies: Vec<Body>) -> Result<Vec<u64>, ServiceError> {
        match self.call(Request::CreateMany {
            bodies,
            request: new_request_id(),
        })? {
            Response::Ids(ids) => Ok(ids),
            r => Err(unexpected(r)),
        }
    }

    fn update(&self, id: u64, base_rev: u64, body: Body) -> Result<Record, ServiceError> {
        match self.call(Request::Update { id, base_rev, body })? {
            Response::Record(r) => Ok(r),
            r => Err(unexpected(r)),
        }
    }

    fn search(&self, query: &str, limit: u32) -> Result<Vec<Hit>, ServiceError> {
        match self.call(Request::Search {
            query: query.to_string(),
            limit,
        })? {
            Response::Hits(h) => Ok(h),
            r => Err(unexpected(r)),
        }
    }

    fn reveal_ident(&self, person: u64) -> Result<String, ServiceError> {
        match self.call(Request::RevealIdent { person })? {
            Response::Ident(s) => Ok(s),
            r => Err(unexpected(r)),
        }
    }

    fn settings(&self) -> Result<VersionedSettings, ServiceError> {
        match self.call(Request::GetSettings)? {
            Response::Settings(s) => Ok(s),
            r => Err(unexpected(r)),
        }
    }

    fn update_settings(
        &self,
        base_rev: u64,
        settings: Settings,
    ) -> Result<VersionedSettings, ServiceError> {
        match self.call(Request::UpdateSettings { base_rev, settings })? {
            Response::Settings(s) => Ok(s),
            r => Err(unexpected(r)),
        }
    }

    fn add_clerk(&self, login: &str, name: &str, role: Role) -> Result<Record, ServiceError> {
        match self.call(Request::AddClerk {
            login: login.into(),
            name: name.into(),
            role,
        })? {
            Response::Record(r) => Ok(r),
            r => Err(unexpected(r)),
        }
    }

    fn set_clerk_active(&self, login: &str, active: bool) -> Result<Record, ServiceError> {
        match self.call(Request::SetClerkActive {
            login: login.into(),
            active,
        })? {
            Response::Record(r) => Ok(r),
            r => Err(unexpected(r)),
        }
    }

    /// Every clerk account, page by page.
    fn clerks(&self) -> Result<Vec<Record>, ServiceError> {
        all_pages(
            |after| match self.call(Request::ListClerks { after, limit: 200 })? {
                Response::Clerks(c) => Ok(c),
                r => Err(unexpected(r)),
            },
            |r: &Record| r.id(),
        )
    }

    fn audit_log(&self, after: Option<u64>, limit: u32) -> Result<Vec<AuditEntry>, ServiceError> {
        match self.call(Request::Audit { after, limit })? {
            Response::Audit(a) => Ok(a),
            r => Err(unexpected(r)),
        }
    }

    fn save_draft(&self, draft: Draft) -> Result<(), ServiceError> {
        match self.call(Request::SaveDraft { draft })? {
            Response::Done => Ok(()),
            r => Err(unexpected(r)),
        }
    }

    /// Every draft of the caller, page by page.
    fn drafts(&self) -> Result<Vec<Draft>, ServiceError> {
        all_pages(
            |after| match self.call(Request::Drafts { after, limit: 50 })? {
                Response::Drafts(d) => Ok(d),
                r => Err(unexpected(r)),
            },
            |d: &Draft| d.key.clone(),
        )
    }

    fn drop_draft(&self, key: &str) -> Result<(), ServiceError> {
        match self.call(Request::DropDraft { key: key.into() })? {
            Response::Done => Ok(()),
            r => Err(unexpected(r)),
        }
    }

    fn check(&self) -> Result<CheckReport, ServiceError> {
        match self.call(Request::Check)? {
            Response::Check(c) => Ok(c),
            r => Err(unexpected(r)),
        }
    }

    fn export_page(
        &self,
        kind: Kind,
        after: Option<u64>,
        limit: u32,
    ) -> Result<Vec<Record>, ServiceError> {
        match self.call(Request::Export { kind, after, limit })? {
            Response::Records(r) => Ok(r),
            r => Err(unexpected(r)),
        }
    }

    fn monthly_report(&self, month: Month) -> Result<MonthlySummary, ServiceError> {
        match self.call(Request::MonthlyReport { month })? {
            Response::Monthly(m) => Ok(m),
            r => Err(unexpected(r)),
        }
    }

    /// (file name, size) of a snapshot the service wrote.
    fn backup(&self) -> Result<(String, u64), ServiceError> {
        match self.call(Request::Backup)? {
            Response::Backup { name, size } => Ok((name, size)),
            r => Err(unexpected(r)),
        }
    }

    fn backup_read(&self, name: &str, offset: u64) -> Result<Vec<u8>, ServiceError> {
        match self.call(Request::BackupRead {
            name: name.into(),
            offset,
        })? {
            Response::Chunk(c) => Ok(c),
            r => Err(unexpected(r)),
        }
    }

    /// The agenda for `days` ahead, of one clerk or of all.
    fn agenda(&self, days: u32, clerk: Option<&str>) -> Result<Agenda, ServiceError> {
        match self.call(Request::Agenda {
            days,
            clerk: clerk.map(str::to_string),
        })? {
            Response::Agenda(a) => Ok(a),
            r => Err(unexpected(r)),
        }
    }

    /// One step of a referral; the new version.
    fn referral_step(
        &self,
        id: u64,
        base_rev: u64,
        to: ReferralStatus,
        note: &str,
    ) -> Result<Record, ServiceError> {
        match self.call(Request::ReferralStep {
            id,
            base_rev,
            to,
            note: note.into(),
        })? {
            Response::Record(r) => Ok(r),
            r => Err(unexpected(r)),
        }
    }

    fn referral_warnings(&self, referral: &Referral) -> Result<Vec<ReferralWarning>, ServiceError> {
        match self.call(Request::ReferralWarnings {
            referral: referral.clone(),
        })? {
            Response::Warnings(w) => Ok(w),
            r => Err(unexpected(r)),
        }
    }
}

impl<T: Api + ?Sized> ApiExt for T {}
