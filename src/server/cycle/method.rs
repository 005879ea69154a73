//! Which stored method an automatic charge uses (see [`choose`]), read for one invoice at the
//! moment of the charge: the client may have changed it since the invoice was issued.

use sqlx::AnyConnection;

use super::load::Method;
use crate::api::error::AppError;
use crate::domain::payment_method::MethodKind;
use crate::server::db::dashboard::method_label;
use crate::server::db::decode;

/// The method chosen for the subscription the invoice bills, else the account's default —
/// among `methods`, the account's cards and bank accounts: those can be charged without the
/// client (wire, PIX and Boleto accounts pay by hand).
pub fn choose<'m>(methods: &'m [Method], subscription_method: Option<&str>) -> Option<&'m Method> {
    subscription_method.and_then(|id| methods.iter().find(|m| m.id == id)).or_else(|| methods.iter().find(|m| m.is_default))
}

type MethodRow = (String, String, Option<String>, Option<String>, Option<String>, Option<i64>, Option<i64>, i64);

pub fn method_of(row: MethodRow) -> Result<Method, AppError> {
    let (id, kind, brand, last4, bank, exp_month, exp_year, is_default) = row;
    let kind = decode::enumerated(&kind, MethodKind::parse)?;
    let expiry = exp_month.zip(exp_year).map(|(m, y)| (m.clamp(0, 255) as u8, y as i32));
    Ok(Method { label: method_label(kind, brand.as_deref(), last4.as_deref(), bank.as_deref()), id, kind, expiry, is_default: is_default == 1 })
}

pub async fn collection_method(conn: &mut AnyConnection, account_id: &str, subscription_id: Option<&str>) -> Result<Option<Method>, AppError> {
    let rows: Vec<MethodRow> = sqlx::query_as(
        "SELECT id, kind, brand, last4, bank_name, exp_month, exp_year, is_default FROM payment_methods
         WHERE account_id = $1 AND removed_at IS NULL AND kind IN ('card', 'ach') ORDER BY created_at, id",
    )
    .bind(account_id)
    .fetch_all(&mut *conn)
    .await?;
    let methods = rows.into_iter().map(method_of).collect::<Result<Vec<_>, _>>()?;
    let subscription_method: Option<Option<String>> = sqlx::query_scalar("SELECT payment_method_id FROM subscriptions WHERE id = $1 AND account_id = $2")
        .bind(subscription_id)
        .bind(account_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(choose(&methods, subscription_method.flatten().as_deref()).cloned())
}
