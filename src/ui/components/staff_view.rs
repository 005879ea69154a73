//! While agency staff view a portal as the client, what moves money or commits the client is
//! refused by the server; the page says so at each such control and disables it, instead of
//! letting staff find out by trying.

use leptos::prelude::*;

/// Whether this page is shown to staff viewing as the client. Known on the server from the
/// request's session and carried to the browser with the page, so both render the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaffView(pub bool);

pub fn provide_staff_view() {
    let viewing = SharedValue::new(|| {
        #[cfg(feature = "ssr")]
        {
            use crate::server::auth::authorize::ResolvedSession;
            use_context::<axum::http::request::Parts>()
                .and_then(|parts| parts.extensions.get::<ResolvedSession>().cloned())
                .and_then(|resolved| resolved.0)
                .is_some_and(|session| session.impersonation.is_some())
        }
        // Built in the browser only after a client-side navigation, which never starts or
        // ends a client view (both reload the page).
        #[cfg(not(feature = "ssr"))]
        false
    })
    .into_inner();
    provide_context(StaffView(viewing));
}

pub fn staff_viewing() -> bool {
    use_context::<StaffView>().is_some_and(|v| v.0)
}

/// Disables every control inside while staff view as the client, and says why.
#[component]
pub fn StaffViewLock(
    /// What is locked, as the end of "… stays with the client's own people", e.g. "Paying".
    what: &'static str,
    /// No note of its own: the page says it once for several locked controls.
    #[prop(optional)]
    quiet: bool,
    children: Children,
) -> impl IntoView {
    let locked = staff_viewing();
    let note_id = format!("staff-lock-{}", what.to_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), "-"));
    view! {
        {(locked && !quiet).then(|| view! {
            <p id=note_id.clone() class="notice notice-info staff-lock-note">
                {format!("You are viewing as the client: {what} stays with the client's own people.")}
            </p>
        })}
        <fieldset class="lock" disabled=locked aria-describedby=(locked && !quiet).then_some(note_id)>
            {children()}
        </fieldset>
    }
}

/// Whether the signed-in staff member may change the vendor's settings (API keys, billing
/// rules): staff admins may, support staff see them read-only. Known on the server from the
/// request's session, like [`StaffView`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaffAdmin(pub bool);

pub fn provide_staff_admin() {
    let admin = SharedValue::new(|| {
        #[cfg(feature = "ssr")]
        {
            use crate::server::auth::authorize::ResolvedSession;
            use_context::<axum::http::request::Parts>()
                .and_then(|parts| parts.extensions.get::<ResolvedSession>().cloned())
                .and_then(|resolved| resolved.0)
                .and_then(|session| session.staff)
                .is_some_and(|staff| staff.staff_role.can_administer())
        }
        #[cfg(not(feature = "ssr"))]
        false
    })
    .into_inner();
    provide_context(StaffAdmin(admin));
}

/// Disables the controls inside for support staff, and says who can use them.
#[component]
pub fn StaffAdminLock(
    /// What only admins do, as the start of "… is for staff admins", e.g. "Creating API keys".
    what: &'static str,
    children: Children,
) -> impl IntoView {
    let locked = !use_context::<StaffAdmin>().is_some_and(|a| a.0);
    let note_id = format!("admin-lock-{}", what.to_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), "-"));
    view! {
        {locked.then(|| view! {
            <p id=note_id.clone() class="notice notice-info staff-lock-note">
                {format!("{what} is for staff admins. Ask an admin if something needs to change.")}
            </p>
        })}
        <fieldset class="lock" disabled=locked aria-describedby=locked.then_some(note_id)>
            {children()}
        </fieldset>
    }
}
