//! Agency staff's home: the vendor's client accounts and what each owes.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

use leptos_router::hooks::use_query_map;

use crate::api::staff::{ViewAsClient, estimate_decisions, list_clients};
use crate::domain::billing_items::{EstimateStatus, format_unix_date};
use crate::ui::components::badge::{Badge, Tone};
use crate::ui::components::empty_state::EmptyState;
use crate::ui::components::error_notice::ErrorNotice;
use crate::ui::components::full_reload::PortalChangeButton;
use crate::ui::components::money::totals_text;
use crate::wire::staff::{ClientRow, EstimateDecision};

/// A client's standing, in words (the badge's colour only repeats it).
fn standing(c: &ClientRow) -> (&'static str, Tone) {
    if c.overdue_invoices > 0 {
        ("Overdue", Tone::Danger)
    } else if c.outstanding.0.iter().any(|m| !m.is_zero()) {
        ("Amount due", Tone::Warning)
    } else {
        ("Up to date", Tone::Good)
    }
}

fn matches(c: &ClientRow, query: &str) -> bool {
    let query = query.trim().to_lowercase();
    query.is_empty() || c.name.to_lowercase().contains(&query) || c.company_name.to_lowercase().contains(&query)
}

#[component]
pub fn ClientList() -> impl IntoView {
    let clients = Resource::new(|| (), |_| list_clients());
    let query = use_query_map();
    let search = move || query.read().get("q").unwrap_or_default();
    // A client view the server refused comes back here (see `PortalChangeButton`).
    let view_as = ServerAction::<ViewAsClient>::new();
    let refused = move || view_as.value().get().and_then(Result::err).map(|e| e.to_string());
    view! {
        <Title text="Clients"/>
        <h1>"Clients"</h1>
        <p role="alert" class="form-alert" hidden=move || refused().is_none()>{refused}</p>
        <form class="search-form" method="get" action="/" role="search">
            <div class="field">
                <label for="client-search">"Search clients"</label>
                <input id="client-search" name="q" type="search" value=search placeholder="Name or company"/>
            </div>
            <button type="submit" class="button button-secondary">"Search"</button>
        </form>
        <Suspense fallback=|| view! { <p class="loading">"Loading clients…"</p> }>
            {move || Suspend::new(async move {
                let q = search();
                match clients.await {
                    Ok(rows) if rows.is_empty() => view! {
                        <EmptyState title="No clients yet" detail="Client accounts appear here once they are created."/>
                    }.into_any(),
                    Ok(rows) => {
                        let shown: Vec<ClientRow> = rows.into_iter().filter(|c| matches(c, &q)).collect();
                        if shown.is_empty() {
                            return view! { <EmptyState title="No matching clients" detail="Try another name, or clear the search."/> }.into_any();
                        }
                        view! {
                            <div class="table-wrap card">
                                <table class="data">
                                    <caption class="visually-hidden">"Client accounts"</caption>
                                    <thead><tr>
                                        <th scope="col">"Client"</th>
                                        <th scope="col">"Status"</th>
                                        <th scope="col" class="num">"Outstanding"</th>
                                        <th scope="col" class="num">"Overdue invoices"</th>
                                        <th scope="col" class="num">"Open estimates"</th>
                                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                    </tr></thead>
                                    <tbody>
                                        {shown.into_iter().map(|c| {
                                            let (label, tone) = standing(&c);
                                            let id = c.id.clone();
                                            view! {
                                                <tr>
                                                    <td data-label="Client"><strong>{c.name.clone()}</strong><br/><span class="muted">{c.company_name.clone()}</span></td>
                                                    <td data-label="Status"><Badge label=label tone/></td>
                                                    <td data-label="Outstanding" class="num">{totals_text(&c.outstanding, "Nothing due")}</td>
                                                    <td data-label="Overdue invoices" class="num">{c.overdue_invoices}</td>
                                                    <td data-label="Open estimates" class="num">{c.open_estimates}</td>
                                                    <td data-label="Actions">
                                                        <PortalChangeButton endpoint=ViewAsClient::url() account_id=id text="View as client" label=format!("View {} as client", c.name)/>
                                                    </td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any()
                    }
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
