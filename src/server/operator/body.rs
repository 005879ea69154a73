//! Reading JSON request bodies with answers a caller can act on: a body that is not JSON is a
//! 400, JSON of the wrong shape names the field at fault.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::domain::field_error::FieldError;
use crate::server::operator::error::ApiError;

/// The request body as `T`.
pub fn parse<T: DeserializeOwned>(body: Result<Bytes, BytesRejection>) -> Result<T, ApiError> {
    let bytes = body.map_err(|rejection| {
        let status = rejection.status();
        let code = if status == StatusCode::PAYLOAD_TOO_LARGE { "payload_too_large" } else { "unreadable_body" };
        ApiError::new(status, code, rejection.body_text())
    })?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::new(StatusCode::BAD_REQUEST, "malformed_json", format!("The body is not valid JSON: {e}."))
    })?;
    from_value(value).map_err(|e| ApiError::invalid(vec![e]))
}

/// A JSON value as `T`, or the first field that does not fit.
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, FieldError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        field_error(if path == "." { "" } else { &path }, &e.inner().to_string())
    })
}

/// Rewords serde's message for people, and names a missing field by its full path.
fn field_error(path: &str, message: &str) -> FieldError {
    if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or_default();
        let field = if path.is_empty() { name.to_string() } else { format!("{path}.{name}") };
        return FieldError::new(field, "This field is required.");
    }
    // The body itself is of the wrong kind (an array where an object belongs).
    let path = if path.is_empty() { "body" } else { path };
    if let Some(rest) = message.strip_prefix("invalid type: ")
        && let Some((got, expected)) = rest.split_once(", expected ")
    {
        let expected = match expected {
            "i64" | "u64" | "i32" | "u32" => "a whole number",
            "a string" => "a string",
            other if other.starts_with("struct ") => "an object",
            other => other,
        };
        return FieldError::new(path, format!("Expected {expected}, got {got}."));
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        return FieldError::new(path, format!("Unknown value {rest}."));
    }
    let mut chars = message.chars();
    let message = chars.next().map(|c| c.to_uppercase().chain(chars).collect::<String>()).unwrap_or_default();
    FieldError::new(path, format!("{message}."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Cost {
        amount: i64,
        currency: String,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Record {
        id: String,
        cost: Cost,
    }

    fn error(value: serde_json::Value) -> FieldError {
        from_value::<Record>(value).unwrap_err()
    }

    #[test]
    fn names_the_field_at_fault() {
        assert_eq!(
            error(json!({ "cost": { "amount": 1, "currency": "USD" } })),
            FieldError::new("id", "This field is required.")
        );
        assert_eq!(
            error(json!({ "id": "a", "cost": { "currency": "USD" } })),
            FieldError::new("cost.amount", "This field is required.")
        );
        assert_eq!(
            error(json!({ "id": "a", "cost": { "amount": "12", "currency": "USD" } })),
            FieldError::new("cost.amount", "Expected a whole number, got string \"12\".")
        );
        assert_eq!(error(json!({ "id": 5, "cost": { "amount": 1, "currency": "USD" } })).field, "id");
        assert_eq!(error(json!({ "id": "a", "cost": { "amount": 1.5, "currency": "USD" } })).field, "cost.amount");
    }

    #[test]
    fn a_body_that_is_not_json_is_a_bad_request() {
        let refused = parse::<Record>(Ok(Bytes::from_static(b"{\"id\": "))).unwrap_err();
        assert_eq!((refused.status, refused.code), (StatusCode::BAD_REQUEST, "malformed_json"));
        let wrong_shape = parse::<Record>(Ok(Bytes::from_static(b"[]"))).unwrap_err();
        assert_eq!((wrong_shape.status, wrong_shape.code), (StatusCode::UNPROCESSABLE_ENTITY, "invalid"));
    }
}
