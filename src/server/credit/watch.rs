//! Service status is computed from the ledger, the invoices and the date (see `status`); it
//! can change without anyone acting (an invoice passes its due date). The watcher compares it
//! with what the vendor was last told and writes `service.blocked` / `service.resumed` when a
//! service's state moved, once per move (a conditional update on the stored state).

use crate::domain::ids::AccountId;
use crate::domain::service_status::Service;
use crate::domain::webhooks::EventType;
use crate::server::credit::status::for_account;
use crate::server::infra::clock::{today, unix_now};
use crate::server::infra::state::AppState;
use crate::server::objects::service_status::to_wire;
use crate::server::webhooks::emit_object;
use crate::wire::error::AppError;

/// Checks one account; returns how many events it wrote.
pub async fn check(state: &AppState, account_id: &AccountId) -> Result<usize, AppError> {
    let now = unix_now(state.clock.as_ref());
    let told: Option<String> =
        sqlx::query_scalar("SELECT service_blocks FROM accounts WHERE id = $1 AND archived_at IS NULL")
            .bind(account_id)
            .fetch_optional(state.db.pool())
            .await?;
    let Some(told) = told else { return Ok(0) };
    let status = for_account(state.db.pool(), account_id, today(state.clock.as_ref())).await?;
    let blocked: Vec<Service> = Service::ALL.iter().copied().filter(|s| status.is_blocked(*s)).collect();
    let now_text = blocked.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",");
    if now_text == told {
        return Ok(0);
    }
    let was: Vec<&str> = told.split(',').filter(|s| !s.is_empty()).collect();
    let mut tx = state.db.begin_write().await?;
    let moved = sqlx::query("UPDATE accounts SET service_blocks = $1 WHERE id = $2 AND service_blocks = $3")
        .bind(&now_text)
        .bind(account_id)
        .bind(&told)
        .execute(&mut *tx)
        .await?;
    if moved.rows_affected() != 1 {
        return Ok(0);
    }
    let object = to_wire(account_id.to_string(), status);
    let mut written = 0;
    if blocked.iter().any(|s| !was.contains(&s.as_str())) {
        emit_object(&mut tx, now, account_id, EventType::ServiceBlocked, &object).await?;
        written += 1;
    }
    if was.iter().any(|w| !blocked.iter().any(|s| s.as_str() == *w)) {
        emit_object(&mut tx, now, account_id, EventType::ServiceResumed, &object).await?;
        written += 1;
    }
    tx.commit().await?;
    Ok(written)
}

/// Checks every active account of every vendor.
pub async fn check_all(state: &AppState) -> Result<usize, AppError> {
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM accounts WHERE archived_at IS NULL ORDER BY id")
        .fetch_all(state.db.pool())
        .await?;
    let mut written = 0;
    for id in ids {
        written += check(state, &AccountId::new(id)).await?;
    }
    Ok(written)
}
