//! An account's service status as the API answers it and as `service.blocked` /
//! `service.resumed` events carry it.

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::service_status::{Block, BlockCause, Remedy, Service, ServiceStatus, explain, restore_hint};
use crate::server::objects::{Amount, rfc3339};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceStatusOut {
    #[schema(example = "acc_northwind")]
    pub account_id: String,
    /// The prepaid credit balance now; outbound messaging needs it above zero.
    pub credit_balance: Amount,
    pub outbound_messaging: ServiceStateOut,
    /// Onboarding new phone numbers.
    pub onboarding: ServiceStateOut,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceStateOut {
    pub blocked: bool,
    /// When the earliest cause still in force began (RFC 3339, UTC); null when not blocked.
    #[schema(format = DateTime)]
    pub since: Option<String>,
    /// Every cause in force; each lifts on its own payment. Empty when not blocked.
    pub reasons: Vec<BlockReasonOut>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BlockReasonOut {
    pub cause: BlockCauseOut,
    /// The cause in a sentence for the client.
    pub message: String,
    #[schema(format = DateTime)]
    pub since: String,
    /// The unpaid invoice behind the cause, for invoice causes.
    pub invoice: Option<InvoiceRefOut>,
    /// The payment that lifts this cause.
    pub remedy: RemedyOut,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BlockCauseOut {
    /// The credit balance is zero or below.
    CreditExhausted,
    /// A license invoice is unpaid after its due date.
    LicenseInvoiceOverdue,
    /// An invoice for the partner plan is unpaid.
    PartnerPlanUnpaid,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InvoiceRefOut {
    pub id: String,
    pub number: String,
    #[schema(format = Date)]
    pub due_date: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RemedyOut {
    pub action: RemedyAction,
    /// What to do, in a sentence for the client.
    pub message: String,
    /// For `top_up`, the smallest top-up that lifts the block; for `pay_invoice`, what is
    /// still due on the invoice.
    pub amount: Amount,
    /// For `top_up`, a round amount that lifts it.
    pub suggested_amount: Option<Amount>,
    /// For `pay_invoice`, the invoice to pay.
    pub invoice_id: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RemedyAction {
    TopUp,
    PayInvoice,
}

pub fn to_wire(account_id: String, status: ServiceStatus) -> ServiceStatusOut {
    let state_of = |service: Service| ServiceStateOut {
        blocked: status.is_blocked(service),
        since: status.blocked_since(service).map(rfc3339),
        reasons: status.blocks.iter().filter(|b| b.service == service).map(reason).collect(),
    };
    ServiceStatusOut {
        account_id,
        credit_balance: status.credit_balance.into(),
        outbound_messaging: state_of(Service::OutboundMessaging),
        onboarding: state_of(Service::Onboarding),
    }
}

fn reason(block: &Block) -> BlockReasonOut {
    let (cause, invoice) = match &block.cause {
        BlockCause::CreditExhausted { .. } => (BlockCauseOut::CreditExhausted, None),
        BlockCause::LicenseInvoiceOverdue { invoice_id, number, due_date } => (
            BlockCauseOut::LicenseInvoiceOverdue,
            Some(InvoiceRefOut { id: invoice_id.clone(), number: number.clone(), due_date: Some(due_date.clone()) }),
        ),
        BlockCause::PartnerPlanUnpaid { invoice_id, number } => (
            BlockCauseOut::PartnerPlanUnpaid,
            Some(InvoiceRefOut { id: invoice_id.clone(), number: number.clone(), due_date: None }),
        ),
    };
    let remedy = match &block.remedy {
        Remedy::TopUp { at_least, suggested } => RemedyOut {
            action: RemedyAction::TopUp,
            message: restore_hint(&block.remedy),
            amount: (*at_least).into(),
            suggested_amount: Some((*suggested).into()),
            invoice_id: None,
        },
        Remedy::PayInvoice { invoice_id, amount, .. } => RemedyOut {
            action: RemedyAction::PayInvoice,
            message: restore_hint(&block.remedy),
            amount: (*amount).into(),
            suggested_amount: None,
            invoice_id: Some(invoice_id.clone()),
        },
    };
    BlockReasonOut { cause, message: explain(&block.cause), since: rfc3339(block.since), invoice, remedy }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::currency::Currency;
    use crate::domain::money::Money;

    #[test]
    fn an_empty_balance_reads_as_a_blocked_outbound_service_with_its_top_up() {
        let balance = Money::new(-250, Currency::Usd);
        let status = ServiceStatus {
            credit_balance: balance,
            blocks: vec![Block {
                service: Service::OutboundMessaging,
                cause: BlockCause::CreditExhausted { balance },
                since: 1_795_348_800,
                remedy: Remedy::TopUp {
                    at_least: Money::new(251, Currency::Usd),
                    suggested: Money::new(1_000, Currency::Usd),
                },
            }],
        };
        let wire = serde_json::to_value(to_wire("acc_1".into(), status)).unwrap();
        assert_eq!(wire["credit_balance"], serde_json::json!({ "amount": -250, "currency": "USD" }));
        assert_eq!(wire["outbound_messaging"]["blocked"], true);
        assert_eq!(wire["outbound_messaging"]["since"], "2026-11-22T12:00:00Z");
        assert_eq!(wire["outbound_messaging"]["reasons"][0]["cause"], "credit_exhausted");
        assert_eq!(wire["outbound_messaging"]["reasons"][0]["remedy"]["action"], "top_up");
        assert_eq!(wire["outbound_messaging"]["reasons"][0]["remedy"]["amount"]["amount"], 251);
        assert_eq!(wire["onboarding"], serde_json::json!({ "blocked": false, "since": null, "reasons": [] }));
    }
}
