use crate::domain::role::Role;
use serde::{Deserialize, Serialize};

/// Who is signed in and where, for the page header and route guards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionView {
    pub user_name: String,
    pub email: String,
    pub initials: String,
    pub account: Option<AccountBadge>,
    pub is_staff: bool,
    /// Staff who may change the agency's settings (API keys, billing rules, transfers); support
    /// staff see those pages read-only.
    pub is_staff_admin: bool,
    /// Set while agency staff view this account as the client: the banner shows it.
    pub viewing_as_client: Option<ViewingAsClient>,
    /// Signed in from the vendor's app with a return URL: the header links back to it.
    pub back_to: Option<BackLink>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackLink {
    /// "Back to Acme Cloud".
    pub label: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ViewingAsClient {
    pub account_name: String,
    /// Unix seconds when the view ends by itself.
    pub ends_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountBadge {
    pub id: String,
    pub name: String,
    pub role: Role,
}

impl SessionView {
    pub fn has_billing_access(&self) -> bool {
        self.account.as_ref().is_some_and(|a| a.role.has_billing_access())
    }
}

/// What the server knew of the caller when it rendered a page: given to the render, and to each
/// island that draws controls depending on it (as a prop), so that the page and the hydrating
/// browser draw the same controls. The server still decides each request on its own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RenderedFor {
    /// Agency staff are viewing the portal as the client.
    pub viewing_as_client: bool,
    /// A staff admin, who may change the agency's settings.
    pub staff_admin: bool,
}
