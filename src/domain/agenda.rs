//! The agenda: a front office's day of work, from the deadlines its records carry.

use super::record::Kind;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What an agenda line is about. Codes are appended only (it travels over the socket).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AgendaKind {
    /// An open intake's follow-up date.
    FollowUp,
    /// A referral step's deadline (from the settings' step days).
    ReferralStep,
    /// An application's deadline to remedy missing documents.
    Remedy,
    /// A disability decision (ТЕЛК/НЕЛК) expiring.
    DecisionExpiry,
    /// A ДСП направление expiring.
    NapravlenieExpiry,
    /// A personal-assistance agreement ending.
    AgreementEnd,
    /// An assistant's employment contract ending.
    ContractEnd,
    /// Last month's report of an agreement in force then, not handed in.
    MissingReport,
    /// The day by which last month goes to АСП.
    AspDeadline,
    /// A monitoring visit's follow-up (until a later visit to the service is recorded).
    VisitFollowUp,
    /// An agreement in force whose assistant has no employment contract in force with its
    /// provider (due: the first day without one).
    NoContract,
    /// Last month not closed after the АСП day: its data should have gone and the month closed.
    MonthOpen,
}

impl AgendaKind {
    pub const ALL: [AgendaKind; 12] = [
        AgendaKind::FollowUp,
        AgendaKind::ReferralStep,
        AgendaKind::Remedy,
        AgendaKind::DecisionExpiry,
        AgendaKind::NapravlenieExpiry,
        AgendaKind::AgreementEnd,
        AgendaKind::ContractEnd,
        AgendaKind::MissingReport,
        AgendaKind::AspDeadline,
        AgendaKind::VisitFollowUp,
        AgendaKind::NoContract,
        AgendaKind::MonthOpen,
    ];

    pub fn name(self, lang: super::Lang) -> &'static str {
        use AgendaKind::*;
        match self {
            FollowUp => lang.pick("проследяване", "follow-up"),
            ReferralStep => lang.pick("стъпка по насочване", "referral step"),
            Remedy => lang.pick("срок за документи", "remedy deadline"),
            DecisionExpiry => lang.pick("изтичащо ЕР на ТЕЛК", "decision expiring"),
            NapravlenieExpiry => lang.pick("изтичащо направление", "направление expiring"),
            AgreementEnd => lang.pick("край на споразумение", "agreement ending"),
            ContractEnd => lang.pick("край на трудов договор", "contract ending"),
            MissingReport => lang.pick("липсващ отчет", "missing report"),
            AspDeadline => lang.pick("срок за АСП", "АСП deadline"),
            VisitFollowUp => lang.pick("последващ мониторинг", "monitoring follow-up"),
            NoContract => lang.pick("няма трудов договор", "no contract"),
            MonthOpen => lang.pick("неприключен месец", "month still open"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaItem {
    pub due: NaiveDate,
    pub kind: AgendaKind,
    /// The record to open (None for the АСП deadline).
    pub record: Option<(Kind, u64)>,
    /// The person concerned, if any.
    pub person: Option<u64>,
    /// The person's name, or "".
    pub who: String,
    /// What tells the line apart: a register number, a service, a month...
    pub detail: String,
    /// The clerk whose work it is (intakes and referrals); None: everyone's.
    pub clerk: Option<String>,
}

/// Where an item stands against today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Bucket {
    Overdue,
    Today,
    Soon,
}

impl AgendaItem {
    pub fn bucket(&self, today: NaiveDate) -> Bucket {
        match self.due.cmp(&today) {
            std::cmp::Ordering::Less => Bucket::Overdue,
            std::cmp::Ordering::Equal => Bucket::Today,
            std::cmp::Ordering::Greater => Bucket::Soon,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agenda {
    pub today: NaiveDate,
    /// Sorted: overdue first (oldest first), then today, then later by date.
    pub items: Vec<AgendaItem>,
    /// Items left out over the cap.
    pub more: u32,
}

impl Agenda {
    /// How many items of each kind (of those returned), in `AgendaKind::ALL` order.
    pub fn counts(&self) -> Vec<(AgendaKind, usize)> {
        AgendaKind::ALL
            .into_iter()
            .map(|k| (k, self.items.iter().filter(|i| i.kind == k).count()))
            .collect()
    }
}

/// Names the agenda shows, gathered by the caller for the records it passes.
#[derive(Debug, Clone, Default)]
pub struct Names {
    /// Person id → full name.
    pub persons: std::collections::HashMap<u64, String>,
    /// Assistant record id → the assistant's person id.
    pub assistants: std::collections::HashMap<u64, u64>,
    /// Service id → name.
    pub services: std::collections::HashMap<u64, String>,
}

/// What the agenda is computed from.
pub struct AgendaInput<'a> {
    pub today: NaiveDate,
    /// Work due within this many days (expiries use the settings' alert days).
    pub days: u32,
    /// Only this clerk's intakes and referrals (items without a clerk stay).
    pub clerk: Option<&'a str>,
    pub settings: &'a super::settings::Settings,
    /// The records that carry a deadline near enough (from the due-date index).
    pub records: &'a [super::record::Record],
    /// Agreements in force last month, each with whether its report for that month is in.
    pub last_month: &'a [(super::record::Record, bool)],
    /// Whether last month was closed (its data sent to АСП).
    pub last_month_closed: bool,
    pub names: &'a Names,
    /// Agreements in force (or starting within `days`) without an employment contract in
    /// force, each with the first day without one.
    pub no_contract: &'a [(super::record::Record, NaiveDate)],
    /// At most this many items; `more` counts the rest.
    pub cap: usize,
}

/// The day of the month, clamped to the month's length.
fn day_of(month: super::date::Month, day: u32) -> NaiveDate {
    let d = day.clamp(1, month.days());
    NaiveDate::from_ymd_opt(month.year, month.month, d).unwrap_or(month.first_day())
}

/// The agenda: a pure function of the records, today and the settings.
pub fn agenda(input: &AgendaInput) -> Agenda {
    use super::record::Body;
    use chrono::Days;
    let today = input.today;
    let s = input.settings;
    let plus = |n: u32| today.checked_add_days(Days::new(n.into())).unwrap_or(today);
    let minus = |n: u32| today.checked_sub_days(Days::new(n.into())).unwrap_or(today);
    let work_until = plus(input.days);
    let decisions = (minus(s.decision_alert_days), plus(s.decision_alert_days));
    let endings = (minus(s.agreement_alert_days), plus(s.agreement_alert_days));
    let within = |d: NaiveDate, (from, to): (NaiveDate, NaiveDate)| from <= d && d <= to;
    let name = |p: u64| input.names.persons.get(&p).cloned().unwrap_or_default();
    let mut items = Vec::new();
    let mut push = |due,
                    kind,
                    record: &super::record::Record,
                    person: Option<u64>,
                    detail: String,
                    clerk: Option<String>| {
        items.push(AgendaItem {
            due,
            kind,
            record: Some((record.kind(), record.id())),
            person,
            who: person.map(name).unwrap_or_default(),
            detail,
            clerk,
        })
    };
    for r in input.records {
        match &r.body {
            Body::Intake(i) => {
                if let Some(d) = i.follow_up.filter(|d| *d <= work_until) {
                    if i.outcome == super::intake::Outcome::Open {
                        push(
                            d,
                            AgendaKind::FollowUp,
                            r,
                            i.person,
                            i.reg_no.clone(),
                            Some(i.clerk.clone()),
                        );
                    }
                }
            }
            Body::Referral(x) => {
                if let Some(d) = x.due.filter(|d| *d <= work_until && x.status.is_open()) {
                    let detail = x
                        .service
                        .and_then(|id| input.names.services.get(&id).cloned())
                        .unwrap_or_else(|| x.service_type.name(super::Lang::Bg).to_string());
                    let clerk = x.clerk().map(str::to_string);
                    push(
                        d,
                        AgendaKind::ReferralStep,
                        r,
                        Some(x.person),
                        detail,
                        clerk,
                    );
                }
            }
            Body::Application(a) => {
                if let Some(d) = a.remedy_by.filter(|d| *d <= work_until) {
                    if a.status == super::assistance::ApplicationStatus::Incomplete {
                        push(
                            d,
                            AgendaKind::Remedy,
                            r,
                            Some(a.person),
                            a.reg_no.clone(),
                            None,
                        );
                    }
                }
            }
            Body::Person(p) => {
                if let Some(d) = p.disability.as_ref().and_then(|x| x.valid_until) {
                    if within(d, decisions) {
                        let number = p
                            .disability
                            .as_ref()
                            .map(|x| x.number.clone())
                            .unwrap_or_default();
                        push(d, AgendaKind::DecisionExpiry, r, Some(r.id()), number, None);
                    }
                }
            }
            Body::DspDecision(x) if within(x.valid_until, decisions) => {
                push(
                    x.valid_until,
                    AgendaKind::NapravlenieExpiry,
                    r,
                    Some(x.person),
                    x.number.clone(),
                    None,
                );
            }
            Body::Agreement(a) if a.status.holds_hours() && within(a.to, endings) => {
                push(
                    a.to,
                    AgendaKind::AgreementEnd,
                    r,
                    Some(a.user),
                    a.number.clone(),
                    None,
                );
            }
            Body::Contract(c) => {
                if let Some(d) = c.end.filter(|d| within(*d, endings)) {
                    if c.status == super::assistance::ContractStatus::Signed {
                        let person = input.names.assistants.get(&c.assistant).copied();
                        push(
                            d,
                            AgendaKind::ContractEnd,
                            r,
                            person,
                            c.number.clone(),
                            None,
                        );
                    }
                }
            }
            Body::Visit(v) => {
                if let Some(d) = v.follow_up.filter(|d| *d <= work_until) {
                    let detail = input
                        .names
                        .services
                        .get(&v.service)
                        .cloned()
                        .unwrap_or_default();
                    push(
                        d,
                        AgendaKind::VisitFollowUp,
                        r,
                        None,
                        detail,
                        v.clerks.first().cloned(),
                    );
                }
            }
            _ => {}
        }
    }
    // Last month's reports go to АСП by the settings' day of this month.
    let this_month = super::date::Month::of(today);
    let last = this_month.prev();
    let deadline = day_of(this_month, s.asp_report_day);
    let mut missing = 0u32;
    for (r, reported) in input.last_month {
        let Body::Agreement(a) = &r.body else {
            continue;
        };
        if *reported || !super::monthly::in_force(a, last) {
            continue;
        }
        missing += 1;
        let detail = format!("{} {:02}.{}", a.number, last.month, last.year);
        push(
            deadline,
            AgendaKind::MissingReport,
            r,
            Some(a.user),
            detail,
            None,
        );
    }
    for (r, since) in input.no_contract {
        if let Body::Agreement(a) = &r.body {
            push(
                *since,
                AgendaKind::NoContract,
                r,
                Some(a.user),
                a.number.clone(),
                None,
            );
        }
    }
    if (today <= deadline && deadline <= work_until) || (deadline < today && missing > 0) {
        items.push(AgendaItem {
            due: deadline,
            kind: AgendaKind::AspDeadline,
            record: None,
            person: None,
            who: String::new(),
            detail: format!("{:02}.{}: {missing}", last.month, last.year),
            clerk: None,
        });
    }
    // After the АСП day, a month with agreements that is still open is work left undone.
    if deadline < today && !input.last_month_closed && !input.last_month.is_empty() {
        items.push(AgendaItem {
            due: deadline,
            kind: AgendaKind::MonthOpen,
            record: None,
            person: None,
            who: String::new(),
            detail: format!("{:02}.{}", last.month, last.year),
            clerk: None,
        });
    }
    if let Some(login) = input.clerk {
        items.retain(|i| i.clerk.as_deref().is_none_or(|c| c == login));
    }
    // Date order is the agenda's order: the oldest overdue first, then today, then later.
    items.sort_by(|a, b| {
        (a.due, a.kind, &a.who, &a.detail, a.record)
            .cmp(&(b.due, b.kind, &b.who, &b.detail, b.record))
    });
    let more = items.len().saturating_sub(input.cap);
    items.truncate(input.cap);
    Agenda {
        today,
        items,
        more: u32::try_from(more).unwrap_or(u32::MAX),
    }
}
