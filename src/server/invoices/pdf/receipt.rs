//! The receipt for one payment: who paid, how, which invoices it settled and what was
//! charged.

use crate::domain::billing_items::format_date;
use crate::server::invoices::pdf::blocks::{
    Align, AmountBox, Cell, Column, Table, TotalLine, addressee_and_amount, letterhead, remark, section_heading, totals,
};
use crate::server::invoices::pdf::layout::{DocumentInfo, MUTED, Pages};
use crate::server::invoices::pdf::{PdfError, ReceiptDocument};

pub fn receipt_pdf(doc: &ReceiptDocument) -> Result<Vec<u8>, PdfError> {
    let title = format!("Receipt {}", doc.number);
    let mut pages = Pages::new(format!("{title} (continued)"));

    letterhead(
        &mut pages,
        &doc.vendor,
        "Receipt",
        &[
            ("Receipt number", doc.number.clone()),
            ("Date paid", format_date(doc.date_paid)),
            ("Payment method", doc.method_label.clone()),
        ],
    );

    let paid = AmountBox {
        label: "Amount paid",
        amount: doc.total_charged.format(),
        caption: format!("Paid {} · {}", format_date(doc.date_paid), doc.method_label),
    };
    addressee_and_amount(&mut pages, "Paid by", &doc.paid_by, &paid);

    section_heading(&mut pages, "Invoices paid");
    let table = Table::new(vec![
        Column { title: "Invoice", width: 365.28, align: Align::Left },
        Column { title: "Amount applied", width: 130.0, align: Align::Right },
    ]);
    table.header(&mut pages);
    for invoice in &doc.invoices {
        table.row(&mut pages, &[Cell::plain(&invoice.number), Cell::plain(invoice.amount.format())]);
    }

    totals(
        &mut pages,
        &[
            TotalLine::new("Amount", doc.amount.format()),
            TotalLine::new("Fee", doc.fee.format()),
            TotalLine::emphasised("Total charged", doc.total_charged.format()),
        ],
    );

    remark(&mut pages, "Thank you for your payment.", MUTED);

    pages.finish(DocumentInfo {
        footer: format!("{} · {title}", doc.vendor.name),
        author: doc.vendor.name.clone(),
        title,
        date: doc.date_paid,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::currency::Currency;
    use crate::domain::money::Money;
    use crate::server::invoices::pdf::test_support::{acme, eur, globex, pages_of, pdftotext};
    use crate::server::invoices::pdf::{PaidInvoice, ReceiptDocument};
    use time::macros::date;

    fn card_receipt() -> ReceiptDocument {
        ReceiptDocument {
            number: "pay_01JD3K7Q8ZP4W".to_string(),
            date_paid: date!(2026 - 11 - 22),
            vendor: acme(),
            paid_by: globex(),
            method_label: "Visa •••• 4242".to_string(),
            invoices: vec![
                PaidInvoice { number: "INV-2026-0041".to_string(), amount: eur(61_900) },
                PaidInvoice { number: "INV-2026-0042".to_string(), amount: eur(123_400) },
            ],
            amount: eur(185_300),
            // The 4 % card surcharge.
            fee: eur(7_412),
            total_charged: eur(192_712),
        }
    }

    #[test]
    fn pdf_receipt_shows_payment_method_invoices_fee_and_total() {
        let pdf = receipt_pdf(&card_receipt()).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));

        let text = pdftotext(&pdf);
        for expected in [
            "RECEIPT",
            "pay_01JD3K7Q8ZP4W",
            "Nov 22, 2026",
            "Visa •••• 4242",
            "Acme Messaging",
            "Globex Corporation",
            "Friedrichstraße 68",
            "INV-2026-0041",
            "€619.00",
            "INV-2026-0042",
            "€1,234.00",
            "€1,853.00",
            "Fee",
            "€74.12",
            "Total charged",
            "€1,927.12",
            "Page 1 of 1",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
    }

    #[test]
    fn pdf_receipt_for_a_bank_debit_shows_a_zero_fee_in_other_currencies() {
        let brl = |minor| Money::new(minor, Currency::Brl);
        let doc = ReceiptDocument {
            method_label: "PIX".to_string(),
            invoices: vec![PaidInvoice { number: "INV-7".to_string(), amount: brl(1_000) }],
            amount: brl(1_000),
            fee: brl(0),
            total_charged: brl(1_000),
            ..card_receipt()
        };
        let text = pdftotext(&receipt_pdf(&doc).unwrap());
        assert!(text.contains("R$10.00") && text.contains("R$0.00") && text.contains("PIX"), "{text}");
    }

    #[test]
    fn pdf_receipt_for_many_invoices_continues_on_a_second_page() {
        let invoices: Vec<PaidInvoice> =
            (1..=45).map(|n| PaidInvoice { number: format!("INV-2026-{n:04}"), amount: eur(10_000) }).collect();
        let doc = ReceiptDocument {
            invoices,
            amount: eur(450_000),
            fee: eur(0),
            total_charged: eur(450_000),
            ..card_receipt()
        };
        let text = pdftotext(&receipt_pdf(&doc).unwrap());
        let pages = pages_of(&text);
        assert_eq!(pages.len(), 2, "{text}");
        assert!(pages[1].contains("Receipt pay_01JD3K7Q8ZP4W (continued)") && pages[1].contains("Page 2 of 2"));
        assert!(text.contains("INV-2026-0001") && text.contains("INV-2026-0045") && text.contains("€4,500.00"));
    }
}
