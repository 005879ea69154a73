//! The prepaid credit balance (seed 003): balance and history, "Add to credit balance", the
//! low-balance alert and automatic top-up, and the service status that depends on them.

use crate::domain::credit::EntryKind;
use crate::domain::fees::FeeSchedule;
use crate::domain::money::Money;
use crate::domain::payment_method::MethodKind;
use crate::domain::service_status::ServiceStatus;
use serde::{Deserialize, Serialize};

/// A stored method a top-up can be charged to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopUpMethod {
    pub id: String,
    pub kind: MethodKind,
    pub label: String,
    pub is_default: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreditEntryView {
    pub id: String,
    /// Unix seconds.
    pub at: i64,
    pub kind: EntryKind,
    pub description: String,
    pub amount: Money,
    pub balance_after: Money,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutoTopUpView {
    pub threshold: Money,
    pub amount: Money,
    pub method_id: String,
    pub method_label: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreditSettingsView {
    pub alert_threshold: Option<Money>,
    pub auto_top_up: Option<AutoTopUpView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreditEntriesPage {
    pub entries: Vec<CreditEntryView>,
    /// Where the next page starts; `None` when this is the last.
    pub next: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreditPage {
    pub balance: Money,
    pub status: ServiceStatus,
    pub settings: CreditSettingsView,
    pub methods: Vec<TopUpMethod>,
    /// The fees, so the form shows the fee of any amount as it is typed; the server charges
    /// by the same rule.
    pub schedule: FeeSchedule,
    /// Made fresh for each page view: every attempt of this form sends it, so a double click
    /// or a retry is one top-up.
    pub idempotency_key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreditSettingsInput {
    /// Empty: no alert.
    pub alert_threshold: String,
    pub auto_top_up: bool,
    pub auto_threshold: String,
    pub auto_amount: String,
    pub auto_method_id: String,
}
