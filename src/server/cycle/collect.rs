//! Automatic collection and dunning. An invoice the cycle issued to an account with a
//! chargeable method is charged on issue; each failure schedules the next attempt by the
//! vendor's retry schedule (counted from the issue date) until it runs out. The failure email
//! (see `payments::settle`) tells the billing contacts when the next attempt is and gives a
//! payment link.
//!
//! A batch of accounts is charged in three steps, the shape of `payments::pay` for many
//! payments at once: one transaction claims each due attempt by a conditional update and
//! records its payment (pending, with a key derived from the invoice and the attempt's number,
//! so of two workers making the same attempt only one charges); the processor charges them
//! all; one transaction settles the outcomes. A crash between the last two leaves the payments
//! pending for the reconciler, which asks the processor what happened to each key.

use std::collections::HashMap;

use serde_json::json;
use time::{Date, Duration};

use crate::domain::billing_items::iso_date;
use crate::domain::currency::Currency;
use crate::domain::fees::{FeeSchedule, MethodQuote, quote};
use crate::domain::money::Money;
use crate::server::cycle::method;
use crate::server::cycle::rules::BillingRules;
use crate::server::infra::audit::{self, AuditEvent};
use crate::server::infra::clock::unix_now;
use crate::server::infra::db::bulk::{IDS_PER_STATEMENT, Value, bind_all, insert, update_from};
use crate::server::infra::db::{Tx, decode, placeholders};
use crate::server::infra::ids::new_id;
use crate::server::infra::processors::ChargeRequest;
use crate::server::infra::state::AppState;
use crate::server::payments::settings;
use crate::server::payments::settle::settle;
use crate::wire::error::AppError;

/// The billing cycle's own idempotency keys: `cycle-<invoice>-<attempt>`. Clients' keys are
/// namespaced apart (see `payments::key`), so they can never be one of these.
pub const KEY_PREFIX: &str = "cycle-";

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Collected {
    pub succeeded: u64,
    pub failed: u64,
}

/// Charges what is due on `date` from `accounts`: first attempts of invoices just issued and
/// retries of earlier ones.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn collect_due(
    state: &AppState,
    rules_by_vendor: &HashMap<String, BillingRules>,
    accounts: &[String],
    date: Date,
) -> Result<Collected, AppError> {
    let attempts = start(state, rules_by_vendor, accounts, date).await?;
    if attempts.is_empty() {
        return Ok(Collected::default());
    }
    let requests = attempts
        .iter()
        .map(|attempt| ChargeRequest { token: &attempt.token, amount: attempt.total, idempotency_key: &attempt.key })
        .collect();
    let outcomes = state.processor.charge_many(requests).await;
    let mut known = Vec::with_capacity(attempts.len());
    for (attempt, outcome) in attempts.iter().zip(outcomes) {
        match outcome {
            Ok(outcome) => known.push((attempt.payment_id.clone(), outcome)),
            // Unknown outcome: left pending; the reconciler will look the key up.
            Err(unavailable) => {
                tracing::warn!(payment = %attempt.payment_id, error = %unavailable, "charge outcome unknown")
            }
        }
    }
    let mut tx = state.db.begin_write().await?;
    let settled = settle(state, &mut tx, unix_now(state.clock.as_ref()), &known).await?;
    tx.commit().await?;
    Ok(Collected { succeeded: settled.succeeded, failed: settled.failed })
}

/// A charge claimed and recorded as a pending payment, to be sent to the processor.
struct Attempt {
    payment_id: String,
    key: String,
    token: String,
    total: Money,
}

#[derive(sqlx::FromRow)]
struct DueInvoice {
    id: String,
    account_id: String,
    vendor_id: String,
    number: String,
    issue_date: String,
    collection_attempts: i64,
    owed: i64,
    currency: String,
    subscription_method: Option<String>,
}

async fn start(
    state: &AppState,
    rules_by_vendor: &HashMap<String, BillingRules>,
    accounts: &[String],
    date: Date,
) -> Result<Vec<Attempt>, AppError> {
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    let due = due_invoices(&mut tx, accounts, date).await?;
    if due.is_empty() {
        tx.commit().await?;
        return Ok(Vec::new());
    }
    let with_due: Vec<String> = due
        .iter()
        .map(|invoice| invoice.account_id.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let methods = method::chargeable(&mut tx, &with_due).await?;
    let mut schedules: HashMap<(String, Currency), FeeSchedule> = HashMap::new();

    let mut claims: Vec<Vec<Value>> = Vec::new();
    let mut planned = HashMap::new();
    for invoice in &due {
        let currency = decode::currency(&invoice.currency)?;
        let schedule_key = (invoice.vendor_id.clone(), currency);
        if !schedules.contains_key(&schedule_key) {
            let schedule = settings::load(&mut *tx, &invoice.vendor_id, currency).await?.schedule;
            schedules.insert(schedule_key.clone(), schedule);
        }
        let owed = decode::money(invoice.owed, &invoice.currency)?;
        let chosen = method::choose(
            methods.get(&invoice.account_id).map_or(&[][..], Vec::as_slice),
            invoice.subscription_method.as_deref(),
        );
        let quoted = chosen.map(|method| (method, quote(&schedules[&schedule_key], method.kind, owed)));
        let (method, fee) = match quoted {
            Some((method, MethodQuote::Available { fee, .. })) => (method, fee),
            unchargeable => {
                // The method was removed after the invoice was issued, or no longer takes this
                // amount: nothing is charged automatically any more; the client pays by hand.
                if let Some((method, MethodQuote::Unavailable { reason })) = unchargeable {
                    tracing::warn!(invoice = %invoice.id, method = %method.id, %reason, "automatic charge not possible");
                }
                stop_collection(&mut tx, invoice).await?;
                continue;
            }
        };
        let made = invoice.collection_attempts + 1;
        let next = rules_by_vendor
            .get(&invoice.vendor_id)
            .ok_or_else(|| AppError::internal("collect", "billing rules of the vendor not loaded"))?
            .retries
            .next_attempt(decode::date(&invoice.issue_date)?, made.clamp(0, u32::MAX as i64) as u32)
            .map(|day| day.max(date + Duration::days(1)));
        let payment_id = new_id("pay");
        claims.push(vec![
            invoice.id.as_str().into(),
            invoice.collection_attempts.into(),
            made.into(),
            next.map(iso_date).into(),
            payment_id.as_str().into(),
        ]);
        planned.insert(invoice.id.clone(), (invoice, method, fee, owed, payment_id, made));
    }

    // Of two workers, only one moves an invoice's attempt count and takes its payment lock.
    let claimed: Vec<(String,)> = update_from(
        &mut tx,
        "v (id, attempts, made, next_on, payment_id)",
        &claims,
        "UPDATE invoices SET collection_attempts = v.made, next_collection_on = v.next_on, payment_in_progress_id = v.payment_id
         FROM v WHERE invoices.id = v.id AND invoices.collection_attempts = v.attempts
           AND invoices.status = 'open' AND invoices.payment_in_progress_id IS NULL
         RETURNING invoices.id",
    )
    .await?;

    let (mut payments, mut allocations, mut events, mut attempts): (Vec<Vec<Value>>, Vec<Vec<Value>>, _, _) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (invoice_id,) in claimed {
        let Some((invoice, method, fee, owed, payment_id, made)) = planned.remove(&invoice_id) else { continue };
        let total = owed.checked_add(fee).map_err(|e| AppError::internal("total", e))?;
        let key = format!("{KEY_PREFIX}{}-{made}", invoice.id);
        payments.push(vec![
            payment_id.as_str().into(),
            invoice.account_id.as_str().into(),
            method.id.as_str().into(),
            method.kind.as_str().into(),
            method.label.as_str().into(),
            owed.minor.into(),
            fee.minor.into(),
            invoice.currency.as_str().into(),
            "pending".into(),
            key.as_str().into(),
            now.into(),
        ]);
        // One invoice per automatic charge: its fee is the invoice's.
        allocations.push(vec![
            payment_id.as_str().into(),
            invoice.id.as_str().into(),
            owed.minor.into(),
            fee.minor.into(),
        ]);
        events.push(audit::row(
            now,
            AuditEvent {
                action: "payment.started",
                account_id: Some(&invoice.account_id),
                target_type: Some("payment"),
                target_id: Some(&payment_id),
                detail: json!({ "invoices": [invoice.number], "amount": owed.minor, "fee": fee.minor, "currency": invoice.currency, "method": method.label, "attempt": made }),
                ..Default::default()
            },
        ));
        attempts.push(Attempt { payment_id, key, token: method.processor_token.clone(), total });
    }
    insert(
        &mut tx,
        "payments (id, account_id, payment_method_id, method_kind, method_label, amount, fee, currency, status, idempotency_key, created_at)",
        &payments,
    )
    .await?;
    insert(&mut tx, "payment_allocations (payment_id, invoice_id, amount, fee)", &allocations).await?;
    audit::record_all(&mut tx, &events).await?;
    tx.commit().await?;
    Ok(attempts)
}

/// Open invoices of `accounts` with a charge due by `date` and none in progress, oldest first.
async fn due_invoices(tx: &mut Tx, accounts: &[String], date: Date) -> Result<Vec<DueInvoice>, AppError> {
    let mut due = Vec::new();
    for chunk in accounts.chunks(IDS_PER_STATEMENT) {
        let sql = format!(
            "SELECT i.id, i.account_id, a.vendor_id, i.number, i.issue_date, i.collection_attempts, i.total - i.amount_paid AS owed,
                    i.currency, s.payment_method_id AS subscription_method
             FROM invoices i JOIN accounts a ON a.id = i.account_id LEFT JOIN subscriptions s ON s.id = i.subscription_id
             WHERE i.account_id IN ({}) AND i.status = 'open' AND i.kind <> 'prepayment'
               AND i.next_collection_on IS NOT NULL AND i.next_collection_on <= ${} AND i.payment_in_progress_id IS NULL
             ORDER BY i.account_id, i.issue_date, i.number",
            placeholders(1, chunk.len()),
            chunk.len() + 1
        );
        due.extend(bind_all(sqlx::query_as(&sql), chunk).bind(iso_date(date)).fetch_all(&mut **tx).await?);
    }
    Ok(due)
}

async fn stop_collection(tx: &mut Tx, invoice: &DueInvoice) -> Result<(), AppError> {
    sqlx::query("UPDATE invoices SET next_collection_on = NULL WHERE id = $1 AND collection_attempts = $2")
        .bind(&invoice.id)
        .bind(invoice.collection_attempts)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
