//! The agency console's webhooks: the vendor's endpoints, the delivery log with a resend, and
//! the origins portal sessions may send people back to. Staff see them; admins change them.

use crate::wire::error::AppError;
use crate::wire::webhooks::{CreatedEndpoint, WebhooksPage};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(endpoint = "staff/webhooks", output = crate::wire::codec::JsonText)]
pub async fn load_webhooks() -> Result<WebhooksPage, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Staff).await?;
    let staff = caller.staff()?;
    let state = &caller.state;
    let origins = crate::server::operator::portal::return_origins(state, &staff.vendor_id)
        .await
        .map_err(|_| AppError::internal("return origins", "query failed"))?;
    Ok(WebhooksPage {
        endpoints: crate::server::webhooks::endpoints::list(state, &staff.vendor_id).await?,
        deliveries: crate::server::webhooks::endpoints::deliveries(state, &staff.vendor_id, None, 50).await?,
        event_types: crate::domain::webhooks::EventType::ALL
            .iter()
            .map(|t| (t.as_str().to_string(), t.label().to_string()))
            .collect(),
        return_origins: origins,
        can_edit: staff.staff_role.can_administer(),
    })
}

#[server(endpoint = "staff/webhooks/create", input = Json, output = crate::wire::codec::JsonText)]
pub async fn create_webhook_endpoint(
    url: String,
    description: String,
    events: Vec<String>,
) -> Result<CreatedEndpoint, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    use crate::server::webhooks::endpoints::{Changer, EndpointInput, create};
    let caller = authorize(Access::StaffAdmin).await?;
    let vendor_id = caller.staff()?.vendor_id.clone();
    let changer = Changer { user_id: Some(caller.user_id()), label: &caller.session.email };
    create(&caller.state, &vendor_id, changer, EndpointInput { url, description, events }).await
}

#[server(endpoint = "staff/webhooks/delete", output = crate::wire::codec::JsonText)]
pub async fn delete_webhook_endpoint(id: String) -> Result<(), AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    use crate::server::webhooks::endpoints::{Changer, delete};
    let caller = authorize(Access::StaffAdmin).await?;
    let vendor_id = caller.staff()?.vendor_id.clone();
    delete(&caller.state, &vendor_id, Changer { user_id: Some(caller.user_id()), label: &caller.session.email }, &id)
        .await
}

#[server(endpoint = "staff/webhooks/resend", output = crate::wire::codec::JsonText)]
pub async fn resend_webhook_delivery(id: String) -> Result<(), AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    use crate::server::webhooks::endpoints::{Changer, resend};
    let caller = authorize(Access::StaffAdmin).await?;
    let vendor_id = caller.staff()?.vendor_id.clone();
    resend(&caller.state, &vendor_id, Changer { user_id: Some(caller.user_id()), label: &caller.session.email }, &id)
        .await
}

/// One origin per line.
#[server(endpoint = "staff/return-origins", output = crate::wire::codec::JsonText)]
pub async fn set_return_origins(origins: String) -> Result<Vec<String>, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::StaffAdmin).await?;
    let vendor_id = caller.staff()?.vendor_id.clone();
    let given: Vec<String> = origins.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect();
    crate::server::operator::portal::set_return_origins(
        &caller.state,
        &vendor_id,
        Some(caller.user_id()),
        &caller.session.email,
        &given,
        serde_json::json!({}),
    )
    .await
    .map_err(|error| match error.fields.first() {
        Some(field) => AppError::invalid("origins", format!("Line {}: {}", line_of(&field.field), field.message)),
        None if error.status.is_client_error() => AppError::invalid("origins", error.message),
        None => AppError::internal("return origins", error.message),
    })
}

/// "origins[2]" is the third line.
#[cfg(feature = "ssr")]
fn line_of(field: &str) -> String {
    field
        .trim_start_matches("origins[")
        .trim_end_matches(']')
        .parse::<usize>()
        .map(|i| (i + 1).to_string())
        .unwrap_or_else(|_| "?".into())
}
