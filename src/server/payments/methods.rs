//! Use cases around stored payment methods, quotes and payment links. Each writes in one
//! transaction and reads only within the caller's account.

use crate::domain::billing_items::InvoiceStatus;
use crate::domain::ids::{AccountId, InvoiceId, PersonId};
use serde_json::json;

use crate::domain::billing_items::is_overdue;
use crate::domain::fees::{METHOD_ORDER, quote};
use crate::domain::money::Money;
use crate::domain::payment_method::MethodKind;
use crate::server::accounts::queries::vendor_and_currency;
use crate::server::dashboard::queries::payment_methods as stored_methods;
use crate::server::infra::audit::{AuditEvent, record};
use crate::server::infra::auth::authorize::Authorized;
use crate::server::infra::auth::throttle;
use crate::server::infra::clock::{today, unix_now};
use crate::server::infra::db::{Tx, decode};
use crate::server::infra::ids::new_id;
use crate::server::infra::ids::token_hash;
use crate::server::infra::processors::AttachError;
use crate::server::infra::state::AppState;
use crate::server::payments::links;
use crate::server::payments::pay::{PayWith, Payer, pay};
use crate::server::payments::settings;
use crate::wire::error::AppError;
use crate::wire::payment_methods::{PaymentMethodsView, RemovalOutcome, StoredMethod, SubscriptionRef};
use crate::wire::payments::{InvoiceToPay, LinkedInvoice, PayOption, PaymentLink, PaymentQuote, PaymentResult};

/// A stored card or bank account: what can be charged at once (renewals, top-ups), unlike a
/// wire, PIX or Boleto, whose money arrives later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeableMethod {
    pub id: String,
    pub kind: MethodKind,
    pub label: String,
    pub is_default: bool,
}

/// id, kind, brand, last4, bank_name, is_default.
type ChargeableRow = (String, String, Option<String>, Option<String>, Option<String>, i64);

/// The account's cards and bank accounts, the default first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn chargeable(pool: &sqlx::AnyPool, account_id: &AccountId) -> Result<Vec<ChargeableMethod>, AppError> {
    let rows: Vec<ChargeableRow> = sqlx::query_as(
        "SELECT id, kind, brand, last4, bank_name, is_default FROM payment_methods
         WHERE account_id = $1 AND removed_at IS NULL AND kind IN ('card', 'ach')
         ORDER BY is_default DESC, created_at, id",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(id, kind, brand, last4, bank, is_default)| {
            let kind = decode::enumerated(&kind, MethodKind::parse)?;
            let label = crate::server::dashboard::queries::method_label(
                kind,
                brand.as_deref(),
                last4.as_deref(),
                bank.as_deref(),
            );
            Ok(ChargeableMethod { id, kind, label, is_default: is_default == 1 })
        })
        .collect()
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(state: &AppState, account_id: &AccountId) -> Result<PaymentMethodsView, AppError> {
    let pool = state.db.pool();
    let today = today(state.clock.as_ref());
    let methods = stored_methods(pool, account_id, today).await?;
    let uses: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT s.payment_method_id, s.id, p.name FROM subscriptions s JOIN plans p ON p.id = s.plan_id
         WHERE s.account_id = $1 AND s.payment_method_id IS NOT NULL AND s.status IN ('trialing', 'active', 'past_due')
         ORDER BY p.name",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await?;
    let (vendor, currency) = vendor_and_currency(pool, account_id).await?;
    let vendor = settings::load(pool, &vendor, currency).await?;
    Ok(PaymentMethodsView {
        methods: methods
            .into_iter()
            .map(|m| StoredMethod {
                pays_subscriptions: uses
                    .iter()
                    .filter(|(pm, _, _)| *pm == m.id)
                    .map(|(_, id, plan)| SubscriptionRef { id: id.clone(), plan_name: plan.clone() })
                    .collect(),
                id: m.id,
                kind: m.kind,
                label: m.label,
                detail: m.detail,
                is_default: m.is_default,
                expiry: m.expiry,
            })
            .collect(),
        offered: METHOD_ORDER.into_iter().filter(|k| vendor.schedule.offers(*k)).collect(),
        tokenization_url: "/sandbox/v1/tokens".into(),
    })
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn add(caller: &Authorized, token: &str, make_default: bool) -> Result<StoredMethod, AppError> {
    let state = &caller.state;
    let account_id = &caller.account()?.id;
    // Cards declined when attached count against the account: an account is not a card tester.
    let attempt =
        throttle::begin(&state.db, unix_now(state.clock.as_ref()), &throttle::attach_limits(account_id)).await?;
    let attached = state.processor.attach(token).await;
    throttle::finish(&state.db, attempt, !matches!(attached, Err(AttachError::Declined { .. }))).await?;
    let attached = attached.map_err(|e| match e {
        AttachError::Declined { message, .. } => AppError::invalid("token", message),
        AttachError::InvalidToken => AppError::invalid("token", AttachError::InvalidToken.to_string()),
    })?;
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    let duplicate: Option<String> = sqlx::query_scalar(
        "SELECT id FROM payment_methods WHERE account_id = $1 AND fingerprint = $2 AND removed_at IS NULL",
    )
    .bind(account_id)
    .bind(&attached.fingerprint)
    .fetch_optional(&mut *tx)
    .await?;
    if duplicate.is_some() {
        return Err(AppError::invalid("token", "This payment method is already on file."));
    }
    let existing: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM payment_methods WHERE account_id = $1 AND removed_at IS NULL")
            .bind(account_id)
            .fetch_one(&mut *tx)
            .await?;
    let becomes_default = make_default || existing == 0;
    if becomes_default {
        sqlx::query("UPDATE payment_methods SET is_default = 0 WHERE account_id = $1")
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
    }
    let id = new_id("pm");
    sqlx::query(
        "INSERT INTO payment_methods (id, account_id, kind, processor, processor_token, fingerprint, brand, funding, last4,
                                      exp_month, exp_year, holder_name, bank_name, is_default, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(&id)
    .bind(account_id)
    .bind(attached.kind.as_str())
    .bind(state.processor.name())
    .bind(token)
    .bind(&attached.fingerprint)
    .bind(attached.brand.map(|b| b.as_str()))
    .bind(attached.funding.map(|f| f.as_str()))
    .bind(&attached.last4)
    .bind(attached.exp_month.map(i64::from))
    .bind(attached.exp_year.map(i64::from))
    .bind(&attached.holder_name)
    .bind(attached.bank_name.as_deref())
    .bind(i64::from(becomes_default))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    caller
        .record(
            &mut tx,
            now,
            "payment_method.added",
            ("payment_method", &id),
            json!({ "kind": attached.kind.as_str(), "last4": attached.last4 }),
        )
        .await?;
    tx.commit().await?;
    let view = list(state, account_id).await?;
    view.methods
        .into_iter()
        .find(|m| m.id == id)
        .ok_or_else(|| AppError::internal("add method", "stored method not listed"))
}

async fn method_exists(tx: &mut Tx, account_id: &AccountId, id: &str) -> Result<bool, AppError> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT id FROM payment_methods WHERE id = $1 AND account_id = $2 AND removed_at IS NULL")
            .bind(id)
            .bind(account_id)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(found.is_some())
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn make_default(caller: &Authorized, id: &str) -> Result<(), AppError> {
    let state = &caller.state;
    let account_id = &caller.account()?.id;
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    if !method_exists(&mut tx, account_id, id).await? {
        return Err(AppError::not_found());
    }
    sqlx::query("UPDATE payment_methods SET is_default = CASE WHEN id = $1 THEN 1 ELSE 0 END WHERE account_id = $2")
        .bind(id)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    caller.record(&mut tx, now, "payment_method.made_default", ("payment_method", id), json!({})).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a method, unless it pays an active subscription (seed 004): then the answer names
/// the subscriptions and the methods they can move to. With `move_to`, they move first, in
/// the same transaction.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn remove(caller: &Authorized, id: &str, move_to: Option<&str>) -> Result<RemovalOutcome, AppError> {
    let state = &caller.state;
    let account_id = &caller.account()?.id;
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    if !method_exists(&mut tx, account_id, id).await? {
        return Err(AppError::not_found());
    }
    let paying: Vec<(String, String)> = sqlx::query_as(
        "SELECT s.id, p.name FROM subscriptions s JOIN plans p ON p.id = s.plan_id
         WHERE s.account_id = $1 AND s.payment_method_id = $2 AND s.status IN ('trialing', 'active', 'past_due') ORDER BY p.name",
    )
    .bind(account_id)
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    if !paying.is_empty() {
        match move_to {
            None => {
                let alternatives: Vec<MethodLabelRow> = sqlx::query_as(
                    "SELECT id, kind, brand, last4, bank_name FROM payment_methods
                     WHERE account_id = $1 AND id <> $2 AND removed_at IS NULL AND kind IN ('card', 'ach') ORDER BY created_at",
                )
                .bind(account_id)
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
                tx.rollback().await?;
                let alternatives = alternatives
                    .into_iter()
                    .filter_map(|m| {
                        MethodKind::parse(&m.kind).map(|k| {
                            (
                                m.id,
                                crate::server::dashboard::queries::method_label(
                                    k,
                                    m.brand.as_deref(),
                                    m.last4.as_deref(),
                                    m.bank_name.as_deref(),
                                ),
                            )
                        })
                    })
                    .collect();
                return Ok(RemovalOutcome::PaysSubscriptions {
                    subscriptions: paying
                        .into_iter()
                        .map(|(id, plan_name)| SubscriptionRef { id, plan_name })
                        .collect(),
                    alternatives,
                });
            }
            Some(target) => {
                if target == id || !method_exists(&mut tx, account_id, target).await? {
                    return Err(AppError::invalid(
                        "move_subscriptions_to",
                        "Choose another saved method to move the subscriptions to.",
                    ));
                }
                sqlx::query(
                    "UPDATE subscriptions SET payment_method_id = $1 WHERE account_id = $2 AND payment_method_id = $3",
                )
                .bind(target)
                .bind(account_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
        }
    }
    let was_default: i64 =
        sqlx::query_scalar("SELECT is_default FROM payment_methods WHERE id = $1").bind(id).fetch_one(&mut *tx).await?;
    sqlx::query("UPDATE payment_methods SET removed_at = $1, is_default = 0 WHERE id = $2 AND account_id = $3")
        .bind(now)
        .bind(id)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    if was_default == 1 {
        // Keep a default while any method remains: the one subscriptions moved to, else the oldest.
        let next: Option<String> = match move_to {
            Some(target) => Some(target.to_string()),
            None => sqlx::query_scalar(
                "SELECT id FROM payment_methods WHERE account_id = $1 AND removed_at IS NULL ORDER BY created_at, id LIMIT 1",
            )
            .bind(account_id)
            .fetch_optional(&mut *tx)
            .await?,
        };
        if let Some(next) = next {
            sqlx::query("UPDATE payment_methods SET is_default = 1 WHERE id = $1").bind(next).execute(&mut *tx).await?;
        }
    }
    caller
        .record(
            &mut tx,
            now,
            "payment_method.removed",
            ("payment_method", id),
            json!({ "moved_subscriptions_to": move_to }),
        )
        .await?;
    tx.commit().await?;
    Ok(RemovalOutcome::Removed)
}

#[derive(sqlx::FromRow)]
struct MethodLabelRow {
    id: String,
    kind: String,
    brand: Option<String>,
    last4: Option<String>,
    bank_name: Option<String>,
}

#[derive(sqlx::FromRow)]
struct PayableRow {
    id: String,
    number: String,
    status: InvoiceStatus,
    due_date: String,
    total: i64,
    amount_paid: i64,
    payment_in_progress_id: Option<String>,
    currency: String,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn payment_quote(
    state: &AppState,
    account_id: &AccountId,
    invoice_ids: &[String],
) -> Result<PaymentQuote, AppError> {
    let pool = state.db.pool();
    let today = today(state.clock.as_ref());
    let (vendor, currency) = vendor_and_currency(pool, account_id).await?;
    // Only the invoices asked for, or every payable one when none are named.
    let which = if invoice_ids.is_empty() {
        "status = 'open' AND payment_in_progress_id IS NULL".to_string()
    } else {
        let placeholders: Vec<String> = (0..invoice_ids.len()).map(|i| format!("${}", i + 2)).collect();
        format!("status IN ('open', 'awaiting_transfer', 'paid') AND id IN ({})", placeholders.join(", "))
    };
    let sql = format!(
        "SELECT id, number, status, due_date, total, amount_paid, payment_in_progress_id, currency FROM invoices
         WHERE account_id = $1 AND {which} ORDER BY due_date, number"
    );
    let mut query = sqlx::query_as::<_, PayableRow>(&sql).bind(account_id);
    for id in invoice_ids {
        query = query.bind(id);
    }
    let rows: Vec<PayableRow> = query.fetch_all(pool).await?;
    let mut invoices = Vec::new();
    for id in invoice_ids {
        let Some(row) = rows.iter().find(|r| &r.id == id) else { return Err(AppError::not_found()) };
        if row.status == InvoiceStatus::Paid {
            return Err(AppError::Conflict(format!("Invoice {} is already paid.", row.number)).tracked());
        }
        if row.status != InvoiceStatus::Open || row.payment_in_progress_id.is_some() {
            return Err(
                AppError::Conflict(format!("A payment for invoice {} is already in progress.", row.number)).tracked()
            );
        }
    }
    for PayableRow {
        id,
        number,
        status,
        due_date: due,
        total,
        amount_paid: paid,
        payment_in_progress_id: lock,
        currency: invoice_currency,
    } in rows
    {
        let wanted = if invoice_ids.is_empty() {
            status == InvoiceStatus::Open && lock.is_none()
        } else {
            invoice_ids.contains(&id)
        };
        if wanted && decode::currency(&invoice_currency)? == currency {
            let due_date = decode::date(&due)?;
            invoices.push(InvoiceToPay {
                id,
                number,
                due_date,
                amount_due: decode::money(total - paid, &invoice_currency)?,
                is_overdue: is_overdue(crate::domain::billing_items::InvoiceStatus::Open, due_date, today),
            });
        }
    }
    let amount =
        Money::sum(currency, invoices.iter().map(|i| i.amount_due)).map_err(|e| AppError::internal("quote", e))?;
    let vendor = settings::load(pool, &vendor, currency).await?;
    let mut options: Vec<PayOption> = stored_methods(pool, account_id, today)
        .await?
        .into_iter()
        .filter(|m| matches!(m.kind, MethodKind::Card | MethodKind::Ach))
        .map(|m| PayOption {
            quote: quote(&vendor.schedule, m.kind, amount),
            method: m.id,
            kind: m.kind,
            label: m.label,
            is_default: m.is_default,
        })
        .collect();
    for kind in [MethodKind::Wire, MethodKind::Pix, MethodKind::Boleto] {
        if vendor.schedule.offers(kind) {
            options.push(PayOption {
                method: kind.as_str().into(),
                kind,
                label: kind.label().into(),
                is_default: false,
                quote: quote(&vendor.schedule, kind, amount),
            });
        }
    }
    Ok(PaymentQuote { invoices, amount, options, idempotency_key: new_id("idem") })
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn create_link(
    state: &AppState,
    account_id: &AccountId,
    user_id: &PersonId,
    invoice_id: &InvoiceId,
) -> Result<PaymentLink, AppError> {
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM invoices WHERE id = $1 AND account_id = $2")
        .bind(invoice_id)
        .bind(account_id)
        .fetch_optional(&mut *tx)
        .await?;
    match status.as_deref() {
        None => return Err(AppError::not_found()),
        Some("open") => {}
        Some(_) => return Err(AppError::Conflict("Only an open invoice can be paid through a link.".into()).tracked()),
    }
    let (token, expires_at) = links::create(&mut tx, now, invoice_id, account_id, Some(user_id)).await?;
    record(
        &mut tx,
        now,
        AuditEvent {
            action: "payment_link.created",
            actor_user_id: Some(user_id),
            account_id: Some(account_id),
            target_type: Some("invoice"),
            target_id: Some(invoice_id),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    let expires_on =
        time::OffsetDateTime::from_unix_timestamp(expires_at).map_err(|e| AppError::internal("link expiry", e))?.date();
    Ok(PaymentLink {
        url: format!("{}{}", state.settings.server.public_url.trim_end_matches('/'), links::link_path(&token)),
        expires_on,
    })
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn linked_invoice(state: &AppState, token: &str) -> Result<LinkedInvoice, AppError> {
    let pool = state.db.pool();
    let now = unix_now(state.clock.as_ref());
    let (invoice_id, account_id) = links::resolve(pool, token, now).await?.ok_or_else(AppError::not_found)?;
    let (vendor_id, number, status, due, total, paid, currency, bill_to): (String, String, InvoiceStatus, String, i64, i64, String, String) =
        sqlx::query_as(
            "SELECT vendor_id, number, status, due_date, total, amount_paid, currency, bill_to_name FROM invoices WHERE id = $1 AND account_id = $2",
        )
        .bind(&invoice_id)
        .bind(&account_id)
        .fetch_optional(pool)
        .await?
        .ok_or_else(AppError::not_found)?;
    let vendor_name: String =
        sqlx::query_scalar("SELECT name FROM vendors WHERE id = $1").bind(&vendor_id).fetch_one(pool).await?;
    let amount_due = decode::money(total - paid, &currency)?;
    let vendor = settings::load(pool, &vendor_id, amount_due.currency).await?;
    let declines =
        throttle::failures(&state.db, now, &throttle::link_scope(&token_hash(token)), links::LINK_LIFETIME_SECS)
            .await?;
    Ok(LinkedInvoice {
        vendor_name,
        number,
        bill_to_name: bill_to,
        due_date: decode::date(&due)?,
        is_paid: status == InvoiceStatus::Paid,
        is_locked: declines >= throttle::LINK_FAILURES,
        card_quote: quote(&vendor.schedule, MethodKind::Card, amount_due),
        amount_due,
    })
}

/// Pays a link's invoice with a card tokenized for it. Each attempt is recorded against the link
/// (and the payer's address) before the card is tried: a link that has seen
/// [`throttle::LINK_FAILURES`] declines is locked, so it cannot be used to test cards.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn pay_by_link(
    state: &AppState,
    token: &str,
    card_token: &str,
    idempotency_key: &str,
    address: Option<&str>,
) -> Result<PaymentResult, AppError> {
    let now = unix_now(state.clock.as_ref());
    let (invoice_id, account_id) =
        links::resolve(state.db.pool(), token, now).await?.ok_or_else(AppError::not_found)?;
    let link_hash = token_hash(token);
    let key = crate::server::payments::key::PaymentKey::link(&link_hash, idempotency_key)?;
    let attempt =
        throttle::begin(&state.db, now, &throttle::link_limits(&link_hash, address, links::LINK_LIFETIME_SECS)).await?;
    let result = async {
        let attached = state.processor.attach(card_token).await.map_err(|e| match e {
            AttachError::Declined { message, .. } => AppError::invalid("token", message),
            AttachError::InvalidToken => AppError::invalid("token", AttachError::InvalidToken.to_string()),
        })?;
        let label = crate::server::dashboard::queries::method_label(
            MethodKind::Card,
            attached.brand.map(|b| b.as_str()),
            Some(&attached.last4),
            None,
        );
        pay(
            state,
            Payer { account_id: &account_id, user_id: None, impersonator_id: None },
            &[invoice_id],
            PayWith::OneOffCard { token: card_token.to_string(), label },
            &key,
        )
        .await
    }
    .await;
    // A decline (at the card or the charge) counts against the link; anything else does not.
    let declined = matches!(&result, Ok(PaymentResult::Declined { .. }) | Err(AppError::Invalid { .. }));
    throttle::finish(&state.db, attempt, !declined).await?;
    result
}
