use super::Tx;
use crate::server::ids::new_id;

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
    let detail = if event.detail.is_null() { "{}".to_string() } else { event.detail.to_string() };
    sqlx::query(
        "INSERT INTO audit_events (id, occurred_at, action, actor_user_id, actor_email, account_id,
                                   impersonator_user_id, target_type, target_id, detail, ip)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(new_id("evt"))
    .bind(now)
    .bind(event.action)
    .bind(event.actor_user_id)
    .bind(event.actor_email)
    .bind(event.account_id)
    .bind(event.impersonator_user_id)
    .bind(event.target_type)
    .bind(event.target_id)
    .bind(detail)
    .bind(event.ip)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
