//! A fresh Portico per test: its own database (SQLite file, or a new PostgreSQL database when
//! PORTICO_TEST_DATABASE_URL names a server), the production router, and a clock the test
//! controls. Requests go through the whole HTTP stack, middleware included.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use sqlx::Connection;
use std::sync::Arc;
use time::macros::datetime;
use time::{Date, OffsetDateTime};
use tower::ServiceExt;

use portico::app::router;
use portico::server::demo;
use portico::server::infra::clock::ManualClock;
use portico::server::infra::config::Settings;
use portico::server::infra::db::Db;
use portico::server::infra::startup::new_state;
use portico::server::infra::state::AppState;
use portico::wire::error::AppError;

pub const ORIGIN: &str = "http://127.0.0.1:3000";
pub const HOST: &str = "127.0.0.1:3000";
pub const COOKIE: &str = "portico_session";
pub const PASSWORD: &str = demo::DEMO_PASSWORD;

pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    pub database_url: String,
    overrides: Vec<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

/// This app served on a real loopback port, by the production accept loop.
pub struct LiveServer {
    pub addr: std::net::SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl LiveServer {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl TestResponse {
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not the expected JSON ({e}): {}", self.body))
    }

    pub fn app_error(&self) -> AppError {
        self.json()
    }

    /// The session token this response sets, if it sets one (an empty value clears it).
    pub fn session_cookie(&self) -> Option<String> {
        self.set_cookie_header().and_then(|c| {
            c.split(';').next().and_then(|pair| pair.strip_prefix(&format!("{COOKIE}="))).map(str::to_string)
        })
    }

    pub fn set_cookie_header(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(&format!("{COOKIE}=")))
            .map(str::to_string)
    }

    pub fn location(&self) -> Option<&str> {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok())
    }
}

/// The shipped settings on the test's database, with `overrides` as environment variables
/// (`("PORTICO_SERVER_PUBLIC_URL", "https://…")`) win over both.
fn test_settings(database_url: &str, overrides: &[(String, String)]) -> Settings {
    let text = include_str!("../../Leptos.toml");
    let url = database_url.to_string();
    let overrides = overrides.to_vec();
    Settings::parse(text, move |k| {
        if let Some((_, v)) = overrides.iter().find(|(name, _)| name == k) {
            return Some(v.clone());
        }
        match k {
            "DATABASE_URL" => Some(url.clone()),
            "PORTICO_DATABASE_MAX_CONNECTIONS" => Some("5".into()),
            _ => None,
        }
    })
    .expect("test settings")
}

/// A database nobody else uses: a SQLite file in a temporary directory, or a new database on
/// the PostgreSQL server named by PORTICO_TEST_DATABASE_URL.
async fn fresh_database() -> (String, Option<tempfile::TempDir>) {
    match std::env::var("PORTICO_TEST_DATABASE_URL") {
        Ok(admin_url) if admin_url.starts_with("postgres") => {
            sqlx::any::install_default_drivers();
            let name =
                format!("portico_test_{}", portico::server::infra::ids::new_id("db").to_lowercase().replace("db_", ""));
            let mut admin =
                sqlx::AnyConnection::connect(&admin_url).await.expect("connect to the test PostgreSQL server");
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("create test database");
            admin.close().await.ok();
            let (base, _) = admin_url.rsplit_once('/').expect("database URL has a path");
            (format!("{base}/{name}"), None)
        }
        _ => {
            let dir = tempfile::tempdir().expect("temp dir");
            (format!("sqlite://{}/portico.db?mode=rwc", dir.path().display()), Some(dir))
        }
    }
}

/// The instant the tests' clock starts at: noon UTC on `PORTICO_TEST_TODAY` (a date like
/// 2028-02-29; scripts/test-dates.sh runs the suite on several), by default 22 November 2026.
/// Tests whose subject is a particular day of the calendar pin that day themselves
/// ([`TestApp::with_demo_on`]); every other figure follows from this date.
pub fn pinned_now() -> OffsetDateTime {
    match std::env::var("PORTICO_TEST_TODAY") {
        Ok(text) if !text.trim().is_empty() => {
            let date = Date::parse(text.trim(), time::macros::format_description!("[year]-[month]-[day]"))
                .unwrap_or_else(|_| panic!("PORTICO_TEST_TODAY={text:?} is not a date like 2026-11-22"));
            date.with_time(time::macros::time!(12:00)).assume_utc()
        }
        _ => datetime!(2026-11-22 12:00 UTC),
    }
}

/// Today on the tests' clock, before any test moves it.
pub fn pinned_today() -> Date {
    pinned_now().date()
}

impl TestApp {
    /// A portal loaded with the demo data, at noon UTC on the pinned date ([`pinned_now`]).
    pub async fn with_demo() -> TestApp {
        TestApp::with_demo_at(pinned_now()).await
    }

    /// A portal whose demo data was laid out on `date`, at noon UTC: for tests about that day.
    pub async fn with_demo_on(date: Date) -> TestApp {
        TestApp::with_demo_at(date.with_time(time::macros::time!(12:00)).assume_utc()).await
    }

    pub async fn with_demo_at(now: OffsetDateTime) -> TestApp {
        let app = TestApp::empty_at(now).await;
        assert!(demo::load_if_empty(&app.state).await.expect("demo data"));
        app
    }

    /// A portal with no data, its clock at the pinned instant ([`pinned_now`]).
    pub async fn empty() -> TestApp {
        TestApp::empty_at(pinned_now()).await
    }

    /// The demo with some settings changed, as environment variables would change them.
    pub async fn with_demo_and(overrides: &[(&str, &str)]) -> TestApp {
        let app = TestApp::build(pinned_now(), overrides).await;
        assert!(demo::load_if_empty(&app.state).await.expect("demo data"));
        app
    }

    pub async fn empty_at(now: OffsetDateTime) -> TestApp {
        TestApp::build(now, &[]).await
    }

    async fn build(now: OffsetDateTime, overrides: &[(&str, &str)]) -> TestApp {
        // Server-side failures are logged, not returned: show them in the test's output.
        let _ = tracing_subscriber::fmt().with_env_filter("warn,portico=debug").with_test_writer().try_init();
        let (database_url, dir) = fresh_database().await;
        let db = Db::connect(&database_url, 5).await.expect("connect");
        db.migrate().await.expect("migrate");
        let clock = Arc::new(ManualClock::new(now));
        let overrides: Vec<(String, String)> = overrides.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let state = new_state(db, test_settings(&database_url, &overrides), clock.clone()).await.expect("state");
        TestApp { router: router(state.clone()), state, clock, database_url, overrides, _dir: dir }
    }

    /// A second server process on the same database (its own pool and router).
    pub async fn second_process(&self) -> (Router, AppState) {
        let db = Db::connect(&self.database_url, 5).await.expect("connect");
        let state =
            new_state(db, test_settings(&self.database_url, &self.overrides), self.clock.clone()).await.expect("state");
        (router(state.clone()), state)
    }

    /// Serves this app on 127.0.0.1 (a free port) with the server's own accept loop and limits.
    pub async fn listen(&self) -> LiveServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (router, settings) = (self.router.clone(), self.state.settings.server.clone());
        let task = tokio::spawn(async move {
            portico::server::infra::http::serve(listener, router, &settings, async {
                let _ = stopped.await;
            })
            .await
            .expect("serve");
        });
        LiveServer { addr, stop: Some(stop), task: Some(task) }
    }

    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        send(&self.router, request).await
    }

    pub async fn get(&self, path: &str, session: Option<&str>) -> TestResponse {
        self.send(page_request(path, session)).await
    }

    /// Calls a server function the way the browser's hydrated app does (same-origin POST).
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)], session: Option<&str>) -> TestResponse {
        self.send(call_request(endpoint, form, session)).await
    }

    /// Calls a server function that takes JSON input.
    pub async fn call_json(&self, endpoint: &str, body: serde_json::Value, session: Option<&str>) -> TestResponse {
        self.send(json_request(&format!("/api/{endpoint}"), body, session)).await
    }

    /// Turns card or bank details into a processor token, as the browser does.
    pub async fn tokenize(&self, body: serde_json::Value) -> TestResponse {
        self.send(json_request("/sandbox/v1/tokens", body, None)).await
    }

    /// A token for a card number (valid expiry and CVC), asserting tokenization succeeds.
    pub async fn card_token(&self, number: &str) -> String {
        let res = self
            .tokenize(serde_json::json!({"type": "card", "number": number, "exp_month": "12", "exp_year": "2030", "cvc": "123", "holder_name": "Nora Whitfield"}))
            .await;
        assert_eq!(res.status, StatusCode::OK, "tokenize {number}: {}", res.body);
        res.json::<serde_json::Value>()["token"].as_str().expect("token").to_string()
    }

    /// Signs in with the demo password and returns the session token.
    pub async fn login(&self, email: &str) -> String {
        let res = self.call("login", &[("email", email), ("password", PASSWORD)], None).await;
        assert_eq!(res.status, StatusCode::OK, "login of {email} failed: {}", res.body);
        res.session_cookie().expect("login sets the session cookie")
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar::<_, i64>(sql).fetch_one(self.state.db.pool()).await.expect(sql)
    }
}

pub async fn send(router: &Router, request: Request<Body>) -> TestResponse {
    let response = router.clone().oneshot(request).await.expect("router never fails");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    TestResponse { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
}

pub fn page_request(path: &str, session: Option<&str>) -> Request<Body> {
    let mut builder = Request::get(path).header(header::HOST, HOST).header(header::ACCEPT, "text/html");
    if let Some(token) = session {
        builder = builder.header(header::COOKIE, format!("{COOKIE}={token}"));
    }
    builder.body(Body::empty()).expect("request")
}

pub fn call_request(endpoint: &str, form: &[(&str, &str)], session: Option<&str>) -> Request<Body> {
    call_request_with(endpoint, form, session, &[("origin", ORIGIN), ("sec-fetch-site", "same-origin")])
}

pub fn json_request(path: &str, body: serde_json::Value, session: Option<&str>) -> Request<Body> {
    let mut builder = Request::post(path)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/json")
        .header("origin", ORIGIN)
        .header("sec-fetch-site", "same-origin");
    if let Some(token) = session {
        builder = builder.header(header::COOKIE, format!("{COOKIE}={token}"));
    }
    builder.body(Body::from(body.to_string())).expect("request")
}

/// A form the browser posts itself, from the page at `page` (a page's own form before it is
/// hydrated or without JavaScript, or one marked `data-document`): `Accept` names HTML and that
/// page is the referer, where the server sends a refusal back.
pub fn browser_form_post(endpoint: &str, form: &[(&str, &str)], session: Option<&str>, page: &str) -> Request<Body> {
    let referer = format!("{ORIGIN}{page}");
    call_request_with(
        endpoint,
        form,
        session,
        &[
            ("origin", ORIGIN),
            ("sec-fetch-site", "same-origin"),
            ("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
            ("referer", &referer),
        ],
    )
}

/// A server-function call with headers of the test's choosing; each replaces the default of
/// its name (e.g. `accept`, for a form the browser posts itself).
pub fn call_request_with(
    endpoint: &str,
    form: &[(&str, &str)],
    session: Option<&str>,
    extra: &[(&str, &str)],
) -> Request<Body> {
    let mut builder = Request::post(format!("/api/{endpoint}"))
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json");
    for (k, v) in extra {
        if let Some(headers) = builder.headers_mut() {
            headers.remove(*k);
        }
        builder = builder.header(*k, *v);
    }
    if let Some(token) = session {
        builder = builder.header(header::COOKIE, format!("{COOKIE}={token}"));
    }
    let body = serde_urlencoded::to_string(form).expect("form");
    builder.body(Body::from(body)).expect("request")
}

/// Figures of the demo laid out on the pinned date, derived by the rules the demo follows
/// (src/server/demo/mod.rs) with integer arithmetic of their own, so a test asserts them on any day.
pub mod demo_figures {
    use time::{Date, Duration};

    /// `amount × numerator / denominator`, rounded half away from zero (positive amounts): the
    /// one rounding rule of `domain::money`, done independently of it.
    pub fn share_rounded(amount: i64, numerator: i64, denominator: i64) -> i64 {
        (2 * amount * numerator + denominator).div_euclid(2 * denominator)
    }

    /// The 4 % card surcharge on an amount in cents.
    pub fn card_fee(cents: i64) -> i64 {
        share_rounded(cents, 4, 100)
    }

    /// The first day of the month before `today`'s.
    pub fn last_month_start(today: Date) -> Date {
        let first = today.replace_day(1).expect("day 1 exists");
        (first - Duration::days(1)).replace_day(1).expect("day 1 exists")
    }

    /// Northwind's license invoice of the month: the partner plan and eight licenses at $15.
    pub const LICENSE_INVOICE: i64 = 49_900 + 8 * 1_500;

    /// Northwind's prorated license invoice: two numbers onboarded on the 10th of last month,
    /// each $15 × (days from the 10th to the month's end, counted) / days in that month.
    pub fn prorated_invoice(today: Date) -> i64 {
        let month = last_month_start(today);
        let days = i64::from(month.month().length(month.year()));
        2 * share_rounded(1_500, days - 9, days)
    }

    /// What Northwind owes when the demo is loaded: both invoices.
    pub fn northwind_outstanding(today: Date) -> i64 {
        LICENSE_INVOICE + prorated_invoice(today)
    }

    /// "640.30" for 64030 cents.
    pub fn plain(cents: i64) -> String {
        format!("{}.{:02}", cents / 100, cents % 100)
    }

    /// "$640.30" for 64030 cents (amounts under $1,000).
    pub fn dollars(cents: i64) -> String {
        assert!((0..100_000).contains(&cents), "dollars() formats amounts under $1,000");
        format!("${}", plain(cents))
    }

    #[test]
    fn the_prorated_invoice_follows_the_length_of_last_month() {
        use time::macros::date;
        // October (31 days): 22 days each, $10.645… → $10.65.
        assert_eq!(prorated_invoice(date!(2026 - 11 - 22)), 2_130);
        // November (30 days): 21 days, exactly $10.50.
        assert_eq!(prorated_invoice(date!(2026 - 12 - 02)), 2_100);
        // February 2027 (28 days): 19 days, $10.178… → $10.18.
        assert_eq!(prorated_invoice(date!(2027 - 03 - 01)), 2_036);
        // February 2028 (29 days): 20 days, $10.344… → $10.34.
        assert_eq!(prorated_invoice(date!(2028 - 03 - 15)), 2_068);
        assert_eq!(card_fee(2_130), 85);
        assert_eq!(card_fee(2_036), 81);
    }
}
