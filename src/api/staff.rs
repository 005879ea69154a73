//! The agency's view: its client accounts. ("View as client" arrives with impersonation.)

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::AppError;
use crate::domain::money::CurrencyTotals;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientRow {
    pub id: String,
    pub name: String,
    pub company_name: String,
    pub outstanding: CurrencyTotals,
    pub overdue_invoices: i64,
    pub open_estimates: i64,
}

#[server(endpoint = "staff/clients")]
pub async fn list_clients() -> Result<Vec<ClientRow>, AppError> {
    use crate::server::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Staff).await?;
    let vendor_id = &caller.staff()?.vendor_id;
    crate::server::db::accounts::client_list(&caller.state, vendor_id).await
}
