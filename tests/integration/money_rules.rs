//! Money rules that hold in every edge case (issue 16): fee shares that add up, amounts typed the
//! way a currency's people write them, billing rules per currency, bank transfers that finish.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use time::macros::date;

use crate::support::{HOST, TestApp, TestResponse};
use portico::domain::fees::MethodQuote;
use portico::domain::payment_method::MethodKind;
use portico::wire::billing_items::InvoiceDetail;
use portico::wire::payments::{PaymentQuote, PaymentResult};

const NW: &str = "acc_northwind";

async fn insert_invoice(app: &TestApp, id: &str, account: &str, number: &str, total: i64, currency: &str) {
    sqlx::query(
        "INSERT INTO invoices (id, vendor_id, account_id, number, kind, status, currency, issue_date, due_date, subtotal, tax, total, amount_paid,
                               bill_to_name, bill_to_address, created_at)
         VALUES ($1, 'ven_acme', $2, $3, 'standard', 'open', $4, '2026-11-20', '2026-12-04', $5, 0, $5, 0, 'N', 'A', 0)",
    )
    .bind(id)
    .bind(account)
    .bind(number)
    .bind(currency)
    .bind(total)
    .execute(app.state.db.pool())
    .await
    .unwrap();
}

async fn pay(app: &TestApp, session: &str, ids: &[&str], method: &str, key: &str) -> TestResponse {
    app.call_json(
        "payments/pay",
        json!({ "invoice_ids": ids, "method": method, "idempotency_key": key }),
        Some(session),
    )
    .await
}

#[tokio::test]
async fn one_payments_fee_shared_across_its_invoices_adds_up_exactly() {
    let app = TestApp::with_demo().await;
    // $10.00, $10.07 and $10.07 by card: 4 % of $30.14 is $1.2056, $1.21. Rounding each share
    // on its own would show $0.40 + $0.40 + $0.40 = $1.20 on the invoices.
    for (id, number, total) in
        [("inv_fee_a", "FEE-1", 1_000), ("inv_fee_b", "FEE-2", 1_007), ("inv_fee_c", "FEE-3", 1_007)]
    {
        insert_invoice(&app, id, NW, number, total, "USD").await;
    }
    let owner = app.login("owner@northwind.test").await;
    let res = pay(&app, &owner, &["inv_fee_a", "inv_fee_b", "inv_fee_c"], "pm_nw_visa", "idem_fee_shares_00001").await;
    let PaymentResult::Paid { fee, .. } = res.json() else { panic!("{}", res.body) };
    assert_eq!(fee.minor, 121);
    let mut shown = 0;
    for id in ["inv_fee_a", "inv_fee_b", "inv_fee_c"] {
        let detail: InvoiceDetail = app.call("invoice", &[("id", id)], Some(&owner)).await.json();
        shown += detail.fees_paid.minor;
    }
    assert_eq!(shown, fee.minor, "the fees shown on the invoices add up to the fee charged");
}

#[tokio::test]
async fn a_european_decimal_comma_is_read_as_one_and_ambiguous_amounts_are_refused_at_the_field() {
    let app = TestApp::with_demo().await;
    let greta = app.login("owner@globex.test").await;
    // €250,50 is two hundred and fifty euros fifty: charged exactly that, plus the 4 % card fee.
    let res = app
        .call_json(
            "credit/top-up",
            json!({ "amount": "250,50", "method_id": "pm_gx_mc", "idempotency_key": "idem_comma_topup_0001" }),
            Some(&greta),
        )
        .await;
    let PaymentResult::Paid { amount, total, .. } = res.json() else { panic!("{}", res.body) };
    assert_eq!((amount.minor, total.minor), (25_050, 25_050 + 1_002));
    assert_eq!(app.count("SELECT COUNT(*) FROM sandbox_charges WHERE amount = 26052 AND currency = 'EUR'").await, 1);

    // "1,250" in euros could be either: nothing is charged, the field says why.
    let charges = app.count("SELECT COUNT(*) FROM sandbox_charges").await;
    let res = app
        .call_json(
            "credit/top-up",
            json!({ "amount": "1,250", "method_id": "pm_gx_mc", "idempotency_key": "idem_comma_topup_0002" }),
            Some(&greta),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = res.app_error().field_message("amount").expect("at the amount field");
    assert!(message.starts_with("Did you mean €1,250.00"), "{message}");
    assert_eq!(app.count("SELECT COUNT(*) FROM sandbox_charges").await, charges);

    // Thresholds and automatic top-ups read the same way.
    let saved = app
        .call_json(
            "credit/settings",
            json!({ "input": { "alert_threshold": "75,50", "auto_top_up": true, "auto_threshold": "1.000", "auto_amount": "250,00", "auto_method_id": "pm_gx_mc" } }),
            Some(&greta),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let stored: (i64, i64, i64) = sqlx::query_as("SELECT alert_threshold, auto_top_up_threshold, auto_top_up_amount FROM credit_settings WHERE account_id = 'acc_globex'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(stored, (7_550, 100_000, 25_000));
}

/// A client of the demo vendor in `currency`, with an owner and an open invoice.
async fn client_in(app: &TestApp, id: &str, currency: &str, country: &str, invoice_total: i64) -> String {
    let pool = app.state.db.pool();
    sqlx::query("INSERT INTO accounts (id, vendor_id, name, currency, company_name, country, created_at) VALUES ($1, 'ven_acme', $1, $2, $1, $3, 0)")
        .bind(id)
        .bind(currency)
        .bind(country)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO memberships (account_id, user_id, role, created_at) VALUES ($1, 'usr_greta', 'admin', 0)")
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO billing_contacts (id, account_id, name, email, created_at) VALUES ($1, $2, 'AP', 'ap@example.test', 0)")
        .bind(format!("bct_{id}"))
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
    let invoice = format!("inv_{id}");
    insert_invoice(app, &invoice, id, &format!("CUR-{id}"), invoice_total, currency).await;
    let greta = app.login("owner@globex.test").await;
    let switched = app.call("accounts/switch", &[("account_id", id)], Some(&greta)).await;
    assert_eq!(switched.status, StatusCode::OK, "{}", switched.body);
    switched.session_cookie().expect("a new session for the account")
}

#[tokio::test]
async fn each_currency_has_its_own_methods_and_minimums() {
    let app = TestApp::with_demo().await;
    // Reais: PIX and Boleto, no wire or ACH.
    let brl = client_in(&app, "acc_brazil", "BRL", "BR", 150_000).await;
    let quote: PaymentQuote = app.call_json("payments/quote", json!({ "invoice_ids": [] }), Some(&brl)).await.json();
    let kinds: Vec<MethodKind> = quote.options.iter().map(|o| o.kind).collect();
    assert_eq!(kinds, [MethodKind::Pix, MethodKind::Boleto]);
    assert!(quote.options.iter().all(|o| o.quote.is_available()));

    // Yen: the wire minimum is of about a thousand dollars' worth, not ¥1,000 or ¥100,000.
    let jpy = client_in(&app, "acc_japan", "JPY", "JP", 120_000).await;
    let quote: PaymentQuote = app.call_json("payments/quote", json!({ "invoice_ids": [] }), Some(&jpy)).await.json();
    let wire = quote.options.iter().find(|o| o.kind == MethodKind::Wire).expect("wire offered in yen");
    assert_eq!(wire.quote, MethodQuote::Unavailable { reason: "Wire transfers start at ¥150,000.".into() });
    // And a yen top-up has a yen minimum.
    let res = app
        .call_json(
            "credit/top-up",
            json!({ "amount": "1000", "method_id": "pm_missing", "idempotency_key": "idem_yen_topup_00001" }),
            Some(&jpy),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.body);

    // Dollars keep the vendor's own rules: ACH from $50, wire from $1,000.
    let owner = app.login("owner@northwind.test").await;
    let quote: PaymentQuote = app.call_json("payments/quote", json!({ "invoice_ids": [] }), Some(&owner)).await.json();
    let kinds: Vec<MethodKind> = quote.options.iter().map(|o| o.kind).collect();
    assert!(
        kinds.contains(&MethodKind::Ach) && kinds.contains(&MethodKind::Wire) && !kinds.contains(&MethodKind::Pix),
        "{kinds:?}"
    );
}

fn operator(method: Method, path: &str, key: &str, body: Option<Value>) -> Request<Body> {
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, HOST)
        .header(header::AUTHORIZATION, format!("Bearer {key}"));
    if body.is_some() {
        builder = builder.header(header::CONTENT_TYPE, "application/json");
    }
    builder.body(body.map(|b| Body::from(b.to_string())).unwrap_or_else(Body::empty)).unwrap()
}

async fn api_key(app: &TestApp) -> String {
    let staff = app.login("staff@acme.test").await;
    let res = app.call("staff/api-keys/create", &[("name", "Finance sync")], Some(&staff)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.json::<Value>()["secret"].as_str().unwrap().to_string()
}

async fn blocked(app: &TestApp, key: &str) -> bool {
    let status: Value = app
        .send(operator(Method::GET, "/api/operator/v1/accounts/acc_northwind/service-status", key, None))
        .await
        .json();
    status["outbound_messaging"]["reasons"].as_array().unwrap().iter().any(|r| r["cause"] == "license_invoice_overdue")
}

#[tokio::test]
async fn a_transfer_recorded_as_received_settles_the_invoice_and_lifts_the_block() {
    let app = TestApp::with_demo().await;
    sqlx::query("UPDATE vendor_currency_rules SET wire_minimum = 0 WHERE vendor_id = 'ven_acme' AND currency = 'USD'")
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let key = api_key(&app).await;
    let owner = app.login("owner@northwind.test").await;
    let overdue: (String, i64) = sqlx::query_as("SELECT id, total FROM invoices WHERE account_id = 'acc_northwind' AND kind = 'prorated_license' AND status = 'open'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert!(blocked(&app, &key).await, "the overdue license invoice blocks outbound messaging");
    let res = pay(&app, &owner, &[&overdue.0], "wire", "idem_wire_payment_0001").await;
    let PaymentResult::AwaitingTransfer { payment_id, reference, total, .. } = res.json() else {
        panic!("{}", res.body)
    };
    assert_eq!(total.minor, overdue.1);
    assert!(blocked(&app, &key).await, "awaiting the money is not having it");

    let transfer = |amount: i64, payment: &str| {
        operator(
            Method::POST,
            "/api/operator/v1/accounts/acc_northwind/transfers",
            &key,
            Some(
                json!({ "payment": payment, "amount": { "amount": amount, "currency": "USD" }, "bank_reference": "FED-20261122-0001" }),
            ),
        )
    };
    // Not the whole amount: refused at the field, nothing settled.
    let partial = app.send(transfer(overdue.1 - 1, &reference)).await;
    assert_eq!(partial.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", partial.body);
    assert_eq!(partial.json::<Value>()["error"]["fields"][0]["field"], "amount");
    // Another vendor's key does not reach it.
    assert_eq!(app.send(transfer(overdue.1, "NOSUCHREF")).await.status, StatusCode::NOT_FOUND);

    let received = app.send(transfer(overdue.1, &reference)).await;
    assert_eq!(received.status, StatusCode::OK, "{}", received.body);
    let body: Value = received.json();
    assert_eq!((body["payment_id"].as_str(), body["status"].as_str()), (Some(payment_id.as_str()), Some("succeeded")));
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM invoices WHERE id = '{}' AND status = 'paid' AND amount_paid = {} AND payment_in_progress_id IS NULL", overdue.0, overdue.1)).await, 1);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM payments WHERE id = '{payment_id}' AND status = 'succeeded' AND processor_charge_id = 'transfer:FED-20261122-0001'")).await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'payment.transfer_received'").await, 1);
    assert!(!blocked(&app, &key).await, "paid: outbound messaging runs again");
    // Recorded twice (a retry of the finance system's call): nothing moves again.
    assert_eq!(app.send(transfer(overdue.1, &reference)).await.status, StatusCode::OK);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'payment.transfer_received'").await, 1);
}

#[tokio::test]
async fn staff_record_transfers_and_support_staff_only_see_them() {
    let app = TestApp::with_demo().await;
    sqlx::query("UPDATE vendor_currency_rules SET wire_minimum = 0 WHERE vendor_id = 'ven_acme' AND currency = 'USD'")
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let owner = app.login("owner@northwind.test").await;
    let open: Vec<String> =
        sqlx::query_scalar("SELECT id FROM invoices WHERE account_id = 'acc_northwind' AND status = 'open'")
            .fetch_all(app.state.db.pool())
            .await
            .unwrap();
    let open: Vec<&str> = open.iter().map(String::as_str).collect();
    let res = pay(&app, &owner, &open, "wire", "idem_wire_payment_0002").await;
    let PaymentResult::AwaitingTransfer { payment_id, total, .. } = res.json() else { panic!("{}", res.body) };

    let sam = app.login("support@acme.test").await;
    let listed: Vec<portico::wire::staff::AwaitingTransfer> = app.call("staff/transfers", &[], Some(&sam)).await.json();
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].payment_id.as_str(), listed[0].total), (payment_id.as_str(), total));
    assert_eq!(listed[0].open_again_on, crate::support::pinned_today() + time::Duration::days(10));
    let typed = total.format();
    // The form is an island taken over at its first use: its amount is in the server's HTML.
    let page = app.get("/staff/transfers", Some(&sam)).await.body;
    assert!(page.contains(&format!(r#"value="{typed}""#)), "the amount expected is filled in: {page}");
    let form = [
        ("account_id", NW),
        ("payment_id", payment_id.as_str()),
        ("amount", typed.as_str()),
        ("bank_reference", "ACH-IN-77"),
    ];
    assert_eq!(app.call("staff/transfers/record", &form, Some(&sam)).await.status, StatusCode::FORBIDDEN);

    let alex = app.login("staff@acme.test").await;
    let recorded = app.call("staff/transfers/record", &form, Some(&alex)).await;
    assert_eq!(recorded.status, StatusCode::OK, "{}", recorded.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM invoices WHERE account_id = 'acc_northwind' AND status IN ('open', 'awaiting_transfer')").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'payment.transfer_received' AND actor_user_id = 'usr_alex'").await, 1);
}

#[tokio::test]
async fn a_transfer_that_never_comes_reopens_the_invoice_and_automatic_collection_resumes() {
    use portico::server::cycle::{RunOptions, run};
    let app = TestApp::with_demo_on(date!(2026 - 11 - 22)).await;
    sqlx::query("UPDATE vendor_currency_rules SET wire_minimum = 0 WHERE vendor_id = 'ven_acme' AND currency = 'USD'")
        .execute(app.state.db.pool())
        .await
        .unwrap();
    // December's license invoice is charged on the 1st to a card that declines; its retry is
    // due on the 2nd.
    let owner = app.login("owner@northwind.test").await;
    let token = app.card_token("4000000000000341").await;
    let added = app.call("payment-methods/add", &[("token", &token), ("make_default", "false")], Some(&owner)).await;
    let declining = added.json::<Value>()["id"].as_str().unwrap().to_string();
    sqlx::query("UPDATE subscriptions SET payment_method_id = $1 WHERE account_id = 'acc_northwind'")
        .bind(&declining)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let on = |day: time::Date| app.clock.set(day.midnight().assume_utc() + time::Duration::hours(6));
    on(date!(2026 - 12 - 01));
    run(&app.state, &RunOptions::new(date!(2026 - 12 - 01), "w"), &|_, _| {}).await.unwrap();
    let license: String = sqlx::query_scalar(
        "SELECT id FROM invoices WHERE account_id = 'acc_northwind' AND cycle_key = 'license:2026-12'",
    )
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();

    // The client says they will wire it instead; the card is fixed meanwhile.
    let owner = app.login("owner@northwind.test").await;
    let res = pay(&app, &owner, &[&license], "wire", "idem_wire_payment_0003").await;
    let PaymentResult::AwaitingTransfer { payment_id, .. } = res.json() else { panic!("{}", res.body) };
    sqlx::query("UPDATE subscriptions SET payment_method_id = 'pm_nw_visa' WHERE account_id = 'acc_northwind'")
        .execute(app.state.db.pool())
        .await
        .unwrap();

    // While the transfer is awaited, the scheduled retry leaves the invoice alone.
    on(date!(2026 - 12 - 02));
    let report = run(&app.state, &RunOptions::new(date!(2026 - 12 - 02), "w"), &|_, _| {}).await.unwrap();
    assert_eq!((report.charges_succeeded, report.charges_failed, report.transfers_expired), (0, 0, 0), "{report:?}");
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM invoices WHERE id = '{license}' AND status = 'awaiting_transfer'"))
            .await,
        1
    );

    // Ten days on, nothing arrived: the invoice is open again, the contacts are told, and the
    // retry that was due is made in the same run.
    let emails = app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'payment_failed'").await;
    on(date!(2026 - 12 - 11));
    let report = run(&app.state, &RunOptions::new(date!(2026 - 12 - 11), "w"), &|_, _| {}).await.unwrap();
    assert_eq!((report.transfers_expired, report.charges_succeeded), (1, 1), "{report:?}");
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM payments WHERE id = '{payment_id}' AND status = 'failed' AND failure_code = 'transfer_not_received'")).await, 1);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM invoices WHERE id = '{license}' AND status = 'paid'")).await,
        1
    );
    let told: Vec<String> = sqlx::query_scalar(
        "SELECT body_text FROM outbox WHERE kind = 'payment_failed' ORDER BY created_at DESC LIMIT 1",
    )
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    assert!(app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'payment_failed'").await > emails);
    assert!(told[0].contains("No transfer arrived within 10 days"), "{}", told[0]);
    // The failed transfer can no longer be recorded as received.
    let key = api_key(&app).await;
    let late = app
        .send(operator(
            Method::POST,
            "/api/operator/v1/accounts/acc_northwind/transfers",
            &key,
            Some(json!({ "payment": payment_id, "amount": { "amount": 1, "currency": "USD" }, "bank_reference": "LATE" })),
        ))
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);
}
