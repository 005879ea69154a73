//! `Idempotency-Key` on the operator API's writes. A vendor's system that retries a request
//! after a timeout gets the first answer again instead of doing the work twice; the same key sent
//! with a different request is refused (409 `idempotency_conflict`), and one sent while the first
//! request is still running is refused too (409 `request_in_progress`). Keys belong to the
//! vendor (a rotated API key keeps them) and are kept for a day. An answer that is a failure on
//! our side (5xx) is not kept: a retry runs again.

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use sha2::{Digest, Sha256};

use crate::server::infra::clock::unix_now;
use crate::server::infra::state::AppState;
use crate::server::operator::auth::ApiCaller;
use crate::server::operator::error::ApiError;

pub const HEADER: &str = "idempotency-key";
/// The header as the OpenAPI document names it.
pub const DOCUMENTED_HEADER: &str = "Idempotency-Key";
/// How long a key's answer is kept for retries.
pub const KEPT_SECS: i64 = 24 * 3600;
/// Set on an answer replayed from a key.
pub const REPLAYED: &str = "idempotent-replayed";

pub async fn idempotent(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !matches!(*request.method(), Method::POST | Method::PUT | Method::PATCH | Method::DELETE) {
        return next.run(request).await;
    }
    let Some(raw) = request.headers().get(HEADER) else { return next.run(request).await };
    let Some(key) = raw.to_str().ok().map(str::trim).filter(|k| valid_key(k)).map(str::to_string) else {
        return ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_idempotency_key",
            "An Idempotency-Key is 1 to 255 visible ASCII characters.",
        )
        .into_response();
    };
    let (mut parts, body) = request.into_parts();
    // Keys belong to the vendor: without a valid API key the handler answers 401 as usual.
    let caller = match ApiCaller::from_request_parts(&mut parts, &state).await {
        Ok(caller) => caller,
        Err(refused) => return refused.into_response(),
    };
    // The body was already read (and bounded) by the body limit; this only takes it back.
    let Ok(bytes) = body.collect().await.map(|b| b.to_bytes()) else {
        return ApiError::new(StatusCode::BAD_REQUEST, "unreadable_body", "The request body could not be read.")
            .into_response();
    };
    let fingerprint = {
        let mut hash = Sha256::new();
        hash.update(parts.method.as_str().as_bytes());
        hash.update(b" ");
        hash.update(parts.uri.path().as_bytes());
        hash.update(b"\n");
        hash.update(&bytes);
        hex::encode(hash.finalize())
    };
    match claim(&state, &caller.vendor_id, &key, &fingerprint).await {
        Ok(Claim::Ours) => {}
        Ok(Claim::Replay { status, body }) => return replay(status, body),
        Ok(Claim::Refused(refusal)) => return refusal.into_response(),
        Err(error) => return ApiError::from(error).into_response(),
    }
    let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    let (answer, body) = response.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    if let Err(error) = keep(&state, &caller.vendor_id, &key, answer.status, &body).await {
        tracing::error!(%error, "idempotency key answer not kept");
    }
    Response::from_parts(answer, Body::from(body))
}

fn valid_key(key: &str) -> bool {
    (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

enum Claim {
    Ours,
    Replay { status: u16, body: String },
    Refused(ApiError),
}

async fn claim(state: &AppState, vendor_id: &str, key: &str, fingerprint: &str) -> Result<Claim, sqlx::Error> {
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    sqlx::query("DELETE FROM operator_idempotency WHERE vendor_id = $1 AND idem_key = $2 AND created_at <= $3")
        .bind(vendor_id)
        .bind(key)
        .bind(now - KEPT_SECS)
        .execute(&mut *tx)
        .await?;
    let claimed = sqlx::query(
        "INSERT INTO operator_idempotency (vendor_id, idem_key, fingerprint, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING",
    )
    .bind(vendor_id)
    .bind(key)
    .bind(fingerprint)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    let claim = if claimed {
        Claim::Ours
    } else {
        let (first, status, body): (String, Option<i64>, Option<String>) = sqlx::query_as(
            "SELECT fingerprint, status, body FROM operator_idempotency WHERE vendor_id = $1 AND idem_key = $2",
        )
        .bind(vendor_id)
        .bind(key)
        .fetch_one(&mut *tx)
        .await?;
        match (first == fingerprint, status) {
            (false, _) => Claim::Refused(ApiError::new(
                StatusCode::CONFLICT,
                "idempotency_conflict",
                "This Idempotency-Key was used with a different request. Use a new key for a new request.",
            )),
            (true, None) => Claim::Refused(ApiError::new(
                StatusCode::CONFLICT,
                "request_in_progress",
                "A request with this Idempotency-Key is still running. Retry in a moment.",
            )),
            (true, Some(status)) => {
                Claim::Replay { status: u16::try_from(status).unwrap_or(500), body: body.unwrap_or_default() }
            }
        }
    };
    tx.commit().await?;
    Ok(claim)
}

/// Keeps the answer for retries, or lets the key go when the answer was our failure.
async fn keep(
    state: &AppState,
    vendor_id: &str,
    key: &str,
    status: StatusCode,
    body: &[u8],
) -> Result<(), sqlx::Error> {
    let mut tx = state.db.begin_write().await?;
    if status.is_server_error() {
        sqlx::query("DELETE FROM operator_idempotency WHERE vendor_id = $1 AND idem_key = $2 AND status IS NULL")
            .bind(vendor_id)
            .bind(key)
            .execute(&mut *tx)
            .await?;
    } else {
        sqlx::query("UPDATE operator_idempotency SET status = $3, body = $4 WHERE vendor_id = $1 AND idem_key = $2")
            .bind(vendor_id)
            .bind(key)
            .bind(i64::from(status.as_u16()))
            .bind(String::from_utf8_lossy(body).into_owned())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await
}

fn replay(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(REPLAYED, HeaderValue::from_static("true"));
    response
}

#[cfg(test)]
mod tests {
    use super::valid_key;

    #[test]
    fn a_key_is_short_visible_ascii() {
        assert!(valid_key("retry-7f3a"));
        assert!(valid_key(&"k".repeat(255)));
        assert!(!valid_key(""));
        assert!(!valid_key(&"k".repeat(256)));
        assert!(!valid_key("with space"));
        assert!(!valid_key("ünïcode"));
    }
}
