//! Billing history (seed 000): every invoice and payment, newest first, a page at a time.

use crate::domain::billing_items::{InvoiceKind, InvoiceStatus};
use crate::domain::money::Money;
use crate::wire::payments::PaymentStatus;
use serde::{Deserialize, Serialize};
use time::Date;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum HistoryEntry {
    Invoice {
        id: String,
        number: String,
        kind: InvoiceKind,
        status: InvoiceStatus,
        is_overdue: bool,
        issue_date: Date,
        due_date: Date,
        total: Money,
        amount_due: Money,
    },
    Payment {
        id: String,
        /// Unix seconds.
        at: i64,
        method_label: String,
        status: PaymentStatus,
        total: Money,
        invoice_numbers: Vec<String>,
        failure_message: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryPage {
    pub entries: Vec<HistoryEntry>,
    /// Give back to load the next (older) page; `None` when there is nothing more.
    pub next_cursor: Option<String>,
}

/// Which entries to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum HistoryFilter {
    #[default]
    Everything,
    Open,
    Overdue,
    Paid,
    Payments,
}

impl HistoryFilter {
    pub const ALL: [HistoryFilter; 5] = [
        HistoryFilter::Everything,
        HistoryFilter::Open,
        HistoryFilter::Overdue,
        HistoryFilter::Paid,
        HistoryFilter::Payments,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HistoryFilter::Everything => "all",
            HistoryFilter::Open => "open",
            HistoryFilter::Overdue => "overdue",
            HistoryFilter::Paid => "paid",
            HistoryFilter::Payments => "payments",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            HistoryFilter::Everything => "Everything",
            HistoryFilter::Open => "Open invoices",
            HistoryFilter::Overdue => "Overdue invoices",
            HistoryFilter::Paid => "Paid invoices",
            HistoryFilter::Payments => "Payments",
        }
    }

    pub fn parse(s: &str) -> HistoryFilter {
        HistoryFilter::ALL.into_iter().find(|f| f.as_str() == s).unwrap_or_default()
    }
}

/// Entries per page: a screenful, so "Load more" is how older history is reached.
pub const HISTORY_PAGE_SIZE: i64 = 10;
