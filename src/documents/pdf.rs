//! Laid-out pages into PDF bytes with krilla: the fonts subset and embedded, no creation date
//! (the same document gives the same bytes).

use super::{
    fonts::{Face, Faces},
    layout::{Page, Span, PAGE_H, PAGE_W, RULE_WIDTH},
};
use krilla::{
    geom::{PathBuilder, Point},
    metadata::Metadata,
    page::PageSettings,
    paint::Stroke,
    text::{GlyphId, KrillaGlyph},
    Document, SerializeSettings,
};

/// The glyphs of a span: one per character, so the PDF's text maps back to the characters
/// (`pdftotext` reads it), ordinary spaces widened by the span's stretch.
fn glyphs(face: &Face, s: &Span) -> Vec<KrillaGlyph> {
    s.text
        .char_indices()
        .map(|(i, c)| {
            let (gid, advance) = face.glyph(c);
            let extra = if c == ' ' { s.stretch / s.size } else { 0.0 };
            KrillaGlyph::new(
                GlyphId::new(gid),
                advance + extra,
                0.0,
                0.0,
                0.0,
                i..i + c.len_utf8(),
                None,
            )
        })
        .collect()
}

pub fn write(faces: &Faces, pages: &[Page], title: &str) -> Result<Vec<u8>, String> {
    let mut doc = Document::new_with(SerializeSettings {
        // The document information dictionary carries the title; XMP would repeat it.
        xmp_metadata: false,
        ..SerializeSettings::default()
    });
    doc.set_metadata(
        Metadata::new()
            .title(title.to_string())
            .language("bg".into())
            .creator("frontoffice".into()),
    );
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or("page size")?;
    for page in pages {
        let mut p = doc.start_page_with(settings.clone());
        let mut surface = p.surface();
        for s in &page.spans {
            let face = faces.get(s.style);
            surface.draw_glyphs(
                Point::from_xy(s.x, s.baseline),
                &glyphs(face, s),
                face.pdf.clone(),
                &s.text,
                s.size,
                false,
            );
        }
        if !page.rules.is_empty() {
            let mut pb = PathBuilder::new();
            for r in &page.rules {
                pb.move_to(r.x1, r.y1);
                pb.line_to(r.x2, r.y2);
            }
            if let Some(path) = pb.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    width: RULE_WIDTH,
                    ..Stroke::default()
                }));
                surface.draw_path(&path);
                surface.set_stroke(None);
            }
        }
        surface.finish();
        p.finish();
    }
    doc.finish().map_err(|e| format!("{e:?}"))
}
