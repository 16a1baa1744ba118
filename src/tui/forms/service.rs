//! A social service in the register. The line above the fields shows its occupancy (active
//! referrals against its places); under the fields, its monitoring visits, the latest first:
//! F7 records a new visit, F6 lists them all.

use super::{settlements, Lens, Spec};
use crate::domain::{
    date::format_date,
    record::{Body, Kind, Record},
    register::{Access, Funding, Referrer, RegisterRow, Service, ServiceType},
};
use crate::service::ApiExt;
use crate::tui::{
    app::{Cx, Outcome},
    keymap::{Action, Meanings},
    screens::{record_form::RecordForm, record_list},
    widgets::form::FieldKind,
};
use crate::{date_lens, enum_lens, number_lens, ref_lens, text_lens};

pub struct ServiceSpec;

type L = Lens<Service>;

#[derive(Default)]
pub struct ServiceExtra {
    row: Option<RegisterRow>,
    /// The service's visits, the latest first.
    visits: Vec<Record>,
}

/// A visit as a line: date, rating, clerks, findings' first line.
pub fn visit_line(r: &Record, cx: &Cx) -> String {
    let Body::Visit(v) = &r.body else {
        return String::new();
    };
    let rating = super::visit::rating_name(&v.rating, cx);
    let first = v.findings.lines().next().unwrap_or_default();
    format!(
        "{} {} · {} · {first}",
        format_date(v.date),
        rating,
        v.clerks.join(", ")
    )
}

impl Spec for ServiceSpec {
    type T = Service;
    type Extra = ServiceExtra;
    const KIND: Kind = Kind::Service;

    fn lenses() -> Vec<Lens<Service>> {
        vec![
            text_lens!(L, "name", FieldKind::Text { max: 200 }, name).required(),
            enum_lens!(L, "activity", "service_type", ServiceType::ALL, activity).required(),
            enum_lens!(L, "access", "service.access", Access::ALL, access).required(),
            text_lens!(
                L,
                "target_group",
                FieldKind::Text { max: 400 },
                target_group
            ),
            ref_lens!(L, "provider", Kind::Provider, provider),
            crate::choice_lens!(L, "settlement", settlements, settlement),
            text_lens!(L, "address", FieldKind::Text { max: 200 }, address),
            number_lens!(L, "capacity", 0, 10_000, capacity),
            enum_lens!(L, "funding", "service.funding", Funding::ALL, funding).required(),
            text_lens!(L, "project", FieldKind::Text { max: 200 }, project),
            enum_lens!(
                L,
                "referred_by",
                "service.referrer",
                Referrer::ALL,
                referred_by
            )
            .required(),
            date_lens!(L, "valid_from", valid_from, optional),
            date_lens!(L, "valid_to", valid_to, optional),
        ]
    }

    fn blank(cx: &Cx) -> Service {
        Service {
            name: String::new(),
            activity: ServiceType::Information,
            access: Access::Specialised,
            target_group: String::new(),
            provider: 0,
            settlement: cx
                .settings
                .settlements
                .first()
                .map(|s| s.ekatte.clone())
                .unwrap_or_default(),
            address: String::new(),
            capacity: 0,
            funding: Funding::Municipal,
            project: String::new(),
            referred_by: Referrer::Municipality,
            valid_from: Some(cx.today()),
            valid_to: None,
        }
    }

    fn wrap(t: Service) -> Body {
        Body::Service(t)
    }

    fn unwrap(b: &Body) -> Option<Service> {
        match b {
            Body::Service(s) => Some(s.clone()),
            _ => None,
        }
    }

    fn name(s: &Service, _cx: &Cx) -> String {
        s.name.clone()
    }

    fn check(s: &mut Service, _cx: &Cx) -> Result<(), Vec<crate::domain::FieldError>> {
        s.validate()
    }

    const WATCH: &'static [Kind] = &[Kind::Visit, Kind::Referral];

    fn refresh(f: &mut RecordForm<Self>, cx: &mut Cx) {
        let Some((id, _)) = f.editing else {
            return;
        };
        match (cx.api.register_row(id), cx.api.related(id)) {
            (Ok(row), Ok(related)) => {
                f.extra.row = row;
                let mut visits: Vec<Record> = related
                    .into_iter()
                    .filter(|r| r.kind() == Kind::Visit)
                    .collect();
                visits.sort_by_key(|r| match &r.body {
                    Body::Visit(v) => std::cmp::Reverse((v.date, r.id())),
                    _ => std::cmp::Reverse((chrono::NaiveDate::MIN, 0)),
                });
                f.extra.visits = visits;
            }
            (Err(e), _) | (_, Err(e)) => cx.fail(&e),
        }
    }

    fn banner(f: &RecordForm<Self>, cx: &Cx) -> Option<String> {
        let row = f.extra.row.as_ref()?;
        let capacity = row.service.capacity.to_string();
        let occupied = row.occupied.to_string();
        Some(match row.free() {
            None if row.ended(cx.today()) => cx.t.f(
                "service.ended",
                &[(
                    "date",
                    &format_date(row.service.valid_to.unwrap_or_default()),
                )],
            ),
            None if !row.in_register => cx.t.t("service.not_yet").to_string(),
            None => cx.t.f("service.occupied_only", &[("occupied", &occupied)]),
            Some(0) => cx.t.f(
                "service.full",
                &[("occupied", &occupied), ("capacity", &capacity)],
            ),
            Some(free) => cx.t.f(
                "service.occupancy",
                &[
                    ("occupied", &occupied),
                    ("capacity", &capacity),
                    ("free", &free.to_string()),
                ],
            ),
        })
    }

    fn below(f: &RecordForm<Self>, cx: &Cx) -> Vec<String> {
        if f.editing.is_none() {
            return Vec::new();
        }
        let mut lines = vec![cx.t.f(
            "service.visits",
            &[("n", &f.extra.visits.len().to_string())],
        )];
        if f.extra.visits.is_empty() {
            lines.push(cx.t.t("service.no_visits").to_string());
        }
        lines.extend(f.extra.visits.iter().map(|r| visit_line(r, cx)));
        lines
    }

    fn hints(f: &RecordForm<Self>) -> Vec<Action> {
        match f.editing {
            Some(_) => vec![Action::NewPerson, Action::Edit],
            None => Vec::new(),
        }
    }

    fn meanings(f: &RecordForm<Self>) -> Meanings {
        match f.editing {
            Some(_) => vec![
                (Action::NewPerson, "action.new_visit"),
                (Action::Edit, "action.list_visits"),
            ],
            None => Vec::new(),
        }
    }

    fn action(f: &mut RecordForm<Self>, a: Action, cx: &mut Cx) -> Option<Outcome> {
        let (id, _) = f.editing?;
        match a {
            Action::NewPerson => Some(Outcome::Push(Box::new(super::visit::new_form(cx, id)))),
            Action::Edit => {
                let list = record_list::RecordList::new(record_list::visits_of(id), cx);
                Some(Outcome::Push(Box::new(list)))
            }
            _ => None,
        }
    }
}
