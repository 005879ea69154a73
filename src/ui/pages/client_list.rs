//! Agency staff's home: the vendor's client accounts and what each owes.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::staff::list_clients;
use crate::ui::components::empty_state::EmptyState;
use crate::ui::components::error_notice::ErrorNotice;
use crate::ui::components::money::totals_text;

#[component]
pub fn ClientList() -> impl IntoView {
    let clients = Resource::new(|| (), |_| list_clients());
    view! {
        <Title text="Clients"/>
        <h1>"Clients"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading clients…"</p> }>
            {move || Suspend::new(async move {
                match clients.await {
                    Ok(rows) if rows.is_empty() => view! {
                        <EmptyState title="No clients yet" detail="Client accounts appear here once they are created."/>
                    }.into_any(),
                    Ok(rows) => view! {
                        <div class="table-wrap card">
                            <table class="data">
                                <caption class="visually-hidden">"Client accounts"</caption>
                                <thead><tr>
                                    <th scope="col">"Client"</th>
                                    <th scope="col" class="num">"Outstanding"</th>
                                    <th scope="col" class="num">"Overdue invoices"</th>
                                    <th scope="col" class="num">"Open estimates"</th>
                                </tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|c| view! {
                                        <tr>
                                            <td data-label="Client"><strong>{c.name}</strong><br/><span class="muted">{c.company_name}</span></td>
                                            <td data-label="Outstanding" class="num">{totals_text(&c.outstanding, "Nothing due")}</td>
                                            <td data-label="Overdue invoices" class="num">{c.overdue_invoices}</td>
                                            <td data-label="Open estimates" class="num">{c.open_estimates}</td>
                                        </tr>
                                    }).collect_view()}
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
