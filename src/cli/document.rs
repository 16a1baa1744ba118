//! `document agreement|contract|referral ID [--out FILE] [--print]` and
//! `document agreement --all-new [--out DIR]`: the documents to sign as PDF files.

use super::Failure;
use crate::documents::{self, DocError, Printed};
use crate::domain::{
    assistance::AgreementStatus, document::DocKind, record::Body, record::Kind, Explain, Lang,
};
use crate::service::{Api, ApiExt};
use std::path::{Path, PathBuf};

pub struct Args {
    pub kind: String,
    pub id: Option<u64>,
    pub all_new: bool,
    pub out: Option<PathBuf>,
    pub print: bool,
}

fn fail(e: DocError, lang: Lang) -> Failure {
    Failure(e.explain(lang))
}

/// Checks the arguments before anything is opened.
pub fn check(a: &Args, lang: Lang) -> Result<DocKind, Failure> {
    let kind = DocKind::parse(&a.kind).ok_or_else(|| {
        Failure(match lang {
            Lang::Bg => format!(
                "Непознат документ „{}“: agreement, contract или referral.",
                a.kind
            ),
            Lang::En => format!(
                "Unknown document '{}': agreement, contract or referral.",
                a.kind
            ),
        })
    })?;
    match (a.id, a.all_new) {
        (Some(_), true) => Err(Failure(
            lang.pick(
                "Посочете номер на запис или --all-new, не двете.",
                "Name a record id or --all-new, not both.",
            )
            .into(),
        )),
        (None, false) => Err(Failure(
            lang.pick(
                "Посочете номер на запис (или --all-new за всички неподписани споразумения).",
                "Name a record id (or --all-new for every agreement not yet signed).",
            )
            .into(),
        )),
        (None, true) if kind != DocKind::Agreement => Err(Failure(
            lang.pick(
                "--all-new важи само за споразумения: frontoffice document agreement --all-new",
                "--all-new is for agreements only: frontoffice document agreement --all-new",
            )
            .into(),
        )),
        _ => Ok(kind),
    }
}

pub fn run(s: &dyn Api, kind: DocKind, a: &Args, db: &Path, lang: Lang) -> Result<(), Failure> {
    let data = documents::data_dir(db);
    let today = crate::service::sofia_now().date();
    let written = match a.id {
        Some(id) => {
            let made = documents::make(s, kind, id, &data, today).map_err(|e| fail(e, lang))?;
            let path = match &a.out {
                Some(p) => p.clone(),
                None => documents::private_documents_dir(&data)
                    .map_err(|e| fail(e, lang))?
                    .join(made.file_name()),
            };
            documents::save(&made.bytes, &path).map_err(|e| fail(e, lang))?;
            println!(
                "{}",
                match lang {
                    Lang::Bg => format!("Записан: {}", path.display()),
                    Lang::En => format!("Written: {}", path.display()),
                }
            );
            vec![path]
        }
        None => all_new(s, a.out.as_deref(), &data, today, lang)?,
    };
    if a.print {
        for path in &written {
            print(path, lang)?;
        }
    }
    Ok(())
}

/// Every agreement still a draft (not signed) into `out` (or the data directory's
/// documents/), listed one per line.
fn all_new(
    s: &dyn Api,
    out: Option<&Path>,
    data: &Path,
    today: chrono::NaiveDate,
    lang: Lang,
) -> Result<Vec<PathBuf>, Failure> {
    let dir = match out {
        Some(d) => d.to_path_buf(),
        None => documents::private_documents_dir(data).map_err(|e| fail(e, lang))?,
    };
    let mut drafts = Vec::new();
    let mut after = None;
    loop {
        let page = s
            .list(Kind::Agreement, after, 200)
            .map_err(|e| Failure(e.explain(lang)))?;
        let Some(last) = page.last() else { break };
        after = Some(last.id());
        drafts.extend(page.into_iter().filter_map(|r| match &r.body {
            Body::Agreement(a) if a.status == AgreementStatus::Draft => Some(r.id()),
            _ => None,
        }));
    }
    let mut written = Vec::new();
    for id in drafts {
        let made =
            documents::make(s, DocKind::Agreement, id, data, today).map_err(|e| fail(e, lang))?;
        let path = dir.join(made.file_name());
        documents::save(&made.bytes, &path).map_err(|e| fail(e, lang))?;
        println!("{}", path.display());
        written.push(path);
    }
    println!(
        "{}",
        match lang {
            Lang::Bg => format!(
                "Неподписани споразумения: {} (в {}).",
                written.len(),
                dir.display()
            ),
            Lang::En => format!(
                "Agreements not yet signed: {} (in {}).",
                written.len(),
                dir.display()
            ),
        }
    );
    Ok(written)
}

fn print(path: &Path, lang: Lang) -> Result<(), Failure> {
    match documents::print(path).map_err(|e| fail(e, lang))? {
        Printed::Sent(job) => println!(
            "{}",
            match lang {
                Lang::Bg => format!("Изпратен за печат: {} {job}", path.display()),
                Lang::En => format!("Sent to the printer: {} {job}", path.display()),
            }
        ),
        Printed::NoCups => {
            return Err(Failure(match lang {
                Lang::Bg => format!(
                    "Не е отпечатан: печатът иска CUPS (командата lp липсва). Файлът е {}.",
                    path.display()
                ),
                Lang::En => format!(
                    "Not printed: printing needs CUPS (the lp command is missing). The file is {}.",
                    path.display()
                ),
            }))
        }
    }
    Ok(())
}
