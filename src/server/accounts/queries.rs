use sqlx::{AnyPool, FromRow};

use crate::domain::billing_items::iso_date;
use crate::domain::ids::{AccountId, PersonId};
use crate::domain::money::CurrencyTotals;
use crate::domain::role::Role;
use crate::server::infra::clock::today;
use crate::server::infra::db::decode;
use crate::server::infra::state::AppState;
use crate::wire::dashboard::BillingContactPerson;
use crate::wire::error::AppError;
use crate::wire::staff::ClientRow;

#[derive(Debug, FromRow)]
pub struct AccountProfileRow {
    pub id: String,
    pub name: String,
    pub company_name: String,
    pub currency: String,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn profile(pool: &AnyPool, account_id: &AccountId) -> Result<Option<AccountProfileRow>, sqlx::Error> {
    sqlx::query_as::<_, AccountProfileRow>("SELECT id, name, company_name, currency FROM accounts WHERE id = $1")
        .bind(account_id)
        .fetch_optional(pool)
        .await
}

#[derive(Debug, FromRow)]
struct PersonRow {
    name: String,
    email: String,
    role: String,
}

/// The people of an account who can act on billing, owners first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn billing_people(pool: &AnyPool, account_id: &AccountId) -> Result<Vec<BillingContactPerson>, AppError> {
    let rows = sqlx::query_as::<_, PersonRow>(
        "SELECT u.name, u.email, m.role FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.account_id = $1 AND m.role IN ('owner', 'admin', 'billing_manager') AND u.disabled_at IS NULL
         ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, u.name",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            let role = r.role.parse::<Role>().map_err(|e| AppError::internal("stored role", e))?;
            Ok(BillingContactPerson { name: r.name, email: r.email, role })
        })
        .collect()
}

#[derive(Debug, FromRow)]
struct ClientListRow {
    id: String,
    name: String,
    company_name: String,
    currency: Option<String>,
    outstanding: Option<i64>,
    overdue_invoices: i64,
    open_estimates: i64,
}

/// The vendor's client accounts with what each owes, in one query.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn client_list(state: &AppState, vendor_id: &str) -> Result<Vec<ClientRow>, AppError> {
    summaries(state, "a.vendor_id = $1", vendor_id).await
}

/// The accounts a user belongs to, with what each owes, in one query.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn accounts_of_user(state: &AppState, user_id: &PersonId) -> Result<Vec<ClientRow>, AppError> {
    summaries(
        state,
        "a.archived_at IS NULL AND a.id IN (SELECT account_id FROM memberships WHERE user_id = $1)",
        user_id,
    )
    .await
}

async fn summaries(state: &AppState, scope: &str, scope_id: &str) -> Result<Vec<ClientRow>, AppError> {
    let today = iso_date(today(state.clock.as_ref()));
    let sql = format!(
        "SELECT a.id, a.name, a.company_name, o.currency, o.outstanding,
                COALESCE(o.overdue_invoices, 0) AS overdue_invoices,
                (SELECT COUNT(*) FROM estimates e WHERE e.account_id = a.id AND e.status = 'open') AS open_estimates
         FROM accounts a
         LEFT JOIN (
             SELECT account_id, currency,
                    CAST(SUM(total - amount_paid) AS BIGINT) AS outstanding,
                    CAST(SUM(CASE WHEN due_date < $2 THEN 1 ELSE 0 END) AS BIGINT) AS overdue_invoices
             FROM invoices WHERE status IN ('open', 'awaiting_transfer')
             GROUP BY account_id, currency
         ) o ON o.account_id = a.id
         WHERE {scope}
         ORDER BY a.name, a.id"
    );
    let rows = sqlx::query_as::<_, ClientListRow>(&sql).bind(scope_id).bind(&today).fetch_all(state.db.pool()).await?;
    let mut clients: Vec<ClientRow> = Vec::new();
    for row in rows {
        // Rows come ordered by account: one row per currency the account owes in.
        if clients.last().is_none_or(|c| c.id != row.id) {
            clients.push(ClientRow {
                id: row.id.clone(),
                name: row.name.clone(),
                company_name: row.company_name.clone(),
                outstanding: CurrencyTotals::default(),
                overdue_invoices: 0,
                open_estimates: row.open_estimates,
            });
        }
        let Some(client) = clients.last_mut() else { continue };
        if let (Some(code), Some(amount)) = (row.currency.as_deref(), row.outstanding) {
            client.outstanding.add(decode::money(amount, code)?).map_err(|e| AppError::internal("totals", e))?;
        }
        client.overdue_invoices += row.overdue_invoices;
    }
    Ok(clients)
}

/// The vendor that bills the account, and the account's currency.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn vendor_and_currency(
    pool: &AnyPool,
    account_id: &AccountId,
) -> Result<(String, crate::domain::currency::Currency), AppError> {
    let (vendor, currency): (String, String) = sqlx::query_as("SELECT vendor_id, currency FROM accounts WHERE id = $1")
        .bind(account_id)
        .fetch_optional(pool)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok((vendor, decode::currency(&currency)?))
}
