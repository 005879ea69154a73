//! The vendor's billing rules for the cycle: payment terms, the retry schedule for failed
//! automatic charges, how early an expiring card is announced, and how long an invoice waits for
//! a bank transfer (wire, PIX, Boleto) before it is open again.

use serde_json::json;

use crate::domain::billing_cycle::{RetrySchedule, parse_days};
use crate::server::infra::audit::{AuditEvent, record};
use crate::server::infra::auth::authorize::Authorized;
use crate::server::infra::clock::unix_now;
use crate::wire::billing_rules::BillingRulesView;
use crate::wire::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingRules {
    /// Days after issue a cycle invoice falls due (0: upon receipt, seed 003).
    pub payment_terms_days: i64,
    pub retries: RetrySchedule,
    pub card_expiry_notice_days: i64,
    /// Days an invoice waits for the transfer a client chose to pay it with; then it is open again.
    pub transfer_wait_days: i64,
}

/// The default wait for a bank transfer: long enough for an international wire or a boleto.
pub const DEFAULT_TRANSFER_WAIT_DAYS: i64 = 10;

impl Default for BillingRules {
    fn default() -> Self {
        BillingRules {
            payment_terms_days: 0,
            retries: RetrySchedule::default(),
            card_expiry_notice_days: 14,
            transfer_wait_days: DEFAULT_TRANSFER_WAIT_DAYS,
        }
    }
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn load(conn: &mut sqlx::AnyConnection, vendor_id: &str) -> Result<BillingRules, AppError> {
    let row: Option<(i64, String, i64, i64)> = sqlx::query_as(
        "SELECT payment_terms_days, dunning_retry_days, card_expiry_notice_days, transfer_wait_days FROM vendor_billing_settings WHERE vendor_id = $1",
    )
    .bind(vendor_id)
    .fetch_optional(conn)
    .await?;
    let Some((payment_terms_days, retry_days, card_expiry_notice_days, transfer_wait_days)) = row else {
        return Ok(BillingRules::default());
    };
    let retries = RetrySchedule::parse(&retry_days).map_err(|e| AppError::internal("stored retry schedule", e))?;
    Ok(BillingRules { payment_terms_days, retries, card_expiry_notice_days, transfer_wait_days })
}

/// Stores the vendor's rules (validated by their types), replacing what was there.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn save(
    conn: &mut sqlx::AnyConnection,
    vendor_id: &str,
    rules: &BillingRules,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO vendor_billing_settings (vendor_id, payment_terms_days, dunning_retry_days, card_expiry_notice_days, transfer_wait_days, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (vendor_id) DO UPDATE SET payment_terms_days = $2, dunning_retry_days = $3, card_expiry_notice_days = $4,
                                               transfer_wait_days = $5, updated_at = $6",
    )
    .bind(vendor_id)
    .bind(rules.payment_terms_days)
    .bind(rules.retries.to_text())
    .bind(rules.card_expiry_notice_days)
    .bind(rules.transfer_wait_days)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

fn view(rules: &BillingRules) -> BillingRulesView {
    BillingRulesView {
        payment_terms_days: rules.payment_terms_days,
        retry_days: rules.retries.to_text().replace(',', ", "),
        card_expiry_notice_days: rules.card_expiry_notice_days,
        transfer_wait_days: rules.transfer_wait_days,
    }
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn for_staff(caller: &Authorized) -> Result<BillingRulesView, AppError> {
    let vendor_id = &caller.staff()?.vendor_id;
    let mut conn = caller.state.db.pool().acquire().await?;
    Ok(view(&load(&mut conn, vendor_id).await?))
}

/// Validates every field (each its own message), stores them and records the change. The wait
/// for transfers is optional: left out, it stays as it was.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn update(
    caller: &Authorized,
    terms: &str,
    retry_days: &str,
    notice: &str,
    transfer_wait: Option<&str>,
) -> Result<BillingRulesView, AppError> {
    let vendor_id = &caller.staff()?.vendor_id;
    let payment_terms_days = parse_days(terms, 0, 90).map_err(|m| AppError::invalid("payment_terms_days", m))?;
    let retries = RetrySchedule::parse(retry_days).map_err(|m| AppError::invalid("retry_days", m))?;
    let card_expiry_notice_days =
        parse_days(notice, 1, 90).map_err(|m| AppError::invalid("card_expiry_notice_days", m))?;
    let transfer_wait_days = match transfer_wait {
        Some(text) => parse_days(text, 1, 60).map_err(|m| AppError::invalid("transfer_wait_days", m))?,
        None => {
            let mut conn = caller.state.db.pool().acquire().await?;
            load(&mut conn, vendor_id).await?.transfer_wait_days
        }
    };
    let rules = BillingRules { payment_terms_days, retries, card_expiry_notice_days, transfer_wait_days };
    let state = &caller.state;
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    save(&mut tx, vendor_id, &rules, now).await?;
    let event = AuditEvent {
        action: "billing_rules.changed",
        actor_user_id: Some(caller.user_id()),
        actor_email: Some(&caller.session.email),
        target_type: Some("vendor"),
        target_id: Some(vendor_id),
        detail: json!({ "payment_terms_days": payment_terms_days, "retry_days": rules.retries.to_text(), "card_expiry_notice_days": card_expiry_notice_days,
                        "transfer_wait_days": transfer_wait_days }),
        ..Default::default()
    };
    record(&mut tx, now, event).await?;
    tx.commit().await?;
    Ok(view(&rules))
}
