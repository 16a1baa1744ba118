//! One module per screen.

pub mod agenda;
pub mod conflict;
pub mod document_written;
pub mod drafts;
pub mod help;
pub mod month;
pub mod month_summary;
pub mod palette;
pub mod person_card;
pub mod reason_prompt;
pub mod record_form;
pub mod record_list;
pub mod register;
pub mod report_grid;
pub mod search;

use super::i18n::I18n;

/// Where a list's selection goes on a movement action (None: not a movement).
pub fn moved(a: crate::tui::keymap::Action, selected: usize, len: usize) -> Option<usize> {
    use crate::tui::keymap::Action::*;
    let last = len.saturating_sub(1);
    Some(match a {
        Down => (selected + 1).min(last),
        Up => selected.saturating_sub(1),
        PageDown => (selected + 10).min(last),
        PageUp => selected.saturating_sub(10),
        Home => 0,
        End => last,
        _ => return None,
    })
}

/// The locale label of an enum value: `prefix.snake_case_variant` ("referral.status.requested").
pub fn label(t: &I18n, prefix: &str, value: &(impl std::fmt::Debug + ?Sized)) -> String {
    t.t(&format!("{prefix}.{}", code(value))).to_string()
}

/// An enum value's code: its variant name in snake case ("in_person"), as locale keys and
/// choice fields name it.
pub fn code(value: &(impl std::fmt::Debug + ?Sized)) -> String {
    let name = format!("{value:?}");
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
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
        use AgreementStatus as A;
        use ApplicationStatus as P;
        use Channel as C;
        use ContractStatus as K;
        use ExpertBody as E;
        use Outcome as O;
        use ReferralStatus as R;
        use ReportStatus as S;
        let table: [(&str, Vec<&dyn std::fmt::Debug>); 8] = [
            (
                "agreement.status",
                vec![&A::Draft, &A::Active, &A::Suspended, &A::Ended],
            ),
            (
                "application.status",
                vec![
                    &P::Received,
                    &P::Incomplete,
                    &P::Complete,
                    &P::Approved,
                    &P::Refused,
                    &P::Withdrawn,
                ],
            ),
            (
                "referral.status",
                vec![
                    &R::Requested,
                    &R::Assessed,
                    &R::Referred,
                    &R::Accepted,
                    &R::Declined,
                    &R::Started,
                    &R::Ended,
                    &R::Withdrawn,
                ],
            ),
            (
                "report.status",
                vec![&S::Received, &S::Accepted, &S::Returned],
            ),
            (
                "intake.outcome",
                vec![
                    &O::Open,
                    &O::Informed,
                    &O::Referred,
                    &O::ApplicationAccepted,
                    &O::ForwardedToDsp,
                    &O::Closed,
                ],
            ),
            (
                "intake.channel",
                vec![&C::InPerson, &C::Phone, &C::Written, &C::Email],
            ),
            ("person.body", vec![&E::Telk, &E::Nelk, &E::Child]),
            ("contract.status", vec![&K::Signed, &K::Ended]),
        ];
        for lang in [Lang::Bg, Lang::En] {
            let t = I18n::new(lang);
            for (prefix, values) in &table {
                for v in values {
                    let l = label(&t, prefix, v);
                    assert!(!l.starts_with(prefix), "{lang:?}: no label {l}");
                }
            }
        }
    }
}
