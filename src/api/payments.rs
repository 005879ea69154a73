//! Paying invoices and the payment history (seeds 001, 002, 003).

use crate::wire::error::AppError;
use crate::wire::payments::{LinkedInvoice, PaymentHistoryPage, PaymentLink, PaymentQuote, PaymentResult};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// The invoices to pay (all outstanding ones when `invoice_ids` is empty) and, for every way
/// the account can pay, the fee and the total.
#[server(endpoint = "payments/quote", input = Json, output = crate::wire::codec::JsonText)]
pub async fn quote_payment(invoice_ids: Vec<String>) -> Result<PaymentQuote, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Billing).await?;
    crate::server::payments::methods::payment_quote(&caller.state, &caller.account()?.id, &invoice_ids).await
}

/// Pays the invoices in full with one method. `idempotency_key` is made once per payment
/// screen: a double click, a retry or a reload with the same key never charges twice.
#[server(endpoint = "payments/pay", input = Json, output = crate::wire::codec::JsonText)]
pub async fn pay_invoices(
    invoice_ids: Vec<String>,
    method: String,
    idempotency_key: String,
) -> Result<PaymentResult, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    use crate::server::payments::key::PaymentKey;
    use crate::server::payments::pay::{PayWith, Payer, pay};
    let caller = authorize(Access::BillingChange).await?;
    let account_id = &caller.account()?.id;
    let key = PaymentKey::client(account_id, &idempotency_key)?;
    let payer = Payer { account_id, user_id: Some(caller.user_id()), impersonator_id: None };
    pay(&caller.state, payer, &invoice_ids, PayWith::parse(&method)?, &key).await
}

/// Every payment and failed attempt, newest first, a page at a time.
#[server(endpoint = "payments/history", output = crate::wire::codec::JsonText)]
pub async fn payment_history(cursor: Option<String>) -> Result<PaymentHistoryPage, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Billing).await?;
    crate::server::payments::history::page(
        caller.state.db.pool(),
        &caller.account()?.id,
        cursor.as_deref().filter(|c| !c.is_empty()),
        20,
    )
    .await
}

/// A link that pays this one invoice without signing in, for someone without an account.
/// Handing out a way to pay is the client's to do: refused while staff view as the client.
#[server(endpoint = "payment-links/create", output = crate::wire::codec::JsonText)]
pub async fn create_payment_link(invoice_id: String) -> Result<PaymentLink, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::BillingChange).await?;
    crate::server::payments::methods::create_link(
        &caller.state,
        &caller.account()?.id,
        caller.user_id(),
        &crate::domain::ids::InvoiceId::new(invoice_id),
    )
    .await
}

/// Public by design, for payers without an account: the link's token is the only authority,
/// checked first (unknown or expired answers not found), and it reaches one invoice.
#[server(endpoint = "pay-link/view", output = crate::wire::codec::JsonText)]
pub async fn view_payment_link(token: String) -> Result<LinkedInvoice, AppError> {
    crate::server::payments::methods::linked_invoice(&crate::server::infra::state::app_state()?, &token).await
}

/// Pays the linked invoice with a card tokenized in the browser. No session involved: the
/// link's token is the only authority, checked before anything else, and it reaches this one
/// invoice.
#[server(endpoint = "pay-link/pay", input = Json, output = crate::wire::codec::JsonText)]
pub async fn pay_by_link(
    token: String,
    card_token: String,
    idempotency_key: String,
) -> Result<PaymentResult, AppError> {
    let info = crate::server::infra::request::RequestInfo::current()?;
    crate::server::payments::methods::pay_by_link(
        &info.state,
        &token,
        &card_token,
        &idempotency_key,
        info.client_ip().as_deref(),
    )
    .await
}
