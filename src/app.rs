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
use std::sync::Arc;
use std::time::Duration;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::server::infra::assets;
use crate::server::infra::auth::authorize::ResolvedSession;
use crate::server::infra::headers;
use crate::server::infra::limits;
use crate::server::infra::middleware;
use crate::server::infra::page_cache;
use crate::server::infra::processors::sandbox;
use crate::server::infra::startup;
use crate::server::infra::state::AppState;
use crate::server::invoices::downloads;
use crate::ui::app::{App, shell};
use crate::wire::auth::RenderedFor;
use crate::wire::site::PageAssets;

/// A span per request (method and path, with token-like segments masked: payment-link and
/// invitation tokens are credentials) around everything the request does, so the use cases'
/// spans inside it tell where a request's time went.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    tracing::info_span!("request", method = %request.method(), path = %masked_path(request.uri().path()))
}

/// Every answer with its latency at debug level, and as a warning when slower than a second,
/// so a slow request can be found in the log.
fn log_answer(response: &axum::http::Response<axum::body::Body>, latency: Duration, _: &tracing::Span) {
    let status = response.status().as_u16();
    let micros = latency.as_micros() as u64;
    if latency >= SLOW_REQUEST {
        tracing::warn!(status, micros, "slow request");
    } else {
        tracing::debug!(status, micros, "answered");
    }
}

const SLOW_REQUEST: Duration = Duration::from_secs(1);

/// The path as logged: a segment of 40 or more characters (secret tokens are 43; ids like
/// `inv_` and 22 characters are shorter) is replaced by `…`.
fn masked_path(path: &str) -> String {
    path.split('/').map(|segment| if segment.len() >= 40 { "…" } else { segment }).collect::<Vec<_>>().join("/")
}

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
    let page_assets: Arc<PageAssets> = state.assets.page_assets().clone();
    let page_context = move || {
        provide_context(context_state.clone());
        provide_context(page_assets.clone());
        provide_context(rendered_for());
        headers::provide_page_policy();
    };
    let shell_options = state.leptos_options.clone();
    let downloads = downloads::routes()
        .into_iter()
        .fold(Router::new(), |router, download| router.route(download.path, download.handler));
    // The WASM, JS and CSS: sent from disk, as the brotli or gzip copy `portico precompress`
    // made at build time when the browser takes it (else as is, compressed on the fly below);
    // the shell's module from memory, compressed at start. Content-named files may be kept a
    // year; anything else is revalidated (see `assets`).
    let shell_module = state.assets.shell().clone();
    let assets = Router::new()
        .route(
            &format!("/{}", shell_module.file_name),
            axum::routing::get(move |headers: axum::http::HeaderMap| async move { shell_module.response(&headers) }),
        )
        .fallback_service(
            tower_http::services::ServeDir::new(format!("{}/pkg", state.settings.server.site_root))
                .precompressed_br()
                .precompressed_gzip(),
        )
        .layer(from_fn_with_state(state.assets.clone(), assets::cache_policy));
    Router::new()
        .merge(downloads)
        .nest_service("/pkg", assets)
        .route("/healthz", get(startup::healthz))
        .route("/portal/{token}", get(crate::server::operator::portal::redeem))
        .route("/sandbox/v1/tokens", axum::routing::post(sandbox::tokenize))
        .merge(crate::server::operator::router(&state))
        .leptos_routes_with_context(&state, routes, page_context.clone(), move || shell(shell_options.clone()))
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(page_context, shell))
        .layer(from_fn(middleware::form_post_redirects))
        // Inside the session lookup, whose query reads the page version the cache checks.
        .layer(from_fn_with_state(state.clone(), page_cache::pages))
        .layer(from_fn_with_state(state.clone(), middleware::sessions))
        .layer(from_fn_with_state(state.clone(), middleware::cross_site_guard))
        // Outermost first: a request's time limit covers reading its body, and every answer,
        // refusals included, carries the security headers.
        .layer(from_fn(limits::limit_bodies))
        // Pages are compressed as they are sent, so the level is paid on every request. Level 2
        // (`page_cache::PAGE_LEVEL`, which kept pages are gzipped at too) against tower-http's defaults (gzip 6, brotli 4, zstd 3), measured on the dashboard's
        // 15.7 KB by bench/compression: a third less CPU for gzip and zstd, for 4-7 % more bytes.
        // No brotli on the fly: its encoder allocates and zeroes its whole window (4 MiB) for any
        // answer of more than 16 KiB, which measured 1.6-4.8 ms of CPU a page against 0.05-0.4 ms
        // for gzip (rendering a page costs 1-7 ms), and gzip at level 2 is as small as brotli at
        // level 2 on these pages. Browsers that take brotli also take gzip; the site's files keep
        // their brotli copies made at build time (`assets` above).
        .layer(CompressionLayer::new().no_br().quality(CompressionLevel::Precise(page_cache::PAGE_LEVEL as i32)))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_request(())
                .on_response(log_answer)
                .on_body_chunk(())
                .on_eos(())
                .on_failure(()),
        )
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(state.settings.server.request_timeout_seconds),
        ))
        .layer(from_fn_with_state(state.clone(), headers::security_headers))
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::masked_path;

    #[test]
    fn tokens_are_masked_in_logged_paths_and_ids_kept() {
        let token = "Qm9vbGVhbiBsb2dpYyBpcyB0aGUgYmFzaXMgb2YgY29t";
        assert_eq!(masked_path(&format!("/pay/{token}")), "/pay/…");
        assert_eq!(masked_path("/invoices/inv_4lYyGq0Zt1v2W3x4Y5z6AB/pdf"), "/invoices/inv_4lYyGq0Zt1v2W3x4Y5z6AB/pdf");
        assert_eq!(masked_path("/"), "/");
    }
}
