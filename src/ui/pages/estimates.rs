//! Estimates and proposals (seed 004): those awaiting a decision first, then the decided.

use leptos::prelude::*;
use leptos_meta::Title;

use super::no_access::NoBillingAccess;
use crate::api::estimates::list_estimates;
use crate::domain::billing_items::{EstimateStatus, format_date};
use crate::ui::components::badge::{Badge, Tone};
use crate::ui::components::empty_state::EmptyState;
use crate::ui::components::error_notice::ErrorNotice;
use crate::wire::error::AppError;
use crate::wire::estimates::EstimateSummary;

#[component]
pub fn EstimatesPage() -> impl IntoView {
    let estimates = Resource::new_blocking(|| (), |_| list_estimates());
    view! {
        <Title text="Estimates and proposals"/>
        <h1>"Estimates and proposals"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match estimates.await {
                    Ok(list) if list.is_empty() => view! {
                        <EmptyState title="No estimates or proposals" detail="When your provider sends one, it appears here for you to approve or decline."/>
                    }.into_any(),
                    Ok(list) => view! {
                        <section class="card" aria-labelledby="estimates-heading">
                            <header class="card-header"><h2 id="estimates-heading">"All estimates and proposals"</h2></header>
                            <div class="table-wrap">
                                <table class="data">
                                    <caption class="visually-hidden">"Estimates and proposals"</caption>
                                    <thead><tr>
                                        <th scope="col">"Item"</th>
                                        <th scope="col">"Valid until"</th>
                                        <th scope="col">"Status"</th>
                                        <th scope="col" class="num">"Total"</th>
                                        <th scope="col"><span class="visually-hidden">"Action"</span></th>
                                    </tr></thead>
                                    <tbody>{list.into_iter().map(|e| view! { <EstimateRow e/> }).collect_view()}</tbody>
                                </table>
                            </div>
                        </section>
                    }.into_any(),
                    Err(AppError::Forbidden) => view! { <NoBillingAccess/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EstimateRow(e: EstimateSummary) -> impl IntoView {
    let (label, tone) = match e.status {
        EstimateStatus::Open if e.is_expired => ("Expired", Tone::Neutral),
        EstimateStatus::Open => ("Awaiting decision", Tone::Warning),
        EstimateStatus::Approved => ("Approved", Tone::Good),
        EstimateStatus::Declined => ("Declined", Tone::Neutral),
    };
    let name = format!("{} {}", e.kind.label(), e.number);
    view! {
        <tr>
            <td data-label="Item">
                <span class="item-title">{name.clone()}</span>
                <span class="item-sub">{e.title.clone()}</span>
            </td>
            <td data-label="Valid until">{format_date(e.valid_until)}</td>
            <td data-label="Status"><Badge label tone/></td>
            <td data-label="Total" class="num">{e.total.format()}</td>
            <td class="action">
                <a class="button button-small" href=format!("/estimates/{}", e.id) aria-label=format!("View {} {}", e.kind.label().to_lowercase(), e.number)>"View"</a>
            </td>
        </tr>
    }
}
