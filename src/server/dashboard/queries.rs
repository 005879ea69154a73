//! The dashboard's subscription and payment-method lists.

use crate::domain::ids::AccountId;
use sqlx::{AnyPool, FromRow};

use crate::domain::billing_items::{BillingInterval, SubscriptionStatus};
use crate::domain::payment_method::{CardBrand, CardFunding, ExpiryState, MethodKind, card_expiry_state};
use crate::server::infra::db::decode;
use crate::wire::dashboard::{PaymentMethodSummary, SubscriptionSummary};
use crate::wire::error::AppError;

/// Cards are flagged this many days before they stop working (seed 003).
pub const EXPIRY_WARNING_DAYS: i64 = 30;

#[derive(Debug, FromRow)]
struct SubscriptionRow {
    id: String,
    plan_name: String,
    unit_label: String,
    quantity: i64,
    unit_amount: i64,
    currency: String,
    billing_interval: String,
    status: SubscriptionStatus,
    current_period_end: String,
    cancel_at_period_end: i64,
    pm_kind: Option<String>,
    pm_brand: Option<String>,
    pm_last4: Option<String>,
}

/// Current subscriptions (trial, active, past due) with the method that pays each.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn current_subscriptions(
    pool: &AnyPool,
    account_id: &AccountId,
) -> Result<Vec<SubscriptionSummary>, AppError> {
    let rows = sqlx::query_as::<_, SubscriptionRow>(
        "SELECT s.id, p.name AS plan_name, p.unit_label, s.quantity, s.unit_amount, s.currency,
                p.billing_interval, s.status, s.current_period_end, s.cancel_at_period_end,
                pm.kind AS pm_kind, pm.brand AS pm_brand, pm.last4 AS pm_last4
         FROM subscriptions s
         JOIN plans p ON p.id = s.plan_id
         LEFT JOIN payment_methods pm ON pm.id = s.payment_method_id AND pm.removed_at IS NULL
         WHERE s.account_id = $1 AND s.status IN ('trialing', 'active', 'past_due')
         ORDER BY CASE p.kind WHEN 'partner' THEN 0 WHEN 'license' THEN 1 ELSE 2 END, p.name, s.id",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            let unit_amount = decode::money(r.unit_amount, &r.currency)?;
            let amount_per_period = decode::money(
                r.unit_amount
                    .checked_mul(r.quantity)
                    .ok_or_else(|| AppError::internal("subscription amount", "overflow"))?,
                &r.currency,
            )?;
            let payment_method = match r.pm_kind.as_deref() {
                Some(kind) => Some(method_label(
                    decode::enumerated(kind, MethodKind::parse)?,
                    r.pm_brand.as_deref(),
                    r.pm_last4.as_deref(),
                    None,
                )),
                None => None,
            };
            Ok(SubscriptionSummary {
                interval: decode::enumerated(&r.billing_interval, BillingInterval::parse)?,
                status: r.status,
                renews_on: decode::date(&r.current_period_end)?,
                id: r.id,
                plan_name: r.plan_name,
                unit_label: r.unit_label,
                quantity: r.quantity,
                unit_amount,
                amount_per_period,
                cancel_at_period_end: r.cancel_at_period_end != 0,
                payment_method,
            })
        })
        .collect()
}

#[derive(Debug, FromRow)]
struct MethodRow {
    id: String,
    kind: MethodKind,
    brand: Option<String>,
    funding: Option<String>,
    last4: Option<String>,
    exp_month: Option<i64>,
    exp_year: Option<i64>,
    bank_name: Option<String>,
    is_default: i64,
}

/// "Visa •••• 4242", "ACH •••• 6789 (Chase)", "PIX".
pub fn method_label(kind: MethodKind, brand: Option<&str>, last4: Option<&str>, bank: Option<&str>) -> String {
    let name = match kind {
        MethodKind::Card => brand.and_then(CardBrand::parse).unwrap_or(CardBrand::Unknown).label().to_string(),
        MethodKind::Ach => "ACH".to_string(),
        other => other.label().to_string(),
    };
    let mut label = match last4 {
        Some(l) => format!("{name} •••• {l}"),
        None => name,
    };
    if let Some(bank) = bank {
        label.push_str(&format!(" ({bank})"));
    }
    label
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn payment_methods(
    pool: &AnyPool,
    account_id: &AccountId,
    today: time::Date,
) -> Result<Vec<PaymentMethodSummary>, AppError> {
    let rows = sqlx::query_as::<_, MethodRow>(
        "SELECT id, kind, brand, funding, last4, exp_month, exp_year, bank_name, is_default
         FROM payment_methods WHERE account_id = $1 AND removed_at IS NULL
         ORDER BY is_default DESC, created_at, id",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            let kind = r.kind;
            let expiry = match (r.exp_month, r.exp_year) {
                (Some(m), Some(y)) => Some(card_expiry_state(m as u8, y as i32, today, EXPIRY_WARNING_DAYS)),
                _ => None,
            };
            let funding = r.funding.as_deref().and_then(CardFunding::parse);
            let detail = match (kind, r.exp_month, r.exp_year) {
                (MethodKind::Card, Some(m), Some(y)) => {
                    let when = format!("{m:02}/{y}");
                    let prefix = match expiry {
                        Some(ExpiryState::Expired) => "Expired",
                        _ => "Expires",
                    };
                    match funding {
                        Some(CardFunding::Debit) => format!("Debit · {prefix} {when}"),
                        _ => format!("{prefix} {when}"),
                    }
                }
                (MethodKind::Ach, _, _) => "Bank account".to_string(),
                (MethodKind::Wire, _, _) => "Pay by bank transfer".to_string(),
                (MethodKind::Pix, _, _) => "Instant payment (Brazil)".to_string(),
                (MethodKind::Boleto, _, _) => "Bank slip (Brazil)".to_string(),
                _ => String::new(),
            };
            Ok(PaymentMethodSummary {
                label: method_label(kind, r.brand.as_deref(), r.last4.as_deref(), r.bank_name.as_deref()),
                id: r.id,
                kind,
                detail,
                is_default: r.is_default != 0,
                expiry,
            })
        })
        .collect()
}

#[derive(Debug, FromRow)]
struct FailureRow {
    id: String,
    at: i64,
    label: String,
    message: Option<String>,
    amount: i64,
    fee: i64,
    currency: String,
    invoice_id: String,
    number: String,
}

/// Failed payments whose invoices are still unpaid: the client should know, and act.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn unresolved_failures(
    pool: &AnyPool,
    account_id: &AccountId,
) -> Result<Vec<crate::wire::dashboard::FailedPaymentNotice>, AppError> {
    let rows: Vec<FailureRow> = sqlx::query_as(
        "SELECT p.id, p.created_at AS at, p.method_label AS label, p.failure_message AS message, p.amount, p.fee, p.currency,
                i.id AS invoice_id, i.number
         FROM payments p
         JOIN invoices i ON i.id IN (SELECT pa.invoice_id FROM payment_allocations pa WHERE pa.payment_id = p.id)
         WHERE p.account_id = $1 AND p.status = 'failed' AND i.status = 'open'
         ORDER BY p.created_at DESC, p.id, i.number
         LIMIT 50",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await?;
    let mut notices: Vec<crate::wire::dashboard::FailedPaymentNotice> = Vec::new();
    for FailureRow { id, at, label, message, amount, fee, currency, invoice_id, number } in rows {
        if let Some(last) = notices.last_mut().filter(|n| n.payment_id == id) {
            last.invoice_ids.push(invoice_id);
            last.invoice_numbers.push(number);
            continue;
        }
        if notices.len() == 3 {
            break;
        }
        notices.push(crate::wire::dashboard::FailedPaymentNotice {
            payment_id: id,
            at,
            method_label: label,
            message: message.unwrap_or_else(|| "The payment was declined.".into()),
            invoice_ids: vec![invoice_id],
            invoice_numbers: vec![number],
            total: decode::money(amount + fee, &currency)?,
        });
    }
    Ok(notices)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_methods_like_a_statement_does() {
        assert_eq!(method_label(MethodKind::Card, Some("visa"), Some("4242"), None), "Visa •••• 4242");
        assert_eq!(method_label(MethodKind::Card, Some("amex"), Some("0005"), None), "American Express •••• 0005");
        assert_eq!(method_label(MethodKind::Ach, None, Some("6789"), Some("Chase")), "ACH •••• 6789 (Chase)");
        assert_eq!(method_label(MethodKind::Pix, None, None, None), "PIX");
    }
}
