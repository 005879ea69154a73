//! Changing a subscription's plan or quantity part-way through its period.
//!
//! The preview and the change run the same calculation ([`quote_change`]), and the change is
//! refused unless it would charge exactly the amount the client was shown, so the preview and
//! the charge cannot disagree. The change, its invoice and any credit are written in one
//! transaction guarded by the subscription's version; the invoice is then paid with the
//! subscription's method through the exactly-once payment flow, keyed by the client's
//! idempotency key, so a retry neither changes twice nor charges twice.

use crate::domain::ids::{AccountId, InvoiceId, SubscriptionId};
use serde_json::json;
use time::Date;

use crate::domain::billing_items::{BillingInterval, SubscriptionStatus, format_date, iso_date};
use crate::domain::credit::EntryKind;
use crate::domain::fees::{FeeSchedule, MethodQuote, quote};
use crate::domain::money::Money;
use crate::domain::payment_method::MethodKind;
use crate::domain::subscription::{PlanKind, Proration, Transition, period_price, prorate};
use crate::domain::webhooks::EventType;
use crate::server::accounts::billing_details::bill_to_snapshot;
use crate::server::accounts::queries::vendor_and_currency;
use crate::server::credit::ledger::{NewEntry, append};
use crate::server::dashboard::queries::method_label;
use crate::server::infra::actor::Acting;
use crate::server::infra::clock::{today, unix_now};
use crate::server::infra::db::decode;
use crate::server::infra::ids::new_id;
use crate::server::invoices::numbering::next_invoice_number;
use crate::server::payments::key::PaymentKey;
use crate::server::payments::pay::{PayWith, Payer, pay};
use crate::server::payments::settings;
use crate::server::subscriptions::record::{SubscriptionRecord, creditable, load, unpaid_change_invoice};
use crate::server::webhooks::{About, emit};
use crate::wire::error::AppError;
use crate::wire::subscriptions::{ChangeOutcome, ChangePreview};

/// The most units one subscription can hold; beyond it is a typo, or a conversation.
pub const MAX_QUANTITY: i64 = 10_000;

pub struct ChangeRequest {
    pub subscription_id: String,
    pub plan_id: String,
    pub quantity: i64,
    pub version: i64,
    pub expected_due_now: i64,
    pub idempotency_key: String,
}

struct TargetPlan {
    id: String,
    name: String,
    unit_amount: Money,
}

struct Method {
    kind: MethodKind,
    label: String,
}

/// Everything a change means in money, as shown in the preview and then charged.
struct Quote {
    target: TargetPlan,
    quantity: i64,
    proration: Proration,
    net: Money,
    fee: Money,
    due_now: Money,
    credited: Money,
    next_renewal_amount: Money,
    method: Option<Method>,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn preview(
    caller: &Acting<'_>,
    subscription_id: &SubscriptionId,
    plan_id: &str,
    quantity: i64,
) -> Result<ChangePreview, AppError> {
    let state = caller.state;
    let account_id = &caller.account_id;
    let pool = state.db.pool();
    let (vendor_id, currency) = vendor_and_currency(pool, account_id).await?;
    let record = load(pool, account_id, subscription_id).await?;
    let schedule = settings::load(pool, &vendor_id, currency).await?.schedule;
    let target = target_plan(pool, &vendor_id, &record, plan_id).await?;
    let method = method(pool, account_id, record.payment_method_id.as_deref()).await?;
    refuse_while_unpaid(pool, account_id, &record).await?;
    let paid = creditable(pool, account_id, &record).await?;
    let quote = quote_change(&record, target, quantity, today(state.clock.as_ref()), method, &schedule, paid)?;
    Ok(ChangePreview {
        subscription_id: record.id,
        version: record.version,
        plan_name: quote.target.name,
        quantity: quote.quantity,
        days_left: quote.proration.days_left,
        days_in_period: quote.proration.days_in_period,
        credit: quote.proration.credit,
        charge: quote.proration.charge,
        net: quote.net,
        fee: quote.fee,
        due_now: quote.due_now,
        credited: quote.credited,
        method_label: quote.method.map(|m| m.label),
        next_renewal_date: record.period.end,
        next_renewal_amount: quote.next_renewal_amount,
        idempotency_key: new_id("idem"),
    })
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn change(caller: &Acting<'_>, request: ChangeRequest) -> Result<ChangeOutcome, AppError> {
    let state = caller.state;
    let account_id = caller.account_id.clone();
    let payment_key = PaymentKey::client(&account_id, &request.idempotency_key)?;
    let key = payment_key.as_str();
    let pool = state.db.pool();
    let now = unix_now(state.clock.as_ref());
    let today = today(state.clock.as_ref());
    // Everything read outside the write transaction first: a use case never asks the pool for
    // a second connection while it holds one for writing.
    let (vendor_id, currency) = vendor_and_currency(pool, &account_id).await?;
    let schedule = settings::load(pool, &vendor_id, currency).await?.schedule;
    if let Some(outcome) = replay(caller, &account_id, key).await? {
        return Ok(outcome);
    }
    let record = load(pool, &account_id, &request.subscription_id).await?;
    let target = target_plan(pool, &vendor_id, &record, &request.plan_id).await?;
    let method = method(pool, &account_id, record.payment_method_id.as_deref()).await?;
    let payment_method_id = record.payment_method_id.clone();
    if record.version != request.version {
        return changed_or_replayed(caller, &account_id, key).await;
    }
    refuse_while_unpaid(pool, &account_id, &record).await?;
    let paid = creditable(pool, &account_id, &record).await?;
    let quote = quote_change(&record, target, request.quantity, today, method, &schedule, paid)?;
    if quote.due_now.minor != request.expected_due_now {
        return Err(AppError::Conflict(format!(
            "The amount due now is {}, not what was shown. Review the updated preview and confirm again.",
            quote.due_now.format()
        ))
        .tracked());
    }

    let mut tx = state.db.begin_write().await?;
    let applied = sqlx::query(
        "UPDATE subscriptions SET plan_id = $1, quantity = $2, unit_amount = $3, version = version + 1
         WHERE id = $4 AND account_id = $5 AND version = $6 AND status IN ('trialing', 'active') AND cancel_at_period_end = 0",
    )
    .bind(&quote.target.id)
    .bind(quote.quantity)
    .bind(quote.target.unit_amount.minor)
    .bind(&record.id)
    .bind(&account_id)
    .bind(record.version)
    .execute(&mut *tx)
    .await?;
    if applied.rows_affected() != 1 {
        tx.rollback().await?;
        return changed_or_replayed(caller, &account_id, key).await;
    }

    let from = describe(&record.plan_name, record.quantity, record.plan_kind);
    let to = describe(&quote.target.name, quote.quantity, record.plan_kind);
    let mut invoice = None;
    if quote.net.minor > 0 {
        let number = next_invoice_number(&mut tx, &vendor_id).await?;
        let bill_to = bill_to_snapshot(&mut *tx, &account_id).await?;
        let invoice_id = new_id("inv");
        let kind = if record.plan_kind == PlanKind::License { "prorated_license" } else { "standard" };
        sqlx::query(
            "INSERT INTO invoices (id, vendor_id, account_id, number, kind, status, currency, issue_date, due_date, period_start, period_end,
                                   subtotal, tax, total, amount_paid, bill_to_name, bill_to_address, bill_to_tax_id, memo, subscription_id, created_at)
             VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $7, $7, $8, $9, 0, $9, 0, $10, $11, $12, $13, $14, $15)",
        )
        .bind(&invoice_id)
        .bind(&vendor_id)
        .bind(&account_id)
        .bind(&number)
        .bind(kind)
        .bind(currency.code())
        .bind(iso_date(today))
        .bind(iso_date(record.period.end))
        .bind(quote.net.minor)
        .bind(&bill_to.name)
        .bind(&bill_to.address)
        .bind(bill_to.tax_id.as_deref())
        .bind(format!("Subscription change: {from} → {to}"))
        .bind(&record.id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let span = remaining_span(today, record.period.end);
        let lines = [
            (format!("Unused time on {from}, {span}"), -quote.proration.credit.minor),
            (format!("Remaining time on {to}, {span}"), quote.proration.charge.minor),
        ];
        for (position, (description, amount)) in lines.into_iter().filter(|(_, amount)| *amount != 0).enumerate() {
            sqlx::query(
                "INSERT INTO invoice_lines (id, invoice_id, position, description, quantity, unit_amount, amount)
                 VALUES ($1, $2, $3, $4, 1, $5, $5)",
            )
            .bind(new_id("lin"))
            .bind(&invoice_id)
            .bind(position as i64 + 1)
            .bind(description)
            .bind(amount)
            .execute(&mut *tx)
            .await?;
        }
        invoice = Some((invoice_id, number));
    }
    if quote.credited.minor > 0 {
        let description = format!("Credit for changing {from} to {to}, {}", remaining_span(today, record.period.end));
        let mut entry = NewEntry::new(&account_id, quote.credited, EntryKind::Proration, &description);
        entry.subscription_id = Some(&record.id);
        entry.created_by = caller.user_id().map(|u| u.as_str());
        append(&mut tx, now, entry).await?;
    }
    sqlx::query(
        "INSERT INTO subscription_changes (id, subscription_id, account_id, kind, idempotency_key, from_plan_id, to_plan_id,
                                           from_quantity, to_quantity, currency, credit, charge, invoice_id, changed_by, created_at)
         VALUES ($1, $2, $3, 'items', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(new_id("sch"))
    .bind(&record.id)
    .bind(&account_id)
    .bind(key)
    .bind(&record.plan_id)
    .bind(&quote.target.id)
    .bind(record.quantity)
    .bind(quote.quantity)
    .bind(currency.code())
    .bind(quote.proration.credit.minor)
    .bind(quote.proration.charge.minor)
    .bind(invoice.as_ref().map(|(id, _)| id.as_str()))
    .bind(caller.user_id())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let detail = json!({
        "from": from, "to": to, "credit": quote.proration.credit.minor, "charge": quote.proration.charge.minor,
        "fee": quote.fee.minor, "currency": currency.code(), "invoice": invoice.as_ref().map(|(_, n)| n),
    });
    caller.record(&mut tx, now, "subscription.changed", ("subscription", &record.id), detail).await?;
    if let Some((invoice_id, _)) = &invoice {
        emit(&mut tx, now, &account_id, EventType::InvoiceIssued, About::Invoice(invoice_id)).await?;
    }
    emit(&mut tx, now, &account_id, EventType::SubscriptionChanged, About::Subscription(&record.id)).await?;
    tx.commit().await?;

    let payment = match (&invoice, payment_method_id) {
        (Some((invoice_id, _)), Some(method_id)) => {
            Some(charge(caller, &account_id, &InvoiceId::from(invoice_id), method_id, key).await?)
        }
        _ => None,
    };
    Ok(ChangeOutcome {
        invoice_id: invoice.as_ref().map(|(id, _)| id.clone()),
        invoice_number: invoice.map(|(_, number)| number),
        payment,
        credited: quote.credited,
        next_renewal_amount: quote.next_renewal_amount,
    })
}

/// Pays the change's invoice; the payment's key derives from the change's (stored, namespaced)
/// key, so a retry of the change finds the same payment.
async fn charge(
    caller: &Acting<'_>,
    account_id: &AccountId,
    invoice_id: &InvoiceId,
    method_id: String,
    key: &str,
) -> Result<crate::wire::payments::PaymentResult, AppError> {
    let payer = Payer { account_id, user_id: caller.user_id().map(|u| u.as_str()), impersonator_id: None };
    pay(
        caller.state,
        payer,
        &[invoice_id.to_string()],
        PayWith::Stored(method_id),
        &PaymentKey::from_stored(key).derived("charge"),
    )
    .await
}

/// subscription, credit, charge, currency, invoice id, invoice number, unit amount, quantity.
type ReplayRow = (String, i64, i64, String, Option<String>, Option<String>, i64, i64);

/// The outcome of a change already made with this key (a double click, a retry).
async fn replay(caller: &Acting<'_>, account_id: &AccountId, key: &str) -> Result<Option<ChangeOutcome>, AppError> {
    let pool = caller.state.db.pool();
    let row: Option<ReplayRow> = sqlx::query_as(
        "SELECT c.subscription_id, c.credit, c.charge, c.currency, c.invoice_id, i.number, s.unit_amount, s.quantity
         FROM subscription_changes c
         JOIN subscriptions s ON s.id = c.subscription_id
         LEFT JOIN invoices i ON i.id = c.invoice_id
         WHERE c.idempotency_key = $1 AND c.account_id = $2",
    )
    .bind(key)
    .bind(account_id)
    .fetch_optional(pool)
    .await?;
    let Some((subscription_id, credit, charge_minor, currency, invoice_id, number, unit_amount, quantity)) = row else {
        return Ok(None);
    };
    let method_id: Option<String> = sqlx::query_scalar("SELECT payment_method_id FROM subscriptions WHERE id = $1")
        .bind(&subscription_id)
        .fetch_one(pool)
        .await?;
    let payment = match (&invoice_id, method_id) {
        (Some(invoice_id), Some(method_id)) => {
            Some(charge(caller, account_id, &InvoiceId::from(invoice_id), method_id, key).await?)
        }
        _ => None,
    };
    let credited = (credit - charge_minor).max(0);
    Ok(Some(ChangeOutcome {
        invoice_id,
        invoice_number: number,
        payment,
        credited: decode::money(credited, &currency)?,
        next_renewal_amount: decode::money(unit_amount.saturating_mul(quantity), &currency)?,
    }))
}

/// A version that moved may have been moved by this very change, sent twice at once (a double
/// click): then the answer is that change's outcome, not a conflict.
async fn changed_or_replayed(
    caller: &Acting<'_>,
    account_id: &AccountId,
    key: &str,
) -> Result<ChangeOutcome, AppError> {
    replay(caller, account_id, key).await?.ok_or_else(changed_meanwhile)
}

fn changed_meanwhile() -> AppError {
    AppError::Conflict(
        "This subscription was changed since you opened it. Review the updated preview and confirm again.".into(),
    )
    .tracked()
}

/// A change whose invoice is unpaid left the subscription past due: say which invoice to pay.
async fn refuse_while_unpaid(
    pool: &sqlx::AnyPool,
    account_id: &AccountId,
    record: &SubscriptionRecord,
) -> Result<(), AppError> {
    if record.state.status != SubscriptionStatus::PastDue {
        return Ok(());
    }
    let message = match unpaid_change_invoice(pool, account_id, &SubscriptionId::from(record.id.to_string())).await? {
        Some(number) => {
            format!("Pay invoice {number} for the last change to this subscription before changing it again.")
        }
        None => "Pay the overdue invoice before changing this subscription.".to_string(),
    };
    Err(AppError::Conflict(message).tracked())
}

/// The arithmetic of a change, shared by the preview and the change itself. `paid` is what the
/// client has paid toward the period and not been credited back: a downgrade never puts more
/// than that on the credit balance, so unpaid time is never credited.
fn quote_change(
    record: &SubscriptionRecord,
    target: TargetPlan,
    quantity: i64,
    today: Date,
    method: Option<Method>,
    schedule: &FeeSchedule,
    paid: Money,
) -> Result<Quote, AppError> {
    if !(1..=MAX_QUANTITY).contains(&quantity) {
        return Err(AppError::invalid("quantity", format!("Enter a whole number from 1 to {MAX_QUANTITY}.")));
    }
    if !record.plan_kind.allows_quantity() && quantity != 1 {
        return Err(AppError::invalid("quantity", format!("{} is one per account.", record.plan_name)));
    }
    if target.id == record.plan_id && quantity == record.quantity {
        return Err(AppError::invalid("quantity", "That is what you have now. Change the plan or the quantity."));
    }
    record.state.apply(Transition::ChangeItems).map_err(|e| AppError::Conflict(e.to_string()).tracked())?;
    if !record.period.contains(today) {
        return Err(
            AppError::Conflict("This subscription is renewing right now. Try again in a few minutes.".into()).tracked()
        );
    }
    let old_price = record.price()?;
    let new_price = period_price(target.unit_amount, quantity)
        .map_err(|_| AppError::invalid("quantity", "That quantity is too large."))?;
    let proration = if record.state.status == SubscriptionStatus::Trialing {
        // Nothing was paid for a trial, so nothing is credited or charged until it converts.
        Proration {
            credit: Money::zero(old_price.currency),
            charge: Money::zero(old_price.currency),
            days_left: record.period.days_left(today),
            days_in_period: record.period.days(),
        }
    } else {
        prorate(old_price, new_price, record.period, today).map_err(|e| AppError::internal("proration", e))?
    };
    let net = proration.net();
    let zero = Money::zero(net.currency);
    let (fee, due_now, credited) = if net.minor > 0 {
        let Some(method) = method.as_ref() else {
            return Err(AppError::invalid(
                "payment_method",
                format!(
                    "This change costs {} now. Choose the payment method that pays this subscription first.",
                    net.format()
                ),
            ));
        };
        match quote(schedule, method.kind, net) {
            MethodQuote::Available { fee, total, .. } => (fee, total, zero),
            MethodQuote::Unavailable { reason } => {
                return Err(AppError::invalid(
                    "payment_method",
                    format!(
                        "{} can't pay the {} this change costs now: {reason} Pay this subscription with a card to make the change.",
                        method.label,
                        net.format()
                    ),
                ));
            }
        }
    } else {
        let unused = zero.checked_sub(net).map_err(|e| AppError::internal("credit", e))?;
        let credited = if unused.minor > paid.minor { paid } else { unused };
        (zero, zero, credited)
    };
    Ok(Quote { next_renewal_amount: new_price, target, quantity, proration, net, fee, due_now, credited, method })
}

async fn target_plan(
    pool: &sqlx::AnyPool,
    vendor_id: &str,
    record: &SubscriptionRecord,
    plan_id: &str,
) -> Result<TargetPlan, AppError> {
    if plan_id == record.plan_id {
        // Staying on the plan keeps the price the client has, even if the list price moved.
        return Ok(TargetPlan {
            id: record.plan_id.clone(),
            name: record.plan_name.clone(),
            unit_amount: record.unit_amount,
        });
    }
    let row: Option<(String, String, String, i64, String, String)> = sqlx::query_as(
        "SELECT id, name, kind, unit_amount, currency, billing_interval FROM plans WHERE id = $1 AND vendor_id = $2 AND active = 1",
    )
    .bind(plan_id)
    .bind(vendor_id)
    .fetch_optional(pool)
    .await?;
    let Some((id, name, kind, unit_amount, currency, interval)) = row else {
        return Err(AppError::invalid("plan", "Choose one of the plans offered."));
    };
    let unit_amount = decode::money(unit_amount, &currency)?;
    let same_kind = decode::enumerated(&kind, PlanKind::parse)? == record.plan_kind;
    let same_interval = decode::enumerated(&interval, BillingInterval::parse)? == record.interval;
    if !same_kind || !same_interval || unit_amount.currency != record.unit_amount.currency {
        return Err(AppError::invalid(
            "plan",
            format!("{} can't be switched to {name} here. Ask us and we'll move it for you.", record.plan_name),
        ));
    }
    Ok(TargetPlan { id, name, unit_amount })
}

/// kind, brand, last four, bank name.
type MethodRow = (String, Option<String>, Option<String>, Option<String>);

async fn method(pool: &sqlx::AnyPool, account_id: &AccountId, id: Option<&str>) -> Result<Option<Method>, AppError> {
    let Some(id) = id else { return Ok(None) };
    let row: Option<MethodRow> = sqlx::query_as(
        "SELECT kind, brand, last4, bank_name FROM payment_methods WHERE id = $1 AND account_id = $2 AND removed_at IS NULL",
    )
    .bind(id)
    .bind(account_id)
    .fetch_optional(pool)
    .await?;
    let Some((kind, brand, last4, bank)) = row else { return Ok(None) };
    let kind = decode::enumerated(&kind, MethodKind::parse)?;
    Ok(Some(Method { kind, label: method_label(kind, brand.as_deref(), last4.as_deref(), bank.as_deref()) }))
}

/// "8 × Phone number license" or "Partner Plus plan".
fn describe(plan_name: &str, quantity: i64, kind: PlanKind) -> String {
    if kind.allows_quantity() { format!("{quantity} × {plan_name}") } else { plan_name.to_string() }
}

/// "Nov 22 – Nov 30, 2026": from the change day to the last day of the period.
fn remaining_span(from: Date, period_end: Date) -> String {
    let last = period_end.previous_day().unwrap_or(period_end);
    let first = format_date(from);
    let first = if from.year() == last.year() {
        first.trim_end_matches(&format!(", {}", from.year())).to_string()
    } else {
        first
    };
    format!("{first} – {}", format_date(last))
}
