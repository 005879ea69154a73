//! Estimates and proposals the vendor sends (operator API, demo): lines, optional tax lines
//! added into the tax, an expiry. The client approves or declines them in the portal.

use serde_json::json;
use time::Date;

use crate::domain::billing_items::iso_date;
use crate::domain::ids::AccountId;
use crate::domain::webhooks::EventType;
use crate::server::infra::actor::{Acting, Actor};
use crate::server::infra::clock::{today, unix_now};
use crate::server::infra::db::Tx;
use crate::server::infra::ids::new_id;
use crate::server::invoices::issue::{NewLine, NewTaxLine, price};
use crate::server::invoices::numbering::invoice_number;
use crate::server::webhooks::{About, emit};
use crate::wire::error::AppError;

pub const DEFAULT_TERMS: &str =
    "Prices exclude applicable taxes unless listed. Approval creates an invoice due in 14 days.";

pub struct NewEstimate {
    pub id: Option<String>,
    /// `estimate` or `proposal`.
    pub kind: String,
    pub title: String,
    pub lines: Vec<NewLine>,
    pub tax_lines: Vec<NewTaxLine>,
    pub valid_until: Date,
    pub terms: Option<String>,
    /// The number to print; the vendor's next one when not given.
    pub number: Option<String>,
    pub issue_date: Option<Date>,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(acting: &Acting<'_>, input: NewEstimate) -> Result<String, AppError> {
    let state = acting.state;
    let now = unix_now(state.clock.as_ref());
    let today = today(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    let id = create_in(&mut tx, now, today, &acting.actor, &acting.account_id, input).await?;
    tx.commit().await?;
    Ok(id)
}

/// [`create`] inside the caller's transaction. Its validity runs from its issue date (today
/// unless given: the demo lays out estimates issued in the past).
pub async fn create_in(
    tx: &mut Tx,
    now: i64,
    today: Date,
    actor: &Actor,
    account_id: &AccountId,
    input: NewEstimate,
) -> Result<String, AppError> {
    if input.kind != "estimate" && input.kind != "proposal" {
        return Err(AppError::invalid("kind", "Use estimate or proposal."));
    }
    let title = input.title.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.is_empty() || title.chars().count() > 200 {
        return Err(AppError::invalid("title", "Give it a title of 1 to 200 characters."));
    }
    let issue_date = input.issue_date.unwrap_or(today);
    if input.valid_until < issue_date || input.valid_until > issue_date + time::Duration::days(366) {
        return Err(AppError::invalid("valid_until", "A date from today to a year from now."));
    }
    let terms = input.terms.unwrap_or_else(|| DEFAULT_TERMS.to_string());
    if terms.chars().count() > 2000 {
        return Err(AppError::invalid("terms", "Keep the terms under 2,000 characters."));
    }
    let priced = price(&input.lines, &input.tax_lines)?;
    let (vendor_id, currency, archived): (String, String, Option<i64>) =
        sqlx::query_as("SELECT vendor_id, currency, archived_at FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(AppError::not_found)?;
    if archived.is_some() {
        return Err(AppError::Conflict("This account is archived.".into()));
    }
    let number = match input.number {
        Some(number) => number,
        None => {
            let (prefix, next): (String, i64) = sqlx::query_as(
                "UPDATE invoice_sequences SET next_estimate = next_estimate + 1 WHERE vendor_id = $1
                 RETURNING prefix, next_estimate - 1",
            )
            .bind(&vendor_id)
            .fetch_one(&mut **tx)
            .await?;
            invoice_number(&format!("{prefix}{}-", if input.kind == "proposal" { "PRO" } else { "EST" }), next)
        }
    };
    let id = input.id.unwrap_or_else(|| new_id("est"));
    sqlx::query(
        "INSERT INTO estimates (id, vendor_id, account_id, number, kind, title, status, currency, issue_date, valid_until, terms,
                                subtotal, tax, total, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(&id)
    .bind(&vendor_id)
    .bind(account_id)
    .bind(&number)
    .bind(&input.kind)
    .bind(&title)
    .bind(&currency)
    .bind(iso_date(issue_date))
    .bind(iso_date(input.valid_until))
    .bind(&terms)
    .bind(priced.subtotal)
    .bind(priced.tax)
    .bind(priced.total)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    for (position, (text, quantity, unit, amount)) in priced.lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO estimate_lines (id, estimate_id, position, description, quantity, unit_amount, amount)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(new_id("eln"))
        .bind(&id)
        .bind(position as i64)
        .bind(text)
        .bind(quantity)
        .bind(unit)
        .bind(amount)
        .execute(&mut **tx)
        .await?;
    }
    actor
        .record(
            tx,
            now,
            account_id,
            "estimate.created",
            ("estimate", &id),
            json!({ "number": number, "total": priced.total }),
        )
        .await?;
    emit(tx, now, account_id, EventType::EstimateCreated, About::Estimate(&id)).await?;
    Ok(id)
}
