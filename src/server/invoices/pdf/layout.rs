//! Page geometry, text styles and the page writer the documents draw on.
//!
//! Positions are in points (1/72 inch) and measured **from the top of the page**, the way
//! one reads a page; [`Pages`] flips them into PDF's bottom-up coordinates. A document is
//! drawn top to bottom with a cursor (`Pages::y`); blocks ask for the height they need and
//! get a fresh page when it is not there, so pagination lives in one place.

use crate::server::invoices::pdf::PdfError;
use crate::server::invoices::pdf::fonts::{Face, printable};
use printpdf::{
    Color, Line, LinePoint, Op, PaintMode, PdfDocument, PdfFontHandle, PdfPage, PdfParseErrorSeverity, PdfSaveOptions,
    Point, Pt, Rect, Rgb, TextItem,
};

/// ISO A4.
pub(super) const PAGE_WIDTH: f32 = 595.28;
pub(super) const PAGE_HEIGHT: f32 = 841.89;

/// Left and right edges of the text column (≈ 18 mm margins).
pub(super) const LEFT: f32 = 50.0;
pub(super) const RIGHT: f32 = PAGE_WIDTH - 50.0;
pub(super) const CONTENT_WIDTH: f32 = RIGHT - LEFT;

const TOP: f32 = 50.0;
/// The footer's rule; content stops a little above it.
const FOOTER_RULE: f32 = PAGE_HEIGHT - 42.0;
/// Where content must end, measured from the top.
pub(super) const CONTENT_BOTTOM: f32 = FOOTER_RULE - 14.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Colour(f32, f32, f32);

/// Near-black for text: softer than pure black on screen, identical in print.
pub(super) const INK: Colour = Colour(0.11, 0.13, 0.16);
/// Labels, captions, secondary lines.
pub(super) const MUTED: Colour = Colour(0.42, 0.45, 0.50);
/// Document title and emphasis: the one colour on the page.
pub(super) const ACCENT: Colour = Colour(0.10, 0.27, 0.50);
/// Hairlines between rows.
pub(super) const RULE: Colour = Colour(0.84, 0.86, 0.89);
/// Background of the table header and the amount box.
pub(super) const BAND: Colour = Colour(0.95, 0.96, 0.97);

impl Colour {
    fn pdf(self) -> Color {
        Color::Rgb(Rgb { r: self.0, g: self.1, b: self.2, icc_profile: None })
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct TextStyle {
    pub face: Face,
    pub size: f32,
    pub colour: Colour,
}

impl TextStyle {
    pub(super) const fn new(face: Face, size: f32, colour: Colour) -> Self {
        TextStyle { face, size, colour }
    }

    pub(super) fn width(self, text: &str) -> f32 {
        self.face.text_width(&printable(text), self.size)
    }

    /// Distance between baselines of consecutive lines in this style.
    pub(super) fn leading(self) -> f32 {
        (self.size * 1.3).round()
    }

    pub(super) const fn with_colour(self, colour: Colour) -> Self {
        TextStyle { colour, ..self }
    }
}

pub(super) const BODY: TextStyle = TextStyle::new(Face::Regular, 9.5, INK);
pub(super) const BODY_BOLD: TextStyle = TextStyle::new(Face::Bold, 9.5, INK);
pub(super) const SMALL: TextStyle = TextStyle::new(Face::Regular, 8.5, MUTED);
/// Small bold capitals above a block ("BILL TO").
pub(super) const LABEL: TextStyle = TextStyle::new(Face::Bold, 7.5, MUTED);

/// Breaks `text` into lines no wider than `max_width` in `style`.
///
/// Breaks at spaces; a word wider than the whole line (a long reference, a URL) is cut
/// where it reaches the edge. Newlines in `text` start a new line. Empty text gives one
/// empty line, so a blank cell still takes a row.
pub(super) fn wrap(text: &str, style: TextStyle, max_width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in printable(paragraph).split(' ').filter(|w| !w.is_empty()) {
            let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
            if style.face.text_width(&candidate, style.size) <= max_width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // The word alone may still be too wide: cut it into pieces that fit.
            for c in word.chars() {
                line.push(c);
                if style.face.text_width(&line, style.size) > max_width && line.chars().count() > 1 {
                    line.pop();
                    lines.push(std::mem::replace(&mut line, c.to_string()));
                }
            }
        }
        lines.push(line);
    }
    lines
}

/// `text` shortened with "…" to fit `max_width`; for single-line slots such as the footer.
pub(super) fn truncate(text: &str, style: TextStyle, max_width: f32) -> String {
    let text = printable(text);
    if style.face.text_width(&text, style.size) <= max_width {
        return text;
    }
    let mut shortened = text;
    while !shortened.is_empty() {
        shortened.pop();
        let candidate = format!("{}…", shortened.trim_end());
        if style.face.text_width(&candidate, style.size) <= max_width {
            return candidate;
        }
    }
    String::new()
}

/// Facts about the whole document, written into its metadata and footer.
pub(super) struct DocumentInfo {
    /// Title in the reader's window and the file's metadata, e.g. "Invoice INV-2026-0042".
    pub title: String,
    /// Who issued it (the vendor).
    pub author: String,
    /// Left side of every footer, e.g. "Acme Messaging · Invoice INV-2026-0042".
    pub footer: String,
    /// The document's own date (issue date, payment date), written as the PDF's creation
    /// date: a file downloaded again next month should not claim to be a new document.
    pub date: time::Date,
}

/// The pages of one document, drawn top to bottom.
pub(super) struct Pages {
    finished: Vec<Vec<Op>>,
    ops: Vec<Op>,
    /// Distance from the top of the page to where the next block starts.
    pub y: f32,
    /// Drawn at the top of every page after the first, so a loose page still says what
    /// it belongs to.
    continuation_heading: String,
}

impl Pages {
    pub(super) fn new(continuation_heading: String) -> Self {
        Pages { finished: Vec::new(), ops: Vec::new(), y: TOP, continuation_heading }
    }

    /// Vertical space left on the current page.
    pub(super) fn remaining(&self) -> f32 {
        CONTENT_BOTTOM - self.y
    }

    /// Vertical space a page offers below its continuation heading.
    pub(super) fn fresh_page_space() -> f32 {
        CONTENT_BOTTOM - Self::continuation_content_top()
    }

    fn continuation_content_top() -> f32 {
        TOP + 24.0
    }

    /// Starts a new page unless `height` fits on this one. Returns whether it did.
    pub(super) fn break_unless_fits(&mut self, height: f32) -> bool {
        if height <= self.remaining() {
            return false;
        }
        self.new_page();
        true
    }

    pub(super) fn new_page(&mut self) {
        self.finished.push(std::mem::take(&mut self.ops));
        self.y = TOP;
        let heading = self.continuation_heading.clone();
        self.text(LEFT, self.y + 8.0, SMALL, &heading);
        self.y = Self::continuation_content_top();
    }

    /// Draws one line of text with its baseline `baseline` points from the top.
    pub(super) fn text(&mut self, x: f32, baseline: f32, style: TextStyle, text: &str) {
        let text = printable(text);
        if text.is_empty() {
            return;
        }
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFont { font: PdfFontHandle::Builtin(style.face.builtin()), size: Pt(style.size) },
            Op::SetFillColor { col: style.colour.pdf() },
            Op::SetTextCursor { pos: Point { x: Pt(x), y: Pt(PAGE_HEIGHT - baseline) } },
            Op::ShowText { items: vec![TextItem::Text(text)] },
            Op::EndTextSection,
        ]);
    }

    /// Draws one line of text ending at `right`.
    pub(super) fn text_right(&mut self, right: f32, baseline: f32, style: TextStyle, text: &str) {
        self.text(right - style.width(text), baseline, style, text);
    }

    /// A horizontal line at `y` from `x1` to `x2`.
    pub(super) fn rule(&mut self, x1: f32, x2: f32, y: f32, thickness: f32, colour: Colour) {
        let point = |x: f32| LinePoint { p: Point { x: Pt(x), y: Pt(PAGE_HEIGHT - y) }, bezier: false };
        self.ops.extend([
            Op::SetOutlineColor { col: colour.pdf() },
            Op::SetOutlineThickness { pt: Pt(thickness) },
            Op::DrawLine { line: Line { points: vec![point(x1), point(x2)], is_closed: false } },
        ]);
    }

    /// A filled rectangle whose top edge is `top` points from the top of the page.
    pub(super) fn fill_rect(&mut self, x: f32, top: f32, width: f32, height: f32, colour: Colour) {
        self.ops.extend([
            Op::SetFillColor { col: colour.pdf() },
            Op::DrawRectangle {
                rectangle: Rect {
                    x: Pt(x),
                    y: Pt(PAGE_HEIGHT - top - height),
                    width: Pt(width),
                    height: Pt(height),
                    mode: Some(PaintMode::Fill),
                    winding_order: None,
                },
            },
        ]);
    }

    /// Adds the footer ("Page 2 of 3") to every page and serialises the document.
    pub(super) fn finish(mut self, info: DocumentInfo) -> Result<Vec<u8>, PdfError> {
        self.finished.push(std::mem::take(&mut self.ops));
        let page_count = self.finished.len();
        let pages = self
            .finished
            .into_iter()
            .enumerate()
            .map(|(index, ops)| {
                let mut page = Pages { finished: Vec::new(), ops, y: 0.0, continuation_heading: String::new() };
                page.footer(&info.footer, index + 1, page_count);
                let size = Rect::from_wh(Pt(PAGE_WIDTH), Pt(PAGE_HEIGHT));
                PdfPage { media_box: size.clone(), trim_box: size.clone(), crop_box: size, ops: page.ops }
            })
            .collect();

        let mut document = PdfDocument::new(&printable(&info.title));
        let metadata = &mut document.metadata.info;
        metadata.author = printable(&info.author);
        metadata.creator = "Portico".to_string();
        metadata.producer = "Portico (printpdf)".to_string();
        let date = pdf_date(info.date);
        metadata.creation_date = date;
        metadata.modification_date = date;
        metadata.metadata_date = date;
        document.with_pages(pages);

        let mut warnings = Vec::new();
        let bytes = document.save(&PdfSaveOptions::default(), &mut warnings);
        let errors: Vec<String> =
            warnings.into_iter().filter(|w| w.severity == PdfParseErrorSeverity::Error).map(|w| w.msg).collect();
        if errors.is_empty() { Ok(bytes) } else { Err(PdfError::Writer(errors.join("; "))) }
    }

    fn footer(&mut self, left: &str, page: usize, page_count: usize) {
        let baseline = FOOTER_RULE + 14.0;
        self.rule(LEFT, RIGHT, FOOTER_RULE, 0.5, RULE);
        let page_label = format!("Page {page} of {page_count}");
        self.text_right(RIGHT, baseline, SMALL, &page_label);
        let room = CONTENT_WIDTH - SMALL.width(&page_label) - 24.0;
        let left = truncate(left, SMALL, room);
        self.text(LEFT, baseline, SMALL, &left);
    }
}

fn pdf_date(date: time::Date) -> printpdf::DateTime {
    printpdf::DateTime::new_in_offset(
        printpdf::Date { year: date.year(), month: date.month() as u8, day: date.day() },
        printpdf::Time { hour: 0, minute: 0, second: 0, millisecond: 0 },
        printpdf::Offset { hours: 0, minutes: 0, seconds: 0, milliseconds: 0 },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_wrap_breaks_at_spaces_within_the_width() {
        let text = "Phone number license +1 415 555 0100 for the period Nov 1 to Nov 30, 2026";
        let lines = wrap(text, BODY, 150.0);
        assert!(lines.len() > 1, "{lines:?}");
        assert!(lines.iter().all(|l| BODY.width(l) <= 150.0), "{lines:?}");
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn pdf_wrap_cuts_a_word_longer_than_the_line_and_keeps_newlines() {
        let word = "x".repeat(200);
        let lines = wrap(&word, BODY, 100.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| BODY.width(l) <= 100.0));
        assert_eq!(lines.concat(), word);

        assert_eq!(wrap("first\nsecond", BODY, 300.0), vec!["first", "second"]);
        assert_eq!(wrap("", BODY, 300.0), vec![""]);
    }

    #[test]
    fn pdf_truncate_adds_an_ellipsis_only_when_needed() {
        assert_eq!(truncate("Acme", SMALL, 100.0), "Acme");
        let long = truncate(&"Acme Messaging ".repeat(20), SMALL, 100.0);
        assert!(long.ends_with('…') && SMALL.width(&long) <= 100.0, "{long}");
    }
}
