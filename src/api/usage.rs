//! Usage reports (seed 003): a month's messages and costs by sub-account, category, phone
//! number and day.

use crate::wire::error::AppError;
use crate::wire::usage::{UsageFilters, UsageReport};
use leptos::prelude::*;

#[server(endpoint = "usage/filters", output = crate::wire::codec::JsonText)]
pub async fn get_usage_filters() -> Result<UsageFilters, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Billing).await?;
    crate::server::usage::report::filters(&caller.state, &caller.account()?.id).await
}

/// `month` is `YYYY-MM` (default: the current month); `number` a phone number id of the
/// current account (default: all numbers).
#[server(endpoint = "usage", output = crate::wire::codec::JsonText)]
pub async fn get_usage_report(month: Option<String>, number: Option<String>) -> Result<UsageReport, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Billing).await?;
    let account = caller.account()?;
    let selection =
        crate::server::usage::report::select(&caller.state, &account.id, month.as_deref(), number.as_deref()).await?;
    crate::server::usage::report::report(&caller.state, account, selection).await
}
