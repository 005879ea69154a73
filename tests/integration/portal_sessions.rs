//! Portal sessions: the vendor's app signs its user in to their billing portal with a single-use
//! URL made over the operator API.

use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};

use crate::operator_api::{get, key, other_vendor, post, request};
use crate::support::{TestApp, TestResponse};

const NW: &str = "acc_northwind";
const SESSIONS: &str = "/api/operator/v1/portal-sessions";
const ORIGINS: &str = "/api/operator/v1/portal/return-origins";

async fn put_origins(app: &TestApp, key: &str, origins: Value) -> TestResponse {
    app.send(request(Method::PUT, ORIGINS, Some(key), Some(json!({ "origins": origins }).to_string()))).await
}

/// The path of the URL the API answered with (the test router has no host of its own).
fn path_of(created: &Value) -> String {
    let url = created["url"].as_str().expect("url");
    let path = url.split_once("/portal/").map(|(_, token)| format!("/portal/{token}")).expect("a /portal/ URL");
    assert!(url.starts_with("http"), "{url}");
    path
}

async fn open(app: &TestApp, path: &str, cookie: Option<&str>) -> TestResponse {
    app.get(path, cookie).await
}

#[tokio::test]
async fn a_portal_session_signs_the_person_in_once_with_a_way_back() {
    let app = TestApp::with_demo().await;
    let key = key(&app).await;
    let set = put_origins(&app, &key, json!(["https://App.Acme.test", "http://localhost:5173"])).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(set.json::<Value>()["origins"], json!(["http://localhost:5173", "https://app.acme.test"]));
    assert_eq!(get(&app, ORIGINS, Some(&key)).await.json::<Value>(), set.json::<Value>());

    let res = post(
        &app,
        SESSIONS,
        &key,
        json!({ "account_id": NW, "email": "Owner@Northwind.test", "return_url": "https://app.acme.test/settings" }),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let created: Value = res.json();
    assert_eq!(created["account_id"], NW);
    assert_eq!(created["created_person"], false);
    let path = path_of(&created);

    // Opening it starts a session with a new id (not the browser's old one) and goes home.
    let old = app.login("billing@northwind.test").await;
    let opened = open(&app, &path, Some(&old)).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    assert_eq!(opened.headers.get(header::LOCATION).unwrap(), "/");
    assert_eq!(opened.headers.get(header::REFERRER_POLICY).unwrap(), "no-referrer");
    let session = opened.session_cookie().expect("a session cookie");
    assert_ne!(session, old);
    assert_eq!(app.get("/", Some(&old)).await.status, StatusCode::SEE_OTHER, "the browser's old session ended");

    // The portal knows who it is and links back to the vendor's app.
    let me = app.call("session", &[], Some(&session)).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    let me: Value = me.json();
    assert_eq!(me["email"], "owner@northwind.test");
    assert_eq!(me["account"]["id"], NW);
    assert_eq!(me["back_to"]["url"], "https://app.acme.test/settings");
    assert_eq!(me["back_to"]["label"], "Back to Acme Messaging");
    let page = app.get("/", Some(&session)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("https://app.acme.test/settings"), "the dashboard links back");

    // Audited: made by the key, used by the person.
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'portal_session.created'").await, 1);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'login.portal_session' AND account_id = 'acc_northwind'"
        )
        .await,
        1
    );

    // Used twice: a clear page, no session.
    let again = open(&app, &path, None).await;
    assert_eq!(again.status, StatusCode::GONE, "{}", again.body);
    assert!(again.body.contains("This sign-in link can"), "{}", again.body);
    assert_eq!(again.session_cookie(), None);
}

#[tokio::test]
async fn an_expired_or_tampered_url_signs_nobody_in() {
    let app = TestApp::with_demo().await;
    let key = key(&app).await;
    let created: Value =
        post(&app, SESSIONS, &key, json!({ "account_id": NW, "email": "owner@northwind.test" })).await.json();
    let path = path_of(&created);
    assert!(created.get("back_to").is_none());

    // Tampered: one character changed.
    let mut tampered = path.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let res = open(&app, &tampered, None).await;
    assert_eq!((res.status, res.session_cookie()), (StatusCode::GONE, None));

    // Expired: five minutes and a second later.
    app.clock.advance(time::Duration::seconds(5 * 60 + 1));
    let res = open(&app, &path, None).await;
    assert_eq!((res.status, res.session_cookie()), (StatusCode::GONE, None));
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 1, "only the staff login that made the key");
}

#[tokio::test]
async fn an_unknown_person_is_refused_unless_created_with_a_role() {
    let app = TestApp::with_demo().await;
    let key = key(&app).await;
    let unknown = post(&app, SESSIONS, &key, json!({ "account_id": NW, "email": "dana@northwind.test" })).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.body);
    assert_eq!(unknown.json::<Value>()["error"]["code"], "unknown_person");
    // Someone of another account is unknown here too.
    let elsewhere = post(&app, SESSIONS, &key, json!({ "account_id": NW, "email": "owner@globex.test" })).await;
    assert_eq!(elsewhere.json::<Value>()["error"]["code"], "unknown_person", "{}", elsewhere.body);

    let bad_role = post(
        &app,
        SESSIONS,
        &key,
        json!({ "account_id": NW, "email": "dana@northwind.test", "create": { "name": "Dana Reyes", "role": "boss" } }),
    )
    .await;
    assert_eq!(bad_role.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_role.json::<Value>()["error"]["fields"][0]["field"], "create.role");

    let made = post(
        &app,
        SESSIONS,
        &key,
        json!({ "account_id": NW, "email": "dana@northwind.test", "create": { "name": "Dana Reyes", "role": "billing_manager" } }),
    )
    .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let made: Value = made.json();
    assert_eq!(made["created_person"], true);
    let opened = open(&app, &path_of(&made), None).await;
    let session = opened.session_cookie().expect("signed in");
    let me: Value = app.call("session", &[], Some(&session)).await.json();
    assert_eq!(me["account"]["role"], "BillingManager");
    // Without a password of their own, they cannot sign in with one.
    let login = app.call("login", &[("email", "dana@northwind.test"), ("password", "")], None).await;
    assert_ne!(login.status, StatusCode::OK);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'member.added'").await, 1);
}

#[tokio::test]
async fn return_urls_stay_on_the_vendors_origins_and_staff_are_never_signed_in() {
    let app = TestApp::with_demo().await;
    let key = key(&app).await;
    put_origins(&app, &key, json!(["https://app.acme.test"])).await;
    for url in [
        "https://evil.test/",
        "https://app.acme.test.evil.test/",
        "javascript:alert(1)",
        "https://app.acme.test@evil.test/",
    ] {
        let res =
            post(&app, SESSIONS, &key, json!({ "account_id": NW, "email": "owner@northwind.test", "return_url": url }))
                .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {}", res.body);
        assert_eq!(res.json::<Value>()["error"]["fields"][0]["field"], "return_url");
    }
    let origins = put_origins(&app, &key, json!(["http://app.acme.test", "https://app.acme.test/path"])).await;
    assert_eq!(origins.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(origins.json::<Value>()["error"]["fields"].as_array().unwrap().len(), 2);

    // Agency staff work in their console: never signed in to a client's portal this way.
    let staff = post(
        &app,
        SESSIONS,
        &key,
        json!({ "account_id": NW, "email": "staff@acme.test", "create": { "name": "Alex", "role": "owner" } }),
    )
    .await;
    assert_eq!(staff.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", staff.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM portal_sessions").await, 0);
}

#[tokio::test]
async fn another_vendors_account_answers_like_a_missing_one() {
    let app = TestApp::with_demo().await;
    let key = key(&app).await;
    let other_key = other_vendor(&app).await;
    let body = |account: &str| json!({ "account_id": account, "email": "owner@northwind.test" });
    let foreign = post(&app, SESSIONS, &other_key, body(NW)).await;
    let missing = post(&app, SESSIONS, &other_key, body("acc_missing")).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND, "{}", foreign.body);
    assert_eq!((foreign.status, &foreign.body), (missing.status, &missing.body));
    let theirs = post(&app, SESSIONS, &key, body("acc_other")).await;
    assert_eq!((theirs.status, &theirs.body), (missing.status, &missing.body));
    assert_eq!(app.count("SELECT COUNT(*) FROM portal_sessions").await, 0);
}

/// A write with an Idempotency-Key, as a vendor's retrying client sends it.
async fn post_with_key(app: &TestApp, path: &str, key: &str, idempotency_key: &str, body: Value) -> TestResponse {
    let mut request = request(Method::POST, path, Some(key), Some(body.to_string()));
    request.headers_mut().insert("idempotency-key", idempotency_key.parse().unwrap());
    app.send(request).await
}

#[tokio::test]
async fn a_retried_write_with_its_idempotency_key_gets_the_first_answer_and_does_it_once() {
    let app = TestApp::with_demo().await;
    let key = key(&app).await;
    let body = json!({ "account_id": NW, "email": "owner@northwind.test" });
    let first = post_with_key(&app, SESSIONS, &key, "retry-0001", body.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert!(first.headers.get("idempotent-replayed").is_none());
    let retried = post_with_key(&app, SESSIONS, &key, "retry-0001", body.clone()).await;
    assert_eq!((retried.status, &retried.body), (first.status, &first.body), "the same URL, not a second one");
    assert_eq!(retried.headers.get("idempotent-replayed").unwrap(), "true");
    assert_eq!(app.count("SELECT COUNT(*) FROM portal_sessions").await, 1);

    // The same key with another request is refused, and does nothing.
    let other = post_with_key(
        &app,
        SESSIONS,
        &key,
        "retry-0001",
        json!({ "account_id": NW, "email": "billing@northwind.test" }),
    )
    .await;
    assert_eq!(other.status, StatusCode::CONFLICT, "{}", other.body);
    assert_eq!(other.json::<Value>()["error"]["code"], "idempotency_conflict");
    assert_eq!(app.count("SELECT COUNT(*) FROM portal_sessions").await, 1);

    // A refusal is an answer too: replayed, not re-judged.
    let refused = post_with_key(
        &app,
        SESSIONS,
        &key,
        "retry-0002",
        json!({ "account_id": NW, "email": "nobody@northwind.test" }),
    )
    .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let again = post_with_key(
        &app,
        SESSIONS,
        &key,
        "retry-0002",
        json!({ "account_id": NW, "email": "nobody@northwind.test" }),
    )
    .await;
    assert_eq!((again.status, &again.body), (refused.status, &refused.body));

    // Keys are the vendor's own: another vendor's identical key is another request.
    let other_key = other_vendor(&app).await;
    let theirs = post_with_key(
        &app,
        SESSIONS,
        &other_key,
        "retry-0001",
        json!({ "account_id": "acc_other", "email": "x@other.test" }),
    )
    .await;
    assert_eq!(theirs.json::<Value>()["error"]["code"], "unknown_person", "{}", theirs.body);

    // A key is kept for a day; after it, the key is free again.
    app.clock.advance(time::Duration::hours(24));
    let later = post_with_key(&app, SESSIONS, &key, "retry-0001", body).await;
    assert_eq!(later.status, StatusCode::CREATED);
    assert!(later.headers.get("idempotent-replayed").is_none());
    assert_eq!(app.count("SELECT COUNT(*) FROM portal_sessions").await, 2);

    // A malformed key is the caller's to fix.
    let bad = post_with_key(&app, SESSIONS, &key, "with space", json!({})).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json::<Value>()["error"]["code"], "invalid_idempotency_key");
}
