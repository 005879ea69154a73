//! Billing details (seeds 000, 002): the company name, billing address and tax ID printed on
//! invoices, and the billing contacts who receive them.
//!
//! The validation here is pure and compiled for the browser too: the page checks the form
//! with exactly the rules the server enforces, and the server checks again.

use crate::wire::billing_details::{BillingContact, BillingDetails, DetailsInput, UpdateOutcome};
use crate::wire::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "billing-details", output = crate::wire::codec::JsonText)]
pub async fn get_billing_details() -> Result<BillingDetails, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Billing).await?;
    crate::server::accounts::billing_details::load(&caller.state, &caller.account()?.id).await
}

/// Saves the company name, address and tax ID (what invoices are issued to: refused while staff
/// view as the client). The form's fields arrive flat (`company_name`,
/// `country`, …); a missing one counts as empty. `version`, from [`BillingDetails::version`],
/// refuses to overwrite someone else's newer change.
#[server(endpoint = "billing-details/update", output = crate::wire::codec::JsonText)]
pub async fn update_billing_details(
    #[server(flatten)] details: DetailsInput,
    #[server(default)] version: Option<String>,
) -> Result<UpdateOutcome, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::BillingChange).await?;
    crate::server::accounts::billing_details::update_details(
        &caller,
        &details,
        version.as_deref().filter(|v| !v.is_empty()),
    )
    .await
}

/// Adds someone who receives invoices; answers with the contacts as they are now.
#[server(endpoint = "billing-details/contacts/add", output = crate::wire::codec::JsonText)]
pub async fn add_billing_contact(
    #[server(default)] name: String,
    #[server(default)] email: String,
) -> Result<Vec<BillingContact>, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::BillingChange).await?;
    crate::server::accounts::billing_details::add_contact(&caller, &name, &email).await
}

/// Removes a billing contact, never the last one; answers with the contacts as they are now.
#[server(endpoint = "billing-details/contacts/remove", output = crate::wire::codec::JsonText)]
pub async fn remove_billing_contact(id: String) -> Result<Vec<BillingContact>, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::BillingChange).await?;
    crate::server::accounts::billing_details::remove_contact(&caller, &id).await
}
