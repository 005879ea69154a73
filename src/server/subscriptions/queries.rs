//! The subscriptions page: every subscription of the account with what can be done to it.

use sqlx::FromRow;

use crate::domain::billing_items::{BillingInterval, SubscriptionStatus};
use crate::domain::money::Money;
use crate::domain::payment_method::MethodKind;
use crate::domain::subscription::{PlanKind, period_price};
use crate::server::credit::ledger::balances;
use crate::server::dashboard::queries::method_label;
use crate::server::infra::auth::authorize::Authorized;
use crate::server::infra::clock::today;
use crate::server::infra::db::decode;
use crate::server::payments::methods::chargeable;
use crate::wire::error::AppError;
use crate::wire::subscriptions::{MethodOption, PlanOption, Subscription, SubscriptionsPage};

#[derive(FromRow)]
struct Row {
    id: String,
    plan_id: String,
    plan_name: String,
    plan_kind: String,
    unit_label: String,
    billing_interval: String,
    quantity: i64,
    unit_amount: i64,
    currency: String,
    status: SubscriptionStatus,
    current_period_start: String,
    current_period_end: String,
    cancel_at_period_end: i64,
    cancellation_reason: Option<String>,
    payment_method_id: Option<String>,
    pm_kind: Option<String>,
    pm_brand: Option<String>,
    pm_last4: Option<String>,
    pm_bank: Option<String>,
    version: i64,
}

#[derive(FromRow)]
struct PlanRow {
    id: String,
    name: String,
    kind: String,
    unit_amount: i64,
    currency: String,
    billing_interval: String,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn page(caller: &Authorized) -> Result<SubscriptionsPage, AppError> {
    let pool = caller.state.db.pool();
    let account_id = &caller.account()?.id;
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT s.id, s.plan_id, p.name AS plan_name, p.kind AS plan_kind, p.unit_label, p.billing_interval, s.quantity,
                s.unit_amount, s.currency, s.status, s.current_period_start, s.current_period_end, s.cancel_at_period_end,
                s.cancellation_reason, s.payment_method_id, pm.kind AS pm_kind, pm.brand AS pm_brand, pm.last4 AS pm_last4,
                pm.bank_name AS pm_bank, s.version
         FROM subscriptions s
         JOIN plans p ON p.id = s.plan_id
         LEFT JOIN payment_methods pm ON pm.id = s.payment_method_id AND pm.removed_at IS NULL
         WHERE s.account_id = $1
         ORDER BY CASE s.status WHEN 'cancelled' THEN 1 ELSE 0 END,
                  CASE p.kind WHEN 'partner' THEN 0 WHEN 'license' THEN 1 ELSE 2 END, p.name, s.id",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await?;
    let plans: Vec<PlanRow> = sqlx::query_as(
        "SELECT p.id, p.name, p.kind, p.unit_amount, p.currency, p.billing_interval FROM plans p
         JOIN accounts a ON a.vendor_id = p.vendor_id
         WHERE a.id = $1 AND p.active = 1 ORDER BY p.unit_amount, p.name",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await?;
    let methods = chargeable(pool, account_id).await?;
    let credits = balances(pool, account_id).await?;

    let subscriptions = rows.into_iter().map(|r| subscription(r, &plans)).collect::<Result<Vec<_>, _>>()?;
    let methods = methods.into_iter().map(|m| MethodOption { id: m.id, label: m.label }).collect();
    let credit_balance = credits.into_iter().filter(|m| !m.is_zero()).collect();
    Ok(SubscriptionsPage { today: today(caller.state.clock.as_ref()), subscriptions, methods, credit_balance })
}

fn subscription(r: Row, plans: &[PlanRow]) -> Result<Subscription, AppError> {
    let plan_kind = decode::enumerated(&r.plan_kind, PlanKind::parse)?;
    let unit_amount = decode::money(r.unit_amount, &r.currency)?;
    let status = r.status;
    let cancel_at_period_end = r.cancel_at_period_end != 0;
    let renewal_amount = if cancel_at_period_end || status == SubscriptionStatus::Cancelled {
        Money::zero(unit_amount.currency)
    } else {
        period_price(unit_amount, r.quantity).map_err(|e| AppError::internal("renewal amount", e))?
    };
    let plan_options = plans
        .iter()
        .filter(|p| {
            p.id != r.plan_id
                && p.kind == r.plan_kind
                && p.currency == r.currency
                && p.billing_interval == r.billing_interval
        })
        .map(|p| {
            Ok(PlanOption {
                id: p.id.clone(),
                name: p.name.clone(),
                unit_amount: decode::money(p.unit_amount, &p.currency)?,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let payment_method_label = match r.pm_kind.as_deref() {
        Some(kind) => Some(method_label(
            decode::enumerated(kind, MethodKind::parse)?,
            r.pm_brand.as_deref(),
            r.pm_last4.as_deref(),
            r.pm_bank.as_deref(),
        )),
        None => None,
    };
    Ok(Subscription {
        interval: decode::enumerated(&r.billing_interval, BillingInterval::parse)?,
        period_start: decode::date(&r.current_period_start)?,
        period_end: decode::date(&r.current_period_end)?,
        // A removed method no longer pays anything.
        payment_method_id: payment_method_label.as_ref().and(r.payment_method_id),
        id: r.id,
        plan_id: r.plan_id,
        plan_name: r.plan_name,
        plan_kind,
        unit_label: r.unit_label,
        quantity: r.quantity,
        unit_amount,
        status,
        renewal_amount,
        cancel_at_period_end,
        cancellation_reason: r.cancellation_reason,
        payment_method_label,
        version: r.version,
        plan_options,
    })
}
