//! What a server function may know about the HTTP request that carries it.

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use std::net::SocketAddr;

use crate::server::infra::auth::cookies::session_token;
use crate::server::infra::state::{AppState, app_state};
use crate::wire::error::AppError;

pub struct RequestInfo {
    pub state: AppState,
    pub parts: Parts,
    response: Option<ResponseOptions>,
}

impl RequestInfo {
    pub fn current() -> Result<RequestInfo, AppError> {
        let state = app_state()?;
        let parts =
            use_context::<Parts>().ok_or_else(|| AppError::internal("request", "Parts missing from context"))?;
        Ok(RequestInfo { state, parts, response: use_context::<ResponseOptions>() })
    }

    /// For a plain HTTP route (not a server function): its answer sets cookies itself.
    pub fn for_route(state: AppState, parts: Parts) -> RequestInfo {
        RequestInfo { state, parts, response: None }
    }

    pub fn session_token(&self) -> Option<String> {
        session_token(&self.parts.headers, &self.state.settings.sessions.cookie_name)
    }

    pub fn user_agent(&self) -> String {
        self.parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(300).collect())
            .unwrap_or_default()
    }

    pub fn client_ip(&self) -> Option<String> {
        self.parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string())
    }

    /// Sends a page's own form post (the browser asked for HTML) on to `path` once it has
    /// succeeded; a call from an island (which asks for data) is answered with its result, and
    /// the island decides where the browser goes.
    pub fn redirect_form_post(&self, path: &str) {
        let asks_for_html = self
            .parts
            .headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"));
        if asks_for_html {
            leptos_axum::redirect(path);
        }
    }

    pub fn set_cookie(&self, cookie: &str) {
        if let (Some(response), Ok(value)) = (&self.response, HeaderValue::from_str(cookie)) {
            response.append_header(header::SET_COOKIE, value);
        }
    }
}
