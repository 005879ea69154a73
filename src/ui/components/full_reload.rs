//! Changes of whose portal a session shows (switching account, starting or ending a client
//! view) end in a full page load, so that every page and cached resource follows.

use leptos::prelude::*;

use crate::api::accounts::switch_account;
use crate::wire::error::AppError;

/// Loads `path` afresh in the browser; nothing on the server.
pub fn reload_at(path: &str) {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().location().set_href(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

/// Switches to the account whose id it is given, then reloads the dashboard.
pub fn switch_account_action() -> Action<String, Result<(), AppError>> {
    Action::new(|id: &String| {
        let id = id.clone();
        async move {
            let result = switch_account(id).await;
            if result.is_ok() {
                reload_at("/");
            }
            result
        }
    })
}
