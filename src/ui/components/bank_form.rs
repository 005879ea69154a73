//! The US bank account (ACH) form. Like the card form, the details go from the browser to the
//! processor's tokenization endpoint and only the token reaches `on_token`.

use std::future::Future;

use leptos::prelude::*;

use super::form::{FieldMessage, keep_digits, set_input};
use super::tokenize::{TokenFormState, TokenRequest, message_for, submit_for_token};
use crate::domain::bank::BankAccountType;
use crate::wire::error::AppError;

#[component]
pub fn BankAccountForm<F, Fut>(
    #[prop(into)] tokenization_url: String,
    /// Called with the token and the "default" checkbox; an error is shown in the form's alert.
    on_token: F,
) -> impl IntoView
where
    F: Fn(String, bool) -> Fut + Clone + 'static,
    Fut: Future<Output = Result<(), AppError>> + 'static,
{
    let routing_number = RwSignal::new(String::new());
    let account_number = RwSignal::new(String::new());
    let holder_name = RwSignal::new(String::new());
    let account_type = RwSignal::new(BankAccountType::Checking.as_str().to_string());
    let make_default = RwSignal::new(false);
    let form = TokenFormState::new();
    let TokenFormState { errors, alert, pending } = form;
    let url = StoredValue::new(tokenization_url);

    let field_error = move |field: &'static str| Signal::derive(move || message_for(&errors.read(), field));
    let invalid = move |field: &'static str| move || errors.read().iter().any(|e| e.field == field).to_string();

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let request = TokenRequest::BankAccount {
            routing_number: routing_number.get_untracked(),
            account_number: account_number.get_untracked(),
            holder_name: holder_name.get_untracked(),
            account_type: account_type.get_untracked(),
        };
        let default_wanted = make_default.get_untracked();
        let clear = move || {
            for field in [routing_number, account_number, holder_name] {
                field.set(String::new());
            }
            make_default.set(false);
        };
        submit_for_token(
            form,
            url.get_value(),
            request,
            default_wanted,
            on_token.clone(),
            &["routing_number", "account_number", "holder_name", "account_type"],
            "bank",
            clear,
        );
    };

    view! {
        <form class="form bank-form" novalidate on:submit=on_submit>
            <div role="alert" class="form-alert" hidden=move || alert.read().is_none()>{move || alert.get()}</div>
            <div class="field-row">
                <div class="field">
                    <label for="bank-routing-number">"Routing number"</label>
                    <input
                        id="bank-routing-number"
                        type="text"
                        inputmode="numeric"
                        autocomplete="off"
                        maxlength="9"
                        prop:value=move || routing_number.get()
                        on:input=move |ev| set_input(&ev, routing_number, keep_digits(&event_target_value(&ev), 9))
                        aria-invalid=invalid("routing_number")
                        aria-describedby="bank-routing-number-error"
                    />
                    <FieldMessage id="bank-routing-number-error" message=field_error("routing_number")/>
                </div>
                <div class="field">
                    <label for="bank-account-number">"Account number"</label>
                    <input
                        id="bank-account-number"
                        type="text"
                        inputmode="numeric"
                        autocomplete="off"
                        maxlength="17"
                        prop:value=move || account_number.get()
                        on:input=move |ev| set_input(&ev, account_number, keep_digits(&event_target_value(&ev), 17))
                        aria-invalid=invalid("account_number")
                        aria-describedby="bank-account-number-error"
                    />
                    <FieldMessage id="bank-account-number-error" message=field_error("account_number")/>
                </div>
            </div>
            <div class="field">
                <label for="bank-holder-name">"Account holder name"</label>
                <input
                    id="bank-holder-name"
                    type="text"
                    autocomplete="name"
                    prop:value=move || holder_name.get()
                    on:input=move |ev| holder_name.set(event_target_value(&ev))
                    aria-invalid=invalid("holder_name")
                    aria-describedby="bank-holder-name-error"
                />
                <FieldMessage id="bank-holder-name-error" message=field_error("holder_name")/>
            </div>
            <div class="field">
                <label for="bank-account-type">"Account type"</label>
                <select
                    id="bank-account-type"
                    on:change=move |ev| account_type.set(event_target_value(&ev))
                    aria-invalid=invalid("account_type")
                    aria-describedby="bank-account-type-error"
                >
                    {BankAccountType::ALL.iter().map(|t| view! {
                        <option value=t.as_str() selected=*t == BankAccountType::Checking>{t.label()}</option>
                    }).collect_view()}
                </select>
                <FieldMessage id="bank-account-type-error" message=field_error("account_type")/>
            </div>
            <label class="checkbox">
                <input
                    type="checkbox"
                    prop:checked=move || make_default.get()
                    on:change=move |ev| make_default.set(event_target_checked(&ev))
                />
                <span>"Make this my default method"</span>
            </label>
            <p class="form-note">"By adding this account you authorize us to debit it for the invoices you choose to pay with it."</p>
            <button type="submit" class="button button-block" disabled=move || pending.get()>
                {move || if pending.get() { "Adding bank account…" } else { "Add bank account" }}
            </button>
        </form>
    }
}
