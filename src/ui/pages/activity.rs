//! The activity log: the account's (for its billing people), or everything (for staff).

use leptos::prelude::*;
use leptos_meta::Title;

use super::no_access::NoBillingAccess;
use crate::api::activity::{account_activity, staff_activity};
use crate::domain::billing_items::format_unix_time;
use crate::ui::components::empty_state::EmptyState;
use crate::ui::components::error_notice::ErrorNotice;
use crate::ui::components::load_more::{LoadMoreFooter, Paged, paged};
use crate::wire::activity::{ActivityEntry, ActivityPage};
use crate::wire::error::AppError;

#[component]
pub fn ActivityPage() -> impl IntoView {
    let first = Resource::new_blocking(|| (), |_| account_activity(None));
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
    let first = Resource::new_blocking(|| (), |_| staff_activity(None));
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

/// An island: "Load more" appends older entries in place.
#[island]
fn Log(page: ActivityPage, staff: bool) -> impl IntoView {
    if page.entries.is_empty() {
        return view! { <EmptyState title="No activity yet" detail="What happens on the account will be listed here."/> }.into_any();
    }
    let Paged { entries, next_cursor, load } = paged(page.entries, page.next_cursor, move |cursor| async move {
        let page = if staff { staff_activity(Some(cursor)).await? } else { account_activity(Some(cursor)).await? };
        Ok((page.entries, page.next_cursor))
    });
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
                    <tbody>
                        <For each=move || entries.get() key=|e| e.id.clone() let:e>
                            <Row e staff/>
                        </For>
                    </tbody>
                </table>
            </div>
            <LoadMoreFooter next_cursor load/>
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
