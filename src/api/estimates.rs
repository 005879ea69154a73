//! Deciding estimates and proposals (seed 004).

use crate::wire::error::AppError;
use crate::wire::estimates::{ApprovedEstimate, EstimateSummary};
use leptos::prelude::*;

/// Approves with the approver's typed name as signature and issues the invoice.
#[server(endpoint = "estimates/approve", output = crate::wire::codec::JsonText)]
pub async fn approve_estimate(id: String, typed_name: String) -> Result<ApprovedEstimate, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::BillingChange).await?;
    let approved =
        crate::server::estimates::approve(&caller, &crate::domain::ids::EstimateId::new(id), &typed_name).await?;
    // The estimate page's form: on to the invoice it issued.
    crate::server::infra::request::RequestInfo::current()?
        .redirect_form_post(&format!("/invoices/{}", approved.invoice_id));
    Ok(approved)
}

#[server(endpoint = "estimates/decline", output = crate::wire::codec::JsonText)]
pub async fn decline_estimate(id: String, reason: String) -> Result<(), AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::BillingChange).await?;
    crate::server::estimates::decline(&caller, &crate::domain::ids::EstimateId::new(id), &reason).await
}

/// Every estimate and proposal of the account: open ones first, then the decided, newest first.
#[server(endpoint = "estimates", output = crate::wire::codec::JsonText)]
pub async fn list_estimates() -> Result<Vec<EstimateSummary>, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Billing).await?;
    crate::server::estimates::list(&caller).await
}
