pub mod avatar;
pub mod badge;
pub mod document;
pub mod empty_state;
pub mod error_notice;
pub mod money;
