//! Webhooks: events written in the transaction of the change they describe, delivered to the
//! vendor's endpoints at least once, signed, in order per account (see `deliver`).

pub mod deliver;
pub mod endpoints;
pub mod signature;

use serde::Serialize;
use serde_json::json;

use crate::domain::ids::AccountId;
use crate::domain::webhooks::{EventFilter, EventType};
use crate::server::infra::db::Tx;
use crate::server::infra::ids::new_id;
use crate::server::objects::{self, rfc3339};
use crate::wire::error::AppError;

/// The object an event is about, loaded as the API answers it inside the event's transaction.
pub enum About<'a> {
    Invoice(&'a str),
    Payment(&'a str),
    Subscription(&'a str),
    Estimate(&'a str),
    Person(&'a str),
    CreditNote(&'a str),
    Account,
}

/// Writes `kind` about `about` for the account, and a pending delivery for each of the
/// vendor's endpoints that listens to it. Call it inside the change's transaction.
pub async fn emit(
    tx: &mut Tx,
    now: i64,
    account_id: &AccountId,
    kind: EventType,
    about: About<'_>,
) -> Result<(), AppError> {
    let object = match about {
        About::Invoice(id) => serde_json::to_value(objects::invoice(tx, account_id, id).await?),
        About::Payment(id) => serde_json::to_value(objects::payment(tx, account_id, id).await?),
        About::Subscription(id) => serde_json::to_value(objects::subscription(tx, account_id, id).await?),
        About::Estimate(id) => {
            let today =
                time::OffsetDateTime::from_unix_timestamp(now).map_err(|e| AppError::internal("event time", e))?.date();
            serde_json::to_value(objects::estimate(tx, account_id, id, today).await?)
        }
        About::Person(id) => serde_json::to_value(objects::person(tx, account_id, id).await?),
        About::CreditNote(id) => serde_json::to_value(objects::credit_note(tx, account_id, id).await?),
        About::Account => {
            let vendor: String = sqlx::query_scalar("SELECT vendor_id FROM accounts WHERE id = $1")
                .bind(account_id)
                .fetch_one(&mut **tx)
                .await?;
            serde_json::to_value(objects::account(tx, &vendor, account_id).await?)
        }
    }
    .map_err(|e| AppError::internal("event object", e))?;
    emit_object(tx, now, account_id, kind, &object).await
}

/// Like [`emit`] with the object given (one that no longer exists after the change, such as
/// a person removed from the account).
pub async fn emit_object(
    tx: &mut Tx,
    now: i64,
    account_id: &AccountId,
    kind: EventType,
    object: &impl Serialize,
) -> Result<(), AppError> {
    // Bumping the account's counter orders its events and makes concurrent writers of one
    // account's events take turns.
    let (vendor_id, seq): (String, i64) =
        sqlx::query_as("UPDATE accounts SET event_seq = event_seq + 1 WHERE id = $1 RETURNING vendor_id, event_seq")
            .bind(account_id)
            .fetch_one(&mut **tx)
            .await?;
    let id = new_id("evt");
    let payload = json!({
        "id": id,
        "type": kind.as_str(),
        "created": rfc3339(now),
        "account_id": account_id.as_str(),
        "data": { "object": object },
    })
    .to_string();
    sqlx::query(
        "INSERT INTO webhook_events (id, vendor_id, account_id, seq, event_type, payload, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(&vendor_id)
    .bind(account_id)
    .bind(seq)
    .bind(kind.as_str())
    .bind(&payload)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let endpoints: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, event_types FROM webhook_endpoints WHERE vendor_id = $1 AND disabled_at IS NULL ORDER BY id",
    )
    .bind(&vendor_id)
    .fetch_all(&mut **tx)
    .await?;
    for (endpoint_id, types) in endpoints {
        if !EventFilter::from_stored(&types).matches(kind) {
            continue;
        }
        sqlx::query(
            "INSERT INTO webhook_deliveries (id, endpoint_id, event_id, account_id, seq, status, attempts, next_attempt_at, created_at)
             VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6)",
        )
        .bind(new_id("whd"))
        .bind(&endpoint_id)
        .bind(&id)
        .bind(account_id)
        .bind(seq)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
