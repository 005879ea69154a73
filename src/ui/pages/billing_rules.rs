//! The agency console's billing rules (issue 8): when cycle invoices fall due, when a failed
//! automatic charge is retried, and how early a client hears that its card will expire.

use crate::ui::components::staff_view::{StaffAdminLock, provide_rendered_for, rendered_for};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::billing_rules::{get_billing_rules, save_billing_rules};
use crate::ui::components::error_notice::ErrorNotice;
use crate::wire::auth::RenderedFor;
use crate::wire::billing_rules::BillingRulesView;
use crate::wire::error::AppError;

#[component]
pub fn BillingRulesPage() -> impl IntoView {
    let rules = Resource::new_blocking(|| (), |_| get_billing_rules());
    view! {
        <Title text="Billing rules"/>
        <h1>"Billing rules"</h1>
        <p class="page-note">
            "The billing cycle issues license invoices on the 1st, prorated invoices at month end and reconciliation statements, and charges each invoice to the client's card or bank account when it is issued. These rules apply to every client."
        </p>
        <Transition fallback=|| view! { <p class="loading">"Loading the rules…"</p> }>
            {move || Suspend::new(async move {
                match rules.await {
                    Ok(current) => view! { <RulesForm for_whom=rendered_for() current/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// An island: the rules are checked as they are typed.
#[island]
fn RulesForm(for_whom: RenderedFor, current: BillingRulesView) -> impl IntoView {
    provide_rendered_for(for_whom);
    let terms = RwSignal::new(current.payment_terms_days.to_string());
    let retries = RwSignal::new(current.retry_days.clone());
    let notice = RwSignal::new(current.card_expiry_notice_days.to_string());
    let wait = RwSignal::new(current.transfer_wait_days.to_string());
    let save = Action::new(|(terms, retries, notice, wait): &(String, String, String, String)| {
        save_billing_rules(terms.clone(), retries.clone(), notice.clone(), Some(wait.clone()))
    });
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            retries.set(saved.retry_days);
        }
    });
    let error = move || save.value().get().and_then(Result::err);
    let field = move |name: &'static str| move || error().and_then(|e: AppError| e.field_message(name));
    let form_error = move || error().and_then(|e| e.form_message());
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    view! {
        <section class="card" aria-labelledby="rules-heading">
            <header class="card-header"><h2 id="rules-heading">"Invoices and failed payments"</h2></header>
            <StaffAdminLock what="Changing the billing rules">
            <form
                class="form"
                novalidate
                on:submit=move |ev| {
                    ev.prevent_default();
                    save.dispatch((terms.get_untracked(), retries.get_untracked(), notice.get_untracked(), wait.get_untracked()));
                }
            >
                <div role="alert" class="form-alert" hidden=move || form_error().is_none()>{form_error}</div>
                <NumberField id="payment-terms" label="Payment terms (days after issue)" value=terms error=Signal::derive(field("payment_terms_days"))
                    note="0 means due upon receipt: an unpaid license invoice blocks outbound messaging from the next day."/>
                <div class="field">
                    <label for="retry-days">"Retry failed charges on days"</label>
                    <input
                        id="retry-days"
                        type="text"
                        inputmode="numeric"
                        autocomplete="off"
                        prop:value=retries
                        on:input=move |ev| retries.set(event_target_value(&ev))
                        aria-invalid=move || field("retry_days")().is_some().to_string()
                        aria-describedby="retry-days-note retry-days-error"
                    />
                    <p id="retry-days-note" class="form-note">"Days after the first attempt, in increasing order, for example 1, 3, 7. Each failure emails the billing contacts a payment link. Leave empty for no retries."</p>
                    <p id="retry-days-error" class="field-error">{field("retry_days")}</p>
                </div>
                <NumberField id="card-notice" label="Announce expiring cards (days before the charge)" value=notice error=Signal::derive(field("card_expiry_notice_days"))
                    note="A card that will have expired by the next charge on the 1st is announced once, this many days ahead."/>
                <NumberField id="transfer-wait" label="Wait for bank transfers (days)" value=wait error=Signal::derive(field("transfer_wait_days"))
                    note="An invoice a client chose to pay by wire, PIX or Boleto is open again after this many days without the transfer, and automatic collection resumes."/>
                <div class="actions">
                    <button type="submit" class="button" disabled=move || save.pending().get()>
                        {move || if save.pending().get() { "Saving…" } else { "Save rules" }}
                    </button>
                </div>
                <p role="status" class="form-status">{move || saved().then_some("Rules saved. The next billing cycle uses them.")}</p>
            </form>
            </StaffAdminLock>
        </section>
    }
}

#[component]
fn NumberField(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
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
                type="text"
                inputmode="numeric"
                autocomplete="off"
                prop:value=value
                on:input=move |ev| value.set(event_target_value(&ev))
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=format!("{note_id} {error_id}")
            />
            <p id=note_id class="form-note">{note}</p>
            <p id=error_id class="field-error">{move || error.get()}</p>
        </div>
    }
}
