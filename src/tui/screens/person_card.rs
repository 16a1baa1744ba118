//! The person card: everything about a person on one 80x24 screen. Loaded in `open` (one
//! service call per record it shows), drawn from plain data.

use super::label;
use crate::domain::{
    assistance::{
        Agreement, AgreementStatus, Application, ApplicationStatus, Contract, ContractStatus,
        DspDecision, Suspension,
    },
    date::{format_date, Month},
    egn::Sex,
    intake::{Assessment, Intake, Outcome as IntakeOutcome},
    person::Person,
    record::{Body, Kind, Record},
    referral::Referral,
    report::MonthlyReport,
};
use crate::service::{ApiExt, Change, ServiceError};
use crate::tui::{
    app::{Cx, Level, Outcome, Screen},
    i18n::I18n,
    keymap::{Action, Context},
    widgets::fit,
    Ev,
};
use chrono::{Days, NaiveDate};
use ratatui::{buffer::Buffer, layout::Rect, style::Style};

/// The person a record belongs to (an intake's, an agreement's user...).
pub fn person_of(cx: &Cx, kind: Kind, id: u64) -> Result<Option<u64>, ServiceError> {
    let r = cx.api.get(kind, id)?;
    Ok(match r.body {
        Body::Person(_) => Some(id),
        Body::Intake(i) => i.person,
        Body::Assessment(a) => Some(a.person),
        Body::Referral(r) => Some(r.person),
        Body::DspDecision(d) => Some(d.person),
        Body::Application(a) => Some(a.person),
        Body::Agreement(a) => Some(a.user),
        Body::Assistant(a) => Some(a.person),
        Body::Contract(c) => person_of(cx, Kind::Assistant, c.assistant)?,
        Body::Suspension(s) => person_of(cx, Kind::Agreement, s.agreement)?,
        Body::Report(r) => person_of(cx, Kind::Agreement, r.agreement)?,
        _ => None,
    })
}

struct AgreementView {
    id: u64,
    agreement: Agreement,
    assistant: String,
    provider: String,
    /// Newest first.
    reports: Vec<MonthlyReport>,
    /// The assistant's employment contract for it (or their latest), if any, with its id.
    contract: Option<(u64, Contract)>,
    /// The latest suspension of the agreement.
    suspension: Option<Suspension>,
}

/// What the card shows, loaded once.
pub struct CardData {
    pub record: Record,
    pub person: Person,
    /// (record id, intake).
    intakes: Vec<(u64, Intake)>,
    /// (record id, preliminary assessment), the latest first.
    assessments: Vec<(u64, Assessment)>,
    /// (record id, referral, provider's name).
    referrals: Vec<(u64, Referral, String)>,
    decisions: Vec<(u64, DspDecision)>,
    applications: Vec<(u64, Application)>,
    agreements: Vec<AgreementView>,
    /// Users this person is the assistant of.
    assisting: Vec<String>,
    /// Every record shown: a change to any of them (or to one pointing at them) reloads.
    shown: Vec<u64>,
}

fn name_of(cx: &Cx, kind: Kind, id: u64) -> String {
    match cx.api.get(kind, id).map(|r| r.body) {
        Ok(Body::Person(p)) => p.full_name(),
        Ok(Body::Provider(p)) => p.name,
        Ok(Body::Assistant(a)) => name_of(cx, Kind::Person, a.person),
        _ => format!("#{id}"),
    }
}

fn load(cx: &Cx, id: u64) -> Result<CardData, ServiceError> {
    let record = cx.api.open_card(id)?;
    let Body::Person(person) = record.body.clone() else {
        return Err(ServiceError::NotFound {
            kind: Kind::Person,
            id,
        });
    };
    let mut d = CardData {
        record,
        person,
        intakes: Vec::new(),
        assessments: Vec::new(),
        referrals: Vec::new(),
        decisions: Vec::new(),
        applications: Vec::new(),
        agreements: Vec::new(),
        assisting: Vec::new(),
        shown: vec![id],
    };
    for r in cx.api.related(id)? {
        let rid = r.id();
        d.shown.push(rid);
        match r.body {
            Body::Intake(i) => d.intakes.push((rid, i)),
            Body::Assessment(a) => d.assessments.push((rid, a)),
            Body::Referral(x) => {
                let provider = x
                    .provider
                    .map(|p| name_of(cx, Kind::Provider, p))
                    .unwrap_or_default();
                d.referrals.push((rid, x, provider));
            }
            Body::DspDecision(x) => d.decisions.push((rid, x)),
            Body::Application(x) => d.applications.push((rid, x)),
            Body::Agreement(a) if a.user == id => {
                let mut reports: Vec<MonthlyReport> = Vec::new();
                let mut suspension: Option<Suspension> = None;
                for r in cx.api.related(rid)? {
                    match r.body {
                        Body::Report(m) => reports.push(m),
                        Body::Suspension(x)
                            if suspension.as_ref().is_none_or(|s| s.from < x.from) =>
                        {
                            suspension = Some(x)
                        }
                        _ => {}
                    }
                }
                reports.sort_by_key(|r| std::cmp::Reverse(r.month));
                // The contract made for this agreement, else the assistant's latest.
                let mut contracts: Vec<(u64, Contract)> = cx
                    .api
                    .related(a.assistant)?
                    .into_iter()
                    .filter_map(|r| match r.body {
                        Body::Contract(c) => Some((r.meta.id, c)),
                        _ => None,
                    })
                    .collect();
                contracts.sort_by_key(|(cid, c)| (c.agreement == Some(rid), c.start, *cid));
                d.agreements.push(AgreementView {
                    id: rid,
                    assistant: name_of(cx, Kind::Assistant, a.assistant),
                    provider: name_of(cx, Kind::Provider, a.provider),
                    agreement: a,
                    reports,
                    contract: contracts.pop(),
                    suspension,
                });
            }
            Body::Assistant(_) => {
                for r in cx.api.related(rid)? {
                    if let Body::Agreement(a) = r.body {
                        if a.status != AgreementStatus::Ended {
                            d.assisting.push(format!(
                                "{} ({})",
                                name_of(cx, Kind::Person, a.user),
                                a.number
                            ));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    d.intakes.sort_by_key(|(_, i)| std::cmp::Reverse(i.at));
    d.assessments
        .sort_by_key(|(id, a)| (std::cmp::Reverse(a.date), std::cmp::Reverse(*id)));
    d.decisions
        .sort_by_key(|(_, x)| std::cmp::Reverse(x.valid_until));
    d.applications
        .sort_by_key(|(_, x)| std::cmp::Reverse(x.date));
    d.agreements.sort_by_key(|x| {
        (
            x.agreement.status == AgreementStatus::Ended,
            std::cmp::Reverse(x.agreement.from),
        )
    });
    Ok(d)
}

pub struct PersonCard {
    pub data: CardData,
    revealed: Option<String>,
    scroll: usize,
    /// Which of the lines that open a record is chosen (↑↓, Enter opens it).
    selected: Option<usize>,
}

impl PersonCard {
    pub fn open(cx: &Cx, id: u64) -> Result<PersonCard, ServiceError> {
        let data = load(cx, id)?;
        Ok(PersonCard {
            data,
            revealed: None,
            scroll: 0,
            selected: None,
        })
    }

    pub fn id(&self) -> u64 {
        self.data.record.id()
    }

    /// The card as styled lines (pure), with the lines that open a record (line, record).
    #[allow(clippy::type_complexity)]
    fn lines(&self, cx: &Cx) -> (Vec<(Style, String)>, Vec<(usize, (Kind, u64))>) {
        let mut targets = Vec::new();
        let (t, theme, sym) = (&cx.t, &cx.theme, &cx.sym);
        let today = cx.today();
        let d = &self.data;
        let p = &d.person;
        let mut out: Vec<(Style, String)> = Vec::new();
        let head = |out: &mut Vec<(Style, String)>, key: &str| {
            out.push((theme.heading, format!("{} {}", sym.dash, t.t(key))));
        };
        let none = |out: &mut Vec<(Style, String)>| {
            out.push((theme.dim, format!("  {}", t.t("card.none"))));
        };
        // Identity.
        let ident = match (&self.revealed, p.ident.masked()) {
            (Some(full), _) => format!("{} {full}", t.t("card.ident")),
            (None, m) if m.is_empty() => t.t("card.no_ident").to_string(),
            (None, m) => format!("{} {m}", t.t("card.ident")),
        };
        let born = match (p.birth_date, p.age_on(today)) {
            (Some(b), Some(age)) => t.f(
                "card.born",
                &[("date", &format_date(b)), ("age", &age.to_string())],
            ),
            _ => String::new(),
        };
        let sex = match p.sex {
            Some(Sex::Male) => t.t("card.male"),
            Some(Sex::Female) => t.t("card.female"),
            None => "",
        };
        out.push((
            theme.heading,
            format!("{}   {ident}   {born} {sex}", p.full_name()),
        ));
        let place = [cx.settlement_name(&p.settlement), p.address.clone()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        let phones = p
            .phones
            .iter()
            .map(|ph| ph.national())
            .collect::<Vec<_>>()
            .join(", ");
        out.push((
            theme.base,
            format!("  {place}   {} {phones}", t.t("card.phone")),
        ));
        let mut extra = Vec::new();
        if let Some(r) = &p.representative {
            extra.push(format!(
                "{} {} ({})",
                t.t("card.representative"),
                r.name,
                r.basis
            ));
        }
        match p.consent {
            Some(c) => extra.push(format!("{} {}", t.t("card.consent"), format_date(c))),
            None => extra.push(t.t("card.no_consent").to_string()),
        }
        if !d.assisting.is_empty() {
            extra.push(format!(
                "{} {}",
                t.t("card.assistant_of"),
                d.assisting.join(", ")
            ));
        }
        out.push((theme.base, format!("  {}", extra.join("   "))));
        // Disability decision.
        head(&mut out, "card.disability");
        match &p.disability {
            Some(dd) => {
                let until = match dd.valid_until {
                    Some(u) => {
                        let days = (u - today).num_days();
                        let left = if days < 0 {
                            t.t("card.expired").to_string()
                        } else {
                            t.f("card.days_left", &[("n", &days.to_string())])
                        };
                        format!("{} {} ({left})", t.t("card.until"), format_date(u))
                    }
                    None => t.t("card.lifelong").to_string(),
                };
                let help = if dd.needs_help {
                    format!(" · {}", t.t("card.needs_help"))
                } else {
                    String::new()
                };
                let expiring = dd.valid_until.is_some_and(|u| {
                    u <= today + Days::new(cx.settings.decision_alert_days.into())
                });
                out.push((
                    if expiring { theme.warn } else { theme.base },
                    format!(
                        "  {} № {} {} {} · {} %{help} · {until}",
                        label(t, "person.body", &dd.body),
                        dd.number,
                        t.t("card.of"),
                        format_date(dd.issued),
                        dd.percent
                    ),
                ));
            }
            None => none(&mut out),
        }
        // Intakes and referrals (ЗСУ).
        head(&mut out, "card.zsu");
        let open_intakes: Vec<&(u64, Intake)> = d
            .intakes
            .iter()
            .filter(|(_, i)| {
                i.outcome == IntakeOutcome::Open || i.follow_up.is_some_and(|f| f >= today)
            })
            .collect();
        let shown_intakes = if open_intakes.is_empty() {
            d.intakes.iter().take(1).collect()
        } else {
            open_intakes
        };
        for (id, i) in shown_intakes.iter().take(2) {
            targets.push((out.len(), (Kind::Intake, *id)));
            let follow = i
                .follow_up
                .map(|f| format!(" · {} {}", t.t("card.follow_up"), format_date(f)))
                .unwrap_or_default();
            out.push((
                theme.base,
                format!(
                    "  {} {} {} · {} · {}{follow}",
                    i.reg_no,
                    format_date(i.at.date()),
                    i.at.format("%H:%M"),
                    label(t, "intake.channel", &i.channel),
                    label(t, "intake.outcome", &i.outcome)
                ),
            ));
        }
        // The latest assessments: each opens its form, where F5 starts its referral.
        for (id, a) in d.assessments.iter().take(2) {
            targets.push((out.len(), (Kind::Assessment, *id)));
            let types: Vec<&str> = a.recommended.iter().map(|s| s.name(t.lang())).collect();
            out.push((
                theme.base,
                format!(
                    "  {} {} · {}",
                    t.t("card.assessment"),
                    format_date(a.date),
                    if types.is_empty() {
                        a.conclusion.clone()
                    } else {
                        types.join(", ")
                    }
                ),
            ));
        }
        for (id, r, provider) in d
            .referrals
            .iter()
            .filter(|(_, r, _)| r.status.is_open())
            .take(2)
        {
            targets.push((out.len(), (Kind::Referral, *id)));
            out.push((
                theme.base,
                format!(
                    "  {} {} · {} · {}",
                    t.t("card.referral"),
                    r.service_type.name(t.lang()),
                    if provider.is_empty() { "-" } else { provider },
                    label(t, "referral.status", &r.status)
                ),
            ));
        }
        if d.intakes.is_empty() && d.referrals.is_empty() && d.assessments.is_empty() {
            none(&mut out);
        }
        // Personal assistance (ЗЛП).
        head(&mut out, "card.zlp");
        let before = out.len();
        if let Some((id, a)) = d.applications.first() {
            let remedy = match (a.status, a.remedy_by) {
                (ApplicationStatus::Incomplete, Some(r)) => {
                    format!(" · {} {}", t.t("card.remedy_by"), format_date(r))
                }
                _ => String::new(),
            };
            targets.push((out.len(), (Kind::Application, *id)));
            out.push((
                theme.base,
                format!(
                    "  {} {} {} {} · {}{remedy}",
                    t.t("card.application"),
                    a.reg_no,
                    t.t("card.of"),
                    format_date(a.date),
                    label(t, "application.status", &a.status)
                ),
            ));
        }
        if let Some((id, x)) = d.decisions.first() {
            // Hours of the agreements that hold hours on it, against what it allows.
            let used: u32 = d
                .agreements
                .iter()
                .filter(|v| v.agreement.decision == *id && v.agreement.status.holds_hours())
                .map(|v| v.agreement.hours_per_month)
                .sum();
            targets.push((out.len(), (Kind::DspDecision, *id)));
            out.push((
                if used > x.hours_per_month {
                    theme.error
                } else {
                    theme.base
                },
                format!(
                    "  {} № {} · {} {}/{} {} · {} {} {}",
                    t.t("card.dsp"),
                    x.number,
                    t.t("card.used"),
                    used,
                    x.hours_per_month,
                    t.t("card.hours_month"),
                    format_date(x.valid_from),
                    sym.dash,
                    format_date(x.valid_until),
                ),
            ));
        }
        for v in d.agreements.iter().take(2) {
            let a = &v.agreement;
            targets.push((out.len(), (Kind::Agreement, v.id)));
            out.push((
                if a.status == AgreementStatus::Active {
                    theme.ok
                } else {
                    theme.base
                },
                format!(
                    "  {} {} · {} {} {} · {} {} · {}",
                    t.t("card.agreement"),
                    a.number,
                    format_date(a.from),
                    sym.dash,
                    format_date(a.to),
                    a.hours_per_month,
                    t.t("card.hours_month"),
                    label(t, "agreement.status", &a.status)
                ),
            ));
            let week = crate::domain::assistance::week_text(&a.week, t.lang());
            out.push((
                theme.base,
                format!(
                    "  {} {} · {} {} · {}",
                    t.t("card.assistant"),
                    v.assistant,
                    t.t("card.provider"),
                    v.provider,
                    if week.is_empty() {
                        sym.dash.to_string()
                    } else {
                        week
                    }
                ),
            ));
            let in_force = a.status == AgreementStatus::Active && a.covers(today);
            let contract = match v.contract.as_ref().map(|(_, c)| c) {
                Some(c) if c.status == ContractStatus::Signed => t.f(
                    "card.contract",
                    &[("number", &c.number), ("from", &format_date(c.start))],
                ),
                Some(c) => t.f(
                    "card.contract_ended",
                    &[
                        ("number", &c.number),
                        ("date", &c.end.map(format_date).unwrap_or_default()),
                    ],
                ),
                None => t.t("card.no_contract").to_string(),
            };
            let contract_ok = v
                .contract
                .as_ref()
                .is_some_and(|(_, c)| c.status == ContractStatus::Signed);
            let suspended = v.suspension.as_ref().map(|x| {
                let to = x.to.map(format_date).unwrap_or_else(|| "…".into());
                t.f(
                    "card.suspended",
                    &[("from", &format_date(x.from)), ("to", &to)],
                )
            });
            if let Some((cid, _)) = &v.contract {
                targets.push((out.len(), (Kind::Contract, *cid)));
            }
            let mut line = format!("  {contract}");
            if let Some(s) = suspended {
                line.push_str(&format!(" · {s}"));
            }
            out.push((
                if in_force && !contract_ok {
                    theme.warn
                } else {
                    theme.base
                },
                line,
            ));
            // Hours reported over the last 12 months against the agreement's (a chart).
            let last = Month::of(today).prev();
            let mut months = Vec::new();
            let mut m = last;
            for _ in 0..12 {
                months.push(m);
                m = m.prev();
            }
            months.reverse();
            let values: Vec<Option<u32>> = months
                .iter()
                .map(|m| {
                    v.reports
                        .iter()
                        .find(|r| r.month == *m)
                        .map(|r| r.total_minutes() / 60)
                        .or_else(|| (a.from <= m.last_day() && m.first_day() <= a.to).then_some(0))
                })
                .collect();
            out.push((
                theme.base,
                t.f(
                    "card.chart",
                    &[
                        (
                            "from",
                            &format!("{:02}.{}", months[0].month, months[0].year),
                        ),
                        (
                            "chart",
                            &crate::tui::widgets::spark(&values, a.hours_per_month, sym.ascii),
                        ),
                        ("to", &format!("{:02}.{}", last.month, last.year)),
                        ("hours", &a.hours_per_month.to_string()),
                    ],
                ),
            ));
            let reports: Vec<String> = v
                .reports
                .iter()
                .take(3)
                .map(|r| {
                    format!(
                        "{:02}.{} {} ({} {})",
                        r.month.month,
                        r.month.year,
                        label(t, "report.status", &r.status),
                        r.total_minutes() / 60,
                        t.t("card.hours_short")
                    )
                })
                .collect();
            out.push((
                theme.base,
                format!(
                    "  {} {}",
                    t.t("card.reports"),
                    if reports.is_empty() {
                        t.t("card.none").to_string()
                    } else {
                        reports.join(", ")
                    }
                ),
            ));
        }
        if out.len() == before {
            none(&mut out);
        }
        // Deadlines.
        head(&mut out, "card.deadlines");
        let deadlines = self.deadlines(cx);
        if deadlines.is_empty() {
            none(&mut out);
        }
        for (date, what) in deadlines {
            let style = if date < today {
                theme.error
            } else {
                theme.warn
            };
            let mark = if date < today { sym.error } else { sym.warn };
            out.push((style, format!("{mark} {} {what}", format_date(date))));
        }
        (out, targets)
    }

    /// Dates that need the clerk: expiring decisions, follow-ups, remedies, missing reports.
    fn deadlines(&self, cx: &Cx) -> Vec<(NaiveDate, String)> {
        let t = &cx.t;
        let today = cx.today();
        let horizon = today + Days::new(cx.settings.expiry_alert_days.into());
        let d = &self.data;
        let mut out = Vec::new();
        // A decision expiring is warned as early as the agenda warns of it.
        let decisions = today + Days::new(cx.settings.decision_alert_days.into());
        if let Some(u) = d.person.disability.as_ref().and_then(|x| x.valid_until) {
            if u <= decisions {
                out.push((u, t.t("card.dl_disability").to_string()));
            }
        }
        for (_, i) in &d.intakes {
            if let Some(f) = i.follow_up {
                if i.outcome == IntakeOutcome::Open && f <= horizon {
                    out.push((f, format!("{} {}", t.t("card.dl_follow_up"), i.reg_no)));
                }
            }
        }
        for (_, a) in &d.applications {
            if let (ApplicationStatus::Incomplete, Some(r)) = (a.status, a.remedy_by) {
                out.push((r, format!("{} {}", t.t("card.dl_remedy"), a.reg_no)));
            }
        }
        for (_, r, _) in &d.referrals {
            if let Some(due) = r.due.filter(|_| r.status.is_open()) {
                if due <= horizon {
                    out.push((due, t.t("card.dl_referral").to_string()));
                }
            }
        }
        // Направления and agreements ending: as early as the agenda lists them.
        for (_, x) in &d.decisions {
            if x.valid_until <= decisions && x.valid_until >= today {
                out.push((x.valid_until, t.t("card.dl_dsp").to_string()));
            }
        }
        let agreements = today + Days::new(cx.settings.agreement_alert_days.into());
        for v in &d.agreements {
            let a = &v.agreement;
            if a.status == AgreementStatus::Active && a.to >= today && a.to <= agreements {
                out.push((a.to, t.f("card.dl_agreement", &[("number", &a.number)])));
            }
        }
        let last_month = Month::of(today).prev();
        for v in &d.agreements {
            let a = &v.agreement;
            let due = a.status == AgreementStatus::Active
                && a.from <= last_month.last_day()
                && a.to >= last_month.first_day();
            if due && !v.reports.iter().any(|r| r.month == last_month) {
                out.push((
                    last_month.last_day(),
                    t.f(
                        "card.dl_report",
                        &[(
                            "month",
                            &format!("{:02}.{}", last_month.month, last_month.year),
                        )],
                    ),
                ));
            }
        }
        out.sort();
        out
    }
}

impl PersonCard {
    /// F5 shows the full ЕГН (an audited read) and hides it again.
    fn reveal(&mut self, cx: &mut Cx) {
        if self.revealed.take().is_some() || self.data.person.ident.masked().is_empty() {
            return;
        }
        match cx.api.reveal_ident(self.id()) {
            Ok(full) => {
                self.revealed = Some(full);
                let msg = cx.t.t("status.revealed").to_string();
                cx.say(Level::Info, msg);
            }
            Err(e) => cx.fail(&e),
        }
    }
}

impl Screen for PersonCard {
    fn title(&self, t: &I18n) -> String {
        format!("{}: {}", t.t("card.title"), self.data.person.full_name())
    }

    fn context(&self) -> Context {
        Context::List
    }

    fn hints(&self) -> Vec<Action> {
        vec![
            Action::CopyPrevious,
            Action::NewPerson,
            Action::OpenDuplicate,
            Action::ListValues,
            Action::More,
            Action::Edit,
            Action::Reveal,
            Action::Search,
            Action::Back,
        ]
    }

    /// The card's workflow keys: F7 a new intake, F8 a phone note, F11 a referral, F4 an
    /// application for personal assistance, F12 an agreement (all bound to this person).
    fn meanings(&self) -> crate::tui::keymap::Meanings {
        vec![
            (Action::NewPerson, "action.new_intake"),
            (Action::CopyPrevious, "action.phone_note"),
            (Action::OpenDuplicate, "action.new_referral"),
            (Action::ListValues, "action.new_application"),
            (Action::More, "action.new_agreement"),
        ]
    }

    fn handle(&mut self, ev: &Ev, cx: &mut Cx) -> Outcome {
        match ev {
            Ev::Action(Action::Edit) => {
                let form =
                    super::record_form::RecordForm::<crate::tui::forms::person::PersonSpec>::edit(
                        cx,
                        &self.data.record,
                    );
                return Outcome::Push(Box::new(form));
            }
            Ev::Action(Action::Reveal) => self.reveal(cx),
            Ev::Action(Action::NewPerson) => {
                let form = crate::tui::forms::intake::new_form(cx, Some(self.id()));
                return Outcome::Push(Box::new(form));
            }
            Ev::Action(Action::CopyPrevious) => {
                let form = crate::tui::forms::intake::phone_note(cx, self.id());
                return Outcome::Push(Box::new(form));
            }
            Ev::Action(Action::OpenDuplicate) => {
                let form = crate::tui::forms::referral::new_form(cx, self.id(), None);
                return Outcome::Push(Box::new(form));
            }
            Ev::Action(Action::ListValues) => {
                let form = crate::tui::forms::application::new_form(cx, self.id());
                return Outcome::Push(Box::new(form));
            }
            Ev::Action(Action::More) => {
                let form = crate::tui::forms::agreement::new_form(cx, self.id());
                return Outcome::Push(Box::new(form));
            }
            // The arrows go through the lines that open a record; the page keys scroll.
            Ev::Action(Action::Down) => {
                let n = self.lines(cx).1.len();
                self.selected = match self.selected {
                    _ if n == 0 => None,
                    None => Some(0),
                    Some(i) => Some((i + 1).min(n - 1)),
                };
            }
            Ev::Action(Action::Up) => {
                self.selected = self.selected.and_then(|i| i.checked_sub(1));
            }
            Ev::Action(Action::Open) => {
                let target = self
                    .selected
                    .and_then(|i| self.lines(cx).1.get(i).map(|(_, t)| *t));
                if let Some((kind, id)) = target {
                    return match crate::tui::forms::open(cx, kind, id) {
                        Ok(screen) => Outcome::Push(screen),
                        Err(e) => {
                            cx.fail(&e);
                            Outcome::Consumed
                        }
                    };
                }
            }
            Ev::Action(Action::PageDown) => self.scroll += 1,
            Ev::Action(Action::PageUp) => self.scroll = self.scroll.saturating_sub(1),
            Ev::Action(Action::Home) => {
                self.scroll = 0;
                self.selected = None;
            }
            Ev::Action(_) => return Outcome::Ignored,
            _ => {}
        }
        Outcome::Consumed
    }

    fn resume(&mut self, cx: &mut Cx) {
        match load(cx, self.id()) {
            Ok(d) => self.data = d,
            Err(e) => cx.fail(&e),
        }
    }

    fn changed(&mut self, change: &Change, cx: &mut Cx) -> bool {
        if !change.touches(&self.data.shown) {
            return false;
        }
        self.resume(cx);
        if change.by != cx.clerk.login {
            let who = cx.clerk_name(&change.by);
            let msg = cx.t.f("status.changed_by", &[("login", &who)]);
            cx.say(Level::Info, msg);
        }
        true
    }

    fn render(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        let (lines, targets) = self.lines(cx);
        let chosen = self
            .selected
            .and_then(|i| targets.get(i))
            .map(|(line, _)| *line);
        let h = area.height as usize;
        let mut first = self.scroll.min(lines.len().saturating_sub(h));
        if let Some(c) = chosen {
            // The chosen line stays in view.
            first = first.min(c).max((c + 1).saturating_sub(h));
        }
        let w = area.width as usize;
        for (n, (style, text)) in lines.iter().enumerate().skip(first).take(h) {
            let (style, text) = match chosen == Some(n) {
                true => (
                    cx.theme.selected,
                    format!("{}{}", cx.sym.pointer, text.get(2..).unwrap_or(text)),
                ),
                false => (*style, text.clone()),
            };
            buf.set_stringn(
                area.x,
                area.y + (n - first) as u16,
                fit(&text, w, cx.sym.ellipsis),
                w,
                style,
            );
        }
        if lines.len() > h + first {
            let more = cx.sym.more;
            buf.set_string(area.right() - 1, area.bottom() - 1, more, cx.theme.dim);
        }
    }
}
