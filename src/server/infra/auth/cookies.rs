//! The session cookie: HttpOnly, SameSite=Lax, Secure when the portal is served over https.

use axum::http::HeaderMap;
use axum_extra::extract::cookie::{Cookie, SameSite};
use time::Duration;

use crate::server::infra::config::Settings;

pub fn session_cookie(settings: &Settings, token: &str) -> String {
    Cookie::build((settings.sessions.cookie_name.clone(), token.to_string()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(settings.secure_cookies())
        .max_age(Duration::hours(settings.sessions.absolute_hours))
        .build()
        .to_string()
}

pub fn expired_session_cookie(settings: &Settings) -> String {
    Cookie::build((settings.sessions.cookie_name.clone(), ""))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(settings.secure_cookies())
        .max_age(Duration::ZERO)
        .build()
        .to_string()
}

/// The session token the browser sent, if any.
pub fn session_token(headers: &HeaderMap, cookie_name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| Cookie::parse(pair.trim().to_string()).ok())
        .find(|c| c.name() == cookie_name && !c.value().is_empty())
        .map(|c| c.value().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn settings(public_url: &str) -> Settings {
        let text = include_str!("../../../../Leptos.toml");
        let url = public_url.to_string();
        Settings::parse(text, move |k| match k {
            "PORTICO_SERVER_PUBLIC_URL" => Some(url.clone()),
            "PORTICO_PAYMENTS_SANDBOX_ON_HTTPS" => Some("true".into()),
            _ => None,
        })
        .unwrap()
    }

    #[test]
    fn cookie_is_http_only_lax_and_secure_only_over_https() {
        let plain = session_cookie(&settings("http://127.0.0.1:3000"), "tok");
        assert!(plain.contains("HttpOnly") && plain.contains("SameSite=Lax") && !plain.contains("Secure"));
        let tls = session_cookie(&settings("https://billing.example.com"), "tok");
        assert!(tls.contains("Secure"));
        assert!(expired_session_cookie(&settings("http://x")).contains("Max-Age=0"));
    }

    #[test]
    fn reads_the_named_cookie_among_others() {
        let mut headers = HeaderMap::new();
        headers.append("cookie", HeaderValue::from_static("theme=dark; portico_session=abc123"));
        assert_eq!(session_token(&headers, "portico_session").as_deref(), Some("abc123"));
        assert_eq!(session_token(&headers, "other"), None);
    }
}
