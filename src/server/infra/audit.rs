use crate::server::infra::db::Tx;
use crate::server::infra::db::bulk::{Value, insert};
use crate::server::infra::ids::new_id;

/// One entry of the audit trail. Written in the same transaction as the change it records,
/// so an action and its record exist together or not at all.
#[derive(Debug, Default)]
pub struct AuditEvent<'a> {
    pub action: &'a str,
    pub actor_user_id: Option<&'a str>,
    pub actor_email: Option<&'a str>,
    pub account_id: Option<&'a str>,
    pub impersonator_user_id: Option<&'a str>,
    pub target_type: Option<&'a str>,
    pub target_id: Option<&'a str>,
    pub detail: serde_json::Value,
    pub ip: Option<&'a str>,
}

pub async fn record(tx: &mut Tx, now: i64, event: AuditEvent<'_>) -> Result<(), sqlx::Error> {
    record_all(tx, &[row(now, event)]).await
}

/// Many events in multi-row statements; each row made by [`row`].
pub async fn record_all(tx: &mut Tx, rows: &[Vec<Value>]) -> Result<(), sqlx::Error> {
    insert(
        tx,
        "audit_events (id, occurred_at, action, actor_user_id, actor_email, account_id, impersonator_user_id, target_type, target_id, detail, ip)",
        rows,
    )
    .await
}

pub fn row(now: i64, event: AuditEvent<'_>) -> Vec<Value> {
    let detail = if event.detail.is_null() { "{}".to_string() } else { event.detail.to_string() };
    vec![
        new_id("evt").into(),
        now.into(),
        event.action.into(),
        event.actor_user_id.into(),
        event.actor_email.into(),
        event.account_id.into(),
        event.impersonator_user_id.into(),
        event.target_type.into(),
        event.target_id.into(),
        detail.into(),
        event.ip.into(),
    ]
}
