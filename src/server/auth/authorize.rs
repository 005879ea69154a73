//! The authorization spine: every server function starts with [`authorize`].

use axum::http::request::Parts;
use leptos::prelude::use_context;

use crate::api::error::AppError;
use crate::server::auth::cookies::session_token;
use crate::server::clock::unix_now;
use crate::server::db::Tx;
use crate::server::db::audit::{AuditEvent, record};
use crate::server::db::sessions::{SessionAccount, SessionRecord, StaffRecord, find_live};
use crate::server::state::{AppState, app_state};
use crate::server::ids::token_hash;

/// What a server function needs of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Any signed-in user.
    SignedIn,
    /// A member of the current account, in any role.
    AccountMember,
    /// Owner, admin or billing manager of the current account.
    Billing,
    /// Agency / vendor staff.
    Staff,
}

/// The session resolved once per request by the session middleware and carried in the
/// request's extensions, so that a page's server functions do not each look it up again.
#[derive(Debug, Clone)]
pub struct ResolvedSession(pub Option<SessionRecord>);

#[derive(Clone)]
pub struct Authorized {
    pub state: AppState,
    pub session: SessionRecord,
}

impl Authorized {
    /// The current account. Always present after `AccountMember` or `Billing` access; asking
    /// for it after other access levels answers Forbidden rather than panicking.
    pub fn account(&self) -> Result<&SessionAccount, AppError> {
        self.session.account.as_ref().ok_or_else(|| AppError::Forbidden.tracked())
    }

    /// The caller's staff record, present after `Staff` access.
    pub fn staff(&self) -> Result<&StaffRecord, AppError> {
        self.session.staff.as_ref().ok_or_else(|| AppError::Forbidden.tracked())
    }

    /// Records an action of this caller on their current account in the audit trail, in the
    /// transaction that makes the change.
    pub async fn record(
        &self,
        tx: &mut Tx,
        now: i64,
        action: &str,
        target: (&str, &str),
        detail: serde_json::Value,
    ) -> Result<(), AppError> {
        let event = AuditEvent {
            action,
            actor_user_id: Some(self.user_id()),
            actor_email: Some(&self.session.email),
            account_id: Some(&self.account()?.id),
            target_type: Some(target.0),
            target_id: Some(target.1),
            detail,
            ..Default::default()
        };
        record(tx, now, event).await?;
        Ok(())
    }

    pub fn user_id(&self) -> &str {
        &self.session.user_id
    }
}

/// Establishes the caller and checks `access` before anything else is read or written.
pub async fn authorize(access: Access) -> Result<Authorized, AppError> {
    let state = app_state()?;
    let parts = use_context::<Parts>().ok_or_else(|| AppError::internal("authorize", "Parts missing"))?;
    let session = match parts.extensions.get::<ResolvedSession>() {
        Some(resolved) => resolved.0.clone(),
        None => resolve_session(&state, &parts.headers).await?,
    };
    let Some(session) = session else {
        return Err(AppError::Unauthenticated.tracked());
    };
    check(access, &session)?;
    Ok(Authorized { state, session })
}

fn check(access: Access, session: &SessionRecord) -> Result<(), AppError> {
    let allowed = match access {
        Access::SignedIn => true,
        Access::AccountMember => session.account.is_some(),
        Access::Billing => session.account.as_ref().is_some_and(|a| a.role.has_billing_access()),
        Access::Staff => session.staff.is_some(),
    };
    if allowed { Ok(()) } else { Err(AppError::Forbidden.tracked()) }
}

/// Looks up the live session named by the request's cookie.
pub async fn resolve_session(
    state: &AppState,
    headers: &axum::http::HeaderMap,
) -> Result<Option<SessionRecord>, AppError> {
    let Some(token) = session_token(headers, &state.settings.sessions.cookie_name) else {
        return Ok(None);
    };
    let now = unix_now(state.clock.as_ref());
    let idle = state.settings.sessions.idle_minutes * 60;
    Ok(find_live(state.db.pool(), &token_hash(&token), now, idle).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::role::Role;

    fn session(role: Option<Role>, staff: bool) -> SessionRecord {
        SessionRecord {
            id_hash: "h".into(),
            user_id: "usr_1".into(),
            email: "a@b.test".into(),
            name: "A".into(),
            last_seen_at: 0,
            account: role.map(|role| SessionAccount { id: "acc_1".into(), name: "N".into(), currency: "USD".into(), role }),
            staff: staff.then(|| crate::server::db::sessions::StaffRecord { vendor_id: "ven".into(), staff_role: "support".into() }),
        }
    }

    #[test]
    fn billing_needs_a_billing_role_in_the_current_account() {
        for role in Role::ALL {
            assert_eq!(check(Access::Billing, &session(Some(role), false)).is_ok(), role.has_billing_access(), "{role:?}");
            assert!(check(Access::AccountMember, &session(Some(role), false)).is_ok());
        }
        assert!(check(Access::Billing, &session(None, true)).is_err());
        assert!(check(Access::AccountMember, &session(None, false)).is_err());
    }

    #[test]
    fn staff_access_needs_a_staff_record() {
        assert!(check(Access::Staff, &session(None, true)).is_ok());
        assert!(check(Access::Staff, &session(Some(Role::Owner), false)).is_err());
        assert!(check(Access::SignedIn, &session(None, false)).is_ok());
    }
}
