//! The vendor's gap-free invoice numbering: a number is taken inside the transaction that
//! issues its invoice.

use crate::server::infra::db::Tx;
use crate::wire::error::AppError;

/// Takes the next invoice number of the vendor. Inside the issuing transaction, so a number
/// is used exactly when its invoice is committed: no gaps, no duplicates.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn next_invoice_number(tx: &mut Tx, vendor_id: &str) -> Result<String, AppError> {
    let (prefix, number) = reserve_invoice_numbers(tx, vendor_id, 1).await?;
    Ok(invoice_number(&prefix, number))
}

/// Takes `count` consecutive numbers of the vendor's sequence (same rule as
/// [`next_invoice_number`]); returns the prefix and the first number.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn reserve_invoice_numbers(tx: &mut Tx, vendor_id: &str, count: i64) -> Result<(String, i64), AppError> {
    sqlx::query_as("UPDATE invoice_sequences SET next_number = next_number + $2 WHERE vendor_id = $1 RETURNING prefix, next_number - $2")
        .bind(vendor_id)
        .bind(count)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| AppError::internal("invoice numbering", format!("no sequence for vendor {vendor_id}")))
}

/// "ACME-000042".
pub fn invoice_number(prefix: &str, number: i64) -> String {
    format!("{prefix}{number:06}")
}
