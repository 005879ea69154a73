//! Pages (one per route) and the small presentational components they are built from.

pub mod app;
pub mod components;
pub mod layout;
pub mod pages;
