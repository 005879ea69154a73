//! The prepaid credit balance (seed 003): balance and history, "Add to credit balance", the
//! low-balance alert and automatic top-up, and the service status that depends on them.

use crate::domain::service_status::ServiceStatus;
use crate::wire::credit::{CreditEntriesPage, CreditPage, CreditSettingsInput, CreditSettingsView};
use crate::wire::error::AppError;
use crate::wire::payments::PaymentResult;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(endpoint = "credit/page", input = Json, output = crate::wire::codec::JsonText)]
pub async fn get_credit_page() -> Result<CreditPage, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Billing).await?;
    crate::server::credit::page::load(&caller).await
}

/// The ledger entries after `cursor`, newest first.
#[server(endpoint = "credit/entries", input = Json, output = crate::wire::codec::JsonText)]
pub async fn credit_entries(cursor: Option<String>) -> Result<CreditEntriesPage, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Billing).await?;
    crate::server::credit::page::entries(&caller, cursor.as_deref()).await
}

/// "Add to credit balance": `amount` as typed, charged with the stored method `method_id`.
#[server(endpoint = "credit/top-up", input = Json, output = crate::wire::codec::JsonText)]
pub async fn top_up_credit(
    amount: String,
    method_id: String,
    idempotency_key: String,
) -> Result<PaymentResult, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::BillingChange).await?;
    crate::server::credit::page::top_up(
        &caller,
        &amount,
        &crate::domain::ids::MethodId::new(method_id),
        &idempotency_key,
    )
    .await
}

#[server(endpoint = "credit/settings", input = Json, output = crate::wire::codec::JsonText)]
pub async fn save_credit_settings(input: CreditSettingsInput) -> Result<CreditSettingsView, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::BillingChange).await?;
    crate::server::credit::page::save_settings(&caller, &input).await
}

/// What is blocked on the current account and what lifts it. Every member may see it (a
/// member learns why messages stopped and whom to ask); the remedies need billing access.
#[server(endpoint = "service-status", input = Json, output = crate::wire::codec::JsonText)]
pub async fn get_service_status() -> Result<ServiceStatus, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::AccountMember).await?;
    crate::server::credit::status::for_caller(&caller).await
}
