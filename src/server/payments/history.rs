//! The payment history: every payment and failed attempt, newest first, with keyset
//! pagination (no duplicates or gaps when new payments arrive between pages).

use crate::domain::ids::AccountId;
use sqlx::AnyPool;

use crate::server::infra::db::{decode, keyset};
use crate::wire::error::AppError;
use crate::wire::payments::{PaymentEntry, PaymentHistoryPage, PaymentStatus};

fn status(s: &str) -> Result<PaymentStatus, AppError> {
    PaymentStatus::parse(s).ok_or_else(|| AppError::internal("stored payment status", s))
}

type PaymentRow = (String, i64, String, i64, i64, String, String, Option<String>);

#[tracing::instrument(level = "debug", skip_all)]
pub async fn page(
    pool: &AnyPool,
    account_id: &AccountId,
    cursor: Option<&str>,
    size: i64,
) -> Result<PaymentHistoryPage, AppError> {
    let (before_at, before_id) = keyset::parse_cursor(cursor)?;
    let rows: Vec<PaymentRow> = sqlx::query_as(
        "SELECT id, created_at, method_label, amount, fee, currency, status, failure_message FROM payments
         WHERE account_id = $1 AND (created_at < $2 OR (created_at = $2 AND id < $3) OR $4 = 1)
         ORDER BY created_at DESC, id DESC LIMIT $5",
    )
    .bind(account_id)
    .bind(before_at)
    .bind(&before_id)
    .bind(i64::from(cursor.is_none()))
    .bind(size + 1)
    .fetch_all(pool)
    .await?;
    let has_more = rows.len() as i64 > size;
    let rows: Vec<PaymentRow> = rows.into_iter().take(size as usize).collect();

    let payment_ids: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    let numbers = keyset::invoice_numbers_of_payments(pool, account_id, &payment_ids).await?;
    let next_cursor = if has_more { rows.last().map(|r| keyset::cursor(r.1, &r.0)) } else { None };
    let entries = rows
        .into_iter()
        .map(|(id, at, label, amount, fee, currency, st, failure)| {
            let amount = decode::money(amount, &currency)?;
            let fee = decode::money(fee, &currency)?;
            Ok(PaymentEntry {
                invoice_numbers: keyset::numbers_for(&numbers, &id),
                total: amount.checked_add(fee).map_err(|e| AppError::internal("total", e))?,
                id,
                at,
                method_label: label,
                amount,
                fee,
                status: status(&st)?,
                failure_message: failure,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(PaymentHistoryPage { entries, next_cursor })
}
