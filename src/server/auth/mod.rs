pub mod authorize;
pub mod cookies;
pub mod login;
pub mod password;
