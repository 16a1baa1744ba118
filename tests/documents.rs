//! The documents to sign: made from a real database through the service, read back out of the
//! PDF with `pdftotext` (poppler-utils; `.ci/run` installs it).

mod common;

use common::*;
use frontoffice::documents::{self, DocError};
use frontoffice::domain::{
    assistance::{AgreementStatus, Assistant, DspDecision},
    audit::{AuditAction, AuditEntry},
    document::DocKind,
    egn::make_egn,
    iban::Iban,
    record::{Body, Kind, Record},
    register::{ProviderKind, ServiceType},
    Explain, Lang,
};
use frontoffice::service::{ApiExt, Session};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The text of a PDF (of one page, if given), as `pdftotext` reads it.
fn pdf_text(bytes: &[u8], page: Option<u32>) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("d.pdf");
    std::fs::write(&file, bytes).unwrap();
    let mut cmd = Command::new("pdftotext");
    // The physical layout: a table row's cells come out on one line.
    cmd.arg("-layout");
    if let Some(p) = page {
        cmd.args(["-f", &p.to_string(), "-l", &p.to_string()]);
    }
    let out = cmd
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed: apt-get install poppler-utils");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn pages(bytes: &[u8]) -> u32 {
    let text = pdf_text(bytes, None);
    // pdftotext ends every page with a form feed.
    text.matches('\u{c}').count() as u32
}

/// Spaces as pdftotext may give them (a no-break space, a justified gap) made one space.
fn flat(text: &str) -> String {
    text.replace('\u{a0}', " ")
        .split([' ', '\n'])
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

struct Case {
    db: Db,
    user: Record,
    helper: Record,
    /// A draft (not yet signed) of 63 hours.
    agreement: Record,
    /// A second user's draft and an agreement in force.
    second_draft: Record,
    active: Record,
    contract: Record,
    referral: Record,
}

fn create(s: &Session, body: Body) -> Record {
    s.create(body).unwrap()
}

/// Two users, one assistant, a provider: agreements (two drafts, one in force), a contract and
/// a referral to assistant support.
fn case() -> Case {
    let db = new_db();
    let s = &db.admin;
    let user = create(s, Body::Person(user_person()));
    let helper = create(
        s,
        Body::Person(person("Иван", "Иванов", Some("7501020002"))),
    );
    let second_egn = make_egn(date(1948, 3, 4), 123).unwrap();
    let second = create(
        s,
        Body::Person(frontoffice::domain::person::Person {
            disability: user_person().disability,
            ..person("Елена", "Стоянова", Some(&second_egn))
        }),
    );
    let provider = create(
        s,
        Body::Provider(provider(
            "Център за лична помощ Тестово",
            87654321,
            ProviderKind::Municipality,
        )),
    );
    let decision = |person: u64| DspDecision {
        person,
        number: format!("ДСП-{person}"),
        expert_decision: String::new(),
        date: date(2026, 5, 1),
        degree: 3,
        hours_per_month: 84,
        valid_from: date(2026, 5, 1),
        valid_until: date(2028, 4, 30),
    };
    let d1 = create(s, Body::DspDecision(decision(user.id())));
    let d2 = create(s, Body::DspDecision(decision(second.id())));
    let assistant = create(
        s,
        Body::Assistant(Assistant {
            person: helper.id(),
            iban: Iban::parse("BG80 BNBG 9661 1020 3456 78").unwrap(),
            relation: "съсед".into(),
            no_protection_order: true,
        }),
    );
    let draft = |user: u64, decision: u64, hours: u32, status| {
        let mut a = agreement(user, assistant.id(), provider.id(), decision, hours);
        a.status = status;
        a.week = [180, 0, 180, 0, 180, 0, 0];
        a.activities = "# лични и битови дейности | пазаруване | готвене".into();
        Body::Agreement(a)
    };
    let agreement = create(s, draft(user.id(), d1.id(), 63, AgreementStatus::Draft));
    let second_draft = create(s, draft(second.id(), d2.id(), 42, AgreementStatus::Draft));
    let active = create(s, draft(second.id(), d2.id(), 42, AgreementStatus::Active));
    let contract = create(
        s,
        Body::Contract(common::contract(
            "ТД 17/2026",
            assistant.id(),
            provider.id(),
            Some(agreement.id()),
        )),
    );
    let referral = create(
        s,
        Body::Referral(frontoffice::domain::referral::Referral {
            provider: Some(provider.id()),
            ..referral(user.id(), None, ServiceType::AssistantSupport)
        }),
    );
    Case {
        db,
        user,
        helper,
        agreement,
        second_draft,
        active,
        contract,
        referral,
    }
}

impl Case {
    fn data_dir(&self) -> PathBuf {
        documents::data_dir(&self.db.path())
    }

    fn make(&self, kind: DocKind, id: u64) -> Result<documents::Made, DocError> {
        documents::make(&self.db.admin, kind, id, &self.data_dir(), today())
    }

    fn text(&self, kind: DocKind, id: u64) -> String {
        flat(&pdf_text(&self.make(kind, id).unwrap().bytes, None))
    }

    fn document_entries(&self) -> Vec<AuditEntry> {
        self.db
            .admin
            .audit_log(None, 1000)
            .unwrap()
            .into_iter()
            .filter(|e| e.action == AuditAction::Document)
            .collect()
    }

    fn override_template(&self, kind: DocKind, text: &str) {
        let dir = documents::templates_dir(&self.data_dir());
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{}.toml", kind.code())), text).unwrap();
    }
}

#[test]
fn each_document_names_its_parties_with_the_full_egn_and_the_hours() {
    let c = case();
    let agreement = c.text(DocKind::Agreement, c.agreement.id());
    for want in [
        "СПОРАЗУМЕНИЕ № СП-2026-0001",
        "Мария Петрова, ЕГН 8032056031",
        "Иван Иванов, ЕГН 7501020002",
        "Център за лична помощ Тестово, ЕИК",
        "Часове лична помощ месечно 63",
        "от 01.07.2026 до 30.06.2027",
        // The user is a woman, the assistant a man (the ЕГН's ninth digit).
        "наричана по-долу „Потребител“",
        "наричан по-долу „Асистент“",
        "BG80 BNBG 9661 1020 3456 78",
        "Община Тестово",
    ] {
        assert!(agreement.contains(want), "{want:?} not in {agreement}");
    }
    let contract = c.text(DocKind::Contract, c.contract.id());
    for want in [
        "ТРУДОВ ДОГОВОР № ТД 17/2026",
        "Иван Иванов, ЕГН 7501020002",
        "Център за лична помощ Тестово",
        "Работно време 4 часа дневно",
        "безсрочен",
        "СП-2026-0001, 63 часа месечно",
    ] {
        assert!(contract.contains(want), "{want:?} not in {contract}");
    }
    let referral = c.text(DocKind::Referral, c.referral.id());
    for want in [
        &format!("НАПРАВЛЕНИЕ № {}", c.referral.id()),
        "Мария Петрова",
        "ЕГН 8032056031",
        "асистентска подкрепа",
        "до 4 часа дневно",
        "Център за лична помощ Тестово",
        "в срок до 20 дни",
        "Получила направлението",
    ] {
        assert!(referral.contains(want), "{want:?} not in {referral}");
    }
}

#[test]
fn every_document_written_leaves_an_audit_entry_without_the_number() {
    let c = case();
    assert!(c.document_entries().is_empty());
    for (kind, record) in [
        (DocKind::Agreement, &c.agreement),
        (DocKind::Contract, &c.contract),
        (DocKind::Referral, &c.referral),
        (DocKind::Agreement, &c.agreement),
    ] {
        c.make(kind, record.id()).unwrap();
    }
    let entries = c.document_entries();
    let seen: Vec<(Option<Kind>, Option<u64>)> = entries.iter().map(|e| (e.kind, e.id)).collect();
    assert_eq!(
        seen,
        [
            (Some(Kind::Agreement), Some(c.agreement.id())),
            (Some(Kind::Contract), Some(c.contract.id())),
            (Some(Kind::Referral), Some(c.referral.id())),
            (Some(Kind::Agreement), Some(c.agreement.id())),
        ]
    );
    let persons = |e: &AuditEntry| {
        e.changes
            .iter()
            .find(|ch| ch.field == "persons")
            .map(|ch| ch.new.clone())
            .unwrap()
    };
    assert_eq!(
        persons(&entries[0]),
        format!("{},{}", c.user.id(), c.helper.id())
    );
    assert_eq!(persons(&entries[1]), c.helper.id().to_string());
    assert!(entries.iter().all(|e| e.login == "admin"));
    let log = format!("{entries:?}");
    assert!(!log.contains("8032056031") && !log.contains("7501020002"));
    // The service's other answers keep the number masked.
    let Body::Person(p) = c.db.admin.get(Kind::Person, c.user.id()).unwrap().body else {
        panic!()
    };
    assert_eq!(p.ident.masked(), "**********");
    assert!(p.ident.as_str().is_none());
    assert!(c.db.admin.check().unwrap().problems.is_empty());
}

#[test]
fn a_record_of_another_kind_or_none_is_refused() {
    let c = case();
    for (kind, id) in [
        (DocKind::Agreement, c.contract.id()),
        (DocKind::Referral, 999_999),
    ] {
        let e = c.make(kind, id).err().unwrap();
        assert!(
            e.explain(Lang::Bg).starts_with("Няма "),
            "{}",
            e.explain(Lang::Bg)
        );
    }
    assert!(c.document_entries().is_empty());
}

#[test]
fn a_template_naming_a_missing_placeholder_is_refused_with_its_name_and_line() {
    let c = case();
    c.override_template(
        DocKind::Agreement,
        "title = \"С\"\nbody = \"\"\"\n# Споразумение\n\n{{ user.name }}, {{ user.egn }}\nРъст: {{ user.height }}\n\"\"\"\n",
    );
    let e = c.make(DocKind::Agreement, c.agreement.id()).err().unwrap();
    match &e {
        DocError::Missing { name, line, file } => {
            assert_eq!((name.as_str(), *line), ("user.height", Some(6)));
            assert!(file.ends_with("templates/agreement.toml"), "{file}");
        }
        other => panic!("{other:?}"),
    }
    let (bg, en) = (e.explain(Lang::Bg), e.explain(Lang::En));
    assert!(bg.contains("„user.height“") && bg.contains("ред 6"), "{bg}");
    assert!(
        en.contains("'user.height'") && en.contains("line 6"),
        "{en}"
    );
    // The message names the placeholder, never a value.
    for m in [&bg, &en, &format!("{e:?}")] {
        assert!(!m.contains("8032056031") && !m.contains("Мария"), "{m}");
    }
    // A person without an ЕГН yet: the shipped template asks for it rather than print a blank.
    let nobody =
        c.db.admin
            .create(Body::Person(person("Петър", "Колев", None)))
            .unwrap();
    let r =
        c.db.admin
            .create(Body::Referral(referral(
                nobody.id(),
                None,
                ServiceType::Information,
            )))
            .unwrap();
    match c.make(DocKind::Referral, r.id()) {
        Err(DocError::Missing { name, line, file }) => {
            assert_eq!(
                (name.as_str(), file.as_str()),
                ("person.egn", "referral.toml")
            );
            let shipped = documents::template::shipped(DocKind::Referral);
            let at = shipped.lines().nth(line.unwrap() - 1).unwrap();
            assert!(at.contains("{{ person.egn }}"), "{at}");
        }
        other => panic!("{:?}", other.err()),
    }
}

#[test]
fn the_template_in_the_data_directory_wins_over_the_shipped_one() {
    let c = case();
    let shipped = c.text(DocKind::Contract, c.contract.id());
    assert!(shipped.contains("по Кодекса на труда"), "{shipped}");
    c.override_template(
        DocKind::Contract,
        "title = \"Д\"\nbody = \"\"\"\n# ОБЩИНСКИ ДОГОВОР {{ contract.number }}\n\n{{ assistant.name }} работи {{ contract.hours_per_day }} часа.\n\"\"\"\n",
    );
    let own = c.text(DocKind::Contract, c.contract.id());
    assert!(own.contains("ОБЩИНСКИ ДОГОВОР ТД 17/2026"), "{own}");
    assert!(own.contains("Иван Иванов работи 4 часа."), "{own}");
    assert!(!own.contains("Кодекса на труда"), "{own}");
    // Other kinds still use the shipped templates.
    assert!(c
        .text(DocKind::Referral, c.referral.id())
        .contains("НАПРАВЛЕНИЕ №"));
}

#[test]
fn a_value_with_a_bar_or_a_hash_stays_text_in_its_cell() {
    let c = case();
    let text = c.text(DocKind::Agreement, c.agreement.id());
    // The activities start with '#' and hold bars: one cell, text, not a heading.
    assert!(
        text.contains("Дейности # лични и битови дейности | пазаруване | готвене"),
        "{text}"
    );
    // The weekly schedule in words.
    assert!(text.contains("График пн 3 ч, ср 3 ч, пт 3 ч"), "{text}");
    // The same through the markup: the row keeps two cells.
    let t = documents::template::load(DocKind::Agreement, None).unwrap();
    let recs =
        c.db.admin
            .document(DocKind::Agreement, c.agreement.id())
            .unwrap();
    let settings = c.db.admin.settings().unwrap().settings;
    let values = documents::values::build(&recs, &settings, today());
    let filled = documents::template::fill(&t, &values).unwrap();
    let blocks = documents::markup::parse(&filled.body, &t.file).unwrap();
    let rows: Vec<&Vec<String>> = blocks
        .iter()
        .filter_map(|b| match b {
            documents::markup::Block::Table(rows) => Some(rows),
            _ => None,
        })
        .flatten()
        .collect();
    let activities = rows.iter().find(|r| r[0] == "Дейности").unwrap();
    assert_eq!(
        activities.as_slice(),
        [
            "Дейности",
            "# лични и битови дейности | пазаруване | готвене"
        ]
    );
    assert!(rows.iter().all(|r| r.len() == 2), "{rows:?}");
    assert!(!blocks.iter().any(|b| matches!(
        b,
        documents::markup::Block::Heading { text, .. } if text.contains("лични и битови")
    )));
}

#[test]
fn a_no_break_space_keeps_the_number_with_its_sign() {
    // The same words at every offset: with a breakable space one of them would end a line
    // with „№ and start the next with the number.
    let words: Vec<String> = (0..60)
        .map(|i| format!("{} „№\\u00A02026-0142“", "д".repeat(1 + i % 9)))
        .collect();
    let t = documents::template::parse(
        "nbsp.toml",
        &format!(
            "title = \"Т\"\nbody = \"\"\"\n{}\n\"\"\"\n",
            words.join(" ")
        ),
    )
    .unwrap();
    let bytes = documents::render(&t, &Default::default()).unwrap();
    let text = pdf_text(&bytes, None);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(lines.len() > 5, "{text}");
    for l in &lines {
        assert!(!l.trim_end().ends_with('№'), "{l:?}");
        assert!(!l.trim_start().starts_with("2026-0142"), "{l:?}");
    }
    assert_eq!(flat(&text).matches("„№ 2026-0142“").count(), 60, "{text}");
}

/// A long table pushes whole rows to the next page; the signature block moves whole too.
#[test]
fn rows_and_the_signature_block_are_never_split_across_pages() {
    let mut moved_whole = false;
    for n in 28..44 {
        let rows: String = (1..=n)
            .map(|i| {
                let text = "дълъг текст на клетката ".repeat(4);
                format!("| Ред начало{i} | {text} край{i} |\n")
            })
            .collect();
        let body = format!(
            "# Дълъг списък\n\n{rows}\n@signatures: Потребител: Мария Петрова | Асистент: Иван Иванов | Доставчик: Община Тестово\n"
        );
        let t = documents::template::parse(
            "long.toml",
            &format!("title = \"Т\"\nbody = '''\n{body}'''\n"),
        )
        .unwrap();
        let bytes = documents::render(&t, &Default::default()).unwrap();
        let count = pages(&bytes);
        assert!(count >= 2, "{n} rows on one page");
        let texts: Vec<String> = (1..=count)
            .map(|p| flat(&pdf_text(&bytes, Some(p))))
            .collect();
        let page_of = |word: &str| -> Vec<usize> {
            texts
                .iter()
                .enumerate()
                .filter(|(_, t)| t.split(' ').any(|w| w == word))
                .map(|(i, _)| i)
                .collect()
        };
        for i in 1..=n {
            // The row's first and last words are on one page, and only one.
            let (first, last) = (page_of(&format!("начало{i}")), page_of(&format!("край{i}")));
            assert_eq!(first.len(), 1, "row {i} of {n}: {first:?}");
            assert_eq!(first, last, "row {i} of {n} split");
        }
        let sign = [
            "Потребител",
            "Мария",
            "Асистент",
            "Иванов",
            "Доставчик",
            "Тестово",
        ]
        .map(page_of);
        assert!(
            sign.iter().all(|p| p == &sign[0] && p.len() == 1),
            "{n}: {sign:?}"
        );
        let last_row = page_of(&format!("край{n}"))[0];
        if sign[0][0] == last_row + 1 {
            moved_whole = true;
        }
    }
    assert!(moved_whole, "no row count moved the signature block");
}

#[test]
fn the_same_document_gives_the_same_bytes_and_figures() {
    let c = case();
    let data = c.data_dir();
    let t0 = std::time::Instant::now();
    for (kind, record) in [
        (DocKind::Agreement, &c.agreement),
        (DocKind::Contract, &c.contract),
        (DocKind::Referral, &c.referral),
    ] {
        let recs = c.db.admin.document(kind, record.id()).unwrap();
        let settings = c.db.admin.settings().unwrap().settings;
        let values = documents::values::build(&recs, &settings, today());
        let t = documents::template::load(kind, Some(&documents::templates_dir(&data))).unwrap();
        let first = documents::render(&t, &values).unwrap();
        let runs = 20;
        let start = std::time::Instant::now();
        for _ in 0..runs {
            assert_eq!(documents::render(&t, &values).unwrap(), first);
        }
        let each = start.elapsed() / runs;
        assert!(first.starts_with(b"%PDF-"));
        println!(
            "{}: {} bytes, {} page(s), render {:.1} ms",
            kind.code(),
            first.len(),
            pages(&first),
            each.as_secs_f64() * 1000.0
        );
    }
    println!("all: {:.0} ms", t0.elapsed().as_secs_f64() * 1000.0);
}

#[test]
fn documents_come_through_the_server_socket_too() {
    let c = case();
    let me = frontoffice::os::current_user().unwrap().login;
    c.db.admin
        .add_clerk(&me, "Служител", frontoffice::domain::clerk::Role::Clerk)
        .unwrap();
    let (agreement, db_path) = (c.agreement.id(), c.db.path());
    let Db { dir, svc, admin } = c.db;
    drop(admin);
    drop(svc);
    let socket = dir.path().join("fo.sock");
    let mut server = spawn_serve(&db_path, &socket);
    let client = frontoffice::server::client::Client::connect(&socket, Lang::Bg).unwrap();
    let made = documents::make(
        &client,
        DocKind::Agreement,
        agreement,
        &documents::data_dir(&db_path),
        today(),
    )
    .unwrap();
    let text = flat(&pdf_text(&made.bytes, None));
    assert!(text.contains("Мария Петрова, ЕГН 8032056031"), "{text}");
    assert_eq!(made.file_name(), "agreement-SP-2026-0001.pdf");
    // A clerk may not read the audit log: the entry is checked once the server has stopped.
    drop(client);
    unsafe { libc::kill(server.id() as i32, libc::SIGTERM) };
    server.wait().unwrap();
    let svc = frontoffice::service::Service::open(&db_path, clock()).unwrap();
    let entries: Vec<AuditEntry> = svc
        .session("admin")
        .unwrap()
        .audit_log(None, 1000)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == AuditAction::Document)
        .collect();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].login, me);
    drop(dir);
}

// ---------------------------------------------------------------------------------------------
// The command line.

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_frontoffice"));
    c.env_remove("FRONTOFFICE_DB")
        .env_remove("FRONTOFFICE_LANG")
        .env_remove("FRONTOFFICE_SOCKET");
    c
}

fn out(o: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The case's database with the running user as a clerk, closed for the binary to open.
fn closed_case() -> (Case, PathBuf) {
    let c = case();
    let me = frontoffice::os::current_user().unwrap().login;
    c.db.admin
        .add_clerk(&me, "Служител", frontoffice::domain::clerk::Role::Clerk)
        .unwrap();
    let path = c.db.path();
    (c, path)
}

fn run_closed(c: Case, f: impl FnOnce(&Path, &Path)) {
    let db = c.db.path();
    let Db { dir, svc, admin } = c.db;
    drop(admin);
    drop(svc);
    f(dir.path(), &db);
}

#[test]
fn the_command_writes_a_document_where_it_is_told_and_says_where() {
    let (c, _) = closed_case();
    let (contract, referral) = (c.contract.id(), c.referral.id());
    run_closed(c, |dir, db| {
        let file = dir.join("out").join("d.pdf");
        let o = bin()
            .args(["document", "contract", &contract.to_string(), "--db"])
            .arg(db)
            .arg("--out")
            .arg(&file)
            .output()
            .unwrap();
        let (stdout, stderr) = out(&o);
        assert!(o.status.success(), "{stderr}");
        assert_eq!(stdout.trim(), format!("Записан: {}", file.display()));
        let text = flat(&pdf_text(&std::fs::read(&file).unwrap(), None));
        assert!(text.contains("Иван Иванов, ЕГН 7501020002"), "{text}");
        // Without --out: the data directory's documents/, named by kind and number.
        let o = bin()
            .args([
                "document",
                "referral",
                &referral.to_string(),
                "--lang",
                "en",
                "--db",
            ])
            .arg(db)
            .output()
            .unwrap();
        let (stdout, stderr) = out(&o);
        assert!(o.status.success(), "{stderr}");
        let at = dir
            .join("documents")
            .join(format!("referral-{referral}.pdf"));
        assert_eq!(stdout.trim(), format!("Written: {}", at.display()));
        assert!(at.exists());
        // Mistakes get a message and a failure status.
        for (args, want) in [
            (
                vec!["document", "invoice", "1"],
                "Непознат документ „invoice“",
            ),
            (vec!["document", "contract"], "Посочете номер на запис"),
            (
                vec!["document", "contract", "--all-new"],
                "само за споразумения",
            ),
            (
                vec!["document", "agreement", "999999"],
                "Няма споразумение с номер 999999",
            ),
        ] {
            let o = bin().args(&args).arg("--db").arg(db).output().unwrap();
            let (_, stderr) = out(&o);
            assert!(!o.status.success(), "{args:?}");
            assert!(stderr.contains(want), "{args:?}: {stderr}");
        }
    });
}

#[test]
fn all_new_writes_every_agreement_not_yet_signed() {
    let (c, _) = closed_case();
    let want = [
        documents::file_name(DocKind::Agreement, &number(&c.agreement)),
        documents::file_name(DocKind::Agreement, &number(&c.second_draft)),
    ];
    let active = documents::file_name(DocKind::Agreement, &number(&c.active));
    run_closed(c, |dir, db| {
        let target = dir.join("signing-day");
        let o = bin()
            .args(["document", "agreement", "--all-new", "--db"])
            .arg(db)
            .arg("--out")
            .arg(&target)
            .output()
            .unwrap();
        let (stdout, stderr) = out(&o);
        assert!(o.status.success(), "{stderr}");
        let mut files: Vec<String> = std::fs::read_dir(&target)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        assert_eq!(files, want);
        assert!(!files.contains(&active));
        for f in &want {
            assert!(
                stdout.contains(&target.join(f).display().to_string()),
                "{stdout}"
            );
        }
        assert!(stdout.contains("Неподписани споразумения: 2"), "{stdout}");
        let second = flat(&pdf_text(
            &std::fs::read(target.join(&want[1])).unwrap(),
            None,
        ));
        assert!(second.contains("Елена Стоянова"), "{second}");
    });
}

fn number(r: &Record) -> String {
    match &r.body {
        Body::Agreement(a) => a.number.clone(),
        _ => unreachable!(),
    }
}

#[test]
fn print_hands_the_file_to_lp_or_says_cups_is_missing() {
    let (c, _) = closed_case();
    let id = c.agreement.id();
    run_closed(c, |dir, db| {
        let file = dir.join("a.pdf");
        // No lp on the PATH: the file is written, and the message says why it was not printed.
        let empty = dir.join("bin-empty");
        std::fs::create_dir_all(&empty).unwrap();
        let o = bin()
            .env("PATH", &empty)
            .args(["document", "agreement", &id.to_string(), "--print", "--db"])
            .arg(db)
            .arg("--out")
            .arg(&file)
            .output()
            .unwrap();
        let (_, stderr) = out(&o);
        assert!(!o.status.success());
        assert!(
            stderr.contains("печатът иска CUPS (командата lp липсва)"),
            "{stderr}"
        );
        assert!(stderr.contains(&file.display().to_string()), "{stderr}");
        assert!(file.exists());
        // A stand-in lp records what it was given.
        let bin_dir = dir.join("bin");
        std::fs::create_dir_all(&bin_dir).unwrap();
        let log = dir.join("lp.log");
        let lp = bin_dir.join("lp");
        std::fs::write(
            &lp,
            format!(
                "#!/bin/sh\necho \"$@\" > '{}'\necho 'request id is desk-7 (1 file(s))'\n",
                log.display()
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&lp, std::fs::Permissions::from_mode(0o755)).unwrap();
        let o = bin()
            .env("PATH", format!("{}:/usr/bin:/bin", bin_dir.display()))
            .args(["document", "agreement", &id.to_string(), "--print", "--db"])
            .arg(db)
            .arg("--out")
            .arg(&file)
            .output()
            .unwrap();
        let (stdout, stderr) = out(&o);
        assert!(o.status.success(), "{stderr}");
        assert!(
            stdout.contains("Изпратен за печат") && stdout.contains("desk-7"),
            "{stdout}"
        );
        assert_eq!(
            std::fs::read_to_string(&log).unwrap().trim(),
            format!("-- {}", file.display())
        );
    });
}
