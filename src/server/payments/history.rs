//! The payment history: every payment and failed attempt, newest first, with keyset
//! pagination (no duplicates or gaps when new payments arrive between pages).

use sqlx::AnyPool;

use crate::api::error::AppError;
use crate::api::payments::{PaymentEntry, PaymentHistoryPage, PaymentStatus};
use crate::server::db::decode;

fn status(s: &str) -> Result<PaymentStatus, AppError> {
    Ok(match s {
        "succeeded" => PaymentStatus::Succeeded,
        "failed" => PaymentStatus::Failed,
        "pending" => PaymentStatus::Pending,
        "awaiting_transfer" => PaymentStatus::AwaitingTransfer,
        other => return Err(AppError::internal("stored payment status", other)),
    })
}

fn parse_cursor(cursor: &str) -> Result<(i64, String), AppError> {
    let (at, id) = cursor.split_once(':').ok_or_else(|| AppError::invalid("cursor", "That page link is not valid."))?;
    Ok((at.parse().map_err(|_| AppError::invalid("cursor", "That page link is not valid."))?, id.to_string()))
}

type PaymentRow = (String, i64, String, i64, i64, String, String, Option<String>);

pub async fn page(pool: &AnyPool, account_id: &str, cursor: Option<&str>, size: i64) -> Result<PaymentHistoryPage, AppError> {
    let (before_at, before_id) = match cursor {
        Some(c) => parse_cursor(c)?,
        None => (i64::MAX, String::new()),
    };
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

    // The invoice numbers of this page, in one query.
    let mut numbers: Vec<(String, String)> = Vec::new();
    if !rows.is_empty() {
        let placeholders: Vec<String> = (0..rows.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT pa.payment_id, i.number FROM payment_allocations pa JOIN invoices i ON i.id = pa.invoice_id
             WHERE i.account_id = $1 AND pa.payment_id IN ({}) ORDER BY i.number",
            placeholders.join(", ")
        );
        let mut query = sqlx::query_as::<_, (String, String)>(&sql).bind(account_id);
        for row in &rows {
            query = query.bind(&row.0);
        }
        numbers = query.fetch_all(pool).await?;
    }
    let next_cursor = if has_more { rows.last().map(|r| format!("{}:{}", r.1, r.0)) } else { None };
    let entries = rows
        .into_iter()
        .map(|(id, at, label, amount, fee, currency, st, failure)| {
            let amount = decode::money(amount, &currency)?;
            let fee = decode::money(fee, &currency)?;
            Ok(PaymentEntry {
                invoice_numbers: numbers.iter().filter(|(p, _)| *p == id).map(|(_, n)| n.clone()).collect(),
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
