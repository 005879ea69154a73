//! A bank transfer received: the vendor's finance system tells Portico that the money for a
//! payment awaiting a transfer (wire, PIX, Boleto) arrived, and the payment is settled like any
//! other (see `payments::transfers`).

use crate::domain::ids::AccountId;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::field_error::FieldError;
use crate::domain::money::Money;
use crate::server::infra::state::AppState;
use crate::server::operator::auth::ApiCaller;
use crate::server::operator::body;
use crate::server::operator::error::{ApiError, ErrorBody};
use crate::server::operator::wire::{Amount, rfc3339};
use crate::server::payments::transfers::{Recorder, record_received};
use crate::wire::error::AppError;

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct TransferIn {
    /// The payment's id, or the reference the client was asked to put in the transfer's memo.
    #[schema(example = "3XTQ9PLMZ0")]
    pub payment: String,
    /// What arrived: the payment's whole amount, in the account's currency.
    pub amount: Amount,
    /// The bank's reference for the transfer, kept with the payment. 1 to 100 characters.
    #[schema(example = "WIRE-2026-11-22-00017")]
    pub bank_reference: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TransferOut {
    pub payment_id: String,
    /// The reference the client put in the transfer.
    pub reference: String,
    /// `succeeded`: the payment is settled and its invoices are paid.
    #[schema(example = "succeeded")]
    pub status: String,
    pub amount: Amount,
    /// When the client chose to pay by transfer.
    #[schema(format = DateTime)]
    pub awaited_since: String,
}

/// Record a bank transfer received
///
/// Settles a payment awaiting a wire, PIX or Boleto transfer: its invoices are paid, and any
/// service block they caused is lifted. Recording the same transfer again answers the same.
#[utoipa::path(
    post,
    path = "/api/operator/v1/accounts/{account_id}/transfers",
    tag = "payments",
    params(("account_id" = String, Path, description = "The client account's id", example = "acc_northwind")),
    request_body = TransferIn,
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The payment, settled", body = TransferOut),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No such account, or no transfer payment with that id or reference on it", body = ErrorBody),
        (status = 409, description = "The payment no longer awaits a transfer: it was not received in time (`conflict`)", body = ErrorBody),
        (status = 422, description = "A field is not valid, or the amount is not the payment's (`invalid`, with `fields`)", body = ErrorBody),
    )
)]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn transfer_received(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(account_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<TransferOut>, ApiError> {
    let account = caller.account(&state, &AccountId::new(account_id)).await?;
    let input: TransferIn = body::parse(body)?;
    let currency = input.amount.currency.parse().ok().filter(|c| *c == account.currency).ok_or_else(|| {
        ApiError::invalid(vec![FieldError::new(
            "amount.currency",
            format!("This account is billed in {}.", account.currency.code()),
        )])
    })?;
    let amount = Money::new(input.amount.amount, currency);
    let recorded = record_received(
        &state,
        &account.id,
        &input.payment,
        amount,
        &input.bank_reference,
        Recorder::ApiKey { key_id: &caller.key_id },
    )
    .await
    .map_err(|error| match error {
        AppError::NotFound => ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "No payment awaiting a transfer with that id or reference on this account.",
        ),
        other => other.into(),
    })?;
    Ok(Json(TransferOut {
        payment_id: recorded.payment_id,
        reference: recorded.reference,
        status: "succeeded".into(),
        amount: recorded.total.into(),
        awaited_since: rfc3339(recorded.since),
    }))
}
