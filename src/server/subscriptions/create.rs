//! A subscription started by the vendor's systems (operator API, demo): a plan of the
//! vendor's in the account's currency, a quantity, a start date and the method that pays it.
//! Its first period is invoiced at once unless the vendor says it was billed elsewhere, and the
//! invoice is charged to the method after the commit.

use serde_json::json;
use time::{Date, Duration};

use crate::domain::billing_items::{BillingInterval, iso_date};
use crate::domain::currency::Currency;
use crate::domain::ids::{AccountId, InvoiceId};
use crate::domain::subscription::{Period, PlanKind, add_interval};
use crate::domain::webhooks::EventType;
use crate::server::infra::actor::{Acting, Actor};
use crate::server::infra::clock::{today, unix_now};
use crate::server::infra::db::Tx;
use crate::server::infra::db::decode;
use crate::server::infra::ids::new_id;
use crate::server::invoices::issue::{NewInvoice, NewLine, due_after_terms, issue_in, price};
use crate::server::payments::key::PaymentKey;
use crate::server::payments::pay::{PayWith, Payer, pay};
use crate::server::subscriptions::change::MAX_QUANTITY;
use crate::server::webhooks::{About, emit};
use crate::wire::error::AppError;
use crate::wire::payments::PaymentResult;

/// How far back a start date may be: a migrated client's running subscription.
pub const MAX_BACKDATE_DAYS: i64 = 366;

pub struct NewSubscription {
    pub id: Option<String>,
    pub plan_id: String,
    pub quantity: i64,
    /// Today when not given; never in the future.
    pub start_date: Option<Date>,
    /// A method of the account; its default method when not given.
    pub payment_method_id: Option<String>,
    /// Invoice (and charge) the current period now; false when it was billed elsewhere.
    pub bill_now: bool,
}

pub struct Created {
    pub subscription_id: String,
    pub invoice_id: Option<InvoiceId>,
    pub payment: Option<PaymentResult>,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(acting: &Acting<'_>, input: NewSubscription) -> Result<Created, AppError> {
    let state = acting.state;
    let account_id = &acting.account_id;
    let now = unix_now(state.clock.as_ref());
    let today = today(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    let (id, invoice, method) = create_in(&mut tx, now, today, &acting.actor, account_id, input).await?;
    tx.commit().await?;
    let payment = match (&invoice, method) {
        (Some(invoice_id), Some(method_id)) => Some(charge(acting, account_id, invoice_id, method_id).await?),
        _ => None,
    };
    Ok(Created { subscription_id: id, invoice_id: invoice, payment })
}

/// [`create`] inside the caller's transaction, without the charge (which never runs inside
/// one): the subscription's id, its first invoice and the method to charge it to.
pub async fn create_in(
    tx: &mut Tx,
    now: i64,
    today: Date,
    actor: &Actor,
    account_id: &AccountId,
    input: NewSubscription,
) -> Result<(String, Option<InvoiceId>, Option<String>), AppError> {
    if !(1..=MAX_QUANTITY).contains(&input.quantity) {
        return Err(AppError::invalid("quantity", format!("A whole number from 1 to {MAX_QUANTITY}.")));
    }
    let start = input.start_date.unwrap_or(today);
    if start > today {
        return Err(AppError::invalid("start_date", format!("Start today ({}) or earlier.", iso_date(today))));
    }
    if start < today - Duration::days(MAX_BACKDATE_DAYS) {
        return Err(AppError::invalid("start_date", "Start at most a year ago."));
    }
    let (vendor_id, currency, archived): (String, String, Option<i64>) =
        sqlx::query_as("SELECT vendor_id, currency, archived_at FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(AppError::not_found)?;
    if archived.is_some() {
        return Err(AppError::Conflict("This account is archived.".into()));
    }
    let plan: Option<(String, String, i64, String, String, i64)> = sqlx::query_as(
        "SELECT name, kind, unit_amount, currency, billing_interval, active FROM plans WHERE id = $1 AND vendor_id = $2",
    )
    .bind(&input.plan_id)
    .bind(&vendor_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((plan_name, kind, unit_amount, plan_currency, interval, active)) = plan else {
        return Err(AppError::invalid("plan", "No plan with that id."));
    };
    if active == 0 {
        return Err(AppError::invalid("plan", "That plan is no longer offered."));
    }
    if plan_currency != currency {
        return Err(AppError::invalid(
            "plan",
            format!("This account is billed in {currency}; choose a plan priced in {currency}."),
        ));
    }
    let kind = decode::enumerated(&kind, PlanKind::parse)?;
    if !kind.allows_quantity() && input.quantity != 1 {
        return Err(AppError::invalid("quantity", format!("{plan_name} is one per account.")));
    }
    let interval = decode::enumerated(&interval, BillingInterval::parse)?;
    let method = match &input.payment_method_id {
        Some(id) => sqlx::query_scalar::<_, String>(
            "SELECT id FROM payment_methods WHERE id = $1 AND account_id = $2 AND removed_at IS NULL",
        )
        .bind(id)
        .bind(account_id)
        .fetch_optional(&mut **tx)
        .await?
        .map(Some)
        .ok_or_else(|| AppError::invalid("payment_method", "No payment method with that id on this account."))?,
        None => {
            sqlx::query_scalar(
                "SELECT id FROM payment_methods WHERE account_id = $1 AND removed_at IS NULL AND is_default = 1",
            )
            .bind(account_id)
            .fetch_optional(&mut **tx)
            .await?
        }
    };
    // A back-dated start rolls forward to the period that holds today.
    let anchor = start.day();
    let mut period = Period { start, end: add_interval(start, interval, anchor) };
    while period.end <= today {
        period = period.following(interval, anchor);
    }
    let id = input.id.unwrap_or_else(|| new_id("sub"));
    sqlx::query(
        "INSERT INTO subscriptions (id, account_id, plan_id, quantity, unit_amount, currency, status, current_period_start,
                                    current_period_end, payment_method_id, anchor_day, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8, $9, $10, $11)",
    )
    .bind(&id)
    .bind(account_id)
    .bind(&input.plan_id)
    .bind(input.quantity)
    .bind(unit_amount)
    .bind(&currency)
    .bind(iso_date(period.start))
    .bind(iso_date(period.end))
    .bind(method.as_deref())
    .bind(i64::from(anchor))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let mut invoice = None;
    if input.bill_now && unit_amount > 0 {
        let last_day = period.end - Duration::days(1);
        let line = NewLine {
            description: format!("{plan_name}, {} – {}", iso_date(period.start), iso_date(last_day)),
            quantity: input.quantity,
            unit_amount,
        };
        let priced = price(&[line], &[])?;
        let due_date = due_after_terms(tx, &vendor_id, today).await?;
        let currency: Currency = currency.parse().map_err(|_| AppError::internal("currency", &currency))?;
        let (invoice_id, _) = issue_in(
            tx,
            now,
            NewInvoice {
                vendor_id: &vendor_id,
                account_id,
                currency,
                kind: if kind == PlanKind::License { "license" } else { "standard" },
                priced,
                memo: None,
                issue_date: today,
                due_date,
                period: Some((period.start, last_day)),
                subscription_id: Some(&id),
            },
        )
        .await?;
        invoice = Some(invoice_id);
    }
    actor
        .record(
            tx,
            now,
            account_id,
            "subscription.created",
            ("subscription", &id),
            json!({ "plan": input.plan_id, "quantity": input.quantity, "start": iso_date(start) }),
        )
        .await?;
    emit(tx, now, account_id, EventType::SubscriptionCreated, About::Subscription(&id)).await?;
    Ok((id, invoice, method))
}

async fn charge(
    acting: &Acting<'_>,
    account_id: &AccountId,
    invoice_id: &InvoiceId,
    method_id: String,
) -> Result<PaymentResult, AppError> {
    let payer = Payer { account_id, user_id: None, impersonator_id: None };
    pay(
        acting.state,
        payer,
        &[invoice_id.to_string()],
        PayWith::Stored(method_id),
        &PaymentKey::system(format!("first-period-{invoice_id}")),
    )
    .await
}
