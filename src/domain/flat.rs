//! A record as flat columns (the CSV export): the record's meta, then each field of its body in
//! declaration order. Scalars print as they are, an identifier as its digits, a list of scalars
//! joined by "; ", and a nested structure (a decision, a checklist) as compact JSON in its cell.

use super::record::Record;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Serialize, Serializer};
use serde_json::Value;

/// A JSON value whose objects keep their keys in the order they were written (serde_json's
/// map sorts them): a record's fields, and the fields of a nested part (a licence, a
/// decision), come out in declaration order.
enum Ordered {
    Scalar(Value),
    List(Vec<Ordered>),
    Object(Vec<(String, Ordered)>),
}

impl Serialize for Ordered {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Ordered::Scalar(v) => v.serialize(s),
            Ordered::List(items) => s.collect_seq(items),
            Ordered::Object(entries) => s.collect_map(entries.iter().map(|(k, v)| (k, v))),
        }
    }
}

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(Value::Bool(v)))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(v.into()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(v.into()))
            }
            fn visit_str<E>(self, v: &str) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(Value::String(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(Value::String(v)))
            }
            fn visit_unit<E>(self) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(Value::Null))
            }
            fn visit_none<E>(self) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(Value::Null))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Ordered, D::Error> {
                Ordered::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Ordered, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = seq.next_element()? {
                    out.push(v);
                }
                Ok(Ordered::List(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Ordered>()? {
                    out.push((k, v));
                }
                Ok(Ordered::Object(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// The body's fields in declaration order: `{"Person": {...}}` is the one variant's fields.
fn body_fields(record: &Record) -> Vec<(String, Ordered)> {
    let parsed = serde_json::to_string(&record.body)
        .ok()
        .and_then(|json| serde_json::from_str::<Ordered>(&json).ok());
    match parsed {
        Some(Ordered::Object(mut variant)) if variant.len() == 1 => match variant.pop() {
            Some((_, Ordered::Object(fields))) => fields,
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

fn cell(v: &Ordered) -> String {
    match v {
        Ordered::Scalar(Value::Null) => String::new(),
        Ordered::Scalar(Value::String(s)) => s.clone(),
        Ordered::Scalar(other) => other.to_string(),
        // An enum with data around one scalar (`{"Egn": "..."}`): the scalar.
        Ordered::Object(m) if m.len() == 1 && m.iter().all(|(_, v)| is_scalar(v)) => {
            m.iter().map(|(_, v)| cell(v)).collect()
        }
        Ordered::List(items) if items.iter().all(is_scalar) => {
            items.iter().map(cell).collect::<Vec<_>>().join("; ")
        }
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

fn is_scalar(v: &Ordered) -> bool {
    matches!(v, Ordered::Scalar(_))
}

const META: [&str; 5] = ["id", "rev", "created", "updated", "by"];

/// Column names: the meta's, then the body's fields.
pub fn columns(record: &Record) -> Vec<String> {
    META.iter()
        .map(|s| s.to_string())
        .chain(body_fields(record).into_iter().map(|(k, _)| k))
        .collect()
}

/// The meta columns alone (the header of an empty export).
pub fn meta_columns() -> Vec<String> {
    META.iter().map(|s| s.to_string()).collect()
}

/// One row, in the order of `columns`.
pub fn row(record: &Record) -> Vec<String> {
    let m = &record.meta;
    let fmt = |t: chrono::NaiveDateTime| t.format("%Y-%m-%d %H:%M:%S").to_string();
    [
        m.id.to_string(),
        m.rev.to_string(),
        fmt(m.created),
        fmt(m.updated),
        m.by.clone(),
    ]
    .into_iter()
    .chain(body_fields(record).iter().map(|(_, v)| cell(v)))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        clerk::{Clerk, Role},
        eik::Eik,
        record::{Body, Meta},
        register::{Licence, Provider, ProviderKind, Visit},
    };

    fn record(body: Body) -> Record {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 17)
            .unwrap()
            .and_hms_opt(9, 30, 0)
            .unwrap();
        Record {
            meta: Meta {
                id: 7,
                rev: 1,
                created: at,
                updated: at,
                by: "admin".into(),
            },
            body,
        }
    }

    /// A nested part keeps its fields' order; an absent one is an empty cell; a list of names
    /// is joined; an optional date is the date or nothing.
    #[test]
    fn nested_parts_keep_their_order_and_lists_are_joined() {
        let provider = |licence| {
            record(Body::Provider(Provider {
                name: "Сдружение „Подкрепа“".into(),
                eik: Eik::parse("123456786").unwrap(),
                kind: ProviderKind::Ngo,
                licence,
                settlement: "99001".into(),
                address: String::new(),
                phone: None,
                email: "office@podkrepa.bg".into(),
                contact: "Анна Иванова".into(),
            }))
        };
        let with = provider(Some(Licence {
            number: "Л-1234-01".into(),
            date: chrono::NaiveDate::from_ymd_opt(2022, 3, 15).unwrap(),
        }));
        let without = provider(None);
        assert_eq!(columns(&with), columns(&without));
        let licence = columns(&with).iter().position(|c| c == "licence").unwrap();
        assert_eq!(
            row(&with)[licence],
            r#"{"number":"Л-1234-01","date":"2022-03-15"}"#
        );
        assert_eq!(row(&without)[licence], "");
        let visit = record(Body::Visit(Visit {
            service: 3,
            date: chrono::NaiveDate::from_ymd_opt(2026, 10, 20).unwrap(),
            clerks: vec!["mpetrova".into(), "gdimitrov".into()],
            findings: "Досиетата са попълнени.\nЛипсва график.".into(),
            rating: "remarks".into(),
            follow_up: None,
        }));
        assert_eq!(
            &columns(&visit)[5..],
            [
                "service",
                "date",
                "clerks",
                "findings",
                "rating",
                "follow_up"
            ]
        );
        assert_eq!(
            &row(&visit)[5..],
            [
                "3",
                "2026-10-20",
                "mpetrova; gdimitrov",
                "Досиетата са попълнени.\nЛипсва график.",
                "remarks",
                ""
            ]
        );
    }

    /// Personal assistance: the checklist is JSON in its cell (items in order, fields in
    /// declaration order), the week its seven days' minutes joined, an absent date empty.
    #[test]
    fn the_checklist_and_the_week_schedule_are_readable_cells() {
        use crate::domain::assistance::*;
        let day = |m, d| chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        let application = record(Body::Application(Application {
            reg_no: "ЗД-2026-0001".into(),
            person: 3,
            date: day(11, 10),
            applicant: Applicant::Representative,
            applicant_name: "Петър Петров".into(),
            applicant_document: "пълномощно 12/2026".into(),
            assistant: Some(4),
            substitute: None,
            declares_no_other_support: true,
            checklist: vec![
                CheckItem {
                    code: "id_copy".into(),
                    state: CheckState::Ok,
                    note: String::new(),
                },
                CheckItem {
                    code: "napravlenie".into(),
                    state: CheckState::Missing,
                    note: "до 1.12".into(),
                },
            ],
            status: ApplicationStatus::Incomplete,
            remedy_by: Some(day(12, 1)),
            refusal_reason: String::new(),
            note: String::new(),
        }));
        let cols = columns(&application);
        let at = |name: &str| cols.iter().position(|c| c == name).unwrap();
        let cells = row(&application);
        assert_eq!(cells[at("applicant")], "Representative");
        assert_eq!(cells[at("substitute")], "");
        assert_eq!(
            cells[at("checklist")],
            r#"[{"code":"id_copy","state":"Ok","note":""},{"code":"napravlenie","state":"Missing","note":"до 1.12"}]"#
        );
        assert_eq!(cells[at("remedy_by")], "2026-12-01");
        let agreement = record(Body::Agreement(Agreement {
            number: "СП-2026-0001".into(),
            user: 3,
            assistant: 5,
            substitute: None,
            provider: 6,
            decision: 7,
            from: day(7, 1),
            to: day(12, 31),
            hours_per_month: 84,
            activities: String::new(),
            week: [240, 240, 240, 240, 240, 0, 0],
            signed: None,
            status: AgreementStatus::Draft,
            end_reason: None,
        }));
        let cols = columns(&agreement);
        let at = |name: &str| cols.iter().position(|c| c == name).unwrap();
        let cells = row(&agreement);
        assert_eq!(cells[at("week")], "240; 240; 240; 240; 240; 0; 0");
        assert_eq!(
            (
                cells[at("signed")].as_str(),
                cells[at("end_reason")].as_str()
            ),
            ("", "")
        );
    }

    #[test]
    fn fields_in_declaration_order_with_scalars_as_they_are() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 17)
            .unwrap()
            .and_hms_opt(9, 30, 0)
            .unwrap();
        let r = Record {
            meta: Meta {
                id: 7,
                rev: 2,
                created: at,
                updated: at,
                by: "admin".into(),
            },
            body: Body::Clerk(Clerk {
                login: "mpetrova".into(),
                name: "Мария Петрова".into(),
                role: Role::Clerk,
                active: true,
            }),
        };
        assert_eq!(
            columns(&r),
            ["id", "rev", "created", "updated", "by", "login", "name", "role", "active"]
        );
        assert_eq!(
            row(&r),
            [
                "7",
                "2",
                "2026-11-17 09:30:00",
                "2026-11-17 09:30:00",
                "admin",
                "mpetrova",
                "Мария Петрова",
                "Clerk",
                "true"
            ]
        );
    }
}
