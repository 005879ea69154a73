//! "Add to credit balance" (seed 003): a prepayment invoice paid at once. The invoice and the
//! top-up are written first under the caller's idempotency key, then paid through the ordinary
//! payment flow with the same key; the balance moves when that payment is recorded as
//! succeeded ([`on_payments_settled`]), in the transaction that settles it, so exactly once.

use crate::domain::ids::{AccountId, MethodId};
use serde_json::json;

use crate::domain::credit::{EntryKind, validate_top_up};
use crate::domain::money::Money;
use crate::server::accounts::billing_details::bill_to_snapshot;
use crate::server::accounts::queries::vendor_and_currency;
use crate::server::infra::audit::{AuditEvent, record};
use crate::server::infra::clock::{today, unix_now};
use crate::server::infra::db::bulk::{IDS_PER_STATEMENT, bind_all};
use crate::server::infra::db::{Tx, decode, placeholders};
use crate::server::infra::ids::new_id;
use crate::server::infra::mail::outbox::{Email, billing_contacts, enqueue};
use crate::server::infra::state::AppState;
use crate::server::invoices::numbering::next_invoice_number;
use crate::server::payments::key::PaymentKey;
use crate::server::payments::pay::{PayWith, Payer, pay};
use crate::wire::error::AppError;
use crate::wire::payments::PaymentResult;

use crate::server::credit::ledger::{NewEntry, append};

pub const LINE_DESCRIPTION: &str = "Prepaid message credit";

/// Tops up the payer's account with `amount`, charged to the stored method `method_id`, once
/// per `key` (the client's, in its account's namespace).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn top_up(
    state: &AppState,
    payer: Payer<'_>,
    amount: Money,
    method_id: &MethodId,
    raw_key: &str,
) -> Result<PaymentResult, AppError> {
    let payment_key = PaymentKey::client(&AccountId::from(payer.account_id), raw_key)?;
    let key = payment_key.as_str();
    let (vendor_id, currency) = vendor_and_currency(state.db.pool(), &AccountId::from(payer.account_id)).await?;
    if amount.currency != currency {
        return Err(AppError::invalid("amount", format!("Top-ups for this account are in {}.", currency.code())));
    }
    validate_top_up(amount).map_err(|message| AppError::invalid("amount", message))?;
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    let existing: Option<(Option<String>,)> =
        sqlx::query_as("SELECT invoice_id FROM top_ups WHERE idempotency_key = $1 AND account_id = $2")
            .bind(key)
            .bind(payer.account_id)
            .fetch_optional(&mut *tx)
            .await?;
    let invoice_id = match existing {
        Some((Some(invoice_id),)) => {
            tx.commit().await?;
            invoice_id
        }
        Some((None,)) => return Err(AppError::internal("top-up", "a client top-up without an invoice")),
        None => {
            let invoice_id =
                open_prepayment_invoice(&mut tx, now, state, &vendor_id, &AccountId::from(payer.account_id), amount)
                    .await?;
            let inserted = sqlx::query(
                "INSERT INTO top_ups (id, account_id, trigger_kind, status, amount, currency, payment_method_id, idempotency_key,
                                      invoice_id, requested_by, created_at)
                 VALUES ($1, $2, 'client', 'started', $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (idempotency_key) DO NOTHING",
            )
            .bind(new_id("top"))
            .bind(payer.account_id)
            .bind(amount.minor)
            .bind(currency.code())
            .bind(method_id)
            .bind(key)
            .bind(&invoice_id)
            .bind(payer.user_id)
            .bind(now)
            .execute(&mut *tx)
            .await;
            match inserted {
                Ok(done) if done.rows_affected() == 1 => tx.commit().await?,
                // The same key committed by a concurrent request (a double click on PostgreSQL):
                // drop this invoice and pay the one that request made.
                Ok(_) => {
                    tx.rollback().await?;
                    return Box::pin(top_up(state, payer, amount, method_id, raw_key)).await;
                }
                Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => {
                    return Err(AppError::invalid(
                        "method",
                        "That payment method is no longer on file. Choose another.",
                    ));
                }
                Err(e) => return Err(e.into()),
            }
            invoice_id
        }
    };
    pay(state, payer, &[invoice_id], PayWith::Stored(method_id.to_string()), &payment_key).await
}

/// Issues an open prepayment invoice for `amount`, numbered in the vendor's sequence.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn open_prepayment_invoice(
    tx: &mut Tx,
    now: i64,
    state: &AppState,
    vendor_id: &str,
    account_id: &AccountId,
    amount: Money,
) -> Result<String, AppError> {
    let number = next_invoice_number(tx, vendor_id).await?;
    let bill_to = bill_to_snapshot(&mut **tx, account_id).await?;
    let invoice_id = new_id("inv");
    let day = crate::domain::billing_items::iso_date(today(state.clock.as_ref()));
    sqlx::query(
        "INSERT INTO invoices (id, vendor_id, account_id, number, kind, status, currency, issue_date, due_date,
                               subtotal, tax, total, amount_paid, bill_to_name, bill_to_address, bill_to_tax_id, memo, created_at)
         VALUES ($1, $2, $3, $4, 'prepayment', 'open', $5, $6, $6, $7, 0, $7, 0, $8, $9, $10, $11, $12)",
    )
    .bind(&invoice_id)
    .bind(vendor_id)
    .bind(account_id)
    .bind(&number)
    .bind(amount.currency.code())
    .bind(&day)
    .bind(amount.minor)
    .bind(&bill_to.name)
    .bind(&bill_to.address)
    .bind(bill_to.tax_id.as_deref())
    .bind("Added to your credit balance")
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO invoice_lines (id, invoice_id, position, description, quantity, unit_amount, amount) VALUES ($1, $2, 1, $3, 1, $4, $4)",
    )
    .bind(new_id("lin"))
    .bind(&invoice_id)
    .bind(LINE_DESCRIPTION)
    .bind(amount.minor)
    .execute(&mut **tx)
    .await?;
    Ok(invoice_id)
}

/// invoice id, account, number, total, currency, top-up id, trigger kind.
type Prepayment = (String, String, String, i64, String, Option<String>, Option<String>);

/// Called by the payment flow in the transaction that moves payments out of `pending`, once.
/// A succeeded payment credits each prepayment invoice it pays; a failed one voids them (a
/// top-up that did not happen owes nothing) and tells the billing contacts about an automatic
/// one, which nobody was watching.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn on_payments_settled(
    tx: &mut Tx,
    now: i64,
    payment_ids: &[String],
    succeeded: bool,
    failure: &str,
) -> Result<(), AppError> {
    for chunk in payment_ids.chunks(IDS_PER_STATEMENT) {
        let sql = format!(
            "SELECT i.id, i.account_id, i.number, i.total, i.currency, t.id, t.trigger_kind
             FROM payment_allocations a JOIN invoices i ON i.id = a.invoice_id LEFT JOIN top_ups t ON t.invoice_id = i.id
             WHERE a.payment_id IN ({}) AND i.kind = 'prepayment' ORDER BY i.number",
            placeholders(1, chunk.len())
        );
        let prepayments: Vec<Prepayment> = bind_all(sqlx::query_as(&sql), chunk).fetch_all(&mut **tx).await?;
        for prepayment in prepayments {
            on_prepayment_settled(tx, now, prepayment, succeeded, failure).await?;
        }
    }
    Ok(())
}

async fn on_prepayment_settled(
    tx: &mut Tx,
    now: i64,
    prepayment: Prepayment,
    succeeded: bool,
    failure: &str,
) -> Result<(), AppError> {
    let (invoice_id, account_id, number, total, currency, top_up_id, trigger) = prepayment;
    let amount = decode::money(total, &currency)?;
    if succeeded {
        let description = format!("Top-up, invoice {number}");
        let mut entry = NewEntry::new(&account_id, amount, EntryKind::Prepayment, &description);
        entry.invoice_id = Some(&invoice_id);
        append(tx, now, entry).await?;
    } else {
        sqlx::query(
            "UPDATE invoices SET status = 'void', payment_in_progress_id = NULL WHERE id = $1 AND status = 'open'",
        )
        .bind(&invoice_id)
        .execute(&mut **tx)
        .await?;
        if trigger.as_deref() == Some("automatic") {
            automatic_top_up_failed(tx, now, &AccountId::from(account_id.to_string()), amount, failure).await?;
        }
    }
    if let Some(top_up_id) = top_up_id {
        sqlx::query(
            "UPDATE top_ups SET status = $2, finished_at = $3 WHERE id = $1 AND status IN ('requested', 'started')",
        )
        .bind(&top_up_id)
        .bind(if succeeded { "succeeded" } else { "failed" })
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn automatic_top_up_failed(
    tx: &mut Tx,
    now: i64,
    account_id: &AccountId,
    amount: Money,
    reason: &str,
) -> Result<(), AppError> {
    let subject = format!("Automatic top-up of {} failed", amount.format());
    for (name, email) in billing_contacts(tx, account_id).await? {
        let body = format!(
            "Hello {name},\n\nYour automatic top-up of {} did not go through: {reason}\n\n\
             Add to your credit balance in the billing portal, under Credit, or choose another method for automatic top-ups.\n\
             We try again automatically the next time your balance falls to your top-up threshold.\n\n— Portico billing",
            amount.format()
        );
        enqueue(
            tx,
            now,
            Email { kind: "top_up_failed", to: &email, subject: &subject, body: &body, account_id: Some(account_id) },
        )
        .await?;
    }
    record(
        tx,
        now,
        AuditEvent {
            action: "credit.auto_top_up_failed",
            account_id: Some(account_id),
            detail: json!({ "amount": amount.minor, "currency": amount.currency.code(), "reason": reason }),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}
