//! The facts the service-status rules ([`crate::domain::service_status`]) are evaluated on,
//! read fresh on every call: nothing to keep in step, and a block lifts with the payment.

use crate::domain::ids::AccountId;
use sqlx::AnyPool;
use time::Date;

use crate::domain::service_status::{Facts, ServiceStatus, UnpaidInvoice, evaluate};
use crate::server::accounts::queries::vendor_and_currency;
use crate::server::credit::ledger::balance_in;
use crate::server::infra::db::decode;
use crate::wire::error::AppError;

type InvoiceRow = (String, String, i64, String, String, String);

const UNPAID: &str = "i.status IN ('open', 'awaiting_transfer') AND i.account_id = $1";

#[tracing::instrument(level = "debug", skip_all)]
pub async fn for_account(pool: &AnyPool, account_id: &AccountId, today: Date) -> Result<ServiceStatus, AppError> {
    let (_, currency) = vendor_and_currency(pool, account_id).await?;
    let mut conn = pool.acquire().await?;
    let balance = balance_in(&mut conn, account_id, currency).await?;
    let exhausted_since =
        if balance.minor <= 0 { exhausted_since(&mut conn, account_id, currency.code()).await? } else { 0 };
    let licenses: Vec<InvoiceRow> = sqlx::query_as(&format!(
        "SELECT i.id, i.number, i.total - i.amount_paid, i.currency, i.issue_date, i.due_date FROM invoices i
         WHERE {UNPAID} AND i.kind IN ('license', 'prorated_license') ORDER BY i.due_date, i.number"
    ))
    .bind(account_id)
    .fetch_all(&mut *conn)
    .await?;
    let partner: Vec<InvoiceRow> = sqlx::query_as(&format!(
        "SELECT i.id, i.number, i.total - i.amount_paid, i.currency, i.issue_date, i.due_date FROM invoices i
         WHERE {UNPAID} AND EXISTS (SELECT 1 FROM invoice_lines l JOIN plans p ON p.id = l.plan_id
                                    WHERE l.invoice_id = i.id AND p.kind = 'partner')
         ORDER BY i.issue_date, i.number"
    ))
    .bind(account_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(evaluate(Facts {
        credit_balance: balance,
        credit_exhausted_since: exhausted_since,
        unpaid_license_invoices: unpaid(licenses)?,
        unpaid_partner_invoices: unpaid(partner)?,
        today,
    }))
}

fn unpaid(rows: Vec<InvoiceRow>) -> Result<Vec<UnpaidInvoice>, AppError> {
    rows.into_iter()
        .map(|(id, number, outstanding, currency, issue, due)| {
            Ok(UnpaidInvoice {
                id,
                number,
                outstanding: decode::money(outstanding, &currency)?,
                issue_date: decode::date(&issue)?,
                due_date: decode::date(&due)?,
            })
        })
        .collect()
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
