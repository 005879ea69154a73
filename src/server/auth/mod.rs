pub mod authorize;
pub mod cookies;
pub mod login;
pub mod password;
pub mod rotate;
pub mod password_change;
pub mod redirect;
pub mod throttle;
