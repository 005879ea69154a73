//! Server-rendered pages through the whole stack: redirects, roles, status codes.

use axum::http::StatusCode;

use crate::support::TestApp;

#[tokio::test]
async fn pages_redirect_to_login_without_a_session() {
    let app = TestApp::with_demo().await;
    let res = app.get("/", None).await;
    assert!(res.status.is_redirection(), "{}", res.status);
    assert_eq!(res.location(), Some("/login"));
    let res = app.get("/invoices/inv_x?tab=lines", None).await;
    assert_eq!(res.location(), Some("/login?next=/invoices/inv_x%3Ftab%3Dlines"));
}

#[tokio::test]
async fn the_login_page_is_public_and_labelled() {
    let app = TestApp::with_demo().await;
    let res = app.get("/login", None).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("<label for=\"email\""), "{}", res.body);
    assert!(res.body.contains("<label for=\"password\""));
    // The shell's module is linked, and names the build's JS and WASM.
    assert!(res.body.contains("src=\"/pkg/shell.js\""), "the shell's module is linked: {}", res.body);
    let shell = app.get("/pkg/shell.js", None).await;
    assert_eq!(shell.status, StatusCode::OK);
    assert_eq!(shell.headers[axum::http::header::CONTENT_TYPE], "text/javascript; charset=utf-8");
    assert!(shell.body.ends_with(r#"("/pkg/portico.js", "/pkg/portico.wasm")"#), "{}", shell.body);
}

#[tokio::test]
async fn a_signed_in_user_skips_the_login_page() {
    let app = TestApp::with_demo().await;
    let token = app.login("owner@northwind.test").await;
    let res = app.get("/login", Some(&token)).await;
    assert_eq!(res.location(), Some("/"));
}

#[tokio::test]
async fn the_dashboard_is_rendered_on_the_server_with_real_data() {
    let app = TestApp::with_demo().await;
    let token = app.login("owner@northwind.test").await;
    let res = app.get("/", Some(&token)).await;
    assert_eq!(res.status, StatusCode::OK);
    let outstanding = crate::support::demo_figures::dollars(crate::support::demo_figures::northwind_outstanding(
        crate::support::pinned_today(),
    ));
    for text in [
        "Nora Whitfield",
        "Northwind Traders LLC",
        "Open billing items",
        "Prorated license invoice",
        "Visa •••• 4242",
        "Expires soon",
        "$619.00",
        &outstanding,
    ] {
        assert!(res.body.contains(text), "dashboard lacks {text:?}");
    }
    assert!(!res.body.contains("Globex"), "another account's data leaked into the page");
}

#[tokio::test]
async fn a_member_gets_the_no_access_page() {
    let app = TestApp::with_demo().await;
    let token = app.login("member@northwind.test").await;
    let res = app.get("/", Some(&token)).await;
    assert!(
        res.body.contains("You don&#x27;t have access to billing")
            || res.body.contains("You don't have access to billing"),
        "{}",
        res.body
    );
    assert!(res.body.contains("owner@northwind.test"));
    assert!(!res.body.contains("ACME-0"), "no invoice numbers for a member");
}

#[tokio::test]
async fn another_accounts_invoice_page_is_not_found() {
    let app = TestApp::with_demo().await;
    let invoice: String = sqlx::query_scalar("SELECT id FROM invoices WHERE account_id = 'acc_northwind' LIMIT 1")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let globex = app.get(&format!("/invoices/{invoice}"), Some(&app.login("owner@globex.test").await)).await;
    assert_eq!(globex.status, StatusCode::NOT_FOUND);
    assert!(!globex.body.contains("Northwind"));
    let owner = app.get(&format!("/invoices/{invoice}"), Some(&app.login("owner@northwind.test").await)).await;
    assert_eq!(owner.status, StatusCode::OK);
    assert!(owner.body.contains("Northwind Traders LLC"));
}

#[tokio::test]
async fn a_statement_page_says_statement_and_asks_for_nothing_while_an_invoice_page_shows_what_is_due() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let id_of = |kind: &'static str| {
        sqlx::query_as::<_, (String, String)>("SELECT id, number FROM invoices WHERE account_id = 'acc_northwind' AND kind = $1 ORDER BY issue_date DESC LIMIT 1")
            .bind(kind)
            .fetch_one(app.state.db.pool())
    };
    let (statement, number) = id_of("reconciliation").await.unwrap();
    let page = app.get(&format!("/invoices/{statement}"), Some(&owner)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(&format!("Statement {number}")) && page.body.contains("For your records"),
        "{}",
        page.body
    );
    assert!(!page.body.contains(&format!("Invoice {number}")) && !page.body.contains("Amount due"));
    let (invoice, number) = id_of("prorated_license").await.unwrap();
    let page = app.get(&format!("/invoices/{invoice}"), Some(&owner)).await;
    assert!(page.body.contains(&format!("Invoice {number}")) && page.body.contains("Amount due"));
}

#[tokio::test]
async fn unknown_paths_are_404() {
    let app = TestApp::with_demo().await;
    let token = app.login("owner@northwind.test").await;
    assert_eq!(app.get("/no/such/page", Some(&token)).await.status, StatusCode::NOT_FOUND);
}
