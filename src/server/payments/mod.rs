//! Payment methods and payments: the processor boundary, the sandbox processor, and the use
//! cases that move money exactly once.

pub mod history;
pub mod key;
pub mod links;
pub mod methods;
pub mod outbox;
pub mod pay;
pub mod processor;
pub mod sandbox;
pub mod settings;
pub mod settle;
pub mod transfers;
