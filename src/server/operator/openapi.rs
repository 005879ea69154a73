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
        description = "How the vendor's own systems talk to Portico: provision clients, their people, plans, \
                       subscriptions, phone numbers, invoices, credit notes and estimates; report message usage \
                       (charged to each client's prepaid credit balance); read a client's service status; adjust or \
                       reverse credit; record bank transfers received; sign a person in to their billing portal from \
                       the vendor's app; and hear what happened through signed webhooks.\n\n\
                       Authenticate with an API key that staff create in the console under API keys: \
                       `Authorization: Bearer pk_…`. A key reaches only its vendor's accounts; any other account \
                       answers 404 like a missing one.\n\n\
                       Money is always `{ \"amount\": <integer minor units>, \"currency\": \"<ISO 4217>\" }` \
                       (360 USD is $3.60). Errors are `{ \"error\": { \"code\", \"message\", \"fields\"? } }`.\n\n\
                       Every write takes an optional `Idempotency-Key`: a retry with the same key and request \
                       answers the first answer again. Lists are keyset-paginated: `limit` and the previous \
                       page's `next_cursor` as `cursor`.\n\n\
                       Webhook deliveries carry `Portico-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of \
                       \"<t>.<body>\" with the endpoint's secret>`."
    ),
    modifiers(&BearerKey),
    components(schemas(ErrorBody)),
    tags(
        (name = "accounts", description = "Client accounts: billing details, archive, service status"),
        (name = "people", description = "The people of a client account and their roles"),
        (name = "catalogue", description = "Plans: what a subscription is to, per currency"),
        (name = "subscriptions", description = "Subscriptions: start, preview and change with proration, cancel, resume"),
        (name = "numbers", description = "Phone numbers onboarded and released"),
        (name = "documents", description = "Invoices, credit notes, estimates and proposals"),
        (name = "webhooks", description = "Endpoints that hear about events, their deliveries, and the events"),
        (name = "usage", description = "Message usage reported by the vendor's platform"),
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

/// Every write takes an `Idempotency-Key` (the `idempotency` middleware, in front of every
/// route): the header and the 400 and 409 it can answer are added to each write here, so no
/// route can forget to say so.
pub fn document_idempotency(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, Required, ResponseBuilder};
    for item in doc.paths.paths.values_mut() {
        for operation in [&mut item.post, &mut item.put, &mut item.patch, &mut item.delete].into_iter().flatten() {
            let parameters = operation.parameters.get_or_insert_with(Vec::new);
            if !parameters.iter().any(|p| matches!(p, RefOr::T(p) if p.name == super::idempotency::DOCUMENTED_HEADER)) {
                let schema = ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .max_length(Some(255))
                    .pattern(Some("^[!-~]{1,255}$"));
                parameters.push(RefOr::T(
                    ParameterBuilder::new()
                        .name(super::idempotency::DOCUMENTED_HEADER)
                        .parameter_in(ParameterIn::Header)
                        .required(Required::False)
                        .description(Some(
                            "Makes a retry safe: the same key and request answer the first answer again (kept a day).",
                        ))
                        .schema(Some(schema))
                        .build(),
                ));
            }
            for (code, text) in [
                ("400", "The body is not JSON, or the Idempotency-Key is not 1 to 255 visible ASCII characters"),
                (
                    "409",
                    "The Idempotency-Key was used with another request (`idempotency_conflict`) or that request is still running (`request_in_progress`)",
                ),
            ] {
                operation.responses.responses.entry(code.to_string()).or_insert_with(|| {
                    RefOr::T(
                        ResponseBuilder::new()
                            .description(text)
                            .content(
                                "application/json",
                                ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build(),
                            )
                            .build(),
                    )
                });
            }
        }
    }
}
