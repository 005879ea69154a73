use axum::http::StatusCode;

use crate::support::{PASSWORD, TestApp, call_request_with};
use portico::domain::role::Role;
use portico::wire::dashboard::NoAccessInfo;
use portico::wire::error::AppError;
use portico::wire::staff::ClientRow;

async fn an_invoice_of(app: &TestApp, account: &str) -> String {
    sqlx::query_scalar("SELECT id FROM invoices WHERE account_id = $1 ORDER BY number LIMIT 1")
        .bind(account)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn another_accounts_invoice_answers_exactly_like_a_missing_one() {
    let app = TestApp::with_demo().await;
    let northwind_invoice = an_invoice_of(&app, "acc_northwind").await;
    let globex = app.login("owner@globex.test").await;

    let foreign = app.call("invoice", &[("id", &northwind_invoice)], Some(&globex)).await;
    let missing = app.call("invoice", &[("id", "inv_doesnotexist0000000000")], Some(&globex)).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    assert_eq!((foreign.status, &foreign.body), (missing.status, &missing.body));
    assert_eq!(foreign.app_error(), AppError::NotFound);

    // The owner of the invoice does see it.
    let northwind = app.login("owner@northwind.test").await;
    let own = app.call("invoice", &[("id", &northwind_invoice)], Some(&northwind)).await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
}

#[tokio::test]
async fn another_accounts_estimate_answers_exactly_like_a_missing_one() {
    let app = TestApp::with_demo().await;
    let globex = app.login("owner@globex.test").await;
    let foreign = app.call("estimate", &[("id", "est_nw_onboarding")], Some(&globex)).await;
    let missing = app.call("estimate", &[("id", "est_nothing")], Some(&globex)).await;
    assert_eq!((foreign.status, &foreign.body), (missing.status, &missing.body));
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn cross_site_posts_are_refused_before_anything_runs() {
    let app = TestApp::with_demo().await;
    let login = [("email", "owner@northwind.test"), ("password", PASSWORD)];
    for headers in [
        vec![("sec-fetch-site", "cross-site"), ("origin", "https://evil.example")],
        vec![("sec-fetch-site", "same-site"), ("origin", "https://sub.127.0.0.1")],
        vec![("origin", "https://evil.example")],
        vec![("origin", "null")],
    ] {
        let res = app.send(call_request_with("login", &login, None, &headers)).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{headers:?}");
        assert_eq!(res.app_error(), AppError::CrossSite);
        assert!(res.session_cookie().is_none());
    }
    // Nothing ran: no session, and not even a failed-login record.
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action LIKE 'login%'").await, 0);

    // A signed-in user's logout cannot be triggered from another site either.
    let token = app.login("owner@northwind.test").await;
    let res = app.send(call_request_with("logout", &[], Some(&token), &[("sec-fetch-site", "cross-site")])).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 1);
}

#[tokio::test]
async fn a_member_is_refused_billing_data_and_told_who_can_help() {
    let app = TestApp::with_demo().await;
    let member = app.login("member@northwind.test").await;
    let invoice = an_invoice_of(&app, "acc_northwind").await;
    for (endpoint, form) in [
        ("dashboard", vec![]),
        ("invoice", vec![("id", invoice.as_str())]),
        ("estimate", vec![("id", "est_nw_onboarding")]),
    ] {
        let res = app.call(endpoint, &form, Some(&member)).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{endpoint}");
        assert_eq!(res.app_error(), AppError::Forbidden);
        assert!(!res.body.contains("ACME-"), "no billing data in the refusal");
    }
    let res = app.call("billing-helpers", &[], Some(&member)).await;
    assert_eq!(res.status, StatusCode::OK);
    let info: NoAccessInfo = res.json();
    assert_eq!(info.account_name, "Northwind Traders");
    assert_eq!(info.your_role, Role::Member);
    let people: Vec<(&str, Role)> = info.people.iter().map(|p| (p.email.as_str(), p.role)).collect();
    assert_eq!(people, vec![("owner@northwind.test", Role::Owner), ("billing@northwind.test", Role::BillingManager)]);
}

#[tokio::test]
async fn billing_roles_may_read_billing_data() {
    let app = TestApp::with_demo().await;
    for email in ["owner@northwind.test", "billing@northwind.test", "owner@globex.test"] {
        let token = app.login(email).await;
        let res = app.call("dashboard", &[], Some(&token)).await;
        assert_eq!(res.status, StatusCode::OK, "{email}: {}", res.body);
    }
}

#[tokio::test]
async fn only_staff_reach_the_client_list_and_staff_have_no_client_billing() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    assert_eq!(app.call("staff/clients", &[], Some(&owner)).await.status, StatusCode::FORBIDDEN);

    let staff = app.login("staff@acme.test").await;
    let res = app.call("staff/clients", &[], Some(&staff)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let clients: Vec<ClientRow> = res.json();
    let names: Vec<&str> = clients.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, vec!["Globex Corporation", "Northwind Traders"]);
    let northwind = &clients[1];
    assert_eq!(northwind.overdue_invoices, 1);
    assert_eq!(northwind.open_estimates, 3);
    // Staff are not members of a client account: its billing needs impersonation (later).
    assert_eq!(app.call("dashboard", &[], Some(&staff)).await.status, StatusCode::FORBIDDEN);
}
