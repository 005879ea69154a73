//! Recording what the processor said about charges: each payment moves out of `pending` once,
//! and that move settles its invoices (or releases them and tells the billing contacts). The
//! same rules serve one payment (a client paying, the reconciler) and a batch (the billing
//! cycle's automatic charges, settled in one transaction).

use crate::domain::ids::InvoiceId;
use crate::domain::ids::{AccountId, PaymentId};
use serde_json::json;

use crate::domain::billing_items::format_date;
use crate::domain::webhooks::EventType;
use crate::server::credit::top_up::on_payments_settled;
use crate::server::infra::audit::{self, AuditEvent, record};
use crate::server::infra::clock::unix_now;
use crate::server::infra::db::bulk::{IDS_PER_STATEMENT, Value, update_each, update_from};
use crate::server::infra::db::{Tx, decode, placeholders};
use crate::server::infra::mail::outbox::{Email, billing_contacts, enqueue};
use crate::server::infra::processors::ChargeOutcome;
use crate::server::infra::state::AppState;
use crate::server::payments::links;
use crate::server::webhooks::{About, emit};
use crate::wire::error::AppError;
use crate::wire::payments::PaymentResult;

/// How many payments a [`settle`] call moved out of `pending` (a repeated call moves none).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Settled {
    pub succeeded: u64,
    pub failed: u64,
}

/// Records each payment's outcome in `tx`. Safe to call again for the same payments: only
/// the call that moves a payment out of `pending` does anything.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn settle(
    state: &AppState,
    tx: &mut Tx,
    now: i64,
    outcomes: &[(String, ChargeOutcome)],
) -> Result<Settled, AppError> {
    let charges: Vec<(&str, &str)> = outcomes
        .iter()
        .filter_map(|(payment_id, outcome)| match outcome {
            ChargeOutcome::Succeeded { charge_id } => Some((payment_id.as_str(), charge_id.as_str())),
            ChargeOutcome::Failed { .. } => None,
        })
        .collect();
    let mut settled = Settled { succeeded: settle_succeeded(tx, now, &charges).await?, failed: 0 };
    for (payment_id, outcome) in outcomes {
        if let ChargeOutcome::Failed { code, message } = outcome
            && settle_failed(state, tx, now, &PaymentId::from(payment_id), code, message).await?
        {
            settled.failed += 1;
        }
    }
    Ok(settled)
}

/// Records one charge's outcome in its own transaction and reports it to the payer.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn finish(
    state: &AppState,
    payment_id: &PaymentId,
    outcome: ChargeOutcome,
) -> Result<PaymentResult, AppError> {
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    let (amount, fee, currency, method_label): (i64, i64, String, String) =
        sqlx::query_as("SELECT amount, fee, currency, method_label FROM payments WHERE id = $1")
            .bind(payment_id)
            .fetch_one(&mut *tx)
            .await?;
    settle(state, &mut tx, now, &[(payment_id.to_string(), outcome.clone())]).await?;
    tx.commit().await?;
    Ok(match outcome {
        ChargeOutcome::Succeeded { .. } => {
            let amount = decode::money(amount, &currency)?;
            let fee = decode::money(fee, &currency)?;
            let total = amount.checked_add(fee).map_err(|e| AppError::internal("total", e))?;
            PaymentResult::Paid { payment_id: payment_id.to_string(), amount, fee, total, method_label }
        }
        ChargeOutcome::Failed { message, .. } => {
            PaymentResult::Declined { payment_id: payment_id.to_string(), message }
        }
    })
}

#[derive(sqlx::FromRow)]
struct SucceededPayment {
    id: String,
    account_id: String,
    total: i64,
    currency: String,
    initiated_by: Option<String>,
    processor_charge_id: String,
}

/// Marks the charged payments succeeded and their invoices paid, in a few statements however
/// many there are. Returns how many moved.
async fn settle_succeeded(tx: &mut Tx, now: i64, charges: &[(&str, &str)]) -> Result<u64, AppError> {
    let rows: Vec<Vec<Value>> = charges
        .iter()
        .map(|(payment_id, charge_id)| vec![(*payment_id).into(), (*charge_id).into(), now.into()])
        .collect();
    let moved: Vec<SucceededPayment> = update_from(
        tx,
        "v (id, charge_id, settled_at)",
        &rows,
        "UPDATE payments SET status = 'succeeded', processor_charge_id = v.charge_id, settled_at = v.settled_at
         FROM v WHERE payments.id = v.id AND payments.status = 'pending'
         RETURNING payments.id, payments.account_id, payments.amount + payments.fee AS total, payments.currency,
                   payments.initiated_by, payments.processor_charge_id",
    )
    .await?;
    let ids: Vec<String> = moved.iter().map(|payment| payment.id.clone()).collect();
    on_payments_settled(tx, now, &ids, true, "").await?;
    let locks: Vec<Vec<Value>> = ids.iter().map(|id| vec![id.as_str().into(), now.into()]).collect();
    update_each(
        tx,
        "v (payment_id, paid_at)",
        &locks,
        "UPDATE invoices SET status = 'paid', amount_paid = total, paid_at = v.paid_at, payment_in_progress_id = NULL, next_collection_on = NULL
         FROM v WHERE invoices.payment_in_progress_id = v.payment_id",
    )
    .await?;
    let events: Vec<Vec<Value>> = moved
        .iter()
        .map(|payment| {
            audit::row(
                now,
                AuditEvent {
                    action: "payment.succeeded",
                    actor_user_id: payment.initiated_by.as_deref(),
                    account_id: Some(&payment.account_id),
                    target_type: Some("payment"),
                    target_id: Some(&payment.id),
                    detail: json!({ "total": payment.total, "currency": payment.currency, "charge": payment.processor_charge_id }),
                    ..Default::default()
                },
            )
        })
        .collect();
    audit::record_all(tx, &events).await?;
    for payment in &moved {
        let account_id = AccountId::from(payment.account_id.as_str());
        emit(tx, now, &account_id, EventType::PaymentSucceeded, About::Payment(&payment.id)).await?;
        let paid: Vec<String> = sqlx::query_scalar(
            "SELECT a.invoice_id FROM payment_allocations a JOIN invoices i ON i.id = a.invoice_id
             WHERE a.payment_id = $1 AND i.status = 'paid' ORDER BY i.number",
        )
        .bind(&payment.id)
        .fetch_all(&mut **tx)
        .await?;
        for invoice_id in paid {
            emit(tx, now, &account_id, EventType::InvoicePaid, About::Invoice(&invoice_id)).await?;
        }
    }
    // A subscription left past due by an unpaid change is in good standing again once that
    // change's invoice (and any other of its changes) is paid.
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let sql = format!(
            "UPDATE subscriptions SET status = 'active', version = version + 1
             WHERE status = 'past_due'
               AND id IN (SELECT c.subscription_id FROM subscription_changes c JOIN payment_allocations a ON a.invoice_id = c.invoice_id
                          WHERE a.payment_id IN ({}))
               AND NOT EXISTS (SELECT 1 FROM subscription_changes c2 JOIN invoices i2 ON i2.id = c2.invoice_id
                               WHERE c2.subscription_id = subscriptions.id AND i2.status IN ('open', 'awaiting_transfer'))",
            placeholders(1, chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for id in chunk {
            query = query.bind(id);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(moved.len() as u64)
}

/// Marks a declined payment failed, releases its invoices and emails the billing contacts a
/// payment link for each. Returns whether it moved.
async fn settle_failed(
    state: &AppState,
    tx: &mut Tx,
    now: i64,
    payment_id: &PaymentId,
    code: &str,
    message: &str,
) -> Result<bool, AppError> {
    let moved: Option<(String, i64, String, String, Option<String>, String)> = sqlx::query_as(
        "UPDATE payments SET status = 'failed', failure_code = $2, failure_message = $3, settled_at = $4
         WHERE id = $1 AND status = 'pending'
         RETURNING account_id, amount + fee, currency, method_label, initiated_by, idempotency_key",
    )
    .bind(payment_id)
    .bind(code)
    .bind(message)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((account_id, total, currency, label, user, key)) = moved else { return Ok(false) };
    // Voids the prepayment invoices of a failed top-up first, so the failure email below
    // offers payment links only for what is still owed.
    on_payments_settled(tx, now, &[payment_id.to_string()], false, message).await?;
    let invoices: Vec<FailedInvoice> = sqlx::query_as(
        "SELECT id, number, due_date, total, amount_paid, collection_attempts, next_collection_on
         FROM invoices WHERE payment_in_progress_id = $1 ORDER BY number",
    )
    .bind(payment_id)
    .fetch_all(&mut **tx)
    .await?;
    // Released, and open again if they were waiting for a transfer that did not come.
    sqlx::query(
        "UPDATE invoices SET payment_in_progress_id = NULL, status = CASE WHEN status = 'awaiting_transfer' THEN 'open' ELSE status END
         WHERE payment_in_progress_id = $1",
    )
    .bind(payment_id)
    .execute(&mut **tx)
    .await?;
    // A change left unpaid does not stand as if paid: its subscription is past due, and changes
    // are refused until the invoice is paid (see `subscriptions::change`).
    sqlx::query(
        "UPDATE subscriptions SET status = 'past_due', version = version + 1
         WHERE status IN ('active', 'trialing')
           AND id IN (SELECT c.subscription_id FROM subscription_changes c JOIN payment_allocations a ON a.invoice_id = c.invoice_id
                      JOIN invoices i ON i.id = c.invoice_id WHERE a.payment_id = $1 AND i.status = 'open')",
    )
    .bind(payment_id)
    .execute(&mut **tx)
    .await?;
    let failed_account = AccountId::from(account_id.as_str());
    emit(tx, now, &failed_account, EventType::PaymentFailed, About::Payment(payment_id)).await?;
    for invoice in &invoices {
        emit(tx, now, &failed_account, EventType::InvoicePaymentFailed, About::Invoice(&invoice.id)).await?;
    }
    record(
        tx,
        now,
        AuditEvent {
            action: "payment.failed",
            actor_user_id: user.as_deref(),
            account_id: Some(&account_id),
            target_type: Some("payment"),
            target_id: Some(payment_id),
            detail: json!({ "code": code, "total": total, "currency": currency }),
            ..Default::default()
        },
    )
    .await?;
    // The billing cycle's scheduled attempts always tell the contacts what happens next; a
    // person's own attempts (a client at the payment page, someone with a payment link) at most
    // once an hour, so nobody can flood a client's inbox by failing payments.
    let scheduled = key.starts_with(crate::server::cycle::collect::KEY_PREFIX);
    if scheduled
        || !failure_emailed_within(tx, &AccountId::from(account_id.to_string()), now - FAILURE_EMAIL_INTERVAL_SECS)
            .await?
    {
        notify_failure(state, tx, now, &AccountId::from(account_id.to_string()), &label, message, &invoices, &currency)
            .await?;
    }
    Ok(true)
}

/// The shortest interval between two failure emails to an account for attempts made by people.
pub const FAILURE_EMAIL_INTERVAL_SECS: i64 = 3600;

async fn failure_emailed_within(tx: &mut Tx, account_id: &AccountId, since: i64) -> Result<bool, AppError> {
    let sent: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE account_id = $1 AND kind = 'payment_failed' AND created_at > $2",
    )
    .bind(account_id)
    .bind(since)
    .fetch_one(&mut **tx)
    .await?;
    Ok(sent > 0)
}

#[derive(sqlx::FromRow)]
struct FailedInvoice {
    id: String,
    number: String,
    due_date: String,
    total: i64,
    amount_paid: i64,
    /// Charges the billing cycle has tried (0: the client paid by hand).
    collection_attempts: i64,
    next_collection_on: Option<String>,
}

/// Emails every billing contact about a failed payment, with a payment link per invoice and,
/// for the billing cycle's automatic charges, when the next attempt is. A payment that leaves
/// nothing owed (a declined top-up, whose invoice is void) sends nothing.
#[allow(clippy::too_many_arguments)]
async fn notify_failure(
    state: &AppState,
    tx: &mut Tx,
    now: i64,
    account_id: &AccountId,
    method_label: &str,
    reason: &str,
    invoices: &[FailedInvoice],
    currency: &str,
) -> Result<(), AppError> {
    if invoices.is_empty() {
        return Ok(());
    }
    let contacts = billing_contacts(tx, account_id).await?;
    let base = state.settings.server.public_url.trim_end_matches('/').to_string();
    let mut lines = Vec::new();
    for invoice in invoices {
        let (token, expires_at) =
            links::create(tx, now, &InvoiceId::from(invoice.id.to_string()), account_id, None).await?;
        let due = decode::date(&invoice.due_date).map(format_date).unwrap_or_else(|_| invoice.due_date.clone());
        let expires = crate::domain::billing_items::format_unix_date(expires_at);
        let retry = match (invoice.collection_attempts, invoice.next_collection_on.as_deref()) {
            (0, _) => String::new(),
            (_, Some(next)) => format!(
                "\n  We will try to charge it again on {}.",
                decode::date(next).map(format_date).unwrap_or_else(|_| next.to_string())
            ),
            (_, None) => "\n  We will not try to charge it again automatically.".to_string(),
        };
        lines.push(format!(
            "  Invoice {}, {} due {due}{retry}\n  Pay it here (no sign-in needed, link works until {expires}):\n  {base}{}",
            invoice.number,
            decode::money(invoice.total - invoice.amount_paid, currency)?.format(),
            links::link_path(&token)
        ));
    }
    let subject = match invoices {
        [only] => format!("Payment failed for invoice {}", only.number),
        _ => "A payment failed".to_string(),
    };
    for (name, email) in contacts {
        let body = format!(
            "Hello {name},\n\nThe payment with {method_label} did not go through: {reason}\n\n{}\n\n\
             The invoice stays open until it is paid. If your service depends on it, paying now keeps it running.\n\n— Portico billing",
            lines.join("\n\n")
        );
        enqueue(
            tx,
            now,
            Email { kind: "payment_failed", to: &email, subject: &subject, body: &body, account_id: Some(account_id) },
        )
        .await?;
    }
    Ok(())
}

/// Settles payments left `pending` longer than `older_than_secs` (the process died between
/// the charge and its record, or the processor did not answer) by asking the processor what
/// happened to their idempotency keys. Returns how many were settled.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn reconcile_pending(state: &AppState, older_than_secs: i64) -> Result<usize, AppError> {
    let cutoff = unix_now(state.clock.as_ref()) - older_than_secs;
    let pending: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, idempotency_key FROM payments WHERE status = 'pending' AND created_at <= $1 ORDER BY created_at",
    )
    .bind(cutoff)
    .fetch_all(state.db.pool())
    .await?;
    let mut settled = 0;
    for (payment_id, key) in pending {
        let outcome = match state.processor.find_charge(&key).await {
            Ok(Some(outcome)) => outcome,
            // The processor never saw the charge: it did not happen, so the attempt failed.
            Ok(None) => ChargeOutcome::Failed {
                code: "abandoned".into(),
                message: "The payment was interrupted before it reached the card network. Nothing was charged.".into(),
            },
            Err(e) => {
                tracing::warn!(payment = %payment_id, error = %e, "processor still unavailable; will retry");
                continue;
            }
        };
        finish(state, &PaymentId::from(payment_id.to_string()), outcome).await?;
        settled += 1;
    }
    Ok(settled)
}
