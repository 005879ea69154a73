//! The form kit every form uses: the message under a field, digit-only inputs, and knowing
//! when the page has become interactive.

use leptos::prelude::*;

/// Selects a read-only field's whole text when it gets focus, ready to copy (a payment link, a
/// secret shown once).
pub fn select_all(ev: leptos::ev::FocusEvent) {
    event_target::<leptos::web_sys::HtmlInputElement>(&ev).select();
}

/// Keeps only the digits, at most `max` of them.
pub fn keep_digits(input: &str, max: usize) -> String {
    input.chars().filter(char::is_ascii_digit).take(max).collect()
}

/// The message under a field, which the field points at with `aria-describedby` (the way
/// the sign-in form does it).
#[component]
pub fn FieldMessage(#[prop(into)] id: String, message: Signal<Option<String>>) -> impl IntoView {
    view! { <p id=id class="field-error">{move || message.get()}</p> }
}

/// True once the page runs in the browser: until then the forms cannot tokenize anything.
pub fn interactive() -> ReadSignal<bool> {
    let (ready, set_ready) = signal(false);
    Effect::new(move |_| set_ready.set(true));
    ready
}

/// Stores a cleaned-up value and writes it back into the field, so a stray character the
/// person typed disappears even when the cleaned value did not change.
pub fn set_input(ev: &leptos::ev::Event, signal: RwSignal<String>, value: String) {
    let input = event_target::<leptos::web_sys::HtmlInputElement>(ev);
    if input.value() != value {
        input.set_value(&value);
    }
    signal.set(value);
}

#[cfg(test)]
mod tests {
    use super::keep_digits;

    #[test]
    fn keeps_only_digits_up_to_the_limit() {
        assert_eq!(keep_digits("4242 4242-4242 4242", 19), "4242424242424242");
        assert_eq!(keep_digits("12a3", 2), "12");
        assert_eq!(keep_digits("", 4), "");
    }
}
