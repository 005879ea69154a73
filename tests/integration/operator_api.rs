//! The operator HTTP API through the whole stack: API keys made by staff, usage ingestion and
//! its charges, service status, credit adjustments and reversals, and the OpenAPI document.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};

use crate::support::{TestApp, TestResponse, send};
use portico::server::infra::ids::token_hash;
use portico::wire::api_keys::{ApiKeyRow, CreatedApiKey};

const NW: &str = "acc_northwind";
const GX: &str = "acc_globex";

/// The day before the pinned today: usage is reported for days that have ended.
fn yesterday() -> String {
    (crate::support::pinned_today() - time::Duration::days(1)).to_string()
}

/// A request as the vendor's systems send it: no cookie, no browser headers.
pub(crate) fn request(method: Method, path: &str, key: Option<&str>, body: Option<String>) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(path).header(header::HOST, crate::support::HOST);
    if let Some(key) = key {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {key}"));
    }
    if body.is_some() {
        builder = builder.header(header::CONTENT_TYPE, "application/json");
    }
    builder.body(body.map(Body::from).unwrap_or_else(Body::empty)).expect("request")
}

pub(crate) async fn post(app: &TestApp, path: &str, key: &str, body: Value) -> TestResponse {
    app.send(request(Method::POST, path, Some(key), Some(body.to_string()))).await
}

pub(crate) async fn get(app: &TestApp, path: &str, key: Option<&str>) -> TestResponse {
    app.send(request(Method::GET, path, key, None)).await
}

/// Makes a portal session with `body` and opens its URL as the person's browser would: the
/// session cookie it sets.
pub(crate) async fn portal_sign_in(app: &TestApp, key: &str, body: Value) -> String {
    let session = post(app, "/api/operator/v1/portal-sessions", key, body).await;
    assert_eq!(session.status, StatusCode::CREATED, "{}", session.body);
    let url = session.json::<Value>()["url"].as_str().expect("a URL").to_string();
    let path = format!("/portal/{}", url.split("/portal/").nth(1).expect("a portal URL"));
    app.get(&path, None).await.session_cookie().expect("signed in by the portal session")
}

async fn usage(app: &TestApp, key: &str, records: Vec<Value>) -> TestResponse {
    post(app, "/api/operator/v1/usage", key, json!({ "records": records })).await
}

async fn status(app: &TestApp, key: &str, account: &str) -> TestResponse {
    get(app, &format!("/api/operator/v1/accounts/{account}/service-status"), Some(key)).await
}

async fn adjust(app: &TestApp, key: &str, account: &str, id: &str, amount: i64, currency: &str) -> TestResponse {
    let body =
        json!({ "id": id, "amount": amount, "currency": currency, "description": "Prepaid credit for the test" });
    post(app, &format!("/api/operator/v1/accounts/{account}/credit/adjustments"), key, body).await
}

async fn reverse(app: &TestApp, key: &str, account: &str, entry: &str) -> TestResponse {
    post(
        app,
        &format!("/api/operator/v1/accounts/{account}/credit/entries/{entry}/reversal"),
        key,
        json!({ "reason": "Reported twice" }),
    )
    .await
}

fn record(id: &str, number: &str, messages: i64, cost: i64) -> Value {
    json!({
        "id": id, "account_id": NW, "phone_number": number, "category": "marketing", "date": yesterday(),
        "messages": messages, "cost": { "amount": cost, "currency": "USD" }
    })
}

/// A key made the way staff make one, returned whole.
async fn staff_key(app: &TestApp, name: &str) -> (String, CreatedApiKey) {
    let staff = app.login("staff@acme.test").await;
    let res = app.call("staff/api-keys/create", &[("name", name)], Some(&staff)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let created: CreatedApiKey = res.json();
    (staff, created)
}

pub(crate) async fn key(app: &TestApp) -> String {
    staff_key(app, "Billing sync").await.1.secret
}

async fn scalar(app: &TestApp, sql: &str, account: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .bind(account)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn balance(app: &TestApp, account: &str) -> i64 {
    scalar(app, "SELECT COALESCE((SELECT balance_after FROM credit_entries WHERE account_id = $1 ORDER BY seq DESC LIMIT 1), 0)", account).await
}

async fn ledger_sum(app: &TestApp, account: &str) -> i64 {
    scalar(app, "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM credit_entries WHERE account_id = $1", account)
        .await
}

async fn entries(app: &TestApp, account: &str, kind: &str) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM credit_entries WHERE account_id = $1 AND kind = $2")
        .bind(account)
        .bind(kind)
        .fetch_one(app.state.db.pool())
        .await
        .expect("count")
}

/// A second vendor with one client account and one number, and a key of its own.
pub(crate) async fn other_vendor(app: &TestApp) -> String {
    for sql in [
        "INSERT INTO vendors (id, name, legal_name, email, address, created_at) VALUES ('ven_other', 'Other', 'Other Inc.', 'b@other.test', 'Somewhere', 0)",
        "INSERT INTO accounts (id, vendor_id, name, currency, company_name, country, created_at)
         VALUES ('acc_other', 'ven_other', 'Other Client', 'USD', 'Other Client LLC', 'US', 0)",
        "INSERT INTO phone_numbers (id, account_id, sub_account, number, onboarded_on) VALUES ('num_other', 'acc_other', 'Main', '+1 415 555 0199', '2026-01-01')",
    ] {
        sqlx::query(sql).execute(app.state.db.pool()).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    let secret = "pk_otherVendorKey000000000000000000000000000000";
    sqlx::query("INSERT INTO api_keys (id, vendor_id, name, prefix, key_hash, created_at) VALUES ('key_other', 'ven_other', 'Other', 'pk_otherVe', $1, 0)")
        .bind(token_hash(secret))
        .execute(app.state.db.pool())
        .await
        .expect("other key");
    secret.to_string()
}

fn assert_refused(res: &TestResponse, code: &str) {
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{}", res.body);
    let challenge = res.headers.get(header::WWW_AUTHENTICATE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(challenge.starts_with("Bearer"), "challenge {challenge:?}");
    assert_eq!(res.json::<Value>()["error"]["code"], code, "{}", res.body);
}

#[tokio::test]
async fn requests_without_a_valid_key_are_refused_with_a_bearer_challenge() {
    let app = TestApp::with_demo().await;
    let (staff, created) = staff_key(&app, "Soon revoked").await;
    let path = format!("/api/operator/v1/accounts/{NW}/service-status");
    assert_refused(&get(&app, &path, None).await, "missing_api_key");
    let basic = app
        .send(Request::get(&path).header(header::AUTHORIZATION, "Basic dXNlcjpwYXNz").body(Body::empty()).unwrap())
        .await;
    assert_refused(&basic, "missing_api_key");
    assert_refused(&get(&app, &path, Some("pk_notARealKey")).await, "invalid_api_key");
    assert_refused(&usage(&app, "pk_notARealKey", vec![record("r", "+1 206 555 0101", 1, 1)]).await, "invalid_api_key");
    // A missing key is refused before the body is read.
    let garbage = app.send(request(Method::POST, "/api/operator/v1/usage", None, Some("{not json".into()))).await;
    assert_refused(&garbage, "missing_api_key");

    assert_eq!(get(&app, &path, Some(&created.secret)).await.status, StatusCode::OK);
    let res = app.call("staff/api-keys/revoke", &[("id", &created.key.id)], Some(&staff)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_refused(&get(&app, &path, Some(&created.secret)).await, "invalid_api_key");
    assert_refused(&usage(&app, &created.secret, vec![record("r", "+1 206 555 0101", 1, 1)]).await, "invalid_api_key");
    assert_eq!(app.count("SELECT COUNT(*) FROM usage_records WHERE external_id IS NOT NULL").await, 0);
}

#[tokio::test]
async fn another_vendors_account_answers_exactly_like_a_missing_one() {
    let app = TestApp::with_demo().await;
    let key = key(&app).await;
    let other_key = other_vendor(&app).await;
    let before = app.count("SELECT COUNT(*) FROM credit_entries").await;
    for (foreign, missing) in [
        (status(&app, &key, "acc_other").await, status(&app, &key, "acc_missing").await),
        (
            adjust(&app, &key, "acc_other", "a1", 500, "USD").await,
            adjust(&app, &key, "acc_missing", "a1", 500, "USD").await,
        ),
        (reverse(&app, &key, "acc_other", "cre_x").await, reverse(&app, &key, "acc_missing", "cre_x").await),
        (status(&app, &other_key, NW).await, status(&app, &other_key, "acc_missing").await),
    ] {
        assert_eq!(foreign.status, StatusCode::NOT_FOUND, "{}", foreign.body);
        assert_eq!((foreign.status, &foreign.body), (missing.status, &missing.body));
    }
    // In a usage batch, the record naming another vendor's account reads like the one naming no account.
    let mut theirs = record("x1", "+1 415 555 0199", 1, 1);
    theirs["account_id"] = json!("acc_other");
    let mut nobodys = record("x2", "+1 415 555 0199", 1, 1);
    nobodys["account_id"] = json!("acc_missing");
    let res = usage(&app, &key, vec![theirs, nobodys]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let body: Value = res.json();
    assert_eq!(body["rejected"], 2);
    assert_eq!(body["results"][0]["errors"], body["results"][1]["errors"]);
    assert_eq!(body["results"][0]["errors"][0]["field"], "account_id");
    assert_eq!(app.count("SELECT COUNT(*) FROM credit_entries").await, before, "nothing moved");
}

#[tokio::test]
async fn a_batch_is_judged_record_by_record_and_charged_once_per_account() {
    let app = TestApp::with_demo().await;
    let key = key(&app).await;
    let start = balance(&app, NW).await;
    assert_eq!(adjust(&app, &key, NW, "opening", 100_000, "USD").await.status, StatusCode::CREATED);

    let mut utility = record("r2", "num_nw_5", 40, 40);
    utility["category"] = json!("utility");
    let mut bad = record("r3", "+1 206 555 0101", -1, -5);
    let today = crate::support::pinned_today();
    bad["date"] = json!((today + time::Duration::days(1)).to_string());
    bad["cost"]["currency"] = json!("EUR");
    let mut early = record("r4", "+1 206 555 0152", 1, 1);
    // Before the number was onboarded, on the 10th of last month.
    let last_month = crate::support::demo_figures::last_month_start(today);
    early["date"] = json!(last_month.to_string());
    let mut wrong_types = record("r5", "+1 206 555 0101", 1, 1);
    wrong_types["messages"] = json!("many");
    let mut no_category = record("r7", "+1 206 555 0101", 1, 1);
    no_category.as_object_mut().unwrap().remove("category");
    let batch = vec![
        record("r1", "+1 (206) 555-0101", 1_200, 3_600),
        utility,
        bad,
        early,
        wrong_types,
        record("r1", "+1 206 555 0101", 1_200, 3_600),
        no_category,
        record("r8", "+1 999 000 0000", 1, 1),
        record("r9", "+1 206 555 0102", 3, 0),
    ];
    let res = usage(&app, &key, batch.clone()).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let body: Value = res.json();
    assert_eq!(
        (body["accepted"].as_i64(), body["duplicates"].as_i64(), body["rejected"].as_i64()),
        (Some(3), Some(1), Some(5)),
        "{body:#}"
    );
    let results = body["results"].as_array().unwrap();
    let statuses: Vec<&str> = results.iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(
        statuses,
        ["accepted", "accepted", "rejected", "rejected", "rejected", "duplicate", "rejected", "rejected", "accepted"]
    );
    let fields = |i: usize| -> Vec<String> {
        results[i]["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(fields(2), ["date", "messages", "cost.amount", "cost.currency"]);
    assert_eq!(fields(3), ["date"]);
    assert!(
        results[3]["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("onboarded on {}", last_month + time::Duration::days(9))),
        "{}",
        results[3]
    );
    assert_eq!(fields(4), ["messages"]);
    assert_eq!(fields(6), ["category"]);
    assert_eq!(fields(7), ["phone_number"]);
    assert_eq!(results[0]["errors"], json!([]));

    // One usage entry of minus the accepted costs, pointed at by every accepted record.
    let (entry_id, amount, description): (String, i64, String) =
        sqlx::query_as("SELECT id, amount, description FROM credit_entries WHERE account_id = $1 AND kind = 'usage' AND description LIKE 'Usage reported%'")
            .bind(NW)
            .fetch_one(app.state.db.pool())
            .await
            .expect("one usage entry");
    assert_eq!(amount, -(3_600 + 40));
    assert_eq!(
        description,
        format!("Usage reported {}: 1,243 messages", portico::domain::billing_items::format_date(today))
    );
    for i in [0, 1, 5, 8] {
        assert_eq!(results[i]["ledger_entry_id"], json!(entry_id), "result {i}");
    }
    let linked: i64 = scalar(&app, "SELECT COUNT(*) FROM usage_records WHERE account_id = $1 AND ledger_entry_id IS NOT NULL AND external_id IS NOT NULL", NW).await;
    assert_eq!(linked, 3);
    let stored: i64 =
        scalar(&app, "SELECT COUNT(*) FROM usage_records WHERE account_id = $1 AND external_id IS NOT NULL", NW).await;
    assert_eq!(stored, 3, "rejected records are not stored");
    assert_eq!(balance(&app, NW).await, start + 100_000 - 3_640);
    assert_eq!(balance(&app, NW).await, ledger_sum(&app, NW).await);

    // The same batch again charges nothing more.
    let again: Value = usage(&app, &key, batch).await.json();
    assert_eq!(
        (again["accepted"].as_i64(), again["duplicates"].as_i64(), again["rejected"].as_i64()),
        (Some(0), Some(4), Some(5))
    );
    assert_eq!(again["results"][0]["ledger_entry_id"], json!(entry_id));
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM credit_entries WHERE account_id = $1 AND description LIKE 'Usage reported%'",
            NW
        )
        .await,
        1
    );
    assert_eq!(balance(&app, NW).await, start + 100_000 - 3_640);

    // The same id with other content is refused, and names what differs.
    let changed: Value =
        usage(&app, &key, vec![record("r1", "+1 206 555 0101", 1_300, 3_900), record("r10", "num_nw_1", 10, 30)])
            .await
            .json();
    assert_eq!(changed["results"][0]["status"], "rejected");
    assert_eq!(changed["results"][0]["errors"][0]["field"], "id");
    let message = changed["results"][0]["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("already accepted with a different messages, cost"), "{message}");
    assert_eq!(changed["results"][1]["status"], "accepted");
    assert_eq!(balance(&app, NW).await, start + 100_000 - 3_640 - 30);
    assert_eq!(balance(&app, NW).await, ledger_sum(&app, NW).await);
}

#[tokio::test]
async fn malformed_oversized_and_empty_batches_write_nothing() {
    let app = TestApp::with_demo().await;
    let key = key(&app).await;
    // The demo's ledger already has entries: everything here is relative to where it stands.
    let start = balance(&app, NW).await;
    let malformed =
        app.send(request(Method::POST, "/api/operator/v1/usage", Some(&key), Some("{\"records\": [".into()))).await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(malformed.json::<Value>()["error"]["code"], "malformed_json");
    let shapeless = post(&app, "/api/operator/v1/usage", &key, json!({ "rows": [] })).await;
    assert_eq!(shapeless.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(shapeless.json::<Value>()["error"]["fields"][0]["field"], "records");
    let empty = usage(&app, &key, vec![]).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    let too_many: Vec<Value> = (0..1_001).map(|i| record(&format!("big-{i}"), "num_nw_1", 1, 1)).collect();
    let res = usage(&app, &key, too_many).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", res.body);
    let error = res.json::<Value>();
    assert_eq!(error["error"]["code"], "batch_too_large");
    assert!(error["error"]["message"].as_str().unwrap().contains("at most 1,000 records"));
    let full: Vec<Value> = (0..1_000).map(|i| record(&format!("big-{i}"), "num_nw_1", 1, 1)).collect();
    let res = usage(&app, &key, full).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json::<Value>()["accepted"], 1_000);
    assert_eq!(ledger_sum(&app, NW).await, start - 1_000);
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM usage_records WHERE account_id = $1 AND external_id LIKE 'big-%'", NW).await,
        1_000
    );
}

#[tokio::test]
async fn concurrent_batches_lose_no_charge_and_accept_each_record_once() {
    let app = TestApp::with_demo().await;
    let key = key(&app).await;
    // The demo's ledger already has entries: everything here is relative to where it stands.
    let start = balance(&app, NW).await;
    let usage_entries = entries(&app, NW, "usage").await;
    assert_eq!(adjust(&app, &key, NW, "opening", 50_000, "USD").await.status, StatusCode::CREATED);
    let batches: Vec<Vec<Value>> = (0..8)
        .map(|b| (0..5).map(|r| record(&format!("c-{b}-{r}"), "num_nw_2", 10, 100 + b * 10 + r)).collect())
        .collect();
    let expected: i64 = batches.iter().flatten().map(|r| r["cost"]["amount"].as_i64().unwrap()).sum();
    let sends = batches.iter().map(|records| {
        let body = json!({ "records": records }).to_string();
        send(&app.router, request(Method::POST, "/api/operator/v1/usage", Some(&key), Some(body)))
    });
    for res in futures::future::join_all(sends).await {
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        assert_eq!(res.json::<Value>()["accepted"], 5, "{}", res.body);
    }
    assert_eq!(balance(&app, NW).await, start + 50_000 - expected);
    assert_eq!(ledger_sum(&app, NW).await, start + 50_000 - expected);
    assert_eq!(entries(&app, NW, "usage").await, usage_entries + 8);
    let seqs: (i64, i64, i64) =
        sqlx::query_as("SELECT COUNT(*), MIN(seq), MAX(seq) FROM credit_entries WHERE account_id = $1")
            .bind(NW)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(seqs.2 - seqs.1 + 1, seqs.0, "the ledger has no gaps or forks");

    // The same new batch sent twice at once is charged once.
    let twice = vec![record("t-1", "num_nw_3", 5, 500), record("t-2", "num_nw_3", 5, 700)];
    let body = json!({ "records": twice }).to_string();
    let (a, b) = tokio::join!(
        send(&app.router, request(Method::POST, "/api/operator/v1/usage", Some(&key), Some(body.clone()))),
        send(&app.router, request(Method::POST, "/api/operator/v1/usage", Some(&key), Some(body))),
    );
    let accepted = a.json::<Value>()["accepted"].as_i64().unwrap() + b.json::<Value>()["accepted"].as_i64().unwrap();
    let duplicates =
        a.json::<Value>()["duplicates"].as_i64().unwrap() + b.json::<Value>()["duplicates"].as_i64().unwrap();
    assert_eq!((accepted, duplicates), (2, 2));
    assert_eq!(balance(&app, NW).await, start + 50_000 - expected - 1_200);
    assert_eq!(balance(&app, NW).await, ledger_sum(&app, NW).await);
}

fn reasons(status: &Value) -> Vec<String> {
    status["outbound_messaging"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["cause"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn service_status_shows_the_credit_block_while_the_balance_is_not_above_zero() {
    let app = TestApp::with_demo().await;
    let key = key(&app).await;
    // Globex's demo credit has run out, and its invoices are not overdue: only its credit decides.
    let gx_start = balance(&app, GX).await;
    assert!(gx_start <= 0);
    let empty: Value = status(&app, &key, GX).await.json();
    assert_eq!(empty["account_id"], GX);
    assert_eq!(empty["credit_balance"], json!({ "amount": gx_start, "currency": "EUR" }));
    assert_eq!(empty["outbound_messaging"]["blocked"], true, "{empty:#}");
    assert_eq!(reasons(&empty), ["credit_exhausted"]);
    let reason = &empty["outbound_messaging"]["reasons"][0];
    assert_eq!(reason["remedy"]["action"], "top_up");
    assert_eq!(reason["remedy"]["amount"], json!({ "amount": 1 - gx_start, "currency": "EUR" }));
    assert!(empty["outbound_messaging"]["since"].as_str().unwrap().ends_with('Z'));

    assert_eq!(adjust(&app, &key, GX, "opening", 500 - gx_start, "EUR").await.status, StatusCode::CREATED);
    let funded: Value = status(&app, &key, GX).await.json();
    assert_eq!(funded["credit_balance"]["amount"], 500);
    assert_eq!(funded["outbound_messaging"], json!({ "blocked": false, "since": null, "reasons": [] }));

    app.clock.advance(time::Duration::hours(1));
    let mut spend = record("g-1", "+49 30 5550 1001", 100, 500);
    spend["account_id"] = json!(GX);
    spend["cost"]["currency"] = json!("EUR");
    assert_eq!(usage(&app, &key, vec![spend]).await.json::<Value>()["accepted"], 1);
    let spent: Value = status(&app, &key, GX).await.json();
    assert_eq!(spent["credit_balance"]["amount"], 0);
    assert_eq!(reasons(&spent), ["credit_exhausted"]);
    let emptied_at = (crate::support::pinned_now() + time::Duration::hours(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    assert_eq!(spent["outbound_messaging"]["since"], emptied_at, "since the usage that emptied it");

    // Northwind's overdue license invoice blocks it on its own, with the invoice to pay.
    let northwind: Value = status(&app, &key, NW).await.json();
    assert!(reasons(&northwind).contains(&"license_invoice_overdue".to_string()), "{northwind:#}");
    adjust(&app, &key, NW, "opening", 10_000, "USD").await;
    let northwind: Value = status(&app, &key, NW).await.json();
    assert!(!reasons(&northwind).contains(&"credit_exhausted".to_string()));
    let license = &northwind["outbound_messaging"]["reasons"][0];
    assert_eq!(license["remedy"]["action"], "pay_invoice");
    assert_eq!(license["remedy"]["invoice_id"], license["invoice"]["id"]);
}

#[tokio::test]
async fn adjustments_are_validated_idempotent_and_audited() {
    let app = TestApp::with_demo().await;
    let key = key(&app).await;
    // The demo's ledger already has entries: everything here is relative to where it stands.
    let start = balance(&app, NW).await;
    let first = adjust(&app, &key, NW, "goodwill-1", 2_500, "USD").await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let entry: Value = first.json();
    assert_eq!(entry["kind"], "adjustment");
    assert_eq!(entry["amount"], json!({ "amount": 2_500, "currency": "USD" }));
    assert_eq!(entry["balance_after"]["amount"], start + 2_500);
    let retry = adjust(&app, &key, NW, "goodwill-1", 2_500, "USD").await;
    assert_eq!(retry.status, StatusCode::OK);
    assert_eq!(retry.json::<Value>()["id"], entry["id"]);
    let reused = adjust(&app, &key, NW, "goodwill-1", 3_000, "USD").await;
    assert_eq!(reused.status, StatusCode::CONFLICT);
    assert_eq!(reused.json::<Value>()["error"]["code"], "idempotency_conflict");
    assert_eq!(entries(&app, NW, "adjustment").await, 1 + 1, "the demo's opening balance and this one");

    let debit = adjust(&app, &key, NW, "correction-1", -1_000, "USD").await;
    assert_eq!(debit.json::<Value>()["balance_after"]["amount"], start + 1_500);

    let path = format!("/api/operator/v1/accounts/{NW}/credit/adjustments");
    let invalid =
        post(&app, &path, &key, json!({ "id": "bad", "amount": 0, "currency": "EUR", "description": " " })).await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = invalid.json::<Value>()["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, ["amount", "currency", "description"]);
    let missing = post(&app, &path, &key, json!({ "id": "bad", "amount": 5 })).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(missing.json::<Value>()["error"]["fields"][0]["field"], "currency");
    assert_eq!(balance(&app, NW).await, start + 1_500);
    assert_eq!(balance(&app, NW).await, ledger_sum(&app, NW).await);

    // In the client's activity, by the key.
    let owner = app.login("owner@northwind.test").await;
    let activity: Value = app.call("activity", &[], Some(&owner)).await.json();
    let adjusted: Vec<&Value> =
        activity["entries"].as_array().unwrap().iter().filter(|e| e["action"] == "credit.adjusted").collect();
    assert_eq!(adjusted.len(), 2, "a retry records nothing");
    let credit =
        adjusted.iter().find(|e| e["summary"] == "Adjusted the credit balance by $25.00: Prepaid credit for the test");
    let credit = credit.unwrap_or_else(|| panic!("{adjusted:?}"));
    assert!(credit["actor"].as_str().unwrap().starts_with("API key \u{201c}Billing sync\u{201d} (pk_"), "{credit}");
}

#[tokio::test]
async fn an_entry_is_reversed_once_and_a_reversal_never() {
    let app = TestApp::with_demo().await;
    let key = key(&app).await;
    // The demo's ledger already has entries: everything here is relative to where it stands.
    let start = balance(&app, NW).await;
    adjust(&app, &key, NW, "opening", 10_000, "USD").await;
    let charged: Value = usage(&app, &key, vec![record("rv-1", "num_nw_1", 100, 300)]).await.json();
    let entry = charged["results"][0]["ledger_entry_id"].as_str().unwrap().to_string();
    assert_eq!(balance(&app, NW).await, start + 9_700);

    let res = reverse(&app, &key, NW, &entry).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let reversal: Value = res.json();
    assert_eq!(reversal["kind"], "reversal");
    assert_eq!(reversal["reverses_entry_id"], json!(entry));
    assert_eq!(reversal["amount"]["amount"], 300);
    assert_eq!(balance(&app, NW).await, start + 10_000);

    let twice = reverse(&app, &key, NW, &entry).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert_eq!(twice.json::<Value>()["error"]["code"], "already_reversed");
    let of_reversal = reverse(&app, &key, NW, reversal["id"].as_str().unwrap()).await;
    assert_eq!(of_reversal.status, StatusCode::CONFLICT);
    assert_eq!(of_reversal.json::<Value>()["error"]["code"], "not_reversible");
    // Another account's entry reads like a missing one.
    let elsewhere = reverse(&app, &key, GX, &entry).await;
    let missing = reverse(&app, &key, GX, "cre_missing").await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);
    assert_eq!(elsewhere.body, missing.body);
    let no_reason = post(
        &app,
        &format!("/api/operator/v1/accounts/{NW}/credit/entries/{entry}/reversal"),
        &key,
        json!({ "reason": "" }),
    )
    .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);

    assert_eq!(entries(&app, NW, "reversal").await, 1);
    assert_eq!(balance(&app, NW).await, ledger_sum(&app, NW).await);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'credit.reversed'").await, 1);
}

#[tokio::test]
async fn the_openapi_document_describes_exactly_the_routes_served() {
    let app = TestApp::with_demo().await;
    let res = get(&app, "/api/operator/v1/openapi.json", None).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.headers.get(header::CONTENT_TYPE).unwrap(), "application/json");
    let doc: Value = res.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{}", doc["openapi"]);
    assert_eq!(doc["components"]["securitySchemes"]["api_key"]["scheme"], "bearer");
    for schema in [
        "UsageRecordIn",
        "UsageBatchOut",
        "ServiceStatusOut",
        "AdjustmentIn",
        "CreditEntryOut",
        "ErrorBody",
        "Amount",
        "PortalSessionIn",
        "PortalSessionOut",
        "ReturnOrigins",
        "AccountObject",
        "PersonObject",
        "PlanObject",
        "SubscriptionObject",
        "InvoiceObject",
        "CreditNoteObject",
        "EstimateObject",
        "EventOut",
        "CreatedEndpointOut",
    ] {
        assert!(doc["components"]["schemas"][schema].is_object(), "schema {schema} missing");
    }
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.push((method.to_uppercase(), path.clone()));
        }
    }
    documented.sort();
    let expected = [
        ("DELETE", "/api/operator/v1/accounts/{account_id}/people/{person_id}"),
        ("DELETE", "/api/operator/v1/webhook-endpoints/{endpoint_id}"),
        ("GET", "/api/operator/v1/accounts"),
        ("GET", "/api/operator/v1/accounts/{account_id}"),
        ("GET", "/api/operator/v1/accounts/{account_id}/credit-notes"),
        ("GET", "/api/operator/v1/accounts/{account_id}/estimates"),
        ("GET", "/api/operator/v1/accounts/{account_id}/estimates/{estimate_id}"),
        ("GET", "/api/operator/v1/accounts/{account_id}/invoices"),
        ("GET", "/api/operator/v1/accounts/{account_id}/invoices/{invoice_id}"),
        ("GET", "/api/operator/v1/accounts/{account_id}/numbers"),
        ("GET", "/api/operator/v1/accounts/{account_id}/people"),
        ("GET", "/api/operator/v1/accounts/{account_id}/service-status"),
        ("GET", "/api/operator/v1/accounts/{account_id}/subscriptions"),
        ("GET", "/api/operator/v1/accounts/{account_id}/subscriptions/{subscription_id}"),
        ("GET", "/api/operator/v1/event-types"),
        ("GET", "/api/operator/v1/events"),
        ("GET", "/api/operator/v1/events/{event_id}"),
        ("GET", "/api/operator/v1/openapi.json"),
        ("GET", "/api/operator/v1/plans"),
        ("GET", "/api/operator/v1/plans/{plan_id}"),
        ("GET", "/api/operator/v1/portal/return-origins"),
        ("GET", "/api/operator/v1/webhook-endpoints"),
        ("GET", "/api/operator/v1/webhook-endpoints/{endpoint_id}"),
        ("GET", "/api/operator/v1/webhook-endpoints/{endpoint_id}/deliveries"),
        ("PATCH", "/api/operator/v1/accounts/{account_id}"),
        ("PATCH", "/api/operator/v1/accounts/{account_id}/people/{person_id}"),
        ("PATCH", "/api/operator/v1/webhook-endpoints/{endpoint_id}"),
        ("POST", "/api/operator/v1/accounts"),
        ("POST", "/api/operator/v1/accounts/{account_id}/archive"),
        ("POST", "/api/operator/v1/accounts/{account_id}/credit/adjustments"),
        ("POST", "/api/operator/v1/accounts/{account_id}/credit/entries/{entry_id}/reversal"),
        ("POST", "/api/operator/v1/accounts/{account_id}/estimates"),
        ("POST", "/api/operator/v1/accounts/{account_id}/invoices"),
        ("POST", "/api/operator/v1/accounts/{account_id}/invoices/{invoice_id}/credit-notes"),
        ("POST", "/api/operator/v1/accounts/{account_id}/invoices/{invoice_id}/void"),
        ("POST", "/api/operator/v1/accounts/{account_id}/numbers"),
        ("POST", "/api/operator/v1/accounts/{account_id}/numbers/{number}/release"),
        ("POST", "/api/operator/v1/accounts/{account_id}/people"),
        ("POST", "/api/operator/v1/accounts/{account_id}/subscriptions"),
        ("POST", "/api/operator/v1/accounts/{account_id}/subscriptions/{subscription_id}/cancel"),
        ("POST", "/api/operator/v1/accounts/{account_id}/subscriptions/{subscription_id}/change"),
        ("POST", "/api/operator/v1/accounts/{account_id}/subscriptions/{subscription_id}/preview-change"),
        ("POST", "/api/operator/v1/accounts/{account_id}/subscriptions/{subscription_id}/resume"),
        ("POST", "/api/operator/v1/accounts/{account_id}/transfers"),
        ("POST", "/api/operator/v1/plans"),
        ("POST", "/api/operator/v1/portal-sessions"),
        ("POST", "/api/operator/v1/usage"),
        ("POST", "/api/operator/v1/webhook-deliveries/{delivery_id}/resend"),
        ("POST", "/api/operator/v1/webhook-endpoints"),
        ("PUT", "/api/operator/v1/portal/return-origins"),
    ];
    let expected: Vec<(String, String)> = expected.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    assert_eq!(documented, expected);
    // The served router answers every documented route with its own JSON (a 401 for want of
    // a key), not the page fallback or "method not allowed".
    for (method, path) in &documented {
        let mut concrete = path.replace("{account_id}", NW);
        for param in [
            "entry_id",
            "estimate_id",
            "invoice_id",
            "number",
            "person_id",
            "subscription_id",
            "event_id",
            "plan_id",
            "delivery_id",
            "endpoint_id",
        ] {
            concrete = concrete.replace(&format!("{{{param}}}"), "x_1");
        }
        let body = matches!(method.as_str(), "POST" | "PUT" | "PATCH").then(|| "{}".to_string());
        let res = app.send(request(Method::from_bytes(method.as_bytes()).unwrap(), &concrete, None, body)).await;
        let json: Value =
            serde_json::from_str(&res.body).unwrap_or_else(|_| panic!("{method} {path}: not JSON: {}", res.body));
        assert!(matches!(res.status, StatusCode::OK | StatusCode::UNAUTHORIZED), "{method} {path}: {}", res.status);
        assert_ne!(json["error"]["code"], "unknown_endpoint", "{method} {path}");
    }
    // Every write documents the Idempotency-Key it takes, and the 400 and 409 it can answer.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if !["post", "put", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            let named =
                operation["parameters"].as_array().into_iter().flatten().any(|p| p["name"] == "Idempotency-Key");
            assert!(named, "{method} {path} does not document Idempotency-Key");
            for code in ["400", "409"] {
                assert!(operation["responses"][code].is_object(), "{method} {path} does not document {code}");
            }
        }
    }
    // And the router the app builds is documented by the same list.
    let (_, built) = portico::server::operator::build();
    let mut built_paths: Vec<String> = built.paths.paths.keys().cloned().collect();
    let mut doc_paths: Vec<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    built_paths.sort();
    doc_paths.sort();
    assert_eq!(built_paths, doc_paths);
    let unknown = get(&app, "/api/operator/v1/nothing-here", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.json::<Value>()["error"]["code"], "unknown_endpoint");
}

#[tokio::test]
async fn staff_create_a_key_that_works_see_it_once_and_revoke_it() {
    let app = TestApp::with_demo().await;
    let (staff, created) = staff_key(&app, "  Billing sync  ").await;
    assert!(created.secret.starts_with("pk_") && created.secret.len() == 46, "{}", created.secret);
    assert_eq!(created.key.name, "Billing sync");
    assert_eq!(created.key.prefix, &created.secret[..11]);
    let stored: (String, String) = sqlx::query_as("SELECT prefix, key_hash FROM api_keys WHERE id = $1")
        .bind(&created.key.id)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(stored, (created.key.prefix.clone(), token_hash(&created.secret)), "only a hash of the key is kept");

    let refused = app.call("staff/api-keys/create", &[("name", "   ")], Some(&staff)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.app_error().field_message("name").is_some());

    // It works, and its use is recorded at most once a minute.
    assert_eq!(status(&app, &created.secret, NW).await.status, StatusCode::OK);
    let listed: Vec<ApiKeyRow> = app.call("staff/api-keys", &[], Some(&staff)).await.json();
    assert_eq!(listed.len(), 1);
    let first_use = listed[0].last_used_at.expect("last used");
    assert!(
        !app.call("staff/api-keys", &[], Some(&staff)).await.body.contains(&created.secret),
        "the list never shows the key"
    );
    app.clock.advance(time::Duration::seconds(30));
    status(&app, &created.secret, NW).await;
    assert_eq!(scalar(&app, "SELECT last_used_at FROM api_keys WHERE id = $1", &created.key.id).await, first_use);
    app.clock.advance(time::Duration::seconds(31));
    status(&app, &created.secret, NW).await;
    assert_eq!(scalar(&app, "SELECT last_used_at FROM api_keys WHERE id = $1", &created.key.id).await, first_use + 61);

    let res = app.call("staff/api-keys/revoke", &[("id", &created.key.id)], Some(&staff)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(status(&app, &created.secret, NW).await.status, StatusCode::UNAUTHORIZED);
    let listed: Vec<ApiKeyRow> = app.call("staff/api-keys", &[], Some(&staff)).await.json();
    assert_eq!(listed[0].revoked_by.as_deref(), Some("Alex Rivera"));
    // Revoking again changes nothing; another vendor's key reads like a missing one.
    assert_eq!(
        app.call("staff/api-keys/revoke", &[("id", &created.key.id)], Some(&staff)).await.status,
        StatusCode::OK
    );
    other_vendor(&app).await;
    let foreign = app.call("staff/api-keys/revoke", &[("id", "key_other")], Some(&staff)).await;
    let missing = app.call("staff/api-keys/revoke", &[("id", "key_missing")], Some(&staff)).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    assert_eq!(foreign.body, missing.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM api_keys WHERE id = 'key_other' AND revoked_at IS NULL").await, 1);

    let activity: Value = app.call("staff/activity", &[], Some(&staff)).await.json();
    let summaries: Vec<&str> =
        activity["entries"].as_array().unwrap().iter().map(|e| e["summary"].as_str().unwrap()).collect();
    let prefix = &created.key.prefix;
    assert!(
        summaries.contains(&format!("Created API key \u{201c}Billing sync\u{201d} ({prefix}\u{2026})").as_str()),
        "{summaries:?}"
    );
    assert!(
        summaries.contains(&format!("Revoked API key \u{201c}Billing sync\u{201d} ({prefix}\u{2026})").as_str()),
        "{summaries:?}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'api_key.revoked'").await, 1);

    // The console page lists it.
    let page = app.get("/staff/api-keys", Some(&staff)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Billing sync") && page.body.contains(prefix.as_str()), "{}", page.body);
    assert!(page.body.contains("<label for=\"api-key-name\""));
}
