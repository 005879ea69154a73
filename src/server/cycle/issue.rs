//! What one account is issued on a cycle date, in one transaction: subscription renewals (the
//! monthly partner plan and licenses together as the license invoice of the 1st, anything
//! else as its own renewal invoice), the month-end prorated license invoice for numbers added
//! during the month, and the reconciliation statement of the previous month. Each document is
//! keyed by what it bills, so a rerun finds it and issues nothing new.

use time::{Date, Duration};

use super::documents::{Draft, DraftLine, Issued, Recipient, insert};
use super::rules::BillingRules;
use super::statement;
use crate::api::error::AppError;
use crate::domain::billing_cycle::{MonthDocuments, first_of_month, last_of_month, month_key, month_name, prorated_license};
use crate::domain::billing_items::{BillingInterval, InvoiceKind, SubscriptionStatus, format_date, iso_date};
use crate::domain::money::Money;
use crate::domain::subscription::{PlanKind, add_interval};
use crate::server::billing_details::bill_to_snapshot;
use crate::server::db::{Tx, decode};

#[derive(sqlx::FromRow)]
struct DueSubscription {
    id: String,
    plan_id: String,
    plan_name: String,
    plan_kind: String,
    billing_interval: String,
    quantity: i64,
    unit_amount: i64,
    status: String,
    current_period_start: String,
    current_period_end: String,
    cancel_at_period_end: i64,
}

struct Subscription {
    id: String,
    plan_id: String,
    plan_name: String,
    plan_kind: PlanKind,
    interval: BillingInterval,
    quantity: i64,
    unit_amount: i64,
    status: SubscriptionStatus,
    start: Date,
    end: Date,
    cancel_at_period_end: bool,
}

impl Subscription {
    fn decode(row: DueSubscription) -> Result<Subscription, AppError> {
        Ok(Subscription {
            plan_kind: decode::enumerated(&row.plan_kind, PlanKind::parse)?,
            interval: decode::enumerated(&row.billing_interval, BillingInterval::parse)?,
            status: decode::enumerated(&row.status, SubscriptionStatus::parse)?,
            start: decode::date(&row.current_period_start)?,
            end: decode::date(&row.current_period_end)?,
            cancel_at_period_end: row.cancel_at_period_end == 1,
            id: row.id,
            plan_id: row.plan_id,
            plan_name: row.plan_name,
            quantity: row.quantity,
            unit_amount: row.unit_amount,
        })
    }

    /// Billed on the license invoice of the 1st: the monthly partner plan and number licenses.
    fn on_license_invoice(&self) -> bool {
        matches!(self.plan_kind, PlanKind::Partner | PlanKind::License) && self.interval == BillingInterval::Month && self.end.day() == 1
    }

    /// The day renewals land on: a period that was clamped (Jan 31 -> Feb 28) returns to it.
    fn anchor_day(&self) -> u8 {
        self.start.day().max(self.end.day())
    }
}

/// A run that ever falls this far behind on one subscription stops and says so in the log.
const MAX_PERIODS_PER_RUN: usize = 24;

pub async fn issue_for_account(tx: &mut Tx, now: i64, rules: &BillingRules, to: &Recipient, date: Date) -> Result<Vec<Issued>, AppError> {
    let due = date + Duration::days(rules.payment_terms_days);
    let mut issued = Vec::new();
    renewals(tx, now, to, date, due, &mut issued).await?;
    let months = MonthDocuments::for_run_on(date);
    if let Some(invoice) = prorated(tx, now, to, date, due, months.prorated_month).await? {
        issued.push(invoice);
    }
    if let Some(statement) = statement::issue(tx, now, to, date, months.reconciled_month).await? {
        issued.push(statement);
    }
    Ok(issued)
}

pub async fn recipient(tx: &mut Tx, account_id: &str) -> Result<Recipient, AppError> {
    let (vendor_id, currency): (String, String) = sqlx::query_as("SELECT vendor_id, currency FROM accounts WHERE id = $1")
        .bind(account_id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(Recipient {
        account_id: account_id.to_string(),
        currency: decode::currency(&currency)?,
        vendor_id,
        bill_to: bill_to_snapshot(&mut **tx, account_id).await?,
    })
}

pub async fn exists(tx: &mut Tx, account_id: &str, cycle_key: &str) -> Result<bool, AppError> {
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM invoices WHERE account_id = $1 AND cycle_key = $2")
        .bind(account_id)
        .bind(cycle_key)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(found.is_some())
}

async fn due_subscriptions(tx: &mut Tx, account_id: &str, date: Date) -> Result<Vec<Subscription>, AppError> {
    let rows: Vec<DueSubscription> = sqlx::query_as(
        "SELECT s.id, s.plan_id, p.name AS plan_name, p.kind AS plan_kind, p.billing_interval, s.quantity, s.unit_amount, s.status,
                s.current_period_start, s.current_period_end, s.cancel_at_period_end
         FROM subscriptions s JOIN plans p ON p.id = s.plan_id
         WHERE s.account_id = $1 AND s.status IN ('trialing', 'active', 'past_due') AND s.current_period_end <= $2
         ORDER BY s.current_period_end, CASE p.kind WHEN 'partner' THEN 0 ELSE 1 END, s.created_at, s.id",
    )
    .bind(account_id)
    .bind(iso_date(date))
    .fetch_all(&mut **tx)
    .await?;
    rows.into_iter().map(Subscription::decode).collect()
}

/// Renews every subscription whose period ended on or before `date`, period by period.
async fn renewals(tx: &mut Tx, now: i64, to: &Recipient, date: Date, due: Date, issued: &mut Vec<Issued>) -> Result<(), AppError> {
    for _ in 0..MAX_PERIODS_PER_RUN {
        let subscriptions = due_subscriptions(tx, &to.account_id, date).await?;
        if subscriptions.is_empty() {
            return Ok(());
        }
        let mut license_month: Option<Date> = None;
        let mut on_license = Vec::new();
        for subscription in subscriptions {
            if subscription.cancel_at_period_end {
                end(tx, now, &subscription).await?;
            } else if subscription.on_license_invoice() {
                // One month at a time: the earliest month due first.
                if license_month.is_none_or(|month| month == subscription.end) {
                    license_month = Some(subscription.end);
                    on_license.push(subscription);
                }
            } else {
                issued.extend(renew_alone(tx, now, to, date, due, subscription).await?);
            }
        }
        if let Some(month) = license_month {
            issued.extend(license_invoice(tx, now, to, date, due, month, on_license).await?);
        }
    }
    tracing::warn!(account = %to.account_id, "subscriptions still behind after {MAX_PERIODS_PER_RUN} periods; the next run continues");
    Ok(())
}

async fn end(tx: &mut Tx, now: i64, subscription: &Subscription) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE subscriptions SET status = 'cancelled', cancelled_at = $2, version = version + 1
         WHERE id = $1 AND status <> 'cancelled' AND current_period_end = $3",
    )
    .bind(&subscription.id)
    .bind(now)
    .bind(iso_date(subscription.end))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Moves a subscription to its next period (a trial becomes active), with a new quantity.
async fn advance(tx: &mut Tx, subscription: &Subscription, next_end: Date, quantity: i64) -> Result<(), AppError> {
    let status = match subscription.status {
        SubscriptionStatus::Trialing => SubscriptionStatus::Active,
        other => other,
    };
    let moved = sqlx::query(
        "UPDATE subscriptions SET current_period_start = $2, current_period_end = $3, quantity = $4, status = $5, version = version + 1
         WHERE id = $1 AND current_period_end = $6",
    )
    .bind(&subscription.id)
    .bind(iso_date(subscription.end))
    .bind(iso_date(next_end))
    .bind(quantity)
    .bind(status.as_str())
    .bind(iso_date(subscription.end))
    .execute(&mut **tx)
    .await?;
    if moved.rows_affected() != 1 {
        return Err(AppError::internal("renewal", format!("subscription {} changed during its renewal", subscription.id)));
    }
    Ok(())
}

/// The license invoice of the month starting `month`: each partner plan, and a license for
/// every number active on the 1st at the license subscription's price.
async fn license_invoice(
    tx: &mut Tx,
    now: i64,
    to: &Recipient,
    date: Date,
    due: Date,
    month: Date,
    subscriptions: Vec<Subscription>,
) -> Result<Option<Issued>, AppError> {
    let active_numbers: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM phone_numbers WHERE account_id = $1 AND onboarded_on <= $2 AND (released_on IS NULL OR released_on > $2)",
    )
    .bind(&to.account_id)
    .bind(iso_date(month))
    .fetch_one(&mut **tx)
    .await?;
    let next_month = add_interval(month, BillingInterval::Month, 1);
    let label = month_name(month);
    let mut lines = Vec::new();
    for subscription in &subscriptions {
        let quantity = match subscription.plan_kind {
            PlanKind::License if active_numbers > 0 => active_numbers,
            _ => subscription.quantity,
        };
        let description = match subscription.plan_kind {
            PlanKind::License => format!("Phone number licenses — {label}"),
            _ => format!("{} — {label}", subscription.plan_name),
        };
        lines.push(DraftLine { description, quantity, unit_amount: subscription.unit_amount, plan_id: Some(subscription.plan_id.clone()) });
        advance(tx, subscription, next_month, quantity).await?;
    }
    let key = format!("license:{}", month_key(month));
    if exists(tx, &to.account_id, &key).await? {
        return Ok(None);
    }
    let draft = Draft {
        kind: InvoiceKind::License,
        cycle_key: key,
        period: Some((month, last_of_month(month))),
        lines,
        memo: None,
        // The partner plan comes first (see the query's order): its payment method pays the invoice.
        subscription_id: subscriptions.first().map(|s| s.id.clone()),
    };
    Ok(Some(insert(tx, now, to, draft, date, due).await?))
}

/// Any other subscription renews on its own invoice.
async fn renew_alone(tx: &mut Tx, now: i64, to: &Recipient, date: Date, due: Date, subscription: Subscription) -> Result<Option<Issued>, AppError> {
    let next_end = add_interval(subscription.end, subscription.interval, subscription.anchor_day());
    advance(tx, &subscription, next_end, subscription.quantity).await?;
    let key = format!("renewal:{}:{}", subscription.id, iso_date(subscription.end));
    if exists(tx, &to.account_id, &key).await? {
        return Ok(None);
    }
    let last_day = next_end - Duration::days(1);
    let draft = Draft {
        kind: InvoiceKind::Standard,
        cycle_key: key,
        period: Some((subscription.end, last_day)),
        lines: vec![DraftLine {
            description: format!("{} — {} to {}", subscription.plan_name, format_date(subscription.end), format_date(last_day)),
            quantity: subscription.quantity,
            unit_amount: subscription.unit_amount,
            plan_id: Some(subscription.plan_id.clone()),
        }],
        memo: Some(format!("Renewal of your {} subscription.", subscription.plan_name)),
        subscription_id: Some(subscription.id.clone()),
    };
    Ok(Some(insert(tx, now, to, draft, date, due).await?))
}

/// The month-end invoice for numbers onboarded after the 1st of `month`, each prorated.
async fn prorated(tx: &mut Tx, now: i64, to: &Recipient, date: Date, due: Date, month: Date) -> Result<Option<Issued>, AppError> {
    let month_end = last_of_month(month);
    let numbers: Vec<(String, String)> = sqlx::query_as(
        "SELECT number, onboarded_on FROM phone_numbers
         WHERE account_id = $1 AND onboarded_on > $2 AND onboarded_on <= $3 AND (released_on IS NULL OR released_on > onboarded_on)
         ORDER BY onboarded_on, number",
    )
    .bind(&to.account_id)
    .bind(iso_date(first_of_month(month)))
    .bind(iso_date(month_end))
    .fetch_all(&mut **tx)
    .await?;
    if numbers.is_empty() {
        return Ok(None);
    }
    let key = format!("prorated:{}", month_key(month));
    if exists(tx, &to.account_id, &key).await? {
        return Ok(None);
    }
    let license: Option<(String, String, i64)> = sqlx::query_as(
        "SELECT s.id, s.plan_id, s.unit_amount FROM subscriptions s JOIN plans p ON p.id = s.plan_id
         WHERE s.account_id = $1 AND p.kind = 'license' AND s.status <> 'cancelled'
         ORDER BY s.created_at, s.id LIMIT 1",
    )
    .bind(&to.account_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((subscription_id, plan_id, unit_amount)) = license else {
        tracing::warn!(account = %to.account_id, "numbers onboarded but no license subscription: no prorated invoice");
        return Ok(None);
    };
    let unit = Money::new(unit_amount, to.currency);
    let first_onboarded = decode::date(&numbers[0].1)?;
    let mut lines = Vec::with_capacity(numbers.len());
    for (number, onboarded) in numbers {
        let onboarded = decode::date(&onboarded)?;
        let (amount, days, of_days) = prorated_license(unit, month, onboarded).map_err(|e| AppError::internal("proration", e))?;
        lines.push(DraftLine {
            description: format!("License {number}, from {} ({days} of {of_days} days)", format_date(onboarded)),
            quantity: 1,
            unit_amount: amount.minor,
            plan_id: Some(plan_id.clone()),
        });
    }
    let draft = Draft {
        kind: InvoiceKind::ProratedLicense,
        cycle_key: key,
        period: Some((first_onboarded, month_end)),
        lines,
        memo: Some(format!("Licenses for numbers added during {}, charged for the days they were active.", month_name(month))),
        subscription_id: Some(subscription_id),
    };
    Ok(Some(insert(tx, now, to, draft, date, due).await?))
}
