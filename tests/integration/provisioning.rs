//! Provisioning over the operator API: a whole client built by the vendor's systems, seen in
//! the portal as the client sees it; retries with an Idempotency-Key; another vendor's objects.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use time::Duration;

use crate::operator_api::{get, key, other_vendor, portal_sign_in, post, request};
use crate::support::{TestApp, TestResponse, pinned_today};

const API: &str = "/api/operator/v1";

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    key: &str,
    body: Option<Value>,
    idem: Option<&str>,
) -> TestResponse {
    let mut req = request(method, path, Some(key), body.map(|b| b.to_string()));
    if let Some(idem) = idem {
        req.headers_mut().insert("idempotency-key", idem.parse().unwrap());
    }
    app.send(req).await
}

fn created(res: &TestResponse) -> Value {
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    res.json()
}

fn ok(res: &TestResponse) -> Value {
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.json()
}

async fn new_client(app: &TestApp, key: &str) -> Value {
    created(
        &post(
            app,
            &format!("{API}/accounts"),
            key,
            json!({
                "name": "Initech", "currency": "USD", "country": "US", "company_name": "Initech LLC",
                "address_line1": "4120 Freidrich Lane", "city": "Austin", "region": "TX", "postal_code": "78744",
                "tax_id": "12-3456789", "billing_email": "ap@initech.test"
            }),
        )
        .await,
    )
}

#[tokio::test]
async fn a_whole_client_built_over_the_api_is_what_the_portal_shows() {
    let app = TestApp::with_demo().await;
    let key = key(&app).await;
    let today = pinned_today();

    let account = new_client(&app, &key).await;
    let id = account["id"].as_str().unwrap().to_string();
    assert_eq!(account["company_name"], "Initech LLC");
    assert_eq!(account["billing_emails"], json!(["ap@initech.test"]));
    assert_eq!(account["archived"], Value::Null);

    // People: an invitation by email for one, a person created with a portal session for another.
    let invited = created(
        &post(
            &app,
            &format!("{API}/accounts/{id}/people"),
            &key,
            json!({ "email": "Peter@Initech.test", "role": "billing_manager" }),
        )
        .await,
    );
    assert_eq!(invited["email"], "peter@initech.test");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'team_invitation' AND to_address = 'peter@initech.test'")
            .await,
        1
    );
    let cookie = portal_sign_in(
        &app,
        &key,
        json!({ "account_id": id, "email": "bill@initech.test", "create": { "name": "Bill Lumbergh", "role": "owner" } }),
    )
    .await;
    let people = ok(&get(&app, &format!("{API}/accounts/{id}/people"), Some(&key)).await);
    assert_eq!(people["data"].as_array().unwrap().len(), 1);
    assert_eq!(people["data"][0]["role"], "owner");
    assert_eq!(people["invitations"][0]["email"], "peter@initech.test");

    // Catalogue and subscription: its first period invoiced now (no method to charge yet).
    let plan = created(
        &post(&app, &format!("{API}/plans"), &key, json!({ "code": "seat-usd", "name": "Seat", "kind": "service", "unit_label": "seat", "unit_amount": 2_000, "currency": "USD", "interval": "month" }))
            .await,
    );
    let sub = created(
        &post(&app, &format!("{API}/accounts/{id}/subscriptions"), &key, json!({ "plan": plan["id"], "quantity": 3 }))
            .await,
    );
    assert_eq!(sub["subscription"]["status"], "active");
    assert_eq!(sub["subscription"]["quantity"], 3);
    assert_eq!(sub["payment"], Value::Null);
    let first_invoice = sub["invoice_id"].as_str().expect("first period invoiced").to_string();

    // A number, a one-off invoice with the vendor's own tax line, an estimate.
    let number = created(
        &post(
            &app,
            &format!("{API}/accounts/{id}/numbers"),
            &key,
            json!({ "number": "+1 512 555 0100", "sub_account": "Initech Main" }),
        )
        .await,
    );
    assert_eq!(number["onboarded_on"], iso(today));
    let invoice = created(
        &post(
            &app,
            &format!("{API}/accounts/{id}/invoices"),
            &key,
            json!({
                "lines": [{ "description": "TPS report templates", "quantity": 2, "unit_amount": 12_500 }],
                "tax_lines": [{ "description": "Texas sales tax 8.25%", "amount": 2_063 }],
                "memo": "Thank you for your business."
            }),
        )
        .await,
    );
    let invoice = &invoice["invoice"];
    assert_eq!(invoice["subtotal"]["amount"], 25_000);
    assert_eq!(invoice["tax"]["amount"], 2_063);
    assert_eq!(invoice["total"]["amount"], 27_063);
    assert_eq!(invoice["amount_due"]["amount"], 27_063);
    assert_eq!(invoice["tax_lines"][0]["description"], "Texas sales tax 8.25%");
    // Gap-free: the next number of the vendor's one sequence.
    let first_number =
        ok(&get(&app, &format!("{API}/accounts/{id}/invoices/{first_invoice}"), Some(&key)).await)["number"]
            .as_str()
            .unwrap()
            .to_string();
    let (prefix, n) = first_number.split_at(first_number.len() - 6);
    assert_eq!(invoice["number"], format!("{prefix}{:06}", n.parse::<i64>().unwrap() + 1));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'invoice_issued' AND to_address = 'ap@initech.test'").await,
        1
    );
    let valid_until = iso(today + Duration::days(10));
    let estimate = created(
        &post(&app, &format!("{API}/accounts/{id}/estimates"), &key, json!({ "kind": "proposal", "title": "Y2K readiness review", "lines": [{ "description": "Audit", "unit_amount": 90_000 }], "valid_until": valid_until }))
            .await,
    );
    assert_eq!(estimate["status"], "open");

    // The portal shows the client exactly that.
    let page = app.get(&format!("/invoices/{}", invoice["id"].as_str().unwrap()), Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    for text in [
        invoice["number"].as_str().unwrap(),
        "TPS report templates",
        "Texas sales tax 8.25%",
        "$20.63",
        "$270.63",
        "Initech LLC",
    ] {
        assert!(page.body.contains(text), "the invoice page shows {text}");
    }
    let subs = app.get("/subscriptions", Some(&cookie)).await;
    assert!(subs.body.contains("Seat"), "the subscriptions page lists the plan");
    let estimates = app.get("/estimates", Some(&cookie)).await;
    assert!(estimates.body.contains("Y2K readiness review"), "the estimates page lists the proposal");
    let home = app.get("/", Some(&cookie)).await;
    // Outstanding: the first period (3 × $20.00) and the one-off invoice.
    assert!(home.body.contains("$330.63"), "the dashboard's outstanding total");
    let usage = app.get("/usage", Some(&cookie)).await;
    assert!(usage.body.contains("Initech Main"), "the number's sub-account is a usage filter");

    // The client approves the proposal in the portal; the vendor sees it over the API.
    let approved = app
        .call(
            "estimates/approve",
            &[("id", estimate["id"].as_str().unwrap()), ("typed_name", "Bill Lumbergh")],
            Some(&cookie),
        )
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    let read =
        ok(&get(&app, &format!("{API}/accounts/{id}/estimates/{}", estimate["id"].as_str().unwrap()), Some(&key))
            .await);
    assert_eq!(read["status"], "approved");
    assert!(read["invoice_id"].is_string());

    // Lists are keyset-paginated: two pages of one, then none.
    let page1 = ok(&get(&app, &format!("{API}/accounts/{id}/invoices?limit=1"), Some(&key)).await);
    let cursor = page1["next_cursor"].as_str().expect("more").to_string();
    let page2 = ok(&get(&app, &format!("{API}/accounts/{id}/invoices?limit=1&cursor={cursor}"), Some(&key)).await);
    assert_ne!(page1["data"][0]["id"], page2["data"][0]["id"]);
    let all = ok(&get(&app, &format!("{API}/accounts/{id}/invoices?limit=100"), Some(&key)).await);
    assert_eq!(all["data"].as_array().unwrap().len(), 3);
    assert_eq!(all["next_cursor"], Value::Null);
    let found = ok(&get(&app, &format!("{API}/accounts?search=initech"), Some(&key)).await);
    assert_eq!(found["data"].as_array().unwrap().len(), 1);
    assert_eq!(found["data"][0]["id"], id);
}

#[tokio::test]
async fn void_and_credit_notes_follow_the_money() {
    let app = TestApp::with_demo().await;
    let key = key(&app).await;
    let account = new_client(&app, &key).await;
    let id = account["id"].as_str().unwrap();
    let issue = |amount: i64| {
        let app = &app;
        let key = key.clone();
        async move {
            created(
                &post(
                    app,
                    &format!("{API}/accounts/{id}/invoices"),
                    &key,
                    json!({ "lines": [{ "description": "Work", "unit_amount": amount }] }),
                )
                .await,
            )["invoice"]
                .clone()
        }
    };
    let open = issue(10_000).await;
    let open_id = open["id"].as_str().unwrap();
    let voided = ok(&post(
        &app,
        &format!("{API}/accounts/{id}/invoices/{open_id}/void"),
        &key,
        json!({ "reason": "Issued by mistake" }),
    )
    .await);
    assert_eq!(voided["status"], "void");
    assert_eq!(voided["amount_due"]["amount"], 0);
    // A void invoice takes no credit note; voiding again answers the same.
    let refused = post(
        &app,
        &format!("{API}/accounts/{id}/invoices/{open_id}/credit-notes"),
        &key,
        json!({ "amount": 100, "reason": "x y z" }),
    )
    .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert_eq!(
        ok(&post(&app, &format!("{API}/accounts/{id}/invoices/{open_id}/void"), &key, json!({})).await)["status"],
        "void"
    );

    // On an open invoice a credit note lowers what is due, and nothing goes to the balance.
    let second = issue(10_000).await;
    let second_id = second["id"].as_str().unwrap();
    let note = created(
        &post(
            &app,
            &format!("{API}/accounts/{id}/invoices/{second_id}/credit-notes"),
            &key,
            json!({ "amount": 2_500, "reason": "Outage on the 18th" }),
        )
        .await,
    );
    assert_eq!(note["credited_to_balance"]["amount"], 0);
    assert!(note["number"].as_str().unwrap().contains("CN-"));
    let after = ok(&get(&app, &format!("{API}/accounts/{id}/invoices/{second_id}"), Some(&key)).await);
    assert_eq!(after["amount_due"]["amount"], 7_500);
    assert_eq!(after["amount_credited"]["amount"], 2_500);
    assert_eq!(after["amount_paid"]["amount"], 0);
    // More than was paid cannot come back as credit: crediting past what is owed is refused.
    let too_much = post(
        &app,
        &format!("{API}/accounts/{id}/invoices/{second_id}/credit-notes"),
        &key,
        json!({ "amount": 8_000, "reason": "Everything" }),
    )
    .await;
    assert_eq!(too_much.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", too_much.body);
    // Crediting the rest settles it.
    created(
        &post(
            &app,
            &format!("{API}/accounts/{id}/invoices/{second_id}/credit-notes"),
            &key,
            json!({ "amount": 7_500, "reason": "Goodwill" }),
        )
        .await,
    );
    let settled = ok(&get(&app, &format!("{API}/accounts/{id}/invoices/{second_id}"), Some(&key)).await);
    assert_eq!(settled["status"], "paid");
    assert_eq!(settled["amount_paid"]["amount"], 0, "paid by credit notes, not by money");
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM credit_entries WHERE account_id = '{id}'")).await, 0);

    // On a paid invoice, the credit goes to the balance, up to what was paid.
    let nw = "acc_northwind";
    let paid_id: String = sqlx::query_scalar(
        "SELECT id FROM invoices WHERE account_id = $1 AND status = 'paid' AND credited = 0 ORDER BY number LIMIT 1",
    )
    .bind(nw)
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    let total: i64 = sqlx::query_scalar("SELECT total FROM invoices WHERE id = $1")
        .bind(&paid_id)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let over = post(
        &app,
        &format!("{API}/accounts/{nw}/invoices/{paid_id}/credit-notes"),
        &key,
        json!({ "amount": total + 1, "reason": "Too much" }),
    )
    .await;
    assert_eq!(over.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", over.body);
    let before: i64 = sqlx::query_scalar("SELECT COALESCE((SELECT balance_after FROM credit_entries WHERE account_id = $1 ORDER BY seq DESC LIMIT 1), 0)").bind(nw).fetch_one(app.state.db.pool()).await.unwrap();
    let refund = created(
        &post(
            &app,
            &format!("{API}/accounts/{nw}/invoices/{paid_id}/credit-notes"),
            &key,
            json!({ "amount": 1_000, "reason": "Service credit" }),
        )
        .await,
    );
    assert_eq!(refund["credited_to_balance"]["amount"], 1_000);
    let after: i64 =
        sqlx::query_scalar("SELECT balance_after FROM credit_entries WHERE account_id = $1 ORDER BY seq DESC LIMIT 1")
            .bind(nw)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(after - before, 1_000);
    // The client sees the credit note with the invoice, and its PDF.
    let owner = app.login("owner@northwind.test").await;
    let page = app.get(&format!("/invoices/{paid_id}"), Some(&owner)).await;
    assert!(
        page.body.contains("Credit notes") && page.body.contains(refund["number"].as_str().unwrap()),
        "listed on the invoice page"
    );
    let pdf = app.get(refund["pdf_path"].as_str().unwrap(), Some(&owner)).await;
    assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.body);
    assert!(pdf.body.starts_with("%PDF"));
    let someone_else = app.login("owner@globex.test").await;
    assert_eq!(app.get(refund["pdf_path"].as_str().unwrap(), Some(&someone_else)).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn retries_with_an_idempotency_key_make_one_object() {
    let app = TestApp::with_demo().await;
    let key = key(&app).await;
    let body = json!({ "name": "Hooli", "currency": "USD", "country": "US", "address_line1": "1 Hacker Way", "city": "Palo Alto", "region": "CA", "postal_code": "94301" });
    let first =
        send(&app, Method::POST, &format!("{API}/accounts"), &key, Some(body.clone()), Some("create-hooli")).await;
    let again =
        send(&app, Method::POST, &format!("{API}/accounts"), &key, Some(body.clone()), Some("create-hooli")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(first.json::<Value>()["id"], again.json::<Value>()["id"]);
    assert_eq!(again.headers.get("idempotent-replayed").unwrap(), "true");
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts WHERE name = 'Hooli'").await, 1);
    let other = send(&app, Method::POST, &format!("{API}/accounts"), &key, Some(json!({ "name": "Pied Piper", "currency": "USD", "country": "US", "address_line1": "5230 Newell Road", "city": "Palo Alto", "region": "CA", "postal_code": "94303" })), Some("create-hooli")).await;
    assert_eq!(other.status, StatusCode::CONFLICT);
    assert_eq!(other.json::<Value>()["error"]["code"], "idempotency_conflict");

    // An invoice retried: one invoice, one number taken from the sequence.
    let id = first.json::<Value>()["id"].as_str().unwrap().to_string();
    let invoice = json!({ "lines": [{ "description": "Setup", "unit_amount": 5_000 }] });
    let numbers_before = app.count("SELECT next_number FROM invoice_sequences").await;
    for _ in 0..3 {
        let res = send(
            &app,
            Method::POST,
            &format!("{API}/accounts/{id}/invoices"),
            &key,
            Some(invoice.clone()),
            Some("hooli-setup"),
        )
        .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    }
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM invoices WHERE account_id = '{id}'")).await, 1);
    assert_eq!(app.count("SELECT next_number FROM invoice_sequences").await, numbers_before + 1);
}

#[tokio::test]
async fn another_vendors_objects_answer_like_missing_ones() {
    let app = TestApp::with_demo().await;
    let mine = key(&app).await;
    let theirs = other_vendor(&app).await;
    let account = new_client(&app, &mine).await;
    let id = account["id"].as_str().unwrap();
    let invoice = created(
        &post(
            &app,
            &format!("{API}/accounts/{id}/invoices"),
            &mine,
            json!({ "lines": [{ "description": "Work", "unit_amount": 1_000 }] }),
        )
        .await,
    )["invoice"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    for path in [
        format!("{API}/accounts/{id}"),
        format!("{API}/accounts/{id}/invoices"),
        format!("{API}/accounts/{id}/invoices/{invoice}"),
        format!("{API}/accounts/{id}/people"),
        format!("{API}/accounts/{id}/subscriptions"),
        format!("{API}/accounts/acc_northwind/estimates/est_nw_annual"),
    ] {
        let res = get(&app, &path, Some(&theirs)).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}: {}", res.body);
    }
    for (path, body) in [
        (format!("{API}/accounts/{id}/invoices"), json!({ "lines": [{ "description": "x", "unit_amount": 1 }] })),
        (format!("{API}/accounts/{id}/invoices/{invoice}/void"), json!({})),
        (format!("{API}/accounts/{id}/archive"), json!({})),
        (format!("{API}/accounts/{id}/people"), json!({ "email": "x@y.test", "role": "owner" })),
    ] {
        let res = post(&app, &path, &theirs, body).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}: {}", res.body);
    }
    // Their list does not hold it, and their invoice id on our account is missing too.
    let listed = ok(&get(&app, &format!("{API}/accounts?archived=all&limit=100"), Some(&theirs)).await);
    assert!(listed["data"].as_array().unwrap().iter().all(|a| a["id"] != id));
    let res = get(&app, &format!("{API}/accounts/{id}/invoices/{invoice}"), Some(&mine)).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM invoices WHERE account_id = '{id}'")).await,
        1,
        "nothing written for them"
    );
}

#[tokio::test]
async fn the_last_owner_stays_and_archiving_signs_everyone_out() {
    let app = TestApp::with_demo().await;
    let key = key(&app).await;
    let nw = "acc_northwind";
    let people = ok(&get(&app, &format!("{API}/accounts/{nw}/people"), Some(&key)).await);
    let owner = people["data"].as_array().unwrap().iter().find(|p| p["role"] == "owner").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let demote = send(
        &app,
        Method::PATCH,
        &format!("{API}/accounts/{nw}/people/{owner}"),
        &key,
        Some(json!({ "role": "member" })),
        None,
    )
    .await;
    assert_eq!(demote.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", demote.body);
    let remove = send(&app, Method::DELETE, &format!("{API}/accounts/{nw}/people/{owner}"), &key, None, None).await;
    assert_eq!(remove.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", remove.body);
    let member = people["data"].as_array().unwrap().iter().find(|p| p["role"] != "owner").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let removed = send(&app, Method::DELETE, &format!("{API}/accounts/{nw}/people/{member}"), &key, None, None).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM webhook_events WHERE event_type = 'person.removed'").await, 1);

    let session = app.login("owner@northwind.test").await;
    assert_eq!(app.get("/", Some(&session)).await.status, StatusCode::OK);
    let archived = ok(&post(&app, &format!("{API}/accounts/{nw}/archive"), &key, json!({})).await);
    assert!(archived["archived"].is_string());
    assert_ne!(app.get("/", Some(&session)).await.status, StatusCode::OK, "signed out");
    let active = ok(&get(&app, &format!("{API}/accounts?limit=100"), Some(&key)).await);
    assert!(active["data"].as_array().unwrap().iter().all(|a| a["id"] != nw));
    let archived_list = ok(&get(&app, &format!("{API}/accounts?archived=true"), Some(&key)).await);
    assert_eq!(archived_list["data"][0]["id"], nw);
}

fn iso(day: time::Date) -> String {
    format!("{}-{:02}-{:02}", day.year(), u8::from(day.month()), day.day())
}
