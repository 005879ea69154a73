//! Who is calling the operator API: the vendor whose key is in `Authorization: Bearer`. Keys
//! are found by the hash of what was sent, so the stored hashes are never compared in code.

use crate::domain::ids::AccountId;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;

use crate::domain::currency::Currency;
use crate::server::infra::clock::unix_now;
use crate::server::infra::db::Tx;
use crate::server::infra::db::decode;
use crate::server::infra::ids::token_hash;
use crate::server::infra::state::AppState;
use crate::server::operator::error::ApiError;

/// How stale `last_used_at` may get: staff see "used today", and a busy integration does not
/// write the key's row on every request.
const LAST_USED_PRECISION_SECS: i64 = 60;

#[derive(Debug, Clone)]
pub struct ApiCaller {
    pub key_id: String,
    pub key_name: String,
    pub key_prefix: String,
    pub vendor_id: String,
}

/// An account of the caller's vendor.
#[derive(Debug, Clone)]
pub struct OperatorAccount {
    pub id: AccountId,
    pub currency: Currency,
    /// Archived: kept for its history, no longer billed or signed in to.
    pub archived: bool,
}

impl ApiCaller {
    /// How the caller appears in the audit trail and the activity pages.
    pub fn label(&self) -> String {
        format!("API key \u{201c}{}\u{201d} ({}\u{2026})", self.key_name, self.key_prefix)
    }

    /// Records what the caller did to an account in its audit trail, in the transaction that
    /// does it. There is no user behind a key: the key's name stands where a person's would.
    pub async fn record(
        &self,
        tx: &mut Tx,
        now: i64,
        account_id: &AccountId,
        action: &str,
        target: (&str, &str),
        detail: serde_json::Value,
    ) -> Result<(), ApiError> {
        Ok(self.actor().record(tx, now, account_id, action, target, detail).await?)
    }

    /// The caller as an actor in use cases shared with the portal.
    pub fn actor(&self) -> crate::server::infra::actor::Actor {
        crate::server::infra::actor::Actor::ApiKey { key_id: self.key_id.clone(), label: self.label() }
    }

    /// The caller acting on one of its vendor's accounts (checked by [`ApiCaller::account`]).
    pub fn acting<'a>(
        &self,
        state: &'a AppState,
        account: &OperatorAccount,
    ) -> crate::server::infra::actor::Acting<'a> {
        crate::server::infra::actor::Acting { state, account_id: account.id.clone(), actor: self.actor() }
    }

    /// The account if it is one of this vendor's; another vendor's answers like a missing one.
    pub async fn account(&self, state: &AppState, account_id: &AccountId) -> Result<OperatorAccount, ApiError> {
        let found: Option<(String, Option<i64>)> =
            sqlx::query_as("SELECT currency, archived_at FROM accounts WHERE id = $1 AND vendor_id = $2")
                .bind(account_id)
                .bind(&self.vendor_id)
                .fetch_optional(state.db.pool())
                .await?;
        let Some((currency, archived_at)) = found else { return Err(ApiError::no_account()) };
        Ok(OperatorAccount {
            id: account_id.clone(),
            currency: decode::currency(&currency)?,
            archived: archived_at.is_some(),
        })
    }
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(key) = bearer(parts) else {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "missing_api_key",
                "Send an API key as \u{201c}Authorization: Bearer <key>\u{201d}.",
            ));
        };
        let found: Option<(String, String, String, String, Option<i64>)> = sqlx::query_as(
            "SELECT id, vendor_id, name, prefix, last_used_at FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL",
        )
        .bind(token_hash(key))
        .fetch_optional(state.db.pool())
        .await?;
        let Some((key_id, vendor_id, key_name, key_prefix, last_used_at)) = found else {
            // A mistyped key and a revoked one read the same: neither says which keys exist.
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_api_key",
                "This API key is not valid: it is mistyped or was revoked.",
            ));
        };
        let now = unix_now(state.clock.as_ref());
        if last_used_at.is_none_or(|at| now - at >= LAST_USED_PRECISION_SECS) {
            let touched = sqlx::query(
                "UPDATE api_keys SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at <= $3)",
            )
            .bind(now)
            .bind(&key_id)
            .bind(now - LAST_USED_PRECISION_SECS)
            .execute(state.db.pool())
            .await;
            if let Err(error) = touched {
                tracing::warn!(%error, key = %key_id, "could not record API key use");
            }
        }
        Ok(ApiCaller { key_id, vendor_id, key_name, key_prefix })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(authorization: Option<&str>) -> Parts {
        let mut builder = Request::get("/api/operator/v1/usage");
        if let Some(value) = authorization {
            builder = builder.header("authorization", value);
        }
        builder.body(()).unwrap().into_parts().0
    }

    #[test]
    fn reads_the_bearer_token_in_any_case() {
        assert_eq!(bearer(&parts(Some("Bearer pk_abc"))), Some("pk_abc"));
        assert_eq!(bearer(&parts(Some("bearer   pk_abc "))), Some("pk_abc"));
        assert_eq!(bearer(&parts(Some("Basic dXNlcjpwYXNz"))), None);
        assert_eq!(bearer(&parts(Some("Bearer "))), None);
        assert_eq!(bearer(&parts(None)), None);
    }
}
