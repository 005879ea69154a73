//! `/pay/:token`: pays one invoice by card without signing in (seeds 002, 003). Public, outside
//! the signed-in layout: it shows that one invoice and nothing else of the account.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::payments::{pay_by_link, view_payment_link};
use crate::domain::billing_items::format_date;
use crate::domain::fees::MethodQuote;
use crate::ui::components::card_form::CardForm;
use crate::ui::components::idempotency::new_idempotency_key;
use crate::ui::components::payment_result::{DeclineNotice, PaymentOutcome};
use crate::ui::components::tokenize::DEFAULT_TOKENIZATION_URL;
use crate::wire::error::AppError;
use crate::wire::payments::{LinkedInvoice, PaymentResult};

#[component]
pub fn PayLinkPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let invoice = Resource::new_blocking(token, view_payment_link);
    view! {
        <main id="main" class="auth-page pay-link-page">
            <div class="auth-card pay-link-card">
                <div class="brand brand-large">
                    <span class="brand-mark" aria-hidden="true">"P"</span>
                    <span>"Portico"</span>
                </div>
                <Suspense fallback=|| view! { <p class="loading">"Loading the invoice…"</p> }>
                    {move || Suspend::new(async move {
                        match invoice.await {
                            Ok(inv) if inv.is_paid => view! {
                                <Title text=format!("Invoice {}", inv.number)/>
                                <h1>{format!("Invoice {} is paid", inv.number)}</h1>
                                <p class="lead">"There's nothing left to pay on this invoice. Thank you!"</p>
                            }.into_any(),
                            Ok(inv) if inv.is_locked => view! {
                                <Title text=format!("Invoice {}", inv.number)/>
                                <h1>"This link can't be used"</h1>
                                <p class="lead">"This payment link is locked after several declined payments. Ask the sender for a new one."</p>
                            }.into_any(),
                            Ok(inv) => view! {
                                <Title text=format!("Pay invoice {}", inv.number)/>
                                <LinkPayment inv token=token()/>
                            }.into_any(),
                            Err(AppError::NotFound) => view! {
                                <Title text="Payment link not valid"/>
                                <h1>"This link can't be used"</h1>
                                <p class="lead">"This payment link has expired or is not valid. Ask the sender for a new one."</p>
                            }.into_any(),
                            Err(e) => view! {
                                <Title text="Pay invoice"/>
                                <h1>"Something went wrong"</h1>
                                <p class="lead" role="alert">{e.to_string()}</p>
                            }.into_any(),
                        }
                    })}
                </Suspense>
            </div>
        </main>
    }
}

/// An island: the card form, and the payment's outcome in place.
#[island]
fn LinkPayment(inv: LinkedInvoice, token: String) -> impl IntoView {
    let title = format!("Pay invoice {}", inv.number);
    let (fee, total) = match &inv.card_quote {
        MethodQuote::Available { fee, total, .. } => (Some(fee.format()), Some(total.format())),
        MethodQuote::Unavailable { .. } => (None, None),
    };
    let unavailable = match &inv.card_quote {
        MethodQuote::Unavailable { reason } => Some(reason.clone()),
        MethodQuote::Available { .. } => None,
    };
    let key = StoredValue::new(None::<String>);
    let result = RwSignal::new(None::<PaymentResult>);
    let token = StoredValue::new(token);
    let on_token = move |card_token: String, _make_default: bool| async move {
        let idempotency_key = key.with_value(Clone::clone).unwrap_or_else(|| {
            let fresh = new_idempotency_key("link");
            key.set_value(Some(fresh.clone()));
            fresh
        });
        let outcome = pay_by_link(token.get_value(), card_token, idempotency_key).await?;
        if matches!(outcome, PaymentResult::Declined { .. }) {
            // That key now stands for the declined attempt; another card is another payment.
            key.set_value(None);
        }
        result.set(Some(outcome));
        Ok::<(), AppError>(())
    };
    let finished = move || {
        matches!(
            result.get(),
            Some(PaymentResult::Paid { .. } | PaymentResult::AwaitingTransfer { .. } | PaymentResult::Pending { .. })
        )
    };
    let declined = move || match result.get() {
        Some(PaymentResult::Declined { message, .. }) => Some(message),
        _ => None,
    };
    let submit_label = total.clone().map(|t| format!("Pay {t}")).unwrap_or_else(|| "Pay".to_string());
    view! {
        <p class="eyebrow">{format!("From {}", inv.vendor_name)}</p>
        <h1>{title}</h1>
        <dl class="facts link-facts">
            <div><dt>"Billed to"</dt><dd>{inv.bill_to_name.clone()}</dd></div>
            <div><dt>"Due"</dt><dd>{format_date(inv.due_date)}</dd></div>
            <div><dt>"Amount due"</dt><dd>{inv.amount_due.format()}</dd></div>
            {fee.map(|f| view! { <div><dt>"Card fee"</dt><dd>{f}</dd></div> })}
            {total.map(|t| view! { <div><dt>"Total"</dt><dd class="amount-due">{t}</dd></div> })}
        </dl>
        {move || result.get().filter(|_| finished()).map(|r| view! { <PaymentOutcome result=r/> })}
        {move || declined().map(|message| view! {
            <DeclineNotice message retry_label="Try another card" on_retry=Callback::new(move |()| result.set(None))/>
        })}
        {match unavailable {
            Some(reason) => view! { <p class="notice" role="status">{reason}</p> }.into_any(),
            None => view! {
                <div hidden=move || finished() || declined().is_some()>
                    <h2 class="form-heading">"Pay by card"</h2>
                    <CardForm
                        tokenization_url=DEFAULT_TOKENIZATION_URL
                        submit_label=Signal::derive(move || submit_label.clone())
                        busy_label="Paying…"
                        on_token
                    />
                </div>
            }.into_any(),
        }}
    }
}
