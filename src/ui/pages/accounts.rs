//! All of a login's accounts on one page (seed 001): what each owes, and in total per currency.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

use crate::api::accounts::{SwitchAccount, my_accounts};
use crate::ui::components::badge::{Badge, Tone};
use crate::ui::components::error_notice::ErrorNotice;
use crate::ui::components::full_reload::PortalChangeButton;
use crate::ui::components::money::totals_text;
use crate::wire::accounts::MyAccount;

#[component]
pub fn AccountsPage() -> impl IntoView {
    let overview = Resource::new_blocking(|| (), |_| my_accounts());
    // A switch the server refused comes back here (see `PortalChangeButton`).
    let switch = ServerAction::<SwitchAccount>::new();
    let refused = move || switch.value().get().and_then(Result::err).map(|e| e.to_string());
    view! {
        <Title text="All accounts"/>
        <h1>"All accounts"</h1>
        <p class="page-note">"Every account you belong to, with what each owes. Amounts in different currencies are never added together."</p>
        <p role="alert" class="form-alert" hidden=move || refused().is_none()>{refused}</p>
        <Suspense fallback=|| view! { <p class="loading">"Loading your accounts…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => view! {
                        <div class="tiles">
                            <div class="tile">
                                <span class="tile-label">"Outstanding across all accounts"</span>
                                <span class="tile-value">{totals_text(&o.totals, "Nothing due")}</span>
                            </div>
                        </div>
                        <div class="table-wrap card">
                            <table class="data">
                                <caption class="visually-hidden">"Your accounts"</caption>
                                <thead><tr>
                                    <th scope="col">"Account"</th>
                                    <th scope="col">"Your role"</th>
                                    <th scope="col" class="num">"Outstanding"</th>
                                    <th scope="col" class="num">"Overdue invoices"</th>
                                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                </tr></thead>
                                <tbody>
                                    {o.accounts.into_iter().map(|a| view! { <AccountRow a/> }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AccountRow(a: MyAccount) -> impl IntoView {
    let id = a.summary.id.clone();
    let name = a.summary.name.clone();
    view! {
        <tr>
            <td data-label="Account"><strong>{a.summary.name.clone()}</strong><br/><span class="muted">{a.summary.company_name.clone()}</span></td>
            <td data-label="Your role">{a.role.label()}</td>
            <td data-label="Outstanding" class="num">{totals_text(&a.summary.outstanding, "Nothing due")}</td>
            <td data-label="Overdue invoices" class="num">{a.summary.overdue_invoices}</td>
            <td data-label="Actions">
                {if a.is_current {
                    view! { <Badge label="Current" tone=Tone::Good/> }.into_any()
                } else {
                    view! {
                        <PortalChangeButton endpoint=SwitchAccount::url() account_id=id text="Switch" label=format!("Switch to {name}")/>
                    }.into_any()
                }}
            </td>
        </tr>
    }
}
