//! Changing one's own password: the current one is checked first, every other session of the
//! person ends, and this one gets a new id.

use crate::server::infra::auth::authorize::Authorized;
use crate::server::infra::auth::password::{hash_password, off_the_workers, password_problem, verify_password};
use crate::server::infra::auth::rotate::{View, rotate};
use crate::server::infra::auth::throttle;
use crate::server::infra::clock::unix_now;
use crate::server::infra::request::RequestInfo;
use crate::wire::error::AppError;

pub async fn change_password(
    info: &RequestInfo,
    caller: &Authorized,
    current: &str,
    new: &str,
) -> Result<(), AppError> {
    if current.is_empty() {
        return Err(AppError::invalid("current_password", "Enter your current password."));
    }
    if let Some(problem) = password_problem(new) {
        return Err(AppError::invalid("new_password", problem));
    }
    if new == current {
        return Err(AppError::invalid("new_password", "Choose a password different from the current one."));
    }
    let state = &caller.state;
    let stored: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(caller.user_id())
        .fetch_one(state.db.pool())
        .await?;
    // Someone at an unlocked screen guessing the current password is throttled like sign-in.
    let attempt = throttle::begin(
        &state.db,
        unix_now(state.clock.as_ref()),
        &throttle::password_limits(&caller.session.email, info.client_ip().as_deref()),
    )
    .await?;
    let current_owned = current.to_string();
    let verified = off_the_workers(move || verify_password(&current_owned, &stored)).await;
    throttle::finish(&state.db, attempt, verified.as_ref().is_ok_and(|v| *v) || verified.is_err()).await?;
    if !verified? {
        return Err(AppError::invalid("current_password", "That is not your current password."));
    }
    let new_owned = new.to_string();
    let hash = off_the_workers(move || hash_password(&new_owned))
        .await?
        .map_err(|e| AppError::internal("password hash", e))?;
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(caller.user_id())
        .execute(&mut *tx)
        .await?;
    // Whoever may have learned the old password is signed out everywhere else.
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
        .bind(caller.user_id())
        .bind(&caller.session.id_hash)
        .execute(&mut *tx)
        .await?;
    let account_id = caller.session.account.as_ref().map(|a| a.id.as_str());
    rotate(&mut tx, info, &caller.session.id_hash, now, View::Own { account_id }).await?;
    let event = crate::server::infra::audit::AuditEvent {
        action: "password.changed",
        actor_user_id: Some(caller.user_id()),
        actor_email: Some(&caller.session.email),
        account_id,
        target_type: Some("user"),
        target_id: Some(caller.user_id()),
        ..Default::default()
    };
    crate::server::infra::audit::record(&mut tx, now, event).await?;
    tx.commit().await?;
    Ok(())
}
