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
    // The islands themselves are taken over by the shell's module (`wire/hydration.js`).
    leptos::mount::hydrate_islands();
    // A server function that redirects (signing out, say) shows the page it names, as a link would.
    let _ = leptos::server_fn::redirect::set_redirect_hook(ui::components::full_reload::visit);
}
