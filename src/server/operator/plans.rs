//! The vendor's plans over the operator API.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::server::infra::state::AppState;
use crate::server::operator::auth::ApiCaller;
use crate::server::operator::body;
use crate::server::operator::error::{ApiError, ErrorBody};
use crate::server::operator::list;
use crate::server::subscriptions::plans::{self, NewPlan, PlanObject};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanIn {
    /// Unique per vendor: letters, digits, dashes, underscores.
    #[schema(example = "license-usd")]
    pub code: String,
    #[schema(example = "Phone number license")]
    pub name: String,
    /// `partner` (one per account), `license` or `service` (bought by the unit).
    #[schema(example = "license")]
    pub kind: String,
    /// What the quantity counts.
    #[schema(example = "phone number")]
    pub unit_label: String,
    /// The price of one unit for one interval, in minor units of `currency`.
    #[schema(example = 1500)]
    pub unit_amount: i64,
    /// ISO 4217; subscribed to by accounts billed in it. Another currency is another plan.
    #[schema(example = "USD")]
    pub currency: String,
    /// `month` or `year`.
    #[schema(example = "month")]
    pub interval: String,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanQuery {
    /// 1 to 100; 20 when not given.
    pub limit: Option<i64>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanList {
    pub data: Vec<PlanObject>,
    pub next_cursor: Option<String>,
}

/// List plans
#[utoipa::path(
    get,
    path = "/api/operator/v1/plans",
    tag = "catalogue",
    params(PlanQuery),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "A page of plans", body = PlanList),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 422, description = "A query parameter is not valid (`invalid`)", body = ErrorBody),
    )
)]
pub async fn list_plans(
    State(state): State<AppState>,
    caller: ApiCaller,
    query: Result<Query<PlanQuery>, QueryRejection>,
) -> Result<Json<PlanList>, ApiError> {
    let query = list::query(query)?;
    let limit = list::limit(query.limit)?;
    let (data, next_cursor) =
        plans::list(&state, &caller.vendor_id, list::cursor(query.cursor.as_deref())?, limit).await?;
    Ok(Json(PlanList { data, next_cursor }))
}

/// Create a plan
#[utoipa::path(
    post,
    path = "/api/operator/v1/plans",
    tag = "catalogue",
    request_body = PlanIn,
    security(("api_key" = [])),
    responses(
        (status = 201, description = "The plan", body = PlanObject),
        (status = 400, description = "The body is not JSON, or the Idempotency-Key is not valid", body = ErrorBody),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 409, description = "The Idempotency-Key was used for another request, or that request is still running", body = ErrorBody),
        (status = 422, description = "A field is not valid, or the code is taken (`invalid`)", body = ErrorBody),
    )
)]
pub async fn create_plan(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<PlanObject>), ApiError> {
    let input: PlanIn = body::parse(body)?;
    let plan = plans::create(
        &state,
        &caller.vendor_id,
        &caller.label(),
        NewPlan {
            id: None,
            code: input.code,
            name: input.name,
            kind: input.kind,
            unit_label: input.unit_label,
            unit_amount: input.unit_amount,
            currency: input.currency,
            interval: input.interval,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(plan)))
}

/// Read a plan
#[utoipa::path(
    get,
    path = "/api/operator/v1/plans/{plan_id}",
    tag = "catalogue",
    params(("plan_id" = String, Path, description = "The plan's id")),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The plan", body = PlanObject),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No plan with that id for this key's vendor", body = ErrorBody),
    )
)]
pub async fn get_plan(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(plan_id): Path<String>,
) -> Result<Json<PlanObject>, ApiError> {
    Ok(Json(plans::get(&state, &caller.vendor_id, &plan_id).await?))
}
