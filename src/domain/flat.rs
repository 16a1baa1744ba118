//! A record as flat columns (the CSV export): the record's meta, then each field of its body in
//! declaration order. Scalars print as they are, an identifier as its digits, a list of scalars
//! joined by "; ", and a nested structure (a decision, a checklist) as compact JSON in its cell.

use super::record::Record;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;

/// A JSON object with its keys in the order they were written (serde_json's map sorts them).
struct Ordered(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Value>()? {
                    out.push((k, v));
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// `{"Person": {...}}`: the one variant's fields, in order.
struct Variant(Ordered);

impl<'de> Deserialize<'de> for Variant {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Variant;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an enum as an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Variant, A::Error> {
                match map.next_entry::<String, Ordered>()? {
                    Some((_, fields)) => Ok(Variant(fields)),
                    None => Ok(Variant(Ordered(Vec::new()))),
                }
            }
        }
        d.deserialize_map(V)
    }
}

/// The body's fields in declaration order.
fn body_fields(record: &Record) -> Vec<(String, Value)> {
    serde_json::to_string(&record.body)
        .ok()
        .and_then(|json| serde_json::from_str::<Variant>(&json).ok())
        .map(|v| (v.0).0)
        .unwrap_or_default()
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        // An enum with data around one scalar (`{"Egn": "..."}`): the scalar.
        Value::Object(m) if m.len() == 1 && m.values().all(is_scalar) => {
            m.values().map(cell).collect()
        }
        Value::Array(items) if items.iter().all(is_scalar) => {
            items.iter().map(cell).collect::<Vec<_>>().join("; ")
        }
        other => other.to_string(),
    }
}

fn is_scalar(v: &Value) -> bool {
    !matches!(v, Value::Array(_) | Value::Object(_))
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
        record::{Body, Meta},
    };

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
