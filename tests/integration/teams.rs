//! Several accounts per login, teams and invitations, agency staff viewing as the client, and
//! the activity log.

use axum::http::StatusCode;
use serde_json::json;

use crate::support::{ORIGIN, TestApp, browser_form_post};
use portico::domain::role::Role;
use portico::wire::accounts::AccountsOverview;
use portico::wire::activity::ActivityPage;
use portico::wire::auth::SessionView;
use portico::wire::dashboard::Dashboard;
use portico::wire::error::AppError;
use portico::wire::team::{InvitationView, PendingInvitation, Team};

async fn session(app: &TestApp, token: &str) -> SessionView {
    let res = app.call("session", &[], Some(token)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.json()
}

async fn actions(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = $1")
        .bind(action)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap()
}

async fn open_invoice(app: &TestApp, account: &str) -> String {
    sqlx::query_scalar("SELECT id FROM invoices WHERE account_id = $1 AND status = 'open' ORDER BY number LIMIT 1")
        .bind(account)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn one_login_switches_between_its_accounts_with_a_new_session_id() {
    let app = TestApp::with_demo().await;
    let nora = app.login("owner@northwind.test").await;
    let overview: AccountsOverview = app.call("accounts", &[], Some(&nora)).await.json();
    let names: Vec<(&str, Role, bool)> =
        overview.accounts.iter().map(|a| (a.summary.name.as_str(), a.role, a.is_current)).collect();
    assert_eq!(names, [("Globex Corporation", Role::Admin, false), ("Northwind Traders", Role::Owner, true)]);
    // Totals per currency, each the sum of that currency's accounts.
    let currencies: Vec<&str> = overview.totals.0.iter().map(|m| m.currency.code()).collect();
    assert_eq!(currencies.len(), 2, "{currencies:?}");
    for total in &overview.totals.0 {
        let sum: i64 = overview
            .accounts
            .iter()
            .flat_map(|a| a.summary.outstanding.0.iter())
            .filter(|m| m.currency == total.currency)
            .map(|m| m.minor)
            .sum();
        assert_eq!(total.minor, sum);
        assert!(total.minor > 0);
    }

    let res = app.call("accounts/switch", &[("account_id", "acc_globex")], Some(&nora)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let switched = res.session_cookie().expect("a new session id");
    assert_ne!(switched, nora);
    assert_eq!(app.call("session", &[], Some(&nora)).await.status, StatusCode::UNAUTHORIZED, "the old id is dead");
    let dashboard: Dashboard = app.call("dashboard", &[], Some(&switched)).await.json();
    assert_eq!((dashboard.account_name.as_str(), dashboard.role), ("Globex Corporation", Role::Admin));
    // Every page follows: a Northwind invoice is now another account's.
    let northwind_invoice = open_invoice(&app, "acc_northwind").await;
    assert_eq!(app.call("invoice", &[("id", &northwind_invoice)], Some(&switched)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(actions(&app, "account.switched").await, 1);

    // An account the login does not belong to answers like a missing one.
    let greta = app.login("owner@globex.test").await;
    let refused = app.call("accounts/switch", &[("account_id", "acc_northwind")], Some(&greta)).await;
    assert_eq!(refused.app_error(), AppError::NotFound);
    assert!(refused.session_cookie().is_none());
}

#[tokio::test]
async fn staff_view_as_the_client_on_the_record_and_cannot_act_for_it() {
    let app = TestApp::with_demo().await;
    let alex = app.login("staff@acme.test").await;
    let res = app.call("staff/view-as-client", &[("account_id", "acc_northwind")], Some(&alex)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let viewing = res.session_cookie().expect("rotated at start");
    assert_eq!(app.call("session", &[], Some(&alex)).await.status, StatusCode::UNAUTHORIZED);
    let view = session(&app, &viewing).await;
    assert_eq!(view.viewing_as_client.as_ref().map(|v| v.account_name.as_str()), Some("Northwind Traders"));
    assert_eq!(
        view.viewing_as_client.as_ref().map(|v| v.ends_at),
        Some(crate::support::pinned_now().unix_timestamp() + 3_600)
    );

    // They see what the client sees…
    let dashboard: Dashboard = app.call("dashboard", &[], Some(&viewing)).await.json();
    assert_eq!(dashboard.account_name, "Northwind Traders");
    // …and every money-moving or committing call is refused by the server function itself.
    let invoice = open_invoice(&app, "acc_northwind").await;
    let payments = app.count("SELECT COUNT(*) FROM payments").await;
    let refusals = [
        app.call_json(
            "payments/pay",
            json!({ "invoice_ids": [invoice], "method": "pm_nw_visa", "idempotency_key": "idem_staff_try_000001" }),
            Some(&viewing),
        )
        .await,
        app.call("payment-methods/default", &[("id", "pm_nw_amex")], Some(&viewing)).await,
        app.call("payment-methods/remove", &[("id", "pm_nw_amex")], Some(&viewing)).await,
        app.call("estimates/approve", &[("id", "est_nw_onboarding"), ("typed_name", "Alex Rivera")], Some(&viewing))
            .await,
        app.call("estimates/decline", &[("id", "est_nw_onboarding"), ("reason", "no")], Some(&viewing)).await,
        app.call("subscriptions/cancel", &[("subscription_id", "sub_nw_licenses"), ("reason", "")], Some(&viewing))
            .await,
        app.call(
            "password",
            &[("current_password", "portico-demo"), ("new_password", "a much longer password")],
            Some(&viewing),
        )
        .await,
        app.call("team/invite", &[("email", "friend@example.test"), ("role", "Owner")], Some(&viewing)).await,
        app.call("accounts/switch", &[("account_id", "acc_globex")], Some(&viewing)).await,
        app.call("staff/view-as-client", &[("account_id", "acc_globex")], Some(&viewing)).await,
    ];
    for res in refusals {
        assert_eq!((res.status, res.app_error()), (StatusCode::FORBIDDEN, AppError::Impersonating), "{}", res.body);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM payments").await, payments);
    assert_eq!(app.count("SELECT COUNT(*) FROM estimates WHERE id = 'est_nw_onboarding' AND status = 'open'").await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM payment_methods WHERE id = 'pm_nw_amex' AND removed_at IS NULL").await,
        1
    );

    // Billing details, contacts and payment links are the client's too (issue 16); every refused
    // attempt is on the client's record with the staff member as the impersonator.
    let contacts = app.count("SELECT COUNT(*) FROM billing_contacts WHERE account_id = 'acc_northwind'").await;
    let more_refusals = [
        app.call(
            "billing-details/contacts/add",
            &[("name", "Support Desk"), ("email", "desk@northwind.test")],
            Some(&viewing),
        )
        .await,
        app.call(
            "billing-details/update",
            &[("company_name", "Staff Was Here LLC"), ("country", "US")],
            Some(&viewing),
        )
        .await,
        app.call("payment-links/create", &[("invoice_id", &invoice)], Some(&viewing)).await,
    ];
    for res in more_refusals {
        assert_eq!((res.status, res.app_error()), (StatusCode::FORBIDDEN, AppError::Impersonating), "{}", res.body);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM billing_contacts WHERE account_id = 'acc_northwind'").await, contacts);
    assert_eq!(app.count("SELECT COUNT(*) FROM payment_links").await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'client_view.refused' AND account_id = 'acc_northwind' AND impersonator_user_id = 'usr_alex'").await,
        13,
        "each refused attempt recorded"
    );

    let exit = app.call("staff/exit-client-view", &[], Some(&viewing)).await;
    assert_eq!(exit.status, StatusCode::OK, "{}", exit.body);
    let back = exit.session_cookie().expect("rotated at exit");
    assert_eq!(app.call("session", &[], Some(&viewing)).await.status, StatusCode::UNAUTHORIZED);
    let view = session(&app, &back).await;
    assert!(view.viewing_as_client.is_none() && view.account.is_none() && view.is_staff);
    assert_eq!(app.call("staff/clients", &[], Some(&back)).await.status, StatusCode::OK);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE action LIKE 'impersonation.%' AND account_id = 'acc_northwind' AND impersonator_user_id = 'usr_alex'").await,
        2
    );
    assert_eq!(actions(&app, "impersonation.started").await, 1);
    assert_eq!(actions(&app, "impersonation.ended").await, 1);
}

#[tokio::test]
async fn a_client_view_ends_by_itself_after_an_hour_recorded_once() {
    let app = TestApp::with_demo().await;
    let alex = app.login("staff@acme.test").await;
    let viewing = app
        .call("staff/view-as-client", &[("account_id", "acc_northwind")], Some(&alex))
        .await
        .session_cookie()
        .unwrap();
    app.clock.advance(time::Duration::minutes(59));
    assert!(session(&app, &viewing).await.viewing_as_client.is_some());
    app.clock.advance(time::Duration::minutes(2));
    for _ in 0..3 {
        let view = session(&app, &viewing).await;
        assert!(view.viewing_as_client.is_none() && view.account.is_none(), "{view:?}");
        assert_eq!(app.call("dashboard", &[], Some(&viewing)).await.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'impersonation.ended' AND detail LIKE '%time limit%'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn client_users_cannot_reach_the_agency_console() {
    let app = TestApp::with_demo().await;
    for email in ["owner@northwind.test", "billing@northwind.test", "member@northwind.test"] {
        let token = app.login(email).await;
        for endpoint in ["staff/clients", "staff/activity", "staff/estimate-decisions"] {
            assert_eq!(
                app.call(endpoint, &[], Some(&token)).await.app_error(),
                AppError::Forbidden,
                "{email} {endpoint}"
            );
        }
        let res = app.call("staff/view-as-client", &[("account_id", "acc_northwind")], Some(&token)).await;
        assert_eq!(res.app_error(), AppError::Forbidden);
    }
    assert_eq!(actions(&app, "impersonation.started").await, 0);
}

async fn invite(app: &TestApp, token: &str, email: &str, role: &str) -> crate::support::TestResponse {
    app.call("team/invite", &[("email", email), ("role", role)], Some(token)).await
}

/// The invitation link from the newest invitation email.
async fn link_in_outbox(app: &TestApp, to: &str) -> String {
    let body: String = sqlx::query_scalar("SELECT body_text FROM outbox WHERE to_address = $1 AND kind = 'team_invitation' ORDER BY created_at DESC, id DESC LIMIT 1")
        .bind(to)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let start = body.find("/invitations/").expect("a link") + "/invitations/".len();
    body[start..].split_whitespace().next().unwrap().to_string()
}

#[tokio::test]
async fn an_invitation_by_email_lets_a_new_person_join_once() {
    let app = TestApp::with_demo().await;
    let nora = app.login("owner@northwind.test").await;
    let bad = invite(&app, &nora, "not-an-email", "Member").await;
    assert!(bad.app_error().field_message("email").is_some(), "{}", bad.body);

    let res = invite(&app, &nora, "Zoe@Example.test", "BillingManager").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let invitation: PendingInvitation = res.json();
    assert_eq!((invitation.email.as_str(), invitation.role), ("zoe@example.test", Role::BillingManager));
    let token = link_in_outbox(&app, "zoe@example.test").await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM invitations WHERE token_hash = '' OR token_hash LIKE '%' || 'zoe' || '%'")
            .await,
        0
    );

    let view: InvitationView = app.call("invitations/view", &[("token", &token)], None).await.json();
    assert_eq!(
        (view.account_name.as_str(), view.new_user, view.role),
        ("Northwind Traders", true, Role::BillingManager)
    );

    let short =
        app.call("invitations/accept", &[("token", &token), ("name", "Zoe Park"), ("password", "short")], None).await;
    assert!(short.app_error().field_message("password").is_some(), "{}", short.body);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE email = 'zoe@example.test'").await,
        0,
        "nothing half-written"
    );

    let joined = app
        .call(
            "invitations/accept",
            &[("token", &token), ("name", "Zoe Park"), ("password", "a long enough password")],
            None,
        )
        .await;
    assert!(joined.status.is_success() || joined.status.is_redirection(), "{} {}", joined.status, joined.body);
    let zoe = joined.session_cookie().expect("signed in");
    let team: Team = app.call("team", &[], Some(&zoe)).await.json();
    assert!(team.members.iter().any(|m| m.email == "zoe@example.test" && m.role == Role::BillingManager && m.is_you));
    assert_eq!(app.call("dashboard", &[], Some(&zoe)).await.status, StatusCode::OK, "billing managers see billing");

    let again = app
        .call(
            "invitations/accept",
            &[("token", &token), ("name", "Mallory"), ("password", "a long enough password")],
            None,
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "a link works once: {}", again.body);
    assert_eq!(actions(&app, "team.invited").await, 1);
    assert_eq!(actions(&app, "team.invitation_accepted").await, 1);
}

#[tokio::test]
async fn invitations_expire_and_can_be_revoked() {
    let app = TestApp::with_demo().await;
    let nora = app.login("owner@northwind.test").await;
    assert_eq!(invite(&app, &nora, "late@example.test", "Member").await.status, StatusCode::OK);
    let late = link_in_outbox(&app, "late@example.test").await;
    let revoked: PendingInvitation = invite(&app, &nora, "gone@example.test", "Member").await.json();
    let gone = link_in_outbox(&app, "gone@example.test").await;
    assert_eq!(app.call("team/revoke", &[("id", &revoked.id)], Some(&nora)).await.status, StatusCode::OK);
    assert_eq!(app.call("invitations/view", &[("token", &gone)], None).await.status, StatusCode::NOT_FOUND);

    app.clock.advance(time::Duration::days(7) + time::Duration::minutes(1));
    assert_eq!(app.call("invitations/view", &[("token", &late)], None).await.status, StatusCode::NOT_FOUND);
    let res = app
        .call("invitations/accept", &[("token", &late), ("name", "Late"), ("password", "a long enough password")], None)
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(app.count("SELECT COUNT(*) FROM memberships WHERE account_id = 'acc_northwind'").await, 3);
}

#[tokio::test]
async fn an_existing_user_joins_another_team_with_their_own_password() {
    let app = TestApp::with_demo().await;
    let greta = app.login("owner@globex.test").await;
    assert_eq!(invite(&app, &greta, "member@northwind.test", "Member").await.status, StatusCode::OK);
    let token = link_in_outbox(&app, "member@northwind.test").await;
    let view: InvitationView = app.call("invitations/view", &[("token", &token)], None).await.json();
    assert!(!view.new_user);
    let wrong = app
        .call("invitations/accept", &[("token", &token), ("name", ""), ("password", "not her password")], None)
        .await;
    assert!(wrong.app_error().field_message("password").is_some());
    let ok = app
        .call("invitations/accept", &[("token", &token), ("name", ""), ("password", crate::support::PASSWORD)], None)
        .await;
    let mia = ok.session_cookie().expect("signed in");
    let overview: AccountsOverview = app.call("accounts", &[], Some(&mia)).await.json();
    assert_eq!(overview.accounts.len(), 2);
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE email = 'member@northwind.test'").await, 1);
}

#[tokio::test]
async fn the_last_owner_stays_and_only_owners_manage_owners() {
    let app = TestApp::with_demo().await;
    let nora = app.login("owner@northwind.test").await;
    for (endpoint, form) in [
        ("team/remove", vec![("user_id", "usr_nora")]),
        ("team/role", vec![("user_id", "usr_nora"), ("role", "Admin")]),
    ] {
        let res = app.call(endpoint, &form, Some(&nora)).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
        assert!(res.body.contains("only owner"), "{}", res.body);
    }
    // Make Mia an admin; as admin she cannot touch the owner or make owners.
    assert_eq!(
        app.call("team/role", &[("user_id", "usr_mia"), ("role", "Admin")], Some(&nora)).await.status,
        StatusCode::OK
    );
    let mia = app.login("member@northwind.test").await;
    for (endpoint, form) in
        [("team/remove", vec![("user_id", "usr_nora")]), ("team/role", vec![("user_id", "usr_ben"), ("role", "Owner")])]
    {
        let res = app.call(endpoint, &form, Some(&mia)).await;
        assert!(res.body.contains("Only an owner"), "{}", res.body);
    }
    assert_eq!(invite(&app, &mia, "boss@example.test", "Owner").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    // With a second owner, the first may step down.
    assert_eq!(
        app.call("team/role", &[("user_id", "usr_ben"), ("role", "Owner")], Some(&nora)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.call("team/role", &[("user_id", "usr_nora"), ("role", "Admin")], Some(&nora)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM memberships WHERE account_id = 'acc_northwind' AND role = 'owner'").await,
        1
    );

    // A removed member's session on the account ends.
    let ben = app.login("billing@northwind.test").await;
    assert_eq!(app.call("team/remove", &[("user_id", "usr_mia")], Some(&ben)).await.status, StatusCode::OK);
    assert_eq!(app.call("team", &[], Some(&mia)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(actions(&app, "team.member_removed").await, 1);
    assert_eq!(actions(&app, "team.role_changed").await, 3);
}

#[tokio::test]
async fn changing_a_password_checks_the_old_one_and_ends_other_sessions() {
    let app = TestApp::with_demo().await;
    let here = app.login("billing@northwind.test").await;
    let elsewhere = app.login("billing@northwind.test").await;
    let wrong = app
        .call("password", &[("current_password", "nope"), ("new_password", "a brand new password")], Some(&here))
        .await;
    assert!(wrong.app_error().field_message("current_password").is_some());
    let res = app
        .call(
            "password",
            &[("current_password", crate::support::PASSWORD), ("new_password", "a brand new password")],
            Some(&here),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let rotated = res.session_cookie().expect("a new id");
    assert_eq!(app.call("session", &[], Some(&elsewhere)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.call("session", &[], Some(&here)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.call("session", &[], Some(&rotated)).await.status, StatusCode::OK);
    let old =
        app.call("login", &[("email", "billing@northwind.test"), ("password", crate::support::PASSWORD)], None).await;
    assert_eq!(old.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(actions(&app, "password.changed").await, 1);
}

#[tokio::test]
async fn the_client_sees_its_activity_with_staff_visits_and_staff_see_all() {
    let app = TestApp::with_demo().await;
    let alex = app.login("staff@acme.test").await;
    let viewing = app
        .call("staff/view-as-client", &[("account_id", "acc_northwind")], Some(&alex))
        .await
        .session_cookie()
        .unwrap();
    let back = app.call("staff/exit-client-view", &[], Some(&viewing)).await.session_cookie().unwrap();
    let _ = app.login("owner@globex.test").await;

    let nora = app.login("owner@northwind.test").await;
    let page: ActivityPage = app.call("activity", &[], Some(&nora)).await.json();
    let visits: Vec<_> = page.entries.iter().filter(|e| e.action.starts_with("impersonation.")).collect();
    assert_eq!(visits.len(), 2);
    assert!(visits.iter().all(|e| e.on_behalf_by_staff.as_deref() == Some("Alex Rivera")), "{visits:?}");
    assert!(visits.iter().any(|e| e.summary.contains("started viewing")));
    assert!(page.entries.iter().any(|e| e.action == "login.succeeded" && e.actor == "Nora Whitfield"));
    // Only this account's events: Greta's sign-in to Globex is not here.
    assert!(!page.entries.iter().any(|e| e.actor == "Greta Olsen"), "{:?}", page.entries);

    let member = app.login("member@northwind.test").await;
    assert_eq!(app.call("activity", &[], Some(&member)).await.app_error(), AppError::Forbidden);

    let all: ActivityPage = app.call("staff/activity", &[], Some(&back)).await.json();
    let accounts: std::collections::BTreeSet<_> = all.entries.iter().filter_map(|e| e.account_name.clone()).collect();
    assert!(accounts.contains("Globex Corporation") && accounts.contains("Northwind Traders"), "{accounts:?}");
}

#[tokio::test]
async fn each_action_is_recorded_once_with_time_actor_and_account() {
    let app = TestApp::with_demo().await;
    let bad = app.call("login", &[("email", "owner@northwind.test"), ("password", "wrong")], None).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let nora = app.login("owner@northwind.test").await;
    let invoice = open_invoice(&app, "acc_northwind").await;
    let steps = [
        app.call_json(
            "payments/pay",
            json!({ "invoice_ids": [invoice], "method": "pm_nw_visa", "idempotency_key": "idem_audit_once_0001" }),
            Some(&nora),
        )
        .await,
        app.call("payment-methods/default", &[("id", "pm_nw_amex")], Some(&nora)).await,
        app.call("estimates/decline", &[("id", "est_nw_onboarding"), ("reason", "Next quarter")], Some(&nora)).await,
        app.call(
            "subscriptions/cancel",
            &[("subscription_id", "sub_nw_licenses"), ("reason", "Fewer numbers")],
            Some(&nora),
        )
        .await,
        app.call("subscriptions/resume", &[("subscription_id", "sub_nw_licenses")], Some(&nora)).await,
        app.call("billing-details/contacts/add", &[("name", "Audit"), ("email", "audit@northwind.test")], Some(&nora))
            .await,
    ];
    for res in &steps {
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    }
    for action in [
        "login.failed",
        "login.succeeded",
        "payment.started",
        "payment.succeeded",
        "payment_method.made_default",
        "estimate.declined",
        "subscription.cancel_scheduled",
        "subscription.resumed",
        "billing_contact.added",
    ] {
        assert_eq!(actions(&app, action).await, 1, "{action}");
    }
    let unattributed = app
        .count(&format!(
            "SELECT COUNT(*) FROM audit_events WHERE action <> 'demo.loaded' AND action <> 'login.failed'
             AND COALESCE(actor_email, '') <> 'Demo loader'
             AND (actor_user_id IS NULL OR account_id IS NULL OR occurred_at <> {})",
            crate::support::pinned_now().unix_timestamp()
        ))
        .await;
    assert_eq!(unattributed, 0, "every event has its actor, account and time");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE impersonator_user_id IS NOT NULL").await, 0);
}

#[tokio::test]
async fn the_client_view_banner_exits_by_a_plain_form_answered_with_the_agency_console() {
    let app = TestApp::with_demo().await;
    let alex = app.login("staff@acme.test").await;
    let res = app.call("staff/view-as-client", &[("account_id", "acc_northwind")], Some(&alex)).await;
    let viewing = res.session_cookie().expect("rotated at start");
    let dashboard = app.get("/", Some(&viewing)).await;
    assert!(dashboard.body.contains("Viewing as Northwind Traders"), "{}", dashboard.body);
    assert!(dashboard.body.contains(r#"action="/api/staff/exit-client-view""#), "a form: {}", dashboard.body);
    assert!(
        !dashboard.body.contains(r#"data-component="ClientViewBanner"#),
        "the banner is no island: {}",
        dashboard.body
    );

    let exit = app.send(browser_form_post("staff/exit-client-view", &[], Some(&viewing), "/")).await;
    assert_eq!(exit.status, StatusCode::SEE_OTHER, "{}", exit.body);
    assert_eq!(exit.location(), Some("/"));
    let back = exit.session_cookie().expect("rotated at exit");
    let console = app.get("/", Some(&back)).await;
    assert_eq!(console.status, StatusCode::OK);
    assert!(
        console.body.contains("<title>Clients · Portico</title>") && !console.body.contains("Viewing as"),
        "{}",
        console.body
    );
}

/// The header's account menu takes its list from a page of its own when it opens: no page
/// carries the accounts' balances (or an island for them) before that, and a switch posted from
/// the list lands on the dashboard, or back on the page it was made from with the refusal said.
#[tokio::test]
async fn the_account_menu_lists_the_logins_accounts_from_a_page_fetched_when_it_opens() {
    let app = TestApp::with_demo().await;
    let nora = app.login("owner@northwind.test").await;
    let dashboard = app.get("/", Some(&nora)).await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert!(dashboard.body.contains(r#"data-fill-from="/accounts/menu""#), "{}", dashboard.body);
    assert!(!dashboard.body.contains("<leptos-island"), "the header has no island");
    assert!(!dashboard.body.contains("Globex Corporation"), "no other account is rendered before the menu opens");

    let menu = app.get("/accounts/menu", Some(&nora)).await;
    assert_eq!(menu.status, StatusCode::OK);
    assert!(!menu.body.contains("<leptos-island"));
    let list = &menu.body[menu.body.find(r#"id="account-menu-list""#).expect("the menu's list")..];
    assert_eq!(list.matches(r#"action="/api/accounts/switch""#).count(), 2, "{list}");
    for account in ["acc_northwind", "acc_globex"] {
        assert!(list.contains(&format!(r#"name="account_id" value="{account}""#)), "{account}: {list}");
    }
    assert!(list.contains("Northwind Traders (current), "), "the current account is marked: {list}");
    assert!(list.contains(r#"href="/accounts""#), "and the page of all accounts is linked");
    // Each login sees its own accounts, and only signed in.
    let greta = app.login("owner@globex.test").await;
    let hers = app.get("/accounts/menu", Some(&greta)).await;
    assert!(hers.body.contains(r#"value="acc_globex""#) && !hers.body.contains(r#"value="acc_northwind""#));
    let nobody = app.get("/accounts/menu", None).await;
    assert!(!nobody.body.contains("account-menu-list"), "{}", nobody.body);

    // Refused: back on the page it was made from, which says so; the session stays as it was.
    let refused = app
        .send(browser_form_post("accounts/switch", &[("account_id", "acc_not_hers")], Some(&nora), "/billing-history"))
        .await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER, "{}", refused.body);
    assert!(refused.session_cookie().is_none());
    let back = refused.location().expect("back to the page").to_string();
    let back = back.strip_prefix(ORIGIN).unwrap_or(&back).to_string();
    assert!(back.starts_with("/billing-history?") && back.contains("__err="), "{back}");
    let shown = app.get(&back, Some(&nora)).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(
        shown.body.contains("We couldn&#x27;t find that.") || shown.body.contains("We couldn't find that."),
        "{}",
        shown.body
    );

    // Accepted: the dashboard, under a new session id.
    let switched = app
        .send(browser_form_post("accounts/switch", &[("account_id", "acc_globex")], Some(&nora), "/billing-history"))
        .await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER, "{}", switched.body);
    assert_eq!(switched.location(), Some("/"));
    let renewed = switched.session_cookie().expect("a new session id");
    let dashboard: Dashboard = app.call("dashboard", &[], Some(&renewed)).await.json();
    assert_eq!(dashboard.account_name, "Globex Corporation");
}
