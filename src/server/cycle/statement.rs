//! The reconciliation statement of a month (seed 003): the credit balance it opened with, the
//! prepayments, usage, refunds and other movements, and the balance it closed with, as lines
//! that add up to zero; the memo lists what was invoiced in the month and what is outstanding.

use time::Date;

use super::documents::{Draft, DraftLine, Issued, Recipient, insert};
use super::issue::exists;
use crate::api::error::AppError;
use crate::domain::billing_cycle::{last_of_month, month_key, month_name, next_month_start};
use crate::domain::billing_items::{InvoiceKind, format_date, iso_date};
use crate::domain::currency::Currency;
use crate::domain::money::{Money, group_thousands};
use crate::server::db::Tx;

#[derive(sqlx::FromRow)]
struct Movements {
    entries: i64,
    prepayments: i64,
    usage: i64,
    refunds: i64,
    other: i64,
}

#[derive(sqlx::FromRow)]
struct InvoiceRow {
    number: String,
    issue_date: String,
    due_date: String,
    status: String,
    total: i64,
    amount_paid: i64,
}

fn midnight(day: Date) -> i64 {
    day.midnight().assume_utc().unix_timestamp()
}

pub fn cycle_key(month: Date) -> String {
    format!("reconciliation:{}", month_key(month))
}

pub async fn issue(tx: &mut Tx, now: i64, to: &Recipient, date: Date, month: Date) -> Result<Option<Issued>, AppError> {
    let key = cycle_key(month);
    if exists(tx, &to.account_id, &key).await? {
        return Ok(None);
    }
    let Some((lines, memo)) = compose(tx, &to.account_id, to.currency, month).await? else {
        return Ok(None);
    };
    let draft = Draft {
        kind: InvoiceKind::Reconciliation,
        cycle_key: key,
        period: Some((month, last_of_month(month))),
        lines,
        memo: Some(memo),
        subscription_id: None,
    };
    Ok(Some(insert(tx, now, to, draft, date, date).await?))
}

/// The statement's lines and memo for the month starting `month`, or `None` for an account
/// with nothing to reconcile (no credit ledger yet, nothing invoiced or owed).
pub async fn compose(tx: &mut Tx, account_id: &str, currency: Currency, month: Date) -> Result<Option<(Vec<DraftLine>, String)>, AppError> {
    let to = Owner { account_id: account_id.to_string(), currency };
    let (from, until) = (midnight(month), midnight(next_month_start(month)));
    let currency = to.currency.code();
    let opening: Option<i64> = sqlx::query_scalar(
        "SELECT balance_after FROM credit_entries WHERE account_id = $1 AND currency = $2 AND created_at < $3 ORDER BY seq DESC LIMIT 1",
    )
    .bind(&to.account_id)
    .bind(currency)
    .bind(from)
    .fetch_optional(&mut **tx)
    .await?;
    let moved: Movements = sqlx::query_as(
        "SELECT COUNT(*) AS entries,
                CAST(COALESCE(SUM(CASE WHEN kind = 'prepayment' THEN amount ELSE 0 END), 0) AS BIGINT) AS prepayments,
                CAST(COALESCE(SUM(CASE WHEN kind = 'usage' THEN amount ELSE 0 END), 0) AS BIGINT) AS usage,
                CAST(COALESCE(SUM(CASE WHEN kind = 'refund' THEN amount ELSE 0 END), 0) AS BIGINT) AS refunds,
                CAST(COALESCE(SUM(CASE WHEN kind NOT IN ('prepayment', 'usage', 'refund') THEN amount ELSE 0 END), 0) AS BIGINT) AS other
         FROM credit_entries WHERE account_id = $1 AND currency = $2 AND created_at >= $3 AND created_at < $4",
    )
    .bind(&to.account_id)
    .bind(currency)
    .bind(from)
    .bind(until)
    .fetch_one(&mut **tx)
    .await?;
    let month_end = last_of_month(month);
    let invoices: Vec<InvoiceRow> = sqlx::query_as(
        "SELECT number, issue_date, due_date, status, total, amount_paid FROM invoices
         WHERE account_id = $1 AND kind <> 'reconciliation' AND status NOT IN ('draft', 'void') AND issue_date <= $3
           AND (issue_date >= $2 OR status IN ('open', 'awaiting_transfer'))
         ORDER BY issue_date, number",
    )
    .bind(&to.account_id)
    .bind(iso_date(month))
    .bind(iso_date(month_end))
    .fetch_all(&mut **tx)
    .await?;
    if opening.is_none() && moved.entries == 0 && invoices.is_empty() {
        return Ok(None);
    }

    let money = |minor: i64| Money::new(minor, to.currency);
    let overflow = || AppError::internal("statement amounts", "overflow");
    let opening = opening.unwrap_or(0);
    let closing = [moved.prepayments, moved.usage, moved.refunds, moved.other]
        .into_iter()
        .try_fold(opening, i64::checked_add)
        .ok_or_else(overflow)?;
    let messages: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(u.message_count), 0) AS BIGINT) FROM usage_records u JOIN credit_entries e ON e.id = u.ledger_entry_id
         WHERE e.account_id = $1 AND e.created_at >= $2 AND e.created_at < $3",
    )
    .bind(&to.account_id)
    .bind(from)
    .bind(until)
    .fetch_one(&mut **tx)
    .await?;

    let line = |description: String, amount: i64| DraftLine { description, quantity: 1, unit_amount: amount, plan_id: None };
    let mut lines = vec![
        line(format!("Credit balance on {}", format_date(month)), opening),
        line("Prepayments received".to_string(), moved.prepayments),
        line(format!("Messages used: {} messages", group_thousands(messages.max(0) as u64)), moved.usage),
        line("Refunds".to_string(), moved.refunds),
    ];
    if moved.other != 0 {
        lines.push(line("Adjustments and credits".to_string(), moved.other));
    }
    lines.push(line(format!("Credit balance on {}", format_date(month_end)), -closing));

    let mut invoiced = Money::zero(to.currency);
    let mut outstanding = Money::zero(to.currency);
    let mut open = Vec::new();
    for invoice in &invoices {
        if invoice.issue_date.as_str() >= iso_date(month).as_str() {
            invoiced = invoiced.checked_add(money(invoice.total)).map_err(|_| overflow())?;
        }
        if matches!(invoice.status.as_str(), "open" | "awaiting_transfer") {
            let owed = money(invoice.total - invoice.amount_paid);
            outstanding = outstanding.checked_add(owed).map_err(|_| overflow())?;
            let due = crate::server::db::decode::date(&invoice.due_date)?;
            open.push(format!("{} ({}, due {})", invoice.number, owed.format(), format_date(due)));
        }
    }
    let outstanding_text = if open.is_empty() {
        "Nothing was outstanding when this statement was issued.".to_string()
    } else {
        format!("Outstanding when this statement was issued: {} — {}.", outstanding.format(), open.join(", "))
    };
    let memo = format!(
        "Reconciliation of {}. Invoiced in the month: {}. {outstanding_text} This statement is for your records; nothing is due on it.",
        month_name(month),
        invoiced.format()
    );
    Ok(Some((lines, memo)))
}

struct Owner {
    account_id: String,
    currency: Currency,
}
