//! Reading one invoice or estimate. The target of the dashboard's View links.

use crate::wire::billing_items::{EstimateDetail, InvoiceDetail};
use crate::wire::error::AppError;
use leptos::prelude::*;

/// One invoice of the current account. Another account's invoice answers exactly like a
/// missing one.
#[server(endpoint = "invoice", output = crate::wire::codec::JsonText)]
pub async fn get_invoice(id: String) -> Result<InvoiceDetail, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Billing).await?;
    crate::server::invoices::queries::invoice_detail(
        &caller.state,
        &caller.account()?.id,
        &crate::domain::ids::InvoiceId::new(id),
    )
    .await?
    .ok_or_else(AppError::not_found)
}

#[server(endpoint = "estimate", output = crate::wire::codec::JsonText)]
pub async fn get_estimate(id: String) -> Result<EstimateDetail, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Billing).await?;
    crate::server::invoices::queries::estimate_detail(
        &caller.state,
        &caller.account()?.id,
        &crate::domain::ids::EstimateId::new(id),
    )
    .await?
    .ok_or_else(AppError::not_found)
}
