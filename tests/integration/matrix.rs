//! The authorization matrix: every registered server function × every kind of caller × whose
//! object it touches. Generated from one table of rules, so that a new server function fails
//! here until its rule is written down, and no cell may allow what its rule does not grant.

use axum::http::StatusCode;
use serde_json::{Value, json};
use sqlx::{Column, Row};

use crate::support::{TestApp, call_request, json_request, send};
use portico::server::infra::ids::{new_secret_token, token_hash};
use portico::wire::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Owner,
    Admin,
    BillingManager,
    Member,
    /// Agency staff viewing Northwind as the client.
    StaffViewing,
    /// Agency staff in their console (a staff admin).
    Staff,
    /// Agency support staff in their console: the staff console, not the vendor's settings.
    StaffSupport,
    Anonymous,
}

const CALLERS: [Caller; 8] = [
    Caller::Owner,
    Caller::Admin,
    Caller::BillingManager,
    Caller::Member,
    Caller::StaffViewing,
    Caller::Staff,
    Caller::StaffSupport,
    Caller::Anonymous,
];

/// What each server function requires; mirrors `Access` plus the public and client-view cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    Public,
    SignedIn,
    AccountMember,
    Billing,
    BillingChange,
    TeamAdmin,
    Personal,
    Staff,
    /// Staff admins: the vendor's API keys and billing rules.
    StaffAdmin,
    /// Only a session that is viewing as a client has a client view to exit.
    ClientView,
}

fn allows(rule: Rule, caller: Caller) -> bool {
    use Caller::*;
    match rule {
        Rule::Public => true,
        Rule::SignedIn => caller != Anonymous,
        Rule::AccountMember => matches!(caller, Owner | Admin | BillingManager | Member | StaffViewing),
        Rule::Billing => matches!(caller, Owner | Admin | BillingManager | StaffViewing),
        Rule::BillingChange => matches!(caller, Owner | Admin | BillingManager),
        Rule::TeamAdmin => matches!(caller, Owner | Admin),
        Rule::Personal => matches!(caller, Owner | Admin | BillingManager | Member | Staff | StaffSupport),
        Rule::Staff => matches!(caller, Staff | StaffSupport),
        Rule::StaffAdmin => caller == Staff,
        Rule::ClientView => caller == StaffViewing,
    }
}

/// The refusal a caller gets from a rule that does not grant it.
fn refusal(rule: Rule, caller: Caller) -> (StatusCode, AppError) {
    match (caller, rule) {
        (Caller::Anonymous, _) => (StatusCode::UNAUTHORIZED, AppError::Unauthenticated),
        (
            Caller::StaffViewing,
            Rule::BillingChange | Rule::TeamAdmin | Rule::Personal | Rule::Staff | Rule::StaffAdmin,
        ) => (StatusCode::FORBIDDEN, AppError::Impersonating),
        (_, Rule::ClientView) => {
            (StatusCode::CONFLICT, AppError::Conflict("You are not viewing a client's portal.".into()))
        }
        _ => (StatusCode::FORBIDDEN, AppError::Forbidden),
    }
}

/// Whose objects a call names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// The caller's current account (Northwind).
    Own,
    /// Another account the same login belongs to (Globex), not the current one.
    OtherOfLogin,
    /// An account of another vendor that no caller belongs to.
    Foreign,
    /// Ids that exist nowhere: what "not found" looks like.
    Missing,
}

/// The ids of one account's objects.
struct Objects {
    account: &'static str,
    invoice: String,
    estimate: &'static str,
    subscription: &'static str,
    method: &'static str,
    contact: String,
    member: &'static str,
    invitation: &'static str,
    phone_number: String,
    /// An operator API key of the account's vendor (keys belong to vendors: Globex's vendor is
    /// the staff's own, so the "other" targets name the foreign vendor's key).
    api_key: &'static str,
}

async fn first(app: &TestApp, sql: &str, account: &str) -> String {
    sqlx::query_scalar(sql).bind(account).fetch_one(app.state.db.pool()).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

impl Objects {
    async fn of(app: &TestApp, target: Target) -> Objects {
        let account = match target {
            Target::Own => "acc_northwind",
            Target::OtherOfLogin => "acc_globex",
            Target::Foreign => "acc_foreign",
            Target::Missing => "acc_missing",
        };
        if target == Target::Missing {
            return Objects {
                account,
                invoice: "inv_missing0000000000000".into(),
                estimate: "est_missing",
                subscription: "sub_missing",
                method: "pm_missing",
                contact: "bct_missing".into(),
                member: "usr_missing",
                invitation: "invt_missing",
                phone_number: "num_missing".into(),
                api_key: "key_missing",
            };
        }
        let pick = |own: &'static str, other: &'static str, foreign: &'static str| match target {
            Target::Own => own,
            Target::OtherOfLogin => other,
            _ => foreign,
        };
        Objects {
            account,
            invoice: first(
                app,
                "SELECT id FROM invoices WHERE account_id = $1 AND status = 'open' ORDER BY number LIMIT 1",
                account,
            )
            .await,
            estimate: pick("est_nw_onboarding", "est_gx_expansion", "est_gx_expansion_f"),
            subscription: pick("sub_nw_licenses", "sub_gx_licenses", "sub_gx_licenses_f"),
            method: pick("pm_nw_amex", "pm_gx_mc", "pm_gx_mc_f"),
            contact: first(
                app,
                "SELECT id FROM billing_contacts WHERE account_id = $1 ORDER BY email LIMIT 1",
                account,
            )
            .await,
            member: pick("usr_mia", "usr_greta", "usr_ivan"),
            invitation: pick("invt_nw", "invt_gx", "invt_fx"),
            phone_number: first(app, "SELECT id FROM phone_numbers WHERE account_id = $1 ORDER BY id LIMIT 1", account)
                .await,
            api_key: pick("key_acme", "key_foreign", "key_foreign"),
        }
    }
}

/// How a server function is called: form or JSON, and with which arguments for the objects.
enum Input {
    Form(Vec<(&'static str, String)>),
    Json(Value),
}

struct Endpoint {
    path: &'static str,
    rule: Rule,
    /// Arguments that pass authorization but do nothing (invalid or unknown): the role check.
    inert: fn() -> Input,
    /// Arguments naming one account's objects, for the ownership check; `None` when the call
    /// names no object (it works on the session's current account, or is public by token).
    objects: Option<fn(&Objects) -> Input>,
}

fn form(pairs: &[(&'static str, &str)]) -> Input {
    Input::Form(pairs.iter().map(|(k, v)| (*k, v.to_string())).collect())
}

fn endpoints() -> Vec<Endpoint> {
    use Rule::*;
    let none = None;
    vec![
        Endpoint {
            path: "login",
            rule: Public,
            inert: || form(&[("email", "nobody@example.test"), ("password", "wrong")]),
            objects: none,
        },
        Endpoint { path: "logout", rule: SignedIn, inert: || form(&[]), objects: none },
        Endpoint { path: "session", rule: SignedIn, inert: || form(&[]), objects: none },
        Endpoint {
            path: "password",
            rule: Personal,
            inert: || form(&[("current_password", ""), ("new_password", "")]),
            objects: none,
        },
        Endpoint { path: "accounts", rule: Personal, inert: || form(&[]), objects: none },
        Endpoint {
            path: "accounts/switch",
            rule: Personal,
            inert: || form(&[("account_id", "acc_missing")]),
            objects: Some(|o| form(&[("account_id", o.account)])),
        },
        Endpoint { path: "activity", rule: Billing, inert: || form(&[]), objects: none },
        Endpoint { path: "staff/activity", rule: Staff, inert: || form(&[]), objects: none },
        Endpoint { path: "billing-details", rule: Billing, inert: || form(&[]), objects: none },
        Endpoint {
            path: "billing-details/update",
            rule: BillingChange,
            inert: || form(&[("company_name", "")]),
            objects: none,
        },
        Endpoint {
            path: "billing-details/contacts/add",
            rule: BillingChange,
            inert: || form(&[("name", ""), ("email", "")]),
            objects: none,
        },
        Endpoint {
            path: "billing-details/contacts/remove",
            rule: BillingChange,
            inert: || form(&[("id", "bct_missing")]),
            objects: Some(|o| form(&[("id", &o.contact)])),
        },
        Endpoint { path: "billing-history", rule: Billing, inert: || form(&[]), objects: none },
        Endpoint {
            path: "invoice",
            rule: Billing,
            inert: || form(&[("id", "inv_missing")]),
            objects: Some(|o| form(&[("id", &o.invoice)])),
        },
        Endpoint {
            path: "estimate",
            rule: Billing,
            inert: || form(&[("id", "est_missing")]),
            objects: Some(|o| form(&[("id", o.estimate)])),
        },
        Endpoint { path: "dashboard", rule: Billing, inert: || form(&[]), objects: none },
        Endpoint { path: "billing-helpers", rule: AccountMember, inert: || form(&[]), objects: none },
        Endpoint { path: "estimates", rule: Billing, inert: || form(&[]), objects: none },
        Endpoint {
            path: "estimates/approve",
            rule: BillingChange,
            inert: || form(&[("id", "est_missing"), ("typed_name", "Nora Whitfield")]),
            objects: Some(|o| form(&[("id", o.estimate), ("typed_name", "Nora Whitfield")])),
        },
        Endpoint {
            path: "estimates/decline",
            rule: BillingChange,
            inert: || form(&[("id", "est_missing"), ("reason", "Not now")]),
            objects: Some(|o| form(&[("id", o.estimate), ("reason", "Not now")])),
        },
        Endpoint { path: "payment-methods", rule: Billing, inert: || form(&[]), objects: none },
        Endpoint {
            path: "payment-methods/add",
            rule: BillingChange,
            inert: || form(&[("token", "tok_missing"), ("make_default", "false")]),
            objects: none,
        },
        Endpoint {
            path: "payment-methods/default",
            rule: BillingChange,
            inert: || form(&[("id", "pm_missing")]),
            objects: Some(|o| form(&[("id", o.method)])),
        },
        Endpoint {
            path: "payment-methods/remove",
            rule: BillingChange,
            inert: || form(&[("id", "pm_missing")]),
            objects: Some(|o| form(&[("id", o.method)])),
        },
        Endpoint {
            path: "payments/quote",
            rule: Billing,
            inert: || Input::Json(json!({ "invoice_ids": ["inv_missing"] })),
            objects: Some(|o| Input::Json(json!({ "invoice_ids": [o.invoice] }))),
        },
        Endpoint {
            path: "payments/pay",
            rule: BillingChange,
            inert: || {
                Input::Json(
                    json!({ "invoice_ids": ["inv_missing"], "method": "pm_missing", "idempotency_key": "idem_matrix_inert_0001" }),
                )
            },
            objects: Some(|o| {
                Input::Json(
                    json!({ "invoice_ids": [o.invoice], "method": o.method, "idempotency_key": format!("idem_matrix_{}", o.account) }),
                )
            }),
        },
        Endpoint { path: "payments/history", rule: Billing, inert: || form(&[]), objects: none },
        Endpoint {
            path: "payment-links/create",
            rule: BillingChange,
            inert: || form(&[("invoice_id", "inv_missing")]),
            objects: Some(|o| form(&[("invoice_id", &o.invoice)])),
        },
        Endpoint { path: "pay-link/view", rule: Public, inert: || form(&[("token", "not-a-token")]), objects: none },
        Endpoint {
            path: "pay-link/pay",
            rule: Public,
            inert: || {
                Input::Json(
                    json!({ "token": "not-a-token", "card_token": "tok_x", "idempotency_key": "idem_matrix_link_0001" }),
                )
            },
            objects: none,
        },
        Endpoint { path: "staff/clients", rule: Staff, inert: || form(&[]), objects: none },
        Endpoint { path: "staff/estimate-decisions", rule: Staff, inert: || form(&[]), objects: none },
        Endpoint {
            path: "staff/view-as-client",
            rule: Staff,
            inert: || form(&[("account_id", "acc_missing")]),
            objects: none,
        },
        Endpoint { path: "staff/exit-client-view", rule: ClientView, inert: || form(&[]), objects: none },
        Endpoint { path: "staff/transfers", rule: Staff, inert: || form(&[]), objects: none },
        Endpoint {
            path: "staff/transfers/record",
            rule: StaffAdmin,
            inert: || {
                form(&[
                    ("account_id", "acc_missing"),
                    ("payment_id", "pay_missing"),
                    ("amount", "1"),
                    ("bank_reference", "x"),
                ])
            },
            objects: none,
        },
        Endpoint { path: "credit/page", rule: Billing, inert: || Input::Json(json!({})), objects: none },
        Endpoint {
            path: "credit/entries",
            rule: Billing,
            inert: || Input::Json(json!({ "cursor": null })),
            objects: none,
        },
        Endpoint {
            path: "credit/top-up",
            rule: BillingChange,
            inert: || {
                Input::Json(
                    json!({ "amount": "", "method_id": "pm_missing", "idempotency_key": "idem_matrix_topup_0001" }),
                )
            },
            objects: Some(|o| {
                Input::Json(
                    json!({ "amount": "25", "method_id": o.method, "idempotency_key": format!("idem_matrix_topup_{}", o.account) }),
                )
            }),
        },
        Endpoint {
            path: "credit/settings",
            rule: BillingChange,
            inert: || {
                Input::Json(
                    json!({ "input": { "alert_threshold": "x", "auto_top_up": false, "auto_threshold": "", "auto_amount": "",
                                               "auto_method_id": "" } }),
                )
            },
            objects: Some(|o| {
                Input::Json(
                    json!({ "input": { "alert_threshold": "", "auto_top_up": true, "auto_threshold": "10", "auto_amount": "50",
                                               "auto_method_id": o.method } }),
                )
            }),
        },
        Endpoint { path: "service-status", rule: AccountMember, inert: || Input::Json(json!({})), objects: none },
        Endpoint { path: "staff/webhooks", rule: Staff, inert: || form(&[]), objects: none },
        Endpoint {
            path: "staff/webhooks/create",
            rule: StaffAdmin,
            inert: || Input::Json(json!({ "url": "", "description": "", "events": ["*"] })),
            objects: none,
        },
        Endpoint {
            path: "staff/webhooks/delete",
            rule: StaffAdmin,
            inert: || form(&[("id", "we_missing")]),
            objects: none,
        },
        Endpoint {
            path: "staff/webhooks/resend",
            rule: StaffAdmin,
            inert: || form(&[("id", "whd_missing")]),
            objects: none,
        },
        Endpoint {
            path: "staff/return-origins",
            rule: StaffAdmin,
            inert: || form(&[("origins", "not an origin")]),
            objects: none,
        },
        Endpoint { path: "staff/api-keys", rule: Staff, inert: || form(&[]), objects: none },
        Endpoint { path: "staff/billing-rules", rule: Staff, inert: || form(&[]), objects: none },
        Endpoint {
            path: "staff/billing-rules/save",
            rule: StaffAdmin,
            inert: || form(&[("payment_terms_days", "x"), ("retry_days", ""), ("card_expiry_notice_days", "14")]),
            objects: none,
        },
        Endpoint { path: "staff/api-keys/create", rule: StaffAdmin, inert: || form(&[("name", "")]), objects: none },
        Endpoint {
            path: "staff/api-keys/revoke",
            rule: StaffAdmin,
            inert: || form(&[("id", "key_missing")]),
            objects: Some(|o| form(&[("id", o.api_key)])),
        },
        Endpoint { path: "subscriptions", rule: Billing, inert: || form(&[]), objects: none },
        Endpoint {
            path: "subscriptions/preview",
            rule: Billing,
            inert: || {
                Input::Json(json!({ "subscription_id": "sub_missing", "plan_id": "plan_license_usd", "quantity": 5 }))
            },
            objects: Some(|o| {
                Input::Json(json!({ "subscription_id": o.subscription, "plan_id": "plan_license_usd", "quantity": 5 }))
            }),
        },
        Endpoint {
            path: "subscriptions/change",
            rule: BillingChange,
            inert: || {
                Input::Json(
                    json!({ "subscription_id": "sub_missing", "plan_id": "plan_license_usd", "quantity": 5, "version": 0,
                                    "expected_due_now": 0, "idempotency_key": "idem_matrix_inert_0002" }),
                )
            },
            objects: Some(|o| {
                Input::Json(
                    json!({ "subscription_id": o.subscription, "plan_id": "plan_license_usd", "quantity": 5, "version": 0,
                                    "expected_due_now": 0, "idempotency_key": format!("idem_matrix_change_{}", o.account) }),
                )
            }),
        },
        Endpoint {
            path: "subscriptions/payment-method",
            rule: BillingChange,
            inert: || form(&[("subscription_id", "sub_missing"), ("payment_method_id", "pm_missing")]),
            objects: Some(|o| form(&[("subscription_id", o.subscription), ("payment_method_id", o.method)])),
        },
        Endpoint {
            path: "subscriptions/cancel",
            rule: BillingChange,
            inert: || form(&[("subscription_id", "sub_missing"), ("reason", "")]),
            objects: Some(|o| form(&[("subscription_id", o.subscription), ("reason", "")])),
        },
        Endpoint {
            path: "subscriptions/resume",
            rule: BillingChange,
            inert: || form(&[("subscription_id", "sub_missing")]),
            objects: Some(|o| form(&[("subscription_id", o.subscription)])),
        },
        Endpoint { path: "usage/filters", rule: Billing, inert: || form(&[]), objects: none },
        Endpoint {
            path: "usage",
            rule: Billing,
            inert: || form(&[]),
            objects: Some(|o| form(&[("number", &o.phone_number)])),
        },
        Endpoint { path: "team", rule: AccountMember, inert: || form(&[]), objects: none },
        Endpoint {
            path: "team/invite",
            rule: TeamAdmin,
            inert: || form(&[("email", "not-an-email"), ("role", "Member")]),
            objects: none,
        },
        Endpoint {
            path: "team/role",
            rule: TeamAdmin,
            inert: || form(&[("user_id", "usr_missing"), ("role", "Member")]),
            objects: Some(|o| form(&[("user_id", o.member), ("role", "BillingManager")])),
        },
        Endpoint {
            path: "team/remove",
            rule: TeamAdmin,
            inert: || form(&[("user_id", "usr_missing")]),
            objects: Some(|o| form(&[("user_id", o.member)])),
        },
        Endpoint {
            path: "team/revoke",
            rule: TeamAdmin,
            inert: || form(&[("id", "invt_missing")]),
            objects: Some(|o| form(&[("id", o.invitation)])),
        },
        Endpoint { path: "invitations/view", rule: Public, inert: || form(&[("token", "not-a-token")]), objects: none },
        Endpoint {
            path: "invitations/accept",
            rule: Public,
            inert: || form(&[("token", "not-a-token"), ("name", "X"), ("password", "long enough password")]),
            objects: none,
        },
    ]
}

/// Copies rows of `table` matching `filter` into the foreign account, renaming ids so that
/// each copy is a distinct object of `acc_foreign` under vendor `ven_foreign`.
async fn clone_rows(app: &TestApp, table: &str, filter: &str) {
    let pool = app.state.db.pool();
    let sample =
        sqlx::query(&format!("SELECT * FROM {table} WHERE {filter} LIMIT 1")).fetch_one(pool).await.expect(table);
    let columns: Vec<String> = sample.columns().iter().map(|c| c.name().to_string()).collect();
    let exprs: Vec<String> = columns
        .iter()
        .map(|c| match (table, c.as_str()) {
            ("accounts", "id") => "'acc_foreign'".into(),
            ("vendors", "id") | (_, "vendor_id") => "'ven_foreign'".into(),
            (_, "account_id") => "'acc_foreign'".into(),
            (_, "id") => "id || '_f'".into(),
            (_, "number") => "'F' || number".into(),
            (_, "payment_in_progress_id") => "NULL".into(),
            (_, col @ ("payment_method_id" | "subscription_id" | "invoice_id")) => {
                format!("CASE WHEN {col} IS NULL THEN NULL ELSE {col} || '_f' END")
            }
            (_, col) => col.to_string(),
        })
        .collect();
    let sql =
        format!("INSERT INTO {table} ({}) SELECT {} FROM {table} WHERE {filter}", columns.join(", "), exprs.join(", "));
    sqlx::query(&sql).execute(pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn exec(app: &TestApp, sql: &str) {
    sqlx::query(sql).execute(app.state.db.pool()).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// The demo, plus: an admin at Northwind; Ben, Mia and the admin also members of Globex (so
/// every role has another account of the same login); a foreign vendor's account (a copy of
/// Globex's objects) with its own owner; a pending invitation in each account.
async fn fixture() -> TestApp {
    let app = TestApp::with_demo().await;
    let now = crate::support::pinned_now().unix_timestamp(); // the test clock
    clone_rows(&app, "vendors", "id = (SELECT vendor_id FROM accounts WHERE id = 'acc_globex')").await;
    clone_rows(&app, "accounts", "id = 'acc_globex'").await;
    for table in ["payment_methods", "subscriptions", "invoices", "estimates", "billing_contacts", "phone_numbers"] {
        clone_rows(&app, table, "account_id = 'acc_globex'").await;
    }
    exec(
        &app,
        &format!(
        "INSERT INTO users (id, email, name, password_hash, created_at)
         SELECT 'usr_adam', 'admin@northwind.test', 'Adam Admin', password_hash, {now} FROM users WHERE id = 'usr_nora'"
    ),
    )
    .await;
    exec(
        &app,
        &format!(
        "INSERT INTO users (id, email, name, password_hash, created_at)
         SELECT 'usr_ivan', 'owner@foreign.test', 'Ivan Foreign', password_hash, {now} FROM users WHERE id = 'usr_nora'"
    ),
    )
    .await;
    for (account, user, role) in [
        ("acc_northwind", "usr_adam", "admin"),
        ("acc_globex", "usr_adam", "member"),
        ("acc_globex", "usr_ben", "member"),
        ("acc_globex", "usr_mia", "member"),
        ("acc_foreign", "usr_ivan", "owner"),
    ] {
        exec(&app, &format!("INSERT INTO memberships (account_id, user_id, role, created_at) VALUES ('{account}', '{user}', '{role}', {now})")).await;
    }
    for (id, vendor) in [("key_acme", "ven_acme"), ("key_foreign", "ven_foreign")] {
        exec(&app, &format!(
            "INSERT INTO api_keys (id, vendor_id, name, prefix, key_hash, created_at) VALUES ('{id}', '{vendor}', 'Matrix', 'pk_matrix', 'hash-{id}', {now})"
        )).await;
    }
    for (id, account) in [("invt_nw", "acc_northwind"), ("invt_gx", "acc_globex"), ("invt_fx", "acc_foreign")] {
        exec(
            &app,
            &format!(
                "INSERT INTO invitations (id, account_id, email, role, token_hash, created_at, expires_at)
             VALUES ('{id}', '{account}', 'new-{id}@example.test', 'member', 'hash-{id}', {now}, {})",
                now + 86_400
            ),
        )
        .await;
    }
    app
}

/// A signed-in session for `caller`, made directly (the sign-in itself is tested elsewhere).
async fn session_of(app: &TestApp, caller: Caller) -> Option<String> {
    let (user, account, viewing) = match caller {
        Caller::Owner => ("usr_nora", Some("acc_northwind"), None),
        Caller::Admin => ("usr_adam", Some("acc_northwind"), None),
        Caller::BillingManager => ("usr_ben", Some("acc_northwind"), None),
        Caller::Member => ("usr_mia", Some("acc_northwind"), None),
        Caller::StaffViewing => ("usr_alex", None, Some("acc_northwind")),
        Caller::Staff => ("usr_alex", None, None),
        Caller::StaffSupport => ("usr_sam", None, None),
        Caller::Anonymous => return None,
    };
    let token = new_secret_token();
    let now = crate::support::pinned_now().unix_timestamp();
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, account_id, created_at, last_seen_at, expires_at, user_agent,
                               impersonated_account_id, impersonation_started_at, impersonation_ends_at)
         VALUES ($1, $2, $3, $4, $4, $5, 'matrix', $6, $7, $8)",
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
    .expect("session");
    Some(token)
}

async fn call(app: &TestApp, path: &str, input: Input, session: Option<&str>) -> crate::support::TestResponse {
    let request = match input {
        Input::Form(pairs) => {
            let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            call_request(path, &pairs, session)
        }
        Input::Json(body) => json_request(&format!("/api/{path}"), body, session),
    };
    send(&app.router, request).await
}

#[tokio::test]
async fn every_server_function_has_a_rule_in_the_matrix() {
    let table: Vec<String> = endpoints().iter().map(|e| format!("/api/{}", e.path)).collect();
    let _app = TestApp::empty().await; // registers the server functions
    let mut registered: Vec<String> =
        leptos::server_fn::axum::server_fn_paths().map(|(path, _)| path.to_string()).collect();
    registered.sort();
    registered.dedup();
    let missing: Vec<&String> = registered.iter().filter(|p| !table.contains(p)).collect();
    let stale: Vec<&String> = table.iter().filter(|p| !registered.contains(p)).collect();
    assert!(missing.is_empty(), "server functions without a rule in the matrix: {missing:?}");
    assert!(stale.is_empty(), "rules for server functions that do not exist: {stale:?}");
}

#[tokio::test]
async fn each_caller_reaches_exactly_what_its_role_grants() {
    let app = fixture().await;
    let mut failures = Vec::new();
    for endpoint in endpoints() {
        for caller in CALLERS {
            // A fresh session per cell: some calls (sign-out, exit) end the one they use.
            let session = session_of(&app, caller).await;
            let res = call(&app, endpoint.path, (endpoint.inert)(), session.as_deref()).await;
            let cell = format!("{} × {caller:?} → {} {}", endpoint.path, res.status, res.body);
            if allows(endpoint.rule, caller) {
                if matches!(res.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
                    failures.push(format!("refused but granted: {cell}"));
                }
            } else {
                let (status, error) = refusal(endpoint.rule, caller);
                if res.status != status || res.app_error() != error {
                    failures.push(format!("allowed or wrongly refused (expected {status} {error:?}): {cell}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} cells wrong:\n{}", failures.len(), failures.join("\n"));
}

/// What could move in Globex and the foreign account, as counts.
async fn others_state(app: &TestApp) -> Vec<i64> {
    let mut state = Vec::new();
    for sql in [
        "SELECT COUNT(*) FROM payments WHERE account_id <> 'acc_northwind'",
        "SELECT COUNT(*) FROM invoices WHERE account_id <> 'acc_northwind' AND status = 'open'",
        "SELECT COUNT(*) FROM estimates WHERE account_id <> 'acc_northwind' AND status = 'open'",
        "SELECT COUNT(*) FROM payment_methods WHERE account_id <> 'acc_northwind' AND removed_at IS NULL AND is_default = 1",
        "SELECT COUNT(*) FROM subscriptions WHERE account_id <> 'acc_northwind' AND cancel_at_period_end = 0",
        "SELECT CAST(SUM(quantity) AS BIGINT) FROM subscriptions WHERE account_id <> 'acc_northwind'",
        "SELECT COUNT(*) FROM billing_contacts WHERE account_id <> 'acc_northwind'",
        "SELECT COUNT(*) FROM memberships WHERE account_id <> 'acc_northwind' AND role = 'owner'",
        "SELECT COUNT(*) FROM memberships WHERE account_id <> 'acc_northwind'",
        "SELECT COUNT(*) FROM invitations WHERE account_id <> 'acc_northwind' AND revoked_at IS NULL",
        "SELECT COUNT(*) FROM payment_links",
        "SELECT COUNT(*) FROM subscription_changes",
        "SELECT COUNT(*) FROM api_keys WHERE vendor_id <> 'ven_acme' AND revoked_at IS NULL",
    ] {
        state.push(app.count(sql).await);
    }
    state
}

#[tokio::test]
async fn another_accounts_objects_answer_like_missing_ones_for_every_caller() {
    let app = fixture().await;
    let other = Objects::of(&app, Target::OtherOfLogin).await;
    let foreign = Objects::of(&app, Target::Foreign).await;
    let missing = Objects::of(&app, Target::Missing).await;
    let before = others_state(&app).await;
    let mut failures = Vec::new();
    let mut checked = 0;
    for endpoint in endpoints() {
        let Some(objects) = endpoint.objects else { continue };
        for caller in CALLERS.into_iter().filter(|c| allows(endpoint.rule, *c) && *c != Caller::Anonymous) {
            let session = session_of(&app, caller).await;
            let absent = call(&app, endpoint.path, objects(&missing), session.as_deref()).await;
            assert_eq!(
                absent.status,
                StatusCode::NOT_FOUND,
                "{} × {caller:?} on missing ids: {}",
                endpoint.path,
                absent.body
            );
            for (target, ids) in [(Target::OtherOfLogin, &other), (Target::Foreign, &foreign)] {
                // Switching to another account of one's own login is the switcher's purpose.
                if endpoint.path == "accounts/switch" && target == Target::OtherOfLogin {
                    continue;
                }
                let res = call(&app, endpoint.path, objects(ids), session.as_deref()).await;
                checked += 1;
                if (res.status, &res.body) != (absent.status, &absent.body) {
                    failures.push(format!("{} × {caller:?} × {target:?} → {} {}", endpoint.path, res.status, res.body));
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} cells checked");
    assert!(failures.is_empty(), "objects of other accounts reached:\n{}", failures.join("\n"));
    // And nothing of theirs moved.
    assert_eq!(others_state(&app).await, before, "another account's data changed");
}

#[tokio::test]
async fn the_own_accounts_objects_are_reached_by_the_roles_granted() {
    // One fresh portal per call: these calls change what they touch.
    for endpoint in endpoints() {
        let Some(objects) = endpoint.objects else { continue };
        let app = fixture().await;
        let own = Objects::of(&app, Target::Own).await;
        let caller =
            if matches!(endpoint.rule, Rule::Staff | Rule::StaffAdmin) { Caller::Staff } else { Caller::Owner };
        let session = session_of(&app, caller).await;
        let res = call(&app, endpoint.path, objects(&own), session.as_deref()).await;
        assert!(
            !matches!(res.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
            "{} × {caller:?} on its own objects → {} {}",
            endpoint.path,
            res.status,
            res.body
        );
    }
}

#[tokio::test]
async fn staff_cannot_view_another_vendors_client_or_an_account_of_staff() {
    let app = fixture().await;
    let staff = session_of(&app, Caller::Staff).await;
    let foreign = call(&app, "staff/view-as-client", form(&[("account_id", "acc_foreign")]), staff.as_deref()).await;
    let missing = call(&app, "staff/view-as-client", form(&[("account_id", "acc_missing")]), staff.as_deref()).await;
    assert_eq!((foreign.status, &foreign.body), (missing.status, &missing.body));
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);

    // An account with a staff member in it is the agency's own: never viewed as a client.
    exec(&app, "INSERT INTO memberships (account_id, user_id, role, created_at) VALUES ('acc_globex', 'usr_alex', 'member', 0)").await;
    let staffed = call(&app, "staff/view-as-client", form(&[("account_id", "acc_globex")]), staff.as_deref()).await;
    assert_eq!(staffed.status, StatusCode::FORBIDDEN, "{}", staffed.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions WHERE impersonated_account_id IS NOT NULL").await, 0);
}

/// The downloads (PDF and CSV routes) in the same matrix: each path with its rule, and what it
/// names (an invoice, a payment, or nothing but the current account).
fn downloads(invoice: &str, payment: &str) -> Vec<(&'static str, Rule, String)> {
    vec![
        ("/invoices/{id}/pdf", Rule::Billing, format!("/invoices/{invoice}/pdf")),
        ("/credit-notes/{id}/pdf", Rule::Billing, format!("/credit-notes/{}/pdf", credit_note_of(invoice))),
        ("/payments/{id}/receipt.pdf", Rule::Billing, format!("/payments/{payment}/receipt.pdf")),
        ("/statement.pdf", Rule::Billing, "/statement.pdf?from=2026-01-01&to=2026-12-31".into()),
        ("/statement.csv", Rule::Billing, "/statement.csv?from=2026-01-01&to=2026-12-31".into()),
        ("/usage.csv", Rule::Billing, "/usage.csv".into()),
    ]
}

fn rule_of(access: portico::server::infra::auth::authorize::Access) -> Rule {
    use portico::server::infra::auth::authorize::Access;
    match access {
        Access::SignedIn => Rule::SignedIn,
        Access::AccountMember => Rule::AccountMember,
        Access::Billing => Rule::Billing,
        Access::Staff => Rule::Staff,
        Access::StaffAdmin => Rule::StaffAdmin,
        Access::BillingChange => Rule::BillingChange,
        Access::TeamAdmin => Rule::TeamAdmin,
        Access::Personal => Rule::Personal,
    }
}

/// A succeeded payment of `account`: the demo's own for Northwind; for the others (whose demo
/// data has none) a copy of Northwind's, made theirs.
/// The id of the credit note [`a_credit_note`] writes against `invoice`.
fn credit_note_of(invoice: &str) -> String {
    format!("cn_for_{invoice}")
}

/// A credit note against the account's invoice, so its PDF route has something to serve.
async fn a_credit_note(app: &TestApp, account: &str, invoice: &str) {
    let sql = format!(
        "INSERT INTO credit_notes (id, vendor_id, account_id, invoice_id, number, currency, amount, reason, credited_to_balance, issue_date, created_at)
         SELECT '{}', vendor_id, account_id, id, 'CN-' || id, currency, 100, 'Matrix', 0, issue_date, 0 FROM invoices WHERE id = '{invoice}' AND account_id = '{account}'",
        credit_note_of(invoice)
    );
    exec(app, &sql).await;
}

async fn a_paid_payment(app: &TestApp, account: &str) -> String {
    let pool = app.state.db.pool();
    let sql = "SELECT id FROM payments WHERE account_id = $1 AND status = 'succeeded' ORDER BY id LIMIT 1";
    if let Some(id) = sqlx::query_scalar::<_, String>(sql).bind(account).fetch_optional(pool).await.unwrap() {
        return id;
    }
    let template = first(app, sql, "acc_northwind").await;
    let sample = sqlx::query("SELECT * FROM payments WHERE id = $1").bind(&template).fetch_one(pool).await.unwrap();
    let columns: Vec<String> = sample.columns().iter().map(|c| c.name().to_string()).collect();
    let exprs: Vec<String> = columns
        .iter()
        .map(|c| match c.as_str() {
            "id" => format!("id || '_{account}'"),
            "account_id" => format!("'{account}'"),
            "payment_method_id" => "NULL".into(),
            "idempotency_key" => format!("idempotency_key || '_{account}'"),
            col => col.to_string(),
        })
        .collect();
    let (columns, exprs) = (columns.join(", "), exprs.join(", "));
    exec(app, &format!("INSERT INTO payments ({columns}) SELECT {exprs} FROM payments WHERE id = '{template}'")).await;
    first(app, sql, account).await
}

#[tokio::test]
async fn every_download_has_a_rule_in_the_matrix() {
    let mounted: Vec<(&str, Rule)> = portico::server::invoices::downloads::routes()
        .iter()
        .map(|download| (download.path, rule_of(download.access)))
        .collect();
    let table: Vec<(&str, Rule)> = downloads("x", "y").into_iter().map(|(path, rule, _)| (path, rule)).collect();
    assert_eq!(mounted, table, "the downloads mounted and their rules in the matrix differ");
}

#[tokio::test]
async fn each_caller_downloads_exactly_what_its_role_grants() {
    let app = fixture().await;
    let own = Objects::of(&app, Target::Own).await;
    let payment = a_paid_payment(&app, own.account).await;
    a_credit_note(&app, own.account, &own.invoice).await;
    let mut failures = Vec::new();
    for (path, rule, url) in downloads(&own.invoice, &payment) {
        for caller in CALLERS {
            let session = session_of(&app, caller).await;
            let res = app.get(&url, session.as_deref()).await;
            let cell = format!("{path} × {caller:?} → {}", res.status);
            if allows(rule, caller) {
                if res.status != StatusCode::OK {
                    failures.push(format!("refused but granted: {cell} {}", res.body));
                }
                if res.headers.get("cache-control").and_then(|v| v.to_str().ok()) != Some("private, no-store") {
                    failures.push(format!("cacheable: {cell}"));
                }
            } else if caller == Caller::Anonymous {
                // A browser without a session is sent to sign in, and comes back to the file.
                let location = res.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or_default();
                if res.status != StatusCode::SEE_OTHER || !location.starts_with("/login?next=") {
                    failures.push(format!("not sent to sign in: {cell} {location}"));
                }
            } else {
                let (status, error) = refusal(rule, caller);
                if res.status != status || res.body != error.to_string() {
                    failures
                        .push(format!("allowed or wrongly refused (expected {status} {error}): {cell} {}", res.body));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} cells wrong:\n{}", failures.len(), failures.join("\n"));
}

#[tokio::test]
async fn another_accounts_documents_answer_like_missing_ones() {
    let app = fixture().await;
    let missing = Objects::of(&app, Target::Missing).await;
    let absent_urls = downloads(&missing.invoice, "pay_missing0000000000");
    let mut checked = 0;
    for target in [Target::OtherOfLogin, Target::Foreign] {
        let other = Objects::of(&app, target).await;
        let payment = a_paid_payment(&app, other.account).await;
        a_credit_note(&app, other.account, &other.invoice).await;
        for caller in CALLERS.into_iter().filter(|c| allows(Rule::Billing, *c)) {
            let session = session_of(&app, caller).await;
            for ((path, _, url), (_, _, absent_url)) in
                downloads(&other.invoice, &payment).into_iter().zip(&absent_urls)
            {
                if !path.contains("{id}") {
                    continue;
                }
                let absent = app.get(absent_url, session.as_deref()).await;
                assert_eq!(
                    absent.status,
                    StatusCode::NOT_FOUND,
                    "{path} × {caller:?} on a missing id: {}",
                    absent.body
                );
                let res = app.get(&url, session.as_deref()).await;
                checked += 1;
                assert_eq!(
                    (res.status, &res.body),
                    (absent.status, &absent.body),
                    "{path} × {caller:?} × {target:?} reached another account's document"
                );
            }
        }
    }
    assert_eq!(checked, 2 * 4 * 3, "two targets × four callers × three documents by id");
}
