use crate::domain::ids::PersonId;
use sqlx::{AnyPool, FromRow};

/// A user row as needed to sign in. Deliberately not `Serialize`: the hash never leaves the
/// server.
#[derive(Debug, FromRow)]
pub struct Credentials {
    pub id: String,
    pub email: String,
    pub password_hash: String,
}

pub async fn credentials_by_email(pool: &AnyPool, email: &str) -> Result<Option<Credentials>, sqlx::Error> {
    sqlx::query_as::<_, Credentials>(
        "SELECT id, email, password_hash FROM users WHERE email = $1 AND disabled_at IS NULL",
    )
    .bind(email)
    .fetch_optional(pool)
    .await
}

/// The account a user lands in after signing in: the one they last switched to, else the one
/// where their role is highest, then by name.
pub async fn default_account(pool: &AnyPool, user_id: &PersonId) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar::<_, String>(
        "SELECT a.id FROM memberships m JOIN accounts a ON a.id = m.account_id
         WHERE m.user_id = $1
         ORDER BY COALESCE((SELECT MAX(e.occurred_at) FROM audit_events e
                            WHERE e.action = 'account.switched' AND e.actor_user_id = m.user_id AND e.account_id = m.account_id), 0) DESC,
                  CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 WHEN 'billing_manager' THEN 2 ELSE 3 END,
                  a.name, a.id
         LIMIT 1",
    )
    .bind(user_id)
    .fetch_optional(pool)
    .await
}
