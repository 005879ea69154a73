//! The agency console's billing rules (issue 8): when cycle invoices fall due, when a failed
//! automatic charge is retried, and how early a client hears that its card will expire.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::billing_rules::{SaveBillingRules, get_billing_rules};
use crate::ui::components::error_notice::ErrorNotice;
use crate::ui::components::staff_view::StaffAdminLock;
use crate::wire::billing_rules::BillingRulesView;
use crate::wire::error::AppError;

#[component]
pub fn BillingRulesPage() -> impl IntoView {
    let rules = Resource::new_blocking(|| (), |_| get_billing_rules());
    let saved = use_query_map().with_untracked(|query| query.get("saved").is_some());
    view! {
        <Title text="Billing rules"/>
        <h1>"Billing rules"</h1>
        <p class="page-note">
            "The billing cycle issues license invoices on the 1st, prorated invoices at month end and reconciliation statements, and charges each invoice to the client's card or bank account when it is issued. These rules apply to every client."
        </p>
        <Transition fallback=|| view! { <p class="loading">"Loading the rules…"</p> }>
            {move || Suspend::new(async move {
                match rules.await {
                    Ok(current) => view! { <RulesForm current saved/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A plain form, no WASM: the server checks every field and answers a save with this page, the
/// rules as stored (a retry schedule in its normal form) and saying so (`?saved=1`), and a
/// refusal with this page and the message at its field (`__err`, read by the action); what was
/// typed is kept by the shell's navigation (`wire/hydration.js`).
#[component]
fn RulesForm(current: BillingRulesView, saved: bool) -> impl IntoView {
    let save = ServerAction::<SaveBillingRules>::new();
    let error = move || save.value().get().and_then(Result::err);
    let field = move |name: &'static str| move || error().and_then(|e: AppError| e.field_message(name));
    let form_error = move || error().and_then(|e| e.form_message());
    view! {
        <section class="card" aria-labelledby="rules-heading">
            <header class="card-header"><h2 id="rules-heading">"Invoices and failed payments"</h2></header>
            <StaffAdminLock what="Changing the billing rules">
            <ActionForm action=save attr:class="form" attr:novalidate=true>
                <div role="alert" class="form-alert" hidden=move || form_error().is_none()>{form_error}</div>
                <NumberField id="payment-terms" name="payment_terms_days" label="Payment terms (days after issue)"
                    value=current.payment_terms_days.to_string() error=Signal::derive(field("payment_terms_days"))
                    note="0 means due upon receipt: an unpaid license invoice blocks outbound messaging from the next day."/>
                <div class="field">
                    <label for="retry-days">"Retry failed charges on days"</label>
                    <input
                        id="retry-days"
                        name="retry_days"
                        type="text"
                        inputmode="numeric"
                        autocomplete="off"
                        value=current.retry_days
                        aria-invalid=move || field("retry_days")().is_some().to_string()
                        aria-describedby="retry-days-note retry-days-error"
                    />
                    <p id="retry-days-note" class="form-note">"Days after the first attempt, in increasing order, for example 1, 3, 7. Each failure emails the billing contacts a payment link. Leave empty for no retries."</p>
                    <p id="retry-days-error" class="field-error">{field("retry_days")}</p>
                </div>
                <NumberField id="card-notice" name="card_expiry_notice_days" label="Announce expiring cards (days before the charge)"
                    value=current.card_expiry_notice_days.to_string() error=Signal::derive(field("card_expiry_notice_days"))
                    note="A card that will have expired by the next charge on the 1st is announced once, this many days ahead."/>
                <NumberField id="transfer-wait" name="transfer_wait_days" label="Wait for bank transfers (days)"
                    value=current.transfer_wait_days.to_string() error=Signal::derive(field("transfer_wait_days"))
                    note="An invoice a client chose to pay by wire, PIX or Boleto is open again after this many days without the transfer, and automatic collection resumes."/>
                <div class="actions">
                    <button type="submit" class="button">"Save rules"</button>
                </div>
                <p role="status" class="form-status">{move || (saved && error().is_none()).then_some("Rules saved. The next billing cycle uses them.")}</p>
            </ActionForm>
            </StaffAdminLock>
        </section>
    }
}

#[component]
fn NumberField(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    value: String,
    error: Signal<Option<String>>,
    note: &'static str,
) -> impl IntoView {
    let note_id = format!("{id}-note");
    let error_id = format!("{id}-error");
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                name=name
                type="text"
                inputmode="numeric"
                autocomplete="off"
                value=value
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=format!("{note_id} {error_id}")
            />
            <p id=note_id class="form-note">{note}</p>
            <p id=error_id class="field-error">{move || error.get()}</p>
        </div>
    }
}
