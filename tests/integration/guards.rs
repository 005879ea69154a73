//! Guards against trying until something works (issue 16): password checks throttled per email,
//! per address and per email from an address, with each attempt counted before the password is
//! checked; the same for changing a password and joining a team as an existing user; card
//! tokenization throttled per address; payment links that lock after declines and do not flood a
//! client's inbox; idempotency keys that a client cannot use against an automatic charge; sandbox
//! tokens that cannot be edited or made up.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use base64::Engine;
use serde_json::json;

use crate::support::{PASSWORD, TestApp, TestResponse, call_request, json_request, send};
use portico::server::infra::auth::throttle;
use portico::wire::error::AppError;
use portico::wire::payments::{LinkedInvoice, PaymentResult};

/// A request as if sent from `address`.
fn from(address: &str, mut request: Request<Body>) -> Request<Body> {
    let peer: SocketAddr = format!("{address}:40000").parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(peer));
    request
}

async fn sign_in_from(app: &TestApp, address: &str, email: &str, password: &str) -> TestResponse {
    app.send(from(address, call_request("login", &[("email", email), ("password", password)], None))).await
}

#[tokio::test]
async fn guesses_sent_at_once_are_counted_before_any_password_is_checked() {
    let app = TestApp::with_demo().await;
    let mut guesses = Vec::new();
    for n in 0..20 {
        let router = app.router.clone();
        guesses.push(tokio::spawn(async move {
            let request = from(
                "203.0.113.9",
                call_request("login", &[("email", "owner@northwind.test"), ("password", &format!("guess-{n}"))], None),
            );
            send(&router, request).await
        }));
    }
    let (mut checked, mut throttled) = (0, 0);
    for guess in guesses {
        let res = guess.await.unwrap();
        match res.status {
            StatusCode::UNPROCESSABLE_ENTITY => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => throttled += 1,
            other => panic!("{other}: {}", res.body),
        }
    }
    assert_eq!(
        (checked, throttled),
        (throttle::PASSWORD_FAILURES_PER_EMAIL_AND_ADDRESS as usize, 15),
        "five checked, the rest refused unchecked"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'login.failed'").await, 5);

    // The right password from that address is refused too: the limit is on trying, not on failing.
    let right = sign_in_from(&app, "203.0.113.9", "owner@northwind.test", PASSWORD).await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(right.app_error(), AppError::RateLimited(throttle::THROTTLED_EMAIL.into()));
    // The owner, elsewhere, is not locked out by someone guessing.
    let owner = sign_in_from(&app, "198.51.100.20", "owner@northwind.test", PASSWORD).await;
    assert_eq!(owner.status, StatusCode::OK, "{}", owner.body);
}

#[tokio::test]
async fn one_address_trying_many_accounts_is_stopped_and_others_still_sign_in() {
    let app = TestApp::with_demo().await;
    let mut refused_at = None;
    for n in 0..40 {
        let res = sign_in_from(&app, "203.0.113.50", &format!("user{n}@example.test"), "wrong-password").await;
        if res.status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(res.app_error(), AppError::RateLimited(throttle::THROTTLED_ADDRESS.into()));
            refused_at = Some(n);
            break;
        }
    }
    assert_eq!(refused_at, Some(throttle::PASSWORD_FAILURES_PER_ADDRESS as usize));
    assert_eq!(sign_in_from(&app, "198.51.100.21", "billing@northwind.test", PASSWORD).await.status, StatusCode::OK);
    // After the window, that address may try again.
    app.clock.advance(time::Duration::seconds(throttle::PASSWORD_WINDOW_SECS + 1));
    assert_eq!(sign_in_from(&app, "203.0.113.50", "billing@northwind.test", PASSWORD).await.status, StatusCode::OK);
}

#[tokio::test]
async fn changing_a_password_and_joining_as_an_existing_user_are_throttled_like_signing_in() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let change = |current: &'static str| {
        let mut request = call_request(
            "password",
            &[("current_password", current), ("new_password", "a brand new passphrase")],
            Some(&owner),
        );
        request.extensions_mut().insert(ConnectInfo::<SocketAddr>("203.0.113.77:1".parse().unwrap()));
        request
    };
    for _ in 0..5 {
        assert_eq!(app.send(change("not-my-password")).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let refused = app.send(change(PASSWORD)).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "{}", refused.body);

    // Ben (who signs in already) is invited to Globex and must prove it is him.
    let greta = app.login("owner@globex.test").await;
    let invited =
        app.call("team/invite", &[("email", "billing@northwind.test"), ("role", "Member")], Some(&greta)).await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
    let body: String = sqlx::query_scalar(
        "SELECT body_text FROM outbox WHERE to_address = 'billing@northwind.test' AND kind = 'team_invitation'",
    )
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    let token = body.split("/invitations/").nth(1).unwrap().split_whitespace().next().unwrap().to_string();
    let accept = |password: &str| {
        from(
            "203.0.113.78",
            call_request("invitations/accept", &[("token", &token), ("name", ""), ("password", password)], None),
        )
    };
    for _ in 0..5 {
        assert_eq!(app.send(accept("not-bens-password")).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_eq!(app.send(accept(PASSWORD)).await.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM memberships WHERE account_id = 'acc_globex' AND user_id = 'usr_ben'").await,
        0
    );
}

#[tokio::test]
async fn tokenizing_cards_is_throttled_per_address() {
    let app = TestApp::with_demo().await;
    let card = json!({ "type": "card", "number": "4242424242424242", "exp_month": "12", "exp_year": "2030", "cvc": "123", "holder_name": "Card Tester" });
    let tokenize = |address: &str| from(address, json_request("/sandbox/v1/tokens", card.clone(), None));
    for n in 0..throttle::TOKENIZATIONS_PER_ADDRESS {
        assert_eq!(app.send(tokenize("203.0.113.30")).await.status, StatusCode::OK, "tokenization {n}");
    }
    let refused = app.send(tokenize("203.0.113.30")).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "{}", refused.body);
    assert!(refused.body.contains("Too many cards tried"), "{}", refused.body);
    assert_eq!(app.send(tokenize("198.51.100.30")).await.status, StatusCode::OK, "another address is not affected");
}

#[tokio::test]
async fn a_payment_link_locks_after_three_declines_and_does_not_flood_the_clients_inbox() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let invoice: String = sqlx::query_scalar(
        "SELECT id FROM invoices WHERE account_id = 'acc_northwind' AND kind = 'license' AND status = 'open'",
    )
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    let link = app.call("payment-links/create", &[("invoice_id", &invoice)], Some(&owner)).await;
    assert_eq!(link.status, StatusCode::OK, "{}", link.body);
    let token = link.json::<serde_json::Value>()["url"].as_str().unwrap().rsplit('/').next().unwrap().to_string();
    let emails_before = app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'payment_failed'").await;

    for n in 0..throttle::LINK_FAILURES {
        let card = app.card_token("4000000000000341").await;
        let paid = app
            .call_json(
                "pay-link/pay",
                json!({ "token": token, "card_token": card, "idempotency_key": format!("link-decline-key-000{n}") }),
                None,
            )
            .await;
        assert!(matches!(paid.json(), PaymentResult::Declined { .. }), "{}", paid.body);
    }
    let view: LinkedInvoice = app.call("pay-link/view", &[("token", &token)], None).await.json();
    assert!(view.is_locked && !view.is_paid);
    // Even a good card is refused now, before it is tried.
    let charges = app.count("SELECT COUNT(*) FROM sandbox_charges").await;
    let good = app.card_token("4242424242424242").await;
    let locked = app
        .call_json(
            "pay-link/pay",
            json!({ "token": token, "card_token": good, "idempotency_key": "link-good-key-0000001" }),
            None,
        )
        .await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS, "{}", locked.body);
    assert_eq!(locked.app_error(), AppError::RateLimited(throttle::LINK_LOCKED.into()));
    assert_eq!(app.count("SELECT COUNT(*) FROM sandbox_charges").await, charges);
    // Three declines, one email to each billing contact (two), not six.
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'payment_failed'").await - emails_before, 2);
    // The client can still pay it themselves.
    let res = app
        .call_json(
            "payments/pay",
            json!({ "invoice_ids": [invoice], "method": "pm_nw_visa", "idempotency_key": "idem_owner_pays_00001" }),
            Some(&owner),
        )
        .await;
    assert!(matches!(res.json(), PaymentResult::Paid { .. }), "{}", res.body);
}

/// The body of a sandbox token, decoded, and the token rebuilt around an edited body.
fn edit_token(token: &str, edit: impl Fn(&mut serde_json::Value)) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let rest = token.strip_prefix("tok_sbx_").unwrap();
    let (body, signature) = rest.split_once('.').unwrap_or((rest, ""));
    let mut value: serde_json::Value = serde_json::from_slice(&b64.decode(body).unwrap()).unwrap();
    edit(&mut value);
    let edited = b64.encode(serde_json::to_vec(&value).unwrap());
    if signature.is_empty() { format!("tok_sbx_{edited}") } else { format!("tok_sbx_{edited}.{signature}") }
}

#[tokio::test]
async fn a_sandbox_token_edited_or_made_up_is_refused_and_fingerprints_are_keyed() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let declining = app.card_token("4000000000000341").await;
    // Turning a card whose charges fail into one whose charges succeed, or renaming it.
    for forged in [
        edit_token(&declining, |body| body["behaviour"] = json!("succeeds")),
        edit_token(&declining, |body| body["last4"] = json!("4242")),
        edit_token(&declining, |body| body["holder_name"] = json!("<img src=x onerror=alert(1)>")),
    ] {
        let res = app.call("payment-methods/add", &[("token", &forged), ("make_default", "false")], Some(&owner)).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
        assert!(res.body.contains("not recognised"), "{}", res.body);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM payment_methods WHERE account_id = 'acc_northwind'").await, 4);

    // A database dump gives no way to test a card number against the stored fingerprints.
    let good = app.card_token("4242424242424242").await;
    let added = app.call("payment-methods/add", &[("token", &good), ("make_default", "false")], Some(&owner)).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    let stored: String = sqlx::query_scalar("SELECT fingerprint FROM payment_methods WHERE account_id = 'acc_northwind' ORDER BY created_at DESC, id LIMIT 1")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    use sha2::Digest;
    let unkeyed =
        hex::encode(&sha2::Sha256::digest(b"portico-sandbox-fingerprint:card:4242424242424242:12:2030")[..12]);
    assert_ne!(stored, unkeyed);
    assert_eq!(stored.len(), 24);
}

#[tokio::test]
async fn a_clients_idempotency_key_can_neither_block_nor_stand_in_for_an_automatic_charge() {
    use portico::server::cycle::{RunOptions, run};
    let app = TestApp::with_demo_on(time::macros::date!(2026 - 11 - 22)).await;
    let owner = app.login("owner@northwind.test").await;
    // Subscriptions paid with a card whose charges fail: the cycle's first charge on Dec 1 fails,
    // and its retry on Dec 2 will use the key `cycle-<invoice>-2`.
    let token = app.card_token("4000000000000341").await;
    let added = app.call("payment-methods/add", &[("token", &token), ("make_default", "false")], Some(&owner)).await;
    let declining = added.json::<serde_json::Value>()["id"].as_str().unwrap().to_string();
    sqlx::query("UPDATE subscriptions SET payment_method_id = $1 WHERE account_id = 'acc_northwind'")
        .bind(&declining)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let set_day = |day: time::Date| {
        let target = day.midnight().assume_utc() + time::Duration::hours(6);
        app.clock.set(target);
    };
    set_day(time::macros::date!(2026 - 12 - 01));
    run(&app.state, &RunOptions::new(time::macros::date!(2026 - 12 - 01), "w"), &|_, _| {}).await.unwrap();
    let license: String = sqlx::query_scalar(
        "SELECT id FROM invoices WHERE account_id = 'acc_northwind' AND cycle_key = 'license:2026-12'",
    )
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    let total: i64 = app.count(&format!("SELECT total FROM invoices WHERE id = '{license}'")).await;

    let owner = app.login("owner@northwind.test").await;
    // The client, who can read the invoice's id in the portal, tops up $10 with the key the
    // cycle will use.
    let topped = app
        .call_json(
            "credit/top-up",
            json!({ "amount": "10", "method_id": "pm_nw_visa", "idempotency_key": format!("cycle-{license}-2") }),
            Some(&owner),
        )
        .await;
    assert!(matches!(topped.json(), PaymentResult::Paid { .. }), "{}", topped.body);

    // The retry on Dec 2 is its own charge, for the invoice's whole amount.
    sqlx::query("UPDATE subscriptions SET payment_method_id = 'pm_nw_visa' WHERE account_id = 'acc_northwind'")
        .execute(app.state.db.pool())
        .await
        .unwrap();
    set_day(time::macros::date!(2026 - 12 - 02));
    let report = run(&app.state, &RunOptions::new(time::macros::date!(2026 - 12 - 02), "w"), &|_, _| {}).await.unwrap();
    assert_eq!(report.charges_succeeded, 1, "{report:?}");
    let (charged, key): (i64, String) =
        sqlx::query_as("SELECT c.amount, c.idempotency_key FROM sandbox_charges c JOIN payments p ON p.processor_charge_id = c.id JOIN payment_allocations a ON a.payment_id = p.id WHERE a.invoice_id = $1 AND p.status = 'succeeded'")
            .bind(&license)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(key, format!("cycle-{license}-2"));
    assert!(charged > total, "the invoice and its card fee were charged: {charged} for {total}");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM invoices WHERE id = '{license}' AND status = 'paid' AND amount_paid = {total}"
        ))
        .await,
        1
    );

    // And at the processor a key reused for another amount is refused, never answered with the
    // first charge's outcome.
    use portico::server::infra::processors::{ChargeOutcome, ChargeRequest};
    let visa: String = sqlx::query_scalar("SELECT processor_token FROM payment_methods WHERE id = 'pm_nw_visa'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let money = |minor| portico::domain::money::Money::new(minor, portico::domain::currency::Currency::Usd);
    let first = app
        .state
        .processor
        .charge(ChargeRequest { token: &visa, amount: money(1_000), idempotency_key: "probe-reuse-key-1" })
        .await
        .unwrap();
    assert!(matches!(first, ChargeOutcome::Succeeded { .. }));
    let again = app
        .state
        .processor
        .charge(ChargeRequest { token: &visa, amount: money(1_000), idempotency_key: "probe-reuse-key-1" })
        .await
        .unwrap();
    assert_eq!(again, first, "the same request again is the same charge");
    let other = app
        .state
        .processor
        .charge(ChargeRequest { token: &visa, amount: money(99_999), idempotency_key: "probe-reuse-key-1" })
        .await
        .unwrap();
    assert!(matches!(other, ChargeOutcome::Failed { ref code, .. } if code == "idempotency_key_reused"), "{other:?}");
}
