use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::support::TestApp;
use portico::domain::currency::Currency;
use portico::domain::money::Money;
use portico::server::infra::processors::{ChargeOutcome, ChargeRequest};
use portico::wire::payment_methods::{PaymentMethodsView, RemovalOutcome, StoredMethod};

#[tokio::test]
async fn every_sandbox_card_behaves_like_its_stripe_test_card() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let cases = [
        ("4242424242424242", None, None),
        ("4000000000000002", Some("Your card was declined."), None),
        ("4000000000009995", Some("Your card has insufficient funds."), None),
        ("4000000000000069", Some("Your card has expired."), None),
        ("4000000000000127", Some("Your card's security code is incorrect."), None),
        ("4000000000000119", Some("An error occurred while processing your card. Try again in a little bit."), None),
        ("4000000000000341", None, Some("card_declined")),
    ];
    for (number, attach_error, charge_error) in cases {
        let token = app.card_token(number).await;
        let res = app.call("payment-methods/add", &[("token", &token), ("make_default", "false")], Some(&owner)).await;
        match attach_error {
            Some(message) => {
                assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{number}");
                assert_eq!(res.app_error().field_message("token").as_deref(), Some(message), "{number}");
            }
            None => assert_eq!(res.status, StatusCode::OK, "{number}: {}", res.body),
        }
        // Charging the token directly shows what a charge would do.
        let outcome = app
            .state
            .processor
            .charge(ChargeRequest {
                token: &token,
                amount: Money::new(1000, Currency::Usd),
                idempotency_key: &format!("probe-{number}"),
            })
            .await
            .unwrap();
        match (attach_error, charge_error) {
            (None, None) => assert!(matches!(outcome, ChargeOutcome::Succeeded { .. }), "{number}: {outcome:?}"),
            (_, Some(code)) => {
                assert!(matches!(&outcome, ChargeOutcome::Failed { code: c, .. } if c == code), "{number}: {outcome:?}")
            }
            (Some(_), None) => assert!(matches!(outcome, ChargeOutcome::Failed { .. }), "{number}: {outcome:?}"),
        }
    }
    let view: PaymentMethodsView = app.call("payment-methods", &[], Some(&owner)).await.json();
    assert_eq!(view.methods.len(), 4 + 2, "only 4242 and 0341 were added");
}

#[tokio::test]
async fn tokenization_refuses_bad_details_at_the_field() {
    let app = TestApp::with_demo().await;
    let res = app
        .tokenize(json!({"type": "card", "number": "4242 4242 4242 4241", "exp_month": "13", "exp_year": "2020", "cvc": "12", "holder_name": ""}))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors: Value = res.json();
    let fields: Vec<&str> = errors["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    for field in ["number", "exp_month", "cvc", "holder_name"] {
        assert!(fields.contains(&field), "{field} missing from {fields:?}");
    }
    let res = app
        .tokenize(json!({"type": "bank_account", "routing_number": "021000022", "account_number": "000123456789", "holder_name": "Northwind", "account_type": "checking"}))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("routing_number"));
}

#[tokio::test]
async fn only_the_token_brand_last_four_and_expiry_are_stored() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let token = app.card_token("5555 5555 5555 4444").await;
    assert!(!token.contains("5555555555554444"));
    let res = app.call("payment-methods/add", &[("token", &token), ("make_default", "true")], Some(&owner)).await;
    let added: StoredMethod = res.json();
    assert_eq!(added.label, "Mastercard •••• 4444");
    assert!(added.is_default);
    let stored: (String, Option<String>, Option<String>, Option<i64>, Option<i64>) =
        sqlx::query_as("SELECT processor_token, brand, last4, exp_month, exp_year FROM payment_methods WHERE id = $1")
            .bind(&added.id)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(stored, (token.clone(), Some("mastercard".into()), Some("4444".into()), Some(12), Some(2030)));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM payment_methods WHERE account_id = 'acc_northwind' AND is_default = 1").await,
        1
    );
    // The same card again is recognised by its fingerprint.
    let again = app.card_token("5555555555554444").await;
    let res = app.call("payment-methods/add", &[("token", &again), ("make_default", "false")], Some(&owner)).await;
    assert_eq!(res.app_error().field_message("token").as_deref(), Some("This payment method is already on file."));
}

#[tokio::test]
async fn a_bank_account_keeps_only_its_last_four() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let res = app
        .tokenize(json!({"type": "bank_account", "routing_number": "110000000", "account_number": "000123456789", "holder_name": "Northwind Traders LLC", "account_type": "checking"}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let token = res.json::<Value>()["token"].as_str().unwrap().to_string();
    let added: StoredMethod =
        app.call("payment-methods/add", &[("token", &token), ("make_default", "false")], Some(&owner)).await.json();
    assert_eq!(added.label, "ACH •••• 6789 (Stripe Test Bank)");
    assert_eq!(app.count("SELECT COUNT(*) FROM payment_methods WHERE processor_token LIKE '%000123456789%'").await, 0);
}

#[tokio::test]
async fn making_a_method_default_leaves_exactly_one_default() {
    let app = TestApp::with_demo().await;
    let owner = app.login("billing@northwind.test").await;
    let res = app.call("payment-methods/default", &[("id", "pm_nw_amex")], Some(&owner)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let defaults: Vec<String> =
        sqlx::query_scalar("SELECT id FROM payment_methods WHERE account_id = 'acc_northwind' AND is_default = 1")
            .fetch_all(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(defaults, vec!["pm_nw_amex".to_string()]);
    // Another account's method answers like a missing one.
    let res = app.call("payment-methods/default", &[("id", "pm_gx_mc")], Some(&owner)).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'payment_method.made_default'").await, 1);
}

#[tokio::test]
async fn a_method_paying_an_active_subscription_cannot_be_removed_until_they_move() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let res = app.call("payment-methods/remove", &[("id", "pm_nw_visa")], Some(&owner)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let RemovalOutcome::PaysSubscriptions { subscriptions, alternatives } = res.json() else {
        panic!("removal should be refused")
    };
    let plans: Vec<&str> = subscriptions.iter().map(|s| s.plan_name.as_str()).collect();
    assert_eq!(plans, vec!["Partner plan", "Phone number license"]);
    assert!(alternatives.iter().any(|(id, label)| id == "pm_nw_amex" && label == "American Express •••• 8431"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM payment_methods WHERE id = 'pm_nw_visa' AND removed_at IS NULL").await,
        1
    );

    // Moving to another account's method is refused, and changes nothing.
    let res = app
        .call("payment-methods/remove", &[("id", "pm_nw_visa"), ("move_subscriptions_to", "pm_gx_mc")], Some(&owner))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("SELECT COUNT(*) FROM subscriptions WHERE payment_method_id = 'pm_nw_visa'").await, 2);

    let res = app
        .call("payment-methods/remove", &[("id", "pm_nw_visa"), ("move_subscriptions_to", "pm_nw_amex")], Some(&owner))
        .await;
    assert_eq!(res.json::<RemovalOutcome>(), RemovalOutcome::Removed);
    assert_eq!(app.count("SELECT COUNT(*) FROM subscriptions WHERE payment_method_id = 'pm_nw_amex'").await, 2);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM payment_methods WHERE id = 'pm_nw_visa' AND removed_at IS NULL").await,
        0
    );
    // The default moved with the subscriptions.
    assert_eq!(app.count("SELECT COUNT(*) FROM payment_methods WHERE id = 'pm_nw_amex' AND is_default = 1").await, 1);
    // A method paying nothing is removed at once.
    let res = app.call("payment-methods/remove", &[("id", "pm_nw_mc")], Some(&owner)).await;
    assert_eq!(res.json::<RemovalOutcome>(), RemovalOutcome::Removed);
}

#[tokio::test]
async fn payment_method_functions_refuse_members_and_other_accounts() {
    let app = TestApp::with_demo().await;
    let member = app.login("member@northwind.test").await;
    let globex = app.login("owner@globex.test").await;
    let token = app.card_token("4242424242424242").await;
    for (endpoint, form) in [
        ("payment-methods", vec![]),
        ("payment-methods/add", vec![("token", token.as_str()), ("make_default", "false")]),
        ("payment-methods/default", vec![("id", "pm_nw_amex")]),
        ("payment-methods/remove", vec![("id", "pm_nw_amex")]),
    ] {
        assert_eq!(app.call(endpoint, &form, Some(&member)).await.status, StatusCode::FORBIDDEN, "member: {endpoint}");
        assert_eq!(app.call(endpoint, &form, None).await.status, StatusCode::UNAUTHORIZED, "anonymous: {endpoint}");
    }
    for (endpoint, form) in [
        ("payment-methods/default", vec![("id", "pm_nw_amex")]),
        ("payment-methods/remove", vec![("id", "pm_nw_amex")]),
    ] {
        assert_eq!(app.call(endpoint, &form, Some(&globex)).await.status, StatusCode::NOT_FOUND, "globex: {endpoint}");
    }
    let view: PaymentMethodsView = app.call("payment-methods", &[], Some(&globex)).await.json();
    assert!(view.methods.iter().all(|m| m.id.starts_with("pm_gx") || !m.id.starts_with("pm_nw")));
    assert_eq!(app.count("SELECT COUNT(*) FROM payment_methods WHERE removed_at IS NOT NULL").await, 0);
}
