//! Bank transfers (wire, PIX, Boleto) finish one way or the other. A payment the client chose to
//! make by transfer waits (`awaiting_transfer`, its invoices locked to it) until:
//! - the vendor receives the money and records it (staff, or the operator API): the payment is
//!   settled by the same rules as any successful charge (`settle::settle`): invoices paid, a
//!   prepayment credited, the service block it caused lifted, all in one transaction; or
//! - the vendor's wait (`transfer_wait_days`) passes without it: the payment fails as "not
//!   received", its invoices are open again, the billing contacts are told, and the billing
//!   cycle's automatic collection resumes where it had a charge scheduled.

use crate::domain::ids::{AccountId, PaymentId};
use serde_json::json;

use crate::domain::money::Money;
use crate::server::infra::audit::{AuditEvent, record};
use crate::server::infra::db::bulk::{IDS_PER_STATEMENT, bind_all};
use crate::server::infra::db::{Tx, decode, placeholders};
use crate::server::infra::processors::ChargeOutcome;
use crate::server::infra::state::AppState;
use crate::server::payments::settle::settle;
use crate::wire::error::AppError;

/// What the client is asked to put in the transfer's memo: it names the payment.
pub fn reference_for(payment_id: &PaymentId) -> String {
    payment_id.trim_start_matches("pay_").chars().take(10).collect::<String>().to_uppercase()
}

/// A payment awaiting its transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub payment_id: String,
    pub account_id: String,
    pub reference: String,
    /// What the transfer must bring: the invoices' amount (transfers carry no fee).
    pub total: Money,
    pub method_label: String,
    /// Unix seconds.
    pub since: i64,
}

/// Who recorded a transfer as received.
pub enum Recorder<'a> {
    Staff { user_id: &'a str },
    ApiKey { key_id: &'a str },
}

/// payment id, account, total, currency, method label, created at.
type WaitingRow = (String, String, i64, String, String, i64);

fn waiting(row: WaitingRow) -> Result<Waiting, AppError> {
    let (payment_id, account_id, total, currency, method_label, since) = row;
    Ok(Waiting {
        reference: reference_for(&PaymentId::from(payment_id.to_string())),
        total: decode::money(total, &currency)?,
        payment_id,
        account_id,
        method_label,
        since,
    })
}

/// Payments awaiting a transfer for the accounts of `vendor_id` (all of them: a vendor has few).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn awaiting(pool: &sqlx::AnyPool, vendor_id: &str) -> Result<Vec<Waiting>, AppError> {
    let rows: Vec<WaitingRow> = sqlx::query_as(
        "SELECT p.id, p.account_id, p.amount + p.fee, p.currency, p.method_label, p.created_at
         FROM payments p JOIN accounts a ON a.id = p.account_id
         WHERE a.vendor_id = $1 AND p.status = 'awaiting_transfer' ORDER BY p.created_at, p.id",
    )
    .bind(vendor_id)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(waiting).collect()
}

/// The account's payment awaiting a transfer, named by its id or by the reference the client put
/// in the transfer. Another account's payment answers like a missing one.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn find(
    pool: &sqlx::AnyPool,
    account_id: &AccountId,
    payment_or_reference: &str,
) -> Result<Option<(Waiting, String)>, AppError> {
    let wanted = payment_or_reference.trim();
    let rows: Vec<(String, String, i64, String, String, i64, String)> = sqlx::query_as(
        "SELECT id, account_id, amount + fee, currency, method_label, created_at, status FROM payments
         WHERE account_id = $1 AND method_kind IN ('wire', 'pix', 'boleto') ORDER BY created_at DESC",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await?;
    for (id, account, total, currency, label, since, status) in rows {
        if id == wanted || reference_for(&PaymentId::from(id.to_string())).eq_ignore_ascii_case(wanted) {
            return Ok(Some((waiting((id, account, total, currency, label, since))?, status)));
        }
    }
    Ok(None)
}

/// Records the transfer for `payment_id` (of `account_id`) as received, for `amount`, with the
/// bank's reference. Settles it by the rules of every payment. Recording it again is harmless
/// (the payment is already settled: nothing moves).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn record_received(
    state: &AppState,
    account_id: &AccountId,
    payment_or_reference: &str,
    amount: Money,
    bank_reference: &str,
    by: Recorder<'_>,
) -> Result<Waiting, AppError> {
    let bank_reference = bank_reference.trim();
    if bank_reference.is_empty() || bank_reference.chars().count() > 100 || bank_reference.chars().any(char::is_control)
    {
        return Err(AppError::invalid(
            "bank_reference",
            "Enter the bank's reference for the transfer (up to 100 characters).",
        ));
    }
    let Some((payment, status)) = find(state.db.pool(), account_id, payment_or_reference).await? else {
        return Err(AppError::not_found());
    };
    match status.as_str() {
        "awaiting_transfer" => {}
        "succeeded" => return Ok(payment),
        _ => return Err(AppError::Conflict(
            "This payment is no longer awaiting a transfer: it was not received in time. The invoice is open again."
                .into(),
        )
        .tracked()),
    }
    if amount != payment.total {
        return Err(AppError::invalid(
            "amount",
            format!(
                "The transfer for {} is {}: a transfer for another amount is settled by hand with the client.",
                payment.reference,
                payment.total.format()
            ),
        ));
    }
    let now = crate::server::infra::clock::unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    // Settling moves a pending payment: the transfer makes this one pending for that moment.
    let moved = sqlx::query(
        "UPDATE payments SET status = 'pending' WHERE id = $1 AND account_id = $2 AND status = 'awaiting_transfer'",
    )
    .bind(&payment.payment_id)
    .bind(account_id)
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() != 1 {
        // Recorded by someone else a moment ago.
        tx.rollback().await?;
        return Ok(payment);
    }
    let charge_id = format!("transfer:{bank_reference}");
    settle(state, &mut tx, now, &[(payment.payment_id.clone(), ChargeOutcome::Succeeded { charge_id })]).await?;
    let (actor, key) = match by {
        Recorder::Staff { user_id } => (Some(user_id), None),
        Recorder::ApiKey { key_id } => (None, Some(key_id)),
    };
    record(
        &mut tx,
        now,
        AuditEvent {
            action: "payment.transfer_received",
            actor_user_id: actor,
            account_id: Some(account_id),
            target_type: Some("payment"),
            target_id: Some(&payment.payment_id),
            detail: json!({ "reference": payment.reference, "bank_reference": bank_reference, "amount": amount.minor, "currency": amount.currency.code(), "api_key": key }),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(payment)
}

/// Fails the transfers of `accounts` still awaited `wait_days` after they were chosen (at
/// `now`): their invoices are open again (collection resumes where it was scheduled) and the
/// billing contacts are told. Returns how many.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn expire_waiting(
    state: &AppState,
    tx: &mut Tx,
    accounts: &[String],
    now: i64,
    wait_days: &(dyn Fn(&str) -> i64 + Sync),
) -> Result<u64, AppError> {
    let mut expired = Vec::new();
    for chunk in accounts.chunks(IDS_PER_STATEMENT) {
        let sql = format!(
            "SELECT p.id, a.vendor_id, p.created_at FROM payments p JOIN accounts a ON a.id = p.account_id
             WHERE p.account_id IN ({}) AND p.status = 'awaiting_transfer'",
            placeholders(1, chunk.len())
        );
        let rows: Vec<(String, String, i64)> = bind_all(sqlx::query_as(&sql), chunk).fetch_all(&mut **tx).await?;
        for (payment_id, vendor_id, since) in rows {
            let days = wait_days(&vendor_id);
            if now - since >= days * 86_400 {
                expired.push((payment_id, days));
            }
        }
    }
    let mut outcomes = Vec::with_capacity(expired.len());
    for (payment_id, days) in &expired {
        sqlx::query("UPDATE payments SET status = 'pending' WHERE id = $1 AND status = 'awaiting_transfer'")
            .bind(payment_id)
            .execute(&mut **tx)
            .await?;
        let message = format!("No transfer arrived within {days} days, so the invoice is open again.");
        outcomes.push((payment_id.clone(), ChargeOutcome::Failed { code: "transfer_not_received".into(), message }));
    }
    Ok(settle(state, tx, now, &outcomes).await?.failed)
}

/// The vendor's payments awaiting a transfer, for its staff.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn for_staff(
    caller: &crate::server::infra::auth::authorize::Authorized,
) -> Result<Vec<crate::wire::staff::AwaitingTransfer>, AppError> {
    let vendor_id = &caller.staff()?.vendor_id;
    let pool = caller.state.db.pool();
    let mut conn = pool.acquire().await?;
    let wait_days = crate::server::cycle::rules::load(&mut conn, vendor_id).await?.transfer_wait_days;
    drop(conn);
    let names: std::collections::HashMap<String, String> =
        sqlx::query_as::<_, (String, String)>("SELECT id, name FROM accounts WHERE vendor_id = $1")
            .bind(vendor_id)
            .fetch_all(pool)
            .await?
            .into_iter()
            .collect();
    awaiting(pool, vendor_id)
        .await?
        .into_iter()
        .map(|w| {
            let chosen_on = time::OffsetDateTime::from_unix_timestamp(w.since)
                .map_err(|e| AppError::internal("transfer date", e))?
                .date();
            Ok(crate::wire::staff::AwaitingTransfer {
                account_name: names.get(&w.account_id).cloned().unwrap_or_default(),
                open_again_on: chosen_on + time::Duration::days(wait_days),
                payment_id: w.payment_id,
                account_id: w.account_id,
                reference: w.reference,
                total: w.total,
                method_label: w.method_label,
                since: w.since,
            })
        })
        .collect()
}

/// A transfer recorded by a staff admin, for an account of their vendor.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn record_by_staff(
    caller: &crate::server::infra::auth::authorize::Authorized,
    account_id: &AccountId,
    payment_id: &PaymentId,
    typed_amount: &str,
    bank_reference: &str,
) -> Result<(), AppError> {
    let vendor_id = &caller.staff()?.vendor_id;
    let currency: Option<String> = sqlx::query_scalar("SELECT currency FROM accounts WHERE id = $1 AND vendor_id = $2")
        .bind(account_id)
        .bind(vendor_id)
        .fetch_optional(caller.state.db.pool())
        .await?;
    let currency = decode::currency(&currency.ok_or_else(AppError::not_found)?)?;
    let amount =
        crate::domain::money::parse_typed(typed_amount, currency).map_err(|m| AppError::invalid("amount", m))?;
    record_received(
        &caller.state,
        account_id,
        payment_id,
        amount,
        bank_reference,
        Recorder::Staff { user_id: caller.user_id() },
    )
    .await
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::reference_for;
    use crate::domain::ids::PaymentId;

    #[test]
    fn a_reference_is_ten_characters_of_the_payment_id_in_capitals() {
        assert_eq!(reference_for(&PaymentId::from("pay_3xTq9pLmZ0aB4cD5")), "3XTQ9PLMZ0");
        assert_eq!(reference_for(&PaymentId::from("pay_abc")), "ABC");
    }
}
