//! Payment history (seeds 000, 001): every payment and failed attempt, newest first, with
//! "Load more" appending older ones in place (no island: see `load_more::MoreRows`).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::no_access::NoBillingAccess;
use crate::api::payments::payment_history;
use crate::domain::billing_items::format_unix_date;
use crate::ui::components::badge::{Badge, Tone};
use crate::ui::components::empty_state::EmptyState;
use crate::ui::components::error_notice::ErrorNotice;
use crate::ui::components::load_more::MoreRows;
use crate::wire::error::AppError;
use crate::wire::payments::{PaymentEntry, PaymentHistoryPage, PaymentStatus};

#[component]
pub fn PaymentsPage() -> impl IntoView {
    let query = use_query_map();
    let first_page = Resource::new_blocking(move || query.read().get("after"), payment_history);
    view! {
        <Title text="Payment history"/>
        <h1>"Payment history"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading your payments…"</p> }>
            {move || Suspend::new(async move {
                match first_page.await {
                    Ok(page) if page.entries.is_empty() => view! {
                        <EmptyState title="No payments yet" detail="Payments you make, and any that fail, will be listed here."/>
                    }.into_any(),
                    Ok(page) => view! { <History page/> }.into_any(),
                    Err(AppError::Forbidden) => view! { <NoBillingAccess/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn History(page: PaymentHistoryPage) -> impl IntoView {
    let shown = page.entries.len();
    view! {
        <section class="card" aria-labelledby="history-heading">
            <header class="card-header">
                <h2 id="history-heading">"Payments"</h2>
                <span class="count" aria-label="Payments shown" data-count-of="payment-rows">{shown}</span>
            </header>
            <div class="table-wrap">
                <table class="data history">
                    <caption class="visually-hidden">"Payments, newest first"</caption>
                    <thead><tr>
                        <th scope="col">"Date"</th>
                        <th scope="col">"Invoices"</th>
                        <th scope="col">"Method"</th>
                        <th scope="col" class="num">"Amount"</th>
                        <th scope="col" class="num">"Fee"</th>
                        <th scope="col" class="num">"Total"</th>
                        <th scope="col">"Status"</th>
                    </tr></thead>
                    <tbody id="payment-rows">
                        {page.entries.into_iter().map(|e| view! { <HistoryRow e/> }).collect_view()}
                    </tbody>
                </table>
            </div>
            <MoreRows rows_id="payment-rows" next_cursor=page.next_cursor/>
        </section>
    }
}

#[component]
fn HistoryRow(e: PaymentEntry) -> impl IntoView {
    let tone = match e.status {
        PaymentStatus::Succeeded => Tone::Good,
        PaymentStatus::Failed => Tone::Danger,
        PaymentStatus::Pending | PaymentStatus::AwaitingTransfer => Tone::Warning,
    };
    view! {
        <tr>
            <td data-label="Date">{format_unix_date(e.at)}</td>
            <td data-label="Invoices">{e.invoice_numbers.join(", ")}</td>
            <td data-label="Method">{e.method_label.clone()}</td>
            <td data-label="Amount" class="num">{e.amount.format()}</td>
            <td data-label="Fee" class="num">{e.fee.format()}</td>
            <td data-label="Total" class="num">{e.total.format()}</td>
            <td data-label="Status" class="status-cell">
                <Badge label=e.status.label() tone/>
                {e.failure_message.clone().map(|m| view! { <span class="item-sub failure">{m}</span> })}
            </td>
        </tr>
    }
}
