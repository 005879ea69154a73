//! Credit adjustments and reversals by the vendor's systems: a goodwill credit, a correction,
//! undoing a wrong usage charge. Both go through the ledger like every other move of the
//! balance and are recorded in the account's audit trail.

use crate::domain::ids::AccountId;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::domain::credit::EntryKind;
use crate::domain::credit_adjustment::{validate_adjustment, validate_reason};
use crate::server::credit::auto_top_up::run_requested;
use crate::server::credit::ledger::{NewEntry, append, reverse};
use crate::server::infra::clock::unix_now;
use crate::server::infra::db::{Tx, decode};
use crate::server::infra::state::AppState;
use crate::server::operator::auth::ApiCaller;
use crate::server::operator::body;
use crate::server::operator::error::{ApiError, ErrorBody};
use crate::server::operator::wire::{Amount, rfc3339};
use crate::wire::error::AppError;

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AdjustmentIn {
    /// Your id for this adjustment, unique within the account: a retry with the same id and
    /// content returns the first adjustment instead of making another.
    #[schema(min_length = 1, max_length = 100, example = "goodwill-2026-11-22-northwind")]
    pub id: String,
    /// Minor units, not zero: positive credits the client, negative debits them.
    #[schema(example = 5000)]
    pub amount: i64,
    /// The account's billing currency.
    #[schema(example = "USD")]
    pub currency: String,
    /// Why; the client reads it on their ledger. 1 to 500 characters.
    #[schema(example = "Goodwill credit for the outage on 20 Nov")]
    pub description: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ReversalIn {
    /// Why; the client reads it on their ledger. 1 to 500 characters.
    #[schema(example = "Usage was reported twice")]
    pub reason: String,
}

/// One entry of an account's credit ledger.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreditEntryOut {
    #[schema(example = "cre_3xTq9pLmZ0aB4cD5eF6gH7")]
    pub id: String,
    pub account_id: String,
    /// `proration`, `prepayment`, `usage`, `refund`, `adjustment` or `reversal`.
    #[schema(example = "adjustment")]
    pub kind: String,
    /// Positive adds credit, negative draws it down.
    pub amount: Amount,
    /// The balance right after this entry.
    pub balance_after: Amount,
    pub description: String,
    /// For a reversal, the entry it undoes.
    pub reverses_entry_id: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
}

/// Adjust an account's credit balance
#[utoipa::path(
    post,
    path = "/api/operator/v1/accounts/{account_id}/credit/adjustments",
    tag = "credit",
    params(("account_id" = String, Path, description = "The client account's id", example = "acc_northwind")),
    request_body = AdjustmentIn,
    security(("api_key" = [])),
    responses(
        (status = 201, description = "The adjustment's ledger entry", body = CreditEntryOut),
        (status = 200, description = "A retry: the entry the first request with this id made", body = CreditEntryOut),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No account with that id for this key's vendor", body = ErrorBody),
        (status = 409, description = "This id was used for a different adjustment (`idempotency_conflict`)", body = ErrorBody),
        (status = 422, description = "A field is missing or not valid (`invalid`, with `fields`)", body = ErrorBody),
    )
)]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn adjust(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(account_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<CreditEntryOut>), ApiError> {
    let account = caller.account(&state, &AccountId::new(account_id)).await?;
    let input: AdjustmentIn = body::parse(body)?;
    let adjustment =
        validate_adjustment(&input.id, input.amount, &input.currency, &input.description, account.currency)
            .map_err(ApiError::invalid)?;
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    // The ledger lock first, so two tries of one id serialize and the second sees the first.
    sqlx::query("UPDATE accounts SET ledger_seq = ledger_seq WHERE id = $1")
        .bind(&account.id)
        .execute(&mut *tx)
        .await?;
    let earlier: Option<(String, i64, String, String)> = sqlx::query_as(
        "SELECT entry_id, amount, currency, description FROM operator_adjustments WHERE account_id = $1 AND external_id = $2",
    )
    .bind(&account.id)
    .bind(&input.id)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((entry_id, amount, currency, description)) = earlier {
        let same = amount == adjustment.amount.minor
            && currency == adjustment.amount.currency.code()
            && description == adjustment.description;
        if !same {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "idempotency_conflict",
                "An adjustment with this id was already made with a different amount or description. Use a new id for a new adjustment.",
            ));
        }
        let entry = entry(&mut tx, &entry_id).await?;
        tx.commit().await?;
        return Ok((StatusCode::OK, Json(entry)));
    }
    let appended = append(
        &mut tx,
        now,
        NewEntry::new(&account.id, adjustment.amount, EntryKind::Adjustment, &adjustment.description),
    )
    .await?;
    sqlx::query(
        "INSERT INTO operator_adjustments (account_id, external_id, entry_id, amount, currency, description, api_key_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&account.id)
    .bind(&input.id)
    .bind(&appended.id)
    .bind(adjustment.amount.minor)
    .bind(adjustment.amount.currency.code())
    .bind(&adjustment.description)
    .bind(&caller.key_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let detail = json!({
        "amount": adjustment.amount.minor,
        "currency": adjustment.amount.currency.code(),
        "description": adjustment.description,
        "external_id": input.id,
    });
    caller.record(&mut tx, now, &account.id, "credit.adjusted", ("credit_entry", &appended.id), detail).await?;
    let entry = entry(&mut tx, &appended.id).await?;
    tx.commit().await?;
    top_up_if_requested(&state, &account.id).await;
    Ok((StatusCode::CREATED, Json(entry)))
}

/// Reverse a credit entry
///
/// Adds the opposite entry. An entry is reversed at most once, and a reversal is never
/// reversed (make an adjustment instead).
#[utoipa::path(
    post,
    path = "/api/operator/v1/accounts/{account_id}/credit/entries/{entry_id}/reversal",
    tag = "credit",
    params(
        ("account_id" = String, Path, description = "The client account's id", example = "acc_northwind"),
        ("entry_id" = String, Path, description = "The credit entry to reverse, e.g. a usage charge's `ledger_entry_id`"),
    ),
    request_body = ReversalIn,
    security(("api_key" = [])),
    responses(
        (status = 201, description = "The reversal's ledger entry", body = CreditEntryOut),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No such account, or no such entry on it", body = ErrorBody),
        (status = 409, description = "Already reversed (`already_reversed`), or itself a reversal (`not_reversible`)", body = ErrorBody),
        (status = 422, description = "No reason given", body = ErrorBody),
    )
)]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn reverse_entry(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((account_id, entry_id)): Path<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<CreditEntryOut>), ApiError> {
    let account = caller.account(&state, &AccountId::new(account_id)).await?;
    let input: ReversalIn = body::parse(body)?;
    let reason = validate_reason(&input.reason).map_err(|e| ApiError::invalid(vec![e]))?;
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    let reversal = reverse(&mut tx, now, &account.id, &entry_id, &reason, None).await.map_err(|error| match error {
        AppError::NotFound => {
            ApiError::new(StatusCode::NOT_FOUND, "not_found", "No credit entry with that id on this account.")
        }
        AppError::Conflict(message) if message.contains("already") => {
            ApiError::new(StatusCode::CONFLICT, "already_reversed", message)
        }
        AppError::Conflict(message) => ApiError::new(StatusCode::CONFLICT, "not_reversible", message),
        other => other.into(),
    })?;
    let detail = json!({
        "reversed_entry_id": entry_id,
        "amount": reversal.after.minor - reversal.before.minor,
        "currency": reversal.after.currency.code(),
        "reason": reason,
    });
    caller.record(&mut tx, now, &account.id, "credit.reversed", ("credit_entry", &reversal.id), detail).await?;
    let entry = entry(&mut tx, &reversal.id).await?;
    tx.commit().await?;
    top_up_if_requested(&state, &account.id).await;
    Ok((StatusCode::CREATED, Json(entry)))
}

/// A debit may have crossed the client's automatic top-up threshold: pay it now that the move
/// is committed. Its failure is the top-up's business, not this request's.
async fn top_up_if_requested(state: &AppState, account_id: &AccountId) {
    if let Err(error) = run_requested(state, Some(account_id)).await {
        tracing::warn!(?error, account = %account_id, "automatic top-up after a credit move not paid yet");
    }
}

type EntryRow = (String, String, String, i64, i64, String, String, Option<String>, i64);

async fn entry(tx: &mut Tx, id: &str) -> Result<CreditEntryOut, ApiError> {
    let (id, account_id, kind, amount, balance_after, currency, description, reverses_entry_id, created_at): EntryRow =
        sqlx::query_as(
            "SELECT id, account_id, kind, amount, balance_after, currency, description, reverses_entry_id, created_at
         FROM credit_entries WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(CreditEntryOut {
        id,
        account_id,
        kind,
        amount: decode::money(amount, &currency)?.into(),
        balance_after: decode::money(balance_after, &currency)?.into(),
        description,
        reverses_entry_id,
        created_at: rfc3339(created_at),
    })
}
