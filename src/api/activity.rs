//! The activity log: what happened on an account and who did it, including agency staff who
//! viewed it as the client (seed 004). Clients see their account's; staff see all of theirs.

use crate::wire::activity::ActivityPage;
use crate::wire::error::AppError;
use leptos::prelude::*;

/// The current account's activity, newest first, a page at a time.
#[server(endpoint = "activity", output = crate::wire::codec::JsonText)]
pub async fn account_activity(cursor: Option<String>) -> Result<ActivityPage, AppError> {
    use crate::server::activity::{Scope, page};
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Billing).await?;
    page(&caller.state, Scope::Account(&caller.account()?.id), cursor.as_deref().filter(|c| !c.is_empty())).await
}

/// Everything on the vendor's accounts and by its staff, newest first.
#[server(endpoint = "staff/activity", output = crate::wire::codec::JsonText)]
pub async fn staff_activity(cursor: Option<String>) -> Result<ActivityPage, AppError> {
    use crate::server::activity::{Scope, page};
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Staff).await?;
    page(&caller.state, Scope::Vendor(&caller.staff()?.vendor_id), cursor.as_deref().filter(|c| !c.is_empty())).await
}
