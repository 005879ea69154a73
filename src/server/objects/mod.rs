//! The operator API's representation of each object: one shape for the API's answers and for
//! the `data.object` of the events sent to webhooks, so an event carries the object exactly as
//! a `GET` of it would have answered at that moment. Each loader reads inside the caller's
//! transaction (the event is written with the change it describes) and only the account's own
//! objects.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use crate::domain::ids::AccountId;
use crate::domain::money::Money;
use crate::server::infra::db::Tx;
use crate::wire::error::AppError;

pub mod service_status;

/// An amount of money: an integer count of the currency's minor units and its ISO code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Amount {
    /// In minor units of the currency: 360 is $3.60.
    #[schema(example = 360)]
    pub amount: i64,
    /// ISO 4217, in the account's billing currency.
    #[schema(example = "USD")]
    pub currency: String,
}

impl From<Money> for Amount {
    fn from(money: Money) -> Self {
        Amount { amount: money.minor, currency: money.currency.code().to_string() }
    }
}

impl Amount {
    fn of(amount: i64, currency: &str) -> Amount {
        Amount { amount, currency: currency.to_string() }
    }
}

/// Unix seconds as RFC 3339 in UTC (`2026-11-22T12:00:00Z`).
pub fn rfc3339(unix_seconds: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix_seconds).ok().and_then(|t| t.format(&Rfc3339).ok()).unwrap_or_default()
}

fn opt_rfc3339(unix_seconds: Option<i64>) -> Option<String> {
    unix_seconds.map(rfc3339)
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccountObject {
    #[schema(example = "acct_northwind")]
    pub id: String,
    pub name: String,
    pub company_name: String,
    #[schema(example = "USD")]
    pub currency: String,
    /// ISO 3166-1 alpha-2.
    #[schema(example = "US")]
    pub country: String,
    pub address_line1: String,
    pub address_line2: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub tax_id: Option<String>,
    /// Where invoices and receipts are emailed.
    pub billing_emails: Vec<String>,
    #[schema(format = DateTime)]
    pub created: String,
    /// Set once the client was archived: no longer billed, listed or signed in to.
    #[schema(format = DateTime)]
    pub archived: Option<String>,
}

type AccountRow =
    (String, String, String, String, String, String, String, String, String, String, Option<String>, i64, Option<i64>);

pub const ACCOUNT_COLUMNS: &str = "id, name, company_name, currency, country, address_line1, address_line2, city, region, postal_code, tax_id, created_at, archived_at";

pub async fn account(tx: &mut Tx, vendor_id: &str, account_id: &AccountId) -> Result<AccountObject, AppError> {
    let row: Option<AccountRow> =
        sqlx::query_as(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1 AND vendor_id = $2"))
            .bind(account_id)
            .bind(vendor_id)
            .fetch_optional(&mut **tx)
            .await?;
    let row = row.ok_or_else(AppError::not_found)?;
    let emails: Vec<String> =
        sqlx::query_scalar("SELECT email FROM billing_contacts WHERE account_id = $1 ORDER BY created_at, id")
            .bind(account_id)
            .fetch_all(&mut **tx)
            .await?;
    Ok(account_from_row(row, emails))
}

pub fn account_from_row(row: AccountRow, billing_emails: Vec<String>) -> AccountObject {
    let (
        id,
        name,
        company_name,
        currency,
        country,
        address_line1,
        address_line2,
        city,
        region,
        postal_code,
        tax_id,
        c,
        a,
    ) = row;
    AccountObject {
        id,
        name,
        company_name,
        currency,
        country,
        address_line1,
        address_line2,
        city,
        region,
        postal_code,
        tax_id,
        billing_emails,
        created: rfc3339(c),
        archived: opt_rfc3339(a),
    }
}

pub type AccountRowOf = AccountRow;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonObject {
    #[schema(example = "usr_3XTQ9PLMZ0")]
    pub id: String,
    pub account_id: String,
    pub email: String,
    pub name: String,
    /// `owner`, `admin`, `billing_manager` or `member`.
    #[schema(example = "billing_manager")]
    pub role: String,
}

pub async fn person(tx: &mut Tx, account_id: &AccountId, user_id: &str) -> Result<PersonObject, AppError> {
    let row: Option<(String, String, String, String)> = sqlx::query_as(
        "SELECT u.id, u.email, u.name, m.role FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.account_id = $1 AND m.user_id = $2",
    )
    .bind(account_id)
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await?;
    let (id, email, name, role) = row.ok_or_else(AppError::not_found)?;
    Ok(PersonObject { id, account_id: account_id.to_string(), email, name, role })
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LineObject {
    pub description: String,
    pub quantity: i64,
    /// In minor units.
    pub unit_amount: i64,
    /// In minor units: quantity × unit amount.
    pub amount: i64,
}

fn line_objects(rows: Vec<(String, i64, i64, i64)>) -> Vec<LineObject> {
    rows.into_iter()
        .map(|(description, quantity, unit_amount, amount)| LineObject { description, quantity, unit_amount, amount })
        .collect()
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaxLineObject {
    #[schema(example = "VAT 20%")]
    pub description: String,
    /// In minor units.
    pub amount: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InvoiceObject {
    #[schema(example = "inv_3XTQ9PLMZ0")]
    pub id: String,
    pub account_id: String,
    /// The vendor's gap-free number.
    #[schema(example = "ACME-000042")]
    pub number: String,
    /// `standard`, `license`, `prorated_license`, `prepayment` or `reconciliation`.
    pub kind: String,
    /// `open`, `awaiting_transfer`, `paid`, `void` or `uncollectible`.
    #[schema(example = "open")]
    pub status: String,
    pub currency: String,
    #[schema(format = Date)]
    pub issue_date: String,
    #[schema(format = Date)]
    pub due_date: String,
    pub lines: Vec<LineObject>,
    pub tax_lines: Vec<TaxLineObject>,
    pub subtotal: Amount,
    pub tax: Amount,
    pub total: Amount,
    pub amount_paid: Amount,
    /// Taken off by credit notes.
    pub amount_credited: Amount,
    /// What the client still owes on it.
    pub amount_due: Amount,
    pub memo: Option<String>,
    pub subscription_id: Option<String>,
    #[schema(format = DateTime)]
    pub paid_at: Option<String>,
    #[schema(format = DateTime)]
    pub voided_at: Option<String>,
    /// Where a signed-in client sees it.
    pub portal_path: String,
}

#[derive(sqlx::FromRow)]
struct InvoiceRow {
    id: String,
    number: String,
    kind: String,
    status: String,
    currency: String,
    issue_date: String,
    due_date: String,
    subtotal: i64,
    tax: i64,
    total: i64,
    settled: i64,
    credited: i64,
    reduced: i64,
    memo: Option<String>,
    subscription_id: Option<String>,
    paid_at: Option<i64>,
    voided_at: Option<i64>,
}

pub async fn invoice(tx: &mut Tx, account_id: &AccountId, invoice_id: &str) -> Result<InvoiceObject, AppError> {
    let row: Option<InvoiceRow> = sqlx::query_as(
        "SELECT id, number, kind, status, currency, issue_date, due_date, subtotal, tax, total, amount_paid AS settled, credited,
                credited - (SELECT CAST(COALESCE(SUM(c.credited_to_balance), 0) AS BIGINT) FROM credit_notes c WHERE c.invoice_id = invoices.id) AS reduced,
                memo, subscription_id, paid_at, voided_at
         FROM invoices WHERE id = $1 AND account_id = $2 AND status <> 'draft'",
    )
    .bind(invoice_id)
    .bind(account_id)
    .fetch_optional(&mut **tx)
    .await?;
    // `amount_paid` as stored counts what settled the invoice, including credit notes that
    // reduced it while open (`reduced`); the API reports payments and credits apart.
    let InvoiceRow {
        id,
        number,
        kind,
        status,
        currency,
        issue_date,
        due_date,
        subtotal,
        tax,
        total,
        settled,
        credited,
        reduced,
        memo,
        subscription_id: sub,
        paid_at,
        voided_at,
    } = row.ok_or_else(AppError::not_found)?;
    let paid = settled - reduced;
    let lines: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT description, quantity, unit_amount, amount FROM invoice_lines WHERE invoice_id = $1 ORDER BY position",
    )
    .bind(&id)
    .fetch_all(&mut **tx)
    .await?;
    let tax_lines: Vec<(String, i64)> =
        sqlx::query_as("SELECT description, amount FROM invoice_tax_lines WHERE invoice_id = $1 ORDER BY position")
            .bind(&id)
            .fetch_all(&mut **tx)
            .await?;
    let due = if status == "open" || status == "awaiting_transfer" { (total - settled).max(0) } else { 0 };
    Ok(InvoiceObject {
        portal_path: format!("/invoices/{id}"),
        account_id: account_id.to_string(),
        lines: line_objects(lines),
        tax_lines: tax_lines.into_iter().map(|(description, amount)| TaxLineObject { description, amount }).collect(),
        subtotal: Amount::of(subtotal, &currency),
        tax: Amount::of(tax, &currency),
        total: Amount::of(total, &currency),
        amount_paid: Amount::of(paid, &currency),
        amount_credited: Amount::of(credited, &currency),
        amount_due: Amount::of(due, &currency),
        id,
        number,
        kind,
        status,
        currency,
        issue_date,
        due_date,
        memo,
        subscription_id: sub,
        paid_at: opt_rfc3339(paid_at),
        voided_at: opt_rfc3339(voided_at),
    })
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaymentObject {
    #[schema(example = "pay_3XTQ9PLMZ0")]
    pub id: String,
    pub account_id: String,
    /// `pending`, `succeeded`, `failed` or `awaiting_transfer`.
    pub status: String,
    /// What the invoices receive.
    pub amount: Amount,
    /// A surcharge on top (cards).
    pub fee: Amount,
    #[schema(example = "Visa •••• 4242")]
    pub method: String,
    /// The invoices it pays and how much of it each receives.
    pub invoices: Vec<PaymentAllocationObject>,
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    #[schema(format = DateTime)]
    pub created: String,
    #[schema(format = DateTime)]
    pub settled_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaymentAllocationObject {
    pub invoice_id: String,
    pub invoice_number: String,
    /// In minor units.
    pub amount: i64,
}

type PaymentRow = (String, String, i64, i64, String, String, Option<String>, Option<String>, i64, Option<i64>);

pub async fn payment(tx: &mut Tx, account_id: &AccountId, payment_id: &str) -> Result<PaymentObject, AppError> {
    let row: Option<PaymentRow> = sqlx::query_as(
        "SELECT id, status, amount, fee, currency, method_label, failure_code, failure_message, created_at, settled_at
         FROM payments WHERE id = $1 AND account_id = $2",
    )
    .bind(payment_id)
    .bind(account_id)
    .fetch_optional(&mut **tx)
    .await?;
    let (id, status, amount, fee, currency, method, failure_code, failure_message, created, settled_at) =
        row.ok_or_else(AppError::not_found)?;
    let invoices: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT a.invoice_id, i.number, a.amount FROM payment_allocations a JOIN invoices i ON i.id = a.invoice_id
         WHERE a.payment_id = $1 ORDER BY i.number",
    )
    .bind(&id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(PaymentObject {
        account_id: account_id.to_string(),
        amount: Amount::of(amount, &currency),
        fee: Amount::of(fee, &currency),
        invoices: invoices
            .into_iter()
            .map(|(invoice_id, invoice_number, amount)| PaymentAllocationObject { invoice_id, invoice_number, amount })
            .collect(),
        id,
        status,
        method,
        failure_code,
        failure_message,
        created: rfc3339(created),
        settled_at: opt_rfc3339(settled_at),
    })
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubscriptionObject {
    #[schema(example = "sub_3XTQ9PLMZ0")]
    pub id: String,
    pub account_id: String,
    pub plan_id: String,
    pub plan_name: String,
    pub quantity: i64,
    /// Per unit and period.
    pub unit_amount: Amount,
    /// `trialing`, `active`, `past_due` or `cancelled`.
    #[schema(example = "active")]
    pub status: String,
    #[schema(format = Date)]
    pub current_period_start: String,
    /// The last day of the period, which the next renewal follows.
    #[schema(format = Date)]
    pub current_period_end: String,
    /// It ends with its period instead of renewing.
    pub cancel_at_period_end: bool,
    pub payment_method_id: Option<String>,
    /// Increases with every change; a change sent with an older one is refused.
    pub version: i64,
    #[schema(format = DateTime)]
    pub created: String,
    #[schema(format = DateTime)]
    pub cancelled_at: Option<String>,
}

type SubscriptionRow =
    (String, String, String, i64, i64, String, String, String, String, i64, Option<String>, i64, i64, Option<i64>);

pub async fn subscription(tx: &mut Tx, account_id: &AccountId, id: &str) -> Result<SubscriptionObject, AppError> {
    let row: Option<SubscriptionRow> = sqlx::query_as(
        "SELECT s.id, s.plan_id, p.name, s.quantity, s.unit_amount, s.currency, s.status, s.current_period_start,
                s.current_period_end, s.cancel_at_period_end, s.payment_method_id, s.version, s.created_at, s.cancelled_at
         FROM subscriptions s JOIN plans p ON p.id = s.plan_id WHERE s.id = $1 AND s.account_id = $2",
    )
    .bind(id)
    .bind(account_id)
    .fetch_optional(&mut **tx)
    .await?;
    let (
        id,
        plan_id,
        plan_name,
        quantity,
        unit,
        currency,
        status,
        start,
        end,
        cancel,
        method,
        version,
        created,
        cancelled,
    ) = row.ok_or_else(AppError::not_found)?;
    Ok(SubscriptionObject {
        id,
        account_id: account_id.to_string(),
        plan_id,
        plan_name,
        quantity,
        unit_amount: Amount::of(unit, &currency),
        status,
        current_period_start: start,
        current_period_end: end,
        cancel_at_period_end: cancel != 0,
        payment_method_id: method,
        version,
        created: rfc3339(created),
        cancelled_at: opt_rfc3339(cancelled),
    })
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EstimateObject {
    #[schema(example = "est_3XTQ9PLMZ0")]
    pub id: String,
    pub account_id: String,
    #[schema(example = "EST-0042")]
    pub number: String,
    /// `estimate` or `proposal`.
    pub kind: String,
    pub title: String,
    /// `open`, `approved`, `declined` or `expired` (open past its validity).
    pub status: String,
    pub currency: String,
    #[schema(format = Date)]
    pub issue_date: String,
    #[schema(format = Date)]
    pub valid_until: String,
    pub terms: String,
    pub lines: Vec<LineObject>,
    pub subtotal: Amount,
    pub tax: Amount,
    pub total: Amount,
    #[schema(format = DateTime)]
    pub decided_at: Option<String>,
    pub decline_reason: Option<String>,
    /// The invoice an approval issued.
    pub invoice_id: Option<String>,
}

type EstimateRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    Option<i64>,
    Option<String>,
    Option<String>,
);

pub async fn estimate(
    tx: &mut Tx,
    account_id: &AccountId,
    id: &str,
    today: time::Date,
) -> Result<EstimateObject, AppError> {
    let row: Option<EstimateRow> = sqlx::query_as(
        "SELECT id, number, kind, title, status, currency, issue_date, valid_until, terms, subtotal, tax, total,
                decided_at, decline_reason, invoice_id
         FROM estimates WHERE id = $1 AND account_id = $2",
    )
    .bind(id)
    .bind(account_id)
    .fetch_optional(&mut **tx)
    .await?;
    let (
        id,
        number,
        kind,
        title,
        status,
        currency,
        issue,
        valid,
        terms,
        subtotal,
        tax,
        total,
        decided,
        reason,
        invoice,
    ) = row.ok_or_else(AppError::not_found)?;
    let lines: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT description, quantity, unit_amount, amount FROM estimate_lines WHERE estimate_id = $1 ORDER BY position",
    )
    .bind(&id)
    .fetch_all(&mut **tx)
    .await?;
    let expired = status == "open" && valid.as_str() < crate::domain::billing_items::iso_date(today).as_str();
    Ok(EstimateObject {
        account_id: account_id.to_string(),
        lines: line_objects(lines),
        subtotal: Amount::of(subtotal, &currency),
        tax: Amount::of(tax, &currency),
        total: Amount::of(total, &currency),
        status: if expired { "expired".into() } else { status },
        id,
        number,
        kind,
        title,
        currency,
        issue_date: issue,
        valid_until: valid,
        terms,
        decided_at: opt_rfc3339(decided),
        decline_reason: reason,
        invoice_id: invoice,
    })
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreditNoteObject {
    #[schema(example = "cn_3XTQ9PLMZ0")]
    pub id: String,
    pub account_id: String,
    #[schema(example = "ACME-CN-000003")]
    pub number: String,
    pub invoice_id: String,
    pub invoice_number: String,
    pub amount: Amount,
    pub reason: String,
    /// The part that went to the client's credit balance (the invoice had been paid).
    pub credited_to_balance: Amount,
    #[schema(format = Date)]
    pub issue_date: String,
    /// The PDF, for a signed-in client.
    pub pdf_path: String,
}

/// id, number, invoice, invoice number, currency, amount, reason, to the balance, issue date.
type CreditNoteRow = (String, String, String, String, String, i64, String, i64, String);

pub async fn credit_note(tx: &mut Tx, account_id: &AccountId, id: &str) -> Result<CreditNoteObject, AppError> {
    let row: Option<CreditNoteRow> = sqlx::query_as(
        "SELECT c.id, c.number, c.invoice_id, i.number, c.currency, c.amount, c.reason, c.credited_to_balance, c.issue_date
         FROM credit_notes c JOIN invoices i ON i.id = c.invoice_id WHERE c.id = $1 AND c.account_id = $2",
    )
    .bind(id)
    .bind(account_id)
    .fetch_optional(&mut **tx)
    .await?;
    let (id, number, invoice_id, invoice_number, currency, amount, reason, to_balance, issue_date) =
        row.ok_or_else(AppError::not_found)?;
    Ok(CreditNoteObject {
        pdf_path: format!("/credit-notes/{id}/pdf"),
        id,
        account_id: account_id.to_string(),
        number,
        invoice_id,
        invoice_number,
        amount: Amount::of(amount, &currency),
        reason,
        credited_to_balance: Amount::of(to_balance, &currency),
        issue_date,
    })
}
