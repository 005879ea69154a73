//! Builds the HTTP application: pages, server functions, health check, guards.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::IntoResponse;
use axum::routing::get;
use leptos::config::{Env, LeptosOptions};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::sync::Arc;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;

use super::clock::SharedClock;
use super::config::{ConfigError, Settings};
use super::payments::processor::PaymentProcessor;
use super::payments::sandbox::{self, SandboxProcessor};
use super::db::Db;
use super::downloads;
use super::headers;
use super::limits;
use super::middleware;
use super::secrets::ServerSecret;
use super::state::AppState;
use crate::ui::app::{App, shell};

pub fn leptos_options(settings: &Settings) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("portico")
        .site_root(settings.server.site_root.clone())
        .site_pkg_dir("pkg")
        .site_addr(settings.server.site_addr)
        .env(Env::PROD)
        .build()
}

/// The state every request shares. Reads the server's secret from the database when the
/// settings give none (see `server::secrets`), so the database must be migrated first.
pub async fn new_state(db: Db, settings: Settings, clock: SharedClock) -> Result<AppState, ConfigError> {
    let leptos_options = leptos_options(&settings);
    let secret = ServerSecret::load(&db, &settings.server.secret)
        .await
        .map_err(|e| ConfigError::Invalid(format!("cannot read or keep the server secret: {e}")))?;
    let processor: Arc<dyn PaymentProcessor> = match settings.payments.processor.as_str() {
        "sandbox" => Arc::new(SandboxProcessor::new(db.clone(), clock.clone(), secret.clone())),
        other => return Err(ConfigError::Invalid(format!("unknown payment processor {other:?} (supported: sandbox)"))),
    };
    Ok(AppState { db, settings: Arc::new(settings), clock, processor, leptos_options, secret })
}

pub fn router(state: AppState) -> Router {
    crate::api::register_all();
    let routes = generate_route_list(App);
    let context_state = state.clone();
    // Every page render gets the state and its Content-Security-Policy (with the nonce Leptos
    // made for that response's inline scripts).
    let page_context = move || {
        provide_context(context_state.clone());
        headers::provide_page_policy();
    };
    let shell_options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(healthz))
        .route("/sandbox/v1/tokens", axum::routing::post(sandbox::tokenize))
        .route("/invoices/{id}/pdf", get(downloads::invoice))
        .route("/payments/{id}/receipt.pdf", get(downloads::receipt))
        .route("/statement.pdf", get(downloads::statement_as_pdf))
        .route("/statement.csv", get(downloads::statement_as_csv))
        .route("/usage.csv", get(downloads::usage_as_csv))
        .merge(super::operator::router())
        .leptos_routes_with_context(&state, routes, page_context.clone(), move || shell(shell_options.clone()))
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(page_context, shell))
        .layer(from_fn_with_state(state.clone(), middleware::sessions))
        .layer(from_fn_with_state(state.clone(), middleware::cross_site_guard))
        // Outermost first: a request's time limit covers reading its body, and every answer,
        // refusals included, carries the security headers.
        .layer(from_fn(limits::limit_bodies))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(state.settings.server.request_timeout_seconds)))
        .layer(from_fn_with_state(state.clone(), headers::security_headers))
        .with_state(state)
}

/// 200 when the database answers, 503 otherwise: what a load balancer needs to know.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    if state.db.is_healthy().await {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
    }
}
