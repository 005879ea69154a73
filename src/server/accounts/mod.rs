//! Client accounts and the people in them: switching between one's accounts, the team and its
//! invitations, billing details and contacts, and staff viewing an account as the client.

pub mod billing_details;
pub mod client_view;
pub mod provision;
pub mod queries;
pub mod switch;
pub mod team;
