//! Payment links: an unguessable, expiring link that pays one invoice without signing in.

use crate::domain::ids::{AccountId, InvoiceId};
use crate::server::infra::db::Tx;
use crate::server::infra::ids::{new_secret_token, token_hash};

/// How long a payment link works.
pub const LINK_LIFETIME_SECS: i64 = 7 * 24 * 3600;

/// Creates a link for the invoice and returns its secret token (only its hash is stored).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(
    tx: &mut Tx,
    now: i64,
    invoice_id: &InvoiceId,
    account_id: &AccountId,
    created_by: Option<&str>,
) -> Result<(String, i64), sqlx::Error> {
    let token = new_secret_token();
    let expires_at = now + LINK_LIFETIME_SECS;
    sqlx::query(
        "INSERT INTO payment_links (token_hash, invoice_id, account_id, created_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token_hash(&token))
    .bind(invoice_id)
    .bind(account_id)
    .bind(created_by)
    .bind(now)
    .bind(expires_at)
    .execute(&mut **tx)
    .await?;
    Ok((token, expires_at))
}

/// The invoice and account a live link points to.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn resolve(pool: &sqlx::AnyPool, token: &str, now: i64) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT invoice_id, account_id FROM payment_links WHERE token_hash = $1 AND expires_at > $2")
        .bind(token_hash(token))
        .bind(now)
        .fetch_optional(pool)
        .await
}

pub fn link_path(token: &str) -> String {
    format!("/pay/{token}")
}
