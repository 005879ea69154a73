//! Paying invoices, exactly once.
//!
//! 1. One transaction records the attempt (its idempotency key is unique) and takes each
//!    invoice's payment lock with a conditional update. A retry with the same key finds the
//!    recorded attempt and reports its outcome; a second attempt with another key (another
//!    tab, another user) cannot take the lock and is told the invoice is paid or in progress.
//! 2. The processor is called with the same idempotency key, outside any transaction.
//! 3. A second transaction records the outcome, settles the invoices and releases the lock.
//!
//! If the process dies between 2 and 3, the attempt stays `pending` with its key; the reconciler
//! ([`reconcile_pending`](crate::server::payments::settle::reconcile_pending)) asks the processor what happened to
//! that key and finishes the job, so a charge that went through is recorded once and never
//! repeated. Step 3 is [`finish`], by the rules of `payments::settle`.

use crate::domain::billing_items::{InvoiceStatus, PaymentStatus};
use crate::domain::ids::AccountId;
use crate::domain::ids::PaymentId;
use serde_json::json;

use crate::domain::fees::{MethodQuote, Settlement, quote};
use crate::domain::money::{Money, allocate};
use crate::domain::payment_method::MethodKind;
use crate::server::accounts::queries::vendor_and_currency;
use crate::server::dashboard::queries::method_label;
use crate::server::infra::audit::{AuditEvent, record};
use crate::server::infra::clock::unix_now;
use crate::server::infra::db::{Tx, decode};
use crate::server::infra::ids::new_id;
use crate::server::infra::processors::ChargeRequest;
use crate::server::infra::state::AppState;
use crate::server::payments::key::PaymentKey;
use crate::server::payments::settings;
use crate::server::payments::settle::finish;
use crate::server::payments::transfers::reference_for;
use crate::wire::error::AppError;
use crate::wire::payments::PaymentResult;

/// Who pays: a signed-in user, or the holder of a payment link.
pub struct Payer<'a> {
    pub account_id: &'a str,
    pub user_id: Option<&'a str>,
    pub impersonator_id: Option<&'a str>,
}

/// How to pay: a stored method of the account, or an offline method paid by transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayWith {
    Stored(String),
    Offline(MethodKind),
    /// A card tokenized for this one payment (payment links): charged, not stored.
    OneOffCard {
        token: String,
        label: String,
    },
}

impl PayWith {
    /// `"pm_..."` names a stored method; `"wire"`, `"pix"` or `"boleto"` an offline one.
    pub fn parse(value: &str) -> Result<PayWith, AppError> {
        match MethodKind::parse(value) {
            Some(kind @ (MethodKind::Wire | MethodKind::Pix | MethodKind::Boleto)) => Ok(PayWith::Offline(kind)),
            Some(_) => Err(AppError::invalid("method", "Choose one of your saved cards or bank accounts.")),
            None if value.starts_with("pm_") => Ok(PayWith::Stored(value.to_string())),
            None => Err(AppError::invalid("method", "Choose how to pay.")),
        }
    }
}

struct Method {
    id: Option<String>,
    kind: MethodKind,
    label: String,
    token: Option<String>,
}

struct Started {
    payment_id: String,
    token: Option<String>,
    total: Money,
}

enum Begin {
    Started(Started),
    Settled(PaymentResult),
}

/// Pays `invoice_ids` of the payer's account in one payment, exactly once per `key` (see
/// [`PaymentKey`]: a client's key is its account's, never the system's or another account's).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn pay(
    state: &AppState,
    payer: Payer<'_>,
    invoice_ids: &[String],
    with: PayWith,
    key: &PaymentKey,
) -> Result<PaymentResult, AppError> {
    let key = key.as_str();
    if invoice_ids.is_empty() {
        return Err(AppError::invalid("invoices", "Choose at least one invoice to pay."));
    }
    let started = match begin(state, &payer, invoice_ids, &with, key).await? {
        Begin::Settled(result) => return Ok(result),
        Begin::Started(started) => started,
    };
    let Some(token) = started.token.as_deref() else {
        return Err(AppError::internal("pay", "online payment without a token"));
    };
    let outcome = state.processor.charge(ChargeRequest { token, amount: started.total, idempotency_key: key }).await;
    match outcome {
        Ok(outcome) => finish(state, &PaymentId::from(started.payment_id.to_string()), outcome).await,
        // Unknown outcome: leave it pending; the reconciler will look the key up.
        Err(unavailable) => {
            tracing::warn!(payment = %started.payment_id, error = %unavailable, "charge outcome unknown");
            Ok(PaymentResult::Pending { payment_id: started.payment_id })
        }
    }
}

async fn begin(
    state: &AppState,
    payer: &Payer<'_>,
    invoice_ids: &[String],
    with: &PayWith,
    key: &str,
) -> Result<Begin, AppError> {
    let now = unix_now(state.clock.as_ref());
    // Read before the write transaction: a use case never holds a transaction while asking the
    // pool for a second connection, or concurrent payers could starve each other of both.
    let (vendor_id, currency) = vendor_and_currency(state.db.pool(), &AccountId::from(payer.account_id)).await?;
    let vendor = settings::load(state.db.pool(), &vendor_id, currency).await?;
    let mut tx = state.db.begin_write().await?;

    if let Some(existing) = existing_result(&mut tx, &AccountId::from(payer.account_id), key).await? {
        tx.commit().await?;
        return Ok(Begin::Settled(existing));
    }

    let mut amount = Money::zero(currency);
    let mut numbers = Vec::new();
    let mut owed_each: Vec<i64> = Vec::new();
    let mut ids: Vec<&String> = invoice_ids.iter().collect();
    ids.sort();
    ids.dedup();
    for id in &ids {
        let row: Option<(String, InvoiceStatus, String, i64, i64, Option<String>)> = sqlx::query_as(
            "SELECT number, status, currency, total, amount_paid, payment_in_progress_id
             FROM invoices WHERE id = $1 AND account_id = $2",
        )
        .bind(id.as_str())
        .bind(payer.account_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((number, status, invoice_currency, total, paid, in_progress)) = row else {
            return Err(AppError::not_found());
        };
        if status != InvoiceStatus::Open || in_progress.is_some() {
            // On PostgreSQL a concurrent request with this same key may have committed after
            // the check above: then the invoice is taken by this very payment, not another.
            if let Some(existing) = existing_result(&mut tx, &AccountId::from(payer.account_id), key).await? {
                tx.commit().await?;
                return Ok(Begin::Settled(existing));
            }
        }
        if status == InvoiceStatus::Paid {
            return Err(AppError::Conflict(format!("Invoice {number} is already paid.")).tracked());
        }
        if status != InvoiceStatus::Open || in_progress.is_some() {
            return Err(AppError::Conflict(format!(
                "A payment for invoice {number} is already in progress. Check your payment history before trying again."
            ))
            .tracked());
        }
        if decode::currency(&invoice_currency)? != currency {
            return Err(AppError::invalid("invoices", "Invoices in different currencies must be paid separately."));
        }
        amount = amount
            .checked_add(decode::money(total - paid, &invoice_currency)?)
            .map_err(|e| AppError::internal("amount", e))?;
        owed_each.push(total - paid);
        numbers.push(number);
    }

    let method = load_method(&mut tx, &AccountId::from(payer.account_id), with).await?;
    let (fee, settles) = match quote(&vendor.schedule, method.kind, amount) {
        MethodQuote::Available { fee, settles, .. } => (fee, settles),
        MethodQuote::Unavailable { reason } => return Err(AppError::invalid("method", reason)),
    };
    let total = amount.checked_add(fee).map_err(|e| AppError::internal("total", e))?;
    let payment_id = new_id("pay");
    let offline = settles == Settlement::OnBankTransfer || method.token.is_none();
    let status = if offline { "awaiting_transfer" } else { "pending" };

    let inserted = sqlx::query(
        "INSERT INTO payments (id, account_id, payment_method_id, method_kind, method_label, amount, fee, currency, status,
                               idempotency_key, initiated_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(&payment_id)
    .bind(payer.account_id)
    .bind(method.id.as_deref())
    .bind(method.kind.as_str())
    .bind(&method.label)
    .bind(amount.minor)
    .bind(fee.minor)
    .bind(currency.code())
    .bind(status)
    .bind(key)
    .bind(payer.user_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        // The same key committed by a concurrent request between our check and insert (a double
        // click on PostgreSQL, where the check does not serialize): answer with that payment.
        tx.rollback().await?;
        let mut tx = state.db.begin_write().await?;
        let existing = existing_result(&mut tx, &AccountId::from(payer.account_id), key).await?;
        tx.commit().await?;
        return existing.map(Begin::Settled).ok_or_else(in_progress);
    }
    // The fee is shared across the invoices in proportion to what each receives, exactly: the
    // shares shown on the invoices add up to the fee charged.
    let fee_shares = allocate(fee, &owed_each);
    for ((id, owed), fee_share) in ids.iter().zip(&owed_each).zip(&fee_shares) {
        let locked = sqlx::query(
            "UPDATE invoices SET payment_in_progress_id = $1
             WHERE id = $2 AND account_id = $3 AND status = 'open' AND payment_in_progress_id IS NULL",
        )
        .bind(&payment_id)
        .bind(id.as_str())
        .bind(payer.account_id)
        .execute(&mut *tx)
        .await?;
        if locked.rows_affected() != 1 {
            tx.rollback().await?;
            return Err(in_progress());
        }
        sqlx::query("INSERT INTO payment_allocations (payment_id, invoice_id, amount, fee) VALUES ($1, $2, $3, $4)")
            .bind(&payment_id)
            .bind(id.as_str())
            .bind(*owed)
            .bind(fee_share.minor)
            .execute(&mut *tx)
            .await?;
    }
    record(
        &mut tx,
        now,
        AuditEvent {
            action: "payment.started",
            actor_user_id: payer.user_id,
            account_id: Some(payer.account_id),
            impersonator_user_id: payer.impersonator_id,
            target_type: Some("payment"),
            target_id: Some(&payment_id),
            detail: json!({ "invoices": numbers, "amount": amount.minor, "fee": fee.minor, "currency": currency.code(), "method": method.label }),
            ..Default::default()
        },
    )
    .await?;

    if offline {
        sqlx::query("UPDATE invoices SET status = 'awaiting_transfer' WHERE payment_in_progress_id = $1")
            .bind(&payment_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        return Ok(Begin::Settled(PaymentResult::AwaitingTransfer {
            payment_id: payment_id.clone(),
            total,
            instructions: transfer_instructions(method.kind, &vendor.wire_instructions),
            reference: reference_for(&PaymentId::from(payment_id.to_string())),
        }));
    }
    tx.commit().await?;
    Ok(Begin::Started(Started { payment_id, token: method.token, total }))
}

fn in_progress() -> AppError {
    AppError::Conflict(
        "A payment for this invoice is already in progress. Check your payment history before trying again.".into(),
    )
    .tracked()
}

fn transfer_instructions(kind: MethodKind, wire_instructions: &str) -> String {
    match kind {
        MethodKind::Wire if !wire_instructions.is_empty() => wire_instructions.to_string(),
        MethodKind::Wire => "Your provider will send its bank details for the transfer.".into(),
        MethodKind::Pix => {
            "Pay with the PIX code shown by your bank app; the invoice is marked paid when the transfer arrives.".into()
        }
        MethodKind::Boleto => {
            "Pay the boleto at any bank or in your bank app; it can take up to 3 business days to clear.".into()
        }
        _ => String::new(),
    }
}

#[derive(sqlx::FromRow)]
struct MethodRow {
    kind: String,
    brand: Option<String>,
    last4: Option<String>,
    bank_name: Option<String>,
    processor_token: String,
}

#[derive(sqlx::FromRow)]
struct RecordedPayment {
    id: String,
    status: PaymentStatus,
    amount: i64,
    fee: i64,
    currency: String,
    failure_message: Option<String>,
    method_label: String,
}

async fn load_method(tx: &mut Tx, account_id: &AccountId, with: &PayWith) -> Result<Method, AppError> {
    match with {
        PayWith::Offline(kind) => Ok(Method { id: None, kind: *kind, label: kind.label().to_string(), token: None }),
        PayWith::OneOffCard { token, label } => {
            Ok(Method { id: None, kind: MethodKind::Card, label: label.clone(), token: Some(token.clone()) })
        }
        PayWith::Stored(id) => {
            let row: Option<MethodRow> = sqlx::query_as(
                "SELECT kind, brand, last4, bank_name, processor_token FROM payment_methods
                 WHERE id = $1 AND account_id = $2 AND removed_at IS NULL",
            )
            .bind(id)
            .bind(account_id)
            .fetch_optional(&mut **tx)
            .await?;
            let Some(MethodRow { kind, brand, last4, bank_name: bank, processor_token: token }) = row else {
                return Err(AppError::invalid("method", "That payment method is no longer on file. Choose another."));
            };
            let kind = decode::enumerated(&kind, MethodKind::parse)?;
            Ok(Method {
                id: Some(id.clone()),
                kind,
                label: method_label(kind, brand.as_deref(), last4.as_deref(), bank.as_deref()),
                token: Some(token),
            })
        }
    }
}

/// The outcome already recorded for this idempotency key, if any.
async fn existing_result(tx: &mut Tx, account_id: &AccountId, key: &str) -> Result<Option<PaymentResult>, AppError> {
    let row: Option<RecordedPayment> = sqlx::query_as(
        "SELECT id, status, amount, fee, currency, failure_message, method_label FROM payments
         WHERE idempotency_key = $1 AND account_id = $2",
    )
    .bind(key)
    .bind(account_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(RecordedPayment { id, status, amount, fee, currency, failure_message: failure, method_label: label }) =
        row
    else {
        return Ok(None);
    };
    let amount = decode::money(amount, &currency)?;
    let fee = decode::money(fee, &currency)?;
    let total = amount.checked_add(fee).map_err(|e| AppError::internal("total", e))?;
    Ok(Some(match status {
        PaymentStatus::Succeeded => PaymentResult::Paid { payment_id: id, amount, fee, total, method_label: label },
        PaymentStatus::Failed => PaymentResult::Declined {
            payment_id: id,
            message: failure.unwrap_or_else(|| "The payment was declined.".into()),
        },
        PaymentStatus::AwaitingTransfer => PaymentResult::AwaitingTransfer {
            reference: reference_for(&PaymentId::from(id.to_string())),
            payment_id: id,
            total,
            instructions: "Complete the transfer with the instructions you were given.".into(),
        },
        _ => PaymentResult::Pending { payment_id: id },
    }))
}
