//! The activity log: the account's (for its billing people), or everything (for staff), newest
//! first, "Load more" appending older entries in place (no island: see `load_more::MoreRows`).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::no_access::NoBillingAccess;
use crate::api::activity::{account_activity, staff_activity};
use crate::domain::billing_items::format_unix_time;
use crate::ui::components::empty_state::EmptyState;
use crate::ui::components::error_notice::ErrorNotice;
use crate::ui::components::load_more::MoreRows;
use crate::wire::activity::{ActivityEntry, ActivityPage};
use crate::wire::error::AppError;

#[component]
pub fn ActivityPage() -> impl IntoView {
    let query = use_query_map();
    let first = Resource::new_blocking(move || query.read().get("after"), account_activity);
    view! {
        <Title text="Activity"/>
        <h1>"Activity"</h1>
        <p class="page-note">"Sign-ins, payments, changes and decisions on this account, and when agency staff viewed it."</p>
        <Suspense fallback=|| view! { <p class="loading">"Loading activity…"</p> }>
            {move || Suspend::new(async move {
                match first.await {
                    Ok(page) => view! { <Log page staff=false/> }.into_any(),
                    Err(AppError::Forbidden) => view! { <NoBillingAccess/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn StaffActivityPage() -> impl IntoView {
    let query = use_query_map();
    let first = Resource::new_blocking(move || query.read().get("after"), staff_activity);
    view! {
        <Title text="Activity"/>
        <h1>"Activity across clients"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading activity…"</p> }>
            {move || Suspend::new(async move {
                match first.await {
                    Ok(page) => view! { <Log page staff=true/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Log(page: ActivityPage, staff: bool) -> impl IntoView {
    if page.entries.is_empty() {
        return view! { <EmptyState title="No activity yet" detail="What happens on the account will be listed here."/> }.into_any();
    }
    view! {
        <section class="card">
            <div class="table-wrap">
                <table class="data">
                    <caption class="visually-hidden">"Activity, newest first"</caption>
                    <thead><tr>
                        <th scope="col">"When (UTC)"</th>
                        {staff.then(|| view! { <th scope="col">"Account"</th> })}
                        <th scope="col">"What"</th>
                        <th scope="col">"Who"</th>
                    </tr></thead>
                    <tbody id="activity-rows">
                        {page.entries.into_iter().map(|e| view! { <Row e staff/> }).collect_view()}
                    </tbody>
                </table>
            </div>
            <MoreRows rows_id="activity-rows" next_cursor=page.next_cursor/>
        </section>
    }
    .into_any()
}

#[component]
fn Row(e: ActivityEntry, staff: bool) -> impl IntoView {
    let who = match &e.on_behalf_by_staff {
        Some(staff_name) => format!("{staff_name} (agency staff, viewing as the client)"),
        None => e.actor.clone(),
    };
    view! {
        <tr>
            <td data-label="When (UTC)">{format_unix_time(e.occurred_at)}</td>
            {staff.then(|| view! { <td data-label="Account">{e.account_name.clone().unwrap_or_else(|| "—".into())}</td> })}
            <td data-label="What">{e.summary.clone()}</td>
            <td data-label="Who">{who}</td>
        </tr>
    }
}
