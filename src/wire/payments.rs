//! Paying invoices and the payment history (seeds 001, 002, 003).

use crate::domain::fees::MethodQuote;
use crate::domain::money::Money;
use crate::domain::payment_method::MethodKind;
use serde::{Deserialize, Serialize};
use time::Date;

/// What happened to a payment attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PaymentResult {
    Paid {
        payment_id: String,
        amount: Money,
        fee: Money,
        total: Money,
        method_label: String,
    },
    /// Wire, PIX or Boleto: the invoice waits for the transfer.
    AwaitingTransfer {
        payment_id: String,
        total: Money,
        instructions: String,
        reference: String,
    },
    /// The processor refused; `message` says why in plain words. The invoice stays open.
    Declined {
        payment_id: String,
        message: String,
    },
    /// The processor did not answer; the payment is settled as soon as it does.
    Pending {
        payment_id: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceToPay {
    pub id: String,
    pub number: String,
    pub due_date: Date,
    pub amount_due: Money,
    pub is_overdue: bool,
}

/// One way to pay, with what it costs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PayOption {
    /// A stored method's id (`pm_…`), or `wire` / `pix` / `boleto`.
    pub method: String,
    pub kind: MethodKind,
    pub label: String,
    pub is_default: bool,
    pub quote: MethodQuote,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentQuote {
    pub invoices: Vec<InvoiceToPay>,
    pub amount: Money,
    pub options: Vec<PayOption>,
    /// Made fresh for each quote: the payment screen sends it with every attempt, so a double
    /// click or a retry of that screen is recognised as the same payment.
    pub idempotency_key: String,
}

pub use crate::domain::billing_items::PaymentStatus;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentEntry {
    pub id: String,
    /// Unix seconds.
    pub at: i64,
    pub invoice_numbers: Vec<String>,
    pub method_label: String,
    pub amount: Money,
    pub fee: Money,
    pub total: Money,
    pub status: PaymentStatus,
    pub failure_message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentHistoryPage {
    pub entries: Vec<PaymentEntry>,
    /// Pass back to get the next (older) page; `None` at the end.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentLink {
    pub url: String,
    pub expires_on: Date,
}

/// What a payment link shows: that one invoice and nothing else of the account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkedInvoice {
    pub vendor_name: String,
    pub number: String,
    pub bill_to_name: String,
    pub due_date: Date,
    pub amount_due: Money,
    pub is_paid: bool,
    /// Locked after several declined payments: it can no longer be used to pay.
    pub is_locked: bool,
    pub card_quote: MethodQuote,
}
