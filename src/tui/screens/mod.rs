//! One module per screen.

pub mod help;
pub mod palette;
pub mod person_card;
pub mod person_form;
pub mod search;

use super::i18n::I18n;

/// The locale label of an enum value: `prefix.snake_case_variant` ("referral.status.requested").
pub fn label(t: &I18n, prefix: &str, value: &impl std::fmt::Debug) -> String {
    let name = format!("{value:?}");
    let mut key = String::with_capacity(prefix.len() + name.len() + 4);
    key.push_str(prefix);
    key.push('.');
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                key.push('_');
            }
            key.push(c.to_ascii_lowercase());
        } else {
            key.push(c);
        }
    }
    t.t(&key).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        assistance::{AgreementStatus, ApplicationStatus, ContractStatus},
        intake::{Channel, Outcome},
        person::ExpertBody,
        referral::ReferralStatus,
        report::ReportStatus,
        Lang,
    };

    /// Every enum value the card shows has a label in both languages.
    #[test]
    fn every_status_has_a_label() {
        for lang in [Lang::Bg, Lang::En] {
            let t = I18n::new(lang);
            let check = |prefix: &str, v: &dyn Fn() -> Vec<String>| {
                for l in v() {
                    assert!(!l.starts_with(prefix), "{lang:?}: missing {l}");
                }
            };
            use AgreementStatus as A;
            check("agreement", &|| {
                [A::Draft, A::Active, A::Suspended, A::Ended]
                    .iter()
                    .map(|s| label(&t, "agreement.status", s))
                    .collect()
            });
            use ApplicationStatus as P;
            check("application", &|| {
                [
                    P::Received,
                    P::Incomplete,
                    P::Complete,
                    P::Approved,
                    P::Refused,
                    P::Withdrawn,
                ]
                .iter()
                .map(|s| label(&t, "application.status", s))
                .collect()
            });
            use ReferralStatus as R;
            check("referral", &|| {
                [
                    R::Requested,
                    R::Assessed,
                    R::Referred,
                    R::Accepted,
                    R::Declined,
                    R::Started,
                    R::Ended,
                    R::Withdrawn,
                ]
                .iter()
                .map(|s| label(&t, "referral.status", s))
                .collect()
            });
            use ReportStatus as S;
            check("report", &|| {
                [S::Received, S::Accepted, S::Returned]
                    .iter()
                    .map(|s| label(&t, "report.status", s))
                    .collect()
            });
            use Outcome as O;
            check("intake", &|| {
                [
                    O::Open,
                    O::Informed,
                    O::Referred,
                    O::ApplicationAccepted,
                    O::ForwardedToDsp,
                    O::Closed,
                ]
                .iter()
                .map(|s| label(&t, "intake.outcome", s))
                .collect()
            });
            use Channel as C;
            check("intake", &|| {
                [C::InPerson, C::Phone, C::Written, C::Email]
                    .iter()
                    .map(|s| label(&t, "intake.channel", s))
                    .collect()
            });
            use ExpertBody as E;
            check("person", &|| {
                [E::Telk, E::Nelk, E::Child]
                    .iter()
                    .map(|s| label(&t, "person.body", s))
                    .collect()
            });
            use ContractStatus as K;
            check("contract", &|| {
                [K::Signed, K::Ended]
                    .iter()
                    .map(|s| label(&t, "contract.status", s))
                    .collect()
            });
        }
    }
}
