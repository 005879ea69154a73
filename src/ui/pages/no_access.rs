//! What a member without billing access sees: who in the account can help.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::dashboard::billing_helpers;
use crate::ui::components::error_notice::ErrorNotice;

#[component]
pub fn NoBillingAccess() -> impl IntoView {
    let info = Resource::new(|| (), |_| billing_helpers());
    view! {
        <Title text="No billing access"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match info.await {
                    Ok(info) => view! {
                        <section class="notice no-access">
                            <h1>"You don't have access to billing"</h1>
                            <p>
                                "Your role in " <strong>{info.account_name.clone()}</strong> " is "
                                <strong>{info.your_role.label()}</strong>
                                ", which doesn't include invoices, payments or subscriptions."
                            </p>
                            {if info.people.is_empty() {
                                view! { <p>"No one in this account has billing access yet. Contact your provider's support."</p> }.into_any()
                            } else {
                                view! {
                                    <p>"These people in your account can help with billing:"</p>
                                    <ul class="people">
                                        {info.people.into_iter().map(|p| view! {
                                            <li>
                                                <span class="person-name">{p.name}</span>
                                                <span class="person-role">{p.role.label()}</span>
                                                <a href=format!("mailto:{}", p.email)>{p.email.clone()}</a>
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                        </section>
                    }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
