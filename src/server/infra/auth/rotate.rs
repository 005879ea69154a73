//! Session id rotation: whenever what a session may do changes (switching account, starting or
//! ending a client view), the browser gets a new session id and the old one stops working, so
//! an id seen before the change is worth nothing after it.

use crate::server::infra::auth::cookies::session_cookie;
use crate::server::infra::db::Tx;
use crate::server::infra::ids::{new_secret_token, token_hash};
use crate::server::infra::request::RequestInfo;
use crate::wire::error::AppError;

/// Whose portal a session shows after the rotation.
pub enum View<'a> {
    /// The user's own membership in this account (or none).
    Own { account_id: Option<&'a str> },
    /// Staff viewing a client's account, from `started_at` until `ends_at`.
    AsClient { account_id: &'a str, started_at: i64, ends_at: i64 },
}

/// Replaces the session `old_hash` with a new id showing `view`, keeping its sign-in time and
/// absolute limit, and sets the new cookie.
pub async fn rotate(tx: &mut Tx, info: &RequestInfo, old_hash: &str, now: i64, view: View<'_>) -> Result<(), AppError> {
    let row: Option<(String, i64, i64, String, Option<String>)> = sqlx::query_as(
        "SELECT user_id, created_at, expires_at, user_agent, account_id FROM sessions WHERE id_hash = $1",
    )
    .bind(old_hash)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((user_id, created_at, expires_at, user_agent, own_account)) = row else {
        return Err(AppError::Unauthenticated.tracked());
    };
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(old_hash).execute(&mut **tx).await?;
    let token = new_secret_token();
    let (account_id, impersonated, started, ends) = match view {
        View::Own { account_id } => (account_id.map(str::to_string), None, None, None),
        // The staff member's own account choice is kept for when the client view ends.
        View::AsClient { account_id, started_at, ends_at } => {
            (own_account, Some(account_id), Some(started_at), Some(ends_at))
        }
    };
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, account_id, created_at, last_seen_at, expires_at, user_agent,
                               impersonated_account_id, impersonation_started_at, impersonation_ends_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(token_hash(&token))
    .bind(&user_id)
    .bind(account_id.as_deref())
    .bind(created_at)
    .bind(now)
    .bind(expires_at)
    .bind(&user_agent)
    .bind(impersonated)
    .bind(started)
    .bind(ends)
    .execute(&mut **tx)
    .await?;
    info.set_cookie(&session_cookie(&info.state.settings, &token));
    Ok(())
}
