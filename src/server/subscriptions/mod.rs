//! Managing subscriptions (seeds 000, 004): what the client has, changing its plan or
//! quantity with proration, the method that pays it, cancelling at period end and resuming.
//! The rules (proration, which transitions are allowed) live in `domain::subscription`; these
//! use cases load, check against those rules and write in one transaction each.

pub mod change;
pub mod create;
pub mod lifecycle;
pub mod plans;
pub mod queries;
pub mod record;
