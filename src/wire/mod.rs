//! What crosses HTTP, compiled for both the server and the browser: the data each page gets,
//! the inputs it sends, their field validation, and the one error type. The server builds these
//! at its edge; the `#[server]` functions in `api` carry them; the pages render them.

pub mod accounts;
pub mod activity;
pub mod api_keys;
pub mod auth;
pub mod billing_details;
pub mod billing_history;
pub mod billing_items;
pub mod billing_rules;
pub mod codec;
pub mod credit;
pub mod dashboard;
pub mod error;
pub mod estimates;
pub mod payment_methods;
pub mod payments;
pub mod site;
pub mod staff;
pub mod subscriptions;
pub mod team;
pub mod usage;
pub mod webhooks;
