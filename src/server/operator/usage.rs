//! `POST /api/operator/v1/usage`: the vendor's systems report delivered messages and what they
//! cost; each account's accepted records are charged to its credit balance as one entry.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::money::group_thousands;
use crate::domain::usage_ingest::{MAX_RECORDS_PER_BATCH, UsageCategory};
use crate::server::credit::auto_top_up::run_requested;
use crate::server::infra::state::AppState;
use crate::server::operator::auth::ApiCaller;
use crate::server::operator::body;
use crate::server::operator::error::{ApiError, ErrorBody, FieldErrorOut};
use crate::server::operator::ingest;
use crate::server::operator::wire::Amount;

#[derive(Debug, Deserialize, ToSchema)]
pub struct UsageBatchIn {
    /// 1 to 1,000 records. Each is checked on its own: one bad record does not hold up the rest.
    #[schema(value_type = Vec<UsageRecordIn>, min_items = 1, max_items = 1000)]
    pub records: Vec<serde_json::Value>,
}

/// Messages of one category delivered by one number on one day.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct UsageRecordIn {
    /// Your id for this record, unique within the account. Sending a record again under its
    /// id is harmless (`duplicate`); the same id with other content is refused.
    #[schema(min_length = 1, max_length = 100, example = "nw-0101-2026-11-21-marketing")]
    pub id: String,
    #[schema(example = "acc_northwind")]
    pub account_id: String,
    /// One of the account's numbers, as Portico lists it (spaces and punctuation are ignored),
    /// or its id (`num_…`).
    #[schema(example = "+1 206 555 0101")]
    pub phone_number: String,
    pub category: UsageCategoryIn,
    /// The UTC day the messages were delivered: not in the future, not before the number was
    /// onboarded, not after it was released.
    #[schema(format = Date, example = "2026-11-21")]
    pub date: String,
    /// Delivered messages, 0 or more.
    #[schema(minimum = 0, example = 120)]
    pub messages: i64,
    /// What these messages cost the client, 0 or more, in the account's billing currency.
    pub cost: Amount,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UsageCategoryIn {
    Marketing,
    Utility,
    Authentication,
}

impl From<UsageCategoryIn> for UsageCategory {
    fn from(c: UsageCategoryIn) -> Self {
        match c {
            UsageCategoryIn::Marketing => UsageCategory::Marketing,
            UsageCategoryIn::Utility => UsageCategory::Utility,
            UsageCategoryIn::Authentication => UsageCategory::Authentication,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UsageBatchOut {
    pub accepted: usize,
    pub duplicates: usize,
    pub rejected: usize,
    /// One per record sent, in the same order.
    pub results: Vec<RecordResult>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecordResult {
    /// The record's position in `records`, from 0.
    pub index: usize,
    /// The record's id as sent, when it had one.
    pub id: Option<String>,
    pub status: RecordStatus,
    /// The credit entry that charged the record (none for records that cost nothing).
    pub ledger_entry_id: Option<String>,
    /// Why a record was rejected; empty otherwise.
    pub errors: Vec<FieldErrorOut>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordStatus {
    /// Stored and charged now.
    Accepted,
    /// Already accepted earlier (or earlier in this batch) with the same content: not charged again.
    Duplicate,
    Rejected,
}

/// Report usage
///
/// Validates each record, stores the accepted ones and charges them to each account's credit
/// balance: one `usage` credit entry per account per batch, of minus the sum of its accepted
/// costs. The whole batch is one transaction. Records that are rejected change nothing.
#[utoipa::path(
    post,
    path = "/api/operator/v1/usage",
    tag = "usage",
    request_body = UsageBatchIn,
    security(("api_key" = [])),
    responses(
        (status = 200, description = "Every record's outcome", body = UsageBatchOut),
        (status = 400, description = "The body is not JSON, or the batch is empty", body = ErrorBody),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 413, description = "More than 1,000 records, or a body over 2 MB", body = ErrorBody),
        (status = 422, description = "The body is not of the form `{ \"records\": [...] }`", body = ErrorBody),
    )
)]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn report_usage(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<UsageBatchOut>, ApiError> {
    let batch: UsageBatchIn = body::parse(body)?;
    if batch.records.is_empty() {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "empty_batch", "Send at least one record."));
    }
    if batch.records.len() > MAX_RECORDS_PER_BATCH {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            format!(
                "A batch holds at most {} records and this one has {}: send it in smaller batches.",
                group_thousands(MAX_RECORDS_PER_BATCH as u64),
                group_thousands(batch.records.len() as u64)
            ),
        ));
    }
    let (outcome, charged) = ingest::ingest(&state, &caller, batch.records).await?;
    // The charges are committed: a top-up they triggered is paid now rather than at the next
    // sweep. Its failure is the top-up's business and does not undo the report.
    for account_id in charged {
        if let Err(error) = run_requested(&state, Some(&account_id)).await {
            tracing::warn!(?error, account = %account_id, "automatic top-up after usage not paid yet");
        }
    }
    Ok(Json(outcome))
}
