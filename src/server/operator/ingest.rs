//! Storing a usage batch and charging it, in one transaction. Each account named in the batch
//! is locked first (its ledger lock, in id order so two batches never wait on each other in a
//! circle): a concurrent batch for the same account waits, then sees this one's records, so a
//! record id is accepted once however the batches race, and no charge is lost.

use crate::domain::ids::AccountId;
use std::collections::HashMap;

use serde_json::Value;

use crate::domain::billing_items::iso_date;
use crate::domain::credit::EntryKind;
use crate::domain::currency::Currency;
use crate::domain::field_error::FieldError;
use crate::domain::money::Money;
use crate::domain::usage_ingest::{
    AccountFacts, PhoneNumber, Reported, Usage, UsageCategory, charge_description, differences, reused_id_message,
    validate,
};
use crate::server::credit::ledger::{NewEntry, append};
use crate::server::infra::clock::{today, unix_now};
use crate::server::infra::db::{Tx, decode};
use crate::server::infra::ids::new_id;
use crate::server::infra::state::AppState;
use crate::server::operator::auth::ApiCaller;
use crate::server::operator::body;
use crate::server::operator::error::{ApiError, FieldErrorOut};
use crate::server::operator::usage::{RecordResult, RecordStatus, UsageBatchOut, UsageRecordIn};

/// Where an accepted record with a given id came from.
enum Known {
    /// Stored by an earlier batch, charged by this entry (if it cost anything).
    Stored(Usage, Option<String>),
    /// Accepted earlier in this batch; its entry is written at the end.
    ThisBatch(Usage),
}

struct Account {
    currency: Currency,
    numbers: Vec<PhoneNumber>,
    known: HashMap<String, Known>,
    accepted: Vec<(String, Usage)>,
    /// Results that point at this batch's entry for the account, filled in once it exists.
    waiting_for_entry: Vec<usize>,
}

type UsageRow = (String, String, String, String, i64, i64, String, Option<String>);

/// Stores the batch; returns every record's outcome and the accounts that were charged.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn ingest(
    state: &AppState,
    caller: &ApiCaller,
    records: Vec<Value>,
) -> Result<(UsageBatchOut, Vec<String>), ApiError> {
    let now = unix_now(state.clock.as_ref());
    let today = today(state.clock.as_ref());
    let parsed: Vec<(Option<String>, Result<UsageRecordIn, FieldError>)> = records
        .into_iter()
        .map(|value| (value.get("id").and_then(Value::as_str).map(str::to_string), body::from_value(value)))
        .collect();
    let mut named: Vec<&str> =
        parsed.iter().filter_map(|(_, r)| r.as_ref().ok().map(|r| r.account_id.as_str())).collect();
    named.sort_unstable();
    named.dedup();

    let mut tx = state.db.begin_write().await?;
    let mut accounts: HashMap<String, Account> = HashMap::new();
    for account_id in named {
        let ids: Vec<&str> = parsed
            .iter()
            .filter_map(|(_, r)| r.as_ref().ok().filter(|r| r.account_id == account_id).map(|r| r.id.as_str()))
            .collect();
        if let Some(account) = lock_account(&mut tx, &caller.vendor_id, &AccountId::from(account_id), &ids).await? {
            accounts.insert(account_id.to_string(), account);
        }
    }

    let mut results = Vec::with_capacity(parsed.len());
    for (index, (id, record)) in parsed.into_iter().enumerate() {
        let mut result =
            RecordResult { index, id, status: RecordStatus::Rejected, ledger_entry_id: None, errors: Vec::new() };
        match record {
            Err(error) => result.errors = vec![error.into()],
            Ok(r) => judge(&r, accounts.get_mut(&r.account_id), today, &mut result),
        }
        results.push(result);
    }

    let mut charged = Vec::new();
    let mut ordered: Vec<(&String, &mut Account)> = accounts.iter_mut().collect();
    ordered.sort_by(|a, b| a.0.cmp(b.0));
    for (account_id, account) in ordered {
        if account.accepted.is_empty() {
            continue;
        }
        let entry_id = charge(&mut tx, now, today, &AccountId::from(account_id), account).await?;
        insert_records(&mut tx, now, &AccountId::from(account_id), &account.accepted, entry_id.as_deref()).await?;
        for index in &account.waiting_for_entry {
            results[*index].ledger_entry_id = entry_id.clone();
        }
        if entry_id.is_some() {
            charged.push(account_id.clone());
        }
    }
    tx.commit().await?;

    let count = |status| results.iter().filter(|r| r.status == status).count();
    let outcome = UsageBatchOut {
        accepted: count(RecordStatus::Accepted),
        duplicates: count(RecordStatus::Duplicate),
        rejected: count(RecordStatus::Rejected),
        results,
    };
    Ok((outcome, charged))
}

/// Decides one well-formed record: accepted, a duplicate, or rejected with its field errors.
fn judge(r: &UsageRecordIn, account: Option<&mut Account>, today: time::Date, result: &mut RecordResult) {
    let reported = Reported {
        id: &r.id,
        phone_number: &r.phone_number,
        category: r.category.into(),
        date: &r.date,
        messages: r.messages,
        cost_amount: r.cost.amount,
        cost_currency: &r.cost.currency,
    };
    let Some(account) = account else {
        result.errors = errors(validate(&reported, None, today).err().unwrap_or_default());
        return;
    };
    if let Some(known) = account.known.get(&r.id) {
        let (usage, entry) = match known {
            Known::Stored(usage, entry) => (usage, Some(entry.clone())),
            Known::ThisBatch(usage) => (usage, None),
        };
        let differ = differences(usage, &reported, &account.numbers);
        if differ.is_empty() {
            result.status = RecordStatus::Duplicate;
            match entry {
                Some(entry) => result.ledger_entry_id = entry,
                None => account.waiting_for_entry.push(result.index),
            }
        } else {
            result.errors = vec![FieldError::new("id", reused_id_message(&differ)).into()];
        }
        return;
    }
    match validate(&reported, Some(AccountFacts { currency: account.currency, numbers: &account.numbers }), today) {
        Ok(usage) => {
            result.status = RecordStatus::Accepted;
            account.waiting_for_entry.push(result.index);
            account.known.insert(r.id.clone(), Known::ThisBatch(usage.clone()));
            account.accepted.push((r.id.clone(), usage));
        }
        Err(e) => result.errors = errors(e),
    }
}

fn errors(list: Vec<FieldError>) -> Vec<FieldErrorOut> {
    list.into_iter().map(Into::into).collect()
}

/// Takes the account's ledger lock if it is the vendor's, and reads what judging its records
/// needs: its currency, its numbers, and the records already stored under the batch's ids.
async fn lock_account(
    tx: &mut Tx,
    vendor_id: &str,
    account_id: &AccountId,
    ids: &[&str],
) -> Result<Option<Account>, ApiError> {
    let currency: Option<String> = sqlx::query_scalar(
        "UPDATE accounts SET ledger_seq = ledger_seq WHERE id = $1 AND vendor_id = $2 RETURNING currency",
    )
    .bind(account_id)
    .bind(vendor_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(currency) = currency else { return Ok(None) };
    let numbers: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT id, number, onboarded_on, released_on FROM phone_numbers WHERE account_id = $1 ORDER BY id",
    )
    .bind(account_id)
    .fetch_all(&mut **tx)
    .await?;
    let numbers = numbers
        .into_iter()
        .map(|(id, number, onboarded, released)| {
            Ok(PhoneNumber {
                id,
                number,
                onboarded_on: decode::date(&onboarded)?,
                released_on: released.as_deref().map(decode::date).transpose()?,
            })
        })
        .collect::<Result<Vec<_>, crate::wire::error::AppError>>()?;
    let mut known = HashMap::new();
    for chunk in ids.chunks(500) {
        let placeholders: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT external_id, phone_number_id, category, usage_date, message_count, cost, currency, ledger_entry_id
             FROM usage_records WHERE account_id = $1 AND external_id IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query_as::<_, UsageRow>(&sql).bind(account_id);
        for id in chunk {
            query = query.bind(*id);
        }
        for (external_id, phone_number_id, category, date, messages, cost, currency, entry) in
            query.fetch_all(&mut **tx).await?
        {
            let usage = Usage {
                phone_number_id,
                category: decode::enumerated(&category, UsageCategory::parse)?,
                date: decode::date(&date)?,
                messages,
                cost: decode::money(cost, &currency)?,
            };
            known.insert(external_id, Known::Stored(usage, entry));
        }
    }
    Ok(Some(Account {
        currency: decode::currency(&currency)?,
        numbers,
        known,
        accepted: Vec::new(),
        waiting_for_entry: Vec::new(),
    }))
}

/// One usage entry for the account's accepted records, unless together they cost nothing.
async fn charge(
    tx: &mut Tx,
    now: i64,
    today: time::Date,
    account_id: &AccountId,
    account: &Account,
) -> Result<Option<String>, ApiError> {
    let total = Money::sum(account.currency, account.accepted.iter().map(|(_, u)| u.cost))
        .map_err(|e| crate::wire::error::AppError::internal("usage total", e))?;
    if total.is_zero() {
        return Ok(None);
    }
    let messages: i64 = account.accepted.iter().map(|(_, u)| u.messages).sum();
    let description = charge_description(today, messages);
    let entry = NewEntry::new(account_id, Money::new(-total.minor, total.currency), EntryKind::Usage, &description);
    Ok(Some(append(tx, now, entry).await?.id))
}

const COLUMNS: usize = 11;

async fn insert_records(
    tx: &mut Tx,
    now: i64,
    account_id: &AccountId,
    records: &[(String, Usage)],
    entry_id: Option<&str>,
) -> Result<(), ApiError> {
    for chunk in records.chunks(50) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|r| {
                let cells: Vec<String> = (1..=COLUMNS).map(|c| format!("${}", r * COLUMNS + c)).collect();
                format!("({})", cells.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO usage_records (id, account_id, phone_number_id, category, usage_date, message_count, cost, currency,
                                        created_at, external_id, ledger_entry_id) VALUES {}",
            rows.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for (external_id, usage) in chunk {
            query = query
                .bind(new_id("use"))
                .bind(account_id)
                .bind(usage.phone_number_id.clone())
                .bind(usage.category.as_str())
                .bind(iso_date(usage.date))
                .bind(usage.messages)
                .bind(usage.cost.minor)
                .bind(usage.cost.currency.code())
                .bind(now)
                .bind(external_id.clone())
                .bind(entry_id.map(str::to_string));
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}
