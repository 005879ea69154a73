//! Writing a cycle document: an invoice (or reconciliation statement) with its lines, numbered
//! from the vendor's gap-free sequence and keyed by what it bills, so it exists at most once.

use time::Date;

use crate::api::error::AppError;
use crate::domain::billing_items::{InvoiceKind, iso_date};
use crate::domain::currency::Currency;
use crate::domain::money::Money;
use crate::server::billing_details::BillTo;
use crate::server::db::Tx;
use crate::server::estimates::next_invoice_number;
use crate::server::ids::new_id;

pub struct DraftLine {
    pub description: String,
    pub quantity: i64,
    pub unit_amount: i64,
    pub plan_id: Option<String>,
}

pub struct Draft {
    pub kind: InvoiceKind,
    pub cycle_key: String,
    pub period: Option<(Date, Date)>,
    pub lines: Vec<DraftLine>,
    pub memo: Option<String>,
    pub subscription_id: Option<String>,
}

/// What the account's run issued.
#[derive(Debug, Clone)]
pub struct Issued {
    pub id: String,
    pub number: String,
    pub kind: InvoiceKind,
    pub total: Money,
    pub due: Date,
    pub subscription_id: Option<String>,
}

/// The account a document is issued to, read once per run.
pub struct Recipient {
    pub account_id: String,
    pub vendor_id: String,
    pub currency: Currency,
    pub bill_to: BillTo,
}

/// Inserts the draft, issued on `issue_date` and due `due`. A statement (lines summing to zero)
/// is issued settled; an invoice is open.
pub async fn insert(tx: &mut Tx, now: i64, to: &Recipient, draft: Draft, issue_date: Date, due: Date) -> Result<Issued, AppError> {
    let amounts = line_amounts(&draft.lines)?;
    let total = Money::sum(to.currency, amounts.iter().map(|a| Money::new(*a, to.currency)))
        .map_err(|e| AppError::internal("invoice total", e))?;
    let status = if total.is_zero() { "paid" } else { "open" };
    let number = next_invoice_number(tx, &to.vendor_id).await?;
    let id = new_id("inv");
    let (period_start, period_end) = match draft.period {
        Some((first, last)) => (Some(iso_date(first)), Some(iso_date(last))),
        None => (None, None),
    };
    sqlx::query(
        "INSERT INTO invoices (id, vendor_id, account_id, number, kind, status, currency, issue_date, due_date, period_start, period_end,
                               subtotal, tax, total, amount_paid, bill_to_name, bill_to_address, bill_to_tax_id, memo, subscription_id,
                               cycle_key, paid_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, $12, 0, $13, $14, $15, $16, $17, $18, $19, $20)",
    )
    .bind(&id)
    .bind(&to.vendor_id)
    .bind(&to.account_id)
    .bind(&number)
    .bind(draft.kind.as_str())
    .bind(status)
    .bind(to.currency.code())
    .bind(iso_date(issue_date))
    .bind(iso_date(due))
    .bind(period_start)
    .bind(period_end)
    .bind(total.minor)
    .bind(&to.bill_to.name)
    .bind(&to.bill_to.address)
    .bind(to.bill_to.tax_id.as_deref())
    .bind(draft.memo.as_deref())
    .bind(draft.subscription_id.as_deref())
    .bind(&draft.cycle_key)
    .bind(total.is_zero().then_some(now))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    insert_lines(tx, &id, &draft.lines).await?;
    Ok(Issued { id, number, kind: draft.kind, total, due, subscription_id: draft.subscription_id })
}

fn line_amounts(lines: &[DraftLine]) -> Result<Vec<i64>, AppError> {
    lines
        .iter()
        .map(|line| line.quantity.checked_mul(line.unit_amount).ok_or_else(|| AppError::internal("invoice line", "amount overflows")))
        .collect()
}

/// Writes the lines of an invoice, numbered from 1, in one statement (a cycle writes many
/// thousands of them).
pub async fn insert_lines(tx: &mut Tx, invoice_id: &str, lines: &[DraftLine]) -> Result<(), AppError> {
    if lines.is_empty() {
        return Ok(());
    }
    let amounts = line_amounts(lines)?;
    let invoice_param = lines.len() * 7 + 1;
    let placeholders: Vec<String> = (0..lines.len())
        .map(|n| {
            let b = n * 7;
            format!("(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${invoice_param})", b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7)
        })
        .collect();
    let sql = format!(
        "INSERT INTO invoice_lines (id, position, description, quantity, unit_amount, amount, plan_id, invoice_id) VALUES {}",
        placeholders.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for (position, (line, amount)) in lines.iter().zip(amounts).enumerate() {
        query = query
            .bind(new_id("lin"))
            .bind(position as i64 + 1)
            .bind(&line.description)
            .bind(line.quantity)
            .bind(line.unit_amount)
            .bind(amount)
            .bind(line.plan_id.as_deref());
    }
    query.bind(invoice_id).execute(&mut **tx).await?;
    Ok(())
}
