//! While agency staff view a portal as the client, what moves money or commits the client is
//! refused by the server; the page says so at each such control and disables it, instead of
//! letting staff find out by trying. Support staff likewise see the agency's settings read-only.

use leptos::prelude::*;

use crate::wire::auth::RenderedFor;

/// Whom the page is rendered for. On the server the composition root provides it from the
/// request's session; an island that draws locked controls takes it as a prop and provides it
/// again with [`provide_rendered_for`], because an island in the browser sees no context from
/// outside itself.
pub fn rendered_for() -> RenderedFor {
    use_context::<RenderedFor>().unwrap_or_default()
}

/// For the components inside an island (see [`rendered_for`]).
pub fn provide_rendered_for(for_whom: RenderedFor) {
    provide_context(for_whom);
}

pub fn staff_viewing() -> bool {
    rendered_for().viewing_as_client
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
/// rules, transfers): staff admins may, support staff see them read-only.
pub fn staff_admin() -> bool {
    rendered_for().staff_admin
}

/// Disables the controls inside for support staff, and says who can use them.
#[component]
pub fn StaffAdminLock(
    /// What only admins do, as the start of "… is for staff admins", e.g. "Creating API keys".
    what: &'static str,
    children: Children,
) -> impl IntoView {
    let admin = staff_admin();
    let note_id = format!("admin-lock-{}", what.to_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), "-"));
    view! {
        {(!admin).then(|| view! {
            <p id=note_id.clone() class="notice notice-info staff-lock-note">
                {format!("{what} is for staff admins. Ask an admin if something needs to change.")}
            </p>
        })}
        <fieldset class="lock" disabled=!admin aria-describedby=(!admin).then_some(note_id)>
            {children()}
        </fieldset>
    }
}
