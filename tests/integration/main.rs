//! Portico's integration tests: one binary, a fresh database per test. Run on SQLite by
//! default and on PostgreSQL when PORTICO_TEST_DATABASE_URL names a server (scripts/test.sh
//! does both).

mod abuse;
mod access;
mod auth;
mod billing_details;
mod billing_history;
mod credit;
mod cycle;
mod dashboard;
mod defences;
mod downloads;
mod estimates;
mod fuzz;
mod guards;
mod health;
mod licenses;
mod mail;
mod matrix;
mod money_rules;
mod operator_api;
mod page_cache;
mod pages;
mod payment_methods;
mod payments;
mod portal_sessions;
mod provisioning;
mod query_counts;
mod subscriptions;
mod support;
mod teams;
mod usage;
mod webhooks;
