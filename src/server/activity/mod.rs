//! Reads the audit trail as an activity log, and says in words what each event was.

use serde_json::Value;

use crate::domain::money::Money;
use crate::server::infra::db::decode;
use crate::server::infra::db::keyset::{cursor, parse_cursor};
use crate::server::infra::state::AppState;
use crate::wire::activity::{ActivityEntry, ActivityPage};
use crate::wire::error::AppError;

pub const PAGE_SIZE: i64 = 30;

pub enum Scope<'a> {
    /// One client account: what happened on it, by its people or by staff viewing it.
    Account(&'a str),
    /// A vendor's staff view: its clients' accounts, and what its staff did anywhere.
    Vendor(&'a str),
}

type Row =
    (String, i64, String, Option<String>, Option<String>, Option<String>, Option<String>, String, Option<String>);

#[tracing::instrument(level = "debug", skip_all)]
pub async fn page(state: &AppState, scope: Scope<'_>, after: Option<&str>) -> Result<ActivityPage, AppError> {
    let (before_at, before_id) = parse_cursor(after)?;
    let select = "SELECT e.id, e.occurred_at, e.action, e.actor_email, u.name, s.name, a.name, e.detail, e.ip
         FROM audit_events e
         LEFT JOIN users u ON u.id = e.actor_user_id
         LEFT JOIN users s ON s.id = e.impersonator_user_id
         LEFT JOIN accounts a ON a.id = e.account_id";
    let order = "AND (e.occurred_at < $2 OR (e.occurred_at = $2 AND e.id < $3)) ORDER BY e.occurred_at DESC, e.id DESC LIMIT $4";
    let (sql, key) = match scope {
        Scope::Account(id) => (format!("{select} WHERE e.account_id = $1 {order}"), id),
        Scope::Vendor(id) => (
            format!(
                "{select} WHERE (a.vendor_id = $1 OR e.actor_user_id IN (SELECT user_id FROM staff_members WHERE vendor_id = $1)) {order}"
            ),
            id,
        ),
    };
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(key)
        .bind(before_at)
        .bind(&before_id)
        .bind(PAGE_SIZE + 1)
        .fetch_all(state.db.pool())
        .await?;
    let more = rows.len() as i64 > PAGE_SIZE;
    let show_account = matches!(scope, Scope::Vendor(_));
    let entries: Vec<ActivityEntry> = rows
        .into_iter()
        .take(PAGE_SIZE as usize)
        .map(|(id, occurred_at, action, email, name, staff, account, detail, ip)| {
            let detail: Value = serde_json::from_str(&detail).unwrap_or(Value::Null);
            ActivityEntry {
                summary: summary(&action, &detail),
                actor: name.or(email).unwrap_or_else(|| "System".into()),
                on_behalf_by_staff: staff,
                account_name: account.filter(|_| show_account),
                ip,
                id,
                occurred_at,
                action,
            }
        })
        .collect();
    let next_cursor = if more { entries.last().map(|e| cursor(e.occurred_at, &e.id)) } else { None };
    Ok(ActivityPage { entries, next_cursor })
}

fn text<'a>(detail: &'a Value, key: &str) -> &'a str {
    detail.get(key).and_then(Value::as_str).unwrap_or("")
}

fn amount(detail: &Value, key: &str) -> String {
    let minor = detail.get(key).and_then(Value::as_i64);
    let currency = detail.get("currency").and_then(Value::as_str);
    match (minor, currency.map(decode::currency)) {
        (Some(minor), Some(Ok(currency))) => Money::new(minor, currency).format(),
        _ => String::new(),
    }
}

/// What an event was, in the words a client reads on its activity page.
pub fn summary(action: &str, d: &Value) -> String {
    let with = |base: &str, extra: String| if extra.is_empty() { base.to_string() } else { format!("{base} {extra}") };
    match action {
        "login.succeeded" => "Signed in".into(),
        "login.failed" => "Failed sign-in attempt".into(),
        "login.throttled" => "Sign-in refused after too many failed attempts".into(),
        "logout" => "Signed out".into(),
        "account.switched" => "Switched to this account".into(),
        "impersonation.started" => "Agency staff started viewing the portal as the client".into(),
        "impersonation.ended" if text(d, "reason") == "time limit" => {
            "Agency staff's client view ended at its time limit".into()
        }
        "impersonation.ended" => "Agency staff stopped viewing the portal as the client".into(),
        "payment.started" => with("Started a payment of", amount(d, "amount")),
        "payment.succeeded" => with("Paid", amount(d, "total")),
        "payment.failed" => with("A payment failed:", amount(d, "total")),
        "payment_link.created" => "Created a payment link".into(),
        "payment_method.added" => match (text(d, "kind"), text(d, "last4")) {
            ("card", last4) if !last4.is_empty() => format!("Added a card ending {last4}"),
            (_, last4) if !last4.is_empty() => format!("Added a bank account ending {last4}"),
            _ => "Added a payment method".into(),
        },
        "payment_method.made_default" => "Chose the default payment method".into(),
        "payment_method.removed" => "Removed a payment method".into(),
        "subscription.changed" => format!("Changed a subscription from {} to {}", text(d, "from"), text(d, "to")),
        "subscription.payment_method_changed" => "Changed the payment method of a subscription".into(),
        "subscription.cancel_scheduled" => "Cancelled a subscription at the end of its period".into(),
        "subscription.resumed" => "Resumed a subscription".into(),
        "estimate.approved" => with("Approved an estimate, signed", format!("“{}”", text(d, "typed_name"))),
        "estimate.declined" => with("Declined an estimate:", text(d, "reason").to_string()),
        "billing_details.updated" => "Updated the billing details".into(),
        "billing_contact.added" => with("Added billing contact", text(d, "email").to_string()),
        "billing_contact.removed" => with("Removed billing contact", text(d, "email").to_string()),
        "team.invited" => format!("Invited {} to the team", text(d, "email")),
        "team.invitation_revoked" => format!("Revoked the invitation to {}", text(d, "email")),
        "team.invitation_accepted" => "Joined the team by invitation".into(),
        "team.role_changed" => format!("Changed {}'s role", text(d, "email")),
        "team.member_removed" => format!("Removed {} from the team", text(d, "email")),
        "credit.settings_changed" => "Changed the low-balance alert and automatic top-up settings".into(),
        "credit.low_balance_alert" => with("Low balance alert sent: the balance is", amount(d, "balance")),
        "credit.auto_top_up_failed" => with("An automatic top-up failed:", amount(d, "amount")),
        "password.changed" => "Changed their password".into(),
        "billing_rules.changed" => format!(
            "Changed the billing rules: due after {} days, retries on days {}, card notices {} days ahead",
            d.get("payment_terms_days").and_then(Value::as_i64).unwrap_or_default(),
            text(d, "retry_days"),
            d.get("card_expiry_notice_days").and_then(Value::as_i64).unwrap_or_default()
        ),
        "cycle.issued" => {
            let documents: Vec<&str> = d
                .get("documents")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            format!("The billing cycle of {} issued {}", text(d, "date"), documents.join(", "))
        }
        "api_key.created" => format!("Created API key “{}” ({}…)", text(d, "name"), text(d, "prefix")),
        "api_key.revoked" => format!("Revoked API key “{}” ({}…)", text(d, "name"), text(d, "prefix")),
        "credit.adjusted" => match (amount(d, "amount"), text(d, "description")) {
            (amount, "") => with("Adjusted the credit balance by", amount),
            (amount, why) => format!("Adjusted the credit balance by {amount}: {why}"),
        },
        "credit.reversed" => match (amount(d, "amount"), text(d, "reason")) {
            (amount, "") => with("Reversed a credit entry:", amount),
            (amount, why) => format!("Reversed a credit entry ({amount}): {why}"),
        },
        "demo.loaded" => "Demo data loaded".into(),
        "account.created" => "Created the account".into(),
        "account.updated" => "Updated the account's details".into(),
        "account.archived" => "Archived the account".into(),
        "invoice.issued" => format!("Issued invoice {}", text(d, "number")),
        "invoice.voided" => format!("Voided invoice {}", text(d, "number")),
        "invoice.credited" => format!("Issued credit note {} for invoice {}", text(d, "number"), text(d, "invoice")),
        "subscription.created" => "Started a subscription".into(),
        "subscription.cancelled" => "Cancelled a subscription now".into(),
        "estimate.created" => format!("Sent {}", text(d, "number")),
        "number.onboarded" => format!("Onboarded {}", text(d, "number")),
        "number.released" => format!("Released {}", text(d, "number")),
        other => other.replace(['.', '_'], " "),
    }
}

#[cfg(test)]
mod tests {
    use super::summary;
    use serde_json::json;

    #[test]
    fn events_read_as_sentences_with_their_amounts() {
        assert_eq!(summary("payment.succeeded", &json!({ "total": 12_000, "currency": "USD" })), "Paid $120.00");
        assert_eq!(
            summary("payment_method.added", &json!({ "kind": "card", "last4": "4242" })),
            "Added a card ending 4242"
        );
        assert_eq!(
            summary("estimate.declined", &json!({ "reason": "Too expensive" })),
            "Declined an estimate: Too expensive"
        );
        assert_eq!(summary("payment.succeeded", &json!({})), "Paid");
        assert_eq!(summary("something.new", &json!({})), "something new");
    }

    #[test]
    fn operator_api_events_say_what_moved_and_why() {
        assert_eq!(
            summary("api_key.created", &json!({ "name": "Billing sync", "prefix": "pk_AbCd1234" })),
            "Created API key “Billing sync” (pk_AbCd1234…)"
        );
        assert_eq!(
            summary("api_key.revoked", &json!({ "name": "Old", "prefix": "pk_x" })),
            "Revoked API key “Old” (pk_x…)"
        );
        assert_eq!(
            summary("credit.adjusted", &json!({ "amount": 5_000, "currency": "USD", "description": "Goodwill" })),
            "Adjusted the credit balance by $50.00: Goodwill"
        );
        assert_eq!(
            summary("credit.reversed", &json!({ "amount": 360, "currency": "USD", "reason": "Sent twice" })),
            "Reversed a credit entry ($3.60): Sent twice"
        );
    }
}
