//! Pure types and rules shared by the server and the browser. Nothing here does I/O.

pub mod address;
pub mod api_key;
pub mod bank;
pub mod billing_cycle;
pub mod billing_items;
pub mod cards;
pub mod chart;
pub mod credit;
pub mod credit_adjustment;
pub mod currency;
pub mod fees;
pub mod field_error;
pub mod ids;
pub mod licenses;
pub mod money;
pub mod payment_method;
pub mod people;
pub mod role;
pub mod service_status;
pub mod subscription;
pub mod tax_id;
pub mod team;
pub mod usage;
pub mod usage_ingest;
pub mod webhooks;
