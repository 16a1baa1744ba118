//! What changed between two versions of a record, field by field, for the audit log.

use crate::domain::audit::FieldChange;
use serde::Serialize;
use serde_json::Value;

fn inner(v: Value) -> serde_json::Map<String, Value> {
    // Bodies serialise as {"Person": {...}}: compare the record's own fields.
    match v {
        Value::Object(mut m) if m.len() == 1 => match m.values_mut().next().map(Value::take) {
            Some(Value::Object(fields)) => fields,
            Some(other) => [("value".to_string(), other)].into_iter().collect(),
            None => Default::default(),
        },
        Value::Object(m) => m,
        other => [("value".to_string(), other)].into_iter().collect(),
    }
}

fn show(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// The fields that differ; with no old version, every non-empty field of the new one.
pub fn changes<T: Serialize>(old: Option<&T>, new: &T) -> Vec<FieldChange> {
    let new = inner(serde_json::to_value(new).unwrap_or(Value::Null));
    let old = old
        .map(|o| inner(serde_json::to_value(o).unwrap_or(Value::Null)))
        .unwrap_or_default();
    let mut keys: Vec<&String> = new.keys().chain(old.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| old.get(*k) != new.get(*k))
        .map(|k| FieldChange {
            field: k.clone(),
            old: show(old.get(k)),
            new: show(new.get(k)),
        })
        .filter(|c| !(c.old.is_empty() && (c.new.is_empty() || c.new == "[]")))
        .collect()
}
