//! Usage reports (seed 003): a month's messages and costs by sub-account, category, phone
//! number and day.

use crate::domain::currency::Currency;
use crate::domain::usage::{CategoryTallies, UsageMonth};
use serde::{Deserialize, Serialize};
use time::Date;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneNumber {
    pub id: String,
    /// As the client knows it, e.g. "+1 206 555 0101".
    pub number: String,
    /// The messaging business account the number belongs to.
    pub sub_account: String,
}

/// What the report can be narrowed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageFilters {
    /// The month by the server's clock: the report's default.
    pub current: UsageMonth,
    /// Months with usage and the current month, newest first.
    pub months: Vec<UsageMonth>,
    pub numbers: Vec<PhoneNumber>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubAccountUsage {
    pub name: String,
    pub usage: CategoryTallies,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberUsage {
    pub number: PhoneNumber,
    pub usage: CategoryTallies,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayUsage {
    pub date: Date,
    pub usage: CategoryTallies,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageReport {
    pub month: UsageMonth,
    /// The account's billing currency, for showing costs where there are none.
    pub currency: Currency,
    /// The whole month, every number: sub-accounts by name, then all of them together.
    pub sub_accounts: Vec<SubAccountUsage>,
    pub total: CategoryTallies,
    /// The whole month, each number that has usage in it.
    pub numbers: Vec<NumberUsage>,
    /// The one number the days are narrowed to; `None` for all numbers.
    pub number: Option<PhoneNumber>,
    /// Days with usage of that number (or of all), in date order.
    pub days: Vec<DayUsage>,
    pub days_total: CategoryTallies,
}
