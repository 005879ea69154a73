//! File downloads: invoice PDFs, payment receipts, statements, usage. Plain GET routes (a browser
//! downloads them with a link), checked exactly like the pages: signed in, billing role, and
//! only the current account's documents, another account's answering like a missing one.

use crate::domain::ids::InvoiceId;
use crate::domain::ids::{AccountId, PaymentId};
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use serde::Deserialize;
use sqlx::FromRow;

use crate::domain::billing_items::{InvoiceStatus, parse_iso_date};
use crate::server::infra::auth::authorize::{Access, ResolvedSession, authorize_session};
use crate::server::infra::auth::sessions::SessionAccount;
use crate::server::infra::db::decode;
use crate::server::infra::state::AppState;
use crate::server::invoices::pdf::{
    InvoiceDocument, InvoiceLine, PaidInvoice, Party, ReceiptDocument, StatementDocument, StatementEntry,
    StatementEntryKind, invoice_pdf, receipt_pdf, statement_csv, statement_pdf,
};
use crate::server::invoices::statements::{self, LineKind};
use crate::server::usage::report;
use crate::wire::billing_items::PartyDetails;
use crate::wire::error::AppError;

fn refuse(error: AppError) -> Response {
    let status = StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, error.to_string()).into_response()
}

/// What every download needs: billing access to the current account (staff viewing as the
/// client included), checked by the same spine as the server functions.
pub const DOWNLOAD_ACCESS: Access = Access::Billing;

/// A download route: where it is mounted and the access it checks before anything else.
pub struct Download {
    pub path: &'static str,
    pub access: Access,
    pub handler: MethodRouter<AppState>,
}

/// Every download, mounted from this one list by the router and listed by the authorization
/// matrix, so a download cannot be served without a rule there.
pub fn routes() -> Vec<Download> {
    let route = |path, handler| Download { path, access: DOWNLOAD_ACCESS, handler };
    vec![
        route("/invoices/{id}/pdf", get(invoice)),
        route("/credit-notes/{id}/pdf", get(credit_note)),
        route("/payments/{id}/receipt.pdf", get(receipt)),
        route("/statement.pdf", get(statement_as_pdf)),
        route("/statement.csv", get(statement_as_csv)),
        route("/usage.csv", get(usage_as_csv)),
    ]
}

/// The caller's current account, once the caller is authorized for downloads.
async fn billing_account(state: &AppState, session: &ResolvedSession, uri: &Uri) -> Result<SessionAccount, AppError> {
    let caller = authorize_session(state.clone(), session.0.clone(), uri.path(), DOWNLOAD_ACCESS).await?;
    Ok(caller.account()?.clone())
}

fn file(bytes: Vec<u8>, content_type: &'static str, filename: &str) -> Response {
    let disposition = format!("attachment; filename=\"{}\"", filename.replace(['"', '\\', '/'], "_"));
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    // Billing documents are private: never kept by shared caches.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    response
}

fn party(details: PartyDetails) -> Party {
    Party {
        name: details.name,
        address: details.address.split(", ").map(str::to_string).collect(),
        email: details.email,
        tax_id: details.tax_id,
    }
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn invoice(
    State(state): State<AppState>,
    Extension(session): Extension<ResolvedSession>,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let account = match billing_account(&state, &session, &uri).await {
        Ok(account) => account,
        Err(refused) => return refuse(refused),
    };
    let detail =
        match crate::server::invoices::queries::invoice_detail(&state, &account.id, &InvoiceId::from(id.to_string()))
            .await
        {
            Ok(Some(detail)) => detail,
            Ok(None) => return refuse(AppError::NotFound),
            Err(e) => return refuse(e),
        };
    let status_label = if detail.is_overdue {
        "Overdue".to_string()
    } else if detail.status == InvoiceStatus::Paid {
        "Paid".to_string()
    } else {
        detail.status.label().to_string()
    };
    let document = InvoiceDocument {
        number: detail.number.clone(),
        kind_label: detail.kind.label().to_string(),
        status_label,
        issue_date: detail.issue_date,
        due_date: detail.due_date,
        period: detail.period,
        vendor: party(detail.vendor),
        bill_to: party(detail.bill_to),
        lines: detail
            .lines
            .into_iter()
            .map(|l| InvoiceLine {
                description: l.description,
                quantity: l.quantity,
                unit_amount: l.unit_amount,
                amount: l.amount,
            })
            .collect(),
        subtotal: detail.subtotal,
        tax: detail.tax,
        total: detail.total,
        amount_paid: detail.amount_paid,
        amount_due: detail.amount_due,
        memo: detail.memo,
        tax_lines: detail.tax_lines.into_iter().map(|t| (t.description, t.amount)).collect(),
        credited: detail.credited,
    };
    match invoice_pdf(&document) {
        Ok(bytes) => file(bytes, "application/pdf", &format!("invoice-{}.pdf", detail.number)),
        Err(e) => refuse(AppError::internal("invoice pdf", e)),
    }
}

/// number, invoice, currency, amount, reason, credited to the balance, issue date.
type CreditNoteRow = (String, String, String, i64, String, i64, String);

/// A credit note against one of the account's invoices, as a PDF.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn credit_note(
    State(state): State<AppState>,
    Extension(session): Extension<ResolvedSession>,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let account = match billing_account(&state, &session, &uri).await {
        Ok(account) => account,
        Err(refused) => return refuse(refused),
    };
    let row: Result<Option<CreditNoteRow>, _> = sqlx::query_as(
        "SELECT number, invoice_id, currency, amount, reason, credited_to_balance, issue_date FROM credit_notes
         WHERE id = $1 AND account_id = $2",
    )
    .bind(&id)
    .bind(&account.id)
    .fetch_optional(state.db.pool())
    .await;
    let (number, invoice_id, currency, amount, reason, to_balance, issue_date) = match row {
        Ok(Some(row)) => row,
        Ok(None) => return refuse(AppError::NotFound),
        Err(e) => return refuse(e.into()),
    };
    let detail =
        match crate::server::invoices::queries::invoice_detail(&state, &account.id, &InvoiceId::from(invoice_id)).await
        {
            Ok(Some(detail)) => detail,
            Ok(None) => return refuse(AppError::NotFound),
            Err(e) => return refuse(e),
        };
    let money = |minor| crate::server::infra::db::decode::money(minor, &currency);
    let (Ok(total), Ok(applied), Ok(balance), Ok(issue)) = (
        money(amount),
        money(amount - to_balance),
        money(to_balance),
        crate::server::infra::db::decode::date(&issue_date),
    ) else {
        return refuse(AppError::internal("credit note", "unreadable row"));
    };
    let document = crate::server::invoices::pdf::CreditNoteDocument {
        number: number.clone(),
        issue_date: issue,
        invoice_number: detail.number,
        vendor: party(detail.vendor),
        bill_to: party(detail.bill_to),
        reason,
        amount: total,
        applied_to_invoice: applied,
        to_balance: balance,
    };
    match crate::server::invoices::pdf::credit_note_pdf(&document) {
        Ok(bytes) => file(bytes, "application/pdf", &format!("credit-note-{number}.pdf")),
        Err(e) => refuse(AppError::internal("credit note pdf", e)),
    }
}

#[derive(FromRow)]
struct ReceiptRow {
    created_at: i64,
    settled_at: Option<i64>,
    method_label: String,
    amount: i64,
    fee: i64,
    currency: String,
    vendor_id: String,
    company_name: String,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn receipt(
    State(state): State<AppState>,
    Extension(session): Extension<ResolvedSession>,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let account = match billing_account(&state, &session, &uri).await {
        Ok(account) => account,
        Err(refused) => return refuse(refused),
    };
    match build_receipt(&state, &account.id, &PaymentId::from(id.to_string())).await {
        Ok(Some(document)) => match receipt_pdf(&document) {
            Ok(bytes) => file(bytes, "application/pdf", &format!("receipt-{}.pdf", document.number)),
            Err(e) => refuse(AppError::internal("receipt pdf", e)),
        },
        Ok(None) => refuse(AppError::NotFound),
        Err(e) => refuse(e),
    }
}

async fn build_receipt(
    state: &AppState,
    account_id: &AccountId,
    payment_id: &PaymentId,
) -> Result<Option<ReceiptDocument>, AppError> {
    let pool = state.db.pool();
    let Some(row) = sqlx::query_as::<_, ReceiptRow>(
        "SELECT p.created_at, p.settled_at, p.method_label, p.amount, p.fee, p.currency, a.vendor_id, a.company_name
         FROM payments p JOIN accounts a ON a.id = p.account_id
         WHERE p.id = $1 AND p.account_id = $2 AND p.status = 'succeeded'",
    )
    .bind(payment_id)
    .bind(account_id)
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let paid: Vec<(String, i64)> = sqlx::query_as(
        "SELECT i.number, pa.amount FROM payment_allocations pa JOIN invoices i ON i.id = pa.invoice_id
         WHERE pa.payment_id = $1 AND i.account_id = $2 ORDER BY i.number",
    )
    .bind(payment_id)
    .bind(account_id)
    .fetch_all(pool)
    .await?;
    let vendor: (String, String, String, Option<String>) =
        sqlx::query_as("SELECT legal_name, address, email, tax_id FROM vendors WHERE id = $1")
            .bind(&row.vendor_id)
            .fetch_one(pool)
            .await?;
    let at = row.settled_at.unwrap_or(row.created_at);
    let date_paid =
        time::OffsetDateTime::from_unix_timestamp(at).map_err(|e| AppError::internal("payment date", e))?.date();
    let amount = decode::money(row.amount, &row.currency)?;
    let fee = decode::money(row.fee, &row.currency)?;
    Ok(Some(ReceiptDocument {
        number: payment_id.to_string(),
        date_paid,
        vendor: Party {
            name: vendor.0,
            address: vendor.1.split(", ").map(str::to_string).collect(),
            email: Some(vendor.2),
            tax_id: vendor.3,
        },
        paid_by: Party { name: row.company_name, address: Vec::new(), email: None, tax_id: None },
        method_label: row.method_label,
        invoices: paid
            .into_iter()
            .map(|(number, minor)| Ok(PaidInvoice { number, amount: decode::money(minor, &row.currency)? }))
            .collect::<Result<_, AppError>>()?,
        total_charged: amount.checked_add(fee).map_err(|e| AppError::internal("receipt total", e))?,
        amount,
        fee,
    }))
}

#[derive(Deserialize)]
pub struct StatementQuery {
    from: Option<String>,
    to: Option<String>,
}

async fn statement_document(
    state: &AppState,
    account_id: &AccountId,
    query: &StatementQuery,
) -> Result<StatementDocument, AppError> {
    let (from, to) = statements::validate_range(
        query.from.as_deref().and_then(parse_iso_date),
        query.to.as_deref().and_then(parse_iso_date),
    )?;
    let statement = statements::build(state, account_id, from, to).await?;
    Ok(StatementDocument {
        vendor: Party { name: statement.vendor_name, address: Vec::new(), email: None, tax_id: None },
        account: Party { name: statement.company_name, address: Vec::new(), email: None, tax_id: None },
        period_start: statement.from,
        period_end: statement.to,
        opening_balance: statement.opening_balance,
        entries: statement
            .lines
            .into_iter()
            .filter_map(|line| {
                let (kind, amount) = match line.kind {
                    LineKind::Invoice => (StatementEntryKind::Invoice, line.charge?),
                    LineKind::Payment => (StatementEntryKind::Payment, line.payment?),
                };
                Some(StatementEntry {
                    date: line.date,
                    kind,
                    reference: line.reference,
                    description: line.description,
                    amount,
                })
            })
            .collect(),
    })
}

fn statement_filename(query: &StatementQuery, extension: &str) -> String {
    format!("statement-{}-to-{}.{extension}", query.from.as_deref().unwrap_or(""), query.to.as_deref().unwrap_or(""))
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn statement_as_pdf(
    State(state): State<AppState>,
    Extension(session): Extension<ResolvedSession>,
    uri: Uri,
    Query(query): Query<StatementQuery>,
) -> Response {
    let account = match billing_account(&state, &session, &uri).await {
        Ok(account) => account,
        Err(refused) => return refuse(refused),
    };
    match statement_document(&state, &account.id, &query)
        .await
        .and_then(|d| statement_pdf(&d).map_err(|e| AppError::internal("statement pdf", e)))
    {
        Ok(bytes) => file(bytes, "application/pdf", &statement_filename(&query, "pdf")),
        Err(e) => refuse(e),
    }
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn statement_as_csv(
    State(state): State<AppState>,
    Extension(session): Extension<ResolvedSession>,
    uri: Uri,
    Query(query): Query<StatementQuery>,
) -> Response {
    let account = match billing_account(&state, &session, &uri).await {
        Ok(account) => account,
        Err(refused) => return refuse(refused),
    };
    match statement_document(&state, &account.id, &query)
        .await
        .and_then(|d| statement_csv(&d).map_err(|e| AppError::internal("statement csv", e)))
    {
        Ok(text) => file(text.into_bytes(), "text/csv; charset=utf-8", &statement_filename(&query, "csv")),
        Err(e) => refuse(e),
    }
}

#[derive(Deserialize)]
pub struct UsageQuery {
    month: Option<String>,
    number: Option<String>,
}

/// The daily rows of the usage page as it is filtered, one per number and category.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn usage_as_csv(
    State(state): State<AppState>,
    Extension(session): Extension<ResolvedSession>,
    uri: Uri,
    Query(query): Query<UsageQuery>,
) -> Response {
    let account = match billing_account(&state, &session, &uri).await {
        Ok(account) => account,
        Err(refused) => return refuse(refused),
    };
    let export = async {
        let selection = report::select(&state, &account.id, query.month.as_deref(), query.number.as_deref()).await?;
        let lines = report::lines(&state, &account.id, &selection).await?;
        Ok::<_, AppError>((report::csv_filename(&selection), report::csv(&lines)))
    };
    match export.await {
        Ok((filename, text)) => file(text.into_bytes(), "text/csv; charset=utf-8", &filename),
        Err(e) => refuse(e),
    }
}
