//! Server-only code: configuration, state, database, authentication, use cases.

pub mod accounts;
pub mod activity;
pub mod app;
pub mod auth;
pub mod billing_details;
pub mod billing_history;
pub mod clock;
pub mod config;
pub mod credit;
pub mod dashboard;
pub mod db;
pub mod downloads;
pub mod estimates;
pub mod demo;
pub mod ids;
pub mod impersonation;
pub mod mailer;
pub mod middleware;
pub mod payments;
pub mod pdf;
pub mod request;
pub mod state;
pub mod statements;
pub mod subscriptions;
pub mod team;
pub mod usage;
