use sqlx::{AnyPool, Row};

use crate::domain::ids::{AccountId, PersonId};
use crate::domain::role::{Role, StaffRole};
use crate::server::infra::db::Tx;

/// A live session with what every request needs to know about its user, in one query.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub id_hash: String,
    pub user_id: PersonId,
    pub email: String,
    pub name: String,
    pub last_seen_at: i64,
    /// The account the session is looking at, and the user's role there. `None` when the
    /// user has no membership there (or never had an account, e.g. staff).
    pub account: Option<SessionAccount>,
    pub staff: Option<StaffRecord>,
    /// Staff viewing a client's portal: `account` is that client's, seen as its owner sees it.
    pub impersonation: Option<Impersonation>,
    /// The impersonation reached its time limit; the session is back to the staff view and the
    /// end still has to be recorded.
    pub impersonation_lapsed: bool,
    /// Started from the vendor's app (a portal session): where "Back to <vendor>" goes.
    pub return_to: Option<ReturnTo>,
    /// The page version read with the session, before anything the request renders (see
    /// `db::page_version`): a page rendered now is right while the version stays this.
    pub page_version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnTo {
    pub url: String,
    pub vendor_name: String,
}

#[derive(Debug, Clone)]
pub struct Impersonation {
    pub started_at: i64,
    pub ends_at: i64,
}

#[derive(Debug, Clone)]
pub struct SessionAccount {
    pub id: AccountId,
    pub name: String,
    pub currency: String,
    pub role: Role,
}

#[derive(Debug, Clone)]
pub struct StaffRecord {
    pub vendor_id: String,
    pub staff_role: StaffRole,
}

pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub user_id: &'a str,
    pub account_id: Option<&'a str>,
    pub now: i64,
    pub expires_at: i64,
    pub user_agent: &'a str,
    /// Set when the session starts from a portal session with a return URL.
    pub return_url: Option<&'a str>,
}

pub async fn insert(tx: &mut Tx, s: NewSession<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, account_id, created_at, last_seen_at, expires_at, user_agent, return_url)
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7)",
    )
    .bind(s.id_hash)
    .bind(s.user_id)
    .bind(s.account_id)
    .bind(s.now)
    .bind(s.expires_at)
    .bind(s.user_agent)
    .bind(s.return_url)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The session with this id hash, if it has not reached its absolute or idle limit.
pub async fn find_live(
    pool: &AnyPool,
    id_hash: &str,
    now: i64,
    idle_limit_secs: i64,
) -> Result<Option<SessionRecord>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT s.id_hash, s.user_id, s.last_seen_at, u.email, u.name,
                m.role, a.id AS account_id, a.name AS account_name, a.currency,
                st.vendor_id, st.staff_role,
                s.impersonated_account_id, s.impersonation_started_at, s.impersonation_ends_at,
                ia.name AS impersonated_name, ia.currency AS impersonated_currency,
                s.return_url, v.name AS vendor_name,
                (SELECT pv.n FROM page_version pv WHERE pv.id = 1) AS page_version
         FROM sessions s
         JOIN users u ON u.id = s.user_id
         LEFT JOIN memberships m ON m.user_id = s.user_id AND m.account_id = s.account_id
              AND NOT EXISTS (SELECT 1 FROM accounts x WHERE x.id = s.account_id AND x.archived_at IS NOT NULL)
         LEFT JOIN accounts a ON a.id = m.account_id
         LEFT JOIN staff_members st ON st.user_id = s.user_id
         LEFT JOIN accounts ia ON ia.id = s.impersonated_account_id AND ia.vendor_id = st.vendor_id
         LEFT JOIN vendors v ON v.id = a.vendor_id
         WHERE s.id_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND u.disabled_at IS NULL",
    )
    .bind(id_hash)
    .bind(now)
    .bind(now - idle_limit_secs)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let role: Option<String> = row.try_get("role")?;
    let account = match (role.and_then(|r| r.parse::<Role>().ok()), row.try_get::<Option<String>, _>("account_id")?) {
        (Some(role), Some(id)) => Some(SessionAccount {
            id: id.into(),
            name: row.try_get("account_name")?,
            currency: row.try_get("currency")?,
            role,
        }),
        _ => None,
    };
    let staff = match row.try_get::<Option<String>, _>("vendor_id")? {
        Some(vendor_id) => {
            let stored: String = row.try_get("staff_role")?;
            let staff_role = StaffRole::parse(&stored)
                .ok_or_else(|| sqlx::Error::Decode(format!("unknown staff role {stored:?}").into()))?;
            Some(StaffRecord { vendor_id, staff_role })
        }
        None => None,
    };
    let mut account = account;
    let mut impersonation = None;
    let mut impersonation_lapsed = false;
    if let Some(target) = row.try_get::<Option<String>, _>("impersonated_account_id")? {
        let ends_at: i64 = row.try_get::<Option<i64>, _>("impersonation_ends_at")?.unwrap_or(0);
        let name: Option<String> = row.try_get("impersonated_name")?;
        match name {
            // Only the vendor's own staff, and only until the time limit.
            Some(name) if ends_at > now && staff.is_some() => {
                account = Some(SessionAccount {
                    id: target.into(),
                    name,
                    currency: row.try_get("impersonated_currency")?,
                    role: Role::Owner,
                });
                impersonation = Some(Impersonation {
                    started_at: row.try_get::<Option<i64>, _>("impersonation_started_at")?.unwrap_or(0),
                    ends_at,
                });
            }
            _ => {
                account = None;
                impersonation_lapsed = true;
            }
        }
    }
    Ok(Some(SessionRecord {
        id_hash: row.try_get("id_hash")?,
        user_id: row.try_get("user_id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        last_seen_at: row.try_get("last_seen_at")?,
        account,
        staff,
        impersonation,
        impersonation_lapsed,
        return_to: match (
            row.try_get::<Option<String>, _>("return_url")?,
            row.try_get::<Option<String>, _>("vendor_name")?,
        ) {
            (Some(url), Some(vendor_name)) => Some(ReturnTo { url, vendor_name }),
            _ => None,
        },
        page_version: row.try_get("page_version")?,
    }))
}

/// Records activity for the idle limit. Only called when the last mark is a minute old, so
/// that reads do not each turn into a write.
pub async fn touch(pool: &AnyPool, id_hash: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1 AND last_seen_at < $2")
        .bind(id_hash)
        .bind(now)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn delete(tx: &mut Tx, id_hash: &str) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash).execute(&mut **tx).await?;
    Ok(done.rows_affected())
}

pub async fn delete_expired(pool: &AnyPool, now: i64, idle_limit_secs: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
        .bind(now)
        .bind(now - idle_limit_secs)
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}
