//! The operator HTTP API (`/api/operator/v1/…`): plain JSON routes for the vendor's own
//! systems, authenticated by API key rather than by a signed-in session.

pub mod accounts;
pub mod auth;
pub mod body;
pub mod credit;
pub mod documents;
pub mod error;
pub mod idempotency;
pub mod ingest;
pub mod keys;
pub mod list;
pub mod numbers;
pub mod openapi;
pub mod people;
pub mod plans;
pub mod portal;
pub mod status;
pub mod subscriptions;
pub mod transfers;
pub mod usage;
pub mod webhooks;
pub mod wire;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::any;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::server::infra::state::AppState;
use error::ApiError;

pub const BASE_PATH: &str = "/api/operator/v1";

/// The routes and the document that describes them, from one list: a route cannot be served
/// without being documented, nor documented without being served.
pub fn build() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut document) = OpenApiRouter::with_openapi(openapi::OperatorApi::openapi())
        .routes(routes!(usage::report_usage))
        .routes(routes!(status::service_status))
        .routes(routes!(credit::adjust))
        .routes(routes!(credit::reverse_entry))
        .routes(routes!(transfers::transfer_received))
        .routes(routes!(portal::create_portal_session))
        .routes(routes!(portal::get_return_origins, portal::put_return_origins))
        .routes(routes!(accounts::list_accounts, accounts::create_account))
        .routes(routes!(accounts::get_account, accounts::update_account))
        .routes(routes!(accounts::archive_account))
        .routes(routes!(people::list_people, people::add_person))
        .routes(routes!(people::update_person, people::remove_person))
        .routes(routes!(plans::list_plans, plans::create_plan))
        .routes(routes!(plans::get_plan))
        .routes(routes!(subscriptions::list_subscriptions, subscriptions::create_subscription))
        .routes(routes!(subscriptions::get_subscription))
        .routes(routes!(subscriptions::preview_change))
        .routes(routes!(subscriptions::change_subscription))
        .routes(routes!(subscriptions::cancel_subscription))
        .routes(routes!(subscriptions::resume_subscription))
        .routes(routes!(numbers::list_numbers, numbers::onboard_number))
        .routes(routes!(numbers::release_number))
        .routes(routes!(documents::list_invoices, documents::create_invoice))
        .routes(routes!(documents::get_invoice))
        .routes(routes!(documents::void_invoice))
        .routes(routes!(documents::create_credit_note))
        .routes(routes!(documents::list_credit_notes))
        .routes(routes!(documents::list_estimates, documents::create_estimate))
        .routes(routes!(documents::get_estimate))
        .routes(routes!(webhooks::list_endpoints, webhooks::create_endpoint))
        .routes(routes!(webhooks::get_endpoint, webhooks::update_endpoint, webhooks::delete_endpoint))
        .routes(routes!(webhooks::list_deliveries))
        .routes(routes!(webhooks::resend_delivery))
        .routes(routes!(webhooks::list_events))
        .routes(routes!(webhooks::get_event))
        .routes(routes!(webhooks::list_event_types))
        .routes(routes!(openapi::serve))
        .split_for_parts();
    openapi::document_idempotency(&mut document);
    (router, document)
}

/// The operator API's routes, with a JSON answer for paths it does not have.
pub fn router(state: &AppState) -> Router<AppState> {
    build()
        .0
        .route(&format!("{BASE_PATH}/{{*rest}}"), any(unknown_path))
        .layer(axum::middleware::from_fn_with_state(state.clone(), idempotency::idempotent))
}

async fn unknown_path() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "unknown_endpoint",
        "There is no such operator API endpoint; see /api/operator/v1/openapi.json.",
    )
}
