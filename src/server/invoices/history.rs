//! Billing history: invoices and payments in one timeline, newest first, paged by
//! [`keyset`].

use crate::domain::ids::AccountId;
use sqlx::FromRow;

use crate::domain::billing_items::{InvoiceKind, InvoiceStatus, is_overdue, iso_date};
use crate::server::infra::clock::today;
use crate::server::infra::db::{decode, keyset};
use crate::server::infra::state::AppState;
use crate::wire::billing_history::{HistoryEntry, HistoryFilter, HistoryPage};
use crate::wire::error::AppError;
use crate::wire::payments::PaymentStatus;

#[derive(Debug, FromRow)]
struct Row {
    entry_type: String,
    id: String,
    at: i64,
    reference: String,
    kind: String,
    status: String,
    total: i64,
    settled: i64,
    currency: String,
    issue_date: String,
    due_date: String,
    failure_message: Option<String>,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn page(
    state: &AppState,
    account_id: &AccountId,
    cursor: Option<&str>,
    filter: HistoryFilter,
    search: Option<&str>,
    size: i64,
) -> Result<HistoryPage, AppError> {
    let today = today(state.clock.as_ref());
    let (before_at, before_id) = keyset::parse_cursor(cursor)?;
    // Optional conditions take the next placeholder numbers, and only what the SQL uses is
    // bound (PostgreSQL refuses a statement with more arguments than placeholders).
    let mut extra: Vec<String> = Vec::new();
    let mut placeholder = |value: String| {
        extra.push(value);
        format!("${}", 5 + extra.len())
    };
    let invoice_condition = match filter {
        HistoryFilter::Everything => "status <> 'draft'".to_string(),
        HistoryFilter::Open => "status IN ('open', 'awaiting_transfer')".to_string(),
        HistoryFilter::Overdue => {
            format!("status IN ('open', 'awaiting_transfer') AND due_date < {}", placeholder(iso_date(today)))
        }
        HistoryFilter::Paid => "status = 'paid'".to_string(),
        HistoryFilter::Payments => "1 = 0".to_string(),
    };
    let include_payments = matches!(filter, HistoryFilter::Everything | HistoryFilter::Payments);
    // The search term matches invoice numbers; a payment matches when it paid such an invoice.
    let pattern = search.map(|s| placeholder(format!("%{}%", s.to_uppercase().replace(['%', '_'], ""))));
    let invoice_search = pattern.as_ref().map(|p| format!(" AND UPPER(number) LIKE {p}")).unwrap_or_default();
    let payment_search = pattern
        .as_ref()
        .map(|p| {
            format!(
                " AND EXISTS (SELECT 1 FROM payment_allocations pa JOIN invoices i ON i.id = pa.invoice_id
                              WHERE pa.payment_id = payments.id AND UPPER(i.number) LIKE {p})"
            )
        })
        .unwrap_or_default();
    let payments_part = if include_payments {
        format!(
            " UNION ALL
             SELECT 'payment' AS entry_type, id, created_at AS at, method_label AS reference, method_kind AS kind, status,
                    amount + fee AS total, 0 AS settled, currency, '' AS issue_date, '' AS due_date, failure_message
             FROM payments WHERE account_id = $1{payment_search}"
        )
    } else {
        String::new()
    };
    let sql = format!(
        "SELECT * FROM (
             SELECT 'invoice' AS entry_type, id, created_at AS at, number AS reference, kind, status,
                    total, amount_paid AS settled, currency, issue_date, due_date, CAST(NULL AS TEXT) AS failure_message
             FROM invoices WHERE account_id = $1 AND {invoice_condition}{invoice_search}
             {payments_part}
         ) history
         WHERE at < $2 OR (at = $2 AND id < $3) OR $4 = 1
         ORDER BY at DESC, id DESC LIMIT $5"
    );
    let mut query = sqlx::query_as::<_, Row>(&sql)
        .bind(account_id)
        .bind(before_at)
        .bind(before_id)
        .bind(i64::from(cursor.is_none()))
        .bind(size + 1);
    for value in extra {
        query = query.bind(value);
    }
    let rows: Vec<Row> = query.fetch_all(state.db.pool()).await?;
    let has_more = rows.len() as i64 > size;
    let rows: Vec<Row> = rows.into_iter().take(size as usize).collect();
    let next_cursor = if has_more { rows.last().map(|r| keyset::cursor(r.at, &r.id)) } else { None };

    let payment_ids: Vec<&str> = rows.iter().filter(|r| r.entry_type == "payment").map(|r| r.id.as_str()).collect();
    let paid_numbers = keyset::invoice_numbers_of_payments(state.db.pool(), account_id, &payment_ids).await?;

    let entries = rows
        .into_iter()
        .map(|r| {
            let total = decode::money(r.total, &r.currency)?;
            Ok(if r.entry_type == "invoice" {
                let status = decode::enumerated(&r.status, InvoiceStatus::parse)?;
                let due_date = decode::date(&r.due_date)?;
                HistoryEntry::Invoice {
                    kind: decode::enumerated(&r.kind, InvoiceKind::parse)?,
                    is_overdue: is_overdue(status, due_date, today),
                    issue_date: decode::date(&r.issue_date)?,
                    amount_due: decode::money(r.total - r.settled, &r.currency)?,
                    id: r.id,
                    number: r.reference,
                    status,
                    due_date,
                    total,
                }
            } else {
                HistoryEntry::Payment {
                    invoice_numbers: keyset::numbers_for(&paid_numbers, &r.id),
                    status: PaymentStatus::parse(&r.status).unwrap_or(PaymentStatus::Pending),
                    id: r.id,
                    at: r.at,
                    method_label: r.reference,
                    total,
                    failure_message: r.failure_message,
                }
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(HistoryPage { entries, next_cursor })
}
