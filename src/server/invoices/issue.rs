//! Documents the vendor issues itself (operator API and the demo): one-off invoices with its
//! own lines and tax lines, numbered in the vendor's gap-free sequence; voiding an open
//! invoice; credit notes against an issued one. Each in one transaction with its audit row and
//! its event; paying or emailing follows the commit.

use serde_json::json;
use time::{Date, Duration};

use crate::domain::billing_items::iso_date;
use crate::domain::credit::EntryKind;
use crate::domain::currency::Currency;
use crate::domain::ids::{AccountId, InvoiceId};
use crate::domain::money::Money;
use crate::domain::webhooks::EventType;
use crate::server::accounts::billing_details::bill_to_snapshot;
use crate::server::credit::ledger::{NewEntry, append};
use crate::server::infra::actor::Actor;
use crate::server::infra::db::Tx;
use crate::server::infra::ids::new_id;
use crate::server::infra::mail::outbox::{Email, billing_contacts, enqueue};
use crate::server::invoices::numbering::{invoice_number, next_invoice_number};
use crate::server::webhooks::{About, emit};
use crate::wire::error::AppError;

pub const MAX_LINES: usize = 100;
pub const MAX_QUANTITY: i64 = 1_000_000;
/// The largest unit amount or tax line, in minor units (10 million in major units of most
/// currencies): beyond it is a typo.
pub const MAX_AMOUNT: i64 = 1_000_000_000;

#[derive(Debug, Clone)]
pub struct NewLine {
    pub description: String,
    pub quantity: i64,
    pub unit_amount: i64,
}

#[derive(Debug, Clone)]
pub struct NewTaxLine {
    pub description: String,
    pub amount: i64,
}

/// Lines checked and added up: (lines with amounts, subtotal, tax, total).
pub struct Priced {
    pub lines: Vec<(String, i64, i64, i64)>,
    pub tax_lines: Vec<(String, i64)>,
    pub subtotal: i64,
    pub tax: i64,
    pub total: i64,
}

fn description(field: &str, text: &str) -> Result<String, AppError> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() || text.chars().count() > 200 {
        return Err(AppError::invalid(field, "Describe it in 1 to 200 characters."));
    }
    Ok(text)
}

/// Checks lines and tax lines and adds them up exactly. Lines may be negative (a discount),
/// the total may not.
pub fn price(lines: &[NewLine], tax_lines: &[NewTaxLine]) -> Result<Priced, AppError> {
    if lines.is_empty() || lines.len() > MAX_LINES {
        return Err(AppError::invalid("lines", format!("Give 1 to {MAX_LINES} lines.")));
    }
    if tax_lines.len() > 10 {
        return Err(AppError::invalid("tax_lines", "Give at most 10 tax lines."));
    }
    let mut priced = Vec::new();
    let mut subtotal: i64 = 0;
    for (i, line) in lines.iter().enumerate() {
        let text = description(&format!("lines[{i}].description"), &line.description)?;
        if !(1..=MAX_QUANTITY).contains(&line.quantity) {
            return Err(AppError::invalid(
                format!("lines[{i}].quantity"),
                format!("A whole number from 1 to {MAX_QUANTITY}."),
            ));
        }
        if line.unit_amount.abs() > MAX_AMOUNT {
            return Err(AppError::invalid(format!("lines[{i}].unit_amount"), "That amount is too large."));
        }
        let amount = line
            .unit_amount
            .checked_mul(line.quantity)
            .ok_or_else(|| AppError::invalid(format!("lines[{i}].quantity"), "That amount is too large."))?;
        subtotal = subtotal.checked_add(amount).ok_or_else(|| AppError::invalid("lines", "The total is too large."))?;
        priced.push((text, line.quantity, line.unit_amount, amount));
    }
    let mut taxes = Vec::new();
    let mut tax: i64 = 0;
    for (i, line) in tax_lines.iter().enumerate() {
        let text = description(&format!("tax_lines[{i}].description"), &line.description)?;
        if !(0..=MAX_AMOUNT).contains(&line.amount) {
            return Err(AppError::invalid(format!("tax_lines[{i}].amount"), "A tax amount from 0, in minor units."));
        }
        tax += line.amount;
        taxes.push((text, line.amount));
    }
    let total = subtotal.checked_add(tax).ok_or_else(|| AppError::invalid("lines", "The total is too large."))?;
    if subtotal <= 0 {
        return Err(AppError::invalid("lines", "The lines must add up to more than zero."));
    }
    Ok(Priced { lines: priced, tax_lines: taxes, subtotal, tax, total })
}

pub struct NewInvoice<'a> {
    pub vendor_id: &'a str,
    pub account_id: &'a AccountId,
    pub currency: Currency,
    /// `standard` for one-off invoices; a subscription's first invoice names its plan's kind.
    pub kind: &'a str,
    pub priced: Priced,
    pub memo: Option<String>,
    pub issue_date: Date,
    pub due_date: Date,
    pub period: Option<(Date, Date)>,
    pub subscription_id: Option<&'a str>,
}

/// Issues an open invoice inside `tx`: the next number, the client's billing details as they
/// are now, the lines, the tax lines, and the `invoice.issued` event.
pub async fn issue_in(tx: &mut Tx, now: i64, invoice: NewInvoice<'_>) -> Result<(InvoiceId, String), AppError> {
    let number = next_invoice_number(tx, invoice.vendor_id).await?;
    let bill_to = bill_to_snapshot(&mut **tx, invoice.account_id).await?;
    let id = InvoiceId::new(new_id("inv"));
    let priced = &invoice.priced;
    sqlx::query(
        "INSERT INTO invoices (id, vendor_id, account_id, number, kind, status, currency, issue_date, due_date, period_start, period_end,
                               subtotal, tax, total, amount_paid, bill_to_name, bill_to_address, bill_to_tax_id, memo, subscription_id, created_at)
         VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $8, $9, $10, $11, $12, $13, 0, $14, $15, $16, $17, $18, $19)",
    )
    .bind(&id)
    .bind(invoice.vendor_id)
    .bind(invoice.account_id)
    .bind(&number)
    .bind(invoice.kind)
    .bind(invoice.currency.code())
    .bind(iso_date(invoice.issue_date))
    .bind(iso_date(invoice.due_date))
    .bind(invoice.period.map(|p| iso_date(p.0)))
    .bind(invoice.period.map(|p| iso_date(p.1)))
    .bind(priced.subtotal)
    .bind(priced.tax)
    .bind(priced.total)
    .bind(&bill_to.name)
    .bind(&bill_to.address)
    .bind(bill_to.tax_id.as_deref())
    .bind(invoice.memo.as_deref())
    .bind(invoice.subscription_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    for (position, (text, quantity, unit, amount)) in priced.lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO invoice_lines (id, invoice_id, position, description, quantity, unit_amount, amount)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(new_id("lin"))
        .bind(&id)
        .bind(position as i64 + 1)
        .bind(text)
        .bind(quantity)
        .bind(unit)
        .bind(amount)
        .execute(&mut **tx)
        .await?;
    }
    for (position, (text, amount)) in priced.tax_lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO invoice_tax_lines (invoice_id, position, description, amount) VALUES ($1, $2, $3, $4)",
        )
        .bind(&id)
        .bind(position as i64 + 1)
        .bind(text)
        .bind(amount)
        .execute(&mut **tx)
        .await?;
    }
    emit(tx, now, invoice.account_id, EventType::InvoiceIssued, About::Invoice(&id)).await?;
    Ok((id, number))
}

/// An issued invoice, as its email names it.
pub struct IssuedInvoice<'a> {
    pub id: &'a str,
    pub number: &'a str,
    pub total: Money,
    pub due: Date,
}

/// Emails the account's billing contacts that an invoice is waiting, with the link to it.
pub async fn send_in(
    tx: &mut Tx,
    now: i64,
    account_id: &AccountId,
    invoice: IssuedInvoice<'_>,
    public_url: &str,
) -> Result<(), AppError> {
    let IssuedInvoice { id: invoice_id, number, total, due } = invoice;
    let vendor: String =
        sqlx::query_scalar("SELECT v.name FROM vendors v JOIN accounts a ON a.vendor_id = v.id WHERE a.id = $1")
            .bind(account_id)
            .fetch_one(&mut **tx)
            .await?;
    let subject = format!("Invoice {number} from {vendor}: {} due {}", total.format(), iso_date(due));
    let body = format!(
        "{vendor} issued invoice {number} for {}.\n\nIt is due on {}. See it and pay: {}/invoices/{invoice_id}\n",
        total.format(),
        iso_date(due),
        public_url.trim_end_matches('/'),
    );
    for (_, email) in billing_contacts(tx, account_id).await? {
        enqueue(
            tx,
            now,
            Email { kind: "invoice_issued", to: &email, subject: &subject, body: &body, account_id: Some(account_id) },
        )
        .await?;
    }
    Ok(())
}

/// The default due date: the vendor's payment terms after `issue`.
pub async fn due_after_terms(tx: &mut Tx, vendor_id: &str, issue: Date) -> Result<Date, AppError> {
    let days: Option<i64> =
        sqlx::query_scalar("SELECT payment_terms_days FROM vendor_billing_settings WHERE vendor_id = $1")
            .bind(vendor_id)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(issue + Duration::days(days.unwrap_or(0)))
}

/// Voids an open invoice nobody has paid or is paying: it no longer asks for money.
pub async fn void_in(
    tx: &mut Tx,
    now: i64,
    actor: &Actor,
    account_id: &AccountId,
    invoice_id: &str,
    reason: &str,
) -> Result<(), AppError> {
    let reason = reason.trim();
    if reason.chars().count() > 500 {
        return Err(AppError::invalid("reason", "Keep the reason under 500 characters."));
    }
    let status: Option<(String, i64, Option<String>, String)> = sqlx::query_as(
        "SELECT status, amount_paid, payment_in_progress_id, number FROM invoices WHERE id = $1 AND account_id = $2 AND status <> 'draft'",
    )
    .bind(invoice_id)
    .bind(account_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((status, paid, in_progress, number)) = status else { return Err(AppError::not_found()) };
    if status == "void" {
        return Ok(());
    }
    if status != "open" || paid != 0 || in_progress.is_some() {
        return Err(AppError::Conflict(format!(
            "Invoice {number} is {} and cannot be voided; issue a credit note against it instead.",
            if in_progress.is_some() { "being paid" } else { status.as_str() }
        )));
    }
    let voided = sqlx::query(
        "UPDATE invoices SET status = 'void', voided_at = $1, void_reason = $2, next_collection_on = NULL
         WHERE id = $3 AND account_id = $4 AND status = 'open' AND amount_paid = 0 AND payment_in_progress_id IS NULL",
    )
    .bind(now)
    .bind((!reason.is_empty()).then_some(reason))
    .bind(invoice_id)
    .bind(account_id)
    .execute(&mut **tx)
    .await?;
    if voided.rows_affected() != 1 {
        return Err(AppError::Conflict(format!("Invoice {number} changed meanwhile; read it again.")));
    }
    // Payment links to it stop working.
    sqlx::query("DELETE FROM payment_links WHERE invoice_id = $1").bind(invoice_id).execute(&mut **tx).await?;
    actor
        .record(
            tx,
            now,
            account_id,
            "invoice.voided",
            ("invoice", invoice_id),
            json!({ "number": number, "reason": reason }),
        )
        .await?;
    emit(tx, now, account_id, EventType::InvoiceVoided, About::Invoice(invoice_id)).await?;
    Ok(())
}

/// A credit note asked for: `amount` in minor units against `invoice_id`, for `reason`.
pub struct CreditRequest<'a> {
    pub invoice_id: &'a str,
    pub amount: i64,
    pub reason: &'a str,
}

/// A credit note for `amount` against an issued invoice. What the client still owes on it goes
/// down first; the rest goes to the credit balance, never more than was actually paid for it.
pub async fn credit_note_in(
    tx: &mut Tx,
    now: i64,
    today: Date,
    actor: &Actor,
    account_id: &AccountId,
    request: CreditRequest<'_>,
) -> Result<String, AppError> {
    let CreditRequest { invoice_id, amount, reason } = request;
    let reason = description("reason", reason)?;
    type Row = (String, String, String, String, i64, i64, i64, Option<String>);
    let row: Option<Row> = sqlx::query_as(
        "SELECT vendor_id, number, status, currency, total, amount_paid, credited, payment_in_progress_id
         FROM invoices WHERE id = $1 AND account_id = $2 AND status <> 'draft'",
    )
    .bind(invoice_id)
    .bind(account_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((vendor_id, number, status, currency, total, settled, credited, in_progress)) = row else {
        return Err(AppError::not_found());
    };
    if status == "void" || in_progress.is_some() || !matches!(status.as_str(), "open" | "paid") {
        return Err(AppError::Conflict(format!(
            "Invoice {number} is {status}: a credit note applies to open or paid invoices."
        )));
    }
    let creditable = total - credited;
    if amount <= 0 || amount > creditable {
        let shown = crate::server::infra::db::decode::money(creditable.max(0), &currency)?.format();
        return Err(AppError::invalid(
            "amount",
            format!("Credit from 1 minor unit up to {shown}, what is left to credit on {number}."),
        ));
    }
    let to_balance_before: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(credited_to_balance), 0) AS BIGINT) FROM credit_notes WHERE invoice_id = $1",
    )
    .bind(invoice_id)
    .fetch_one(&mut **tx)
    .await?;
    // `amount_paid` counts what settled the invoice: payments, and credit notes that reduced
    // it while open. Only the payments' part can come back as credit.
    let reduced_before = credited - to_balance_before;
    let paid_money = settled - reduced_before;
    let outstanding = if status == "open" { total - settled } else { 0 };
    let reduce = amount.min(outstanding);
    let to_balance = amount - reduce;
    if to_balance > paid_money - to_balance_before {
        return Err(AppError::invalid("amount", "That credits more than the client paid for this invoice."));
    }
    let currency_code: Currency = currency.parse().map_err(|_| AppError::internal("currency", &currency))?;
    let (prefix, next): (String, i64) = sqlx::query_as(
        "UPDATE invoice_sequences SET next_credit_note = next_credit_note + 1 WHERE vendor_id = $1
         RETURNING prefix, next_credit_note - 1",
    )
    .bind(&vendor_id)
    .fetch_one(&mut **tx)
    .await?;
    let note_number = invoice_number(&format!("{prefix}CN-"), next);
    let note_id = new_id("cn");
    sqlx::query(
        "INSERT INTO credit_notes (id, vendor_id, account_id, invoice_id, number, currency, amount, reason, credited_to_balance, issue_date, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&note_id)
    .bind(&vendor_id)
    .bind(account_id)
    .bind(invoice_id)
    .bind(&note_number)
    .bind(&currency)
    .bind(amount)
    .bind(&reason)
    .bind(to_balance)
    .bind(iso_date(today))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let fully_settled = status == "open" && settled + reduce >= total;
    let updated = sqlx::query(
        "UPDATE invoices SET credited = credited + $1, amount_paid = amount_paid + $2,
                status = CASE WHEN $3 = 1 THEN 'paid' ELSE status END,
                paid_at = CASE WHEN $3 = 1 THEN $4 ELSE paid_at END,
                next_collection_on = CASE WHEN $3 = 1 THEN NULL ELSE next_collection_on END
         WHERE id = $5 AND credited = $6 AND amount_paid = $7 AND payment_in_progress_id IS NULL",
    )
    .bind(amount)
    .bind(reduce)
    .bind(i64::from(fully_settled))
    .bind(now)
    .bind(invoice_id)
    .bind(credited)
    .bind(settled)
    .execute(&mut **tx)
    .await?;
    if updated.rows_affected() != 1 {
        return Err(AppError::Conflict(format!("Invoice {number} changed meanwhile; read it again.")));
    }
    if to_balance > 0 {
        let text = format!("Credit note {note_number} for invoice {number}");
        let mut entry = NewEntry::new(account_id, Money::new(to_balance, currency_code), EntryKind::Refund, &text);
        entry.invoice_id = Some(invoice_id);
        append(tx, now, entry).await?;
    }
    actor
        .record(
            tx,
            now,
            account_id,
            "invoice.credited",
            ("credit_note", &note_id),
            json!({ "invoice": number, "number": note_number, "amount": amount, "to_balance": to_balance }),
        )
        .await?;
    emit(tx, now, account_id, EventType::InvoiceCredited, About::CreditNote(&note_id)).await?;
    if fully_settled {
        emit(tx, now, account_id, EventType::InvoicePaid, About::Invoice(invoice_id)).await?;
    }
    if to_balance > 0 {
        let payment: Option<String> = sqlx::query_scalar(
            "SELECT p.id FROM payments p JOIN payment_allocations a ON a.payment_id = p.id
             WHERE a.invoice_id = $1 AND p.status = 'succeeded' ORDER BY p.settled_at DESC, p.id LIMIT 1",
        )
        .bind(invoice_id)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(payment) = payment {
            emit(tx, now, account_id, EventType::PaymentRefunded, About::Payment(&payment)).await?;
        }
    }
    Ok(note_id)
}
