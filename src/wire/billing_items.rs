//! Reading one invoice or estimate. The target of the dashboard's View links.

use crate::domain::billing_items::{EstimateKind, EstimateStatus, InvoiceKind, InvoiceStatus};
use crate::domain::money::Money;
use serde::{Deserialize, Serialize};
use time::Date;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentLine {
    pub description: String,
    pub quantity: i64,
    pub unit_amount: Money,
    pub amount: Money,
}

/// A tax line the vendor computed and printed on its invoice ("VAT 19%").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaxLine {
    pub description: String,
    pub amount: Money,
}

/// A credit note against an invoice, with its PDF.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreditNoteRef {
    pub id: String,
    pub number: String,
    pub amount: Money,
    pub issue_date: Date,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartyDetails {
    pub name: String,
    pub address: String,
    pub tax_id: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceDetail {
    pub id: String,
    pub number: String,
    pub kind: InvoiceKind,
    pub status: InvoiceStatus,
    pub issue_date: Date,
    pub due_date: Date,
    pub period: Option<(Date, Date)>,
    pub vendor: PartyDetails,
    pub bill_to: PartyDetails,
    pub lines: Vec<DocumentLine>,
    pub subtotal: Money,
    pub tax: Money,
    pub total: Money,
    pub amount_paid: Money,
    /// Payment fees (card surcharges) charged with the payments of this invoice, on top of
    /// its total. A payment of several invoices shares its fee in proportion.
    pub fees_paid: Money,
    pub amount_due: Money,
    pub is_overdue: bool,
    pub memo: Option<String>,
    /// The vendor's own tax lines; empty when the tax is one figure.
    pub tax_lines: Vec<TaxLine>,
    /// Credit notes against it, oldest first.
    pub credit_notes: Vec<CreditNoteRef>,
    /// What credit notes took off it.
    pub credited: Money,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstimateDetail {
    pub id: String,
    pub number: String,
    pub kind: EstimateKind,
    pub title: String,
    pub status: EstimateStatus,
    pub issue_date: Date,
    pub valid_until: Date,
    pub is_expired: bool,
    pub terms: String,
    pub vendor: PartyDetails,
    pub lines: Vec<DocumentLine>,
    pub subtotal: Money,
    pub tax: Money,
    pub total: Money,
    /// Who decided, when, and what followed; `None` while open.
    pub decision: Option<EstimateDecision>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstimateDecision {
    /// Unix seconds.
    pub decided_at: i64,
    /// The account user who decided.
    pub decided_by: String,
    /// The name typed as signature (approvals).
    pub approver_name: Option<String>,
    pub decline_reason: Option<String>,
    pub invoice_id: Option<String>,
    pub invoice_number: Option<String>,
}
