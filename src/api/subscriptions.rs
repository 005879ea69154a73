//! Subscriptions and the "Manage subscription" dialog (seeds 000, 004).

use crate::wire::error::AppError;
use crate::wire::subscriptions::{ChangeOutcome, ChangePreview, SubscriptionsPage};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// The account's subscriptions, the methods that can pay them and its credit balance.
#[server(endpoint = "subscriptions", output = crate::wire::codec::JsonText)]
pub async fn list_subscriptions() -> Result<SubscriptionsPage, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Billing).await?;
    crate::server::subscriptions::queries::page(&caller).await
}

/// What changing to `plan_id` × `quantity` today would charge or credit, and the next renewal.
#[server(endpoint = "subscriptions/preview", input = Json, output = crate::wire::codec::JsonText)]
pub async fn preview_subscription_change(
    subscription_id: String,
    plan_id: String,
    quantity: i64,
) -> Result<ChangePreview, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Billing).await?;
    crate::server::subscriptions::change::preview(
        &caller.acting()?,
        &crate::domain::ids::SubscriptionId::new(subscription_id),
        &plan_id,
        quantity,
    )
    .await
}

/// Applies a previewed change and charges it. `expected_due_now` is the preview's amount in
/// minor units: if anything moved since (the date, the price, another change), the change is
/// refused rather than charging a different amount than the client agreed to.
#[server(endpoint = "subscriptions/change", input = Json, output = crate::wire::codec::JsonText)]
pub async fn change_subscription(
    subscription_id: String,
    plan_id: String,
    quantity: i64,
    version: i64,
    expected_due_now: i64,
    idempotency_key: String,
) -> Result<ChangeOutcome, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    use crate::server::subscriptions::change::{ChangeRequest, change};
    let caller = authorize(Access::BillingChange).await?;
    let request = ChangeRequest { subscription_id, plan_id, quantity, version, expected_due_now, idempotency_key };
    change(&caller.acting()?, request).await
}

#[server(endpoint = "subscriptions/payment-method", output = crate::wire::codec::JsonText)]
pub async fn set_subscription_payment_method(
    subscription_id: String,
    payment_method_id: String,
) -> Result<(), AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::BillingChange).await?;
    crate::server::subscriptions::lifecycle::set_payment_method(
        &caller.acting()?,
        &crate::domain::ids::SubscriptionId::new(subscription_id),
        &payment_method_id,
    )
    .await
}

/// Ends the subscription at the end of its current period; nothing is refunded or charged.
#[server(endpoint = "subscriptions/cancel", output = crate::wire::codec::JsonText)]
pub async fn cancel_subscription(subscription_id: String, reason: String) -> Result<(), AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::BillingChange).await?;
    crate::server::subscriptions::lifecycle::schedule_cancel(
        &caller.acting()?,
        &crate::domain::ids::SubscriptionId::new(subscription_id),
        &reason,
    )
    .await
}

/// Keeps a subscription that was set to end at its period end.
#[server(endpoint = "subscriptions/resume", output = crate::wire::codec::JsonText)]
pub async fn resume_subscription(subscription_id: String) -> Result<(), AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::BillingChange).await?;
    crate::server::subscriptions::lifecycle::resume(
        &caller.acting()?,
        &crate::domain::ids::SubscriptionId::new(subscription_id),
    )
    .await
}
