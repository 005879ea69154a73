//! Billing details (seeds 000, 002): company, address, tax ID and billing contacts.

use axum::http::StatusCode;
use portico::domain::ids::AccountId;
use serde_json::Value;

use crate::support::TestApp;
use portico::server::accounts::billing_details::{BillTo, LAST_CONTACT, bill_to_snapshot};
use portico::server::infra::clock::Clock;
use portico::wire::billing_details::{BillingContact, BillingDetails, UpdateOutcome};
use portico::wire::error::AppError;

const NORTHWIND_ADDRESS: &str = "1200 Harbor Way, Floor 3, Seattle, WA 98101, United States";

/// Northwind's details as the demo stores them, as form fields.
fn northwind_form() -> Vec<(&'static str, &'static str)> {
    vec![
        ("company_name", "Northwind Traders LLC"),
        ("country", "US"),
        ("address_line1", "1200 Harbor Way"),
        ("address_line2", "Floor 3"),
        ("city", "Seattle"),
        ("region", "WA"),
        ("postal_code", "98101"),
        ("tax_id", "EIN 91-7654321"),
    ]
}

/// `northwind_form()` with some fields replaced.
fn with<'a>(changes: &[(&'static str, &'a str)]) -> Vec<(&'static str, &'a str)> {
    let mut form: Vec<(&'static str, &'a str)> = northwind_form();
    for (key, value) in changes {
        match form.iter_mut().find(|(k, _)| k == key) {
            Some(entry) => entry.1 = value,
            None => form.push((key, value)),
        }
    }
    form
}

async fn update(app: &TestApp, session: &str, form: &[(&str, &str)]) -> UpdateOutcome {
    let res = app.call("billing-details/update", form, Some(session)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.json()
}

async fn details(app: &TestApp, session: &str) -> BillingDetails {
    let res = app.call("billing-details", &[], Some(session)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.json()
}

fn invalid_fields(outcome: &UpdateOutcome) -> Vec<(&'static str, String)> {
    match outcome {
        UpdateOutcome::Invalid(errors) => errors.iter().map(|e| (e.field, e.message.clone())).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

fn message<'a>(errors: &'a [(&'static str, String)], field: &str) -> &'a str {
    errors.iter().find(|(f, _)| *f == field).map_or("", |(_, m)| m.as_str())
}

async fn audit_count(app: &TestApp, action: &str) -> i64 {
    app.count(&format!("SELECT COUNT(*) FROM audit_events WHERE action = '{action}'")).await
}

#[tokio::test]
async fn billing_roles_see_the_details_and_contacts() {
    let app = TestApp::with_demo().await;
    for email in ["owner@northwind.test", "billing@northwind.test"] {
        let session = app.login(email).await;
        let d = details(&app, &session).await;
        assert_eq!(d.company_name, "Northwind Traders LLC");
        assert_eq!((d.country.as_str(), d.region.as_str(), d.postal_code.as_str()), ("US", "WA", "98101"));
        assert_eq!(d.tax_id, "EIN 91-7654321");
        // Exactly what the demo's invoices were issued with.
        assert_eq!(d.address_text, NORTHWIND_ADDRESS);
        let emails: Vec<&str> = d.contacts.iter().map(|c| c.email.as_str()).collect();
        assert_eq!(emails.len(), 2);
        assert!(emails.contains(&"ap@northwind.test") && emails.contains(&"billing@northwind.test"));
        assert!(!d.version.is_empty());
    }
    let globex = app.login("owner@globex.test").await;
    let d = details(&app, &globex).await;
    assert_eq!((d.company_name.as_str(), d.tax_id.as_str()), ("Globex Corporation GmbH", "DE123456789"));
    assert_eq!(d.address_text, "Friedrichstraße 68, 10117 Berlin, Germany");
    assert_eq!(d.contacts.len(), 1);
}

#[tokio::test]
async fn each_wrong_field_gets_its_own_message_and_nothing_is_stored() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let before = details(&app, &owner).await;

    let errors = invalid_fields(&update(&app, &owner, &with(&[("postal_code", "9810")])).await);
    assert_eq!(
        errors,
        vec![("postal_code", "A ZIP code is 5 digits, or 5 + 4 digits, like 98101 or 98101-1234.".to_string())]
    );

    let errors =
        invalid_fields(&update(&app, &owner, &with(&[("city", "  "), ("region", "XY"), ("company_name", "")])).await);
    assert_eq!(message(&errors, "city"), "Enter the city.");
    assert_eq!(message(&errors, "region"), "Choose the state from the list.");
    assert_eq!(message(&errors, "company_name"), "Enter the company name to print on invoices.");
    assert_eq!(errors.len(), 3, "{errors:?}");

    // Moving to Germany: no state there, a 5-digit postal code, and a German VAT number.
    let germany = with(&[
        ("country", "DE"),
        ("region", ""),
        ("postal_code", "10117"),
        ("city", "Berlin"),
        ("tax_id", "DE12345678"),
    ]);
    let errors = invalid_fields(&update(&app, &owner, &germany).await);
    assert_eq!(
        errors,
        vec![("tax_id", "A German VAT number is DE followed by 9 digits, like DE123456789.".to_string())]
    );

    let errors = invalid_fields(&update(&app, &owner, &with(&[("country", "ZZ")])).await);
    assert_eq!(message(&errors, "country"), "Choose a country from the list.");

    // A missing field counts as empty.
    let res = app.call("billing-details/update", &[("company_name", "Northwind")], Some(&owner)).await;
    let errors = invalid_fields(&res.json());
    assert_eq!(message(&errors, "country"), "Choose a country.");

    assert_eq!(details(&app, &owner).await, before);
    assert_eq!(audit_count(&app, "billing_details.updated").await, 0);
}

#[tokio::test]
async fn a_successful_update_is_stored_normalised_and_audited_once_with_before_and_after() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let version = details(&app, &owner).await.version;
    let form = with(&[
        ("company_name", "  Northwind  Traders Inc. "),
        ("address_line1", "500 Pine Street"),
        ("address_line2", ""),
        ("region", "wa"),
        ("postal_code", "981011234"),
        ("tax_id", "91 7654321"),
        ("version", &version),
    ]);
    let UpdateOutcome::Saved { details: saved, changed: true } = update(&app, &owner, &form).await else {
        panic!("not saved")
    };
    assert_eq!(saved.company_name, "Northwind Traders Inc.");
    assert_eq!(
        (saved.region.as_str(), saved.postal_code.as_str(), saved.tax_id.as_str()),
        ("WA", "98101-1234", "EIN 91-7654321")
    );
    assert_eq!(saved.address_text, "500 Pine Street, Seattle, WA 98101-1234, United States");
    assert_ne!(saved.version, version);

    let stored: (String, String, String, String, Option<String>) = sqlx::query_as(
        "SELECT company_name, address_line1, address_line2, postal_code, tax_id FROM accounts WHERE id = 'acc_northwind'",
    )
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!(
        stored,
        (
            "Northwind Traders Inc.".into(),
            "500 Pine Street".into(),
            String::new(),
            "98101-1234".into(),
            Some("EIN 91-7654321".into())
        )
    );

    type EventRow = (Option<String>, Option<String>, Option<String>, String, Option<String>, i64);
    let events: Vec<EventRow> = sqlx::query_as(
        "SELECT actor_user_id, actor_email, account_id, detail, target_id, occurred_at FROM audit_events WHERE action = 'billing_details.updated'",
    )
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!(events.len(), 1);
    let (actor, actor_email, account, detail, target, at) = &events[0];
    assert_eq!(
        (actor.as_deref(), actor_email.as_deref(), account.as_deref()),
        (Some("usr_nora"), Some("owner@northwind.test"), Some("acc_northwind"))
    );
    assert_eq!(target.as_deref(), Some("acc_northwind"));
    assert_eq!(*at, app.clock.now().unix_timestamp());
    let detail: Value = serde_json::from_str(detail).unwrap();
    assert_eq!(detail["before"]["company_name"], "Northwind Traders LLC");
    assert_eq!(detail["before"]["address_line1"], "1200 Harbor Way");
    assert_eq!(detail["before"]["address_line2"], "Floor 3");
    assert_eq!(detail["before"]["postal_code"], "98101");
    assert_eq!(detail["after"]["company_name"], "Northwind Traders Inc.");
    assert_eq!(detail["after"]["address_line1"], "500 Pine Street");
    assert_eq!(detail["after"]["postal_code"], "98101-1234");
    assert_eq!(detail["after"]["tax_id"], "EIN 91-7654321");
    let changed: Vec<&str> = detail["changed"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(changed, vec!["company_name", "address_line1", "address_line2", "postal_code"]);

    // Saving the same details again changes and records nothing.
    let again = with(&[
        ("company_name", "Northwind Traders Inc."),
        ("address_line1", "500 Pine Street"),
        ("address_line2", ""),
        ("postal_code", "98101-1234"),
    ]);
    assert!(matches!(update(&app, &owner, &again).await, UpdateOutcome::Saved { changed: false, .. }));
    assert_eq!(audit_count(&app, "billing_details.updated").await, 1);

    // A form opened before that change cannot overwrite it unseen.
    let stale = with(&[("address_line1", "1 Old Form Road"), ("version", &version)]);
    let res = app.call("billing-details/update", &stale, Some(&owner)).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.body);
    assert!(matches!(res.app_error(), AppError::Conflict(m) if m.contains("Someone else changed")));
    assert_eq!(details(&app, &owner).await.address_line1, "500 Pine Street");

    // The billing manager may change them too; the tax ID may be removed.
    let ben = app.login("billing@northwind.test").await;
    let UpdateOutcome::Saved { details: saved, .. } = update(&app, &ben, &with(&[("tax_id", "")])).await else {
        panic!("not saved")
    };
    assert_eq!(saved.tax_id, "");
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts WHERE id = 'acc_northwind' AND tax_id IS NULL").await, 1);
    assert_eq!(audit_count(&app, "billing_details.updated").await, 2);
}

#[tokio::test]
async fn issued_invoices_keep_their_details_and_new_ones_get_the_new_details() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let pool = app.state.db.pool();
    let snapshot_sql = "SELECT id, bill_to_name, bill_to_address, bill_to_tax_id FROM invoices WHERE account_id = 'acc_northwind' ORDER BY id";
    let issued: Vec<(String, String, String, Option<String>)> =
        sqlx::query_as(snapshot_sql).fetch_all(pool).await.unwrap();
    assert!(!issued.is_empty());
    assert_eq!(
        bill_to_snapshot(pool, &AccountId::from("acc_northwind")).await.unwrap(),
        BillTo {
            name: "Northwind Traders LLC".into(),
            address: NORTHWIND_ADDRESS.into(),
            tax_id: Some("EIN 91-7654321".into())
        }
    );

    // Northwind moves to Toronto.
    let canada = [
        ("company_name", "Northwind Traders ULC"),
        ("country", "CA"),
        ("address_line1", "100 King Street West"),
        ("address_line2", "Suite 5700"),
        ("city", "Toronto"),
        ("region", "Ontario"),
        ("postal_code", "m5x1c9"),
        ("tax_id", "123456789RT0001"),
    ];
    assert!(matches!(update(&app, &owner, &canada).await, UpdateOutcome::Saved { changed: true, .. }));

    let after: Vec<(String, String, String, Option<String>)> =
        sqlx::query_as(snapshot_sql).fetch_all(pool).await.unwrap();
    assert_eq!(after, issued, "invoices already issued keep the details they were issued with");
    let invoice = app.call("invoice", &[("id", &issued[0].0)], Some(&owner)).await;
    assert!(invoice.body.contains(NORTHWIND_ADDRESS) && !invoice.body.contains("Toronto"), "{}", invoice.body);

    let expected = BillTo {
        name: "Northwind Traders ULC".into(),
        address: "100 King Street West, Suite 5700, Toronto ON M5X 1C9, Canada".into(),
        tax_id: Some("BN 123456789 RT0001".into()),
    };
    assert_eq!(bill_to_snapshot(pool, &AccountId::from("acc_northwind")).await.unwrap(), expected);
    // Invoice-issuing code calls it inside its own transaction.
    let mut tx = app.state.db.begin_write().await.unwrap();
    assert_eq!(bill_to_snapshot(&mut *tx, &AccountId::from("acc_northwind")).await.unwrap(), expected);
    tx.rollback().await.unwrap();
    assert_eq!(bill_to_snapshot(pool, &AccountId::from("acc_nobody")).await, Err(AppError::NotFound));
    // The other account is untouched.
    assert_eq!(
        bill_to_snapshot(pool, &AccountId::from("acc_globex")).await.unwrap().address,
        "Friedrichstraße 68, 10117 Berlin, Germany"
    );
}

#[tokio::test]
async fn contacts_can_be_added_and_removed_but_never_the_last_one() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let add = |name: &'static str, email: &'static str| {
        let app = &app;
        let owner = owner.clone();
        async move { app.call("billing-details/contacts/add", &[("name", name), ("email", email)], Some(&owner)).await }
    };

    let res = add("", "someone@northwind.test").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.app_error().field_message("contact_name").as_deref(), Some("Enter the contact's name."));
    let res = add("Someone", "not-an-email").await;
    assert_eq!(
        res.app_error().field_message("contact_email").as_deref(),
        Some("Enter an email address like name@example.com.")
    );
    // The same address again, in another case, is a duplicate.
    let res = add("Accounts Payable", " AP@Northwind.test ").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.app_error().field_message("contact_email").as_deref(),
        Some("ap@northwind.test already receives invoices for this account.")
    );

    let res = add("Dana  Ortiz", "Dana@Northwind.test").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let list: Vec<BillingContact> = res.json();
    assert_eq!(list.len(), 3);
    let dana = list.iter().find(|c| c.email == "dana@northwind.test").expect("added, lower-cased");
    assert_eq!(dana.name, "Dana Ortiz");
    assert_eq!(audit_count(&app, "billing_contact.added").await, 1);

    // Removing down to one works; the last one stays.
    let mut remaining = list.clone();
    while remaining.len() > 1 {
        let id = remaining[0].id.clone();
        let res = app.call("billing-details/contacts/remove", &[("id", &id)], Some(&owner)).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        remaining = res.json();
        assert!(remaining.iter().all(|c| c.id != id));
    }
    let res = app.call("billing-details/contacts/remove", &[("id", &remaining[0].id)], Some(&owner)).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(res.app_error(), AppError::Conflict(LAST_CONTACT.into()));
    assert_eq!(app.count("SELECT COUNT(*) FROM billing_contacts WHERE account_id = 'acc_northwind'").await, 1);
    assert_eq!(audit_count(&app, "billing_contact.removed").await, 2);
    let detail: String = sqlx::query_scalar("SELECT detail FROM audit_events WHERE action = 'billing_contact.added'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let detail: Value = serde_json::from_str(&detail).unwrap();
    assert_eq!((detail["name"].as_str(), detail["email"].as_str()), (Some("Dana Ortiz"), Some("dana@northwind.test")));

    // Unknown ids answer 404.
    let res = app.call("billing-details/contacts/remove", &[("id", "bct_missing")], Some(&owner)).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn two_removals_at_once_never_leave_an_account_without_a_contact() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let ben = app.login("billing@northwind.test").await;
    let ids: Vec<String> = details(&app, &owner).await.contacts.into_iter().map(|c| c.id).collect();
    assert_eq!(ids.len(), 2);
    let (first, second) = ([("id", ids[0].as_str())], [("id", ids[1].as_str())]);
    let (a, b) = tokio::join!(
        app.call("billing-details/contacts/remove", &first, Some(&owner)),
        app.call("billing-details/contacts/remove", &second, Some(&ben)),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "{} / {}", a.body, b.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM billing_contacts WHERE account_id = 'acc_northwind'").await, 1);
}

#[tokio::test]
async fn only_billing_roles_of_the_account_reach_its_details() {
    let app = TestApp::with_demo().await;
    let member = app.login("member@northwind.test").await;
    let contact: String =
        sqlx::query_scalar("SELECT id FROM billing_contacts WHERE account_id = 'acc_northwind' ORDER BY id LIMIT 1")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    let calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("billing-details", vec![]),
        ("billing-details/update", with(&[("address_line1", "1 Member Road")])),
        ("billing-details/contacts/add", vec![("name", "Mia"), ("email", "mia@northwind.test")]),
        ("billing-details/contacts/remove", vec![("id", &contact)]),
    ];
    for (endpoint, form) in &calls {
        let res = app.call(endpoint, form, Some(&member)).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "member on {endpoint}");
        assert_eq!(res.app_error(), AppError::Forbidden);
        let res = app.call(endpoint, form, None).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "anonymous on {endpoint}");
        assert_eq!(res.app_error(), AppError::Unauthenticated);
    }

    // Another account's contact answers exactly like a missing one, and stays.
    let globex = app.login("owner@globex.test").await;
    let foreign = app.call("billing-details/contacts/remove", &[("id", &contact)], Some(&globex)).await;
    let missing =
        app.call("billing-details/contacts/remove", &[("id", "bct_doesnotexist000000000")], Some(&globex)).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    assert_eq!((foreign.status, &foreign.body), (missing.status, &missing.body));
    // Globex's own update touches only Globex.
    let res = app
        .call(
            "billing-details/update",
            &[
                ("company_name", "Globex Corporation GmbH"),
                ("country", "DE"),
                ("address_line1", "Unter den Linden 1"),
                ("city", "Berlin"),
                ("postal_code", "10117"),
                ("tax_id", "de 123 456 789"),
            ],
            Some(&globex),
        )
        .await;
    assert!(matches!(res.json(), UpdateOutcome::Saved { changed: true, .. }), "{}", res.body);

    assert_eq!(app.count("SELECT COUNT(*) FROM billing_contacts WHERE account_id = 'acc_northwind'").await, 2);
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts WHERE address_line1 = '1 Member Road'").await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM accounts WHERE id = 'acc_northwind' AND address_line1 = '1200 Harbor Way'")
            .await,
        1
    );
    assert_eq!(audit_count(&app, "billing_details.updated").await, 1);
}
