//! What a payment attempt came to, shown the same way on the payment screen and on the
//! payment-link page.

use leptos::prelude::*;

use crate::domain::fees::MethodQuote;
use crate::wire::payments::PaymentResult;

/// "Fee $0.85 · Total $22.13", "No fee", or why the option cannot be used.
pub fn quote_text(quote: &MethodQuote) -> String {
    match quote {
        MethodQuote::Available { fee, total, .. } if fee.is_zero() => format!("No fee · Total {}", total.format()),
        MethodQuote::Available { fee, total, .. } => format!("Fee {} · Total {}", fee.format(), total.format()),
        MethodQuote::Unavailable { reason } => reason.clone(),
    }
}

/// A finished (or still settling) payment: paid, waiting for a transfer, or being confirmed.
/// A decline is not shown here: the page keeps its form and offers another try.
#[component]
pub fn PaymentOutcome(
    result: PaymentResult,
    /// Link to the payment history (signed-in pages only).
    #[prop(optional)]
    history_link: bool,
) -> impl IntoView {
    let history = move || {
        history_link
            .then(|| view! { <a class="button button-secondary" href="/payments">"See your payment history"</a> })
    };
    match result {
        PaymentResult::Paid { amount, fee, total, method_label, .. } => view! {
            <section class="notice notice-success result-panel" role="status" aria-labelledby="result-title">
                <h2 id="result-title">"Payment received"</h2>
                <p>"Thank you. Your payment is complete."</p>
                <dl class="facts result-facts">
                    <div><dt>"Amount"</dt><dd>{amount.format()}</dd></div>
                    <div><dt>"Fee"</dt><dd>{fee.format()}</dd></div>
                    <div><dt>"Total charged"</dt><dd>{total.format()}</dd></div>
                    <div><dt>"Paid with"</dt><dd>{method_label}</dd></div>
                </dl>
                <div class="actions">{history()}</div>
            </section>
        }
        .into_any(),
        PaymentResult::AwaitingTransfer { total, instructions, reference, .. } => view! {
            <section class="notice notice-info result-panel" role="status" aria-labelledby="result-title">
                <h2 id="result-title">"Send the transfer to finish paying"</h2>
                <p>
                    "Send " <strong>{total.format()}</strong>
                    " from your bank with the reference below. The invoice stays open, awaiting the transfer, until the money arrives."
                </p>
                <dl class="facts result-facts">
                    <div><dt>"Total to send"</dt><dd>{total.format()}</dd></div>
                    <div><dt>"Reference"</dt><dd class="reference">{reference}</dd></div>
                </dl>
                <h3>"Bank details"</h3>
                <pre class="instructions">{instructions}</pre>
                <div class="actions">{history()}</div>
            </section>
        }
        .into_any(),
        PaymentResult::Pending { .. } => view! {
            <section class="notice notice-info result-panel" role="status" aria-labelledby="result-title">
                <h2 id="result-title">"We're confirming your payment…"</h2>
                <p>"Our payment processor hasn't answered yet. You don't need to pay again: the payment is settled as soon as it answers."</p>
                <div class="actions">{history()}</div>
            </section>
        }
        .into_any(),
        PaymentResult::Declined { message, .. } => view! {
            <section class="notice notice-error result-panel" role="alert">
                <h2>"The payment didn't go through"</h2>
                <p>{message}</p>
            </section>
        }
        .into_any(),
    }
}

/// The decline notice with its way forward ("Choose another method", "Try another card").
#[component]
pub fn DeclineNotice(
    #[prop(into)] message: String,
    #[prop(into)] retry_label: String,
    on_retry: Callback<()>,
) -> impl IntoView {
    view! {
        <section class="notice notice-error result-panel" role="alert" aria-labelledby="decline-title">
            <h2 id="decline-title">"The payment didn't go through"</h2>
            <p>{message}</p>
            <p>"Nothing was charged and the invoice is still open."</p>
            <button type="button" class="button" on:click=move |_| on_retry.run(())>{retry_label}</button>
        </section>
    }
}
