//! The form kit every form uses: the message under a field, digit-only inputs, long fixed
//! lists of options, and knowing when the page has become interactive.

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

/// The `<option>`s of a long fixed list (`(value, label)` pairs, after an optional first option
/// of value "" with `placeholder` as its label), the one of value `selected` marked, as HTML for
/// the `<select>`'s `inner_html`. An island taken over in the browser adopts them as the server
/// sent them: one view per option had each of the country list's 250 options hydrated, with an
/// effect apiece following the choice, in the longest task of the billing details page on a
/// phone (README, Performance). The `<select>`'s `prop:value` follows the choice afterwards.
pub fn options_html(placeholder: Option<&str>, choices: &[(&str, &str)], selected: &str) -> String {
    let mut html = String::with_capacity(choices.len() * 40);
    let first = placeholder.map(|label| ("", label));
    for (value, label) in first.into_iter().chain(choices.iter().copied()) {
        html.push_str("<option value=\"");
        html.push_str(&html_escape::encode_double_quoted_attribute(value));
        html.push('"');
        if value == selected {
            html.push_str(" selected");
        }
        html.push('>');
        html.push_str(&html_escape::encode_text(label));
        html.push_str("</option>");
    }
    html
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
    use super::{keep_digits, options_html};

    #[test]
    fn options_are_escaped_and_the_chosen_one_is_marked() {
        let html = options_html(Some("Choose a state"), &[("WA", "Washington"), ("CI", "Côte d'Ivoire & <Co>")], "WA");
        assert_eq!(
            html,
            "<option value=\"\">Choose a state</option><option value=\"WA\" selected>Washington</option>\
             <option value=\"CI\">Côte d'Ivoire &amp; &lt;Co&gt;</option>"
        );
        assert_eq!(options_html(None, &[("\"x", "X")], ""), "<option value=\"&quot;x\">X</option>");
    }

    #[test]
    fn keeps_only_digits_up_to_the_limit() {
        assert_eq!(keep_digits("4242 4242-4242 4242", 19), "4242424242424242");
        assert_eq!(keep_digits("12a3", 2), "12");
        assert_eq!(keep_digits("", 4), "");
    }
}
