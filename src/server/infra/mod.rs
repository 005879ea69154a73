//! What every feature stands on. Nothing here knows a feature's tables beyond sessions, users,
//! the audit log and the mail outbox, which every feature writes through.

pub mod actor;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod background;
pub mod clock;
pub mod config;
pub mod db;
pub mod headers;
pub mod http;
pub mod ids;
pub mod limits;
pub mod mail;
pub mod middleware;
pub mod page_cache;
pub mod precompress;
pub mod processors;
pub mod request;
pub mod secrets;
pub mod startup;
pub mod state;
