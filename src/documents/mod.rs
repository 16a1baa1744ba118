//! The documents to sign (agreement, employment contract, referral) as A4 PDFs.
//!
//! The service hands out a document's records (an audited read: they carry full ЕГН);
//! `values` turns them into named values; a template (`templates/*.toml`, or the file of the
//! same name in the data directory's `templates/`) is filled in strict mode; `markup` reads
//! the filled body, `layout` breaks it into pages and `pdf` writes them with the bundled
//! DejaVu Sans. Rendering is pure: template + values give the same bytes every time.

pub mod fonts;
mod layout;
pub mod markup;
mod output;
mod pdf;
pub mod template;
pub mod values;

pub use output::{
    data_dir, documents_dir, file_name, print, private_documents_dir, save, templates_dir, Printed,
};
pub use template::Template;
pub use values::{DocValues, Field, Group};

use crate::domain::{document::DocKind, Explain, Lang};
use crate::service::{Api, ApiExt, ServiceError};
use chrono::NaiveDate;
use std::path::{Path, PathBuf};

/// Why a document was not written. Messages name templates, lines and placeholders, never
/// the values (which hold full identifiers).
#[derive(Debug, Clone, PartialEq)]
pub enum DocError {
    /// The template file is not valid TOML or lacks `title` or `body`.
    TemplateFile {
        file: String,
        line: Option<usize>,
        detail: String,
    },
    /// The template's placeholders do not parse or run.
    Template {
        file: String,
        line: Option<usize>,
        detail: String,
    },
    /// A placeholder names a value the record does not have.
    Missing {
        file: String,
        line: Option<usize>,
        name: String,
    },
    /// A line starts with `@` but is no directive the markup knows.
    Markup {
        file: String,
        directive: String,
    },
    Pdf(String),
    Io {
        path: String,
        detail: String,
    },
    Service(ServiceError),
}

impl Explain for DocError {
    fn explain(&self, lang: Lang) -> String {
        let at = |file: &str, line: &Option<usize>| match (line, lang) {
            (Some(l), Lang::Bg) => format!("{file}, ред {l}"),
            (Some(l), Lang::En) => format!("{file}, line {l}"),
            (None, _) => file.to_string(),
        };
        match (self, lang) {
            (DocError::TemplateFile { file, line, detail }, Lang::Bg) => {
                format!("Шаблонът {} не се чете: {detail}", at(file, line))
            }
            (DocError::TemplateFile { file, line, detail }, Lang::En) => {
                format!("The template {} cannot be read: {detail}", at(file, line))
            }
            (DocError::Template { file, line, detail }, Lang::Bg) => {
                format!("Грешка в шаблона {}: {detail}", at(file, line))
            }
            (DocError::Template { file, line, detail }, Lang::En) => {
                format!("Error in the template {}: {detail}", at(file, line))
            }
            (DocError::Missing { file, line, name }, Lang::Bg) => format!(
                "Шаблонът {} иска „{name}“, а записът няма такава стойност. Попълнете я в \
                 записа или я оградете в шаблона с {{% if {name} is defined %}}.",
                at(file, line)
            ),
            (DocError::Missing { file, line, name }, Lang::En) => format!(
                "The template {} asks for '{name}', which the record does not have. Fill it in \
                 the record, or guard it in the template with {{% if {name} is defined %}}.",
                at(file, line)
            ),
            (DocError::Markup { file, directive }, Lang::Bg) => format!(
                "Шаблонът {file} съдържа непознатата команда {directive} (позната е \
                 @signatures:; за знак @ в началото на реда пишете \\@)."
            ),
            (DocError::Markup { file, directive }, Lang::En) => format!(
                "The template {file} holds the unknown directive {directive} (@signatures: is \
                 known; write \\@ for an @ at the start of a line)."
            ),
            (DocError::Pdf(m), Lang::Bg) => format!("PDF файлът не може да се състави: {m}"),
            (DocError::Pdf(m), Lang::En) => format!("The PDF cannot be made: {m}"),
            (DocError::Io { path, detail }, Lang::Bg) => format!("{path}: {detail}"),
            (DocError::Io { path, detail }, Lang::En) => format!("{path}: {detail}"),
            (DocError::Service(e), _) => e.explain(lang),
        }
    }
}

/// Template + values: the PDF's bytes.
pub fn render(template: &Template, values: &DocValues) -> Result<Vec<u8>, DocError> {
    let filled = template::fill(template, values)?;
    let blocks = markup::parse(&filled.body, &template.file)?;
    let faces = fonts::faces().ok_or_else(|| DocError::Pdf("DejaVu Sans".into()))?;
    let pages = layout::paginate(faces, &blocks);
    pdf::write(faces, &pages, &filled.title).map_err(DocError::Pdf)
}

/// A document made from the records: what names it and its bytes.
pub struct Made {
    pub kind: DocKind,
    /// The agreement's or contract's number, the referral's id.
    pub number: String,
    pub bytes: Vec<u8>,
}

impl Made {
    pub fn file_name(&self) -> String {
        file_name(self.kind, &self.number)
    }
}

/// Reads the records of `kind` `id` through the service (an audited read) and renders them
/// with the data directory's template, if it has one, else the shipped one. `today` is the
/// date the document bears.
pub fn make(
    api: &dyn Api,
    kind: DocKind,
    id: u64,
    data_dir: &Path,
    today: NaiveDate,
) -> Result<Made, DocError> {
    // A template that does not even parse is refused before any record leaves the service.
    let template = template::load(kind, Some(&templates_dir(data_dir)))?;
    let records = api.document(kind, id).map_err(DocError::Service)?;
    let settings = api.settings().map_err(DocError::Service)?.settings;
    let values = values::build(&records, &settings, today);
    Ok(Made {
        kind,
        number: values::number(&records),
        bytes: render(&template, &values)?,
    })
}

/// Writes the document into `<data dir>/documents/<kind>-<number>.pdf` and returns the path
/// (the console's key on a record).
pub fn write_into_data_dir(
    api: &dyn Api,
    kind: DocKind,
    id: u64,
    data_dir: &Path,
    today: NaiveDate,
) -> Result<PathBuf, DocError> {
    let made = make(api, kind, id, data_dir, today)?;
    let path = private_documents_dir(data_dir)?.join(made.file_name());
    save(&made.bytes, &path)?;
    Ok(path)
}
