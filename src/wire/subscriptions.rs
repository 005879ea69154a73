//! Subscriptions and the "Manage subscription" dialog (seeds 000, 004).

use crate::domain::billing_items::{BillingInterval, SubscriptionStatus};
use crate::domain::money::Money;
use crate::domain::subscription::PlanKind;
use crate::wire::payments::PaymentResult;
use serde::{Deserialize, Serialize};
use time::Date;

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
