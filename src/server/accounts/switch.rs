//! Switching between the accounts one login belongs to (seed 001).

use crate::domain::ids::AccountId;
use serde_json::json;

use crate::domain::money::CurrencyTotals;
use crate::domain::role::Role;
use crate::server::accounts::queries::accounts_of_user;
use crate::server::infra::audit::{AuditEvent, record};
use crate::server::infra::auth::authorize::Authorized;
use crate::server::infra::auth::rotate::{View, rotate};
use crate::server::infra::clock::unix_now;
use crate::server::infra::db::decode;
use crate::server::infra::request::RequestInfo;
use crate::wire::accounts::{AccountsOverview, MyAccount};
use crate::wire::error::AppError;

#[tracing::instrument(level = "debug", skip_all)]
pub async fn mine(caller: &Authorized) -> Result<AccountsOverview, AppError> {
    let state = &caller.state;
    let summaries = accounts_of_user(state, caller.user_id()).await?;
    let roles: Vec<(String, String)> = sqlx::query_as(
        "SELECT account_id, role FROM memberships WHERE user_id = $1
         AND account_id IN (SELECT id FROM accounts WHERE archived_at IS NULL)",
    )
    .bind(caller.user_id())
    .fetch_all(state.db.pool())
    .await?;
    let current = caller.session.account.as_ref().map(|a| a.id.as_str());
    let mut totals = CurrencyTotals::default();
    let mut accounts = Vec::new();
    for summary in summaries {
        for amount in &summary.outstanding.0 {
            totals.add(*amount).map_err(|e| AppError::internal("totals", e))?;
        }
        let role = roles.iter().find(|(id, _)| *id == summary.id).map(|(_, r)| r.as_str()).unwrap_or("member");
        accounts.push(MyAccount {
            role: decode::enumerated(role, |r| r.parse::<Role>().ok())?,
            is_current: Some(summary.id.as_str()) == current,
            summary,
        });
    }
    Ok(AccountsOverview { accounts, totals })
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn switch(info: &RequestInfo, caller: &Authorized, account_id: &AccountId) -> Result<(), AppError> {
    let state = &caller.state;
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    // Only an account the person belongs to; any other answers like a missing one.
    let member: Option<String> = sqlx::query_scalar(
        "SELECT role FROM memberships WHERE user_id = $1 AND account_id = $2
         AND account_id IN (SELECT id FROM accounts WHERE archived_at IS NULL)",
    )
    .bind(caller.user_id())
    .bind(account_id)
    .fetch_optional(&mut *tx)
    .await?;
    if member.is_none() {
        return Err(AppError::not_found());
    }
    rotate(&mut tx, info, &caller.session.id_hash, now, View::Own { account_id: Some(account_id) }).await?;
    let from = caller.session.account.as_ref().map(|a| a.id.clone());
    let event = AuditEvent {
        action: "account.switched",
        actor_user_id: Some(caller.user_id()),
        actor_email: Some(&caller.session.email),
        account_id: Some(account_id),
        target_type: Some("account"),
        target_id: Some(account_id),
        detail: json!({ "from": from }),
        ..Default::default()
    };
    record(&mut tx, now, event).await?;
    tx.commit().await?;
    Ok(())
}
