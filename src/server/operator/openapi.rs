//! The operator API's OpenAPI document, generated from the handlers' `#[utoipa::path]`
//! annotations and the wire types themselves as the router is built, so it describes exactly
//! what is served.

use std::sync::OnceLock;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::server::operator::error::ErrorBody;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Portico operator API",
        version = "1",
        description = "How the vendor's own systems talk to Portico: report message usage (charged to each client's \
                       prepaid credit balance), read a client's service status, adjust or reverse credit, record \
                       bank transfers received, and sign a person in to their billing portal from the vendor's app.\n\n\
                       Authenticate with an API key that staff create in the console under API keys: \
                       `Authorization: Bearer pk_…`. A key reaches only its vendor's accounts; any other account \
                       answers 404 like a missing one.\n\n\
                       Money is always `{ \"amount\": <integer minor units>, \"currency\": \"<ISO 4217>\" }` \
                       (360 USD is $3.60). Errors are `{ \"error\": { \"code\", \"message\", \"fields\"? } }`."
    ),
    modifiers(&BearerKey),
    components(schemas(ErrorBody)),
    tags(
        (name = "usage", description = "Message usage reported by the vendor's platform"),
        (name = "accounts", description = "Client accounts"),
        (name = "credit", description = "The prepaid credit ledger"),
        (name = "payments", description = "Payments by bank transfer (wire, PIX, Boleto), recorded when the money arrives"),
        (name = "portal", description = "Portal sessions: sign a person in to their billing portal from the vendor's app"),
        (name = "meta", description = "This document"),
    )
)]
pub struct OperatorApi;

struct BearerKey;

impl Modify for BearerKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        // The crate has no license field; an empty one would only confuse a reader.
        openapi.info.license = None;
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An operator API key (`pk_…`), created by staff and shown once."))
                    .build(),
            ),
        );
    }
}

/// The document as served, built once.
pub fn document_json() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| {
        crate::server::operator::build().1.to_pretty_json().unwrap_or_else(|error| {
            tracing::error!(%error, "the OpenAPI document does not serialize");
            String::new()
        })
    })
}

/// The OpenAPI document
///
/// This document, as OpenAPI 3 JSON. No key needed.
#[utoipa::path(
    get,
    path = "/api/operator/v1/openapi.json",
    tag = "meta",
    responses((status = 200, description = "OpenAPI 3 document", content_type = "application/json"))
)]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn serve() -> Response {
    let json = document_json();
    if json.is_empty() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let mut response = json.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}
