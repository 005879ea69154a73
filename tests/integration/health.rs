use axum::http::StatusCode;

use crate::support::TestApp;

#[tokio::test]
async fn healthz_is_ok_while_the_database_answers() {
    let app = TestApp::empty().await;
    let res = app.get("/healthz", None).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body, "ok");
}

#[tokio::test]
async fn healthz_is_unavailable_when_the_database_is_gone() {
    let app = TestApp::empty().await;
    app.state.db.close().await;
    let res = app.get("/healthz", None).await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn migrations_are_idempotent() {
    let app = TestApp::empty().await;
    app.state.db.migrate().await.expect("second migration run is a no-op");
}

/// Guards the PostgreSQL run against silently testing SQLite instead.
#[tokio::test]
async fn the_suite_runs_on_the_database_it_was_asked_for() {
    let app = TestApp::empty().await;
    let expected = match std::env::var("PORTICO_TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => portico::server::infra::db::Backend::Postgres,
        _ => portico::server::infra::db::Backend::Sqlite,
    };
    assert_eq!(app.state.db.backend(), expected);
    eprintln!("integration tests running on {expected:?}");
}

/// The site's assets are sent as the brotli or gzip copy made at build time when the browser
/// takes it, from disk, and as they are otherwise.
#[tokio::test]
async fn assets_are_sent_precompressed_from_disk() {
    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    std::fs::create_dir(&pkg).unwrap();
    let js = "export function hydrate() { return 'portico'; }\n".repeat(300);
    std::fs::write(pkg.join("portico.js"), &js).unwrap();
    portico::server::infra::precompress::precompress_dir(site.path()).unwrap();
    let brotli = std::fs::read(pkg.join("portico.js.br")).unwrap();
    let root = site.path().to_str().unwrap().to_string();
    let app = crate::support::TestApp::with_demo_and(&[("PORTICO_SERVER_SITE_ROOT", &root)]).await;
    let get = |encoding: Option<&'static str>| {
        let mut request = Request::get("/pkg/portico.js").header(header::HOST, crate::support::HOST);
        if let Some(encoding) = encoding {
            request = request.header(header::ACCEPT_ENCODING, encoding);
        }
        request.body(Body::empty()).unwrap()
    };
    let compressed = raw(&app, get(Some("gzip, deflate, br, zstd"))).await;
    assert_eq!(compressed.0, StatusCode::OK);
    assert_eq!(compressed.1.get(header::CONTENT_ENCODING).unwrap(), "br");
    assert_eq!(compressed.2, brotli, "the file made at build time, not a new compression");
    let plain = raw(&app, get(None)).await;
    assert!(plain.1.get(header::CONTENT_ENCODING).is_none());
    assert_eq!(plain.2, js.as_bytes());
}

/// The answer's status, headers and undecoded body bytes.
async fn raw(
    app: &TestApp,
    request: axum::http::Request<axum::body::Body>,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let response = app.router.clone().oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    (parts.status, parts.headers, body.collect().await.unwrap().to_bytes().to_vec())
}
