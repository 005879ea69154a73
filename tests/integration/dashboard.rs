use axum::http::StatusCode;

use crate::support::TestApp;
use portico::domain::billing_items::{EstimateKind, InvoiceKind};
use portico::domain::currency::Currency;
use portico::domain::money::Money;
use portico::domain::payment_method::ExpiryState;
use portico::domain::role::Role;
use portico::wire::dashboard::Dashboard;

async fn dashboard_of(app: &TestApp, email: &str) -> Dashboard {
    let token = app.login(email).await;
    let res = app.call("dashboard", &[], Some(&token)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.json()
}

#[tokio::test]
async fn the_owner_sees_northwinds_open_items_subscriptions_and_methods() {
    let app = TestApp::with_demo().await;
    let d = dashboard_of(&app, "owner@northwind.test").await;
    assert_eq!(d.user_name, "Nora Whitfield");
    assert_eq!(d.user_initials, "NW");
    assert_eq!(d.company_name, "Northwind Traders LLC");
    assert_eq!(d.role, Role::Owner);
    assert_eq!(d.plan_names, vec!["Partner plan", "Phone number license"]);

    // The current license invoice (partner plan + 8 licenses) and last month's prorated one.
    let kinds: Vec<InvoiceKind> = d.open_invoices.iter().map(|i| i.kind).collect();
    assert_eq!(kinds, vec![InvoiceKind::ProratedLicense, InvoiceKind::License]);
    let license = &d.open_invoices[1];
    assert_eq!(license.amount_due, Money::new(49_900 + 8 * 1_500, Currency::Usd));
    assert!(!license.is_overdue);
    let prorated = &d.open_invoices[0];
    assert!(prorated.is_overdue);
    // Numbers added on the 10th of last month are licensed from that day to its end: with a
    // 31-day month $15.00 × 22/31 = $10.645… → $10.65 each, by the one rounding rule.
    let today = crate::support::pinned_today();
    assert_eq!(prorated.amount_due, Money::new(crate::support::demo_figures::prorated_invoice(today), Currency::Usd));

    let expected_total = license.amount_due.checked_add(prorated.amount_due).unwrap();
    assert_eq!(d.outstanding.0, vec![expected_total]);
    assert_eq!(d.overdue.0, vec![prorated.amount_due]);

    let estimates: Vec<(EstimateKind, bool)> = d.open_estimates.iter().map(|e| (e.kind, e.is_expired)).collect();
    assert_eq!(
        estimates,
        vec![(EstimateKind::Estimate, true), (EstimateKind::Proposal, false), (EstimateKind::Estimate, false)]
    );

    assert_eq!(d.subscriptions.len(), 2);
    let licenses = d.subscriptions.iter().find(|s| s.plan_name == "Phone number license").unwrap();
    assert_eq!(licenses.quantity, 8);
    assert_eq!(licenses.amount_per_period, Money::new(12_000, Currency::Usd));
    assert_eq!(licenses.payment_method.as_deref(), Some("Visa •••• 4242"));

    assert_eq!(d.payment_methods.len(), 4);
    assert!(d.payment_methods[0].is_default && d.payment_methods[0].label == "Visa •••• 4242");
    assert_eq!(d.payment_methods.iter().filter(|m| m.is_default).count(), 1);
    let mastercard = d.payment_methods.iter().find(|m| m.label == "Mastercard •••• 5556").unwrap();
    assert!(matches!(mastercard.expiry, Some(ExpiryState::ExpiringSoon { .. })), "{:?}", mastercard.expiry);
    assert!(d.payment_methods.iter().any(|m| m.label == "ACH •••• 6789 (Chase)"));
}

#[tokio::test]
async fn each_account_sees_only_its_own_items() {
    let app = TestApp::with_demo().await;
    let d = dashboard_of(&app, "owner@globex.test").await;
    assert_eq!(d.company_name, "Globex Corporation GmbH");
    assert_eq!(d.open_invoices.len(), 1);
    assert_eq!(d.outstanding.0, vec![Money::new(45_900 + 3 * 1_400, Currency::Eur)]);
    assert_eq!(d.open_estimates.len(), 1);
    assert_eq!(d.payment_methods.len(), 1);
    assert!(d.subscriptions.iter().all(|s| s.unit_amount.currency == Currency::Eur));
}

#[tokio::test]
async fn an_empty_account_gets_an_empty_dashboard_not_an_error() {
    let app = TestApp::with_demo().await;
    let pool = app.state.db.pool();
    sqlx::query("INSERT INTO accounts (id, vendor_id, name, currency, company_name, country, created_at) VALUES ('acc_new', 'ven_acme', 'Aardvark Ltd', 'GBP', 'Aardvark Ltd', 'GB', 0)")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO memberships (account_id, user_id, role, created_at) VALUES ('acc_new', 'usr_alex', 'owner', 0)",
    )
    .execute(pool)
    .await
    .unwrap();
    // Alex's first account by name is now Aardvark Ltd.
    let d = dashboard_of(&app, "staff@acme.test").await;
    assert_eq!(d.account_name, "Aardvark Ltd");
    assert!(d.open_invoices.is_empty() && d.open_estimates.is_empty());
    assert!(d.subscriptions.is_empty() && d.payment_methods.is_empty());
    assert!(d.outstanding.is_empty());
}
