//! The billing cycle: a golden month for Northwind checked to the cent, reruns, concurrent and
//! crashed workers, the dunning schedule and card-expiry notices on a clock the test moves.

use portico::domain::ids::{AccountId, MethodId};
use std::collections::HashMap;
use std::sync::Arc;

use futures::future::BoxFuture;

use time::macros::date;
use time::{Date, Duration};

use crate::support::TestApp;
use portico::domain::credit::EntryKind;
use portico::domain::currency::Currency;
use portico::domain::money::Money;
use portico::domain::service_status::{BlockCause, Service};
use portico::server::credit::ledger::{NewEntry, append};
use portico::server::credit::status;
use portico::server::credit::top_up::top_up;
use portico::server::cycle::{CycleReport, RunOptions, run};
use portico::server::infra::processors::{
    AttachError, AttachedMethod, ChargeOutcome, ChargeRequest, PaymentProcessor, ProcessorUnavailable,
};
use portico::server::infra::state::AppState;
use portico::server::payments::pay::Payer;
use portico::server::payments::settle::reconcile_pending;
use portico::wire::billing_rules::BillingRulesView;
use portico::wire::payments::PaymentResult;

const NW: &str = "acc_northwind";

/// The golden tests follow one calendar: the demo loaded on 22 November 2026, then the runs of
/// December and January checked to the cent. Tests about the run on "the next 1st" follow the
/// suite's pinned date instead ([`next_first`]).
const DEMO_DAY: Date = date!(2026 - 11 - 22);

async fn golden_demo() -> TestApp {
    TestApp::with_demo_on(DEMO_DAY).await
}

/// The 1st of the month after the pinned today, and its month key ("2026-12").
fn next_first() -> (Date, String) {
    let today = crate::support::pinned_today();
    let first = (today.replace_day(1).unwrap() + Duration::days(31)).replace_day(1).unwrap();
    (first, format!("{:04}-{:02}", first.year(), u8::from(first.month())))
}

/// Moves the test clock to 06:00 UTC on `day`.
fn set_date(app: &TestApp, day: Date) {
    let target = day.midnight().assume_utc() + Duration::hours(6);
    let now = portico::server::infra::clock::Clock::now(app.clock.as_ref());
    app.clock.advance(target - now);
}

async fn cycle(state: &AppState, day: Date, worker: &str) -> CycleReport {
    run(state, &RunOptions::new(day, worker), &|_, _| {}).await.expect("cycle runs")
}

async fn run_on(app: &TestApp, day: Date) -> CycleReport {
    set_date(app, day);
    cycle(&app.state, day, "test-worker").await
}

#[derive(Debug, sqlx::FromRow)]
struct InvoiceRow {
    id: String,
    number: String,
    kind: String,
    status: String,
    issue_date: String,
    due_date: String,
    period_start: Option<String>,
    period_end: Option<String>,
    total: i64,
    amount_paid: i64,
    memo: Option<String>,
}

async fn invoice(app: &TestApp, account: &str, cycle_key: &str) -> InvoiceRow {
    sqlx::query_as(
        "SELECT id, number, kind, status, issue_date, due_date, period_start, period_end, total, amount_paid, memo
         FROM invoices WHERE account_id = $1 AND cycle_key = $2",
    )
    .bind(account)
    .bind(cycle_key)
    .fetch_one(app.state.db.pool())
    .await
    .unwrap_or_else(|e| panic!("{account} has no {cycle_key}: {e}"))
}

async fn lines(app: &TestApp, invoice_id: &str) -> Vec<(String, i64, i64, i64)> {
    sqlx::query_as(
        "SELECT description, quantity, unit_amount, amount FROM invoice_lines WHERE invoice_id = $1 ORDER BY position",
    )
    .bind(invoice_id)
    .fetch_all(app.state.db.pool())
    .await
    .unwrap()
}

/// Payments of an invoice: (status, amount, fee, failure code), oldest first.
async fn payments_of(app: &TestApp, invoice_id: &str) -> Vec<(String, i64, i64, Option<String>)> {
    sqlx::query_as(
        "SELECT p.status, p.amount, p.fee, p.failure_code FROM payments p JOIN payment_allocations a ON a.payment_id = p.id
         WHERE a.invoice_id = $1 ORDER BY p.created_at, p.id",
    )
    .bind(invoice_id)
    .fetch_all(app.state.db.pool())
    .await
    .unwrap()
}

async fn emails(app: &TestApp, to: &str, kind: &str) -> Vec<(String, String)> {
    sqlx::query_as("SELECT subject, body_text FROM outbox WHERE to_address = $1 AND kind = $2 ORDER BY created_at, id")
        .bind(to)
        .bind(kind)
        .fetch_all(app.state.db.pool())
        .await
        .unwrap()
}

async fn add_number(app: &TestApp, id: &str, number: &str, onboarded: &str) {
    sqlx::query("INSERT INTO phone_numbers (id, account_id, sub_account, number, onboarded_on) VALUES ($1, $2, 'Northwind Support', $3, $4)")
        .bind(id)
        .bind(NW)
        .bind(number)
        .bind(onboarded)
        .execute(app.state.db.pool())
        .await
        .unwrap();
}

/// A day's messages on one number, charged to the credit balance as the ingestion does.
async fn usage(app: &TestApp, day: &str, messages: i64, cost: i64) {
    let now = portico::server::infra::clock::unix_now(app.clock.as_ref());
    let mut tx = app.state.db.begin_write().await.unwrap();
    let description = format!("Messages sent on {day}: {messages}");
    let entry =
        append(&mut tx, now, NewEntry::new(NW, Money::new(-cost, Currency::Usd), EntryKind::Usage, &description))
            .await
            .unwrap();
    sqlx::query(
        "INSERT INTO usage_records (id, account_id, phone_number_id, category, usage_date, message_count, cost, currency, created_at, ledger_entry_id)
         VALUES ($1, $2, 'num_nw_1', 'marketing', $3, $4, $5, 'USD', $6, $7)",
    )
    .bind(format!("use_golden_{day}"))
    .bind(NW)
    .bind(day)
    .bind(messages)
    .bind(cost)
    .bind(now)
    .bind(&entry.id)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn add_card(app: &TestApp, session: &str, number: &str) -> String {
    let token = app.card_token(number).await;
    let res = app.call("payment-methods/add", &[("token", &token), ("make_default", "false")], Some(session)).await;
    assert!(res.status.is_success(), "{}", res.body);
    res.json::<serde_json::Value>()["id"].as_str().unwrap().to_string()
}

async fn pay_subscriptions_with(app: &TestApp, method: &str) {
    sqlx::query("UPDATE subscriptions SET payment_method_id = $1 WHERE account_id = $2")
        .bind(method)
        .bind(NW)
        .execute(app.state.db.pool())
        .await
        .unwrap();
}

/// The vendor's invoice numbers run without gaps or repeats.
async fn assert_numbers_gap_free(app: &TestApp) {
    let numbers: Vec<String> =
        sqlx::query_scalar("SELECT number FROM invoices WHERE vendor_id = 'ven_acme' ORDER BY number")
            .fetch_all(app.state.db.pool())
            .await
            .unwrap();
    for (n, number) in numbers.iter().enumerate() {
        assert_eq!(number, &format!("ACME-{:06}", n + 1), "numbers: {numbers:?}");
    }
    let next: i64 = app.count("SELECT next_number FROM invoice_sequences WHERE vendor_id = 'ven_acme'").await;
    assert_eq!(next, numbers.len() as i64 + 1);
}

/// December 2026 for Northwind: 8 numbers on the 1st, one added on the 10th and one on the
/// 31st, a $200 top-up, two days of usage, a declined charge at month end and its retry.
#[tokio::test]
async fn a_golden_month_for_northwind_to_the_cent() {
    let app = golden_demo().await;
    let before: i64 = app.count("SELECT COUNT(*) FROM invoices").await;

    // 1 December: the license invoice (partner plan + 8 licenses), charged to the Visa card the
    // subscriptions pay with, plus its 4 % card fee; November's statement.
    let report = run_on(&app, date!(2026 - 12 - 01)).await;
    assert_eq!(
        (report.accounts, report.invoices, report.statements, report.charges_succeeded, report.charges_failed),
        (2, 2, 2, 2, 0)
    );
    let december = invoice(&app, NW, "license:2026-12").await;
    assert_eq!(
        (december.kind.as_str(), december.status.as_str(), december.total, december.amount_paid),
        ("license", "paid", 61_900, 61_900)
    );
    assert_eq!((december.issue_date.as_str(), december.due_date.as_str()), ("2026-12-01", "2026-12-01"));
    assert_eq!(
        (december.period_start.as_deref(), december.period_end.as_deref()),
        (Some("2026-12-01"), Some("2026-12-31"))
    );
    assert_eq!(
        lines(&app, &december.id).await,
        vec![
            ("Partner plan — December 2026".into(), 1, 49_900, 49_900),
            ("Phone number licenses — December 2026".into(), 8, 1_500, 12_000)
        ]
    );
    assert_eq!(payments_of(&app, &december.id).await, vec![("succeeded".into(), 61_900, 2_476, None)]);
    let opening = status::for_account(app.state.db.pool(), &AccountId::from(NW), date!(2026 - 12 - 01))
        .await
        .unwrap()
        .credit_balance
        .minor;
    assert_eq!(opening, 50_204, "the demo's Northwind balance on 1 December");

    // During the month: numbers on the 10th and the 31st, a top-up on the 12th, usage.
    set_date(&app, date!(2026 - 12 - 10));
    add_number(&app, "num_nw_9", "+1 206 555 0160", "2026-12-10").await;
    usage(&app, "2026-12-10", 1_234, 3_702).await;
    set_date(&app, date!(2026 - 12 - 12));
    let payer = Payer { account_id: NW, user_id: Some("usr_nora"), impersonator_id: None };
    let topped = top_up(
        &app.state,
        payer,
        Money::new(20_000, Currency::Usd),
        &MethodId::from("pm_nw_visa"),
        "golden-month-top-up-0001",
    )
    .await
    .unwrap();
    assert!(matches!(topped, PaymentResult::Paid { .. }), "{topped:?}");
    set_date(&app, date!(2026 - 12 - 20));
    usage(&app, "2026-12-20", 20_000, 45_678).await;
    set_date(&app, date!(2026 - 12 - 31));
    add_number(&app, "num_nw_10", "+1 206 555 0161", "2026-12-31").await;

    // 31 December: the prorated invoice; the card the subscriptions now use declines it.
    let owner = app.login("owner@northwind.test").await;
    let declining = add_card(&app, &owner, "4000000000000341").await;
    pay_subscriptions_with(&app, &declining).await;
    let report = run_on(&app, date!(2026 - 12 - 31)).await;
    assert_eq!((report.invoices, report.statements, report.charges_succeeded, report.charges_failed), (1, 0, 0, 1));
    let prorated = invoice(&app, NW, "prorated:2026-12").await;
    assert_eq!((prorated.kind.as_str(), prorated.status.as_str(), prorated.total), ("prorated_license", "open", 1_113));
    assert_eq!(
        (prorated.period_start.as_deref(), prorated.period_end.as_deref()),
        (Some("2026-12-10"), Some("2026-12-31"))
    );
    assert_eq!(
        lines(&app, &prorated.id).await,
        vec![
            // $15.00 × 22/31 = $10.645… and × 1/31 = $0.483…, each rounded half away from zero.
            ("License +1 206 555 0160, from Dec 10, 2026 (22 of 31 days)".into(), 1, 1_065, 1_065),
            ("License +1 206 555 0161, from Dec 31, 2026 (1 of 31 days)".into(), 1, 48, 48),
        ]
    );
    let failure = emails(&app, "billing@northwind.test", "payment_failed").await;
    let last = failure.last().expect("a failure email");
    assert_eq!(last.0, format!("Payment failed for invoice {}", prorated.number));
    assert!(last.1.contains("We will try to charge it again on Jan 1, 2027."), "{}", last.1);
    assert!(last.1.contains("/pay/"), "the email carries a payment link: {}", last.1);

    // 1 January: a new card is in place; the retry pays the prorated invoice, the license
    // invoice bills 10 numbers, and December is reconciled.
    pay_subscriptions_with(&app, "pm_nw_visa").await;
    let report = run_on(&app, date!(2027 - 01 - 01)).await;
    assert_eq!((report.invoices, report.statements, report.charges_succeeded, report.charges_failed), (2, 2, 3, 0));
    let prorated = invoice(&app, NW, "prorated:2026-12").await;
    assert_eq!((prorated.status.as_str(), prorated.amount_paid), ("paid", 1_113));
    assert_eq!(
        payments_of(&app, &prorated.id).await,
        vec![("failed".into(), 1_113, 45, Some("card_declined".into())), ("succeeded".into(), 1_113, 45, None)]
    );
    let january = invoice(&app, NW, "license:2027-01").await;
    assert_eq!((january.status.as_str(), january.total), ("paid", 64_900));
    assert_eq!(
        lines(&app, &january.id).await,
        vec![
            ("Partner plan — January 2027".into(), 1, 49_900, 49_900),
            ("Phone number licenses — January 2027".into(), 10, 1_500, 15_000)
        ]
    );
    let statement = invoice(&app, NW, "reconciliation:2026-12").await;
    assert_eq!((statement.kind.as_str(), statement.status.as_str(), statement.total), ("reconciliation", "paid", 0));
    assert_eq!(
        (statement.period_start.as_deref(), statement.period_end.as_deref()),
        (Some("2026-12-01"), Some("2026-12-31"))
    );
    let closing = opening + 20_000 - 3_702 - 45_678;
    assert_eq!(
        lines(&app, &statement.id).await,
        vec![
            ("Credit balance on Dec 1, 2026".into(), 1, opening, opening),
            ("Prepayments received".into(), 1, 20_000, 20_000),
            ("Messages used: 21,234 messages".into(), 1, -49_380, -49_380),
            ("Refunds".into(), 1, 0, 0),
            ("Credit balance on Dec 31, 2026".into(), 1, -closing, -closing),
        ]
    );
    let memo = statement.memo.unwrap();
    // Invoiced in December: the license invoice ($619.00), the top-up ($200.00), the prorated
    // invoice ($11.13). Still open when the statement was issued: the prorated invoice (its
    // retry comes after the statement) and the demo's unpaid October and November invoices.
    assert!(memo.contains("Invoiced in the month: $830.13."), "{memo}");
    assert!(memo.contains("Outstanding when this statement was issued: $651.43 — "), "{memo}");
    assert!(memo.contains(&format!("{} ($11.13, due Dec 31, 2026)", prorated.number)), "{memo}");

    // The statement balances against the ledger: December's closing is January's opening.
    let january_balance = status::for_account(app.state.db.pool(), &AccountId::from(NW), date!(2027 - 01 - 01))
        .await
        .unwrap()
        .credit_balance
        .minor;
    assert_eq!(january_balance, closing);
    assert_eq!(app.count("SELECT COUNT(*) FROM invoices").await, before + 2 + 2 + 1 + 1 + 2 + 2);
    assert_numbers_gap_free(&app).await;
}

#[tokio::test]
async fn running_a_date_again_issues_and_charges_nothing_new() {
    let app = TestApp::with_demo().await;
    let counts = async || {
        (
            app.count("SELECT COUNT(*) FROM invoices").await,
            app.count("SELECT COUNT(*) FROM payments").await,
            app.count("SELECT COUNT(*) FROM outbox").await,
            app.count("SELECT next_number FROM invoice_sequences").await,
        )
    };
    // The demo already holds what its own dates made due.
    let untouched = counts().await;
    assert_eq!(cycle(&app.state, crate::support::pinned_today(), "w").await.invoices, 0);
    assert_eq!(counts().await, untouched);

    let (first_day, _) = next_first();
    let first = run_on(&app, first_day).await;
    assert_eq!((first.invoices, first.statements), (2, 2));
    let after_first = counts().await;
    let again = cycle(&app.state, first_day, "w").await;
    assert_eq!(again, CycleReport::default(), "a finished date has nothing left to do");
    // Even a worker that finds the date's work list gone re-bills nothing: the documents are
    // keyed by what they bill.
    sqlx::query("DELETE FROM cycle_accounts").execute(app.state.db.pool()).await.unwrap();
    let fresh = cycle(&app.state, first_day, "other").await;
    assert_eq!((fresh.accounts, fresh.invoices, fresh.statements, fresh.charges_succeeded), (2, 0, 0, 0));
    assert_eq!(counts().await, after_first);
    assert_numbers_gap_free(&app).await;
}

/// Copies Northwind's setup into `n` more accounts: two subscriptions, three numbers, a card.
async fn seed_accounts(app: &TestApp, n: usize) {
    let pool = app.state.db.pool();
    // Numbers onboarded two months before the app's today and billed for its month, whatever
    // day the suite runs and whichever day the app's demo was loaded on.
    let this_month = portico::server::infra::clock::today(app.clock.as_ref()).replace_day(1).unwrap();
    let earlier = (this_month - Duration::days(40)).replace_day(1).unwrap();
    let earlier_mid = earlier + Duration::days(14);
    let month = format!("{:04}-{:02}", this_month.year(), u8::from(this_month.month()));
    for k in 0..n {
        let id = format!("acc_load_{k:03}");
        for sql in [
            "INSERT INTO accounts (id, vendor_id, name, currency, company_name, country, created_at) VALUES ($1, 'ven_acme', $1, 'USD', $1, 'US', 0)".to_string(),
            "INSERT INTO payment_methods (id, account_id, kind, processor, processor_token, brand, last4, exp_month, exp_year, is_default, created_at)
             SELECT 'pm_' || $1, $1, kind, processor, processor_token, brand, last4, exp_month, exp_year, 1, 0 FROM payment_methods WHERE id = 'pm_nw_visa'".to_string(),
            "INSERT INTO subscriptions (id, account_id, plan_id, quantity, unit_amount, currency, status, current_period_start, current_period_end, created_at)
             SELECT 'sp_' || $1, $1, plan_id, quantity, unit_amount, currency, status, current_period_start, current_period_end, 0 FROM subscriptions WHERE id = 'sub_nw_partner'".to_string(),
            "INSERT INTO subscriptions (id, account_id, plan_id, quantity, unit_amount, currency, status, current_period_start, current_period_end, created_at)
             SELECT 'sl_' || $1, $1, plan_id, 3, unit_amount, currency, status, current_period_start, current_period_end, 0 FROM subscriptions WHERE id = 'sub_nw_licenses'".to_string(),
            format!("INSERT INTO phone_numbers (id, account_id, sub_account, number, onboarded_on) VALUES ('n1_' || $1, $1, 'Main', '+1 555 0001', '{earlier}')"),
            format!("INSERT INTO phone_numbers (id, account_id, sub_account, number, onboarded_on) VALUES ('n2_' || $1, $1, 'Main', '+1 555 0002', '{earlier}')"),
            format!("INSERT INTO phone_numbers (id, account_id, sub_account, number, onboarded_on) VALUES ('n3_' || $1, $1, 'Main', '+1 555 0003', '{earlier_mid}')"),
            // This month's license invoice billed them (it was issued before these records began).
            format!("INSERT INTO number_billings (account_id, number, month) SELECT account_id, number, '{month}' FROM phone_numbers WHERE account_id = $1"),
        ] {
            sqlx::query(&sql).bind(&id).execute(pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
    }
}

#[tokio::test]
async fn two_concurrent_runners_issue_each_invoice_once() {
    let app = TestApp::with_demo().await;
    seed_accounts(&app, 30).await;
    let (day, month) = next_first();
    let license_key = format!("license:{month}");
    set_date(&app, day);
    let (_, second) = app.second_process().await;
    let mut options_a = RunOptions::new(day, "worker-a");
    let mut options_b = RunOptions::new(day, "worker-b");
    (options_a.batch, options_b.batch) = (4, 4);
    let (a, b) = tokio::join!(run(&app.state, &options_a, &|_, _| {}), run(&second, &options_b, &|_, _| {}));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.accounts + b.accounts, 32, "every account billed by exactly one worker: {a:?} {b:?}");
    assert_eq!(a.invoices + b.invoices, 32);
    assert_eq!(a.charges_succeeded + b.charges_succeeded, 32);
    assert_eq!(a.failed_accounts + b.failed_accounts, 0);
    // One license invoice per account, paid once.
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM invoices WHERE cycle_key = '{license_key}'")).await, 32);
    assert_eq!(
        app.count(&format!("SELECT COUNT(DISTINCT account_id) FROM invoices WHERE cycle_key = '{license_key}'")).await,
        32
    );
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM payments p JOIN payment_allocations a ON a.payment_id = p.id JOIN invoices i ON i.id = a.invoice_id WHERE i.cycle_key = '{license_key}'")).await,
        32
    );
    // The seeded accounts: the partner plan and a license for each of their 3 numbers.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM invoices WHERE cycle_key = '{license_key}' AND total = 49900 + 3 * 1500"
        ))
        .await,
        30
    );
    assert_numbers_gap_free(&app).await;
}

#[tokio::test]
async fn a_crashed_workers_accounts_are_picked_up_and_a_live_workers_are_left_alone() {
    let app = TestApp::with_demo().await;
    seed_accounts(&app, 4).await;
    let (day, month) = next_first();
    set_date(&app, day);
    let now = portico::server::infra::clock::unix_now(app.clock.as_ref());
    portico::server::cycle::leases::plan(&app.state.db, day, now).await.unwrap();
    // The crashed worker's lease ran out a minute ago; the live one holds its lease 4 more minutes.
    sqlx::query("UPDATE cycle_accounts SET leased_by = 'crashed', lease_until = $1 WHERE account_id IN ('acc_load_000', 'acc_load_001')")
        .bind(now - 60)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE cycle_accounts SET leased_by = 'alive', lease_until = $1 WHERE account_id = 'acc_load_002'")
        .bind(now + 240)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let report = cycle(&app.state, day, "successor").await;
    assert_eq!((report.accounts, report.left_to_others), (5, 1));
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM invoices WHERE account_id IN ('acc_load_000', 'acc_load_001') AND cycle_key = 'license:{month}'")).await, 2);
    assert_eq!(app.count("SELECT COUNT(*) FROM invoices WHERE account_id = 'acc_load_002'").await, 0);
    assert!(!portico::server::cycle::leases::is_complete(&app.state.db, day).await.unwrap());

    // Once the live worker's lease runs out (it died too), the next run finishes the date.
    app.clock.advance(Duration::minutes(5));
    let report = cycle(&app.state, day, "successor").await;
    assert_eq!((report.accounts, report.invoices, report.left_to_others), (1, 1, 0));
    assert!(portico::server::cycle::leases::is_complete(&app.state.db, day).await.unwrap());
}

#[tokio::test]
async fn failed_charges_are_retried_on_the_vendors_schedule_then_left_to_the_client() {
    let app = golden_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let declining = add_card(&app, &owner, "4000000000000341").await;
    pay_subscriptions_with(&app, &declining).await;
    // Staff set the schedule (the default is the same; a shorter one is refused field by field).
    let staff = app.login("staff@acme.test").await;
    let refused = app
        .call(
            "staff/billing-rules/save",
            &[("payment_terms_days", "0"), ("retry_days", "3, 1"), ("card_expiry_notice_days", "14")],
            Some(&staff),
        )
        .await;
    assert_eq!(refused.status.as_u16(), 422, "{}", refused.body);
    assert!(refused.app_error().field_message("retry_days").unwrap().contains("increasing order"));
    let saved = app
        .call(
            "staff/billing-rules/save",
            &[("payment_terms_days", "0"), ("retry_days", "1, 3,7"), ("card_expiry_notice_days", "14")],
            Some(&staff),
        )
        .await;
    assert!(saved.status.is_success(), "{}", saved.body);
    let view: BillingRulesView = saved.json();
    assert_eq!(view.retry_days, "1, 3, 7");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'billing_rules.changed'").await, 1);

    let mut attempts_by_day: HashMap<Date, (u64, u64)> = HashMap::new();
    for day in 1..=10u8 {
        let date = Date::from_calendar_date(2026, time::Month::December, day).unwrap();
        let report = run_on(&app, date).await;
        attempts_by_day.insert(date, (report.charges_succeeded, report.charges_failed));
    }
    let license = invoice(&app, NW, "license:2026-12").await;
    assert_eq!(license.status, "open");
    // Charged on issue (Dec 1), retried 1, 3 and 7 days later, then no more.
    let failed_on: Vec<Date> = attempts_by_day
        .iter()
        .filter(|(_, (_, failed))| *failed > 0)
        .map(|(d, _)| *d)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(
        failed_on,
        vec![date!(2026 - 12 - 01), date!(2026 - 12 - 02), date!(2026 - 12 - 04), date!(2026 - 12 - 08)]
    );
    assert_eq!(payments_of(&app, &license.id).await.len(), 4);

    // Each failure emailed every billing contact, saying what happens next, with a link.
    let mail = emails(&app, "ap@northwind.test", "payment_failed").await;
    let about_license: Vec<&(String, String)> =
        mail.iter().filter(|(subject, _)| subject.contains(&license.number)).collect();
    assert_eq!(about_license.len(), 4);
    for (body, next) in about_license.iter().map(|(_, b)| b).zip(["Dec 2, 2026", "Dec 4, 2026", "Dec 8, 2026"]) {
        assert!(body.contains(&format!("We will try to charge it again on {next}.")), "{body}");
    }
    assert!(about_license[3].1.contains("We will not try to charge it again automatically."), "{}", about_license[3].1);
    assert!(about_license.iter().all(|(_, body)| body.contains("/pay/")));

    // Unpaid past its due date (upon receipt), the license invoice blocks outbound messaging
    // from the next day; paying it lifts the block.
    let blocked = status::for_account(app.state.db.pool(), &AccountId::from(NW), date!(2026 - 12 - 10)).await.unwrap();
    assert!(blocked.is_blocked(Service::OutboundMessaging));
    let body = serde_json::json!({ "invoice_ids": [license.id], "method": "pm_nw_visa", "idempotency_key": "pay-after-dunning-0001" });
    let owner = app.login("owner@northwind.test").await;
    let paid = app.call_json("payments/pay", body, Some(&owner)).await;
    assert!(paid.body.contains("Paid"), "{}", paid.body);
    let invoice_after = invoice(&app, NW, "license:2026-12").await;
    assert_eq!(invoice_after.status, "paid");
    let after = status::for_account(app.state.db.pool(), &AccountId::from(NW), date!(2026 - 12 - 10)).await.unwrap();
    let names_license = |cause: &BlockCause| match cause {
        BlockCause::LicenseInvoiceOverdue { number, .. } | BlockCause::PartnerPlanUnpaid { number, .. } => {
            number == &license.number
        }
        BlockCause::CreditExhausted { .. } => false,
    };
    assert!(blocked.blocks.iter().any(|b| names_license(&b.cause)), "{blocked:?}");
    assert!(!after.blocks.iter().any(|b| names_license(&b.cause)), "{after:?}");
}

#[tokio::test]
async fn a_number_onboarded_on_the_last_day_after_its_run_is_billed_by_the_next_run_once() {
    let app = golden_demo().await;
    run_on(&app, date!(2026 - 12 - 01)).await;
    add_number(&app, "num_nw_9", "+1 206 555 0160", "2026-12-10").await;
    run_on(&app, date!(2026 - 12 - 31)).await;
    let month_end = invoice(&app, NW, "prorated:2026-12").await;
    assert_eq!(lines(&app, &month_end.id).await.len(), 1);
    // Onboarded later on the 31st: December's prorated invoice is out already.
    add_number(&app, "num_nw_10", "+1 206 555 0161", "2026-12-31").await;

    let report = run_on(&app, date!(2027 - 01 - 01)).await;
    assert_eq!(report.failed_accounts, 0);
    let late = invoice(&app, NW, "prorated:2026-12:2027-01-01").await;
    assert_eq!(
        (late.kind.as_str(), late.issue_date.as_str(), late.status.as_str()),
        ("prorated_license", "2027-01-01", "paid")
    );
    assert_eq!((late.period_start.as_deref(), late.period_end.as_deref()), (Some("2026-12-31"), Some("2026-12-31")));
    // $15.00 × 1 / 31 days = $0.4839 → $0.48.
    assert_eq!(
        lines(&app, &late.id).await,
        vec![("License +1 206 555 0161, from Dec 31, 2026 (1 of 31 days)".into(), 1, 48, 48)]
    );
    // January's license invoice counts it with the other nine.
    let january = invoice(&app, NW, "license:2027-01").await;
    assert!(lines(&app, &january.id).await.contains(&(
        "Phone number licenses — January 2027".into(),
        10,
        1_500,
        15_000
    )));

    // Each number is billed for December once: by the invoice that names it.
    let billed_by: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT n.id, b.invoice_id FROM phone_numbers n JOIN number_billings b ON b.account_id = n.account_id AND b.number = n.number
         WHERE n.id IN ('num_nw_9', 'num_nw_10') AND b.month = '2026-12' ORDER BY n.id",
    )
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!(
        billed_by,
        vec![("num_nw_10".into(), Some(late.id.clone())), ("num_nw_9".into(), Some(month_end.id.clone()))]
    );
    let prorated_count = || {
        app.count(
            "SELECT COUNT(*) FROM invoices WHERE account_id = 'acc_northwind' AND cycle_key LIKE 'prorated:2026-12%'",
        )
    };
    assert_eq!(prorated_count().await, 2);
    run_on(&app, date!(2027 - 01 - 01)).await;
    run_on(&app, date!(2027 - 01 - 02)).await;
    assert_eq!(prorated_count().await, 2);
    assert_numbers_gap_free(&app).await;
}

async fn give_card(app: &TestApp, account: &str, token: &str) {
    sqlx::query("UPDATE payment_methods SET processor_token = $1 WHERE account_id = $2")
        .bind(token)
        .bind(account)
        .execute(app.state.db.pool())
        .await
        .unwrap();
}

async fn add_contact(app: &TestApp, account: &str) -> String {
    let email = format!("ap@{account}.test");
    sqlx::query("INSERT INTO billing_contacts (id, account_id, name, email, created_at) VALUES ($1, $2, 'Accounts Payable', $3, 0)")
        .bind(format!("bc_{account}"))
        .bind(account)
        .bind(&email)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    email
}

/// Collection state of an invoice: attempts, next attempt, payment in progress.
async fn collection_of(app: &TestApp, invoice_id: &str) -> (i64, Option<String>, Option<String>) {
    sqlx::query_as("SELECT collection_attempts, next_collection_on, payment_in_progress_id FROM invoices WHERE id = $1")
        .bind(invoice_id)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap()
}

// The seeded accounts' license invoice: the partner plan and three licenses, plus the 4 % card fee.
const SEEDED_LICENSES: i64 = 49900 + 3 * 1500;
const SEEDED_CARD_FEE: i64 = 2176;

#[tokio::test]
async fn in_one_batch_each_charge_settles_on_its_own_and_only_declined_accounts_hear_of_it() {
    let app = golden_demo().await;
    seed_accounts(&app, 6).await;
    let declining = app.card_token("4000000000000341").await;
    let mut contacts = HashMap::new();
    for account in ["acc_load_000", "acc_load_001", "acc_load_004"] {
        contacts.insert(account, add_contact(&app, account).await);
    }
    give_card(&app, "acc_load_001", &declining).await;
    give_card(&app, "acc_load_004", &declining).await;

    let report = run_on(&app, date!(2026 - 12 - 01)).await;
    assert_eq!(
        (report.accounts, report.charges_succeeded, report.charges_failed, report.failed_accounts),
        (8, 6, 2, 0),
        "{report:?}"
    );
    for account in ["acc_load_001", "acc_load_004"] {
        let license = invoice(&app, account, "license:2026-12").await;
        assert_eq!((license.status.as_str(), license.amount_paid), ("open", 0));
        assert_eq!(collection_of(&app, &license.id).await, (1, Some("2026-12-02".into()), None));
        assert_eq!(
            payments_of(&app, &license.id).await,
            vec![("failed".into(), SEEDED_LICENSES, SEEDED_CARD_FEE, Some("card_declined".into()))]
        );
        let mail = emails(&app, &contacts[account], "payment_failed").await;
        assert_eq!(mail.len(), 1, "{mail:?}");
        assert_eq!(mail[0].0, format!("Payment failed for invoice {}", license.number));
        assert!(
            mail[0].1.contains("We will try to charge it again on Dec 2, 2026.") && mail[0].1.contains("/pay/"),
            "{}",
            mail[0].1
        );
    }
    for account in ["acc_load_000", "acc_load_002", "acc_load_003", "acc_load_005"] {
        let license = invoice(&app, account, "license:2026-12").await;
        assert_eq!((license.status.as_str(), license.amount_paid), ("paid", SEEDED_LICENSES));
        assert_eq!(collection_of(&app, &license.id).await, (1, None, None));
        assert_eq!(
            payments_of(&app, &license.id).await,
            vec![("succeeded".into(), SEEDED_LICENSES, SEEDED_CARD_FEE, None)]
        );
        // The payment names the processor's charge made under the attempt's key.
        let charge: (String, i64) = sqlx::query_as(
            "SELECT c.id, c.amount FROM sandbox_charges c JOIN payments p ON p.processor_charge_id = c.id AND p.idempotency_key = c.idempotency_key
             WHERE c.idempotency_key = $1",
        )
        .bind(format!("cycle-{}-1", license.id))
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
        assert_eq!(charge.1, SEEDED_LICENSES + SEEDED_CARD_FEE);
    }
    assert!(emails(&app, &contacts["acc_load_000"], "payment_failed").await.is_empty());
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'payment_failed'").await, 2);
    assert_eq!(app.count("SELECT COUNT(*) FROM sandbox_charges").await, 8);
    for (action, n) in [("payment.started", 8), ("payment.succeeded", 6), ("payment.failed", 2)] {
        assert_eq!(
            app.count(&format!("SELECT COUNT(*) FROM audit_events WHERE action = '{action}'")).await,
            n,
            "{action}"
        );
    }
}

/// The sandbox, except that charges to one token get no answer (a timeout, say).
struct Unanswered {
    sandbox: Arc<dyn PaymentProcessor>,
    silent_token: String,
}

impl PaymentProcessor for Unanswered {
    fn name(&self) -> &'static str {
        "unanswered"
    }

    fn attach<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<AttachedMethod, AttachError>> {
        self.sandbox.attach(token)
    }

    fn charge<'a>(&'a self, request: ChargeRequest<'a>) -> BoxFuture<'a, Result<ChargeOutcome, ProcessorUnavailable>> {
        if request.token == self.silent_token {
            return Box::pin(async { Err(ProcessorUnavailable("timed out".into())) });
        }
        self.sandbox.charge(request)
    }

    fn find_charge<'a>(
        &'a self,
        idempotency_key: &'a str,
    ) -> BoxFuture<'a, Result<Option<ChargeOutcome>, ProcessorUnavailable>> {
        self.sandbox.find_charge(idempotency_key)
    }
}

#[tokio::test]
async fn a_charge_without_an_answer_stays_pending_until_the_reconciler_then_the_schedule_retries_it() {
    let app = golden_demo().await;
    seed_accounts(&app, 3).await;
    let silent_token = app.card_token("4242424242424242").await;
    give_card(&app, "acc_load_001", &silent_token).await;
    let day = date!(2026 - 12 - 01);
    set_date(&app, day);
    let state = app.state.altered(|state| {
        state.processor = Arc::new(Unanswered { sandbox: app.state.processor.clone(), silent_token });
    });

    // Charged one by one (the processor has no batch interface): the others settle.
    let report = cycle(&state, day, "test-worker").await;
    assert_eq!(
        (report.accounts, report.charges_succeeded, report.charges_failed, report.failed_accounts),
        (5, 4, 0, 0),
        "{report:?}"
    );
    let license = invoice(&app, "acc_load_001", "license:2026-12").await;
    let (attempts, next, in_progress) = collection_of(&app, &license.id).await;
    assert_eq!((attempts, next.as_deref()), (1, Some("2026-12-02")));
    let in_progress = in_progress.expect("the unanswered charge keeps its lock");
    assert_eq!(payments_of(&app, &license.id).await, vec![("pending".into(), SEEDED_LICENSES, SEEDED_CARD_FEE, None)]);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM invoices WHERE cycle_key = 'license:2026-12' AND status = 'paid'").await,
        4
    );

    // Running the date again leaves the pending attempt alone.
    let again = cycle(&state, day, "test-worker").await;
    assert_eq!((again.charges_succeeded, again.charges_failed), (0, 0));
    assert_eq!(payments_of(&app, &license.id).await.len(), 1);

    // The reconciler learns the processor never made the charge: the attempt failed, the
    // invoice is released, and the next attempt follows the schedule.
    app.clock.advance(Duration::minutes(10));
    assert_eq!(reconcile_pending(&app.state, 300).await.unwrap(), 1);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM payments WHERE id = '{in_progress}' AND failure_code = 'abandoned'"))
            .await,
        1
    );
    assert_eq!(collection_of(&app, &license.id).await, (1, Some("2026-12-02".into()), None));
    let retried = run_on(&app, date!(2026 - 12 - 02)).await;
    assert_eq!((retried.charges_succeeded, retried.charges_failed), (1, 0));
    assert_eq!(invoice(&app, "acc_load_001", "license:2026-12").await.status, "paid");
}

#[tokio::test]
async fn a_card_that_expires_before_the_next_charge_is_announced_once() {
    let app = golden_demo().await;
    // Northwind's subscriptions pay with a card that runs out at the end of December.
    sqlx::query("UPDATE payment_methods SET exp_month = 12, exp_year = 2026 WHERE id = 'pm_nw_visa'")
        .execute(app.state.db.pool())
        .await
        .unwrap();
    // 14 days' notice by default: nothing on Dec 17, the notice on Dec 18, not again after.
    assert_eq!(run_on(&app, date!(2026 - 12 - 17)).await.cards_announced, 0);
    assert_eq!(run_on(&app, date!(2026 - 12 - 18)).await.cards_announced, 1);
    assert_eq!(run_on(&app, date!(2026 - 12 - 19)).await.cards_announced, 0);
    let mail = emails(&app, "billing@northwind.test", "card_expiring").await;
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].0, "Your Visa •••• 4242 expires before your next charge");
    assert!(
        mail[0].1.contains("charged on Jan 1, 2027 to Visa •••• 4242, which expires at the end of 12/2026"),
        "{}",
        mail[0].1
    );
    assert_eq!(emails(&app, "buchhaltung@globex.test", "card_expiring").await.len(), 0);
}

#[test]
fn cycle_options_default_to_the_shipped_settings_batches_of_500_with_five_minute_leases() {
    let options = RunOptions::new(date!(2026 - 12 - 01), "w");
    assert_eq!((options.batch, options.lease_seconds), (500, 300));
    let shipped = portico::server::infra::config::Settings::load_from(std::path::Path::new("Leptos.toml"), |_| None)
        .expect("Leptos.toml");
    let configured = RunOptions::configured(date!(2026 - 12 - 01), "w", &shipped.billing);
    assert_eq!((configured.batch, configured.lease_seconds), (500, 300));
}

#[tokio::test]
async fn the_billing_rules_pages_own_form_is_answered_with_the_rules_as_stored() {
    let app = TestApp::with_demo().await;
    let staff = app.login("staff@acme.test").await;
    let form_post = |form: &[(&str, &str)]| {
        crate::support::browser_form_post("staff/billing-rules/save", form, Some(&staff), "/staff/billing-rules")
    };
    let rules = |retries: &'static str| {
        [
            ("payment_terms_days", "3"),
            ("retry_days", retries),
            ("card_expiry_notice_days", "14"),
            ("transfer_wait_days", "10"),
        ]
    };

    let refused = app.send(form_post(&rules("7, 3"))).await;
    assert_eq!(refused.status.as_u16(), 303, "{}", refused.body);
    let back = refused.location().expect("back to the page").to_string();
    let back = back.strip_prefix(crate::support::ORIGIN).unwrap_or(&back).to_string();
    assert!(back.starts_with("/staff/billing-rules?") && back.contains("__err="), "{back}");
    let shown = app.get(&back, Some(&staff)).await;
    assert!(shown.body.contains("increasing order"), "the message at its field: {}", shown.body);
    assert!(!shown.body.contains("Rules saved."), "{}", shown.body);

    let saved = app.send(form_post(&rules("2,5,9"))).await;
    assert_eq!(saved.status.as_u16(), 303, "{}", saved.body);
    assert_eq!(saved.location(), Some("/staff/billing-rules?saved=1"));
    let shown = app.get("/staff/billing-rules?saved=1", Some(&staff)).await;
    assert!(shown.body.contains("Rules saved. The next billing cycle uses them."), "{}", shown.body);
    assert!(
        shown.body.contains(r#"name="retry_days""#) && shown.body.contains(r#"value="2, 5, 9""#),
        "as stored: {}",
        shown.body
    );
    assert!(!app.get("/staff/billing-rules", Some(&staff)).await.body.contains("Rules saved."));
}
