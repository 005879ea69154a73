//! The building blocks the three documents share: the letterhead, an addressee with the
//! amount that matters beside it, a table that flows across pages, a totals column and
//! free-text notes. Each draws at the page cursor and moves it down.

use crate::server::invoices::pdf::Party;
use crate::server::invoices::pdf::fonts::Face;
use crate::server::invoices::pdf::layout::{
    ACCENT, BAND, BODY, BODY_BOLD, CONTENT_BOTTOM, CONTENT_WIDTH, Colour, INK, LABEL, LEFT, MUTED, Pages, RIGHT, RULE,
    SMALL, TextStyle, truncate, wrap,
};

/// Left edge of the right-hand column (document facts, amount box, totals).
const RIGHT_COLUMN: f32 = RIGHT - 230.0;
/// Width of the left-hand column (vendor, addressee), leaving a gutter before the right one.
const LEFT_COLUMN_WIDTH: f32 = RIGHT_COLUMN - 24.0 - LEFT;
/// Inner horizontal padding of table cells; totals use it too so amounts line up.
const CELL_PADDING: f32 = 6.0;

const VENDOR_NAME: TextStyle = TextStyle::new(Face::Bold, 12.0, INK);
const ADDRESS: TextStyle = TextStyle::new(Face::Regular, 9.0, MUTED);
const PARTY_NAME: TextStyle = TextStyle::new(Face::Bold, 10.5, INK);
const PARTY_LINE: TextStyle = TextStyle::new(Face::Regular, 9.5, INK);
const BIG_AMOUNT: TextStyle = TextStyle::new(Face::Bold, 18.0, INK);
const TOTAL_EMPHASIS: TextStyle = TextStyle::new(Face::Bold, 10.5, INK);
const TITLE_MAX_SIZE: f32 = 20.0;

/// Vendor at the top left, the document's title at the top right with its facts (number,
/// dates, status) listed under it as label–value pairs.
pub(super) fn letterhead(pages: &mut Pages, vendor: &Party, title: &str, facts: &[(&str, String)]) {
    let top = pages.y;
    let first_baseline = top + 16.0;

    // The title gets at most half the width; a long kind ("RECONCILIATION STATEMENT")
    // is set smaller rather than running into the vendor's name.
    let title = title.to_uppercase();
    let title_style = fit(TextStyle::new(Face::Bold, TITLE_MAX_SIZE, ACCENT), &title, CONTENT_WIDTH / 2.0);
    pages.text_right(RIGHT, first_baseline, title_style, &title);

    let mut right_baseline = first_baseline + 26.0;
    let label_width = 82.0;
    let value_width = RIGHT - RIGHT_COLUMN - label_width;
    for (label, value) in facts {
        pages.text(RIGHT_COLUMN, right_baseline, SMALL, label);
        for line in wrap(value, BODY, value_width) {
            pages.text_right(RIGHT, right_baseline, BODY, &line);
            right_baseline += BODY.leading();
        }
        right_baseline += 2.0;
    }

    let name_width = LEFT_COLUMN_WIDTH.min(RIGHT - LEFT - title_style.width(&title) - 24.0);
    let mut left_baseline = first_baseline;
    for line in wrap(&vendor.name, VENDOR_NAME, name_width) {
        pages.text(LEFT, left_baseline, VENDOR_NAME, &line);
        left_baseline += VENDOR_NAME.leading();
    }
    left_baseline += 2.0;
    for line in party_details(vendor) {
        for wrapped in wrap(&line, ADDRESS, LEFT_COLUMN_WIDTH) {
            pages.text(LEFT, left_baseline, ADDRESS, &wrapped);
            left_baseline += ADDRESS.leading();
        }
    }

    pages.y = left_baseline.max(right_baseline) + 20.0;
}

/// The figure a reader looks for first, in a shaded box: "Amount due €1,234.00".
pub(super) struct AmountBox<'a> {
    pub label: &'a str,
    pub amount: String,
    pub caption: String,
}

/// The addressee ("Bill to", "Paid by") on the left and the key amount on the right.
pub(super) fn addressee_and_amount(pages: &mut Pages, heading: &str, party: &Party, amount: &AmountBox) {
    let top = pages.y;

    let mut baseline = top + 8.0;
    pages.text(LEFT, baseline, LABEL, &heading.to_uppercase());
    baseline += 15.0;
    for line in wrap(&party.name, PARTY_NAME, LEFT_COLUMN_WIDTH) {
        pages.text(LEFT, baseline, PARTY_NAME, &line);
        baseline += PARTY_NAME.leading();
    }
    for line in party_details(party) {
        for wrapped in wrap(&line, PARTY_LINE, LEFT_COLUMN_WIDTH) {
            pages.text(LEFT, baseline, PARTY_LINE, &wrapped);
            baseline += PARTY_LINE.leading();
        }
    }
    let left_bottom = baseline;

    let box_height = 66.0;
    let box_width = RIGHT - RIGHT_COLUMN;
    let inner = RIGHT_COLUMN + 12.0;
    pages.fill_rect(RIGHT_COLUMN, top, box_width, box_height, BAND);
    pages.text(inner, top + 17.0, LABEL, &amount.label.to_uppercase());
    let amount_style = fit(BIG_AMOUNT, &amount.amount, box_width - 24.0);
    pages.text(inner, top + 40.0, amount_style, &amount.amount);
    let caption = truncate(&amount.caption, SMALL, box_width - 24.0);
    pages.text(inner, top + 56.0, SMALL, &caption);

    pages.y = left_bottom.max(top + box_height) + 24.0;
}

/// A section heading above a table or notes ("INVOICES PAID").
pub(super) fn section_heading(pages: &mut Pages, heading: &str) {
    pages.break_unless_fits(60.0);
    pages.text(LEFT, pages.y + 8.0, LABEL, &heading.to_uppercase());
    pages.y += 16.0;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Align {
    Left,
    Right,
}

pub(super) struct Column {
    pub title: &'static str,
    pub width: f32,
    pub align: Align,
}

/// One cell: a main text, optionally followed by a muted note (a statement entry's
/// description under its reference). Left-aligned cells wrap; right-aligned ones (amounts)
/// stay on one line.
pub(super) struct Cell {
    pub text: String,
    pub style: TextStyle,
    pub note: Option<String>,
}

impl Cell {
    pub(super) fn plain(text: impl Into<String>) -> Self {
        Cell { text: text.into(), style: BODY, note: None }
    }

    pub(super) fn bold(text: impl Into<String>) -> Self {
        Cell { text: text.into(), style: BODY_BOLD, note: None }
    }

    pub(super) fn with_note(mut self, note: &str) -> Self {
        if !note.trim().is_empty() {
            self.note = Some(note.to_string());
        }
        self
    }
}

/// A table spanning the text column. Its columns' widths should add up to
/// [`CONTENT_WIDTH`]. Rows that do not fit go to the next page, under a repeated header.
pub(super) struct Table {
    columns: Vec<Column>,
}

const HEADER_HEIGHT: f32 = 20.0;
const HEADER_STYLE: TextStyle = TextStyle::new(Face::Bold, 8.5, MUTED);
const ROW_PADDING: f32 = 5.0;
const ROW_LEADING: f32 = 12.0;
const NOTE_STYLE: TextStyle = TextStyle::new(Face::Regular, 8.5, MUTED);

impl Table {
    pub(super) fn new(columns: Vec<Column>) -> Self {
        debug_assert!((columns.iter().map(|c| c.width).sum::<f32>() - CONTENT_WIDTH).abs() < 1.0);
        Table { columns }
    }

    /// Draws the header row, on a new page if not even one row would fit under it here.
    pub(super) fn header(&self, pages: &mut Pages) {
        pages.break_unless_fits(HEADER_HEIGHT + ROW_LEADING + 2.0 * ROW_PADDING);
        let top = pages.y;
        pages.fill_rect(LEFT, top, CONTENT_WIDTH, HEADER_HEIGHT, BAND);
        let baseline = top + 13.5;
        let mut x = LEFT;
        for column in &self.columns {
            match column.align {
                Align::Left => pages.text(x + CELL_PADDING, baseline, HEADER_STYLE, column.title),
                Align::Right => pages.text_right(x + column.width - CELL_PADDING, baseline, HEADER_STYLE, column.title),
            }
            x += column.width;
        }
        pages.y = top + HEADER_HEIGHT;
    }

    /// Draws one row. A row is kept on one page when it fits on a page at all; a row taller
    /// than a page (a description of many paragraphs) continues line by line.
    pub(super) fn row(&self, pages: &mut Pages, cells: &[Cell]) {
        debug_assert_eq!(cells.len(), self.columns.len());
        let lines: Vec<Vec<(String, TextStyle)>> =
            self.columns.iter().zip(cells).map(|(column, cell)| cell_lines(column, cell)).collect();
        let line_count = lines.iter().map(Vec::len).max().unwrap_or(1);

        let height = line_count as f32 * ROW_LEADING + 2.0 * ROW_PADDING;
        let fits_on_a_fresh_page = height <= Pages::fresh_page_space() - HEADER_HEIGHT;
        if height > pages.remaining() && fits_on_a_fresh_page {
            pages.new_page();
            self.header(pages);
        }

        let mut line_top = pages.y + ROW_PADDING;
        for index in 0..line_count {
            if line_top + ROW_LEADING + ROW_PADDING > CONTENT_BOTTOM {
                pages.new_page();
                self.header(pages);
                line_top = pages.y + ROW_PADDING;
            }
            let baseline = line_top + ROW_LEADING - 3.0;
            let mut x = LEFT;
            for (column, column_lines) in self.columns.iter().zip(&lines) {
                if let Some((text, style)) = column_lines.get(index) {
                    match column.align {
                        Align::Left => pages.text(x + CELL_PADDING, baseline, *style, text),
                        Align::Right => pages.text_right(x + column.width - CELL_PADDING, baseline, *style, text),
                    }
                }
                x += column.width;
            }
            line_top += ROW_LEADING;
        }
        pages.y = line_top + ROW_PADDING;
        pages.rule(LEFT, RIGHT, pages.y, 0.5, RULE);
    }
}

fn cell_lines(column: &Column, cell: &Cell) -> Vec<(String, TextStyle)> {
    let width = column.width - 2.0 * CELL_PADDING;
    let mut lines: Vec<(String, TextStyle)> = match column.align {
        Align::Left => wrap(&cell.text, cell.style, width).into_iter().map(|l| (l, cell.style)).collect(),
        Align::Right => vec![(cell.text.clone(), cell.style)],
    };
    if let Some(note) = &cell.note {
        lines.extend(wrap(note, NOTE_STYLE, width).into_iter().map(|l| (l, NOTE_STYLE)));
    }
    lines
}

/// One line of a totals column. `emphasis` marks the figures that matter (Total, Amount
/// due): bold, with a rule above.
pub(super) struct TotalLine {
    pub label: String,
    pub amount: String,
    pub emphasis: bool,
}

impl TotalLine {
    pub(super) fn new(label: impl Into<String>, amount: String) -> Self {
        TotalLine { label: label.into(), amount, emphasis: false }
    }

    pub(super) fn emphasised(label: impl Into<String>, amount: String) -> Self {
        TotalLine { label: label.into(), amount, emphasis: true }
    }
}

/// Label–amount lines in the right-hand column, amounts aligned with the table's. Kept
/// together on one page.
pub(super) fn totals(pages: &mut Pages, lines: &[TotalLine]) {
    let line_height = |line: &TotalLine| if line.emphasis { 24.0 } else { 18.0 };
    let height: f32 = 10.0 + lines.iter().map(line_height).sum::<f32>();
    pages.break_unless_fits(height);

    let mut top = pages.y + 10.0;
    let label_x = RIGHT_COLUMN + CELL_PADDING;
    let amount_right = RIGHT - CELL_PADDING;
    for line in lines {
        let (style, label_style) = if line.emphasis {
            pages.rule(RIGHT_COLUMN, RIGHT, top + 1.0, 0.8, INK);
            (TOTAL_EMPHASIS, TOTAL_EMPHASIS)
        } else {
            (BODY, BODY.with_colour(MUTED))
        };
        let baseline = top + line_height(line) - 6.0;
        pages.text(label_x, baseline, label_style, &line.label);
        pages.text_right(amount_right, baseline, style, &line.amount);
        top += line_height(line);
    }
    pages.y = top;
}

/// A headed paragraph of free text (an invoice memo), wrapped over the full width and
/// continued on the next page if need be.
pub(super) fn notes(pages: &mut Pages, heading: &str, text: &str) {
    pages.y += 14.0;
    section_heading(pages, heading);
    for line in wrap(text, BODY, CONTENT_WIDTH) {
        pages.break_unless_fits(BODY.leading());
        pages.text(LEFT, pages.y + 9.0, BODY, &line);
        pages.y += BODY.leading();
    }
}

/// A single muted sentence across the text column ("Thank you for your payment.").
pub(super) fn remark(pages: &mut Pages, text: &str, colour: Colour) {
    pages.y += 16.0;
    for line in wrap(text, BODY.with_colour(colour), CONTENT_WIDTH) {
        pages.break_unless_fits(BODY.leading());
        pages.text(LEFT, pages.y + 9.0, BODY.with_colour(colour), &line);
        pages.y += BODY.leading();
    }
}

/// Address lines, then email and tax ID when known.
fn party_details(party: &Party) -> Vec<String> {
    let mut lines: Vec<String> = party.address.iter().filter(|l| !l.trim().is_empty()).cloned().collect();
    lines.extend(party.email.iter().cloned());
    lines.extend(party.tax_id.iter().map(|id| format!("Tax ID: {id}")));
    lines
}

/// `style`, made smaller if needed so that `text` fits in `max_width` (never below 60 %).
fn fit(style: TextStyle, text: &str, max_width: f32) -> TextStyle {
    let width = style.width(text);
    if width <= max_width {
        return style;
    }
    TextStyle { size: (style.size * max_width / width).max(style.size * 0.6), ..style }
}
