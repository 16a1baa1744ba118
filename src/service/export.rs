//! Exports: whole records of a kind, a page at a time, each page audited.

use super::{paging, Service, ServiceError};
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

/// One page of an export. Every page is audited (who, which kind, from which id, how many, and
/// that identifiers went out in full): a client choosing where to start could otherwise skip
/// the page that carried the entry.
pub fn page(
    svc: &Service,
    clerk: &Clerk,
    kind: Kind,
    after: Option<u64>,
    limit: u32,
) -> Result<Vec<Record>, ServiceError> {
    let records = paging::page(svc.store.scan(kind, after), limit)?;
    let mut changes = vec![
        change("after", after.map(|a| a.to_string()).unwrap_or_default()),
        change("records", records.len().to_string()),
    ];
    if kind == Kind::Person {
        changes.push(change("ident", "full".into()));
    }
    svc.write(&clerk.login, |ws: &mut WriteSet| {
        svc.append_audit(
            ws,
            &clerk.login,
            AuditAction::Export,
            Some(kind),
            None,
            changes,
        )?;
        Ok(((), Vec::new()))
    })?;
    Ok(records)
}
