//! Creating, listing and revoking operator API keys, always within the staff member's vendor:
//! another vendor's key answers exactly like a missing one.

use base64::Engine;
use rand::Rng;
use serde_json::json;

use crate::domain::api_key::{KEY_PREFIX, display_prefix, validate_name};
use crate::server::infra::audit::{AuditEvent, record};
use crate::server::infra::auth::authorize::Authorized;
use crate::server::infra::clock::unix_now;
use crate::server::infra::db::Tx;
use crate::server::infra::ids::{new_id, token_hash};
use crate::wire::api_keys::{ApiKeyRow, CreatedApiKey};
use crate::wire::error::AppError;

type Row = (String, String, String, Option<String>, i64, Option<i64>, Option<i64>, Option<String>);

/// A new key: the marker and 256 random bits, URL-safe so it survives headers and shells.
fn new_key() -> String {
    let bytes: [u8; 32] = rand::thread_rng().r#gen();
    format!("{KEY_PREFIX}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(caller: &Authorized) -> Result<Vec<ApiKeyRow>, AppError> {
    let vendor_id = &caller.staff()?.vendor_id;
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT k.id, k.name, k.prefix, c.name, k.created_at, k.last_used_at, k.revoked_at, r.name
         FROM api_keys k LEFT JOIN users c ON c.id = k.created_by LEFT JOIN users r ON r.id = k.revoked_by
         WHERE k.vendor_id = $1
         ORDER BY CASE WHEN k.revoked_at IS NULL THEN 0 ELSE 1 END, k.created_at DESC, k.id",
    )
    .bind(vendor_id)
    .fetch_all(caller.state.db.pool())
    .await?;
    Ok(rows.into_iter().map(row).collect())
}

fn row((id, name, prefix, created_by, created_at, last_used_at, revoked_at, revoked_by): Row) -> ApiKeyRow {
    ApiKeyRow { id, name, prefix, created_by, created_at, last_used_at, revoked_at, revoked_by }
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(caller: &Authorized, name: &str) -> Result<CreatedApiKey, AppError> {
    let vendor_id = &caller.staff()?.vendor_id;
    let name = validate_name(name).map_err(|message| AppError::invalid("name", message))?;
    let state = &caller.state;
    let now = unix_now(state.clock.as_ref());
    let secret = new_key();
    let prefix = display_prefix(&secret);
    let id = new_id("key");
    let mut tx = state.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO api_keys (id, vendor_id, name, prefix, key_hash, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(vendor_id)
    .bind(&name)
    .bind(&prefix)
    .bind(token_hash(&secret))
    .bind(caller.user_id())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit(&mut tx, caller, now, "api_key.created", &id, json!({ "name": name, "prefix": prefix })).await?;
    tx.commit().await?;
    let key = ApiKeyRow {
        id,
        name,
        prefix,
        created_by: Some(caller.session.name.clone()),
        created_at: now,
        last_used_at: None,
        revoked_at: None,
        revoked_by: None,
    };
    Ok(CreatedApiKey { key, secret })
}

/// Revokes a key of the caller's vendor. Revoking a revoked key changes nothing and succeeds,
/// so two people revoking it at once both see it revoked.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn revoke(caller: &Authorized, id: &str) -> Result<(), AppError> {
    let vendor_id = &caller.staff()?.vendor_id;
    let state = &caller.state;
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    let key: Option<(String, String, Option<i64>)> =
        sqlx::query_as("SELECT name, prefix, revoked_at FROM api_keys WHERE id = $1 AND vendor_id = $2")
            .bind(id)
            .bind(vendor_id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((name, prefix, revoked_at)) = key else { return Err(AppError::not_found()) };
    if revoked_at.is_none() {
        sqlx::query("UPDATE api_keys SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL")
            .bind(now)
            .bind(caller.user_id())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        audit(&mut tx, caller, now, "api_key.revoked", id, json!({ "name": name, "prefix": prefix })).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Keys belong to the vendor, not to a client account: the event names no account and shows
/// in the staff's activity through its actor.
async fn audit(
    tx: &mut Tx,
    caller: &Authorized,
    now: i64,
    action: &str,
    id: &str,
    detail: serde_json::Value,
) -> Result<(), AppError> {
    let event = AuditEvent {
        action,
        actor_user_id: Some(caller.user_id()),
        actor_email: Some(&caller.session.email),
        target_type: Some("api_key"),
        target_id: Some(id),
        detail,
        ..Default::default()
    };
    record(tx, now, event).await?;
    Ok(())
}
