//! The people of a client account over the operator API. Adding someone sends the portal's own
//! invitation email (they join when they accept it); changing a role or removing someone keeps
//! the account's last owner, as in the portal. The API acts with an owner's authority.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::ids::{AccountId, PersonId};
use crate::domain::role::Role;
use crate::server::accounts::team::{change_role_as, invite_as};
use crate::server::infra::state::AppState;
use crate::server::objects::{PersonObject, rfc3339};
use crate::server::operator::auth::ApiCaller;
use crate::server::operator::body;
use crate::server::operator::error::{ApiError, ErrorBody, missing};
use crate::server::operator::list;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonIn {
    #[schema(example = "ana@northwind.test")]
    pub email: String,
    /// `owner`, `admin`, `billing_manager` or `member`.
    #[schema(example = "billing_manager")]
    pub role: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleIn {
    /// `owner`, `admin`, `billing_manager` or `member`.
    #[schema(example = "admin")]
    pub role: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InvitationOut {
    pub id: String,
    pub email: String,
    pub role: String,
    /// The emailed link works until then.
    #[schema(format = DateTime)]
    pub expires: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PeopleList {
    pub data: Vec<PersonObject>,
    /// Invited, not yet joined (on the first page only).
    pub invitations: Vec<InvitationOut>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeopleQuery {
    /// 1 to 100; 20 when not given.
    pub limit: Option<i64>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
}

fn role(text: &str) -> Result<Role, ApiError> {
    text.parse::<Role>().map_err(|_| {
        ApiError::invalid(vec![crate::domain::field_error::FieldError::new(
            "role",
            "Use owner, admin, billing_manager or member.",
        )])
    })
}

/// List the people of an account
///
/// Members with their roles, and the invitations still waiting.
#[utoipa::path(
    get,
    path = "/api/operator/v1/accounts/{account_id}/people",
    tag = "people",
    params(("account_id" = String, Path, description = "The client account's id", example = "acc_northwind"), PeopleQuery),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "A page of members, and pending invitations", body = PeopleList),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No account with that id for this key's vendor", body = ErrorBody),
        (status = 422, description = "A query parameter is not valid (`invalid`)", body = ErrorBody),
    )
)]
pub async fn list_people(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(account_id): Path<String>,
    query: Result<Query<PeopleQuery>, QueryRejection>,
) -> Result<Json<PeopleList>, ApiError> {
    let account = caller.account(&state, &AccountId::new(account_id)).await?;
    let query = list::query(query)?;
    let limit = list::limit(query.limit)?;
    let after = list::cursor(query.cursor.as_deref())?;
    let (after_at, after_id) = match after {
        Some(c) => crate::server::infra::db::keyset::parse_cursor(Some(c))?,
        None => (i64::MIN, String::new()),
    };
    let pool = state.db.pool();
    let mut members: Vec<(String, String, String, String, i64)> = sqlx::query_as(
        "SELECT u.id, u.email, u.name, m.role, m.created_at FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.account_id = $1 AND (m.created_at > $2 OR (m.created_at = $2 AND u.id > $3))
         ORDER BY m.created_at, u.id LIMIT $4",
    )
    .bind(&account.id)
    .bind(after_at)
    .bind(&after_id)
    .bind(limit + 1)
    .fetch_all(pool)
    .await?;
    let more = members.len() as i64 > limit;
    members.truncate(limit as usize);
    let next_cursor =
        if more { members.last().map(|m| crate::server::infra::db::keyset::cursor(m.4, &m.0)) } else { None };
    let now = crate::server::infra::clock::unix_now(state.clock.as_ref());
    let invitations: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT id, email, role, expires_at FROM invitations
         WHERE account_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2 ORDER BY created_at, id",
    )
    .bind(&account.id)
    .bind(now)
    .fetch_all(pool)
    .await?;
    Ok(Json(PeopleList {
        next_cursor,
        data: members
            .into_iter()
            .map(|(id, email, name, role, _)| PersonObject {
                id,
                account_id: account.id.to_string(),
                email,
                name,
                role,
            })
            .collect(),
        invitations: if after.is_some() { Vec::new() } else { invitations }
            .into_iter()
            .map(|(id, email, role, expires)| InvitationOut { id, email, role, expires: rfc3339(expires) })
            .collect(),
    }))
}

/// Add a person to an account
///
/// Emails them the portal's invitation for the role; they join (and `person.added` is sent)
/// when they accept it. A new invitation replaces a pending one to the same address.
#[utoipa::path(
    post,
    path = "/api/operator/v1/accounts/{account_id}/people",
    tag = "people",
    request_body = PersonIn,
    params(
        ("account_id" = String, Path, description = "The client account's id", example = "acc_northwind"),
    ),
    security(("api_key" = [])),
    responses(
        (status = 201, description = "The invitation, sent", body = InvitationOut),
        (status = 400, description = "The body is not JSON, or the Idempotency-Key is not valid", body = ErrorBody),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No account with that id for this key's vendor", body = ErrorBody),
        (status = 409, description = "The Idempotency-Key was used for another request, or that request is still running", body = ErrorBody),
        (status = 422, description = "The email or role is not valid, or the person is a member already (`invalid`)", body = ErrorBody),
    )
)]
pub async fn add_person(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(account_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<InvitationOut>), ApiError> {
    let account = caller.account(&state, &AccountId::new(account_id)).await?;
    let input: PersonIn = body::parse(body)?;
    let role = role(&input.role)?;
    let name: String = sqlx::query_scalar("SELECT name FROM accounts WHERE id = $1")
        .bind(&account.id)
        .fetch_one(state.db.pool())
        .await?;
    let invitation = invite_as(&caller.acting(&state, &account), &name, &input.email, role).await?;
    Ok((
        StatusCode::CREATED,
        Json(InvitationOut {
            id: invitation.id,
            email: invitation.email,
            role: invitation.role.as_str().to_string(),
            expires: rfc3339(invitation.expires_at),
        }),
    ))
}

/// Change a person's role
///
/// The account keeps at least one owner.
#[utoipa::path(
    patch,
    path = "/api/operator/v1/accounts/{account_id}/people/{person_id}",
    tag = "people",
    request_body = RoleIn,
    params(
        ("account_id" = String, Path, description = "The client account's id", example = "acc_northwind"),
        ("person_id" = String, Path, description = "The person's id"),
    ),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The person with the new role", body = PersonObject),
        (status = 400, description = "The body is not JSON, or the Idempotency-Key is not valid", body = ErrorBody),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No such account, or no such person in it", body = ErrorBody),
        (status = 409, description = "The team changed meanwhile, or the Idempotency-Key was used for another request", body = ErrorBody),
        (status = 422, description = "Not a role, or it would leave the account without an owner (`invalid`)", body = ErrorBody),
    )
)]
pub async fn update_person(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((account_id, person_id)): Path<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<PersonObject>, ApiError> {
    let account = caller.account(&state, &AccountId::new(account_id)).await?;
    let input: RoleIn = body::parse(body)?;
    let role = role(&input.role)?;
    let person = PersonId::new(person_id);
    change_role_as(&caller.acting(&state, &account), Role::Owner, &person, Some(role))
        .await
        .map_err(missing("No person with that id in this account."))?;
    let mut tx = state.db.pool().begin().await?;
    let object = crate::server::objects::person(&mut tx, &account.id, &person).await?;
    tx.commit().await?;
    Ok(Json(object))
}

/// Remove a person from an account
///
/// Their sessions on the account end. The last owner cannot be removed.
#[utoipa::path(
    delete,
    path = "/api/operator/v1/accounts/{account_id}/people/{person_id}",
    tag = "people",
    params(
        ("account_id" = String, Path, description = "The client account's id", example = "acc_northwind"),
        ("person_id" = String, Path, description = "The person's id"),
    ),
    security(("api_key" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 400, description = "The Idempotency-Key is not valid", body = ErrorBody),
        (status = 401, description = "Missing, invalid or revoked API key", body = ErrorBody),
        (status = 404, description = "No such account, or no such person in it", body = ErrorBody),
        (status = 409, description = "The team changed meanwhile, or the Idempotency-Key was used for another request", body = ErrorBody),
        (status = 422, description = "The person is the account's last owner (`invalid`)", body = ErrorBody),
    )
)]
pub async fn remove_person(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((account_id, person_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let account = caller.account(&state, &AccountId::new(account_id)).await?;
    change_role_as(&caller.acting(&state, &account), Role::Owner, &PersonId::new(person_id), None)
        .await
        .map_err(missing("No person with that id in this account."))?;
    Ok(StatusCode::NO_CONTENT)
}
