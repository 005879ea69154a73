//! Payment methods and payments: the use cases that move money exactly once (the processors
//! themselves are infrastructure, in `infra::processors`).

pub mod history;
pub mod key;
pub mod links;
pub mod methods;
pub mod pay;
pub mod settings;
pub mod settle;
pub mod transfers;
