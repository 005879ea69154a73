//! Signing in and out: each one transaction, recorded in the audit trail.

use crate::domain::ids::PersonId;
use serde_json::json;

use crate::server::infra::audit::{AuditEvent, record};
use crate::server::infra::auth::authorize::Authorized;
use crate::server::infra::auth::cookies::{expired_session_cookie, session_cookie};
use crate::server::infra::auth::password::{Lane, burn_equivalent_time, hash_in, verify_password};
use crate::server::infra::auth::sessions::{NewSession, delete, insert};
use crate::server::infra::auth::throttle;
use crate::server::infra::auth::users::{credentials_by_email, default_account};
use crate::server::infra::clock::unix_now;
use crate::server::infra::db::Tx;
use crate::server::infra::ids::{new_secret_token, token_hash};
use crate::server::infra::request::RequestInfo;
use crate::wire::error::AppError;

/// Failed sign-ins are throttled per email (from one address, and from all), and per address
/// (see [`throttle::password_limits`]), whether or not an account has the email, so the refusal
/// tells nothing about which emails exist. The attempt is recorded before the password is
/// checked: parallel guesses count each other.
pub use crate::server::infra::auth::throttle::THROTTLED_EMAIL as THROTTLED;

/// The same words whether the email is unknown or the password wrong.
pub const BAD_CREDENTIALS: &str = "That email and password don't match an account. Check both and try again.";

pub async fn sign_in(info: &RequestInfo, email: &str, password: &str) -> Result<(), AppError> {
    let email = email.trim().to_lowercase();
    if email.is_empty() {
        return Err(AppError::invalid("email", "Enter your email address."));
    }
    if password.is_empty() {
        return Err(AppError::invalid("password", "Enter your password."));
    }
    if password.len() > 1024 {
        return Err(AppError::invalid("password", "That password is too long."));
    }
    let state = &info.state;
    let now = unix_now(state.clock.as_ref());
    let ip = info.client_ip();
    let attempt = match throttle::begin(&state.db, now, &throttle::password_limits(&email, ip.as_deref())).await {
        Ok(attempt) => attempt,
        Err(refused) => {
            let mut tx = state.db.begin_write().await?;
            record(
                &mut tx,
                now,
                AuditEvent {
                    action: "login.throttled",
                    actor_email: Some(&email),
                    ip: ip.as_deref(),
                    ..Default::default()
                },
            )
            .await?;
            tx.commit().await?;
            return Err(refused);
        }
    };
    let credentials = credentials_by_email(state.db.pool(), &email).await?;

    let password_owned = password.to_string();
    let lane = if attempt.is_suspect() { Lane::Suspect } else { Lane::Normal };
    let verified = match &credentials {
        Some(c) => {
            let hash = c.password_hash.clone();
            hash_in(lane, move || verify_password(&password_owned, &hash)).await
        }
        None => hash_in(lane, move || burn_equivalent_time(&password_owned)).await.map(|()| false),
    };
    // A check that could not run (the server was too busy) is not a failed guess.
    let verified = match verified {
        Ok(verified) => verified,
        Err(error) => {
            throttle::finish(&state.db, attempt, true).await?;
            return Err(error);
        }
    };
    throttle::finish(&state.db, attempt, verified && credentials.is_some()).await?;

    let account_id = match (&credentials, verified) {
        (Some(user), true) => default_account(state.db.pool(), &PersonId::from(user.id.to_string())).await?,
        _ => None,
    };
    let mut tx = state.db.begin_write().await?;
    let Some(user) = credentials.filter(|_| verified) else {
        record(
            &mut tx,
            now,
            AuditEvent { action: "login.failed", actor_email: Some(&email), ip: ip.as_deref(), ..Default::default() },
        )
        .await?;
        tx.commit().await?;
        return Err(AppError::Invalid { field: None, message: BAD_CREDENTIALS.into() }.tracked());
    };

    let token =
        start_session(&mut tx, info, &PersonId::from(user.id.to_string()), account_id.as_deref(), None, now).await?;
    let user_agent = info.user_agent();
    record(
        &mut tx,
        now,
        AuditEvent {
            action: "login.succeeded",
            actor_user_id: Some(&user.id),
            actor_email: Some(&user.email),
            account_id: account_id.as_deref(),
            ip: ip.as_deref(),
            detail: json!({ "user_agent": user_agent }),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    info.set_cookie(&session_cookie(&state.settings, &token));
    Ok(())
}

/// Starts a session with a new id for `user_id` in `account_id`, ending the one the browser had
/// (if any). Returns the token for the cookie, to be set once the transaction commits.
pub async fn start_session(
    tx: &mut Tx,
    info: &RequestInfo,
    user_id: &PersonId,
    account_id: Option<&str>,
    return_url: Option<&str>,
    now: i64,
) -> Result<String, AppError> {
    if let Some(old) = info.session_token() {
        delete(tx, &token_hash(&old)).await?;
    }
    let token = new_secret_token();
    let user_agent = info.user_agent();
    let expires_at = now + info.state.settings.sessions.absolute_hours * 3600;
    insert(
        tx,
        NewSession {
            id_hash: &token_hash(&token),
            user_id,
            account_id,
            now,
            expires_at,
            user_agent: &user_agent,
            return_url,
        },
    )
    .await?;
    Ok(token)
}

pub async fn sign_out(info: &RequestInfo, caller: &Authorized) -> Result<(), AppError> {
    let state = &info.state;
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    delete(&mut tx, &caller.session.id_hash).await?;
    record(
        &mut tx,
        now,
        AuditEvent {
            action: "logout",
            actor_user_id: Some(&caller.session.user_id),
            actor_email: Some(&caller.session.email),
            account_id: caller.session.account.as_ref().map(|a| a.id.as_str()),
            ip: info.client_ip().as_deref(),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    info.set_cookie(&expired_session_cookie(&state.settings));
    Ok(())
}
