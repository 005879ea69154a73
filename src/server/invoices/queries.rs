//! Invoices and estimates, always read within one account: a query never finds another
//! account's document, so "not yours" and "does not exist" are the same answer.

use crate::domain::ids::{AccountId, EstimateId, InvoiceId};
use sqlx::{AnyPool, FromRow};

use crate::domain::billing_items::{
    EstimateKind, EstimateStatus, InvoiceKind, InvoiceStatus, estimate_is_expired, is_overdue,
};
use crate::domain::money::Money;
use crate::server::infra::clock::today;
use crate::server::infra::db::decode;
use crate::server::infra::state::AppState;
use crate::wire::billing_items::{CreditNoteRef, DocumentLine, EstimateDetail, InvoiceDetail, PartyDetails, TaxLine};
use crate::wire::dashboard::{OpenEstimate, OpenInvoice};
use crate::wire::error::AppError;

#[derive(Debug, FromRow)]
struct OpenInvoiceRow {
    id: String,
    number: String,
    kind: InvoiceKind,
    status: InvoiceStatus,
    currency: String,
    issue_date: String,
    due_date: String,
    total: i64,
    amount_paid: i64,
}

/// Invoices still owed, oldest due first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn open_invoices(
    pool: &AnyPool,
    account_id: &AccountId,
    today: time::Date,
) -> Result<Vec<OpenInvoice>, AppError> {
    let rows = sqlx::query_as::<_, OpenInvoiceRow>(
        "SELECT id, number, kind, status, currency, issue_date, due_date, total, amount_paid
         FROM invoices WHERE account_id = $1 AND status IN ('open', 'awaiting_transfer')
         ORDER BY due_date, number",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            let status = r.status;
            let due_date = decode::date(&r.due_date)?;
            Ok(OpenInvoice {
                kind: r.kind,
                issue_date: decode::date(&r.issue_date)?,
                amount_due: decode::money(r.total - r.amount_paid, &r.currency)?,
                is_overdue: is_overdue(status, due_date, today),
                id: r.id,
                number: r.number,
                status,
                due_date,
            })
        })
        .collect()
}

#[derive(Debug, FromRow)]
struct OpenEstimateRow {
    id: String,
    number: String,
    kind: EstimateKind,
    title: String,
    currency: String,
    valid_until: String,
    total: i64,
}

/// Estimates and proposals waiting for the client's decision, soonest to lapse first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn open_estimates(
    pool: &AnyPool,
    account_id: &AccountId,
    today: time::Date,
) -> Result<Vec<OpenEstimate>, AppError> {
    let rows = sqlx::query_as::<_, OpenEstimateRow>(
        "SELECT id, number, kind, title, currency, valid_until, total
         FROM estimates WHERE account_id = $1 AND status = 'open'
         ORDER BY valid_until, number",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            let valid_until = decode::date(&r.valid_until)?;
            Ok(OpenEstimate {
                kind: r.kind,
                total: decode::money(r.total, &r.currency)?,
                is_expired: estimate_is_expired(valid_until, today),
                valid_until,
                id: r.id,
                number: r.number,
                title: r.title,
            })
        })
        .collect()
}

#[derive(Debug, FromRow)]
struct VendorRow {
    name: String,
    legal_name: String,
    email: String,
    address: String,
    tax_id: Option<String>,
}

async fn vendor_details(pool: &AnyPool, vendor_id: &str) -> Result<PartyDetails, AppError> {
    let v =
        sqlx::query_as::<_, VendorRow>("SELECT name, legal_name, email, address, tax_id FROM vendors WHERE id = $1")
            .bind(vendor_id)
            .fetch_one(pool)
            .await?;
    Ok(PartyDetails {
        name: if v.legal_name.is_empty() { v.name } else { v.legal_name },
        address: v.address,
        tax_id: v.tax_id,
        email: Some(v.email),
    })
}

#[derive(Debug, FromRow)]
struct LineRow {
    description: String,
    quantity: i64,
    unit_amount: i64,
    amount: i64,
}

fn lines(rows: Vec<LineRow>, currency: &str) -> Result<Vec<DocumentLine>, AppError> {
    rows.into_iter()
        .map(|l| {
            Ok(DocumentLine {
                description: l.description,
                quantity: l.quantity,
                unit_amount: decode::money(l.unit_amount, currency)?,
                amount: decode::money(l.amount, currency)?,
            })
        })
        .collect()
}

#[derive(Debug, FromRow)]
struct InvoiceRow {
    id: String,
    vendor_id: String,
    number: String,
    kind: InvoiceKind,
    status: InvoiceStatus,
    currency: String,
    issue_date: String,
    due_date: String,
    period_start: Option<String>,
    period_end: Option<String>,
    subtotal: i64,
    tax: i64,
    total: i64,
    amount_paid: i64,
    bill_to_name: String,
    bill_to_address: String,
    bill_to_tax_id: Option<String>,
    memo: Option<String>,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn invoice_detail(
    state: &AppState,
    account_id: &AccountId,
    invoice_id: &InvoiceId,
) -> Result<Option<InvoiceDetail>, AppError> {
    let pool = state.db.pool();
    let Some(r) = sqlx::query_as::<_, InvoiceRow>(
        "SELECT id, vendor_id, number, kind, status, currency, issue_date, due_date, period_start, period_end,
                subtotal, tax, total, amount_paid, bill_to_name, bill_to_address, bill_to_tax_id, memo
         FROM invoices WHERE id = $1 AND account_id = $2",
    )
    .bind(invoice_id)
    .bind(account_id)
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let line_rows = sqlx::query_as::<_, LineRow>(
        "SELECT description, quantity, unit_amount, amount FROM invoice_lines WHERE invoice_id = $1 ORDER BY position",
    )
    .bind(&r.id)
    .fetch_all(pool)
    .await?;
    let status = r.status;
    let due_date = decode::date(&r.due_date)?;
    let money = |minor: i64| decode::money(minor, &r.currency);
    // Each payment's fee was shared across its invoices when it was made (the shares add up).
    let fees: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(pa.fee), 0) AS BIGINT) FROM payment_allocations pa JOIN payments p ON p.id = pa.payment_id
         WHERE pa.invoice_id = $1 AND p.status = 'succeeded'",
    )
    .bind(&r.id)
    .fetch_one(pool)
    .await?;
    let fees_paid = money(fees)?;
    let tax_lines: Vec<(String, i64)> =
        sqlx::query_as("SELECT description, amount FROM invoice_tax_lines WHERE invoice_id = $1 ORDER BY position")
            .bind(&r.id)
            .fetch_all(pool)
            .await?;
    let notes: Vec<(String, String, i64, i64, String, String)> = sqlx::query_as(
        "SELECT id, number, amount, credited_to_balance, issue_date, reason FROM credit_notes WHERE invoice_id = $1 ORDER BY number",
    )
    .bind(&r.id)
    .fetch_all(pool)
    .await?;
    // `amount_paid` counts what settled the invoice, credit notes that reduced it included;
    // the page shows the money paid and the credit apart.
    let credited: i64 = notes.iter().map(|n| n.2).sum();
    let reduced: i64 = notes.iter().map(|n| n.2 - n.3).sum();
    let period = match (r.period_start.as_deref(), r.period_end.as_deref()) {
        (Some(s), Some(e)) => Some((decode::date(s)?, decode::date(e)?)),
        _ => None,
    };
    Ok(Some(InvoiceDetail {
        kind: r.kind,
        issue_date: decode::date(&r.issue_date)?,
        period,
        vendor: vendor_details(pool, &r.vendor_id).await?,
        bill_to: PartyDetails {
            name: r.bill_to_name.clone(),
            address: r.bill_to_address.clone(),
            tax_id: r.bill_to_tax_id.clone(),
            email: None,
        },
        lines: lines(line_rows, &r.currency)?,
        subtotal: money(r.subtotal)?,
        tax: money(r.tax)?,
        total: money(r.total)?,
        amount_paid: money(r.amount_paid - reduced)?,
        fees_paid,
        amount_due: money(r.total - r.amount_paid)?,
        is_overdue: is_overdue(status, due_date, today(state.clock.as_ref())),
        id: r.id,
        number: r.number,
        status,
        due_date,
        memo: r.memo,
        tax_lines: tax_lines
            .into_iter()
            .map(|(description, amount)| Ok(TaxLine { description, amount: money(amount)? }))
            .collect::<Result<_, AppError>>()?,
        credit_notes: notes
            .into_iter()
            .map(|(id, number, amount, _, issue, reason)| {
                Ok(CreditNoteRef { id, number, amount: money(amount)?, issue_date: decode::date(&issue)?, reason })
            })
            .collect::<Result<_, AppError>>()?,
        credited: money(credited)?,
    }))
}

#[derive(Debug, FromRow)]
struct EstimateRow {
    id: String,
    vendor_id: String,
    number: String,
    kind: EstimateKind,
    title: String,
    status: EstimateStatus,
    currency: String,
    issue_date: String,
    valid_until: String,
    terms: String,
    subtotal: i64,
    tax: i64,
    total: i64,
    decided_at: Option<i64>,
    decided_by_name: Option<String>,
    approver_name: Option<String>,
    decline_reason: Option<String>,
    invoice_id: Option<String>,
    invoice_number: Option<String>,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn estimate_detail(
    state: &AppState,
    account_id: &AccountId,
    estimate_id: &EstimateId,
) -> Result<Option<EstimateDetail>, AppError> {
    let pool = state.db.pool();
    let Some(r) = sqlx::query_as::<_, EstimateRow>(
        "SELECT e.id, e.vendor_id, e.number, e.kind, e.title, e.status, e.currency, e.issue_date, e.valid_until, e.terms,
                e.subtotal, e.tax, e.total, e.decided_at, u.name AS decided_by_name, e.approver_name, e.decline_reason,
                e.invoice_id, i.number AS invoice_number
         FROM estimates e
         LEFT JOIN users u ON u.id = e.decided_by
         LEFT JOIN invoices i ON i.id = e.invoice_id AND i.account_id = e.account_id
         WHERE e.id = $1 AND e.account_id = $2",
    )
    .bind(estimate_id)
    .bind(account_id)
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let line_rows = sqlx::query_as::<_, LineRow>(
        "SELECT description, quantity, unit_amount, amount FROM estimate_lines WHERE estimate_id = $1 ORDER BY position",
    )
    .bind(&r.id)
    .fetch_all(pool)
    .await?;
    let valid_until = decode::date(&r.valid_until)?;
    let money = |minor: i64| -> Result<Money, AppError> { decode::money(minor, &r.currency) };
    Ok(Some(EstimateDetail {
        kind: r.kind,
        status: r.status,
        issue_date: decode::date(&r.issue_date)?,
        is_expired: estimate_is_expired(valid_until, today(state.clock.as_ref())),
        valid_until,
        vendor: vendor_details(pool, &r.vendor_id).await?,
        lines: lines(line_rows, &r.currency)?,
        subtotal: money(r.subtotal)?,
        tax: money(r.tax)?,
        total: money(r.total)?,
        decision: r.decided_at.map(|decided_at| crate::wire::billing_items::EstimateDecision {
            decided_at,
            decided_by: r.decided_by_name.clone().unwrap_or_else(|| "a former user".into()),
            approver_name: r.approver_name.clone(),
            decline_reason: r.decline_reason.clone(),
            invoice_id: r.invoice_id.clone(),
            invoice_number: r.invoice_number.clone(),
        }),
        id: r.id,
        number: r.number,
        title: r.title,
        terms: r.terms,
    }))
}
