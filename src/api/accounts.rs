//! One login, several accounts (seed 001): the switcher and the all-accounts summary.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::AppError;
use super::staff::ClientRow;
use crate::domain::money::CurrencyTotals;
use crate::domain::role::Role;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MyAccount {
    pub summary: ClientRow,
    pub role: Role,
    pub is_current: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountsOverview {
    pub accounts: Vec<MyAccount>,
    /// What is owed across all of them, per currency (never added across currencies).
    pub totals: CurrencyTotals,
}

/// The accounts the signed-in person belongs to, with what each owes.
#[server(endpoint = "accounts")]
pub async fn my_accounts() -> Result<AccountsOverview, AppError> {
    use crate::server::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Personal).await?;
    crate::server::accounts::mine(&caller).await
}

/// Makes `account_id` the account every page shows. The session id is replaced.
#[server(endpoint = "accounts/switch")]
pub async fn switch_account(account_id: String) -> Result<(), AppError> {
    use crate::server::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Personal).await?;
    crate::server::accounts::switch(&crate::server::request::RequestInfo::current()?, &caller, &account_id).await
}
