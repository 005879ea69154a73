//! Webhooks: events written with their changes and delivered, signed, at least once and in
//! order per account, to a receiver on a real socket that checks signatures with its own HMAC.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post as post_route;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use time::Duration;

use crate::operator_api::{get, key, post};
use crate::support::TestApp;
use portico::server::webhooks::deliver::{client, deliver_due};

const API: &str = "/api/operator/v1";
const NW: &str = "acc_northwind";

#[derive(Default)]
struct Received {
    /// (event type, event id, account, whether the signature verified)
    events: Vec<(String, String, String, bool)>,
    down: bool,
}

#[derive(Clone)]
struct Receiver {
    received: Arc<Mutex<Received>>,
    secret: Arc<Mutex<String>>,
}

async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let mut received = receiver.received.lock().unwrap();
    if received.down {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let signature = headers.get("portico-signature").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let verified = verify(&receiver.secret.lock().unwrap(), &signature, &body);
    let event: Value = serde_json::from_slice(&body).expect("JSON event");
    received.events.push((
        event["type"].as_str().unwrap().to_string(),
        event["id"].as_str().unwrap().to_string(),
        event["account_id"].as_str().unwrap().to_string(),
        verified,
    ));
    StatusCode::OK
}

/// What the README tells receivers to do, written independently of the server's code.
fn verify(secret: &str, header: &str, body: &[u8]) -> bool {
    let parts: Vec<(&str, &str)> = header.split(',').filter_map(|p| p.split_once('=')).collect();
    let Some(t) = parts.iter().find(|(k, _)| *k == "t").map(|(_, v)| *v) else { return false };
    let Some(v1) = parts.iter().find(|(k, _)| *k == "v1").map(|(_, v)| *v) else { return false };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    hex::encode(mac.finalize().into_bytes()) == v1
}

async fn receiver() -> (Receiver, String) {
    let receiver = Receiver { received: Arc::default(), secret: Arc::default() };
    let app = Router::new().route("/hook", post_route(receive)).with_state(receiver.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (receiver, url)
}

async fn register(app: &TestApp, key: &str, receiver: &Receiver, url: &str, events: Value) -> String {
    let res = post(app, &format!("{API}/webhook-endpoints"), key, json!({ "url": url, "events": events })).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let created: Value = res.json();
    let secret = created["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    *receiver.secret.lock().unwrap() = secret;
    // The secret is shown once: reading the endpoint never returns it.
    let id = created["endpoint"]["id"].as_str().unwrap().to_string();
    let read = get(app, &format!("{API}/webhook-endpoints/{id}"), Some(key)).await;
    assert!(!read.body.contains("whsec_"), "{}", read.body);
    id
}

async fn invoice(app: &TestApp, key: &str, amount: i64) -> String {
    let res = post(
        app,
        &format!("{API}/accounts/{NW}/invoices"),
        key,
        json!({ "lines": [{ "description": "Work", "unit_amount": amount }] }),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    res.json::<Value>()["invoice"]["id"].as_str().unwrap().to_string()
}

fn types(receiver: &Receiver) -> Vec<String> {
    receiver.received.lock().unwrap().events.iter().map(|e| e.0.clone()).collect()
}

#[tokio::test]
async fn a_paid_invoice_reaches_the_receiver_signed_and_in_order() {
    let app = TestApp::with_demo().await;
    let key = key(&app).await;
    let (receiver, url) = receiver().await;
    register(&app, &key, &receiver, &url, json!(["*"])).await;
    let invoice_id = invoice(&app, &key, 12_000).await;
    let owner = app.login("owner@northwind.test").await;
    let paid = app
        .call_json(
            "payments/pay",
            json!({ "invoice_ids": [invoice_id], "method": "pm_nw_visa", "idempotency_key": "hook-test-payment-0001" }),
            Some(&owner),
        )
        .await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
    let pass = deliver_due(&app.state, &client()).await.unwrap();
    assert_eq!(pass.failed, 0);
    assert_eq!(types(&receiver), ["invoice.issued", "payment.succeeded", "invoice.paid"]);
    {
        let received = receiver.received.lock().unwrap();
        assert!(received.events.iter().all(|e| e.3), "every signature verifies");
        assert!(received.events.iter().all(|e| e.2 == NW));
    }
    // The event carries the invoice as the API answers it.
    let events = get(&app, &format!("{API}/events?type=invoice.paid"), Some(&key)).await;
    let events: Value = events.json();
    assert_eq!(events["data"][0]["data"]["object"]["id"], invoice_id.as_str());
    assert_eq!(events["data"][0]["data"]["object"]["status"], "paid");
    // Delivered once: another pass sends nothing again.
    assert_eq!(deliver_due(&app.state, &client()).await.unwrap().delivered, 0);
    assert_eq!(types(&receiver).len(), 3);
}

#[tokio::test]
async fn a_receiver_that_was_down_gets_every_event_later_in_order() {
    let app = TestApp::with_demo().await;
    let key = key(&app).await;
    let (receiver, url) = receiver().await;
    let endpoint = register(&app, &key, &receiver, &url, json!(["invoice.issued", "invoice.voided"])).await;
    receiver.received.lock().unwrap().down = true;
    let first = invoice(&app, &key, 1_000).await;
    invoice(&app, &key, 2_000).await;
    let voided = post(&app, &format!("{API}/accounts/{NW}/invoices/{first}/void"), &key, json!({})).await;
    assert_eq!(voided.status, StatusCode::OK, "{}", voided.body);
    let pass = deliver_due(&app.state, &client()).await.unwrap();
    // Only the account's first event was tried: the others wait for it, in order.
    assert_eq!(pass, portico::server::webhooks::deliver::Pass { delivered: 0, failed: 1 });
    assert_eq!(app.count("SELECT COUNT(*) FROM webhook_attempts").await, 1);
    // Retried with backoff while it stays down.
    for minutes in [1, 2, 4] {
        app.clock.advance(Duration::minutes(minutes));
        deliver_due(&app.state, &client()).await.unwrap();
    }
    let log = get(&app, &format!("{API}/webhook-endpoints/{endpoint}/deliveries"), Some(&key)).await;
    let log: Value = log.json();
    let oldest = log["data"].as_array().unwrap().last().unwrap();
    assert_eq!(oldest["status"], "pending");
    assert_eq!(oldest["last_status_code"], 503);
    assert!(oldest["attempts"].as_i64().unwrap() >= 3);
    assert!(types(&receiver).is_empty());

    receiver.received.lock().unwrap().down = false;
    app.clock.advance(Duration::hours(1));
    deliver_due(&app.state, &client()).await.unwrap();
    assert_eq!(types(&receiver), ["invoice.issued", "invoice.issued", "invoice.voided"]);
    let seqs: Vec<i64> = sqlx::query_scalar("SELECT e.seq FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id ORDER BY d.delivered_at, e.seq")
        .fetch_all(app.state.db.pool())
        .await
        .unwrap();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    assert!(receiver.received.lock().unwrap().events.iter().all(|e| e.3));
}

#[tokio::test]
async fn a_delivery_is_given_up_after_a_day_and_can_be_resent() {
    let app = TestApp::with_demo().await;
    let key = key(&app).await;
    let (receiver, url) = receiver().await;
    let endpoint = register(&app, &key, &receiver, &url, json!(["invoice.issued"])).await;
    receiver.received.lock().unwrap().down = true;
    invoice(&app, &key, 1_000).await;
    for _ in 0..30 {
        deliver_due(&app.state, &client()).await.unwrap();
        app.clock.advance(Duration::hours(1));
    }
    let log: Value = get(&app, &format!("{API}/webhook-endpoints/{endpoint}/deliveries"), Some(&key)).await.json();
    assert_eq!(log["data"][0]["status"], "failed");
    let attempts = log["data"][0]["attempts"].as_i64().unwrap();
    assert!((20..=40).contains(&attempts), "{attempts} attempts in a day");
    receiver.received.lock().unwrap().down = false;
    let id = log["data"][0]["id"].as_str().unwrap();
    let resent = post(&app, &format!("{API}/webhook-deliveries/{id}/resend"), &key, json!({})).await;
    assert_eq!(resent.status, StatusCode::ACCEPTED, "{}", resent.body);
    deliver_due(&app.state, &client()).await.unwrap();
    assert_eq!(types(&receiver), ["invoice.issued"]);
}

#[tokio::test]
async fn a_crash_between_the_change_and_its_delivery_loses_no_event() {
    let app = TestApp::with_demo().await;
    let key = key(&app).await;
    let (receiver, url) = receiver().await;
    register(&app, &key, &receiver, &url, json!(["*"])).await;
    // The change commits with its event; the process "dies" before any delivery pass.
    let invoice_id = invoice(&app, &key, 3_000).await;
    // A delivery that was being sent when it died: leased, never marked.
    sqlx::query("UPDATE webhook_deliveries SET leased_until = $1")
        .bind(i64::MAX / 2)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let (_, restarted) = app.second_process().await;
    assert_eq!(deliver_due(&restarted, &client()).await.unwrap().delivered, 0, "leased by the dead process");
    sqlx::query("UPDATE webhook_deliveries SET leased_until = $1").bind(0).execute(app.state.db.pool()).await.unwrap();
    deliver_due(&restarted, &client()).await.unwrap();
    assert_eq!(types(&receiver), ["invoice.issued"]);
    assert!(receiver.received.lock().unwrap().events[0].3, "the signature verifies");

    // And no event without its change: a refused change writes none.
    let before = app.count("SELECT COUNT(*) FROM webhook_events").await;
    let refused = post(
        &app,
        &format!("{API}/accounts/{NW}/invoices/{invoice_id}/credit-notes"),
        &key,
        json!({ "amount": 999_999, "reason": "Too much" }),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad = post(&app, &format!("{API}/accounts/{NW}/invoices"), &key, json!({ "lines": [] })).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("SELECT COUNT(*) FROM webhook_events").await, before);
}

#[tokio::test]
async fn portal_actions_and_the_cycle_write_their_events() {
    let app = TestApp::with_demo().await;
    let key = key(&app).await;
    let owner = app.login("owner@northwind.test").await;
    // A second after the demo's own events, so "newest first" has one answer.
    app.clock.advance(Duration::seconds(1));
    let declined = app
        .call("estimates/decline", &[("id", "est_nw_onboarding"), ("reason", "Not this quarter")], Some(&owner))
        .await;
    assert_eq!(declined.status, StatusCode::OK, "{}", declined.body);
    let events: Value = get(&app, &format!("{API}/events?account_id={NW}"), Some(&key)).await.json();
    assert_eq!(events["data"][0]["type"], "estimate.declined");
    assert_eq!(events["data"][0]["data"]["object"]["status"], "declined");
    // Another vendor's key sees none of it.
    let theirs = crate::operator_api::other_vendor(&app).await;
    let none: Value = get(&app, &format!("{API}/events"), Some(&theirs)).await.json();
    assert_eq!(none["data"], json!([]));
    // Service status moves are told once.
    let first = portico::server::credit::watch::check_all(&app.state).await.unwrap();
    let again = portico::server::credit::watch::check_all(&app.state).await.unwrap();
    assert_eq!(again, 0, "nothing new the second time (first wrote {first})");
}

#[tokio::test]
async fn the_return_origins_are_in_the_servers_html_of_their_form() {
    // The form is an island taken over at its first use: its text is the server's until then.
    let app = TestApp::with_demo().await;
    let staff = app.login("staff@acme.test").await;
    let saved = app
        .call("staff/return-origins", &[("origins", "https://app.acme.test\nhttp://localhost:5173")], Some(&staff))
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let page = app.get("/staff/webhooks", Some(&staff)).await;
    assert_eq!(page.status, StatusCode::OK);
    let at = page.body.find(r#"id="return-origins""#).expect("the origins' field");
    let text = &page.body[at..at + page.body[at..].find("</textarea>").unwrap()];
    let text = &text[text.find('>').unwrap() + 1..];
    assert_eq!(text, "http://localhost:5173\nhttps://app.acme.test");
}
