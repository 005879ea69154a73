//! Client accounts created and kept up to date by the vendor's systems (operator API) and by
//! the demo loader: the same validation as the portal's billing-details form, one transaction
//! each, audited, with its event.

use serde_json::json;

use crate::domain::currency::Currency;
use crate::domain::ids::AccountId;
use crate::domain::people::is_plausible_email;
use crate::domain::webhooks::EventType;
use crate::server::infra::actor::Actor;
use crate::server::infra::clock::unix_now;
use crate::server::infra::db::Tx;
use crate::server::infra::db::keyset::{cursor, parse_cursor};
use crate::server::infra::ids::new_id;
use crate::server::infra::state::AppState;
use crate::server::objects::{self, ACCOUNT_COLUMNS, AccountObject, AccountRowOf};
use crate::server::webhooks::{About, emit};
use crate::wire::billing_details::{DetailsInput, validate_details};
use crate::wire::error::AppError;

pub const NAME_MAX_CHARS: usize = 120;

pub struct NewAccount {
    /// Given by the caller (the demo's fixed ids); a new random id otherwise.
    pub id: Option<AccountId>,
    pub name: String,
    pub currency: String,
    pub details: DetailsInput,
    /// (name, email) of whoever receives invoices.
    pub billing_contact: Option<(String, String)>,
}

fn invalid_first(errors: Vec<crate::domain::cards::FieldError>) -> AppError {
    let first = errors.into_iter().next();
    match first {
        Some(error) => AppError::invalid(error.field, error.message),
        None => AppError::invalid("body", "The account is not valid."),
    }
}

fn check_name(name: &str) -> Result<String, AppError> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > NAME_MAX_CHARS {
        return Err(AppError::invalid("name", format!("Enter the client's name, up to {NAME_MAX_CHARS} characters.")));
    }
    Ok(name)
}

fn check_currency(code: &str) -> Result<Currency, AppError> {
    code.parse::<Currency>().map_err(|_| {
        let known: Vec<&str> = Currency::ALL.iter().map(|c| c.code()).collect();
        AppError::invalid("currency", format!("Use one of {}.", known.join(", ")))
    })
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(
    state: &AppState,
    vendor_id: &str,
    actor: &Actor,
    input: NewAccount,
) -> Result<AccountObject, AppError> {
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    let id = create_in(&mut tx, now, vendor_id, actor, input).await?;
    let object = objects::account(&mut tx, vendor_id, &id).await?;
    tx.commit().await?;
    Ok(object)
}

/// [`create`] inside the caller's transaction (the demo loader builds a whole vendor in one).
pub async fn create_in(
    tx: &mut Tx,
    now: i64,
    vendor_id: &str,
    actor: &Actor,
    input: NewAccount,
) -> Result<AccountId, AppError> {
    let name = check_name(&input.name)?;
    let currency = check_currency(&input.currency)?;
    let details = validate_details(&input.details).map_err(invalid_first)?;
    let contact = match &input.billing_contact {
        Some((contact_name, email)) => {
            let email = email.trim().to_lowercase();
            if !is_plausible_email(&email) {
                return Err(AppError::invalid("billing_email", "Enter an email address like billing@example.com."));
            }
            let contact_name = contact_name.trim();
            Some((if contact_name.is_empty() { name.clone() } else { contact_name.chars().take(120).collect() }, email))
        }
        None => None,
    };
    let id = input.id.unwrap_or_else(|| AccountId::new(new_id("acct")));
    sqlx::query(
        "INSERT INTO accounts (id, vendor_id, name, currency, company_name, address_line1, address_line2, city, region,
                               postal_code, country, tax_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(&id)
    .bind(vendor_id)
    .bind(&name)
    .bind(currency.code())
    .bind(&details.company_name)
    .bind(&details.address.line1)
    .bind(&details.address.line2)
    .bind(&details.address.city)
    .bind(&details.address.region)
    .bind(&details.address.postal_code)
    .bind(&details.address.country)
    .bind(details.tax_id.as_ref().map(|t| t.display.as_str()))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    if let Some((contact_name, email)) = &contact {
        sqlx::query(
            "INSERT INTO billing_contacts (id, account_id, name, email, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(new_id("bc"))
        .bind(&id)
        .bind(contact_name)
        .bind(email)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    actor
        .record(tx, now, &id, "account.created", ("account", &id), json!({ "name": name, "currency": currency.code() }))
        .await?;
    Ok(id)
}

/// What the vendor may change; `None` keeps the current value.
#[derive(Default)]
pub struct AccountChanges {
    pub name: Option<String>,
    pub currency: Option<String>,
    pub company_name: Option<String>,
    pub country: Option<String>,
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub tax_id: Option<String>,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn update(
    state: &AppState,
    vendor_id: &str,
    actor: &Actor,
    account_id: &AccountId,
    changes: AccountChanges,
) -> Result<AccountObject, AppError> {
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    let before = objects::account(&mut tx, vendor_id, account_id).await?;
    let name = check_name(changes.name.as_deref().unwrap_or(&before.name))?;
    let currency = check_currency(changes.currency.as_deref().unwrap_or(&before.currency))?;
    if currency.code() != before.currency {
        // Documents, balances and subscriptions are in the account's currency: it changes only
        // before the first of them.
        let used: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM invoices WHERE account_id = $1) + (SELECT COUNT(*) FROM subscriptions WHERE account_id = $1)
                  + (SELECT COUNT(*) FROM credit_entries WHERE account_id = $1) + (SELECT COUNT(*) FROM estimates WHERE account_id = $1)",
        )
        .bind(account_id)
        .fetch_one(&mut *tx)
        .await?;
        if used > 0 {
            return Err(AppError::invalid(
                "currency",
                "The currency can change only before the account's first invoice, estimate, subscription or credit.",
            ));
        }
    }
    let pick = |new: &Option<String>, old: &str| new.clone().unwrap_or_else(|| old.to_string());
    let details = validate_details(&DetailsInput {
        company_name: pick(&changes.company_name, &before.company_name),
        country: pick(&changes.country, &before.country),
        address_line1: pick(&changes.address_line1, &before.address_line1),
        address_line2: pick(&changes.address_line2, &before.address_line2),
        city: pick(&changes.city, &before.city),
        region: pick(&changes.region, &before.region),
        postal_code: pick(&changes.postal_code, &before.postal_code),
        tax_id: pick(&changes.tax_id, before.tax_id.as_deref().unwrap_or("")),
    })
    .map_err(invalid_first)?;
    sqlx::query(
        "UPDATE accounts SET name = $1, currency = $2, company_name = $3, address_line1 = $4, address_line2 = $5, city = $6,
                             region = $7, postal_code = $8, country = $9, tax_id = $10
         WHERE id = $11 AND vendor_id = $12",
    )
    .bind(&name)
    .bind(currency.code())
    .bind(&details.company_name)
    .bind(&details.address.line1)
    .bind(&details.address.line2)
    .bind(&details.address.city)
    .bind(&details.address.region)
    .bind(&details.address.postal_code)
    .bind(&details.address.country)
    .bind(details.tax_id.as_ref().map(|t| t.display.as_str()))
    .bind(account_id)
    .bind(vendor_id)
    .execute(&mut *tx)
    .await?;
    let after = objects::account(&mut tx, vendor_id, account_id).await?;
    let before_json = serde_json::to_value(&before).map_err(|e| AppError::internal("account", e))?;
    let after_json = serde_json::to_value(&after).map_err(|e| AppError::internal("account", e))?;
    if before_json != after_json {
        actor
            .record(
                &mut tx,
                now,
                account_id,
                "account.updated",
                ("account", account_id),
                json!({ "before": before_json, "after": after_json }),
            )
            .await?;
        emit(&mut tx, now, account_id, EventType::AccountUpdated, About::Account).await?;
    }
    tx.commit().await?;
    Ok(after)
}

/// Archives the account: its documents and history stay; it is no longer billed by the cycle
/// and nobody signs in to it. Archiving twice answers the same.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn archive(
    state: &AppState,
    vendor_id: &str,
    actor: &Actor,
    account_id: &AccountId,
) -> Result<AccountObject, AppError> {
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    let archived =
        sqlx::query("UPDATE accounts SET archived_at = $1 WHERE id = $2 AND vendor_id = $3 AND archived_at IS NULL")
            .bind(now)
            .bind(account_id)
            .bind(vendor_id)
            .execute(&mut *tx)
            .await?;
    if archived.rows_affected() == 1 {
        // Nobody stays signed in to an archived account.
        sqlx::query("DELETE FROM sessions WHERE account_id = $1 OR impersonated_account_id = $1")
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        actor.record(&mut tx, now, account_id, "account.archived", ("account", account_id), json!({})).await?;
        emit(&mut tx, now, account_id, EventType::AccountUpdated, About::Account).await?;
    }
    let object = objects::account(&mut tx, vendor_id, account_id).await?;
    tx.commit().await?;
    Ok(object)
}

pub struct AccountFilter {
    pub currency: Option<String>,
    pub country: Option<String>,
    /// `Some(false)`: active only (the default); `Some(true)`: archived only; `None`: both.
    pub archived: Option<bool>,
    /// Part of the name or company name, any case.
    pub search: Option<String>,
}

/// A page of the vendor's accounts, oldest first, after `after` (an opaque cursor).
pub async fn list(
    state: &AppState,
    vendor_id: &str,
    filter: &AccountFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<(Vec<AccountObject>, Option<String>), AppError> {
    let (after_at, after_id) = match after {
        Some(c) => parse_cursor(Some(c))?,
        None => (i64::MIN, String::new()),
    };
    let archived = match filter.archived {
        Some(true) => "AND archived_at IS NOT NULL",
        Some(false) => "AND archived_at IS NULL",
        None => "",
    };
    let search = filter.search.as_deref().map(|s| format!("%{}%", s.trim().to_lowercase().replace(['%', '_'], "")));
    let rows: Vec<AccountRowOf> = sqlx::query_as(&format!(
        "SELECT {ACCOUNT_COLUMNS} FROM accounts
         WHERE vendor_id = $1 AND (created_at > $2 OR (created_at = $2 AND id > $3))
           AND ($4 = '' OR currency = $4) AND ($5 = '' OR country = $5)
           AND ($6 = '' OR lower(name) LIKE $6 OR lower(company_name) LIKE $6) {archived}
         ORDER BY created_at, id LIMIT $7"
    ))
    .bind(vendor_id)
    .bind(after_at)
    .bind(&after_id)
    .bind(filter.currency.as_deref().unwrap_or("").to_uppercase())
    .bind(filter.country.as_deref().unwrap_or("").to_uppercase())
    .bind(search.as_deref().unwrap_or(""))
    .bind(limit + 1)
    .fetch_all(state.db.pool())
    .await?;
    let more = rows.len() as i64 > limit;
    let rows: Vec<AccountRowOf> = rows.into_iter().take(limit as usize).collect();
    let next = if more { rows.last().map(|r| cursor(r.11, &r.0)) } else { None };
    let ids: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let contacts = billing_emails(state, &ids).await?;
    let objects = rows
        .into_iter()
        .map(|row| {
            let emails = contacts.iter().filter(|(a, _)| *a == row.0).map(|(_, e)| e.clone()).collect();
            objects::account_from_row(row, emails)
        })
        .collect();
    Ok((objects, next))
}

/// (account, email) of these accounts' billing contacts, in one query.
async fn billing_emails(state: &AppState, ids: &[String]) -> Result<Vec<(String, String)>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT account_id, email FROM billing_contacts WHERE account_id IN ({}) ORDER BY created_at, id",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as::<_, (String, String)>(&sql);
    for id in ids {
        query = query.bind(id);
    }
    Ok(query.fetch_all(state.db.pool()).await?)
}
