//! Subscriptions and the "Manage subscription" dialog (seeds 000, 004).

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};
use time::Date;

use super::error::AppError;
use super::payments::PaymentResult;
use crate::domain::billing_items::{BillingInterval, SubscriptionStatus};
use crate::domain::money::Money;
use crate::domain::subscription::PlanKind;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subscription {
    pub id: String,
    pub plan_id: String,
    pub plan_name: String,
    pub plan_kind: PlanKind,
    /// What one unit of the quantity is, e.g. "phone number".
    pub unit_label: String,
    pub quantity: i64,
    pub unit_amount: Money,
    pub interval: BillingInterval,
    pub status: SubscriptionStatus,
    pub period_start: Date,
    /// Exclusive: the renewal date.
    pub period_end: Date,
    /// What the next renewal charges (nothing when it is set to end).
    pub renewal_amount: Money,
    pub cancel_at_period_end: bool,
    pub cancellation_reason: Option<String>,
    pub payment_method_id: Option<String>,
    pub payment_method_label: Option<String>,
    /// Sent back with a change so it applies only to what the client saw.
    pub version: i64,
    /// Other plans this subscription can move to (same kind, currency and interval).
    pub plan_options: Vec<PlanOption>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanOption {
    pub id: String,
    pub name: String,
    pub unit_amount: Money,
}

/// A stored method the subscription can be paid with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodOption {
    pub id: String,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionsPage {
    pub today: Date,
    pub subscriptions: Vec<Subscription>,
    pub methods: Vec<MethodOption>,
    /// Credit owed to the client, per currency, e.g. from downgrades.
    pub credit_balance: Vec<Money>,
}

/// What a plan or quantity change costs, computed exactly as the change will be charged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangePreview {
    pub subscription_id: String,
    pub version: i64,
    pub plan_name: String,
    pub quantity: i64,
    pub days_left: i64,
    pub days_in_period: i64,
    /// The unused part of the current items, given back.
    pub credit: Money,
    /// The new items for the rest of the period.
    pub charge: Money,
    /// `charge - credit`, positive when charged now.
    pub net: Money,
    /// The payment method's fee on what is charged now (e.g. a card surcharge).
    pub fee: Money,
    /// What is charged now: `net + fee`, or zero when the change is a credit.
    pub due_now: Money,
    /// Added to the credit balance when the change lowers the price.
    pub credited: Money,
    pub method_label: Option<String>,
    pub next_renewal_date: Date,
    pub next_renewal_amount: Money,
    /// Fresh for each preview and sent back with its confirmation: a double click or a retry
    /// of the same confirmation is one change, a later preview is another.
    pub idempotency_key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeOutcome {
    pub invoice_id: Option<String>,
    pub invoice_number: Option<String>,
    /// The charge for the change, when there was one.
    pub payment: Option<PaymentResult>,
    pub credited: Money,
    pub next_renewal_amount: Money,
}

/// The account's subscriptions, the methods that can pay them and its credit balance.
#[server(endpoint = "subscriptions")]
pub async fn list_subscriptions() -> Result<SubscriptionsPage, AppError> {
    use crate::server::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Billing).await?;
    crate::server::subscriptions::queries::page(&caller).await
}

/// What changing to `plan_id` × `quantity` today would charge or credit, and the next renewal.
#[server(endpoint = "subscriptions/preview", input = Json)]
pub async fn preview_subscription_change(subscription_id: String, plan_id: String, quantity: i64) -> Result<ChangePreview, AppError> {
    use crate::server::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Billing).await?;
    crate::server::subscriptions::change::preview(&caller, &subscription_id, &plan_id, quantity).await
}

/// Applies a previewed change and charges it. `expected_due_now` is the preview's amount in
/// minor units: if anything moved since (the date, the price, another change), the change is
/// refused rather than charging a different amount than the client agreed to.
#[server(endpoint = "subscriptions/change", input = Json)]
pub async fn change_subscription(
    subscription_id: String,
    plan_id: String,
    quantity: i64,
    version: i64,
    expected_due_now: i64,
    idempotency_key: String,
) -> Result<ChangeOutcome, AppError> {
    use crate::server::auth::authorize::{Access, authorize};
    use crate::server::subscriptions::change::{ChangeRequest, change};
    let caller = authorize(Access::BillingChange).await?;
    let request = ChangeRequest { subscription_id, plan_id, quantity, version, expected_due_now, idempotency_key };
    change(&caller, request).await
}

#[server(endpoint = "subscriptions/payment-method")]
pub async fn set_subscription_payment_method(subscription_id: String, payment_method_id: String) -> Result<(), AppError> {
    use crate::server::auth::authorize::{Access, authorize};
    let caller = authorize(Access::BillingChange).await?;
    crate::server::subscriptions::lifecycle::set_payment_method(&caller, &subscription_id, &payment_method_id).await
}

/// Ends the subscription at the end of its current period; nothing is refunded or charged.
#[server(endpoint = "subscriptions/cancel")]
pub async fn cancel_subscription(subscription_id: String, reason: String) -> Result<(), AppError> {
    use crate::server::auth::authorize::{Access, authorize};
    let caller = authorize(Access::BillingChange).await?;
    crate::server::subscriptions::lifecycle::schedule_cancel(&caller, &subscription_id, &reason).await
}

/// Keeps a subscription that was set to end at its period end.
#[server(endpoint = "subscriptions/resume")]
pub async fn resume_subscription(subscription_id: String) -> Result<(), AppError> {
    use crate::server::auth::authorize::{Access, authorize};
    let caller = authorize(Access::BillingChange).await?;
    crate::server::subscriptions::lifecycle::resume(&caller, &subscription_id).await
}
