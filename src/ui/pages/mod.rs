pub mod client_list;
pub mod dashboard;
pub mod estimate;
pub mod invoice;
pub mod login;
pub mod no_access;
pub mod not_found;
