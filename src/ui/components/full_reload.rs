//! How an island moves the browser on. Changes of whose portal a session shows (switching
//! account, starting or ending a client view) end in a full page load, so that nothing of the
//! previous portal stays; other changes show the next page, or this one again, through the
//! shell's navigation (`wire/hydration.js`), without a document load.

use leptos::prelude::*;

/// Loads `path` afresh in the browser; nothing on the server.
pub fn reload_at(path: &str) {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().location().set_href(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

/// Shows `path` the way a link does: the shell's navigation (`wire/hydration.js`) fetches and
/// swaps the page in; a document load where it is missing.
pub fn visit(path: &str) {
    #[cfg(feature = "hydrate")]
    if !call_shell("visit", Some(path)) {
        reload_at(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

/// Shows this page again as the server now has it, after an island changed something the rest
/// of the page (rendered on the server) shows.
pub fn refresh_page() {
    #[cfg(feature = "hydrate")]
    if !call_shell("refresh", None) {
        let _ = window().location().reload();
    }
}

/// Shows the elements of this page named in `ids` (space-separated) again as the server now has
/// them (the rest of the page, islands included, stays as it is), after an island changed what
/// they show: the credit page's balance and history after a top-up. Nothing where the shell's
/// navigation is missing.
pub fn refresh_parts(ids: &str) {
    #[cfg(feature = "hydrate")]
    call_shell("refreshParts", Some(ids));
    #[cfg(not(feature = "hydrate"))]
    let _ = ids;
}

/// Calls `window.portico[name](arg)`; false when the shell's navigation is not there.
#[cfg(feature = "hydrate")]
fn call_shell(name: &str, arg: Option<&str>) -> bool {
    use wasm_bindgen::{JsCast, JsValue};
    let shell = web_sys::js_sys::Reflect::get(&window(), &JsValue::from_str("portico")).ok().filter(|v| v.is_object());
    let function = shell
        .as_ref()
        .and_then(|s| web_sys::js_sys::Reflect::get(s, &JsValue::from_str(name)).ok())
        .and_then(|f| f.dyn_into::<web_sys::js_sys::Function>().ok());
    match (shell, function) {
        (Some(shell), Some(function)) => {
            let arg = arg.map(JsValue::from_str).unwrap_or(JsValue::UNDEFINED);
            function.call1(&shell, &arg).is_ok()
        }
        _ => false,
    }
}

/// A button that changes whose portal the session shows (`endpoint`: the server function
/// switching account, or starting a client view) for the account `account_id`: a form the
/// browser posts itself (`data-document`: the shell's navigation leaves it alone), answered with
/// the dashboard, a document load, so nothing of the previous portal stays. No WASM: a refusal
/// comes back to the page in its address, where the page's `ServerAction` for that function
/// shows it.
#[component]
pub fn PortalChangeButton(
    endpoint: &'static str,
    account_id: String,
    /// The button's text, e.g. "Switch".
    text: &'static str,
    /// What it does for whom, e.g. "Switch to Globex".
    label: String,
) -> impl IntoView {
    view! {
        <form method="post" action=endpoint class="portal-change" data-document="">
            <input type="hidden" name="account_id" value=account_id/>
            <button type="submit" class="button button-secondary button-small" aria-label=label>{text}</button>
        </form>
    }
}
