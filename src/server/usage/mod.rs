//! Messaging usage (seed 003): the usage report and its export, and the phone numbers whose
//! licenses the cycle bills.

pub mod numbers;
pub mod report;
