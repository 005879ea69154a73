//! The vendor's billing rules for the cycle: payment terms, the retry schedule for failed
//! automatic charges and how early an expiring card is announced.

use sqlx::AnyPool;

use crate::api::error::AppError;
use crate::domain::billing_cycle::RetrySchedule;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingRules {
    /// Days after issue a cycle invoice falls due (0: upon receipt, seed 003).
    pub payment_terms_days: i64,
    pub retries: RetrySchedule,
    pub card_expiry_notice_days: i64,
}

impl Default for BillingRules {
    fn default() -> Self {
        BillingRules { payment_terms_days: 0, retries: RetrySchedule::default(), card_expiry_notice_days: 14 }
    }
}

pub async fn load(conn: &mut sqlx::AnyConnection, vendor_id: &str) -> Result<BillingRules, AppError> {
    let row: Option<(i64, String, i64)> = sqlx::query_as(
        "SELECT payment_terms_days, dunning_retry_days, card_expiry_notice_days FROM vendor_billing_settings WHERE vendor_id = $1",
    )
    .bind(vendor_id)
    .fetch_optional(conn)
    .await?;
    let Some((payment_terms_days, retry_days, card_expiry_notice_days)) = row else {
        return Ok(BillingRules::default());
    };
    let retries = RetrySchedule::parse(&retry_days).map_err(|e| AppError::internal("stored retry schedule", e))?;
    Ok(BillingRules { payment_terms_days, retries, card_expiry_notice_days })
}

/// Stores the vendor's rules (validated by their types), replacing what was there.
pub async fn save(pool: &AnyPool, vendor_id: &str, rules: &BillingRules, now: i64) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO vendor_billing_settings (vendor_id, payment_terms_days, dunning_retry_days, card_expiry_notice_days, updated_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (vendor_id) DO UPDATE SET payment_terms_days = $2, dunning_retry_days = $3, card_expiry_notice_days = $4, updated_at = $5",
    )
    .bind(vendor_id)
    .bind(rules.payment_terms_days)
    .bind(rules.retries.to_text())
    .bind(rules.card_expiry_notice_days)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}
