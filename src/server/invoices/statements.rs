//! Account statements (issue 4): for a date range, the opening balance, every invoice and
//! payment in order with a running balance, and the closing balance. The balance is what the
//! account owes: invoices add to it, payments take from it; card surcharges are charged and
//! paid at the same moment, so they leave it unchanged and are not listed.

use crate::domain::ids::AccountId;
use sqlx::FromRow;
use time::{Date, Duration};

use crate::domain::billing_items::{InvoiceKind, iso_date};
use crate::domain::currency::Currency;
use crate::domain::money::Money;
use crate::server::infra::db::decode;
use crate::server::infra::state::AppState;
use crate::wire::error::AppError;

/// The longest range one statement covers.
pub const MAX_RANGE_DAYS: i64 = 366 * 5;

#[derive(Debug, Clone, PartialEq)]
pub enum LineKind {
    Invoice,
    Payment,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StatementLine {
    pub date: Date,
    pub kind: LineKind,
    pub reference: String,
    pub description: String,
    pub charge: Option<Money>,
    pub payment: Option<Money>,
    pub balance: Money,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub account_name: String,
    pub company_name: String,
    pub vendor_name: String,
    pub currency: Currency,
    pub from: Date,
    pub to: Date,
    pub opening_balance: Money,
    pub lines: Vec<StatementLine>,
    pub closing_balance: Money,
}

/// Checks a requested range: both dates, in order, and not absurdly long.
pub fn validate_range(from: Option<Date>, to: Option<Date>) -> Result<(Date, Date), AppError> {
    let from = from.ok_or_else(|| AppError::invalid("from", "Enter the first day of the statement (YYYY-MM-DD)."))?;
    let to = to.ok_or_else(|| AppError::invalid("to", "Enter the last day of the statement (YYYY-MM-DD)."))?;
    if to < from {
        return Err(AppError::invalid("to", "The last day must be on or after the first day."));
    }
    if (to - from).whole_days() > MAX_RANGE_DAYS {
        return Err(AppError::invalid("to", "A statement covers at most five years. Choose a shorter range."));
    }
    Ok((from, to))
}

#[derive(FromRow)]
struct AccountRow {
    name: String,
    company_name: String,
    currency: String,
    vendor_name: String,
}

#[derive(FromRow)]
struct EntryRow {
    entry_type: String,
    day: String,
    at: i64,
    reference: String,
    kind: String,
    amount: i64,
}

fn midnight(date: Date) -> i64 {
    date.midnight().assume_utc().unix_timestamp()
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn build(state: &AppState, account_id: &AccountId, from: Date, to: Date) -> Result<Statement, AppError> {
    let pool = state.db.pool();
    let account: AccountRow = sqlx::query_as(
        "SELECT a.name, a.company_name, a.currency, v.name AS vendor_name FROM accounts a JOIN vendors v ON v.id = a.vendor_id WHERE a.id = $1",
    )
    .bind(account_id)
    .fetch_optional(pool)
    .await?
    .ok_or_else(AppError::not_found)?;
    let currency = decode::currency(&account.currency)?;
    let (from_text, to_text) = (iso_date(from), iso_date(to));
    let (from_at, after_to_at) = (midnight(from), midnight(to + Duration::days(1)));

    let invoiced_before: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(total), 0) AS BIGINT) FROM invoices
         WHERE account_id = $1 AND currency = $2 AND status NOT IN ('draft', 'void') AND issue_date < $3",
    )
    .bind(account_id)
    .bind(currency.code())
    .bind(&from_text)
    .fetch_one(pool)
    .await?;
    let paid_before: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM payments
         WHERE account_id = $1 AND currency = $2 AND status = 'succeeded' AND created_at < $3",
    )
    .bind(account_id)
    .bind(currency.code())
    .bind(from_at)
    .fetch_one(pool)
    .await?;

    let rows: Vec<EntryRow> = sqlx::query_as(
        "SELECT * FROM (
             SELECT 'invoice' AS entry_type, issue_date AS day, created_at AS at, number AS reference, kind, total AS amount
             FROM invoices WHERE account_id = $1 AND currency = $2 AND status NOT IN ('draft', 'void')
               AND issue_date >= $3 AND issue_date <= $4 AND total <> 0
             UNION ALL
             SELECT 'payment' AS entry_type, '' AS day, created_at AS at, method_label AS reference, method_kind AS kind, amount
             FROM payments WHERE account_id = $1 AND currency = $2 AND status = 'succeeded' AND created_at >= $5 AND created_at < $6
         ) entries ORDER BY at, entry_type, reference",
    )
    .bind(account_id)
    .bind(currency.code())
    .bind(&from_text)
    .bind(&to_text)
    .bind(from_at)
    .bind(after_to_at)
    .fetch_all(pool)
    .await?;

    let overflow = |e| AppError::internal("statement balance", e);
    let opening_balance = Money::new(invoiced_before - paid_before, currency);
    let mut balance = opening_balance;
    let mut lines = Vec::with_capacity(rows.len());
    for row in rows {
        let amount = Money::new(row.amount, currency);
        if row.entry_type == "invoice" {
            balance = balance.checked_add(amount).map_err(overflow)?;
            let kind = decode::enumerated(&row.kind, InvoiceKind::parse)?;
            lines.push(StatementLine {
                date: decode::date(&row.day)?,
                kind: LineKind::Invoice,
                description: kind.label().to_string(),
                reference: row.reference,
                charge: Some(amount),
                payment: None,
                balance,
            });
        } else {
            balance = balance.checked_sub(amount).map_err(overflow)?;
            let date = time::OffsetDateTime::from_unix_timestamp(row.at)
                .map_err(|e| AppError::internal("payment time", e))?
                .date();
            lines.push(StatementLine {
                date,
                kind: LineKind::Payment,
                description: "Payment received".to_string(),
                reference: row.reference,
                charge: None,
                payment: Some(amount),
                balance,
            });
        }
    }
    Ok(Statement {
        account_name: account.name,
        company_name: account.company_name,
        vendor_name: account.vendor_name,
        currency,
        from,
        to,
        opening_balance,
        lines,
        closing_balance: balance,
    })
}
