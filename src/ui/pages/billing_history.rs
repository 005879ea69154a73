//! Billing history (seed 000): every invoice and payment, newest first; filter by status,
//! find by invoice number, "Load more" appends older entries in place. The filter, search and
//! where the list starts (`after`) live in the address, so a filtered view can be bookmarked
//! and all of it works without JavaScript; the page has no island.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use super::no_access::NoBillingAccess;
use crate::api::billing_history::billing_history;
use crate::domain::billing_items::{InvoiceStatus, format_date, format_unix_date};
use crate::ui::components::badge::{Badge, Tone};
use crate::ui::components::empty_state::EmptyState;
use crate::ui::components::error_notice::ErrorNotice;
use crate::ui::components::load_more::MoreRows;
use crate::wire::billing_history::{HistoryEntry, HistoryFilter, HistoryPage};
use crate::wire::error::AppError;
use crate::wire::payments::PaymentStatus;

#[component]
pub fn BillingHistoryPage() -> impl IntoView {
    let query = use_query_map();
    let filter = move || query.read().get("filter").unwrap_or_else(|| "all".into());
    let search = move || query.read().get("q").unwrap_or_default();
    let after = move || query.read().get("after");
    let first_page = Resource::new_blocking(
        move || (filter(), search(), after()),
        |(filter, search, after)| billing_history(after, Some(filter), Some(search)),
    );
    view! {
        <Title text="Billing history"/>
        <h1>"Billing history"</h1>
        <Form method="GET" action="" attr:class="filters" attr:role="search" attr:aria-label="Filter billing history">
            <div class="field field-inline">
                <label for="history-filter">"Show"</label>
                <select id="history-filter" name="filter" data-submit-on-change="">
                    {HistoryFilter::ALL.into_iter().map(|f| view! {
                        <option value=f.as_str() selected=move || filter() == f.as_str()>{f.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field field-inline">
                <label for="history-search">"Find invoice by number"</label>
                <input id="history-search" name="q" type="search" placeholder="e.g. ACME-000012" value=search/>
            </div>
            <button type="submit" class="button button-secondary">"Search"</button>
        </Form>
        <StatementForm/>
        <Suspense fallback=|| view! { <p class="loading">"Loading your billing history…"</p> }>
            {move || Suspend::new(async move {
                match first_page.await {
                    Ok(page) if page.entries.is_empty() => view! {
                        <EmptyState title="Nothing found" detail="No invoices or payments match. Try another filter or number."/>
                    }.into_any(),
                    Ok(page) => view! { <Timeline page filter=filter() search=search()/> }.into_any(),
                    Err(AppError::Forbidden) => view! { <NoBillingAccess/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Timeline(page: HistoryPage, filter: String, search: String) -> impl IntoView {
    let shown = page.entries.len();
    view! {
        <section class="card" aria-labelledby="timeline-heading">
            <header class="card-header">
                <h2 id="timeline-heading">"Invoices and payments"</h2>
                <span class="count" aria-label="Entries shown" data-count-of="history-rows">{shown}</span>
            </header>
            <div class="table-wrap">
                <table class="data history">
                    <caption class="visually-hidden">"Invoices and payments, newest first"</caption>
                    <thead><tr>
                        <th scope="col">"Date"</th>
                        <th scope="col">"Item"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col" class="num">"Amount"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr></thead>
                    <tbody id="history-rows">
                        {page.entries.into_iter().map(|e| view! { <EntryRow e/> }).collect_view()}
                    </tbody>
                </table>
            </div>
            <MoreRows rows_id="history-rows" next_cursor=page.next_cursor keep=vec![("filter", filter), ("q", search)]/>
        </section>
    }
}

#[component]
fn EntryRow(e: HistoryEntry) -> impl IntoView {
    match e {
        HistoryEntry::Invoice { id, number, kind, status, is_overdue, issue_date, due_date, total, amount_due } => {
            let (label, tone) = match status {
                _ if kind.is_statement() => ("For your records".to_string(), Tone::Neutral),
                _ if is_overdue => ("Overdue".to_string(), Tone::Danger),
                InvoiceStatus::Paid => ("Paid".to_string(), Tone::Good),
                InvoiceStatus::Open | InvoiceStatus::AwaitingTransfer => (status.label().to_string(), Tone::Warning),
                other => (other.label().to_string(), Tone::Neutral),
            };
            let noun = kind.noun();
            let detail = if kind.is_statement() {
                "Nothing to pay".to_string()
            } else if status.is_outstanding() {
                format!("Due {} · {} to pay", format_date(due_date), amount_due.format())
            } else {
                format!("Due {}", format_date(due_date))
            };
            view! {
                <tr>
                    <td data-label="Date">{format_date(issue_date)}</td>
                    <td data-label="Item">
                        <span class="item-title">{kind.label()} " " {number.clone()}</span>
                        <span class="item-sub">{detail}</span>
                    </td>
                    <td data-label="Status"><Badge label tone/></td>
                    <td data-label="Amount" class="num">{total.format()}</td>
                    <td class="action actions">
                        <a class="button button-small button-secondary" href=format!("/invoices/{id}") aria-label=format!("View {noun} {number}")>"View"</a>
                        <a class="button button-small button-secondary" href=format!("/invoices/{id}/pdf") download rel="external" aria-label=format!("Download {noun} {number} as PDF")>"PDF"</a>
                    </td>
                </tr>
            }.into_any()
        }
        HistoryEntry::Payment { id, at, method_label, status, total, invoice_numbers, failure_message } => {
            let tone = match status {
                PaymentStatus::Succeeded => Tone::Good,
                PaymentStatus::Failed => Tone::Danger,
                PaymentStatus::Pending | PaymentStatus::AwaitingTransfer => Tone::Warning,
            };
            let paid =
                if invoice_numbers.is_empty() { String::new() } else { format!("For {}", invoice_numbers.join(", ")) };
            view! {
                <tr>
                    <td data-label="Date">{format_unix_date(at)}</td>
                    <td data-label="Item">
                        <span class="item-title">"Payment · " {method_label}</span>
                        <span class="item-sub">{paid}</span>
                        {failure_message.map(|m| view! { <span class="item-sub failure">{m}</span> })}
                    </td>
                    <td data-label="Status"><Badge label=status.label() tone/></td>
                    <td data-label="Amount" class="num">{total.format()}</td>
                    <td class="action actions">
                        {(status == PaymentStatus::Succeeded).then(|| view! {
                            <a class="button button-small button-secondary" href=format!("/payments/{id}/receipt.pdf") download rel="external" aria-label="Download receipt as PDF">"Receipt"</a>
                        })}
                    </td>
                </tr>
            }.into_any()
        }
    }
}

/// Statements download as files, so this is a plain form: the browser saves the response.
#[component]
fn StatementForm() -> impl IntoView {
    view! {
        <details class="card statement-form">
            <summary>"Download a statement"</summary>
            <form method="get" action="/statement.pdf" class="filters">
                <p class="muted">"Opening balance, every invoice and payment in the period with a running balance, and the closing balance."</p>
                <div class="field field-inline">
                    <label for="statement-from">"From"</label>
                    <input id="statement-from" name="from" type="date" required/>
                </div>
                <div class="field field-inline">
                    <label for="statement-to">"To"</label>
                    <input id="statement-to" name="to" type="date" required/>
                </div>
                <button type="submit" class="button button-secondary" formaction="/statement.pdf">"Download PDF"</button>
                <button type="submit" class="button button-secondary" formaction="/statement.csv">"Download CSV"</button>
            </form>
        </details>
    }
}
