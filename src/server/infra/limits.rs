//! Per-request limits, applied before any handler: a request body larger than its endpoint
//! accepts is refused with 413 and a message that says the limit, and a request that takes
//! longer than `[server] request_timeout_seconds` (a body trickled in, a stuck query) is
//! answered 408 (the layer is in `app::router`).
//!
//! Bodies are read here, within the limit, and handed on whole: a handler never sees a body it
//! has to guard itself, and a body the client announces as too large is refused before a byte
//! of it is read.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};

use crate::server::operator::error::ApiError;
use crate::wire::error::AppError;

/// Server functions take forms and small JSON documents.
pub const SERVER_FUNCTION_BODY_LIMIT: usize = 64 * 1024;
/// The operator API takes up to 1,000 usage records per request.
pub const OPERATOR_BODY_LIMIT: usize = 1024 * 1024;
/// Card and bank details for the sandbox's tokenization endpoint.
pub const TOKENIZE_BODY_LIMIT: usize = 8 * 1024;
/// Pages and downloads are GET requests: a body there is never read.
pub const OTHER_BODY_LIMIT: usize = 8 * 1024;

fn limit_for(path: &str) -> usize {
    if path.starts_with(crate::server::operator::BASE_PATH) {
        OPERATOR_BODY_LIMIT
    } else if path.starts_with("/sandbox/") {
        TOKENIZE_BODY_LIMIT
    } else if path.starts_with("/api/") {
        SERVER_FUNCTION_BODY_LIMIT
    } else {
        OTHER_BODY_LIMIT
    }
}

fn kilobytes(limit: usize) -> String {
    if limit >= 1024 * 1024 { format!("{} MB", limit / (1024 * 1024)) } else { format!("{} KB", limit / 1024) }
}

/// The refusal in the shape the caller reads: the operator API's error document, a server
/// function's error, or plain text.
fn refusal(path: &str, status: StatusCode, code: &'static str, message: String) -> Response {
    if path.starts_with(crate::server::operator::BASE_PATH) {
        return ApiError::new(status, code, message).into_response();
    }
    let error = match status {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge(message),
        _ => AppError::BadRequest(message),
    };
    let mut response = (status, serde_json::to_string(&error).unwrap_or_default()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// Reads the body within the endpoint's limit, or refuses the request.
pub async fn limit_bodies(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let limit = limit_for(&path);
    let too_large = || {
        let message = format!("This request is larger than the {} this endpoint accepts.", kilobytes(limit));
        refusal(&path, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", message)
    };
    let announced =
        request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|length| length > limit as u64) {
        return too_large();
    }
    if matches!(*request.method(), Method::GET | Method::HEAD) && announced.is_none_or(|length| length == 0) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    match Limited::new(body, limit).collect().await {
        Ok(collected) => next.run(Request::from_parts(parts, Body::from(collected.to_bytes()))).await,
        Err(error) if error.is::<LengthLimitError>() => too_large(),
        Err(error) => {
            tracing::debug!(%error, %path, "request body could not be read");
            refusal(&path, StatusCode::BAD_REQUEST, "unreadable_body", "The request body could not be read.".into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_endpoint_has_its_limit() {
        assert_eq!(limit_for("/api/operator/v1/usage"), OPERATOR_BODY_LIMIT);
        assert_eq!(limit_for("/api/payments/pay"), SERVER_FUNCTION_BODY_LIMIT);
        assert_eq!(limit_for("/sandbox/v1/tokens"), TOKENIZE_BODY_LIMIT);
        assert_eq!(limit_for("/invoices/x/pdf"), OTHER_BODY_LIMIT);
        assert_eq!(kilobytes(OPERATOR_BODY_LIMIT), "1 MB");
        assert_eq!(kilobytes(SERVER_FUNCTION_BODY_LIMIT), "64 KB");
    }
}
