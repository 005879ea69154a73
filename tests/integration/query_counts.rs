//! A page costs the same number of queries however much an account holds: every statement the
//! database runs for one request is counted (sqlx logs each one under `sqlx::query`), for an
//! account with one invoice and again once it has many.
//!
//! The counter is the process's tracing subscriber, because SQLite statements run on sqlx's
//! worker threads: nextest (the README's test command) runs each test in its own process.

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tracing::{Event, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

use crate::operator_api::{key, portal_sign_in, post};
use crate::support::TestApp;

const API: &str = "/api/operator/v1";

struct CountStatements(Arc<AtomicUsize>);

impl<S: Subscriber> Layer<S> for CountStatements {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() == "sqlx::query" {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}

fn install_counter() -> Arc<AtomicUsize> {
    let statements = Arc::new(AtomicUsize::new(0));
    let subscriber = tracing_subscriber::registry().with(
        CountStatements(statements.clone()).with_filter(Targets::new().with_target("sqlx::query", LevelFilter::TRACE)),
    );
    tracing::subscriber::set_global_default(subscriber)
        .expect("the statement counter must be the process's only subscriber: run the tests with cargo nextest");
    statements
}

/// The pages a client opens, with the statements each one ran.
async fn statements_per_page(
    app: &TestApp,
    statements: &AtomicUsize,
    cookie: &str,
    invoice: &str,
) -> BTreeMap<&'static str, usize> {
    let pages: [(&'static str, String); 12] = [
        ("dashboard", "/".into()),
        ("invoice", format!("/invoices/{invoice}")),
        ("billing history", "/billing-history".into()),
        ("pay", "/pay".into()),
        ("payments", "/payments".into()),
        ("subscriptions", "/subscriptions".into()),
        ("credit", "/credit".into()),
        ("estimates", "/estimates".into()),
        ("usage", "/usage".into()),
        ("payment methods", "/payment-methods".into()),
        ("team", "/team".into()),
        ("activity", "/activity".into()),
    ];
    let mut counts = BTreeMap::new();
    for (name, path) in pages {
        let before = statements.load(Ordering::SeqCst);
        let page = app.get(&path, Some(cookie)).await;
        assert_eq!(page.status, 200, "{name}: {}", page.body);
        counts.insert(name, statements.load(Ordering::SeqCst) - before);
    }
    counts
}

async fn issue_invoice(app: &TestApp, key: &str, account: &str, n: usize) -> String {
    let res = post(
        app,
        &format!("{API}/accounts/{account}/invoices"),
        key,
        json!({ "lines": [{ "description": format!("Work {n}"), "unit_amount": 10_000 + n }] }),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.json::<Value>()["invoice"]["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn every_page_runs_as_many_statements_for_one_invoice_as_for_many() {
    let statements = install_counter();
    // What a page's rendering reads: without the rendered-page cache, which would answer the
    // second showing of a page with the session's query alone.
    let app = TestApp::with_demo_and(&[("PORTICO_SERVER_PAGE_CACHE_MIB", "0")]).await;
    let key = key(&app).await;
    let account = post(
        &app,
        &format!("{API}/accounts"),
        &key,
        json!({
            "name": "Bulk Ltd", "currency": "USD", "country": "US", "company_name": "Bulk Ltd",
            "address_line1": "1 Main Street", "city": "Austin", "region": "TX", "postal_code": "78701"
        }),
    )
    .await;
    assert_eq!(account.status, 201, "{}", account.body);
    let account = account.json::<Value>()["id"].as_str().unwrap().to_string();
    let cookie = portal_sign_in(
        &app,
        &key,
        json!({ "account_id": account, "email": "owner@bulk.test", "create": { "name": "Bo Bulk", "role": "owner" } }),
    )
    .await;

    let first = issue_invoice(&app, &key, &account, 0).await;
    // A first pass opens the pool's connections (each runs its setup PRAGMAs once): not a page's.
    statements_per_page(&app, &statements, &cookie, &first).await;
    let one = statements_per_page(&app, &statements, &cookie, &first).await;
    for n in 1..150 {
        issue_invoice(&app, &key, &account, n).await;
    }
    let many = statements_per_page(&app, &statements, &cookie, &first).await;
    assert!(one.values().all(|&n| n > 0), "every page reads the database: {one:?}");
    assert_eq!(one, many, "statements per page with 1 invoice, then with 150");
}
