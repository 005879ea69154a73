//! Defences at the HTTP edge (issue 16): body limits with a clear 413, malformed calls answered
//! 400 rather than 500, the security headers every answer carries, the `next` parameter after
//! sign-in, honest page status codes, and the server's time limits on a real socket.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{COOKIE, HOST, ORIGIN, TestApp, call_request, page_request};
use portico::wire::error::AppError;

fn post(path: &str, content_type: &str, body: Body) -> Request<Body> {
    Request::post(path)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::ACCEPT, "application/json")
        .header("origin", ORIGIN)
        .header("sec-fetch-site", "same-origin")
        .body(body)
        .expect("request")
}

#[tokio::test]
async fn bodies_over_an_endpoints_limit_are_refused_with_413_and_the_limit() {
    let app = TestApp::with_demo().await;
    let huge = format!("email=owner%40northwind.test&password={}", "x".repeat(200 * 1024));

    // Announced by Content-Length: refused before it is read.
    let res = app.send(post("/api/login", "application/x-www-form-urlencoded", Body::from(huge.clone()))).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", res.body);
    assert_eq!(
        res.app_error(),
        AppError::TooLarge("This request is larger than the 64 KB this endpoint accepts.".into())
    );

    // Streamed without a length: refused once it passes the limit.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = huge.as_bytes().chunks(4096).map(|c| Ok(c.to_vec())).collect();
    let res = app
        .send(post("/api/login", "application/x-www-form-urlencoded", Body::from_stream(futures::stream::iter(chunks))))
        .await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", res.body);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE action LIKE 'login%'").await,
        0,
        "nothing reached sign-in"
    );

    // The operator API answers in its own error shape, with a larger limit for usage batches.
    let records = serde_json::json!({ "records": vec![serde_json::json!({ "id": "x".repeat(1000) }); 1500] });
    let request = Request::post("/api/operator/v1/usage")
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, "Bearer pk_not_checked_before_the_limit")
        .body(Body::from(records.to_string()))
        .unwrap();
    let res = app.send(request).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", res.body);
    let body: serde_json::Value = res.json();
    assert_eq!(body["error"]["code"], "payload_too_large");
    assert!(body["error"]["message"].as_str().unwrap().contains("1 MB"), "{body}");

    // Card details are small.
    let res = app.tokenize(serde_json::json!({ "type": "card", "number": "4".repeat(20_000) })).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", res.body);

    // Within the limits everything works as before.
    app.login("owner@northwind.test").await;
}

#[tokio::test]
async fn a_malformed_or_incomplete_call_is_a_400_with_a_message_never_a_500() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let cookie = format!("{COOKIE}={owner}");
    let with_session = |mut request: Request<Body>| {
        request.headers_mut().insert(header::COOKIE, cookie.parse().unwrap());
        request
    };
    for (path, content_type, body) in [
        ("/api/payments/pay", "application/json", "{\"invoice_ids\": ["),
        ("/api/payments/pay", "application/json", "{}"),
        ("/api/payments/pay", "application/json", "{\"invoice_ids\": 5, \"method\": [], \"idempotency_key\": null}"),
        ("/api/payments/pay", "application/json", "\u{0}\u{1}\u{2}"),
        ("/api/payments/pay", "application/x-www-form-urlencoded", "invoice_ids=x"),
        ("/api/login", "application/x-www-form-urlencoded", "email=a%40b.test"),
        ("/api/login", "application/x-www-form-urlencoded", "%%%"),
        (
            "/api/subscriptions/change",
            "application/json",
            "{\"subscription_id\": \"sub_nw_licenses\", \"quantity\": \"many\"}",
        ),
    ] {
        let res = app.send(with_session(post(path, content_type, Body::from(body)))).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{path} {body:?}: {}", res.body);
        let AppError::BadRequest(message) = res.app_error() else { panic!("{path}: {}", res.body) };
        assert!(message.starts_with("The request is malformed or incomplete"), "{message}");
    }
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_private_ones_are_never_stored() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;

    let page = app.get("/", Some(&owner)).await;
    assert_eq!(page.status, StatusCode::OK);
    let policy = page.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_string();
    let nonce = policy.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("a nonce in the policy");
    assert!(nonce.len() >= 16, "{policy}");
    // The shell's module carries exactly that nonce (it runs the data scripts of the pages it
    // swaps in under it); nothing inline runs without it.
    let shell_tag = page.body.split("<script type=\"module\"").nth(1).and_then(|rest| rest.split('>').next());
    let shell_tag = shell_tag.expect("the shell's module");
    assert!(
        shell_tag.contains(" src=\"/pkg/shell") && shell_tag.contains(&format!(" nonce=\"{nonce}\"")),
        "{shell_tag}"
    );
    assert!(!policy.contains("unsafe-inline") && !policy.contains(" 'unsafe-eval'"), "{policy}");
    for directive in
        ["default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'", "'wasm-unsafe-eval'"]
    {
        assert!(policy.contains(directive), "{directive} in {policy}");
    }
    assert_eq!(page.headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(page.headers[header::X_FRAME_OPTIONS], "DENY");
    // A new nonce per response.
    let again = app.get("/", Some(&owner)).await;
    assert_ne!(again.headers[header::CONTENT_SECURITY_POLICY], page.headers[header::CONTENT_SECURITY_POLICY]);

    let answer = app.call("dashboard", &[], Some(&owner)).await;
    assert_eq!(answer.headers[header::CACHE_CONTROL], "no-store");
    assert!(answer.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().starts_with("default-src 'none'"));
    let login_page = app.get("/login", None).await;
    assert_eq!(login_page.headers[header::CACHE_CONTROL], "no-store");

    let invoice: String = sqlx::query_scalar("SELECT id FROM invoices WHERE account_id = 'acc_northwind' LIMIT 1")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let pdf = app.get(&format!("/invoices/{invoice}/pdf"), Some(&owner)).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.headers[header::CACHE_CONTROL].to_str().unwrap().contains("no-store"));
    let refused = app.get(&format!("/invoices/{invoice}/pdf"), None).await;
    assert_eq!(refused.headers[header::CACHE_CONTROL], "no-store");
    assert!(!page.headers.contains_key(header::STRICT_TRANSPORT_SECURITY), "no HSTS over http");

    // Over https the browser is told to stay on https.
    let https = TestApp::with_demo_and(&[
        ("PORTICO_SERVER_PUBLIC_URL", "https://billing.example.com"),
        ("PORTICO_PAYMENTS_SANDBOX_ON_HTTPS", "true"),
    ])
    .await;
    let res = https.get("/login", None).await;
    assert_eq!(res.headers[header::STRICT_TRANSPORT_SECURITY], "max-age=31536000; includeSubDomains");
}

#[tokio::test]
async fn after_sign_in_only_a_path_on_the_portal_is_followed() {
    let app = TestApp::with_demo().await;
    let sign_in_to = |next: &'static str| {
        let mut request = call_request(
            "login",
            &[("email", "owner@northwind.test"), ("password", crate::support::PASSWORD), ("next", next)],
            None,
        );
        // A plain form post, as before hydration: the server answers with the redirect.
        request.headers_mut().insert(header::ACCEPT, "text/html".parse().unwrap());
        request
    };
    let res = app.send(sign_in_to("/invoices/inv_x?from=mail")).await;
    assert_eq!(res.location(), Some("/invoices/inv_x?from=mail"));
    for hostile in [
        "//evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\\evil.example",
        "\\/evil.example",
        "https://evil.example/",
        "http:evil.example",
        "/%0d%0aSet-Cookie:x=1",
        "///evil.example",
        "/..//evil.example",
    ] {
        let res = app.send(sign_in_to(hostile)).await;
        let location = res.location().unwrap_or_default().to_string();
        assert!(
            location.starts_with('/') && !location.starts_with("//") && !location.contains('\\'),
            "{hostile:?} -> {location:?}"
        );
        assert!(!res.headers.contains_key("x"), "{hostile:?} injected a header");
        let resolved = url::Url::parse("http://127.0.0.1:3000").unwrap().join(&location).unwrap();
        assert_eq!(resolved.host_str(), Some("127.0.0.1"), "{hostile:?} -> {location:?}");
    }
}

#[tokio::test]
async fn a_page_that_shows_what_the_caller_may_see_answers_200() {
    let app = TestApp::with_demo().await;
    let staff = app.login("staff@acme.test").await;
    let landing = app.get("/", Some(&staff)).await;
    assert_eq!(landing.status, StatusCode::OK, "the staff landing page is their client list");
    assert!(landing.body.contains("Northwind Traders") && landing.body.contains("Globex Corporation"));
    // A member asking for billing data is still told they may not see it.
    let member = app.login("member@northwind.test").await;
    assert_eq!(app.get("/", Some(&member)).await.status, StatusCode::FORBIDDEN);
    let missing = app.get("/no/such/page", Some(&staff)).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(app.send(page_request("/login", None)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_client_that_sends_its_headers_or_body_too_slowly_is_cut_off_and_others_are_served() {
    let app = TestApp::with_demo_and(&[
        ("PORTICO_SERVER_HEADER_TIMEOUT_SECONDS", "1"),
        ("PORTICO_SERVER_REQUEST_TIMEOUT_SECONDS", "2"),
    ])
    .await;
    let server = app.listen().await;

    // Headers that never finish: the connection is closed after the header timeout.
    let mut slow_headers = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    slow_headers.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let mut buffer = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), slow_headers.read_to_end(&mut buffer)).await;
    assert!(closed.is_ok(), "the server closed the connection by itself");

    // A body announced and never sent: 408 once the request timeout passes.
    let mut slow_body = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let head = "POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nemail=";
    slow_body.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 1024];
    let read = tokio::time::timeout(Duration::from_secs(6), slow_body.read(&mut answer))
        .await
        .expect("an answer in time")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]).to_string();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");

    // Meanwhile a normal request is answered at once.
    let healthy = reqwest::get(server.url("/healthz")).await.unwrap();
    assert_eq!(healthy.status(), 200);
    server.stop().await;
}
