//! Builds the HTTP application: pages, server functions, health check, guards.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::get;
use leptos::config::{Env, LeptosOptions};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::sync::Arc;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;

use super::clock::SharedClock;
use super::config::{ConfigError, Settings};
use super::payments::processor::PaymentProcessor;
use super::payments::sandbox::{self, SandboxProcessor};
use super::db::Db;
use super::downloads;
use super::middleware;
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

pub fn new_state(db: Db, settings: Settings, clock: SharedClock) -> Result<AppState, ConfigError> {
    let leptos_options = leptos_options(&settings);
    let processor: Arc<dyn PaymentProcessor> = match settings.payments.processor.as_str() {
        "sandbox" => Arc::new(SandboxProcessor::new(db.clone(), clock.clone())),
        other => return Err(ConfigError::Invalid(format!("unknown payment processor {other:?} (supported: sandbox)"))),
    };
    Ok(AppState { db, settings: Arc::new(settings), clock, processor, leptos_options })
}

pub fn router(state: AppState) -> Router {
    crate::api::register_all();
    let routes = generate_route_list(App);
    let context_state = state.clone();
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
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(shell_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(from_fn_with_state(state.clone(), middleware::sessions))
        .layer(from_fn_with_state(state.clone(), middleware::cross_site_guard))
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
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
