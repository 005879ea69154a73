//! The prepaid credit balance: its ledger, top-ups (by the client and automatic), the client's
//! alert settings, and the service status that follows from it.

pub mod auto_top_up;
pub mod ledger;
pub mod page;
pub mod reactions;
pub mod settings;
pub mod status;
pub mod top_up;
pub mod watch;
