//! Writing a batch's plans in its transaction: invoices numbered from each vendor's gap-free
//! sequence (reserved once per batch), their lines, the subscriptions' new periods, payment
//! links, emails and the audit trail, each kind of row in multi-row statements.

use crate::domain::ids::{AccountId, InvoiceId};
use std::collections::HashMap;

use serde_json::json;
use time::Date;

use crate::domain::billing_cycle::month_key;
use crate::domain::billing_items::iso_date;
use crate::domain::webhooks::EventType;
use crate::server::cycle::documents::{self, Issued};
use crate::server::cycle::load::AccountFacts;
use crate::server::cycle::notices::{self, Settlement};
use crate::server::cycle::plan::AccountPlan;
use crate::server::infra::audit::{self, AuditEvent};
use crate::server::infra::db::Tx;
use crate::server::infra::db::bulk::{Value, insert, update_each};
use crate::server::infra::ids::new_id;
use crate::server::infra::mail::outbox::{self, Email};
use crate::server::invoices::numbering::{invoice_number, reserve_invoice_numbers};
use crate::server::payments::links;
use crate::server::webhooks::{About, emit};
use crate::wire::error::AppError;

#[derive(Default)]
pub struct Written {
    pub issued: Vec<Issued>,
    pub cards_announced: u64,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn write(
    tx: &mut Tx,
    now: i64,
    date: Date,
    public_url: &str,
    plans: &[(&AccountFacts, AccountPlan)],
) -> Result<Written, AppError> {
    let mut per_vendor: HashMap<&str, i64> = HashMap::new();
    for (facts, plan) in plans {
        *per_vendor.entry(facts.recipient.vendor_id.as_str()).or_default() += plan.documents.len() as i64;
    }
    let mut next_number: HashMap<&str, (String, i64)> = HashMap::new();
    let mut vendors: Vec<&str> = per_vendor.keys().copied().collect();
    vendors.sort();
    for vendor in vendors {
        let count = per_vendor[vendor];
        if count > 0 {
            next_number.insert(vendor, reserve_invoice_numbers(tx, vendor, count).await?);
        }
    }

    let mut written = Written::default();
    let (mut invoice_rows, mut line_rows, mut outbox_rows, mut audit_rows) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut links_wanted = Vec::new();
    let mut billed_numbers: Vec<Vec<Value>> = Vec::new();
    for (facts, plan) in plans {
        let to = &facts.recipient;
        let mut account_documents = Vec::new();
        for document in &plan.documents {
            let draft = &document.draft;
            let total = documents::total(&draft.lines, to.currency)?;
            let Some((prefix, number)) = next_number.get_mut(to.vendor_id.as_str()) else {
                return Err(AppError::internal("invoice numbering", "no number reserved"));
            };
            let number_text = invoice_number(prefix, *number);
            *number += 1;
            let id = new_id("inv");
            let settled = total.is_zero();
            let charged = document.charge.as_ref().filter(|_| !settled);
            invoice_rows.push(vec![
                Value::from(id.as_str()),
                to.vendor_id.as_str().into(),
                to.account_id.as_str().into(),
                number_text.as_str().into(),
                draft.kind.as_str().into(),
                (if settled { "paid" } else { "open" }).into(),
                to.currency.code().into(),
                iso_date(date).into(),
                iso_date(document.due).into(),
                draft.period.map(|p| iso_date(p.0)).into(),
                draft.period.map(|p| iso_date(p.1)).into(),
                total.minor.into(),
                total.minor.into(),
                to.bill_to.name.as_str().into(),
                to.bill_to.address.as_str().into(),
                to.bill_to.tax_id.clone().into(),
                draft.memo.clone().into(),
                draft.subscription_id.clone().into(),
                draft.cycle_key.as_str().into(),
                settled.then_some(now).into(),
                now.into(),
                charged.map(|_| iso_date(date)).into(),
            ]);
            line_rows.extend(documents::line_rows(&InvoiceId::from(id.to_string()), &draft.lines));
            billed_numbers.extend(document.bills.iter().map(|(number, month)| {
                vec![
                    to.account_id.as_str().into(),
                    number.as_str().into(),
                    month_key(*month).into(),
                    id.as_str().into(),
                ]
            }));
            if charged.is_none() && !settled {
                links_wanted.push((id.clone(), to.account_id.as_str()));
            }
            account_documents.push(Issued { id, number: number_text, kind: draft.kind, total, due: document.due });
        }
        if !account_documents.is_empty() {
            let numbers: Vec<&str> = account_documents.iter().map(|d| d.number.as_str()).collect();
            audit_rows.push(audit::row(
                now,
                AuditEvent {
                    action: "cycle.issued",
                    account_id: Some(&to.account_id),
                    detail: json!({ "date": iso_date(date), "documents": numbers }),
                    ..Default::default()
                },
            ));
        }
        written.issued.extend(account_documents);
    }
    insert(
        tx,
        "invoices (id, vendor_id, account_id, number, kind, status, currency, issue_date, due_date, period_start, period_end,
                   subtotal, total, bill_to_name, bill_to_address, bill_to_tax_id, memo, subscription_id, cycle_key, paid_at, created_at,
                   next_collection_on)",
        &invoice_rows,
    )
    .await?;
    insert(tx, documents::LINE_COLUMNS, &line_rows).await?;
    // Each number once per month: a second billing would fail this insert (and the batch).
    insert(tx, "number_billings (account_id, number, month, invoice_id)", &billed_numbers).await?;

    // Invoices nobody charges automatically are paid through a link in the email.
    let mut link_paths: HashMap<String, String> = HashMap::new();
    for (invoice_id, account_id) in links_wanted {
        let (token, _) =
            links::create(tx, now, &InvoiceId::from(invoice_id.to_string()), &AccountId::from(account_id), None)
                .await?;
        link_paths.insert(invoice_id, links::link_path(&token));
    }

    update_subscriptions(tx, now, plans).await?;

    let mut issued = written.issued.iter();
    for (facts, plan) in plans {
        let to = &facts.recipient;
        let mine: Vec<&Issued> = issued.by_ref().take(plan.documents.len()).collect();
        if !mine.is_empty() && !facts.contacts.is_empty() {
            let documents: Vec<(&Issued, Settlement)> = mine
                .iter()
                .zip(&plan.documents)
                .map(|(issued, planned)| {
                    let settlement = match (&planned.charge, link_paths.get(&issued.id)) {
                        (_, Some(path)) => Settlement::Link(path.clone()),
                        (Some(method), None) if !issued.total.is_zero() => Settlement::Charged(method),
                        _ => Settlement::NothingDue,
                    };
                    (*issued, settlement)
                })
                .collect();
            let (subject, body) = notices::issued(&documents, public_url);
            for (name, email) in &facts.contacts {
                let body = format!("Hello {name},\n\n{body}");
                outbox_rows.push(outbox::row(
                    now,
                    Email {
                        kind: "documents_issued",
                        to: email,
                        subject: &subject,
                        body: &body,
                        account_id: Some(&to.account_id),
                    },
                ));
            }
        }
        if let Some((method, charge_date)) = &plan.expiring_card {
            let noted = sqlx::query(
                "INSERT INTO card_expiry_notices (payment_method_id, charge_date, notified_at) VALUES ($1, $2, $3)
                 ON CONFLICT (payment_method_id, charge_date) DO NOTHING",
            )
            .bind(&method.id)
            .bind(iso_date(*charge_date))
            .bind(now)
            .execute(&mut **tx)
            .await?;
            if noted.rows_affected() == 1 {
                written.cards_announced += 1;
                let (subject, body) = notices::expiring_card(method, *charge_date);
                for (name, email) in &facts.contacts {
                    let body = format!("Hello {name},\n\n{body}");
                    outbox_rows.push(outbox::row(
                        now,
                        Email {
                            kind: "card_expiring",
                            to: email,
                            subject: &subject,
                            body: &body,
                            account_id: Some(&to.account_id),
                        },
                    ));
                }
            }
        }
    }
    outbox::enqueue_all(tx, &outbox_rows).await?;
    audit::record_all(tx, &audit_rows).await?;
    emit_events(tx, now, plans, &written.issued).await?;
    Ok(written)
}

/// The batch's events, in its transaction: each document issued (and paid, when nothing was
/// due), each renewal and each subscription that ended.
async fn emit_events(
    tx: &mut Tx,
    now: i64,
    plans: &[(&AccountFacts, AccountPlan)],
    issued: &[Issued],
) -> Result<(), AppError> {
    let mut issued = issued.iter();
    for (facts, plan) in plans {
        let account_id = AccountId::from(facts.recipient.account_id.as_str());
        for document in issued.by_ref().take(plan.documents.len()) {
            emit(tx, now, &account_id, EventType::InvoiceIssued, About::Invoice(&document.id)).await?;
            if document.total.is_zero() {
                emit(tx, now, &account_id, EventType::InvoicePaid, About::Invoice(&document.id)).await?;
            }
        }
        for update in &plan.updates {
            emit(tx, now, &account_id, EventType::SubscriptionChanged, About::Subscription(update.id.as_str())).await?;
        }
        for (id, _) in &plan.ended {
            emit(tx, now, &account_id, EventType::SubscriptionCancelled, About::Subscription(id)).await?;
        }
    }
    Ok(())
}

/// New periods, all in one statement per chunk; each applies only if the period is still the
/// one read (else the batch rolls back and is retried).
async fn update_subscriptions(tx: &mut Tx, now: i64, plans: &[(&AccountFacts, AccountPlan)]) -> Result<(), AppError> {
    let rows: Vec<Vec<Value>> = plans
        .iter()
        .flat_map(|(_, plan)| &plan.updates)
        .map(|update| {
            vec![
                update.id.as_str().into(),
                iso_date(update.was_ending).into(),
                iso_date(update.start).into(),
                iso_date(update.end).into(),
                update.quantity.into(),
                update.status.as_str().into(),
            ]
        })
        .collect();
    let moved = update_each(
        tx,
        "v (id, was_ending, period_start, period_end, quantity, status)",
        &rows,
        "UPDATE subscriptions SET current_period_start = v.period_start, current_period_end = v.period_end, quantity = v.quantity,
                                  status = v.status, version = version + 1
         FROM v WHERE subscriptions.id = v.id AND subscriptions.current_period_end = v.was_ending",
    )
    .await?;
    if moved != rows.len() as u64 {
        return Err(AppError::internal("renewal", "a subscription changed during its renewal"));
    }
    for (_, plan) in plans {
        for (id, end) in &plan.ended {
            sqlx::query(
                "UPDATE subscriptions SET status = 'cancelled', cancelled_at = $2, version = version + 1
                 WHERE id = $1 AND status <> 'cancelled' AND current_period_end = $3",
            )
            .bind(id)
            .bind(now)
            .bind(iso_date(*end))
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}
