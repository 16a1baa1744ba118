//! The intake (обръщение) form, and the phone note: a short intake bound to a person, channel
//! "phone", now and this clerk, with the focus in the note so that the clerk types and saves.

use super::{by_code, choices, date_text, opt_date, Lens, Spec};
use crate::domain::{
    intake::{Channel, Intake, Outcome as IntakeOutcome, Topic},
    reason::Reason,
    record::{Body, Kind, Record},
};
use crate::service::ApiExt;
use crate::tui::{
    app::{Cx, Outcome},
    keymap::{Action, Meanings},
    screens::{code, record_form::RecordForm},
    widgets::form::FieldKind,
};
use chrono::{NaiveDateTime, NaiveTime};

pub struct IntakeSpec;

type L = Lens<Intake>;

pub const CHANNELS: [Channel; 5] = [
    Channel::InPerson,
    Channel::Phone,
    Channel::Written,
    Channel::Email,
    Channel::VisitingDay,
];

pub const TOPICS: [Topic; 6] = [
    Topic::SocialServices,
    Topic::PersonalAssistance,
    Topic::DisabilityRights,
    Topic::AssistantSupport,
    Topic::MonthlyReport,
    Topic::Other,
];

pub const OUTCOMES: [IntakeOutcome; 6] = [
    IntakeOutcome::Open,
    IntakeOutcome::Informed,
    IntakeOutcome::Referred,
    IntakeOutcome::ApplicationAccepted,
    IntakeOutcome::ForwardedToDsp,
    IntakeOutcome::Closed,
];

fn parse_at(v: &str, cx: &Cx) -> Result<NaiveDateTime, Reason> {
    let v = v.trim();
    let (date, time) = v.split_once(' ').unwrap_or((v, ""));
    let date = opt_date(date, cx)?.ok_or(Reason::Required)?;
    let time = match time.trim() {
        "" => NaiveTime::MIN,
        t => NaiveTime::parse_from_str(t, "%H:%M").map_err(|_| Reason::UnknownCode)?,
    };
    Ok(date.and_time(time))
}

impl Spec for IntakeSpec {
    type T = Intake;
    type Extra = ();
    const KIND: Kind = Kind::Intake;

    fn lenses() -> Vec<Lens<Intake>> {
        vec![
            L::new(
                "at",
                |_| FieldKind::Text { max: 16 },
                |i, _| format!("{} {}", date_text(Some(i.at.date())), i.at.format("%H:%M")),
                |i, v, cx| {
                    i.at = parse_at(v, cx)?;
                    Ok(())
                },
            )
            .required(),
            L::new(
                "channel",
                |cx| FieldKind::Choice(choices(cx, "intake.channel", &CHANNELS)),
                |i, _| code(&i.channel),
                |i, v, _| {
                    i.channel = by_code(&CHANNELS, v)?;
                    Ok(())
                },
            )
            .required(),
            L::new(
                "person",
                |_| FieldKind::Ref(Kind::Person, Vec::new()),
                |i, _| i.person.map(|p| p.to_string()).unwrap_or_default(),
                |i, v, _| {
                    // Empty: an anonymous question (it can be linked to a person later).
                    i.person = match v {
                        "" => None,
                        v => Some(v.parse().map_err(|_| Reason::UnknownCode)?),
                    };
                    Ok(())
                },
            ),
            L::new(
                "topics",
                |cx| FieldKind::Multi(choices(cx, "intake.topic", &TOPICS)),
                |i, _| i.topics.iter().map(code).collect::<Vec<_>>().join(","),
                |i, v, _| {
                    i.topics = v
                        .split(',')
                        .filter(|c| !c.is_empty())
                        .map(|c| by_code(&TOPICS, c))
                        .collect::<Result<_, _>>()?;
                    Ok(())
                },
            )
            .required(),
            crate::text_lens!(L, "note", FieldKind::Note { max: 4000 }, note),
            L::new(
                "outcome",
                |cx| FieldKind::Choice(choices(cx, "intake.outcome", &OUTCOMES)),
                |i, _| code(&i.outcome),
                |i, v, _| {
                    i.outcome = by_code(&OUTCOMES, v)?;
                    Ok(())
                },
            )
            .required(),
            L::new(
                "follow_up",
                |_| FieldKind::Date,
                |i, _| date_text(i.follow_up),
                |i, v, cx| {
                    i.follow_up = opt_date(v, cx)?;
                    Ok(())
                },
            ),
        ]
    }

    fn blank(cx: &Cx) -> Intake {
        seed(cx, None, Channel::InPerson)
    }

    fn wrap(t: Intake) -> Body {
        Body::Intake(t)
    }

    fn unwrap(b: &Body) -> Option<Intake> {
        match b {
            Body::Intake(i) => Some(i.clone()),
            _ => None,
        }
    }

    fn number(x: &Intake) -> &str {
        &x.reg_no
    }

    fn name(i: &Intake, cx: &Cx) -> String {
        match i.reg_no.is_empty() {
            true => cx.t.t("intake.new_title").to_string(),
            false => format!("{} {}", cx.t.t("intake.one"), i.reg_no),
        }
    }

    fn check(i: &mut Intake, cx: &Cx) -> Result<(), Vec<crate::domain::FieldError>> {
        i.validate(cx.today())
    }

    /// A saved intake about a person leads to its preliminary assessment (F5).
    fn hints(f: &RecordForm<Self>) -> Vec<Action> {
        match (f.editing, f.base.person) {
            (Some(_), Some(_)) => vec![Action::Reveal],
            _ => Vec::new(),
        }
    }

    fn meanings(f: &RecordForm<Self>) -> Meanings {
        match (f.editing, f.base.person) {
            (Some(_), Some(_)) => vec![(Action::Reveal, "action.new_assessment")],
            _ => Vec::new(),
        }
    }

    fn action(f: &mut RecordForm<Self>, a: Action, cx: &mut Cx) -> Option<Outcome> {
        let (Action::Reveal, Some((id, _)), Some(person)) = (a, f.editing, f.base.person) else {
            return None;
        };
        // Its assessment when it has one (the latest), else a new one from it.
        let made = cx.api.related(id).ok().and_then(|rs| {
            rs.into_iter()
                .filter(|r| matches!(&r.body, Body::Assessment(a) if a.intake == Some(id)))
                .max_by_key(|r| r.id())
        });
        Some(Outcome::Push(match made {
            Some(r) => Box::new(RecordForm::<super::assessment::AssessmentSpec>::edit(
                cx, &r,
            )),
            None => Box::new(super::assessment::new_form(cx, person, Some(id))),
        }))
    }

    /// Back where the clerk was: the card or the search they came from.
    fn saved(_record: &Record, _created: bool, _cx: &mut Cx) -> Outcome {
        Outcome::Pop
    }
}

/// A new intake now, by this clerk; bound to a person when given.
pub fn seed(cx: &Cx, person: Option<u64>, channel: Channel) -> Intake {
    Intake {
        reg_no: String::new(),
        at: cx.now(),
        channel,
        clerk: cx.clerk.login.clone(),
        person,
        topics: Vec::new(),
        note: String::new(),
        outcome: IntakeOutcome::Open,
        follow_up: None,
    }
}

pub fn new_form(cx: &Cx, person: Option<u64>) -> RecordForm<IntakeSpec> {
    RecordForm::<IntakeSpec>::new(cx, seed(cx, person, Channel::InPerson))
}

/// The phone note: everything but the text filled in, the focus on the text; F2 saves it and
/// the clerk is back where they were.
pub fn phone_note(cx: &Cx, person: u64) -> RecordForm<IntakeSpec> {
    let mut seed = seed(cx, Some(person), Channel::Phone);
    seed.topics = vec![Topic::Other];
    seed.outcome = IntakeOutcome::Informed;
    let mut f = RecordForm::<IntakeSpec>::new(cx, seed);
    f.form.focus_key("note");
    f
}
