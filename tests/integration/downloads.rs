//! Invoice PDFs, receipts and statements: real PDFs whose text says what the page says, and
//! the same permission checks as the pages.

use axum::http::{StatusCode, header};
use std::process::Command;

use crate::support::TestApp;
use portico::wire::billing_items::InvoiceDetail;

fn pdf_text(bytes: &[u8]) -> String {
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils; scripts/setup.sh --test installs it)");
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8(out.stdout).unwrap()
}

async fn oldest_paid_invoice(app: &TestApp) -> String {
    sqlx::query_scalar("SELECT id FROM invoices WHERE account_id = 'acc_northwind' AND kind = 'license' AND status = 'paid' ORDER BY issue_date LIMIT 1")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn an_invoice_pdf_shows_the_same_figures_as_its_page() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let id = oldest_paid_invoice(&app).await;
    let detail: InvoiceDetail = app.call("invoice", &[("id", &id)], Some(&owner)).await.json();
    let res = app.get(&format!("/invoices/{id}/pdf"), Some(&owner)).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.headers.get(header::CONTENT_TYPE).unwrap(), "application/pdf");
    let disposition = res.headers.get(header::CONTENT_DISPOSITION).unwrap().to_str().unwrap().to_string();
    assert!(disposition.contains(&format!("invoice-{}.pdf", detail.number)), "{disposition}");
    let raw = download(&app, &format!("/invoices/{id}/pdf"), &owner).await;
    let text = pdf_text(&raw);
    assert!(text.contains(&detail.number), "{text}");
    for line in &detail.lines {
        assert!(text.contains(&line.description), "missing line {:?}:\n{text}", line.description);
        assert!(text.contains(&line.amount.format()), "missing {}:\n{text}", line.amount.format());
    }
    assert!(text.contains(&detail.total.format()));
    assert!(text.contains("Northwind Traders LLC"));
    // Months-old invoices download like new ones: no age limit.
    assert!(detail.issue_date < portico::server::infra::clock::today(app.clock.as_ref()) - time::Duration::days(60));
}

async fn download(app: &TestApp, path: &str, session: &str) -> Vec<u8> {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let response = app.router.clone().oneshot(crate::support::page_request(path, Some(session))).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.into_body().collect().await.unwrap().to_bytes().to_vec()
}

#[tokio::test]
async fn another_accounts_pdf_answers_not_found_and_members_are_refused() {
    let app = TestApp::with_demo().await;
    let id = oldest_paid_invoice(&app).await;
    let globex = app.login("owner@globex.test").await;
    let foreign = app.get(&format!("/invoices/{id}/pdf"), Some(&globex)).await;
    let missing = app.get("/invoices/inv_nothing/pdf", Some(&globex)).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    assert_eq!((foreign.status, foreign.body.clone()), (missing.status, missing.body));
    let member = app.login("member@northwind.test").await;
    assert_eq!(app.get(&format!("/invoices/{id}/pdf"), Some(&member)).await.status, StatusCode::FORBIDDEN);
    let anonymous = app.get(&format!("/invoices/{id}/pdf"), None).await;
    assert!(anonymous.status.is_redirection());
}

#[tokio::test]
async fn a_receipt_lists_what_the_payment_paid() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let (payment, number): (String, String) = sqlx::query_as(
        "SELECT p.id, i.number FROM payments p JOIN payment_allocations pa ON pa.payment_id = p.id JOIN invoices i ON i.id = pa.invoice_id
         WHERE p.account_id = 'acc_northwind' AND p.status = 'succeeded' AND p.method_kind = 'card' ORDER BY p.created_at LIMIT 1",
    )
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    let text = pdf_text(&download(&app, &format!("/payments/{payment}/receipt.pdf"), &owner).await);
    assert!(text.contains(&number), "{text}");
    assert!(text.contains("Visa •••• 4242") || text.contains("Visa"), "{text}");
    // A failed attempt has no receipt, and another account's payment is not found.
    let failed: String = sqlx::query_scalar("SELECT id FROM payments WHERE status = 'failed' LIMIT 1")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(app.get(&format!("/payments/{failed}/receipt.pdf"), Some(&owner)).await.status, StatusCode::NOT_FOUND);
    let globex = app.login("owner@globex.test").await;
    assert_eq!(app.get(&format!("/payments/{payment}/receipt.pdf"), Some(&globex)).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_statement_balances_from_opening_to_closing_in_pdf_and_csv() {
    let app = TestApp::with_demo().await;
    let owner = app.login("billing@northwind.test").await;
    // From the first demo month to today: the closing balance is what is outstanding now.
    use crate::support::demo_figures::{dollars, last_month_start, northwind_outstanding, plain};
    let today = crate::support::pinned_today();
    let first_month = last_month_start(last_month_start(last_month_start(today)));
    let this_month = today.replace_day(1).unwrap();
    let outstanding = northwind_outstanding(today);
    let csv = String::from_utf8(download(&app, &format!("/statement.csv?from={first_month}&to={today}"), &owner).await)
        .unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("date,type,reference,description,charges,payments,balance"));
    let rows: Vec<Vec<String>> = csv.lines().skip(1).map(|l| l.split(',').map(str::to_string).collect()).collect();
    let last_balance = rows.iter().rev().find_map(|r| r.last().cloned()).expect("a balance");
    assert_eq!(last_balance, plain(outstanding), "{csv}");
    let pdf = pdf_text(&download(&app, &format!("/statement.pdf?from={first_month}&to={today}"), &owner).await);
    assert!(pdf.contains(&dollars(outstanding)), "{pdf}");
    assert!(pdf.contains("Northwind Traders LLC"), "{pdf}");

    // A later start carries the earlier history in its opening balance.
    let later =
        String::from_utf8(download(&app, &format!("/statement.csv?from={this_month}&to={today}"), &owner).await)
            .unwrap();
    assert!(later.lines().last().unwrap().ends_with(&format!(",{}", plain(outstanding))), "{later}");

    let bad = app.get(&format!("/statement.csv?from={today}&to={first_month}"), Some(&owner)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("on or after"));
    let member = app.login("member@northwind.test").await;
    assert_eq!(
        app.get(&format!("/statement.csv?from={first_month}&to={today}"), Some(&member)).await.status,
        StatusCode::FORBIDDEN
    );
}
