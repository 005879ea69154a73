//! Delivering events: each pending delivery whose turn has come is POSTed, signed, to its
//! endpoint. A 2xx answer delivers it; anything else (an error, a timeout, no answer) is tried
//! again with backoff for a day (`domain::webhooks::next_attempt`), then given up — staff can
//! still resend it. In order per account: a delivery waits while an earlier event of its account
//! to the same endpoint is still pending. At least once: a delivery is marked only after the
//! answer, so a crash in between sends it again.

use std::time::{Duration, Instant};

use tokio::task::JoinHandle;

use crate::domain::webhooks::next_attempt;
use crate::server::infra::background::{Stop, is_due};
use crate::server::infra::clock::unix_now;
use crate::server::infra::ids::new_id;
use crate::server::infra::state::AppState;
use crate::server::webhooks::signature;
use crate::wire::error::AppError;

/// How long one attempt may take before it counts as failed.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// A delivery being attempted is leased this long, so two workers never send it at once.
const LEASE_SECS: i64 = 60;
/// Deliveries attempted at once (each to a different endpoint or account).
const BATCH: i64 = 32;
/// The longest answer body kept in the log.
const KEPT_ERROR_CHARS: usize = 300;

/// The HTTP client deliveries use: no redirects (a signed event goes where it was registered),
/// a timeout per attempt.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(ATTEMPT_TIMEOUT)
        .user_agent("Portico-Webhooks/1")
        .build()
        .unwrap_or_default()
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub delivered: usize,
    pub failed: usize,
}

/// delivery, endpoint url, secret, event id, event type, payload, event created, attempts.
type Due = (String, String, String, String, String, String, i64, i64);

/// Attempts every delivery whose turn has come, pass after pass until none is due, so a
/// backlog for one account goes out in order in one call. Returns what was attempted.
pub async fn deliver_due(state: &AppState, client: &reqwest::Client) -> Result<Pass, AppError> {
    let mut total = Pass::default();
    // Bounded: a receiver that answers instantly cannot keep one call going forever.
    for _ in 0..50 {
        let pass = deliver_pass(state, client).await?;
        total.delivered += pass.delivered;
        total.failed += pass.failed;
        // Nothing delivered: nothing was due, or only failures whose next attempts are later.
        if pass.delivered == 0 {
            break;
        }
    }
    Ok(total)
}

async fn deliver_pass(state: &AppState, client: &reqwest::Client) -> Result<Pass, AppError> {
    let now = unix_now(state.clock.as_ref());
    let due: Vec<Due> = sqlx::query_as(
        "SELECT d.id, e.url, e.secret, ev.id, ev.event_type, ev.payload, ev.created_at, d.attempts
         FROM webhook_deliveries d
         JOIN webhook_endpoints e ON e.id = d.endpoint_id
         JOIN webhook_events ev ON ev.id = d.event_id
         WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND (d.leased_until IS NULL OR d.leased_until < $1)
           AND e.disabled_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p
                           WHERE p.endpoint_id = d.endpoint_id AND p.account_id = d.account_id
                             AND p.status = 'pending' AND p.seq < d.seq)
         ORDER BY d.next_attempt_at, d.seq LIMIT $2",
    )
    .bind(now)
    .bind(BATCH)
    .fetch_all(state.db.pool())
    .await?;
    let attempts = due.into_iter().map(|due| attempt(state, client, due, now));
    let outcomes = futures::future::join_all(attempts).await;
    let mut pass = Pass::default();
    for outcome in outcomes {
        match outcome? {
            Some(true) => pass.delivered += 1,
            Some(false) => pass.failed += 1,
            None => {}
        }
    }
    Ok(pass)
}

/// One attempt; `None` when another worker holds the delivery.
async fn attempt(state: &AppState, client: &reqwest::Client, due: Due, now: i64) -> Result<Option<bool>, AppError> {
    let (delivery_id, url, secret, event_id, event_type, payload, event_created, attempts) = due;
    let leased = sqlx::query(
        "UPDATE webhook_deliveries SET leased_until = $1
         WHERE id = $2 AND status = 'pending' AND (leased_until IS NULL OR leased_until < $3)",
    )
    .bind(now + LEASE_SECS)
    .bind(&delivery_id)
    .bind(now)
    .execute(state.db.pool())
    .await?;
    if leased.rows_affected() != 1 {
        return Ok(None);
    }
    let started = Instant::now();
    let answer = client
        .post(&url)
        .header("content-type", "application/json")
        .header(signature::HEADER, signature::sign(&secret, now, payload.as_bytes()))
        .header("portico-event-id", &event_id)
        .header("portico-event-type", &event_type)
        .body(payload)
        .send()
        .await;
    let (status_code, error) = match answer {
        Ok(response) => {
            let status = response.status();
            if status.is_success() {
                (Some(i64::from(status.as_u16())), None)
            } else {
                let body = response.text().await.unwrap_or_default();
                let kept: String = body.chars().take(KEPT_ERROR_CHARS).collect();
                (Some(i64::from(status.as_u16())), Some(format!("answered {status}: {kept}")))
            }
        }
        Err(error) => (None, Some(describe(&error))),
    };
    let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let delivered = error.is_none();
    let mut tx = state.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO webhook_attempts (id, delivery_id, attempted_at, status_code, error, duration_ms)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new_id("wha"))
    .bind(&delivery_id)
    .bind(now)
    .bind(status_code)
    .bind(error.as_deref())
    .bind(duration_ms)
    .execute(&mut *tx)
    .await?;
    let attempts = attempts + 1;
    if delivered {
        sqlx::query(
            "UPDATE webhook_deliveries SET status = 'succeeded', attempts = $1, delivered_at = $2, leased_until = NULL,
                                           last_status_code = $3, last_error = NULL
             WHERE id = $4",
        )
        .bind(attempts)
        .bind(now)
        .bind(status_code)
        .bind(&delivery_id)
        .execute(&mut *tx)
        .await?;
    } else {
        let next = next_attempt(event_created, attempts, now);
        sqlx::query(
            "UPDATE webhook_deliveries SET status = $1, attempts = $2, next_attempt_at = $3, leased_until = NULL,
                                           last_status_code = $4, last_error = $5
             WHERE id = $6",
        )
        .bind(if next.is_some() { "pending" } else { "failed" })
        .bind(attempts)
        .bind(next.unwrap_or(now))
        .bind(status_code)
        .bind(error.as_deref())
        .bind(&delivery_id)
        .execute(&mut *tx)
        .await?;
        tracing::info!(delivery = %delivery_id, event = %event_id, attempts, error = error.as_deref().unwrap_or(""), "webhook delivery failed");
    }
    tx.commit().await?;
    Ok(Some(delivered))
}

fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        format!("no answer within {} seconds", ATTEMPT_TIMEOUT.as_secs())
    } else if error.is_connect() {
        "could not connect".into()
    } else {
        "the request failed".into()
    }
}

/// How often every account's service status is compared with what the vendor was told.
const WATCH_EVERY_SECS: i64 = 60;

/// Delivers in the background, every second; watches service status every minute. Ends
/// between passes when the server stops.
pub fn spawn_background(state: AppState, mut stop: Stop) -> Option<JoinHandle<()>> {
    Some(tokio::spawn(async move {
        let client = client();
        let mut last_watch = None;
        loop {
            let now = unix_now(state.clock.as_ref());
            if is_due(last_watch, now, WATCH_EVERY_SECS) {
                if let Err(error) = crate::server::credit::watch::check_all(&state).await {
                    tracing::warn!(?error, "service status watch failed");
                }
                last_watch = Some(now);
            }
            if let Err(error) = deliver_due(&state, &client).await {
                tracing::warn!(?error, "webhook delivery pass failed");
            }
            if stop.pause(Duration::from_secs(1)).await {
                break;
            }
        }
    }))
}
