//! Phone numbers coming and going (seed 003): onboarded on a date, released on a date (its last
//! active day), onboarded again later. A number's row holds its current stretch; a stretch that
//! ended before a re-onboarding moves to `phone_number_history`, so the billing cycle still
//! knows every day the number was active (see `domain::licenses`).

use crate::domain::ids::AccountId;
use time::Date;

use crate::domain::billing_items::iso_date;
use crate::server::infra::db::{Tx, decode};
use crate::server::infra::ids::new_id;
use crate::wire::error::AppError;

/// A number as the account has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber {
    pub id: String,
    pub number: String,
    pub sub_account: String,
    pub onboarded_on: Date,
    pub released_on: Option<Date>,
}

/// The account's number, written the way it was onboarded.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn find(tx: &mut Tx, account_id: &AccountId, number: &str) -> Result<Option<PhoneNumber>, AppError> {
    let row: Option<(String, String, String, String, Option<String>)> =
        sqlx::query_as("SELECT id, number, sub_account, onboarded_on, released_on FROM phone_numbers WHERE account_id = $1 AND number = $2")
            .bind(account_id)
            .bind(number)
            .fetch_optional(&mut **tx)
            .await?;
    row.map(|(id, number, sub_account, onboarded, released)| {
        Ok(PhoneNumber {
            id,
            number,
            sub_account,
            onboarded_on: decode::date(&onboarded)?,
            released_on: released.as_deref().map(decode::date).transpose()?,
        })
    })
    .transpose()
}

/// Onboards `number` on `on`: a new number, or one released before `on` coming back (its earlier
/// stretch is kept). A number still active on `on` is refused.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn onboard(
    tx: &mut Tx,
    account_id: &AccountId,
    number: &str,
    sub_account: &str,
    on: Date,
    id: Option<&str>,
) -> Result<PhoneNumber, AppError> {
    let number = number.trim();
    if number.is_empty()
        || number.chars().count() > 40
        || sub_account.trim().is_empty()
        || sub_account.chars().count() > 120
    {
        return Err(AppError::invalid(
            "number",
            "Give the number (up to 40 characters) and its sub-account (up to 120).",
        ));
    }
    match find(tx, account_id, number).await? {
        None => {
            let id = id.map(str::to_string).unwrap_or_else(|| new_id("num"));
            sqlx::query("INSERT INTO phone_numbers (id, account_id, sub_account, number, onboarded_on) VALUES ($1, $2, $3, $4, $5)")
                .bind(&id)
                .bind(account_id)
                .bind(sub_account.trim())
                .bind(number)
                .bind(iso_date(on))
                .execute(&mut **tx)
                .await?;
            Ok(PhoneNumber {
                id,
                number: number.to_string(),
                sub_account: sub_account.trim().to_string(),
                onboarded_on: on,
                released_on: None,
            })
        }
        Some(existing) => {
            match existing.released_on {
                Some(released) if released < on => {
                    sqlx::query(
                        "INSERT INTO phone_number_history (number_id, onboarded_on, released_on) VALUES ($1, $2, $3)",
                    )
                    .bind(&existing.id)
                    .bind(iso_date(existing.onboarded_on))
                    .bind(iso_date(released))
                    .execute(&mut **tx)
                    .await?;
                    sqlx::query("UPDATE phone_numbers SET onboarded_on = $1, released_on = NULL, sub_account = $2 WHERE id = $3")
                    .bind(iso_date(on))
                    .bind(sub_account.trim())
                    .bind(&existing.id)
                    .execute(&mut **tx)
                    .await?;
                    Ok(PhoneNumber {
                        onboarded_on: on,
                        released_on: None,
                        sub_account: sub_account.trim().to_string(),
                        ..existing
                    })
                }
                _ => Err(AppError::Conflict(format!(
                    "{number} is already onboarded (since {}).",
                    iso_date(existing.onboarded_on)
                ))
                .tracked()),
            }
        }
    }
}

/// Releases the account's `number` on `on`, its last active day. A number not active then is
/// refused.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn release(tx: &mut Tx, account_id: &AccountId, number: &str, on: Date) -> Result<PhoneNumber, AppError> {
    let Some(existing) = find(tx, account_id, number.trim()).await? else { return Err(AppError::not_found()) };
    if existing.released_on.is_some() {
        return Err(AppError::Conflict(format!("{} is already released.", existing.number)).tracked());
    }
    if on < existing.onboarded_on {
        return Err(AppError::invalid(
            "date",
            format!(
                "{} was onboarded on {}: it cannot be released before.",
                existing.number,
                iso_date(existing.onboarded_on)
            ),
        ));
    }
    sqlx::query("UPDATE phone_numbers SET released_on = $1 WHERE id = $2 AND released_on IS NULL")
        .bind(iso_date(on))
        .bind(&existing.id)
        .execute(&mut **tx)
        .await?;
    Ok(PhoneNumber { released_on: Some(on), ..existing })
}
