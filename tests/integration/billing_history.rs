use axum::http::StatusCode;
use std::collections::HashSet;

use crate::support::TestApp;
use portico::wire::billing_history::{HistoryEntry, HistoryPage};

fn key(e: &HistoryEntry) -> String {
    match e {
        HistoryEntry::Invoice { id, .. } | HistoryEntry::Payment { id, .. } => id.clone(),
    }
}

async fn add_invoice(app: &TestApp, id: &str, at: i64) {
    sqlx::query(
        "INSERT INTO invoices (id, vendor_id, account_id, number, kind, status, currency, issue_date, due_date, subtotal, tax, total,
                               amount_paid, bill_to_name, bill_to_address, created_at)
         VALUES ($1, 'ven_acme', 'acc_northwind', $2, 'standard', 'open', 'USD', '2026-11-20', '2026-12-04', 1000, 0, 1000, 0, 'N', 'A', $3)",
    )
    .bind(id)
    .bind(format!("ACME-9{}", &id[4..]))
    .bind(at)
    .execute(app.state.db.pool())
    .await
    .unwrap();
}

async fn history(app: &TestApp, session: &str, form: &[(&str, &str)]) -> HistoryPage {
    let res = app.call("billing-history", form, Some(session)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.json()
}

#[tokio::test]
async fn load_more_reaches_every_entry_once_even_while_new_ones_arrive() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    // 60 more invoices, many sharing a timestamp, so pages split inside ties.
    for n in 0..60 {
        add_invoice(&app, &format!("inv_h{n:05}"), 1_780_000_000 + (n / 4) as i64).await;
    }
    let expected = app.count("SELECT COUNT(*) FROM invoices WHERE account_id = 'acc_northwind'").await
        + app.count("SELECT COUNT(*) FROM payments WHERE account_id = 'acc_northwind'").await;
    let mut seen: Vec<String> = Vec::new();
    let mut cursor = String::new();
    let mut pages = 0;
    loop {
        let page = history(&app, &owner, &[("cursor", &cursor)]).await;
        pages += 1;
        // New activity lands between page loads: a newer invoice and one at the same second as
        // the newest; neither may duplicate or hide anything on later pages.
        add_invoice(&app, &format!("inv_new{pages:03}"), 1_900_000_000 + pages).await;
        seen.extend(page.entries.iter().map(key));
        match page.next_cursor {
            Some(next) => cursor = next,
            None => break,
        }
    }
    assert_eq!(seen.len() as i64, expected, "every entry that existed at the start, exactly once");
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), seen.len(), "no duplicates");
    assert!(
        seen.iter().all(|id| !id.starts_with("inv_new")),
        "entries newer than the first page stay out of older pages"
    );
    let size = portico::wire::billing_history::HISTORY_PAGE_SIZE;
    assert_eq!(pages, (expected + size - 1) / size);
}

#[tokio::test]
async fn entries_are_newest_first_and_mix_invoices_and_payments() {
    let app = TestApp::with_demo().await;
    let owner = app.login("billing@northwind.test").await;
    let page = history(&app, &owner, &[]).await;
    let times: Vec<i64> = page
        .entries
        .iter()
        .map(|e| match e {
            HistoryEntry::Invoice { issue_date, .. } => issue_date.midnight().assume_utc().unix_timestamp(),
            HistoryEntry::Payment { at, .. } => *at,
        })
        .collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted);
    assert!(
        page.entries
            .iter()
            .any(|e| matches!(e, HistoryEntry::Payment { invoice_numbers, .. } if !invoice_numbers.is_empty()))
    );
    assert!(page.entries.iter().any(|e| matches!(e, HistoryEntry::Invoice { .. })));
}

#[tokio::test]
async fn filters_by_status_and_finds_by_number() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let open = history(&app, &owner, &[("filter", "open")]).await;
    assert!(open.next_cursor.is_none());
    assert_eq!(open.entries.len(), 2);
    let overdue = history(&app, &owner, &[("filter", "overdue")]).await;
    assert_eq!(overdue.entries.len(), 1);
    assert!(matches!(&overdue.entries[0], HistoryEntry::Invoice { is_overdue: true, .. }));
    let payments = history(&app, &owner, &[("filter", "payments")]).await;
    assert!(payments.entries.iter().all(|e| matches!(e, HistoryEntry::Payment { .. })));
    let paid = history(&app, &owner, &[("filter", "paid")]).await;
    assert!(paid.entries.iter().all(|e| matches!(
        e,
        HistoryEntry::Invoice { status: portico::domain::billing_items::InvoiceStatus::Paid, .. }
    )));

    let HistoryEntry::Invoice { number, .. } = &overdue.entries[0] else { unreachable!() };
    let digits = number.trim_start_matches("ACME-").trim_start_matches('0');
    let found = history(&app, &owner, &[("search", &digits.to_lowercase())]).await;
    assert!(found.entries.iter().any(|e| matches!(e, HistoryEntry::Invoice { number: n, .. } if n == number)));
    // Its failed payment attempt is found with it.
    assert!(
        found
            .entries
            .iter()
            .any(|e| matches!(e, HistoryEntry::Payment { invoice_numbers, .. } if invoice_numbers.contains(number)))
    );
    let none = history(&app, &owner, &[("search", "NO-SUCH-NUMBER")]).await;
    assert!(none.entries.is_empty() && none.next_cursor.is_none());
}

#[tokio::test]
async fn each_account_sees_only_its_history_and_members_none() {
    let app = TestApp::with_demo().await;
    let globex = app.login("owner@globex.test").await;
    let page = history(&app, &globex, &[]).await;
    let northwind: HashSet<String> =
        sqlx::query_scalar::<_, String>("SELECT id FROM invoices WHERE account_id = 'acc_northwind'")
            .fetch_all(app.state.db.pool())
            .await
            .unwrap()
            .into_iter()
            .collect();
    assert!(page.entries.iter().all(|e| !northwind.contains(&key(e))));
    let member = app.login("member@northwind.test").await;
    assert_eq!(app.call("billing-history", &[], Some(&member)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.call("billing-history", &[], None).await.status, StatusCode::UNAUTHORIZED);
    let bad = app.call("billing-history", &[("cursor", "garbage")], Some(&globex)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}
