//! A client's team: members and roles, invitations by email, joining by invitation link.
//! Each change is one transaction that re-checks the rules (the account keeps an owner) on
//! what the database holds at that moment, and is recorded in the audit trail.

use crate::domain::ids::{AccountId, PersonId};
use serde_json::json;

use crate::domain::people::is_plausible_email;
use crate::domain::role::Role;
use crate::domain::team::{check_change, check_invite};
use crate::domain::webhooks::EventType;
use crate::server::infra::actor::Acting;
use crate::server::infra::audit::{AuditEvent, record};
use crate::server::infra::auth::authorize::Authorized;
use crate::server::infra::auth::cookies::session_cookie;
use crate::server::infra::auth::login::start_session;
use crate::server::infra::auth::password::{hash_password, off_the_workers, password_problem, verify_password};
use crate::server::infra::clock::unix_now;
use crate::server::infra::db::Tx;
use crate::server::infra::db::decode;
use crate::server::infra::ids::{new_id, new_secret_token, token_hash};
use crate::server::infra::mail::outbox::{Email, enqueue};
use crate::server::infra::request::RequestInfo;
use crate::server::webhooks::{About, emit, emit_object};
use crate::wire::error::AppError;
use crate::wire::team::{InvitationView, PendingInvitation, Team, TeamMember};

/// How long an invitation link works.
pub const INVITATION_DAYS: i64 = 7;

fn role(text: &str) -> Result<Role, AppError> {
    decode::enumerated(text, |r| r.parse::<Role>().ok())
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn team(caller: &Authorized) -> Result<Team, AppError> {
    let account = caller.account()?;
    let pool = caller.state.db.pool();
    let now = unix_now(caller.state.clock.as_ref());
    let members: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT u.id, u.name, u.email, m.role FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.account_id = $1 ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 WHEN 'billing_manager' THEN 2 ELSE 3 END, u.name",
    )
    .bind(&account.id)
    .fetch_all(pool)
    .await?;
    let invitations: Vec<(String, String, String, i64, Option<String>)> = sqlx::query_as(
        "SELECT i.id, i.email, i.role, i.expires_at, u.name FROM invitations i LEFT JOIN users u ON u.id = i.invited_by
         WHERE i.account_id = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > $2
         ORDER BY i.created_at DESC, i.id",
    )
    .bind(&account.id)
    .bind(now)
    .fetch_all(pool)
    .await?;
    let members = members
        .into_iter()
        .map(|(user_id, name, email, r)| {
            Ok(TeamMember {
                is_you: user_id == caller.user_id().as_str() && caller.impersonator_id().is_none(),
                user_id,
                name,
                email,
                role: role(&r)?,
            })
        })
        .collect::<Result<_, AppError>>()?;
    let invitations = invitations
        .into_iter()
        .map(|(id, email, r, expires_at, by)| {
            Ok(PendingInvitation {
                id,
                email,
                role: role(&r)?,
                expires_at,
                invited_by: by.unwrap_or_else(|| "—".into()),
            })
        })
        .collect::<Result<_, AppError>>()?;
    Ok(Team {
        account_name: account.name.clone(),
        members,
        invitations,
        your_role: account.role,
        read_only: caller.impersonator_id().is_some(),
    })
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn invite(caller: &Authorized, email: &str, invited_role: Role) -> Result<PendingInvitation, AppError> {
    let account = caller.account()?;
    check_invite(account.role, invited_role).map_err(|e| AppError::invalid("role", e.to_string()))?;
    invite_as(&caller.acting()?, &account.name, email, invited_role).await
}

/// Invites `email` to the account with `invited_role`, by email; the caller has checked that
/// the actor may grant that role (the vendor's API may grant any).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn invite_as(
    acting: &Acting<'_>,
    account_name: &str,
    email: &str,
    invited_role: Role,
) -> Result<PendingInvitation, AppError> {
    let email = email.trim().to_lowercase();
    if !is_plausible_email(&email) {
        return Err(AppError::invalid("email", "Enter an email address like name@example.com."));
    }
    let state = acting.state;
    let account_id = &acting.account_id;
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    let already: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.account_id = $1 AND u.email = $2",
    )
    .bind(account_id)
    .bind(&email)
    .fetch_one(&mut *tx)
    .await?;
    if already > 0 {
        return Err(AppError::invalid("email", "This person is already in the team."));
    }
    // A new invitation replaces a pending one to the same address: only the latest link works.
    sqlx::query(
        "UPDATE invitations SET revoked_at = $1 WHERE account_id = $2 AND email = $3 AND accepted_at IS NULL AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(account_id)
    .bind(&email)
    .execute(&mut *tx)
    .await?;
    let id = new_id("invt");
    let token = new_secret_token();
    let expires_at = now + INVITATION_DAYS * 86_400;
    sqlx::query(
        "INSERT INTO invitations (id, account_id, email, role, token_hash, invited_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(account_id)
    .bind(&email)
    .bind(invited_role.as_str())
    .bind(token_hash(&token))
    .bind(acting.user_id())
    .bind(now)
    .bind(expires_at)
    .execute(&mut *tx)
    .await?;
    let inviter: String = match acting.user_id() {
        Some(user_id) => {
            sqlx::query_scalar("SELECT name FROM users WHERE id = $1").bind(user_id).fetch_one(&mut *tx).await?
        }
        // The vendor's systems invite in the vendor's name.
        None => {
            sqlx::query_scalar("SELECT v.name FROM vendors v JOIN accounts a ON a.vendor_id = v.id WHERE a.id = $1")
                .bind(account_id)
                .fetch_one(&mut *tx)
                .await?
        }
    };
    let link = format!("{}/invitations/{token}", state.settings.server.public_url.trim_end_matches('/'));
    let subject = format!("{inviter} invited you to join {} in its billing portal", account_name);
    let body = format!(
        "{inviter} invited you to join {} as {} in its billing portal.\n\nAccept the invitation: {link}\n\nThe link works for {INVITATION_DAYS} days. If you were not expecting this, ignore this email.",
        account_name,
        invited_role.label().to_lowercase(),
    );
    enqueue(
        &mut tx,
        now,
        Email { kind: "team_invitation", to: &email, subject: &subject, body: &body, account_id: Some(account_id) },
    )
    .await?;
    acting
        .record(
            &mut tx,
            now,
            "team.invited",
            ("invitation", &id),
            json!({ "email": email, "role": invited_role.as_str() }),
        )
        .await?;
    tx.commit().await?;
    Ok(PendingInvitation { id, email, role: invited_role, expires_at, invited_by: inviter })
}

/// Changes a member's role (`Some`) or removes them (`None`).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn change_role(caller: &Authorized, user_id: &PersonId, to: Option<Role>) -> Result<(), AppError> {
    change_role_as(&caller.acting()?, caller.account()?.role, user_id, to).await
}

/// Changes a member's role or removes them, as an actor holding `actor_role` on the account
/// (the vendor's API acts as an owner would). The last owner stays.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn change_role_as(
    acting: &Acting<'_>,
    actor_role: Role,
    user_id: &PersonId,
    to: Option<Role>,
) -> Result<(), AppError> {
    let account_id = &acting.account_id;
    let state = acting.state;
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    let current: Option<(String, String)> = sqlx::query_as(
        "SELECT m.role, u.email FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.account_id = $1 AND m.user_id = $2",
    )
    .bind(account_id)
    .bind(user_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((target_role, email)) = current else {
        return Err(AppError::not_found());
    };
    let target_role = role(&target_role)?;
    let owners = owner_count(&mut tx, account_id).await?;
    check_change(actor_role, target_role, to, owners).map_err(|e| AppError::invalid("role", e.to_string()))?;
    // Conditional on the role read above: two admins changing the same person at once cannot
    // both act on a stale view, and two owners demoting each other cannot leave none.
    let leaving =
        if to.is_none() { Some(crate::server::objects::person(&mut tx, account_id, user_id).await?) } else { None };
    let changed = match to {
        Some(new_role) => {
            sqlx::query("UPDATE memberships SET role = $1 WHERE account_id = $2 AND user_id = $3 AND role = $4")
                .bind(new_role.as_str())
                .bind(account_id)
                .bind(user_id)
                .bind(target_role.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected()
        }
        None => sqlx::query("DELETE FROM memberships WHERE account_id = $1 AND user_id = $2 AND role = $3")
            .bind(account_id)
            .bind(user_id)
            .bind(target_role.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected(),
    };
    if changed != 1 || owner_count(&mut tx, account_id).await? == 0 {
        tx.rollback().await?;
        return Err(AppError::Conflict("The team changed meanwhile. Reload the page and try again.".into()).tracked());
    }
    if to.is_none() {
        // A removed member's sessions on this account end now.
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND account_id = $2 AND impersonated_account_id IS NULL")
            .bind(user_id)
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
    }
    let (action, detail) = match to {
        Some(new_role) => {
            ("team.role_changed", json!({ "email": email, "from": target_role.as_str(), "to": new_role.as_str() }))
        }
        None => ("team.member_removed", json!({ "email": email, "role": target_role.as_str() })),
    };
    acting.record(&mut tx, now, action, ("user", user_id), detail).await?;
    if let Some(person) = &leaving {
        emit_object(&mut tx, now, account_id, EventType::PersonRemoved, person).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn owner_count(tx: &mut Tx, account_id: &AccountId) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE account_id = $1 AND role = 'owner'")
        .bind(account_id)
        .fetch_one(&mut **tx)
        .await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn revoke(caller: &Authorized, invitation_id: &str) -> Result<(), AppError> {
    let account = caller.account()?;
    let state = &caller.state;
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    let email: Option<String> = sqlx::query_scalar(
        "UPDATE invitations SET revoked_at = $1 WHERE id = $2 AND account_id = $3 AND accepted_at IS NULL AND revoked_at IS NULL
         RETURNING email",
    )
    .bind(now)
    .bind(invitation_id)
    .bind(&account.id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(email) = email else {
        return Err(AppError::not_found());
    };
    caller
        .record(&mut tx, now, "team.invitation_revoked", ("invitation", invitation_id), json!({ "email": email }))
        .await?;
    tx.commit().await?;
    Ok(())
}

struct LiveInvitation {
    id: String,
    account_id: String,
    account_name: String,
    email: String,
    role: Role,
    invited_by: String,
    existing_user: Option<(String, String)>,
}

const LINK_UNUSABLE: &str =
    "This invitation link has expired, was replaced, or was already used. Ask whoever invited you for a new one.";

/// id, account, account name, email, role, inviter's name, and the invitee's user id and
/// password hash if they already sign in.
type InvitationRow = (String, String, String, String, String, Option<String>, Option<String>, Option<String>);

async fn live_invitation(pool: &sqlx::AnyPool, token: &str, now: i64) -> Result<LiveInvitation, AppError> {
    let row: Option<InvitationRow> = sqlx::query_as(
        "SELECT i.id, i.account_id, a.name, i.email, i.role, u.name, x.id, x.password_hash FROM invitations i
         JOIN accounts a ON a.id = i.account_id LEFT JOIN users u ON u.id = i.invited_by
         LEFT JOIN users x ON x.email = i.email AND x.disabled_at IS NULL
         WHERE i.token_hash = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > $2",
    )
    .bind(token_hash(token.trim()))
    .bind(now)
    .fetch_optional(pool)
    .await?;
    let Some((id, account_id, account_name, email, r, by, user_id, password_hash)) = row else {
        return Err(AppError::Invalid { field: None, message: LINK_UNUSABLE.into() }.tracked_as(404));
    };
    let existing_user = user_id.zip(password_hash);
    Ok(LiveInvitation {
        id,
        account_id,
        account_name,
        email,
        role: role(&r)?,
        invited_by: by.unwrap_or_else(|| "Your team".into()),
        existing_user,
    })
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn view_invitation(token: &str) -> Result<InvitationView, AppError> {
    let state = crate::server::infra::state::app_state()?;
    let now = unix_now(state.clock.as_ref());
    let live = live_invitation(state.db.pool(), token, now).await?;
    Ok(InvitationView {
        account_name: live.account_name,
        email: live.email,
        role: live.role,
        invited_by: live.invited_by,
        new_user: live.existing_user.is_none(),
    })
}

/// Joins the invitation's team and signs the invitee in. A new user chooses a name and a
/// password; an existing user proves it is them with their password.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn accept(info: &RequestInfo, token: &str, name: &str, password: &str) -> Result<(), AppError> {
    let state = &info.state;
    let now = unix_now(state.clock.as_ref());
    let live = live_invitation(state.db.pool(), token, now).await?;
    let name = name.trim();
    let password_owned = password.to_string();
    let new_user_hash = match &live.existing_user {
        None => {
            if name.is_empty() {
                return Err(AppError::invalid("name", "Enter your name."));
            }
            if name.chars().count() > 120 {
                return Err(AppError::invalid("name", "Use at most 120 characters."));
            }
            if let Some(problem) = password_problem(password) {
                return Err(AppError::invalid("password", problem));
            }
            let hash = off_the_workers(move || hash_password(&password_owned))
                .await?
                .map_err(|e| AppError::internal("password hash", e))?;
            Some(hash)
        }
        Some((_, stored)) => {
            // Proving the sign-in with its password is a password check like any other.
            let limits =
                crate::server::infra::auth::throttle::password_limits(&live.email, info.client_ip().as_deref());
            let attempt = crate::server::infra::auth::throttle::begin(&state.db, now, &limits).await?;
            let stored = stored.clone();
            let verified = off_the_workers(move || verify_password(&password_owned, &stored)).await;
            crate::server::infra::auth::throttle::finish(
                &state.db,
                attempt,
                verified.as_ref().is_ok_and(|v| *v) || verified.is_err(),
            )
            .await?;
            if !verified? {
                return Err(AppError::invalid("password", "That is not the password of this email's sign-in."));
            }
            None
        }
    };

    let mut tx = state.db.begin_write().await?;
    // Conditional: of two uses of one link at the same moment, one joins and the other is told.
    let taken = sqlx::query("UPDATE invitations SET accepted_at = $1 WHERE id = $2 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $1")
        .bind(now)
        .bind(&live.id)
        .execute(&mut *tx)
        .await?;
    if taken.rows_affected() != 1 {
        tx.rollback().await?;
        return Err(AppError::Invalid { field: None, message: LINK_UNUSABLE.into() }.tracked_as(404));
    }
    let user_id = match (&live.existing_user, new_user_hash) {
        (Some((id, _)), _) => id.clone(),
        (None, Some(hash)) => {
            let id = new_id("usr");
            sqlx::query("INSERT INTO users (id, email, name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(&id)
                .bind(&live.email)
                .bind(name)
                .bind(hash)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            id
        }
        (None, None) => return Err(AppError::internal("accept", "new user without a password hash")),
    };
    sqlx::query(
        "INSERT INTO memberships (account_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (account_id, user_id) DO NOTHING",
    )
    .bind(&live.account_id)
    .bind(&user_id)
    .bind(live.role.as_str())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let joined = AccountId::from(live.account_id.as_str());
    emit(&mut tx, now, &joined, EventType::PersonAdded, About::Person(&user_id)).await?;
    let session_token =
        start_session(&mut tx, info, &PersonId::from(user_id.to_string()), Some(&live.account_id), None, now).await?;
    let ip = info.client_ip();
    let event = AuditEvent {
        action: "team.invitation_accepted",
        actor_user_id: Some(&user_id),
        actor_email: Some(&live.email),
        account_id: Some(&live.account_id),
        ip: ip.as_deref(),
        target_type: Some("invitation"),
        target_id: Some(&live.id),
        detail: json!({ "role": live.role.as_str(), "new_user": live.existing_user.is_none() }),
        ..Default::default()
    };
    record(&mut tx, now, event).await?;
    tx.commit().await?;
    info.set_cookie(&session_cookie(&state.settings, &session_token));
    Ok(())
}
