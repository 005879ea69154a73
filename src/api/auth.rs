use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::AppError;
use crate::domain::role::Role;

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

/// Signs in. On success the session cookie is set (a new session id: any session the
/// browser had is ended) and the browser is sent to `next` or the dashboard.
///
/// Public by necessity: it is how a caller becomes established, so there is no `authorize`
/// call. It is throttled per email and, like every POST, refused when cross-site.
#[server(endpoint = "login")]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use crate::server::auth::login::sign_in;
    use crate::server::request::RequestInfo;

    use crate::server::auth::redirect::safe_next;

    let info = RequestInfo::current()?;
    sign_in(&info, &email, &password).await?;
    // Only a path on the portal itself is followed: a crafted link cannot bounce a user away.
    leptos_axum::redirect(&safe_next(&info.state.settings.server.public_url, next.as_deref()));
    Ok(())
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::server::auth::authorize::{Access, authorize};
    use crate::server::auth::login::sign_out;
    use crate::server::request::RequestInfo;

    let caller = authorize(Access::SignedIn).await?;
    sign_out(&RequestInfo::current()?, &caller).await?;
    leptos_axum::redirect("/login");
    Ok(())
}

#[server(endpoint = "session")]
pub async fn current_session() -> Result<SessionView, AppError> {
    use crate::domain::people::initials;
    use crate::server::auth::authorize::{Access, authorize};

    let caller = authorize(Access::SignedIn).await?;
    let s = &caller.session;
    Ok(SessionView {
        user_name: s.name.clone(),
        email: s.email.clone(),
        initials: initials(&s.name, &s.email),
        account: s.account.as_ref().map(|a| AccountBadge { id: a.id.clone(), name: a.name.clone(), role: a.role }),
        is_staff: s.staff.is_some(),
        is_staff_admin: s.staff.as_ref().is_some_and(|staff| staff.staff_role.can_administer()),
        viewing_as_client: s.impersonation.as_ref().zip(s.account.as_ref()).map(|(i, a)| ViewingAsClient { account_name: a.name.clone(), ends_at: i.ends_at }),
    })
}

/// Changes the signed-in person's password after checking the current one. Every other
/// session of theirs ends; this one continues under a new id. Refused while viewing as a client.
#[server(endpoint = "password")]
pub async fn change_password(current_password: String, new_password: String) -> Result<(), AppError> {
    use crate::server::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Personal).await?;
    let info = crate::server::request::RequestInfo::current()?;
    crate::server::auth::password_change::change_password(&info, &caller, &current_password, &new_password).await
}
