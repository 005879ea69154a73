//! All of a login's accounts (seed 001): on one page, what each owes and in total per currency;
//! and the short list the header's account menu shows.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

use crate::api::accounts::{SwitchAccount, my_accounts};
use crate::ui::components::badge::{Badge, Tone};
use crate::ui::components::error_notice::ErrorNotice;
use crate::ui::components::full_reload::PortalChangeButton;
use crate::ui::components::money::totals_text;
use crate::ui::layout::ACCOUNT_MENU_LIST;
use crate::wire::accounts::MyAccount;

#[component]
pub fn AccountsPage() -> impl IntoView {
    let overview = Resource::new_blocking(|| (), |_| my_accounts());
    view! {
        <Title text="All accounts"/>
        <h1>"All accounts"</h1>
        <p class="page-note">"Every account you belong to, with what each owes. Amounts in different currencies are never added together."</p>
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

/// The accounts this login belongs to, as the header's account menu lists them: each with what
/// it owes, a button switching to it. The shell fetches this page when the menu is about to open
/// on a page (a pointer over its button, the focus on it) and takes the list from it, so the header needs no WASM and no page renders the
/// accounts' balances until someone asks for them. Without the shell it is a page of its own.
#[component]
pub fn AccountMenuPage() -> impl IntoView {
    let overview = Resource::new_blocking(|| (), |_| my_accounts());
    view! {
        <Title text="Switch account"/>
        <h1>"Switch account"</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => view! {
                        <div id=ACCOUNT_MENU_LIST class="menu-section">
                            <p class="menu-heading" id="switcher-heading">"Accounts"</p>
                            <ul class="menu-list" aria-labelledby="switcher-heading">
                                {o.accounts.into_iter().map(|a| view! { <AccountMenuItem a/> }).collect_view()}
                                <li><a class="menu-item" href="/accounts">"All accounts"</a></li>
                            </ul>
                        </div>
                    }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// One account of the menu: a form the browser posts itself (`data-document`), answered with
/// the dashboard by a document load, as every change of whose portal is shown
/// (`PortalChangeButton`). The current account's button does nothing.
#[component]
fn AccountMenuItem(a: MyAccount) -> impl IntoView {
    let owes = totals_text(&a.summary.outstanding, "Nothing due");
    let label = format!("{}{}, {owes}", a.summary.name, if a.is_current { " (current)" } else { "" });
    let current = a.is_current;
    view! {
        <li>
            <form method="post" action=SwitchAccount::url() class="menu-form" data-document="">
                <input type="hidden" name="account_id" value=a.summary.id.clone()/>
                <button type="submit" class="menu-item" aria-current=current.to_string() aria-label=label disabled=current>
                    <span>{a.summary.name.clone()}</span>
                    <span class="menu-item-amount">{owes}</span>
                </button>
            </form>
        </li>
    }
}
