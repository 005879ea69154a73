//! Sharing a day's run between workers. Every account gets a row per cycle date; a worker
//! leases a batch of rows for a while, bills each account and marks its row done. Several
//! processes on one PostgreSQL database skip each other's locked rows; when a worker dies its
//! leases run out and the next claim takes those accounts.

use time::Date;

use crate::domain::billing_items::iso_date;
use crate::server::infra::db::{Backend, Db, Tx, placeholders};
use crate::wire::error::AppError;

/// Lists every account for the date (once; accounts opened since are added on the next call).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn plan(db: &Db, date: Date, now: i64) -> Result<(), AppError> {
    let day = iso_date(date);
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO cycle_accounts (run_date, account_id)
         SELECT $1, a.id FROM accounts a
         WHERE a.archived_at IS NULL AND NOT EXISTS (SELECT 1 FROM cycle_accounts c WHERE c.run_date = $1 AND c.account_id = a.id)
         ON CONFLICT (run_date, account_id) DO NOTHING",
    )
    .bind(&day)
    .execute(&mut *tx)
    .await?;
    sqlx::query("INSERT INTO cycle_runs (run_date, planned_at) VALUES ($1, $2) ON CONFLICT (run_date) DO NOTHING")
        .bind(&day)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Leases up to `limit` accounts not done and not leased by a live worker; returns their ids.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn claim(
    db: &Db,
    date: Date,
    worker: &str,
    now: i64,
    lease_seconds: i64,
    limit: i64,
) -> Result<Vec<String>, AppError> {
    // PostgreSQL: rows another worker is claiming at this moment are skipped, not waited for.
    let lock = if db.backend() == Backend::Postgres { "FOR UPDATE SKIP LOCKED" } else { "" };
    let sql = format!(
        "UPDATE cycle_accounts SET leased_by = $1, lease_until = $2
         WHERE run_date = $3 AND account_id IN (
             SELECT account_id FROM cycle_accounts
             WHERE run_date = $3 AND done_at IS NULL AND (lease_until IS NULL OR lease_until < $4)
             ORDER BY account_id LIMIT $5 {lock})
         RETURNING account_id"
    );
    let mut tx = db.begin_write().await?;
    let mut ids: Vec<String> = sqlx::query_scalar(&sql)
        .bind(worker)
        .bind(now + lease_seconds)
        .bind(iso_date(date))
        .bind(now)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    ids.sort();
    Ok(ids)
}

/// Inside a batch's billing transaction: the accounts whose lease the worker still holds. A
/// worker that was too slow (its lease ran out and another took the account) must not bill it.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn still_held(
    tx: &mut Tx,
    date: Date,
    accounts: &[String],
    worker: &str,
    now: i64,
) -> Result<Vec<String>, AppError> {
    if accounts.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "UPDATE cycle_accounts SET issued_at = $3
         WHERE run_date = $1 AND leased_by = $2 AND done_at IS NULL AND account_id IN ({})
         RETURNING account_id",
        placeholders(4, accounts.len())
    );
    let mut query = sqlx::query_scalar::<_, String>(&sql).bind(iso_date(date)).bind(worker).bind(now);
    for account in accounts {
        query = query.bind(account);
    }
    let mut held = query.fetch_all(&mut **tx).await?;
    held.sort();
    Ok(held)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn mark_done(db: &Db, date: Date, accounts: &[String], worker: &str, now: i64) -> Result<(), AppError> {
    if accounts.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "UPDATE cycle_accounts SET done_at = $3 WHERE run_date = $1 AND leased_by = $2 AND account_id IN ({})",
        placeholders(4, accounts.len())
    );
    let mut query = sqlx::query(&sql).bind(iso_date(date)).bind(worker).bind(now);
    for account in accounts {
        query = query.bind(account);
    }
    query.execute(db.pool()).await?;
    Ok(())
}

/// Accounts of the date not done yet (leased by someone or not).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn remaining(db: &Db, date: Date) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM cycle_accounts WHERE run_date = $1 AND done_at IS NULL")
        .bind(iso_date(date))
        .fetch_one(db.pool())
        .await?)
}

/// Records that every account of the date is done.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn complete(db: &Db, date: Date, now: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE cycle_runs SET completed_at = $2 WHERE run_date = $1 AND completed_at IS NULL")
        .bind(iso_date(date))
        .bind(now)
        .execute(db.pool())
        .await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn is_complete(db: &Db, date: Date) -> Result<bool, AppError> {
    let completed: Option<Option<i64>> = sqlx::query_scalar("SELECT completed_at FROM cycle_runs WHERE run_date = $1")
        .bind(iso_date(date))
        .fetch_optional(db.pool())
        .await?;
    Ok(matches!(completed, Some(Some(_))))
}
