//! DejaVu Sans, regular and bold, compiled in (see fonts/LICENSE): glyphs and advances from the
//! font's own tables (skrifa), so line breaking measures what the PDF will show.

use skrifa::{
    charmap::Charmap,
    instance::{LocationRef, Size},
    metrics::GlyphMetrics,
    FontRef, MetadataProvider,
};
use std::sync::OnceLock;

static REGULAR: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../fonts/DejaVuSans-Bold.ttf");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Regular,
    Bold,
}

/// One face: the font for the PDF and what measuring needs.
pub struct Face {
    pub pdf: krilla::text::Font,
    charmap: Charmap<'static>,
    metrics: GlyphMetrics<'static>,
    upem: f32,
    /// Above and below the baseline, in ems.
    pub ascent: f32,
    pub descent: f32,
}

impl Face {
    fn load(data: &'static [u8]) -> Option<Face> {
        let font = FontRef::new(data).ok()?;
        let m = font.metrics(Size::unscaled(), LocationRef::default());
        let upem = f32::from(m.units_per_em);
        Some(Face {
            pdf: krilla::text::Font::new(krilla::Data::from(data), 0)?,
            charmap: font.charmap(),
            metrics: font.glyph_metrics(Size::unscaled(), LocationRef::default()),
            upem,
            ascent: m.ascent / upem,
            descent: -m.descent / upem,
        })
    }

    /// The glyph of a character (0, the font's box, for one it lacks) and its advance in ems.
    pub fn glyph(&self, c: char) -> (u32, f32) {
        let gid = self.charmap.map(c).unwrap_or_default();
        let advance = self.metrics.advance_width(gid).unwrap_or_default() / self.upem;
        (gid.to_u32(), advance)
    }

    /// The width of `text` at `size` points.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.glyph(c).1).sum::<f32>() * size
    }
}

pub struct Faces {
    pub regular: Face,
    pub bold: Face,
}

impl Faces {
    pub fn get(&self, style: Style) -> &Face {
        match style {
            Style::Regular => &self.regular,
            Style::Bold => &self.bold,
        }
    }
}

/// The two faces, read once. None only if the compiled-in fonts were unreadable.
pub fn faces() -> Option<&'static Faces> {
    static FACES: OnceLock<Option<Faces>> = OnceLock::new();
    FACES
        .get_or_init(|| {
            Some(Faces {
                regular: Face::load(REGULAR)?,
                bold: Face::load(BOLD)?,
            })
        })
        .as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cyrillic_and_the_no_break_space_have_glyphs() {
        let f = faces().unwrap();
        for c in ['Ж', 'щ', '„', '“', '№', '\u{a0}', 'ѝ'] {
            let (gid, adv) = f.regular.glyph(c);
            assert!(gid != 0 && adv > 0.0, "{c}");
        }
        // The no-break space is as wide as a space: only its breaking differs.
        assert_eq!(f.regular.glyph(' ').1, f.regular.glyph('\u{a0}').1);
        assert!(f.bold.width("Договор", 10.0) > f.regular.width("Договор", 10.0));
    }
}
