//! Who does something to an account, whichever door they came through: a signed-in person (or
//! staff viewing as the client), or the vendor's systems with an API key. A use case shared by
//! the portal and the operator API takes an [`Acting`] and records its audit row through it.

use serde_json::Value;

use crate::domain::ids::{AccountId, PersonId};
use crate::server::infra::audit::{AuditEvent, record};
use crate::server::infra::db::Tx;
use crate::server::infra::state::AppState;
use crate::wire::error::AppError;

#[derive(Debug, Clone)]
pub enum Actor {
    Person {
        user_id: PersonId,
        email: String,
        impersonator: Option<String>,
    },
    /// The vendor's systems: the key's id goes into the audit detail, its label where a
    /// person's email would stand.
    ApiKey {
        key_id: String,
        label: String,
    },
    /// Portico itself (the demo loader): its label stands where a person's email would.
    System {
        label: &'static str,
    },
}

impl Actor {
    /// The person, for the `*_by` columns; `None` for an API key.
    pub fn user_id(&self) -> Option<&PersonId> {
        match self {
            Actor::Person { user_id, .. } => Some(user_id),
            Actor::ApiKey { .. } | Actor::System { .. } => None,
        }
    }

    /// Records what was done to `account_id` in its audit trail, in the transaction doing it.
    pub async fn record(
        &self,
        tx: &mut Tx,
        now: i64,
        account_id: &AccountId,
        action: &str,
        target: (&str, &str),
        mut detail: Value,
    ) -> Result<(), AppError> {
        let event = match self {
            Actor::Person { user_id, email, impersonator } => AuditEvent {
                action,
                actor_user_id: Some(user_id),
                actor_email: Some(email),
                account_id: Some(account_id),
                impersonator_user_id: impersonator.as_deref(),
                target_type: Some(target.0),
                target_id: Some(target.1),
                detail,
                ..Default::default()
            },
            Actor::System { label } => AuditEvent {
                action,
                actor_email: Some(label),
                account_id: Some(account_id),
                target_type: Some(target.0),
                target_id: Some(target.1),
                detail,
                ..Default::default()
            },
            Actor::ApiKey { key_id, label } => {
                if detail.is_null() {
                    detail = Value::Object(Default::default());
                }
                if let Some(map) = detail.as_object_mut() {
                    map.insert("api_key_id".into(), key_id.clone().into());
                }
                AuditEvent {
                    action,
                    actor_email: Some(label),
                    account_id: Some(account_id),
                    target_type: Some(target.0),
                    target_id: Some(target.1),
                    detail,
                    ..Default::default()
                }
            }
        };
        record(tx, now, event).await?;
        Ok(())
    }
}

/// An actor on one account, with the server's state: what an account's use case needs.
pub struct Acting<'a> {
    pub state: &'a AppState,
    pub account_id: AccountId,
    pub actor: Actor,
}

impl Acting<'_> {
    pub async fn record(
        &self,
        tx: &mut Tx,
        now: i64,
        action: &str,
        target: (&str, &str),
        detail: Value,
    ) -> Result<(), AppError> {
        self.actor.record(tx, now, &self.account_id, action, target, detail).await
    }

    pub fn user_id(&self) -> Option<&PersonId> {
        self.actor.user_id()
    }
}
