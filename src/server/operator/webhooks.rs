//! Webhook endpoints, their delivery log and the events over the operator API (the staff page
//! does the same through `server::webhooks::endpoints`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::field_error::FieldError;
use crate::domain::webhooks::EventType;
use crate::server::infra::db::keyset::{cursor, parse_cursor};
use crate::server::infra::state::AppState;
use crate::server::objects::rfc3339;
use crate::server::operator::auth::ApiCaller;
use crate::server::operator::body;
use crate::server::operator::error::{ApiError, ErrorBody, missing};

const NO_ENDPOINT: &str = "No webhook endpoint with that id.";
use crate::server::operator::list;
use crate::server::webhooks::endpoints::{self, Changer, EndpointInput};
use crate::wire::error::AppError;
use crate::wire::webhooks::{WebhookDeliveryView, WebhookEndpointView};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointIn {
    /// Where events are POSTed: https (http only on a development server).
    #[schema(example = "https://hooks.acme.test/portico")]
    pub url: String,
    #[serde(default)]
    pub description: String,
    /// Event types to receive, or `["*"]` for every one (including types added later).
    #[schema(example = json!(["invoice.paid", "payment.failed"]))]
    pub events: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointPatch {
    pub url: Option<String>,
    pub description: Option<String>,
    pub events: Option<Vec<String>>,
    /// A disabled endpoint receives nothing; its pending deliveries wait until it is enabled.
    pub enabled: Option<bool>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EndpointOut {
    pub id: String,
    pub url: String,
    pub description: String,
    pub events: Vec<String>,
    pub enabled: bool,
    #[schema(format = DateTime)]
    pub created: String,
}

impl From<WebhookEndpointView> for EndpointOut {
    fn from(v: WebhookEndpointView) -> Self {
        EndpointOut {
            id: v.id,
            url: v.url,
            description: v.description,
            events: v.events,
            enabled: v.enabled,
            created: rfc3339(v.created_at),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedEndpointOut {
    pub endpoint: EndpointOut,
    /// Signs every delivery (see the `Portico-Signature` header). Shown this once: store it now.
    #[schema(example = "whsec_…")]
    pub secret: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EndpointList {
    pub data: Vec<EndpointOut>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliveryOut {
    pub id: String,
    pub event_id: String,
    pub event_type: String,
    /// `pending`, `succeeded` or `failed` (given up after a day of retries).
    pub status: String,
    pub attempts: i64,
    /// The receiver's last answer, if it answered.
    pub last_status_code: Option<i64>,
    pub last_error: Option<String>,
    #[schema(format = DateTime)]
    pub created: String,
    #[schema(format = DateTime)]
    pub delivered: Option<String>,
    #[schema(format = DateTime)]
    pub next_attempt: Option<String>,
}

impl From<WebhookDeliveryView> for DeliveryOut {
    fn from(v: WebhookDeliveryView) -> Self {
        DeliveryOut {
            id: v.id,
            event_id: v.event_id,
            event_type: v.event_type,
            status: v.status,
            attempts: v.attempts,
            last_status_code: v.last_status_code,
            last_error: v.last_error,
            created: rfc3339(v.created_at),
            delivered: v.delivered_at.map(rfc3339),
            next_attempt: v.next_attempt_at.map(rfc3339),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliveryList {
    pub data: Vec<DeliveryOut>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventOut {
    #[schema(example = "evt_3XTQ9PLMZ0")]
    pub id: String,
    #[serde(rename = "type")]
    #[schema(example = "invoice.paid")]
    pub event_type: String,
    #[schema(format = DateTime)]
    pub created: String,
    pub account_id: String,
    /// `{ "object": … }`: the object as the API answered it when the event happened.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventList {
    pub data: Vec<EventOut>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventTypeOut {
    #[serde(rename = "type")]
    pub event_type: String,
    pub description: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventTypeList {
    pub data: Vec<EventTypeOut>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// 1 to 100; 20 when not given.
    pub limit: Option<i64>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
    /// Only this account's events.
    pub account_id: Option<String>,
    /// Only events of this type.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub event_type: Option<String>,
}

/// List webhook endpoints
#[utoipa::path(
    get,
    path = "/api/operator/v1/webhook-endpoints",
    tag = "webhooks",
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The vendor's endpoints", body = EndpointList),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
    )
)]
pub async fn list_endpoints(State(state): State<AppState>, caller: ApiCaller) -> Result<Json<EndpointList>, ApiError> {
    let data = endpoints::list(&state, &caller.vendor_id).await?.into_iter().map(Into::into).collect();
    Ok(Json(EndpointList { data }))
}

/// Register a webhook endpoint
///
/// The answer holds the signing secret, shown this once.
#[utoipa::path(
    post,
    path = "/api/operator/v1/webhook-endpoints",
    tag = "webhooks",
    request_body = EndpointIn,
    security(("api_key" = [])),
    responses(
        (status = 201, description = "The endpoint and its secret", body = CreatedEndpointOut),
        (status = 400, description = "The body is not JSON, or the Idempotency-Key is not valid", body = ErrorBody),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 409, description = "The Idempotency-Key was used for another request, or that request is still running", body = ErrorBody),
        (status = 422, description = "A field is not valid, or the vendor has 20 endpoints (`invalid`)", body = ErrorBody),
    )
)]
pub async fn create_endpoint(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<CreatedEndpointOut>), ApiError> {
    let input: EndpointIn = body::parse(body)?;
    let label = caller.label();
    let created = endpoints::create(
        &state,
        &caller.vendor_id,
        Changer { user_id: None, label: &label },
        EndpointInput { url: input.url, description: input.description, events: input.events },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(CreatedEndpointOut { endpoint: created.endpoint.into(), secret: created.secret })))
}

/// Read a webhook endpoint
#[utoipa::path(
    get,
    path = "/api/operator/v1/webhook-endpoints/{endpoint_id}",
    tag = "webhooks",
    params(("endpoint_id" = String, Path, description = "The endpoint's id")),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The endpoint (never its secret)", body = EndpointOut),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No endpoint with that id for this key's vendor", body = ErrorBody),
    )
)]
pub async fn get_endpoint(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(endpoint_id): Path<String>,
) -> Result<Json<EndpointOut>, ApiError> {
    Ok(Json(endpoints::get(&state, &caller.vendor_id, &endpoint_id).await.map_err(missing(NO_ENDPOINT))?.into()))
}

/// Change a webhook endpoint
#[utoipa::path(
    patch,
    path = "/api/operator/v1/webhook-endpoints/{endpoint_id}",
    tag = "webhooks",
    request_body = EndpointPatch,
    params(
        ("endpoint_id" = String, Path, description = "The endpoint's id"),
    ),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The endpoint", body = EndpointOut),
        (status = 400, description = "The body is not JSON, or the Idempotency-Key is not valid", body = ErrorBody),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No endpoint with that id for this key's vendor", body = ErrorBody),
        (status = 409, description = "The Idempotency-Key was used for another request, or that request is still running", body = ErrorBody),
        (status = 422, description = "A field is not valid (`invalid`)", body = ErrorBody),
    )
)]
pub async fn update_endpoint(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(endpoint_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<EndpointOut>, ApiError> {
    let patch: EndpointPatch = body::parse(body)?;
    let current = endpoints::get(&state, &caller.vendor_id, &endpoint_id).await.map_err(missing(NO_ENDPOINT))?;
    let label = caller.label();
    let updated = endpoints::update(
        &state,
        &caller.vendor_id,
        Changer { user_id: None, label: &label },
        &endpoint_id,
        EndpointInput {
            url: patch.url.unwrap_or(current.url),
            description: patch.description.unwrap_or(current.description),
            events: patch.events.unwrap_or(current.events),
        },
        patch.enabled.unwrap_or(current.enabled),
    )
    .await
    .map_err(missing(NO_ENDPOINT))?;
    Ok(Json(updated.into()))
}

/// Delete a webhook endpoint
///
/// With its delivery log; nothing more is sent to it.
#[utoipa::path(
    delete,
    path = "/api/operator/v1/webhook-endpoints/{endpoint_id}",
    tag = "webhooks",
    params(
        ("endpoint_id" = String, Path, description = "The endpoint's id"),
    ),
    security(("api_key" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "The Idempotency-Key is not valid", body = ErrorBody),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No endpoint with that id for this key's vendor", body = ErrorBody),
        (status = 409, description = "The Idempotency-Key was used for another request, or that request is still running", body = ErrorBody),
    )
)]
pub async fn delete_endpoint(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(endpoint_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let label = caller.label();
    endpoints::delete(&state, &caller.vendor_id, Changer { user_id: None, label: &label }, &endpoint_id)
        .await
        .map_err(missing(NO_ENDPOINT))?;
    Ok(StatusCode::NO_CONTENT)
}

/// An endpoint's delivery log
///
/// The latest 100 deliveries, newest first, with each one's status, attempts and last answer.
#[utoipa::path(
    get,
    path = "/api/operator/v1/webhook-endpoints/{endpoint_id}/deliveries",
    tag = "webhooks",
    params(("endpoint_id" = String, Path, description = "The endpoint's id")),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "Deliveries to the endpoint", body = DeliveryList),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No endpoint with that id for this key's vendor", body = ErrorBody),
    )
)]
pub async fn list_deliveries(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(endpoint_id): Path<String>,
) -> Result<Json<DeliveryList>, ApiError> {
    endpoints::get(&state, &caller.vendor_id, &endpoint_id).await.map_err(missing(NO_ENDPOINT))?;
    let data = endpoints::deliveries(&state, &caller.vendor_id, Some(&endpoint_id), 100).await?;
    Ok(Json(DeliveryList { data: data.into_iter().map(Into::into).collect() }))
}

/// Resend a delivery
///
/// Sends the event to the endpoint again now, whatever became of it before.
#[utoipa::path(
    post,
    path = "/api/operator/v1/webhook-deliveries/{delivery_id}/resend",
    tag = "webhooks",
    params(
        ("delivery_id" = String, Path, description = "The delivery's id"),
    ),
    security(("api_key" = [])),
    responses(
        (status = 202, description = "Queued to be sent again"),
        (status = 400, description = "The Idempotency-Key is not valid", body = ErrorBody),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No delivery with that id for this key's vendor", body = ErrorBody),
        (status = 409, description = "The Idempotency-Key was used for another request, or that request is still running", body = ErrorBody),
    )
)]
pub async fn resend_delivery(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(delivery_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let label = caller.label();
    endpoints::resend(&state, &caller.vendor_id, Changer { user_id: None, label: &label }, &delivery_id)
        .await
        .map_err(|error| match error {
            AppError::NotFound => ApiError::new(StatusCode::NOT_FOUND, "not_found", "No delivery with that id."),
            other => other.into(),
        })?;
    Ok(StatusCode::ACCEPTED)
}

/// List events
///
/// Every event of the vendor's accounts, newest first, whether or not an endpoint received it:
/// a receiver that was down for longer than the retries can catch up here.
#[utoipa::path(
    get,
    path = "/api/operator/v1/events",
    tag = "webhooks",
    params(EventQuery),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "A page of events", body = EventList),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 422, description = "A query parameter is not valid (`invalid`)", body = ErrorBody),
    )
)]
pub async fn list_events(
    State(state): State<AppState>,
    caller: ApiCaller,
    query: Result<Query<EventQuery>, QueryRejection>,
) -> Result<Json<EventList>, ApiError> {
    let query = list::query(query)?;
    let limit = list::limit(query.limit)?;
    let after = list::cursor(query.cursor.as_deref())?;
    let (before_at, before_id) = parse_cursor(after)?;
    let event_type = query.event_type.unwrap_or_default();
    if !event_type.is_empty() && EventType::parse(&event_type).is_none() {
        return Err(ApiError::invalid(vec![FieldError::new("type", "Not an event type; see GET /event-types.")]));
    }
    let rows: Vec<(String, i64, String)> = sqlx::query_as(
        "SELECT id, created_at, payload FROM webhook_events
         WHERE vendor_id = $1 AND (created_at < $2 OR (created_at = $2 AND id < $3))
           AND ($4 = '' OR account_id = $4) AND ($5 = '' OR event_type = $5)
         ORDER BY created_at DESC, id DESC LIMIT $6",
    )
    .bind(&caller.vendor_id)
    .bind(before_at)
    .bind(if after.is_some() { before_id.as_str() } else { "\u{10FFFF}" })
    .bind(query.account_id.unwrap_or_default())
    .bind(&event_type)
    .bind(limit + 1)
    .fetch_all(state.db.pool())
    .await?;
    let more = rows.len() as i64 > limit;
    let mut data = Vec::new();
    let mut last = None;
    for (id, created, payload) in rows.into_iter().take(limit as usize) {
        data.push(event_out(&payload)?);
        last = Some(cursor(created, &id));
    }
    Ok(Json(EventList { data, next_cursor: if more { last } else { None } }))
}

/// Read an event
#[utoipa::path(
    get,
    path = "/api/operator/v1/events/{event_id}",
    tag = "webhooks",
    params(("event_id" = String, Path, description = "The event's id")),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The event, as delivered", body = EventOut),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No event with that id for this key's vendor", body = ErrorBody),
    )
)]
pub async fn get_event(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(event_id): Path<String>,
) -> Result<Json<EventOut>, ApiError> {
    let payload: Option<String> =
        sqlx::query_scalar("SELECT payload FROM webhook_events WHERE id = $1 AND vendor_id = $2")
            .bind(&event_id)
            .bind(&caller.vendor_id)
            .fetch_optional(state.db.pool())
            .await?;
    let payload = payload.ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "not_found", "No event with that id."))?;
    Ok(Json(event_out(&payload)?))
}

/// The event types
#[utoipa::path(
    get,
    path = "/api/operator/v1/event-types",
    tag = "webhooks",
    security(("api_key" = [])),
    responses(
        (status = 200, description = "Every event type an endpoint can receive", body = EventTypeList),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
    )
)]
pub async fn list_event_types(_caller: ApiCaller) -> Json<EventTypeList> {
    Json(EventTypeList {
        data: EventType::ALL
            .iter()
            .map(|t| EventTypeOut { event_type: t.as_str().into(), description: t.label().into() })
            .collect(),
    })
}

fn event_out(payload: &str) -> Result<EventOut, ApiError> {
    let value: serde_json::Value =
        serde_json::from_str(payload).map_err(|e| ApiError::from(AppError::internal("event payload", e)))?;
    let text = |key: &str| value.get(key).and_then(|v| v.as_str()).unwrap_or_default().to_string();
    Ok(EventOut {
        id: text("id"),
        event_type: text("type"),
        created: text("created"),
        account_id: text("account_id"),
        data: value.get("data").cloned().unwrap_or_default(),
    })
}
