//! Deciding estimates and proposals (seed 004). Approving records the typed-name signature
//! with the time and the user, and issues an open invoice linked to the estimate, in one
//! transaction. The decision is a conditional update from `open`, so two approvals at the
//! same moment give one invoice, and nothing decided or expired can be approved.

pub mod issue;

use crate::domain::billing_items::{EstimateKind, EstimateStatus};
use crate::domain::ids::{AccountId, EstimateId};
use serde_json::json;
use time::Duration;

use crate::domain::billing_items::{estimate_is_expired, format_date, iso_date};
use crate::domain::webhooks::EventType;
use crate::server::accounts::billing_details::bill_to_snapshot;
use crate::server::infra::auth::authorize::Authorized;
use crate::server::infra::clock::{today, unix_now};
use crate::server::infra::db::{Tx, decode};
use crate::server::infra::ids::new_id;
use crate::server::webhooks::{About, emit};
use crate::wire::error::AppError;
use crate::wire::estimates::ApprovedEstimate;

/// Invoices issued from an approved estimate are due this many days later.
pub const PAYMENT_TERMS_DAYS: i64 = 14;

#[derive(sqlx::FromRow)]
struct EstimateRow {
    vendor_id: String,
    number: String,
    kind: EstimateKind,
    title: String,
    status: EstimateStatus,
    currency: String,
    valid_until: String,
    subtotal: i64,
    tax: i64,
    total: i64,
    decided_at: Option<i64>,
}

async fn load(tx: &mut Tx, account_id: &AccountId, id: &str) -> Result<EstimateRow, AppError> {
    sqlx::query_as(
        "SELECT vendor_id, number, kind, title, status, currency, valid_until, subtotal, tax, total, decided_at
         FROM estimates WHERE id = $1 AND account_id = $2",
    )
    .bind(id)
    .bind(account_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(AppError::not_found)
}

fn already_decided(row: &EstimateRow) -> AppError {
    let when = row
        .decided_at
        .map(|t| format!(" on {}", crate::domain::billing_items::format_unix_date(t)))
        .unwrap_or_default();
    AppError::Conflict(format!("This {} was already {}{when}.", row.kind.as_str(), row.status.as_str())).tracked()
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn approve(
    caller: &Authorized,
    estimate_id: &EstimateId,
    typed_name: &str,
) -> Result<ApprovedEstimate, AppError> {
    let typed_name = typed_name.trim();
    if typed_name.chars().count() < 2 {
        return Err(AppError::invalid("typed_name", "Type your full name to sign the approval."));
    }
    if typed_name.chars().count() > 100 {
        return Err(AppError::invalid("typed_name", "Use at most 100 characters."));
    }
    let state = &caller.state;
    let account_id = &caller.account()?.id;
    let now = unix_now(state.clock.as_ref());
    let today = today(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    let row = load(&mut tx, account_id, estimate_id).await?;
    if row.status != EstimateStatus::Open {
        return Err(already_decided(&row));
    }
    let valid_until = decode::date(&row.valid_until)?;
    if estimate_is_expired(valid_until, today) {
        return Err(AppError::Conflict(format!(
            "This {} expired on {}. Ask for an updated one.",
            row.kind.as_str(),
            format_date(valid_until)
        ))
        .tracked());
    }
    let decided = sqlx::query(
        "UPDATE estimates SET status = 'approved', decided_at = $1, decided_by = $2, approver_name = $3
         WHERE id = $4 AND account_id = $5 AND status = 'open'",
    )
    .bind(now)
    .bind(caller.user_id())
    .bind(typed_name)
    .bind(estimate_id)
    .bind(account_id)
    .execute(&mut *tx)
    .await?;
    if decided.rows_affected() != 1 {
        let row = load(&mut tx, account_id, estimate_id).await?;
        return Err(already_decided(&row));
    }

    let number = crate::server::invoices::numbering::next_invoice_number(&mut tx, &row.vendor_id).await?;
    let bill_to = bill_to_snapshot(&mut *tx, account_id).await?;
    let invoice_id = new_id("inv");
    sqlx::query(
        "INSERT INTO invoices (id, vendor_id, account_id, number, kind, status, currency, issue_date, due_date, subtotal, tax, total,
                               amount_paid, bill_to_name, bill_to_address, bill_to_tax_id, memo, estimate_id, created_at)
         VALUES ($1, $2, $3, $4, 'standard', 'open', $5, $6, $7, $8, $9, $10, 0, $11, $12, $13, $14, $15, $16)",
    )
    .bind(&invoice_id)
    .bind(&row.vendor_id)
    .bind(account_id)
    .bind(&number)
    .bind(&row.currency)
    .bind(iso_date(today))
    .bind(iso_date(today + Duration::days(PAYMENT_TERMS_DAYS)))
    .bind(row.subtotal)
    .bind(row.tax)
    .bind(row.total)
    .bind(&bill_to.name)
    .bind(&bill_to.address)
    .bind(bill_to.tax_id.as_deref())
    .bind(format!("{}: {}", row.number, row.title))
    .bind(estimate_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO invoice_lines (id, invoice_id, position, description, quantity, unit_amount, amount)
         SELECT 'lin_' || id, $1, position, description, quantity, unit_amount, amount FROM estimate_lines WHERE estimate_id = $2",
    )
    .bind(&invoice_id)
    .bind(estimate_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE estimates SET invoice_id = $1 WHERE id = $2")
        .bind(&invoice_id)
        .bind(estimate_id)
        .execute(&mut *tx)
        .await?;
    let detail = json!({ "typed_name": typed_name, "invoice": number, "total": row.total, "currency": row.currency });
    caller.record(&mut tx, now, "estimate.approved", ("estimate", estimate_id), detail).await?;
    emit(&mut tx, now, account_id, EventType::EstimateApproved, About::Estimate(estimate_id)).await?;
    emit(&mut tx, now, account_id, EventType::InvoiceIssued, About::Invoice(&invoice_id)).await?;
    tx.commit().await?;
    Ok(ApprovedEstimate { invoice_id, invoice_number: number })
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn decline(caller: &Authorized, estimate_id: &EstimateId, reason: &str) -> Result<(), AppError> {
    let reason = reason.trim();
    if reason.chars().count() < 3 {
        return Err(AppError::invalid("reason", "Tell the agency why you are declining, so they can follow up."));
    }
    if reason.chars().count() > 1000 {
        return Err(AppError::invalid("reason", "Keep the reason under 1,000 characters."));
    }
    let state = &caller.state;
    let account_id = &caller.account()?.id;
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    let row = load(&mut tx, account_id, estimate_id).await?;
    if row.status != EstimateStatus::Open {
        return Err(already_decided(&row));
    }
    let decided = sqlx::query(
        "UPDATE estimates SET status = 'declined', decided_at = $1, decided_by = $2, decline_reason = $3
         WHERE id = $4 AND account_id = $5 AND status = 'open'",
    )
    .bind(now)
    .bind(caller.user_id())
    .bind(reason)
    .bind(estimate_id)
    .bind(account_id)
    .execute(&mut *tx)
    .await?;
    if decided.rows_affected() != 1 {
        let row = load(&mut tx, account_id, estimate_id).await?;
        return Err(already_decided(&row));
    }
    caller.record(&mut tx, now, "estimate.declined", ("estimate", estimate_id), json!({ "reason": reason })).await?;
    emit(&mut tx, now, account_id, EventType::EstimateDeclined, About::Estimate(estimate_id)).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: String,
    number: String,
    kind: EstimateKind,
    title: String,
    status: EstimateStatus,
    currency: String,
    valid_until: String,
    total: i64,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(caller: &Authorized) -> Result<Vec<crate::wire::estimates::EstimateSummary>, AppError> {
    use crate::domain::billing_items::EstimateStatus;
    let today = today(caller.state.clock.as_ref());
    let rows: Vec<SummaryRow> = sqlx::query_as(
        "SELECT id, number, kind, title, status, currency, valid_until, total FROM estimates WHERE account_id = $1
         ORDER BY CASE status WHEN 'open' THEN 0 ELSE 1 END, issue_date DESC, number DESC",
    )
    .bind(&caller.account()?.id)
    .fetch_all(caller.state.db.pool())
    .await?;
    rows.into_iter()
        .map(|r| {
            let valid_until = decode::date(&r.valid_until)?;
            let status = r.status;
            Ok(crate::wire::estimates::EstimateSummary {
                kind: r.kind,
                is_expired: status == EstimateStatus::Open && estimate_is_expired(valid_until, today),
                total: decode::money(r.total, &r.currency)?,
                id: r.id,
                number: r.number,
                title: r.title,
                status,
                valid_until,
            })
        })
        .collect()
}

#[derive(sqlx::FromRow)]
struct DecisionRow {
    id: String,
    number: String,
    kind: EstimateKind,
    title: String,
    client_name: String,
    status: EstimateStatus,
    decided_at: i64,
    decided_by_name: Option<String>,
    decided_by_email: Option<String>,
    approver_name: Option<String>,
    decline_reason: Option<String>,
    invoice_number: Option<String>,
    currency: String,
    total: i64,
}

/// The most recent decisions on a vendor's estimates, with who decided and when.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn decisions_for_vendor(
    pool: &sqlx::AnyPool,
    vendor_id: &str,
) -> Result<Vec<crate::wire::staff::EstimateDecision>, AppError> {
    let rows: Vec<DecisionRow> = sqlx::query_as(
        "SELECT e.id, e.number, e.kind, e.title, a.name AS client_name, e.status, e.decided_at, u.name AS decided_by_name,
                u.email AS decided_by_email, e.approver_name, e.decline_reason, i.number AS invoice_number, e.currency, e.total
         FROM estimates e
         JOIN accounts a ON a.id = e.account_id
         LEFT JOIN users u ON u.id = e.decided_by
         LEFT JOIN invoices i ON i.id = e.invoice_id
         WHERE e.vendor_id = $1 AND e.status <> 'open' AND e.decided_at IS NOT NULL
         ORDER BY e.decided_at DESC, e.number DESC
         LIMIT 100",
    )
    .bind(vendor_id)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(crate::wire::staff::EstimateDecision {
                kind: r.kind,
                status: r.status,
                total: decode::money(r.total, &r.currency)?,
                decided_by: r.decided_by_name.unwrap_or_else(|| "a former user".into()),
                estimate_id: r.id,
                number: r.number,
                title: r.title,
                client_name: r.client_name,
                decided_at: r.decided_at,
                decided_by_email: r.decided_by_email,
                approver_name: r.approver_name,
                decline_reason: r.decline_reason,
                invoice_number: r.invoice_number,
            })
        })
        .collect()
}
