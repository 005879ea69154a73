//! The vendor's billing-cycle rules (issue 8), set by its staff: payment terms of cycle
//! invoices, the retry schedule for failed automatic charges, and how early an expiring card is
//! announced.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingRulesView {
    pub payment_terms_days: i64,
    /// "1, 3, 7": days after the first attempt.
    pub retry_days: String,
    pub card_expiry_notice_days: i64,
    /// Days an invoice waits for a wire, PIX or Boleto transfer before it is open again.
    pub transfer_wait_days: i64,
}
