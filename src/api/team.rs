//! A client's team (seeds 000, 002, 004): who has which role, invitations by email, role
//! changes and removals. The account always keeps an owner.

use crate::domain::role::Role;
use crate::wire::error::AppError;
use crate::wire::team::{InvitationView, PendingInvitation, Team};
use leptos::prelude::*;

#[server(endpoint = "team", output = crate::wire::codec::JsonText)]
pub async fn get_team() -> Result<Team, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::AccountMember).await?;
    crate::server::accounts::team::team(&caller).await
}

/// Emails an invitation link that expires; the invitee sets a password (or signs in) to join.
#[server(endpoint = "team/invite", output = crate::wire::codec::JsonText)]
pub async fn invite_member(email: String, role: Role) -> Result<PendingInvitation, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::TeamAdmin).await?;
    crate::server::accounts::team::invite(&caller, &email, role).await
}

#[server(endpoint = "team/role", output = crate::wire::codec::JsonText)]
pub async fn change_member_role(user_id: String, role: Role) -> Result<(), AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::TeamAdmin).await?;
    crate::server::accounts::team::change_role(&caller, &crate::domain::ids::PersonId::new(user_id), Some(role)).await
}

#[server(endpoint = "team/remove", output = crate::wire::codec::JsonText)]
pub async fn remove_member(user_id: String) -> Result<(), AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::TeamAdmin).await?;
    crate::server::accounts::team::change_role(&caller, &crate::domain::ids::PersonId::new(user_id), None).await
}

#[server(endpoint = "team/revoke", output = crate::wire::codec::JsonText)]
pub async fn revoke_invitation(id: String) -> Result<(), AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::TeamAdmin).await?;
    crate::server::accounts::team::revoke(&caller, &id).await
}

/// What an invitation link offers. Public: the link's secret token is the credential.
#[server(endpoint = "invitations/view", output = crate::wire::codec::JsonText)]
pub async fn view_invitation(token: String) -> Result<InvitationView, AppError> {
    crate::server::accounts::team::view_invitation(&token).await
}

/// Joins the team and signs in. Public: the link's secret token is the credential, and a new
/// user's password (or an existing user's password) is checked before anything is written.
#[server(endpoint = "invitations/accept", output = crate::wire::codec::JsonText)]
pub async fn accept_invitation(token: String, name: String, password: String) -> Result<(), AppError> {
    crate::server::accounts::team::accept(
        &crate::server::infra::request::RequestInfo::current()?,
        &token,
        &name,
        &password,
    )
    .await?;
    leptos_axum::redirect("/");
    Ok(())
}
