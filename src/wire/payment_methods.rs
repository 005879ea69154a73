//! Stored payment methods (seeds 001, 002, 004).

use crate::domain::payment_method::{ExpiryState, MethodKind};
use serde::{Deserialize, Serialize};

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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum RemovalOutcome {
    Removed,
    /// Refused: the method pays these active subscriptions. Move them first (pass
    /// `move_subscriptions_to`), to one of `alternatives`.
    PaysSubscriptions {
        subscriptions: Vec<SubscriptionRef>,
        alternatives: Vec<(String, String)>,
    },
}
