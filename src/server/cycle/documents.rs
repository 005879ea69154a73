//! A cycle document before and after it is written: an invoice or reconciliation statement,
//! keyed by what it bills so it exists at most once.

use time::Date;

use crate::api::error::AppError;
use crate::domain::billing_items::InvoiceKind;
use crate::domain::currency::Currency;
use crate::domain::money::Money;
use crate::server::billing_details::BillTo;
use crate::server::db::Tx;
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
