//! Managing subscriptions. The golden proration tests run on the demo of 2026-11-22, in the
//! period Nov 1 – Dec 1 (30 days), so a change that day counts 9 days: Nov 22 to Nov 30
//! inclusive. The others follow the suite's pinned date and derive their figures from the preview.

use axum::http::StatusCode;
use serde_json::json;
use time::Duration;

use crate::support::{TestApp, json_request, send};
use portico::wire::billing_items::InvoiceDetail;
use portico::wire::error::AppError;
use portico::wire::payments::PaymentResult;
use portico::wire::subscriptions::{ChangeOutcome, ChangePreview, SubscriptionsPage};

const LICENSES: &str = "sub_nw_licenses";
const PARTNER: &str = "sub_nw_partner";

/// The demo on 22 November 2026, for tests whose figures are that calendar's proration.
async fn golden_demo() -> TestApp {
    TestApp::with_demo_on(time::macros::date!(2026 - 11 - 22)).await
}

async fn preview(app: &TestApp, session: &str, sub: &str, plan: &str, quantity: i64) -> ChangePreview {
    let res = app
        .call_json(
            "subscriptions/preview",
            json!({"subscription_id": sub, "plan_id": plan, "quantity": quantity}),
            Some(session),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.json()
}

fn change_body(p: &ChangePreview, plan: &str) -> serde_json::Value {
    json!({
        "subscription_id": p.subscription_id, "plan_id": plan, "quantity": p.quantity, "version": p.version,
        "expected_due_now": p.due_now.minor, "idempotency_key": p.idempotency_key,
    })
}

async fn confirm(app: &TestApp, session: &str, p: &ChangePreview, plan: &str) -> ChangeOutcome {
    let res = app.call_json("subscriptions/change", change_body(p, plan), Some(session)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.json()
}

async fn page(app: &TestApp, session: &str) -> SubscriptionsPage {
    let res = app.call("subscriptions", &[], Some(session)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.json()
}

/// Pays the month's open license invoice with the default card, as the client would.
async fn pay_license_invoice(app: &TestApp, session: &str) {
    let license: String = sqlx::query_scalar(
        "SELECT id FROM invoices WHERE account_id = 'acc_northwind' AND kind = 'license' AND status = 'open'",
    )
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    let res = app
        .call_json(
            "payments/pay",
            json!({ "invoice_ids": [license], "method": "pm_nw_visa", "idempotency_key": "idem_license_paid_0001" }),
            Some(session),
        )
        .await;
    assert!(matches!(res.json(), PaymentResult::Paid { .. }), "{}", res.body);
}

async fn quantity(app: &TestApp, sub: &str) -> i64 {
    app.count(&format!("SELECT quantity FROM subscriptions WHERE id = '{sub}'")).await
}

#[tokio::test]
async fn the_page_lists_each_subscription_with_its_period_renewal_method_and_plan_choices() {
    let app = golden_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let p = page(&app, &owner).await;
    assert_eq!(p.subscriptions.len(), 2);
    let licenses = p.subscriptions.iter().find(|s| s.id == LICENSES).unwrap();
    assert_eq!((licenses.quantity, licenses.unit_amount.minor, licenses.renewal_amount.minor), (8, 1_500, 12_000));
    assert_eq!(licenses.period_start.to_string(), "2026-11-01");
    assert_eq!(licenses.period_end.to_string(), "2026-12-01");
    assert_eq!(licenses.payment_method_label.as_deref(), Some("Visa •••• 4242"));
    assert!(licenses.plan_options.is_empty(), "no other license plan in USD");
    let partner = p.subscriptions.iter().find(|s| s.id == PARTNER).unwrap();
    let options: Vec<&str> = partner.plan_options.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(options, ["Partner Plus plan"], "same kind, currency and interval only");
    // Cards and bank accounts can renew a subscription; wire transfers cannot.
    assert_eq!(p.methods.len(), 4);
    let ledger =
        app.count("SELECT CAST(SUM(amount) AS BIGINT) FROM credit_entries WHERE account_id = 'acc_northwind'").await;
    assert_eq!(
        p.credit_balance.iter().map(|m| m.minor).collect::<Vec<_>>(),
        [ledger],
        "the balance is the sum of the ledger"
    );
}

#[tokio::test]
async fn the_preview_is_exactly_what_is_charged_and_invoiced() {
    let app = golden_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let p = preview(&app, &owner, LICENSES, "plan_license_usd", 10).await;
    // Credit: 8 × $15 × 9/30 = $36.00. Charge: 10 × $15 × 9/30 = $45.00. Card fee 4% of $9.00.
    assert_eq!((p.days_left, p.days_in_period), (9, 30));
    assert_eq!(
        (p.credit.minor, p.charge.minor, p.net.minor, p.fee.minor, p.due_now.minor),
        (3_600, 4_500, 900, 36, 936)
    );
    assert_eq!(p.next_renewal_amount.minor, 15_000);
    assert_eq!(p.next_renewal_date.to_string(), "2026-12-01");

    let outcome = confirm(&app, &owner, &p, "plan_license_usd").await;
    let Some(PaymentResult::Paid { total, fee, amount, .. }) = outcome.payment.clone() else { panic!("{outcome:?}") };
    assert_eq!((amount.minor, fee.minor, total.minor), (900, 36, p.due_now.minor));
    assert_eq!(outcome.next_renewal_amount.minor, 15_000);
    assert_eq!(quantity(&app, LICENSES).await, 10);

    let invoice_id = outcome.invoice_id.clone().unwrap();
    let invoice: InvoiceDetail = app.call("invoice", &[("id", &invoice_id)], Some(&owner)).await.json();
    assert_eq!(invoice.total.minor, 900);
    let amounts: Vec<i64> = invoice.lines.iter().map(|l| l.amount.minor).collect();
    assert_eq!(amounts, [-3_600, 4_500]);
    assert!(invoice.lines[0].description.contains("8 × Phone number license"), "{}", invoice.lines[0].description);
    assert!(
        invoice.lines[1].description.contains("10 × Phone number license, Nov 22 – Nov 30, 2026"),
        "{}",
        invoice.lines[1].description
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM invoices WHERE id = '{invoice_id}' AND status = 'paid' AND kind = 'prorated_license'"
        ))
        .await,
        1
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'subscription.changed'").await, 1);

    // The same confirmation again (a double click, a retry) is the same change and charge.
    let invoices = app.count("SELECT COUNT(*) FROM invoices").await;
    let payments = app.count("SELECT COUNT(*) FROM payments").await;
    let again = confirm(&app, &owner, &p, "plan_license_usd").await;
    assert_eq!(again.invoice_id, outcome.invoice_id);
    assert_eq!(again.payment, outcome.payment);
    assert_eq!(app.count("SELECT COUNT(*) FROM invoices").await, invoices);
    assert_eq!(app.count("SELECT COUNT(*) FROM payments").await, payments);
    assert_eq!(quantity(&app, LICENSES).await, 10);
}

#[tokio::test]
async fn simultaneous_confirmations_make_one_change_and_one_charge() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let p = preview(&app, &owner, LICENSES, "plan_license_usd", 12).await;
    let invoices = app.count("SELECT COUNT(*) FROM invoices").await;
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let (router, body, session) = (app.router.clone(), change_body(&p, "plan_license_usd"), owner.clone());
        tasks.push(tokio::spawn(async move {
            send(&router, json_request("/api/subscriptions/change", body, Some(&session))).await
        }));
    }
    for task in tasks {
        let res = task.await.unwrap();
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM invoices").await, invoices + 1);
    assert!(p.net.minor > 0, "{p:?}");
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM payments WHERE status = 'succeeded' AND amount = {}", p.net.minor))
            .await,
        1
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM subscription_changes WHERE kind = 'items'").await, 1);
    assert_eq!(quantity(&app, LICENSES).await, 12);
}

#[tokio::test]
async fn lowering_the_quantity_credits_the_unused_time_to_the_balance() {
    let app = golden_demo().await;
    let owner = app.login("owner@northwind.test").await;
    // November's license invoice paid: the period's licenses are paid for.
    pay_license_invoice(&app, &owner).await;
    let invoices = app.count("SELECT COUNT(*) FROM invoices").await;
    let before = page(&app, &owner).await.credit_balance[0].minor;
    let p = preview(&app, &owner, LICENSES, "plan_license_usd", 5).await;
    // Credit $36.00, charge 5 × $15 × 9/30 = $22.50: $13.50 to the balance, nothing charged.
    assert_eq!(
        (p.credit.minor, p.charge.minor, p.net.minor, p.due_now.minor, p.credited.minor),
        (3_600, 2_250, -1_350, 0, 1_350)
    );
    let outcome = confirm(&app, &owner, &p, "plan_license_usd").await;
    assert_eq!((outcome.payment, outcome.invoice_id, outcome.credited.minor), (None, None, 1_350));
    assert_eq!(app.count("SELECT COUNT(*) FROM invoices").await, invoices);
    let balance = page(&app, &owner).await.credit_balance;
    assert_eq!(balance.iter().map(|m| m.minor).collect::<Vec<_>>(), [before + 1_350]);
}

#[tokio::test]
async fn an_upgrade_then_a_downgrade_in_one_period_charges_then_credits_the_difference() {
    let app = golden_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let up = preview(&app, &owner, LICENSES, "plan_license_usd", 10).await;
    confirm(&app, &owner, &up, "plan_license_usd").await;
    app.clock.advance(Duration::days(4));
    let owner = app.login("owner@northwind.test").await;
    // Nov 26: 5 days left. Credit 10 × $15 × 5/30 = $25.00, charge 8 × $15 × 5/30 = $20.00.
    let down = preview(&app, &owner, LICENSES, "plan_license_usd", 8).await;
    assert_eq!(down.version, up.version + 1);
    assert_eq!((down.days_left, down.credit.minor, down.charge.minor, down.credited.minor), (5, 2_500, 2_000, 500));
    confirm(&app, &owner, &down, "plan_license_usd").await;
    // Paid $9.00 for 2 extra numbers over 9 days, got $5.00 back for 5 of them: 2 × $15 × 4/30 = $4.00 net.
    let paid = app
        .count(
            "SELECT CAST(SUM(p.amount) AS BIGINT) FROM payments p
         JOIN payment_allocations a ON a.payment_id = p.id
         JOIN subscription_changes c ON c.invoice_id = a.invoice_id
         WHERE p.status = 'succeeded'",
        )
        .await;
    let credited = app.count("SELECT CAST(SUM(amount) AS BIGINT) FROM credit_entries WHERE account_id = 'acc_northwind' AND kind = 'proration'").await;
    assert_eq!(paid - credited, 400);
    assert_eq!(quantity(&app, LICENSES).await, 8);
}

#[tokio::test]
async fn changing_plan_prorates_both_prices_and_refuses_what_cannot_be_switched() {
    let app = golden_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let p = preview(&app, &owner, PARTNER, "plan_partner_plus_usd", 1).await;
    // $499 × 9/30 = $149.70 back, $799 × 9/30 = $239.70 for Partner Plus: $90.00 + 4% = $93.60.
    assert_eq!((p.credit.minor, p.charge.minor, p.due_now.minor), (14_970, 23_970, 9_360));
    let outcome = confirm(&app, &owner, &p, "plan_partner_plus_usd").await;
    assert!(matches!(outcome.payment, Some(PaymentResult::Paid { .. })), "{outcome:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM subscriptions WHERE id = 'sub_nw_partner' AND plan_id = 'plan_partner_plus_usd' AND unit_amount = 79900").await, 1);

    for (plan, quantity, field) in [
        ("plan_partner_plus_usd", 2, "quantity"), // one partner plan per account
        ("plan_license_usd", 1, "plan"),          // another kind of plan
        ("plan_partner_eur", 1, "plan"),          // another currency
        ("plan_nothing", 1, "plan"),
    ] {
        let res = app
            .call_json(
                "subscriptions/preview",
                json!({"subscription_id": PARTNER, "plan_id": plan, "quantity": quantity}),
                Some(&owner),
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{plan}");
        assert!(res.app_error().field_message(field).is_some(), "{plan}: {}", res.body);
    }
    for quantity in [0, -3, 10_001] {
        let res = app
            .call_json(
                "subscriptions/preview",
                json!({"subscription_id": LICENSES, "plan_id": "plan_license_usd", "quantity": quantity}),
                Some(&owner),
            )
            .await;
        assert_eq!(res.app_error().field_message("quantity").as_deref(), Some("Enter a whole number from 1 to 10000."));
    }
    let same = app
        .call_json(
            "subscriptions/preview",
            json!({"subscription_id": LICENSES, "plan_id": "plan_license_usd", "quantity": 8}),
            Some(&owner),
        )
        .await;
    assert!(same.app_error().to_string().contains("what you have now"));
}

#[tokio::test]
async fn a_change_is_refused_when_the_amount_or_the_subscription_moved_since_the_preview() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let p = preview(&app, &owner, LICENSES, "plan_license_usd", 10).await;
    let invoices = app.count("SELECT COUNT(*) FROM invoices").await;

    let mut wrong_amount = change_body(&p, "plan_license_usd");
    wrong_amount["expected_due_now"] = json!(p.due_now.minor + 1);
    let res = app.call_json("subscriptions/change", wrong_amount, Some(&owner)).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(
        res.app_error().to_string().contains(&format!("The amount due now is {}", p.due_now.format())),
        "{}",
        res.body
    );

    // Another change lands first: the old preview no longer applies.
    let other = preview(&app, &owner, LICENSES, "plan_license_usd", 9).await;
    confirm(&app, &owner, &other, "plan_license_usd").await;
    let res = app.call_json("subscriptions/change", change_body(&p, "plan_license_usd"), Some(&owner)).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.app_error().to_string().contains("changed since you opened it"));
    assert_eq!(quantity(&app, LICENSES).await, 9);
    assert_eq!(app.count("SELECT COUNT(*) FROM invoices").await, invoices + 1);

    // On the renewal date the period is over: no proration against a finished period.
    app.clock.advance(Duration::days(
        (p.next_renewal_date - portico::server::infra::clock::today(app.clock.as_ref())).whole_days(),
    ));
    let owner = app.login("owner@northwind.test").await;
    let res = app
        .call_json(
            "subscriptions/preview",
            json!({"subscription_id": LICENSES, "plan_id": "plan_license_usd", "quantity": 11}),
            Some(&owner),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.app_error().to_string().contains("renewing right now"));
}

#[tokio::test]
async fn a_change_whose_charge_is_declined_leaves_the_subscription_past_due_until_its_invoice_is_paid() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let token = app.card_token("4000000000000341").await;
    let added = app.call("payment-methods/add", &[("token", &token), ("make_default", "false")], Some(&owner)).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    let declining = added.json::<serde_json::Value>()["id"].as_str().unwrap().to_string();
    let res = app
        .call(
            "subscriptions/payment-method",
            &[("subscription_id", LICENSES), ("payment_method_id", &declining)],
            Some(&owner),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);

    let p = preview(&app, &owner, LICENSES, "plan_license_usd", 10).await;
    let outcome = confirm(&app, &owner, &p, "plan_license_usd").await;
    assert!(matches!(outcome.payment, Some(PaymentResult::Declined { .. })), "{outcome:?}");
    let invoice_id = outcome.invoice_id.unwrap();
    let number = outcome.invoice_number.unwrap();
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM invoices WHERE id = '{invoice_id}' AND status = 'open' AND payment_in_progress_id IS NULL")).await, 1);
    assert_eq!(quantity(&app, LICENSES).await, 10);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM subscriptions WHERE id = 'sub_nw_licenses' AND status = 'past_due'").await,
        1
    );
    // The billing contacts are told, with a link to pay it.
    assert!(app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'payment_failed'").await >= 1);

    // Lowering the quantity again would credit time nobody paid for: refused, naming the invoice.
    let credits = app.count("SELECT COUNT(*) FROM credit_entries WHERE kind = 'proration'").await;
    let res = app
        .call_json(
            "subscriptions/preview",
            json!({"subscription_id": LICENSES, "plan_id": "plan_license_usd", "quantity": 5}),
            Some(&owner),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(
        res.app_error().to_string(),
        format!("Pay invoice {number} for the last change to this subscription before changing it again.")
    );
    let mut lower = change_body(&p, "plan_license_usd");
    lower["quantity"] = json!(5);
    lower["version"] = json!(p.version + 1);
    lower["idempotency_key"] = json!("idem_lower_after_decline");
    assert_eq!(app.call_json("subscriptions/change", lower, Some(&owner)).await.status, StatusCode::CONFLICT);
    assert_eq!(app.count("SELECT COUNT(*) FROM credit_entries WHERE kind = 'proration'").await, credits);

    // Paying the change's invoice puts the subscription back in good standing.
    let paid = app
        .call_json(
            "payments/pay",
            json!({ "invoice_ids": [invoice_id], "method": "pm_nw_visa", "idempotency_key": "idem_pay_the_change_01" }),
            Some(&owner),
        )
        .await;
    assert!(matches!(paid.json(), PaymentResult::Paid { .. }), "{}", paid.body);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM subscriptions WHERE id = 'sub_nw_licenses' AND status = 'active'").await,
        1
    );
    assert_eq!(preview(&app, &owner, LICENSES, "plan_license_usd", 9).await.quantity, 9);
}

#[tokio::test]
async fn a_downgrade_never_credits_more_than_was_paid_toward_the_period() {
    let app = golden_demo().await;
    let owner = app.login("owner@northwind.test").await;
    // November's license invoice is still open: nothing was paid for the period, so lowering the
    // quantity credits nothing (the open invoice is still owed in full).
    let before = page(&app, &owner).await.credit_balance[0].minor;
    let p = preview(&app, &owner, LICENSES, "plan_license_usd", 5).await;
    assert_eq!((p.credit.minor, p.net.minor, p.credited.minor), (3_600, -1_350, 0));
    let outcome = confirm(&app, &owner, &p, "plan_license_usd").await;
    assert_eq!(outcome.credited.minor, 0);
    assert_eq!(page(&app, &owner).await.credit_balance[0].minor, before);

    // Raised again and paid for ($13.50 for 3 more numbers for 9 days, plus the fee), then
    // lowered to one: credited at most the $13.50 actually paid, not $31.50 of unpaid time.
    let up = preview(&app, &owner, LICENSES, "plan_license_usd", 8).await;
    assert!(matches!(confirm(&app, &owner, &up, "plan_license_usd").await.payment, Some(PaymentResult::Paid { .. })));
    let down = preview(&app, &owner, LICENSES, "plan_license_usd", 1).await;
    assert_eq!(down.credited.minor, up.net.minor, "{down:?}");
    confirm(&app, &owner, &down, "plan_license_usd").await;
    let credited = app.count("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM credit_entries WHERE account_id = 'acc_northwind' AND kind = 'proration'").await;
    let paid = app.count("SELECT CAST(SUM(i.amount_paid) AS BIGINT) FROM invoices i JOIN subscription_changes c ON c.invoice_id = i.id").await;
    assert!(credited <= paid, "credited {credited} of {paid} paid");
}

#[tokio::test]
async fn the_paying_method_can_move_to_another_card_or_bank_account_only() {
    let app = TestApp::with_demo().await;
    let owner = app.login("billing@northwind.test").await;
    let res = app
        .call(
            "subscriptions/payment-method",
            &[("subscription_id", LICENSES), ("payment_method_id", "pm_nw_ach")],
            Some(&owner),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM subscriptions WHERE id = 'sub_nw_licenses' AND payment_method_id = 'pm_nw_ach'"
        )
        .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'subscription.payment_method_changed'").await,
        1
    );

    // Another account's card is not one of yours.
    let res = app
        .call(
            "subscriptions/payment-method",
            &[("subscription_id", LICENSES), ("payment_method_id", "pm_gx_mc")],
            Some(&owner),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.app_error().field_message("payment_method").is_some());
}

#[tokio::test]
async fn cancelling_at_period_end_and_resuming() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let res = app
        .call(
            "subscriptions/cancel",
            &[("subscription_id", LICENSES), ("reason", "Moving numbers to another provider")],
            Some(&owner),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let p = page(&app, &owner).await;
    let s = p.subscriptions.iter().find(|s| s.id == LICENSES).unwrap();
    assert!(s.cancel_at_period_end);
    assert_eq!(s.cancellation_reason.as_deref(), Some("Moving numbers to another provider"));
    assert_eq!(s.renewal_amount.minor, 0, "nothing renews");
    assert_eq!(app.count("SELECT COUNT(*) FROM subscriptions WHERE id = 'sub_nw_licenses' AND status = 'active' AND cancel_requested_by = 'usr_nora'").await, 1);

    let again = app.call("subscriptions/cancel", &[("subscription_id", LICENSES), ("reason", "")], Some(&owner)).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.app_error().to_string().contains("already set to end"));
    let change = app
        .call_json(
            "subscriptions/preview",
            json!({"subscription_id": LICENSES, "plan_id": "plan_license_usd", "quantity": 9}),
            Some(&owner),
        )
        .await;
    assert_eq!(change.status, StatusCode::CONFLICT);
    assert_eq!(change.app_error().to_string(), "Resume the subscription before changing it.");

    let res = app.call("subscriptions/resume", &[("subscription_id", LICENSES)], Some(&owner)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let s = page(&app, &owner).await.subscriptions.into_iter().find(|s| s.id == LICENSES).unwrap();
    assert!(!s.cancel_at_period_end);
    assert_eq!((s.cancellation_reason, s.renewal_amount.minor), (None, 12_000));
    let again = app.call("subscriptions/resume", &[("subscription_id", LICENSES)], Some(&owner)).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    for action in ["subscription.cancel_scheduled", "subscription.resumed"] {
        assert_eq!(
            app.count(&format!("SELECT COUNT(*) FROM audit_events WHERE action = '{action}'")).await,
            1,
            "{action}"
        );
    }

    // A reason is optional, but not an essay.
    let long = "x".repeat(1001);
    let res = app.call("subscriptions/cancel", &[("subscription_id", LICENSES), ("reason", &long)], Some(&owner)).await;
    assert!(res.app_error().field_message("reason").is_some());
}

#[tokio::test]
async fn past_due_and_ended_subscriptions_refuse_what_their_state_does_not_allow() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    sqlx::query("UPDATE subscriptions SET status = 'past_due' WHERE id = 'sub_nw_licenses'")
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let res = app
        .call_json(
            "subscriptions/preview",
            json!({"subscription_id": LICENSES, "plan_id": "plan_license_usd", "quantity": 9}),
            Some(&owner),
        )
        .await;
    assert_eq!(res.app_error().to_string(), "Pay the overdue invoice before changing this subscription.");
    // Moving a past-due subscription to a working card is how it gets paid.
    let res = app
        .call(
            "subscriptions/payment-method",
            &[("subscription_id", LICENSES), ("payment_method_id", "pm_nw_amex")],
            Some(&owner),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);

    sqlx::query("UPDATE subscriptions SET status = 'cancelled' WHERE id = 'sub_nw_licenses'")
        .execute(app.state.db.pool())
        .await
        .unwrap();
    for (endpoint, form) in [
        ("subscriptions/cancel", vec![("subscription_id", LICENSES), ("reason", "")]),
        ("subscriptions/resume", vec![("subscription_id", LICENSES)]),
        ("subscriptions/payment-method", vec![("subscription_id", LICENSES), ("payment_method_id", "pm_nw_visa")]),
    ] {
        let res = app.call(endpoint, &form, Some(&owner)).await;
        assert_eq!(res.status, StatusCode::CONFLICT, "{endpoint}");
        assert_eq!(res.app_error().to_string(), "This subscription has ended.", "{endpoint}");
    }
}

#[tokio::test]
async fn every_subscription_function_checks_the_role_and_the_account() {
    let app = TestApp::with_demo().await;
    let member = app.login("member@northwind.test").await;
    let globex = app.login("owner@globex.test").await;
    let preview_body = |sub: &str| json!({"subscription_id": sub, "plan_id": "plan_license_usd", "quantity": 9});
    let change = |sub: &str| {
        json!({"subscription_id": sub, "plan_id": "plan_license_usd", "quantity": 9, "version": 0, "expected_due_now": 0,
               "idempotency_key": "idem_0123456789abcdef"})
    };
    let form_calls = |sub: &'static str| {
        [
            ("subscriptions/payment-method", vec![("subscription_id", sub), ("payment_method_id", "pm_nw_visa")]),
            ("subscriptions/cancel", vec![("subscription_id", sub), ("reason", "")]),
            ("subscriptions/resume", vec![("subscription_id", sub)]),
        ]
    };

    // A member has no billing access: refused before anything is read.
    assert_eq!(app.call("subscriptions", &[], Some(&member)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.call_json("subscriptions/preview", preview_body(LICENSES), Some(&member)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.call_json("subscriptions/change", change(LICENSES), Some(&member)).await.status,
        StatusCode::FORBIDDEN
    );
    for (endpoint, form) in form_calls(LICENSES) {
        assert_eq!(app.call(endpoint, &form, Some(&member)).await.status, StatusCode::FORBIDDEN, "{endpoint}");
    }
    // Signed out: asked to sign in.
    assert_eq!(app.call("subscriptions", &[], None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.call_json("subscriptions/change", change(LICENSES), None).await.status, StatusCode::UNAUTHORIZED);

    // Another account's subscription answers exactly like a missing one.
    let foreign = app.call_json("subscriptions/preview", preview_body(LICENSES), Some(&globex)).await;
    let missing = app.call_json("subscriptions/preview", preview_body("sub_missing"), Some(&globex)).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    assert_eq!((foreign.status, &foreign.body), (missing.status, &missing.body));
    let foreign = app.call_json("subscriptions/change", change(LICENSES), Some(&globex)).await;
    let missing = app.call_json("subscriptions/change", change("sub_missing"), Some(&globex)).await;
    assert_eq!(foreign.app_error(), AppError::NotFound);
    assert_eq!((foreign.status, &foreign.body), (missing.status, &missing.body));
    for ((endpoint, form), (_, missing_form)) in form_calls(LICENSES).into_iter().zip(form_calls("sub_missing")) {
        let foreign = app.call(endpoint, &form, Some(&globex)).await;
        let missing = app.call(endpoint, &missing_form, Some(&globex)).await;
        assert_eq!(foreign.status, StatusCode::NOT_FOUND, "{endpoint}");
        assert_eq!((foreign.status, &foreign.body), (missing.status, &missing.body), "{endpoint}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM subscription_changes").await, 0);
    assert_eq!(quantity(&app, LICENSES).await, 8);
}
