//! Phone numbers over the operator API (seed 003): onboarded on a date, released on its last
//! active day. The billing cycle bills each number's license by the month as it does for all.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use crate::domain::billing_items::{iso_date, parse_iso_date};
use crate::domain::field_error::FieldError;
use crate::domain::ids::AccountId;
use crate::server::infra::clock::{today, unix_now};
use crate::server::infra::state::AppState;
use crate::server::operator::auth::ApiCaller;
use crate::server::operator::body;
use crate::server::operator::error::{ApiError, ErrorBody};
use crate::server::operator::list;
use crate::server::usage::numbers::{PhoneNumber, onboard, release};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NumberIn {
    #[schema(example = "+1 206 555 0199")]
    pub number: String,
    /// The WhatsApp Business sub-account it belongs to.
    #[schema(example = "Northwind Support")]
    pub sub_account: String,
    /// Its first active day; today when not given. At most a year back, a month ahead.
    #[schema(format = Date)]
    pub onboarded_on: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseIn {
    /// Its last active day; today when not given.
    #[schema(format = Date)]
    pub released_on: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NumberObject {
    pub id: String,
    pub number: String,
    pub sub_account: String,
    #[schema(format = Date)]
    pub onboarded_on: String,
    #[schema(format = Date)]
    pub released_on: Option<String>,
}

impl From<PhoneNumber> for NumberObject {
    fn from(n: PhoneNumber) -> Self {
        NumberObject {
            id: n.id,
            number: n.number,
            sub_account: n.sub_account,
            onboarded_on: iso_date(n.onboarded_on),
            released_on: n.released_on.map(iso_date),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NumberList {
    pub data: Vec<NumberObject>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NumberQuery {
    /// 1 to 100; 20 when not given.
    pub limit: Option<i64>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
}

fn date(field: &str, text: Option<&str>, state: &AppState) -> Result<time::Date, ApiError> {
    let today = today(state.clock.as_ref());
    let Some(text) = text else { return Ok(today) };
    let day = parse_iso_date(text)
        .ok_or_else(|| ApiError::invalid(vec![FieldError::new(field, "Use a date like 2026-11-01.")]))?;
    if day < today - time::Duration::days(366) || day > today + time::Duration::days(31) {
        return Err(ApiError::invalid(vec![FieldError::new(field, "A date from a year ago to a month ahead.")]));
    }
    Ok(day)
}

/// List an account's phone numbers
#[utoipa::path(
    get,
    path = "/api/operator/v1/accounts/{account_id}/numbers",
    tag = "numbers",
    params(("account_id" = String, Path, description = "The client account's id", example = "acc_northwind"), NumberQuery),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "A page of numbers, active and released, by number", body = NumberList),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No account with that id for this key's vendor", body = ErrorBody),
        (status = 422, description = "A query parameter is not valid (`invalid`)", body = ErrorBody),
    )
)]
pub async fn list_numbers(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(account_id): Path<String>,
    query: Result<Query<NumberQuery>, QueryRejection>,
) -> Result<Json<NumberList>, ApiError> {
    let account = caller.account(&state, &AccountId::new(account_id)).await?;
    let query = list::query(query)?;
    let limit = list::limit(query.limit)?;
    let after = list::cursor(query.cursor.as_deref())?.unwrap_or("");
    let mut rows: Vec<(String, String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT id, number, sub_account, onboarded_on, released_on FROM phone_numbers WHERE account_id = $1 AND number > $2
         ORDER BY number LIMIT $3",
    )
    .bind(&account.id)
    .bind(after)
    .bind(limit + 1)
    .fetch_all(state.db.pool())
    .await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if more { rows.last().map(|r| r.1.clone()) } else { None };
    Ok(Json(NumberList {
        next_cursor,
        data: rows
            .into_iter()
            .map(|(id, number, sub_account, onboarded_on, released_on)| NumberObject {
                id,
                number,
                sub_account,
                onboarded_on,
                released_on,
            })
            .collect(),
    }))
}

/// Onboard a phone number
///
/// A released number can come back on a later day; its earlier stretch is kept and billed.
#[utoipa::path(
    post,
    path = "/api/operator/v1/accounts/{account_id}/numbers",
    tag = "numbers",
    request_body = NumberIn,
    params(
        ("account_id" = String, Path, description = "The client account's id", example = "acc_northwind"),
    ),
    security(("api_key" = [])),
    responses(
        (status = 201, description = "The number", body = NumberObject),
        (status = 400, description = "The body is not JSON, or the Idempotency-Key is not valid", body = ErrorBody),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No account with that id for this key's vendor", body = ErrorBody),
        (status = 409, description = "The number is active on that day already, or the Idempotency-Key was used for another request", body = ErrorBody),
        (status = 422, description = "A field is not valid (`invalid`)", body = ErrorBody),
    )
)]
pub async fn onboard_number(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(account_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<NumberObject>), ApiError> {
    let account = caller.account(&state, &AccountId::new(account_id)).await?;
    let input: NumberIn = body::parse(body)?;
    let on = date("onboarded_on", input.onboarded_on.as_deref(), &state)?;
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    let number = onboard(&mut tx, &account.id, &input.number, &input.sub_account, on, None).await?;
    caller
        .record(
            &mut tx,
            now,
            &account.id,
            "number.onboarded",
            ("phone_number", &number.id),
            json!({ "number": number.number, "on": iso_date(on) }),
        )
        .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(number.into())))
}

/// Release a phone number
#[utoipa::path(
    post,
    path = "/api/operator/v1/accounts/{account_id}/numbers/{number}/release",
    tag = "numbers",
    request_body = ReleaseIn,
    params(
        ("account_id" = String, Path, description = "The client account's id", example = "acc_northwind"),
        ("number" = String, Path, description = "The number as onboarded (URL-encoded)"),
    ),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The number, released", body = NumberObject),
        (status = 400, description = "The body is not JSON, or the Idempotency-Key is not valid", body = ErrorBody),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No such account, or no such number on it", body = ErrorBody),
        (status = 409, description = "Not active on that day, or the Idempotency-Key was used for another request", body = ErrorBody),
        (status = 422, description = "A field is not valid (`invalid`)", body = ErrorBody),
    )
)]
pub async fn release_number(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((account_id, number)): Path<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<NumberObject>, ApiError> {
    let account = caller.account(&state, &AccountId::new(account_id)).await?;
    let input: ReleaseIn = body::parse(body)?;
    let on = date("released_on", input.released_on.as_deref(), &state)?;
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    let released = release(&mut tx, &account.id, &number, on).await.map_err(|e| match e {
        crate::wire::error::AppError::NotFound => {
            ApiError::new(StatusCode::NOT_FOUND, "not_found", "No such number on this account.")
        }
        other => other.into(),
    })?;
    caller
        .record(
            &mut tx,
            now,
            &account.id,
            "number.released",
            ("phone_number", &released.id),
            json!({ "number": released.number, "on": iso_date(on) }),
        )
        .await?;
    tx.commit().await?;
    Ok(Json(released.into()))
}
