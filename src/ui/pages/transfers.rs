//! `/staff/transfers`: payments clients chose to make by wire, PIX or Boleto, waiting for the
//! money. When it arrives, a staff admin records it with the bank's reference, and the invoices
//! are paid; if it never does, the invoices are open again after the vendor's wait.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::staff::{awaiting_transfers, record_transfer};
use crate::domain::billing_items::{format_date, format_unix_date};
use crate::ui::components::empty_state::EmptyState;
use crate::ui::components::error_notice::ErrorNotice;
use crate::ui::components::staff_view::{StaffAdminLock, provide_rendered_for, rendered_for};
use crate::wire::auth::RenderedFor;
use crate::wire::error::AppError;
use crate::wire::staff::AwaitingTransfer;

#[component]
pub fn TransfersPage() -> impl IntoView {
    view! {
        <Title text="Bank transfers"/>
        <Transfers for_whom=rendered_for()/>
    }
}

/// An island: the list follows each transfer recorded.
#[island]
fn Transfers(for_whom: RenderedFor) -> impl IntoView {
    provide_rendered_for(for_whom);
    let changed = RwSignal::new(0u32);
    let rows = Resource::new_blocking(move || changed.get(), |_| awaiting_transfers());
    view! {
        <h1>"Bank transfers"</h1>
        <p class="page-note">
            "Payments clients chose to make by wire, PIX or Boleto. Record each transfer when it arrives in your account: "
            "its invoices are paid at once and any service block they caused is lifted. A transfer that does not arrive in time "
            "leaves its invoices open again, and automatic collection resumes."
        </p>
        <Transition fallback=|| view! { <p class="loading">"Loading transfers…"</p> }>
            {move || Suspend::new(async move {
                match rows.await {
                    Ok(rows) if rows.is_empty() => view! {
                        <EmptyState title="No transfers awaited" detail="When a client chooses to pay by wire, PIX or Boleto, the payment waits here."/>
                    }.into_any(),
                    Ok(rows) => view! {
                        <StaffAdminLock what="Recording transfers">
                            <ul class="stack transfers">
                                {rows.into_iter().map(|t| view! { <TransferItem t changed/> }).collect_view()}
                            </ul>
                        </StaffAdminLock>
                    }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn TransferItem(t: AwaitingTransfer, changed: RwSignal<u32>) -> impl IntoView {
    let amount = RwSignal::new(t.total.format());
    let reference = RwSignal::new(String::new());
    let (account_id, payment_id) = (t.account_id.clone(), t.payment_id.clone());
    let record = Action::new(move |(amount, reference): &(String, String)| {
        record_transfer(account_id.clone(), payment_id.clone(), amount.clone(), reference.clone())
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = record.value().get() {
            changed.update(|n| *n += 1);
        }
    });
    let error = move || record.value().get().and_then(Result::err);
    let field = move |name: &'static str| move || error().and_then(|e: AppError| e.field_message(name));
    let form_error = move || error().and_then(|e| e.form_message());
    let id = t.payment_id.clone();
    let (amount_id, reference_id) = (format!("amount-{id}"), format!("reference-{id}"));
    let heading = format!("{} · {} {}", t.account_name, t.method_label, t.reference);
    let label = heading.clone();
    view! {
        <li class="stack-item transfer" aria-label=label>
            <div class="stack-main">
                <p class="item-title">{heading}</p>
                <p class="item-sub">
                    {format!("{} expected · chosen {} · open again on {}", t.total.format(), format_unix_date(t.since), format_date(t.open_again_on))}
                </p>
            </div>
            <form
                class="form form-inline"
                novalidate
                on:submit=move |ev| {
                    ev.prevent_default();
                    record.dispatch((amount.get_untracked(), reference.get_untracked()));
                }
            >
                <div role="alert" class="form-alert" hidden=move || form_error().is_none()>{form_error}</div>
                <div class="field">
                    <label for=amount_id.clone()>"Amount received"</label>
                    <input id=amount_id type="text" inputmode="decimal" value=amount.get_untracked() prop:value=amount on:input=move |ev| amount.set(event_target_value(&ev))
                        aria-invalid=move || field("amount")().is_some().to_string()/>
                    <p class="field-error">{field("amount")}</p>
                </div>
                <div class="field">
                    <label for=reference_id.clone()>"Bank reference"</label>
                    <input id=reference_id type="text" autocomplete="off" maxlength="100" prop:value=reference
                        on:input=move |ev| reference.set(event_target_value(&ev))
                        aria-invalid=move || field("bank_reference")().is_some().to_string()/>
                    <p class="field-error">{field("bank_reference")}</p>
                </div>
                <button type="submit" class="button" disabled=move || record.pending().get()>
                    {move || if record.pending().get() { "Recording…" } else { "Record as received" }}
                </button>
            </form>
        </li>
    }
}
