//! One login, several accounts (seed 001): the switcher and the all-accounts summary.

use crate::domain::money::CurrencyTotals;
use crate::domain::role::Role;
use crate::wire::staff::ClientRow;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MyAccount {
    pub summary: ClientRow,
    pub role: Role,
    pub is_current: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountsOverview {
    pub accounts: Vec<MyAccount>,
    /// What is owed across all of them, per currency (never added across currencies).
    pub totals: CurrencyTotals,
}
