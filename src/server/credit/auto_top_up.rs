//! Paying automatic top-ups. The ledger requests one when the balance crosses the client's
//! threshold; this pays it outside that transaction, with the top-up's own idempotency key, so
//! running it twice (a retry, two server processes, a restart halfway) pays it once.

use crate::domain::ids::AccountId;
use crate::server::accounts::queries::vendor_and_currency;
use crate::server::infra::clock::unix_now;
use crate::server::infra::db::decode;
use crate::server::infra::state::AppState;
use crate::server::payments::key::PaymentKey;
use crate::server::payments::pay::{PayWith, Payer, pay};
use crate::wire::error::AppError;
use crate::wire::payments::PaymentResult;

use crate::server::credit::top_up::{automatic_top_up_failed, open_prepayment_invoice};

/// How long a started top-up may go without an outcome before it is picked up again.
const STALE_AFTER_SECS: i64 = 120;

/// id, account, amount, currency, method, idempotency key, invoice, status.
type Waiting = (String, String, i64, String, Option<String>, String, Option<String>, String);

/// Pays the automatic top-ups that are waiting (of one account, or all). Returns how many
/// were attempted.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn run_requested(state: &AppState, account_id: Option<&str>) -> Result<usize, AppError> {
    let now = unix_now(state.clock.as_ref());
    let waiting: Vec<Waiting> = sqlx::query_as(
        "SELECT id, account_id, amount, currency, payment_method_id, idempotency_key, invoice_id, status FROM top_ups
         WHERE trigger_kind = 'automatic' AND ($1 = '' OR account_id = $1)
           AND (status = 'requested' OR (status = 'started' AND created_at <= $2))
         ORDER BY created_at",
    )
    .bind(account_id.unwrap_or(""))
    .bind(now - STALE_AFTER_SECS)
    .fetch_all(state.db.pool())
    .await?;
    let mut attempted = 0;
    for (id, account, amount, currency, method, key, invoice, status) in waiting {
        let amount = decode::money(amount, &currency)?;
        let invoice_id = match (status.as_str(), invoice) {
            (_, Some(invoice_id)) => invoice_id,
            _ => {
                let (vendor_id, _) =
                    vendor_and_currency(state.db.pool(), &AccountId::from(account.to_string())).await?;
                let mut tx = state.db.begin_write().await?;
                let invoice_id = open_prepayment_invoice(
                    &mut tx,
                    now,
                    state,
                    &vendor_id,
                    &AccountId::from(account.to_string()),
                    amount,
                )
                .await?;
                let claimed = sqlx::query(
                    "UPDATE top_ups SET status = 'started', invoice_id = $2 WHERE id = $1 AND status = 'requested'",
                )
                .bind(&id)
                .bind(&invoice_id)
                .execute(&mut *tx)
                .await?;
                if claimed.rows_affected() != 1 {
                    // Another runner took it first; its invoice is the one to pay.
                    tx.rollback().await?;
                    continue;
                }
                tx.commit().await?;
                invoice_id
            }
        };
        attempted += 1;
        let Some(method) = method.filter(|m| !m.is_empty()) else {
            fail(
                state,
                &id,
                &AccountId::from(account.to_string()),
                amount,
                "no payment method is set for automatic top-ups.",
            )
            .await?;
            continue;
        };
        let payer = Payer { account_id: &account, user_id: None, impersonator_id: None };
        match pay(state, payer, std::slice::from_ref(&invoice_id), PayWith::Stored(method), &PaymentKey::system(key))
            .await
        {
            Ok(
                PaymentResult::Paid { .. }
                | PaymentResult::Declined { .. }
                | PaymentResult::Pending { .. }
                | PaymentResult::AwaitingTransfer { .. },
            ) => {}
            // The method was removed or cannot pay: nothing was charged, so the top-up fails.
            Err(AppError::Invalid { message, .. }) => {
                fail(state, &id, &AccountId::from(account.to_string()), amount, &message).await?
            }
            Err(error) => tracing::warn!(top_up = %id, ?error, "automatic top-up not paid yet; will retry"),
        }
    }
    Ok(attempted)
}

async fn fail(
    state: &AppState,
    id: &str,
    account_id: &AccountId,
    amount: crate::domain::money::Money,
    reason: &str,
) -> Result<(), AppError> {
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    let moved = sqlx::query(
        "UPDATE top_ups SET status = 'failed', finished_at = $2 WHERE id = $1 AND status IN ('requested', 'started')",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() == 1 {
        sqlx::query(
            "UPDATE invoices SET status = 'void' WHERE id = (SELECT invoice_id FROM top_ups WHERE id = $1) AND status = 'open'
               AND payment_in_progress_id IS NULL",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        automatic_top_up_failed(&mut tx, now, account_id, amount, reason).await?;
    }
    tx.commit().await?;
    Ok(())
}
