use axum::http::StatusCode;
use time::Duration;

use crate::support::{ORIGIN, TestApp, browser_form_post, call_request, send};
use portico::domain::billing_items::EstimateStatus;
use portico::wire::billing_items::{EstimateDetail, InvoiceDetail};
use portico::wire::estimates::ApprovedEstimate;

#[tokio::test]
async fn approving_signs_and_issues_the_next_invoice_with_the_current_billing_details() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let next_number: i64 = app.count("SELECT next_number FROM invoice_sequences WHERE vendor_id = 'ven_acme'").await;
    // The billing address changes before approval: the new invoice carries the new one.
    sqlx::query("UPDATE accounts SET address_line1 = '77 New Street', address_line2 = '' WHERE id = 'acc_northwind'")
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let res = app
        .call("estimates/approve", &[("id", "est_nw_onboarding"), ("typed_name", "Nora Whitfield")], Some(&owner))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let approved: ApprovedEstimate = res.json();
    assert_eq!(approved.invoice_number, format!("ACME-{next_number:06}"));
    assert_eq!(
        app.count("SELECT next_number FROM invoice_sequences WHERE vendor_id = 'ven_acme'").await,
        next_number + 1
    );

    let invoice: InvoiceDetail = app.call("invoice", &[("id", &approved.invoice_id)], Some(&owner)).await.json();
    assert!(invoice.bill_to.address.contains("77 New Street"), "{}", invoice.bill_to.address);
    assert_eq!(invoice.total.minor, 20 * 2_500 + 35_000);
    assert_eq!(invoice.lines.len(), 2);
    assert_eq!(invoice.due_date - invoice.issue_date, Duration::days(14));
    // Older invoices keep the address they were issued with.
    let old_addresses: i64 = app.count("SELECT COUNT(*) FROM invoices WHERE account_id = 'acc_northwind' AND bill_to_address LIKE '%1200 Harbor Way%'").await;
    assert!(old_addresses > 5);

    let estimate: EstimateDetail = app.call("estimate", &[("id", "est_nw_onboarding")], Some(&owner)).await.json();
    assert_eq!(estimate.status, EstimateStatus::Approved);
    let decision = estimate.decision.expect("decision recorded");
    assert_eq!(decision.approver_name.as_deref(), Some("Nora Whitfield"));
    assert_eq!(decision.decided_by, "Nora Whitfield");
    assert_eq!(decision.invoice_number.as_deref(), Some(approved.invoice_number.as_str()));
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'estimate.approved'").await, 1);

    // Approving again is refused: one invoice per estimate.
    let again = app
        .call("estimates/approve", &[("id", "est_nw_onboarding"), ("typed_name", "Nora Whitfield")], Some(&owner))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.app_error().to_string().contains("already approved"));
}

#[tokio::test]
async fn two_approvals_at_the_same_moment_give_one_invoice() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let manager = app.login("billing@northwind.test").await;
    let before = app.count("SELECT COUNT(*) FROM invoices").await;
    let mut tasks = Vec::new();
    for i in 0..10 {
        let session = if i % 2 == 0 { owner.clone() } else { manager.clone() };
        let router = app.router.clone();
        tasks.push(tokio::spawn(async move {
            send(
                &router,
                call_request(
                    "estimates/approve",
                    &[("id", "est_nw_annual"), ("typed_name", "Signer Name")],
                    Some(&session),
                ),
            )
            .await
            .status
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            StatusCode::OK => ok += 1,
            StatusCode::CONFLICT => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM invoices").await, before + 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM invoices WHERE estimate_id = 'est_nw_annual'").await, 1);
}

#[tokio::test]
async fn an_expired_or_declined_estimate_cannot_be_approved() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let expired =
        app.call("estimates/approve", &[("id", "est_nw_lapsed"), ("typed_name", "Nora Whitfield")], Some(&owner)).await;
    assert_eq!(expired.status, StatusCode::CONFLICT);
    assert!(expired.app_error().to_string().contains("expired"), "{}", expired.body);

    let no_reason = app.call("estimates/decline", &[("id", "est_nw_annual"), ("reason", " ")], Some(&owner)).await;
    assert!(no_reason.app_error().field_message("reason").is_some());
    let declined = app
        .call("estimates/decline", &[("id", "est_nw_annual"), ("reason", "Budget moved to next year")], Some(&owner))
        .await;
    assert_eq!(declined.status, StatusCode::OK, "{}", declined.body);
    let after =
        app.call("estimates/approve", &[("id", "est_nw_annual"), ("typed_name", "Nora Whitfield")], Some(&owner)).await;
    assert_eq!(after.status, StatusCode::CONFLICT);
    let estimate: EstimateDetail = app.call("estimate", &[("id", "est_nw_annual")], Some(&owner)).await.json();
    assert_eq!(estimate.status, EstimateStatus::Declined);
    assert_eq!(estimate.decision.unwrap().decline_reason.as_deref(), Some("Budget moved to next year"));
    assert_eq!(app.count("SELECT COUNT(*) FROM invoices WHERE estimate_id IS NOT NULL").await, 0);

    let unsigned =
        app.call("estimates/approve", &[("id", "est_nw_onboarding"), ("typed_name", "")], Some(&owner)).await;
    assert!(unsigned.app_error().field_message("typed_name").is_some());
}

#[tokio::test]
async fn estimate_decisions_refuse_members_and_other_accounts() {
    let app = TestApp::with_demo().await;
    let member = app.login("member@northwind.test").await;
    let globex = app.login("owner@globex.test").await;
    for (endpoint, form) in [
        ("estimates/approve", vec![("id", "est_nw_onboarding"), ("typed_name", "Someone Else")]),
        ("estimates/decline", vec![("id", "est_nw_onboarding"), ("reason", "Not for us")]),
    ] {
        assert_eq!(app.call(endpoint, &form, Some(&member)).await.status, StatusCode::FORBIDDEN, "{endpoint}");
        assert_eq!(app.call(endpoint, &form, Some(&globex)).await.status, StatusCode::NOT_FOUND, "{endpoint}");
        assert_eq!(app.call(endpoint, &form, None).await.status, StatusCode::UNAUTHORIZED, "{endpoint}");
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM estimates WHERE status <> 'open' AND account_id = 'acc_northwind'").await,
        0
    );
}

#[tokio::test]
async fn the_list_shows_every_estimate_of_the_account_open_ones_first() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let declined =
        app.call("estimates/decline", &[("id", "est_nw_annual"), ("reason", "Not this year")], Some(&owner)).await;
    assert_eq!(declined.status, StatusCode::OK);
    let list: Vec<portico::wire::estimates::EstimateSummary> = app.call("estimates", &[], Some(&owner)).await.json();
    let numbers: Vec<(&str, EstimateStatus, bool)> =
        list.iter().map(|e| (e.number.as_str(), e.status, e.is_expired)).collect();
    assert_eq!(
        numbers,
        vec![
            ("EST-0001", EstimateStatus::Open, false),
            ("EST-0003", EstimateStatus::Open, true),
            ("PRO-0002", EstimateStatus::Declined, false)
        ]
    );
    let member = app.login("member@northwind.test").await;
    assert_eq!(app.call("estimates", &[], Some(&member)).await.status, StatusCode::FORBIDDEN);
    let globex = app.login("owner@globex.test").await;
    let theirs: Vec<portico::wire::estimates::EstimateSummary> = app.call("estimates", &[], Some(&globex)).await.json();
    assert_eq!(theirs.len(), 2, "the open proposal and the declined one");
}

#[tokio::test]
async fn the_agency_sees_who_decided_each_estimate_and_when() {
    use portico::server::infra::clock::Clock;
    use portico::wire::staff::EstimateDecision;
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let res = app
        .call("estimates/approve", &[("id", "est_nw_onboarding"), ("typed_name", "Nora W. Whitfield")], Some(&owner))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let approved: ApprovedEstimate = res.json();

    let staff = app.login("staff@acme.test").await;
    let res = app.call("staff/estimate-decisions", &[], Some(&staff)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let decisions: Vec<EstimateDecision> = res.json();
    let ids: Vec<&str> = decisions.iter().map(|d| d.estimate_id.as_str()).collect();
    assert_eq!(ids, ["est_nw_onboarding", "est_gx_chatbot"], "newest first, open ones left out");
    let approval = &decisions[0];
    assert_eq!((approval.status, approval.decided_by.as_str()), (EstimateStatus::Approved, "Nora Whitfield"));
    assert_eq!(approval.decided_by_email.as_deref(), Some("owner@northwind.test"));
    assert_eq!(approval.approver_name.as_deref(), Some("Nora W. Whitfield"));
    assert_eq!(approval.invoice_number.as_deref(), Some(approved.invoice_number.as_str()));
    assert_eq!(approval.decided_at, app.clock.now().unix_timestamp());
    let decline = &decisions[1];
    assert_eq!((decline.status, decline.decided_by.as_str()), (EstimateStatus::Declined, "Greta Olsen"));
    assert!(decline.decline_reason.as_deref().unwrap().contains("in-house"));

    // Clients do not see the agency's list, not even their own rows in it.
    for client in [owner, app.login("owner@globex.test").await] {
        assert_eq!(app.call("staff/estimate-decisions", &[], Some(&client)).await.status, StatusCode::FORBIDDEN);
    }
}

/// The estimate page has no WASM (a link in an email often opens it first): its forms are
/// posted by the browser, which asks for HTML. An approval is answered with a redirect to the
/// invoice it issued, a refusal with the estimate page showing the message at its field; called
/// with JSON (the operator's tools, an island), the same function answers with its result.
#[tokio::test]
async fn the_estimate_pages_own_forms_are_answered_with_the_page_that_follows() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let page = "/estimates/est_nw_onboarding";
    let form_post = |form: &[(&str, &str)]| browser_form_post("estimates/approve", form, Some(&owner), page);
    let path_of = |location: &str| location.strip_prefix(ORIGIN).unwrap_or(location).to_string();

    let refused = app.send(form_post(&[("id", "est_nw_onboarding"), ("typed_name", "")])).await;
    assert!(refused.status.is_redirection(), "{} {}", refused.status, refused.body);
    let back = path_of(refused.location().expect("back to the page"));
    assert!(back.starts_with(&format!("{page}?")) && back.contains("__err="), "{back}");
    let shown = app.get(&back, Some(&owner)).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains(r#"id="typed-name" name="typed_name""#), "the form is shown again");
    assert!(shown.body.contains(r#"aria-invalid="true""#), "the field refused is marked: {}", shown.body);

    let approved = app.send(form_post(&[("id", "est_nw_onboarding"), ("typed_name", "Nora Whitfield")])).await;
    assert!(approved.status.is_redirection(), "{} {}", approved.status, approved.body);
    let invoice = path_of(approved.location().expect("on to the invoice"));
    assert!(invoice.starts_with("/invoices/inv_"), "{invoice}");
    let shown = app.get(&invoice, Some(&owner)).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains("ACME-"), "the invoice issued: {}", shown.body);

    // Called for data, the function answers with its result and sends nobody anywhere.
    let owner = app.login("owner@northwind.test").await;
    let res = app.call("accounts/switch", &[("account_id", "acc_globex")], Some(&owner)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.location().is_none() && !res.headers.contains_key("serverfnredirect"), "{:?}", res.headers);
    // Posted by the page's own form, switching account is answered with the dashboard.
    let owner = app.login("owner@northwind.test").await;
    let switched = app
        .send(browser_form_post("accounts/switch", &[("account_id", "acc_globex")], Some(&owner), "/accounts"))
        .await;
    assert!(switched.status.is_redirection(), "{} {}", switched.status, switched.body);
    assert_eq!(path_of(switched.location().expect("to the dashboard")), "/");
    assert!(switched.session_cookie().is_some(), "the session id is replaced");
}
