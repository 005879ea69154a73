//! Query strings of the operator API's lists: a page size and an opaque cursor (the
//! `next_cursor` of the page before); a query that does not parse is a 422 naming it.

use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use serde::de::DeserializeOwned;

use crate::domain::field_error::FieldError;
use crate::server::operator::error::ApiError;

pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;

pub fn query<T: DeserializeOwned>(query: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    query.map(|Query(q)| q).map_err(|rejection| {
        ApiError::invalid(vec![FieldError::new(
            "query",
            format!("The query string is not valid: {}", rejection.body_text()),
        )])
    })
}

pub fn limit(limit: Option<i64>) -> Result<i64, ApiError> {
    match limit {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::invalid(vec![FieldError::new("limit", format!("From 1 to {MAX_LIMIT}."))])),
    }
}

/// A cursor is what an earlier page answered: printable, at most 200 characters.
pub fn cursor(cursor: Option<&str>) -> Result<Option<&str>, ApiError> {
    match cursor {
        None | Some("") => Ok(None),
        Some(c) if c.len() <= 200 && c.chars().all(|ch| ch.is_ascii_graphic()) => Ok(Some(c)),
        Some(_) => Err(ApiError::invalid(vec![FieldError::new("cursor", "Use the next_cursor of the page before.")])),
    }
}

/// A page size and a cursor, for lists with no filters.
#[derive(Debug, Clone, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1 to 100; 20 when not given.
    pub limit: Option<i64>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
}
