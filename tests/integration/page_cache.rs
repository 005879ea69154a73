//! The rendered-page cache: a page is sent again only while nothing it shows has changed, to
//! the session it was rendered for, on the day it was rendered, with a fresh nonce each time.

use axum::http::{StatusCode, header};
use time::Duration;

use crate::support::{TestApp, TestResponse};
use portico::server::infra::db::page_version;

/// (answers sent from the cache, pages rendered and kept) since the app started.
fn counts(app: &TestApp) -> (u64, u64) {
    app.state.pages.as_ref().expect("the cache is on by default").counts()
}

fn nonce(page: &TestResponse) -> String {
    let policy = page.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    let start = policy.find("'nonce-").expect("a page's policy names its nonce") + "'nonce-".len();
    policy[start..start + policy[start..].find('\'').unwrap()].to_string()
}

async fn page(app: &TestApp, path: &str, session: &str) -> TestResponse {
    let page = app.get(path, Some(session)).await;
    assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
    page
}

#[tokio::test]
async fn a_page_is_sent_again_as_rendered_with_a_fresh_nonce_in_its_scripts_and_policy() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let first = page(&app, "/", &owner).await;
    let second = page(&app, "/", &owner).await;
    assert_eq!(counts(&app), (1, 1), "rendered once, then sent from the cache");

    let (first_nonce, second_nonce) = (nonce(&first), nonce(&second));
    assert_ne!(first_nonce, second_nonce);
    assert!(first.body.contains(&format!("nonce=\"{first_nonce}\"")));
    assert!(second.body.contains(&format!("nonce=\"{second_nonce}\"")));
    assert!(!second.body.contains(&first_nonce));
    assert_eq!(first.body.replace(&first_nonce, "N"), second.body.replace(&second_nonce, "N"));
    assert!(second.body.contains("Northwind Traders LLC"));
    for name in [header::CONTENT_TYPE, header::CACHE_CONTROL] {
        assert_eq!(first.headers.get(&name), second.headers.get(&name), "{name}");
    }
    assert_eq!(second.headers[header::CACHE_CONTROL], "no-store", "kept by the server only, never by a browser");
}

#[tokio::test]
async fn a_change_made_through_the_portal_shows_on_the_next_request() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let before = page(&app, "/estimates/est_nw_annual", &owner).await;
    assert!(before.body.contains("Approve"), "an open estimate can be approved");
    page(&app, "/estimates/est_nw_annual", &owner).await;
    assert_eq!(counts(&app), (1, 1));

    let declined =
        app.call("estimates/decline", &[("id", "est_nw_annual"), ("reason", "Budget moved")], Some(&owner)).await;
    assert_eq!(declined.status, StatusCode::OK, "{}", declined.body);
    let after = page(&app, "/estimates/est_nw_annual", &owner).await;
    assert_eq!(counts(&app), (1, 2), "rendered again after the decision");
    assert!(after.body.contains("Budget moved"), "the decision is shown");
    assert!(!after.body.contains(">Approve"), "and the page no longer offers to approve");
}

#[tokio::test]
async fn a_change_made_outside_the_portals_use_cases_shows_on_the_next_request() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    assert!(page(&app, "/", &owner).await.body.contains("Partner plan"));
    // Another server process on the same database (or the scheduler, the operator API, a person
    // at a SQL prompt): the triggers see the write, not this process.
    let (_, other) = app.second_process().await;
    sqlx::query("UPDATE plans SET name = 'Partner plan (2027)' WHERE name = 'Partner plan'")
        .execute(other.db.pool())
        .await
        .unwrap();
    assert!(page(&app, "/", &owner).await.body.contains("Partner plan (2027)"));
    assert_eq!(counts(&app), (0, 2));
}

#[tokio::test]
async fn each_session_and_address_has_its_own_page() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let billing = app.login("billing@northwind.test").await;
    let owner_again = app.login("owner@northwind.test").await;
    let pages = [
        page(&app, "/", &owner).await,
        page(&app, "/", &billing).await,
        page(&app, "/", &owner_again).await,
        page(&app, "/billing-history", &owner).await,
        page(&app, "/billing-history?status=paid", &owner).await,
    ];
    assert_eq!(counts(&app), (0, 5), "nothing is shared between sessions or addresses");
    assert!(pages[0].body.contains("Nora Whitfield") && !pages[1].body.contains("Nora Whitfield"));
    page(&app, "/billing-history?status=paid", &owner).await;
    assert_eq!(counts(&app), (1, 5));

    // Signed out, the kept page is not sent: the session is gone.
    let out = app.call("logout", &[], Some(&owner)).await;
    assert!(out.status.is_success() || out.status.is_redirection(), "{}", out.body);
    let after = app.get("/", Some(&owner)).await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert_eq!(counts(&app), (1, 5));
}

#[tokio::test]
async fn a_new_day_renders_the_page_again() {
    let app = TestApp::with_demo().await;
    let today = crate::support::pinned_today();
    app.clock.set(today.with_time(time::macros::time!(23:59)).assume_utc());
    let owner = app.login("owner@northwind.test").await;
    page(&app, "/", &owner).await;
    page(&app, "/", &owner).await;
    app.clock.advance(Duration::minutes(2));
    page(&app, "/", &owner).await;
    assert_eq!(counts(&app), (1, 2), "overdue and due-soon are counted from today");
}

#[tokio::test]
async fn pages_that_make_something_fresh_for_each_showing_are_rendered_each_time() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    for path in ["/pay", "/credit", "/subscriptions", "/team", "/profile"] {
        page(&app, path, &owner).await;
        page(&app, path, &owner).await;
    }
    assert_eq!(counts(&app), (0, 0));
}

#[tokio::test]
async fn the_cache_can_be_turned_off() {
    let app = TestApp::with_demo_and(&[("PORTICO_SERVER_PAGE_CACHE_MIB", "0")]).await;
    let owner = app.login("owner@northwind.test").await;
    page(&app, "/", &owner).await;
    assert!(app.state.pages.is_none());
}

#[tokio::test]
async fn every_table_a_page_may_show_moves_the_version_when_written() {
    let app = TestApp::with_demo().await;
    let db = &app.state.db;
    let tables = page_version::shown_tables(db).await.unwrap();
    let triggers = page_version::trigger_names(db).await.unwrap();
    assert!(tables.len() > 40, "{tables:?}");
    for table in &tables {
        assert!(triggers.iter().any(|t| t.starts_with(&format!("page_version_{table}"))), "no trigger on {table}");
    }
    // The exceptions are tables that exist (a renamed table would otherwise keep an exception
    // that excepts nothing, and its new name would be covered without anyone deciding it).
    for table in page_version::NOT_SHOWN {
        let read = sqlx::query(&format!("SELECT 1 FROM {table} LIMIT 1")).fetch_optional(db.pool()).await;
        assert!(read.is_ok(), "{table} is listed as not shown but does not exist: {:?}", read.err());
    }
    // Installing again (a second process starting) makes nothing twice.
    page_version::install(db).await.unwrap();
    assert_eq!(page_version::trigger_names(db).await.unwrap().len(), triggers.len());

    // The version moves when a write commits, not before, and not for a rolled-back one.
    let start = page_version::current(db).await.unwrap();
    let mut tx = db.begin_write().await.unwrap();
    sqlx::query("UPDATE plans SET name = name || '.' WHERE name = 'Partner plan'").execute(&mut *tx).await.unwrap();
    sqlx::query("UPDATE users SET name = name || '.' WHERE email = 'owner@northwind.test'")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(page_version::current(db).await.unwrap(), start);
    let mut tx = db.begin_write().await.unwrap();
    sqlx::query("UPDATE plans SET name = name || '.' WHERE name = 'Partner plan'").execute(&mut *tx).await.unwrap();
    assert_eq!(page_version::current(db).await.unwrap(), start, "not seen before the commit");
    tx.commit().await.unwrap();
    assert!(page_version::current(db).await.unwrap() > start);

    // What is not shown leaves it.
    let moved = page_version::current(db).await.unwrap();
    sqlx::query("UPDATE sessions SET last_seen_at = last_seen_at + 1").execute(db.pool()).await.unwrap();
    assert_eq!(page_version::current(db).await.unwrap(), moved);
}

#[tokio::test]
async fn payment_methods_and_billing_details_follow_each_change() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let before = page(&app, "/payment-methods", &owner).await;
    page(&app, "/payment-methods", &owner).await;
    page(&app, "/billing-details", &owner).await;
    page(&app, "/billing-details", &owner).await;
    assert_eq!(counts(&app), (2, 2));

    let made = app.call("payment-methods/default", &[("id", "pm_nw_amex")], Some(&owner)).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let after = page(&app, "/payment-methods", &owner).await;
    let details = page(&app, "/billing-details", &owner).await;
    assert_eq!(counts(&app), (2, 4), "both rendered again after the change");
    assert_ne!(before.body.replace(&nonce(&before), "N"), after.body.replace(&nonce(&after), "N"));
    assert!(details.body.contains("Northwind"), "{}", details.body);
}
