//! Response headers every answer carries: a Content-Security-Policy that allows exactly what the
//! app needs, HSTS when the portal is served over https, `Cache-Control: no-store` on everything
//! that is not a static asset (signed-in pages, server function answers, downloads: billing data
//! is private and a shared cache must never keep it), and the framing and sniffing defences.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::server::infra::state::AppState;

/// A page's policy: its own scripts and WASM, the inline hydration and streaming scripts only
/// by the nonce Leptos puts on them for this response, its own styles, images and connections;
/// no plugins, no framing, forms post to the portal only.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
         font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Everything that is not a page (JSON, PDFs, CSV, images): nothing runs, nothing frames it.
const DOCUMENT_POLICY: &str =
    "default-src 'none'; img-src 'self'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Sets the page's policy for the response being rendered, with the nonce Leptos made for it.
/// Called in the Leptos context of every page render.
pub fn provide_page_policy() {
    if let (Some(nonce), Some(response)) =
        (leptos::nonce::use_nonce(), leptos::prelude::use_context::<leptos_axum::ResponseOptions>())
        && let Ok(value) = HeaderValue::from_str(&page_policy(&nonce))
    {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// Whether a request's `Accept-Encoding` takes `coding` (named, and not refused with q=0).
pub fn accepts_encoding(request_headers: &HeaderMap, coding: &str) -> bool {
    request_headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or_default().trim();
            let refused = parts.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
            name.eq_ignore_ascii_case(coding) && !refused
        })
}

/// Static assets may be cached (their own headers say how); nothing else may be stored.
fn is_static_asset(path: &str) -> bool {
    path.starts_with("/pkg/") || path.starts_with("/favicon") || path == "/robots.txt"
}

pub async fn security_headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let is_static = is_static_asset(request.uri().path());
    let mut response = next.run(request).await;
    apply(response.headers_mut(), is_static, state.settings.secure_cookies());
    response
}

fn apply(headers: &mut HeaderMap, is_static: bool, https: bool) {
    let set_default = |headers: &mut HeaderMap, name: HeaderName, value: &'static str| {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    };
    set_default(headers, header::CONTENT_SECURITY_POLICY, DOCUMENT_POLICY);
    if !is_static {
        set_default(headers, header::CACHE_CONTROL, "no-store");
    }
    if https {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // A stricter policy a handler set stays (a page whose URL holds a credential says no-referrer).
    set_default(headers, header::REFERRER_POLICY, "same-origin");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_policy_allows_its_own_scripts_and_the_nonced_inline_ones_only() {
        let policy = page_policy("abc123");
        assert!(policy.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval'"));
        assert!(!policy.contains("unsafe-inline"));
        assert!(policy.contains("frame-ancestors 'none'"));
    }

    #[test]
    fn private_answers_are_never_stored_and_https_gets_hsts() {
        let mut headers = HeaderMap::new();
        apply(&mut headers, false, true);
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
        assert_eq!(headers[header::STRICT_TRANSPORT_SECURITY], HSTS);
        assert_eq!(headers[header::CONTENT_SECURITY_POLICY], DOCUMENT_POLICY);

        let mut asset = HeaderMap::new();
        apply(&mut asset, true, false);
        assert!(!asset.contains_key(header::CACHE_CONTROL));
        assert!(!asset.contains_key(header::STRICT_TRANSPORT_SECURITY));

        // What a handler set itself stays.
        let mut download = HeaderMap::new();
        download.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
        apply(&mut download, false, false);
        assert_eq!(download[header::CACHE_CONTROL], "private, no-store");
    }
}
