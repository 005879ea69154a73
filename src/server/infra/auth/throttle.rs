//! Throttles on anything that can be guessed by trying: passwords (sign-in, password change,
//! accepting an invitation as an existing user), card tokenization, payment links.
//!
//! An attempt is recorded *before* the check it guards runs, in one transaction that first takes
//! a lock per throttled scope (an upsert of its `guard_locks` row: a row lock on PostgreSQL, the
//! write lock on SQLite) and counts the scope's failed and still-pending attempts in its window.
//! Parallel requests therefore count each other: twenty guesses sent at once for one email are
//! five checked and fifteen refused, never twenty checked. The attempt is then marked failed or
//! succeeded; only failures (and attempts that never finished) count.

use crate::domain::ids::AccountId;
use crate::server::infra::db::Db;
use crate::server::infra::ids::new_id;
use crate::wire::error::AppError;

/// A throttled scope: at most `max_failures` failed attempts within `window_secs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    pub scope: String,
    pub max_failures: i64,
    pub window_secs: i64,
    /// What the person is told when this limit refuses them.
    pub refusal: &'static str,
}

/// Attempts recorded under their limits, to be marked with their outcome.
#[must_use = "an attempt counts as failed until it is finished"]
pub struct Attempt {
    ids: Vec<String>,
    /// Failures already counted under the busiest of its limits: a caller that has been failing
    /// waits in a lane of its own for the expensive check (see `password::off_the_workers`).
    pub recent_failures: i64,
}

/// Failures after which a caller's password checks queue in the narrow lane.
pub const SUSPECT_AFTER_FAILURES: i64 = 3;

impl Attempt {
    pub fn is_suspect(&self) -> bool {
        self.recent_failures >= SUSPECT_AFTER_FAILURES
    }
}

pub const PASSWORD_WINDOW_SECS: i64 = 15 * 60;
/// Failed password checks per email from one address, per email from anywhere (guessing spread
/// over many addresses), and per address over all emails (one address trying many accounts).
pub const PASSWORD_FAILURES_PER_EMAIL_AND_ADDRESS: i64 = 5;
pub const PASSWORD_FAILURES_PER_EMAIL: i64 = 50;
pub const PASSWORD_FAILURES_PER_ADDRESS: i64 = 30;

/// Cards tokenized from one address: a person adds a few; a card tester tries thousands.
pub const TOKENIZATIONS_PER_ADDRESS: i64 = 30;
pub const TOKENIZE_WINDOW_SECS: i64 = 15 * 60;
pub const THROTTLED_TOKENIZE: &str = "Too many cards tried from your network. Wait 15 minutes, then try again.";

pub fn tokenize_limits(address: Option<&str>) -> Vec<Limit> {
    vec![Limit {
        scope: format!("tokenize-from:{}", address.unwrap_or("unknown")),
        max_failures: TOKENIZATIONS_PER_ADDRESS,
        window_secs: TOKENIZE_WINDOW_SECS,
        refusal: THROTTLED_TOKENIZE,
    }]
}

/// Cards declined when added to one account within an hour.
pub const ATTACH_DECLINES_PER_ACCOUNT: i64 = 10;
pub const THROTTLED_ATTACH: &str =
    "Too many cards were declined for this account. Wait an hour, then try again, or add a bank account.";

pub fn attach_limits(account_id: &AccountId) -> Vec<Limit> {
    vec![Limit {
        scope: format!("attach:{account_id}"),
        max_failures: ATTACH_DECLINES_PER_ACCOUNT,
        window_secs: 3600,
        refusal: THROTTLED_ATTACH,
    }]
}

/// Declined payments through one payment link before it locks, and payments tried through
/// links from one address in an hour.
pub const LINK_FAILURES: i64 = 3;
pub const LINK_PAYMENTS_PER_ADDRESS: i64 = 10;
pub const LINK_LOCKED: &str =
    "This payment link is locked after several declined payments. Ask the sender for a new one.";
pub const THROTTLED_LINKS: &str = "Too many payments tried from your network. Wait an hour, then try again.";

/// `link_hash` is the stored hash of the link's token.
pub fn link_limits(link_hash: &str, address: Option<&str>, link_lifetime_secs: i64) -> Vec<Limit> {
    vec![
        Limit {
            scope: link_scope(link_hash),
            max_failures: LINK_FAILURES,
            window_secs: link_lifetime_secs,
            refusal: LINK_LOCKED,
        },
        Limit {
            scope: format!("link-from:{}", address.unwrap_or("unknown")),
            max_failures: LINK_PAYMENTS_PER_ADDRESS,
            window_secs: 3600,
            refusal: THROTTLED_LINKS,
        },
    ]
}

pub fn link_scope(link_hash: &str) -> String {
    format!("link:{link_hash}")
}

pub const THROTTLED_EMAIL: &str = "Too many failed sign-in attempts for this email. Wait 15 minutes, then try again.";
pub const THROTTLED_ADDRESS: &str =
    "Too many failed sign-in attempts from your network. Wait 15 minutes, then try again.";

/// The limits on checking a password for `email` from `address`. The per-account limit is
/// counted per address first, so someone guessing from elsewhere does not lock the owner out;
/// only guessing from very many addresses reaches the account-wide limit.
pub fn password_limits(email: &str, address: Option<&str>) -> Vec<Limit> {
    let address = address.unwrap_or("unknown");
    let email = email.trim().to_lowercase();
    vec![
        Limit {
            scope: format!("password:{email}:{address}"),
            max_failures: PASSWORD_FAILURES_PER_EMAIL_AND_ADDRESS,
            window_secs: PASSWORD_WINDOW_SECS,
            refusal: THROTTLED_EMAIL,
        },
        Limit {
            scope: format!("password:{email}"),
            max_failures: PASSWORD_FAILURES_PER_EMAIL,
            window_secs: PASSWORD_WINDOW_SECS,
            refusal: THROTTLED_EMAIL,
        },
        Limit {
            scope: format!("password-from:{address}"),
            max_failures: PASSWORD_FAILURES_PER_ADDRESS,
            window_secs: PASSWORD_WINDOW_SECS,
            refusal: THROTTLED_ADDRESS,
        },
    ]
}

/// Records one attempt under every limit, or refuses with the first limit reached (429).
pub async fn begin(db: &Db, now: i64, limits: &[Limit]) -> Result<Attempt, AppError> {
    record(db, now, limits, "pending").await
}

/// Counts one use against every limit whatever its outcome (a tokenization, say), or refuses.
pub async fn spend(db: &Db, now: i64, limits: &[Limit]) -> Result<(), AppError> {
    record(db, now, limits, "failed").await.map(|_| ())
}

async fn record(db: &Db, now: i64, limits: &[Limit], outcome: &str) -> Result<Attempt, AppError> {
    let mut ordered: Vec<&Limit> = limits.iter().collect();
    // One lock order for every caller: two requests never wait on each other's locks.
    ordered.sort_by(|a, b| a.scope.cmp(&b.scope));
    let mut tx = db.begin_write().await?;
    for limit in &ordered {
        sqlx::query("INSERT INTO guard_locks (scope, touched_at) VALUES ($1, $2) ON CONFLICT (scope) DO UPDATE SET touched_at = $2")
            .bind(&limit.scope)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    let mut recent_failures = 0;
    for limit in &ordered {
        let counted: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM guard_attempts WHERE scope = $1 AND started_at > $2 AND outcome <> 'succeeded'",
        )
        .bind(&limit.scope)
        .bind(now - limit.window_secs)
        .fetch_one(&mut *tx)
        .await?;
        if counted >= limit.max_failures {
            tx.rollback().await?;
            return Err(AppError::RateLimited(limit.refusal.to_string()).tracked());
        }
        recent_failures = recent_failures.max(counted);
    }
    let mut ids = Vec::with_capacity(ordered.len());
    for limit in &ordered {
        let id = new_id("att");
        sqlx::query("INSERT INTO guard_attempts (id, scope, started_at, outcome) VALUES ($1, $2, $3, $4)")
            .bind(&id)
            .bind(&limit.scope)
            .bind(now)
            .bind(outcome)
            .execute(&mut *tx)
            .await?;
        ids.push(id);
    }
    tx.commit().await?;
    Ok(Attempt { ids, recent_failures })
}

/// Marks the attempt with its outcome. A failed attempt keeps counting until its window ends.
pub async fn finish(db: &Db, attempt: Attempt, succeeded: bool) -> Result<(), AppError> {
    let outcome = if succeeded { "succeeded" } else { "failed" };
    for id in &attempt.ids {
        sqlx::query("UPDATE guard_attempts SET outcome = $1 WHERE id = $2")
            .bind(outcome)
            .bind(id)
            .execute(db.pool())
            .await?;
    }
    Ok(())
}

/// Whether any attempt in `scope` failed within the window (without recording one).
pub async fn failures(db: &Db, now: i64, scope: &str, window_secs: i64) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM guard_attempts WHERE scope = $1 AND started_at > $2 AND outcome = 'failed'",
    )
    .bind(scope)
    .bind(now - window_secs)
    .fetch_one(db.pool())
    .await?)
}

/// Attempts older than a day count for no window; their locks are left unused.
pub async fn sweep(pool: &sqlx::AnyPool, now: i64) -> Result<u64, sqlx::Error> {
    let day_ago = now - 24 * 3600;
    let attempts = sqlx::query("DELETE FROM guard_attempts WHERE started_at < $1")
        .bind(day_ago)
        .execute(pool)
        .await?
        .rows_affected();
    let locks =
        sqlx::query("DELETE FROM guard_locks WHERE touched_at < $1").bind(day_ago).execute(pool).await?.rows_affected();
    Ok(attempts + locks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_emails_own_limit_is_counted_per_address_and_overall() {
        let limits = password_limits(" Owner@Northwind.test ", Some("203.0.113.7"));
        let scopes: Vec<&str> = limits.iter().map(|l| l.scope.as_str()).collect();
        assert_eq!(
            scopes,
            ["password:owner@northwind.test:203.0.113.7", "password:owner@northwind.test", "password-from:203.0.113.7"]
        );
        assert!(limits[0].max_failures < limits[2].max_failures && limits[2].max_failures < limits[1].max_failures);
    }
}
