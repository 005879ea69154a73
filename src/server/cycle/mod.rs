//! The billing cycle (seed 003's calendar): for a date, every account is issued what is due
//! (decided by [`plan`] from facts read by [`load`], written by [`write`]: a batch of accounts
//! per transaction), its invoices are charged when it has a method for that (see [`collect`]),
//! and failed charges are retried by the vendor's schedule. Work is shared by account between
//! workers through leases (see [`leases`]); rerunning a date issues nothing new.

pub mod collect;
pub mod documents;
pub mod leases;
pub mod load;
pub mod method;
pub mod notices;
pub mod plan;
pub mod rules;
pub mod scheduler;
pub mod write;

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use time::Date;

use self::rules::BillingRules;
use crate::domain::billing_cycle::MonthDocuments;
use crate::domain::billing_items::{InvoiceKind, iso_date};
use crate::server::infra::clock::unix_now;
use crate::server::infra::state::AppState;
use crate::wire::error::AppError;

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
    /// The default batch and lease of `[billing]`.
    pub fn new(date: Date, worker: impl Into<String>) -> Self {
        RunOptions::configured(date, worker, &crate::server::infra::config::BillingSettings::default())
    }

    /// Batch size and lease length from `[billing]` in the settings.
    pub fn configured(
        date: Date,
        worker: impl Into<String>,
        settings: &crate::server::infra::config::BillingSettings,
    ) -> Self {
        RunOptions { date, worker: worker.into(), batch: settings.batch, lease_seconds: settings.lease_seconds }
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
    /// Payments whose bank transfer did not arrive in the vendor's wait: their invoices are open again.
    pub transfers_expired: u64,
    /// Accounts whose billing hit an error (logged); their leases run out and a later run retries them.
    pub failed_accounts: u64,
    /// Accounts of the date still not done when this worker stopped (other workers hold them).
    pub left_to_others: i64,
}

/// How far the run is, for a progress bar: accounts done by this worker, and accounts of the
/// date not done when the run started.
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Sync);

#[tracing::instrument(level = "debug", skip_all)]
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
        // Issued in one transaction per batch; a batch that fails is billed again account by
        // account, so one account's problem holds up nobody else.
        let outcome = bill_batch(state, options, &mut rules_by_vendor, &batch, &mut report).await;
        if let Err(error) = outcome {
            tracing::warn!(?error, accounts = batch.len(), "billing a batch failed; billing its accounts one by one");
            for account_id in &batch {
                if started.elapsed().as_secs() as i64 >= options.lease_seconds {
                    break;
                }
                if let Err(error) =
                    bill_batch(state, options, &mut rules_by_vendor, std::slice::from_ref(account_id), &mut report)
                        .await
                {
                    report.failed_accounts += 1;
                    tracing::error!(account = %account_id, date = %iso_date(options.date), ?error, "billing cycle failed for account");
                }
            }
        }
        progress(report.accounts, total);
    }
    let remaining = leases::remaining(db, options.date).await?;
    report.left_to_others = remaining - report.failed_accounts as i64;
    if remaining == 0 {
        leases::complete(db, options.date, unix_now(state.clock.as_ref())).await?;
    }
    Ok(report)
}

async fn bill_batch(
    state: &AppState,
    options: &RunOptions,
    rules_by_vendor: &mut HashMap<String, BillingRules>,
    batch: &[String],
    report: &mut CycleReport,
) -> Result<(), AppError> {
    let date = options.date;
    let now = unix_now(state.clock.as_ref());
    let months = MonthDocuments::for_run_on(date);
    let mut tx = state.db.begin_write().await?;
    let held = leases::still_held(&mut tx, date, batch, &options.worker, now).await?;
    let mut facts = load::facts(&mut tx, &held, months.reconciled_month).await?;
    let mut plans = Vec::with_capacity(held.len());
    for account_id in &held {
        let Some(account) = facts.get(account_id) else { continue };
        let vendor = &account.recipient.vendor_id;
        if !rules_by_vendor.contains_key(vendor) {
            rules_by_vendor.insert(vendor.clone(), rules::load(&mut tx, vendor).await?);
        }
        plans.push((account_id, plan::plan_account(account, date, &rules_by_vendor[vendor])?));
    }
    let keys: Vec<String> = plans
        .iter()
        .flat_map(|(_, p)| p.documents.iter().map(|d| d.draft.cycle_key.clone()))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    load::issued_keys(&mut tx, &held, &keys, &mut facts).await?;
    let mut pairs = Vec::with_capacity(plans.len());
    for (account_id, mut plan) in plans {
        let account = &facts[account_id];
        plan.documents.retain(|d| !account.issued_keys.contains(&d.draft.cycle_key));
        pairs.push((account, plan));
    }
    let written = write::write(&mut tx, now, date, &state.settings.server.public_url, &pairs).await?;
    tx.commit().await?;
    report.accounts += held.len() as u64;
    report.cards_announced += written.cards_announced;
    for document in &written.issued {
        match document.kind {
            InvoiceKind::Reconciliation => report.statements += 1,
            _ => report.invoices += 1,
        }
    }

    // Transfers that did not come in the vendor's wait: their invoices are open again before
    // collection, so the charge they had scheduled is made in this same run.
    let mut tx = state.db.begin_write().await?;
    let wait =
        |vendor: &str| rules_by_vendor.get(vendor).map_or(rules::DEFAULT_TRANSFER_WAIT_DAYS, |r| r.transfer_wait_days);
    report.transfers_expired +=
        crate::server::payments::transfers::expire_waiting(state, &mut tx, &held, now, &wait).await?;
    tx.commit().await?;

    // Charged after the issuing commit (see collect); a batch that fails is charged again
    // account by account, and an account whose charging fails stays leased for the next run.
    let mut failed = HashSet::new();
    let collected = match collect::collect_due(state, rules_by_vendor, &held, date).await {
        Ok(collected) => collected,
        Err(error) => {
            tracing::warn!(
                ?error,
                accounts = held.len(),
                "automatic collection of a batch failed; charging its accounts one by one"
            );
            let mut collected = collect::Collected::default();
            for account_id in &held {
                match collect::collect_due(state, rules_by_vendor, std::slice::from_ref(account_id), date).await {
                    Ok(one) => {
                        collected.succeeded += one.succeeded;
                        collected.failed += one.failed;
                    }
                    Err(error) => {
                        report.failed_accounts += 1;
                        tracing::error!(account = %account_id, ?error, "automatic collection failed");
                        failed.insert(account_id.clone());
                    }
                }
            }
            collected
        }
    };
    report.charges_succeeded += collected.succeeded;
    report.charges_failed += collected.failed;
    let done: Vec<String> = held.into_iter().filter(|a| !failed.contains(a)).collect();
    leases::mark_done(&state.db, date, &done, &options.worker, unix_now(state.clock.as_ref())).await?;
    Ok(())
}
