//! The agency's console: its client accounts, their decisions, and viewing a portal as the client.

use crate::domain::money::CurrencyTotals;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientRow {
    pub id: String,
    pub name: String,
    pub company_name: String,
    pub outstanding: CurrencyTotals,
    pub overdue_invoices: i64,
    pub open_estimates: i64,
}

/// A client's decision on an estimate or proposal, for the agency's follow-up (seed 004).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstimateDecision {
    pub estimate_id: String,
    pub number: String,
    pub kind: crate::domain::billing_items::EstimateKind,
    pub title: String,
    pub client_name: String,
    pub status: crate::domain::billing_items::EstimateStatus,
    /// Unix seconds.
    pub decided_at: i64,
    /// The user who decided, as they are in the account ("a former user" once removed).
    pub decided_by: String,
    pub decided_by_email: Option<String>,
    /// The name typed as signature, for approvals.
    pub approver_name: Option<String>,
    pub decline_reason: Option<String>,
    pub invoice_number: Option<String>,
    pub total: crate::domain::money::Money,
}

/// A payment a client chose to make by bank transfer (wire, PIX, Boleto), waiting for the money.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AwaitingTransfer {
    pub payment_id: String,
    pub account_id: String,
    pub account_name: String,
    /// What the client puts in the transfer's memo.
    pub reference: String,
    /// What the transfer must bring.
    pub total: crate::domain::money::Money,
    pub method_label: String,
    /// Unix seconds: when the client chose to pay by transfer.
    pub since: i64,
    /// The day the invoices are open again if nothing arrives (the vendor's wait).
    pub open_again_on: time::Date,
}
