//! Hostile input at every server function and every operator route (issue 16): random and
//! malicious values (huge strings, control characters and bidirectional overrides, negative and
//! huge numbers, wrong types, missing and unknown fields, bytes that are not JSON), from every
//! kind of caller. Never a 5xx, never a panic, and a refused request writes nothing (its audit
//! record aside). Cases come from a fixed seed: a failure is reproduced by running it again.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Map, Value, json};
use sqlx::{Column, Row};

use crate::support::{HOST, ORIGIN, TestApp, TestResponse, send};
use portico::server::infra::ids::{new_secret_token, token_hash};

/// Requests per server function and per operator route.
const CASES_PER_ENDPOINT: usize = 6;

/// Field names the endpoints take, so that generated bodies reach past "missing field".
const FIELDS: &[&str] = &[
    "id",
    "account_id",
    "invoice_id",
    "invoice_ids",
    "estimate_id",
    "subscription_id",
    "payment_method_id",
    "method",
    "method_id",
    "idempotency_key",
    "token",
    "card_token",
    "email",
    "password",
    "current_password",
    "new_password",
    "name",
    "typed_name",
    "reason",
    "amount",
    "quantity",
    "plan_id",
    "version",
    "expected_due_now",
    "role",
    "user_id",
    "cursor",
    "filter",
    "q",
    "month",
    "number",
    "company_name",
    "country",
    "address_line1",
    "postal_code",
    "tax_id",
    "contact_name",
    "contact_email",
    "payment_terms_days",
    "retry_days",
    "card_expiry_notice_days",
    "transfer_wait_days",
    "input",
    "records",
    "description",
    "payment",
    "bank_reference",
    "make_default",
    "next",
    "from",
    "to",
    "currency",
    "messages",
    "cost",
    "date",
    "phone_number",
    "category",
];

/// Tables whose content a refused request must leave as it was (compared row by row).
const BUSINESS_TABLES: &[&str] = &[
    "accounts",
    "users",
    "memberships",
    "billing_contacts",
    "payment_methods",
    "subscriptions",
    "subscription_changes",
    "invoices",
    "invoice_lines",
    "estimates",
    "estimate_lines",
    "payments",
    "payment_allocations",
    "credit_settings",
    "top_ups",
    "phone_numbers",
    "number_billings",
    "invitations",
    "payment_links",
    "vendor_billing_settings",
    "vendor_currency_rules",
    "operator_adjustments",
    "staff_members",
];

/// Tables only ever added to: a refused request must not add a row (compared by count).
const APPEND_ONLY_TABLES: &[&str] = &["credit_entries", "usage_records", "outbox", "sandbox_charges"];

fn hostile_string() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,30}",
        "[\\x00-\\x1f\\u{202e}\\u{200b}\\u{fffd}]{1,10}",
        Just("x".repeat(70_000)),
        Just("é".repeat(5_000)),
        Just("' OR '1'='1'; DROP TABLE invoices; --".to_string()),
        Just("<script>alert(document.cookie)</script>".to_string()),
        Just("../../../etc/passwd".to_string()),
        Just("%00%0d%0aSet-Cookie: x=1".to_string()),
        Just("inv_".to_string() + &"9".repeat(200)),
        Just("acc_globex".to_string()),
        Just("pm_gx_mc".to_string()),
        Just("-1".to_string()),
        Just("9223372036854775808".to_string()),
        Just("1e400".to_string()),
        Just("NaN".to_string()),
        Just(String::new()),
    ]
}

fn hostile_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(-1i64), Just(0), any::<i64>()].prop_map(Value::from),
        prop_oneof![Just(f64::MAX), Just(-0.5), Just(1e-300)].prop_map(|f| json!(f)),
        hostile_string().prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::btree_map(proptest::sample::select(FIELDS), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

/// A request body: an object of known and unknown fields with hostile values, or not an
/// object at all, or not JSON at all.
fn hostile_body() -> impl Strategy<Value = Body_> {
    prop_oneof![
        6 => proptest::collection::btree_map(proptest::sample::select(FIELDS), hostile_value(), 0..7)
            .prop_map(|m| Body_::Fields(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        1 => hostile_value().prop_map(Body_::Json),
        1 => proptest::collection::vec(any::<u8>(), 0..200).prop_map(Body_::Bytes),
    ]
}

#[derive(Debug, Clone)]
enum Body_ {
    Fields(Map<String, Value>),
    Json(Value),
    Bytes(Vec<u8>),
}

impl Body_ {
    fn json(&self) -> Vec<u8> {
        match self {
            Body_::Fields(map) => Value::Object(map.clone()).to_string().into_bytes(),
            Body_::Json(value) => value.to_string().into_bytes(),
            Body_::Bytes(bytes) => bytes.clone(),
        }
    }

    /// As a form: strings as they are, anything else as its JSON text.
    fn form(&self) -> Vec<u8> {
        match self {
            Body_::Fields(map) => {
                let pairs: Vec<(String, String)> = map
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())))
                    .collect();
                serde_urlencoded::to_string(pairs).unwrap_or_default().into_bytes()
            }
            other => other.json(),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Caller {
    Anonymous,
    Owner,
    Member,
    StaffViewing,
    Staff,
}

const CALLERS: [Caller; 5] = [Caller::Anonymous, Caller::Owner, Caller::Member, Caller::StaffViewing, Caller::Staff];

async fn session(app: &TestApp, caller: Caller) -> Option<String> {
    let (user, account, viewing) = match caller {
        Caller::Anonymous => return None,
        Caller::Owner => ("usr_nora", Some("acc_northwind"), None),
        Caller::Member => ("usr_mia", Some("acc_northwind"), None),
        Caller::StaffViewing => ("usr_alex", None, Some("acc_northwind")),
        Caller::Staff => ("usr_alex", None, None),
    };
    let token = new_secret_token();
    let now = portico::server::infra::clock::unix_now(app.clock.as_ref());
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, account_id, created_at, last_seen_at, expires_at, user_agent,
                               impersonated_account_id, impersonation_started_at, impersonation_ends_at)
         VALUES ($1, $2, $3, $4, $4, $5, 'fuzz', $6, $7, $8)",
    )
    .bind(token_hash(&token))
    .bind(user)
    .bind(account)
    .bind(now)
    .bind(now + 86_400)
    .bind(viewing)
    .bind(viewing.map(|_| now))
    .bind(viewing.map(|_| now + 3_600))
    .execute(app.state.db.pool())
    .await
    .unwrap();
    Some(token)
}

/// The content of the business tables, to tell whether a request wrote anything.
async fn content(app: &TestApp) -> Vec<String> {
    let mut out = Vec::new();
    for table in APPEND_ONLY_TABLES {
        out.push(format!("{table}: {} rows", app.count(&format!("SELECT COUNT(*) FROM {table}")).await));
    }
    // An API key's last use is bookkeeping of a request that was authenticated, not a change.
    let keys: Vec<(String, String, String, Option<i64>)> =
        sqlx::query_as("SELECT id, name, key_hash, revoked_at FROM api_keys ORDER BY id")
            .fetch_all(app.state.db.pool())
            .await
            .unwrap();
    out.extend(keys.iter().map(|k| format!("api_keys:{k:?}")));
    for table in BUSINESS_TABLES {
        let rows =
            sqlx::query(&format!("SELECT * FROM {table} ORDER BY 1")).fetch_all(app.state.db.pool()).await.unwrap();
        for row in rows {
            let cells: Vec<String> = (0..row.columns().len())
                .map(|i| {
                    row.try_get::<Option<String>, _>(i)
                        .map(|v| format!("{v:?}"))
                        .or_else(|_| row.try_get::<Option<i64>, _>(i).map(|v| format!("{v:?}")))
                        .or_else(|_| row.try_get::<Option<f64>, _>(i).map(|v| format!("{v:?}")))
                        .unwrap_or_else(|_| format!("<{}>", row.column(i).name()))
                })
                .collect();
            out.push(format!("{table}:{}", cells.join("|")));
        }
    }
    out
}

/// Sends a request, catching a panic in its handling as a failure of the test case.
async fn guarded(app: &TestApp, request: Request<Body>) -> Result<TestResponse, String> {
    let router = app.router.clone();
    tokio::spawn(async move { send(&router, request).await }).await.map_err(|e| format!("the request panicked: {e}"))
}

fn server_function_request(
    path: &str,
    method: &Method,
    body: &Body_,
    as_form: bool,
    session: Option<&str>,
) -> Request<Body> {
    let (content_type, bytes) =
        if as_form { ("application/x-www-form-urlencoded", body.form()) } else { ("application/json", body.json()) };
    let mut builder = Request::builder()
        .header(header::HOST, HOST)
        .header(header::ACCEPT, "application/json")
        .header("origin", ORIGIN)
        .header("sec-fetch-site", "same-origin");
    if let Some(token) = session {
        builder = builder.header(header::COOKIE, format!("{}={token}", crate::support::COOKIE));
    }
    if *method == Method::GET {
        let query = String::from_utf8_lossy(&body.form()).to_string();
        builder.method(Method::GET).uri(format!("{path}?{query}")).body(Body::empty()).unwrap()
    } else {
        builder
            .method(method.clone())
            .uri(path)
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(bytes))
            .unwrap()
    }
}

/// Checks one answer: no server failure, and nothing written when refused.
async fn check(
    app: &TestApp,
    what: &str,
    before: Vec<String>,
    result: Result<TestResponse, String>,
    failures: &mut Vec<String>,
) {
    let res = match result {
        Ok(res) => res,
        Err(panic) => {
            failures.push(format!("{what}: {panic}"));
            return;
        }
    };
    if res.status.is_server_error() {
        failures.push(format!("{what}: {} {}", res.status, res.body.chars().take(300).collect::<String>()));
        return;
    }
    if res.status.is_client_error() {
        let after = content(app).await;
        if after != before {
            let added: Vec<&String> = after.iter().filter(|row| !before.contains(row)).take(3).collect();
            let gone: Vec<&String> = before.iter().filter(|row| !after.contains(row)).take(3).collect();
            failures.push(format!("{what}: refused with {} yet wrote {added:?} / removed {gone:?}", res.status));
        }
    }
}

fn runner() -> TestRunner {
    TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &[16; 32]))
}

#[tokio::test]
async fn every_server_function_withstands_hostile_input() {
    let app = TestApp::with_demo().await;
    portico::api::register_all();
    let mut endpoints: Vec<(&'static str, Method)> = leptos::server_fn::axum::server_fn_paths().collect();
    endpoints.sort_by_key(|(path, _)| *path);
    assert!(endpoints.len() > 60, "{} server functions", endpoints.len());
    let mut runner = runner();
    let strategy = hostile_body();
    let (mut failures, mut sent) = (Vec::new(), 0);
    for (path, method) in &endpoints {
        for case in 0..CASES_PER_ENDPOINT {
            let body = strategy.new_tree(&mut runner).unwrap().current();
            let caller = CALLERS[case % CALLERS.len()];
            let token = session(&app, caller).await;
            let before = content(&app).await;
            let request = server_function_request(path, method, &body, case % 2 == 0, token.as_deref());
            let result = guarded(&app, request).await;
            check(&app, &format!("{method} {path} as {caller:?} with {body:?}"), before, result, &mut failures).await;
            sent += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {sent} requests failed:\n{}",
        failures.len(),
        failures.join("\n").chars().take(20_000).collect::<String>()
    );
}

#[tokio::test]
async fn every_operator_route_withstands_hostile_input() {
    let app = TestApp::with_demo().await;
    let staff = app.login("staff@acme.test").await;
    let key = app.call("staff/api-keys/create", &[("name", "Fuzz")], Some(&staff)).await.json::<Value>()["secret"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, document) = portico::server::operator::build();
    let mut routes: Vec<(String, Method)> = Vec::new();
    for (path, item) in &document.paths.paths {
        for (method, present) in [
            (Method::GET, item.get.is_some()),
            (Method::POST, item.post.is_some()),
            (Method::PUT, item.put.is_some()),
            (Method::PATCH, item.patch.is_some()),
            (Method::DELETE, item.delete.is_some()),
        ] {
            if present {
                routes.push((path.clone(), method));
            }
        }
    }
    assert!(routes.len() >= 6, "{routes:?}");
    let mut runner = runner();
    let (bodies, segments) = (hostile_body(), hostile_string());
    let (mut failures, mut sent) = (Vec::new(), 0);
    for (template, method) in &routes {
        for case in 0..CASES_PER_ENDPOINT {
            let body = bodies.new_tree(&mut runner).unwrap().current();
            // Path parameters: a real account, another vendor's or a missing one, or garbage.
            let mut path = template.clone();
            while let Some(start) = path.find('{') {
                let end = path[start..].find('}').map_or(path.len(), |e| start + e + 1);
                let value = match case % 3 {
                    0 => "acc_northwind".to_string(),
                    1 => segments.new_tree(&mut runner).unwrap().current(),
                    _ => "acc_foreign".to_string(),
                };
                // Each segment kept under 8,000 characters, so a path with several stays a URI.
                let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes())
                    .collect::<String>()
                    .chars()
                    .take(8_000)
                    .collect();
                path.replace_range(start..end, if encoded.is_empty() { "x" } else { &encoded });
            }
            let auth = match case % 4 {
                0 => None,
                1 => Some("Bearer pk_forged_000000000000000000000000000000000000000".to_string()),
                _ => Some(format!("Bearer {key}")),
            };
            let mut builder = Request::builder().method(method.clone()).uri(&path).header(header::HOST, HOST);
            if let Some(auth) = &auth {
                builder = builder.header(header::AUTHORIZATION, auth);
            }
            let request = if matches!(*method, Method::POST | Method::PUT | Method::PATCH) {
                builder.header(header::CONTENT_TYPE, "application/json").body(Body::from(body.json())).unwrap()
            } else {
                builder.body(Body::empty()).unwrap()
            };
            let before = content(&app).await;
            let result = guarded(&app, request).await;
            check(&app, &format!("{method} {path} ({}) with {body:?}", auth.is_some()), before, result, &mut failures)
                .await;
            sent += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {sent} requests failed:\n{}",
        failures.len(),
        failures.join("\n").chars().take(20_000).collect::<String>()
    );
    let _ = StatusCode::OK;
}
