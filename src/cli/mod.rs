//! The command line. Every subcommand goes through the service API as the Unix user running it.

use crate::domain::{clerk::Role, record::Body, Explain, Lang};
use crate::service::{system_clock, Api, ApiExt, Service, ServiceError};
use clap::{Parser, Subcommand};

mod config;
use std::{path::PathBuf, process::ExitCode, sync::Arc};

mod agenda;
mod document;
mod export;
mod ops;
mod register;
mod report;

#[derive(Parser, Debug)]
#[command(
    name = "frontoffice",
    version,
    about = "Front-office console for municipal social services"
)]
pub struct Cli {
    /// Database directory (default: the user's data directory).
    #[arg(long, global = true, env = "FRONTOFFICE_DB")]
    pub db: Option<PathBuf>,
    /// Language of messages: bg or en.
    #[arg(long, global = true, env = "FRONTOFFICE_LANG", default_value = "bg", value_parser = parse_lang)]
    pub lang: Lang,
    /// Work through a running server's socket instead of opening the database.
    #[arg(long, global = true, env = "FRONTOFFICE_SOCKET")]
    pub connect: Option<PathBuf>,
    /// Open the console on the demo database (built in the data directory on first use).
    #[arg(long)]
    pub demo: bool,
    /// Console theme: default, high-contrast, mono, or a path to a theme file.
    #[arg(long, env = "FRONTOFFICE_THEME")]
    pub theme: Option<String>,
    /// ASCII borders and symbols (automatic when the locale is not UTF-8).
    #[arg(long)]
    pub ascii: bool,
    /// A key file outside the database directory: every audit head the program anchors is
    /// HMAC'd with it into the anchor file beside it (`audit.key` → `audit.anchors`), and
    /// `check` verifies the chain against those lines.
    #[arg(long, global = true, env = "FRONTOFFICE_AUDIT_KEY")]
    pub audit_key: Option<PathBuf>,
    /// Without a command: open the console.
    #[command(subcommand)]
    pub command: Option<Command>,
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| "bg | en".to_string())
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create an empty database; you become its administrator.
    Init,
    /// Build a demo database of a fictional municipality.
    Demo {
        /// Generated fictional persons on top of the ~50 demo cases.
        #[arg(long, default_value_t = 0)]
        persons: usize,
    },
    /// Search persons, providers and numbers.
    Find {
        query: String,
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Verify values, indexes and the audit chain (against every anchor: the snapshots, the
    /// audit key's anchor file).
    Check {
        /// The snapshot directory whose files anchor the audit chain (default: `snapshots`
        /// beside the database directory; through a server, the server's).
        #[arg(long)]
        snapshots: Option<PathBuf>,
    },
    /// Own the database and serve consoles and tools over a Unix socket.
    Serve {
        /// The socket to create (mode 0660).
        #[arg(long)]
        socket: PathBuf,
        /// The group that may connect (the clerks' group).
        #[arg(long)]
        group: Option<String>,
        /// Where the daily snapshots go (default: `snapshots` beside the database directory).
        #[arg(long)]
        snapshots: Option<PathBuf>,
        /// How many snapshots to keep.
        #[arg(long, default_value_t = crate::service::backup::DEFAULT_KEEP)]
        keep: usize,
        /// The log file (default: `frontoffice-serve.log` beside the database directory).
        #[arg(long)]
        log: Option<PathBuf>,
        /// Connections served at once; more are refused with a reason (default 64, or the
        /// settings file's `max_connections`).
        #[arg(long)]
        max_connections: Option<usize>,
        /// Connections one clerk account may hold at once, so one account cannot take every
        /// connection (default 8, or the settings file's `max_connections_per_clerk`).
        #[arg(long)]
        max_connections_per_clerk: Option<usize>,
        /// Seconds a client may take over its hello, or leave an answer unread, before it is
        /// dropped.
        #[arg(long, default_value_t = crate::server::DEFAULT_CLIENT_TIMEOUT.as_secs_f64())]
        client_timeout: f64,
        /// Seconds without a request after which a connection is closed (default: the
        /// settings' `idle_lock_minutes`, the console's idle lock; 0 there means never).
        #[arg(long)]
        idle_timeout: Option<f64>,
    },
    /// Every record of a kind (person, provider, service, agreement...) as CSV or JSON.
    Export {
        kind: String,
        #[arg(long, default_value = "csv", value_parser = ["csv", "json"])]
        format: String,
        /// Write to this file instead of the standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Reports: `report monthly --month YYYY-MM [--provider ID]`, `report payroll --month
    /// YYYY-MM [--provider ID] [--excel]`, `report agenda [--days N] [--clerk LOGIN]`,
    /// `report register [--type CODE] [--settlement EKATTE] [--free]`.
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// A document to sign as an A4 PDF: `document agreement|contract|referral ID [--out FILE]
    /// [--print]`, or `document agreement --all-new [--out DIR]` for every agreement not yet
    /// signed. Templates in the data directory's templates/ override the shipped ones.
    Document {
        /// agreement, contract or referral.
        kind: String,
        /// The record's id.
        id: Option<u64>,
        /// Every agreement not yet signed (a draft), one file each.
        #[arg(long)]
        all_new: bool,
        /// The file to write (with --all-new: the directory). Default: `documents/` in the
        /// data directory (beside the database directory).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Also send it to the printer with `lp` (CUPS).
        #[arg(long)]
        print: bool,
    },
    /// A snapshot of the whole database to FILE (administrators; through the server if connected).
    Backup { file: PathBuf },
    /// A backup into --db, which must hold no database; then `check`.
    Restore { file: PathBuf },
    /// Clerk accounts.
    Clerk {
        #[command(subcommand)]
        command: ClerkCommand,
    },
    /// Close a month once its data went to АСП (its reports become read-only), or reopen it
    /// with a reason: `month close YYYY-MM`, `month reopen YYYY-MM --reason TEXT`.
    Month {
        #[command(subcommand)]
        command: MonthCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum MonthCommand {
    /// Close a month that has ended (supervisors and administrators).
    Close {
        /// The month: YYYY-MM.
        month: String,
    },
    /// Open a closed month again.
    Reopen {
        /// The month: YYYY-MM.
        month: String,
        /// Why it is reopened (kept in the audit log).
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum ReportCommand {
    /// Hours agreed and reported per agreement in force in the month, by provider, with the
    /// pay of the accepted reports.
    Monthly {
        /// The month: YYYY-MM.
        #[arg(long)]
        month: String,
        /// Only this provider's agreements (its record id).
        #[arg(long)]
        provider: Option<u64>,
        #[arg(long, default_value = "text", value_parser = ["text", "csv", "json"])]
        format: String,
    },
    /// The month's pay for the accountant: assistant, ЕГН, IBAN, hours, rate, amount (full
    /// identifiers: an audited export).
    Payroll {
        /// The month: YYYY-MM.
        #[arg(long)]
        month: String,
        /// Only this provider's assistants (its record id).
        #[arg(long)]
        provider: Option<u64>,
        #[arg(long, default_value = "csv", value_parser = ["csv", "json"])]
        format: String,
        /// CSV for Excel in Bulgarian: a byte order mark, `;` between fields, decimal commas.
        #[arg(long)]
        excel: bool,
        /// Write to this file (created 0600) instead of the standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The day's work: overdue, today, and the next days (all clerks, or one).
    Agenda {
        /// Days ahead (default: the settings' agenda days).
        #[arg(long)]
        days: Option<u32>,
        /// Only this clerk's intakes and referrals (and everything without a clerk).
        #[arg(long)]
        clerk: Option<String>,
        #[arg(long, default_value = "text", value_parser = ["text", "csv", "json"])]
        format: String,
    },
    /// The register of social services: places, occupancy (active referrals) and free places.
    Register {
        /// Only this activity type: information, advocacy, community, therapy, skills_training,
        /// work_skills, day_care, residential_care, shelter, assistant_support.
        #[arg(long = "type", value_name = "CODE")]
        activity: Option<String>,
        /// Only services in this settlement (EKATTE code, or its name as in the settings).
        #[arg(long, value_name = "EKATTE")]
        settlement: Option<String>,
        /// Only services with free places.
        #[arg(long)]
        free: bool,
        /// Also services outside their validity dates (not in the register today).
        #[arg(long)]
        all: bool,
        #[arg(long, default_value = "text", value_parser = ["text", "csv", "json"])]
        format: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum ClerkCommand {
    /// Add a Unix login as a clerk.
    Add {
        login: String,
        #[arg(long)]
        name: String,
        /// admin, supervisor, clerk or auditor.
        #[arg(long)]
        role: String,
    },
    List,
    Disable {
        login: String,
    },
    Enable {
        login: String,
    },
}

/// The default database: `$XDG_DATA_HOME/frontoffice/db` or the platform's equivalent.
pub fn default_db() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("frontoffice")
        .join("db")
}

/// The demo database the console opens with `--demo` and no `--db`.
pub fn default_demo_db() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("frontoffice")
        .join("demo")
}

/// A failure to report to the user, already in their language.
pub struct Failure(pub String);

impl<E: Explain> From<(E, Lang)> for Failure {
    fn from((e, lang): (E, Lang)) -> Self {
        Failure(e.explain(lang))
    }
}

fn whoami(lang: Lang) -> Result<crate::os::UnixUser, Failure> {
    crate::os::current_user().ok_or_else(|| {
        Failure(
            lang.pick(
                "Не мога да разбера кой потребител сте (липсва запис в /etc/passwd).",
                "Cannot tell which user you are (no entry in /etc/passwd).",
            )
            .into(),
        )
    })
}

/// How a command reaches the service: the socket, or the database with its audit key.
struct Access {
    connect: Option<PathBuf>,
    audit_key: Option<PathBuf>,
}

/// Opens the database in process, with the audit key when one is set (refused inside the
/// database directory).
fn open_service(
    db: &std::path::Path,
    audit_key: Option<&std::path::Path>,
    lang: Lang,
) -> Result<Arc<Service>, Failure> {
    let key = audit_key
        .map(|k| crate::service::anchor::AuditKey::load(k, db))
        .transpose()
        .map_err(|e| Failure::from((e, lang)))?;
    let svc = Service::open(db, system_clock()).map_err(|e| Failure::from((e, lang)))?;
    if let Some(key) = key {
        svc.set_audit_key(key);
    }
    Ok(svc)
}

/// The service as this user: through the server's socket when one is named, else in process.
fn open_session(
    db: &std::path::Path,
    access: &Access,
    lang: Lang,
) -> Result<Box<dyn Api>, Failure> {
    if let Some(path) = &access.connect {
        let client = crate::server::client::Client::connect(path, lang).map_err(Failure)?;
        return Ok(Box::new(client));
    }
    let user = whoami(lang)?;
    let svc = open_service(db, access.audit_key.as_deref(), lang)?;
    let session = svc
        .session(&user.login)
        .map_err(|e| Failure::from((e, lang)))?;
    Ok(Box::new(session))
}

pub fn run(cli: Cli) -> ExitCode {
    match config::apply(cli).and_then(execute) {
        Ok(code) => code,
        Err(Failure(msg)) => {
            eprintln!("frontoffice: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn execute(cli: Cli) -> Result<ExitCode, Failure> {
    let lang = cli.lang;
    let Some(command) = cli.command else {
        let db = match (&cli.db, cli.demo) {
            (Some(db), _) => db.clone(),
            (None, true) => default_demo_db(),
            (None, false) => default_db(),
        };
        crate::tui::run(crate::tui::Options {
            db,
            connect: cli.connect,
            demo: cli.demo,
            lang,
            theme: cli.theme,
            ascii: cli.ascii,
        })
        .map_err(Failure)?;
        return Ok(ExitCode::SUCCESS);
    };
    let db = cli.db.clone().unwrap_or_else(default_db);
    let access = Access {
        connect: cli.connect.clone(),
        audit_key: cli.audit_key.clone(),
    };
    let fail = |e: ServiceError| Failure::from((e, lang));
    match command {
        Command::Init => {
            let user = whoami(lang)?;
            let name = if user.full_name.is_empty() {
                user.login.clone()
            } else {
                user.full_name.clone()
            };
            let (_, created) = Service::open_or_create(
                &db,
                &user.login,
                &name,
                Default::default(),
                system_clock(),
            )
            .map_err(fail)?;
            if !created {
                return Err(Failure(match lang {
                    Lang::Bg => format!("В {} вече има база данни.", db.display()),
                    Lang::En => format!("{} already holds a database.", db.display()),
                }));
            }
            println!(
                "{}",
                match lang {
                    Lang::Bg => format!(
                        "Създадена е база в {}; {} е администратор.",
                        db.display(),
                        user.login
                    ),
                    Lang::En => format!(
                        "Created a database in {}; {} is its administrator.",
                        db.display(),
                        user.login
                    ),
                }
            );
        }
        Command::Demo { persons } => {
            let user = whoami(lang)?;
            let summary =
                crate::demo::build(&db, &user.login, &user.full_name, persons, system_clock())
                    .map_err(|e| match e {
                        crate::demo::DemoError::Service(s) => fail(s),
                        crate::demo::DemoError::Exists => Failure(match lang {
                            Lang::Bg => format!(
                                "В {} вече има база данни; изберете празна папка.",
                                db.display()
                            ),
                            Lang::En => format!(
                                "{} already holds a database; choose an empty directory.",
                                db.display()
                            ),
                        }),
                        other => Failure(other.to_string()),
                    })?;
            println!(
                "{}",
                match lang {
                    Lang::Bg => format!(
                        "Демонстрационна база в {}: {} лица по всички процедури, {} генерирани лица, {} записа.",
                        db.display(), summary.persons, summary.generated, summary.records
                    ),
                    Lang::En => format!(
                        "Demo database in {}: {} persons across every workflow, {} generated persons, {} records.",
                        db.display(), summary.persons, summary.generated, summary.records
                    ),
                }
            );
        }
        Command::Find { query, json, limit } => {
            let s = open_session(&db, &access, lang)?;
            let hits = s.search(&query, limit).map_err(fail)?;
            if json {
                let items: Vec<serde_json::Value> = hits
                    .iter()
                    .map(|h| {
                        serde_json::json!({
                            "id": h.id,
                            "kind": h.kind.tree(),
                            "name": h.name,
                            "ident": h.ident,
                            "detail": h.detail,
                            "score": h.score,
                        })
                    })
                    .collect();
                println!("{}", serde_json::Value::Array(items));
            } else if hits.is_empty() {
                println!("{}", lang.pick("Няма намерени.", "Nothing found."));
            } else {
                for h in &hits {
                    println!(
                        "{:>8}  {:<14} {:<40} {:<11} {}",
                        h.id,
                        h.kind.name(lang),
                        crate::domain::text::safe_for_terminal(&h.name),
                        h.ident,
                        crate::domain::text::safe_for_terminal(&h.detail)
                    );
                }
            }
        }
        Command::Check { snapshots } => {
            let s: Box<dyn Api> = match (&access.connect, snapshots) {
                (None, Some(dir)) => {
                    let user = whoami(lang)?;
                    let svc = open_service(&db, access.audit_key.as_deref(), lang)?;
                    svc.set_snapshots(dir, crate::service::backup::DEFAULT_KEEP);
                    Box::new(svc.session(&user.login).map_err(fail)?)
                }
                _ => open_session(&db, &access, lang)?,
            };
            let report = s.check().map_err(fail)?;
            if !print_check(&report, lang) {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Serve {
            socket,
            group,
            snapshots,
            keep,
            log,
            max_connections,
            max_connections_per_clerk,
            client_timeout,
            idle_timeout,
        } => {
            let limits = serve_limits(
                max_connections,
                max_connections_per_clerk,
                client_timeout,
                idle_timeout,
                lang,
            )?;
            let gid = match group {
                Some(g) => Some(crate::os::gid_of(&g).ok_or_else(|| {
                    Failure(match lang {
                        Lang::Bg => format!("Няма група „{g}“."),
                        Lang::En => format!("There is no group '{g}'."),
                    })
                })?),
                None => None,
            };
            let svc = open_service(&db, access.audit_key.as_deref(), lang)?;
            let log = log.unwrap_or_else(|| beside(&db, "frontoffice-serve.log"));
            crate::logging::init(&log).map_err(Failure)?;
            svc.anchor_head("start");
            let anchoring = Arc::clone(&svc);
            let snapshots = snapshots.unwrap_or_else(|| crate::service::backup::default_dir(&db));
            svc.set_snapshots(snapshots.clone(), keep);
            let _daily = crate::server::snapshots::start(Arc::clone(&svc), snapshots, keep)
                .map_err(|e| Failure(e.to_string()))?;
            let server = crate::server::Server::bind(svc, &socket, gid)
                .map_err(|e| Failure(format!("{}: {e}", socket.display())))?
                .with_limits(limits);
            eprintln!(
                "{}",
                match lang {
                    Lang::Bg => format!("Сървърът слуша на {}.", socket.display()),
                    Lang::En => format!("The server listens on {}.", socket.display()),
                }
            );
            // SIGTERM (systemd stop) and Ctrl-C: finish what was read, flush, exit.
            let stopper = server.stopper();
            let mut signals = signal_hook::iterator::Signals::new([
                signal_hook::consts::SIGTERM,
                signal_hook::consts::SIGINT,
            ])
            .map_err(|e| Failure(e.to_string()))?;
            std::thread::spawn(move || {
                if signals.forever().next().is_some() {
                    stopper.stop();
                }
            });
            let ran = server.run().map_err(|e| Failure(e.to_string()));
            anchoring.anchor_head("stop");
            ran?;
            eprintln!("{}", lang.pick("Сървърът спря.", "The server stopped."));
        }
        Command::Clerk { command } => {
            let s = open_session(&db, &access, lang)?;
            clerk(s.as_ref(), command, lang)?;
        }
        Command::Export { kind, format, out } => {
            let kind =
                export::parse_kind(&kind).ok_or_else(|| export::unknown_kind(&kind, lang))?;
            let s = open_session(&db, &access, lang)?;
            export::export(s.as_ref(), kind, format == "json", out.as_deref(), lang)?;
        }
        Command::Report {
            command:
                ReportCommand::Monthly {
                    month,
                    provider,
                    format,
                },
        } => {
            let month = month_arg("--month", &month, lang)?;
            let s = open_session(&db, &access, lang)?;
            let mut summary = s.monthly_report(month).map_err(fail)?;
            if let Some(p) = provider {
                summary = summary.for_provider(p);
            }
            report::print(&summary, &format, lang)?;
        }
        Command::Report {
            command:
                ReportCommand::Payroll {
                    month,
                    provider,
                    format,
                    excel,
                    out,
                },
        } => {
            let month = month_arg("--month", &month, lang)?;
            let s = open_session(&db, &access, lang)?;
            let lines = s.payroll(month, provider).map_err(fail)?;
            let f = report::PayrollFormat {
                json: format == "json",
                excel,
            };
            report::print_payroll(&lines, f, out.as_deref(), lang)?;
        }
        Command::Month { command } => {
            let (raw, reason) = match &command {
                MonthCommand::Close { month } => (month, None),
                MonthCommand::Reopen { month, reason } => (month, Some(reason)),
            };
            let month = month_arg("", raw, lang)?;
            let s = open_session(&db, &access, lang)?;
            let done = match reason {
                None => {
                    s.close_month(month).map_err(fail)?;
                    lang.pick("приключен", "closed")
                }
                Some(reason) => {
                    s.reopen_month(month, reason).map_err(fail)?;
                    lang.pick("отворен отново", "reopened")
                }
            };
            println!("{month}: {done}");
        }
        Command::Report {
            command:
                ReportCommand::Agenda {
                    days,
                    clerk,
                    format,
                },
        } => {
            let s = open_session(&db, &access, lang)?;
            let days = match days {
                Some(d) => d,
                None => s.settings().map_err(fail)?.settings.agenda_days,
            };
            let a = s.agenda(days, clerk.clone()).map_err(fail)?;
            agenda::print(&a, days, &format, lang)?;
        }
        Command::Document {
            kind,
            id,
            all_new,
            out,
            print,
        } => {
            let args = document::Args {
                kind,
                id,
                all_new,
                out,
                print,
            };
            let kind = document::check(&args, lang)?;
            let s = open_session(&db, &access, lang)?;
            document::run(s.as_ref(), kind, &args, &db, lang)?;
        }
        Command::Report {
            command:
                ReportCommand::Register {
                    activity,
                    settlement,
                    free,
                    all,
                    format,
                },
        } => {
            let activity = activity
                .map(|t| register::parse_type(&t, lang))
                .transpose()?;
            let s = open_session(&db, &access, lang)?;
            let settings = s.settings().map_err(fail)?.settings;
            let filter = register::Filter {
                activity,
                settlement: None,
                free,
                all,
                today: crate::service::sofia_now().date(),
            };
            let (rows, filter) =
                register::rows(s.as_ref(), &settings, filter, settlement.as_deref(), lang)?;
            register::print(&rows, &settings, &filter, &format, lang)?;
        }
        Command::Backup { file } => match cli.connect.as_deref() {
            Some(_) => {
                let s = open_session(&db, &access, lang)?;
                ops::backup_remote(s.as_ref(), &file, lang)?;
            }
            None => {
                let user = whoami(lang)?;
                let svc = open_service(&db, access.audit_key.as_deref(), lang)?;
                let s = svc.session(&user.login).map_err(fail)?;
                ops::backup_local(&s, &file, lang)?;
            }
        },
        Command::Restore { file } => {
            if cli.connect.is_some() {
                return Err(Failure(
                    lang.pick(
                        "Възстановяването става без сървър: спрете го и посочете празна папка с --db.",
                        "A restore runs without the server: stop it and name an empty directory with --db.",
                    )
                    .into(),
                ));
            }
            if !ops::restore(&file, &db, lang)? {
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A month argument, or a message naming the flag and what is wrong.
fn month_arg(flag: &str, raw: &str, lang: Lang) -> Result<crate::domain::date::Month, Failure> {
    crate::domain::date::parse_month(raw).map_err(|e| {
        let what = format!("{flag} {raw}");
        Failure(format!("{}: {}", what.trim(), e.explain(lang)))
    })
}

/// The server's limits from `serve`'s flags (the settings file already filled them in).
fn serve_limits(
    max_connections: Option<usize>,
    per_clerk: Option<usize>,
    client_timeout: f64,
    idle_timeout: Option<f64>,
    lang: Lang,
) -> Result<crate::server::Limits, Failure> {
    let at_least_one = |n: Option<usize>, default: usize, flag: &str| match n.unwrap_or(default) {
        0 => Err(Failure(match lang {
            Lang::Bg => format!("{flag} трябва да е поне 1."),
            Lang::En => format!("{flag} must be at least 1."),
        })),
        n => Ok(n),
    };
    let max = at_least_one(
        max_connections,
        crate::server::DEFAULT_MAX_CONNECTIONS,
        "--max-connections",
    )?;
    let per_clerk = at_least_one(
        per_clerk,
        crate::server::DEFAULT_MAX_PER_CLERK,
        "--max-connections-per-clerk",
    )?;
    let seconds = |v: f64, flag: &str| {
        std::time::Duration::try_from_secs_f64(v)
            .ok()
            .filter(|t| !t.is_zero())
            .ok_or_else(|| {
                Failure(match lang {
                    Lang::Bg => format!("{flag} трябва да е положително число секунди."),
                    Lang::En => format!("{flag} must be a positive number of seconds."),
                })
            })
    };
    let timeout = seconds(client_timeout, "--client-timeout")?;
    let idle = idle_timeout
        .map(|v| seconds(v, "--idle-timeout"))
        .transpose()?;
    Ok(crate::server::Limits {
        max_connections: max,
        max_per_clerk: per_clerk,
        client_timeout: timeout,
        idle,
        ..crate::server::Limits::default()
    })
}

/// A file beside the database directory (never inside sled's own directory).
fn beside(db: &std::path::Path, name: &str) -> PathBuf {
    match db.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.join(name),
        _ => PathBuf::from(name),
    }
}

/// Prints `check`'s result; false when it found problems.
fn print_check(report: &crate::service::CheckReport, lang: Lang) -> bool {
    println!(
        "{}",
        match lang {
            Lang::Bg => format!(
                "Проверени: {} записа, {} индексни ключа, {} одитни записа.",
                report.records, report.index_entries, report.audit_entries
            ),
            Lang::En => format!(
                "Checked {} records, {} index entries, {} audit entries.",
                report.records, report.index_entries, report.audit_entries
            ),
        }
    );
    if !report.problems.is_empty() {
        for p in &report.problems {
            println!("  ! {p}");
        }
        eprintln!(
            "{}",
            match lang {
                Lang::Bg => format!("Открити проблеми: {}", report.problems.len()),
                Lang::En => format!("Problems found: {}", report.problems.len()),
            }
        );
        return false;
    }
    println!("{}", lang.pick("Всичко е наред.", "All is well."));
    true
}

fn clerk(s: &dyn Api, command: ClerkCommand, lang: Lang) -> Result<(), Failure> {
    let fail = |e: ServiceError| Failure::from((e, lang));
    match &command {
        ClerkCommand::Add { login, name, role } => {
            let role = Role::parse(role).ok_or_else(|| {
                Failure(match lang {
                    Lang::Bg => {
                        format!("Непозната роля „{role}“: admin, supervisor, clerk или auditor.")
                    }
                    Lang::En => {
                        format!("Unknown role '{role}': admin, supervisor, clerk or auditor.")
                    }
                })
            })?;
            s.add_clerk(login, name, role).map_err(fail)?;
            println!(
                "{}",
                match lang {
                    Lang::Bg => format!("Добавен служител {login} ({}).", role.name(lang)),
                    Lang::En => format!("Added clerk {login} ({}).", role.name(lang)),
                }
            );
        }
        ClerkCommand::List => {
            for r in s.clerks().map_err(fail)? {
                if let Body::Clerk(c) = r.body {
                    println!(
                        "{:<16} {:<14} {:<8} {}",
                        c.login,
                        c.role.name(lang),
                        if c.active {
                            lang.pick("активен", "active")
                        } else {
                            lang.pick("спрян", "disabled")
                        },
                        crate::domain::text::safe_for_terminal(&c.name)
                    );
                }
            }
        }
        ClerkCommand::Disable { login } | ClerkCommand::Enable { login } => {
            let active = matches!(command, ClerkCommand::Enable { .. });
            let login = login.clone();
            s.set_clerk_active(&login, active).map_err(fail)?;
            println!(
                "{login}: {}",
                if active {
                    lang.pick("активен", "active")
                } else {
                    lang.pick("спрян", "disabled")
                }
            );
        }
    }
    Ok(())
}
