//! Paying invoices and the payment history (seeds 001, 002, 003).

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};
use time::Date;

use super::error::AppError;
use crate::domain::fees::MethodQuote;
use crate::domain::money::Money;
use crate::domain::payment_method::MethodKind;

/// What happened to a payment attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PaymentResult {
    Paid { payment_id: String, amount: Money, fee: Money, total: Money, method_label: String },
    /// Wire, PIX or Boleto: the invoice waits for the transfer.
    AwaitingTransfer { payment_id: String, total: Money, instructions: String, reference: String },
    /// The processor refused; `message` says why in plain words. The invoice stays open.
    Declined { payment_id: String, message: String },
    /// The processor did not answer; the payment is settled as soon as it does.
    Pending { payment_id: String },
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

/// The invoices to pay (all outstanding ones when `invoice_ids` is empty) and, for every way
/// the account can pay, the fee and the total.
#[server(endpoint = "payments/quote", input = Json)]
pub async fn quote_payment(invoice_ids: Vec<String>) -> Result<PaymentQuote, AppError> {
    use crate::server::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Billing).await?;
    crate::server::payments::methods::payment_quote(&caller.state, &caller.account()?.id, &invoice_ids).await
}

/// Pays the invoices in full with one method. `idempotency_key` is made once per payment
/// screen: a double click, a retry or a reload with the same key never charges twice.
#[server(endpoint = "payments/pay", input = Json)]
pub async fn pay_invoices(invoice_ids: Vec<String>, method: String, idempotency_key: String) -> Result<PaymentResult, AppError> {
    use crate::server::auth::authorize::{Access, authorize};
    use crate::server::payments::pay::{PayWith, Payer, pay};
    use crate::server::payments::key::PaymentKey;
    let caller = authorize(Access::BillingChange).await?;
    let account_id = &caller.account()?.id;
    let key = PaymentKey::client(account_id, &idempotency_key)?;
    let payer = Payer { account_id, user_id: Some(caller.user_id()), impersonator_id: None };
    pay(&caller.state, payer, &invoice_ids, PayWith::parse(&method)?, &key).await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaymentStatus {
    Succeeded,
    Failed,
    Pending,
    AwaitingTransfer,
}

impl PaymentStatus {
    pub fn label(self) -> &'static str {
        match self {
            PaymentStatus::Succeeded => "Paid",
            PaymentStatus::Failed => "Failed",
            PaymentStatus::Pending => "Processing",
            PaymentStatus::AwaitingTransfer => "Awaiting transfer",
        }
    }
}

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

/// Every payment and failed attempt, newest first, a page at a time.
#[server(endpoint = "payments/history")]
pub async fn payment_history(cursor: Option<String>) -> Result<PaymentHistoryPage, AppError> {
    use crate::server::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Billing).await?;
    crate::server::payments::history::page(caller.state.db.pool(), &caller.account()?.id, cursor.as_deref().filter(|c| !c.is_empty()), 20).await
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentLink {
    pub url: String,
    pub expires_on: Date,
}

/// A link that pays this one invoice without signing in, for someone without an account.
/// Handing out a way to pay is the client's to do: refused while staff view as the client.
#[server(endpoint = "payment-links/create")]
pub async fn create_payment_link(invoice_id: String) -> Result<PaymentLink, AppError> {
    use crate::server::auth::authorize::{Access, authorize};
    let caller = authorize(Access::BillingChange).await?;
    crate::server::payments::methods::create_link(&caller.state, &caller.account()?.id, caller.user_id(), &invoice_id).await
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

/// Public by design, for payers without an account: the link's token is the only authority,
/// checked first (unknown or expired answers not found), and it reaches one invoice.
#[server(endpoint = "pay-link/view")]
pub async fn view_payment_link(token: String) -> Result<LinkedInvoice, AppError> {
    crate::server::payments::methods::linked_invoice(&crate::server::state::app_state()?, &token).await
}

/// Pays the linked invoice with a card tokenized in the browser. No session involved: the
/// link's token is the only authority, checked before anything else, and it reaches this one
/// invoice.
#[server(endpoint = "pay-link/pay", input = Json)]
pub async fn pay_by_link(token: String, card_token: String, idempotency_key: String) -> Result<PaymentResult, AppError> {
    let info = crate::server::request::RequestInfo::current()?;
    crate::server::payments::methods::pay_by_link(&info.state, &token, &card_token, &idempotency_key, info.client_ip().as_deref()).await
}
