//! Agency staff viewing a client's portal as the client sees it (seed 004): on the record at
//! start and end, with a new session id each time, for at most the configured time. What
//! staff may not do while viewing is refused by `authorize` (see `Access::BillingChange`).

use crate::domain::ids::AccountId;
use serde_json::json;

use crate::server::infra::audit::{AuditEvent, record};
use crate::server::infra::auth::authorize::Authorized;
use crate::server::infra::auth::rotate::{View, rotate};
use crate::server::infra::auth::sessions::SessionRecord;
use crate::server::infra::clock::unix_now;
use crate::server::infra::request::RequestInfo;
use crate::server::infra::state::AppState;
use crate::wire::error::AppError;

#[tracing::instrument(level = "debug", skip_all)]
pub async fn start(info: &RequestInfo, caller: &Authorized, account_id: &AccountId) -> Result<(), AppError> {
    let staff = caller.staff()?;
    if caller.session.impersonation.is_some() {
        return Err(AppError::Conflict("You are already viewing a client's portal. Exit it first.".into()).tracked());
    }
    let state = &caller.state;
    let now = unix_now(state.clock.as_ref());
    // Only the vendor's own clients; anything else answers like a missing account.
    let name: Option<String> = sqlx::query_scalar("SELECT name FROM accounts WHERE id = $1 AND vendor_id = $2")
        .bind(account_id)
        .bind(&staff.vendor_id)
        .fetch_optional(state.db.pool())
        .await?;
    let Some(name) = name else { return Err(AppError::not_found()) };
    // Staff never view a colleague's portal: an account with staff among its members is theirs.
    let staff_members: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM memberships m JOIN staff_members s ON s.user_id = m.user_id WHERE m.account_id = $1",
    )
    .bind(account_id)
    .fetch_one(state.db.pool())
    .await?;
    if staff_members > 0 {
        return Err(AppError::Invalid {
            field: None,
            message: "Accounts of agency staff cannot be viewed as a client.".into(),
        }
        .tracked_as(403));
    }
    let ends_at = now + state.settings.sessions.impersonation_minutes * 60;
    let mut tx = state.db.begin_write().await?;
    rotate(&mut tx, info, &caller.session.id_hash, now, View::AsClient { account_id, started_at: now, ends_at })
        .await?;
    let ip = info.client_ip();
    let event = AuditEvent {
        action: "impersonation.started",
        actor_user_id: Some(caller.user_id()),
        actor_email: Some(&caller.session.email),
        account_id: Some(account_id),
        impersonator_user_id: Some(caller.user_id()),
        target_type: Some("account"),
        target_id: Some(account_id),
        detail: json!({ "account": name, "ends_at": ends_at }),
        ip: ip.as_deref(),
    };
    record(&mut tx, now, event).await?;
    tx.commit().await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn exit(info: &RequestInfo, caller: &Authorized) -> Result<(), AppError> {
    let Some(impersonation) = &caller.session.impersonation else {
        return Err(AppError::Conflict("You are not viewing a client's portal.".into()).tracked());
    };
    let account_id = caller.account()?.id.clone();
    let state = &caller.state;
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    rotate(&mut tx, info, &caller.session.id_hash, now, View::Own { account_id: None }).await?;
    let ip = info.client_ip();
    let event = AuditEvent {
        action: "impersonation.ended",
        actor_user_id: Some(caller.user_id()),
        actor_email: Some(&caller.session.email),
        account_id: Some(&account_id),
        impersonator_user_id: Some(caller.user_id()),
        target_type: Some("account"),
        target_id: Some(&account_id),
        detail: json!({ "reason": "exit", "minutes": (now - impersonation.started_at) / 60 }),
        ip: ip.as_deref(),
    };
    record(&mut tx, now, event).await?;
    tx.commit().await?;
    Ok(())
}

/// Records the end of a client view that reached its time limit, once: only the request that
/// clears it from the session writes the record.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn end_lapsed(state: &AppState, session: &SessionRecord, now: i64) -> Result<(), AppError> {
    let mut tx = state.db.begin_write().await?;
    let row: Option<(Option<String>, Option<i64>)> =
        sqlx::query_as("SELECT impersonated_account_id, impersonation_started_at FROM sessions WHERE id_hash = $1")
            .bind(&session.id_hash)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((Some(account_id), started_at)) = row else {
        tx.rollback().await?;
        return Ok(());
    };
    let cleared = sqlx::query(
        "UPDATE sessions SET impersonated_account_id = NULL, impersonation_started_at = NULL, impersonation_ends_at = NULL
         WHERE id_hash = $1 AND impersonated_account_id = $2",
    )
    .bind(&session.id_hash)
    .bind(&account_id)
    .execute(&mut *tx)
    .await?;
    if cleared.rows_affected() != 1 {
        tx.rollback().await?;
        return Ok(());
    }
    let event = AuditEvent {
        action: "impersonation.ended",
        actor_user_id: Some(&session.user_id),
        actor_email: Some(&session.email),
        account_id: Some(&account_id),
        impersonator_user_id: Some(&session.user_id),
        target_type: Some("account"),
        target_id: Some(&account_id),
        detail: json!({ "reason": "time limit", "minutes": started_at.map(|s| (now - s) / 60) }),
        ..Default::default()
    };
    record(&mut tx, now, event).await?;
    tx.commit().await?;
    Ok(())
}
