use leptos::prelude::*;
use leptos_meta::{Link, Meta, MetaTags, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{SsrMode, path};

use super::layout::AppLayout;
use super::pages::accounts::{AccountMenuPage, AccountsPage};
use super::pages::activity::{ActivityPage, StaffActivityPage};
use super::pages::api_keys::ApiKeysPage;
use super::pages::billing_details::BillingDetailsPage;
use super::pages::billing_history::BillingHistoryPage;
use super::pages::billing_rules::BillingRulesPage;
use super::pages::credit::CreditPage;
use super::pages::estimates::EstimatesPage;
use super::pages::invitation::InvitationPage;
use super::pages::profile::ProfilePage;
use super::pages::subscriptions::SubscriptionsPage;
use super::pages::team::TeamPage;
use super::pages::transfers::TransfersPage;
use super::pages::usage::UsagePage;
use super::pages::webhooks::WebhooksPage;
use super::pages::{
    dashboard::DashboardPage, estimate::EstimatePage, invoice::InvoicePage, login::LoginPage, not_found::NotFound,
    pay::PayPage, pay_link::PayLinkPage, payment_methods::PaymentMethodsPage, payments::PaymentsPage,
};
use crate::wire::site::PageAssets;
use std::sync::Arc;

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // The server names the build's files (see `server::infra::assets`).
    let assets =
        use_context::<Arc<PageAssets>>().unwrap_or_else(|| Arc::new(PageAssets::unhashed(&options.output_name)));
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link id="leptos" rel="stylesheet" href=assets.stylesheet.clone()/>
                <Hydration src=assets.shell.clone()/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The shell's module (what it does and why: `wire::site::hydration_module`), with the nonce the
/// response's Content-Security-Policy allows (the module reads it to run the data scripts of
/// the pages it swaps in).
#[component]
fn Hydration(src: String) -> impl IntoView {
    // Islands: the server renders hydration markers only inside islands.
    if let Some(sc) = Owner::current_shared_context() {
        sc.set_is_hydrating(false);
    }
    let nonce = leptos::nonce::use_nonce();
    view! { <script type="module" src=src nonce=nonce></script> }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg"/>
        <Meta name="description" content="Your billing: invoices, subscriptions, payment methods and usage."/>
        <Title formatter=|text: String| if text.is_empty() { "Portico".to_string() } else { format!("{text} · Portico") }/>
        // Every page is sent whole, once its data is read: a streamed page paints its header and
        // fallbacks first and then moves when the rest arrives (layout shift on a phone), and
        // the out-of-order chunks cost the server more than one finished document.
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                // Public: a payment link pays one invoice without signing in.
                <Route path=path!("/pay/:token") view=PayLinkPage ssr=SsrMode::Async/>
                // Public: an invitation link joins a team.
                <Route path=path!("/invitations/:token") view=InvitationPage ssr=SsrMode::Async/>
                // The pages below take the layout's mode (the most blocking of parent and child).
                <ParentRoute path=path!("") view=AppLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=DashboardPage/>
                    <Route path=path!("invoices/:id") view=InvoicePage/>
                    <Route path=path!("subscriptions") view=SubscriptionsPage/>
                    <Route path=path!("credit") view=CreditPage/>
                    <Route path=path!("estimates") view=EstimatesPage/>
                    <Route path=path!("estimates/:id") view=EstimatePage/>
                    <Route path=path!("pay") view=PayPage/>
                    <Route path=path!("payments") view=PaymentsPage/>
                    <Route path=path!("billing-history") view=BillingHistoryPage/>
                    <Route path=path!("usage") view=UsagePage/>
                    <Route path=path!("billing-details") view=BillingDetailsPage/>
                    <Route path=path!("payment-methods") view=PaymentMethodsPage/>
                    <Route path=path!("accounts") view=AccountsPage/>
                    <Route path=path!("accounts/menu") view=AccountMenuPage/>
                    <Route path=path!("team") view=TeamPage/>
                    <Route path=path!("activity") view=ActivityPage/>
                    <Route path=path!("profile") view=ProfilePage/>
                    <Route path=path!("staff/activity") view=StaffActivityPage/>
                    <Route path=path!("staff/api-keys") view=ApiKeysPage/>
                    <Route path=path!("staff/webhooks") view=WebhooksPage/>
                    <Route path=path!("staff/billing-rules") view=BillingRulesPage/>
                    <Route path=path!("staff/transfers") view=TransfersPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
