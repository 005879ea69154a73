//! Subscriptions over the operator API: start one, preview and make a change (the portal's own
//! proration rules and preview), cancel now or at the period's end, resume.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::billing_items::iso_date;
use crate::domain::ids::{AccountId, SubscriptionId};
use crate::server::infra::ids::new_id;
use crate::server::infra::state::AppState;
use crate::server::objects::{self, Amount, SubscriptionObject};
use crate::server::operator::auth::{ApiCaller, OperatorAccount};
use crate::server::operator::body;
use crate::server::operator::error::{ApiError, ErrorBody, missing};

const NO_SUBSCRIPTION: &str = "No subscription with that id on this account.";
use crate::server::operator::list;
use crate::server::subscriptions::change::{ChangeRequest, change, preview};
use crate::server::subscriptions::create::{NewSubscription, create};
use crate::server::subscriptions::lifecycle::{cancel_now, resume, schedule_cancel};
use crate::wire::payments::PaymentResult;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionIn {
    /// A plan priced in the account's currency.
    #[schema(example = "plan_license_usd")]
    pub plan: String,
    #[serde(default = "one")]
    #[schema(example = 3)]
    pub quantity: i64,
    /// Today when not given; at most a year ago, never in the future. A start in the past
    /// runs its periods on to the one holding today.
    #[schema(format = Date, example = "2026-11-01")]
    pub start_date: Option<String>,
    /// A method of the account; its default method when not given.
    pub payment_method: Option<String>,
    /// Invoice the current period now and charge it to the method (default); `false` when
    /// the vendor billed it elsewhere.
    #[serde(default = "yes")]
    pub bill_now: bool,
}

fn one() -> i64 {
    1
}
fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeIn {
    /// The plan after the change (the same plan to change only the quantity).
    pub plan: String,
    pub quantity: i64,
    /// The `due_now` of the preview the change was agreed on, in minor units: the change is
    /// refused (409) if it would charge anything else.
    pub expected_due_now: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelIn {
    /// `true` (default): at the end of the current period; `false`: now, without credit for
    /// the unused time (issue a credit note for that).
    #[serde(default = "yes")]
    pub at_period_end: bool,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangePreviewOut {
    pub subscription_id: String,
    pub plan_name: String,
    pub quantity: i64,
    pub days_left: i64,
    pub days_in_period: i64,
    /// The unused part of the current items, given back.
    pub credit: Amount,
    /// The new items for the rest of the period.
    pub charge: Amount,
    /// What is charged now, with the method's fee; zero when the change lowers the price.
    pub due_now: Amount,
    /// Added to the credit balance when the change lowers the price (never more than paid).
    pub credited: Amount,
    #[schema(format = Date)]
    pub next_renewal_date: String,
    pub next_renewal_amount: Amount,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaymentOutcome {
    /// `paid`, `awaiting_transfer`, `declined` or `pending`.
    pub status: String,
    pub payment_id: String,
    /// Why it was declined.
    pub message: Option<String>,
}

impl From<PaymentResult> for PaymentOutcome {
    fn from(result: PaymentResult) -> Self {
        match result {
            PaymentResult::Paid { payment_id, .. } => {
                PaymentOutcome { status: "paid".into(), payment_id, message: None }
            }
            PaymentResult::AwaitingTransfer { payment_id, .. } => {
                PaymentOutcome { status: "awaiting_transfer".into(), payment_id, message: None }
            }
            PaymentResult::Declined { payment_id, message } => {
                PaymentOutcome { status: "declined".into(), payment_id, message: Some(message) }
            }
            PaymentResult::Pending { payment_id } => {
                PaymentOutcome { status: "pending".into(), payment_id, message: None }
            }
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubscriptionResult {
    pub subscription: SubscriptionObject,
    /// The invoice the start or the change issued, if any.
    pub invoice_id: Option<String>,
    /// Its charge, if one was made.
    pub payment: Option<PaymentOutcome>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubscriptionQuery {
    /// 1 to 100; 20 when not given.
    pub limit: Option<i64>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubscriptionList {
    pub data: Vec<SubscriptionObject>,
    pub next_cursor: Option<String>,
}

async fn object(state: &AppState, account: &OperatorAccount, id: &str) -> Result<SubscriptionObject, ApiError> {
    let mut tx = state.db.pool().begin().await?;
    let object = objects::subscription(&mut tx, &account.id, id).await.map_err(missing(NO_SUBSCRIPTION))?;
    tx.commit().await?;
    Ok(object)
}

/// List an account's subscriptions
#[utoipa::path(
    get,
    path = "/api/operator/v1/accounts/{account_id}/subscriptions",
    tag = "subscriptions",
    params(("account_id" = String, Path, description = "The client account's id", example = "acc_northwind"), SubscriptionQuery),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "A page of subscriptions, by id", body = SubscriptionList),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No account with that id for this key's vendor", body = ErrorBody),
        (status = 422, description = "A query parameter is not valid (`invalid`)", body = ErrorBody),
    )
)]
pub async fn list_subscriptions(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(account_id): Path<String>,
    query: Result<Query<SubscriptionQuery>, QueryRejection>,
) -> Result<Json<SubscriptionList>, ApiError> {
    let account = caller.account(&state, &AccountId::new(account_id)).await?;
    let query = list::query(query)?;
    let limit = list::limit(query.limit)?;
    let after = list::cursor(query.cursor.as_deref())?.unwrap_or("");
    let mut tx = state.db.pool().begin().await?;
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT id FROM subscriptions WHERE account_id = $1 AND id > $2 ORDER BY id LIMIT $3")
            .bind(&account.id)
            .bind(after)
            .bind(limit + 1)
            .fetch_all(&mut *tx)
            .await?;
    let more = ids.len() as i64 > limit;
    let mut data = Vec::new();
    for id in ids.iter().take(limit as usize) {
        data.push(objects::subscription(&mut tx, &account.id, id).await?);
    }
    tx.commit().await?;
    let next_cursor = if more { data.last().map(|s| s.id.clone()) } else { None };
    Ok(Json(SubscriptionList { data, next_cursor }))
}

/// Start a subscription
///
/// Invoices its current period now (unless `bill_now` is false) and charges the invoice to
/// the paying method; sends `subscription.created` and `invoice.issued`.
#[utoipa::path(
    post,
    path = "/api/operator/v1/accounts/{account_id}/subscriptions",
    tag = "subscriptions",
    request_body = SubscriptionIn,
    params(
        ("account_id" = String, Path, description = "The client account's id", example = "acc_northwind"),
    ),
    security(("api_key" = [])),
    responses(
        (status = 201, description = "The subscription, its first invoice and its charge", body = SubscriptionResult),
        (status = 400, description = "The body is not JSON, or the Idempotency-Key is not valid", body = ErrorBody),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No account with that id for this key's vendor", body = ErrorBody),
        (status = 409, description = "The account is archived, or the Idempotency-Key was used for another request", body = ErrorBody),
        (status = 422, description = "A field is not valid (`invalid`, with `fields`)", body = ErrorBody),
    )
)]
pub async fn create_subscription(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(account_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<SubscriptionResult>), ApiError> {
    let account = caller.account(&state, &AccountId::new(account_id)).await?;
    let input: SubscriptionIn = body::parse(body)?;
    let start_date = match input.start_date.as_deref() {
        None => None,
        Some(text) => Some(crate::domain::billing_items::parse_iso_date(text).ok_or_else(|| {
            ApiError::invalid(vec![crate::domain::field_error::FieldError::new(
                "start_date",
                "Use a date like 2026-11-01.",
            )])
        })?),
    };
    let created = create(
        &caller.acting(&state, &account),
        NewSubscription {
            id: None,
            plan_id: input.plan,
            quantity: input.quantity,
            start_date,
            payment_method_id: input.payment_method,
            bill_now: input.bill_now,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(SubscriptionResult {
            subscription: object(&state, &account, &created.subscription_id).await?,
            invoice_id: created.invoice_id.map(|id| id.to_string()),
            payment: created.payment.map(Into::into),
        }),
    ))
}

/// Read a subscription
#[utoipa::path(
    get,
    path = "/api/operator/v1/accounts/{account_id}/subscriptions/{subscription_id}",
    tag = "subscriptions",
    params(
        ("account_id" = String, Path, description = "The client account's id", example = "acc_northwind"),
        ("subscription_id" = String, Path, description = "The subscription's id"),
    ),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The subscription", body = SubscriptionObject),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No such account, or no such subscription on it", body = ErrorBody),
    )
)]
pub async fn get_subscription(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((account_id, subscription_id)): Path<(String, String)>,
) -> Result<Json<SubscriptionObject>, ApiError> {
    let account = caller.account(&state, &AccountId::new(account_id)).await?;
    Ok(Json(object(&state, &account, &subscription_id).await?))
}

/// Preview a change
///
/// What changing to `plan` × `quantity` today would charge now or credit, computed exactly as
/// the change itself: the portal's proration rules. Nothing changes.
#[utoipa::path(
    post,
    path = "/api/operator/v1/accounts/{account_id}/subscriptions/{subscription_id}/preview-change",
    tag = "subscriptions",
    request_body = ChangeIn,
    params(
        ("account_id" = String, Path, description = "The client account's id", example = "acc_northwind"),
        ("subscription_id" = String, Path, description = "The subscription's id"),
    ),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "What the change would do", body = ChangePreviewOut),
        (status = 400, description = "The body is not JSON, or the Idempotency-Key is not valid", body = ErrorBody),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No such account, or no such subscription on it", body = ErrorBody),
        (status = 409, description = "The subscription cannot change now (cancelled, past due, renewing)", body = ErrorBody),
        (status = 422, description = "A field is not valid (`invalid`)", body = ErrorBody),
    )
)]
pub async fn preview_change(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((account_id, subscription_id)): Path<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ChangePreviewOut>, ApiError> {
    let account = caller.account(&state, &AccountId::new(account_id)).await?;
    let input: ChangeIn = body::parse(body)?;
    let acting = caller.acting(&state, &account);
    let p = preview(&acting, &SubscriptionId::new(subscription_id), &input.plan, input.quantity)
        .await
        .map_err(missing(NO_SUBSCRIPTION))?;
    Ok(Json(ChangePreviewOut {
        subscription_id: p.subscription_id,
        plan_name: p.plan_name,
        quantity: p.quantity,
        days_left: p.days_left,
        days_in_period: p.days_in_period,
        credit: p.credit.into(),
        charge: p.charge.into(),
        due_now: p.due_now.into(),
        credited: p.credited.into(),
        next_renewal_date: iso_date(p.next_renewal_date),
        next_renewal_amount: p.next_renewal_amount.into(),
    }))
}

/// Change plan or quantity
///
/// Prorated like in the portal: the unused part of the current items is given back, the new
/// items are charged for the rest of the period; a net charge is invoiced and charged to the
/// subscription's method, a net credit goes to the credit balance (never more than was paid).
#[utoipa::path(
    post,
    path = "/api/operator/v1/accounts/{account_id}/subscriptions/{subscription_id}/change",
    tag = "subscriptions",
    request_body = ChangeIn,
    params(
        ("account_id" = String, Path, description = "The client account's id", example = "acc_northwind"),
        ("subscription_id" = String, Path, description = "The subscription's id"),
    ),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The subscription after the change, its invoice and charge", body = SubscriptionResult),
        (status = 400, description = "The body is not JSON, or the Idempotency-Key is not valid", body = ErrorBody),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No such account, or no such subscription on it", body = ErrorBody),
        (status = 409, description = "The amount due is not `expected_due_now`, the subscription cannot change now, or the Idempotency-Key was used for another request", body = ErrorBody),
        (status = 422, description = "A field is not valid (`invalid`)", body = ErrorBody),
    )
)]
pub async fn change_subscription(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((account_id, subscription_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<SubscriptionResult>, ApiError> {
    let account = caller.account(&state, &AccountId::new(account_id)).await?;
    let input: ChangeIn = body::parse(body)?;
    let acting = caller.acting(&state, &account);
    let id = SubscriptionId::new(subscription_id);
    let shown = preview(&acting, &id, &input.plan, input.quantity).await.map_err(missing(NO_SUBSCRIPTION))?;
    // The change's own key: the request's Idempotency-Key, so a retry finds the same change and
    // charge even after the HTTP layer's record of it expired.
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(|k| format!("api-{k}"))
        .unwrap_or_else(|| new_id("api"));
    let outcome = change(
        &acting,
        ChangeRequest {
            subscription_id: id.to_string(),
            plan_id: input.plan,
            quantity: input.quantity,
            version: shown.version,
            expected_due_now: input.expected_due_now.unwrap_or(shown.due_now.minor),
            idempotency_key: key,
        },
    )
    .await?;
    Ok(Json(SubscriptionResult {
        subscription: object(&state, &account, &id).await?,
        invoice_id: outcome.invoice_id,
        payment: outcome.payment.map(Into::into),
    }))
}

/// Cancel a subscription
///
/// At the end of the current period (default: nothing more is billed, the client keeps the
/// service until then, and it can be resumed) or now.
#[utoipa::path(
    post,
    path = "/api/operator/v1/accounts/{account_id}/subscriptions/{subscription_id}/cancel",
    tag = "subscriptions",
    request_body = CancelIn,
    params(
        ("account_id" = String, Path, description = "The client account's id", example = "acc_northwind"),
        ("subscription_id" = String, Path, description = "The subscription's id"),
    ),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The subscription", body = SubscriptionObject),
        (status = 400, description = "The body is not JSON, or the Idempotency-Key is not valid", body = ErrorBody),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No such account, or no such subscription on it", body = ErrorBody),
        (status = 409, description = "Already cancelled or set to end, or the Idempotency-Key was used for another request", body = ErrorBody),
        (status = 422, description = "A field is not valid (`invalid`)", body = ErrorBody),
    )
)]
pub async fn cancel_subscription(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((account_id, subscription_id)): Path<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<SubscriptionObject>, ApiError> {
    let account = caller.account(&state, &AccountId::new(account_id)).await?;
    let input: CancelIn = body::parse(body)?;
    let acting = caller.acting(&state, &account);
    let id = SubscriptionId::new(subscription_id);
    if input.at_period_end {
        schedule_cancel(&acting, &id, &input.reason).await.map_err(missing(NO_SUBSCRIPTION))?;
    } else {
        cancel_now(&acting, &id, &input.reason).await.map_err(missing(NO_SUBSCRIPTION))?;
    }
    Ok(Json(object(&state, &account, &id).await?))
}

/// Resume a subscription set to end
#[utoipa::path(
    post,
    path = "/api/operator/v1/accounts/{account_id}/subscriptions/{subscription_id}/resume",
    tag = "subscriptions",
    params(
        ("account_id" = String, Path, description = "The client account's id", example = "acc_northwind"),
        ("subscription_id" = String, Path, description = "The subscription's id"),
    ),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The subscription, renewing again", body = SubscriptionObject),
        (status = 400, description = "The Idempotency-Key is not valid", body = ErrorBody),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No such account, or no such subscription on it", body = ErrorBody),
        (status = 409, description = "It is not set to end, or the Idempotency-Key was used for another request", body = ErrorBody),
    )
)]
pub async fn resume_subscription(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((account_id, subscription_id)): Path<(String, String)>,
) -> Result<Json<SubscriptionObject>, ApiError> {
    let account = caller.account(&state, &AccountId::new(account_id)).await?;
    let id = SubscriptionId::new(subscription_id);
    resume(&caller.acting(&state, &account), &id).await.map_err(missing(NO_SUBSCRIPTION))?;
    Ok(Json(object(&state, &account, &id).await?))
}
