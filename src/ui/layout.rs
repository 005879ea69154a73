//! The frame of every signed-in page: header with the main navigation, the account and the
//! user menu.

use leptos::prelude::*;
use leptos_router::components::{A, Outlet};

use crate::api::auth::{Logout, SessionView, current_session};
use crate::api::error::AppError;

/// The signed-in session, shared by the pages below the layout.
pub type SessionResource = Resource<Result<SessionView, AppError>>;

#[component]
pub fn AppLayout() -> impl IntoView {
    let session: SessionResource = Resource::new(|| (), |_| current_session());
    provide_context(session);
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <div class="topbar-inner">
                <A href="/" attr:class="brand">
                    <span class="brand-mark" aria-hidden="true">"P"</span>
                    <span>"Portico"</span>
                </A>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        session.await.ok().map(|s| view! {
                            {s.has_billing_access().then(|| view! { <MainNav/> })}
                            <SessionControls session=s/>
                        })
                    })}
                </Transition>
            </div>
        </header>
        <main id="main" class="page">
            <Outlet/>
        </main>
    }
}

/// The billing pages, for people with billing access. `<A>` marks the current one with
/// `aria-current="page"`.
#[component]
fn MainNav() -> impl IntoView {
    view! {
        <nav class="main-nav" aria-label="Main">
            <ul>
                <li><A href="/" exact=true>"Dashboard"</A></li>
                <li><A href="/subscriptions">"Subscriptions"</A></li>
                <li><A href="/billing-history">"Billing history"</A></li>
                <li><A href="/estimates">"Estimates"</A></li>
                <li><A href="/payments">"Payments"</A></li>
                <li><A href="/payment-methods">"Payment methods"</A></li>
                <li><A href="/billing-details">"Billing details"</A></li>
            </ul>
        </nav>
    }
}

#[component]
fn SessionControls(session: SessionView) -> impl IntoView {
    let open = RwSignal::new(false);
    let button = NodeRef::<leptos::html::Button>::new();
    let close_on_escape = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" && open.get_untracked() {
            open.set(false);
            if let Some(button) = button.get_untracked() {
                let _ = button.focus();
            }
        }
    };
    let logout = ServerAction::<Logout>::new();
    let account_label = session.account.as_ref().map(|a| (a.name.clone(), a.role.label()));
    let staff = session.is_staff;
    view! {
        <div class="session">
            {account_label.map(|(name, role)| view! {
                <div class="account-badge">
                    <span class="account-name">{name}</span>
                    <span class="account-role">{role}</span>
                </div>
            })}
            {staff.then(|| view! { <span class="account-badge staff-badge">"Agency staff"</span> })}
            <div class="user-menu" on:keydown=close_on_escape>
                <button
                    node_ref=button
                    type="button"
                    class="avatar-button"
                    aria-haspopup="true"
                    aria-expanded=move || open.get().to_string()
                    aria-controls="user-menu-panel"
                    aria-label="Account menu"
                    on:click=move |_| open.update(|o| *o = !*o)
                >
                    <span class="avatar avatar-sm" aria-hidden="true">{session.initials.clone()}</span>
                </button>
                <div id="user-menu-panel" class="menu-panel" hidden=move || !open.get()>
                    <p class="menu-name">{session.user_name.clone()}</p>
                    <p class="menu-email">{session.email.clone()}</p>
                    <ActionForm action=logout>
                        <button type="submit" class="button button-secondary button-block">"Sign out"</button>
                    </ActionForm>
                </div>
            </div>
        </div>
    }
}
