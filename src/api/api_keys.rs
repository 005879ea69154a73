//! Operator API keys (issue 7): the vendor's staff create one per system that pushes usage or
//! reads service status, see it once, and revoke it when that system no longer needs it.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::AppError;

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

/// The vendor's keys, live ones first, newest first.
#[server(endpoint = "staff/api-keys")]
pub async fn list_api_keys() -> Result<Vec<ApiKeyRow>, AppError> {
    use crate::server::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Staff).await?;
    crate::server::api_keys::list(&caller).await
}

/// Staff admins only: a key reaches every client account of the vendor.
#[server(endpoint = "staff/api-keys/create")]
pub async fn create_api_key(name: String) -> Result<CreatedApiKey, AppError> {
    use crate::server::auth::authorize::{Access, authorize};
    let caller = authorize(Access::StaffAdmin).await?;
    crate::server::api_keys::create(&caller, &name).await
}

/// Revoking takes effect at once: the next request with the key is refused. Staff admins only.
#[server(endpoint = "staff/api-keys/revoke")]
pub async fn revoke_api_key(id: String) -> Result<(), AppError> {
    use crate::server::auth::authorize::{Access, authorize};
    let caller = authorize(Access::StaffAdmin).await?;
    crate::server::api_keys::revoke(&caller, &id).await
}
