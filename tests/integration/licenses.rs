//! Licenses bill exactly the numbers that were active (issue 16, seed 003): golden tests for
//! every boundary of a month, December 2026 (31 days), each number billed once, for the days it
//! was active, never for a number that no longer exists. Reruns of every date issue nothing new.

use portico::domain::ids::AccountId;
use time::macros::date;
use time::{Date, Duration};

use crate::support::TestApp;
use portico::server::cycle::{CycleReport, RunOptions, run};
use portico::server::usage::numbers;

const ACCOUNT: &str = "acc_lic";
const GONE: &str = "acc_gone";

/// A client with the partner plan and licenses, a card, its November billed, and `numbers`
/// onboarded (and released) as given.
async fn client(app: &TestApp, id: &str, numbers: &[(&str, &str, Option<&str>)]) {
    let pool = app.state.db.pool();
    for sql in [
        "INSERT INTO accounts (id, vendor_id, name, currency, company_name, country, created_at) VALUES ($1, 'ven_acme', $1, 'USD', $1, 'US', 0)",
        "INSERT INTO billing_contacts (id, account_id, name, email, created_at) VALUES ('bct_' || $1, $1, 'AP', 'ap@' || $1 || '.test', 0)",
        "INSERT INTO payment_methods (id, account_id, kind, processor, processor_token, brand, last4, exp_month, exp_year, is_default, created_at)
         SELECT 'pm_' || $1, $1, kind, processor, processor_token, brand, last4, exp_month, exp_year, 1, 0 FROM payment_methods WHERE id = 'pm_nw_visa'",
        "INSERT INTO subscriptions (id, account_id, plan_id, quantity, unit_amount, currency, status, current_period_start, current_period_end, payment_method_id, created_at)
         VALUES ('sp_' || $1, $1, 'plan_partner_usd', 1, 49900, 'USD', 'active', '2026-11-01', '2026-12-01', 'pm_' || $1, 0)",
        "INSERT INTO subscriptions (id, account_id, plan_id, quantity, unit_amount, currency, status, current_period_start, current_period_end, payment_method_id, created_at)
         VALUES ('sl_' || $1, $1, 'plan_license_usd', 3, 1500, 'USD', 'active', '2026-11-01', '2026-12-01', 'pm_' || $1, 0)",
    ] {
        sqlx::query(sql).bind(id).execute(pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    for (k, (number, onboarded, released)) in numbers.iter().enumerate() {
        sqlx::query("INSERT INTO phone_numbers (id, account_id, sub_account, number, onboarded_on, released_on) VALUES ($1, $2, 'Main', $3, $4, $5)")
            .bind(format!("num_{id}_{k}"))
            .bind(id)
            .bind(number)
            .bind(onboarded)
            .bind(released)
            .execute(pool)
            .await
            .unwrap();
        if *onboarded <= "2026-11-01" && released.is_none_or(|r| r >= "2026-11-01") {
            sqlx::query("INSERT INTO number_billings (account_id, number, month) VALUES ($1, $2, '2026-11')")
                .bind(id)
                .bind(number)
                .execute(pool)
                .await
                .unwrap();
        }
    }
}

async fn on(app: &TestApp, day: Date) -> CycleReport {
    app.clock.set(day.midnight().assume_utc() + Duration::hours(6));
    run(&app.state, &RunOptions::new(day, "w"), &|_, _| {}).await.expect("cycle")
}

async fn lines_of(app: &TestApp, account: &str, cycle_key: &str) -> Vec<(String, i64, i64)> {
    sqlx::query_as(
        "SELECT l.description, l.quantity, l.amount FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
         WHERE i.account_id = $1 AND i.cycle_key = $2 ORDER BY l.position",
    )
    .bind(account)
    .bind(cycle_key)
    .fetch_all(app.state.db.pool())
    .await
    .unwrap()
}

async fn documents(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM invoices").await
}

async fn change(app: &TestApp, day: Date, what: impl AsyncFnOnce(&mut portico::server::infra::db::Tx)) {
    app.clock.set(day.midnight().assume_utc() + Duration::hours(12));
    let mut tx = app.state.db.begin_write().await.unwrap();
    what(&mut tx).await;
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn every_number_is_billed_once_for_the_days_it_was_active_across_a_month() {
    let app = TestApp::with_demo_on(date!(2026 - 11 - 22)).await;
    client(
        &app,
        ACCOUNT,
        &[
            ("+1 555 1001", "2026-10-01", None),               // A: active all along
            ("+1 555 1004", "2026-10-01", None),               // D: released on Dec 15
            ("+1 555 1007", "2026-10-01", Some("2026-11-15")), // G: released in November
        ],
    )
    .await;
    client(&app, GONE, &[("+1 555 2001", "2026-10-01", None)]).await;

    // B: onboarded on Dec 1 before that day's run.
    change(&app, date!(2026 - 12 - 01), async |tx| {
        numbers::onboard(tx, &AccountId::from(ACCOUNT), "+1 555 1002", "Main", date!(2026 - 12 - 01), None)
            .await
            .unwrap();
    })
    .await;
    on(&app, date!(2026 - 12 - 01)).await;
    assert_eq!(
        lines_of(&app, ACCOUNT, "license:2026-12").await,
        [
            ("Partner plan — December 2026".into(), 1, 49_900),
            ("Phone number licenses — December 2026".into(), 3, 4_500)
        ],
        "A, B and D: active on the 1st; G was released in November"
    );
    // C: onboarded on Dec 1 after that day's run. A rerun of the 1st bills nothing new.
    change(&app, date!(2026 - 12 - 01), async |tx| {
        numbers::onboard(tx, &AccountId::from(ACCOUNT), "+1 555 1003", "Main", date!(2026 - 12 - 01), None)
            .await
            .unwrap();
    })
    .await;
    let before = documents(&app).await;
    on(&app, date!(2026 - 12 - 01)).await;
    assert_eq!(documents(&app).await, before);

    // During December: E comes and goes; F comes, goes and comes back; D is released; the
    // other client's only number is released.
    change(&app, date!(2026 - 12 - 05), async |tx| {
        numbers::onboard(tx, &AccountId::from(ACCOUNT), "+1 555 1006", "Main", date!(2026 - 12 - 05), None)
            .await
            .unwrap();
    })
    .await;
    change(&app, date!(2026 - 12 - 09), async |tx| {
        numbers::release(tx, &AccountId::from(ACCOUNT), "+1 555 1006", date!(2026 - 12 - 09)).await.unwrap();
    })
    .await;
    change(&app, date!(2026 - 12 - 10), async |tx| {
        numbers::onboard(tx, &AccountId::from(ACCOUNT), "+1 555 1005", "Main", date!(2026 - 12 - 10), None)
            .await
            .unwrap();
        numbers::release(tx, &AccountId::from(GONE), "+1 555 2001", date!(2026 - 12 - 10)).await.unwrap();
    })
    .await;
    change(&app, date!(2026 - 12 - 15), async |tx| {
        numbers::release(tx, &AccountId::from(ACCOUNT), "+1 555 1004", date!(2026 - 12 - 15)).await.unwrap();
        // A number still active cannot be onboarded twice.
        assert!(
            numbers::onboard(tx, &AccountId::from(ACCOUNT), "+1 555 1001", "Main", date!(2026 - 12 - 15), None)
                .await
                .is_err()
        );
    })
    .await;
    change(&app, date!(2026 - 12 - 20), async |tx| {
        numbers::release(tx, &AccountId::from(ACCOUNT), "+1 555 1005", date!(2026 - 12 - 20)).await.unwrap();
        numbers::onboard(tx, &AccountId::from(ACCOUNT), "+1 555 1006", "Main", date!(2026 - 12 - 20), None)
            .await
            .unwrap();
    })
    .await;
    // H: onboarded on the last day, before that day's run.
    change(&app, date!(2026 - 12 - 31), async |tx| {
        numbers::onboard(tx, &AccountId::from(ACCOUNT), "+1 555 1008", "Main", date!(2026 - 12 - 31), None)
            .await
            .unwrap();
    })
    .await;

    on(&app, date!(2026 - 12 - 31)).await;
    // $15 × active days / 31, each rounded once: C 31 days, E 11 (10th–20th), F 5 + 12 = 17,
    // H 1. A, B and D were billed on the 1st; D's release refunds nothing.
    assert_eq!(
        lines_of(&app, ACCOUNT, "prorated:2026-12").await,
        [
            ("License +1 555 1003, from Dec 1, 2026 (31 of 31 days)".into(), 1, 1_500),
            ("License +1 555 1005, from Dec 10, 2026 (11 of 31 days)".into(), 1, 532),
            ("License +1 555 1006, from Dec 5, 2026 (17 of 31 days)".into(), 1, 823),
            ("License +1 555 1008, from Dec 31, 2026 (1 of 31 days)".into(), 1, 48),
        ]
    );
    assert!(
        lines_of(&app, GONE, "prorated:2026-12").await.is_empty(),
        "released after being billed on the 1st: nothing more"
    );

    let before = documents(&app).await;
    on(&app, date!(2026 - 12 - 31)).await;
    on(&app, date!(2027 - 01 - 01)).await;
    // January: A, B, C, F and H are active on the 1st; D and E were released, G long before.
    assert_eq!(
        lines_of(&app, ACCOUNT, "license:2027-01").await,
        [("Partner plan — January 2027".into(), 1, 49_900), ("Phone number licenses — January 2027".into(), 5, 7_500)]
    );
    // All of the other client's numbers are gone: the partner plan only, no licenses.
    assert_eq!(lines_of(&app, GONE, "license:2027-01").await, [("Partner plan — January 2027".into(), 1, 49_900)]);
    // No prorated invoice for numbers already billed, however often December is run again.
    assert_eq!(app.count("SELECT COUNT(*) FROM invoices WHERE cycle_key LIKE 'prorated:2026-12:%' AND account_id IN ('acc_lic', 'acc_gone')").await, 0);
    let after_january = documents(&app).await;
    assert!(after_january > before);
    on(&app, date!(2027 - 01 - 01)).await;
    on(&app, date!(2027 - 01 - 02)).await;
    assert_eq!(documents(&app).await, after_january);

    // Each number once per month, by the record that says which invoice billed it.
    let twice = app.count("SELECT COUNT(*) FROM (SELECT account_id, number, month FROM number_billings GROUP BY account_id, number, month HAVING COUNT(*) > 1) x").await;
    assert_eq!(twice, 0);
    let december: i64 =
        app.count("SELECT COUNT(*) FROM number_billings WHERE account_id = 'acc_lic' AND month = '2026-12'").await;
    assert_eq!(december, 7, "A B C D E F H for December; never G");
    assert_eq!(app.count("SELECT COUNT(*) FROM number_billings WHERE account_id = 'acc_lic' AND number = '+1 555 1007' AND month >= '2026-12'").await, 0);
}
