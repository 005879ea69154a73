//! The vendor's catalogue: a plan is a name, a kind, what its quantity counts, a price per unit
//! in one currency and an interval. A plan offered in several currencies is one plan per
//! currency (its own code), so a price never changes currency under a subscription.

use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::domain::billing_items::BillingInterval;
use crate::domain::currency::Currency;
use crate::domain::subscription::PlanKind;
use crate::server::infra::audit::{AuditEvent, record};
use crate::server::infra::clock::unix_now;
use crate::server::infra::ids::new_id;
use crate::server::infra::state::AppState;
use crate::server::objects::{Amount, rfc3339};
use crate::wire::error::AppError;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanObject {
    #[schema(example = "plan_partner_usd")]
    pub id: String,
    /// Unique per vendor.
    #[schema(example = "partner-usd")]
    pub code: String,
    pub name: String,
    /// `partner` (one per account), `license` or `service` (bought by the unit).
    #[schema(example = "license")]
    pub kind: String,
    /// What the quantity counts.
    #[schema(example = "phone number")]
    pub unit_label: String,
    /// Per unit and interval.
    pub unit_amount: Amount,
    /// `month` or `year`.
    pub interval: String,
    pub active: bool,
    #[schema(format = DateTime)]
    pub created: String,
}

pub struct NewPlan {
    pub id: Option<String>,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub unit_label: String,
    pub unit_amount: i64,
    pub currency: String,
    pub interval: String,
}

type PlanRow = (String, String, String, String, String, i64, String, String, i64, i64);
const COLUMNS: &str = "id, code, name, kind, unit_label, unit_amount, currency, billing_interval, active, created_at";

fn object((id, code, name, kind, unit_label, amount, currency, interval, active, created): PlanRow) -> PlanObject {
    PlanObject {
        id,
        code,
        name,
        kind,
        unit_label,
        unit_amount: Amount { amount, currency },
        interval,
        active: active != 0,
        created: rfc3339(created),
    }
}

pub async fn create(
    state: &AppState,
    vendor_id: &str,
    actor_label: &str,
    input: NewPlan,
) -> Result<PlanObject, AppError> {
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    let id = create_in(&mut tx, now, vendor_id, actor_label, input).await?;
    tx.commit().await?;
    get(state, vendor_id, &id).await
}

/// [`create`] inside the caller's transaction.
pub async fn create_in(
    tx: &mut crate::server::infra::db::Tx,
    now: i64,
    vendor_id: &str,
    actor_label: &str,
    input: NewPlan,
) -> Result<String, AppError> {
    let code = input.code.trim().to_lowercase();
    if code.is_empty() || code.len() > 60 || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(AppError::invalid("code", "Use 1 to 60 letters, digits, dashes or underscores."));
    }
    let name = input.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > 120 {
        return Err(AppError::invalid("name", "Name the plan in 1 to 120 characters."));
    }
    let kind =
        PlanKind::parse(&input.kind).ok_or_else(|| AppError::invalid("kind", "Use partner, license or service."))?;
    let unit_label = input.unit_label.trim().to_string();
    if unit_label.is_empty() || unit_label.chars().count() > 60 {
        return Err(AppError::invalid("unit_label", "Say what the quantity counts, in 1 to 60 characters."));
    }
    let currency: Currency =
        input.currency.parse().map_err(|_| AppError::invalid("currency", "Use an ISO currency Portico bills in."))?;
    if !(0..=crate::server::invoices::issue::MAX_AMOUNT).contains(&input.unit_amount) {
        return Err(AppError::invalid("unit_amount", "A price from 0, in minor units."));
    }
    let interval =
        BillingInterval::parse(&input.interval).ok_or_else(|| AppError::invalid("interval", "Use month or year."))?;
    let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM plans WHERE vendor_id = $1 AND code = $2")
        .bind(vendor_id)
        .bind(&code)
        .fetch_one(&mut **tx)
        .await?;
    if taken > 0 {
        return Err(AppError::invalid("code", format!("A plan with the code {code} exists already.")));
    }
    let id = input.id.unwrap_or_else(|| new_id("plan"));
    sqlx::query(
        "INSERT INTO plans (id, vendor_id, code, name, kind, unit_label, unit_amount, currency, billing_interval, active, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10)",
    )
    .bind(&id)
    .bind(vendor_id)
    .bind(&code)
    .bind(&name)
    .bind(kind.as_str())
    .bind(&unit_label)
    .bind(input.unit_amount)
    .bind(currency.code())
    .bind(interval.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    record(
        tx,
        now,
        AuditEvent {
            action: "plan.created",
            actor_email: Some(actor_label),
            target_type: Some("plan"),
            target_id: Some(&id),
            detail: json!({ "code": code, "unit_amount": input.unit_amount, "currency": currency.code() }),
            ..Default::default()
        },
    )
    .await?;
    Ok(id)
}

pub async fn get(state: &AppState, vendor_id: &str, id: &str) -> Result<PlanObject, AppError> {
    let row: Option<PlanRow> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM plans WHERE vendor_id = $1 AND id = $2"))
        .bind(vendor_id)
        .bind(id)
        .fetch_optional(state.db.pool())
        .await?;
    row.map(object).ok_or_else(AppError::not_found)
}

/// A page of the vendor's plans by id, after `after`.
pub async fn list(
    state: &AppState,
    vendor_id: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<(Vec<PlanObject>, Option<String>), AppError> {
    let rows: Vec<PlanRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM plans WHERE vendor_id = $1 AND id > $2 ORDER BY id LIMIT $3"))
            .bind(vendor_id)
            .bind(after.unwrap_or(""))
            .bind(limit + 1)
            .fetch_all(state.db.pool())
            .await?;
    let more = rows.len() as i64 > limit;
    let plans: Vec<PlanObject> = rows.into_iter().take(limit as usize).map(object).collect();
    let next = if more { plans.last().map(|p| p.id.clone()) } else { None };
    Ok((plans, next))
}
