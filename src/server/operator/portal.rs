//! Portal sessions: the vendor's app sends a signed-in user of its own product straight to their
//! billing page. The vendor's server asks for a single-use URL (`POST /portal-sessions`, with
//! its API key); the person's browser opens it within minutes; Portico starts a normal session
//! for that person in that account (a new session id, audited) and the header shows a
//! "Back to <vendor>" link to the return URL, if one was given from the vendor's allow-list.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::domain::field_error::FieldError;
use crate::domain::ids::{AccountId, PersonId};
use crate::domain::people::is_plausible_email;
use crate::domain::role::Role;
use crate::server::infra::audit::{AuditEvent, record};
use crate::server::infra::auth::cookies::session_cookie;
use crate::server::infra::auth::login::start_session;
use crate::server::infra::clock::unix_now;
use crate::server::infra::ids::{new_id, new_secret_token, token_hash};
use crate::server::infra::request::RequestInfo;
use crate::server::infra::state::AppState;
use crate::server::operator::auth::ApiCaller;
use crate::server::operator::body;
use crate::server::operator::error::{ApiError, ErrorBody};
use crate::server::operator::wire::rfc3339;
use crate::wire::error::AppError;

/// How long a portal session's URL can be opened: long enough for a redirect, short enough that
/// a URL copied into a chat or a log is useless soon after.
pub const PORTAL_SESSION_LIFETIME_SECS: i64 = 5 * 60;

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PortalSessionIn {
    /// The client account to open.
    #[schema(example = "acc_northwind")]
    pub account_id: String,
    /// The person to sign in: a member of the account.
    #[schema(example = "owner@northwind.test")]
    pub email: String,
    /// Where "Back to <vendor>" leads: a URL on one of the vendor's return origins
    /// (`PUT /portal/return-origins`).
    #[serde(default)]
    #[schema(example = "https://app.acme.test/settings")]
    pub return_url: Option<String>,
    /// Add the person to the account with this role if they are not in it yet. Without it an
    /// unknown person is refused.
    #[serde(default)]
    pub create: Option<NewPerson>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewPerson {
    #[schema(example = "Dana Reyes")]
    pub name: String,
    /// `owner`, `admin`, `billing_manager` or `member`.
    #[schema(example = "billing_manager")]
    pub role: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PortalSessionOut {
    pub id: String,
    /// Open this in the person's browser (redirect to it). It works once, until `expires_at`.
    #[schema(example = "https://billing.acme.test/portal/3q2-…")]
    pub url: String,
    #[schema(format = DateTime)]
    pub expires_at: String,
    pub account_id: String,
    pub person_id: String,
    /// True when the person was added to the account by this request.
    pub created_person: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReturnOrigins {
    /// Origins (`https://host[:port]`) that return URLs may point at.
    #[schema(example = json!(["https://app.acme.test"]))]
    pub origins: Vec<String>,
}

/// Create a portal session
///
/// A single-use URL that signs a person in to a client account's billing portal. Send the
/// person's browser to it at once: it expires five minutes after it is made.
#[utoipa::path(
    post,
    path = "/api/operator/v1/portal-sessions",
    tag = "portal",
    request_body = PortalSessionIn,
    security(("api_key" = [])),
    responses(
        (status = 201, description = "The URL to open", body = PortalSessionOut),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No such account (`not_found`), or no such person in it and no `create` (`unknown_person`)", body = ErrorBody),
        (status = 409, description = "The account is archived (`conflict`)", body = ErrorBody),
        (status = 422, description = "A field is not valid (`invalid`, with `fields`)", body = ErrorBody),
    )
)]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create_portal_session(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<PortalSessionOut>), ApiError> {
    let input: PortalSessionIn = body::parse(body)?;
    let mut fields = Vec::new();
    let email = input.email.trim().to_lowercase();
    if !is_plausible_email(&email) {
        fields.push(FieldError::new("email", "Give the person's email address."));
    }
    let new_person = match &input.create {
        None => None,
        Some(person) => {
            let name = person.name.trim();
            if name.is_empty() || name.chars().count() > 100 {
                fields.push(FieldError::new("create.name", "Give the person's name, at most 100 characters."));
            }
            match person.role.parse::<Role>() {
                Ok(role) => Some((name.to_string(), role)),
                Err(_) => {
                    fields.push(FieldError::new("create.role", "Use owner, admin, billing_manager or member."));
                    None
                }
            }
        }
    };
    let origins = return_origins(&state, &caller.vendor_id).await?;
    let return_url = match input.return_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        None => None,
        Some(url) => match allowed_return_url(url, &origins) {
            Some(url) => Some(url),
            None => {
                fields.push(FieldError::new(
                    "return_url",
                    "Use an http(s) URL on one of your return origins (PUT /api/operator/v1/portal/return-origins).",
                ));
                None
            }
        },
    };
    if !fields.is_empty() {
        return Err(ApiError::invalid(fields));
    }
    let account_id = AccountId::new(input.account_id.trim());
    if caller.account(&state, &account_id).await?.archived {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            "This account is archived: nobody signs in to it.",
        ));
    }

    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    let person: Option<(String, Option<i64>, Option<String>)> = sqlx::query_as(
        "SELECT u.id, u.disabled_at, m.role
         FROM users u LEFT JOIN memberships m ON m.user_id = u.id AND m.account_id = $2
         WHERE u.email = $1",
    )
    .bind(&email)
    .bind(&account_id)
    .fetch_optional(&mut *tx)
    .await?;
    let is_staff: bool = match &person {
        Some((user_id, ..)) => {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM staff_members WHERE user_id = $1")
                .bind(user_id)
                .fetch_one(&mut *tx)
                .await?
                > 0
        }
        None => false,
    };
    if is_staff || person.as_ref().is_some_and(|(_, disabled_at, _)| disabled_at.is_some()) {
        // Agency staff work in their console and disabled people sign in nowhere.
        return Err(ApiError::invalid(vec![FieldError::new(
            "email",
            "This person cannot be signed in to a client's portal.",
        )]));
    }
    let (person_id, created_person) = match (person, new_person) {
        (Some((user_id, _, Some(_))), _) => (user_id, false),
        (existing, Some((name, role))) => {
            let user_id = match existing {
                Some((user_id, ..)) => user_id,
                None => {
                    let user_id = new_id("usr");
                    // No password: they sign in from the vendor's app, or set one by an invitation.
                    sqlx::query(
                        "INSERT INTO users (id, email, name, password_hash, created_at) VALUES ($1, $2, $3, '!', $4)",
                    )
                    .bind(&user_id)
                    .bind(&email)
                    .bind(&name)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    user_id
                }
            };
            sqlx::query("INSERT INTO memberships (account_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)")
                .bind(&account_id)
                .bind(&user_id)
                .bind(role.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await?;
            let detail = json!({ "email": email, "role": role.as_str(), "via": "portal_session" });
            caller.record(&mut tx, now, &account_id, "member.added", ("user", &user_id), detail).await?;
            crate::server::webhooks::emit(
                &mut tx,
                now,
                &account_id,
                crate::domain::webhooks::EventType::PersonAdded,
                crate::server::webhooks::About::Person(&user_id),
            )
            .await?;
            (user_id, true)
        }
        _ => {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "unknown_person",
                "No person with that email is in this account. Send `create` with a name and role to add them.",
            ));
        }
    };

    let token = new_secret_token();
    let id = new_id("ps");
    let expires_at = now + PORTAL_SESSION_LIFETIME_SECS;
    sqlx::query(
        "INSERT INTO portal_sessions (id, token_hash, vendor_id, account_id, user_id, return_url, api_key_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(token_hash(&token))
    .bind(&caller.vendor_id)
    .bind(&account_id)
    .bind(&person_id)
    .bind(return_url.as_deref())
    .bind(&caller.key_id)
    .bind(now)
    .bind(expires_at)
    .execute(&mut *tx)
    .await?;
    let detail = json!({ "person_id": person_id });
    caller.record(&mut tx, now, &account_id, "portal_session.created", ("portal_session", &id), detail).await?;
    tx.commit().await?;
    let url = format!("{}/portal/{token}", state.settings.server.public_url.trim_end_matches('/'));
    Ok((
        StatusCode::CREATED,
        Json(PortalSessionOut {
            id,
            url,
            expires_at: rfc3339(expires_at),
            account_id: account_id.into_string(),
            person_id,
            created_person,
        }),
    ))
}

/// Read the return origins
#[utoipa::path(
    get,
    path = "/api/operator/v1/portal/return-origins",
    tag = "portal",
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The origins return URLs may point at", body = ReturnOrigins),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
    )
)]
pub async fn get_return_origins(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<ReturnOrigins>, ApiError> {
    Ok(Json(ReturnOrigins { origins: return_origins(&state, &caller.vendor_id).await? }))
}

/// Set the return origins
///
/// Replaces the list of origins that portal sessions' return URLs may point at: `https://`
/// origins, or `http://localhost` and `http://127.0.0.1` for development. At most 20.
#[utoipa::path(
    put,
    path = "/api/operator/v1/portal/return-origins",
    tag = "portal",
    request_body = ReturnOrigins,
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The origins now allowed", body = ReturnOrigins),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 422, description = "An origin is not valid (`invalid`, with `fields`)", body = ErrorBody),
    )
)]
pub async fn put_return_origins(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ReturnOrigins>, ApiError> {
    let input: ReturnOrigins = body::parse(body)?;
    let label = caller.label();
    let origins = set_return_origins(
        &state,
        &caller.vendor_id,
        None,
        &label,
        &input.origins,
        json!({ "api_key_id": caller.key_id }),
    )
    .await?;
    Ok(Json(ReturnOrigins { origins }))
}

/// Replaces the vendor's return origins (the API and the staff page); each origin is checked,
/// and one that is not valid names its place in the list.
pub async fn set_return_origins(
    state: &AppState,
    vendor_id: &str,
    user_id: Option<&str>,
    label: &str,
    given: &[String],
    mut detail: serde_json::Value,
) -> Result<Vec<String>, ApiError> {
    if given.len() > 20 {
        return Err(ApiError::invalid(vec![FieldError::new("origins", "At most 20 origins.")]));
    }
    let mut origins = Vec::new();
    let mut fields = Vec::new();
    for (i, origin) in given.iter().enumerate() {
        match normalized_origin(origin) {
            Some(o) => origins.push(o),
            None => fields.push(FieldError::new(
                format!("origins[{i}]"),
                "Use an origin like https://app.example.com (http only for localhost).",
            )),
        }
    }
    if !fields.is_empty() {
        return Err(ApiError::invalid(fields));
    }
    origins.sort();
    origins.dedup();
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    sqlx::query("DELETE FROM portal_return_origins WHERE vendor_id = $1").bind(vendor_id).execute(&mut *tx).await?;
    for origin in &origins {
        sqlx::query("INSERT INTO portal_return_origins (vendor_id, origin, created_at) VALUES ($1, $2, $3)")
            .bind(vendor_id)
            .bind(origin)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    if let Some(map) = detail.as_object_mut() {
        map.insert("origins".into(), json!(origins));
    }
    record(
        &mut tx,
        now,
        AuditEvent {
            action: "portal.return_origins_set",
            actor_user_id: user_id,
            actor_email: Some(label),
            detail,
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(origins)
}

pub async fn return_origins(state: &AppState, vendor_id: &str) -> Result<Vec<String>, ApiError> {
    Ok(sqlx::query_scalar("SELECT origin FROM portal_return_origins WHERE vendor_id = $1 ORDER BY origin")
        .bind(vendor_id)
        .fetch_all(state.db.pool())
        .await?)
}

/// `https://host[:port]`, lower-cased, or `http://` for a local host; `None` for anything else
/// (a path, a query, credentials, another scheme).
fn normalized_origin(text: &str) -> Option<String> {
    let url = url::Url::parse(text.trim()).ok()?;
    let local = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && local);
    let bare = url.path() == "/" && url.query().is_none() && url.fragment().is_none();
    let plain = url.username().is_empty() && url.password().is_none() && url.host_str().is_some();
    (scheme_ok && bare && plain).then(|| url.origin().ascii_serialization())
}

/// The return URL, if its origin is one of `origins`.
fn allowed_return_url(text: &str, origins: &[String]) -> Option<String> {
    let url = url::Url::parse(text).ok()?;
    if !matches!(url.scheme(), "https" | "http") || !url.username().is_empty() || url.password().is_some() {
        return None;
    }
    let origin = url.origin().ascii_serialization();
    origins.contains(&origin).then(|| url.to_string())
}

/// `GET /portal/{token}`: signs the person in and sends them to their dashboard, once.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn redeem(State(state): State<AppState>, Path(token): Path<String>, parts: Parts) -> Response {
    let assets = state.assets.clone();
    let stylesheet = &assets.page_assets().stylesheet;
    match start(&RequestInfo::for_route(state, parts), &token).await {
        Ok(Some(cookie)) => {
            let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, "/")]).into_response();
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
            // The URL held a credential: it must not leak to the next site through Referer.
            response.headers_mut().insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
            response
        }
        Ok(None) => unusable_link_page(stylesheet),
        Err(error) => {
            tracing::error!(%error, "portal session could not start");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html(page(stylesheet, "Something went wrong", "Please try again in a moment.")),
            )
                .into_response()
        }
    }
}

/// Uses the portal session named by `token` and starts a session for its person; the cookie to
/// set, or `None` when the token is unknown, used, expired, or its person left the account.
async fn start(info: &RequestInfo, token: &str) -> Result<Option<String>, AppError> {
    let state = &info.state;
    if token.len() > 100 {
        return Ok(None);
    }
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    // One conditional update takes the URL: of two clicks only one gets a row back.
    let used: Option<(String, String, String, Option<String>, String)> = sqlx::query_as(
        "UPDATE portal_sessions SET used_at = $1
         WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1
         RETURNING id, account_id, user_id, return_url, api_key_id",
    )
    .bind(now)
    .bind(token_hash(token))
    .fetch_optional(&mut *tx)
    .await?;
    let Some((id, account_id, user_id, return_url, api_key_id)) = used else {
        return Ok(None);
    };
    let still_member: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.account_id = $1 AND m.user_id = $2 AND u.disabled_at IS NULL",
    )
    .bind(&account_id)
    .bind(&user_id)
    .fetch_one(&mut *tx)
    .await?;
    if still_member == 0 {
        tx.commit().await?;
        return Ok(None);
    }
    // A new session id, whatever the browser had before.
    let session_token =
        start_session(&mut tx, info, &PersonId::new(user_id.as_str()), Some(&account_id), return_url.as_deref(), now)
            .await?;
    let user_agent = info.user_agent();
    record(
        &mut tx,
        now,
        AuditEvent {
            action: "login.portal_session",
            actor_user_id: Some(&user_id),
            account_id: Some(&account_id),
            target_type: Some("portal_session"),
            target_id: Some(&id),
            detail: json!({ "api_key_id": api_key_id, "user_agent": user_agent }),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Some(session_cookie(&state.settings, &session_token)))
}

fn unusable_link_page(stylesheet: &str) -> Response {
    let mut response = (
        StatusCode::GONE,
        Html(page(
            stylesheet,
            "This sign-in link can't be used",
            "It has expired, was already used, or was not copied whole. Go back to the app you came from and open \
             your billing page again, or sign in with your email and password.",
        )),
    )
        .into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response.headers_mut().insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

fn page(stylesheet: &str, title: &str, text: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Portico</title><link rel=\"stylesheet\" href=\"{stylesheet}\"></head>\
         <body><main id=\"main\" class=\"page\"><h1>{title}</h1><p>{text}</p>\
         <p><a class=\"button\" href=\"/login\">Sign in</a></p></main></body></html>"
    )
}

#[cfg(test)]
mod tests {
    use super::{allowed_return_url, normalized_origin};

    #[test]
    fn origins_are_https_or_local_http_without_a_path() {
        assert_eq!(normalized_origin("https://App.Acme.test"), Some("https://app.acme.test".into()));
        assert_eq!(normalized_origin("https://app.acme.test:8443/"), Some("https://app.acme.test:8443".into()));
        assert_eq!(normalized_origin("http://localhost:5173"), Some("http://localhost:5173".into()));
        assert_eq!(normalized_origin("http://app.acme.test"), None);
        assert_eq!(normalized_origin("https://app.acme.test/settings"), None);
        assert_eq!(normalized_origin("https://user:pw@app.acme.test"), None);
        assert_eq!(normalized_origin("javascript:alert(1)"), None);
    }

    #[test]
    fn a_return_url_must_be_on_an_allowed_origin() {
        let origins = vec!["https://app.acme.test".to_string()];
        assert_eq!(
            allowed_return_url("https://app.acme.test/settings?tab=billing", &origins),
            Some("https://app.acme.test/settings?tab=billing".into())
        );
        assert_eq!(allowed_return_url("https://app.acme.test.evil.test/", &origins), None);
        assert_eq!(allowed_return_url("https://evil.test/?https://app.acme.test", &origins), None);
        assert_eq!(allowed_return_url("javascript:alert(1)//https://app.acme.test", &origins), None);
        assert_eq!(allowed_return_url("https://app.acme.test@evil.test/", &origins), None);
    }
}
