//! Client accounts over the operator API: create, read, update, list, archive.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::ids::AccountId;
use crate::server::accounts::provision::{self, AccountChanges, AccountFilter, NewAccount};
use crate::server::infra::state::AppState;
use crate::server::objects::AccountObject;
use crate::server::operator::auth::ApiCaller;
use crate::server::operator::body;
use crate::server::operator::error::{ApiError, ErrorBody};
use crate::server::operator::list;
use crate::wire::billing_details::DetailsInput;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountIn {
    /// How the vendor and the portal call the client.
    #[schema(example = "Northwind Traders")]
    pub name: String,
    /// ISO 4217; everything the account is billed is in it.
    #[schema(example = "USD")]
    pub currency: String,
    /// Printed on invoices; the name when not given.
    pub company_name: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[schema(example = "US")]
    pub country: String,
    #[serde(default)]
    pub address_line1: String,
    #[serde(default)]
    pub address_line2: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub postal_code: String,
    /// Checked against the country's format (EU VAT, GB VAT, US EIN, BR CNPJ…).
    pub tax_id: Option<String>,
    /// Receives invoices and receipts.
    pub billing_email: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountPatch {
    pub name: Option<String>,
    /// Only before the account's first invoice, estimate, subscription or credit.
    pub currency: Option<String>,
    pub company_name: Option<String>,
    pub country: Option<String>,
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    /// An empty string removes it.
    pub tax_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountQuery {
    /// 1 to 100; 20 when not given.
    pub limit: Option<i64>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
    /// Only accounts billed in this currency.
    pub currency: Option<String>,
    /// Only accounts in this country (ISO 3166-1 alpha-2).
    pub country: Option<String>,
    /// `false` (default): active accounts; `true`: archived ones; `all`: both.
    pub archived: Option<String>,
    /// Part of the name or company name, any case.
    pub search: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccountList {
    pub data: Vec<AccountObject>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// List client accounts
///
/// Oldest first, keyset-paginated: accounts created meanwhile never shift a page.
#[utoipa::path(
    get,
    path = "/api/operator/v1/accounts",
    tag = "accounts",
    params(AccountQuery),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "A page of accounts", body = AccountList),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 422, description = "A query parameter is not valid (`invalid`)", body = ErrorBody),
    )
)]
pub async fn list_accounts(
    State(state): State<AppState>,
    caller: ApiCaller,
    query: Result<Query<AccountQuery>, QueryRejection>,
) -> Result<Json<AccountList>, ApiError> {
    let query = list::query(query)?;
    let limit = list::limit(query.limit)?;
    let after = list::cursor(query.cursor.as_deref())?;
    let archived = match query.archived.as_deref() {
        None | Some("false") => Some(false),
        Some("true") => Some(true),
        Some("all") => None,
        Some(_) => {
            return Err(ApiError::invalid(vec![crate::domain::field_error::FieldError::new(
                "archived",
                "Use true, false or all.",
            )]));
        }
    };
    let filter = AccountFilter { currency: query.currency, country: query.country, archived, search: query.search };
    let (data, next_cursor) = provision::list(&state, &caller.vendor_id, &filter, after, limit).await?;
    Ok(Json(AccountList { data, next_cursor }))
}

/// Create a client account
///
/// With its billing details (validated like the portal's form) and, optionally, the email that
/// receives its invoices. Add people with `POST /accounts/{account_id}/people`.
#[utoipa::path(
    post,
    path = "/api/operator/v1/accounts",
    tag = "accounts",
    request_body = AccountIn,
    security(("api_key" = [])),
    responses(
        (status = 201, description = "The account", body = AccountObject),
        (status = 400, description = "The body is not JSON, or the Idempotency-Key is not valid", body = ErrorBody),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 409, description = "The Idempotency-Key was used for another request, or that request is still running", body = ErrorBody),
        (status = 422, description = "A field is not valid (`invalid`, with `fields`)", body = ErrorBody),
    )
)]
pub async fn create_account(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<AccountObject>), ApiError> {
    let input: AccountIn = body::parse(body)?;
    let company = input.company_name.clone().unwrap_or_else(|| input.name.clone());
    let account = provision::create(
        &state,
        &caller.vendor_id,
        &caller.actor(),
        NewAccount {
            id: None,
            billing_contact: input.billing_email.map(|email| (company.clone(), email)),
            name: input.name,
            currency: input.currency,
            details: DetailsInput {
                company_name: company,
                country: input.country,
                address_line1: input.address_line1,
                address_line2: input.address_line2,
                city: input.city,
                region: input.region,
                postal_code: input.postal_code,
                tax_id: input.tax_id.unwrap_or_default(),
            },
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(account)))
}

/// Read a client account
#[utoipa::path(
    get,
    path = "/api/operator/v1/accounts/{account_id}",
    tag = "accounts",
    params(("account_id" = String, Path, description = "The client account's id", example = "acc_northwind")),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The account", body = AccountObject),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No account with that id for this key's vendor", body = ErrorBody),
    )
)]
pub async fn get_account(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(account_id): Path<String>,
) -> Result<Json<AccountObject>, ApiError> {
    let account = caller.account(&state, &AccountId::new(account_id)).await?;
    let mut tx = state.db.pool().begin().await?;
    let object = crate::server::objects::account(&mut tx, &caller.vendor_id, &account.id).await?;
    tx.commit().await?;
    Ok(Json(object))
}

/// Update a client account
///
/// Only the fields sent change. Invoices already issued keep the details they were issued with.
#[utoipa::path(
    patch,
    path = "/api/operator/v1/accounts/{account_id}",
    tag = "accounts",
    request_body = AccountPatch,
    params(
        ("account_id" = String, Path, description = "The client account's id", example = "acc_northwind"),
    ),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The account", body = AccountObject),
        (status = 400, description = "The body is not JSON, or the Idempotency-Key is not valid", body = ErrorBody),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No account with that id for this key's vendor", body = ErrorBody),
        (status = 409, description = "The Idempotency-Key was used for another request, or that request is still running", body = ErrorBody),
        (status = 422, description = "A field is not valid (`invalid`, with `fields`)", body = ErrorBody),
    )
)]
pub async fn update_account(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(account_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<AccountObject>, ApiError> {
    let account = caller.account(&state, &AccountId::new(account_id)).await?;
    let patch: AccountPatch = body::parse(body)?;
    let changes = AccountChanges {
        name: patch.name,
        currency: patch.currency,
        company_name: patch.company_name,
        country: patch.country,
        address_line1: patch.address_line1,
        address_line2: patch.address_line2,
        city: patch.city,
        region: patch.region,
        postal_code: patch.postal_code,
        tax_id: patch.tax_id,
    };
    Ok(Json(provision::update(&state, &caller.vendor_id, &caller.actor(), &account.id, changes).await?))
}

/// Archive a client account
///
/// Its documents and history stay readable here; it is no longer billed, and its people are
/// signed out and can no longer sign in to it. Archiving again answers the same.
#[utoipa::path(
    post,
    path = "/api/operator/v1/accounts/{account_id}/archive",
    tag = "accounts",
    params(
        ("account_id" = String, Path, description = "The client account's id", example = "acc_northwind"),
    ),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The account, archived", body = AccountObject),
        (status = 400, description = "The Idempotency-Key is not valid", body = ErrorBody),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No account with that id for this key's vendor", body = ErrorBody),
        (status = 409, description = "The Idempotency-Key was used for another request, or that request is still running", body = ErrorBody),
    )
)]
pub async fn archive_account(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(account_id): Path<String>,
) -> Result<Json<AccountObject>, ApiError> {
    let account = caller.account(&state, &AccountId::new(account_id)).await?;
    Ok(Json(provision::archive(&state, &caller.vendor_id, &caller.actor(), &account.id).await?))
}
