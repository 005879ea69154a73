//! Server-only code, in two parts.
//!
//! `infra` is what every feature stands on: settings, shared state and startup, the database
//! pool and its bulk and paging helpers, sessions and authorization, mail and its outbox, the
//! clock, ids, HTTP limits, headers and middleware, and the payment processors.
//!
//! Every other folder is one feature. It owns its queries and row types, its use cases (one
//! transaction each), and maps its rows to the `wire` types at its edge.

pub mod accounts;
pub mod activity;
pub mod credit;
pub mod cycle;
pub mod dashboard;
pub mod demo;
pub mod estimates;
pub mod infra;
pub mod invoices;
pub mod objects;
pub mod operator;
pub mod payments;
pub mod subscriptions;
pub mod usage;
pub mod webhooks;
