//! Operator API keys (issue 7): the vendor's staff create one per system that pushes usage or
//! reads service status, see it once, and revoke it when that system no longer needs it.

use crate::wire::api_keys::{ApiKeyRow, CreatedApiKey};
use crate::wire::error::AppError;
use leptos::prelude::*;

/// The vendor's keys, live ones first, newest first.
#[server(endpoint = "staff/api-keys", output = crate::wire::codec::JsonText)]
pub async fn list_api_keys() -> Result<Vec<ApiKeyRow>, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Staff).await?;
    crate::server::operator::keys::list(&caller).await
}

/// Staff admins only: a key reaches every client account of the vendor.
#[server(endpoint = "staff/api-keys/create", output = crate::wire::codec::JsonText)]
pub async fn create_api_key(name: String) -> Result<CreatedApiKey, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::StaffAdmin).await?;
    crate::server::operator::keys::create(&caller, &name).await
}

/// Revoking takes effect at once: the next request with the key is refused. Staff admins only.
#[server(endpoint = "staff/api-keys/revoke", output = crate::wire::codec::JsonText)]
pub async fn revoke_api_key(id: String) -> Result<(), AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::StaffAdmin).await?;
    crate::server::operator::keys::revoke(&caller, &id).await
}
