//! The vendor's documents over the operator API: one-off invoices (its lines, its tax lines,
//! its gap-free numbering; charged or sent), voiding, credit notes, estimates and proposals.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use crate::domain::billing_items::parse_iso_date;
use crate::domain::field_error::FieldError;
use crate::domain::ids::AccountId;
use crate::domain::money::Money;
use crate::server::estimates::issue::{NewEstimate, create as create_estimate_in};
use crate::server::infra::clock::{today, unix_now};
use crate::server::infra::state::AppState;
use crate::server::invoices::issue::{
    CreditRequest, IssuedInvoice, NewInvoice, NewLine, NewTaxLine, credit_note_in, due_after_terms, issue_in, price,
    send_in, void_in,
};
use crate::server::objects::{self, CreditNoteObject, EstimateObject, InvoiceObject};
use crate::server::operator::auth::{ApiCaller, OperatorAccount};
use crate::server::operator::body;
use crate::server::operator::error::{ApiError, ErrorBody, missing};
use crate::server::operator::list;
use crate::server::operator::subscriptions::PaymentOutcome;
use crate::server::payments::key::PaymentKey;
use crate::server::payments::pay::{PayWith, Payer, pay};
use crate::wire::error::AppError;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineIn {
    #[schema(example = "Template design, 3 templates")]
    pub description: String,
    #[serde(default = "one")]
    pub quantity: i64,
    /// In minor units; negative for a discount.
    #[schema(example = 25000)]
    pub unit_amount: i64,
}

fn one() -> i64 {
    1
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaxLineIn {
    /// As printed, e.g. `VAT 19%`. Portico prints the tax you computed; it does not compute it.
    #[schema(example = "VAT 19%")]
    pub description: String,
    /// In minor units.
    #[schema(example = 4750)]
    pub amount: i64,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceIn {
    pub lines: Vec<LineIn>,
    #[serde(default)]
    pub tax_lines: Vec<TaxLineIn>,
    /// A note printed under the totals.
    pub memo: Option<String>,
    /// Today plus the vendor's payment terms when not given.
    #[schema(format = Date)]
    pub due_date: Option<String>,
    /// `send_invoice` (default): email the billing contacts a link to pay it;
    /// `charge_automatically`: charge the account's default payment method now.
    pub collection: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoidIn {
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreditNoteIn {
    /// In minor units of the invoice's currency, up to what is left to credit on it.
    #[schema(example = 2500)]
    pub amount: i64,
    /// Printed on the credit note.
    #[schema(example = "Service outage on 2026-11-18")]
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EstimateIn {
    /// `estimate` or `proposal`.
    #[schema(example = "proposal")]
    pub kind: String,
    pub title: String,
    pub lines: Vec<LineIn>,
    #[serde(default)]
    pub tax_lines: Vec<TaxLineIn>,
    /// The last day it can be approved.
    #[schema(format = Date)]
    pub valid_until: String,
    /// Printed under the lines; a default when not given.
    pub terms: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InvoiceResult {
    pub invoice: InvoiceObject,
    /// The charge, for `charge_automatically`.
    pub payment: Option<PaymentOutcome>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentQuery {
    /// 1 to 100; 20 when not given.
    pub limit: Option<i64>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
    /// Only documents in this status.
    pub status: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InvoiceList {
    pub data: Vec<InvoiceObject>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EstimateList {
    pub data: Vec<EstimateObject>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreditNoteList {
    pub data: Vec<CreditNoteObject>,
    pub next_cursor: Option<String>,
}

fn lines(lines: Vec<LineIn>) -> Vec<NewLine> {
    lines
        .into_iter()
        .map(|l| NewLine { description: l.description, quantity: l.quantity, unit_amount: l.unit_amount })
        .collect()
}

fn tax_lines(lines: Vec<TaxLineIn>) -> Vec<NewTaxLine> {
    lines.into_iter().map(|l| NewTaxLine { description: l.description, amount: l.amount }).collect()
}

async fn invoice_object(state: &AppState, account: &OperatorAccount, id: &str) -> Result<InvoiceObject, ApiError> {
    let mut tx = state.db.pool().begin().await?;
    let object = objects::invoice(&mut tx, &account.id, id)
        .await
        .map_err(missing("No invoice with that id on this account."))?;
    tx.commit().await?;
    Ok(object)
}

/// List an account's invoices
///
/// Newest number first.
#[utoipa::path(
    get,
    path = "/api/operator/v1/accounts/{account_id}/invoices",
    tag = "documents",
    params(("account_id" = String, Path, description = "The client account's id", example = "acc_northwind"), DocumentQuery),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "A page of invoices", body = InvoiceList),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No account with that id for this key's vendor", body = ErrorBody),
        (status = 422, description = "A query parameter is not valid (`invalid`)", body = ErrorBody),
    )
)]
pub async fn list_invoices(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(account_id): Path<String>,
    query: Result<Query<DocumentQuery>, QueryRejection>,
) -> Result<Json<InvoiceList>, ApiError> {
    let account = caller.account(&state, &AccountId::new(account_id)).await?;
    let query = list::query(query)?;
    let limit = list::limit(query.limit)?;
    let before = list::cursor(query.cursor.as_deref())?;
    let status = query.status.unwrap_or_default();
    if !status.is_empty() && crate::domain::billing_items::InvoiceStatus::parse(&status).is_none() {
        return Err(ApiError::invalid(vec![FieldError::new(
            "status",
            "Use open, awaiting_transfer, paid, void or uncollectible.",
        )]));
    }
    let mut tx = state.db.pool().begin().await?;
    // Numbers are gap-free and fixed-width per vendor, so they order the invoices.
    let ids: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, number FROM invoices WHERE account_id = $1 AND status <> 'draft' AND ($2 = '' OR number < $2)
           AND ($3 = '' OR status = $3)
         ORDER BY number DESC LIMIT $4",
    )
    .bind(&account.id)
    .bind(before.unwrap_or(""))
    .bind(&status)
    .bind(limit + 1)
    .fetch_all(&mut *tx)
    .await?;
    let more = ids.len() as i64 > limit;
    let mut data = Vec::new();
    for (id, _) in ids.iter().take(limit as usize) {
        data.push(objects::invoice(&mut tx, &account.id, id).await?);
    }
    tx.commit().await?;
    let next_cursor = if more { data.last().map(|i| i.number.clone()) } else { None };
    Ok(Json(InvoiceList { data, next_cursor }))
}

/// Issue a one-off invoice
///
/// Numbered in the vendor's gap-free sequence, with the lines and tax lines given; the client
/// sees it in the portal at once. Sends `invoice.issued`.
#[utoipa::path(
    post,
    path = "/api/operator/v1/accounts/{account_id}/invoices",
    tag = "documents",
    request_body = InvoiceIn,
    params(
        ("account_id" = String, Path, description = "The client account's id", example = "acc_northwind"),
    ),
    security(("api_key" = [])),
    responses(
        (status = 201, description = "The invoice, and its charge when charged", body = InvoiceResult),
        (status = 400, description = "The body is not JSON, or the Idempotency-Key is not valid", body = ErrorBody),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No account with that id for this key's vendor", body = ErrorBody),
        (status = 409, description = "The account is archived, or the Idempotency-Key was used for another request", body = ErrorBody),
        (status = 422, description = "A field is not valid (`invalid`, with `fields`)", body = ErrorBody),
    )
)]
pub async fn create_invoice(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(account_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<InvoiceResult>), ApiError> {
    let account = caller.account(&state, &AccountId::new(account_id)).await?;
    let input: InvoiceIn = body::parse(body)?;
    let charge = match input.collection.as_deref() {
        None | Some("send_invoice") => false,
        Some("charge_automatically") => true,
        Some(_) => {
            return Err(ApiError::invalid(vec![FieldError::new(
                "collection",
                "Use send_invoice or charge_automatically.",
            )]));
        }
    };
    if input.memo.as_deref().is_some_and(|m| m.chars().count() > 1000) {
        return Err(ApiError::invalid(vec![FieldError::new("memo", "Keep the memo under 1,000 characters.")]));
    }
    let priced = price(&lines(input.lines), &tax_lines(input.tax_lines))?;
    let today = today(state.clock.as_ref());
    let due = match input.due_date.as_deref() {
        None => None,
        Some(text) => {
            let due =
                parse_iso_date(text).filter(|d| *d >= today && *d <= today + time::Duration::days(366)).ok_or_else(
                    || ApiError::invalid(vec![FieldError::new("due_date", "A date from today to a year ahead.")]),
                )?;
            Some(due)
        }
    };
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    let archived: Option<i64> = sqlx::query_scalar("SELECT archived_at FROM accounts WHERE id = $1")
        .bind(&account.id)
        .fetch_one(&mut *tx)
        .await?;
    if archived.is_some() {
        return Err(AppError::Conflict("This account is archived.".into()).into());
    }
    let method: Option<String> = sqlx::query_scalar(
        "SELECT id FROM payment_methods WHERE account_id = $1 AND removed_at IS NULL AND is_default = 1",
    )
    .bind(&account.id)
    .fetch_optional(&mut *tx)
    .await?;
    if charge && method.is_none() {
        return Err(ApiError::invalid(vec![FieldError::new(
            "collection",
            "This account has no default payment method to charge; send the invoice instead.",
        )]));
    }
    let due_date = match due {
        Some(due) => due,
        None => due_after_terms(&mut tx, &caller.vendor_id, today).await?,
    };
    let total = Money::new(priced.total, account.currency);
    let (invoice_id, number) = issue_in(
        &mut tx,
        now,
        NewInvoice {
            vendor_id: &caller.vendor_id,
            account_id: &account.id,
            currency: account.currency,
            kind: "standard",
            priced,
            memo: input.memo.filter(|m| !m.trim().is_empty()),
            issue_date: today,
            due_date,
            period: None,
            subscription_id: None,
        },
    )
    .await?;
    if !charge {
        let issued = IssuedInvoice { id: &invoice_id, number: &number, total, due: due_date };
        send_in(&mut tx, now, &account.id, issued, &state.settings.server.public_url).await?;
    }
    caller
        .record(
            &mut tx,
            now,
            &account.id,
            "invoice.issued",
            ("invoice", &invoice_id),
            json!({ "number": number, "total": total.minor }),
        )
        .await?;
    tx.commit().await?;
    let payment = match (charge, method) {
        (true, Some(method_id)) => {
            let payer = Payer { account_id: &account.id, user_id: None, impersonator_id: None };
            let result = pay(
                &state,
                payer,
                &[invoice_id.to_string()],
                PayWith::Stored(method_id),
                &PaymentKey::system(format!("api-invoice-{invoice_id}")),
            )
            .await?;
            Some(result.into())
        }
        _ => None,
    };
    Ok((
        StatusCode::CREATED,
        Json(InvoiceResult { invoice: invoice_object(&state, &account, &invoice_id).await?, payment }),
    ))
}

/// Read an invoice
#[utoipa::path(
    get,
    path = "/api/operator/v1/accounts/{account_id}/invoices/{invoice_id}",
    tag = "documents",
    params(
        ("account_id" = String, Path, description = "The client account's id", example = "acc_northwind"),
        ("invoice_id" = String, Path, description = "The invoice's id"),
    ),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The invoice", body = InvoiceObject),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No such account, or no such invoice on it", body = ErrorBody),
    )
)]
pub async fn get_invoice(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((account_id, invoice_id)): Path<(String, String)>,
) -> Result<Json<InvoiceObject>, ApiError> {
    let account = caller.account(&state, &AccountId::new(account_id)).await?;
    Ok(Json(invoice_object(&state, &account, &invoice_id).await?))
}

/// Void an invoice
///
/// An open invoice nobody has paid or is paying no longer asks for money; its payment links
/// stop working. Voiding again answers the same. For a paid invoice, issue a credit note.
#[utoipa::path(
    post,
    path = "/api/operator/v1/accounts/{account_id}/invoices/{invoice_id}/void",
    tag = "documents",
    request_body = VoidIn,
    params(
        ("account_id" = String, Path, description = "The client account's id", example = "acc_northwind"),
        ("invoice_id" = String, Path, description = "The invoice's id"),
    ),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The invoice, void", body = InvoiceObject),
        (status = 400, description = "The body is not JSON, or the Idempotency-Key is not valid", body = ErrorBody),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No such account, or no such invoice on it", body = ErrorBody),
        (status = 409, description = "Paid, being paid or otherwise not open, or the Idempotency-Key was used for another request", body = ErrorBody),
        (status = 422, description = "A field is not valid (`invalid`)", body = ErrorBody),
    )
)]
pub async fn void_invoice(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((account_id, invoice_id)): Path<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<InvoiceObject>, ApiError> {
    let account = caller.account(&state, &AccountId::new(account_id)).await?;
    let input: VoidIn = body::parse(body)?;
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    void_in(&mut tx, now, &caller.actor(), &account.id, &invoice_id, &input.reason)
        .await
        .map_err(missing("No invoice with that id on this account."))?;
    tx.commit().await?;
    Ok(Json(invoice_object(&state, &account, &invoice_id).await?))
}

/// Issue a credit note
///
/// Against an open or paid invoice: what is still owed on it goes down first; the rest goes
/// to the client's credit balance, never more than was paid for it. The client sees the credit
/// note with its PDF next to the invoice. Sends `invoice.credited` (and `payment.refunded`
/// when money went back to the balance).
#[utoipa::path(
    post,
    path = "/api/operator/v1/accounts/{account_id}/invoices/{invoice_id}/credit-notes",
    tag = "documents",
    request_body = CreditNoteIn,
    params(
        ("account_id" = String, Path, description = "The client account's id", example = "acc_northwind"),
        ("invoice_id" = String, Path, description = "The invoice's id"),
    ),
    security(("api_key" = [])),
    responses(
        (status = 201, description = "The credit note", body = CreditNoteObject),
        (status = 400, description = "The body is not JSON, or the Idempotency-Key is not valid", body = ErrorBody),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No such account, or no such invoice on it", body = ErrorBody),
        (status = 409, description = "The invoice is void or being paid, or the Idempotency-Key was used for another request", body = ErrorBody),
        (status = 422, description = "The amount is more than is left to credit or than was paid (`invalid`)", body = ErrorBody),
    )
)]
pub async fn create_credit_note(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((account_id, invoice_id)): Path<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<CreditNoteObject>), ApiError> {
    let account = caller.account(&state, &AccountId::new(account_id)).await?;
    let input: CreditNoteIn = body::parse(body)?;
    let now = unix_now(state.clock.as_ref());
    let today = today(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    let note_id = credit_note_in(
        &mut tx,
        now,
        today,
        &caller.actor(),
        &account.id,
        CreditRequest { invoice_id: &invoice_id, amount: input.amount, reason: &input.reason },
    )
    .await
    .map_err(missing("No invoice with that id on this account."))?;
    let note = objects::credit_note(&mut tx, &account.id, &note_id).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(note)))
}

/// List an account's credit notes
#[utoipa::path(
    get,
    path = "/api/operator/v1/accounts/{account_id}/credit-notes",
    tag = "documents",
    params(("account_id" = String, Path, description = "The client account's id", example = "acc_northwind"), list::PageQuery),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "A page of credit notes, newest number first", body = CreditNoteList),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No account with that id for this key's vendor", body = ErrorBody),
        (status = 422, description = "A query parameter is not valid (`invalid`)", body = ErrorBody),
    )
)]
pub async fn list_credit_notes(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(account_id): Path<String>,
    query: Result<Query<list::PageQuery>, QueryRejection>,
) -> Result<Json<CreditNoteList>, ApiError> {
    let account = caller.account(&state, &AccountId::new(account_id)).await?;
    let query = list::query(query)?;
    let limit = list::limit(query.limit)?;
    let before = list::cursor(query.cursor.as_deref())?;
    let mut tx = state.db.pool().begin().await?;
    let ids: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, number FROM credit_notes WHERE account_id = $1 AND ($2 = '' OR number < $2) ORDER BY number DESC LIMIT $3",
    )
    .bind(&account.id)
    .bind(before.unwrap_or(""))
    .bind(limit + 1)
    .fetch_all(&mut *tx)
    .await?;
    let more = ids.len() as i64 > limit;
    let mut data = Vec::new();
    for (id, _) in ids.iter().take(limit as usize) {
        data.push(objects::credit_note(&mut tx, &account.id, id).await?);
    }
    tx.commit().await?;
    let next_cursor = if more { data.last().map(|n| n.number.clone()) } else { None };
    Ok(Json(CreditNoteList { data, next_cursor }))
}

/// List an account's estimates and proposals
#[utoipa::path(
    get,
    path = "/api/operator/v1/accounts/{account_id}/estimates",
    tag = "documents",
    params(("account_id" = String, Path, description = "The client account's id", example = "acc_northwind"), DocumentQuery),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "A page of estimates, newest first", body = EstimateList),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No account with that id for this key's vendor", body = ErrorBody),
        (status = 422, description = "A query parameter is not valid (`invalid`)", body = ErrorBody),
    )
)]
pub async fn list_estimates(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(account_id): Path<String>,
    query: Result<Query<DocumentQuery>, QueryRejection>,
) -> Result<Json<EstimateList>, ApiError> {
    let account = caller.account(&state, &AccountId::new(account_id)).await?;
    let query = list::query(query)?;
    let limit = list::limit(query.limit)?;
    let after = list::cursor(query.cursor.as_deref())?;
    let (after_at, after_id) = crate::server::infra::db::keyset::parse_cursor(after)?;
    let status = query.status.unwrap_or_default();
    if !status.is_empty() && !matches!(status.as_str(), "open" | "approved" | "declined") {
        return Err(ApiError::invalid(vec![FieldError::new("status", "Use open, approved or declined.")]));
    }
    let today = today(state.clock.as_ref());
    let mut tx = state.db.pool().begin().await?;
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT id, created_at FROM estimates WHERE account_id = $1 AND (created_at < $2 OR (created_at = $2 AND id < $3))
           AND ($4 = '' OR status = $4)
         ORDER BY created_at DESC, id DESC LIMIT $5",
    )
    .bind(&account.id)
    .bind(after_at)
    .bind(if after.is_some() { after_id.as_str() } else { "\u{10FFFF}" })
    .bind(&status)
    .bind(limit + 1)
    .fetch_all(&mut *tx)
    .await?;
    let more = rows.len() as i64 > limit;
    let mut data = Vec::new();
    let mut last = None;
    for (id, created) in rows.iter().take(limit as usize) {
        data.push(objects::estimate(&mut tx, &account.id, id, today).await?);
        last = Some(crate::server::infra::db::keyset::cursor(*created, id));
    }
    tx.commit().await?;
    Ok(Json(EstimateList { data, next_cursor: if more { last } else { None } }))
}

/// Send an estimate or proposal
///
/// The client's people see it in the portal and approve it (which issues its invoice) or
/// decline it until `valid_until`. Sends `estimate.created`; their decision sends
/// `estimate.approved` or `estimate.declined`.
#[utoipa::path(
    post,
    path = "/api/operator/v1/accounts/{account_id}/estimates",
    tag = "documents",
    request_body = EstimateIn,
    params(
        ("account_id" = String, Path, description = "The client account's id", example = "acc_northwind"),
    ),
    security(("api_key" = [])),
    responses(
        (status = 201, description = "The estimate", body = EstimateObject),
        (status = 400, description = "The body is not JSON, or the Idempotency-Key is not valid", body = ErrorBody),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No account with that id for this key's vendor", body = ErrorBody),
        (status = 409, description = "The account is archived, or the Idempotency-Key was used for another request", body = ErrorBody),
        (status = 422, description = "A field is not valid (`invalid`)", body = ErrorBody),
    )
)]
pub async fn create_estimate(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(account_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<EstimateObject>), ApiError> {
    let account = caller.account(&state, &AccountId::new(account_id)).await?;
    let input: EstimateIn = body::parse(body)?;
    let valid_until = parse_iso_date(&input.valid_until)
        .ok_or_else(|| ApiError::invalid(vec![FieldError::new("valid_until", "Use a date like 2026-12-31.")]))?;
    let id = create_estimate_in(
        &caller.acting(&state, &account),
        NewEstimate {
            id: None,
            kind: input.kind,
            title: input.title,
            lines: lines(input.lines),
            tax_lines: tax_lines(input.tax_lines),
            valid_until,
            terms: input.terms,
            number: None,
            issue_date: None,
        },
    )
    .await?;
    let mut tx = state.db.pool().begin().await?;
    let object = objects::estimate(&mut tx, &account.id, &id, today(state.clock.as_ref())).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(object)))
}

/// Read an estimate or proposal
#[utoipa::path(
    get,
    path = "/api/operator/v1/accounts/{account_id}/estimates/{estimate_id}",
    tag = "documents",
    params(
        ("account_id" = String, Path, description = "The client account's id", example = "acc_northwind"),
        ("estimate_id" = String, Path, description = "The estimate's id"),
    ),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The estimate", body = EstimateObject),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No such account, or no such estimate on it", body = ErrorBody),
    )
)]
pub async fn get_estimate(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((account_id, estimate_id)): Path<(String, String)>,
) -> Result<Json<EstimateObject>, ApiError> {
    let account = caller.account(&state, &AccountId::new(account_id)).await?;
    let mut tx = state.db.pool().begin().await?;
    let object = objects::estimate(&mut tx, &account.id, &estimate_id, today(state.clock.as_ref()))
        .await
        .map_err(missing("No estimate with that id on this account."))?;
    tx.commit().await?;
    Ok(Json(object))
}
