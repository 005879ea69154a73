//! Seed 003's suspension rules: what is blocked, since when, and the exact payment that lifts
//! it. The status is computed from the ledger and the invoices every time it is asked for, so
//! a block lifts the moment the payment or top-up that clears it is recorded.
//!
//! - Outbound messaging is blocked while the credit balance is at or below zero, and while a
//!   license invoice is unpaid after its due date.
//! - Onboarding new numbers is blocked while an invoice for the partner plan is unpaid.

use serde::{Deserialize, Serialize};
use time::Date;

use super::billing_items::string_enum;
use super::credit::{needed_to_restore, suggested_top_up};
use super::money::Money;

string_enum! {
    Service {
        OutboundMessaging => "outbound_messaging", "Outbound messaging";
        Onboarding => "onboarding", "Onboarding new numbers";
    }
}

/// An unpaid invoice, as the rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnpaidInvoice {
    pub id: String,
    pub number: String,
    pub outstanding: Money,
    pub issue_date: Date,
    pub due_date: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BlockCause {
    CreditExhausted { balance: Money },
    LicenseInvoiceOverdue { invoice_id: String, number: String, due_date: String },
    PartnerPlanUnpaid { invoice_id: String, number: String },
}

/// The payment that lifts a block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Remedy {
    /// Any top-up of at least `at_least`; `suggested` is a round amount that does it.
    TopUp {
        at_least: Money,
        suggested: Money,
    },
    PayInvoice {
        invoice_id: String,
        number: String,
        amount: Money,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    pub service: Service,
    pub cause: BlockCause,
    /// Unix seconds: when the condition started.
    pub since: i64,
    pub remedy: Remedy,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceStatus {
    pub credit_balance: Money,
    pub blocks: Vec<Block>,
}

impl ServiceStatus {
    pub fn is_blocked(&self, service: Service) -> bool {
        self.blocks.iter().any(|b| b.service == service)
    }

    /// When `service` became blocked (the earliest cause still in force).
    pub fn blocked_since(&self, service: Service) -> Option<i64> {
        self.blocks.iter().filter(|b| b.service == service).map(|b| b.since).min()
    }
}

/// What the rules are evaluated on.
pub struct Facts {
    pub credit_balance: Money,
    /// When the balance last fell to or below zero (only read when it is there now).
    pub credit_exhausted_since: i64,
    /// Unpaid license and prorated-license invoices.
    pub unpaid_license_invoices: Vec<UnpaidInvoice>,
    /// Unpaid invoices with a partner-plan line.
    pub unpaid_partner_invoices: Vec<UnpaidInvoice>,
    pub today: Date,
}

fn start_of(day: Date) -> i64 {
    day.midnight().assume_utc().unix_timestamp()
}

pub fn evaluate(facts: Facts) -> ServiceStatus {
    let mut blocks = Vec::new();
    if facts.credit_balance.minor <= 0 {
        blocks.push(Block {
            service: Service::OutboundMessaging,
            cause: BlockCause::CreditExhausted { balance: facts.credit_balance },
            since: facts.credit_exhausted_since,
            remedy: Remedy::TopUp {
                at_least: needed_to_restore(facts.credit_balance),
                suggested: suggested_top_up(facts.credit_balance),
            },
        });
    }
    for invoice in facts.unpaid_license_invoices.iter().filter(|i| i.due_date < facts.today) {
        blocks.push(Block {
            service: Service::OutboundMessaging,
            cause: BlockCause::LicenseInvoiceOverdue {
                invoice_id: invoice.id.clone(),
                number: invoice.number.clone(),
                due_date: invoice.due_date.to_string(),
            },
            // Blocked from the first day after the due date.
            since: start_of(invoice.due_date.next_day().unwrap_or(invoice.due_date)),
            remedy: pay(invoice),
        });
    }
    for invoice in facts.unpaid_partner_invoices.iter().filter(|i| i.issue_date <= facts.today) {
        blocks.push(Block {
            service: Service::Onboarding,
            cause: BlockCause::PartnerPlanUnpaid { invoice_id: invoice.id.clone(), number: invoice.number.clone() },
            since: start_of(invoice.issue_date),
            remedy: pay(invoice),
        });
    }
    blocks.sort_by(|a, b| (a.service.as_str(), a.since).cmp(&(b.service.as_str(), b.since)));
    ServiceStatus { credit_balance: facts.credit_balance, blocks }
}

fn pay(invoice: &UnpaidInvoice) -> Remedy {
    Remedy::PayInvoice { invoice_id: invoice.id.clone(), number: invoice.number.clone(), amount: invoice.outstanding }
}

/// Why it is blocked, in a sentence for the client.
pub fn explain(cause: &BlockCause) -> String {
    match cause {
        BlockCause::CreditExhausted { balance } => {
            format!("Your credit balance is {}. Messages are only sent while it is above zero.", balance.format())
        }
        BlockCause::LicenseInvoiceOverdue { number, due_date, .. } => {
            let due = super::billing_items::parse_iso_date(due_date)
                .map(super::billing_items::format_date)
                .unwrap_or_else(|| due_date.clone());
            format!("License invoice {number} was due on {due} and is unpaid.")
        }
        BlockCause::PartnerPlanUnpaid { number, .. } => format!("Invoice {number} for your partner plan is unpaid."),
    }
}

/// What lifts it, in a sentence for the client.
pub fn restore_hint(remedy: &Remedy) -> String {
    match remedy {
        Remedy::TopUp { at_least, .. } => {
            format!(
                "Add at least {} to your credit balance; service resumes as soon as the top-up is paid.",
                at_least.format()
            )
        }
        Remedy::PayInvoice { number, amount, .. } => {
            format!("Pay invoice {number} ({}); service resumes as soon as the payment lands.", amount.format())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::currency::Currency;
    use time::macros::date;

    fn usd(minor: i64) -> Money {
        Money::new(minor, Currency::Usd)
    }

    fn invoice(number: &str, issue: Date, due: Date) -> UnpaidInvoice {
        UnpaidInvoice {
            id: format!("inv_{number}"),
            number: number.into(),
            outstanding: usd(3_000),
            issue_date: issue,
            due_date: due,
        }
    }

    fn facts(balance: i64) -> Facts {
        Facts {
            credit_balance: usd(balance),
            credit_exhausted_since: 1_000,
            unpaid_license_invoices: vec![],
            unpaid_partner_invoices: vec![],
            today: date!(2026 - 11 - 22),
        }
    }

    #[test]
    fn a_positive_balance_and_paid_invoices_block_nothing() {
        let status = evaluate(facts(1));
        assert!(status.blocks.is_empty());
        assert!(!status.is_blocked(Service::OutboundMessaging));
    }

    #[test]
    fn an_empty_balance_blocks_outbound_until_a_top_up_makes_it_positive() {
        for balance in [0, -1, -123_456] {
            let status = evaluate(facts(balance));
            assert_eq!(status.blocks.len(), 1);
            let block = &status.blocks[0];
            assert_eq!(block.service, Service::OutboundMessaging);
            assert_eq!(block.since, 1_000);
            let Remedy::TopUp { at_least, suggested } = block.remedy else { panic!("a top-up lifts it") };
            assert_eq!(balance + at_least.minor, 1);
            assert!(balance + suggested.minor > 0);
        }
        assert!(!evaluate(facts(0)).is_blocked(Service::Onboarding));
    }

    #[test]
    fn a_license_invoice_blocks_outbound_only_after_its_due_date() {
        let mut f = facts(10_000);
        f.unpaid_license_invoices = vec![invoice("A-1", date!(2026 - 11 - 01), date!(2026 - 11 - 22))];
        assert!(evaluate(f).blocks.is_empty(), "due today is not yet late");
        let mut f = facts(10_000);
        f.unpaid_license_invoices = vec![invoice("A-1", date!(2026 - 11 - 01), date!(2026 - 11 - 21))];
        let status = evaluate(f);
        assert_eq!(status.blocked_since(Service::OutboundMessaging), Some(start_of(date!(2026 - 11 - 22))));
        assert_eq!(
            status.blocks[0].remedy,
            Remedy::PayInvoice { invoice_id: "inv_A-1".into(), number: "A-1".into(), amount: usd(3_000) }
        );
        assert_eq!(explain(&status.blocks[0].cause), "License invoice A-1 was due on Nov 21, 2026 and is unpaid.");
    }

    #[test]
    fn an_unpaid_partner_plan_blocks_onboarding_from_its_issue_date() {
        let mut f = facts(10_000);
        f.unpaid_partner_invoices = vec![invoice("A-2", date!(2026 - 11 - 01), date!(2026 - 11 - 30))];
        let status = evaluate(f);
        assert!(status.is_blocked(Service::Onboarding));
        assert!(!status.is_blocked(Service::OutboundMessaging));
        assert_eq!(status.blocked_since(Service::Onboarding), Some(start_of(date!(2026 - 11 - 01))));
    }

    #[test]
    fn every_cause_is_listed_and_the_earliest_says_since_when() {
        let mut f = facts(-50);
        f.credit_exhausted_since = start_of(date!(2026 - 11 - 20));
        f.unpaid_license_invoices = vec![invoice("A-1", date!(2026 - 10 - 31), date!(2026 - 11 - 10))];
        let status = evaluate(f);
        assert_eq!(status.blocks.len(), 2);
        assert_eq!(status.blocked_since(Service::OutboundMessaging), Some(start_of(date!(2026 - 11 - 11))));
        assert!(restore_hint(&status.blocks[0].remedy).starts_with("Pay invoice A-1 ($30.00)"));
        assert!(restore_hint(&status.blocks[1].remedy).starts_with("Add at least $0.51"));
    }
}
