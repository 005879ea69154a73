use axum::http::StatusCode;
use serde_json::json;
use std::collections::HashSet;
use time::Duration;

use crate::support::{TestApp, json_request, send};
use portico::domain::currency::Currency;
use portico::domain::fees::MethodQuote;
use portico::domain::money::Money;
use portico::server::infra::clock::Clock;
use portico::server::infra::processors::ChargeRequest;
use portico::server::payments::settle::reconcile_pending;
use portico::wire::dashboard::Dashboard;
use portico::wire::error::AppError;
use portico::wire::payments::{LinkedInvoice, PaymentHistoryPage, PaymentQuote, PaymentResult, PaymentStatus};

const USD: Currency = Currency::Usd;

async fn open_invoice(app: &TestApp, kind: &str) -> (String, i64) {
    sqlx::query_as("SELECT id, total - amount_paid FROM invoices WHERE account_id = 'acc_northwind' AND kind = $1 AND status = 'open'")
        .bind(kind)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap()
}

async fn quote(app: &TestApp, session: &str, ids: &[&str]) -> PaymentQuote {
    let res = app.call_json("payments/quote", json!({ "invoice_ids": ids }), Some(session)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.json()
}

async fn pay(app: &TestApp, session: &str, ids: &[&str], method: &str, key: &str) -> crate::support::TestResponse {
    app.call_json(
        "payments/pay",
        json!({ "invoice_ids": ids, "method": method, "idempotency_key": key }),
        Some(session),
    )
    .await
}

async fn add_card(app: &TestApp, session: &str, number: &str) -> String {
    let token = app.card_token(number).await;
    let res = app.call("payment-methods/add", &[("token", &token), ("make_default", "false")], Some(session)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.json::<serde_json::Value>()["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_quote_compares_every_method_with_its_fee() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let (prorated, due) = open_invoice(&app, "prorated_license").await;
    let q = quote(&app, &owner, &[&prorated]).await;
    assert_eq!(q.amount, Money::new(due, USD));
    assert!(q.idempotency_key.len() >= 16);
    let find = |label: &str| {
        q.options.iter().find(|o| o.label == label).unwrap_or_else(|| panic!("{label} not offered")).quote.clone()
    };
    // 4 % of the invoice, rounded half away from zero (with a 31-day last month, 4 % of
    // $21.30 is $0.852: $0.85).
    let fee = crate::support::demo_figures::card_fee(due);
    assert_eq!(
        find("Visa •••• 4242"),
        MethodQuote::Available {
            fee: Money::new(fee, USD),
            total: Money::new(due + fee, USD),
            settles: portico::domain::fees::Settlement::Immediately
        }
    );
    // ACH is free but starts at $50; wire at $1,000.
    assert!(matches!(find("ACH •••• 6789 (Chase)"), MethodQuote::Unavailable { reason } if reason.contains("$50.00")));
    assert!(matches!(find("Wire transfer"), MethodQuote::Unavailable { reason } if reason.contains("$1,000.00")));
    // All outstanding: both open invoices.
    let all = quote(&app, &owner, &[]).await;
    assert_eq!(all.invoices.len(), 2);
    assert_eq!(all.amount, Money::new(61_900 + due, USD));
    assert!(
        matches!(all.options.iter().find(|o| o.label.starts_with("ACH")).unwrap().quote, MethodQuote::Available { fee, .. } if fee.is_zero())
    );
}

#[tokio::test]
async fn paying_one_invoice_charges_once_with_the_fee_and_settles_it() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let (prorated, due) = open_invoice(&app, "prorated_license").await;
    let res = pay(&app, &owner, &[&prorated], "pm_nw_visa", "key-paying-one-invoice-0001").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let PaymentResult::Paid { amount, fee, total, method_label, .. } = res.json() else { panic!("{}", res.body) };
    let card_fee = crate::support::demo_figures::card_fee(due);
    assert_eq!(
        (amount, fee, total),
        (Money::new(due, USD), Money::new(card_fee, USD), Money::new(due + card_fee, USD))
    );
    assert_eq!(method_label, "Visa •••• 4242");
    let (status, paid, lock): (String, i64, Option<String>) =
        sqlx::query_as("SELECT status, amount_paid, payment_in_progress_id FROM invoices WHERE id = $1")
            .bind(&prorated)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!((status.as_str(), paid, lock), ("paid", due, None));
    assert_eq!(app.count("SELECT COUNT(*) FROM sandbox_charges WHERE outcome = 'succeeded'").await, 1);
    assert_eq!(app.count("SELECT amount FROM sandbox_charges").await, due + card_fee);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'payment.succeeded'").await, 1);
    // The invoice shows the surcharge paid with it.
    let detail: portico::wire::billing_items::InvoiceDetail =
        app.call("invoice", &[("id", &prorated)], Some(&owner)).await.json();
    assert_eq!((detail.fees_paid, detail.amount_due), (Money::new(card_fee, USD), Money::zero(USD)));

    // Paying it again is refused plainly.
    let again = pay(&app, &owner, &[&prorated], "pm_nw_visa", "key-paying-one-invoice-0002").await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.app_error().to_string().contains("already paid"));
    // The same key again reports the first outcome and charges nothing more.
    let retry = pay(&app, &owner, &[&prorated], "pm_nw_visa", "key-paying-one-invoice-0001").await;
    assert!(matches!(retry.json(), PaymentResult::Paid { .. }));
    assert_eq!(app.count("SELECT COUNT(*) FROM sandbox_charges").await, 1);
}

#[tokio::test]
async fn the_whole_balance_is_paid_in_one_payment() {
    let app = TestApp::with_demo().await;
    let owner = app.login("billing@northwind.test").await;
    let q = quote(&app, &owner, &[]).await;
    let ids: Vec<&str> = q.invoices.iter().map(|i| i.id.as_str()).collect();
    let res = pay(&app, &owner, &ids, "pm_nw_ach", &q.idempotency_key).await;
    let PaymentResult::Paid { total, fee, .. } = res.json() else { panic!("{}", res.body) };
    assert_eq!(fee, Money::zero(USD), "ACH above its minimum is free");
    assert_eq!(total, q.amount);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM invoices WHERE account_id = 'acc_northwind' AND status = 'open'").await,
        0
    );
    let d: Dashboard = app.call("dashboard", &[], Some(&owner)).await.json();
    assert!(d.outstanding.is_empty());
    let history: PaymentHistoryPage = app.call("payments/history", &[], Some(&owner)).await.json();
    assert_eq!(history.entries[0].invoice_numbers.len(), 2);
    assert_eq!(history.entries[0].status, PaymentStatus::Succeeded);
}

#[tokio::test]
async fn twenty_concurrent_attempts_make_exactly_one_charge() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let manager = app.login("billing@northwind.test").await;
    let (license, due) = open_invoice(&app, "license").await;
    // Double clicks (same key), two tabs (other keys) and two users, all at once.
    let mut requests = Vec::new();
    for i in 0..20 {
        let session = if i % 2 == 0 { owner.clone() } else { manager.clone() };
        let key = if i < 6 { "race-double-click-key-000000".to_string() } else { format!("race-other-tab-key-{i:08}") };
        let body = json!({ "invoice_ids": [license.clone()], "method": "pm_nw_visa", "idempotency_key": key });
        let router = app.router.clone();
        requests.push(tokio::spawn(async move {
            send(&router, json_request("/api/payments/pay", body, Some(&session))).await
        }));
    }
    let mut paid = 0;
    let mut refused = 0;
    for r in requests {
        let res = r.await.unwrap();
        match res.status {
            StatusCode::OK => {
                assert!(
                    matches!(res.json(), PaymentResult::Paid { .. } | PaymentResult::Pending { .. }),
                    "{}",
                    res.body
                );
                paid += 1;
            }
            StatusCode::CONFLICT => {
                let message = res.app_error().to_string();
                assert!(message.contains("already paid") || message.contains("in progress"), "{message}");
                refused += 1;
            }
            other => panic!("unexpected {other}: {}", res.body),
        }
    }
    assert_eq!(paid + refused, 20);
    assert!(paid >= 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM sandbox_charges").await, 1, "exactly one charge");
    assert_eq!(app.count("SELECT COUNT(*) FROM payments WHERE status = 'succeeded' AND idempotency_key LIKE 'client:acc_northwind:race-%'").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM payments WHERE status = 'pending'").await, 0);
    let (status, amount_paid): (String, i64) = sqlx::query_as("SELECT status, amount_paid FROM invoices WHERE id = $1")
        .bind(&license)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!((status.as_str(), amount_paid), ("paid", due));
}

#[tokio::test]
async fn a_crash_between_charge_and_record_is_reconciled_without_a_second_charge() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let (prorated, due) = open_invoice(&app, "prorated_license").await;
    let key = "crash-recovery-key-000000001";
    // As the payment flow stores a client's key: in its account's namespace.
    let stored_key = format!("client:acc_northwind:{key}");
    // Simulate the crash: the attempt is recorded and the processor charged, but the process
    // died before recording the outcome.
    sqlx::query(
        "INSERT INTO payments (id, account_id, payment_method_id, method_kind, method_label, amount, fee, currency, status, idempotency_key, created_at)
         VALUES ('pay_crashed', 'acc_northwind', 'pm_nw_visa', 'card', 'Visa •••• 4242', $1, 85, 'USD', 'pending', $2, $3)",
    )
    .bind(due)
    .bind(&stored_key)
    .bind(app.clock.now().unix_timestamp())
    .execute(app.state.db.pool())
    .await
    .unwrap();
    sqlx::query("INSERT INTO payment_allocations (payment_id, invoice_id, amount) VALUES ('pay_crashed', $1, $2)")
        .bind(&prorated)
        .bind(due)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE invoices SET payment_in_progress_id = 'pay_crashed' WHERE id = $1")
        .bind(&prorated)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let token: String = sqlx::query_scalar("SELECT processor_token FROM payment_methods WHERE id = 'pm_nw_visa'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    app.state
        .processor
        .charge(ChargeRequest { token: &token, amount: Money::new(due + 85, USD), idempotency_key: &stored_key })
        .await
        .unwrap();

    // Meanwhile the client retries: told it is in progress, nothing charged.
    let retry = pay(&app, &owner, &[&prorated], "pm_nw_visa", key).await;
    assert!(matches!(retry.json(), PaymentResult::Pending { .. }), "{}", retry.body);
    let other_tab = pay(&app, &owner, &[&prorated], "pm_nw_visa", "crash-recovery-key-000000002").await;
    assert_eq!(other_tab.status, StatusCode::CONFLICT);

    // Too recent to touch; then old enough: the reconciler finds the charge by its key.
    assert_eq!(reconcile_pending(&app.state, 300).await.unwrap(), 0);
    app.clock.advance(Duration::minutes(10));
    assert_eq!(reconcile_pending(&app.state, 300).await.unwrap(), 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM sandbox_charges").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM invoices WHERE id = 'x' OR (status = 'paid' AND payment_in_progress_id IS NULL AND kind = 'prorated_license')").await, 1);
    let retry = pay(&app, &owner, &[&prorated], "pm_nw_visa", key).await;
    assert!(matches!(retry.json(), PaymentResult::Paid { .. }));
}

#[tokio::test]
async fn an_attempt_the_processor_never_saw_is_released() {
    let app = TestApp::with_demo().await;
    let (prorated, due) = open_invoice(&app, "prorated_license").await;
    sqlx::query(
        "INSERT INTO payments (id, account_id, payment_method_id, method_kind, method_label, amount, fee, currency, status, idempotency_key, created_at)
         VALUES ('pay_lost', 'acc_northwind', 'pm_nw_visa', 'card', 'Visa •••• 4242', $1, 85, 'USD', 'pending', 'never-reached-the-processor', 0)",
    )
    .bind(due)
    .execute(app.state.db.pool())
    .await
    .unwrap();
    sqlx::query("INSERT INTO payment_allocations (payment_id, invoice_id, amount) VALUES ('pay_lost', $1, $2)")
        .bind(&prorated)
        .bind(due)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE invoices SET payment_in_progress_id = 'pay_lost' WHERE id = $1")
        .bind(&prorated)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(reconcile_pending(&app.state, 300).await.unwrap(), 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM payments WHERE id = 'pay_lost' AND status = 'failed'").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM invoices WHERE payment_in_progress_id IS NOT NULL").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM sandbox_charges").await, 0);
}

#[tokio::test]
async fn a_declined_payment_is_explained_recorded_notified_and_leaves_the_invoice_open() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let failing = add_card(&app, &owner, "4000000000000341").await;
    let (license, _) = open_invoice(&app, "license").await;
    let res = pay(&app, &owner, &[&license], &failing, "declined-payment-key-0000001").await;
    let PaymentResult::Declined { message, .. } = res.json() else { panic!("{}", res.body) };
    assert_eq!(message, "Your card was declined.");
    assert_eq!(app.count("SELECT COUNT(*) FROM invoices WHERE status = 'open' AND kind = 'license' AND account_id = 'acc_northwind' AND payment_in_progress_id IS NULL").await, 1);

    let history: PaymentHistoryPage = app.call("payments/history", &[], Some(&owner)).await.json();
    let latest = &history.entries[0];
    assert_eq!(latest.status, PaymentStatus::Failed);
    assert_eq!(latest.failure_message.as_deref(), Some("Your card was declined."));

    let d: Dashboard = app.call("dashboard", &[], Some(&owner)).await.json();
    assert!(
        d.failed_payments.iter().any(|f| f.invoice_ids.contains(&license) && f.message == "Your card was declined.")
    );

    // One email per billing contact, each with a working payment link.
    let mails: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT to_address, subject, body_text FROM outbox WHERE kind = 'payment_failed' ORDER BY to_address",
    )
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    let recipients: Vec<&str> = mails.iter().map(|m| m.0.as_str()).collect();
    assert_eq!(recipients, vec!["ap@northwind.test", "billing@northwind.test"]);
    assert!(mails[0].1.starts_with("Payment failed for invoice ACME-"));
    let link = mails[0]
        .2
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("http://127.0.0.1:3000/pay/"))
        .expect("payment link in the email");
    let token = link.trim_start_matches("http://127.0.0.1:3000/pay/");
    let view = app.call("pay-link/view", &[("token", token)], None).await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.body);
}

#[tokio::test]
async fn a_payment_link_pays_that_one_invoice_without_signing_in_and_expires() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let (prorated, due) = open_invoice(&app, "prorated_license").await;
    let res = app.call("payment-links/create", &[("invoice_id", &prorated)], Some(&owner)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let link: portico::wire::payments::PaymentLink = res.json();
    let token = link.url.rsplit('/').next().unwrap().to_string();
    assert!(token.len() >= 43, "unguessable");
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM payment_links WHERE token_hash = '{token}'")).await,
        0,
        "only a hash is stored"
    );

    // Anyone with the link sees that invoice and nothing else of the account.
    let view = app.call("pay-link/view", &[("token", &token)], None).await;
    let invoice: LinkedInvoice = view.json();
    assert_eq!(invoice.amount_due, Money::new(due, USD));
    assert_eq!(invoice.vendor_name, "Acme Messaging");
    let (license, _) = open_invoice(&app, "license").await;
    let other_number: String = sqlx::query_scalar("SELECT number FROM invoices WHERE id = $1")
        .bind(&license)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    for private in ["Visa", "4242", other_number.as_str(), "owner@northwind.test", "Partner plan"] {
        assert!(!view.body.contains(private), "link view leaks {private:?}: {}", view.body);
    }
    // A foreign or made-up token is simply not found.
    assert_eq!(app.call("pay-link/view", &[("token", "not-a-real-token")], None).await.status, StatusCode::NOT_FOUND);

    let card = app.card_token("4242424242424242").await;
    let paid = app
        .call_json(
            "pay-link/pay",
            json!({ "token": token, "card_token": card, "idempotency_key": "link-payment-key-00000001" }),
            None,
        )
        .await;
    assert!(matches!(paid.json(), PaymentResult::Paid { .. }), "{}", paid.body);
    assert!(app.call("pay-link/view", &[("token", &token)], None).await.json::<LinkedInvoice>().is_paid);
    assert_eq!(app.count("SELECT COUNT(*) FROM payments WHERE idempotency_key LIKE 'link:%:link-payment-key-00000001' AND initiated_by IS NULL AND status = 'succeeded'").await, 1);
    // The link stored no card.
    assert_eq!(app.count("SELECT COUNT(*) FROM payment_methods WHERE account_id = 'acc_northwind'").await, 4);

    // Another link expires after its lifetime.
    let (license, _) = open_invoice(&app, "license").await;
    let link: portico::wire::payments::PaymentLink =
        app.call("payment-links/create", &[("invoice_id", &license)], Some(&owner)).await.json();
    let token = link.url.rsplit('/').next().unwrap().to_string();
    app.clock.advance(Duration::days(8));
    let owner = app.login("owner@northwind.test").await;
    let _ = owner;
    let expired = app.call("pay-link/view", &[("token", &token)], None).await;
    assert_eq!(expired.status, StatusCode::NOT_FOUND);
    assert_eq!(expired.app_error(), AppError::NotFound);
}

#[tokio::test]
async fn a_wire_transfer_leaves_the_invoice_awaiting_the_transfer_with_instructions() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    // Make a large invoice so the wire minimum is met.
    sqlx::query("UPDATE invoices SET total = 250000, subtotal = 250000 WHERE account_id = 'acc_northwind' AND kind = 'license' AND status = 'open'")
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let (license, _) = open_invoice(&app, "license").await;
    let res = pay(&app, &owner, &[&license], "wire", "wire-transfer-key-000000001").await;
    let PaymentResult::AwaitingTransfer { instructions, reference, total, .. } = res.json() else {
        panic!("{}", res.body)
    };
    assert!(instructions.contains("021000021"));
    assert_eq!(reference.len(), 10);
    assert_eq!(total, Money::new(250_000, USD));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM invoices WHERE kind = 'license' AND status = 'awaiting_transfer'").await,
        1
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM sandbox_charges").await, 0);
}

#[tokio::test]
async fn the_payment_history_pages_newest_first_without_gaps_or_duplicates() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    for n in 0..30 {
        sqlx::query(
            "INSERT INTO payments (id, account_id, method_kind, method_label, amount, fee, currency, status, idempotency_key, created_at)
             VALUES ($1, 'acc_northwind', 'card', 'Visa •••• 4242', 100, 4, 'USD', 'succeeded', $1, $2)",
        )
        .bind(format!("pay_hist_{n:03}"))
        .bind(1_700_000_000i64 + (n / 3) as i64) // ties on purpose
        .execute(app.state.db.pool())
        .await
        .unwrap();
    }
    let total = app.count("SELECT COUNT(*) FROM payments WHERE account_id = 'acc_northwind'").await;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let form: Vec<(&str, &str)> = cursor.as_deref().map(|c| vec![("cursor", c)]).unwrap_or_default();
        let page: PaymentHistoryPage = app.call("payments/history", &form, Some(&owner)).await.json();
        pages += 1;
        if pages == 1 {
            // A payment arriving between pages must not shift what the next page shows.
            sqlx::query("INSERT INTO payments (id, account_id, method_kind, method_label, amount, fee, currency, status, idempotency_key, created_at) VALUES ('pay_new', 'acc_northwind', 'card', 'Visa', 1, 0, 'USD', 'succeeded', 'pay_new', 1999999999)")
                .execute(app.state.db.pool())
                .await
                .unwrap();
        }
        seen.extend(page.entries.iter().map(|e| (e.at, e.id.clone())));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen.len() as i64, total, "every payment once");
    assert_eq!(seen.iter().map(|s| &s.1).collect::<HashSet<_>>().len(), seen.len(), "no duplicates");
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, sorted, "newest first");
    assert_eq!(pages, (total + 19) / 20, "pages of 20");
}

#[tokio::test]
async fn payment_functions_refuse_members_anonymous_callers_and_other_accounts() {
    let app = TestApp::with_demo().await;
    let member = app.login("member@northwind.test").await;
    let globex = app.login("owner@globex.test").await;
    let (license, _) = open_invoice(&app, "license").await;
    for (endpoint, body) in [
        ("payments/quote", json!({ "invoice_ids": [license] })),
        (
            "payments/pay",
            json!({ "invoice_ids": [license], "method": "pm_nw_visa", "idempotency_key": "refused-key-0000000001" }),
        ),
    ] {
        assert_eq!(
            app.call_json(endpoint, body.clone(), Some(&member)).await.status,
            StatusCode::FORBIDDEN,
            "member {endpoint}"
        );
        assert_eq!(
            app.call_json(endpoint, body.clone(), None).await.status,
            StatusCode::UNAUTHORIZED,
            "anonymous {endpoint}"
        );
        assert_eq!(
            app.call_json(endpoint, body, Some(&globex)).await.status,
            StatusCode::NOT_FOUND,
            "globex {endpoint}"
        );
    }
    assert_eq!(app.call("payments/history", &[], Some(&member)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.call("payment-links/create", &[("invoice_id", &license)], Some(&member)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.call("payment-links/create", &[("invoice_id", &license)], Some(&globex)).await.status,
        StatusCode::NOT_FOUND
    );
    // Globex paying with Northwind's card: the method is not found in its account.
    let (gx_invoice,): (String,) =
        sqlx::query_as("SELECT id FROM invoices WHERE account_id = 'acc_globex' AND status = 'open'")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    let res = pay(&app, &globex, &[&gx_invoice], "pm_nw_visa", "cross-account-card-key-0001").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("SELECT COUNT(*) FROM sandbox_charges").await, 0);
    let history: PaymentHistoryPage = app.call("payments/history", &[], Some(&globex)).await.json();
    assert!(history.entries.iter().all(|e| e.method_label.contains("3222")));
}
