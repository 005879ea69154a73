//! A subscription as stored, with its plan, read inside the use case's transaction.

use crate::domain::billing_items::{BillingInterval, SubscriptionStatus};
use crate::domain::ids::{AccountId, SubscriptionId};
use crate::domain::money::Money;
use crate::domain::subscription::{Period, PlanKind, SubscriptionState, period_price};
use crate::server::infra::db::decode;
use crate::wire::error::AppError;

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    plan_id: String,
    plan_name: String,
    plan_kind: String,
    unit_label: String,
    billing_interval: String,
    quantity: i64,
    unit_amount: i64,
    currency: String,
    status: SubscriptionStatus,
    current_period_start: String,
    current_period_end: String,
    cancel_at_period_end: i64,
    payment_method_id: Option<String>,
    version: i64,
}

pub struct SubscriptionRecord {
    pub id: String,
    pub plan_id: String,
    pub plan_name: String,
    pub plan_kind: PlanKind,
    pub unit_label: String,
    pub interval: BillingInterval,
    pub quantity: i64,
    pub unit_amount: Money,
    pub state: SubscriptionState,
    pub period: Period,
    pub payment_method_id: Option<String>,
    pub version: i64,
}

impl SubscriptionRecord {
    pub fn price(&self) -> Result<Money, AppError> {
        period_price(self.unit_amount, self.quantity).map_err(|e| AppError::internal("subscription price", e))
    }
}

/// The account's subscription, or NotFound for anyone else's.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn load<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    account_id: &AccountId,
    id: &str,
) -> Result<SubscriptionRecord, AppError> {
    let row: Row = sqlx::query_as(
        "SELECT s.id, s.plan_id, p.name AS plan_name, p.kind AS plan_kind, p.unit_label, p.billing_interval, s.quantity,
                s.unit_amount, s.currency, s.status, s.current_period_start, s.current_period_end, s.cancel_at_period_end,
                s.payment_method_id, s.version
         FROM subscriptions s JOIN plans p ON p.id = s.plan_id
         WHERE s.id = $1 AND s.account_id = $2",
    )
    .bind(id)
    .bind(account_id)
    .fetch_optional(db)
    .await?
    .ok_or_else(AppError::not_found)?;
    Ok(SubscriptionRecord {
        plan_kind: decode::enumerated(&row.plan_kind, PlanKind::parse)?,
        interval: decode::enumerated(&row.billing_interval, BillingInterval::parse)?,
        unit_amount: decode::money(row.unit_amount, &row.currency)?,
        state: SubscriptionState { status: row.status, cancel_at_period_end: row.cancel_at_period_end != 0 },
        period: Period { start: decode::date(&row.current_period_start)?, end: decode::date(&row.current_period_end)? },
        id: row.id,
        plan_id: row.plan_id,
        plan_name: row.plan_name,
        unit_label: row.unit_label,
        quantity: row.quantity,
        payment_method_id: row.payment_method_id,
        version: row.version,
    })
}

/// What a change may put on the credit balance for this subscription now: what the client has
/// actually paid toward its current period (the renewal's lines for it, the changes' invoices),
/// less what it was already credited back in the period. Unpaid time is never credited.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn creditable(
    pool: &sqlx::AnyPool,
    account_id: &AccountId,
    record: &SubscriptionRecord,
) -> Result<Money, AppError> {
    let start = crate::domain::billing_items::iso_date(record.period.start);
    let end = crate::domain::billing_items::iso_date(record.period.end);
    let renewal: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(l.amount), 0) AS BIGINT) FROM invoice_lines l
         JOIN invoices i ON i.id = l.invoice_id JOIN plans p ON p.id = l.plan_id
         WHERE i.account_id = $1 AND i.status = 'paid' AND i.period_start = $2 AND i.cycle_key IS NOT NULL AND p.kind = $3
           AND (i.kind = 'license' OR i.subscription_id = $4)",
    )
    .bind(account_id)
    .bind(&start)
    .bind(record.plan_kind.as_str())
    .bind(&record.id)
    .fetch_one(pool)
    .await?;
    let changes: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(i.total), 0) AS BIGINT) FROM subscription_changes c JOIN invoices i ON i.id = c.invoice_id
         WHERE c.subscription_id = $1 AND c.account_id = $2 AND i.status = 'paid' AND i.issue_date >= $3 AND i.issue_date < $4",
    )
    .bind(&record.id)
    .bind(account_id)
    .bind(&start)
    .bind(&end)
    .fetch_one(pool)
    .await?;
    let period_began = record.period.start.midnight().assume_utc().unix_timestamp();
    let credited: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM credit_entries
         WHERE account_id = $1 AND subscription_id = $2 AND kind = 'proration' AND created_at >= $3",
    )
    .bind(account_id)
    .bind(&record.id)
    .bind(period_began)
    .fetch_one(pool)
    .await?;
    Ok(Money::new((renewal + changes - credited).max(0), record.unit_amount.currency))
}

/// The number of the open invoice of a change that left this subscription past due, if any.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn unpaid_change_invoice(
    pool: &sqlx::AnyPool,
    account_id: &AccountId,
    subscription_id: &SubscriptionId,
) -> Result<Option<String>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT i.number FROM subscription_changes c JOIN invoices i ON i.id = c.invoice_id
         WHERE c.subscription_id = $1 AND c.account_id = $2 AND i.status IN ('open', 'awaiting_transfer')
         ORDER BY i.number LIMIT 1",
    )
    .bind(subscription_id)
    .bind(account_id)
    .fetch_optional(pool)
    .await?)
}
