//! What a move of the balance sets off, inside the transaction that made it: the client's low
//! balance alert (an email through the outbox) and their automatic top-up (requested here, paid
//! after the commit by [`crate::server::credit::auto_top_up`], since a charge never runs inside a transaction).

use crate::domain::ids::AccountId;
use serde_json::json;

use crate::domain::credit::crosses_down;
use crate::domain::money::Money;
use crate::server::credit::ledger::Appended;
use crate::server::credit::settings::{self, CreditSettings};
use crate::server::infra::audit::{AuditEvent, record};
use crate::server::infra::db::Tx;
use crate::server::infra::ids::new_id;
use crate::server::infra::mail::outbox::{Email, billing_contacts, enqueue};
use crate::wire::error::AppError;

#[tracing::instrument(level = "debug", skip_all)]
pub async fn on_balance_moved(tx: &mut Tx, now: i64, account_id: &AccountId, moved: &Appended) -> Result<(), AppError> {
    let Some(settings) = settings::load_in(tx, account_id).await? else { return Ok(()) };
    let currency = moved.after.currency;
    if let Some(threshold) = settings.alert_threshold
        && crosses_down(moved.before.minor, moved.after.minor, threshold)
    {
        alert(tx, now, account_id, moved.after, Money::new(threshold, currency)).await?;
    }
    if let CreditSettings {
        auto_top_up_threshold: Some(threshold),
        auto_top_up_amount: Some(amount),
        auto_top_up_method_id: Some(method),
        ..
    } = &settings
        && crosses_down(moved.before.minor, moved.after.minor, *threshold)
    {
        let id = new_id("top");
        // At most one automatic top-up in flight per account (a partial unique index): a
        // second crossing while one is being paid adds nothing.
        sqlx::query(
            "INSERT INTO top_ups (id, account_id, trigger_kind, status, amount, currency, payment_method_id, idempotency_key,
                                  triggered_by_entry_id, created_at)
             VALUES ($1, $2, 'automatic', 'requested', $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
        )
        .bind(&id)
        .bind(account_id)
        .bind(amount)
        .bind(currency.code())
        .bind(method)
        .bind(format!("auto-top-up-{id}"))
        .bind(&moved.id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

async fn alert(
    tx: &mut Tx,
    now: i64,
    account_id: &AccountId,
    balance: Money,
    threshold: Money,
) -> Result<(), AppError> {
    let low = json!({
        "account_id": account_id.as_str(),
        "balance": crate::server::objects::Amount::from(balance),
        "threshold": crate::server::objects::Amount::from(threshold),
    });
    crate::server::webhooks::emit_object(tx, now, account_id, crate::domain::webhooks::EventType::CreditLow, &low)
        .await?;
    let subject = format!("Your credit balance is low: {}", balance.format());
    let stop = if balance.minor <= 0 {
        "Outbound messages are paused until the balance is above zero again."
    } else {
        "When it reaches zero, outbound messages pause until you add credit."
    };
    for (name, email) in billing_contacts(tx, account_id).await? {
        let body = format!(
            "Hello {name},\n\nYour message credit balance is now {} (you asked to hear when it falls to {} or below).\n\
             {stop}\n\nAdd to your credit balance in the billing portal, under Credit, or set up an automatic top-up there.\n\n— Portico billing",
            balance.format(),
            threshold.format()
        );
        enqueue(
            tx,
            now,
            Email { kind: "low_balance", to: &email, subject: &subject, body: &body, account_id: Some(account_id) },
        )
        .await?;
    }
    record(
        tx,
        now,
        AuditEvent {
            action: "credit.low_balance_alert",
            account_id: Some(account_id),
            detail: json!({ "balance": balance.minor, "threshold": threshold.minor, "currency": balance.currency.code() }),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}
