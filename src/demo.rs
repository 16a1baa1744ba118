//! The demo database: a fictional municipality from `fixtures/demo/`, about fifty persons spread
//! over every workflow, and any number of generated fictional persons. Everything goes through
//! the service API, so the demo obeys the same rules as a clerk.

use crate::domain::{
    assistance::*,
    calendar::WorkCalendar,
    clerk::Role,
    date::Month,
    egn::{make_egn, Egn},
    eik::Eik,
    iban::{make_bg_iban, Iban},
    intake::{Assessment, Channel, DomainNeed, Intake, Need, NeedDomain, Outcome, Topic},
    person::{DisabilityDecision, ExpertBody, Person, PersonalId},
    phone::Phone,
    record::{Body, Record},
    referral::{Referral, ReferralStatus},
    register::{
        Access, Campaign, CampaignFormat, Funding, Licence, Provider, ProviderKind, Referrer,
        Service, ServiceType, Visit,
    },
    report::{MonthlyReport, ReportStatus},
    settings::{Settings, Settlement},
};
use crate::service::{ApiExt, Service as Svc, ServiceError, Session};
use chrono::{Datelike, Days, Months, NaiveDate, NaiveTime};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

const MUNICIPALITY: &str = include_str!("../fixtures/demo/municipality.json");
const NAMES: &str = include_str!("../fixtures/demo/names.json");
const PERSONS: &str = include_str!("../fixtures/demo/persons.csv");

#[derive(Deserialize)]
struct Municipality {
    municipality: String,
    settlements: Vec<Settlement>,
    providers: Vec<ProviderRow>,
    services: Vec<ServiceRow>,
    clerks: Vec<ClerkRow>,
    visits: Vec<VisitRow>,
    campaigns: Vec<CampaignRow>,
}

#[derive(Deserialize)]
struct ProviderRow {
    key: String,
    name: String,
    eik: String,
    kind: ProviderKind,
    licence: Option<Licence>,
    settlement: String,
    address: String,
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    contact: String,
}

#[derive(Deserialize)]
struct ServiceRow {
    key: String,
    name: String,
    activity: ServiceType,
    access: Access,
    target_group: String,
    provider: String,
    settlement: String,
    address: String,
    capacity: u32,
    funding: Funding,
    #[serde(default)]
    project: String,
    referred_by: Referrer,
    #[serde(default)]
    valid_from: Option<NaiveDate>,
    #[serde(default)]
    valid_to: Option<NaiveDate>,
}

/// A monitoring visit `ago` days back; its follow-up `follow_up` days after it.
#[derive(Deserialize)]
struct VisitRow {
    service: String,
    ago: u64,
    clerks: Vec<String>,
    rating: String,
    findings: String,
    #[serde(default)]
    follow_up: Option<u64>,
}

/// An information campaign or meeting `ago` days back.
#[derive(Deserialize)]
struct CampaignRow {
    ago: u64,
    settlement: String,
    topic: String,
    format: CampaignFormat,
    participants: u32,
    clerk: String,
    #[serde(default)]
    note: String,
}

#[derive(Deserialize)]
struct ClerkRow {
    login: String,
    name: String,
    role: String,
}

#[derive(Deserialize)]
struct Names {
    male: Vec<String>,
    female: Vec<String>,
    surnames: Vec<String>,
}

#[derive(Deserialize)]
struct PersonRow {
    first_name: String,
    middle_name: String,
    last_name: String,
    egn: String,
    phone: String,
    settlement: String,
    scenario: String,
}

/// What went wrong while building the demo.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("a database already exists there")]
    Exists,
    #[error("fixture: {0}")]
    Fixture(String),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

/// What the demo's personal-assistance users share as they are made.
#[derive(Default)]
struct Assistance {
    /// Active users so far.
    active: usize,
    /// The first active user's assistant record, who serves a second user.
    shared: Option<u64>,
    /// The agreement whose assistant is replaced on the 1st.
    to_replace: Option<Record>,
}

/// A service as the demo refers to it: (id, provider, activity).
type Placed = (u64, u64, ServiceType);

/// A small deterministic generator (splitmix64): the same demo every time, no extra crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

fn fixture<T: for<'de> Deserialize<'de>>(name: &str, text: &str) -> Result<T, DemoError> {
    serde_json::from_str(text).map_err(|e| DemoError::Fixture(format!("{name}: {e}")))
}

fn persons_csv() -> Result<Vec<PersonRow>, DemoError> {
    csv::Reader::from_reader(PERSONS.as_bytes())
        .deserialize()
        .collect::<Result<Vec<PersonRow>, _>>()
        .map_err(|e| DemoError::Fixture(format!("persons.csv: {e}")))
}

/// The female form of a surname or patronymic ("Иванов" → "Иванова").
fn feminine(s: &str) -> String {
    if s.ends_with("ов") || s.ends_with("ев") || s.ends_with("ин") {
        format!("{s}а")
    } else {
        s.to_string()
    }
}

/// The patronymic from a father's first name ("Петър" → "Петров", "Георги" → "Георгиев").
fn patronymic(first: &str) -> String {
    if let Some(stem) = first.strip_suffix("ър") {
        format!("{stem}ров")
    } else if let Some(stem) = first.strip_suffix('й') {
        format!("{stem}ев")
    } else if first.ends_with(['и', 'е', 'у']) {
        format!("{first}ев")
    } else if let Some(stem) = first.strip_suffix(['а', 'я', 'о']) {
        format!("{stem}ов")
    } else {
        format!("{first}ов")
    }
}

pub struct DemoSummary {
    pub persons: usize,
    pub generated: usize,
    pub records: usize,
}

/// Builds the demo database in `dir`, which must not hold one yet. `login` becomes its
/// administrator.
pub fn build(
    dir: &std::path::Path,
    login: &str,
    full_name: &str,
    generated: usize,
    clock: crate::service::Clock,
) -> Result<DemoSummary, DemoError> {
    let m: Municipality = fixture("municipality.json", MUNICIPALITY)?;
    let settings = Settings {
        municipality: m.municipality.clone(),
        settlements: m.settlements.clone(),
        // The demo loads agreements dated in the past, whatever day it is built on.
        no_new_agreements_last_days: 0,
        ..Settings::default()
    };
    let name = if full_name.is_empty() {
        login
    } else {
        full_name
    };
    let (svc, created) = Svc::open_or_create(dir, login, name, settings, clock)?;
    if !created {
        return Err(DemoError::Exists);
    }
    let session = svc.session(login)?;
    let mut b = Builder {
        s: &session,
        svc: &svc,
        today: svc.now().date(),
        records: 0,
        rng: Rng(0x5EED_F0F0),
    };
    b.run(&m, generated)
}

struct Builder<'a> {
    s: &'a Session,
    svc: &'a Arc<Svc>,
    today: NaiveDate,
    records: usize,
    rng: Rng,
}

fn days_before(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_sub_days(Days::new(n)).unwrap_or(d)
}

impl Builder<'_> {
    fn create(&mut self, body: Body) -> Result<Record, DemoError> {
        self.records += 1;
        Ok(self.s.create(body)?)
    }

    fn run(&mut self, m: &Municipality, generated: usize) -> Result<DemoSummary, DemoError> {
        for c in &m.clerks {
            let role = Role::parse(&c.role)
                .ok_or_else(|| DemoError::Fixture(format!("role {}", c.role)))?;
            if c.login != self.s.login() {
                self.s.add_clerk(&c.login, &c.name, role)?;
                self.records += 1;
            }
        }
        let mut providers = HashMap::new();
        for p in &m.providers {
            let eik =
                Eik::parse(&p.eik).map_err(|e| DemoError::Fixture(format!("{}: {e}", p.eik)))?;
            let rec = self.create(Body::Provider(Provider {
                name: p.name.clone(),
                eik,
                kind: p.kind,
                licence: p.licence.clone(),
                settlement: p.settlement.clone(),
                address: p.address.clone(),
                phone: Phone::parse(&p.phone).ok(),
                email: p.email.clone(),
                contact: p.contact.clone(),
            }))?;
            providers.insert(p.key.clone(), rec.meta.id);
        }
        let mut services = Vec::new();
        let mut by_key = HashMap::new();
        for s in &m.services {
            let provider = *providers
                .get(&s.provider)
                .ok_or_else(|| DemoError::Fixture(format!("provider {}", s.provider)))?;
            let rec = self.create(Body::Service(Service {
                name: s.name.clone(),
                activity: s.activity,
                access: s.access,
                target_group: s.target_group.clone(),
                provider,
                settlement: s.settlement.clone(),
                address: s.address.clone(),
                capacity: s.capacity,
                funding: s.funding,
                project: s.project.clone(),
                referred_by: s.referred_by,
                valid_from: s.valid_from,
                valid_to: s.valid_to,
            }))?;
            services.push((rec.meta.id, provider, s.activity));
            by_key.insert(s.key.clone(), (rec.meta.id, provider, s.activity));
        }
        let service = |key: &str| -> Result<Placed, DemoError> {
            by_key
                .get(key)
                .copied()
                .ok_or_else(|| DemoError::Fixture(format!("service {key}")))
        };
        // The workflow's referrals go to the specialised day and home services (the protected
        // home and the crisis centre get theirs below, so their occupancy is as designed).
        let targets: Vec<Placed> = m
            .services
            .iter()
            .zip(&services)
            .filter(|(row, _)| {
                row.access == Access::Specialised
                    && !matches!(
                        row.activity,
                        ServiceType::ResidentialCare | ServiceType::Shelter
                    )
            })
            .map(|(_, placed)| *placed)
            .collect();
        let municipality = providers.values().copied().min().unwrap_or(0);
        let municipality = providers.get("muni").copied().unwrap_or(municipality);

        let rows = persons_csv()?;
        let mut idents = HashSet::new();
        let mut assistants = rows.iter().filter(|r| r.scenario == "assistant");
        let mut n = 0usize;
        // Persons for the warning cases: (person id, has personal assistance).
        let mut users: Vec<(u64, bool)> = Vec::new();
        let mut residents = Vec::new();
        let mut pa = Assistance::default();
        for (i, row) in rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.scenario != "assistant")
        {
            let user = self.person(row, &mut idents)?;
            n += 1;
            if row.scenario != "resident" {
                users.push((user.meta.id, row.scenario == "pa:active"));
            }
            let (kind, arg) = row
                .scenario
                .split_once(':')
                .unwrap_or((row.scenario.as_str(), ""));
            match kind {
                "intake" => self.intake_only(user.meta.id, i)?,
                "referral" => self.referral(user.meta.id, arg, i, &targets)?,
                "resident" => residents.push(user.meta.id),
                "pa" => {
                    let a = assistants
                        .next()
                        .ok_or_else(|| DemoError::Fixture("too few assistants".into()))?;
                    let assistant = self.person(a, &mut idents)?;
                    n += 1;
                    self.personal_assistance(
                        &user,
                        assistant.meta.id,
                        arg,
                        i,
                        municipality,
                        &mut pa,
                    )?;
                }
                other => return Err(DemoError::Fixture(format!("scenario {other}"))),
            }
        }
        // One assistant's contract ended last month: a new one took over on the 1st.
        if let (Some(row), Some(agreement)) = (assistants.next(), pa.to_replace.take()) {
            let person = self.person(row, &mut idents)?;
            n += 1;
            self.replace_assistant(&agreement, person.meta.id, municipality)?;
        }
        // The protected home is full: each resident moved in after ДСП's referral.
        let home = service("protected")?;
        for (k, person) in residents.iter().enumerate() {
            self.referral_to(
                *person,
                home,
                &[
                    ReferralStatus::Assessed,
                    ReferralStatus::Referred,
                    ReferralStatus::Accepted,
                    ReferralStatus::Started,
                ],
                140 + 95 * k as u64,
                "Настаняване по направление на ДСП.",
            )?;
        }
        self.warning_cases(&services, &users, home, service("crisis")?)?;
        // Two anonymous phone enquiries.
        for k in 0..2 {
            self.create(Body::Intake(Intake {
                reg_no: String::new(),
                at: days_before(self.today, k + 1)
                    .and_time(NaiveTime::from_hms_opt(10, 15, 0).unwrap_or_default()),
                channel: Channel::Phone,
                clerk: String::new(),
                person: None,
                topics: vec![Topic::SocialServices],
                note: "Анонимно запитване за дневна грижа.".into(),
                outcome: Outcome::Informed,
                follow_up: None,
            }))?;
        }
        self.monitoring(m, &by_key)?;
        let generated = self.generate(generated, &m.settlements, &mut idents)?;
        // Back to the default rule now that the historic agreements are in.
        let current = self.s.settings()?;
        let mut settings = current.settings.clone();
        settings.no_new_agreements_last_days = Settings::default().no_new_agreements_last_days;
        self.s.update_settings(current.rev, settings)?;
        Ok(DemoSummary {
            persons: n,
            generated,
            records: self.records + generated,
        })
    }

    /// One referral with each warning, an overdue call-back and a visiting-day intake: so that
    /// the first agenda a newcomer sees has every kind of line.
    fn warning_cases(
        &mut self,
        services: &[Placed],
        users: &[(u64, bool)],
        full: Placed,
        crisis: Placed,
    ) -> Result<(), DemoError> {
        use ReferralStatus::*;
        let plain: Vec<u64> = users.iter().filter(|u| !u.1).map(|u| u.0).collect();
        let pa = users.iter().find(|u| u.1).map(|u| u.0);
        let (Some(pa), [a, b, c, d, ..]) = (pa, plain.as_slice()) else {
            return Err(DemoError::Fixture(
                "too few persons for the warnings".into(),
            ));
        };
        let by_type = |t: ServiceType| services.iter().copied().find(|s| s.2 == t);
        // Double funding: assistant support asked for by a personal-assistance user.
        if let Some(support) = by_type(ServiceType::AssistantSupport) {
            self.referral_to(pa, support, &[], 2, "Иска и асистентска подкрепа.")?;
        }
        // Open to all: a referral to a service that needs none.
        if let Some(open) = services
            .iter()
            .copied()
            .skip(1)
            .find(|s| s.2 == ServiceType::SkillsTraining)
        {
            self.referral_to(*a, open, &[], 1, "")?;
        }
        // A stay in the crisis centre, and a full service: the protected home's places are all
        // taken, so a new referral to it is warned and waits.
        self.referral_to(*b, crisis, &[Assessed, Referred, Accepted, Started], 30, "")?;
        self.referral_to(
            *c,
            full,
            &[Assessed],
            5,
            "Чака свободно място в защитеното жилище.",
        )?;
        // A call-back already late, taken on a visiting day in a village.
        self.create(Body::Intake(Intake {
            reg_no: String::new(),
            at: days_before(self.today, 9)
                .and_time(NaiveTime::from_hms_opt(11, 0, 0).unwrap_or_default()),
            channel: Channel::VisitingDay,
            clerk: String::new(),
            person: Some(*d),
            topics: vec![Topic::SocialServices, Topic::AssistantSupport],
            note: "Приемен ден в селото: пита за асистентска подкрепа за майка си.".into(),
            outcome: Outcome::Open,
            follow_up: Some(days_before(self.today, 2)),
        }))?;
        Ok(())
    }

    fn person(
        &mut self,
        row: &PersonRow,
        idents: &mut HashSet<String>,
    ) -> Result<Record, DemoError> {
        let egn = Egn::parse(&row.egn, self.today)
            .map_err(|e| DemoError::Fixture(format!("ЕГН {}: {e}", row.egn)))?;
        idents.insert(row.egn.clone());
        let phone = Phone::parse(&row.phone)
            .map_err(|e| DemoError::Fixture(format!("{}: {e}", row.phone)))?;
        let address = format!("ул. „Демо“ {}", 1 + self.rng.below(60));
        self.create(Body::Person(Person {
            ident: PersonalId::Egn(egn),
            first_name: row.first_name.clone(),
            middle_name: row.middle_name.clone(),
            last_name: row.last_name.clone(),
            settlement: row.settlement.clone(),
            address,
            phones: vec![phone],
            consent: Some(days_before(self.today, 40)),
            ..Person::default()
        }))
    }

    fn intake(
        &mut self,
        person: u64,
        topic: Topic,
        outcome: Outcome,
        ago: u64,
        i: usize,
    ) -> Result<Record, DemoError> {
        let channel = Channel::ALL[i % Channel::ALL.len()];
        self.create(Body::Intake(Intake {
            reg_no: String::new(),
            at: days_before(self.today, ago)
                .and_time(NaiveTime::from_hms_opt(9 + (i % 7) as u32, 30, 0).unwrap_or_default()),
            channel,
            clerk: String::new(),
            person: Some(person),
            topics: vec![topic],
            note: "Информиран за правата и услугите в общината.".into(),
            outcome,
            // Every third enquiry needs a call back: it shows on the agenda.
            follow_up: i
                .is_multiple_of(3)
                .then(|| self.today + Days::new((i % 5) as u64)),
        }))
    }

    /// The fixture's monitoring visits over the last year (a latest visit with remarks wants a
    /// follow-up: some late, some due this week, some later; an earlier one's follow-up is
    /// superseded by the visit after it) and its information campaigns in the settlements.
    fn monitoring(
        &mut self,
        m: &Municipality,
        services: &HashMap<String, Placed>,
    ) -> Result<(), DemoError> {
        for v in &m.visits {
            let &(service, _, _) = services
                .get(&v.service)
                .ok_or_else(|| DemoError::Fixture(format!("visit to {}", v.service)))?;
            let date = days_before(self.today, v.ago);
            self.create(Body::Visit(Visit {
                service,
                date,
                clerks: v.clerks.clone(),
                findings: v.findings.clone(),
                rating: v.rating.clone(),
                follow_up: v.follow_up.map(|n| date + Days::new(n)),
            }))?;
        }
        for c in &m.campaigns {
            self.create(Body::Campaign(Campaign {
                date: days_before(self.today, c.ago),
                settlement: c.settlement.clone(),
                topic: c.topic.clone(),
                format: c.format,
                participants: c.participants,
                clerk: c.clerk.clone(),
                note: c.note.clone(),
            }))?;
        }
        Ok(())
    }

    fn intake_only(&mut self, person: u64, i: usize) -> Result<(), DemoError> {
        let topic = [
            Topic::SocialServices,
            Topic::DisabilityRights,
            Topic::PersonalAssistance,
        ][i % 3];
        self.intake(
            person,
            topic,
            if i.is_multiple_of(4) {
                Outcome::Open
            } else {
                Outcome::Informed
            },
            (i % 20) as u64,
            i,
        )?;
        Ok(())
    }

    fn referral(
        &mut self,
        person: u64,
        target: &str,
        i: usize,
        targets: &[Placed],
    ) -> Result<(), DemoError> {
        use ReferralStatus::*;
        // Half the referrals are old (their steps overdue), half recent (due within days).
        let ago = if i.is_multiple_of(2) { 44 } else { 23 };
        let intake = self.intake(person, Topic::SocialServices, Outcome::Referred, ago + 1, i)?;
        let &(service, provider, activity) = targets
            .get(i % targets.len().max(1))
            .ok_or_else(|| DemoError::Fixture("no service to refer to".into()))?;
        let assessment = self.assessment(person, intake.meta.id, ago, activity, i)?;
        let path: &[ReferralStatus] = match target {
            "Requested" => &[],
            "Assessed" => &[Assessed],
            "Referred" => &[Assessed, Referred],
            "Accepted" => &[Assessed, Referred, Accepted],
            "Declined" => &[Assessed, Referred, Declined],
            "Started" => &[Assessed, Referred, Accepted, Started],
            "Ended" => &[Assessed, Referred, Accepted, Started, Ended],
            "Withdrawn" => &[Assessed, Withdrawn],
            other => return Err(DemoError::Fixture(format!("referral status {other}"))),
        };
        let requested = days_before(self.today, ago);
        let mut r = Referral {
            person,
            assessment: Some(assessment.meta.id),
            service_type: activity,
            service: Some(service),
            provider: Some(provider),
            requested,
            status: Requested,
            history: Vec::new(),
            due: None,
            note: String::new(),
            warnings: Vec::new(),
        };
        r.history.push(crate::domain::referral::StatusChange {
            status: Requested,
            date: requested,
            note: String::new(),
            by: String::new(),
        });
        for (k, st) in path.iter().enumerate() {
            let note = if *st == Declined {
                "Няма свободни места."
            } else {
                ""
            };
            r.advance(*st, requested + Days::new(3 * (k as u64 + 1)), note, "")
                .map_err(|_| DemoError::Fixture("referral path".into()))?;
        }
        // The service gives each step its deadline from the settings.
        self.create(Body::Referral(r))?;
        Ok(())
    }

    fn assessment(
        &mut self,
        person: u64,
        intake: u64,
        ago: u64,
        activity: ServiceType,
        i: usize,
    ) -> Result<Record, DemoError> {
        let needs = NeedDomain::ALL
            .iter()
            .enumerate()
            .filter(|(k, _)| !(k + i).is_multiple_of(3))
            .map(|(k, d)| DomainNeed {
                domain: *d,
                need: Need::ALL[(k + i) % 3],
                note: if (k + i) % 3 == 2 {
                    "Нуждае се от ежедневна помощ.".into()
                } else {
                    String::new()
                },
            })
            .collect();
        self.create(Body::Assessment(Assessment {
            person,
            intake: Some(intake),
            date: days_before(self.today, ago.saturating_sub(1)),
            clerk: String::new(),
            needs,
            recommended: vec![activity],
            conclusion: "Нужда от подкрепа в ежедневието и социални контакти.".into(),
        }))
    }

    /// A referral of `person` to `service` moved along `path` from `ago` days back.
    fn referral_to(
        &mut self,
        person: u64,
        service: Placed,
        path: &[ReferralStatus],
        ago: u64,
        note: &str,
    ) -> Result<Record, DemoError> {
        let requested = days_before(self.today, ago);
        let mut r = Referral {
            person,
            assessment: None,
            service_type: service.2,
            service: Some(service.0),
            provider: Some(service.1),
            requested,
            status: ReferralStatus::Requested,
            history: Vec::new(),
            due: None,
            note: note.into(),
            warnings: Vec::new(),
        };
        r.history.push(crate::domain::referral::StatusChange {
            status: ReferralStatus::Requested,
            date: requested,
            note: String::new(),
            by: String::new(),
        });
        for (k, st) in path.iter().enumerate() {
            r.advance(*st, requested + Days::new(k as u64 + 1), "", "")
                .map_err(|_| DemoError::Fixture("referral path".into()))?;
        }
        self.create(Body::Referral(r))
    }

    /// One user of personal assistance in `state` (active, incomplete, complete, suspended,
    /// ended), with an assistant of their own: the first active user's assistant also serves
    /// the third (whose own becomes the substitute), the fourth's assistant is replaced on
    /// the 1st (after the loop), the fifth was in hospital for a few days, the last one
    /// started this month and has no employment contract yet.
    fn personal_assistance(
        &mut self,
        user: &Record,
        assistant_person: u64,
        state: &str,
        i: usize,
        provider: u64,
        pa: &mut Assistance,
    ) -> Result<(), DemoError> {
        let Body::Person(mut p) = user.body.clone() else {
            return Err(DemoError::Fixture("user".into()));
        };
        let child = p.age_on(self.today).is_some_and(|a| a < 18);
        // A child's application is made by a parent, the legal representative.
        let parent = format!(
            "{} {}",
            ["Мария", "Елена", "Иванка"][i % 3],
            feminine(&p.last_name)
        );
        p.disability = Some(DisabilityDecision {
            body: if child {
                ExpertBody::Child
            } else {
                ExpertBody::Telk
            },
            number: format!("{}/{}", 100 + i, self.today.year() - 1),
            issued: days_before(self.today, 300),
            percent: if child {
                90 + (i % 11) as u8
            } else {
                71 + (i % 30) as u8
            },
            needs_help: !child,
            // One in three is lifelong; one decision expires within the alert window.
            valid_until: match i % 3 {
                0 => None,
                1 => Some(self.today + Days::new(20 + i as u64)),
                _ => Some(self.today + Days::new(700)),
            },
        });
        let user = self
            .s
            .update(user.meta.id, user.meta.rev, Body::Person(p))?;
        let uid = user.meta.id;
        self.intake(
            uid,
            Topic::PersonalAssistance,
            Outcome::ApplicationAccepted,
            150,
            i,
        )?;
        let degree = 2 + (i % 3) as u8;
        let hours = degree_cap_hours(degree).unwrap_or(42);
        let valid_from = days_before(self.today, 160);
        // A suspended user's направление runs out within the month (its agreement and the
        // assistant's contract end with it); an applicant's within the alert window.
        let valid_until = match state {
            "suspended" => self.today + Days::new(25),
            "complete" => self.today + Days::new(45),
            _ => self.today + Days::new(365 * 2),
        };
        // The service fills in the expert decision's number from the person's.
        let decision = self.create(Body::DspDecision(DspDecision {
            person: uid,
            number: format!("ДСП-{}-{:03}", self.today.year(), i),
            expert_decision: String::new(),
            date: valid_from,
            degree,
            hours_per_month: hours,
            valid_from,
            valid_until,
        }))?;
        let settings = self.s.settings()?.settings;
        let mut checklist: Vec<CheckItem> = settings
            .checklist
            .iter()
            .map(|c| CheckItem {
                code: c.code.clone(),
                state: match c.code.as_str() {
                    "representation" => CheckState::NotApplicable,
                    _ => CheckState::Ok,
                },
                note: String::new(),
            })
            .collect();
        let status = match state {
            "incomplete" => {
                if let Some(c) = checklist.iter_mut().find(|c| c.code == "napravlenie") {
                    c.state = CheckState::Missing;
                    c.note = "Да донесе направлението от ДСП.".into();
                }
                ApplicationStatus::Incomplete
            }
            "complete" => ApplicationStatus::Complete,
            _ => ApplicationStatus::Approved,
        };
        let active = state == "active";
        let k = pa.active;
        if active {
            pa.active += 1;
        }
        if let Some(c) = checklist.iter_mut().find(|c| c.code == "representation") {
            if child {
                c.state = CheckState::Ok;
                c.note = "Удостоверение за раждане.".into();
            }
        }
        let own = self.create(Body::Assistant(Assistant {
            person: assistant_person,
            iban: Iban::parse(&make_bg_iban("UNCR", 7000_1500_0000 + i as u64))
                .map_err(|e| DemoError::Fixture(format!("IBAN: {e}")))?,
            relation: ["син", "дъщеря", "съсед", "без родство"][i % 4].into(),
            no_protection_order: true,
        }))?;
        // The first active user's assistant takes the third one too, whose own assistant
        // stands in as the substitute.
        let (assistant, substitute) = match (active, k, pa.shared) {
            (true, 2, Some(shared)) => (shared, Some(own.meta.id)),
            _ => (own.meta.id, None),
        };
        if active && k == 0 {
            pa.shared = Some(own.meta.id);
        }
        let assistant_person_of = |id: u64| -> Result<u64, DemoError> {
            match self.s.get(crate::domain::record::Kind::Assistant, id)?.body {
                Body::Assistant(a) => Ok(a.person),
                _ => Err(DemoError::Fixture("assistant".into())),
            }
        };
        let chosen = assistant_person_of(assistant)?;
        let standing_in = substitute.map(assistant_person_of).transpose()?;
        self.create(Body::Application(Application {
            reg_no: String::new(),
            person: uid,
            date: days_before(self.today, 140),
            applicant: if child {
                Applicant::Representative
            } else {
                Applicant::User
            },
            applicant_name: if child { parent } else { String::new() },
            applicant_document: if child {
                format!("удостоверение за раждане № {:04}", 300 + i)
            } else {
                String::new()
            },
            assistant: Some(chosen),
            substitute: standing_in,
            declares_no_other_support: true,
            checklist,
            status,
            // Missing documents are due within the week (one of them already late).
            remedy_by: (status == ApplicationStatus::Incomplete)
                .then(|| self.today + Days::new(3) - Days::new(4 * (i as u64 % 2))),
            refusal_reason: String::new(),
            note: String::new(),
        }))?;
        if matches!(state, "incomplete" | "complete") {
            return Ok(());
        }
        // Agreements start on the 1st, four months back; the last active user's on this
        // month's 1st, its assistant's contract not yet signed.
        let no_contract = active && k == 5;
        let from = if no_contract {
            Month::of(self.today).first_day()
        } else {
            Month::of(
                self.today
                    .checked_sub_months(Months::new(4))
                    .unwrap_or(self.today),
            )
            .first_day()
        };
        let last_month = Month::of(self.today).prev();
        let agreement = self.create(Body::Agreement(Agreement {
            number: String::new(),
            user: uid,
            assistant,
            substitute,
            provider,
            decision: decision.meta.id,
            from,
            to: decision_until(&decision),
            hours_per_month: hours,
            activities: "лични, битови и социални дейности".into(),
            // The hours a month over the working days of the longest month (23), in whole
            // quarter hours: a month by the schedule never passes the agreement.
            week: {
                let day = hours * 60 / 23 / 15 * 15;
                [day, day, day, day, day, 0, 0]
            },
            signed: Some(days_before(from, 5)),
            status: AgreementStatus::Active,
            end_reason: None,
        }))?;
        let cal = WorkCalendar::new(settings.calendar.clone());
        let replaced = active && k == 3;
        let shared = active && k == 2;
        // The shared assistant's contract is the first user's; the last active user's
        // assistant has none yet (the agenda warns).
        if !(no_contract || shared) {
            let ends = matches!(state, "ended" | "suspended") || replaced;
            let end = if state == "suspended" {
                decision_until(&decision)
            } else {
                last_month.last_day()
            };
            let ended = state == "ended" || replaced;
            self.create(Body::Contract(Contract {
                number: format!("ТД-{}-{:03}", from.year(), i),
                assistant,
                provider,
                agreement: Some(agreement.meta.id),
                date: days_before(from, 3),
                start: from,
                end: ends.then_some(end),
                minutes_per_day: 4 * 60,
                status: if ended {
                    ContractStatus::Ended
                } else {
                    ContractStatus::Signed
                },
                end_reason: ended.then(|| "contract_end".to_string()),
            }))?;
        }
        // A closed stay in hospital two months back: the reports leave its days out.
        let stay = (active && k == 4).then(|| {
            let m = last_month.prev();
            Suspension {
                agreement: agreement.meta.id,
                from: NaiveDate::from_ymd_opt(m.year, m.month, 10).unwrap_or(m.first_day()),
                to: NaiveDate::from_ymd_opt(m.year, m.month, 14),
                reason: "hospital".into(),
                note: "Планова операция.".into(),
            }
        });
        if let Some(s) = &stay {
            self.create(Body::Suspension(s.clone()))?;
        }
        // Reports for every past month; every other active agreement still owes last month's.
        let mut month = Month::of(from);
        while month <= last_month {
            let skip = active && i.is_multiple_of(2) && month == last_month;
            if !skip {
                let Body::Agreement(terms) = &agreement.body else {
                    return Err(DemoError::Fixture("agreement".into()));
                };
                let days: Vec<NaiveDate> = (1..=month.days())
                    .filter_map(|d| NaiveDate::from_ymd_opt(month.year, month.month, d))
                    .filter(|d| cal.is_working_day(*d) && terms.covers(*d))
                    .filter(|d| !stay.as_ref().is_some_and(|s| s.covers(*d)))
                    .collect();
                // What the month allows (in proportion to the days in force), in half hours.
                let allowed =
                    crate::domain::monthly::agreed_minutes(terms, stay.as_slice(), month, &cal);
                let per_day = (allowed / days.len().max(1) as u32 / 30 * 30)
                    .min(settings.max_minutes_per_day);
                let mut r = MonthlyReport::from_schedule(
                    agreement.meta.id,
                    month,
                    &days,
                    per_day as u16,
                    month.next().first_day(),
                );
                r.status = ReportStatus::Accepted;
                self.create(Body::Report(r))?;
            }
            month = month.next();
        }
        match state {
            // An open suspension: the service puts the agreement in Suspended.
            "suspended" => {
                self.create(Body::Suspension(Suspension {
                    agreement: agreement.meta.id,
                    from: Month::of(self.today).first_day(),
                    to: None,
                    reason: "hospital".into(),
                    note: "Болнично лечение.".into(),
                }))?;
            }
            "ended" => {
                let current = self.s.get(agreement.kind(), agreement.meta.id)?;
                self.s.end_agreement(
                    current.meta.id,
                    current.meta.rev,
                    last_month.last_day(),
                    "wish",
                )?;
            }
            _ => {}
        }
        if replaced {
            pa.to_replace = Some(agreement);
        }
        Ok(())
    }

    /// The assistant of `agreement` is replaced from this month's 1st by the person `next`:
    /// the new agreement, signed before the 1st, and the new assistant's contract.
    fn replace_assistant(
        &mut self,
        agreement: &Record,
        next: u64,
        provider: u64,
    ) -> Result<(), DemoError> {
        let assistant = self.create(Body::Assistant(Assistant {
            person: next,
            iban: Iban::parse(&make_bg_iban("STSA", 9100_2200_0000 + next))
                .map_err(|e| DemoError::Fixture(format!("IBAN: {e}")))?,
            relation: "без родство".into(),
            no_protection_order: true,
        }))?;
        let from = Month::of(self.today).first_day();
        let current = self.s.get(agreement.kind(), agreement.meta.id)?;
        let made = self.s.replace_assistant(
            current.meta.id,
            current.meta.rev,
            from,
            assistant.meta.id,
            None,
            "contract_end",
        )?;
        self.records += 1;
        let Body::Agreement(mut a) = made.body.clone() else {
            return Err(DemoError::Fixture("agreement".into()));
        };
        a.signed = Some(days_before(from, 3));
        a.status = AgreementStatus::Active;
        self.s
            .update(made.meta.id, made.meta.rev, Body::Agreement(a))?;
        self.create(Body::Contract(Contract {
            number: format!("ТД-{}-{:03}", from.year(), 900 + next % 100),
            assistant: assistant.meta.id,
            provider,
            agreement: Some(made.meta.id),
            date: days_before(from, 3),
            start: from,
            end: None,
            minutes_per_day: 4 * 60,
            status: ContractStatus::Signed,
            end_reason: None,
        }))?;
        Ok(())
    }

    /// Fictional persons with valid ЕГН, realistic names, phones and settlements.
    fn generate(
        &mut self,
        count: usize,
        settlements: &[Settlement],
        idents: &mut HashSet<String>,
    ) -> Result<usize, DemoError> {
        let names: Names = fixture("names.json", NAMES)?;
        let codes: Vec<&str> = settlements.iter().map(|s| s.ekatte.as_str()).collect();
        // A stream of its own: the generated persons stay the same when the fixture's change.
        let mut rng = Rng(0x6E4E_7A7E_D5EE_D001);
        let mut done = 0;
        while done < count {
            let chunk = (count - done).min(crate::service::MAX_BATCH);
            let mut bodies = Vec::with_capacity(chunk);
            while bodies.len() < chunk {
                let female = rng.below(2) == 1;
                let first = rng
                    .pick(if female { &names.female } else { &names.male })
                    .clone();
                let father = rng.pick(&names.male).clone();
                let surname = rng.pick(&names.surnames).clone();
                let (middle, last) = if female {
                    (feminine(&patronymic(&father)), feminine(&surname))
                } else {
                    (patronymic(&father), surname)
                };
                let age_days = 18 * 365 + rng.below(75 * 365);
                let birth = days_before(self.today, age_days);
                // The serial's last digit gives the sex: even male, odd female.
                let serial = (rng.below(100) * 10 + rng.below(5) * 2 + u64::from(female)) as u16;
                let Some(egn) = make_egn(birth, serial) else {
                    continue;
                };
                if !idents.insert(egn.clone()) {
                    continue;
                }
                let Ok(egn) = Egn::parse(&egn, self.today) else {
                    continue;
                };
                let phone = format!(
                    "08{}{} {:03} {:03}",
                    7 + rng.below(3),
                    rng.below(10),
                    rng.below(1000),
                    rng.below(1000)
                );
                bodies.push(Body::Person(Person {
                    ident: PersonalId::Egn(egn),
                    first_name: first,
                    middle_name: middle,
                    last_name: last,
                    settlement: rng.pick(&codes).to_string(),
                    phones: Phone::parse(&phone).into_iter().collect(),
                    ..Person::default()
                }));
            }
            done += self.s.create_many(bodies)?.len();
        }
        let _ = self.svc;
        Ok(done)
    }
}

fn decision_until(decision: &Record) -> NaiveDate {
    match &decision.body {
        Body::DspDecision(d) => d.valid_until,
        _ => decision.meta.created.date(),
    }
}
