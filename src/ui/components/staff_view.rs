//! While agency staff view a portal as the client, what moves money or commits the client is
//! refused by the server; the page says so at each such control and disables it, instead of
//! letting staff find out by trying.

use leptos::prelude::*;

use crate::wire::auth::{RenderedFor, SessionView};
use crate::wire::error::AppError;

/// Whether this page is shown to staff viewing as the client. Known on the server from the
/// request's session and carried to the browser with the page, so both render the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaffView(pub bool);

pub fn provide_staff_view() {
    let viewing = SharedValue::new(|| {
        // On the server the composition root says whom it renders for; built in the browser
        // only after a client-side navigation, which never starts or ends a client view (both
        // reload the page).
        use_context::<RenderedFor>().is_some_and(|r| r.viewing_as_client)
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
/// rules, transfers): staff admins may, support staff see them read-only. `None` while not yet
/// known in the browser.
///
/// The server knows it from the request's session and carries it to the browser with the page,
/// so both render the same. A browser that arrives here by client-side navigation (right after
/// signing in, say) has no such value: it learns it from the session once that has loaded, and
/// keeps the controls disabled, without the note, until then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaffAdmin(pub RwSignal<Option<bool>>);

pub fn provide_staff_admin(session: Resource<Result<SessionView, AppError>>) {
    let known = SharedValue::new(|| {
        // In the browser the value comes with the page; without one (client-side navigation)
        // it is not known until the session loads.
        if cfg!(feature = "ssr") { Some(use_context::<RenderedFor>().is_some_and(|r| r.staff_admin)) } else { None }
    })
    .into_inner();
    let admin = RwSignal::new(known);
    Effect::new(move |_| {
        if let Some(Ok(view)) = session.get() {
            admin.set(Some(view.is_staff_admin));
        }
    });
    provide_context(StaffAdmin(admin));
}

/// Whether the controls only staff admins use are enabled now (reactive).
pub fn staff_admin_enabled() -> impl Fn() -> bool + Copy + Send + Sync + 'static {
    let admin = use_context::<StaffAdmin>().map(|a| a.0);
    move || admin.and_then(|a| a.get()) == Some(true)
}

/// Disables the controls inside for support staff, and says who can use them.
#[component]
pub fn StaffAdminLock(
    /// What only admins do, as the start of "… is for staff admins", e.g. "Creating API keys".
    what: &'static str,
    children: Children,
) -> impl IntoView {
    let admin = use_context::<StaffAdmin>().map(|a| a.0);
    let known = move || admin.and_then(|a| a.get());
    let note_id = format!("admin-lock-{}", what.to_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), "-"));
    let described_by = {
        let note_id = note_id.clone();
        move || (known() == Some(false)).then(|| note_id.clone())
    };
    view! {
        {move || (known() == Some(false)).then(|| view! {
            <p id=note_id.clone() class="notice notice-info staff-lock-note">
                {format!("{what} is for staff admins. Ask an admin if something needs to change.")}
            </p>
        })}
        <fieldset class="lock" disabled=move || known() != Some(true) aria-describedby=described_by>
            {children()}
        </fieldset>
    }
}
