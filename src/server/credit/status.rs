//! The facts the service-status rules ([`crate::domain::service_status`]) are evaluated on,
//! read fresh on every call: nothing to keep in step, and a block lifts with the payment.

use crate::domain::ids::AccountId;
use sqlx::AnyPool;
use time::Date;

use crate::domain::currency::Currency;
use crate::domain::service_status::{Facts, ServiceStatus, UnpaidInvoice, evaluate};
use crate::server::accounts::queries::vendor_and_currency;
use crate::server::credit::ledger::balance_in;
use crate::server::infra::auth::authorize::Authorized;
use crate::server::infra::clock::today;
use crate::server::infra::db::decode;
use crate::wire::error::AppError;

/// id, number, outstanding, currency, issue date, due date, and whether the invoice is for
/// licenses and whether it bills a partner plan (either or both).
type InvoiceRow = (String, String, i64, String, String, String, i64, i64);

/// The caller's current account, in the currency its session already read.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn for_caller(caller: &Authorized) -> Result<ServiceStatus, AppError> {
    let (account_id, currency) = (&caller.account()?.id, caller.currency()?);
    for_account_in(caller.state.db.pool(), account_id, currency, today(caller.state.clock.as_ref())).await
}

/// For callers without a session (the operator API, the balance watch).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn for_account(pool: &AnyPool, account_id: &AccountId, today: Date) -> Result<ServiceStatus, AppError> {
    let (_, currency) = vendor_and_currency(pool, account_id).await?;
    for_account_in(pool, account_id, currency, today).await
}

/// The status of an account whose currency the caller has read.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn for_account_in(
    pool: &AnyPool,
    account_id: &AccountId,
    currency: Currency,
    today: Date,
) -> Result<ServiceStatus, AppError> {
    let mut conn = pool.acquire().await?;
    let balance = balance_in(&mut conn, account_id, currency).await?;
    let exhausted_since =
        if balance.minor <= 0 { exhausted_since(&mut conn, account_id, currency.code()).await? } else { 0 };
    // Both kinds of blocking invoice in one statement; CAST keeps the flags integers on both
    // databases (PostgreSQL would answer booleans).
    let rows: Vec<InvoiceRow> = sqlx::query_as(
        "SELECT i.id, i.number, i.total - i.amount_paid, i.currency, i.issue_date, i.due_date,
                CAST(CASE WHEN i.kind IN ('license', 'prorated_license') THEN 1 ELSE 0 END AS BIGINT),
                CAST(CASE WHEN EXISTS (SELECT 1 FROM invoice_lines l JOIN plans p ON p.id = l.plan_id
                                       WHERE l.invoice_id = i.id AND p.kind = 'partner') THEN 1 ELSE 0 END AS BIGINT)
         FROM invoices i
         WHERE i.status IN ('open', 'awaiting_transfer') AND i.account_id = $1",
    )
    .bind(account_id)
    .fetch_all(&mut *conn)
    .await?;
    let (licenses, partner) = blocking_invoices(rows)?;
    Ok(evaluate(Facts {
        credit_balance: balance,
        credit_exhausted_since: exhausted_since,
        unpaid_license_invoices: licenses,
        unpaid_partner_invoices: partner,
        today,
    }))
}

/// The unpaid license invoices, oldest due first, and the unpaid partner invoices, oldest issued
/// first (numbers break ties).
fn blocking_invoices(rows: Vec<InvoiceRow>) -> Result<(Vec<UnpaidInvoice>, Vec<UnpaidInvoice>), AppError> {
    let (mut licenses, mut partner) = (Vec::new(), Vec::new());
    for (id, number, outstanding, currency, issue, due, is_license, is_partner) in rows {
        let invoice = UnpaidInvoice {
            id,
            number,
            outstanding: decode::money(outstanding, &currency)?,
            issue_date: decode::date(&issue)?,
            due_date: decode::date(&due)?,
        };
        if is_license != 0 {
            licenses.push(invoice.clone());
        }
        if is_partner != 0 {
            partner.push(invoice);
        }
    }
    licenses.sort_by(|a, b| (a.due_date, &a.number).cmp(&(b.due_date, &b.number)));
    partner.sort_by(|a, b| (a.issue_date, &a.number).cmp(&(b.issue_date, &b.number)));
    Ok((licenses, partner))
}

/// When the balance last went from above zero to zero or below: the first entry after the
/// latest one that left it positive, or the account's creation when it was never positive
/// (it started at zero, which already blocks).
async fn exhausted_since(
    conn: &mut sqlx::AnyConnection,
    account_id: &AccountId,
    currency: &str,
) -> Result<i64, AppError> {
    let since: Option<i64> = sqlx::query_scalar(
        "SELECT created_at FROM credit_entries WHERE account_id = $1 AND currency = $2
           AND seq > (SELECT MAX(seq) FROM credit_entries WHERE account_id = $1 AND currency = $2 AND balance_after > 0)
         ORDER BY seq LIMIT 1",
    )
    .bind(account_id)
    .bind(currency)
    .fetch_optional(&mut *conn)
    .await?;
    match since {
        Some(at) => Ok(at),
        None => Ok(sqlx::query_scalar("SELECT created_at FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_one(&mut *conn)
            .await?),
    }
}
