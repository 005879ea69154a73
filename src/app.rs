//! The composition root: the one place that sees every layer. It registers the `api`'s server
//! functions, mounts the `ui`'s pages and the `server`'s routes and middleware, and tells each
//! page render what the server knows of its caller.

use axum::Router;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;

use crate::server::auth::authorize::ResolvedSession;
use crate::server::payments::sandbox;
use crate::server::state::AppState;
use crate::server::{downloads, headers, limits, middleware, startup};
use crate::ui::app::{App, shell};
use crate::wire::auth::RenderedFor;

/// What a page render may know of its caller before any server function runs, so that the
/// server and the hydrating browser draw the same controls.
fn rendered_for() -> RenderedFor {
    use_context::<Parts>()
        .and_then(|parts| parts.extensions.get::<ResolvedSession>().cloned())
        .and_then(|resolved| resolved.0)
        .map(|session| RenderedFor {
            viewing_as_client: session.impersonation.is_some(),
            staff_admin: session.staff.as_ref().is_some_and(|staff| staff.staff_role.can_administer()),
        })
        .unwrap_or_default()
}

pub fn router(state: AppState) -> Router {
    crate::api::register_all();
    let routes = generate_route_list(App);
    let context_state = state.clone();
    // Every page render gets the state and its Content-Security-Policy (with the nonce Leptos
    // made for that response's inline scripts).
    let page_context = move || {
        provide_context(context_state.clone());
        provide_context(rendered_for());
        headers::provide_page_policy();
    };
    let shell_options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(startup::healthz))
        .route("/sandbox/v1/tokens", axum::routing::post(sandbox::tokenize))
        .route("/invoices/{id}/pdf", get(downloads::invoice))
        .route("/payments/{id}/receipt.pdf", get(downloads::receipt))
        .route("/statement.pdf", get(downloads::statement_as_pdf))
        .route("/statement.csv", get(downloads::statement_as_csv))
        .route("/usage.csv", get(downloads::usage_as_csv))
        .merge(crate::server::operator::router())
        .leptos_routes_with_context(&state, routes, page_context.clone(), move || shell(shell_options.clone()))
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(page_context, shell))
        .layer(from_fn_with_state(state.clone(), middleware::sessions))
        .layer(from_fn_with_state(state.clone(), middleware::cross_site_guard))
        // Outermost first: a request's time limit covers reading its body, and every answer,
        // refusals included, carries the security headers.
        .layer(from_fn(limits::limit_bodies))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(state.settings.server.request_timeout_seconds),
        ))
        .layer(from_fn_with_state(state.clone(), headers::security_headers))
        .with_state(state)
}
