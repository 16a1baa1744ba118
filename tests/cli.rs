//! The real binary on temp databases.

mod common;

use std::process::{Command, Output};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_frontoffice"));
    c.env_remove("FRONTOFFICE_DB")
        .env_remove("FRONTOFFICE_LANG");
    c
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Tests that open the shared demo database take turns: sled lets one process at a time in.
static DEMO_TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn turn() -> std::sync::MutexGuard<'static, ()> {
    DEMO_TURN.lock().unwrap_or_else(|p| p.into_inner())
}

/// One demo database shared by the read-only checks below (built once: it takes a second).
fn demo_db() -> &'static std::path::Path {
    static DB: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        let o = run(&[
            "demo",
            "--db",
            db.to_str().unwrap(),
            "--persons",
            "300",
            "--lang",
            "en",
        ]);
        let (out, err) = text(&o);
        assert!(o.status.success(), "{out}\n{err}");
        assert!(out.contains("300 generated persons"), "{out}");
        dir
    })
    .path()
}

fn db_arg() -> String {
    demo_db().join("db").to_string_lossy().into_owned()
}

#[test]
fn demo_then_find_json_lists_people_with_id_kind_and_name() {
    let _turn = turn();
    let o = run(&["find", "--db", &db_arg(), "petrov", "--json"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let items = v.as_array().unwrap();
    assert!(!items.is_empty());
    for item in items {
        assert!(item["id"].as_u64().is_some());
        assert_eq!(item["kind"], "person");
        let name = item["name"].as_str().unwrap();
        assert!(name.contains("Петров"), "{name}");
    }
}

#[test]
fn find_prints_a_table_with_masked_identifiers() {
    let _turn = turn();
    let o = run(&["find", "--db", &db_arg(), "Петрова"]);
    let (out, _) = text(&o);
    assert!(o.status.success());
    assert!(out.contains("******"), "{out}");
    assert!(out.contains("лице"), "Bulgarian by default: {out}");
}

#[test]
fn check_is_clean_on_the_demo() {
    let _turn = turn();
    let o = run(&["check", "--db", &db_arg()]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    assert!(out.contains("Всичко е наред"), "{out}");
}

#[test]
fn demo_covers_every_kind_of_record() {
    use frontoffice::domain::record::Kind;
    let _turn = turn();
    let svc = frontoffice::service::Service::open(
        &demo_db().join("db"),
        frontoffice::service::system_clock(),
    )
    .unwrap();
    let login = frontoffice::os::current_user().unwrap().login;
    let s = svc.session(&login).unwrap();
    use frontoffice::service::ApiExt;
    for kind in Kind::ALL {
        assert!(
            !s.list(kind, None, 1).unwrap().is_empty(),
            "demo has no {kind:?}"
        );
    }
    let persons = svc.store().count(Kind::Person);
    assert!((340..=360).contains(&persons), "{persons}");
}

#[test]
fn clerks_are_added_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let db = db.to_str().unwrap();
    assert!(run(&["init", "--db", db]).status.success());
    let o = run(&[
        "clerk",
        "add",
        "vpetkov",
        "--name",
        "Васил Петков",
        "--role",
        "clerk",
        "--db",
        db,
    ]);
    assert!(o.status.success(), "{:?}", text(&o));
    let o = run(&["clerk", "list", "--db", db, "--lang", "en"]);
    let (out, _) = text(&o);
    assert!(
        out.contains("vpetkov") && out.contains("Васил Петков") && out.contains("clerk"),
        "{out}"
    );
    // The creator is the administrator.
    let me = frontoffice::os::current_user().unwrap().login;
    assert!(
        out.lines()
            .any(|l| l.starts_with(&me) && l.contains("administrator")),
        "{out}"
    );
    // Bad role, duplicate login: clear messages, non-zero exit.
    let o = run(&[
        "clerk", "add", "x", "--name", "X", "--role", "boss", "--db", db,
    ]);
    assert!(!o.status.success());
    assert!(text(&o).1.contains("Непозната роля"), "{:?}", text(&o));
    let o = run(&[
        "clerk", "add", "vpetkov", "--name", "Друг", "--role", "clerk", "--db", db,
    ]);
    assert!(!o.status.success());
    assert!(text(&o).1.contains("вече има"), "{:?}", text(&o));
}

#[test]
fn bad_databases_get_clear_messages_and_a_non_zero_exit() {
    let _turn = turn();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let o = run(&["find", "x", "--db", missing.to_str().unwrap()]);
    assert!(!o.status.success());
    let (_, err) = text(&o);
    assert!(
        err.contains("Няма база данни") && err.contains("frontoffice demo"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
    assert!(!missing.exists());

    let foreign = dir.path().join("foreign");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("x.txt"), "x").unwrap();
    let o = run(&["check", "--db", foreign.to_str().unwrap(), "--lang", "en"]);
    assert!(!o.status.success());
    assert!(
        text(&o).1.contains("not a frontoffice database"),
        "{:?}",
        text(&o)
    );

    // demo refuses to build over an existing database.
    let o = run(&["demo", "--db", &db_arg()]);
    assert!(!o.status.success());
    assert!(text(&o).1.contains("вече има база"), "{:?}", text(&o));

    // Bad arguments are clap's usage errors, not panics.
    let o = run(&["find"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["demo", "--persons", "many"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["--lang", "de", "check"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn check_exits_non_zero_and_lists_problems() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    assert!(run(&["init", "--db", db.to_str().unwrap()])
        .status
        .success());
    {
        let raw = common::raw_open(&db);
        raw.open_tree("idx_name")
            .unwrap()
            .insert(
                frontoffice::store::index::key(
                    b"ghost",
                    frontoffice::domain::record::Kind::Person,
                    4242,
                ),
                vec![],
            )
            .unwrap();
        raw.flush().unwrap();
    }
    let o = run(&["check", "--db", db.to_str().unwrap(), "--lang", "en"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(out.contains("stray entry for person 4242"), "{out}");
    assert!(err.contains("Problems found: 1"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// The register of services.

fn ok_out(args: &[&str]) -> String {
    let o = run(args);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{args:?}: {out}\n{err}");
    out
}

fn register_json(extra: &[&str]) -> Vec<serde_json::Value> {
    let db = db_arg();
    let mut args = vec!["report", "register", "--db", &db, "--format", "json"];
    args.extend_from_slice(extra);
    let v: serde_json::Value = serde_json::from_str(&ok_out(&args)).unwrap();
    v.as_array().unwrap().clone()
}

fn csv_rows(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

#[test]
fn report_register_marks_the_full_service_and_counts_free_places() {
    use unicode_width::UnicodeWidthStr;
    let _turn = turn();
    // By default the services in the register today; with --all also the one whose project
    // ended.
    let all = register_json(&["--all"]);
    assert_eq!(all.len(), 12, "{all:?}");
    let today = frontoffice::service::sofia_now().date().to_string();
    let rows = register_json(&[]);
    let valid: Vec<serde_json::Value> = all
        .iter()
        .filter(|r| {
            r["valid_from"].as_str().is_none_or(|d| d <= today.as_str())
                && r["valid_to"].as_str().is_none_or(|d| today.as_str() <= d)
        })
        .cloned()
        .collect();
    assert_eq!(rows, valid);
    assert!(all
        .iter()
        .any(|r| r["valid_to"] == "2023-12-31" && !rows.contains(r)));
    // Free places are the capacity less the active referrals; none without a capacity.
    for r in &rows {
        let (capacity, occupied) = (
            r["capacity"].as_u64().unwrap(),
            r["occupied"].as_u64().unwrap(),
        );
        if capacity == 0 {
            assert!(r["free"].is_null(), "{r}");
            assert_eq!(r["full"], false);
        } else {
            assert_eq!(
                r["free"].as_u64(),
                Some(capacity.saturating_sub(occupied)),
                "{r}"
            );
            assert_eq!(r["full"], occupied >= capacity, "{r}");
        }
    }
    let full: Vec<&serde_json::Value> = rows.iter().filter(|r| r["full"] == true).collect();
    assert_eq!(full.len(), 1, "{full:?}");
    let home = full[0];
    assert!(home["service"]
        .as_str()
        .unwrap()
        .starts_with("Защитено жилище"));
    assert_eq!(
        (&home["capacity"], &home["occupied"], &home["free"]),
        (
            &serde_json::json!(6),
            &serde_json::json!(6),
            &serde_json::json!(0)
        )
    );
    assert_eq!(home["type"], "residential_care");
    assert_eq!(home["settlement_name"], "с. Долна река");
    let info = rows.iter().find(|r| r["capacity"] == 0).unwrap();
    assert_eq!(info["type"], "information");

    // The table: 80 columns, each service's numbers on its name's line, the full one marked.
    let db = db_arg();
    let table = ok_out(&["report", "register", "--db", &db]);
    for line in table.lines() {
        assert!(line.width() <= 80, "{} columns: {line}", line.width());
    }
    assert!(
        table.starts_with("Регистър на социалните услуги – Община Примерово"),
        "{table}"
    );
    for r in &rows {
        let name = r["service"].as_str().unwrap();
        let line = table
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} not in\n{table}"));
        let free = match r["free"].as_u64() {
            None => "–".to_string(),
            Some(0) => "пълна".to_string(),
            Some(n) => n.to_string(),
        };
        let capacity = match r["capacity"].as_u64().unwrap() {
            0 => "–".to_string(),
            n => n.to_string(),
        };
        let numbers: Vec<&str> = line[name.len()..].split_whitespace().collect();
        assert_eq!(
            numbers,
            [capacity.as_str(), &r["occupied"].to_string(), free.as_str()],
            "{line}"
        );
        // The next line holds its type, settlement and provider.
        let below = table.lines().skip_while(|l| *l != line).nth(1).unwrap();
        assert!(
            below.starts_with(&format!(
                "  {} · {}",
                r["type_name"].as_str().unwrap(),
                r["settlement_name"].as_str().unwrap()
            )),
            "{below}"
        );
    }
    let places: u64 = rows.iter().map(|r| r["capacity"].as_u64().unwrap()).sum();
    let taken: u64 = rows.iter().map(|r| r["occupied"].as_u64().unwrap()).sum();
    let free: u64 = rows.iter().filter_map(|r| r["free"].as_u64()).sum();
    assert!(
        table.contains(&format!(
            "Общо {} услуги: {places} места, {taken} заети, {free} свободни; пълни: 1",
            rows.len()
        )),
        "{table}"
    );
    let english = ok_out(&["report", "register", "--db", &db, "--lang", "en"]);
    assert!(
        english
            .lines()
            .any(|l| l.starts_with("Защитено жилище") && l.ends_with(" full")),
        "{english}"
    );

    // CSV with its header in the chosen language, a row per service.
    let (header, body) = csv_rows(&ok_out(&[
        "report", "register", "--db", &db, "--format", "csv",
    ]));
    assert_eq!(
        header,
        [
            "номер",
            "услуга",
            "вид",
            "достъп",
            "ЕКАТТЕ",
            "населено място",
            "доставчик",
            "места",
            "заети",
            "свободни",
            "пълна"
        ]
    );
    assert_eq!(body.len(), rows.len());
    let full_rows: Vec<&Vec<String>> = body.iter().filter(|r| r[10] == "да").collect();
    assert_eq!(full_rows.len(), 1);
    assert_eq!(full_rows[0][2], "резидентна грижа");
    assert_eq!(
        (
            full_rows[0][7].as_str(),
            full_rows[0][8].as_str(),
            full_rows[0][9].as_str()
        ),
        ("6", "6", "0")
    );
    let (header, _) = csv_rows(&ok_out(&[
        "report", "register", "--db", &db, "--format", "csv", "--lang", "en",
    ]));
    assert_eq!(header[..3], ["id", "service", "type"]);

    // Filters: by type, by settlement (code or name), with free places.
    let day_care = register_json(&["--type", "day_care"]);
    assert_eq!(day_care.len(), 2);
    assert!(day_care.iter().all(|r| r["type"] == "day_care"));
    let gorno = register_json(&["--settlement", "с. Горно поле"]);
    assert_eq!(gorno, register_json(&["--settlement", "99002"]));
    assert!(!gorno.is_empty() && gorno.iter().all(|r| r["settlement"] == "99002"));
    let with_free = register_json(&["--free"]);
    assert_eq!(
        with_free.len(),
        rows.iter()
            .filter(|r| r["free"].as_u64().is_some_and(|n| n > 0))
            .count()
    );
    let narrowed = ok_out(&[
        "report",
        "register",
        "--db",
        &db,
        "--type",
        "shelter",
        "--settlement",
        "99012",
    ]);
    assert!(narrowed.contains("Няма услуги."), "{narrowed}");

    // Wrong filters: a clear message and a non-zero exit.
    let o = run(&["report", "register", "--db", &db, "--type", "hospital"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).1.contains("Непознат вид услуга „hospital“"),
        "{:?}",
        text(&o)
    );
    let o = run(&[
        "report",
        "register",
        "--db",
        &db,
        "--settlement",
        "Пловдив",
        "--lang",
        "en",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o)
            .1
            .contains("No settlement 'Пловдив' in the municipality: 99001 гр. Примерово"),
        "{:?}",
        text(&o)
    );
}

#[test]
fn report_register_through_a_running_server_is_the_same() {
    let _turn = turn();
    let local = register_json(&[]);
    let socket = demo_db().join("fo.sock");
    let mut server = common::spawn_serve(&demo_db().join("db"), &socket);
    let o = run(&[
        "report",
        "register",
        "--connect",
        socket.to_str().unwrap(),
        "--format",
        "json",
    ]);
    // SAFETY: a plain kill(2) of our own child; SIGTERM stops it cleanly.
    unsafe { libc::kill(server.id() as i32, libc::SIGTERM) };
    assert!(server.wait().unwrap().success());
    let _ = std::fs::remove_file(&socket);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    let remote: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(remote.as_array().unwrap(), &local);
}

#[test]
fn the_export_of_the_register_holds_its_new_columns() {
    let _turn = turn();
    let db = db_arg();
    let (header, services) = csv_rows(&ok_out(&["export", "service", "--db", &db]));
    assert_eq!(
        header[5..],
        [
            "name",
            "activity",
            "access",
            "target_group",
            "provider",
            "settlement",
            "address",
            "capacity",
            "funding",
            "project",
            "referred_by",
            "valid_from",
            "valid_to"
        ]
    );
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let home_care = services
        .iter()
        .find(|r| r[col("name")].starts_with("Интегрирани"))
        .unwrap();
    assert_eq!(home_care[col("funding")], "Project");
    assert_eq!(
        home_care[col("project")],
        "„Грижа в дома“, BG05SFPR002-2.001, ПРЧР 2021–2027"
    );
    assert_eq!(
        (
            home_care[col("valid_from")].as_str(),
            home_care[col("valid_to")].as_str()
        ),
        ("2023-02-01", "2029-12-31")
    );
    // An open-ended service: no end date, an empty cell.
    let info = services.iter().find(|r| r[col("capacity")] == "0").unwrap();
    assert_eq!(
        (
            info[col("valid_from")].as_str(),
            info[col("valid_to")].as_str()
        ),
        ("2021-01-04", "")
    );

    let (header, providers) = csv_rows(&ok_out(&["export", "provider", "--db", &db]));
    assert_eq!(
        header[5..],
        [
            "name",
            "eik",
            "kind",
            "licence",
            "settlement",
            "address",
            "phone",
            "email",
            "contact"
        ]
    );
    let by_name = |n: &str| providers.iter().find(|r| r[5].starts_with(n)).unwrap();
    assert_eq!(
        by_name("Сдружение")[8],
        r#"{"number":"Л-1234-01","date":"2022-03-15"}"#
    );
    assert_eq!(by_name("Община")[8], "");
    assert_eq!(by_name("Община")[12], "sotsialni@primerovo.bg");
    assert_eq!(by_name("Фондация")[6], "1773041800122");
    assert_eq!(by_name("„Грижа у дома“")[7], "Company");

    let (header, visits) = csv_rows(&ok_out(&["export", "visit", "--db", &db]));
    assert_eq!(
        header[5..],
        [
            "service",
            "date",
            "clerks",
            "findings",
            "rating",
            "follow_up"
        ]
    );
    assert!(
        visits.iter().any(|r| r[7] == "mpetrova; gdimitrov"),
        "{visits:?}"
    );
    assert!(
        visits.iter().any(|r| r[8].contains('\n')),
        "multi-line findings"
    );
    assert!(visits.iter().any(|r| r[10].is_empty()) && visits.iter().any(|r| r[10].len() == 10));
    let (header, campaigns) = csv_rows(&ok_out(&["export", "campaign", "--db", &db]));
    assert_eq!(
        header[5..],
        [
            "date",
            "settlement",
            "topic",
            "format",
            "participants",
            "clerk",
            "note"
        ]
    );
    assert!(campaigns.len() >= 12);
}
