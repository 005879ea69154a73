//! Keyset pagination over (time, id), newest first, shared by the history views: a page
//! starts strictly after the last entry of the one before, so entries that arrive meanwhile
//! neither repeat an entry nor push one out of sight.

use crate::domain::ids::AccountId;
use sqlx::AnyPool;

use crate::wire::error::AppError;

/// The position after which the next page starts; `(i64::MAX, "")` for the first page.
pub fn parse_cursor(cursor: Option<&str>) -> Result<(i64, String), AppError> {
    let Some(cursor) = cursor else { return Ok((i64::MAX, String::new())) };
    let invalid = || AppError::invalid("cursor", "That page link is not valid. Reload the history.");
    let (at, id) = cursor.split_once(':').ok_or_else(invalid)?;
    Ok((at.parse().map_err(|_| invalid())?, id.to_string()))
}

pub fn cursor(at: i64, id: &str) -> String {
    format!("{at}:{id}")
}

/// (payment id, invoice number) for the invoices these payments were for, in one query.
pub async fn invoice_numbers_of_payments(
    pool: &AnyPool,
    account_id: &AccountId,
    payment_ids: &[&str],
) -> Result<Vec<(String, String)>, sqlx::Error> {
    if payment_ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (0..payment_ids.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT pa.payment_id, i.number FROM payment_allocations pa JOIN invoices i ON i.id = pa.invoice_id
         WHERE i.account_id = $1 AND pa.payment_id IN ({}) ORDER BY i.number",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as::<_, (String, String)>(&sql).bind(account_id);
    for id in payment_ids {
        query = query.bind(*id);
    }
    query.fetch_all(pool).await
}

/// The invoice numbers of one payment, from [`invoice_numbers_of_payments`]' answer.
pub fn numbers_for(numbers: &[(String, String)], payment_id: &str) -> Vec<String> {
    numbers.iter().filter(|(p, _)| p == payment_id).map(|(_, n)| n.clone()).collect()
}
