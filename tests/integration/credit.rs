//! The credit ledger, top-ups, alerts, automatic top-ups and the service status (seed 003).

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApp, TestResponse};

async fn post(app: &TestApp, endpoint: &str, body: Value, session: &str) -> TestResponse {
    app.call_json(endpoint, body, Some(session)).await
}

async fn post_ok(app: &TestApp, endpoint: &str, body: Value, session: &str) -> Value {
    let res = post(app, endpoint, body, session).await;
    assert_eq!(res.status.as_u16(), 200, "{endpoint}: {}", res.body);
    res.json()
}

fn now(app: &TestApp) -> i64 {
    portico::server::infra::clock::unix_now(app.clock.as_ref())
}

const NW: &str = "acc_northwind";
const GX: &str = "acc_globex";

async fn ledger_sum(app: &TestApp, account: &str) -> i64 {
    app.count(&format!(
        "SELECT COALESCE(CAST(SUM(amount) AS BIGINT), 0) FROM credit_entries WHERE account_id = '{account}'"
    ))
    .await
}

async fn latest_balance(app: &TestApp, account: &str) -> i64 {
    app.count(&format!(
        "SELECT balance_after FROM credit_entries WHERE account_id = '{account}' ORDER BY seq DESC LIMIT 1"
    ))
    .await
}

/// Every entry's balance is the one before plus its amount, and the last one is the sum.
async fn assert_ledger_consistent(app: &TestApp, account: &str) {
    let broken = app
        .count(&format!(
            "SELECT COUNT(*) FROM credit_entries e WHERE e.account_id = '{account}' AND e.balance_after <> e.amount + COALESCE(
                (SELECT p.balance_after FROM credit_entries p WHERE p.account_id = e.account_id AND p.currency = e.currency AND p.seq < e.seq
                 ORDER BY p.seq DESC LIMIT 1), 0)"
        ))
        .await;
    assert_eq!(broken, 0, "every entry continues the one before");
    assert_eq!(
        latest_balance(app, account).await,
        ledger_sum(app, account).await,
        "the balance is the sum of the entries"
    );
    let seqs =
        app.count(&format!("SELECT COUNT(DISTINCT seq) FROM credit_entries WHERE account_id = '{account}'")).await;
    let max =
        app.count(&format!("SELECT COALESCE(MAX(seq), 0) FROM credit_entries WHERE account_id = '{account}'")).await;
    assert_eq!(seqs, max, "sequence numbers have no gaps");
}

async fn credit_page(app: &TestApp, cookie: &str) -> Value {
    post_ok(app, "credit/page", json!({}), cookie).await
}

async fn status(app: &TestApp, cookie: &str) -> Value {
    post_ok(app, "service-status", json!({}), cookie).await
}

/// A stored card that is attached fine but whose charges are declined.
async fn failing_card(app: &TestApp, session: &str) -> String {
    let token = app.card_token("4000000000000341").await;
    let res = app.call("payment-methods/add", &[("token", &token), ("make_default", "false")], Some(session)).await;
    assert_eq!(res.status.as_u16(), 200, "{}", res.body);
    res.json::<Value>()["id"].as_str().unwrap().to_string()
}

fn blocked(status: &Value, service: &str) -> bool {
    status["blocks"].as_array().unwrap().iter().any(|b| b["service"] == service)
}

#[tokio::test]
async fn the_demo_ledger_is_consistent_and_the_page_shows_its_balance() {
    let app = TestApp::with_demo().await;
    for account in [NW, GX] {
        assert_ledger_consistent(&app, account).await;
    }
    let nora = app.login("owner@northwind.test").await;
    let page = credit_page(&app, &nora).await;
    assert_eq!(page["balance"]["minor"], latest_balance(&app, NW).await);
    assert!(page["balance"]["minor"].as_i64().unwrap() > 0);
    // The history's first page (the credit page shows it rendered on the server).
    let history: Value = post_ok(&app, "credit/entries", json!({ "cursor": null }), &nora).await;
    let entries = history["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 20);
    assert!(history["next"].is_string());
    // Load more continues strictly after the first page.
    let next: Value = post_ok(&app, "credit/entries", json!({ "cursor": history["next"] }), &nora).await;
    let first_ids: Vec<&Value> = entries.iter().map(|e| &e["id"]).collect();
    assert!(next["entries"].as_array().unwrap().iter().all(|e| !first_ids.contains(&&e["id"])));
    assert_eq!(page["settings"]["alert_threshold"]["minor"], 25_000);
}

#[tokio::test]
async fn a_top_up_issues_a_paid_prepayment_invoice_and_moves_the_balance_exactly_once() {
    let app = TestApp::with_demo().await;
    let greta = app.login("owner@globex.test").await;
    let before = latest_balance(&app, GX).await;
    assert!(before <= 0, "Globex's credit has run out in the demo");
    assert!(blocked(&status(&app, &greta).await, "OutboundMessaging"));
    let invoices = app.count("SELECT COUNT(*) FROM invoices WHERE kind = 'prepayment'").await;
    let request = json!({ "amount": "250", "method_id": "pm_gx_mc", "idempotency_key": "idem_topup_test_000001" });
    let (first, second) = tokio::join!(
        post_ok(&app, "credit/top-up", request.clone(), &greta),
        post_ok(&app, "credit/top-up", request.clone(), &greta)
    );
    let retry: Value = post_ok(&app, "credit/top-up", request, &greta).await;
    // Sent together, one request may answer while the other's charge is still under way
    // (Pending): both name the same payment, and asking again gives its outcome.
    let paid = &retry["Paid"];
    assert_eq!(paid["amount"]["minor"], 25_000, "{retry}");
    assert_eq!(paid["fee"]["minor"], 1_000, "4 % card fee");
    for result in [&first, &second] {
        let (_, outcome) = result.as_object().unwrap().iter().next().unwrap();
        assert_eq!(outcome["payment_id"], paid["payment_id"], "{result}");
    }
    assert!(first["Paid"].is_object() || second["Paid"].is_object());
    assert_eq!(app.count("SELECT COUNT(*) FROM invoices WHERE kind = 'prepayment'").await, invoices + 1, "one invoice");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM invoices WHERE kind = 'prepayment' AND account_id = 'acc_globex' AND status = 'paid' AND total = 25000").await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM payments WHERE idempotency_key = 'client:acc_globex:idem_topup_test_000001'")
            .await,
        1,
        "one charge"
    );
    assert_eq!(
        latest_balance(&app, GX).await,
        before + 25_000,
        "the balance moved once, by the amount without the fee"
    );
    assert_ledger_consistent(&app, GX).await;
    assert!(!blocked(&status(&app, &greta).await, "OutboundMessaging"), "the top-up lifted the block");
}

#[tokio::test]
async fn a_declined_top_up_adds_nothing_and_leaves_nothing_owed() {
    let app = TestApp::with_demo().await;
    let nora = app.login("owner@northwind.test").await;
    let failing = failing_card(&app, &nora).await;
    let before = latest_balance(&app, NW).await;
    let open = app.count("SELECT COUNT(*) FROM invoices WHERE account_id = 'acc_northwind' AND status = 'open'").await;
    let result: Value = post_ok(
        &app,
        "credit/top-up",
        json!({ "amount": "100", "method_id": failing, "idempotency_key": "idem_topup_decline_01" }),
        &nora,
    )
    .await;
    assert!(result["Declined"]["message"].is_string(), "{result}");
    assert_eq!(latest_balance(&app, NW).await, before);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM invoices WHERE account_id = 'acc_northwind' AND status = 'open'").await,
        open
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM invoices WHERE kind = 'prepayment' AND status = 'void'").await, 1);
}

#[tokio::test]
async fn top_up_input_is_checked_at_the_field() {
    let app = TestApp::with_demo().await;
    let nora = app.login("owner@northwind.test").await;
    for (amount, message) in [
        ("", "Enter an amount."),
        ("5", "The smallest top-up is $10.00."),
        ("12.3456", "Use at most 2 decimals."),
        ("12.345", "Did you mean $12,345.00 or 12.345?"),
        ("abc", "like 1,250.00"),
    ] {
        let res = post(
            &app,
            "credit/top-up",
            json!({ "amount": amount, "method_id": "pm_nw_visa", "idempotency_key": "idem_topup_invalid_01" }),
            &nora,
        )
        .await;
        assert_eq!(res.status.as_u16(), 422, "{amount}: {}", res.body);
        assert!(res.body.contains("amount") && res.body.contains(message), "{amount}: {}", res.body);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM top_ups").await, 0, "nothing half-written");
}

async fn charge_usage(app: &TestApp, account: &str, minor: i64) {
    use portico::domain::credit::EntryKind;
    use portico::domain::money::Money;
    use portico::server::credit::ledger::{NewEntry, append};
    let currency =
        if account == GX { portico::domain::currency::Currency::Eur } else { portico::domain::currency::Currency::Usd };
    let mut tx = app.state.db.begin_write().await.unwrap();
    append(
        &mut tx,
        now(app),
        NewEntry::new(account, Money::new(-minor, currency), EntryKind::Usage, "Usage in a test"),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn crossing_the_alert_threshold_emails_the_billing_contacts_once() {
    let app = TestApp::with_demo().await;
    let balance = latest_balance(&app, NW).await;
    let alerts = || app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'low_balance'");
    let contacts = app.count("SELECT COUNT(*) FROM billing_contacts WHERE account_id = 'acc_northwind'").await;
    // Down to just above the $250 threshold: no alert.
    charge_usage(&app, NW, balance - 25_001).await;
    assert_eq!(alerts().await, 0);
    // Across it: one email per billing contact.
    charge_usage(&app, NW, 2).await;
    assert_eq!(alerts().await, contacts);
    // Further down, still below: no new alert.
    charge_usage(&app, NW, 5_000).await;
    assert_eq!(alerts().await, contacts);
    let body: String = sqlx::query_scalar("SELECT body_text FROM outbox WHERE kind = 'low_balance' LIMIT 1")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert!(body.contains("$249.99") && body.contains("$250.00"), "{body}");
}

#[tokio::test]
async fn an_automatic_top_up_is_paid_once_when_usage_crosses_its_threshold() {
    let app = TestApp::with_demo().await;
    let nora = app.login("owner@northwind.test").await;
    let saved: Value = post_ok(&app,
            "credit/settings",
            json!({ "input": { "alert_threshold": "", "auto_top_up": true, "auto_threshold": "100", "auto_amount": "500", "auto_method_id": "pm_nw_visa" } }),
            &nora,
        )
        .await;
    assert_eq!(saved["auto_top_up"]["amount"]["minor"], 50_000);
    let balance = latest_balance(&app, NW).await;
    charge_usage(&app, NW, balance - 5_000).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM top_ups WHERE trigger_kind = 'automatic' AND status = 'requested'").await,
        1
    );
    // A second crossing while the first is in flight asks for nothing more.
    charge_usage(&app, NW, 1_000).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM top_ups WHERE trigger_kind = 'automatic'").await, 1);
    let (a, b) = tokio::join!(
        portico::server::credit::auto_top_up::run_requested(&app.state, None),
        portico::server::credit::auto_top_up::run_requested(&app.state, Some(NW))
    );
    a.unwrap();
    b.unwrap();
    assert_eq!(
        app.count("SELECT COUNT(*) FROM top_ups WHERE trigger_kind = 'automatic' AND status = 'succeeded'").await,
        1
    );
    assert_eq!(latest_balance(&app, NW).await, 5_000 - 1_000 + 50_000);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM payments WHERE idempotency_key LIKE 'auto-top-up-%' AND status = 'succeeded'")
            .await,
        1
    );
    assert_ledger_consistent(&app, NW).await;
}

#[tokio::test]
async fn a_failed_automatic_top_up_tells_the_billing_contacts() {
    let app = TestApp::with_demo().await;
    let nora = app.login("owner@northwind.test").await;
    let failing = failing_card(&app, &nora).await;
    let _: Value = post_ok(&app,
            "credit/settings",
            json!({ "input": { "alert_threshold": "", "auto_top_up": true, "auto_threshold": "100", "auto_amount": "500", "auto_method_id": failing } }),
            &nora,
        )
        .await;
    let balance = latest_balance(&app, NW).await;
    charge_usage(&app, NW, balance - 5_000).await;
    portico::server::credit::auto_top_up::run_requested(&app.state, None).await.unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM top_ups WHERE status = 'failed'").await, 1);
    assert!(app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'top_up_failed'").await >= 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'payment_failed'").await,
        0,
        "no payment link for a void top-up"
    );
    assert_eq!(latest_balance(&app, NW).await, 5_000);
}

#[tokio::test]
async fn settings_are_checked_at_the_field() {
    let app = TestApp::with_demo().await;
    let nora = app.login("owner@northwind.test").await;
    for (input, field) in [
        (
            json!({ "alert_threshold": "-1", "auto_top_up": false, "auto_threshold": "", "auto_amount": "", "auto_method_id": "" }),
            "alert_threshold",
        ),
        (
            json!({ "alert_threshold": "", "auto_top_up": true, "auto_threshold": "", "auto_amount": "50", "auto_method_id": "pm_nw_visa" }),
            "auto_threshold",
        ),
        (
            json!({ "alert_threshold": "", "auto_top_up": true, "auto_threshold": "10", "auto_amount": "1", "auto_method_id": "pm_nw_visa" }),
            "auto_amount",
        ),
        (
            json!({ "alert_threshold": "", "auto_top_up": true, "auto_threshold": "10", "auto_amount": "50", "auto_method_id": "" }),
            "auto_method_id",
        ),
    ] {
        let res = post(&app, "credit/settings", json!({ "input": input }), &nora).await;
        assert_eq!(res.status.as_u16(), 422, "{field}: {}", res.body);
        assert!(res.body.contains(field), "{field}: {}", res.body);
    }
    assert_eq!(
        app.count("SELECT alert_threshold FROM credit_settings WHERE account_id = 'acc_northwind'").await,
        25_000,
        "unchanged"
    );
}

#[tokio::test]
async fn service_blocks_follow_payments_both_ways() {
    let app = TestApp::with_demo().await;
    let nora = app.login("owner@northwind.test").await;
    // Northwind: the prorated license invoice is overdue, so outbound messaging is blocked;
    // the current license invoice (with the partner plan) is unpaid, so onboarding is too.
    let s = status(&app, &nora).await;
    assert!(blocked(&s, "OutboundMessaging"), "{s}");
    assert!(blocked(&s, "Onboarding"), "{s}");
    let overdue = s["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["cause"]["kind"] == "license_invoice_overdue")
        .unwrap()
        .clone();
    let invoice_id = overdue["remedy"]["invoice_id"].as_str().unwrap().to_string();
    let paid: Value = post_ok(
        &app,
        "payments/pay",
        json!({ "invoice_ids": [invoice_id], "method": "pm_nw_visa", "idempotency_key": "idem_status_pay_000001" }),
        &nora,
    )
    .await;
    assert!(paid["Paid"].is_object(), "{paid}");
    let s = status(&app, &nora).await;
    assert!(!blocked(&s, "OutboundMessaging"), "paying the overdue license invoice lifted it: {s}");
    assert!(blocked(&s, "Onboarding"));

    // Usage that empties the balance blocks outbound messaging again; a top-up lifts it.
    let balance = latest_balance(&app, NW).await;
    charge_usage(&app, NW, balance + 1_234).await;
    let s = status(&app, &nora).await;
    let block =
        s["blocks"].as_array().unwrap().iter().find(|b| b["cause"]["kind"] == "credit_exhausted").unwrap().clone();
    assert_eq!(block["remedy"]["at_least"]["minor"], 1_235);
    assert_eq!(block["since"], now(&app));
    let _: Value = post_ok(
        &app,
        "credit/top-up",
        json!({ "amount": "12.35", "method_id": "pm_nw_visa", "idempotency_key": "idem_status_topup_0001" }),
        &nora,
    )
    .await;
    assert!(!blocked(&status(&app, &nora).await, "OutboundMessaging"));
}

#[tokio::test]
async fn a_member_sees_the_status_but_not_the_credit_page() {
    let app = TestApp::with_demo().await;
    let mia = app.login("member@northwind.test").await;
    assert_eq!(post(&app, "credit/page", json!({}), &mia).await.status.as_u16(), 403);
    assert!(status(&app, &mia).await["blocks"].is_array());
}

#[tokio::test]
async fn concurrent_top_ups_and_usage_charges_never_lose_an_update() {
    let app = TestApp::with_demo().await;
    let nora = app.login("owner@northwind.test").await;
    let before = latest_balance(&app, NW).await;
    let mut tasks = Vec::new();
    for n in 0..6 {
        let (app, nora) = (&app, nora.clone());
        tasks.push(Box::pin(async move {
            let key = format!("idem_concurrent_topup_{n:04}");
            let r: Value = post_ok(
                app,
                "credit/top-up",
                json!({ "amount": "20", "method_id": "pm_nw_visa", "idempotency_key": key }),
                &nora,
            )
            .await;
            assert!(r["Paid"].is_object(), "{r}");
        }) as std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>);
        tasks.push(Box::pin(async move { charge_usage(app, NW, 777).await }));
    }
    futures::future::join_all(tasks).await;
    assert_eq!(latest_balance(&app, NW).await, before + 6 * 2_000 - 6 * 777);
    assert_ledger_consistent(&app, NW).await;
}

#[tokio::test]
async fn the_credit_page_renders_its_history_on_the_server_outside_the_islands() {
    let app = TestApp::with_demo().await;
    let nora = app.login("owner@northwind.test").await;
    let first: Value = post_ok(&app, "credit/entries", json!({ "cursor": null }), &nora).await;
    let page = app.get("/credit", Some(&nora)).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = &page.body;
    // The rows are the server's, after the last island (the settings form) has closed.
    let rows_at = html.find(r#"<tbody id="credit-rows">"#).expect("the history's rows");
    let last_island_end = html.rfind("</leptos-island>").expect("the forms' islands");
    assert!(rows_at > last_island_end, "the history is outside the islands");
    for entry in first["entries"].as_array().unwrap() {
        assert!(html.contains(entry["description"].as_str().unwrap()), "{entry}");
    }
    // "Load more" is a GET form for the same page from the cursor on, which renders the older rows.
    let cursor = first["next"].as_str().unwrap();
    assert!(html.contains(&format!(r#"name="after" value="{cursor}""#)));
    let older: Value = post_ok(&app, "credit/entries", json!({ "cursor": cursor }), &nora).await;
    let next_page = app.get(&format!("/credit?after={cursor}"), Some(&nora)).await;
    assert_eq!(next_page.status, StatusCode::OK);
    let oldest = older["entries"].as_array().unwrap().last().unwrap()["description"].as_str().unwrap().to_string();
    assert!(next_page.body.contains(&oldest));
    // A cursor that is not one is said on the page, not a server error.
    let bad = app.get("/credit?after=not-a-cursor", Some(&nora)).await;
    assert!(bad.status.is_success() || bad.status.is_client_error(), "{}", bad.status);
    assert!(bad.body.contains("That page link is not valid."));
}

/// The opening tag of the element with this id in a page's HTML.
fn tag_with_id<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html.find(&format!(r#"id="{id}""#)).unwrap_or_else(|| panic!("no #{id}"));
    let start = html[..at].rfind('<').unwrap();
    let end = at + html[at..].find('>').unwrap();
    &html[start..=end]
}

#[tokio::test]
async fn the_islands_fields_show_the_saved_values_in_the_servers_html() {
    // An island is taken over when it is first used (hydration.js): until then its fields are
    // the server's HTML, which must show what is saved, not what hydration would set.
    let app = TestApp::with_demo().await;
    let greta = app.login("owner@globex.test").await;
    let input = json!({ "alert_threshold": "100", "auto_top_up": true, "auto_threshold": "50", "auto_amount": "300", "auto_method_id": "pm_gx_mc" });
    post_ok(&app, "credit/settings", json!({ "input": input }), &greta).await;
    let page = app.get("/credit?amount=25", Some(&greta)).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = &page.body;
    assert!(
        tag_with_id(html, "alert_threshold").contains(r#"value="100.00""#),
        "{}",
        tag_with_id(html, "alert_threshold")
    );
    assert!(tag_with_id(html, "auto_threshold").contains(r#"value="50.00""#));
    assert!(tag_with_id(html, "auto_amount").contains(r#"value="300.00""#));
    assert!(tag_with_id(html, "auto_top_up").contains("checked"));
    // The amount a link asked for is in the top-up form.
    assert!(tag_with_id(html, "top-up-amount").contains(r#"value="25""#));

    // Without automatic top-ups the box is not ticked.
    let input = json!({ "alert_threshold": "", "auto_top_up": false, "auto_threshold": "", "auto_amount": "", "auto_method_id": "" });
    post_ok(&app, "credit/settings", json!({ "input": input }), &greta).await;
    let html = app.get("/credit", Some(&greta)).await.body;
    assert!(!tag_with_id(&html, "auto_top_up").contains("checked"));
    assert!(tag_with_id(&html, "alert_threshold").contains(r#"value="""#));
}
