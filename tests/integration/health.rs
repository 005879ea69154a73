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

/// Pages are compressed as they are sent with gzip (or zstd), never brotli: brotli's encoder
/// zeroes its whole window for every page of more than 16 KiB (see `app::router`). A browser that
/// takes brotli also takes gzip; one that takes only brotli gets the page as it is.
#[tokio::test]
async fn pages_are_compressed_with_gzip_not_brotli() {
    use axum::http::{HeaderValue, StatusCode, header};
    let app = TestApp::with_demo().await;
    let get = |encoding: &'static str| {
        let mut request = crate::support::page_request("/login", None);
        request.headers_mut().insert(header::ACCEPT_ENCODING, HeaderValue::from_static(encoding));
        request
    };
    let safari = raw(&app, get("gzip, deflate, br")).await;
    assert_eq!(safari.0, StatusCode::OK);
    assert_eq!(safari.1.get(header::CONTENT_ENCODING).unwrap(), "gzip");
    assert_eq!(&safari.2[..2], &[0x1f, 0x8b], "a gzip stream");
    let brotli_only = raw(&app, get("br")).await;
    assert_eq!(brotli_only.0, StatusCode::OK);
    assert!(brotli_only.1.get(header::CONTENT_ENCODING).is_none());
    assert!(String::from_utf8(brotli_only.2).unwrap().contains("<form"));
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

/// A file named after its content (listed in the build's hash file) is kept by browsers for a
/// year; a file that may change under the same name is revalidated; pages are never stored.
#[tokio::test]
async fn content_named_assets_are_immutable_and_the_rest_revalidated() {
    use axum::body::Body;
    use axum::http::{Request, header};
    use portico::server::infra::assets::AssetManifest;
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    std::fs::create_dir(&pkg).unwrap();
    std::fs::write(pkg.join("portico.Qx7-a_9.wasm"), b"\0asm").unwrap();
    std::fs::write(pkg.join("portico.wasm"), b"\0asm").unwrap();
    let root = site.path().to_str().unwrap().to_string();
    let app = TestApp::with_demo_and(&[("PORTICO_SERVER_SITE_ROOT", &root)]).await;
    let state = app.state.altered(|state| {
        state.assets = std::sync::Arc::new(AssetManifest::parse("wasm: Qx7-a_9\njs: Zz\ncss: Yy\n", "portico"));
    });
    let router = portico::app::router(state);
    let get = |path: &str| Request::get(path).header(header::HOST, crate::support::HOST).body(Body::empty()).unwrap();
    let answer = |path: &'static str| {
        let router = router.clone();
        async move {
            use tower::ServiceExt;
            router.oneshot(get(path)).await.unwrap()
        }
    };
    let hashed = answer("/pkg/portico.Qx7-a_9.wasm").await;
    assert_eq!(hashed.status(), StatusCode::OK);
    assert_eq!(hashed.headers()[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
    let unhashed = answer("/pkg/portico.wasm").await;
    assert_eq!(unhashed.status(), StatusCode::OK);
    assert_eq!(unhashed.headers()[header::CACHE_CONTROL], "no-cache");
    assert!(unhashed.headers().contains_key(header::LAST_MODIFIED), "revalidation answers 304");
    let missing = answer("/pkg/portico.Nope.wasm").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(!missing.headers().get(header::CACHE_CONTROL).is_some_and(|v| v.to_str().unwrap().contains("immutable")));
    let page = answer("/login").await;
    assert_eq!(page.headers()[header::CACHE_CONTROL], "no-store");
    let body = http_body_util::BodyExt::collect(page.into_body()).await.unwrap().to_bytes();
    let body = String::from_utf8_lossy(&body);
    assert!(body.contains("/pkg/portico.Yy.css"), "the page links the content-named stylesheet");
    // The shell's module is named after its content too, kept a year, and names this build's
    // JS and WASM; a browser taking brotli gets brotli.
    let shell = body.split("src=\"").nth(1).and_then(|rest| rest.split('"').next()).expect("the shell's module");
    assert!(shell.starts_with("/pkg/shell.") && shell.ends_with(".js") && shell != "/pkg/shell.js", "{shell}");
    let shell: &'static str = Box::leak(shell.to_string().into_boxed_str());
    let module = answer(shell).await;
    assert_eq!(module.status(), StatusCode::OK);
    assert_eq!(module.headers()[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
    let code = http_body_util::BodyExt::collect(module.into_body()).await.unwrap().to_bytes();
    let code = String::from_utf8_lossy(&code);
    assert!(code.ends_with(r#"("/pkg/portico.Zz.js", "/pkg/portico.Qx7-a_9.wasm")"#), "{code}");
    use tower::ServiceExt;
    let compressed = router
        .clone()
        .oneshot(
            Request::get(shell)
                .header(header::HOST, crate::support::HOST)
                .header(header::ACCEPT_ENCODING, "gzip, deflate, br, zstd")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(compressed.headers()[header::CONTENT_ENCODING], "br");
}
