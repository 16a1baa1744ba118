//! The one API: plain serde requests and answers, so the same calls work in process and over the
//! server's socket.

use super::{access::Action, error::ServiceError};
use crate::domain::{
    agenda::Agenda,
    agreement_change::Correction,
    assistance::AssistanceWarning,
    audit::AuditEntry,
    clerk::{Clerk, Role},
    date::Month,
    document::{DocKind, DocumentRecords},
    draft::Draft,
    monthly::{MonthClosing, MonthTotals, MonthlyRow, MonthlySummary},
    pay::PayrollLine,
    record::{Body, Kind, Record},
    referral::{Referral, ReferralStatus, ReferralWarning},
    register::RegisterRow,
    settings::Settings,
};
use crate::store::schema::VersionedSettings;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::sync::mpsc::Receiver;

/// The table of requests: one row per request, in wire order (a row's position is its code on
/// the wire, so new rows go at the end). A row reads
///
/// ```text
/// /// What it does (documents the variant, its typed call and its handler).
/// Variant { field: Type, .. } => Answer(Type), access, fn method;
/// ```
///
/// - `Variant { .. }` is the `Request` variant (a row without fields is a unit variant);
/// - `Answer(Type)` is the `Response` variant it is answered with (`Done` carries nothing);
/// - `access` is the `Action` the caller's role must allow before the handler runs, or `own`
///   (the caller's own account or drafts: every clerk may), or `handler` (the action depends on
///   the request, e.g. the kind of a body: the handler checks it);
/// - `fn method` names the typed call on `ApiExt` and the handler on `Handlers`, both taking the
///   fields in order. `fn method(arg: Type, ..)` gives the typed call its own signature instead:
///   the fields' names, in any order, each converted with `Into` (`&str` for a `String`).
///
/// From the table come `Request`, the `Handlers` trait, `dispatch` and the typed calls of
/// `ApiExt`; the service implements each handler (`handlers.rs`).
macro_rules! requests {
    ($then:ident) => {
        $then! {
            /// Who am I: the caller's clerk account.
            WhoAmI => Clerk(Clerk), own, fn whoami;
            Get { kind: Kind, id: u64 } => Record(Record), Read, fn get;
            /// Records of a kind in id order, a page at a time.
            List { kind: Kind, after: Option<u64>, limit: u32 } => Records(Vec<Record>), Read,
                fn list;
            /// Records that point to `id` (a person's intakes, an agreement's reports...), in
            /// (kind, id) order, a page at a time.
            Related { id: u64, after: Option<(Kind, u64)>, limit: u32 } => Records(Vec<Record>),
                Read, fn related_page;
            /// A person's card is opened: the person, and a read entry in the audit log.
            OpenCard { person: u64 } => Record(Record), Read, fn open_card;
            /// `request` is the client's id for this create: sent again after a lost answer, it
            /// returns the record the first one made instead of making another.
            /// Answers with the record and the monthly reports the save sent back for
            /// correction (a suspension over an open report's hours).
            Create { body: Body, request: RequestId } => Saved(Saved), handler,
                fn create_saved(request: RequestId, body: Body);
            /// Creates all or none (at most `MAX_BATCH`), in one commit (imports, the demo's
            /// generated persons); answers with the new ids, in the batch's order.
            CreateMany { bodies: Vec<Body>, request: RequestId } => Ids(Vec<u64>), handler,
                fn create_many_once(request: RequestId, bodies: Vec<Body>);
            /// `base_rev` is the rev the clerk's copy was loaded at. Answers with the record
            /// and the monthly reports the change sent back for correction in the same commit.
            Update { id: u64, base_rev: u64, body: Body } => Saved(Saved), handler,
                fn update_saved;
            Search { query: String, limit: u32 } => Hits(Vec<Hit>), Read,
                fn search(query: &str, limit: u32);
            /// The full ЕГН/ЛНЧ of a person (audited).
            RevealIdent { person: u64 } => Ident(String), Reveal, fn reveal_ident;
            GetSettings => Settings(VersionedSettings), Read, fn settings;
            UpdateSettings { base_rev: u64, settings: Settings } => Settings(VersionedSettings),
                ManageSettings, fn update_settings;
            AddClerk { login: String, name: String, role: Role } => Record(Record), ManageClerks,
                fn add_clerk(login: &str, name: &str, role: Role);
            SetClerkActive { login: String, active: bool } => Record(Record), ManageClerks,
                fn set_clerk_active(login: &str, active: bool);
            /// Clerk accounts in id order, a page at a time.
            ListClerks { after: Option<u64>, limit: u32 } => Clerks(Vec<Record>), Read,
                fn clerks_page;
            Audit { after: Option<u64>, limit: u32 } => Audit(Vec<AuditEntry>), ReadAudit,
                fn audit_log;
            Check => Check(CheckReport), Check, fn check;
            /// Keeps the caller's unsaved form (replaces the draft with the same key).
            SaveDraft { draft: Draft } => Done, own, fn save_draft;
            /// The caller's drafts, by key, a page at a time.
            Drafts { after: Option<String>, limit: u32 } => Drafts(Vec<Draft>), own,
                fn drafts_page;
            /// Forgets one of the caller's drafts (saved or given up).
            DropDraft { key: String } => Done, own, fn drop_draft(key: &str);
            /// Whole records of a kind for an export, a page at a time (audited once per
            /// export).
            Export { kind: Kind, after: Option<u64>, limit: u32 } => Records(Vec<Record>),
                Export, fn export_page;
            /// The monthly hours report: every agreement in force in the month.
            MonthlyReport { month: Month } => Monthly(MonthlySummary), Read, fn monthly_report;
            /// The server writes a snapshot into its snapshot directory (administrators;
            /// audited); answers with its file name and size.
            Backup => Backup((String, u64)), Backup, fn backup;
            /// A chunk (at most 1 MiB) of a snapshot in the snapshot directory; empty at its
            /// end.
            BackupRead { name: String, offset: u64 } => Chunk(Vec<u8>), Backup,
                fn backup_read(name: &str, offset: u64);
            /// The day's work: everything overdue, then due within `days` (expiries within the
            /// settings' alert days); `clerk` keeps that clerk's intakes and referrals (and
            /// everything that has no clerk).
            Agenda { days: u32, clerk: Option<String> } => Agenda(Agenda), Read,
                fn agenda(days: u32, clerk: Option<String>);
            /// Moves a referral one legal step on, recording who, when (today) and why;
            /// answers with the new version.
            ReferralStep { id: u64, base_rev: u64, to: ReferralStatus, note: String }
                => Record(Record), handler,
                fn referral_step(id: u64, base_rev: u64, to: ReferralStatus, note: &str);
            /// The warnings a referral would be saved with (shown before saving).
            ReferralWarnings { referral: Referral } => Warnings(Vec<ReferralWarning>), Read,
                fn referral_warnings;
            /// What lists show of records they point to: the records' search lines (name,
            /// masked ident, detail), like search hits and as little (at most `MAX_PAGE` ids;
            /// ids of no record are left out).
            Labels { ids: Vec<u64> } => Hits(Vec<Hit>), Read, fn labels;
            /// The register of services in id order, a page at a time: each with its
            /// provider's name and its occupancy (active referrals).
            Register { after: Option<u64>, limit: u32 } => Register(Vec<RegisterRow>), Read,
                fn register_page;
            /// The records a document to sign is filled from, persons' identifiers in full
            /// (audited, like `RevealIdent`).
            Document { kind: DocKind, id: u64 } => Document(DocumentRecords), Reveal,
                fn document;
            /// Ends an agreement in force on `date` (its last day) for `reason`, a code of the
            /// settings' ending reasons; its suspensions that run on past it end then too.
            /// Answers with the ended agreement and the reports sent back for correction.
            EndAgreement { id: u64, base_rev: u64, date: NaiveDate, reason: String }
                => Saved(Saved), handler,
                fn end_agreement_saved(id: u64, base_rev: u64, date: NaiveDate, reason: &str);
            /// Replaces an agreement's assistant from `from`: in one commit the agreement ends
            /// the day before (for `reason`, an ending reason's code) and the next one starts
            /// on `from` for the same user, provider, направление, hours, schedule and
            /// activities, with `assistant` and `substitute`, as a draft to sign. Answers with
            /// the new agreement and the old one's reports sent back for correction.
            ReplaceAssistant {
                id: u64,
                base_rev: u64,
                from: NaiveDate,
                assistant: u64,
                substitute: Option<u64>,
                reason: String,
            } => Saved(Saved), handler,
                fn replace_assistant_saved(
                    id: u64,
                    base_rev: u64,
                    from: NaiveDate,
                    assistant: u64,
                    substitute: Option<u64>,
                    reason: &str,
                );
            /// What the person's card warns of about personal assistance: their agreements
            /// (as the user or as an assistant) in force without an employment contract.
            AssistanceWarnings { person: u64 } => AssistanceWarnings(Vec<AssistanceWarning>),
                Read, fn assistance_warnings;
            /// Sends a received or accepted monthly report back for correction, with the reason
            /// (in the audit log); the month must be open. Answers with the new version.
            ReturnReport { id: u64, base_rev: u64, reason: String } => Record(Record), handler,
                fn return_report(id: u64, base_rev: u64, reason: &str);
            /// Closes a month that has ended, once its data went to АСП: its reports are
            /// read-only until it is reopened (supervisors and administrators; audited).
            CloseMonth { month: Month } => Closing(MonthClosing), CloseMonth, fn close_month;
            /// Opens a closed month again, with the reason (audited).
            ReopenMonth { month: Month, reason: String } => Done, CloseMonth,
                fn reopen_month(month: Month, reason: &str);
            /// The month's pay lines (accepted reports) with each assistant's full ЕГН/ЛНЧ and
            /// IBAN, for the accountant: an audited export; `provider` keeps one provider's.
            Payroll { month: Month, provider: Option<u64> } => Payroll(Vec<PayrollLine>),
                Export, fn payroll;
            /// Hours agreed, reported and accepted in each of the `months` months up to `last`
            /// (at most `MAX_TREND_MONTHS`), over every agreement or `provider`'s.
            MonthlyTrend { last: Month, months: u32, provider: Option<u64> }
                => Trend(Vec<MonthTotals>), Read, fn monthly_trend;
            /// The month's rows of these agreements (at most `MAX_PAGE`; those not in force
            /// then are left out), as `MonthlyReport` has them.
            MonthlyRows { month: Month, agreements: Vec<u64> } => MonthlyRows(Vec<MonthlyRow>),
                Read, fn monthly_rows;
        }
    };
}

/// A row's answer: its value type, how a value becomes a `Response`, and how it is taken out.
macro_rules! answer {
    (type $a:ident) => {
        ()
    };
    (type $a:ident $t:ty) => {
        $t
    };
    (wrap $a:ident) => {
        |()| Response::$a
    };
    (wrap $a:ident $t:ty) => {
        Response::$a
    };
    (take $r:expr, $a:ident) => {
        match $r {
            Response::$a => Ok(()),
            r => Err(unexpected(r)),
        }
    };
    (take $r:expr, $a:ident $t:ty) => {
        match $r {
            Response::$a(value) => Ok(value),
            r => Err(unexpected(r)),
        }
    };
}

/// A row's access check, run before its handler.
macro_rules! access {
    ($h:ident, own) => {};
    ($h:ident, handler) => {};
    ($h:ident, $action:ident) => {
        $h.require(Action::$action)?
    };
}

/// `Request`, `Handlers` and `dispatch` from the table.
macro_rules! declare_requests {
    ($(
        $(#[$doc:meta])*
        $v:ident $({ $($f:ident : $t:ty),* $(,)? })?
            => $a:ident $(($at:ty))?, $access:ident,
            fn $m:ident $(($($arg:ident : $argt:ty),* $(,)?))?;
    )*) => {
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub enum Request {
            $( $(#[$doc])* $v $({ $($f: $t),* })?, )*
        }

        /// What the service does for each request: one method per row of the table, taking the
        /// row's fields in order. The access check the row declares has run before.
        pub(super) trait Handlers {
            /// Refuses unless the caller's role allows `action`.
            fn require(&self, action: Action) -> Result<(), ServiceError>;

            $(
                $(#[$doc])*
                fn $m(&self $($(, $f: $t)*)?) -> Result<answer!(type $a $($at)?), ServiceError>;
            )*
        }

        /// Runs one request: the row's access check, then its handler, whose value is wrapped
        /// in the row's answer.
        pub(super) fn dispatch(h: &impl Handlers, req: Request) -> Result<Response, ServiceError> {
            match req {
                $(
                    Request::$v { $($($f),*)? } => {
                        access!(h, $access);
                        h.$m($($($f),*)?).map(answer!(wrap $a $($at)?))
                    }
                )*
            }
        }
    };
}

requests!(declare_requests);

/// The typed calls of `ApiExt` from the table.
macro_rules! typed_calls {
    ($(
        $(#[$doc:meta])*
        $v:ident $({ $($f:ident : $t:ty),* $(,)? })?
            => $a:ident $(($at:ty))?, $access:ident,
            fn $m:ident $(($($arg:ident : $argt:ty),* $(,)?))?;
    )*) => {
        $(
            typed_call! {
                [$(#[$doc])*] $v [$($($f: $t),*)?] $a [$($at)?]
                fn $m $(($($arg: $argt),*))?
            }
        )*
    };
}

macro_rules! typed_call {
    // The fields are the arguments.
    ([$(#[$doc:meta])*] $v:ident [$($f:ident: $t:ty),*] $a:ident [$($at:ty)?] fn $m:ident) => {
        $(#[$doc])*
        fn $m(&self, $($f: $t),*) -> Result<answer!(type $a $($at)?), ServiceError> {
            answer!(take self.call(Request::$v { $($f),* })?, $a $($at)?)
        }
    };
    // The row's own signature: the same names, converted into the fields' types.
    (
        [$(#[$doc:meta])*] $v:ident [$($f:ident: $t:ty),*] $a:ident [$($at:ty)?]
        fn $m:ident ($($arg:ident: $argt:ty),*)
    ) => {
        $(#[$doc])*
        #[allow(clippy::useless_conversion)]
        fn $m(&self, $($arg: $argt),*) -> Result<answer!(type $a $($at)?), ServiceError> {
            answer!(
                take self.call(Request::$v { $($f: Into::into($f)),* })?,
                $a $($at)?
            )
        }
    };
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

    /// Whether a record of one of these kinds was saved (a list of them should reload).
    pub fn of_kinds(&self, kinds: &[Kind]) -> bool {
        self.records.iter().any(|c| kinds.contains(&c.kind))
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
    /// A snapshot's file name in the snapshot directory and its size in bytes (on the wire
    /// the same as a struct variant of these two fields).
    Backup((String, u64)),
    Chunk(Vec<u8>),
    /// The ids of records a batch created, in the batch's order.
    Ids(Vec<u64>),
    Agenda(Agenda),
    Warnings(Vec<ReferralWarning>),
    Register(Vec<RegisterRow>),
    Document(DocumentRecords),
    AssistanceWarnings(Vec<AssistanceWarning>),
    Closing(MonthClosing),
    Payroll(Vec<PayrollLine>),
    Trend(Vec<MonthTotals>),
    MonthlyRows(Vec<MonthlyRow>),
    Saved(Saved),
}

/// What a save answers: the record as saved, and the monthly reports that a change of their
/// agreement sent back for correction in the same commit (the console says which).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Saved {
    pub record: Record,
    pub returned: Vec<Correction>,
}

/// A client's id for one create; 0 means none (no protection against a retry).
pub type RequestId = u128;

/// A new id for a create: unique per clerk (time, process and a counter).
pub fn new_request_id() -> RequestId {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(1);
    request_id(
        nanos,
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
    )
}

/// The id of a process's `n`th create at `nanos` since the epoch, each part in bits of its own:
/// the counter in the low 32, the process in the next 32, the time in the 63 above them, and
/// the top bit set, so it is never 0 ("none"). Two creates of one process differ in the
/// counter whatever the clock reads (two threads in one tick, a coarse or stepped clock): a
/// create given another's id would get that one's record back as if it were its own retry.
fn request_id(nanos: u128, pid: u32, n: u32) -> RequestId {
    let time = nanos & ((1 << 63) - 1);
    (1 << 127) | (time << 64) | (u128::from(pid) << 32) | u128::from(n)
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

    /// A connection closed for idleness is opened again now (the console calls it on the key
    /// that lifts its idle lock); nothing to do in process.
    fn resume(&self) {}

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

/// Typed calls over any `Api`: one per request (from the table), and the helpers on top.
pub trait ApiExt: Api {
    requests!(typed_calls);

    /// Every record that points to `id`, page by page.
    fn related(&self, id: u64) -> Result<Vec<Record>, ServiceError> {
        all_pages(
            |after| self.related_page(id, after, 200),
            |r: &Record| (r.kind(), r.id()),
        )
    }

    /// The whole register of services with occupancy, page by page.
    fn register(&self) -> Result<Vec<RegisterRow>, ServiceError> {
        all_pages(
            |after| self.register_page(after, 500),
            |r: &RegisterRow| r.id,
        )
    }

    /// One service's line of the register (its occupancy), if it exists.
    fn register_row(&self, id: u64) -> Result<Option<RegisterRow>, ServiceError> {
        // The page after `id - 1` starts at `id` when that service exists.
        let page = self.register_page(id.checked_sub(1), 1)?;
        Ok(page.into_iter().find(|r| r.id == id))
    }

    fn create(&self, body: Body) -> Result<Record, ServiceError> {
        self.create_once(new_request_id(), body)
    }

    /// `Create`, for callers that need only the record.
    fn create_once(&self, request: RequestId, body: Body) -> Result<Record, ServiceError> {
        self.create_saved(request, body).map(|s| s.record)
    }

    /// `Update`, for callers that need only the record.
    fn update(&self, id: u64, base_rev: u64, body: Body) -> Result<Record, ServiceError> {
        self.update_saved(id, base_rev, body).map(|s| s.record)
    }

    /// `EndAgreement`, for callers that need only the ended agreement.
    fn end_agreement(
        &self,
        id: u64,
        base_rev: u64,
        date: NaiveDate,
        reason: &str,
    ) -> Result<Record, ServiceError> {
        self.end_agreement_saved(id, base_rev, date, reason)
            .map(|s| s.record)
    }

    /// `ReplaceAssistant`, for callers that need only the new agreement.
    fn replace_assistant(
        &self,
        id: u64,
        base_rev: u64,
        from: NaiveDate,
        assistant: u64,
        substitute: Option<u64>,
        reason: &str,
    ) -> Result<Record, ServiceError> {
        self.replace_assistant_saved(id, base_rev, from, assistant, substitute, reason)
            .map(|s| s.record)
    }

    /// The ids of the records created, in order.
    fn create_many(&self, bodies: Vec<Body>) -> Result<Vec<u64>, ServiceError> {
        self.create_many_once(new_request_id(), bodies)
    }

    /// Every clerk account, page by page.
    fn clerks(&self) -> Result<Vec<Record>, ServiceError> {
        all_pages(|after| self.clerks_page(after, 200), |r: &Record| r.id())
    }

    /// Every draft of the caller, page by page.
    fn drafts(&self) -> Result<Vec<Draft>, ServiceError> {
        all_pages(
            |after| self.drafts_page(after, 50),
            |d: &Draft| d.key.clone(),
        )
    }
}

impl<T: Api + ?Sized> ApiExt for T {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{person::Person, settings::Settlement};
    use crate::service::{access::Action, Service, Session};
    use std::sync::Arc;

    fn encode<T: Serialize>(value: &T) -> Vec<u8> {
        bincode::serde::encode_to_vec(value, bincode::config::standard()).unwrap()
    }

    fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> T {
        let (value, used) =
            bincode::serde::decode_from_slice(bytes, bincode::config::standard()).unwrap();
        assert_eq!(used, bytes.len());
        value
    }

    /// A row's position is its code on the wire: rows are only ever appended.
    #[test]
    fn wire_codes_follow_the_table() {
        let person = || Body::Person(Person::default());
        let draft = Draft {
            key: "person/new".into(),
            target: None,
            title: String::new(),
            fields: vec![],
            saved: chrono::NaiveDateTime::default(),
        };
        #[rustfmt::skip]
        let requests = [
            Request::WhoAmI,
            Request::Get { kind: Kind::Person, id: 1 },
            Request::List { kind: Kind::Person, after: None, limit: 1 },
            Request::Related { id: 1, after: None, limit: 1 },
            Request::OpenCard { person: 1 },
            Request::Create { body: person(), request: 1 },
            Request::CreateMany { bodies: vec![], request: 1 },
            Request::Update { id: 1, base_rev: 1, body: person() },
            Request::Search { query: "а".into(), limit: 1 },
            Request::RevealIdent { person: 1 },
            Request::GetSettings,
            Request::UpdateSettings { base_rev: 1, settings: Settings::default() },
            Request::AddClerk { login: "a".into(), name: "А".into(), role: Role::Clerk },
            Request::SetClerkActive { login: "a".into(), active: false },
            Request::ListClerks { after: None, limit: 1 },
            Request::Audit { after: None, limit: 1 },
            Request::Check,
            Request::SaveDraft { draft },
            Request::Drafts { after: None, limit: 1 },
            Request::DropDraft { key: "k".into() },
            Request::Export { kind: Kind::Person, after: None, limit: 1 },
            Request::MonthlyReport { month: Month::new(2026, 3).unwrap() },
            Request::Backup,
            Request::BackupRead { name: "n".into(), offset: 0 },
            Request::Agenda { days: 1, clerk: None },
            Request::ReferralStep { id: 1, base_rev: 1, to: ReferralStatus::Assessed, note: String::new() },
            Request::ReferralWarnings { referral: referral() },
            Request::Labels { ids: vec![1] },
            Request::Register { after: None, limit: 1 },
            Request::Document { kind: DocKind::Agreement, id: 1 },
            Request::EndAgreement { id: 1, base_rev: 1, date: NaiveDate::default(), reason: "wish".into() },
            Request::ReplaceAssistant { id: 1, base_rev: 1, from: NaiveDate::default(), assistant: 2, substitute: None, reason: "wish".into() },
            Request::AssistanceWarnings { person: 1 },
            Request::ReturnReport { id: 1, base_rev: 1, reason: "r".into() },
            Request::CloseMonth { month: Month::new(2026, 3).unwrap() },
            Request::ReopenMonth { month: Month::new(2026, 3).unwrap(), reason: "r".into() },
            Request::Payroll { month: Month::new(2026, 3).unwrap(), provider: None },
            Request::MonthlyTrend { last: Month::new(2026, 3).unwrap(), months: 12, provider: None },
            Request::MonthlyRows { month: Month::new(2026, 3).unwrap(), agreements: vec![1] },
        ];
        for (code, req) in requests.iter().enumerate() {
            let bytes = encode(req);
            assert_eq!(usize::from(bytes[0]), code, "{req:?}");
            assert_eq!(&decode::<Request>(&bytes), req);
        }
        // The answers keep their codes; a unit answer is its code alone, and the snapshot's
        // (name, size) has the bytes the struct variant `{ name, size }` had.
        assert_eq!(encode(&Response::Done), [10]);
        assert_eq!(encode(&Response::Backup(("s".into(), 5))), [12, 1, b's', 5]);
        assert_eq!(encode(&Response::Ids(vec![7])), [14, 1, 7]);
        assert_eq!(encode(&DocKind::Referral), [2]);
        assert_eq!(encode(&Response::AssistanceWarnings(vec![])), [19, 0]);
    }

    fn referral() -> Referral {
        Referral {
            person: 1,
            assessment: None,
            service_type: crate::domain::register::ServiceType::DayCare,
            service: None,
            provider: None,
            requested: chrono::NaiveDate::default(),
            status: ReferralStatus::Requested,
            history: Vec::new(),
            due: None,
            note: String::new(),
            warnings: Vec::new(),
        }
    }

    fn service() -> (tempfile::TempDir, Session) {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings {
            settlements: vec![Settlement {
                ekatte: "99001".into(),
                name: "Тестово".into(),
            }],
            ..Settings::default()
        };
        let (svc, _) = Service::open_or_create(
            &dir.path().join("db"),
            "admin",
            "Админ",
            settings,
            // A fixed clock: a saved draft is stamped with it.
            Arc::new(|| {
                chrono::NaiveDate::from_ymd_opt(2026, 11, 17)
                    .and_then(|d| d.and_hms_opt(10, 0, 0))
                    .unwrap()
                    .and_utc()
            }),
        )
        .unwrap();
        let session = svc.session("admin").unwrap();
        (dir, session)
    }

    /// The way every request travels: encoded, decoded by the server, answered by a session,
    /// the answer encoded and decoded by the client.
    fn round_trip(s: &Session, req: Request) -> Response {
        let sent: Request = decode(&encode(&req));
        assert_eq!(sent, req);
        let answer = s.call(sent).unwrap();
        let back: Response = decode(&encode(&answer));
        assert_eq!(back, answer);
        back
    }

    #[test]
    fn requests_round_trip_through_bincode_and_a_session() {
        let (_dir, s) = service();
        let Response::Clerk(me) = round_trip(&s, Request::WhoAmI) else {
            panic!("not a clerk")
        };
        assert_eq!(me, s.whoami().unwrap());
        assert_eq!(me.login, "admin");

        let body = Body::Person(Person {
            first_name: "Иван".into(),
            last_name: "Иванов".into(),
            settlement: "99001".into(),
            ..Person::default()
        });
        let Response::Saved(Saved {
            record: made,
            returned,
        }) = round_trip(&s, Request::Create { body, request: 7 })
        else {
            panic!("not a saved record")
        };
        assert!(returned.is_empty());
        let get = Request::Get {
            kind: Kind::Person,
            id: made.id(),
        };
        assert_eq!(round_trip(&s, get), Response::Record(made.clone()));
        assert_eq!(s.get(Kind::Person, made.id()).unwrap(), made);

        let draft = Draft {
            key: "person/new".into(),
            target: None,
            title: "Иван".into(),
            fields: vec![("first_name".into(), "Иван".into())],
            saved: s.service().now(),
        };
        let save = Request::SaveDraft {
            draft: draft.clone(),
        };
        assert_eq!(round_trip(&s, save), Response::Done);
        let page = Request::Drafts {
            after: None,
            limit: 10,
        };
        assert_eq!(round_trip(&s, page), Response::Drafts(vec![draft.clone()]));
        assert_eq!(s.drafts().unwrap(), vec![draft]);
        let drop = Request::DropDraft {
            key: "person/new".into(),
        };
        assert_eq!(round_trip(&s, drop), Response::Done);
        assert!(s.drafts().unwrap().is_empty());
    }

    /// The table's access column is checked before the handler runs.
    #[test]
    fn declared_access_is_checked_before_the_handler() {
        let (_dir, admin) = service();
        admin.add_clerk("ivan", "Иван", Role::Clerk).unwrap();
        let clerk = admin.service().session("ivan").unwrap();
        assert_eq!(clerk.whoami().unwrap().login, "ivan");
        for (req, action) in [
            (Request::Check, Action::Check),
            (
                Request::Audit {
                    after: None,
                    limit: 1,
                },
                Action::ReadAudit,
            ),
            (Request::Backup, Action::Backup),
        ] {
            match clerk.call(req) {
                Err(ServiceError::Forbidden { role, action: a }) => {
                    assert_eq!((role, a), (Role::Clerk, action))
                }
                other => panic!("{other:?}"),
            }
        }
    }

    /// Two threads of one process may read the clock at the same instant (the writers of
    /// `check_under_a_stream_of_saves_sees_one_state` did, under load): their request ids still
    /// differ, by the counter, so neither create is taken for a retry of the other and answered
    /// with the other's record. Processes and instants tell ids apart too, and none is 0.
    #[test]
    fn request_ids_of_one_instant_differ_by_the_counter() {
        let now = 1_795_392_000_123_456_789u128;
        let ids: std::collections::HashSet<RequestId> =
            (0..4096).map(|n| request_id(now, 4242, n)).collect();
        assert_eq!(ids.len(), 4096);
        assert!(!ids.contains(&0));
        assert_ne!(request_id(now, 4242, 0), request_id(now, 4243, 0));
        assert_ne!(request_id(now, 4242, 0), request_id(now + 1, 4242, 0));
        assert_ne!(request_id(0, 0, 0), 0);
        // Through the service: the two creates make two records.
        let (_dir, s) = service();
        let person = |last: &str| {
            Body::Person(Person {
                first_name: "Петър".into(),
                last_name: last.into(),
                settlement: "99001".into(),
                ..Person::default()
            })
        };
        let a = s
            .create_once(request_id(now, 4242, 0), person("Първи"))
            .unwrap();
        let b = s
            .create_once(request_id(now, 4242, 1), person("Втори"))
            .unwrap();
        assert_ne!(a.id(), b.id());
        assert_eq!(b.meta.rev, 1);
    }
}
