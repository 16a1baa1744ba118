//! The preliminary assessment (предварителна оценка): for each domain of life the need (none,
//! partial, full) with a note, the recommended service types and the clerk's conclusion.

use super::{by_code, choices, date_text, req_date, Lens, Spec};
use crate::domain::{
    intake::{Assessment, DomainNeed, Need, NeedDomain},
    reason::Reason,
    record::{Body, Kind, Record},
    register::ServiceType,
};
use crate::tui::{
    app::{Cx, Outcome},
    keymap::{Action, Meanings},
    screens::{code, record_form::RecordForm},
    widgets::form::FieldKind,
};

pub struct AssessmentSpec;

type L = Lens<Assessment>;

const NEEDS: [Need; 3] = [Need::None, Need::Partial, Need::Full];

fn need_of(a: &Assessment, d: NeedDomain) -> Option<&DomainNeed> {
    a.needs.iter().find(|n| n.domain == d)
}

fn need_mut(a: &mut Assessment, d: NeedDomain) -> &mut DomainNeed {
    if let Some(i) = a.needs.iter().position(|n| n.domain == d) {
        return &mut a.needs[i];
    }
    a.needs.push(DomainNeed {
        domain: d,
        need: Need::None,
        note: String::new(),
    });
    a.needs.last_mut().expect("just pushed")
}

/// The need of a domain ("" until assessed) and its note, as two fields.
macro_rules! domain {
    ($need:literal, $note:literal, $d:expr) => {
        [
            L::new(
                $need,
                |cx| FieldKind::Choice(choices(cx, "assessment.need", &NEEDS)),
                |a, _| need_of(a, $d).map(|n| code(&n.need)).unwrap_or_default(),
                |a, v, _| {
                    match v {
                        "" => a.needs.retain(|n| n.domain != $d),
                        v => need_mut(a, $d).need = by_code(&NEEDS, v)?,
                    }
                    Ok(())
                },
            ),
            L::new(
                $note,
                |_| FieldKind::Text { max: 200 },
                |a, _| need_of(a, $d).map(|n| n.note.clone()).unwrap_or_default(),
                |a, v, _| {
                    match (v, need_of(a, $d).is_some()) {
                        ("", _) => {}
                        // A note says something about the domain: it needs its level.
                        (_, false) => return Err(Reason::Required),
                        (v, true) => need_mut(a, $d).note = v.into(),
                    }
                    Ok(())
                },
            ),
        ]
    };
}

impl Spec for AssessmentSpec {
    type T = Assessment;
    type Extra = ();
    const KIND: Kind = Kind::Assessment;

    fn lenses() -> Vec<Lens<Assessment>> {
        let mut v = vec![
            L::new(
                "person",
                |_| FieldKind::Ref(Kind::Person, Vec::new()),
                |a, _| match a.person {
                    0 => String::new(),
                    p => p.to_string(),
                },
                |a, v, _| {
                    a.person = v.parse().map_err(|_| Reason::Required)?;
                    Ok(())
                },
            )
            .required(),
            L::new(
                "intake",
                |_| FieldKind::Ref(Kind::Intake, Vec::new()),
                |a, _| a.intake.map(|i| i.to_string()).unwrap_or_default(),
                |a, v, _| {
                    a.intake = match v {
                        "" => None,
                        v => Some(v.parse().map_err(|_| Reason::UnknownCode)?),
                    };
                    Ok(())
                },
            ),
            L::new(
                "date",
                |_| FieldKind::Date,
                |a, _| date_text(Some(a.date)),
                |a, v, cx| {
                    a.date = req_date(v, cx)?;
                    Ok(())
                },
            )
            .required(),
        ];
        v.extend(domain!(
            "need_self_care",
            "need_self_care_note",
            NeedDomain::SelfCare
        ));
        v.extend(domain!(
            "need_mobility",
            "need_mobility_note",
            NeedDomain::Mobility
        ));
        v.extend(domain!(
            "need_household",
            "need_household_note",
            NeedDomain::Household
        ));
        v.extend(domain!(
            "need_health",
            "need_health_note",
            NeedDomain::Health
        ));
        v.extend(domain!(
            "need_communication",
            "need_communication_note",
            NeedDomain::Communication
        ));
        v.extend(domain!(
            "need_social",
            "need_social_note",
            NeedDomain::Social
        ));
        v.extend(domain!(
            "need_housing",
            "need_housing_note",
            NeedDomain::Housing
        ));
        v.extend(domain!(
            "need_income",
            "need_income_note",
            NeedDomain::Income
        ));
        v.extend(domain!("need_carer", "need_carer_note", NeedDomain::Carer));
        v.push(L::new(
            "recommended",
            |cx| FieldKind::Multi(choices(cx, "service_type", &ServiceType::ALL)),
            |a, _| a.recommended.iter().map(code).collect::<Vec<_>>().join(","),
            |a, v, _| {
                a.recommended = v
                    .split(',')
                    .filter(|c| !c.is_empty())
                    .map(|c| by_code(&ServiceType::ALL, c))
                    .collect::<Result<_, _>>()?;
                Ok(())
            },
        ));
        v.push(
            crate::text_lens!(L, "conclusion", FieldKind::Note { max: 4000 }, conclusion)
                .required(),
        );
        v
    }

    fn blank(cx: &Cx) -> Assessment {
        blank(cx, 0, None)
    }

    fn wrap(t: Assessment) -> Body {
        Body::Assessment(t)
    }

    fn unwrap(b: &Body) -> Option<Assessment> {
        match b {
            Body::Assessment(a) => Some(a.clone()),
            _ => None,
        }
    }

    fn name(_a: &Assessment, cx: &Cx) -> String {
        cx.t.t("assessment.one").to_string()
    }

    fn check(a: &mut Assessment, cx: &Cx) -> Result<(), Vec<crate::domain::FieldError>> {
        a.validate(cx.today())
    }

    /// A new assessment stays open as saved, where F5 starts its referral at once; an edit
    /// goes back.
    fn saved(record: &Record, created: bool, cx: &mut Cx) -> Outcome {
        match created {
            true => Outcome::Replace(Box::new(RecordForm::<Self>::edit(cx, record))),
            false => Outcome::Pop,
        }
    }

    /// A saved assessment leads to a referral of its person (F5).
    fn hints(f: &RecordForm<Self>) -> Vec<Action> {
        match f.editing {
            Some(_) => vec![Action::Reveal],
            None => Vec::new(),
        }
    }

    fn meanings(f: &RecordForm<Self>) -> Meanings {
        match f.editing {
            Some(_) => vec![(Action::Reveal, "action.new_referral")],
            None => Vec::new(),
        }
    }

    fn action(f: &mut RecordForm<Self>, a: Action, cx: &mut Cx) -> Option<Outcome> {
        let (Action::Reveal, Some((id, _))) = (a, f.editing) else {
            return None;
        };
        let mut form = super::referral::new_form(cx, f.base.person, Some(id));
        if let Some(t) = f.base.recommended.first() {
            form.form.set_value("service_type", &code(t));
        }
        Some(Outcome::Push(Box::new(form)))
    }
}

/// A new assessment of a person, from one of their intakes when given.
pub fn new_form(cx: &Cx, person: u64, intake: Option<u64>) -> RecordForm<AssessmentSpec> {
    RecordForm::<AssessmentSpec>::new(cx, blank(cx, person, intake))
}

fn blank(cx: &Cx, person: u64, intake: Option<u64>) -> Assessment {
    Assessment {
        person,
        intake,
        date: cx.today(),
        clerk: cx.clerk.login.clone(),
        needs: Vec::new(),
        recommended: Vec::new(),
        conclusion: String::new(),
    }
}
