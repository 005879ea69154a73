//! A complaint about one named field of what a caller sent, for answers that report several
//! at once (a usage record, a credit adjustment) rather than stopping at the first.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The field as the caller named it, dotted for nested ones (`cost.currency`).
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError { field: field.into(), message: message.into() }
    }
}
