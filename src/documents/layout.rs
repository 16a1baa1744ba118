//! A4 pages from blocks: our own line breaking (at ordinary spaces only, so a no-break space
//! holds „№ 2026-0142“ together), tables whose rows never split across pages, and a signature
//! block that moves whole to the next page rather than part.

use super::{
    fonts::{Face, Faces, Style},
    markup::{Block, Party},
};

pub const PAGE_W: f32 = 595.28;
pub const PAGE_H: f32 = 841.89;
const LEFT: f32 = 70.0;
const RIGHT: f32 = 57.0;
const TOP: f32 = 57.0;
const BOTTOM: f32 = 64.0;
const WIDTH: f32 = PAGE_W - LEFT - RIGHT;
const HEIGHT: f32 = PAGE_H - TOP - BOTTOM;

const BODY: f32 = 10.5;
const H1: f32 = 14.0;
const H2: f32 = 11.5;
const CELL: f32 = 10.0;
const FOOTER: f32 = 8.5;
const LEADING: f32 = 1.3;
const PARA_GAP: f32 = 6.0;
const CELL_PAD_X: f32 = 4.0;
const CELL_PAD_Y: f32 = 3.0;
/// Room to sign above each party's line.
const SIGN_ROOM: f32 = 30.0;
const SIGN_GAP: f32 = 18.0;
pub const RULE_WIDTH: f32 = 0.5;

/// Text on one line, at its baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub x: f32,
    pub baseline: f32,
    pub size: f32,
    pub style: Style,
    pub text: String,
    /// Extra points after each ordinary space (justified lines).
    pub stretch: f32,
}

/// A straight line (table borders, the lines to sign on).
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub x1: f32,
    pub y1: f32,
    pub x2: f32,
    pub y2: f32,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Page {
    pub spans: Vec<Span>,
    pub rules: Vec<Rule>,
}

/// What is placed whole on one page: a heading, a line of a paragraph, a table row, the
/// signature block. Coordinates are relative to its top.
#[derive(Default)]
struct Unit {
    height: f32,
    space_before: f32,
    /// A heading stays with what follows it.
    keep_with_next: bool,
    spans: Vec<Span>,
    rules: Vec<Rule>,
}

fn line_height(size: f32) -> f32 {
    size * LEADING
}

/// The baseline's distance from the top of a line box.
fn baseline(face: &Face, size: f32) -> f32 {
    (line_height(size) - size * (face.ascent + face.descent)) / 2.0 + size * face.ascent
}

/// A line of wrapped text, and whether it ends its paragraph or a forced break (such lines
/// are not justified).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub text: String,
    pub last: bool,
}

/// Breaks `text` into lines no wider than `width`: at ordinary spaces only (never at a
/// no-break space), and at `\n`. A word wider than the line is cut between characters.
pub fn wrap(face: &Face, text: &str, size: f32, width: f32) -> Vec<Line> {
    let space = face.width(" ", size);
    let mut lines = Vec::new();
    for segment in text.split('\n') {
        let mut line = String::new();
        let mut used = 0.0;
        // Split on ' ' only: `split_whitespace` would also split at U+00A0.
        for word in segment.split(' ').filter(|w| !w.is_empty()) {
            let w = face.width(word, size);
            if !line.is_empty() && used + space + w <= width {
                line.push(' ');
                line.push_str(word);
                used += space + w;
                continue;
            }
            if !line.is_empty() {
                lines.push(Line {
                    text: std::mem::take(&mut line),
                    last: false,
                });
            }
            if w <= width {
                line.push_str(word);
                used = w;
                continue;
            }
            // Too long for any line: cut it where it fills one.
            used = 0.0;
            for c in word.chars() {
                let cw = face.glyph(c).1 * size;
                if !line.is_empty() && used + cw > width {
                    lines.push(Line {
                        text: std::mem::take(&mut line),
                        last: false,
                    });
                    used = 0.0;
                }
                line.push(c);
                used += cw;
            }
        }
        lines.push(Line {
            text: line,
            last: true,
        });
    }
    lines
}

/// Lines as spans from `top`, left-aligned at `x` (or centred in `width`).
fn place_lines(
    face: &Face,
    style: Style,
    size: f32,
    lines: &[Line],
    x: f32,
    top: f32,
    centre_in: Option<f32>,
) -> Vec<Span> {
    let lh = line_height(size);
    lines
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.text.is_empty())
        .map(|(i, l)| Span {
            x: match centre_in {
                Some(w) => x + ((w - face.width(&l.text, size)) / 2.0).max(0.0),
                None => x,
            },
            baseline: top + i as f32 * lh + baseline(face, size),
            size,
            style,
            text: l.text.clone(),
            stretch: 0.0,
        })
        .collect()
}

fn heading(faces: &Faces, level: u8, text: &str) -> Unit {
    let (size, centred, before) = if level <= 1 {
        (H1, true, 14.0)
    } else {
        (H2, false, 10.0)
    };
    let face = faces.get(Style::Bold);
    let lines = wrap(face, text, size, WIDTH);
    Unit {
        height: lines.len() as f32 * line_height(size),
        space_before: before,
        keep_with_next: true,
        spans: place_lines(
            face,
            Style::Bold,
            size,
            &lines,
            LEFT,
            0.0,
            centred.then_some(WIDTH),
        ),
        rules: Vec::new(),
    }
}

/// One unit per line, justified but for the last line and forced breaks.
fn paragraph(faces: &Faces, text: &str, out: &mut Vec<Unit>) {
    let face = faces.get(Style::Regular);
    let lh = line_height(BODY);
    for (i, line) in wrap(face, text, BODY, WIDTH).into_iter().enumerate() {
        let spaces = line.text.matches(' ').count();
        let slack = WIDTH - face.width(&line.text, BODY);
        let stretch = if line.last || spaces == 0 {
            0.0
        } else {
            slack / spaces as f32
        };
        let mut spans = place_lines(
            face,
            Style::Regular,
            BODY,
            std::slice::from_ref(&line),
            LEFT,
            0.0,
            None,
        );
        // A line with very little on it reads better ragged than stretched.
        if stretch < BODY {
            spans.iter_mut().for_each(|s| s.stretch = stretch);
        }
        out.push(Unit {
            height: lh,
            space_before: if i == 0 { PARA_GAP } else { 0.0 },
            spans,
            ..Unit::default()
        });
    }
}

/// Column widths: a column whose natural width fits its fair share of the room gets it (labels
/// stay on one line); the others share what is left, each at least its longest word, the
/// rest by how much more each would like.
fn column_widths(face: &Face, rows: &[Vec<String>]) -> Vec<f32> {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let pad = 2.0 * CELL_PAD_X;
    let mut natural = vec![pad; cols];
    let mut least = vec![pad; cols];
    for row in rows {
        for (c, cell) in row.iter().enumerate() {
            for seg in cell.split('\n') {
                natural[c] = natural[c].max(face.width(seg, CELL) + pad);
                for word in seg.split(' ') {
                    least[c] = least[c].max(face.width(word, CELL) + pad);
                }
            }
        }
    }
    let total: f32 = natural.iter().sum();
    if total <= WIDTH {
        // Spread the spare room evenly over the columns: tables span the page.
        let extra = (WIDTH - total) / cols.max(1) as f32;
        return natural.iter().map(|n| n + extra).collect();
    }
    let mut fixed: Vec<Option<f32>> = vec![None; cols];
    let mut room = WIDTH;
    loop {
        let open = fixed.iter().filter(|f| f.is_none()).count();
        let share = room / open.max(1) as f32;
        let fits: Vec<usize> = (0..cols)
            .filter(|&c| fixed[c].is_none() && natural[c] <= share)
            .collect();
        if fits.is_empty() || fits.len() == open {
            break;
        }
        for c in fits {
            fixed[c] = Some(natural[c]);
            room -= natural[c];
        }
    }
    let open: Vec<usize> = (0..cols).filter(|&c| fixed[c].is_none()).collect();
    let least_total: f32 = open.iter().map(|&c| least[c]).sum();
    let want: f32 = open.iter().map(|&c| natural[c] - least[c]).sum();
    (0..cols)
        .map(|c| match fixed[c] {
            Some(w) => w,
            None if least_total >= room => least[c] * room / least_total,
            None => {
                least[c] + (natural[c] - least[c]) / want.max(f32::EPSILON) * (room - least_total)
            }
        })
        .collect()
}

/// A table: one unit per row. A row taller than a page (a very long cell) is the one case
/// that is cut, at the same line in every cell.
fn table(faces: &Faces, rows: &[Vec<String>], out: &mut Vec<Unit>) {
    let face = faces.get(Style::Regular);
    let widths = column_widths(face, rows);
    let lh = line_height(CELL);
    let fit = (((HEIGHT - 2.0 * CELL_PAD_Y) / lh).floor() as usize).max(1);
    let mut first = true;
    for row in rows {
        let cells: Vec<Vec<Line>> = widths
            .iter()
            .enumerate()
            .map(|(c, w)| {
                let text = row.get(c).map(String::as_str).unwrap_or("");
                wrap(face, text, CELL, w - 2.0 * CELL_PAD_X)
            })
            .collect();
        let tallest = cells.iter().map(Vec::len).max().unwrap_or(1);
        for start in (0..tallest).step_by(fit) {
            let end = (start + fit).min(tallest);
            let height = (end - start) as f32 * lh + 2.0 * CELL_PAD_Y;
            let mut unit = Unit {
                height,
                space_before: if first { PARA_GAP } else { 0.0 },
                ..Unit::default()
            };
            first = false;
            let mut x = LEFT;
            for (lines, w) in cells.iter().zip(&widths) {
                let part = &lines[start.min(lines.len())..end.min(lines.len())];
                unit.spans.extend(place_lines(
                    face,
                    Style::Regular,
                    CELL,
                    part,
                    x + CELL_PAD_X,
                    CELL_PAD_Y,
                    None,
                ));
                unit.rules.push(Rule {
                    x1: x,
                    y1: 0.0,
                    x2: x,
                    y2: height,
                });
                x += w;
            }
            unit.rules.push(Rule {
                x1: x,
                y1: 0.0,
                x2: x,
                y2: height,
            });
            for y in [0.0, height] {
                unit.rules.push(Rule {
                    x1: LEFT,
                    y1: y,
                    x2: x,
                    y2: y,
                });
            }
            out.push(unit);
        }
    }
}

/// The signature block: up to three parties side by side, each with its role, room to sign,
/// the line, and the name under it. One unit, so it moves to the next page whole; only a
/// block taller than a page goes row by row.
fn signatures(faces: &Faces, parties: &[Party], out: &mut Vec<Unit>) {
    let cols = parties.len().clamp(1, 3);
    let col_w = (WIDTH + SIGN_GAP) / cols as f32;
    let box_w = col_w - SIGN_GAP;
    let regular = faces.get(Style::Regular);
    let bold = faces.get(Style::Bold);
    let lh = line_height(CELL);
    let mut rows = Vec::new();
    for chunk in parties.chunks(cols) {
        let mut row = Unit::default();
        for (i, p) in chunk.iter().enumerate() {
            let x = LEFT + i as f32 * col_w;
            let role = wrap(regular, &p.role, CELL, box_w);
            let name = wrap(bold, &p.name, CELL, box_w);
            let line_y = role.len() as f32 * lh + SIGN_ROOM;
            row.spans.extend(place_lines(
                regular,
                Style::Regular,
                CELL,
                &role,
                x,
                0.0,
                None,
            ));
            row.rules.push(Rule {
                x1: x,
                y1: line_y,
                x2: x + box_w,
                y2: line_y,
            });
            row.spans.extend(place_lines(
                bold,
                Style::Bold,
                CELL,
                &name,
                x,
                line_y + 3.0,
                None,
            ));
            row.height = row.height.max(line_y + 3.0 + name.len() as f32 * lh);
        }
        rows.push(row);
    }
    let total: f32 =
        rows.iter().map(|r| r.height).sum::<f32>() + SIGN_GAP * rows.len().saturating_sub(1) as f32;
    if total + 2.0 * PARA_GAP > HEIGHT {
        for (i, mut r) in rows.into_iter().enumerate() {
            r.space_before = if i == 0 { 4.0 * PARA_GAP } else { SIGN_GAP };
            out.push(r);
        }
        return;
    }
    let mut block = Unit {
        space_before: 4.0 * PARA_GAP,
        ..Unit::default()
    };
    for (i, r) in rows.into_iter().enumerate() {
        let top = block.height + if i == 0 { 0.0 } else { SIGN_GAP };
        block.spans.extend(r.spans.into_iter().map(|mut s| {
            s.baseline += top;
            s
        }));
        block.rules.extend(r.rules.into_iter().map(|mut l| {
            l.y1 += top;
            l.y2 += top;
            l
        }));
        block.height = top + r.height;
    }
    out.push(block);
}

fn units(faces: &Faces, blocks: &[Block]) -> Vec<Unit> {
    let mut out = Vec::new();
    for b in blocks {
        match b {
            Block::Heading { level, text } => out.push(heading(faces, *level, text)),
            Block::Paragraph(text) => paragraph(faces, text, &mut out),
            Block::Table(rows) => table(faces, rows, &mut out),
            Block::Signatures(parties) => signatures(faces, parties, &mut out),
        }
    }
    out
}

/// The pages, each with its number ("стр. 1 от 2") at the foot.
pub fn paginate(faces: &Faces, blocks: &[Block]) -> Vec<Page> {
    let units = units(faces, blocks);
    let mut pages = vec![Page::default()];
    let mut y = 0.0;
    for (i, u) in units.iter().enumerate() {
        let gap = |u: &Unit, y: f32| if y == 0.0 { 0.0 } else { u.space_before };
        let mut need = gap(u, y) + u.height;
        if u.keep_with_next {
            if let Some(next) = units.get(i + 1) {
                need += next.space_before + next.height;
            }
        }
        if y > 0.0 && y + need > HEIGHT {
            pages.push(Page::default());
            y = 0.0;
        }
        let top = TOP + y + gap(u, y);
        let page = pages.last_mut().expect("pages start with one");
        page.spans.extend(u.spans.iter().cloned().map(|mut s| {
            s.baseline += top;
            s
        }));
        page.rules.extend(u.rules.iter().cloned().map(|mut r| {
            r.y1 += top;
            r.y2 += top;
            r
        }));
        y = top - TOP + u.height;
    }
    let n = pages.len();
    let face = faces.get(Style::Regular);
    for (i, page) in pages.iter_mut().enumerate() {
        let text = format!("стр. {} от {n}", i + 1);
        page.spans.push(Span {
            x: (PAGE_W - face.width(&text, FOOTER)) / 2.0,
            baseline: PAGE_H - BOTTOM / 2.0,
            size: FOOTER,
            style: Style::Regular,
            text,
            stretch: 0.0,
        });
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::fonts::faces;

    fn texts(lines: &[Line]) -> Vec<&str> {
        lines.iter().map(|l| l.text.as_str()).collect()
    }

    #[test]
    fn a_no_break_space_never_breaks() {
        let face = &faces().unwrap().regular;
        let text = "Споразумение „№\u{a0}2026-0142“ от днес";
        let one = face.width("Споразумение „№", 10.0) + face.width(" ", 10.0) / 2.0;
        let lines = wrap(face, text, 10.0, one);
        assert!(
            lines.iter().any(|l| l.text.contains("„№\u{a0}2026-0142“")),
            "{:?}",
            texts(&lines)
        );
    }

    #[test]
    fn lines_fill_greedily_and_long_words_are_cut() {
        let face = &faces().unwrap().regular;
        let w = face.width("ааа ббб", 10.0) + 0.1;
        assert_eq!(
            texts(&wrap(face, "ааа ббб ввв\nг", 10.0, w)),
            ["ааа ббб", "ввв", "г"]
        );
        let cut = wrap(face, &"щ".repeat(50), 10.0, w);
        assert!(cut.len() > 1);
        assert!(cut
            .iter()
            .all(|l| face.width(&l.text, 10.0) <= w + f32::EPSILON));
        assert_eq!(
            cut.iter().map(|l| l.text.chars().count()).sum::<usize>(),
            50
        );
    }

    #[test]
    fn rows_and_the_signature_block_are_never_split() {
        let f = faces().unwrap();
        let mut blocks = vec![Block::Table(
            (0..60)
                .map(|i| vec![format!("ред {i}"), "текст ".repeat(12)])
                .collect(),
        )];
        blocks.push(Block::Signatures(vec![
            Party {
                role: "Потребител".into(),
                name: "Мария Петрова".into(),
            },
            Party {
                role: "Асистент".into(),
                name: "Иван Иванов".into(),
            },
        ]));
        let pages = paginate(f, &blocks);
        assert!(pages.len() >= 2);
        for p in &pages {
            // Every row's borders and text lie within the body of its page.
            for r in &p.rules {
                assert!(r.y1 >= TOP - 0.01 && r.y2 <= TOP + HEIGHT + 0.01, "{r:?}");
            }
        }
        let with = |t: &str| {
            pages
                .iter()
                .filter(|p| p.spans.iter().any(|s| s.text == t))
                .count()
        };
        assert_eq!(with("Мария Петрова"), 1);
        let last = pages.last().unwrap();
        assert!(last.spans.iter().any(|s| s.text == "Потребител"));
        assert!(last.spans.iter().any(|s| s.text == "Иван Иванов"));
    }
}
