//! The one error type every server function returns.
//!
//! What the client can act on (sign in, fix a field, it does not exist) is said plainly; an
//! internal failure reaches the client only as a generic message, and its detail goes to the
//! server log where it was converted.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in to continue.")]
    Unauthenticated,
    #[error("Your role in this account does not allow this.")]
    Forbidden,
    #[error("We couldn't find that. It may have been removed, or the link may be wrong.")]
    NotFound,
    #[error("{message}")]
    Invalid { field: Option<String>, message: String },
    #[error("{0}")]
    Conflict(String),
    #[error("This request came from another site and was refused.")]
    CrossSite,
    #[error(
        "You are viewing this portal as the client. Paying, payment methods, payment links, billing details, estimate decisions, subscription changes, the team and sign-in details stay with the client's own people."
    )]
    Impersonating,
    /// The request itself is malformed (not what the page sends): fixable by the caller.
    #[error("{0}")]
    BadRequest(String),
    /// The request body is larger than the endpoint accepts.
    #[error("{0}")]
    TooLarge(String),
    /// Too many attempts: wait, then try again. The message says how long.
    #[error("{0}")]
    RateLimited(String),
    /// The server is saturated (e.g. too many password checks queued): try again shortly.
    #[error("Portico is very busy right now. Please try again in a moment.")]
    Busy,
    #[error("Something went wrong on our side. Please try again in a moment.")]
    Internal,
    #[error("We couldn't reach Portico. Check your connection and try again.")]
    Transport(String),
}

impl AppError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Invalid { field: Some(field.into()), message: message.into() }.tracked()
    }

    pub fn not_found() -> Self {
        AppError::NotFound.tracked()
    }

    /// The message for one form field, if this error is about that field.
    pub fn field_message(&self, name: &str) -> Option<String> {
        match self {
            AppError::Invalid { field: Some(f), message } if f == name => Some(message.clone()),
            _ => None,
        }
    }

    /// The message for the form as a whole: every error except one shown at its field.
    pub fn form_message(&self) -> Option<String> {
        match self {
            AppError::Invalid { field: Some(_), .. } => None,
            other => Some(other.to_string()),
        }
    }

    pub fn http_status(&self) -> u16 {
        match self {
            AppError::Unauthenticated => 401,
            AppError::Forbidden | AppError::CrossSite | AppError::Impersonating => 403,
            AppError::NotFound => 404,
            AppError::BadRequest(_) => 400,
            AppError::Invalid { .. } => 422,
            AppError::Conflict(_) => 409,
            AppError::TooLarge(_) => 413,
            AppError::RateLimited(_) => 429,
            AppError::Busy => 503,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }

    /// On the server, makes the HTTP response of the current server function (or page)
    /// carry this error's status code.
    pub fn tracked(self) -> Self {
        #[cfg(feature = "ssr")]
        if let (Some(response), Ok(code)) = (
            leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
            http::StatusCode::from_u16(self.http_status()),
        ) {
            response.set_status(code);
        }
        self
    }

    /// Like [`AppError::tracked`], with a status code of the caller's choosing (e.g. 429).
    pub fn tracked_as(self, status: u16) -> Self {
        #[cfg(feature = "ssr")]
        if let (Some(response), Ok(code)) =
            (leptos::prelude::use_context::<leptos_axum::ResponseOptions>(), http::StatusCode::from_u16(status))
        {
            response.set_status(code);
        }
        #[cfg(not(feature = "ssr"))]
        let _ = status;
        self
    }

    /// Logs the detail of an internal failure and returns the generic error.
    #[cfg(feature = "ssr")]
    pub fn internal(context: &str, detail: impl std::fmt::Display) -> Self {
        tracing::error!(%detail, "{context}");
        AppError::Internal.tracked()
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(detail) | ServerFnErrorErr::Response(detail) => AppError::Transport(detail),
            // What the caller sent does not fit the function: a malformed or incomplete call is
            // the caller's to fix (400), never a failure of ours.
            // (On the server a body that cannot be read or decoded is a `Deserialization` error
            // too; in the browser that variant means the answer could not be read.)
            ServerFnErrorErr::Args(detail) | ServerFnErrorErr::MissingArg(detail) => malformed(&detail),
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(detail) => malformed(&detail),
            #[cfg(not(feature = "ssr"))]
            ServerFnErrorErr::Deserialization(detail) => AppError::Transport(detail),
            other => {
                #[cfg(feature = "ssr")]
                tracing::warn!(error = %other, "server function plumbing error");
                #[cfg(not(feature = "ssr"))]
                let _ = other;
                AppError::Internal
            }
        }
    }
}

/// A call that does not fit its function (400): the decoder's words, cut short (they may quote
/// the input), after a plain sentence.
fn malformed(detail: &str) -> AppError {
    #[cfg(feature = "ssr")]
    tracing::debug!(%detail, "malformed server function call");
    let detail: String = detail.chars().filter(|c| !c.is_control()).take(200).collect();
    let message = if detail.is_empty() {
        "The request is malformed or incomplete.".to_string()
    } else {
        format!("The request is malformed or incomplete: {detail}")
    };
    AppError::BadRequest(message).tracked()
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        AppError::internal("database error", error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_do_not_leak_detail_to_the_client() {
        let text = AppError::Internal.to_string();
        assert!(!text.to_lowercase().contains("sql"));
        assert_eq!(AppError::Internal.http_status(), 500);
    }

    #[test]
    fn field_errors_are_addressable_by_field() {
        let e = AppError::Invalid { field: Some("email".into()), message: "Enter an email address.".into() };
        assert_eq!(e.field_message("email").as_deref(), Some("Enter an email address."));
        assert_eq!(e.field_message("password"), None);
        assert_eq!(e.http_status(), 422);
    }

    #[test]
    fn round_trips_through_the_wire_encoding() {
        let e = AppError::Conflict("Already paid.".into());
        let bytes = e.ser();
        assert_eq!(AppError::de(bytes), e);
    }
}
