//! Deciding estimates and proposals (seed 004).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApprovedEstimate {
    pub invoice_id: String,
    pub invoice_number: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstimateSummary {
    pub id: String,
    pub number: String,
    pub kind: crate::domain::billing_items::EstimateKind,
    pub title: String,
    pub status: crate::domain::billing_items::EstimateStatus,
    pub is_expired: bool,
    pub valid_until: time::Date,
    pub total: crate::domain::money::Money,
}
