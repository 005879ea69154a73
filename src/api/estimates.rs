//! Deciding estimates and proposals (seed 004).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::AppError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApprovedEstimate {
    pub invoice_id: String,
    pub invoice_number: String,
}

/// Approves with the approver's typed name as signature and issues the invoice.
#[server(endpoint = "estimates/approve")]
pub async fn approve_estimate(id: String, typed_name: String) -> Result<ApprovedEstimate, AppError> {
    use crate::server::auth::authorize::{Access, authorize};
    let caller = authorize(Access::BillingChange).await?;
    crate::server::estimates::approve(&caller, &id, &typed_name).await
}

#[server(endpoint = "estimates/decline")]
pub async fn decline_estimate(id: String, reason: String) -> Result<(), AppError> {
    use crate::server::auth::authorize::{Access, authorize};
    let caller = authorize(Access::BillingChange).await?;
    crate::server::estimates::decline(&caller, &id, &reason).await
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstimateSummary {
    pub id: String,
    pub number: String,
    pub kind: crate::domain::billing_items::EstimateKind,
    pub title: String,
    pub status: crate::domain::billing_items::EstimateStatus,
    pub is_expired: bool,
    pub valid_until: time::Date,
    pub total: crate::domain::money::Money,
}

/// Every estimate and proposal of the account: open ones first, then the decided, newest first.
#[server(endpoint = "estimates")]
pub async fn list_estimates() -> Result<Vec<EstimateSummary>, AppError> {
    use crate::server::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Billing).await?;
    crate::server::estimates::list(&caller).await
}
