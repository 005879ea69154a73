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
