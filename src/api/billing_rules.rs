//! The vendor's billing-cycle rules (issue 8), set by its staff: payment terms of cycle
//! invoices, the retry schedule for failed automatic charges, and how early an expiring card is
//! announced.

use crate::wire::billing_rules::BillingRulesView;
use crate::wire::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "staff/billing-rules", output = crate::wire::codec::JsonText)]
pub async fn get_billing_rules() -> Result<BillingRulesView, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Staff).await?;
    crate::server::cycle::rules::for_staff(&caller).await
}

/// Checks every field, then stores them together. Staff admins only.
#[server(endpoint = "staff/billing-rules/save", output = crate::wire::codec::JsonText)]
pub async fn save_billing_rules(
    payment_terms_days: String,
    retry_days: String,
    card_expiry_notice_days: String,
    #[server(default)] transfer_wait_days: Option<String>,
) -> Result<BillingRulesView, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::StaffAdmin).await?;
    let wait = transfer_wait_days.as_deref().filter(|w| !w.trim().is_empty());
    let saved =
        crate::server::cycle::rules::update(&caller, &payment_terms_days, &retry_days, &card_expiry_notice_days, wait)
            .await?;
    // The rules page's own form: answered with the page, the rules as stored, saying so.
    crate::server::infra::request::RequestInfo::current()?.redirect_form_post("/staff/billing-rules?saved=1");
    Ok(saved)
}
