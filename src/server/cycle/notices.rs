//! Emails of the cycle, written to the outbox in the transaction that issues what they
//! announce: the documents issued to an account, and a card that will have expired by the
//! next charge.

use std::collections::HashMap;
use time::Date;

use super::documents::Issued;
use super::method::{CollectionMethod, collection_method};
use super::rules::BillingRules;
use crate::api::error::AppError;
use crate::domain::billing_cycle::{card_expired_by, next_license_charge};
use crate::domain::billing_items::{InvoiceKind, format_date, iso_date};
use crate::server::db::Tx;
use crate::server::payments::links;
use crate::server::payments::outbox::{Email, billing_contacts, enqueue};

/// One email per billing contact listing everything issued to the account today: how each
/// invoice will be paid (the method charged, or a payment link) and the statement.
pub async fn issued(
    tx: &mut Tx,
    now: i64,
    public_url: &str,
    account_id: &str,
    documents: &[Issued],
    charged_with: &HashMap<String, CollectionMethod>,
) -> Result<(), AppError> {
    if documents.is_empty() {
        return Ok(());
    }
    let contacts = billing_contacts(tx, account_id).await?;
    if contacts.is_empty() {
        return Ok(());
    }
    let base = public_url.trim_end_matches('/');
    let mut paragraphs = Vec::new();
    for document in documents {
        let title = format!("{} {}", document.kind.label(), document.number);
        let paragraph = if document.kind == InvoiceKind::Reconciliation {
            format!("  {title}: your statement for the past month. Nothing to pay.")
        } else if let Some(method) = charged_with.get(&document.id) {
            format!("  {title}: {}, charged to {} today.", document.total.format(), method.label)
        } else {
            let (token, _) = links::create(tx, now, &document.id, account_id, None).await?;
            format!(
                "  {title}: {}, due {}.\n  Pay it here (no sign-in needed): {base}{}",
                document.total.format(),
                format_date(document.due),
                links::link_path(&token)
            )
        };
        paragraphs.push(paragraph);
    }
    let subject = match documents {
        [only] => format!("{} {}", only.kind.label(), only.number),
        _ => format!("{} new billing documents", documents.len()),
    };
    for (name, email) in contacts {
        let body = format!(
            "Hello {name},\n\nNew in your billing portal:\n\n{}\n\nView and download them at {base}/billing-history\n\n— Portico billing",
            paragraphs.join("\n\n")
        );
        enqueue(tx, now, Email { kind: "documents_issued", to: &email, subject: &subject, body: &body, account_id: Some(account_id) }).await?;
    }
    Ok(())
}

/// Within the vendor's notice period before the next license charge, announces once that the
/// card it will be charged to will have expired by then. Returns whether it announced.
pub async fn expiring_card(tx: &mut Tx, now: i64, rules: &BillingRules, account_id: &str, date: Date, subscription_id: Option<&str>) -> Result<bool, AppError> {
    let charge_date = next_license_charge(date);
    if (charge_date - date).whole_days() > rules.card_expiry_notice_days {
        return Ok(false);
    }
    let Some(method) = collection_method(&mut **tx, account_id, subscription_id).await? else { return Ok(false) };
    let Some((month, year)) = method.expiry else { return Ok(false) };
    if !card_expired_by(month, year, charge_date) {
        return Ok(false);
    }
    let noted = sqlx::query(
        "INSERT INTO card_expiry_notices (payment_method_id, charge_date, notified_at) VALUES ($1, $2, $3)
         ON CONFLICT (payment_method_id, charge_date) DO NOTHING",
    )
    .bind(&method.id)
    .bind(iso_date(charge_date))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    if noted.rows_affected() == 0 {
        return Ok(false);
    }
    let subject = format!("Your {} expires before your next charge", method.label);
    for (name, email) in billing_contacts(tx, account_id).await? {
        let body = format!(
            "Hello {name},\n\nYour next invoice will be charged on {} to {}, which expires at the end of {}/{}. \
             That charge would fail, and an unpaid license invoice blocks outbound messaging.\n\n\
             Add a new card or bank account and make it your default in the billing portal's Payment methods page before then.\n\n— Portico billing",
            format_date(charge_date),
            method.label,
            month,
            year
        );
        enqueue(tx, now, Email { kind: "card_expiring", to: &email, subject: &subject, body: &body, account_id: Some(account_id) }).await?;
    }
    Ok(true)
}
