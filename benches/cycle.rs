//! How fast one billing cycle runs: seeds N accounts like the demo's (partner plan, licenses
//! for three numbers, a default card, a billing contact, a credit balance), then times the run
//! of the 1st: a license invoice charged to the card and a reconciliation statement for each.
//!
//!   cargo bench --bench cycle --no-default-features --features ssr -- [--accounts N] [--workers K] [--batch N] [--no-charges]
//!
//! SQLite (a file in a temporary directory) unless PORTICO_TEST_DATABASE_URL names a PostgreSQL
//! server, where it creates a fresh database. `bench/cycle.sh` runs both. Target: at least
//! 2,000 invoices/s on SQLite on a 2-core machine.

use std::sync::Arc;
use std::time::Instant;

use sqlx::Connection;
use time::macros::{date, datetime};

use portico::domain::payment_method::MethodKind;
use portico::server::cycle::{CycleReport, RunOptions, run};
use portico::server::infra::clock::FixedClock;
use portico::server::infra::config::Settings;
use portico::server::infra::db::Db;
use portico::server::infra::db::bulk::{Value, insert};
use portico::server::infra::processors::sandbox::demo_token;
use portico::server::infra::secrets::ServerSecret;
use portico::server::infra::startup::new_state;

struct Args {
    accounts: usize,
    workers: usize,
    /// Accounts a worker leases and bills at a time (`[billing] batch`).
    batch: i64,
    /// Accounts without a card: the cycle issues and emails, and charges nothing.
    no_charges: bool,
}

fn args() -> Args {
    let mut parsed = Args {
        accounts: 10_000,
        workers: 1,
        batch: RunOptions::new(date!(2026 - 12 - 01), "").batch,
        no_charges: false,
    };
    let mut iter = std::env::args().skip(1);
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--accounts" => parsed.accounts = iter.next().and_then(|v| v.parse().ok()).expect("--accounts N"),
            "--workers" => parsed.workers = iter.next().and_then(|v| v.parse().ok()).expect("--workers K"),
            "--batch" => parsed.batch = iter.next().and_then(|v| v.parse().ok()).expect("--batch N"),
            "--no-charges" => parsed.no_charges = true,
            // cargo bench passes --bench; anything else is a mistake worth hearing about.
            "--bench" => {}
            other => panic!("unknown argument {other:?} (expected --accounts N, --workers K, --batch N, --no-charges)"),
        }
    }
    parsed
}

async fn database() -> (String, Option<tempfile::TempDir>) {
    sqlx::any::install_default_drivers();
    match std::env::var("PORTICO_TEST_DATABASE_URL") {
        Ok(admin_url) if admin_url.starts_with("postgres") => {
            let name = format!("portico_bench_{}", std::process::id());
            let mut admin = sqlx::AnyConnection::connect(&admin_url).await.expect("connect to PostgreSQL");
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
                .execute(&mut admin)
                .await
                .expect("drop old bench database");
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("create bench database");
            let (base, _) = admin_url.rsplit_once('/').expect("database URL has a path");
            (format!("{base}/{name}"), None)
        }
        _ => {
            let dir = tempfile::tempdir().expect("temp dir");
            (format!("sqlite://{}/bench.db?mode=rwc", dir.path().display()), Some(dir))
        }
    }
}

/// Inserts `rows` in one transaction, many rows per statement.
async fn insert_rows(db: &Db, table_and_columns: &str, rows: Vec<Vec<Value>>) {
    let mut tx = db.begin_write().await.expect("begin");
    insert(&mut tx, table_and_columns, &rows).await.unwrap_or_else(|e| panic!("{table_and_columns}: {e}"));
    tx.commit().await.expect("commit");
}

fn t(text: impl Into<String>) -> Value {
    Value::Text(text.into())
}

fn n(value: i64) -> Value {
    Value::Int(value)
}

async fn seed(db: &Db, accounts: usize, with_cards: bool) {
    let pool = db.pool();
    for sql in [
        "INSERT INTO vendors (id, name, legal_name, email, address, created_at) VALUES ('ven_bench', 'Bench Messaging', 'Bench Messaging, Inc.', 'billing@bench.test', '1 Main St', 0)",
        "INSERT INTO invoice_sequences (vendor_id, prefix, next_number) VALUES ('ven_bench', 'BEN-', 1)",
        "INSERT INTO vendor_payment_settings (vendor_id) VALUES ('ven_bench')",
        "INSERT INTO plans (id, vendor_id, code, name, kind, unit_label, unit_amount, currency, billing_interval, created_at)
         VALUES ('plan_partner', 'ven_bench', 'partner', 'Partner plan', 'partner', 'plan', 49900, 'USD', 'month', 0)",
        "INSERT INTO plans (id, vendor_id, code, name, kind, unit_label, unit_amount, currency, billing_interval, created_at)
         VALUES ('plan_license', 'ven_bench', 'license', 'Phone number license', 'license', 'phone number', 1500, 'USD', 'month', 0)",
    ] {
        sqlx::query(sql).execute(pool).await.expect(sql);
    }
    // Signed with the secret every worker's state reads from this database.
    let secret = ServerSecret::load(db, "").await.expect("server secret");
    let (token, fingerprint) = demo_token(
        &secret,
        MethodKind::Card,
        Some("visa"),
        Some("credit"),
        "4242",
        Some((12, 2030)),
        "Bench",
        None,
        "bench",
    );
    let october = date!(2026 - 10 - 15).midnight().assume_utc().unix_timestamp();
    let ids: Vec<String> = (0..accounts).map(|k| format!("acc_{k:06}")).collect();
    insert_rows(
        db,
        "accounts (id, vendor_id, name, currency, company_name, address_line1, city, postal_code, country, created_at, ledger_seq)",
        ids.iter().map(|id| vec![t(id), t("ven_bench"), t(id), t("USD"), t(format!("{id} LLC")), t("1 Harbor Way"), t("Seattle"), t("98101"), t("US"), n(0), n(1)]).collect(),
    )
    .await;
    insert_rows(
        db,
        "billing_contacts (id, account_id, name, email, created_at)",
        ids.iter()
            .map(|id| vec![t(format!("bct_{id}")), t(id), t("Accounts"), t(format!("ap@{id}.test")), n(0)])
            .collect(),
    )
    .await;
    if with_cards {
        insert_rows(
        db,
        "payment_methods (id, account_id, kind, processor, processor_token, fingerprint, brand, funding, last4, exp_month, exp_year, is_default, created_at)",
        ids.iter()
            .map(|id| vec![t(format!("pm_{id}")), t(id), t("card"), t("sandbox"), t(&token), t(&fingerprint), t("visa"), t("credit"), t("4242"), n(12), n(2030), n(1), n(0)])
            .collect(),
        )
        .await;
    }
    let mut subscriptions = Vec::new();
    for id in &ids {
        for (prefix, plan, quantity, amount) in [("sp", "plan_partner", 1, 49_900), ("sl", "plan_license", 3, 1_500)] {
            subscriptions.push(vec![
                t(format!("{prefix}_{id}")),
                t(id),
                t(plan),
                n(quantity),
                n(amount),
                t("USD"),
                t("active"),
                t("2026-11-01"),
                t("2026-12-01"),
                if with_cards { t(format!("pm_{id}")) } else { Value::NullText },
                n(0),
            ]);
        }
    }
    insert_rows(
        db,
        "subscriptions (id, account_id, plan_id, quantity, unit_amount, currency, status, current_period_start, current_period_end, payment_method_id, created_at)",
        subscriptions,
    )
    .await;
    let mut numbers = Vec::new();
    let mut billed = Vec::new();
    for id in &ids {
        for k in 1..=3 {
            numbers.push(vec![
                t(format!("num_{k}_{id}")),
                t(id),
                t("Main"),
                t(format!("+1 206 555 010{k}")),
                t("2026-10-01"),
            ]);
            // November's licenses were billed (before these records began).
            billed.push(vec![t(id), t(format!("+1 206 555 010{k}")), t("2026-11")]);
        }
    }
    insert_rows(db, "phone_numbers (id, account_id, sub_account, number, onboarded_on)", numbers).await;
    insert_rows(db, "number_billings (account_id, number, month)", billed).await;
    insert_rows(
        db,
        "credit_entries (id, account_id, seq, currency, amount, balance_after, kind, description, created_at)",
        ids.iter()
            .map(|id| {
                vec![
                    t(format!("ent_{id}")),
                    t(id),
                    n(1),
                    t("USD"),
                    n(100_000),
                    n(100_000),
                    t("adjustment"),
                    t("Opening balance"),
                    n(october),
                ]
            })
            .collect(),
    )
    .await;
}

fn settings(url: &str) -> Settings {
    let url = url.to_string();
    Settings::parse(include_str!("../Leptos.toml"), move |key| (key == "DATABASE_URL").then(|| url.clone()))
        .expect("settings")
}

#[tokio::main]
async fn main() {
    let args = args();
    let (url, _dir) = database().await;
    let backend = if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    let db = Db::connect(&url, 8).await.expect("connect");
    db.migrate().await.expect("migrate");
    let seeding = Instant::now();
    seed(&db, args.accounts, !args.no_charges).await;
    println!("{backend}: seeded {} accounts in {:.1} s", args.accounts, seeding.elapsed().as_secs_f64());

    let clock = Arc::new(FixedClock(datetime!(2026-12-01 06:00 UTC)));
    let day = date!(2026 - 12 - 01);
    let started = Instant::now();
    let mut runs = Vec::new();
    let batch = args.batch;
    for worker in 0..args.workers {
        // Each worker is its own process as far as the database is concerned: its own pool.
        let db = Db::connect(&url, 4).await.expect("connect");
        let state = new_state(db, settings(&url), clock.clone()).await.expect("state");
        runs.push(tokio::spawn(async move {
            let mut options = RunOptions::new(day, format!("bench-{worker}"));
            options.batch = batch;
            run(&state, &options, &|_, _| {}).await.expect("cycle")
        }));
    }
    let mut total = CycleReport::default();
    for handle in runs {
        let report = handle.await.expect("worker");
        total.accounts += report.accounts;
        total.invoices += report.invoices;
        total.statements += report.statements;
        total.charges_succeeded += report.charges_succeeded;
        total.failed_accounts += report.failed_accounts;
    }
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(total.invoices as usize, args.accounts, "one license invoice per account: {total:?}");
    assert_eq!(total.failed_accounts, 0);
    let charging = if args.no_charges { "no cards, nothing charged" } else { "each invoice charged to a card" };
    println!(
        "{backend}, {} worker(s), {charging}: {} accounts in {seconds:.2} s — {} invoices ({:.0} invoices/s), {} statements ({:.0} documents/s), {} charges ({:.0} charges/s)",
        args.workers,
        total.accounts,
        total.invoices,
        total.invoices as f64 / seconds,
        total.statements,
        (total.invoices + total.statements) as f64 / seconds,
        total.charges_succeeded,
        total.charges_succeeded as f64 / seconds,
    );
    db.close().await;
}
