//! The card form, shared by "Add a card" and the payment-link page.
//!
//! The brand shows as the number is typed and the number is grouped the way it is printed on
//! the card. On submit the details go to the processor's tokenization endpoint from the
//! browser (see [`super::tokenize`]); only the token reaches `on_token`. The inputs carry no
//! `name`, so a form submitted before the island has been taken over (without JavaScript, say)
//! sends no card details anywhere; with JavaScript, the shell holds a submit made before then
//! and makes it again once the island runs (`hydration.js`).

use std::future::Future;

use leptos::prelude::*;

use super::form::{FieldMessage, keep_digits, set_input};
use super::tokenize::{TokenFormState, TokenRequest, message_for, submit_for_token};
use crate::domain::cards::{cvc_length, detect_brand, format_for_display};
use crate::domain::payment_method::CardBrand;
use crate::wire::error::AppError;

/// Longest card number any brand issues.
const MAX_CARD_DIGITS: usize = 19;

#[component]
pub fn CardForm<F, Fut>(
    /// Where the browser posts card details for a token.
    #[prop(into)]
    tokenization_url: String,
    /// The submit button's text, e.g. "Add card" or "Pay $22.13".
    #[prop(into)]
    submit_label: Signal<String>,
    /// The button's text while working, e.g. "Adding card…".
    #[prop(into)]
    busy_label: String,
    /// Offer the "Make this my default method" checkbox.
    #[prop(optional)]
    offer_default: bool,
    /// Called with the token and the checkbox; an error is shown in the form's alert.
    on_token: F,
) -> impl IntoView
where
    F: Fn(String, bool) -> Fut + Clone + 'static,
    Fut: Future<Output = Result<(), AppError>> + 'static,
{
    let number = RwSignal::new(String::new());
    let exp_month = RwSignal::new(String::new());
    let exp_year = RwSignal::new(String::new());
    let cvc = RwSignal::new(String::new());
    let holder_name = RwSignal::new(String::new());
    let make_default = RwSignal::new(false);
    let form = TokenFormState::new();
    let TokenFormState { errors, alert, pending } = form;

    let brand = Memo::new(move |_| detect_brand(&number.read()));
    let brand_text = move || match brand.get() {
        CardBrand::Unknown => String::new(),
        known => known.label().to_string(),
    };
    let field_error = move |field: &'static str| Signal::derive(move || message_for(&errors.read(), field));
    let invalid = move |field: &'static str| move || errors.read().iter().any(|e| e.field == field).to_string();
    let url = StoredValue::new(tokenization_url);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let request = TokenRequest::Card {
            number: number.get_untracked(),
            exp_month: exp_month.get_untracked(),
            exp_year: exp_year.get_untracked(),
            cvc: cvc.get_untracked(),
            holder_name: holder_name.get_untracked(),
        };
        let default_wanted = make_default.get_untracked();
        let clear = move || {
            for field in [number, exp_month, exp_year, cvc, holder_name] {
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
            &["number", "exp_month", "exp_year", "cvc", "holder_name"],
            "card",
            clear,
        );
    };

    view! {
        <form class="form card-form" novalidate on:submit=on_submit>
            <div role="alert" class="form-alert" hidden=move || alert.read().is_none()>{move || alert.get()}</div>
            <div class="field">
                <div class="label-row">
                    <label for="card-number">"Card number"</label>
                    <span id="card-brand" class="card-brand" aria-live="polite">{brand_text}</span>
                </div>
                <input
                    id="card-number"
                    type="text"
                    inputmode="numeric"
                    autocomplete="cc-number"
                    spellcheck="false"
                    maxlength="23"
                    placeholder="1234 1234 1234 1234"
                    prop:value=move || number.get()
                    on:input=move |ev| {
                        let digits = keep_digits(&event_target_value(&ev), MAX_CARD_DIGITS);
                        set_input(&ev, number, format_for_display(&digits, detect_brand(&digits)));
                    }
                    aria-invalid=invalid("number")
                    aria-describedby="card-brand card-number-error"
                />
                <FieldMessage id="card-number-error" message=field_error("number")/>
            </div>
            <div class="field-row">
                <div class="field">
                    <label for="card-exp-month">"Expiry month"</label>
                    <input
                        id="card-exp-month"
                        type="text"
                        inputmode="numeric"
                        autocomplete="cc-exp-month"
                        maxlength="2"
                        placeholder="MM"
                        prop:value=move || exp_month.get()
                        on:input=move |ev| set_input(&ev, exp_month, keep_digits(&event_target_value(&ev), 2))
                        aria-invalid=invalid("exp_month")
                        aria-describedby="card-exp-month-error"
                    />
                    <FieldMessage id="card-exp-month-error" message=field_error("exp_month")/>
                </div>
                <div class="field">
                    <label for="card-exp-year">"Expiry year"</label>
                    <input
                        id="card-exp-year"
                        type="text"
                        inputmode="numeric"
                        autocomplete="cc-exp-year"
                        maxlength="4"
                        placeholder="YYYY"
                        prop:value=move || exp_year.get()
                        on:input=move |ev| set_input(&ev, exp_year, keep_digits(&event_target_value(&ev), 4))
                        aria-invalid=invalid("exp_year")
                        aria-describedby="card-exp-year-error"
                    />
                    <FieldMessage id="card-exp-year-error" message=field_error("exp_year")/>
                </div>
                <div class="field field-wide">
                    <label for="card-cvc">"Security code (CVC)"</label>
                    <input
                        id="card-cvc"
                        type="text"
                        inputmode="numeric"
                        autocomplete="cc-csc"
                        maxlength=move || cvc_length(brand.get()).to_string()
                        placeholder=move || "0".repeat(cvc_length(brand.get()))
                        prop:value=move || cvc.get()
                        on:input=move |ev| set_input(&ev, cvc, keep_digits(&event_target_value(&ev), 4))
                        aria-invalid=invalid("cvc")
                        aria-describedby="card-cvc-error"
                    />
                    <FieldMessage id="card-cvc-error" message=field_error("cvc")/>
                </div>
            </div>
            <div class="field">
                <label for="card-holder-name">"Name on card"</label>
                <input
                    id="card-holder-name"
                    type="text"
                    autocomplete="cc-name"
                    spellcheck="false"
                    prop:value=move || holder_name.get()
                    on:input=move |ev| holder_name.set(event_target_value(&ev))
                    aria-invalid=invalid("holder_name")
                    aria-describedby="card-holder-name-error"
                />
                <FieldMessage id="card-holder-name-error" message=field_error("holder_name")/>
            </div>
            {offer_default.then(|| view! {
                <label class="checkbox">
                    <input
                        type="checkbox"
                        prop:checked=move || make_default.get()
                        on:change=move |ev| make_default.set(event_target_checked(&ev))
                    />
                    <span>"Make this my default method"</span>
                </label>
            })}
            <p class="form-note">"Your card details go straight to our payment processor. Portico never sees or stores the full number or the security code."</p>
            <button type="submit" class="button button-block" disabled=move || pending.get()>
                {move || if pending.get() { busy_label.clone() } else { submit_label.get() }}
            </button>
        </form>
    }
}
