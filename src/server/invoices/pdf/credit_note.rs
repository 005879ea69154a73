//! The credit note: letterhead, who it credits and how much, the invoice it applies to, and
//! where the amount went (off what was owed, or to the credit balance).

use crate::domain::billing_items::format_date;
use crate::server::invoices::pdf::blocks::{
    Align, AmountBox, Cell, Column, Table, TotalLine, addressee_and_amount, letterhead, notes, totals,
};
use crate::server::invoices::pdf::layout::{DocumentInfo, Pages};
use crate::server::invoices::pdf::{CreditNoteDocument, PdfError};

pub fn credit_note_pdf(doc: &CreditNoteDocument) -> Result<Vec<u8>, PdfError> {
    let title = format!("Credit note {}", doc.number);
    let mut pages = Pages::new(format!("{title} (continued)"));
    let facts = vec![
        ("Credit note number", doc.number.clone()),
        ("Issue date", format_date(doc.issue_date)),
        ("For invoice", doc.invoice_number.clone()),
    ];
    letterhead(&mut pages, &doc.vendor, "Credit note", &facts);
    let amount = AmountBox {
        label: "Credited",
        amount: doc.amount.format(),
        caption: format!("Against invoice {}", doc.invoice_number),
    };
    addressee_and_amount(&mut pages, "Credited to", &doc.bill_to, &amount);
    let table = Table::new(vec![
        Column { title: "Description", width: 405.28, align: Align::Left },
        Column { title: "Amount", width: 90.0, align: Align::Right },
    ]);
    table.header(&mut pages);
    table.row(&mut pages, &[Cell::plain(&doc.reason), Cell::plain(doc.amount.format())]);
    totals(
        &mut pages,
        &[
            TotalLine::new("Taken off the amount due", doc.applied_to_invoice.format()),
            TotalLine::new("Added to your credit balance", doc.to_balance.format()),
            TotalLine::emphasised("Total credited", doc.amount.format()),
        ],
    );
    notes(
        &mut pages,
        "About this credit note",
        &format!("This credit note reduces invoice {} by {}.", doc.invoice_number, doc.amount.format()),
    );
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
    use crate::server::invoices::pdf::test_support::{acme, pdftotext, usd};
    use crate::server::invoices::pdf::{CreditNoteDocument, Party};

    #[test]
    fn a_credit_note_says_what_it_credits_and_where_the_money_went() {
        let doc = CreditNoteDocument {
            number: "ACME-CN-000001".into(),
            issue_date: time::macros::date!(2026 - 11 - 22),
            invoice_number: "ACME-000042".into(),
            vendor: acme(),
            bill_to: Party { name: "Initech LLC".into(), ..Default::default() },
            reason: "Service outage on 18 November".into(),
            amount: usd(2_500),
            applied_to_invoice: usd(1_000),
            to_balance: Money::new(1_500, crate::domain::currency::Currency::Usd),
        };
        let bytes = credit_note_pdf(&doc).unwrap();
        assert!(bytes.starts_with(b"%PDF"));
        let text = pdftotext(&bytes);
        for expected in [
            "Credit note",
            "ACME-CN-000001",
            "ACME-000042",
            "Initech LLC",
            "Service outage on 18 November",
            "$25.00",
            "$15.00",
        ] {
            assert!(text.contains(expected), "{expected} missing from:\n{text}");
        }
    }
}
