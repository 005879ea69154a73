//! The activity log: what happened on an account and who did it, including agency staff who
//! viewed it as the client (seed 004). Clients see their account's; staff see all of theirs.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::AppError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityEntry {
    pub id: String,
    /// Unix seconds.
    pub occurred_at: i64,
    /// The machine name (`payment.succeeded`), for filtering and tests.
    pub action: String,
    /// What happened, in words ("Paid USD 120.00 by Visa •••• 4242").
    pub summary: String,
    /// Who did it: a name, or the email tried for a failed sign-in.
    pub actor: String,
    /// The agency staff member who acted while viewing as the client, if any.
    pub on_behalf_by_staff: Option<String>,
    /// For staff, whose account it was.
    pub account_name: Option<String>,
    pub ip: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityPage {
    pub entries: Vec<ActivityEntry>,
    pub next_cursor: Option<String>,
}

/// The current account's activity, newest first, a page at a time.
#[server(endpoint = "activity")]
pub async fn account_activity(cursor: Option<String>) -> Result<ActivityPage, AppError> {
    use crate::server::auth::authorize::{Access, authorize};
    use crate::server::activity::{Scope, page};
    let caller = authorize(Access::Billing).await?;
    page(&caller.state, Scope::Account(&caller.account()?.id), cursor.as_deref().filter(|c| !c.is_empty())).await
}

/// Everything on the vendor's accounts and by its staff, newest first.
#[server(endpoint = "staff/activity")]
pub async fn staff_activity(cursor: Option<String>) -> Result<ActivityPage, AppError> {
    use crate::server::auth::authorize::{Access, authorize};
    use crate::server::activity::{Scope, page};
    let caller = authorize(Access::Staff).await?;
    page(&caller.state, Scope::Vendor(&caller.staff()?.vendor_id), cursor.as_deref().filter(|c| !c.is_empty())).await
}
