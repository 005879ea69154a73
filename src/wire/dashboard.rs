use crate::domain::billing_items::{BillingInterval, EstimateKind, InvoiceKind, InvoiceStatus, SubscriptionStatus};
use crate::domain::money::{CurrencyTotals, Money};
use crate::domain::payment_method::{ExpiryState, MethodKind};
use crate::domain::role::Role;
use serde::{Deserialize, Serialize};
use time::Date;

/// Everything on the client dashboard (seed 004), loaded in a fixed number of queries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub today: Date,
    pub user_name: String,
    pub user_initials: String,
    pub account_name: String,
    pub company_name: String,
    pub role: Role,
    pub plan_names: Vec<String>,
    pub open_invoices: Vec<OpenInvoice>,
    pub outstanding: CurrencyTotals,
    pub overdue: CurrencyTotals,
    pub open_estimates: Vec<OpenEstimate>,
    pub subscriptions: Vec<SubscriptionSummary>,
    pub payment_methods: Vec<PaymentMethodSummary>,
    /// Failed payments whose invoices are still open, newest first (seeds 002, 003).
    pub failed_payments: Vec<FailedPaymentNotice>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailedPaymentNotice {
    pub payment_id: String,
    /// Unix seconds.
    pub at: i64,
    pub method_label: String,
    pub message: String,
    pub invoice_ids: Vec<String>,
    pub invoice_numbers: Vec<String>,
    pub total: Money,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenInvoice {
    pub id: String,
    pub number: String,
    pub kind: InvoiceKind,
    pub status: InvoiceStatus,
    pub issue_date: Date,
    pub due_date: Date,
    pub amount_due: Money,
    pub is_overdue: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenEstimate {
    pub id: String,
    pub number: String,
    pub kind: EstimateKind,
    pub title: String,
    pub valid_until: Date,
    pub total: Money,
    pub is_expired: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionSummary {
    pub id: String,
    pub plan_name: String,
    pub unit_label: String,
    pub quantity: i64,
    pub unit_amount: Money,
    pub amount_per_period: Money,
    pub interval: BillingInterval,
    pub status: SubscriptionStatus,
    pub renews_on: Date,
    pub cancel_at_period_end: bool,
    pub payment_method: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentMethodSummary {
    pub id: String,
    pub kind: MethodKind,
    /// e.g. "Visa •••• 4242" or "ACH •••• 6789 (Chase)".
    pub label: String,
    /// e.g. "Expires 04/2028" or "Debit".
    pub detail: String,
    pub is_default: bool,
    pub expiry: Option<ExpiryState>,
}

/// Who a member without billing access can ask (owners, admins, billing managers).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BillingContactPerson {
    pub name: String,
    pub email: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoAccessInfo {
    pub account_name: String,
    pub your_role: Role,
    pub people: Vec<BillingContactPerson>,
}
