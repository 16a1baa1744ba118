//! The records a document to sign is filled from. The document carries full identifiers, so
//! handing them out is an audited read, like `RevealIdent`: no entry, no document.

use super::{Service, ServiceError};
use crate::domain::{
    audit::{AuditAction, FieldChange},
    clerk::Clerk,
    document::{DocKind, DocumentRecords},
    record::{Body, Kind, Record},
};

/// Reads `kind`'s record `id` and every record the document names, and logs who took them.
pub fn records(
    svc: &Service,
    clerk: &Clerk,
    kind: DocKind,
    id: u64,
) -> Result<DocumentRecords, ServiceError> {
    svc.write(&clerk.login, |ws| {
        let main = get(svc, kind.kind(), id)?;
        let mut related = Vec::new();
        let mut add = |k: Kind, id: u64| -> Result<Record, ServiceError> {
            let r = get(svc, k, id)?;
            if !related.iter().any(|o: &Record| o.id() == id) {
                related.push(r.clone());
            }
            Ok(r)
        };
        match &main.body {
            Body::Agreement(a) => {
                add(Kind::Person, a.user)?;
                for assistant in std::iter::once(a.assistant).chain(a.substitute) {
                    if let Body::Assistant(x) = add(Kind::Assistant, assistant)?.body {
                        add(Kind::Person, x.person)?;
                    }
                }
                add(Kind::Provider, a.provider)?;
                add(Kind::DspDecision, a.decision)?;
            }
            Body::Contract(c) => {
                if let Body::Assistant(x) = add(Kind::Assistant, c.assistant)?.body {
                    add(Kind::Person, x.person)?;
                }
                add(Kind::Provider, c.provider)?;
                if let Some(agreement) = c.agreement {
                    add(Kind::Agreement, agreement)?;
                }
            }
            Body::Referral(r) => {
                add(Kind::Person, r.person)?;
                let mut provider = r.provider;
                if let Some(service) = r.service {
                    if let Body::Service(s) = add(Kind::Service, service)?.body {
                        provider = provider.or(Some(s.provider));
                    }
                }
                if let Some(p) = provider {
                    add(Kind::Provider, p)?;
                }
            }
            _ => {
                return Err(ServiceError::NotFound {
                    kind: kind.kind(),
                    id,
                })
            }
        }
        let persons: Vec<String> = related
            .iter()
            .filter(|r| r.kind() == Kind::Person)
            .map(|r| r.id().to_string())
            .collect();
        let changes = vec![
            FieldChange {
                field: "persons".into(),
                old: String::new(),
                new: persons.join(","),
            },
            FieldChange {
                field: "ident".into(),
                old: String::new(),
                new: "full".into(),
            },
        ];
        svc.append_audit(
            ws,
            &clerk.login,
            AuditAction::Document,
            Some(kind.kind()),
            Some(id),
            changes,
        )?;
        Ok((
            DocumentRecords {
                kind,
                main,
                related,
            },
            Vec::new(),
        ))
    })
}

fn get(svc: &Service, kind: Kind, id: u64) -> Result<Record, ServiceError> {
    svc.store
        .get(kind, id)?
        .ok_or(ServiceError::NotFound { kind, id })
}
