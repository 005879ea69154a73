//! A cycle document before and after it is written: an invoice or reconciliation statement,
//! keyed by what it bills so it exists at most once.

use crate::domain::ids::InvoiceId;
use time::Date;

use crate::domain::billing_items::InvoiceKind;
use crate::domain::currency::Currency;
use crate::domain::money::Money;
use crate::server::accounts::billing_details::BillTo;
use crate::server::infra::db::Tx;
use crate::server::infra::db::bulk::{Value, insert};
use crate::server::infra::ids::new_id;
use crate::wire::error::AppError;

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
}

/// The account a document is issued to, read once per run.
pub struct Recipient {
    pub account_id: String,
    pub vendor_id: String,
    pub currency: Currency,
    pub bill_to: BillTo,
}

/// The lines' total, each line's amount checked for overflow.
pub fn total(lines: &[DraftLine], currency: Currency) -> Result<Money, AppError> {
    let mut total = Money::zero(currency);
    for line in lines {
        let amount = line
            .quantity
            .checked_mul(line.unit_amount)
            .ok_or_else(|| AppError::internal("invoice line", "amount overflows"))?;
        total = total.checked_add(Money::new(amount, currency)).map_err(|e| AppError::internal("invoice total", e))?;
    }
    Ok(total)
}

/// The `invoice_lines` rows of an invoice, numbered from 1, in [`LINE_COLUMNS`] order. The
/// amounts were checked by [`total`].
pub fn line_rows(invoice_id: &InvoiceId, lines: &[DraftLine]) -> Vec<Vec<Value>> {
    lines
        .iter()
        .enumerate()
        .map(|(position, line)| {
            vec![
                Value::from(new_id("lin")),
                invoice_id.as_str().into(),
                (position as i64 + 1).into(),
                line.description.as_str().into(),
                line.quantity.into(),
                line.unit_amount.into(),
                line.quantity.saturating_mul(line.unit_amount).into(),
                line.plan_id.clone().into(),
            ]
        })
        .collect()
}

pub const LINE_COLUMNS: &str =
    "invoice_lines (id, invoice_id, position, description, quantity, unit_amount, amount, plan_id)";

/// Writes the lines of one invoice (the demo's statements; the cycle writes a batch's lines at once).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert_lines(
    tx: &mut Tx,
    invoice_id: &InvoiceId,
    lines: &[DraftLine],
    currency: Currency,
) -> Result<(), AppError> {
    total(lines, currency)?;
    insert(tx, LINE_COLUMNS, &line_rows(invoice_id, lines)).await?;
    Ok(())
}
