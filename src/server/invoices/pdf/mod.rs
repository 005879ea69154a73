//! PDF documents for clients: an invoice, a payment receipt and an account statement (plus
//! the statement as CSV).
//!
//! Every function here is pure: it takes a plain description of the document, already read
//! from the database and put in display order by the caller, and returns the file's bytes.
//! Amounts are [`Money`] and are printed with [`Money::format`], dates with
//! [`format_date`](crate::domain::billing_items::format_date), so a PDF says exactly what the
//! portal's pages say.
//!
//! Pages are A4, set in Helvetica, one of the fonts every PDF reader has, so nothing is
//! embedded and the server needs no font files. The text is real text (searchable,
//! copyable, read by `pdftotext` and screen readers). The fonts cover English and Western
//! European text and the symbols billing needs (€ £ ¥ R$ • —); see [`fonts`] for how other
//! characters are handled.

mod blocks;
mod credit_note;
mod csv;
mod fonts;
mod invoice;
mod layout;
mod receipt;
mod statement;
#[cfg(test)]
mod test_support;

pub use credit_note::credit_note_pdf;
pub use csv::{statement_csv, text_field};
pub use invoice::invoice_pdf;
pub use receipt::receipt_pdf;
pub use statement::statement_pdf;

use crate::domain::money::{Money, MoneyError};
use time::Date;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    /// A statement's entries are not all in the currency of its opening balance, or its
    /// running balance overflowed.
    #[error("statement amounts cannot be added up: {0}")]
    Amounts(#[from] MoneyError),
    /// printpdf reported an error while writing the file.
    #[error("could not write the PDF: {0}")]
    Writer(String),
}

/// A business or person named on a document: the vendor issuing it or the client it is for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Party {
    pub name: String,
    /// Postal address, one line per entry ("Friedrichstraße 68", "10117 Berlin", "Germany").
    pub address: Vec<String>,
    pub email: Option<String>,
    /// VAT number, EIN or similar, printed as "Tax ID: …".
    pub tax_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceDocument {
    /// The invoice number, e.g. "INV-2026-0042".
    pub number: String,
    /// The title, from `InvoiceKind::label`: "Invoice", "License invoice",
    /// "Prorated license invoice", "Prepayment invoice", "Reconciliation statement".
    pub kind_label: String,
    /// "Paid", "Open", "Overdue"…: what the portal shows for it today.
    pub status_label: String,
    pub issue_date: Date,
    pub due_date: Date,
    /// Service period (first day, last day), when the invoice covers one.
    pub period: Option<(Date, Date)>,
    pub vendor: Party,
    pub bill_to: Party,
    pub lines: Vec<InvoiceLine>,
    pub subtotal: Money,
    pub tax: Money,
    pub total: Money,
    pub amount_paid: Money,
    pub amount_due: Money,
    /// A note to the client, printed under the totals. May contain newlines.
    pub memo: Option<String>,
    /// The vendor's own tax lines, printed in place of the one tax figure when there are any.
    pub tax_lines: Vec<(String, Money)>,
    /// What credit notes took off it; printed when not zero.
    pub credited: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditNoteDocument {
    pub number: String,
    pub issue_date: Date,
    pub invoice_number: String,
    pub vendor: Party,
    pub bill_to: Party,
    pub reason: String,
    pub amount: Money,
    /// What it took off the invoice's amount due.
    pub applied_to_invoice: Money,
    /// What went to the client's credit balance.
    pub to_balance: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceLine {
    pub description: String,
    pub quantity: i64,
    pub unit_amount: Money,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptDocument {
    /// The receipt number: the payment's id.
    pub number: String,
    pub date_paid: Date,
    pub vendor: Party,
    /// The account that paid.
    pub paid_by: Party,
    /// How it was paid, as the portal shows it: "Visa •••• 4242", "ACH •••• 6789".
    pub method_label: String,
    /// The invoices this payment settled, with the amount applied to each.
    pub invoices: Vec<PaidInvoice>,
    /// The amount applied to the invoices.
    pub amount: Money,
    /// The surcharge for the payment method (card fee); zero when there is none.
    pub fee: Money,
    /// What the client was charged: amount plus fee.
    pub total_charged: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaidInvoice {
    pub number: String,
    pub amount: Money,
}

/// An account's statement for a period. Balances are what the client owes: a charge
/// raises the balance and a payment lowers it; a negative balance is a credit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementDocument {
    pub vendor: Party,
    pub account: Party,
    pub period_start: Date,
    pub period_end: Date,
    /// The balance before the first day of the period. Its currency is the statement's.
    pub opening_balance: Money,
    /// Invoices and payments in the period. Listed by date; entries of the same day keep
    /// the order given here.
    pub entries: Vec<StatementEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementEntry {
    pub date: Date,
    pub kind: StatementEntryKind,
    /// The invoice number for an invoice, the payment method for a payment.
    pub reference: String,
    /// A short explanation, e.g. "License invoice, Nov 2026" or "Payment for INV-2026-0042".
    pub description: String,
    /// The amount charged (invoice) or paid (payment), positive.
    pub amount: Money,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementEntryKind {
    Invoice,
    Payment,
}

impl StatementEntryKind {
    pub fn label(self) -> &'static str {
        match self {
            StatementEntryKind::Invoice => "Invoice",
            StatementEntryKind::Payment => "Payment",
        }
    }
}
