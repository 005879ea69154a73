//! `GET /api/operator/v1/accounts/{account_id}/service-status`: whether the vendor's platform
//! may send the client's outbound messages and onboard new numbers right now, and if not,
//! why and which payment lifts the block (seed 003's suspension rules).

use crate::domain::ids::AccountId;
use axum::Json;
use axum::extract::{Path, State};

use crate::server::credit::status::for_account;
use crate::server::infra::clock::today;
use crate::server::infra::state::AppState;
use crate::server::operator::auth::ApiCaller;
use crate::server::operator::error::{ApiError, ErrorBody};

pub use crate::server::objects::service_status::{ServiceStatusOut, to_wire};

/// Read an account's service status
///
/// Computed afresh from the credit ledger and the invoices on every call: a block lifts the
/// moment the payment or top-up that clears it is recorded.
#[utoipa::path(
    get,
    path = "/api/operator/v1/accounts/{account_id}/service-status",
    tag = "accounts",
    params(("account_id" = String, Path, description = "The client account's id", example = "acc_northwind")),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "What is blocked and why", body = ServiceStatusOut),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No account with that id for this key's vendor", body = ErrorBody),
    )
)]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn service_status(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(account_id): Path<String>,
) -> Result<Json<ServiceStatusOut>, ApiError> {
    let account = caller.account(&state, &AccountId::new(account_id)).await?;
    let status = for_account(state.db.pool(), &account.id, today(state.clock.as_ref())).await?;
    Ok(Json(to_wire(account.id.into_string(), status)))
}
