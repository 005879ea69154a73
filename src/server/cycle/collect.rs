//! Automatic collection and dunning. An invoice the cycle issued to an account with a
//! chargeable method is charged on issue; each failure schedules the next attempt by the
//! vendor's retry schedule (counted from the issue date) until it runs out. Every attempt has
//! its own idempotency key, derived from the invoice and the attempt's number, so two workers
//! making the same attempt charge once. The failure email (see `payments::pay`) tells the
//! billing contacts when the next attempt is and gives a payment link.

use time::{Date, Duration};

use super::method::collection_method;
use super::rules::BillingRules;
use crate::api::error::AppError;
use crate::api::payments::PaymentResult;
use crate::domain::billing_items::iso_date;
use crate::server::db::decode;
use crate::server::payments::pay::{PayWith, Payer, pay};
use crate::server::state::AppState;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Collected {
    pub succeeded: u64,
    pub failed: u64,
}

/// Invoice id, issue date, attempts made, subscription billed.
type DueInvoice = (String, String, i64, Option<String>);

pub async fn collect_due(state: &AppState, rules: &BillingRules, account_id: &str, date: Date) -> Result<Collected, AppError> {
    let due: Vec<DueInvoice> = sqlx::query_as(
        "SELECT id, issue_date, collection_attempts, subscription_id FROM invoices
         WHERE account_id = $1 AND status = 'open' AND next_collection_on IS NOT NULL AND next_collection_on <= $2
           AND payment_in_progress_id IS NULL
         ORDER BY issue_date, number",
    )
    .bind(account_id)
    .bind(iso_date(date))
    .fetch_all(state.db.pool())
    .await?;
    let mut collected = Collected::default();
    for (invoice_id, issue_date, attempts, subscription_id) in due {
        let mut conn = state.db.pool().acquire().await?;
        let method = collection_method(&mut conn, account_id, subscription_id.as_deref()).await?;
        drop(conn);
        let Some(method) = method else {
            // The method was removed after the invoice was issued: nothing is charged
            // automatically any more; the client pays by hand.
            sqlx::query("UPDATE invoices SET next_collection_on = NULL WHERE id = $1 AND collection_attempts = $2")
                .bind(&invoice_id)
                .bind(attempts)
                .execute(state.db.pool())
                .await?;
            continue;
        };
        let made = attempts + 1;
        let next = rules
            .retries
            .next_attempt(decode::date(&issue_date)?, made.clamp(0, u32::MAX as i64) as u32)
            .map(|day| day.max(date + Duration::days(1)));
        // Claims this attempt: of two workers, only one moves the count.
        let claimed = sqlx::query(
            "UPDATE invoices SET collection_attempts = $2, next_collection_on = $3
             WHERE id = $1 AND collection_attempts = $4 AND status = 'open' AND payment_in_progress_id IS NULL",
        )
        .bind(&invoice_id)
        .bind(made)
        .bind(next.map(iso_date))
        .bind(attempts)
        .execute(state.db.pool())
        .await?;
        if claimed.rows_affected() != 1 {
            continue;
        }
        let payer = Payer { account_id, user_id: None, impersonator_id: None };
        let key = format!("cycle-{invoice_id}-{made}");
        match pay(state, payer, std::slice::from_ref(&invoice_id), PayWith::Stored(method.id.clone()), &key).await {
            Ok(PaymentResult::Paid { .. }) => collected.succeeded += 1,
            Ok(PaymentResult::Declined { .. }) => collected.failed += 1,
            Ok(_) => {}
            Err(error @ (AppError::Conflict(_) | AppError::Invalid { .. })) => {
                tracing::warn!(invoice = %invoice_id, %error, "automatic charge not made");
            }
            Err(error) => return Err(error),
        }
    }
    Ok(collected)
}
