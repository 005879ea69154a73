//! What one account is issued on a cycle date, decided from its facts without touching the
//! database: subscription renewals (the monthly partner plan and licenses together as the
//! license invoice of the 1st, anything else as its own renewal invoice), the month-end
//! prorated license invoice for numbers added during the month, and the reconciliation
//! statement of the previous month. Each document carries the key of what it bills; the
//! writer drops those the account already has, so a rerun issues nothing new.

use time::{Date, Duration};

use crate::domain::billing_cycle::{
    MonthDocuments, card_expired_by, last_of_month, month_key, month_name, next_license_charge,
};
use crate::domain::billing_items::{BillingInterval, InvoiceKind, SubscriptionStatus, format_date, iso_date};
use crate::domain::currency::Currency;
use crate::domain::licenses;
use crate::domain::money::{Money, group_thousands};
use crate::domain::subscription::{PlanKind, add_interval};
use crate::server::cycle::documents::{Draft, DraftLine};
use crate::server::cycle::load::{AccountFacts, LedgerMonth, MemoInvoice, Method, Number, Subscription};
use crate::server::cycle::method;
use crate::server::cycle::rules::BillingRules;
use crate::server::infra::db::decode;
use crate::wire::error::AppError;

/// A document to issue, with the method that will be charged for it (None: paid by hand).
pub struct PlannedDocument {
    pub draft: Draft,
    pub due: Date,
    pub charge: Option<Method>,
    /// The numbers (and months) a license invoice bills, recorded with it: each number is billed
    /// once per month (see `domain::licenses`).
    pub bills: Vec<(String, Date)>,
}

/// A subscription's new period after the run.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SubscriptionUpdate {
    pub id: String,
    /// The period end it had when read: the update only applies if nobody moved it since.
    pub was_ending: Date,
    pub start: Date,
    pub end: Date,
    pub quantity: i64,
    pub status: SubscriptionStatus,
}

#[derive(Default)]
pub struct AccountPlan {
    pub documents: Vec<PlannedDocument>,
    pub updates: Vec<SubscriptionUpdate>,
    /// Subscriptions cancelled at their period end: (id, period end).
    pub ended: Vec<(String, Date)>,
    /// A card that will have expired by the next charge on `Date`.
    pub expiring_card: Option<(Method, Date)>,
}

/// A run that ever falls this far behind on one subscription stops and says so in the log.
const MAX_PERIODS_PER_RUN: usize = 24;

fn on_license_invoice(subscription: &Subscription) -> bool {
    matches!(subscription.plan_kind, PlanKind::Partner | PlanKind::License)
        && subscription.interval == BillingInterval::Month
        && subscription.end.day() == 1
}

/// The day renewals land on: a period that was clamped (Jan 31 -> Feb 28) returns to it.
fn anchor_day(subscription: &Subscription) -> u8 {
    subscription.start.day().max(subscription.end.day())
}

pub fn plan_account(facts: &AccountFacts, date: Date, rules: &BillingRules) -> Result<AccountPlan, AppError> {
    let due = date + Duration::days(rules.payment_terms_days);
    let mut plan = AccountPlan::default();
    let mut subscriptions = facts.subscriptions.clone();
    for round in 0.. {
        if round == MAX_PERIODS_PER_RUN {
            tracing::warn!(account = %facts.recipient.account_id, "subscriptions still behind after {MAX_PERIODS_PER_RUN} periods; the next run continues");
            break;
        }
        // The partner plan first, then the licenses: the license invoice lists them so, and
        // the partner plan's method pays it.
        let mut due_now: Vec<usize> = (0..subscriptions.len()).filter(|&i| subscriptions[i].end <= date).collect();
        if due_now.is_empty() {
            break;
        }
        due_now.sort_by_key(|&i| (subscriptions[i].end, subscriptions[i].plan_kind != PlanKind::Partner));
        let license_month = due_now
            .iter()
            .map(|&i| &subscriptions[i])
            .filter(|s| !s.cancel_at_period_end && on_license_invoice(s))
            .map(|s| s.end)
            .min();
        let mut license_group = Vec::new();
        for &i in &due_now {
            let subscription = &subscriptions[i];
            if subscription.cancel_at_period_end {
                plan.ended.push((subscription.id.clone(), subscription.end));
            } else if on_license_invoice(subscription) {
                if Some(subscription.end) == license_month {
                    license_group.push(i);
                }
            } else {
                let next_end = add_interval(subscription.end, subscription.interval, anchor_day(subscription));
                plan.documents.push(renewal(subscription, next_end, due));
                advance(&mut subscriptions[i], next_end, None);
            }
        }
        if let Some(month) = license_month {
            plan.documents.push(license_invoice(facts, &mut subscriptions, &license_group, month, due));
        }
        subscriptions.retain(|s| !plan.ended.iter().any(|(id, _)| *id == s.id));
    }
    // A subscription was renewed exactly when its period end moved.
    for (before, after) in
        facts.subscriptions.iter().filter_map(|b| subscriptions.iter().find(|a| a.id == b.id).map(|a| (b, a)))
    {
        if after.end != before.end {
            plan.updates.push(SubscriptionUpdate {
                id: after.id.clone(),
                was_ending: before.end,
                start: after.start,
                end: after.end,
                quantity: after.quantity,
                status: after.status,
            });
        }
    }

    let months = MonthDocuments::for_run_on(date);
    if let Some(document) = prorated(facts, &subscriptions, months.prorated_month, date, due)? {
        plan.documents.push(document);
    }
    if let Some((lines, memo)) =
        compose_statement(&facts.ledger, &facts.memo_invoices, facts.recipient.currency, months.reconciled_month)?
    {
        plan.documents.push(PlannedDocument {
            draft: Draft {
                kind: InvoiceKind::Reconciliation,
                cycle_key: statement_key(months.reconciled_month),
                period: Some((months.reconciled_month, last_of_month(months.reconciled_month))),
                lines,
                memo: Some(memo),
                subscription_id: None,
            },
            due: date,
            charge: None,
            bills: Vec::new(),
        });
    }
    for document in &mut plan.documents {
        if document.draft.kind != InvoiceKind::Reconciliation {
            document.charge = collection_method(facts, document.draft.subscription_id.as_deref()).cloned();
        }
    }

    if within_notice(rules, date) {
        let primary = subscriptions
            .iter()
            .filter(|s| matches!(s.plan_kind, PlanKind::Partner | PlanKind::License))
            .min_by_key(|s| s.plan_kind != PlanKind::Partner);
        let charge_date = next_license_charge(date);
        if let Some(method) = collection_method(facts, primary.map(|s| s.id.as_str()))
            && method.expiry.is_some_and(|(month, year)| card_expired_by(month, year, charge_date))
        {
            plan.expiring_card = Some((method.clone(), charge_date));
        }
    }
    Ok(plan)
}

pub fn statement_key(month: Date) -> String {
    format!("reconciliation:{}", month_key(month))
}

/// Whether `date` falls in the vendor's notice period before the next license charge.
pub fn within_notice(rules: &BillingRules, date: Date) -> bool {
    (next_license_charge(date) - date).whole_days() <= rules.card_expiry_notice_days
}

/// The method that pays for the subscription `subscription_id` bills (see [`method::choose`]).
pub fn collection_method<'f>(facts: &'f AccountFacts, subscription_id: Option<&str>) -> Option<&'f Method> {
    let chosen = subscription_id
        .and_then(|id| facts.subscriptions.iter().find(|s| s.id == id))
        .and_then(|s| s.payment_method_id.as_deref());
    method::choose(&facts.methods, chosen)
}

/// Moves a subscription to its next period (a trial becomes active).
fn advance(subscription: &mut Subscription, next_end: Date, quantity: Option<i64>) {
    subscription.start = subscription.end;
    subscription.end = next_end;
    if let Some(quantity) = quantity {
        subscription.quantity = quantity;
    }
    if subscription.status == SubscriptionStatus::Trialing {
        subscription.status = SubscriptionStatus::Active;
    }
}

/// The license invoice of the month starting `month`: each partner plan, and a license for
/// every number active on the 1st (and not billed for the month yet) at the license
/// subscription's price. An account that has numbers is billed for exactly those active: none
/// when all were released. One without numbers (seat-like licenses) by its quantity.
fn license_invoice(
    facts: &AccountFacts,
    subscriptions: &mut [Subscription],
    group: &[usize],
    month: Date,
    due: Date,
) -> PlannedDocument {
    let key = month_key(month);
    let billed: Vec<&Number> = facts
        .numbers
        .iter()
        .filter(|n| licenses::on_license_invoice(&n.spans, month, n.billed.contains(&key)))
        .collect();
    let active = billed.len() as i64;
    let next_month = add_interval(month, BillingInterval::Month, 1);
    let label = month_name(month);
    let mut lines = Vec::new();
    for &i in group {
        let subscription = &mut subscriptions[i];
        let quantity = match subscription.plan_kind {
            PlanKind::License if !facts.numbers.is_empty() => active,
            _ => subscription.quantity,
        };
        if quantity == 0 {
            // No numbers left: no licenses to bill (the subscription keeps its last quantity).
            advance(subscription, next_month, None);
            continue;
        }
        let description = match subscription.plan_kind {
            PlanKind::License => format!("Phone number licenses — {label}"),
            _ => format!("{} — {label}", subscription.plan_name),
        };
        lines.push(DraftLine {
            description,
            quantity,
            unit_amount: subscription.unit_amount,
            plan_id: Some(subscription.plan_id.clone()),
        });
        advance(subscription, next_month, Some(quantity));
    }
    PlannedDocument {
        draft: Draft {
            kind: InvoiceKind::License,
            cycle_key: format!("license:{}", month_key(month)),
            period: Some((month, last_of_month(month))),
            lines,
            memo: None,
            subscription_id: group.first().map(|&i| subscriptions[i].id.clone()),
        },
        due,
        charge: None,
        bills: billed.iter().map(|n| (n.number.clone(), month)).collect(),
    }
}

/// Any other subscription renews on its own invoice.
fn renewal(subscription: &Subscription, next_end: Date, due: Date) -> PlannedDocument {
    let last_day = next_end - Duration::days(1);
    PlannedDocument {
        draft: Draft {
            kind: InvoiceKind::Standard,
            cycle_key: format!("renewal:{}:{}", subscription.id, iso_date(subscription.end)),
            period: Some((subscription.end, last_day)),
            lines: vec![DraftLine {
                description: format!(
                    "{} — {} to {}",
                    subscription.plan_name,
                    format_date(subscription.end),
                    format_date(last_day)
                ),
                quantity: subscription.quantity,
                unit_amount: subscription.unit_amount,
                plan_id: Some(subscription.plan_id.clone()),
            }],
            memo: Some(format!("Renewal of your {} subscription.", subscription.plan_name)),
            subscription_id: Some(subscription.id.clone()),
        },
        due,
        charge: None,
        bills: Vec::new(),
    }
}

/// The month-end invoice for the numbers active during `month` that its 1st did not bill, each
/// for the days it was active (`domain::licenses`). A number onboarded after that invoice was
/// issued (on the month's last day, after its run) is billed on a later run, on an invoice of
/// its own keyed by that run's date.
fn prorated(
    facts: &AccountFacts,
    subscriptions: &[Subscription],
    month: Date,
    date: Date,
    due: Date,
) -> Result<Option<PlannedDocument>, AppError> {
    let last = last_of_month(month);
    let key = month_key(month);
    let Some(license) = subscriptions.iter().find(|s| s.plan_kind == PlanKind::License) else {
        if facts.numbers.iter().any(|n| !n.billed.contains(&key) && licenses::days_active_in(&n.spans, month) > 0) {
            tracing::warn!(account = %facts.recipient.account_id, "numbers active but no license subscription: no prorated invoice");
        }
        return Ok(None);
    };
    let unit = Money::new(license.unit_amount, facts.recipient.currency);
    let mut lines = Vec::new();
    let mut bills = Vec::new();
    let mut earliest = None::<Date>;
    for number in &facts.numbers {
        let charged = licenses::prorated_for(&number.spans, month, number.billed.contains(&key), unit)
            .map_err(|e| AppError::internal("proration", e))?;
        let Some((amount, days, of_days)) = charged else { continue };
        // The first day it was active in the month.
        let from = number
            .spans
            .iter()
            .filter(|s| s.from <= last && s.to.is_none_or(|to| to >= month))
            .map(|s| s.from.max(month))
            .min()
            .unwrap_or(month);
        earliest = Some(earliest.map_or(from, |e| e.min(from)));
        lines.push(DraftLine {
            description: format!("License {}, from {} ({days} of {of_days} days)", number.number, format_date(from)),
            quantity: 1,
            unit_amount: amount.minor,
            plan_id: Some(license.plan_id.clone()),
        });
        bills.push((number.number.clone(), month));
    }
    let Some(earliest) = earliest else { return Ok(None) };
    // A prorated invoice of this month was issued already (these numbers came after it): this
    // one is keyed by the run's date.
    let cycle_key = match facts.issued_prorated.contains(&key) {
        false => format!("prorated:{key}"),
        true => format!("prorated:{key}:{}", iso_date(date)),
    };
    Ok(Some(PlannedDocument {
        draft: Draft {
            kind: InvoiceKind::ProratedLicense,
            cycle_key,
            period: Some((earliest, last)),
            lines,
            memo: Some(format!(
                "Licenses for numbers added during {}, charged for the days they were active.",
                month_name(month)
            )),
            subscription_id: Some(license.id.clone()),
        },
        due,
        charge: None,
        bills,
    }))
}

/// The reconciliation statement of the month starting `month` (seed 003): the credit balance
/// it opened with, prepayments, usage, refunds and other movements, and the balance it closed
/// with, as lines that add up to zero; the memo says what was invoiced in the month and what is
/// outstanding. `None` for an account with nothing to reconcile.
pub fn compose_statement(
    ledger: &LedgerMonth,
    invoices: &[MemoInvoice],
    currency: Currency,
    month: Date,
) -> Result<Option<(Vec<DraftLine>, String)>, AppError> {
    if ledger.opening.is_none() && ledger.entries == 0 && invoices.is_empty() {
        return Ok(None);
    }
    let overflow = || AppError::internal("statement amounts", "overflow");
    let money = |minor: i64| Money::new(minor, currency);
    let opening = ledger.opening.unwrap_or(0);
    let closing = [ledger.prepayments, ledger.usage, ledger.refunds, ledger.other]
        .into_iter()
        .try_fold(opening, i64::checked_add)
        .ok_or_else(overflow)?;
    let month_end = last_of_month(month);
    let line =
        |description: String, amount: i64| DraftLine { description, quantity: 1, unit_amount: amount, plan_id: None };
    let mut lines = vec![
        line(format!("Credit balance on {}", format_date(month)), opening),
        line("Prepayments received".to_string(), ledger.prepayments),
        line(format!("Messages used: {} messages", group_thousands(ledger.messages.max(0) as u64)), ledger.usage),
        line("Refunds".to_string(), ledger.refunds),
    ];
    if ledger.other != 0 {
        lines.push(line("Adjustments and credits".to_string(), ledger.other));
    }
    lines.push(line(format!("Credit balance on {}", format_date(month_end)), -closing));

    let first_day = iso_date(month);
    let mut invoiced = Money::zero(currency);
    let mut outstanding = Money::zero(currency);
    let mut open = Vec::new();
    for invoice in invoices {
        if invoice.issue_date.as_str() >= first_day.as_str() {
            invoiced = invoiced.checked_add(money(invoice.total)).map_err(|_| overflow())?;
        }
        if matches!(invoice.status.as_str(), "open" | "awaiting_transfer") {
            let owed = money(invoice.total - invoice.amount_paid);
            outstanding = outstanding.checked_add(owed).map_err(|_| overflow())?;
            open.push(format!(
                "{} ({}, due {})",
                invoice.number,
                owed.format(),
                format_date(decode::date(&invoice.due_date)?)
            ));
        }
    }
    let outstanding_text = if open.is_empty() {
        "Nothing was outstanding when this statement was issued.".to_string()
    } else {
        format!("Outstanding when this statement was issued: {} — {}.", outstanding.format(), open.join(", "))
    };
    let memo = format!(
        "Reconciliation of {}. Invoiced in the month: {}. {outstanding_text} This statement is for your records; nothing is due on it.",
        month_name(month),
        invoiced.format()
    );
    Ok(Some((lines, memo)))
}
