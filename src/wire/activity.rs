//! The activity log: what happened on an account and who did it, including agency staff who
//! viewed it as the client (seed 004). Clients see their account's; staff see all of theirs.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityEntry {
    pub id: String,
    /// Unix seconds.
    pub occurred_at: i64,
    /// The machine name (`payment.succeeded`), for filtering and tests.
    pub action: String,
    /// What happened, in words ("Paid USD 120.00 by Visa •••• 4242").
    pub summary: String,
    /// Who did it: a name, or the email tried for a failed sign-in.
    pub actor: String,
    /// The agency staff member who acted while viewing as the client, if any.
    pub on_behalf_by_staff: Option<String>,
    /// For staff, whose account it was.
    pub account_name: Option<String>,
    pub ip: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityPage {
    pub entries: Vec<ActivityEntry>,
    pub next_cursor: Option<String>,
}
