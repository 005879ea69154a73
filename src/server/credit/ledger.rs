//! Appending to the credit ledger. Every movement of the balance goes through [`append`]: it
//! serializes entries per account (the `ledger_seq` update is the lock, on PostgreSQL and on
//! SQLite alike), writes the balance after the entry once, and reacts to the move (the low
//! balance alert, an automatic top-up) in the same transaction.

use crate::domain::ids::AccountId;
use sqlx::AnyConnection;

use crate::domain::credit::EntryKind;
use crate::domain::currency::Currency;
use crate::domain::money::Money;
use crate::server::credit::reactions;
use crate::server::infra::db::Tx;
use crate::server::infra::ids::new_id;
use crate::wire::error::AppError;

pub struct NewEntry<'a> {
    pub account_id: &'a str,
    pub amount: Money,
    pub kind: EntryKind,
    pub description: &'a str,
    pub subscription_id: Option<&'a str>,
    pub invoice_id: Option<&'a str>,
    pub reverses_entry_id: Option<&'a str>,
    pub created_by: Option<&'a str>,
}

impl<'a> NewEntry<'a> {
    pub fn new(account_id: &'a str, amount: Money, kind: EntryKind, description: &'a str) -> Self {
        NewEntry {
            account_id,
            amount,
            kind,
            description,
            subscription_id: None,
            invoice_id: None,
            reverses_entry_id: None,
            created_by: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    pub id: String,
    pub seq: i64,
    pub before: Money,
    pub after: Money,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn append(tx: &mut Tx, now: i64, entry: NewEntry<'_>) -> Result<Appended, AppError> {
    if entry.amount.is_zero() {
        return Err(AppError::internal("ledger", "a ledger entry of zero"));
    }
    let seq: Option<i64> =
        sqlx::query_scalar("UPDATE accounts SET ledger_seq = ledger_seq + 1 WHERE id = $1 RETURNING ledger_seq")
            .bind(entry.account_id)
            .fetch_optional(&mut **tx)
            .await?;
    let Some(seq) = seq else { return Err(AppError::not_found()) };
    let before = balance_in(tx, &AccountId::from(entry.account_id), entry.amount.currency).await?;
    let after = before.checked_add(entry.amount).map_err(|e| AppError::internal("ledger", e))?;
    let id = new_id("cre");
    sqlx::query(
        "INSERT INTO credit_entries (id, account_id, seq, currency, amount, balance_after, kind, description, subscription_id,
                                     invoice_id, reverses_entry_id, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(&id)
    .bind(entry.account_id)
    .bind(seq)
    .bind(entry.amount.currency.code())
    .bind(entry.amount.minor)
    .bind(after.minor)
    .bind(entry.kind.as_str())
    .bind(entry.description)
    .bind(entry.subscription_id)
    .bind(entry.invoice_id)
    .bind(entry.reverses_entry_id)
    .bind(entry.created_by)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let appended = Appended { id, seq, before, after };
    reactions::on_balance_moved(tx, now, &AccountId::from(entry.account_id), &appended).await?;
    Ok(appended)
}

/// The balance in one currency: the balance after the account's latest entry in it.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn balance_in(
    conn: &mut AnyConnection,
    account_id: &AccountId,
    currency: Currency,
) -> Result<Money, AppError> {
    let last: Option<i64> = sqlx::query_scalar(
        "SELECT balance_after FROM credit_entries WHERE account_id = $1 AND currency = $2 ORDER BY seq DESC LIMIT 1",
    )
    .bind(account_id)
    .bind(currency.code())
    .fetch_optional(conn)
    .await?;
    Ok(Money::new(last.unwrap_or(0), currency))
}

/// The balance in every currency the account has entries in (its latest entry in each).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn balances(pool: &sqlx::AnyPool, account_id: &AccountId) -> Result<Vec<Money>, AppError> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT e.currency, e.balance_after FROM credit_entries e
         WHERE e.account_id = $1 AND e.seq = (SELECT MAX(l.seq) FROM credit_entries l WHERE l.account_id = e.account_id AND l.currency = e.currency)
         ORDER BY e.currency",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(|(currency, minor)| crate::server::infra::db::decode::money(minor, &currency)).collect()
}

/// Undoes an entry with an opposite one; an entry is reversed at most once and a reversal is
/// never reversed. Returns the reversal, or NotFound for another account's entry.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn reverse(
    tx: &mut Tx,
    now: i64,
    account_id: &AccountId,
    entry_id: &str,
    reason: &str,
    by: Option<&str>,
) -> Result<Appended, AppError> {
    // Take the account's ledger lock before checking, so two reversals of one entry serialize
    // and the second sees the first.
    sqlx::query("UPDATE accounts SET ledger_seq = ledger_seq WHERE id = $1")
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    let row: Option<(i64, String, String, String)> = sqlx::query_as(
        "SELECT amount, currency, kind, description FROM credit_entries WHERE id = $1 AND account_id = $2",
    )
    .bind(entry_id)
    .bind(account_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((amount, currency, kind, description)) = row else { return Err(AppError::not_found()) };
    if kind == EntryKind::Reversal.as_str() {
        return Err(AppError::Conflict("A reversal cannot itself be reversed; add an adjustment instead.".into()));
    }
    let already: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM credit_entries WHERE reverses_entry_id = $1")
        .bind(entry_id)
        .fetch_one(&mut **tx)
        .await?;
    if already > 0 {
        return Err(AppError::Conflict("That entry has already been reversed.".into()));
    }
    let amount = crate::server::infra::db::decode::money(-amount, &currency)?;
    let text = format!("Reversal of \u{201c}{description}\u{201d}: {reason}");
    let mut entry = NewEntry::new(account_id, amount, EntryKind::Reversal, &text);
    entry.reverses_entry_id = Some(entry_id);
    entry.created_by = by;
    append(tx, now, entry).await
}
