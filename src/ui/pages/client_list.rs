//! Agency staff's home: the vendor's client accounts and what each owes.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::staff::{EstimateDecision, estimate_decisions, list_clients};
use crate::domain::billing_items::{EstimateStatus, format_unix_date};
use crate::ui::components::badge::{Badge, Tone};
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
        <Decisions/>
    }
}

/// Who approved or declined what, and when: the agency follows up on declines and bills approvals.
#[component]
fn Decisions() -> impl IntoView {
    let decisions = Resource::new(|| (), |_| estimate_decisions());
    view! {
        <section class="card" aria-labelledby="decisions-heading">
            <header class="card-header"><h2 id="decisions-heading">"Decisions on estimates and proposals"</h2></header>
            <Suspense fallback=|| view! { <p class="loading">"Loading decisions…"</p> }>
                {move || Suspend::new(async move {
                    match decisions.await {
                        Ok(rows) if rows.is_empty() => view! {
                            <EmptyState title="No decisions yet" detail="When a client approves or declines an estimate or proposal, it shows here."/>
                        }.into_any(),
                        Ok(rows) => view! {
                            <div class="table-wrap">
                                <table class="data">
                                    <caption class="visually-hidden">"Decisions on estimates and proposals"</caption>
                                    <thead><tr>
                                        <th scope="col">"Client"</th>
                                        <th scope="col">"Item"</th>
                                        <th scope="col">"Decision"</th>
                                        <th scope="col">"Decided by"</th>
                                        <th scope="col">"When"</th>
                                        <th scope="col">"Details"</th>
                                    </tr></thead>
                                    <tbody>{rows.into_iter().map(|d| view! { <DecisionRow d/> }).collect_view()}</tbody>
                                </table>
                            </div>
                        }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn DecisionRow(d: EstimateDecision) -> impl IntoView {
    let (label, tone) = match d.status {
        EstimateStatus::Approved => ("Approved", Tone::Good),
        EstimateStatus::Declined => ("Declined", Tone::Neutral),
        EstimateStatus::Open => ("Open", Tone::Warning),
    };
    let details = match (&d.approver_name, &d.decline_reason) {
        (Some(signed), _) => {
            let invoice = d.invoice_number.clone().map(|n| format!(" · invoice {n}")).unwrap_or_default();
            format!("Signed “{signed}”{invoice}")
        }
        (None, Some(reason)) => format!("Reason: {reason}"),
        _ => String::new(),
    };
    view! {
        <tr>
            <td data-label="Client">{d.client_name}</td>
            <td data-label="Item"><strong>{format!("{} {}", d.kind.label(), d.number)}</strong><br/><span class="muted">{d.title}</span></td>
            <td data-label="Decision"><Badge label=label tone/></td>
            <td data-label="Decided by">{d.decided_by}<br/><span class="muted">{d.decided_by_email.unwrap_or_default()}</span></td>
            <td data-label="When">{format_unix_date(d.decided_at)}</td>
            <td data-label="Details">{details}</td>
        </tr>
    }
}
