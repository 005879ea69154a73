//! The paying method, cancelling at period end and resuming. None of these moves money: a
//! cancellation takes effect at the renewal date, so the period already paid is used in full.

use crate::domain::ids::SubscriptionId;
use serde_json::json;

use crate::domain::payment_method::MethodKind;
use crate::domain::subscription::Transition;
use crate::domain::webhooks::EventType;
use crate::server::infra::actor::Acting;
use crate::server::infra::clock::unix_now;
use crate::server::infra::db::{Tx, decode};
use crate::server::infra::ids::new_id;
use crate::server::subscriptions::record::load;
use crate::server::webhooks::{About, emit};
use crate::wire::error::AppError;

/// Longest cancellation reason kept; the rest is a conversation for the agency.
pub const MAX_REASON_CHARS: usize = 1000;

#[tracing::instrument(level = "debug", skip_all)]
pub async fn set_payment_method(
    caller: &Acting<'_>,
    subscription_id: &SubscriptionId,
    payment_method_id: &str,
) -> Result<(), AppError> {
    let state = caller.state;
    let account_id = &caller.account_id;
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    let record = load(&mut *tx, account_id, subscription_id).await?;
    record.state.apply(Transition::ChangePaymentMethod).map_err(conflict)?;
    let kind: Option<String> =
        sqlx::query_scalar("SELECT kind FROM payment_methods WHERE id = $1 AND account_id = $2 AND removed_at IS NULL")
            .bind(payment_method_id)
            .bind(account_id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some(kind) = kind else {
        return Err(AppError::invalid("payment_method", "Choose one of your saved payment methods."));
    };
    if !matches!(decode::enumerated(&kind, MethodKind::parse)?, MethodKind::Card | MethodKind::Ach) {
        return Err(AppError::invalid(
            "payment_method",
            "Subscriptions renew automatically, so they need a card or a bank account that can be charged.",
        ));
    }
    if record.payment_method_id.as_deref() == Some(payment_method_id) {
        return Ok(());
    }
    let moved = sqlx::query(
        "UPDATE subscriptions SET payment_method_id = $1, version = version + 1
         WHERE id = $2 AND account_id = $3 AND version = $4 AND status <> 'cancelled'",
    )
    .bind(payment_method_id)
    .bind(subscription_id)
    .bind(account_id)
    .bind(record.version)
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() != 1 {
        return Err(changed_meanwhile());
    }
    log_change(&mut tx, caller, subscription_id, "payment_method", None, now).await?;
    let detail = json!({ "from": record.payment_method_id, "to": payment_method_id });
    caller
        .record(&mut tx, now, "subscription.payment_method_changed", ("subscription", subscription_id), detail)
        .await?;
    emit(&mut tx, now, &caller.account_id, EventType::SubscriptionChanged, About::Subscription(subscription_id))
        .await?;
    tx.commit().await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn schedule_cancel(
    caller: &Acting<'_>,
    subscription_id: &SubscriptionId,
    reason: &str,
) -> Result<(), AppError> {
    let reason = cancellation_reason(reason)?;
    let state = caller.state;
    let account_id = &caller.account_id;
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    let record = load(&mut *tx, account_id, subscription_id).await?;
    record.state.apply(Transition::ScheduleCancel).map_err(conflict)?;
    let scheduled = sqlx::query(
        "UPDATE subscriptions SET cancel_at_period_end = 1, cancellation_reason = $1, cancel_requested_at = $2,
                                  cancel_requested_by = $3, version = version + 1
         WHERE id = $4 AND account_id = $5 AND version = $6 AND cancel_at_period_end = 0 AND status <> 'cancelled'",
    )
    .bind(reason)
    .bind(now)
    .bind(caller.user_id())
    .bind(subscription_id)
    .bind(account_id)
    .bind(record.version)
    .execute(&mut *tx)
    .await?;
    if scheduled.rows_affected() != 1 {
        return Err(changed_meanwhile());
    }
    log_change(&mut tx, caller, subscription_id, "cancel", reason, now).await?;
    let detail = json!({ "reason": reason, "ends_on": crate::domain::billing_items::iso_date(record.period.end) });
    caller.record(&mut tx, now, "subscription.cancel_scheduled", ("subscription", subscription_id), detail).await?;
    emit(&mut tx, now, &caller.account_id, EventType::SubscriptionChanged, About::Subscription(subscription_id))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Ends the subscription today (the vendor's API): nothing more is billed for it; unused time
/// is not credited here (a credit note against its invoice does that, capped by what was paid).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn cancel_now(caller: &Acting<'_>, subscription_id: &SubscriptionId, reason: &str) -> Result<(), AppError> {
    let reason = cancellation_reason(reason)?;
    let state = caller.state;
    let account_id = &caller.account_id;
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    let record = load(&mut *tx, account_id, subscription_id).await?;
    if record.state.status == crate::domain::billing_items::SubscriptionStatus::Cancelled {
        return Ok(());
    }
    let cancelled = sqlx::query(
        "UPDATE subscriptions SET status = 'cancelled', cancelled_at = $1, cancellation_reason = $2, cancel_requested_at = $1,
                                  version = version + 1
         WHERE id = $3 AND account_id = $4 AND version = $5 AND status <> 'cancelled'",
    )
    .bind(now)
    .bind(reason)
    .bind(subscription_id)
    .bind(account_id)
    .bind(record.version)
    .execute(&mut *tx)
    .await?;
    if cancelled.rows_affected() != 1 {
        return Err(changed_meanwhile());
    }
    log_change(&mut tx, caller, subscription_id, "cancel", reason, now).await?;
    caller
        .record(&mut tx, now, "subscription.cancelled", ("subscription", subscription_id), json!({ "reason": reason }))
        .await?;
    emit(&mut tx, now, account_id, EventType::SubscriptionCancelled, About::Subscription(subscription_id)).await?;
    tx.commit().await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn resume(caller: &Acting<'_>, subscription_id: &SubscriptionId) -> Result<(), AppError> {
    let state = caller.state;
    let account_id = &caller.account_id;
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    let record = load(&mut *tx, account_id, subscription_id).await?;
    record.state.apply(Transition::Resume).map_err(conflict)?;
    let resumed = sqlx::query(
        "UPDATE subscriptions SET cancel_at_period_end = 0, cancellation_reason = NULL, cancel_requested_at = NULL,
                                  cancel_requested_by = NULL, version = version + 1
         WHERE id = $1 AND account_id = $2 AND version = $3 AND cancel_at_period_end = 1 AND status <> 'cancelled'",
    )
    .bind(subscription_id)
    .bind(account_id)
    .bind(record.version)
    .execute(&mut *tx)
    .await?;
    if resumed.rows_affected() != 1 {
        return Err(changed_meanwhile());
    }
    log_change(&mut tx, caller, subscription_id, "resume", None, now).await?;
    caller.record(&mut tx, now, "subscription.resumed", ("subscription", subscription_id), json!({})).await?;
    emit(&mut tx, now, &caller.account_id, EventType::SubscriptionChanged, About::Subscription(subscription_id))
        .await?;
    tx.commit().await?;
    Ok(())
}

async fn log_change(
    tx: &mut Tx,
    caller: &Acting<'_>,
    subscription_id: &SubscriptionId,
    kind: &str,
    reason: Option<&str>,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO subscription_changes (id, subscription_id, account_id, kind, reason, changed_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id("sch"))
    .bind(subscription_id)
    .bind(&caller.account_id)
    .bind(kind)
    .bind(reason)
    .bind(caller.user_id())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The reason given for a cancellation, trimmed; `None` when empty.
fn cancellation_reason(reason: &str) -> Result<Option<&str>, AppError> {
    let reason = reason.trim();
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(AppError::invalid("reason", "Keep the reason under 1,000 characters."));
    }
    Ok((!reason.is_empty()).then_some(reason))
}

fn conflict(error: crate::domain::subscription::TransitionError) -> AppError {
    AppError::Conflict(error.to_string()).tracked()
}

fn changed_meanwhile() -> AppError {
    AppError::Conflict("This subscription was changed since you opened it. Reload to see where it stands.".into())
        .tracked()
}
