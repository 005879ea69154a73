#![recursion_limit = "256"]
//! Portico: a self-serve billing portal. See README.md for the layout.

pub mod api;
#[cfg(feature = "ssr")]
pub mod app;
pub mod domain;
#[cfg(feature = "ssr")]
pub mod server;
pub mod ui;
pub mod wire;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(ui::app::App);
    // Lets end-to-end tests (and anyone debugging) tell a live page from server-rendered HTML.
    if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
