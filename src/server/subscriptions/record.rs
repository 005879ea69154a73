//! A subscription as stored, with its plan, read inside the use case's transaction.

use crate::api::error::AppError;
use crate::domain::billing_items::{BillingInterval, SubscriptionStatus};
use crate::domain::money::Money;
use crate::domain::subscription::{Period, PlanKind, SubscriptionState, period_price};
use crate::server::db::decode;

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
    status: String,
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
pub async fn load<'e>(db: impl sqlx::Executor<'e, Database = sqlx::Any>, account_id: &str, id: &str) -> Result<SubscriptionRecord, AppError> {
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
        state: SubscriptionState {
            status: decode::enumerated(&row.status, SubscriptionStatus::parse)?,
            cancel_at_period_end: row.cancel_at_period_end != 0,
        },
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
