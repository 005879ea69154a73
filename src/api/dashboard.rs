use crate::wire::dashboard::{Dashboard, NoAccessInfo};
use crate::wire::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "dashboard", output = crate::wire::codec::JsonText)]
pub async fn get_dashboard() -> Result<Dashboard, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Billing).await?;
    crate::server::dashboard::load(&caller).await
}

#[server(endpoint = "billing-helpers", output = crate::wire::codec::JsonText)]
pub async fn billing_helpers() -> Result<NoAccessInfo, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::AccountMember).await?;
    let account = caller.account()?;
    let people = crate::server::accounts::queries::billing_people(caller.state.db.pool(), &account.id).await?;
    Ok(NoAccessInfo { account_name: account.name.clone(), your_role: account.role, people })
}
