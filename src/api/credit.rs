//! The prepaid credit balance (seed 003): balance and history, "Add to credit balance", the
//! low-balance alert and automatic top-up, and the service status that depends on them.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use super::error::AppError;
use super::payments::PaymentResult;
use crate::domain::credit::EntryKind;
use crate::domain::fees::FeeSchedule;
use crate::domain::money::Money;
use crate::domain::payment_method::MethodKind;
use crate::domain::service_status::ServiceStatus;

/// A stored method a top-up can be charged to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopUpMethod {
    pub id: String,
    pub kind: MethodKind,
    pub label: String,
    pub is_default: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreditEntryView {
    pub id: String,
    /// Unix seconds.
    pub at: i64,
    pub kind: EntryKind,
    pub description: String,
    pub amount: Money,
    pub balance_after: Money,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutoTopUpView {
    pub threshold: Money,
    pub amount: Money,
    pub method_id: String,
    pub method_label: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreditSettingsView {
    pub alert_threshold: Option<Money>,
    pub auto_top_up: Option<AutoTopUpView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreditEntriesPage {
    pub entries: Vec<CreditEntryView>,
    /// Where the next page starts; `None` when this is the last.
    pub next: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreditPage {
    pub balance: Money,
    pub status: ServiceStatus,
    pub settings: CreditSettingsView,
    pub methods: Vec<TopUpMethod>,
    /// The fees, so the form shows the fee of any amount as it is typed; the server charges
    /// by the same rule.
    pub schedule: FeeSchedule,
    pub history: CreditEntriesPage,
    /// Made fresh for each page view: every attempt of this form sends it, so a double click
    /// or a retry is one top-up.
    pub idempotency_key: String,
}

#[server(endpoint = "credit/page", input = Json)]
pub async fn get_credit_page() -> Result<CreditPage, AppError> {
    use crate::server::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Billing).await?;
    crate::server::credit::page::load(&caller).await
}

/// The ledger entries after `cursor`, newest first.
#[server(endpoint = "credit/entries", input = Json)]
pub async fn credit_entries(cursor: Option<String>) -> Result<CreditEntriesPage, AppError> {
    use crate::server::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Billing).await?;
    crate::server::credit::page::entries(&caller, cursor.as_deref()).await
}

/// "Add to credit balance": `amount` as typed, charged with the stored method `method_id`.
#[server(endpoint = "credit/top-up", input = Json)]
pub async fn top_up_credit(
    amount: String,
    method_id: String,
    idempotency_key: String,
) -> Result<PaymentResult, AppError> {
    use crate::server::auth::authorize::{Access, authorize};
    let caller = authorize(Access::BillingChange).await?;
    crate::server::credit::page::top_up(&caller, &amount, &method_id, &idempotency_key).await
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreditSettingsInput {
    /// Empty: no alert.
    pub alert_threshold: String,
    pub auto_top_up: bool,
    pub auto_threshold: String,
    pub auto_amount: String,
    pub auto_method_id: String,
}

#[server(endpoint = "credit/settings", input = Json)]
pub async fn save_credit_settings(
    input: CreditSettingsInput,
) -> Result<CreditSettingsView, AppError> {
    use crate::server::auth::authorize::{Access, authorize};
    let caller = authorize(Access::BillingChange).await?;
    crate::server::credit::page::save_settings(&caller, &input).await
}

/// What is blocked on the current account and what lifts it. Every member may see it (a
/// member learns why messages stopped and whom to ask); the remedies need billing access.
#[server(endpoint = "service-status", input = Json)]
pub async fn get_service_status() -> Result<ServiceStatus, AppError> {
    use crate::server::auth::authorize::{Access, authorize};
    let caller = authorize(Access::AccountMember).await?;
    let today = crate::server::clock::today(caller.state.clock.as_ref());
    crate::server::credit::status::for_account(caller.state.db.pool(), &caller.account()?.id, today)
        .await
}
