use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::billing_items::{InvoiceDetail, get_invoice};
use crate::domain::billing_items::{InvoiceStatus, format_date};
use crate::ui::components::badge::{Badge, Tone};
use crate::ui::components::document::{LinesTable, Party};
use crate::ui::components::error_notice::ErrorNotice;

#[component]
pub fn InvoicePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    // Blocking: the response status (404 for another account's invoice) must be known before
    // the first byte is streamed.
    let invoice = Resource::new_blocking(id, get_invoice);
    view! {
        <p class="breadcrumb"><a href="/">"← Dashboard"</a></p>
        <Suspense fallback=|| view! { <p class="loading">"Loading invoice…"</p> }>
            {move || Suspend::new(async move {
                match invoice.await {
                    Ok(inv) => view! { <InvoiceView inv/> }.into_any(),
                    Err(e) => view! { <Title text="Invoice"/><ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn InvoiceView(inv: InvoiceDetail) -> impl IntoView {
    let (status, tone) = match inv.status {
        _ if inv.is_overdue => ("Overdue".to_string(), Tone::Danger),
        InvoiceStatus::Paid => ("Paid".to_string(), Tone::Good),
        InvoiceStatus::Open | InvoiceStatus::AwaitingTransfer => (inv.status.label().to_string(), Tone::Warning),
        other => (other.label().to_string(), Tone::Neutral),
    };
    view! {
        <Title text=format!("Invoice {}", inv.number)/>
        <article class="card document" aria-labelledby="doc-title">
            <header class="document-header">
                <div>
                    <p class="eyebrow">{inv.kind.label()}</p>
                    <h1 id="doc-title">{format!("Invoice {}", inv.number)}</h1>
                </div>
                <Badge label=status tone/>
            </header>
            <dl class="facts">
                <div><dt>"Issued"</dt><dd>{format_date(inv.issue_date)}</dd></div>
                <div><dt>"Due"</dt><dd>{format_date(inv.due_date)}</dd></div>
                {inv.period.map(|(s, e)| view! { <div><dt>"Period"</dt><dd>{format!("{} – {}", format_date(s), format_date(e))}</dd></div> })}
                <div><dt>"Amount due"</dt><dd class="amount-due">{inv.amount_due.format()}</dd></div>
            </dl>
            <div class="parties">
                <Party heading="From" party=inv.vendor/>
                <Party heading="Bill to" party=inv.bill_to/>
            </div>
            <LinesTable lines=inv.lines subtotal=inv.subtotal tax=inv.tax total=inv.total/>
            <dl class="facts totals-after">
                <div><dt>"Paid"</dt><dd>{inv.amount_paid.format()}</dd></div>
                <div><dt>"Due"</dt><dd>{inv.amount_due.format()}</dd></div>
            </dl>
            {inv.memo.map(|m| view! { <p class="memo">{m}</p> })}
        </article>
    }
}
