//! The frame of every signed-in page: header with the main navigation, the account and the
//! user menu.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::{A, Outlet};

use crate::api::accounts::SwitchAccount;
use crate::api::auth::{Logout, current_session};
use crate::api::staff::ExitClientView;
use crate::domain::billing_items::format_unix_time;
use crate::wire::auth::SessionView;
use crate::wire::error::AppError;

/// The signed-in session, shared by the pages below the layout.
pub type SessionResource = Resource<Result<SessionView, AppError>>;

#[component]
pub fn AppLayout() -> impl IntoView {
    let session: SessionResource = Resource::new(|| (), |_| current_session());
    provide_context(session);
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                session.await.ok().and_then(|s| s.viewing_as_client).map(|v| view! { <ClientViewBanner account_name=v.account_name ends_at=v.ends_at/> })
            })}
        </Transition>
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
                            {(s.is_staff && s.account.is_none()).then(|| view! { <StaffNav/> })}
                            {s.back_to.clone().map(|back| view! {
                                <a class="back-to-vendor" href=back.url rel="noopener">{back.label}</a>
                            })}
                            <SessionControls session=s/>
                        })
                    })}
                </Transition>
            </div>
        </header>
        <main id="main" class="page">
            <SwitchRefused/>
            <Outlet/>
        </main>
    }
}

/// On every page while agency staff view the portal as the client (seed 004). "Exit" is a form
/// the browser posts itself (`data-document`, as for every change of whose portal is shown: see
/// `PortalChangeButton`), answered with the agency console, a document load; no WASM, so the
/// client's pages stay without it for staff too. A refusal comes back in the address and is said
/// here.
#[component]
fn ClientViewBanner(account_name: String, ends_at: i64) -> impl IntoView {
    let exit = ServerAction::<ExitClientView>::new();
    let failed = move || exit.value().get().and_then(Result::err).map(|e| e.to_string());
    view! {
        <div class="client-view-banner" role="region" aria-label="Client view">
            <span>{format!("Viewing as {account_name}")}</span>
            <span class="muted">{format!("Ends by itself at {} UTC", format_unix_time(ends_at))}</span>
            <form method="post" action=ExitClientView::url() data-document="">
                <button type="submit" class="button button-small">"Exit"</button>
            </form>
            <span role="alert">{failed}</span>
        </div>
    }
}

/// The agency console's pages.
#[component]
fn StaffNav() -> impl IntoView {
    view! {
        <nav class="main-nav" aria-label="Main">
            <ul>
                <li><A href="/" exact=true>"Clients"</A></li>
                <li><A href="/staff/transfers">"Transfers"</A></li>
                <li><A href="/staff/activity">"Activity"</A></li>
                <li><A href="/staff/api-keys">"API keys"</A></li>
                <li><A href="/staff/webhooks">"Webhooks"</A></li>
                <li><A href="/staff/billing-rules">"Billing rules"</A></li>
            </ul>
        </nav>
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
                <li><A href="/credit">"Credit"</A></li>
                <li><A href="/billing-history">"Billing history"</A></li>
                <li><A href="/usage">"Usage"</A></li>
                <li><A href="/estimates">"Estimates"</A></li>
                <li><A href="/payments">"Payments"</A></li>
                <li><A href="/payment-methods">"Payment methods"</A></li>
                <li><A href="/billing-details">"Billing details"</A></li>
                <li><A href="/activity">"Activity"</A></li>
            </ul>
        </nav>
    }
}

/// The account badge and the account menu. The menu is plain HTML: the shell's module
/// (`wire/hydration.js`) opens and closes it (`data-disclosure`: the button's `aria-expanded`
/// and the panel's `hidden`, Esc closes it and gives the button the focus back, a link in it
/// closes it), sign-out is a form, and the account switcher's list is fetched as HTML when the
/// menu is about to open. A page needs no WASM for its header.
#[component]
fn SessionControls(session: SessionView) -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    let account_label = session.account.as_ref().map(|a| (a.name.clone(), a.role.label()));
    let staff = session.is_staff;
    let own_view = session.viewing_as_client.is_none();
    let has_account = session.account.is_some();
    view! {
        <div class="session">
            {account_label.map(|(name, role)| view! {
                <div class="account-badge">
                    <span class="account-name">{name}</span>
                    <span class="account-role">{role}</span>
                </div>
            })}
            {staff.then(|| view! { <span class="account-badge staff-badge">"Agency staff"</span> })}
            <div class="user-menu">
                <button
                    type="button"
                    class="avatar-button"
                    data-disclosure=""
                    aria-haspopup="true"
                    aria-expanded="false"
                    aria-controls="user-menu-panel"
                    aria-label="Account menu"
                >
                    <span class="avatar avatar-sm" aria-hidden="true">{session.initials.clone()}</span>
                </button>
                <div id="user-menu-panel" class="menu-panel" hidden>
                    <p class="menu-name">{session.user_name.clone()}</p>
                    <p class="menu-email">{session.email.clone()}</p>
                    {own_view.then(|| view! { <AccountSwitcher/> })}
                    <ul class="menu-list menu-section">
                        {has_account.then(|| view! { <li><a class="menu-item" href="/team">"Team"</a></li> })}
                        {own_view.then(|| view! { <li><a class="menu-item" href="/profile">"Password"</a></li> })}
                    </ul>
                    <ActionForm action=logout>
                        <button type="submit" class="button button-secondary button-block">"Sign out"</button>
                    </ActionForm>
                </div>
            </div>
        </div>
    }
}

/// The id of the account menu's list on `AccountMenuPage` (`/accounts/menu`), which the shell
/// puts into the header's menu when it opens.
pub const ACCOUNT_MENU_LIST: &str = "account-menu-list";

/// Where the account menu lists this login's accounts: filled by the shell from
/// `AccountMenuPage` when the menu is about to open (a pointer over its button, the focus on it)
/// or opens (`data-fill-from`: one request for a small page, no WASM). Until then, and if that
/// fails, the link to all accounts.
#[component]
fn AccountSwitcher() -> impl IntoView {
    view! {
        <div class="menu-section" data-fill-from="/accounts/menu" data-fill-part=ACCOUNT_MENU_LIST>
            <p class="menu-heading">"Accounts"</p>
            <ul class="menu-list">
                <li><a class="menu-item" href="/accounts">"All accounts"</a></li>
            </ul>
        </div>
    }
}

/// A switch of account the server refused (from the account menu or the all-accounts page):
/// the browser posted the form itself, and the refusal comes back in the address of the page it
/// was on, where it is said above the page.
#[component]
fn SwitchRefused() -> impl IntoView {
    let switch = ServerAction::<SwitchAccount>::new();
    move || {
        switch
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| view! { <p role="alert" class="form-alert">{e.to_string()}</p> })
    }
}
