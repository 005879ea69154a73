use axum::http::StatusCode;
use time::Duration;

use crate::support::{ORIGIN, PASSWORD, TestApp, browser_form_post, call_request, send};
use portico::wire::error::AppError;

#[tokio::test]
async fn login_sets_a_hardened_cookie_and_stores_only_a_hash() {
    let app = TestApp::with_demo().await;
    let res = app.call("login", &[("email", "owner@northwind.test"), ("password", PASSWORD)], None).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.location(), Some("/"));
    let cookie = res.set_cookie_header().expect("cookie set");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain-http portal must not mark the cookie Secure: {cookie}");
    let token = res.session_cookie().unwrap();
    assert!(token.len() >= 43);
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE id_hash = $1")
        .bind(&token)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(stored, 0, "the raw token must not be stored");
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 1);
}

#[tokio::test]
async fn email_is_matched_case_insensitively_and_trimmed() {
    let app = TestApp::with_demo().await;
    let res = app.call("login", &[("email", "  Owner@Northwind.TEST "), ("password", PASSWORD)], None).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
}

#[tokio::test]
async fn a_failed_login_says_the_same_whether_or_not_the_email_exists() {
    let app = TestApp::with_demo().await;
    let wrong_password =
        app.call("login", &[("email", "owner@northwind.test"), ("password", "not-the-password")], None).await;
    let unknown_email =
        app.call("login", &[("email", "nobody@northwind.test"), ("password", "not-the-password")], None).await;
    assert_eq!(wrong_password.status, unknown_email.status);
    assert_eq!(wrong_password.body, unknown_email.body);
    assert_eq!(wrong_password.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong_password.session_cookie().is_none() && unknown_email.session_cookie().is_none());
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'login.failed'").await, 2);
}

#[tokio::test]
async fn empty_fields_get_a_message_at_the_field() {
    let app = TestApp::with_demo().await;
    let res = app.call("login", &[("email", ""), ("password", "x")], None).await;
    assert_eq!(res.app_error().field_message("email").as_deref(), Some("Enter your email address."));
    let res = app.call("login", &[("email", "owner@northwind.test"), ("password", "")], None).await;
    assert_eq!(res.app_error().field_message("password").as_deref(), Some("Enter your password."));
}

#[tokio::test]
async fn login_rotates_the_session_id() {
    let app = TestApp::with_demo().await;
    let first = app.login("owner@northwind.test").await;
    let res = app.call("login", &[("email", "owner@northwind.test"), ("password", PASSWORD)], Some(&first)).await;
    let second = res.session_cookie().expect("new cookie");
    assert_ne!(first, second);
    assert_eq!(app.call("session", &[], Some(&first)).await.status, StatusCode::UNAUTHORIZED, "old id must be dead");
    assert_eq!(app.call("session", &[], Some(&second)).await.status, StatusCode::OK);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 1);
}

#[tokio::test]
async fn logout_destroys_the_session_and_clears_the_cookie() {
    let app = TestApp::with_demo().await;
    let token = app.login("owner@northwind.test").await;
    let res = app.call("logout", &[], Some(&token)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.location(), Some("/login"));
    let cleared = res.set_cookie_header().expect("cookie cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    let after = app.call("session", &[], Some(&token)).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'logout'").await, 1);
}

#[tokio::test]
async fn server_functions_answer_401_without_a_session() {
    let app = TestApp::with_demo().await;
    for endpoint in ["session", "dashboard", "billing-helpers", "invoice", "estimate", "staff/clients", "logout"] {
        let res = app.call(endpoint, &[("id", "x")], None).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{endpoint}: {}", res.body);
        assert_eq!(res.app_error(), AppError::Unauthenticated, "{endpoint}");
    }
    let forged = app.call("dashboard", &[], Some("not-a-real-session")).await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn sessions_end_when_idle_and_at_their_absolute_limit() {
    let app = TestApp::with_demo().await;
    let token = app.login("owner@northwind.test").await;
    app.clock.advance(Duration::minutes(119));
    assert_eq!(app.call("session", &[], Some(&token)).await.status, StatusCode::OK, "still inside the idle limit");
    app.clock.advance(Duration::minutes(119));
    assert_eq!(app.call("session", &[], Some(&token)).await.status, StatusCode::OK, "activity extended it");
    app.clock.advance(Duration::minutes(121));
    assert_eq!(app.call("session", &[], Some(&token)).await.status, StatusCode::UNAUTHORIZED, "idle too long");

    let token = app.login("owner@northwind.test").await;
    for _ in 0..13 {
        app.clock.advance(Duration::minutes(60));
        let _ = app.call("session", &[], Some(&token)).await;
    }
    assert_eq!(app.call("session", &[], Some(&token)).await.status, StatusCode::UNAUTHORIZED, "past 12 hours");
}

#[tokio::test]
async fn sessions_survive_a_restart_and_work_across_processes() {
    let app = TestApp::with_demo().await;
    let token = app.login("billing@northwind.test").await;
    let (other_router, _state) = app.second_process().await;
    let res = send(&other_router, call_request("dashboard", &[], Some(&token))).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    // Logging out on the second process ends the session on the first.
    let res = send(&other_router, call_request("logout", &[], Some(&token))).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(app.call("dashboard", &[], Some(&token)).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn successful_logins_are_audited_with_user_and_account() {
    let app = TestApp::with_demo().await;
    app.login("owner@northwind.test").await;
    let row: (Option<String>, Option<String>) =
        sqlx::query_as("SELECT actor_user_id, account_id FROM audit_events WHERE action = 'login.succeeded'")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(row, (Some("usr_nora".into()), Some("acc_northwind".into())));
}

#[tokio::test]
async fn repeated_failures_are_throttled_per_email_without_revealing_whether_it_exists() {
    let app = TestApp::with_demo().await;
    for email in ["owner@northwind.test", "nobody@northwind.test"] {
        for _ in 0..5 {
            let res = app.call("login", &[("email", email), ("password", "wrong-guess")], None).await;
            assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        }
    }
    let known = app.call("login", &[("email", "owner@northwind.test"), ("password", PASSWORD)], None).await;
    let unknown = app.call("login", &[("email", "nobody@northwind.test"), ("password", "anything")], None).await;
    assert_eq!(known.status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    assert_eq!((known.status, &known.body), (unknown.status, &unknown.body));
    assert!(known.session_cookie().is_none());
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'login.throttled'").await, 2);
    // Other emails are unaffected, and the window passes.
    let other = app.call("login", &[("email", "billing@northwind.test"), ("password", PASSWORD)], None).await;
    assert_eq!(other.status, StatusCode::OK);
    app.clock.advance(Duration::minutes(16));
    let later = app.call("login", &[("email", "owner@northwind.test"), ("password", PASSWORD)], None).await;
    assert_eq!(later.status, StatusCode::OK, "{}", later.body);
}

#[tokio::test]
async fn a_plain_form_post_with_an_error_comes_back_to_its_page_with_the_message() {
    let app = TestApp::with_demo().await;
    let wrong = [("email", "owner@northwind.test"), ("password", "not-the-password"), ("next", "/billing-history")];
    let res = app.send(browser_form_post("login", &wrong, None, "/login?next=/billing-history")).await;
    // A redirect the browser follows with a GET, not the error's 422 with its JSON as the page.
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert!(res.body.is_empty(), "{}", res.body);
    assert!(res.headers.get(axum::http::header::CONTENT_TYPE).is_none());
    let location = res.location().expect("a redirect").to_string();
    let page = location.strip_prefix(ORIGIN).expect("back to the portal");
    assert!(page.starts_with("/login?next=/billing-history&__path=%2Fapi%2Flogin&__err="), "{page}");
    assert!(res.session_cookie().is_none());

    // That page shows the message at the form and keeps where to go after signing in.
    let shown = app.get(page, None).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains("match an account. Check both and try again."), "{}", shown.body);
    assert!(shown.body.contains(r#"name="next" value="/billing-history""#), "{}", shown.body);
}

#[tokio::test]
async fn a_plain_form_post_that_succeeds_is_redirected_with_see_other() {
    let app = TestApp::with_demo().await;
    let right = [("email", "owner@northwind.test"), ("password", PASSWORD), ("next", "/billing-history")];
    let res = app.send(browser_form_post("login", &right, None, "/login?next=/billing-history")).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.location(), Some("/billing-history"));
    let session = res.session_cookie().expect("signed in");
    assert_eq!(app.get("/billing-history", Some(&session)).await.status, StatusCode::OK);

    // The hydrated app's own calls ask for JSON and still get the error's status and body.
    let call = app.call("login", &[("email", "owner@northwind.test"), ("password", "nope-nope")], None).await;
    assert_eq!(call.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(matches!(call.app_error(), AppError::Invalid { .. }));
}

#[tokio::test]
async fn the_password_pages_own_form_is_answered_with_the_page_saying_what_happened() {
    let app = TestApp::with_demo().await;
    let session = app.login("member@northwind.test").await;
    let form_post = |form: &[(&str, &str)]| {
        let mut request = browser_form_post("password", form, None, "/profile");
        let cookie = format!("{}={session}", app.state.settings.sessions.cookie_name);
        request.headers_mut().insert(axum::http::header::COOKIE, cookie.parse().unwrap());
        request
    };

    let refused =
        app.send(form_post(&[("current_password", "not-it-at-all"), ("new_password", "a-new-password-1")])).await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER, "{}", refused.body);
    let back = refused.location().expect("back to the page").to_string();
    let back = back.strip_prefix(ORIGIN).unwrap_or(&back).to_string();
    assert!(back.starts_with("/profile?") && back.contains("__err="), "{back}");
    let shown = app.get(&back, Some(&session)).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains("That is not your current password."), "{}", shown.body);
    assert!(shown.body.contains(r#"aria-invalid="true""#), "the field is marked: {}", shown.body);

    let changed = app.send(form_post(&[("current_password", PASSWORD), ("new_password", "a-new-password-1")])).await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    assert_eq!(changed.location(), Some("/profile?changed=1"));
    let renewed = changed.session_cookie().expect("this session goes on under a new id");
    let shown = app.get("/profile?changed=1", Some(&renewed)).await;
    assert_eq!(shown.status, StatusCode::OK);
    let notice = shown.body.find("Password changed.").expect("the page says it is done");
    let status_tag = shown.body[..notice].rfind("<p").unwrap();
    assert!(!shown.body[status_tag..notice].contains("hidden"), "shown: {}", &shown.body[status_tag..notice]);
    let unchanged = app.get("/profile", Some(&renewed)).await;
    let notice = unchanged.body.find("Password changed.").unwrap();
    let status_tag = unchanged.body[..notice].rfind("<p").unwrap();
    assert!(unchanged.body[status_tag..notice].contains("hidden"), "not said on a plain visit");
    let res = app.call("login", &[("email", "member@northwind.test"), ("password", "a-new-password-1")], None).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
}
