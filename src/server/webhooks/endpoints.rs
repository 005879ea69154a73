//! The vendor's webhook endpoints and their delivery log: one set of use cases for the staff
//! page and the operator API. Endpoints belong to a vendor; another vendor's answer like
//! missing ones.

use serde_json::json;

use crate::domain::webhooks::{EventFilter, check_endpoint_url};
use crate::server::infra::audit::{AuditEvent, record};
use crate::server::infra::clock::unix_now;
use crate::server::infra::ids::{new_id, new_secret_token};
use crate::server::infra::state::AppState;
use crate::wire::error::AppError;
use crate::wire::webhooks::{CreatedEndpoint, WebhookDeliveryView, WebhookEndpointView};

/// At most this many endpoints per vendor.
pub const MAX_ENDPOINTS: i64 = 20;

/// Who changes an endpoint, for the audit trail.
pub struct Changer<'a> {
    pub user_id: Option<&'a str>,
    pub label: &'a str,
}

pub struct EndpointInput {
    pub url: String,
    pub description: String,
    pub events: Vec<String>,
}

fn allow_http(state: &AppState) -> bool {
    !state.settings.server.public_url.starts_with("https://")
}

fn check(state: &AppState, input: &EndpointInput) -> Result<EventFilter, AppError> {
    check_endpoint_url(&input.url, allow_http(state)).map_err(|message| AppError::invalid("url", message))?;
    if input.description.chars().count() > 200 {
        return Err(AppError::invalid("description", "Keep the description under 200 characters."));
    }
    EventFilter::parse(&input.events).map_err(|message| AppError::invalid("events", message))
}

type EndpointRow = (String, String, String, String, i64, Option<i64>);

fn view((id, url, description, types, created_at, disabled_at): EndpointRow) -> WebhookEndpointView {
    WebhookEndpointView {
        id,
        url,
        description,
        events: EventFilter::from_stored(&types).names(),
        enabled: disabled_at.is_none(),
        created_at,
    }
}

pub async fn list(state: &AppState, vendor_id: &str) -> Result<Vec<WebhookEndpointView>, AppError> {
    let rows: Vec<EndpointRow> = sqlx::query_as(
        "SELECT id, url, description, event_types, created_at, disabled_at FROM webhook_endpoints
         WHERE vendor_id = $1 ORDER BY created_at, id",
    )
    .bind(vendor_id)
    .fetch_all(state.db.pool())
    .await?;
    Ok(rows.into_iter().map(view).collect())
}

pub async fn get(state: &AppState, vendor_id: &str, id: &str) -> Result<WebhookEndpointView, AppError> {
    let row: Option<EndpointRow> = sqlx::query_as(
        "SELECT id, url, description, event_types, created_at, disabled_at FROM webhook_endpoints
         WHERE vendor_id = $1 AND id = $2",
    )
    .bind(vendor_id)
    .bind(id)
    .fetch_optional(state.db.pool())
    .await?;
    row.map(view).ok_or_else(AppError::not_found)
}

/// Registers an endpoint; its signing secret is in the answer and nowhere else afterwards.
pub async fn create(
    state: &AppState,
    vendor_id: &str,
    changer: Changer<'_>,
    input: EndpointInput,
) -> Result<CreatedEndpoint, AppError> {
    let filter = check(state, &input)?;
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_endpoints WHERE vendor_id = $1")
        .bind(vendor_id)
        .fetch_one(&mut *tx)
        .await?;
    if count >= MAX_ENDPOINTS {
        return Err(AppError::invalid("url", format!("At most {MAX_ENDPOINTS} endpoints; delete one first.")));
    }
    let id = new_id("we");
    let secret = format!("whsec_{}", new_secret_token());
    sqlx::query(
        "INSERT INTO webhook_endpoints (id, vendor_id, url, description, event_types, secret, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(vendor_id)
    .bind(input.url.trim())
    .bind(input.description.trim())
    .bind(filter.stored())
    .bind(&secret)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit(
        &mut tx,
        now,
        &changer,
        "webhook_endpoint.created",
        &id,
        json!({ "url": input.url.trim(), "events": filter.names() }),
    )
    .await?;
    tx.commit().await?;
    Ok(CreatedEndpoint { endpoint: get(state, vendor_id, &id).await?, secret })
}

/// Changes an endpoint's URL, description, events or whether it is enabled.
pub async fn update(
    state: &AppState,
    vendor_id: &str,
    changer: Changer<'_>,
    id: &str,
    input: EndpointInput,
    enabled: bool,
) -> Result<WebhookEndpointView, AppError> {
    let filter = check(state, &input)?;
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    let changed = sqlx::query(
        "UPDATE webhook_endpoints SET url = $1, description = $2, event_types = $3,
                disabled_at = CASE WHEN $4 = 1 THEN NULL ELSE COALESCE(disabled_at, $5) END
         WHERE id = $6 AND vendor_id = $7",
    )
    .bind(input.url.trim())
    .bind(input.description.trim())
    .bind(filter.stored())
    .bind(i64::from(enabled))
    .bind(now)
    .bind(id)
    .bind(vendor_id)
    .execute(&mut *tx)
    .await?;
    if changed.rows_affected() != 1 {
        return Err(AppError::not_found());
    }
    audit(
        &mut tx,
        now,
        &changer,
        "webhook_endpoint.updated",
        id,
        json!({ "url": input.url.trim(), "events": filter.names(), "enabled": enabled }),
    )
    .await?;
    tx.commit().await?;
    get(state, vendor_id, id).await
}

/// Deletes an endpoint and its delivery log; events stay.
pub async fn delete(state: &AppState, vendor_id: &str, changer: Changer<'_>, id: &str) -> Result<(), AppError> {
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    sqlx::query(
        "DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT d.id FROM webhook_deliveries d
         JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE e.id = $1 AND e.vendor_id = $2)",
    )
    .bind(id)
    .bind(vendor_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "DELETE FROM webhook_deliveries WHERE endpoint_id IN (SELECT id FROM webhook_endpoints WHERE id = $1 AND vendor_id = $2)",
    )
    .bind(id)
    .bind(vendor_id)
    .execute(&mut *tx)
    .await?;
    let gone = sqlx::query("DELETE FROM webhook_endpoints WHERE id = $1 AND vendor_id = $2")
        .bind(id)
        .bind(vendor_id)
        .execute(&mut *tx)
        .await?;
    if gone.rows_affected() != 1 {
        return Err(AppError::not_found());
    }
    audit(&mut tx, now, &changer, "webhook_endpoint.deleted", id, json!({})).await?;
    tx.commit().await?;
    Ok(())
}

type DeliveryRow =
    (String, String, String, String, String, String, String, i64, Option<i64>, Option<String>, i64, Option<i64>, i64);

/// The newest deliveries first, `limit` of them, optionally of one endpoint.
pub async fn deliveries(
    state: &AppState,
    vendor_id: &str,
    endpoint_id: Option<&str>,
    limit: i64,
) -> Result<Vec<WebhookDeliveryView>, AppError> {
    let rows: Vec<DeliveryRow> = sqlx::query_as(
        "SELECT d.id, d.endpoint_id, e.url, d.event_id, ev.event_type, a.name, d.status, d.attempts, d.last_status_code,
                d.last_error, d.created_at, d.delivered_at, d.next_attempt_at
         FROM webhook_deliveries d
         JOIN webhook_endpoints e ON e.id = d.endpoint_id
         JOIN webhook_events ev ON ev.id = d.event_id
         JOIN accounts a ON a.id = d.account_id
         WHERE e.vendor_id = $1 AND ($2 = '' OR d.endpoint_id = $2)
         ORDER BY d.created_at DESC, d.seq DESC, d.id DESC LIMIT $3",
    )
    .bind(vendor_id)
    .bind(endpoint_id.unwrap_or(""))
    .bind(limit)
    .fetch_all(state.db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                endpoint_id,
                endpoint_url,
                event_id,
                event_type,
                account_name,
                status,
                attempts,
                code,
                error,
                created,
                delivered,
                next,
            )| {
                WebhookDeliveryView {
                    next_attempt_at: (status == "pending").then_some(next),
                    id,
                    endpoint_id,
                    endpoint_url,
                    event_id,
                    event_type,
                    account_name,
                    status,
                    attempts,
                    last_status_code: code,
                    last_error: error,
                    created_at: created,
                    delivered_at: delivered,
                }
            },
        )
        .collect())
}

/// Sends a delivery again now, whatever became of it; the log keeps every attempt.
pub async fn resend(
    state: &AppState,
    vendor_id: &str,
    changer: Changer<'_>,
    delivery_id: &str,
) -> Result<(), AppError> {
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    let resent = sqlx::query(
        "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $1, leased_until = NULL
         WHERE id = $2 AND endpoint_id IN (SELECT id FROM webhook_endpoints WHERE vendor_id = $3)",
    )
    .bind(now)
    .bind(delivery_id)
    .bind(vendor_id)
    .execute(&mut *tx)
    .await?;
    if resent.rows_affected() != 1 {
        return Err(AppError::not_found());
    }
    audit(&mut tx, now, &changer, "webhook_delivery.resent", delivery_id, json!({})).await?;
    tx.commit().await?;
    Ok(())
}

async fn audit(
    tx: &mut crate::server::infra::db::Tx,
    now: i64,
    changer: &Changer<'_>,
    action: &str,
    id: &str,
    detail: serde_json::Value,
) -> Result<(), AppError> {
    let target_type = if action.starts_with("webhook_delivery") { "webhook_delivery" } else { "webhook_endpoint" };
    record(
        tx,
        now,
        AuditEvent {
            action,
            actor_user_id: changer.user_id,
            actor_email: Some(changer.label),
            target_type: Some(target_type),
            target_id: Some(id),
            detail,
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}
