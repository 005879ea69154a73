//! An accessible modal dialog on the native `<dialog>` element: labelled by its heading, the
//! page behind it inert, Tab and Shift+Tab kept inside, Esc closes it, and focus goes back to
//! the control that opened it.

use leptos::prelude::*;

#[component]
pub fn Modal(
    /// Opens and closes the dialog; set to false when the dialog closes itself (Esc).
    open: RwSignal<bool>,
    /// The id of the heading inside that names the dialog.
    labelled_by: &'static str,
    children: ChildrenFn,
) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    #[cfg(feature = "hydrate")]
    {
        let opener = StoredValue::new_local(None::<web_sys::HtmlElement>);
        Effect::new(move |_| {
            let Some(el) = dialog.get() else { return };
            if open.get() {
                if !el.open() {
                    opener.set_value(focused_element());
                    show_when_attached(el, open, 0);
                }
            } else if el.open() {
                el.close();
            }
        });
        let on_close = move |_| {
            open.set(false);
            if let Some(el) = opener.get_value() {
                let _ = el.focus();
            }
        };
        let on_keydown = move |ev: web_sys::KeyboardEvent| {
            if let Some(el) = dialog.get() {
                keep_focus_inside(&el, &ev);
            }
        };
        view! {
            <dialog node_ref=dialog class="modal" aria-labelledby=labelled_by on:close=on_close on:keydown=on_keydown>
                {move || open.get().then(|| children())}
            </dialog>
        }
    }
    #[cfg(not(feature = "hydrate"))]
    view! {
        <dialog node_ref=dialog class="modal" aria-labelledby=labelled_by>
            {move || open.get().then(|| children())}
        </dialog>
    }
}

/// After a client-side navigation the dialog can exist before it is in the document, where
/// `showModal` fails; it is tried again on the next frames until it is attached.
#[cfg(feature = "hydrate")]
fn show_when_attached(el: web_sys::HtmlDialogElement, open: RwSignal<bool>, attempt: u8) {
    if !open.get_untracked() || el.open() {
        return;
    }
    if el.is_connected() {
        let _ = el.show_modal();
    } else if attempt < 30 {
        request_animation_frame(move || show_when_attached(el, open, attempt + 1));
    }
}

#[cfg(feature = "hydrate")]
fn focused_element() -> Option<web_sys::HtmlElement> {
    use wasm_bindgen::JsCast;
    web_sys::window()?.document()?.active_element()?.dyn_into::<web_sys::HtmlElement>().ok()
}

/// Wraps Tab from the last focusable control to the first, and Shift+Tab the other way.
#[cfg(feature = "hydrate")]
fn keep_focus_inside(dialog: &web_sys::HtmlDialogElement, ev: &web_sys::KeyboardEvent) {
    use wasm_bindgen::JsCast;
    if ev.key() != "Tab" {
        return;
    }
    let Ok(list) = dialog.query_selector_all(
        "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), \
         textarea:not([disabled]), [tabindex]:not([tabindex='-1'])",
    ) else {
        return;
    };
    let focusable: Vec<web_sys::HtmlElement> = (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        .collect();
    let (Some(first), Some(last)) = (focusable.first(), focusable.last()) else { return };
    let active = focused_element();
    let at = |el: &web_sys::HtmlElement| active.as_ref().is_some_and(|a| a == el);
    let outside = active.as_ref().is_none_or(|a| !dialog.contains(Some(a)));
    if ev.shift_key() && (at(first) || outside) {
        ev.prevent_default();
        let _ = last.focus();
    } else if !ev.shift_key() && (at(last) || outside) {
        ev.prevent_default();
        let _ = first.focus();
    }
}
