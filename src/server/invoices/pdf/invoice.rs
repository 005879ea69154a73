//! The invoice: letterhead, bill-to and amount due, the lines, totals and the memo.

use crate::domain::billing_items::format_date;
use crate::server::invoices::pdf::blocks::{
    Align, AmountBox, Cell, Column, Table, TotalLine, addressee_and_amount, letterhead, notes, totals,
};
use crate::server::invoices::pdf::layout::{DocumentInfo, Pages};
use crate::server::invoices::pdf::{InvoiceDocument, PdfError};

pub fn invoice_pdf(doc: &InvoiceDocument) -> Result<Vec<u8>, PdfError> {
    let title = format!("{} {}", doc.kind_label, doc.number);
    let mut pages = Pages::new(format!("{title} (continued)"));

    let mut facts = vec![
        ("Invoice number", doc.number.clone()),
        ("Issue date", format_date(doc.issue_date)),
        ("Due date", format_date(doc.due_date)),
    ];
    if let Some((first, last)) = doc.period {
        facts.push(("Period", format!("{} – {}", format_date(first), format_date(last))));
    }
    facts.push(("Status", doc.status_label.clone()));
    letterhead(&mut pages, &doc.vendor, &doc.kind_label, &facts);

    let caption = if doc.amount_due.is_zero() {
        doc.status_label.clone()
    } else {
        format!("Due {} · {}", format_date(doc.due_date), doc.status_label)
    };
    let amount_due = AmountBox { label: "Amount due", amount: doc.amount_due.format(), caption };
    addressee_and_amount(&mut pages, "Bill to", &doc.bill_to, &amount_due);

    let table = Table::new(vec![
        Column { title: "Description", width: 280.28, align: Align::Left },
        Column { title: "Qty", width: 40.0, align: Align::Right },
        Column { title: "Unit price", width: 85.0, align: Align::Right },
        Column { title: "Amount", width: 90.0, align: Align::Right },
    ]);
    table.header(&mut pages);
    for line in &doc.lines {
        table.row(
            &mut pages,
            &[
                Cell::plain(&line.description),
                Cell::plain(line.quantity.to_string()),
                Cell::plain(line.unit_amount.format()),
                Cell::plain(line.amount.format()),
            ],
        );
    }

    let mut lines = vec![TotalLine::new("Subtotal", doc.subtotal.format())];
    if doc.tax_lines.is_empty() {
        lines.push(TotalLine::new("Tax", doc.tax.format()));
    }
    for (description, amount) in &doc.tax_lines {
        lines.push(TotalLine::new(description, amount.format()));
    }
    lines.push(TotalLine::emphasised("Total", doc.total.format()));
    lines.push(TotalLine::new("Amount paid", doc.amount_paid.format()));
    if !doc.credited.is_zero() {
        lines.push(TotalLine::new("Credited", doc.credited.format()));
    }
    lines.push(TotalLine::emphasised("Amount due", doc.amount_due.format()));
    totals(&mut pages, &lines);

    if let Some(memo) = doc.memo.as_deref().filter(|m| !m.trim().is_empty()) {
        notes(&mut pages, "Notes", memo);
    }

    pages.finish(DocumentInfo {
        footer: format!("{} · {title}", doc.vendor.name),
        author: doc.vendor.name.clone(),
        title,
        date: doc.issue_date,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Money;
    use crate::server::invoices::pdf::test_support::{acme, eur, globex, pages_of, pdftotext, usd};
    use crate::server::invoices::pdf::{InvoiceDocument, InvoiceLine, Party};
    use time::macros::date;

    fn line(description: &str, quantity: i64, unit: Money) -> InvoiceLine {
        InvoiceLine {
            description: description.to_string(),
            quantity,
            unit_amount: unit,
            amount: Money::new(unit.minor * quantity, unit.currency),
        }
    }

    /// A Globex license invoice in euros, with totals that add up.
    fn license_invoice(lines: Vec<InvoiceLine>) -> InvoiceDocument {
        let currency = lines[0].amount.currency;
        let subtotal = Money::sum(currency, lines.iter().map(|l| l.amount)).unwrap();
        let tax = subtotal.times_rate(rust_decimal::Decimal::new(19, 2)).unwrap();
        let total = subtotal.checked_add(tax).unwrap();
        InvoiceDocument {
            number: "INV-2026-0042".to_string(),
            kind_label: "License invoice".to_string(),
            status_label: "Open".to_string(),
            issue_date: date!(2026 - 11 - 01),
            due_date: date!(2026 - 11 - 22),
            period: Some((date!(2026 - 11 - 01), date!(2026 - 11 - 30))),
            vendor: acme(),
            bill_to: globex(),
            lines,
            subtotal,
            tax,
            total,
            amount_paid: Money::zero(currency),
            amount_due: total,
            memo: Some(
                "Thank you for your business — questions? billing@acme.test\nBank: IBAN DE89 3704 0044 0532 0130 00"
                    .to_string(),
            ),
            tax_lines: Vec::new(),
            credited: Money::zero(currency),
        }
    }

    #[test]
    fn pdf_invoice_shows_number_parties_lines_and_totals() {
        let doc = license_invoice(vec![
            line("Partner plan — monthly", 1, eur(49_900)),
            line("Phone number license • +49 30 1234 5678", 12, eur(1_250)),
            line("Premium support (Friedrichstraße office)", 1, eur(123_400)),
        ]);
        let pdf = invoice_pdf(&doc).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));

        let text = pdftotext(&pdf);
        for expected in [
            "LICENSE INVOICE",
            "INV-2026-0042",
            "Nov 1, 2026",
            "Nov 22, 2026",
            "Nov 1, 2026 – Nov 30, 2026",
            "Open",
            // Vendor and client, with their non-ASCII characters intact.
            "Acme Messaging",
            "Tax ID: US-12-3456789",
            "Globex Corporation",
            "Friedrichstraße 68",
            "10117 Berlin",
            "Tax ID: DE123456789",
            // Lines, amounts right of them.
            "Partner plan — monthly",
            "Phone number license • +49 30 1234 5678",
            "Premium support (Friedrichstraße office)",
            "€12.50",
            "€150.00",
            "€1,234.00",
            // Totals: 499 + 150 + 1,234 = 1,883; 19 % tax = 357.77.
            "€1,883.00",
            "€357.77",
            "€2,240.77",
            "Amount due",
            "Thank you for your business — questions? billing@acme.test",
            "IBAN DE89",
            "Page 1 of 1",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
        assert_eq!(doc.total.format(), "€2,240.77");
    }

    #[test]
    fn pdf_invoice_with_sixty_lines_flows_onto_three_pages_with_the_header_repeated() {
        let lines: Vec<InvoiceLine> =
            (1..=60).map(|n| line(&format!("Phone number license +1 415 555 {n:04}"), 1, usd(1_500))).collect();
        let doc = InvoiceDocument { kind_label: "Invoice".to_string(), ..license_invoice(lines) };
        let text = pdftotext(&invoice_pdf(&doc).unwrap());

        let pages = pages_of(&text);
        assert_eq!(pages.len(), 3, "{text}");
        for (index, page) in pages.iter().enumerate() {
            let footer = format!("Page {} of 3", index + 1);
            assert!(page.contains(&footer), "page {} lacks {footer:?}:\n{page}", index + 1);
            assert!(page.contains("Description") && page.contains("Unit price"), "no table header:\n{page}");
        }
        assert!(pages[1].contains("Invoice INV-2026-0042 (continued)"));
        for n in [1, 17, 30, 45, 60] {
            let description = format!("Phone number license +1 415 555 {n:04}");
            assert!(text.contains(&description), "missing {description}");
        }
        // 60 × $15.00 = $900.00; the totals close the last page.
        assert!(pages[2].contains("$900.00") && pages[2].contains("Amount due"), "{}", pages[2]);
    }

    #[test]
    fn pdf_invoice_wraps_long_descriptions_inside_the_description_column() {
        let long = "Reconciliation of message usage for all numbers in the account between the first and \
                    the last day of the period, including carrier surcharges and registration fees";
        let doc = InvoiceDocument {
            kind_label: "Reconciliation statement".to_string(),
            status_label: "Paid".to_string(),
            ..license_invoice(vec![line(long, 1, eur(9_999))])
        };
        let text = pdftotext(&invoice_pdf(&doc).unwrap());
        assert!(text.contains("RECONCILIATION STATEMENT"), "{text}");
        // The description is on several lines, each starting where the column does.
        let first = text.lines().find(|l| l.contains("Reconciliation of message")).expect(&text);
        assert!(!first.contains("registration fees"), "not wrapped: {first}");
        assert!(text.contains("registration fees"));
        assert!(first.contains("€99.99"), "amount should sit on the line's first row: {first}");
    }

    #[test]
    fn pdf_invoice_prints_the_vendors_tax_lines_and_credit() {
        let base = license_invoice(vec![line("Setup", 1, eur(10_000))]);
        let doc = InvoiceDocument {
            tax_lines: vec![("VAT 19%".to_string(), eur(1_900)), ("Digital services levy 1%".to_string(), eur(100))],
            credited: eur(500),
            ..base
        };
        let text = pdftotext(&invoice_pdf(&doc).unwrap());
        assert!(text.contains("VAT 19%") && text.contains("€19.00"), "{text}");
        assert!(text.contains("Digital services levy 1%") && text.contains("€1.00"), "{text}");
        assert!(text.contains("Credited") && text.contains("€5.00"), "{text}");
    }

    #[test]
    fn pdf_invoice_without_period_memo_or_tax_id_leaves_them_out() {
        let doc = InvoiceDocument {
            period: None,
            memo: None,
            bill_to: Party { tax_id: None, email: None, ..globex() },
            ..license_invoice(vec![line("Setup", 1, eur(10_000))])
        };
        let text = pdftotext(&invoice_pdf(&doc).unwrap());
        assert!(!text.contains("Period"));
        assert!(!text.contains("Notes"));
        assert!(!text.contains("DE123456789"));
        assert!(text.contains("Setup"));
    }

    #[test]
    fn pdf_invoice_line_taller_than_a_page_continues_on_the_next() {
        let paragraphs: Vec<String> = (1..=90).map(|n| format!("Usage detail {n:02}")).collect();
        let doc = license_invoice(vec![line(&paragraphs.join("\n"), 1, eur(4_200))]);
        let text = pdftotext(&invoice_pdf(&doc).unwrap());
        let pages = pages_of(&text);
        assert!(pages.len() >= 2, "{text}");
        for n in [1, 45, 90] {
            assert!(text.contains(&format!("Usage detail {n:02}")), "missing detail {n}");
        }
        assert!(pages.last().unwrap().contains("Amount due"));
    }
}
