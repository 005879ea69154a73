//! Billing history (seed 000): every invoice and payment, newest first, a page at a time.

use crate::wire::billing_history::HistoryPage;
use crate::wire::error::AppError;
use leptos::prelude::*;

/// `filter` is one of `all`, `open`, `overdue`, `paid`, `payments`; `search` finds invoices by
/// number (and the payments that paid them).
#[server(endpoint = "billing-history", output = crate::wire::codec::JsonText)]
pub async fn billing_history(
    cursor: Option<String>,
    filter: Option<String>,
    search: Option<String>,
) -> Result<HistoryPage, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    use crate::wire::billing_history::{HISTORY_PAGE_SIZE, HistoryFilter};
    let caller = authorize(Access::Billing).await?;
    let filter = HistoryFilter::parse(filter.as_deref().unwrap_or("all"));
    let search = search.as_deref().map(str::trim).filter(|s| !s.is_empty());
    crate::server::invoices::history::page(
        &caller.state,
        &caller.account()?.id,
        cursor.as_deref().filter(|c| !c.is_empty()),
        filter,
        search,
        HISTORY_PAGE_SIZE,
    )
    .await
}
