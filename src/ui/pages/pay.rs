//! Paying invoices (seeds 001, 002, 003): which invoices, what each way of paying costs, and
//! one confirm button. `/pay?invoice=ID&invoice=ID2` pays those; `/pay` pays everything
//! outstanding.
//!
//! Exactly once: the quote carries an idempotency key made for this screen, and every click or
//! retry here sends that same key, so a double click or a retry after a lost answer is the
//! same payment. Only "Choose another method" after a decline asks for a new quote (and key).

use leptos::prelude::*;

use crate::ui::components::full_reload::refresh_page;
use crate::ui::components::staff_view::{StaffViewLock, provide_rendered_for, rendered_for};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::no_access::NoBillingAccess;
use crate::api::payments::{pay_invoices, quote_payment};
use crate::domain::billing_items::format_date;
use crate::domain::fees::{MethodQuote, Settlement};
use crate::ui::components::badge::{Badge, Tone};
use crate::ui::components::empty_state::EmptyState;
use crate::ui::components::error_notice::ErrorNotice;
use crate::ui::components::payment_result::{DeclineNotice, PaymentOutcome, quote_text};
use crate::wire::auth::RenderedFor;
use crate::wire::error::AppError;
use crate::wire::payments::{PayOption, PaymentQuote, PaymentResult};

#[component]
pub fn PayPage() -> impl IntoView {
    let query = use_query_map();
    let ids = Memo::new(move |_| query.read().get_all("invoice").unwrap_or_default());
    let quote = Resource::new_blocking(move || ids.get(), quote_payment);
    view! {
        <Title text="Pay invoices"/>
        <p class="breadcrumb"><a href="/">"← Dashboard"</a></p>
        <h1>"Pay invoices"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Working out what you owe…"</p> }>
            {move || Suspend::new(async move {
                match quote.await {
                    Ok(q) if q.invoices.is_empty() => view! {
                        <EmptyState title="Nothing to pay" detail="You have no open invoices. Thank you!"/>
                        <p><a class="button button-secondary" href="/">"Back to your dashboard"</a></p>
                    }.into_any(),
                    Ok(q) => view! { <PayForm for_whom=rendered_for() q/> }.into_any(),
                    Err(AppError::Conflict(message)) => view! {
                        <section class="notice notice-error" role="alert">
                            <h2>"This can't be paid now"</h2>
                            <p>{message}</p>
                            <p><a href="/payments">"See your payment history"</a> " · " <a href="/">"Back to your dashboard"</a></p>
                        </section>
                    }.into_any(),
                    Err(AppError::Forbidden) => view! { <NoBillingAccess/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn available_total(option: &PayOption) -> Option<String> {
    match &option.quote {
        MethodQuote::Available { total, .. } => Some(total.format()),
        MethodQuote::Unavailable { .. } => None,
    }
}

/// An island: one confirm button, its outcome in place.
#[island]
fn PayForm(for_whom: RenderedFor, q: PaymentQuote) -> impl IntoView {
    provide_rendered_for(for_whom);
    // "Choose another method" after a decline: the page again, with a new quote and key.
    let new_quote = Callback::new(|()| refresh_page());
    let PaymentQuote { invoices, amount, options, idempotency_key } = q;
    let invoice_ids: Vec<String> = invoices.iter().map(|i| i.id.clone()).collect();
    let initial = options
        .iter()
        .find(|o| o.is_default && o.quote.is_available())
        .or_else(|| options.iter().find(|o| o.quote.is_available()))
        .map(|o| o.method.clone());
    let selected = RwSignal::new(initial.clone());
    let options = StoredValue::new(options);
    let selected_total = move || {
        let method = selected.get()?;
        options.with_value(|all| all.iter().find(|o| o.method == method).and_then(available_total))
    };

    // The same key for every attempt from this screen.
    let pay = Action::new(move |method: &String| {
        let (ids, method, key) = (invoice_ids.clone(), method.clone(), idempotency_key.clone());
        async move { pay_invoices(ids, method, key).await }
    });
    let pending = pay.pending();
    let result = pay.value();
    let finished = move || {
        matches!(
            result.get(),
            Some(Ok(PaymentResult::Paid { .. }
                | PaymentResult::AwaitingTransfer { .. }
                | PaymentResult::Pending { .. }))
        )
    };
    let declined = move || match result.get() {
        Some(Ok(PaymentResult::Declined { message, .. })) => Some(message),
        _ => None,
    };
    let error = move || match result.get() {
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        if let Some(method) = selected.get_untracked() {
            pay.dispatch(method);
        }
    };
    let count = invoices.len();

    view! {
        <section class="card" aria-labelledby="to-pay">
            <header class="card-header">
                <h2 id="to-pay">{if count == 1 { "Invoice to pay" } else { "Invoices to pay" }}</h2>
                <span class="count">{count}</span>
            </header>
            <div class="table-wrap">
                <table class="data">
                    <caption class="visually-hidden">"Invoices to pay"</caption>
                    <thead><tr>
                        <th scope="col">"Invoice"</th>
                        <th scope="col">"Due"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col" class="num">"Amount"</th>
                    </tr></thead>
                    <tbody>
                        {invoices.into_iter().map(|i| view! {
                            <tr>
                                <td data-label="Invoice"><span class="item-title">{i.number.clone()}</span></td>
                                <td data-label="Due">{format_date(i.due_date)}</td>
                                <td data-label="Status">
                                    {if i.is_overdue { view! { <Badge label="Overdue" tone=Tone::Danger/> } } else { view! { <Badge label="Open" tone=Tone::Warning/> } }}
                                </td>
                                <td data-label="Amount" class="num">{i.amount_due.format()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <p class="pay-amount"><span>"Amount"</span> <strong data-testid="pay-amount">{amount.format()}</strong></p>
        </section>

        {move || result.get().and_then(Result::ok).filter(|_| finished()).map(|r| view! { <PaymentOutcome result=r history_link=true/> })}
        {move || declined().map(|message| view! {
            <DeclineNotice message retry_label="Choose another method" on_retry=new_quote/>
        })}

        <StaffViewLock what="Paying">
        <form class="card pay-form" novalidate on:submit=on_submit hidden=move || finished() || declined().is_some()>
            <fieldset class="pay-options">
                <legend><h2>"How would you like to pay?"</h2></legend>
                {options.get_value().into_iter().map(|o| {
                    let method = o.method.clone();
                    let is_initial = initial.as_deref() == Some(o.method.as_str());
                    let available = o.quote.is_available();
                    let transfer = matches!(o.quote, MethodQuote::Available { settles: Settlement::OnBankTransfer, .. });
                    let input_id = format!("pay-with-{}", o.method);
                    view! {
                        <label class="pay-option" class:is-unavailable=!available for=input_id.clone()>
                            <input
                                type="radio"
                                id=input_id.clone()
                                name="method"
                                value=o.method.clone()
                                checked=is_initial
                                disabled=!available
                                on:change=move |_| selected.set(Some(method.clone()))
                            />
                            <span class="pay-option-text">
                                <span class="pay-option-label">
                                    {o.label.clone()}
                                    {o.is_default.then(|| view! { " " <Badge label="Default" tone=Tone::Good/> })}
                                </span>
                                <span class="pay-option-detail">{quote_text(&o.quote)}</span>
                                {transfer.then(|| view! {
                                    <span class="pay-option-detail">"You send the money from your bank; we show you how after you confirm."</span>
                                })}
                            </span>
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <div role="alert" class="form-alert" hidden=move || error().is_none()>{error}</div>
            <button type="submit" class="button button-block pay-button" disabled=move || pending.get() || selected.read().is_none()>
                {move || if pending.get() {
                    "Paying…".to_string()
                } else {
                    selected_total().map(|t| format!("Pay {t}")).unwrap_or_else(|| "Choose how to pay".to_string())
                }}
            </button>
        </form>
        </StaffViewLock>
    }
}
