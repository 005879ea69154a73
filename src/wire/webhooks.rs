//! Webhooks as staff see them: endpoints, the events each receives, the delivery log.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookEndpointView {
    pub id: String,
    pub url: String,
    pub description: String,
    /// Event types, or `["*"]` for all.
    pub events: Vec<String>,
    pub enabled: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookDeliveryView {
    pub id: String,
    pub endpoint_id: String,
    pub endpoint_url: String,
    pub event_id: String,
    pub event_type: String,
    pub account_name: String,
    /// `pending`, `succeeded` or `failed` (given up after a day).
    pub status: String,
    pub attempts: i64,
    pub last_status_code: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub delivered_at: Option<i64>,
    pub next_attempt_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhooksPage {
    pub endpoints: Vec<WebhookEndpointView>,
    pub deliveries: Vec<WebhookDeliveryView>,
    /// (type, what it means), for the form.
    pub event_types: Vec<(String, String)>,
    /// Where portal sessions' "Back to" links may point.
    pub return_origins: Vec<String>,
    pub can_edit: bool,
}

/// An endpoint just created: the signing secret is shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatedEndpoint {
    pub endpoint: WebhookEndpointView,
    pub secret: String,
}
