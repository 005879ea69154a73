//! Emails are written to the outbox in the transaction of the event they announce, and a
//! mailer delivers them later: an email is never sent for something that rolled back, and
//! never lost because the mail server was down.

use crate::domain::ids::AccountId;
use crate::server::infra::db::Tx;
use crate::server::infra::db::bulk::{Value, insert};
use crate::server::infra::ids::new_id;

pub struct Email<'a> {
    pub kind: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub account_id: Option<&'a str>,
}

pub async fn enqueue(tx: &mut Tx, now: i64, email: Email<'_>) -> Result<(), sqlx::Error> {
    enqueue_all(tx, &[row(now, email)]).await
}

/// Many emails in multi-row statements; each row made by [`row`].
pub async fn enqueue_all(tx: &mut Tx, rows: &[Vec<Value>]) -> Result<(), sqlx::Error> {
    insert(tx, "outbox (id, kind, to_address, subject, body_text, account_id, created_at, next_attempt_at)", rows).await
}

/// An email due to be sent now.
pub fn row(now: i64, email: Email<'_>) -> Vec<Value> {
    vec![
        new_id("msg").into(),
        email.kind.into(),
        email.to.into(),
        email.subject.into(),
        email.body.into(),
        email.account_id.into(),
        now.into(),
        now.into(),
    ]
}

/// The account's billing contacts, who receive invoices and payment notices.
pub async fn billing_contacts(tx: &mut Tx, account_id: &AccountId) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT name, email FROM billing_contacts WHERE account_id = $1 ORDER BY created_at, email")
        .bind(account_id)
        .fetch_all(&mut **tx)
        .await
}
