//! Exports: whole records of a kind, a page at a time. The export is audited once, on the page
//! that starts it, with who, what and how many (and that identifiers went out in full).

use super::{Service, ServiceError, MAX_PAGE};
use crate::domain::{
    audit::{AuditAction, FieldChange},
    clerk::Clerk,
    record::{Kind, Record},
};
use crate::store::WriteSet;

fn change(field: &str, new: String) -> FieldChange {
    FieldChange {
        field: field.into(),
        old: String::new(),
        new,
    }
}

pub fn page(
    svc: &Service,
    clerk: &Clerk,
    kind: Kind,
    after: Option<u64>,
    limit: u32,
) -> Result<Vec<Record>, ServiceError> {
    let store = &svc.store;
    // A page that starts before the first record starts an export, whatever `after` says.
    let first = store.scan(kind, None).next().transpose()?.map(|r| r.id());
    let starts = match (after, first) {
        (None, _) | (_, None) => true,
        (Some(a), Some(f)) => a < f,
    };
    if starts {
        let _writer = store.writer();
        let mut changes = vec![change("records", store.count(kind).to_string())];
        if kind == Kind::Person {
            changes.push(change("ident", "full".into()));
        }
        let mut ws = WriteSet::default();
        svc.append_audit(
            &mut ws,
            &clerk.login,
            AuditAction::Export,
            Some(kind),
            None,
            changes,
        )?;
        store.commit(ws)?;
    }
    Ok(store
        .scan(kind, after)
        .take(limit.min(MAX_PAGE) as usize)
        .collect::<Result<Vec<_>, _>>()?)
}
