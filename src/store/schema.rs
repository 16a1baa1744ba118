//! Schema versions and decoding of every stored value, old versions included.
//!
//! bincode does not store field names, so a changed struct is a new version: keep the old struct
//! here as `FooV1`, bump the kind's version, decode the old one and convert. Enum codes are only
//! ever appended. `tests/fixtures/golden/` holds the bytes of every released version.

use super::codec::{self, CodecError};
use crate::domain::{
    assistance::{
        Agreement, AgreementStatus, Applicant, Application, ApplicationStatus, CheckItem,
        CheckState, Contract, ContractStatus, DspDecision,
    },
    audit::{AuditAction, AuditEntry, FieldChange},
    intake::Assessment,
    record::{Body, Kind, Meta, Record},
    referral::{Referral, ReferralStatus, StatusChange},
    register::{Access, Funding, Licence, Provider, ProviderKind, Referrer, Service, ServiceType},
    report::{Absence, MonthlyReport, ReportStatus},
    settings::{Settings, StepDays},
};
use serde::{Deserialize, Serialize};

/// The database schema: bumped when a migration must rewrite stored values.
/// 2: the envelope's CRC covers its header (`codec`, format 2); schema 1 values are rewritten on
/// open (`Store::migrate`). 3: the due-date index (`idx_due`), built on open. 4: accepted
/// monthly reports carry the facts they were accepted under, filled on open for the older ones.
pub const SCHEMA: u32 = 4;

/// Envelope kind codes of values that are not records.
pub const AUDIT_CODE: u8 = 100;
pub const SETTINGS_CODE: u8 = 101;
pub const DRAFT_CODE: u8 = 102;
/// A closed month (`domain::monthly::MonthClosing`), in the meta tree.
pub const MONTH_CLOSING_CODE: u8 = 103;

/// The current payload version of each record kind.
/// Assessment 2: needs by domain and a conclusion. Referral 2: who made each step, warnings.
/// Provider 2: NGO / company / other in place of "private", e-mail and contact person.
/// Service 2: the funding project, valid from/to.
/// ДСП направление 2: the expert decision it rests on. Application 2: who submitted it and
/// by what right, the checklist by the settings' codes (ok / missing / not applicable, with a
/// note), the refusal's reason. Agreement 2: the weekly schedule in minutes a day and the day
/// it was signed (in place of the schedule as text). Contract 2: the ending reason.
/// Monthly report 2: the facts fixed at acceptance and the warnings (schema 4 fills the facts
/// of reports accepted before).
pub fn version(kind: Kind) -> u16 {
    match kind {
        Kind::Report
        | Kind::Assessment
        | Kind::Referral
        | Kind::Provider
        | Kind::Service
        | Kind::DspDecision
        | Kind::Application
        | Kind::Agreement
        | Kind::Contract => 2,
        _ => 1,
    }
}

/// 2: the offset from UTC of the entry's time (`AuditEntry::offset`); version 1 entries read
/// with none.
pub const AUDIT_VERSION: u16 = 2;
/// 2: drafts_per_clerk and draft_days; then (before any release) step_days, the agenda's alert
/// days and the АСП day in place of provider_step_days (see `SettingsV2Early`).
/// 3: the ratings of monitoring visits and the application checklist.
pub const SETTINGS_VERSION: u16 = 3;
pub const DRAFT_VERSION: u16 = 1;
pub const MONTH_CLOSING_VERSION: u16 = 1;

#[derive(Serialize)]
struct StoredRef<'a, T> {
    meta: &'a Meta,
    body: &'a T,
}

#[derive(Deserialize)]
struct Stored<T> {
    meta: Meta,
    body: T,
}

pub fn encode_record(r: &Record) -> Result<Vec<u8>, CodecError> {
    let kind = r.kind();
    let v = version(kind);
    let meta = &r.meta;
    macro_rules! enc {
        ($b:expr) => {
            codec::encode(kind.code(), v, &StoredRef { meta, body: $b })
        };
    }
    match &r.body {
        Body::Person(b) => enc!(b),
        Body::Intake(b) => enc!(b),
        Body::Assessment(b) => enc!(b),
        Body::Referral(b) => enc!(b),
        Body::Provider(b) => enc!(b),
        Body::Service(b) => enc!(b),
        Body::DspDecision(b) => enc!(b),
        Body::Application(b) => enc!(b),
        Body::Assistant(b) => enc!(b),
        Body::Agreement(b) => enc!(b),
        Body::Contract(b) => enc!(b),
        Body::Suspension(b) => enc!(b),
        Body::Report(b) => enc!(b),
        Body::Clerk(b) => enc!(b),
        Body::Visit(b) => enc!(b),
        Body::Campaign(b) => enc!(b),
    }
}

/// Decodes a stored record of the expected kind, migrating older payload versions.
pub fn decode_record(expected: Kind, bytes: &[u8]) -> Result<Record, CodecError> {
    let (header, payload) = codec::open(bytes)?;
    if header.kind != expected.code() {
        return Err(CodecError::WrongKind {
            expected: expected.code(),
            found: header.kind,
        });
    }
    let known = version(expected);
    if header.version == 1 && known == 2 {
        return decode_v1(expected, payload);
    }
    if header.version != known {
        return Err(CodecError::UnknownVersion {
            kind: expected.code(),
            found: header.version,
            known,
        });
    }
    macro_rules! dec {
        ($variant:ident) => {{
            let s: Stored<_> = codec::decode_payload(payload)?;
            Record {
                meta: s.meta,
                body: Body::$variant(s.body),
            }
        }};
    }
    Ok(match expected {
        Kind::Person => dec!(Person),
        Kind::Intake => dec!(Intake),
        Kind::Assessment => dec!(Assessment),
        Kind::Referral => dec!(Referral),
        Kind::Provider => dec!(Provider),
        Kind::Service => dec!(Service),
        Kind::DspDecision => dec!(DspDecision),
        Kind::Application => dec!(Application),
        Kind::Assistant => dec!(Assistant),
        Kind::Agreement => dec!(Agreement),
        Kind::Contract => dec!(Contract),
        Kind::Suspension => dec!(Suspension),
        Kind::Report => dec!(Report),
        Kind::Clerk => dec!(Clerk),
        Kind::Visit => dec!(Visit),
        Kind::Campaign => dec!(Campaign),
    })
}

/// Assessment as version 1 stored it: the needs as free text.
#[derive(Deserialize)]
struct AssessmentV1 {
    person: u64,
    intake: Option<u64>,
    date: chrono::NaiveDate,
    clerk: String,
    needs: String,
    recommended: Vec<ServiceType>,
    note: String,
}

impl From<AssessmentV1> for Assessment {
    /// The free-text needs become the conclusion, the note appended; no domain was assessed.
    fn from(o: AssessmentV1) -> Self {
        let mut conclusion = o.needs;
        if !o.note.trim().is_empty() {
            if !conclusion.is_empty() {
                conclusion.push('\n');
            }
            conclusion.push_str(&o.note);
        }
        Assessment {
            person: o.person,
            intake: o.intake,
            date: o.date,
            clerk: o.clerk,
            needs: Vec::new(),
            recommended: o.recommended,
            conclusion,
        }
    }
}

#[derive(Deserialize)]
struct StatusChangeV1 {
    status: ReferralStatus,
    date: chrono::NaiveDate,
    note: String,
}

/// Referral as version 1 stored it: steps without who made them, no warnings.
#[derive(Deserialize)]
struct ReferralV1 {
    person: u64,
    assessment: Option<u64>,
    service_type: ServiceType,
    service: Option<u64>,
    provider: Option<u64>,
    requested: chrono::NaiveDate,
    status: ReferralStatus,
    history: Vec<StatusChangeV1>,
    due: Option<chrono::NaiveDate>,
    note: String,
}

impl ReferralV1 {
    /// Each step is credited to the clerk who saved the record (the best that is known).
    fn upgrade(self, by: &str) -> Referral {
        Referral {
            person: self.person,
            assessment: self.assessment,
            service_type: self.service_type,
            service: self.service,
            provider: self.provider,
            requested: self.requested,
            status: self.status,
            history: self
                .history
                .into_iter()
                .map(|h| StatusChange {
                    status: h.status,
                    date: h.date,
                    note: h.note,
                    by: by.to_string(),
                })
                .collect(),
            due: self.due,
            note: self.note,
            warnings: Vec::new(),
        }
    }
}

#[derive(Deserialize)]
enum ProviderKindV1 {
    Municipality,
    State,
    Private,
}

/// Provider as version 1 stored it: "private" without telling NGO from company, no e-mail.
#[derive(Deserialize)]
struct ProviderV1 {
    name: String,
    eik: crate::domain::eik::Eik,
    kind: ProviderKindV1,
    licence: Option<Licence>,
    settlement: String,
    address: String,
    phone: Option<crate::domain::phone::Phone>,
}

impl From<ProviderV1> for Provider {
    /// A private provider becomes "other" (its licence kept): the clerk can say which.
    fn from(o: ProviderV1) -> Self {
        Provider {
            name: o.name,
            eik: o.eik,
            kind: match o.kind {
                ProviderKindV1::Municipality => ProviderKind::Municipality,
                ProviderKindV1::State => ProviderKind::State,
                ProviderKindV1::Private => ProviderKind::Other,
            },
            licence: o.licence,
            settlement: o.settlement,
            address: o.address,
            phone: o.phone,
            email: String::new(),
            contact: String::new(),
        }
    }
}

/// Service as version 1 stored it: no project, no validity.
#[derive(Deserialize)]
struct ServiceV1 {
    name: String,
    activity: ServiceType,
    access: Access,
    target_group: String,
    provider: u64,
    settlement: String,
    address: String,
    capacity: u32,
    funding: Funding,
    referred_by: Referrer,
}

impl From<ServiceV1> for Service {
    fn from(o: ServiceV1) -> Self {
        Service {
            name: o.name,
            activity: o.activity,
            access: o.access,
            target_group: o.target_group,
            provider: o.provider,
            settlement: o.settlement,
            address: o.address,
            capacity: o.capacity,
            funding: o.funding,
            project: String::new(),
            referred_by: o.referred_by,
            valid_from: None,
            valid_to: None,
        }
    }
}

/// ДСП направление as version 1 stored it: without the expert decision.
#[derive(Deserialize)]
struct DspDecisionV1 {
    person: u64,
    number: String,
    date: chrono::NaiveDate,
    degree: u8,
    hours_per_month: u32,
    valid_from: chrono::NaiveDate,
    valid_until: chrono::NaiveDate,
}

impl From<DspDecisionV1> for DspDecision {
    fn from(o: DspDecisionV1) -> Self {
        DspDecision {
            person: o.person,
            number: o.number,
            expert_decision: String::new(),
            date: o.date,
            degree: o.degree,
            hours_per_month: o.hours_per_month,
            valid_from: o.valid_from,
            valid_until: o.valid_until,
        }
    }
}

/// The fixed checklist items of version 1, in their code order.
#[derive(Deserialize)]
enum DocItemV1 {
    IdentityDocument,
    ExpertDecision,
    DspNapravlenie,
    RepresentativeDocuments,
    AssistantDeclaration,
}

#[derive(Deserialize)]
struct CheckItemV1 {
    item: DocItemV1,
    present: bool,
}

/// Application as version 1 stored it: a fixed checklist of present / absent items.
#[derive(Deserialize)]
struct ApplicationV1 {
    reg_no: String,
    person: u64,
    date: chrono::NaiveDate,
    applicant: Applicant,
    assistant: Option<u64>,
    substitute: Option<u64>,
    declares_no_other_support: bool,
    checklist: Vec<CheckItemV1>,
    status: ApplicationStatus,
    remedy_by: Option<chrono::NaiveDate>,
    note: String,
}

impl From<ApplicationV1> for Application {
    /// Each item becomes its code in the default settings' checklist, present as ok and
    /// absent as missing.
    fn from(o: ApplicationV1) -> Self {
        let checklist = o
            .checklist
            .into_iter()
            .map(|c| CheckItem {
                code: match c.item {
                    DocItemV1::IdentityDocument => "id_copy",
                    DocItemV1::ExpertDecision => "decision",
                    DocItemV1::DspNapravlenie => "napravlenie",
                    DocItemV1::RepresentativeDocuments => "representation",
                    DocItemV1::AssistantDeclaration => "assistant_declarations",
                }
                .to_string(),
                state: if c.present {
                    CheckState::Ok
                } else {
                    CheckState::Missing
                },
                note: String::new(),
            })
            .collect();
        Application {
            reg_no: o.reg_no,
            person: o.person,
            date: o.date,
            applicant: o.applicant,
            applicant_name: String::new(),
            applicant_document: String::new(),
            assistant: o.assistant,
            substitute: o.substitute,
            declares_no_other_support: o.declares_no_other_support,
            checklist,
            status: o.status,
            remedy_by: o.remedy_by,
            refusal_reason: String::new(),
            note: o.note,
        }
    }
}

/// Agreement as version 1 stored it: the schedule as free text, no signing day.
#[derive(Deserialize)]
struct AgreementV1 {
    number: String,
    user: u64,
    assistant: u64,
    substitute: Option<u64>,
    provider: u64,
    decision: u64,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    hours_per_month: u32,
    activities: String,
    schedule: String,
    status: AgreementStatus,
    end_reason: Option<String>,
}

impl From<AgreementV1> for Agreement {
    /// The schedule's text joins the activities (nothing is lost); the week is empty until a
    /// clerk enters it.
    fn from(o: AgreementV1) -> Self {
        let activities = match (o.activities.trim(), o.schedule.trim()) {
            (a, "") => a.to_string(),
            ("", s) => s.to_string(),
            (a, s) => format!("{a}\n{s}"),
        };
        Agreement {
            number: o.number,
            user: o.user,
            assistant: o.assistant,
            substitute: o.substitute,
            provider: o.provider,
            decision: o.decision,
            from: o.from,
            to: o.to,
            hours_per_month: o.hours_per_month,
            activities,
            week: [0; 7],
            signed: None,
            status: o.status,
            end_reason: o.end_reason,
        }
    }
}

/// Contract as version 1 stored it: no ending reason.
#[derive(Deserialize)]
struct ContractV1 {
    number: String,
    assistant: u64,
    provider: u64,
    agreement: Option<u64>,
    date: chrono::NaiveDate,
    start: chrono::NaiveDate,
    end: Option<chrono::NaiveDate>,
    minutes_per_day: u32,
    status: ContractStatus,
}

impl From<ContractV1> for Contract {
    fn from(o: ContractV1) -> Self {
        Contract {
            number: o.number,
            assistant: o.assistant,
            provider: o.provider,
            agreement: o.agreement,
            date: o.date,
            start: o.start,
            end: o.end,
            minutes_per_day: o.minutes_per_day,
            status: o.status,
            end_reason: None,
        }
    }
}

/// Monthly report as version 1 stored it: no facts, no warnings.
#[derive(Deserialize)]
struct ReportV1 {
    agreement: u64,
    month: crate::domain::date::Month,
    minutes: Vec<u16>,
    substitute_minutes: Vec<u16>,
    absences: Vec<(u32, Absence)>,
    status: ReportStatus,
    received: chrono::NaiveDate,
    note: String,
}

impl From<ReportV1> for MonthlyReport {
    /// No facts yet: schema 4's migration fixes those of accepted reports on open, from the
    /// agreement as it stands then (what the payroll said the moment before).
    fn from(o: ReportV1) -> Self {
        MonthlyReport {
            agreement: o.agreement,
            month: o.month,
            minutes: o.minutes,
            substitute_minutes: o.substitute_minutes,
            absences: o.absences,
            status: o.status,
            received: o.received,
            note: o.note,
            facts: None,
            warnings: Vec::new(),
        }
    }
}

/// A version 1 payload of a kind now at version 2.
fn decode_v1(kind: Kind, payload: &[u8]) -> Result<Record, CodecError> {
    Ok(match kind {
        Kind::Assessment => {
            let s: Stored<AssessmentV1> = codec::decode_payload(payload)?;
            Record {
                meta: s.meta,
                body: Body::Assessment(s.body.into()),
            }
        }
        Kind::Referral => {
            let s: Stored<ReferralV1> = codec::decode_payload(payload)?;
            let body = Body::Referral(s.body.upgrade(&s.meta.by));
            Record { meta: s.meta, body }
        }
        Kind::Provider => {
            let s: Stored<ProviderV1> = codec::decode_payload(payload)?;
            Record {
                meta: s.meta,
                body: Body::Provider(s.body.into()),
            }
        }
        Kind::Service => {
            let s: Stored<ServiceV1> = codec::decode_payload(payload)?;
            Record {
                meta: s.meta,
                body: Body::Service(s.body.into()),
            }
        }
        Kind::DspDecision => {
            let s: Stored<DspDecisionV1> = codec::decode_payload(payload)?;
            Record {
                meta: s.meta,
                body: Body::DspDecision(s.body.into()),
            }
        }
        Kind::Application => {
            let s: Stored<ApplicationV1> = codec::decode_payload(payload)?;
            Record {
                meta: s.meta,
                body: Body::Application(s.body.into()),
            }
        }
        Kind::Agreement => {
            let s: Stored<AgreementV1> = codec::decode_payload(payload)?;
            Record {
                meta: s.meta,
                body: Body::Agreement(s.body.into()),
            }
        }
        Kind::Contract => {
            let s: Stored<ContractV1> = codec::decode_payload(payload)?;
            Record {
                meta: s.meta,
                body: Body::Contract(s.body.into()),
            }
        }
        Kind::Report => {
            let s: Stored<ReportV1> = codec::decode_payload(payload)?;
            Record {
                meta: s.meta,
                body: Body::Report(s.body.into()),
            }
        }
        _ => {
            return Err(CodecError::UnknownVersion {
                kind: kind.code(),
                found: 1,
                known: version(kind),
            })
        }
    })
}

/// Settings with the revision they were saved at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionedSettings {
    pub rev: u64,
    pub settings: Settings,
}

/// An audit entry as version 1 stored it: no offset.
#[derive(Serialize, Deserialize)]
pub struct AuditEntryV1 {
    pub seq: u64,
    pub at: chrono::NaiveDateTime,
    pub login: String,
    pub action: AuditAction,
    pub kind: Option<Kind>,
    pub id: Option<u64>,
    pub changes: Vec<FieldChange>,
    pub prev_hash: [u8; 32],
    pub hash: [u8; 32],
}

impl From<AuditEntryV1> for AuditEntry {
    /// Its hash still holds: the chain leaves out an offset that is not there.
    fn from(o: AuditEntryV1) -> AuditEntry {
        AuditEntry {
            seq: o.seq,
            at: o.at,
            offset: None,
            login: o.login,
            action: o.action,
            kind: o.kind,
            id: o.id,
            changes: o.changes,
            prev_hash: o.prev_hash,
            hash: o.hash,
        }
    }
}

pub fn encode_audit(e: &AuditEntry) -> Result<Vec<u8>, CodecError> {
    codec::encode(AUDIT_CODE, AUDIT_VERSION, e)
}

/// An audit entry of any version.
pub fn decode_audit(bytes: &[u8]) -> Result<AuditEntry, CodecError> {
    let (header, _) = codec::open(bytes)?;
    match header.version {
        1 => codec::decode::<AuditEntryV1>(AUDIT_CODE, 1, bytes).map(Into::into),
        _ => codec::decode(AUDIT_CODE, AUDIT_VERSION, bytes),
    }
}

pub fn encode_settings(s: &VersionedSettings) -> Result<Vec<u8>, CodecError> {
    codec::encode(SETTINGS_CODE, SETTINGS_VERSION, s)
}

pub fn decode_settings(bytes: &[u8]) -> Result<VersionedSettings, CodecError> {
    let (header, _) = codec::open(bytes)?;
    match header.version {
        1 => {
            let old: SettingsV1 = codec::decode(SETTINGS_CODE, 1, bytes)?;
            Ok(old.into())
        }
        2 => match codec::decode::<SettingsV2>(SETTINGS_CODE, 2, bytes) {
            Ok(s) => Ok(s.into()),
            // The version 2 layout written before issue 10 extended it (development databases
            // and the committed schema 2 fixture): shorter, so it never decodes as the later one.
            Err(e) => codec::decode::<SettingsV2Early>(SETTINGS_CODE, 2, bytes)
                .map(Into::into)
                .map_err(|_| e),
        },
        _ => codec::decode(SETTINGS_CODE, SETTINGS_VERSION, bytes),
    }
}

/// Settings as version 2 stored them: all of today's but the visit ratings and the checklist.
#[derive(Deserialize)]
struct SettingsV2 {
    rev: u64,
    municipality: String,
    settlements: Vec<crate::domain::settings::Settlement>,
    remedy_days: u32,
    lifelong_assessment_years: u32,
    no_new_agreements_last_days: u32,
    agreements_start_on_first: bool,
    max_minutes_per_day: u32,
    max_minutes_per_week: u32,
    assistant_support_minutes_per_day: u32,
    expiry_alert_days: u32,
    idle_lock_minutes: u32,
    retention_years: u32,
    calendar: crate::domain::calendar::CalendarRules,
    suspension_reasons: Vec<crate::domain::settings::Coded>,
    end_reasons: Vec<crate::domain::settings::Coded>,
    pay_rates: Vec<crate::domain::settings::PayRate>,
    drafts_per_clerk: u32,
    draft_days: u32,
    step_days: StepDays,
    decision_alert_days: u32,
    agreement_alert_days: u32,
    asp_report_day: u32,
    agenda_days: u32,
}

impl From<SettingsV2> for VersionedSettings {
    /// The new lists take their defaults.
    fn from(o: SettingsV2) -> Self {
        VersionedSettings {
            rev: o.rev,
            settings: Settings {
                municipality: o.municipality,
                settlements: o.settlements,
                remedy_days: o.remedy_days,
                lifelong_assessment_years: o.lifelong_assessment_years,
                no_new_agreements_last_days: o.no_new_agreements_last_days,
                agreements_start_on_first: o.agreements_start_on_first,
                max_minutes_per_day: o.max_minutes_per_day,
                max_minutes_per_week: o.max_minutes_per_week,
                assistant_support_minutes_per_day: o.assistant_support_minutes_per_day,
                expiry_alert_days: o.expiry_alert_days,
                idle_lock_minutes: o.idle_lock_minutes,
                retention_years: o.retention_years,
                calendar: o.calendar,
                suspension_reasons: o.suspension_reasons,
                end_reasons: o.end_reasons,
                pay_rates: o.pay_rates,
                drafts_per_clerk: o.drafts_per_clerk,
                draft_days: o.draft_days,
                step_days: o.step_days,
                decision_alert_days: o.decision_alert_days,
                agreement_alert_days: o.agreement_alert_days,
                asp_report_day: o.asp_report_day,
                agenda_days: o.agenda_days,
                ..Settings::default()
            },
        }
    }
}

/// Settings as version 1 stored them (before the draft limits).
#[derive(Deserialize)]
struct SettingsV1 {
    rev: u64,
    municipality: String,
    settlements: Vec<crate::domain::settings::Settlement>,
    provider_step_days: u32,
    remedy_days: u32,
    lifelong_assessment_years: u32,
    no_new_agreements_last_days: u32,
    agreements_start_on_first: bool,
    max_minutes_per_day: u32,
    max_minutes_per_week: u32,
    assistant_support_minutes_per_day: u32,
    expiry_alert_days: u32,
    idle_lock_minutes: u32,
    retention_years: u32,
    calendar: crate::domain::calendar::CalendarRules,
    suspension_reasons: Vec<crate::domain::settings::Coded>,
    end_reasons: Vec<crate::domain::settings::Coded>,
    pay_rates: Vec<crate::domain::settings::PayRate>,
}

impl From<SettingsV1> for VersionedSettings {
    fn from(o: SettingsV1) -> Self {
        let defaults = Settings::default();
        VersionedSettings {
            rev: o.rev,
            settings: Settings {
                municipality: o.municipality,
                settlements: o.settlements,
                remedy_days: o.remedy_days,
                lifelong_assessment_years: o.lifelong_assessment_years,
                no_new_agreements_last_days: o.no_new_agreements_last_days,
                agreements_start_on_first: o.agreements_start_on_first,
                max_minutes_per_day: o.max_minutes_per_day,
                max_minutes_per_week: o.max_minutes_per_week,
                assistant_support_minutes_per_day: o.assistant_support_minutes_per_day,
                expiry_alert_days: o.expiry_alert_days,
                idle_lock_minutes: o.idle_lock_minutes,
                retention_years: o.retention_years,
                calendar: o.calendar,
                suspension_reasons: o.suspension_reasons,
                end_reasons: o.end_reasons,
                pay_rates: o.pay_rates,
                drafts_per_clerk: defaults.drafts_per_clerk,
                draft_days: defaults.draft_days,
                step_days: StepDays {
                    referred: o.provider_step_days,
                    ..defaults.step_days
                },
                ..defaults
            },
        }
    }
}

/// Settings as the first version 2 layout stored them (draft limits, no step days yet).
/// bincode is positional: the nested version 1 fields read as if written out here.
#[derive(Deserialize)]
struct SettingsV2Early {
    v1: SettingsV1,
    drafts_per_clerk: u32,
    draft_days: u32,
}

impl From<SettingsV2Early> for VersionedSettings {
    fn from(o: SettingsV2Early) -> Self {
        let mut v: VersionedSettings = o.v1.into();
        v.settings.drafts_per_clerk = o.drafts_per_clerk;
        v.settings.draft_days = o.draft_days;
        v
    }
}
