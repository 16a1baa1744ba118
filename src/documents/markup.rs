//! The body's Markdown-like markup, read after the placeholders are filled:
//!
//! - `# Title`, `## Section`: headings;
//! - lines of text: a paragraph (a blank line ends it);
//! - `| cell | cell |`: a table row (rows in a row make a table; a row is never split
//!   across pages);
//! - `@signatures: Role: Name | Role: Name`: the signature block, a line to sign and the
//!   name under it for each party (kept together on one page).
//!
//! A backslash makes the next character plain text (`\|`, `\#`), and `\n` breaks a line.
//! Every filled-in value is escaped so, whatever it holds, it stays text.

use super::DocError;

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading { level: u8, text: String },
    Paragraph(String),
    Table(Vec<Vec<String>>),
    Signatures(Vec<Party>),
}

/// One party of the signature block.
#[derive(Debug, Clone, PartialEq)]
pub struct Party {
    pub role: String,
    pub name: String,
}

const SPECIAL: [char; 5] = ['\\', '|', '#', '@', ':'];

/// A value as markup text: the markup's characters escaped, a line break as `\n`.
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => {}
            '\t' => out.push(' '),
            c if SPECIAL.contains(&c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Markup text as printed: escapes resolved (`\n` becomes a line break).
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (c, c == '\\') {
            (_, true) => match chars.next() {
                Some('n') => out.push('\n'),
                Some(next) => out.push(next),
                None => out.push('\\'),
            },
            (c, false) => out.push(c),
        }
    }
    out
}

/// Splits at each `sep` not escaped by a backslash.
fn split_plain(s: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut escaped) = (0, false);
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == sep {
            parts.push(&s[start..i]);
            start = i + c.len_utf8();
        }
    }
    parts.push(&s[start..]);
    parts
}

/// The cells of a table row (`| a | b |`; the outer bars are optional at the end).
fn cells(line: &str) -> Vec<String> {
    let inner = &line[1..];
    let mut parts = split_plain(inner, '|');
    if parts.len() > 1 && parts.last().is_some_and(|p| p.trim().is_empty()) {
        parts.pop();
    }
    parts.iter().map(|p| unescape(p.trim())).collect()
}

fn parties(list: &str) -> Vec<Party> {
    split_plain(list, '|')
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let mut it = split_plain(p, ':').into_iter();
            let role = it.next().unwrap_or_default();
            let rest: Vec<&str> = it.collect();
            Party {
                role: unescape(role.trim()),
                name: unescape(rest.join(":").trim()),
            }
        })
        .collect()
}

/// The blocks of a filled body. `file` names the template in messages.
pub fn parse(body: &str, file: &str) -> Result<Vec<Block>, DocError> {
    let mut blocks = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let flush = |para: &mut Vec<&str>, blocks: &mut Vec<Block>| {
        if !para.is_empty() {
            blocks.push(Block::Paragraph(unescape(&para.join(" "))));
            para.clear();
        }
    };
    // Rows on consecutive lines make one table.
    let mut in_table = false;
    for raw in body.lines() {
        let line = raw.trim();
        let row = line.starts_with('|');
        if line.is_empty() {
            flush(&mut para, &mut blocks);
        } else if line.starts_with('#') {
            flush(&mut para, &mut blocks);
            let level = line.chars().take_while(|c| *c == '#').count();
            blocks.push(Block::Heading {
                level: level.min(2) as u8,
                text: unescape(line[level..].trim()),
            });
        } else if row {
            flush(&mut para, &mut blocks);
            match blocks.last_mut() {
                Some(Block::Table(rows)) if in_table => rows.push(cells(line)),
                _ => blocks.push(Block::Table(vec![cells(line)])),
            }
        } else if let Some(rest) = line.strip_prefix("@signatures:") {
            flush(&mut para, &mut blocks);
            blocks.push(Block::Signatures(parties(rest)));
        } else if line.starts_with('@') {
            return Err(DocError::Markup {
                file: file.to_string(),
                directive: line.split_whitespace().next().unwrap_or(line).to_string(),
            });
        } else {
            para.push(line);
        }
        in_table = row;
    }
    flush(&mut para, &mut blocks);
    Ok(blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_values_stay_text() {
        let value = "# A | B: \\ @x\nнов ред";
        let body = format!(
            "| {} | край |\n{}\n",
            escape(value),
            escape("# не заглавие")
        );
        let blocks = parse(&body, "t").unwrap();
        assert_eq!(
            blocks,
            [
                Block::Table(vec![vec![value.to_string(), "край".to_string()]]),
                Block::Paragraph("# не заглавие".into()),
            ]
        );
    }

    #[test]
    fn blocks_of_every_kind() {
        let body = "# Договор\n\nПърви ред\nвтори ред\n## Страни\n| a | b |\n|c|d\n\n| e |\n@signatures: Потребител: Мария | Асистент: Иван: младши | Доставчик\n";
        let blocks = parse(body, "t").unwrap();
        assert_eq!(
            blocks,
            [
                Block::Heading {
                    level: 1,
                    text: "Договор".into()
                },
                Block::Paragraph("Първи ред втори ред".into()),
                Block::Heading {
                    level: 2,
                    text: "Страни".into()
                },
                Block::Table(vec![
                    vec!["a".into(), "b".into()],
                    vec!["c".into(), "d".into()]
                ]),
                Block::Table(vec![vec!["e".into()]]),
                Block::Signatures(vec![
                    Party {
                        role: "Потребител".into(),
                        name: "Мария".into()
                    },
                    Party {
                        role: "Асистент".into(),
                        name: "Иван: младши".into()
                    },
                    Party {
                        role: "Доставчик".into(),
                        name: String::new()
                    },
                ]),
            ]
        );
    }

    #[test]
    fn an_unknown_directive_is_refused_by_name() {
        match parse("текст\n@podpisi: a\n", "t.toml") {
            Err(DocError::Markup { directive, .. }) => assert_eq!(directive, "@podpisi:"),
            other => panic!("{other:?}"),
        }
    }
}
