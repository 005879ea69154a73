//! Stored payment methods (seeds 001, 002, 004).

use crate::wire::error::AppError;
use crate::wire::payment_methods::{PaymentMethodsView, RemovalOutcome, StoredMethod};
use leptos::prelude::*;

#[server(endpoint = "payment-methods", output = crate::wire::codec::JsonText)]
pub async fn list_payment_methods() -> Result<PaymentMethodsView, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Billing).await?;
    crate::server::payments::methods::list(&caller.state, &caller.account()?.id).await
}

/// Stores the method behind a processor token (from the tokenization endpoint). The card
/// number never reaches this function, only the token.
#[server(endpoint = "payment-methods/add", output = crate::wire::codec::JsonText)]
pub async fn add_payment_method(token: String, make_default: bool) -> Result<StoredMethod, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::BillingChange).await?;
    crate::server::payments::methods::add(&caller, &token, make_default).await
}

#[server(endpoint = "payment-methods/default", output = crate::wire::codec::JsonText)]
pub async fn make_default_payment_method(id: String) -> Result<(), AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::BillingChange).await?;
    crate::server::payments::methods::make_default(&caller, &id).await
}

#[server(endpoint = "payment-methods/remove", output = crate::wire::codec::JsonText)]
pub async fn remove_payment_method(
    id: String,
    move_subscriptions_to: Option<String>,
) -> Result<RemovalOutcome, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::BillingChange).await?;
    crate::server::payments::methods::remove(&caller, &id, move_subscriptions_to.as_deref().filter(|s| !s.is_empty()))
        .await
}
