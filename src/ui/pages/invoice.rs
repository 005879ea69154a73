use crate::ui::components::form::select_all;
use crate::ui::components::staff_view::{StaffViewLock, provide_rendered_for, rendered_for};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::billing_items::get_invoice;
use crate::api::payments::create_payment_link;
use crate::domain::billing_items::{InvoiceStatus, format_date};
use crate::ui::components::badge::{Badge, Tone};
use crate::ui::components::document::{LinesTable, Party};
use crate::ui::components::error_notice::ErrorNotice;
use crate::wire::auth::RenderedFor;
use crate::wire::billing_items::InvoiceDetail;

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
    let statement = inv.kind.is_statement();
    let (status, tone) = match inv.status {
        _ if statement => ("For your records".to_string(), Tone::Neutral),
        _ if inv.is_overdue => ("Overdue".to_string(), Tone::Danger),
        InvoiceStatus::Paid => ("Paid".to_string(), Tone::Good),
        InvoiceStatus::Open | InvoiceStatus::AwaitingTransfer => (inv.status.label().to_string(), Tone::Warning),
        other => (other.label().to_string(), Tone::Neutral),
    };
    let payable = inv.status == InvoiceStatus::Open && inv.amount_due.minor > 0;
    let invoice_id = inv.id.clone();
    let pdf_href = format!("/invoices/{}/pdf", inv.id);
    let title = match statement {
        true => format!("Statement {}", inv.number),
        false => format!("Invoice {}", inv.number),
    };
    view! {
        <Title text=title.clone()/>
        <article class="card document" aria-labelledby="doc-title">
            <header class="document-header">
                <div>
                    <p class="eyebrow">{inv.kind.label()}</p>
                    <h1 id="doc-title">{title}</h1>
                </div>
                <div class="document-actions">
                    <Badge label=status tone/>
                    <a class="button button-small button-secondary" href=pdf_href download rel="external">"Download PDF"</a>
                </div>
            </header>
            <dl class="facts">
                <div><dt>"Issued"</dt><dd>{format_date(inv.issue_date)}</dd></div>
                {(!statement).then(|| view! { <div><dt>"Due"</dt><dd>{format_date(inv.due_date)}</dd></div> })}
                {inv.period.map(|(s, e)| view! { <div><dt>"Period"</dt><dd>{format!("{} – {}", format_date(s), format_date(e))}</dd></div> })}
                {(!statement).then(|| view! { <div><dt>"Amount due"</dt><dd class="amount-due">{inv.amount_due.format()}</dd></div> })}
            </dl>
            {payable.then(|| view! { <PayActions for_whom=rendered_for() invoice_id/> })}
            <div class="parties">
                <Party heading="From" party=inv.vendor/>
                <Party heading="Bill to" party=inv.bill_to/>
            </div>
            <LinesTable lines=inv.lines subtotal=inv.subtotal tax=inv.tax total=inv.total tax_lines=inv.tax_lines/>
            {(!statement).then(|| view! {
                <dl class="facts totals-after">
                    <div><dt>"Paid"</dt><dd>{inv.amount_paid.format()}</dd></div>
                    {(!inv.credited.is_zero()).then(|| view! {
                        <div><dt>"Credited"</dt><dd>{inv.credited.format()}</dd></div>
                    })}
                    {(!inv.fees_paid.is_zero()).then(|| view! {
                        <div><dt>"Payment fees"</dt><dd>{inv.fees_paid.format()}</dd></div>
                    })}
                    <div><dt>"Due"</dt><dd>{inv.amount_due.format()}</dd></div>
                </dl>
            })}
            {inv.memo.map(|m| view! { <p class="memo">{m}</p> })}
            {(!inv.credit_notes.is_empty()).then(|| view! { <CreditNotes notes=inv.credit_notes/> })}
        </article>
    }
}

/// The credit notes against the invoice, each with its PDF.
#[component]
fn CreditNotes(notes: Vec<crate::wire::billing_items::CreditNoteRef>) -> impl IntoView {
    view! {
        <section class="credit-notes" aria-labelledby="credit-notes-heading">
            <h2 id="credit-notes-heading">"Credit notes"</h2>
            <ul class="plain-list">
                {notes.into_iter().map(|n| {
                    let href = format!("/credit-notes/{}/pdf", n.id);
                    let label = format!("Download credit note {} (PDF)", n.number);
                    view! {
                        <li>
                            <strong>{n.number.clone()}</strong>
                            {format!(" · {} · {} · {} ", format_date(n.issue_date), n.amount.format(), n.reason)}
                            <a href=href download rel="external" aria-label=label>"PDF"</a>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// Paying an open invoice: here and now, or by a link sent to someone without an account.
/// An island: a payment link is made and shown in place.
#[island]
fn PayActions(for_whom: RenderedFor, invoice_id: String) -> impl IntoView {
    provide_rendered_for(for_whom);
    let pay_href = format!("/pay?invoice={invoice_id}");
    let create_link = Action::new(move |id: &String| create_payment_link(id.clone()));
    let link = move || create_link.value().get().and_then(Result::ok);
    let error = move || create_link.value().get().and_then(Result::err).map(|e| e.to_string());
    view! {
        <section class="pay-actions" aria-label="Pay this invoice">
            <StaffViewLock what="Sending a payment link">
                <div class="actions">
                    <a class="button" href=pay_href>"Pay invoice"</a>
                    <button
                        type="button"
                        class="button button-secondary"
                        disabled=move || create_link.pending().get()
                        on:click=move |_| {
                            create_link.dispatch(invoice_id.clone());
                        }
                    >
                        {move || if create_link.pending().get() { "Creating link…" } else { "Create payment link" }}
                    </button>
                </div>
            </StaffViewLock>
            <div role="alert" class="form-alert" hidden=move || error().is_none()>{error}</div>
            {move || link().map(|l| {
                let until = format_date(l.expires_on);
                view! {
                    <div class="field payment-link">
                        <label for="payment-link">"Payment link"</label>
                        <input
                            id="payment-link"
                            type="text"
                            readonly
                            prop:value=l.url.clone()
                            value=l.url
                            aria-describedby="payment-link-note"
                            on:focus=select_all
                        />
                        <p id="payment-link-note" class="form-note">
                            {format!("Anyone with this link can pay this invoice until {until}. Send it only to the person who pays it.")}
                        </p>
                    </div>
                }
            })}
        </section>
    }
}
