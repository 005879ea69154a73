pub mod authorize;
pub mod cookies;
pub mod login;
pub mod password;
pub mod password_change;
pub mod redirect;
pub mod rotate;
pub mod sessions;
pub mod throttle;
pub mod users;

use crate::domain::people::initials;
use crate::wire::auth::{AccountBadge, BackLink, SessionView, ViewingAsClient};
use authorize::Authorized;

/// Who is signed in, as the header and menus show it.
pub fn session_view(caller: &Authorized) -> SessionView {
    let s = &caller.session;
    SessionView {
        user_name: s.name.clone(),
        email: s.email.clone(),
        initials: initials(&s.name, &s.email),
        account: s.account.as_ref().map(|a| AccountBadge { id: a.id.to_string(), name: a.name.clone(), role: a.role }),
        is_staff: s.staff.is_some(),
        is_staff_admin: s.staff.as_ref().is_some_and(|staff| staff.staff_role.can_administer()),
        viewing_as_client: s
            .impersonation
            .as_ref()
            .zip(s.account.as_ref())
            .map(|(i, a)| ViewingAsClient { account_name: a.name.clone(), ends_at: i.ends_at }),
        back_to: s
            .return_to
            .as_ref()
            .map(|r| BackLink { label: format!("Back to {}", r.vendor_name), url: r.url.clone() }),
    }
}
