//! The two typefaces the documents use, Helvetica and Helvetica-Bold, and how wide text set
//! in them is.
//!
//! They are two of the PDF "standard 14" fonts: every PDF reader has them, so nothing is
//! embedded and nothing depends on fonts installed on the server. printpdf writes them with
//! `/WinAnsiEncoding` (Windows-1252), which covers English and Western European text plus
//! "€", "£", "•", "—" and typographic quotes. Text outside that set is brought into it by
//! [`printable`] before it is measured or drawn, so what we measure is what gets drawn.
//!
//! Widths are Adobe's published metrics for these fonts (Helvetica.afm and
//! Helvetica-Bold.afm, in 1/1000 em). The PDF does not carry widths for standard fonts, so
//! readers lay text out with exactly these numbers; measuring with them is what makes
//! right-aligned amounts line up.

use printpdf::BuiltinFont;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Face {
    Regular,
    Bold,
}

impl Face {
    pub(super) fn builtin(self) -> BuiltinFont {
        match self {
            Face::Regular => BuiltinFont::Helvetica,
            Face::Bold => BuiltinFont::HelveticaBold,
        }
    }

    /// Width of `text` at `size` points, in points. `text` must already be [`printable`].
    pub(super) fn text_width(self, text: &str, size: f32) -> f32 {
        let units: u32 = text.chars().map(|c| u32::from(self.char_width(c))).sum();
        units as f32 * size / 1000.0
    }

    /// Advance width of one WinAnsi character in 1/1000 em.
    fn char_width(self, c: char) -> u16 {
        let (ascii, latin1, typographic) = match self {
            Face::Regular => (&REGULAR_ASCII, &REGULAR_LATIN1, &REGULAR_TYPOGRAPHIC),
            Face::Bold => (&BOLD_ASCII, &BOLD_LATIN1, &BOLD_TYPOGRAPHIC),
        };
        match c as u32 {
            cp @ 0x20..=0x7E => ascii[(cp - 0x20) as usize],
            cp @ 0xA0..=0xFF => latin1[(cp - 0xA0) as usize],
            _ => TYPOGRAPHIC_CHARS
                .chars()
                .position(|t| t == c)
                .map(|i| typographic[i])
                // Not drawable; `printable` has already replaced it with '?'.
                .unwrap_or(ascii[usize::from(b'?' - 0x20)]),
        }
    }
}

/// `text` as it will be drawn: every character the fonts can show, others approximated.
///
/// Latin letters with diacritics that Windows-1252 lacks (ł, ő, č, ş…, common in
/// European names and street addresses) lose the diacritic rather than becoming "?", so
/// "Dvořák" still reads "Dvorák". Tabs and other whitespace become spaces; control
/// characters are dropped. Scripts the fonts cannot show at all (Cyrillic, CJK…) become "?".
pub(super) fn printable(text: &str) -> String {
    text.chars()
        .filter_map(|c| {
            if is_win_ansi(c) {
                Some(c)
            } else if let Some(base) = latin_extended_a_base(c) {
                Some(base)
            } else if c.is_whitespace() {
                Some(' ')
            } else if c.is_control() {
                None
            } else {
                Some(match c {
                    '\u{2010}' | '\u{2011}' | '\u{2212}' => '-',
                    '\u{2032}' => '\'',
                    '\u{2033}' => '"',
                    _ => '?',
                })
            }
        })
        .collect()
}

fn is_win_ansi(c: char) -> bool {
    matches!(c as u32, 0x20..=0x7E | 0xA0..=0xFF) || TYPOGRAPHIC_CHARS.contains(c)
}

/// The letter without its diacritic for U+0100..=U+017F (Latin Extended-A).
fn latin_extended_a_base(c: char) -> Option<char> {
    // One base letter per code point, in code point order. Œ œ Š š Ÿ Ž ž are in this range
    // too but never get here: Windows-1252 has them.
    const BASES: &str = concat!(
        "AaAaAaCcCcCcCcDd", // U+0100
        "DdEeEeEeEeEeGgGg", // U+0110
        "GgGgHhHhIiIiIiIi", // U+0120
        "IiIiJjKkkLlLlLlL", // U+0130
        "lLlNnNnNnnNnOoOo", // U+0140
        "OoOoRrRrRrSsSsSs", // U+0150
        "SsTtTtTtUuUuUuUu", // U+0160
        "UuUuWwYyYZzZzZzs", // U+0170
    );
    let offset = (c as u32).checked_sub(0x100)?;
    BASES.chars().nth(usize::try_from(offset).ok()?)
}

/// The characters Windows-1252 puts at 0x80..=0x9F, where Latin-1 has control codes.
const TYPOGRAPHIC_CHARS: &str = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ";

// Helvetica, U+0020..=U+007E.
const REGULAR_ASCII: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space../
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0..?
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @..O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P.._
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // `..o
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p..~
];

// Helvetica, U+00A0..=U+00FF.
const REGULAR_LATIN1: [u16; 96] = [
    278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333, //
    400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611, //
    667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, //
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, //
    556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278, //
    556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500, //
];

// Helvetica, in the order of TYPOGRAPHIC_CHARS.
const REGULAR_TYPOGRAPHIC: [u16; 27] = [
    556, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 611, 222, 222, 333, 333, 350, 556, 1000, 333, 1000,
    500, 333, 944, 500, 667,
];

// Helvetica-Bold, U+0020..=U+007E.
const BOLD_ASCII: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, // space../
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, // 0..?
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, // @..O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, // P.._
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, // `..o
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, // p..~
];

// Helvetica-Bold, U+00A0..=U+00FF.
const BOLD_LATIN1: [u16; 96] = [
    278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333, //
    400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611, //
    722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, //
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, //
    556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278, //
    611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556, //
];

// Helvetica-Bold, in the order of TYPOGRAPHIC_CHARS.
const BOLD_TYPOGRAPHIC: [u16; 27] = [
    556, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 611, 278, 278, 500, 500, 350, 556, 1000, 333, 1000,
    556, 333, 944, 500, 667,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_tables_cover_every_typographic_character() {
        assert_eq!(TYPOGRAPHIC_CHARS.chars().count(), REGULAR_TYPOGRAPHIC.len());
        assert_eq!(TYPOGRAPHIC_CHARS.chars().count(), BOLD_TYPOGRAPHIC.len());
    }

    #[test]
    fn pdf_text_width_follows_the_font_metrics() {
        // "Total" in Helvetica: T 611 + o 556 + t 278 + a 556 + l 222 = 2223 units.
        assert!((Face::Regular.text_width("Total", 10.0) - 22.23).abs() < 0.001);
        // Bold is wider, and digits are tabular (equal width) in both faces.
        assert!(Face::Bold.text_width("Total", 10.0) > Face::Regular.text_width("Total", 10.0));
        assert_eq!(Face::Regular.text_width("1111", 10.0), Face::Regular.text_width("9999", 10.0));
        assert_eq!(Face::Regular.text_width("€", 10.0), 5.56);
        assert_eq!(Face::Regular.text_width("—", 10.0), 10.0);
    }

    #[test]
    fn pdf_printable_keeps_win_ansi_text_unchanged() {
        let text = "Friedrichstraße 68 — €1,234.00 • £5 • R$10 • ¥1,200 “quoted” Ærøskøbing";
        assert_eq!(printable(text), text);
    }

    #[test]
    fn pdf_printable_approximates_what_the_fonts_cannot_show() {
        assert_eq!(printable("Dvořák, Łódź, Şişli"), "Dvorák, Lódz, Sisli");
        assert_eq!(printable("a\tb\nc\u{7}d"), "a b cd");
        assert_eq!(printable("−5 Москва"), "-5 ??????");
        assert_eq!(latin_extended_a_base('\u{17F}'), Some('s'));
        assert_eq!(latin_extended_a_base('\u{180}'), None);
    }
}
