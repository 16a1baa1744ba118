//! Templates: TOML with a `title` and a Markdown-like `body`, both with minijinja placeholders.
//! The shipped ones are compiled in; a file of the same name in the data directory's
//! `templates/` wins. Placeholders are strict: one the values lack is refused with its name
//! and its line in the file, never printed blank.

use super::{markup, values::DocValues, DocError};
use crate::domain::document::DocKind;
use minijinja::{Environment, ErrorKind, UndefinedBehavior};
use serde::Deserialize;
use std::path::Path;

/// A template as loaded: where it came from (for messages) and its texts.
#[derive(Debug, Clone)]
pub struct Template {
    /// The file name a message names ("agreement.toml" or the override's path).
    pub file: String,
    pub title: String,
    pub body: String,
    /// The lines of the file that hold the title and the body's first line (messages count
    /// in the file).
    title_line: usize,
    body_line: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateFile {
    title: toml::Spanned<String>,
    body: toml::Spanned<String>,
}

/// The template shipped with the program, as its file reads.
pub fn shipped(kind: DocKind) -> &'static str {
    match kind {
        DocKind::Agreement => include_str!("../../templates/agreement.toml"),
        DocKind::Contract => include_str!("../../templates/contract.toml"),
        DocKind::Referral => include_str!("../../templates/referral.toml"),
    }
}

/// The file name of a kind's template.
pub fn file_name(kind: DocKind) -> String {
    format!("{}.toml", kind.code())
}

/// The override in `dir` if there is one, else the shipped template.
pub fn load(kind: DocKind, dir: Option<&Path>) -> Result<Template, DocError> {
    let name = file_name(kind);
    if let Some(path) = dir.map(|d| d.join(&name)).filter(|p| p.exists()) {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(&path).map_err(|e| DocError::Io {
            path: file.clone(),
            detail: e.to_string(),
        })?;
        return parse(&file, &text);
    }
    parse(&name, shipped(kind))
}

/// Reads a template file's text.
pub fn parse(file: &str, text: &str) -> Result<Template, DocError> {
    let t: TemplateFile = toml::from_str(text).map_err(|e| DocError::TemplateFile {
        file: file.to_string(),
        // The message without its quotation of the file (it may be long).
        detail: e.message().to_string(),
        line: e.span().map(|s| line_of(text, s.start)),
    })?;
    let span = t.body.span();
    let raw = &text[span.start..span.end.min(text.len())];
    // A multi-line string drops the newline right after its opening quotes.
    let skipped = ["\"\"\"\n", "'''\n", "\"\"\"\r\n", "'''\r\n"]
        .iter()
        .any(|q| raw.starts_with(q));
    Ok(Template {
        file: file.to_string(),
        title_line: line_of(text, t.title.span().start),
        title: t.title.into_inner(),
        body: t.body.into_inner(),
        body_line: line_of(text, span.start) + usize::from(skipped),
    })
}

fn line_of(text: &str, byte: usize) -> usize {
    1 + text.as_bytes()[..byte.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
}

/// The title and body with every placeholder filled, values escaped for the markup.
pub struct Filled {
    pub title: String,
    pub body: String,
}

/// Fills the template. Errors name the placeholder and the file's line; they never quote
/// the values (which hold full identifiers).
pub fn fill(t: &Template, values: &DocValues) -> Result<Filled, DocError> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Debug mode would copy the values into every error.
    env.set_debug(false);
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()
        .map_err(|e| DocError::Template {
            file: t.file.clone(),
            line: None,
            detail: e.to_string(),
        })?;
    env.set_syntax(syntax);
    // A value can never become markup: a `|` or a leading `#` in a name stays text.
    env.set_formatter(|out, _state, value| {
        let text = value.to_string();
        out.write_str(&markup::escape(&text))
            .map_err(minijinja::Error::from)
    });
    let ctx = values.to_value();
    let title = env
        .render_named_str("title", &t.title, ctx.clone())
        .map_err(|e| explain(t, &e, &t.title, t.title_line, values))?;
    let body = env
        .render_named_str("body", &t.body, ctx)
        .map_err(|e| explain(t, &e, &t.body, t.body_line, values))?;
    Ok(Filled {
        title: markup::unescape(&title),
        body,
    })
}

/// Our message for minijinja's error, from its kind, detail and line only: its alternate
/// format would print the template's values, full identifiers included.
fn explain(
    t: &Template,
    e: &minijinja::Error,
    source: &str,
    first_line: usize,
    values: &DocValues,
) -> DocError {
    let line = e.line().map(|l| first_line + l - 1);
    let detail = e.detail().unwrap_or_default();
    if e.kind() == ErrorKind::UndefinedError {
        // The failing expression as the template writes it ("user.egn", or "if user.x > 2"),
        // and in it the name the values lack.
        let expr = e
            .range()
            .and_then(|r| source.get(r))
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or("?");
        let name = missing_name(expr, values).unwrap_or_else(|| expr.to_string());
        return DocError::Missing {
            file: t.file.clone(),
            line,
            name,
        };
    }
    DocError::Template {
        file: t.file.clone(),
        line,
        detail: if detail.is_empty() {
            e.kind().to_string()
        } else {
            format!("{}: {detail}", e.kind())
        },
    }
}

/// The first dotted name in `expr` that the values do not have.
fn missing_name(expr: &str, values: &DocValues) -> Option<String> {
    const WORDS: [&str; 13] = [
        "if",
        "elif",
        "not",
        "and",
        "or",
        "is",
        "in",
        "defined",
        "undefined",
        "true",
        "false",
        "none",
        "for",
    ];
    let mut names = Vec::new();
    let mut current = String::new();
    let mut quoted = None;
    for c in expr.chars().chain([' ']) {
        match quoted {
            Some(q) if c == q => quoted = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quoted = Some(c),
            None if c.is_alphanumeric() || c == '_' || (c == '.' && !current.is_empty()) => {
                current.push(c)
            }
            None => {
                if !current.is_empty() {
                    names.push(std::mem::take(&mut current));
                }
            }
        }
    }
    names
        .into_iter()
        .map(|n| n.trim_end_matches('.').to_string())
        .filter(|n| n.starts_with(|c: char| c.is_alphabetic() || c == '_'))
        .filter(|n| !WORDS.contains(&n.as_str()))
        .find(|n| values.get(n).is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> DocValues {
        let mut user = DocValues::default();
        user.text("name", "Мария | Петрова").flag("female", true);
        let mut v = DocValues::default();
        v.group("user", user);
        v
    }

    #[test]
    fn every_shipped_template_parses() {
        for kind in DocKind::ALL {
            let t = parse(&file_name(kind), shipped(kind)).unwrap();
            assert!(!t.body.is_empty() && !t.title.is_empty());
        }
    }

    #[test]
    fn a_missing_placeholder_is_named_with_its_line_in_the_file() {
        let text =
            "title = \"Т\"\nbody = \"\"\"\n# Заглавие\n\n{{ user.name }}\n{{ user.egn }}\n\"\"\"\n";
        let t = parse("x.toml", text).unwrap();
        match fill(&t, &values()) {
            Err(DocError::Missing { name, line, file }) => {
                assert_eq!(
                    (name.as_str(), line, file.as_str()),
                    ("user.egn", Some(6), "x.toml")
                )
            }
            Err(e) => panic!("{e:?}"),
            Ok(_) => panic!("filled"),
        }
    }

    #[test]
    fn a_missing_value_in_a_condition_or_the_title_is_named_too() {
        let text = "title = \"{{ user.number }}\"\nbody = \"\"\"\nред\n{% if user.height > 2 %}висок{% endif %}\n\"\"\"\n";
        let mut t = parse("x.toml", text).unwrap();
        match fill(&t, &values()) {
            Err(DocError::Missing { name, line, .. }) => {
                assert_eq!((name.as_str(), line), ("user.number", Some(1)))
            }
            other => panic!("{:?}", other.err()),
        }
        t.title = "Т".into();
        match fill(&t, &values()) {
            Err(DocError::Missing { name, line, .. }) => {
                assert_eq!((name.as_str(), line), ("user.height", Some(4)))
            }
            other => panic!("{:?}", other.err()),
        }
    }

    #[test]
    fn conditions_give_the_gender_and_values_are_escaped() {
        let text = "title = \"{{ user.name }}\"\nbody = '''\n{% if user.female %}\nнаричана\n{% else %}\nнаричан\n{% endif %}\n| {{ user.name }} |\n'''\n";
        let t = parse("x.toml", text).unwrap();
        let f = fill(&t, &values()).unwrap();
        assert_eq!(f.body, "наричана\n| Мария \\| Петрова |\n");
        assert_eq!(f.title, "Мария | Петрова");
    }

    #[test]
    fn a_syntax_error_names_the_line() {
        let text = "title = \"Т\"\nbody = \"\"\"\nред\n{% if %}\n\"\"\"\n";
        let t = parse("x.toml", text).unwrap();
        match fill(&t, &values()) {
            Err(DocError::Template { line, .. }) => assert_eq!(line, Some(4)),
            other => panic!("{:?}", other.err()),
        }
    }
}
