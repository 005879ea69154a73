//! The operator HTTP API (`/api/operator/v1/…`): plain JSON routes for the vendor's own
//! systems, authenticated by API key rather than by a signed-in session.

pub mod auth;
pub mod body;
pub mod credit;
pub mod error;
pub mod idempotency;
pub mod ingest;
pub mod keys;
pub mod openapi;
pub mod portal;
pub mod status;
pub mod transfers;
pub mod usage;
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
    OpenApiRouter::with_openapi(openapi::OperatorApi::openapi())
        .routes(routes!(usage::report_usage))
        .routes(routes!(status::service_status))
        .routes(routes!(credit::adjust))
        .routes(routes!(credit::reverse_entry))
        .routes(routes!(transfers::transfer_received))
        .routes(routes!(portal::create_portal_session))
        .routes(routes!(portal::get_return_origins, portal::put_return_origins))
        .routes(routes!(openapi::serve))
        .split_for_parts()
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
