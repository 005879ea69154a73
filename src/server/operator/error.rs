//! The operator API's one error shape, `{ "error": { "code", "message", "fields"? } }`, and how
//! the portal's own errors map onto it. Machines branch on `code`; people read `message`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::field_error::FieldError;
use crate::wire::error::AppError;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, for programs: `missing_api_key`, `invalid_api_key` (401); `malformed_json`,
    /// `empty_batch`, `unreadable_body`, `invalid_idempotency_key` (400); `not_found`,
    /// `unknown_person`, `unknown_endpoint` (404); `already_reversed`, `not_reversible`,
    /// `idempotency_conflict`, `request_in_progress`, `conflict` (409);
    /// `batch_too_large`, `payload_too_large` (413); `invalid` (422); `internal` (500).
    #[schema(example = "not_found")]
    pub code: String,
    /// For people; may change.
    pub message: String,
    /// The fields at fault, for `invalid`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldErrorOut>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldErrorOut {
    /// The field as sent, dotted for nested ones (`cost.currency`).
    #[schema(example = "date")]
    pub field: String,
    #[schema(example = "The date is in the future (today is 2026-11-22 UTC).")]
    pub message: String,
}

impl From<FieldError> for FieldErrorOut {
    fn from(e: FieldError) -> Self {
        FieldErrorOut { field: e.field, message: e.message }
    }
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub fields: Vec<FieldErrorOut>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError { status, code, message: message.into(), fields: Vec::new() }
    }

    pub fn invalid(fields: Vec<FieldError>) -> Self {
        let message = match fields.as_slice() {
            [one] => format!("{}: {}", one.field, one.message),
            _ => "Some fields are not valid; see fields.".to_string(),
        };
        ApiError {
            fields: fields.into_iter().map(Into::into).collect(),
            ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message)
        }
    }

    /// One answer for a missing account and another vendor's, so neither can be told apart.
    pub fn no_account() -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "No account with that id.")
    }
}

/// Maps a use case's NotFound to a 404 saying what was missing; other errors as usual.
pub fn missing(message: &'static str) -> impl Fn(AppError) -> ApiError {
    move |error| match error {
        AppError::NotFound => ApiError::new(StatusCode::NOT_FOUND, "not_found", message),
        other => other.into(),
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::NotFound => ApiError::new(StatusCode::NOT_FOUND, "not_found", "Not found."),
            AppError::Invalid { field, message } => {
                ApiError::invalid(vec![FieldError::new(field.unwrap_or_default(), message)])
            }
            AppError::Conflict(message) => ApiError::new(StatusCode::CONFLICT, "conflict", message),
            // The portal's other errors concern sessions and pages, never a keyed request:
            // anything else is a failure on our side, already logged where it arose.
            _ => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", AppError::Internal.to_string()),
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        AppError::from(error).into()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status;
        let body = ErrorBody {
            error: ErrorDetail { code: self.code.to_string(), message: self.message, fields: self.fields },
        };
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            let challenge = match self.code {
                "invalid_api_key" => r#"Bearer realm="portico-operator", error="invalid_token""#,
                _ => r#"Bearer realm="portico-operator""#,
            };
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
        }
        response
    }
}
