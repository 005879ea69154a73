//! Use cases around an account's billing details: the company name, address and tax ID that
//! invoices print, and the billing contacts who receive them.
//!
//! Each change is one write transaction that also records an audit event (who, when, before
//! and after). Nothing here touches invoices: an invoice copies the details when it is issued
//! ([`bill_to_snapshot`]) and keeps that copy, so a change applies to invoices issued after
//! it only.

use crate::domain::ids::AccountId;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::{Any, Executor, FromRow};

use crate::domain::address::{Address, format_single_line};
use crate::server::infra::auth::authorize::Authorized;
use crate::server::infra::clock::unix_now;
use crate::server::infra::db::Tx;
use crate::server::infra::ids::new_id;
use crate::server::infra::state::AppState;
use crate::wire::billing_details::{
    BillingContact, BillingDetails, DetailsInput, UpdateOutcome, validate_contact, validate_details,
};
use crate::wire::error::AppError;

pub const LAST_CONTACT: &str = "An account needs at least one billing contact. Add another before removing this one.";
pub const CHANGED_MEANWHILE: &str = "Someone else changed these billing details after you opened this page. Reload the page to see their change, then make yours again.";

/// The billing columns of `accounts`, as stored.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
struct DetailsRow {
    company_name: String,
    country: String,
    address_line1: String,
    address_line2: String,
    city: String,
    region: String,
    postal_code: String,
    tax_id: Option<String>,
}

impl DetailsRow {
    fn address(&self) -> Address {
        Address {
            country: self.country.clone(),
            line1: self.address_line1.clone(),
            line2: self.address_line2.clone(),
            city: self.city.clone(),
            region: self.region.clone(),
            postal_code: self.postal_code.clone(),
        }
    }

    fn tax_id_text(&self) -> &str {
        self.tax_id.as_deref().unwrap_or("")
    }

    /// A short fingerprint of the stored values; see [`BillingDetails::version`].
    fn version(&self) -> String {
        let mut hash = Sha256::new();
        for part in [
            &self.company_name,
            &self.country,
            &self.address_line1,
            &self.address_line2,
            &self.city,
            &self.region,
            &self.postal_code,
            self.tax_id_text(),
        ] {
            hash.update(part.as_bytes());
            hash.update([0x1f]);
        }
        hex::encode(&hash.finalize()[..12])
    }

    /// What the audit trail keeps of it.
    fn audit_json(&self) -> serde_json::Value {
        json!({
            "company_name": self.company_name,
            "country": self.country,
            "address_line1": self.address_line1,
            "address_line2": self.address_line2,
            "city": self.city,
            "region": self.region,
            "postal_code": self.postal_code,
            "tax_id": self.tax_id,
        })
    }

    /// Names of the fields that differ from `other`.
    fn changed_fields(&self, other: &DetailsRow) -> Vec<&'static str> {
        [
            ("company_name", self.company_name != other.company_name),
            ("country", self.country != other.country),
            ("address_line1", self.address_line1 != other.address_line1),
            ("address_line2", self.address_line2 != other.address_line2),
            ("city", self.city != other.city),
            ("region", self.region != other.region),
            ("postal_code", self.postal_code != other.postal_code),
            ("tax_id", self.tax_id != other.tax_id),
        ]
        .into_iter()
        .filter_map(|(field, differs)| differs.then_some(field))
        .collect()
    }
}

async fn details_row<'e, E>(executor: E, account_id: &AccountId) -> Result<Option<DetailsRow>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as::<_, DetailsRow>(
        "SELECT company_name, country, address_line1, address_line2, city, region, postal_code, tax_id FROM accounts WHERE id = $1",
    )
    .bind(account_id)
    .fetch_optional(executor)
    .await
}

#[derive(FromRow)]
struct ContactRow {
    id: String,
    name: String,
    email: String,
}

async fn contacts<'e, E>(executor: E, account_id: &AccountId) -> Result<Vec<BillingContact>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let rows = sqlx::query_as::<_, ContactRow>(
        "SELECT id, name, email FROM billing_contacts WHERE account_id = $1 ORDER BY created_at, name, id",
    )
    .bind(account_id)
    .fetch_all(executor)
    .await?;
    Ok(rows.into_iter().map(|r| BillingContact { id: r.id, name: r.name, email: r.email }).collect())
}

/// The account's billing details and contacts.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn load(state: &AppState, account_id: &AccountId) -> Result<BillingDetails, AppError> {
    let pool = state.db.pool();
    let row = details_row(pool, account_id).await?.ok_or_else(AppError::not_found)?;
    let contacts = contacts(pool, account_id).await?;
    Ok(BillingDetails {
        address_text: format_single_line(&row.address()),
        version: row.version(),
        tax_id: row.tax_id_text().to_string(),
        company_name: row.company_name,
        country: row.country,
        address_line1: row.address_line1,
        address_line2: row.address_line2,
        city: row.city,
        region: row.region,
        postal_code: row.postal_code,
        contacts,
    })
}

/// What an invoice issued now prints under "Bill to". Invoice-issuing code calls this in its
/// own transaction (`&mut *tx`) or on the pool and stores the result in the invoice's
/// `bill_to_name`, `bill_to_address` and `bill_to_tax_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillTo {
    pub name: String,
    /// The address on one line, as the account's country writes it, ending with the country.
    pub address: String,
    pub tax_id: Option<String>,
}

#[derive(FromRow)]
struct IdentifiedDetails {
    id: String,
    #[sqlx(flatten)]
    details: DetailsRow,
}

impl From<DetailsRow> for BillTo {
    fn from(row: DetailsRow) -> BillTo {
        BillTo {
            address: format_single_line(&row.address()),
            tax_id: row.tax_id.clone().filter(|t| !t.trim().is_empty()),
            name: row.company_name,
        }
    }
}

/// [`bill_to_snapshot`] for many accounts in one query (the billing cycle issues in batches).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn bill_to_snapshots<'e, E>(
    executor: E,
    account_ids: &[String],
) -> Result<std::collections::HashMap<String, BillTo>, AppError>
where
    E: Executor<'e, Database = Any>,
{
    if account_ids.is_empty() {
        return Ok(Default::default());
    }
    let sql = format!(
        "SELECT id, company_name, country, address_line1, address_line2, city, region, postal_code, tax_id FROM accounts WHERE id IN ({})",
        crate::server::infra::db::placeholders(1, account_ids.len())
    );
    let mut query = sqlx::query_as::<_, IdentifiedDetails>(&sql);
    for id in account_ids {
        query = query.bind(id);
    }
    Ok(query.fetch_all(executor).await?.into_iter().map(|row| (row.id, BillTo::from(row.details))).collect())
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn bill_to_snapshot<'e, E>(executor: E, account_id: &AccountId) -> Result<BillTo, AppError>
where
    E: Executor<'e, Database = Any>,
{
    let row = details_row(executor, account_id).await?.ok_or_else(AppError::not_found)?;
    Ok(BillTo::from(row))
}

/// Validates everything first, then stores the details in one transaction with one audit
/// event `billing_details.updated` holding the values before and after. Saving values
/// identical to the stored ones changes and records nothing.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn update_details(
    caller: &Authorized,
    input: &DetailsInput,
    version: Option<&str>,
) -> Result<UpdateOutcome, AppError> {
    let valid = match validate_details(input) {
        Ok(valid) => valid,
        Err(errors) => return Ok(UpdateOutcome::Invalid(errors)),
    };
    let state = &caller.state;
    let account_id = &caller.account()?.id;
    let after = DetailsRow {
        company_name: valid.company_name,
        country: valid.address.country,
        address_line1: valid.address.line1,
        address_line2: valid.address.line2,
        city: valid.address.city,
        region: valid.address.region,
        postal_code: valid.address.postal_code,
        tax_id: valid.tax_id.map(|t| t.display),
    };
    let now = unix_now(state.clock.as_ref());

    let mut tx = state.db.begin_write().await?;
    let before = details_row(&mut *tx, account_id).await?.ok_or_else(AppError::not_found)?;
    if version.is_some_and(|v| v != before.version()) {
        tx.rollback().await?;
        return Err(AppError::Conflict(CHANGED_MEANWHILE.into()).tracked());
    }
    let changed = after.changed_fields(&before);
    if changed.is_empty() {
        tx.rollback().await?;
        return Ok(UpdateOutcome::Saved { details: Box::new(load(state, account_id).await?), changed: false });
    }
    // Only if the row still holds what was read: on PostgreSQL another transaction may have
    // committed a change since, and that change must not be overwritten unseen.
    let updated = sqlx::query(
        "UPDATE accounts SET company_name = $1, country = $2, address_line1 = $3, address_line2 = $4, city = $5, region = $6,
                             postal_code = $7, tax_id = $8
         WHERE id = $9 AND company_name = $10 AND country = $11 AND address_line1 = $12 AND address_line2 = $13 AND city = $14
               AND region = $15 AND postal_code = $16 AND COALESCE(tax_id, '') = $17",
    )
    .bind(&after.company_name)
    .bind(&after.country)
    .bind(&after.address_line1)
    .bind(&after.address_line2)
    .bind(&after.city)
    .bind(&after.region)
    .bind(&after.postal_code)
    .bind(after.tax_id.as_deref())
    .bind(account_id)
    .bind(&before.company_name)
    .bind(&before.country)
    .bind(&before.address_line1)
    .bind(&before.address_line2)
    .bind(&before.city)
    .bind(&before.region)
    .bind(&before.postal_code)
    .bind(before.tax_id_text())
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() != 1 {
        tx.rollback().await?;
        return Err(AppError::Conflict(CHANGED_MEANWHILE.into()).tracked());
    }
    caller
        .record(
            &mut tx,
            now,
            "billing_details.updated",
            ("account", account_id),
            json!({ "before": before.audit_json(), "after": after.audit_json(), "changed": changed }),
        )
        .await?;
    tx.commit().await?;
    Ok(UpdateOutcome::Saved { details: Box::new(load(state, account_id).await?), changed: true })
}

/// Takes the account row's lock for the rest of the transaction, so that contact changes of
/// one account run one after another (on SQLite the write transaction already holds the
/// database's write lock). False when the account does not exist.
async fn lock_account(tx: &mut Tx, account_id: &AccountId) -> Result<bool, sqlx::Error> {
    let locked = sqlx::query("UPDATE accounts SET company_name = company_name WHERE id = $1")
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    Ok(locked.rows_affected() == 1)
}

fn duplicate_contact(email: &str) -> AppError {
    AppError::invalid("contact_email", format!("{email} already receives invoices for this account."))
}

/// Adds a billing contact: a name and a plausible email not already on the list.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn add_contact(caller: &Authorized, name: &str, email: &str) -> Result<Vec<BillingContact>, AppError> {
    let (name, email) = validate_contact(name, email).map_err(|errors| {
        let first = &errors[0];
        AppError::invalid(first.field, first.message.clone())
    })?;
    let state = &caller.state;
    let account_id = &caller.account()?.id;
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    if !lock_account(&mut tx, account_id).await? {
        return Err(AppError::not_found());
    }
    let existing: Option<String> =
        sqlx::query_scalar("SELECT id FROM billing_contacts WHERE account_id = $1 AND lower(email) = $2")
            .bind(account_id)
            .bind(&email)
            .fetch_optional(&mut *tx)
            .await?;
    if existing.is_some() {
        return Err(duplicate_contact(&email));
    }
    let id = new_id("bct");
    let inserted = sqlx::query(
        "INSERT INTO billing_contacts (id, account_id, name, email, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(account_id)
    .bind(&name)
    .bind(&email)
    .bind(now)
    .execute(&mut *tx)
    .await;
    match inserted {
        Ok(_) => {}
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Err(duplicate_contact(&email)),
        Err(e) => return Err(e.into()),
    }
    caller
        .record(
            &mut tx,
            now,
            "billing_contact.added",
            ("billing_contact", &id),
            json!({ "name": name, "email": email }),
        )
        .await?;
    tx.commit().await?;
    Ok(contacts(state.db.pool(), account_id).await?)
}

/// Removes a billing contact of the caller's account, unless it is the last one.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn remove_contact(caller: &Authorized, id: &str) -> Result<Vec<BillingContact>, AppError> {
    let state = &caller.state;
    let account_id = &caller.account()?.id;
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    if !lock_account(&mut tx, account_id).await? {
        return Err(AppError::not_found());
    }
    let current = contacts(&mut *tx, account_id).await?;
    let Some(contact) = current.iter().find(|c| c.id == id) else {
        return Err(AppError::not_found());
    };
    if current.len() <= 1 {
        return Err(AppError::Conflict(LAST_CONTACT.into()).tracked());
    }
    sqlx::query("DELETE FROM billing_contacts WHERE id = $1 AND account_id = $2")
        .bind(id)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    caller
        .record(
            &mut tx,
            now,
            "billing_contact.removed",
            ("billing_contact", id),
            json!({ "name": contact.name, "email": contact.email }),
        )
        .await?;
    tx.commit().await?;
    Ok(contacts(state.db.pool(), account_id).await?)
}
