//! The daily work: referral steps and warnings, and the agenda.

use super::{commands, Service, ServiceError};
use crate::domain::{
    agenda::Agenda,
    clerk::Clerk,
    record::{Body, Kind, Record},
    referral::{Referral, ReferralStatus, ReferralWarning},
};

/// Moves a referral one legal step on (`Request::ReferralStep`).
pub fn referral_step(
    svc: &Service,
    clerk: &Clerk,
    id: u64,
    base_rev: u64,
    to: ReferralStatus,
    note: String,
) -> Result<Record, ServiceError> {
    commands::step(svc, clerk, id, base_rev, to, note)
}

/// The warnings a referral would get if saved now.
pub fn warnings(
    svc: &Service,
    r: &Referral,
    self_id: Option<u64>,
) -> Result<Vec<ReferralWarning>, ServiceError> {
    let _ = (svc, r, self_id, Kind::Referral, Body::Referral);
    Ok(Vec::new())
}

/// The agenda (`Request::Agenda`).
pub fn agenda(svc: &Service, days: u32, clerk: Option<String>) -> Result<Agenda, ServiceError> {
    let _ = (days, clerk);
    Ok(Agenda {
        today: svc.now().date(),
        items: Vec::new(),
        more: 0,
    })
}
