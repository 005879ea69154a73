//! Request guards that run before any handler: the session lookup with its page redirects,
//! and the refusal of cross-site state-changing requests.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use crate::server::infra::auth::authorize::{ResolvedSession, resolve_session};
use crate::server::infra::auth::sessions::touch;
use crate::server::infra::clock::unix_now;
use crate::server::infra::state::AppState;
use crate::wire::error::AppError;

/// Paths that are served to anyone.
fn is_public(path: &str) -> bool {
    path == "/login"
        || path == "/healthz"
        || path.starts_with("/pkg/")
        || path.starts_with("/api/")
        || path.starts_with("/pay/")
        || path.starts_with("/invitations/")
        || path.starts_with("/portal/")
        || path == "/favicon.ico"
        || path == "/favicon.svg"
        || path == "/robots.txt"
}

/// Static files need no session at all, nor does the operator API, which authenticates by key.
fn is_static(path: &str) -> bool {
    path.starts_with("/pkg/")
        || path.starts_with("/favicon")
        || path == "/robots.txt"
        || path == "/healthz"
        || path.starts_with("/api/operator/")
}

/// Resolves the session once per request and keeps pages behind sign-in.
pub async fn sessions(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if is_static(&path) {
        return next.run(req).await;
    }
    let session = match resolve_session(&state, req.headers()).await {
        Ok(session) => session,
        Err(_) => return (StatusCode::SERVICE_UNAVAILABLE, "Portico is temporarily unavailable.").into_response(),
    };
    if let Some(s) = &session {
        let now = unix_now(state.clock.as_ref());
        if now - s.last_seen_at >= 60
            && let Err(error) = touch(state.db.pool(), &s.id_hash, now).await
        {
            tracing::warn!(%error, "could not record session activity");
        }
    }
    let is_page = matches!(*req.method(), Method::GET | Method::HEAD);
    if is_page && session.is_none() && !is_public(&path) {
        let target = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let next_param = if target == "/" { String::new() } else { format!("?next={}", urlencode(target)) };
        return Redirect::to(&format!("/login{next_param}")).into_response();
    }
    if is_page && session.is_some() && path == "/login" {
        return Redirect::to("/").into_response();
    }
    req.extensions_mut().insert(ResolvedSession(session));
    next.run(req).await
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Refuses a state-changing request that a browser says came from another site, before it
/// reaches any handler. Browsers send `Sec-Fetch-Site` (all current ones) and `Origin` on
/// such requests; a client that sends neither is not a browser carrying a victim's cookies.
pub async fn cross_site_guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    if is_cross_site(req.headers(), &state.settings.server.public_url, &state.settings.server.trusted_origins) {
        tracing::warn!(path = %req.uri().path(), "refused a cross-site request");
        let body = serde_json::to_string(&AppError::CrossSite).unwrap_or_default();
        return Response::builder()
            .status(StatusCode::FORBIDDEN)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap_or_else(|_| StatusCode::FORBIDDEN.into_response());
    }
    next.run(req).await
}

pub fn is_cross_site(headers: &HeaderMap, public_url: &str, trusted: &[String]) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site")
        && !matches!(site, "same-origin" | "none")
    {
        return true;
    }
    let Some(origin) = header("origin") else { return false };
    if origin == "null" {
        return true;
    }
    let origin = origin.trim_end_matches('/');
    let same_host = header("host").is_some_and(|host| authority(origin) == Some(host));
    let same_public = origin == public_url.trim_end_matches('/');
    let trusted = trusted.iter().any(|t| t.trim_end_matches('/') == origin);
    !(same_host || same_public || trusted)
}

fn authority(origin: &str) -> Option<&str> {
    origin.split_once("://").map(|(_, rest)| rest)
}

/// Answers a plain HTML form's post to a server function with a redirect the browser follows.
/// Before the page is hydrated (or without JavaScript) a form posts itself, and server_fn
/// answers it with a redirect back to the page, the error (if any) in the address (`__err`),
/// where the page's action shows it at its field. But an error also sets its own status
/// (`AppError::tracked`: 422, 403, ...), which leptos_axum applies last: the browser got a 422
/// with the error's JSON as the page. Such an answer goes out as 303 See Other, without a
/// body: the post/redirect/get a browser expects. Calls from the hydrated app ask for JSON and
/// are left alone, and so is the operator API.
pub async fn form_post_redirects(req: Request, next: Next) -> Response {
    let html_form_post = req.method() == Method::POST
        && req.uri().path().starts_with("/api/")
        && !req.uri().path().starts_with("/api/operator/")
        && accepts_html(req.headers());
    let response = next.run(req).await;
    if !html_form_post
        || !response.headers().contains_key(header::LOCATION)
        || response.status() == StatusCode::SEE_OTHER
    {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    parts.status = StatusCode::SEE_OTHER;
    parts.headers.remove(header::CONTENT_TYPE);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::empty())
}

/// What server_fn itself takes for a plain form post: an `Accept` that names HTML.
fn accepts_html(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    const PUBLIC: &str = "http://127.0.0.1:3000";

    #[test]
    fn same_origin_requests_pass() {
        assert!(!is_cross_site(
            &headers(&[
                ("sec-fetch-site", "same-origin"),
                ("origin", "http://localhost:4000"),
                ("host", "localhost:4000")
            ]),
            PUBLIC,
            &[]
        ));
        assert!(!is_cross_site(
            &headers(&[("origin", "http://127.0.0.1:3000"), ("host", "127.0.0.1:3000")]),
            PUBLIC,
            &[]
        ));
        assert!(!is_cross_site(&headers(&[]), PUBLIC, &[]));
    }

    #[test]
    fn cross_site_requests_are_refused() {
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "cross-site")]), PUBLIC, &[]));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "same-site")]), PUBLIC, &[]));
        assert!(is_cross_site(
            &headers(&[("origin", "https://evil.example"), ("host", "127.0.0.1:3000")]),
            PUBLIC,
            &[]
        ));
        assert!(is_cross_site(&headers(&[("origin", "null"), ("host", "127.0.0.1:3000")]), PUBLIC, &[]));
    }

    #[test]
    fn trusted_origins_pass() {
        let trusted = vec!["https://admin.example".to_string()];
        assert!(!is_cross_site(
            &headers(&[("origin", "https://admin.example"), ("host", "127.0.0.1:3000")]),
            PUBLIC,
            &trusted
        ));
    }

    #[test]
    fn only_pages_and_api_need_the_session_lookup() {
        assert!(is_static("/pkg/portico.wasm"));
        assert!(!is_static("/api/login"));
        assert!(is_public("/login") && !is_public("/") && !is_public("/invoices/x"));
        assert!(is_public("/pay/some-link-token"));
        assert!(is_static("/api/operator/v1/usage"), "the operator API authenticates by key");
        assert_eq!(urlencode("/invoices/inv_1?x=1"), "/invoices/inv_1%3Fx%3D1");
    }
}
