//! The client's low-balance alert and automatic top-up settings.

use crate::domain::ids::AccountId;
use sqlx::FromRow;

use crate::server::infra::db::Tx;
use crate::wire::error::AppError;

#[derive(Debug, Clone, Default, PartialEq, Eq, FromRow)]
pub struct CreditSettings {
    pub alert_threshold: Option<i64>,
    pub auto_top_up_threshold: Option<i64>,
    pub auto_top_up_amount: Option<i64>,
    pub auto_top_up_method_id: Option<String>,
}

const SELECT: &str = "SELECT alert_threshold, auto_top_up_threshold, auto_top_up_amount, auto_top_up_method_id
                      FROM credit_settings WHERE account_id = $1";

#[tracing::instrument(level = "debug", skip_all)]
pub async fn load(pool: &sqlx::AnyPool, account_id: &AccountId) -> Result<CreditSettings, AppError> {
    Ok(sqlx::query_as(SELECT).bind(account_id).fetch_optional(pool).await?.unwrap_or_default())
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn load_in(tx: &mut Tx, account_id: &AccountId) -> Result<Option<CreditSettings>, AppError> {
    Ok(sqlx::query_as(SELECT).bind(account_id).fetch_optional(&mut **tx).await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn store(
    tx: &mut Tx,
    now: i64,
    account_id: &AccountId,
    settings: &CreditSettings,
    by: Option<&str>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO credit_settings (account_id, alert_threshold, auto_top_up_threshold, auto_top_up_amount, auto_top_up_method_id,
                                      updated_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (account_id) DO UPDATE SET alert_threshold = excluded.alert_threshold,
             auto_top_up_threshold = excluded.auto_top_up_threshold, auto_top_up_amount = excluded.auto_top_up_amount,
             auto_top_up_method_id = excluded.auto_top_up_method_id, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(account_id)
    .bind(settings.alert_threshold)
    .bind(settings.auto_top_up_threshold)
    .bind(settings.auto_top_up_amount)
    .bind(settings.auto_top_up_method_id.as_deref())
    .bind(by)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
