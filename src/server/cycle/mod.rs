//! The billing cycle (seed 003's calendar): for a date, every account is issued what is due
//! (see [`issue`]), its invoices are charged when it has a method for that (see [`collect`]),
//! and failed charges are retried by the vendor's schedule. Work is shared by account between
//! workers through leases (see [`leases`]); rerunning a date issues nothing new.

pub mod collect;
pub mod documents;
pub mod issue;
pub mod leases;
pub mod method;
pub mod notices;
pub mod rules;
pub mod scheduler;
pub mod statement;

use std::collections::HashMap;
use std::time::Instant;

use serde_json::json;
use time::Date;

use self::documents::Issued;
use self::rules::BillingRules;
use crate::api::error::AppError;
use crate::domain::billing_items::{InvoiceKind, iso_date};
use crate::server::clock::unix_now;
use crate::server::db::audit::{AuditEvent, record};
use crate::server::state::AppState;

#[derive(Debug, Clone)]
pub struct RunOptions {
    pub date: Date,
    /// Names this worker in the leases it takes (host and process, say).
    pub worker: String,
    /// Accounts leased at a time.
    pub batch: i64,
    /// How long a lease lasts; a worker that has not finished an account by then loses it.
    pub lease_seconds: i64,
}

impl RunOptions {
    pub fn new(date: Date, worker: impl Into<String>) -> Self {
        RunOptions { date, worker: worker.into(), batch: 200, lease_seconds: 300 }
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CycleReport {
    /// Accounts this worker went through.
    pub accounts: u64,
    /// Invoices issued (license, prorated license, renewals).
    pub invoices: u64,
    pub statements: u64,
    pub charges_succeeded: u64,
    pub charges_failed: u64,
    pub cards_announced: u64,
    /// Accounts whose billing hit an error (logged); their leases run out and a later run retries them.
    pub failed_accounts: u64,
    /// Accounts of the date still not done when this worker stopped (other workers hold them).
    pub left_to_others: i64,
}

/// How far the run is, for a progress bar: accounts done by this worker, and accounts of the
/// date not done when the run started.
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Sync);

pub async fn run(state: &AppState, options: &RunOptions, progress: Progress<'_>) -> Result<CycleReport, AppError> {
    let db = &state.db;
    leases::plan(db, options.date, unix_now(state.clock.as_ref())).await?;
    let total = leases::remaining(db, options.date).await?.max(0) as u64;
    let mut report = CycleReport::default();
    let mut rules_by_vendor: HashMap<String, BillingRules> = HashMap::new();
    loop {
        let now = unix_now(state.clock.as_ref());
        let batch = leases::claim(db, options.date, &options.worker, now, options.lease_seconds, options.batch).await?;
        if batch.is_empty() {
            break;
        }
        let started = Instant::now();
        for account_id in batch {
            // A batch that outlives its lease stops here; the rest goes back to the pool.
            if started.elapsed().as_secs() as i64 >= options.lease_seconds {
                break;
            }
            match bill_account(state, options, &mut rules_by_vendor, &account_id, &mut report).await {
                Ok(()) => {}
                Err(error) => {
                    report.failed_accounts += 1;
                    tracing::error!(account = %account_id, date = %iso_date(options.date), ?error, "billing cycle failed for account");
                }
            }
            report.accounts += 1;
            progress(report.accounts, total);
        }
    }
    report.left_to_others = leases::remaining(db, options.date).await? - report.failed_accounts as i64;
    leases::complete_if_done(db, options.date, unix_now(state.clock.as_ref())).await?;
    Ok(report)
}

async fn bill_account(
    state: &AppState,
    options: &RunOptions,
    rules_by_vendor: &mut HashMap<String, BillingRules>,
    account_id: &str,
    report: &mut CycleReport,
) -> Result<(), AppError> {
    let date = options.date;
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    if !leases::still_held(&mut tx, date, account_id, &options.worker, now).await? {
        tx.rollback().await?;
        return Ok(());
    }
    let to = issue::recipient(&mut tx, account_id).await?;
    let rules = match rules_by_vendor.get(&to.vendor_id) {
        Some(rules) => rules.clone(),
        None => {
            let rules = rules::load(state.db.pool(), &to.vendor_id).await?;
            rules_by_vendor.insert(to.vendor_id.clone(), rules.clone());
            rules
        }
    };
    let issued = issue::issue_for_account(&mut tx, now, &rules, &to, date).await?;
    let mut charged_with = HashMap::new();
    for document in issued.iter().filter(|d| d.total.minor > 0) {
        if let Some(method) = method::collection_method(&mut *tx, account_id, document.subscription_id.as_deref()).await? {
            sqlx::query("UPDATE invoices SET next_collection_on = $2 WHERE id = $1")
                .bind(&document.id)
                .bind(iso_date(date))
                .execute(&mut *tx)
                .await?;
            charged_with.insert(document.id.clone(), method);
        }
    }
    notices::issued(&mut tx, now, &state.settings.server.public_url, account_id, &issued, &charged_with).await?;
    let primary = primary_subscription(&mut tx, account_id).await?;
    if notices::expiring_card(&mut tx, now, &rules, account_id, date, primary.as_deref()).await? {
        report.cards_announced += 1;
    }
    if !issued.is_empty() {
        record_issued(&mut tx, now, account_id, date, &issued).await?;
    }
    tx.commit().await?;
    for document in &issued {
        match document.kind {
            InvoiceKind::Reconciliation => report.statements += 1,
            _ => report.invoices += 1,
        }
    }
    let collected = collect::collect_due(state, &rules, account_id, date).await?;
    report.charges_succeeded += collected.succeeded;
    report.charges_failed += collected.failed;
    leases::mark_done(&state.db, date, account_id, &options.worker, unix_now(state.clock.as_ref())).await?;
    Ok(())
}

/// The subscription whose method pays the license invoice: the partner plan, else the licenses.
async fn primary_subscription(tx: &mut crate::server::db::Tx, account_id: &str) -> Result<Option<String>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT s.id FROM subscriptions s JOIN plans p ON p.id = s.plan_id
         WHERE s.account_id = $1 AND s.status IN ('trialing', 'active', 'past_due') AND p.kind IN ('partner', 'license')
         ORDER BY CASE p.kind WHEN 'partner' THEN 0 ELSE 1 END, s.created_at, s.id LIMIT 1",
    )
    .bind(account_id)
    .fetch_optional(&mut **tx)
    .await?)
}

async fn record_issued(tx: &mut crate::server::db::Tx, now: i64, account_id: &str, date: Date, issued: &[Issued]) -> Result<(), AppError> {
    let numbers: Vec<&str> = issued.iter().map(|d| d.number.as_str()).collect();
    record(
        tx,
        now,
        AuditEvent {
            action: "cycle.issued",
            account_id: Some(account_id),
            detail: json!({ "date": iso_date(date), "documents": numbers }),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}
