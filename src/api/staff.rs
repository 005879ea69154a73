//! The agency's console: its client accounts, their decisions, and viewing a portal as the client.

use crate::wire::error::AppError;
use crate::wire::staff::{AwaitingTransfer, ClientRow, EstimateDecision};
use leptos::prelude::*;

#[server(endpoint = "staff/clients", output = crate::wire::codec::JsonText)]
pub async fn list_clients() -> Result<Vec<ClientRow>, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Staff).await?;
    let vendor_id = &caller.staff()?.vendor_id;
    crate::server::accounts::queries::client_list(&caller.state, vendor_id).await
}

/// Decisions on the vendor's estimates and proposals across its clients, newest first.
#[server(endpoint = "staff/estimate-decisions", output = crate::wire::codec::JsonText)]
pub async fn estimate_decisions() -> Result<Vec<EstimateDecision>, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Staff).await?;
    let vendor_id = &caller.staff()?.vendor_id;
    crate::server::estimates::decisions_for_vendor(caller.state.db.pool(), vendor_id).await
}

/// "View as client": the staff member sees the client's portal as its owner does, read-only
/// for anything that moves money or commits the client, for at most the configured time.
#[server(endpoint = "staff/view-as-client", output = crate::wire::codec::JsonText)]
pub async fn view_as_client(account_id: String) -> Result<(), AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Staff).await?;
    let request = crate::server::infra::request::RequestInfo::current()?;
    crate::server::accounts::client_view::start(&request, &caller, &crate::domain::ids::AccountId::new(account_id))
        .await?;
    request.redirect_form_post("/");
    Ok(())
}

/// Ends the client view and returns to the agency console.
#[server(endpoint = "staff/exit-client-view", output = crate::wire::codec::JsonText)]
pub async fn exit_client_view() -> Result<(), AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    // Signed in is enough: only a session that is viewing as a client has anything to exit.
    let caller = authorize(Access::SignedIn).await?;
    let request = crate::server::infra::request::RequestInfo::current()?;
    crate::server::accounts::client_view::exit(&request, &caller).await?;
    request.redirect_form_post("/");
    Ok(())
}

/// The vendor's payments awaiting a transfer, oldest first.
#[server(endpoint = "staff/transfers", output = crate::wire::codec::JsonText)]
pub async fn awaiting_transfers() -> Result<Vec<AwaitingTransfer>, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Staff).await?;
    crate::server::payments::transfers::for_staff(&caller).await
}

/// Records a transfer as received: the payment settles and its invoices are paid. Staff admins
/// only. `amount` is typed as received, in the account's currency, and must be the whole amount.
#[server(endpoint = "staff/transfers/record", output = crate::wire::codec::JsonText)]
pub async fn record_transfer(
    account_id: String,
    payment_id: String,
    amount: String,
    bank_reference: String,
) -> Result<(), AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::StaffAdmin).await?;
    crate::server::payments::transfers::record_by_staff(
        &caller,
        &crate::domain::ids::AccountId::new(account_id),
        &crate::domain::ids::PaymentId::new(payment_id),
        &amount,
        &bank_reference,
    )
    .await
}
