//! Stored payment methods (seeds 001, 002, 004).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::AppError;
use crate::domain::payment_method::{ExpiryState, MethodKind};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionRef {
    pub id: String,
    pub plan_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredMethod {
    pub id: String,
    pub kind: MethodKind,
    pub label: String,
    pub detail: String,
    pub is_default: bool,
    pub expiry: Option<ExpiryState>,
    /// Active subscriptions this method pays: while any, it cannot be removed.
    pub pays_subscriptions: Vec<SubscriptionRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentMethodsView {
    pub methods: Vec<StoredMethod>,
    /// Kinds the vendor lets this account add and pay with.
    pub offered: Vec<MethodKind>,
    /// Where the browser sends card or bank details to be turned into a token.
    pub tokenization_url: String,
}

#[server(endpoint = "payment-methods")]
pub async fn list_payment_methods() -> Result<PaymentMethodsView, AppError> {
    use crate::server::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Billing).await?;
    crate::server::payments::methods::list(&caller.state, &caller.account()?.id).await
}

/// Stores the method behind a processor token (from the tokenization endpoint). The card
/// number never reaches this function, only the token.
#[server(endpoint = "payment-methods/add")]
pub async fn add_payment_method(token: String, make_default: bool) -> Result<StoredMethod, AppError> {
    use crate::server::auth::authorize::{Access, authorize};
    let caller = authorize(Access::BillingChange).await?;
    crate::server::payments::methods::add(&caller, &token, make_default).await
}

#[server(endpoint = "payment-methods/default")]
pub async fn make_default_payment_method(id: String) -> Result<(), AppError> {
    use crate::server::auth::authorize::{Access, authorize};
    let caller = authorize(Access::BillingChange).await?;
    crate::server::payments::methods::make_default(&caller, &id).await
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum RemovalOutcome {
    Removed,
    /// Refused: the method pays these active subscriptions. Move them first (pass
    /// `move_subscriptions_to`), to one of `alternatives`.
    PaysSubscriptions { subscriptions: Vec<SubscriptionRef>, alternatives: Vec<(String, String)> },
}

#[server(endpoint = "payment-methods/remove")]
pub async fn remove_payment_method(id: String, move_subscriptions_to: Option<String>) -> Result<RemovalOutcome, AppError> {
    use crate::server::auth::authorize::{Access, authorize};
    let caller = authorize(Access::BillingChange).await?;
    crate::server::payments::methods::remove(&caller, &id, move_subscriptions_to.as_deref().filter(|s| !s.is_empty())).await
}
