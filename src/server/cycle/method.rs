//! Which stored method an automatic charge uses: the one chosen for the subscription the
//! invoice bills, else the account's default, as long as it is a card or bank account that can
//! be charged without the client (wire, PIX and Boleto are paid by the client).

use sqlx::AnyConnection;

use crate::api::error::AppError;
use crate::domain::payment_method::MethodKind;
use crate::server::db::dashboard::method_label;
use crate::server::db::decode;

#[derive(Debug, Clone)]
pub struct CollectionMethod {
    pub id: String,
    pub kind: MethodKind,
    pub label: String,
    /// Cards only: month and year of expiry.
    pub expiry: Option<(u8, i32)>,
}

type MethodRow = (String, String, Option<String>, Option<String>, Option<String>, Option<i64>, Option<i64>);

pub async fn collection_method(conn: &mut AnyConnection, account_id: &str, subscription_id: Option<&str>) -> Result<Option<CollectionMethod>, AppError> {
    let row: Option<MethodRow> = sqlx::query_as(
        "SELECT pm.id, pm.kind, pm.brand, pm.last4, pm.bank_name, pm.exp_month, pm.exp_year FROM payment_methods pm
         WHERE pm.account_id = $1 AND pm.removed_at IS NULL AND pm.kind IN ('card', 'ach')
           AND (pm.is_default = 1 OR pm.id = (SELECT s.payment_method_id FROM subscriptions s WHERE s.id = $2 AND s.account_id = $1))
         ORDER BY CASE WHEN pm.is_default = 1 THEN 1 ELSE 0 END
         LIMIT 1",
    )
    .bind(account_id)
    .bind(subscription_id)
    .fetch_optional(conn)
    .await?;
    let Some((id, kind, brand, last4, bank, exp_month, exp_year)) = row else { return Ok(None) };
    let kind = decode::enumerated(&kind, MethodKind::parse)?;
    let expiry = exp_month.zip(exp_year).map(|(m, y)| (m.clamp(0, 255) as u8, y as i32));
    Ok(Some(CollectionMethod { label: method_label(kind, brand.as_deref(), last4.as_deref(), bank.as_deref()), id, kind, expiry }))
}
