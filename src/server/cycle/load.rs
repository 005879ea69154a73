//! Reading what a batch of accounts needs for a cycle date, a query per kind of fact for the
//! whole batch (a cycle bills tens of thousands of accounts; a query per account and fact
//! would spend the run on round trips).

use crate::domain::billing_items::InvoiceStatus;
use std::collections::{HashMap, HashSet};

use time::Date;

use crate::domain::billing_cycle::{month_key, next_month_start};
use crate::domain::billing_items::{BillingInterval, SubscriptionStatus, iso_date};
use crate::domain::licenses::Span;
use crate::domain::payment_method::MethodKind;
use crate::domain::subscription::PlanKind;
use crate::server::accounts::billing_details::bill_to_snapshots;
use crate::server::cycle::documents::Recipient;
use crate::server::cycle::method;
use crate::server::infra::db::bulk::bind_all;
use crate::server::infra::db::{Tx, decode, placeholders};
use crate::wire::error::AppError;

#[derive(Debug, Clone)]
pub struct Subscription {
    pub id: String,
    pub plan_id: String,
    pub plan_name: String,
    pub plan_kind: PlanKind,
    pub interval: BillingInterval,
    pub quantity: i64,
    pub unit_amount: i64,
    pub status: SubscriptionStatus,
    pub start: Date,
    pub end: Date,
    pub cancel_at_period_end: bool,
    pub payment_method_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Number {
    pub id: String,
    pub number: String,
    /// When it was active: its current stretch and any before a re-onboarding.
    pub spans: Vec<Span>,
    /// The months ('YYYY-MM') it was billed for already.
    pub billed: HashSet<String>,
}

#[derive(Debug, Clone)]
pub struct Method {
    pub id: String,
    pub kind: MethodKind,
    pub label: String,
    pub expiry: Option<(u8, i32)>,
    pub is_default: bool,
    /// What the processor charges; never shown.
    pub processor_token: String,
}

/// The credit ledger of the month reconciled.
#[derive(Debug, Clone, Default)]
pub struct LedgerMonth {
    /// The balance after the last entry before the month (None: no entry yet).
    pub opening: Option<i64>,
    pub entries: i64,
    pub prepayments: i64,
    pub usage: i64,
    pub refunds: i64,
    pub other: i64,
    pub messages: i64,
}

/// An invoice the statement's memo mentions: issued in the month, or still owed from before.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemoInvoice {
    pub account_id: String,
    pub number: String,
    pub issue_date: String,
    pub due_date: String,
    pub status: InvoiceStatus,
    pub total: i64,
    pub amount_paid: i64,
}

pub struct AccountFacts {
    pub recipient: Recipient,
    /// Current subscriptions (trial, active, past due), oldest first.
    pub subscriptions: Vec<Subscription>,
    pub numbers: Vec<Number>,
    pub ledger: LedgerMonth,
    pub memo_invoices: Vec<MemoInvoice>,
    /// Cards and bank accounts on file.
    pub methods: Vec<Method>,
    pub contacts: Vec<(String, String)>,
    /// Cycle keys of documents the account already has.
    pub issued_keys: HashSet<String>,
    /// Months ('YYYY-MM') whose month-end prorated license invoice was issued: numbers billed
    /// for such a month later go on an invoice of their own.
    pub issued_prorated: HashSet<String>,
}

fn midnight(day: Date) -> i64 {
    day.midnight().assume_utc().unix_timestamp()
}

type SubscriptionRow =
    (String, String, String, String, String, String, i64, i64, String, String, String, i64, Option<String>);
type LedgerRow = (String, i64, i64, i64, i64, i64);
/// account, id, number, onboarded on, released on.
type NumberRow = (String, String, String, String, Option<String>);

/// Everything the cycle needs about `accounts`, with the ledger and invoices of the month it
/// reconciles. Which documents exist already is read after planning (see [`issued_keys`]).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn facts(
    tx: &mut Tx,
    accounts: &[String],
    reconciled_month: Date,
) -> Result<HashMap<String, AccountFacts>, AppError> {
    if accounts.is_empty() {
        return Ok(HashMap::new());
    }
    let ids = placeholders(1, accounts.len());
    let after = accounts.len() + 1;
    let bill_to = bill_to_snapshots(&mut **tx, accounts).await?;
    let mut out: HashMap<String, AccountFacts> = HashMap::new();
    let sql = format!("SELECT id, vendor_id, currency FROM accounts WHERE id IN ({ids})");
    let rows: Vec<(String, String, String)> = bind_all(sqlx::query_as(&sql), accounts).fetch_all(&mut **tx).await?;
    for (id, vendor_id, currency) in rows {
        let Some(bill_to) = bill_to.get(&id).cloned() else { continue };
        let recipient =
            Recipient { account_id: id.clone(), vendor_id, currency: decode::currency(&currency)?, bill_to };
        out.insert(
            id,
            AccountFacts {
                recipient,
                subscriptions: Vec::new(),
                numbers: Vec::new(),
                ledger: LedgerMonth::default(),
                memo_invoices: Vec::new(),
                methods: Vec::new(),
                contacts: Vec::new(),
                issued_keys: HashSet::new(),
                issued_prorated: HashSet::new(),
            },
        );
    }

    let sql = format!(
        "SELECT s.account_id, s.id, s.plan_id, p.name, p.kind, p.billing_interval, s.quantity, s.unit_amount, s.status,
                s.current_period_start, s.current_period_end, s.cancel_at_period_end, s.payment_method_id
         FROM subscriptions s JOIN plans p ON p.id = s.plan_id
         WHERE s.account_id IN ({ids}) AND s.status IN ('trialing', 'active', 'past_due')
         ORDER BY s.account_id, s.created_at, s.id"
    );
    let rows: Vec<SubscriptionRow> = bind_all(sqlx::query_as(&sql), accounts).fetch_all(&mut **tx).await?;
    for (account, id, plan_id, plan_name, kind, interval, quantity, unit_amount, status, start, end, cancel, method) in
        rows
    {
        let Some(facts) = out.get_mut(&account) else { continue };
        facts.subscriptions.push(Subscription {
            id,
            plan_id,
            plan_name,
            plan_kind: decode::enumerated(&kind, PlanKind::parse)?,
            interval: decode::enumerated(&interval, BillingInterval::parse)?,
            quantity,
            unit_amount,
            status: decode::enumerated(&status, SubscriptionStatus::parse)?,
            start: decode::date(&start)?,
            end: decode::date(&end)?,
            cancel_at_period_end: cancel == 1,
            payment_method_id: method,
        });
    }

    let sql = format!(
        "SELECT account_id, id, number, onboarded_on, released_on FROM phone_numbers
         WHERE account_id IN ({ids}) ORDER BY account_id, onboarded_on, number"
    );
    let rows: Vec<NumberRow> = bind_all(sqlx::query_as(&sql), accounts).fetch_all(&mut **tx).await?;
    let mut earlier: HashMap<String, Vec<Span>> = HashMap::new();
    let sql = format!(
        "SELECT h.number_id, h.onboarded_on, h.released_on FROM phone_number_history h JOIN phone_numbers n ON n.id = h.number_id
         WHERE n.account_id IN ({ids})"
    );
    for (number_id, from, to) in
        bind_all(sqlx::query_as::<_, (String, String, String)>(&sql), accounts).fetch_all(&mut **tx).await?
    {
        earlier.entry(number_id).or_default().push(Span { from: decode::date(&from)?, to: Some(decode::date(&to)?) });
    }
    // Months billed: enough back for every month a run may still bill (a missed month's end,
    // renewals caught up).
    let since = month_key(reconciled_month - time::Duration::days(800));
    let mut billed: HashMap<(String, String), HashSet<String>> = HashMap::new();
    let sql = format!(
        "SELECT account_id, number, month FROM number_billings WHERE account_id IN ({ids}) AND month >= ${}",
        accounts.len() + 1
    );
    let query = bind_all(sqlx::query_as::<_, (String, String, String)>(&sql), accounts).bind(&since);
    for (account, number, month) in query.fetch_all(&mut **tx).await? {
        billed.entry((account, number)).or_default().insert(month);
    }
    let sql = format!(
        "SELECT account_id, cycle_key FROM invoices WHERE account_id IN ({ids}) AND cycle_key LIKE 'prorated:%'"
    );
    for (account, key) in bind_all(sqlx::query_as::<_, (String, String)>(&sql), accounts).fetch_all(&mut **tx).await? {
        if let (Some(facts), Some(month)) =
            (out.get_mut(&account), key.strip_prefix("prorated:").and_then(|rest| rest.get(..7)))
        {
            facts.issued_prorated.insert(month.to_string());
        }
    }
    for (account, id, number, onboarded, released) in rows {
        let Some(facts) = out.get_mut(&account) else { continue };
        let mut spans = earlier.remove(&id).unwrap_or_default();
        spans.push(Span { from: decode::date(&onboarded)?, to: released.as_deref().map(decode::date).transpose()? });
        let billed = billed.remove(&(account.clone(), number.clone())).unwrap_or_default();
        facts.numbers.push(Number { id, number, spans, billed });
    }

    for (account, methods) in method::chargeable(tx, accounts).await? {
        if let Some(facts) = out.get_mut(&account) {
            facts.methods = methods;
        }
    }

    let sql = format!(
        "SELECT account_id, name, email FROM billing_contacts WHERE account_id IN ({ids}) ORDER BY account_id, created_at, email"
    );
    let rows: Vec<(String, String, String)> = bind_all(sqlx::query_as(&sql), accounts).fetch_all(&mut **tx).await?;
    for (account, name, email) in rows {
        if let Some(facts) = out.get_mut(&account) {
            facts.contacts.push((name, email));
        }
    }

    // The ledger of the reconciled month, in each account's currency.
    let (from, until) = (midnight(reconciled_month), midnight(next_month_start(reconciled_month)));
    let sql = format!(
        "SELECT e.account_id, e.balance_after FROM credit_entries e
         JOIN (SELECT c.account_id, MAX(c.seq) AS seq FROM credit_entries c JOIN accounts a ON a.id = c.account_id AND a.currency = c.currency
               WHERE c.account_id IN ({ids}) AND c.created_at < ${after} GROUP BY c.account_id) last
           ON last.account_id = e.account_id AND last.seq = e.seq"
    );
    let rows: Vec<(String, i64)> = bind_all(sqlx::query_as(&sql), accounts).bind(from).fetch_all(&mut **tx).await?;
    for (account, balance) in rows {
        if let Some(facts) = out.get_mut(&account) {
            facts.ledger.opening = Some(balance);
        }
    }
    let sql = format!(
        "SELECT c.account_id, COUNT(*),
                CAST(COALESCE(SUM(CASE WHEN c.kind = 'prepayment' THEN c.amount ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN c.kind = 'usage' THEN c.amount ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN c.kind = 'refund' THEN c.amount ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN c.kind NOT IN ('prepayment', 'usage', 'refund') THEN c.amount ELSE 0 END), 0) AS BIGINT)
         FROM credit_entries c JOIN accounts a ON a.id = c.account_id AND a.currency = c.currency
         WHERE c.account_id IN ({ids}) AND c.created_at >= ${after} AND c.created_at < ${}
         GROUP BY c.account_id",
        after + 1
    );
    let rows: Vec<LedgerRow> =
        bind_all(sqlx::query_as(&sql), accounts).bind(from).bind(until).fetch_all(&mut **tx).await?;
    for (account, entries, prepayments, usage, refunds, other) in rows {
        if let Some(facts) = out.get_mut(&account) {
            let opening = facts.ledger.opening;
            facts.ledger = LedgerMonth { opening, entries, prepayments, usage, refunds, other, messages: 0 };
        }
    }
    let sql = format!(
        "SELECT e.account_id, CAST(COALESCE(SUM(u.message_count), 0) AS BIGINT) FROM usage_records u JOIN credit_entries e ON e.id = u.ledger_entry_id
         WHERE e.account_id IN ({ids}) AND e.created_at >= ${after} AND e.created_at < ${} GROUP BY e.account_id",
        after + 1
    );
    let rows: Vec<(String, i64)> =
        bind_all(sqlx::query_as(&sql), accounts).bind(from).bind(until).fetch_all(&mut **tx).await?;
    for (account, messages) in rows {
        if let Some(facts) = out.get_mut(&account) {
            facts.ledger.messages = messages;
        }
    }
    let month_end = next_month_start(reconciled_month) - time::Duration::days(1);
    let sql = format!(
        "SELECT account_id, number, issue_date, due_date, status, total, amount_paid FROM invoices
         WHERE account_id IN ({ids}) AND kind <> 'reconciliation' AND status NOT IN ('draft', 'void') AND issue_date <= ${}
           AND (issue_date >= ${after} OR status IN ('open', 'awaiting_transfer'))
         ORDER BY account_id, issue_date, number",
        after + 1
    );
    let rows: Vec<MemoInvoice> = bind_all(sqlx::query_as(&sql), accounts)
        .bind(iso_date(reconciled_month))
        .bind(iso_date(month_end))
        .fetch_all(&mut **tx)
        .await?;
    for row in rows {
        if let Some(facts) = out.get_mut(&row.account_id) {
            facts.memo_invoices.push(row);
        }
    }
    Ok(out)
}

/// Marks which of `keys` the accounts already have documents for.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn issued_keys(
    tx: &mut Tx,
    accounts: &[String],
    keys: &[String],
    facts: &mut HashMap<String, AccountFacts>,
) -> Result<(), AppError> {
    if accounts.is_empty() || keys.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "SELECT account_id, cycle_key FROM invoices WHERE account_id IN ({}) AND cycle_key IN ({})",
        placeholders(1, accounts.len()),
        placeholders(accounts.len() + 1, keys.len())
    );
    let mut query = sqlx::query_as::<_, (String, String)>(&sql);
    for value in accounts.iter().chain(keys) {
        query = query.bind(value);
    }
    for (account, key) in query.fetch_all(&mut **tx).await? {
        if let Some(facts) = facts.get_mut(&account) {
            facts.issued_keys.insert(key);
        }
    }
    Ok(())
}
