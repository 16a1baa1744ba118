//! Why a value or a record was refused, in words a clerk understands. One enum for every rule so
//! that the console, the command line and the server explain refusals the same way.

use super::settings::Coded;
use super::{
    date::DateError, egn::EgnError, eik::EikError, iban::IbanError, lnch::LnchError,
    phone::PhoneError, text::TextError, Explain, Lang,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Codes are appended only: the enum travels over the socket and into the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reason {
    Required,
    Egn(EgnError),
    Lnch(LnchError),
    Eik(EikError),
    Iban(IbanError),
    Phone(PhoneError),
    Text(TextError),
    Date(DateError),
    OutOfRange {
        min: i64,
        max: i64,
        found: i64,
    },
    EndBeforeStart,
    InFuture,
    /// Hours above what the ДСП направление or the dependence degree allows.
    HoursOverCap {
        cap: u32,
        found: u32,
    },
    AssistantIsUser,
    AssistantNotAdult,
    OutsideValidity,
    /// A referenced record does not exist (id shown).
    Missing {
        id: u64,
    },
    NotEligible,
    DuplicateEgn {
        id: u64,
    },
    DuplicateLogin,
    DuplicateReport {
        id: u64,
    },
    BadSettlement,
    BadTransition,
    ReportOutsidePeriod {
        day: u32,
    },
    DayOverLimit {
        day: u32,
        limit_minutes: u32,
    },
    NoDeclaration,
    LicenceRequired,
    SameAsSubstitute,
    ReportedOnSuspendedDay {
        day: u32,
    },
    StartsOnFirst,
    NoNewAgreementsNow {
        days: u32,
    },
    UnknownCode,
    /// A masked number that is not the stored one's (or on a new record): type it in full.
    MaskedIdent,
    /// A value that must be unique in its list appears again.
    Duplicate {
        value: String,
    },
    /// An EKATTE code is exactly five digits.
    BadEkatte,
    BadEmail,
    /// A login that names no clerk account.
    UnknownClerk,
    /// The hours of the user's agreements in force at the same time, in hours a month, over
    /// the направление's: `used` names the other agreements (number, hours) counted.
    HoursOverNapravlenie {
        found: u32,
        cap: u32,
        used: Vec<(String, u32)>,
    },
    /// An assistant's schedule over all the users they serve at the same time, in minutes, over
    /// the settings' limit for `span`: `used` names the other agreements (number, minutes).
    AssistantOverLimit {
        span: Span,
        found: u32,
        cap: u32,
        used: Vec<(String, u32)>,
    },
    /// The period overlaps another suspension of the same agreement (`to` None: open).
    OverlapsSuspension {
        from: NaiveDate,
        to: Option<NaiveDate>,
    },
    /// The period goes beyond the agreement's.
    OutsideAgreement,
    /// The agreement is a draft or has ended: it cannot be suspended, ended or replaced.
    NotInForce,
    /// Items of the checklist still missing (their wording from the settings).
    ChecklistMissing {
        items: Vec<Coded>,
    },
    /// The person's birth date is not known, so their age cannot be checked.
    AgeUnknown,
    /// The assistant's declaration that no protection order (ЗЗДН) was imposed is missing.
    NoProtectionOrderDeclaration,
    /// The replacement names the agreement's own assistant.
    SameAssistant,
    /// The agreement is served by another assistant than the contract's.
    NotThisAssistant,
    /// A monthly report for a month that has not begun.
    FutureMonth {
        year: i32,
        month: u32,
    },
    /// Hours reported on a day after today.
    DayInFuture {
        day: u32,
    },
    /// An assistant's hours in one week (Monday to Sunday), over all the users they serve, above
    /// the weekly limit; the week's days in the report's month are `from_day`..=`to_day`.
    WeekOverLimit {
        from_day: u32,
        to_day: u32,
        limit_minutes: u32,
        found_minutes: u32,
    },
    /// A report's total above what the agreement allows in the month: its monthly hours in
    /// proportion to the working days it was in force and not suspended (`open_days` of the
    /// month's `working_days`).
    ReportOverAgreement {
        cap_minutes: u32,
        found_minutes: u32,
        open_days: u32,
        working_days: u32,
    },
    /// An accepted report changes only after it was returned for correction.
    ReportAccepted,
    /// The month was closed (its data went to АСП): its reports are read-only.
    MonthClosed {
        year: i32,
        month: u32,
    },
    /// Reopening a month that is not closed.
    MonthNotClosed {
        year: i32,
        month: u32,
    },
    /// Closing a month that has not ended.
    MonthNotOver {
        year: i32,
        month: u32,
    },
    /// Hours of the assistant on a day of their absence (or of anyone while the user is in
    /// hospital).
    HoursOnAbsence {
        day: u32,
    },
    /// Substitute's hours on an agreement that names no substitute.
    NoSubstitute,
    /// Hours typed in a form the grid does not read.
    BadHours,
    /// A suspension over a day that a monthly report already has hours on: the report goes
    /// back for correction first.
    SuspensionOverReport {
        day: chrono::NaiveDate,
    },
    /// The login is the program's own actor in the audit log (`audit::SYSTEM_LOGIN`).
    ReservedLogin,
    /// A change of an agreement that would move the figures or the pay of a closed month.
    ChangeInClosedMonth {
        year: i32,
        month: u32,
    },
    /// A change of an agreement that would move an accepted report (who is paid, its days or
    /// its total): the report goes back for correction first.
    ChangeMovesAcceptedReport {
        year: i32,
        month: u32,
    },
    /// The person already has an assistant record (its id): one person is one assistant.
    DuplicateAssistant {
        id: u64,
    },
    /// Disabling or demoting the only active administrator: nobody could manage the accounts
    /// (or undo it) afterwards.
    LastAdmin,
}

/// What an assistant's limit counts: one weekday's minutes (0 Monday .. 6 Sunday), a week's,
/// or a month's (the weekly limit × 52 / 12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Span {
    Day(u8),
    Week,
    Month,
}

/// "60 в СП-2026-0014, 24 в СП-2026-0015" (hours or minutes as `amount` prints them).
fn used_list(used: &[(String, u32)], lang: Lang, amount: impl Fn(u32) -> String) -> String {
    used.iter()
        .map(|(number, n)| match lang {
            Lang::Bg => format!("{} в {number}", amount(*n)),
            Lang::En => format!("{} in {number}", amount(*n)),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn hours(minutes: u32) -> String {
    if minutes.is_multiple_of(60) {
        format!("{}", minutes / 60)
    } else {
        format!("{:.1}", minutes as f64 / 60.0)
    }
}

impl Explain for Reason {
    fn explain(&self, lang: Lang) -> String {
        use Reason::*;
        let l = |bg: &str, en: &str| lang.pick(bg, en).to_string();
        match self {
            Required => l("задължително поле", "required"),
            Egn(e) => e.explain(lang),
            Lnch(e) => e.explain(lang),
            Eik(e) => e.explain(lang),
            Iban(e) => e.explain(lang),
            Phone(e) => e.explain(lang),
            Text(e) => e.explain(lang),
            Date(e) => e.explain(lang),
            OutOfRange { min, max, found } => match lang {
                Lang::Bg => format!("стойността {found} е извън допустимото ({min}–{max})"),
                Lang::En => format!("{found} is outside the allowed range ({min}–{max})"),
            },
            EndBeforeStart => l(
                "крайната дата е преди началната",
                "the end date is before the start date",
            ),
            InFuture => l("датата е в бъдещето", "the date is in the future"),
            HoursOverCap { cap, found } => match lang {
                Lang::Bg => format!(
                    "{} часа надвишават допустимите {} часа",
                    hours(*found),
                    hours(*cap)
                ),
                Lang::En => format!(
                    "{} hours exceed the {} hours allowed",
                    hours(*found),
                    hours(*cap)
                ),
            },
            AssistantIsUser => l(
                "асистентът не може да бъде самият ползвател",
                "the assistant cannot be the user",
            ),
            AssistantNotAdult => l(
                "асистентът трябва да е пълнолетен",
                "the assistant must be an adult",
            ),
            OutsideValidity => l(
                "периодът излиза извън срока на направлението",
                "the period goes beyond the направление's validity",
            ),
            Missing { id } => match lang {
                Lang::Bg => format!("няма запис с номер {id}"),
                Lang::En => format!("there is no record number {id}"),
            },
            NotEligible => l(
                "лицето няма право: нужно е решение с чужда помощ или дете с 90 % и повече",
                "not eligible: needs a decision with need of another's help, or a child with 90 % or more",
            ),
            DuplicateEgn { id } => match lang {
                Lang::Bg => format!("лице с този ЕГН/ЛНЧ вече е вписано (номер {id})"),
                Lang::En => format!("a person with this ЕГН/ЛНЧ is already registered (number {id})"),
            },
            DuplicateLogin => l(
                "служител с това потребителско име вече има",
                "a clerk with this login already exists",
            ),
            ReservedLogin => l(
                "това потребителско име е запазено за записите на самата програма в одитния дневник",
                "this login is reserved for the program's own entries in the audit log",
            ),
            DuplicateReport { id } => match lang {
                Lang::Bg => format!("за този месец вече има отчет (номер {id})"),
                Lang::En => format!("this month already has a report (number {id})"),
            },
            BadSettlement => l(
                "населеното място не е от списъка на общината",
                "the settlement is not in the municipality's list",
            ),
            BadTransition => l(
                "тази промяна на състоянието не е допустима",
                "this change of status is not allowed",
            ),
            ReportOutsidePeriod { day } => match lang {
                Lang::Bg => format!("{day}-о число е извън периода на споразумението"),
                Lang::En => format!("day {day} is outside the agreement's period"),
            },
            DayOverLimit { day, limit_minutes } => match lang {
                Lang::Bg => format!(
                    "{day}-о число: повече от {} часа за ден",
                    hours(*limit_minutes)
                ),
                Lang::En => format!("day {day}: more than {} hours in a day", hours(*limit_minutes)),
            },
            NoDeclaration => l(
                "липсва декларацията, че няма друга подкрепа за същите нужди",
                "the declaration of no other support for the same needs is missing",
            ),
            LicenceRequired => l(
                "частен доставчик (НПО, търговец, друг) трябва да има лиценз от АКСУ: номер и дата",
                "a private provider (NGO, company, other) needs an АКСУ licence: number and date",
            ),
            SameAsSubstitute => l(
                "заместникът не може да е същият асистент",
                "the substitute cannot be the same assistant",
            ),
            StartsOnFirst => l(
                "споразуменията започват от 1-во число на месеца",
                "agreements start on the 1st of a month",
            ),
            NoNewAgreementsNow { days } => match lang {
                Lang::Bg => format!("в последните {days} работни дни на месеца не се сключват нови споразумения"),
                Lang::En => format!("no new agreements in the last {days} working days of a month"),
            },
            UnknownCode => l("стойността не е от списъка", "the value is not in the list"),
            MaskedIdent => l(
                "въведете ЕГН/ЛНЧ изцяло (скритият номер не е на този човек)",
                "type the ЕГН/ЛНЧ in full (the masked number is not this person's)",
            ),
            Duplicate { value } => match lang {
                Lang::Bg => format!("„{value}“ се повтаря"),
                Lang::En => format!("'{value}' appears twice"),
            },
            BadEkatte => l(
                "кодът по ЕКАТТЕ е от точно 5 цифри",
                "an EKATTE code has exactly 5 digits",
            ),
            BadEmail => l(
                "адресът на е-поща е във вида име@домейн.bg",
                "an e-mail address looks like name@domain.bg",
            ),
            UnknownClerk => l(
                "няма служител с това потребителско име",
                "there is no clerk with this login",
            ),
            ReportedOnSuspendedDay { day } => match lang {
                Lang::Bg => format!("{day}-о число е в период на спиране"),
                Lang::En => format!("day {day} falls in a suspension"),
            },
            HoursOverNapravlenie { found, cap, used } => {
                let mut t = match lang {
                    Lang::Bg => format!(
                        "{found} часа надвишават {cap}-те по направлението на ползвателя"
                    ),
                    Lang::En => format!(
                        "{found} hours exceed the {cap} of the user's направление"
                    ),
                };
                if !used.is_empty() {
                    let list = used_list(used, lang, |n| n.to_string());
                    t += &match lang {
                        Lang::Bg if used.len() == 1 => {
                            format!(": {} вече са в споразумение {}", used[0].1, used[0].0)
                        }
                        Lang::Bg => format!(": вече са в споразумения {list}"),
                        Lang::En if used.len() == 1 => {
                            format!(": {} already in agreement {}", used[0].1, used[0].0)
                        }
                        Lang::En => format!(": already in agreements {list}"),
                    };
                }
                t
            }
            AssistantOverLimit {
                span,
                found,
                cap,
                used,
            } => {
                const BG: [&str; 7] = [
                    "в понеделник",
                    "във вторник",
                    "в сряда",
                    "в четвъртък",
                    "в петък",
                    "в събота",
                    "в неделя",
                ];
                const EN: [&str; 7] = [
                    "on Mondays",
                    "on Tuesdays",
                    "on Wednesdays",
                    "on Thursdays",
                    "on Fridays",
                    "on Saturdays",
                    "on Sundays",
                ];
                let when = match (span, lang) {
                    (Span::Day(d), Lang::Bg) => BG[usize::from(*d).min(6)],
                    (Span::Day(d), Lang::En) => EN[usize::from(*d).min(6)],
                    (Span::Week, _) => lang.pick("седмично", "a week"),
                    (Span::Month, _) => lang.pick("месечно", "a month"),
                };
                let mut t = match lang {
                    Lang::Bg => format!(
                        "асистентът би работил {} часа {when} при допустими {}",
                        hours(*found),
                        hours(*cap)
                    ),
                    Lang::En => format!(
                        "the assistant would work {} hours {when}, {} allowed",
                        hours(*found),
                        hours(*cap)
                    ),
                };
                if !used.is_empty() {
                    let list = used_list(used, lang, hours);
                    t += &match lang {
                        Lang::Bg => format!(" (вече {list})"),
                        Lang::En => format!(" (already {list})"),
                    };
                }
                t
            }
            OverlapsSuspension { from, to } => {
                let from = super::date::format_date(*from);
                match (to, lang) {
                    (Some(to), Lang::Bg) => format!(
                        "припокрива спирането от {from} до {}",
                        super::date::format_date(*to)
                    ),
                    (Some(to), Lang::En) => format!(
                        "overlaps the suspension from {from} to {}",
                        super::date::format_date(*to)
                    ),
                    (None, Lang::Bg) => format!("припокрива спирането от {from} (без край)"),
                    (None, Lang::En) => format!("overlaps the suspension from {from} (open)"),
                }
            }
            OutsideAgreement => l(
                "периодът излиза извън срока на споразумението",
                "the period goes beyond the agreement's",
            ),
            NotInForce => l(
                "споразумението не е в сила (чернова или прекратено)",
                "the agreement is not in force (a draft, or ended)",
            ),
            ChecklistMissing { items } => {
                let names: Vec<&str> = items
                    .iter()
                    .map(|c| match lang {
                        Lang::Bg => c.bg.as_str(),
                        Lang::En => c.en.as_str(),
                    })
                    .collect();
                match lang {
                    Lang::Bg => format!("липсва: {}", names.join("; ")),
                    Lang::En => format!("missing: {}", names.join("; ")),
                }
            }
            AgeUnknown => l(
                "рождената дата на лицето не е известна, а асистентът трябва да е пълнолетен",
                "the person's birth date is not known, and an assistant must be an adult",
            ),
            NoProtectionOrderDeclaration => l(
                "липсва декларацията на асистента, че не му е налагана мярка за защита по ЗЗДН",
                "the assistant's declaration that no protection order (ЗЗДН) was imposed is missing",
            ),
            SameAssistant => l(
                "това е асистентът по споразумението",
                "this is the agreement's own assistant",
            ),
            NotThisAssistant => l(
                "споразумението е с друг асистент",
                "the agreement is with another assistant",
            ),
            FutureMonth { year, month } => match lang {
                Lang::Bg => format!("месец {month:02}.{year} още не е започнал"),
                Lang::En => format!("the month {month:02}.{year} has not begun"),
            },
            DayInFuture { day } => match lang {
                Lang::Bg => format!("{day}-о число е след днешния ден: часове се отчитат след като са изработени"),
                Lang::En => format!("day {day} is after today: hours are reported once worked"),
            },
            WeekOverLimit {
                from_day,
                to_day,
                limit_minutes,
                found_minutes,
            } => match lang {
                Lang::Bg => format!(
                    "седмицата {from_day}–{to_day}-о число: {} часа при всички ползватели на асистента, над допустимите {} часа седмично",
                    hours(*found_minutes),
                    hours(*limit_minutes)
                ),
                Lang::En => format!(
                    "the week of days {from_day}–{to_day}: {} hours over all the assistant's users, above the {} hours a week allowed",
                    hours(*found_minutes),
                    hours(*limit_minutes)
                ),
            },
            ReportOverAgreement {
                cap_minutes,
                found_minutes,
                open_days,
                working_days,
            } => match (lang, open_days == working_days) {
                (Lang::Bg, true) => format!(
                    "отчетени са {} часа, а споразумението позволява {} часа за месеца",
                    hours(*found_minutes),
                    hours(*cap_minutes)
                ),
                (Lang::Bg, false) => format!(
                    "отчетени са {} часа, а споразумението позволява {} часа за месеца (пропорционално: {open_days} от {working_days} работни дни в срока му и без спиране)",
                    hours(*found_minutes),
                    hours(*cap_minutes)
                ),
                (Lang::En, true) => format!(
                    "{} hours reported; the agreement allows {} hours in the month",
                    hours(*found_minutes),
                    hours(*cap_minutes)
                ),
                (Lang::En, false) => format!(
                    "{} hours reported; the agreement allows {} hours in the month (in proportion: {open_days} of {working_days} working days in its period and not suspended)",
                    hours(*found_minutes),
                    hours(*cap_minutes)
                ),
            },
            ReportAccepted => l(
                "отчетът е приет: променя се само след връщане за корекция (с причина)",
                "the report was accepted: it changes only after being returned for correction (with a reason)",
            ),
            MonthClosed { year, month } => match lang {
                Lang::Bg => format!("месец {month:02}.{year} е приключен (данните са изпратени в АСП): отчетите му не се променят, докато ръководител не го отвори отново"),
                Lang::En => format!("the month {month:02}.{year} is closed (its data went to АСП): its reports stay as they are until a supervisor reopens it"),
            },
            MonthNotClosed { year, month } => match lang {
                Lang::Bg => format!("месец {month:02}.{year} не е приключен"),
                Lang::En => format!("the month {month:02}.{year} is not closed"),
            },
            MonthNotOver { year, month } => match lang {
                Lang::Bg => format!("месец {month:02}.{year} още не е свършил: приключва се след края си"),
                Lang::En => format!("the month {month:02}.{year} has not ended: a month is closed after its end"),
            },
            HoursOnAbsence { day } => match lang {
                Lang::Bg => format!("{day}-о число е отбелязано като отсъствие, а има отчетени часове"),
                Lang::En => format!("day {day} is marked as an absence but has hours"),
            },
            NoSubstitute => l(
                "споразумението няма заместник асистент: часове на заместник не се отчитат",
                "the agreement names no substitute assistant: no substitute's hours can be reported",
            ),
            BadHours => l(
                "часовете се пишат като 4, 3.5 или 3:30",
                "type hours as 4, 3.5 or 3:30",
            ),
            SuspensionOverReport { day } => match lang {
                Lang::Bg => format!(
                    "на {} има отчетени часове: първо върнете отчета за корекция",
                    day.format("%d.%m.%Y")
                ),
                Lang::En => format!(
                    "{} has hours in a monthly report: return the report for correction first",
                    day.format("%d.%m.%Y")
                ),
            },
            ChangeInClosedMonth { year, month } => match lang {
                Lang::Bg => format!("месец {month:02}.{year} е приключен (данните са изпратени в АСП): промяната би променила часовете или заплащането му; за смяна на асистента от дата използвайте замяната"),
                Lang::En => format!("the month {month:02}.{year} is closed (its data went to АСП): the change would move its hours or pay; to change the assistant from a date, use the replacement"),
            },
            ChangeMovesAcceptedReport { year, month } => match lang {
                Lang::Bg => format!("отчетът за {month:02}.{year} е приет и промяната би го променила: първо го върнете за корекция (с причина)"),
                Lang::En => format!("the report of {month:02}.{year} is accepted and the change would move it: return it for correction first (with a reason)"),
            },
            DuplicateAssistant { id } => match lang {
                Lang::Bg => format!("лицето вече е асистент (запис номер {id}): едно лице е един асистент"),
                Lang::En => format!("the person is already an assistant (record number {id}): one person is one assistant"),
            },
            LastAdmin => l(
                "това е единственият активен администратор: първо дайте правата на друг служител",
                "this is the only active administrator: give another clerk the role first",
            ),
        }
    }
}

/// A refusal tied to one field of a form or record, by the field's key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub reason: Reason,
}

impl FieldError {
    pub fn new(field: &str, reason: Reason) -> Self {
        FieldError {
            field: field.to_string(),
            reason,
        }
    }
}

/// Collects field errors while a record is checked.
#[derive(Debug, Default)]
pub struct Problems(pub Vec<FieldError>);

impl Problems {
    pub fn add(&mut self, field: &str, reason: Reason) {
        self.0.push(FieldError::new(field, reason));
    }

    /// Adds the error of a check that failed, if it did.
    pub fn check<T, E: Into<Reason>>(&mut self, field: &str, r: Result<T, E>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e.into());
                None
            }
        }
    }

    /// Checks a field and, when it passes, puts the cleaned value in its place: what is stored
    /// is what the rule returned, never the raw input.
    pub fn clean<T, E: Into<Reason>>(&mut self, field: &str, cleaned: Result<T, E>, value: &mut T) {
        if let Some(v) = self.check(field, cleaned) {
            *value = v;
        }
    }

    pub fn required(&mut self, field: &str, value: &str) {
        if value.trim().is_empty() {
            self.add(field, Reason::Required);
        }
    }

    pub fn into_result(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}

macro_rules! reason_from {
    ($($t:ty => $v:ident),*) => {
        $(impl From<$t> for Reason { fn from(e: $t) -> Self { Reason::$v(e) } })*
    };
}
reason_from!(EgnError => Egn, LnchError => Lnch, EikError => Eik, IbanError => Iban,
    PhoneError => Phone, TextError => Text, DateError => Date);
