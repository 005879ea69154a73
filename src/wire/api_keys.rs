//! Operator API keys (issue 7): the vendor's staff create one per system that pushes usage or
//! reads service status, see it once, and revoke it when that system no longer needs it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyRow {
    pub id: String,
    pub name: String,
    /// The first characters of the key (`pk_AbCd1234`), to tell keys apart.
    pub prefix: String,
    pub created_by: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub revoked_by: Option<String>,
}

/// A key just created: `secret` is the whole key, shown this once and never stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedApiKey {
    pub key: ApiKeyRow,
    pub secret: String,
}
