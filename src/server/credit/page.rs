//! The credit page's use cases, for the signed-in caller's current account.

use crate::domain::ids::{AccountId, MethodId};
use serde_json::json;

use crate::domain::credit::{EntryKind, parse_amount, parse_threshold, validate_top_up};
use crate::domain::currency::Currency;
use crate::domain::money::Money;
use crate::server::accounts::queries::vendor_and_currency;
use crate::server::credit::settings::{self, CreditSettings};
use crate::server::credit::status;
use crate::server::infra::auth::authorize::Authorized;
use crate::server::infra::clock::{today, unix_now};
use crate::server::infra::db::decode;
use crate::server::infra::ids::new_id;
use crate::server::payments::methods::chargeable;
use crate::server::payments::pay::Payer;
use crate::server::payments::settings as payment_settings;
use crate::wire::credit::{
    AutoTopUpView, CreditEntriesPage, CreditEntryView, CreditPage, CreditSettingsInput, CreditSettingsView, TopUpMethod,
};
use crate::wire::error::AppError;
use crate::wire::payments::PaymentResult;

const PAGE_SIZE: i64 = 20;

/// id, seq, created_at, kind, description, amount, currency, balance_after.
type EntryRow = (String, i64, i64, String, String, i64, String, i64);

#[tracing::instrument(level = "debug", skip_all)]
pub async fn load(caller: &Authorized) -> Result<CreditPage, AppError> {
    let state = &caller.state;
    let pool = state.db.pool();
    let account_id = &caller.account()?.id;
    let (vendor_id, currency) = vendor_and_currency(pool, account_id).await?;
    let status = status::for_account_in(pool, account_id, currency, today(state.clock.as_ref())).await?;
    let methods = top_up_methods(pool, account_id).await?;
    let settings = settings_view(&settings::load(pool, account_id).await?, currency, &methods)?;
    Ok(CreditPage {
        balance: status.credit_balance,
        status,
        settings,
        methods,
        schedule: payment_settings::load(pool, &vendor_id, currency).await?.schedule,
        idempotency_key: new_id("idem"),
    })
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn entries(caller: &Authorized, cursor: Option<&str>) -> Result<CreditEntriesPage, AppError> {
    let account_id = &caller.account()?.id;
    let before = match cursor {
        None => i64::MAX,
        Some(c) => {
            c.parse().map_err(|_| AppError::invalid("cursor", "That page link is not valid. Reload the page."))?
        }
    };
    let rows: Vec<EntryRow> = sqlx::query_as(
        "SELECT id, seq, created_at, kind, description, amount, currency, balance_after FROM credit_entries
         WHERE account_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3",
    )
    .bind(account_id)
    .bind(before)
    .bind(PAGE_SIZE + 1)
    .fetch_all(caller.state.db.pool())
    .await?;
    let more = rows.len() as i64 > PAGE_SIZE;
    let entries = rows
        .iter()
        .take(PAGE_SIZE as usize)
        .map(|(id, _, at, kind, description, amount, currency, after)| {
            Ok(CreditEntryView {
                id: id.clone(),
                at: *at,
                kind: decode::enumerated(kind, EntryKind::parse)?,
                description: description.clone(),
                amount: decode::money(*amount, currency)?,
                balance_after: decode::money(*after, currency)?,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let next = more.then(|| rows.get(PAGE_SIZE as usize - 1).map(|r| r.1.to_string())).flatten();
    Ok(CreditEntriesPage { entries, next })
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn top_up(
    caller: &Authorized,
    typed_amount: &str,
    method_id: &MethodId,
    key: &str,
) -> Result<PaymentResult, AppError> {
    let account_id = &caller.account()?.id;
    let currency = caller.currency()?;
    let amount = parse_amount(typed_amount, currency).map_err(|m| AppError::invalid("amount", m))?;
    let methods = top_up_methods(caller.state.db.pool(), account_id).await?;
    // Another account's method answers like a missing one.
    if !methods.iter().any(|m| m.id == method_id.as_str()) {
        return Err(AppError::not_found());
    }
    let payer = Payer { account_id, user_id: Some(caller.user_id()), impersonator_id: caller.impersonator_id() };
    crate::server::credit::top_up::top_up(&caller.state, payer, amount, method_id, key).await
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn save_settings(caller: &Authorized, input: &CreditSettingsInput) -> Result<CreditSettingsView, AppError> {
    let state = &caller.state;
    let pool = state.db.pool();
    let account_id = &caller.account()?.id;
    let currency = caller.currency()?;
    let alert =
        parse_threshold(&input.alert_threshold, currency).map_err(|m| AppError::invalid("alert_threshold", m))?;
    let methods = top_up_methods(pool, account_id).await?;
    let mut stored = CreditSettings { alert_threshold: alert.map(|m| m.minor), ..Default::default() };
    if input.auto_top_up {
        let threshold = parse_threshold(&input.auto_threshold, currency)
            .map_err(|m| AppError::invalid("auto_threshold", m))?
            .ok_or_else(|| AppError::invalid("auto_threshold", "Enter the balance at which to top up, e.g. 100."))?;
        let amount = parse_amount(&input.auto_amount, currency)
            .and_then(validate_top_up)
            .map_err(|m| AppError::invalid("auto_amount", m))?;
        if input.auto_method_id.is_empty() {
            return Err(AppError::invalid("auto_method_id", "Choose the card or bank account to charge."));
        }
        if !methods.iter().any(|m| m.id == input.auto_method_id) {
            return Err(AppError::not_found());
        }
        stored.auto_top_up_threshold = Some(threshold.minor);
        stored.auto_top_up_amount = Some(amount.minor);
        stored.auto_top_up_method_id = Some(input.auto_method_id.clone());
    }
    let now = unix_now(state.clock.as_ref());
    let mut tx = state.db.begin_write().await?;
    settings::store(&mut tx, now, account_id, &stored, Some(caller.user_id())).await?;
    let detail = json!({
        "alert_threshold": stored.alert_threshold,
        "auto_top_up_threshold": stored.auto_top_up_threshold,
        "auto_top_up_amount": stored.auto_top_up_amount,
        "currency": currency.code(),
    });
    caller.record(&mut tx, now, "credit.settings_changed", ("account", account_id), detail).await?;
    tx.commit().await?;
    settings_view(&stored, currency, &methods)
}

fn settings_view(
    stored: &CreditSettings,
    currency: Currency,
    methods: &[TopUpMethod],
) -> Result<CreditSettingsView, AppError> {
    let auto_top_up = match stored {
        CreditSettings {
            auto_top_up_threshold: Some(threshold),
            auto_top_up_amount: Some(amount),
            auto_top_up_method_id: Some(method_id),
            ..
        } => Some(AutoTopUpView {
            threshold: Money::new(*threshold, currency),
            amount: Money::new(*amount, currency),
            method_id: method_id.clone(),
            method_label: methods
                .iter()
                .find(|m| &m.id == method_id)
                .map(|m| m.label.clone())
                .unwrap_or_else(|| "a payment method that was removed".into()),
        }),
        _ => None,
    };
    Ok(CreditSettingsView { alert_threshold: stored.alert_threshold.map(|t| Money::new(t, currency)), auto_top_up })
}

/// Cards and bank accounts on file: a top-up is paid at once.
async fn top_up_methods(pool: &sqlx::AnyPool, account_id: &AccountId) -> Result<Vec<TopUpMethod>, AppError> {
    Ok(chargeable(pool, account_id)
        .await?
        .into_iter()
        .map(|m| TopUpMethod { id: m.id, kind: m.kind, label: m.label, is_default: m.is_default })
        .collect())
}
