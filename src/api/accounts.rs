//! One login, several accounts (seed 001): the switcher and the all-accounts summary.

use crate::wire::accounts::AccountsOverview;
use crate::wire::error::AppError;
use leptos::prelude::*;

/// The accounts the signed-in person belongs to, with what each owes.
#[server(endpoint = "accounts", output = crate::wire::codec::JsonText)]
pub async fn my_accounts() -> Result<AccountsOverview, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Personal).await?;
    crate::server::accounts::switch::mine(&caller).await
}

/// Makes `account_id` the account every page shows. The session id is replaced.
#[server(endpoint = "accounts/switch", output = crate::wire::codec::JsonText)]
pub async fn switch_account(account_id: String) -> Result<(), AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Personal).await?;
    let request = crate::server::infra::request::RequestInfo::current()?;
    crate::server::accounts::switch::switch(&request, &caller, &crate::domain::ids::AccountId::new(account_id)).await?;
    request.redirect_form_post("/");
    Ok(())
}
