//! Pure types and rules: no I/O, no sled, no terminal.

pub mod agenda;
pub mod agreement_change;
pub mod assistance;
pub mod audit;
pub mod calendar;
pub mod clerk;
pub mod date;
mod digits;
pub mod document;
pub mod draft;
pub mod egn;
pub mod eik;
pub mod flat;
pub mod iban;
pub mod intake;
pub mod lang;
pub mod lnch;
pub mod month_grid;
pub mod monthly;
pub mod pay;
pub mod person;
pub mod phone;
pub mod reason;
pub mod record;
pub mod referral;
pub mod register;
pub mod report;
pub mod search_key;
pub mod settings;
pub mod sofia;
pub mod text;
pub mod translit;

pub use lang::{Explain, Lang};
pub use reason::{FieldError, Reason};
pub use record::{Body, Kind, Meta, Record};
