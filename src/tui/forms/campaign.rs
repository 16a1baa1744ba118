//! An information campaign or a meeting in a settlement: when, where, what about, how, how
//! many came and who ran it.

use super::{settlements, Lens, Spec};
use crate::domain::{
    record::{Body, Kind},
    register::{Campaign, CampaignFormat},
};
use crate::tui::{app::Cx, widgets::form::FieldKind};
use crate::{date_lens, enum_lens, number_lens, text_lens};

pub struct CampaignSpec;

type L = Lens<Campaign>;

impl Spec for CampaignSpec {
    type T = Campaign;
    type Extra = ();
    const KIND: Kind = Kind::Campaign;

    fn lenses() -> Vec<Lens<Campaign>> {
        vec![
            date_lens!(L, "date", date),
            crate::choice_lens!(L, "settlement", settlements, settlement).required(),
            text_lens!(L, "topic", FieldKind::Text { max: 200 }, topic).required(),
            enum_lens!(L, "format", "campaign.format", CampaignFormat::ALL, format).required(),
            number_lens!(L, "participants", 0, 100_000, participants),
            text_lens!(L, "clerk", FieldKind::Text { max: 40 }, clerk).required(),
            text_lens!(L, "note", FieldKind::Note { max: 4000 }, note),
        ]
    }

    fn blank(cx: &Cx) -> Campaign {
        Campaign {
            date: cx.today(),
            settlement: String::new(),
            topic: String::new(),
            format: CampaignFormat::Meeting,
            participants: 0,
            clerk: cx.clerk.login.clone(),
            note: String::new(),
        }
    }

    fn wrap(t: Campaign) -> Body {
        Body::Campaign(t)
    }

    fn unwrap(b: &Body) -> Option<Campaign> {
        match b {
            Body::Campaign(c) => Some(c.clone()),
            _ => None,
        }
    }

    fn name(c: &Campaign, _cx: &Cx) -> String {
        c.topic.clone()
    }

    fn check(c: &mut Campaign, cx: &Cx) -> Result<(), Vec<crate::domain::FieldError>> {
        c.validate(&cx.settings.settlement_codes())
    }
}
