//! The authorization spine: every server function starts with [`authorize`].

use axum::http::request::Parts;
use leptos::prelude::use_context;

use crate::domain::currency::Currency;
use crate::domain::ids::PersonId;
use crate::server::infra::audit::{AuditEvent, record};
use crate::server::infra::auth::cookies::session_token;
use crate::server::infra::auth::sessions::{SessionAccount, SessionRecord, StaffRecord, find_live};
use crate::server::infra::clock::unix_now;
use crate::server::infra::db::{Tx, decode};
use crate::server::infra::ids::token_hash;
use crate::server::infra::state::{AppState, app_state};
use crate::wire::error::AppError;

/// What a server function needs of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Any signed-in user.
    SignedIn,
    /// A member of the current account, in any role.
    AccountMember,
    /// Owner, admin or billing manager of the current account.
    Billing,
    /// Agency / vendor staff in their console (not while viewing a client's portal: there they
    /// see only what the client sees).
    Staff,
    /// Staff admins, in their console: the vendor's API keys and billing rules.
    StaffAdmin,
    /// Billing access, for what moves money or commits the client (paying, payment methods,
    /// estimate decisions, subscription changes): refused while staff view as the client.
    BillingChange,
    /// Owner or admin of the current account, managing its team; refused while impersonating.
    TeamAdmin,
    /// The signed-in person acting for themselves (switching account, changing credentials);
    /// refused while impersonating.
    Personal,
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
            impersonator_user_id: self.impersonator_id(),
            target_type: Some(target.0),
            target_id: Some(target.1),
            detail,
            ..Default::default()
        };
        record(tx, now, event).await?;
        Ok(())
    }

    /// This caller acting on their current account, for use cases shared with the operator API.
    pub fn acting(&self) -> Result<crate::server::infra::actor::Acting<'_>, AppError> {
        Ok(crate::server::infra::actor::Acting {
            state: &self.state,
            account_id: self.account()?.id.clone(),
            actor: crate::server::infra::actor::Actor::Person {
                user_id: self.session.user_id.clone(),
                email: self.session.email.clone(),
                impersonator: self.impersonator_id().map(str::to_string),
            },
        })
    }

    /// The current account's currency, as the session read it with the account: asking the
    /// database again would answer the same.
    pub fn currency(&self) -> Result<Currency, AppError> {
        decode::currency(&self.account()?.currency)
    }

    pub fn user_id(&self) -> &PersonId {
        &self.session.user_id
    }

    /// The staff user viewing as the client, if this is such a session.
    pub fn impersonator_id(&self) -> Option<&str> {
        self.session.impersonation.as_ref().map(|_| self.session.user_id.as_str())
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
    authorize_session(state, session, parts.uri.path(), access).await
}

/// The same check for the plain HTTP routes (the PDF and CSV downloads), which get the session
/// the middleware resolved as an extractor rather than from Leptos's context.
pub async fn authorize_session(
    state: AppState,
    session: Option<SessionRecord>,
    path: &str,
    access: Access,
) -> Result<Authorized, AppError> {
    let Some(session) = session else {
        return Err(AppError::Unauthenticated.tracked());
    };
    if let Err(refused) = check(access, &session) {
        if refused == AppError::Impersonating {
            // Staff trying, while viewing as the client, what only the client's people may do:
            // on the client's record, with who tried it.
            record_refused_in_client_view(&state, &session, path).await?;
        }
        return Err(refused);
    }
    Ok(Authorized { state, session })
}

async fn record_refused_in_client_view(state: &AppState, session: &SessionRecord, path: &str) -> Result<(), AppError> {
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    let event = AuditEvent {
        action: "client_view.refused",
        actor_user_id: Some(&session.user_id),
        actor_email: Some(&session.email),
        account_id: session.account.as_ref().map(|a| a.id.as_str()),
        impersonator_user_id: Some(&session.user_id),
        detail: serde_json::json!({ "endpoint": path.chars().take(120).collect::<String>() }),
        ..Default::default()
    };
    record(&mut tx, now, event).await?;
    tx.commit().await?;
    Ok(())
}

fn check(access: Access, session: &SessionRecord) -> Result<(), AppError> {
    let billing = session.account.as_ref().is_some_and(|a| a.role.has_billing_access());
    let impersonating = session.impersonation.is_some();
    let allowed = match access {
        Access::SignedIn => true,
        Access::AccountMember => session.account.is_some(),
        Access::Billing => billing,
        Access::Staff => session.staff.is_some() && !impersonating,
        Access::StaffAdmin => session.staff.as_ref().is_some_and(|s| s.staff_role.can_administer()) && !impersonating,
        Access::BillingChange => billing && !impersonating,
        Access::TeamAdmin => session.account.as_ref().is_some_and(|a| a.role.can_manage_team()) && !impersonating,
        Access::Personal => !impersonating,
    };
    match (allowed, impersonating) {
        (true, _) => Ok(()),
        // Staff see the client's portal but act only as themselves: say so, rather than "no access".
        (false, true)
            if matches!(
                access,
                Access::BillingChange | Access::TeamAdmin | Access::Personal | Access::Staff | Access::StaffAdmin
            ) =>
        {
            Err(AppError::Impersonating.tracked())
        }
        (false, _) => Err(AppError::Forbidden.tracked()),
    }
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
    let session = find_live(state.db.pool(), &token_hash(&token), now, idle).await?;
    if let Some(s) = session.as_ref().filter(|s| s.impersonation_lapsed) {
        crate::server::accounts::client_view::end_lapsed(state, s, now).await?;
    }
    Ok(session)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::role::{Role, StaffRole};

    fn session(role: Option<Role>, staff: bool) -> SessionRecord {
        SessionRecord {
            id_hash: "h".into(),
            user_id: "usr_1".into(),
            email: "a@b.test".into(),
            name: "A".into(),
            last_seen_at: 0,
            account: role.map(|role| SessionAccount {
                id: "acc_1".into(),
                name: "N".into(),
                currency: "USD".into(),
                role,
            }),
            staff: staff.then(|| crate::server::infra::auth::sessions::StaffRecord {
                vendor_id: "ven".into(),
                staff_role: StaffRole::Support,
            }),
            impersonation: None,
            return_to: None,
            page_version: 0,
            impersonation_lapsed: false,
        }
    }

    #[test]
    fn billing_needs_a_billing_role_in_the_current_account() {
        for role in Role::ALL {
            assert_eq!(
                check(Access::Billing, &session(Some(role), false)).is_ok(),
                role.has_billing_access(),
                "{role:?}"
            );
            assert!(check(Access::AccountMember, &session(Some(role), false)).is_ok());
        }
        assert!(check(Access::Billing, &session(None, true)).is_err());
        assert!(check(Access::AccountMember, &session(None, false)).is_err());
    }

    #[test]
    fn only_staff_admins_administer() {
        let mut support = session(None, true);
        assert!(check(Access::Staff, &support).is_ok());
        assert_eq!(check(Access::StaffAdmin, &support), Err(AppError::Forbidden));
        support.staff.as_mut().unwrap().staff_role = StaffRole::Admin;
        assert!(check(Access::StaffAdmin, &support).is_ok());
        assert!(check(Access::StaffAdmin, &session(Some(Role::Owner), false)).is_err());
    }

    #[test]
    fn staff_access_needs_a_staff_record() {
        assert!(check(Access::Staff, &session(None, true)).is_ok());
        assert!(check(Access::Staff, &session(Some(Role::Owner), false)).is_err());
        assert!(check(Access::SignedIn, &session(None, false)).is_ok());
    }

    fn viewing_as_client() -> SessionRecord {
        let mut s = session(Some(Role::Owner), true);
        s.impersonation = Some(crate::server::infra::auth::sessions::Impersonation { started_at: 0, ends_at: 3600 });
        s
    }

    #[test]
    fn staff_viewing_as_client_see_but_do_not_act() {
        let s = viewing_as_client();
        for access in [Access::SignedIn, Access::AccountMember, Access::Billing] {
            assert!(check(access, &s).is_ok(), "{access:?}");
        }
        for access in [Access::BillingChange, Access::TeamAdmin, Access::Personal, Access::Staff] {
            assert_eq!(check(access, &s), Err(AppError::Impersonating), "{access:?}");
        }
    }

    #[test]
    fn changes_follow_the_role_outside_a_client_view() {
        for role in Role::ALL {
            let s = session(Some(role), false);
            assert_eq!(check(Access::BillingChange, &s).is_ok(), role.has_billing_access(), "{role:?}");
            assert_eq!(check(Access::TeamAdmin, &s).is_ok(), role.can_manage_team(), "{role:?}");
            assert!(check(Access::Personal, &s).is_ok());
        }
    }
}
