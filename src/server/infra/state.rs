use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

use crate::server::infra::assets::AssetManifest;
use crate::server::infra::clock::SharedClock;
use crate::server::infra::config::Settings;
use crate::server::infra::db::Db;
use crate::server::infra::processors::PaymentProcessor;
use crate::server::infra::secrets::ServerSecret;

/// Everything a request handler or server function needs, cloned cheaply per request.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub clock: SharedClock,
    pub processor: Arc<dyn PaymentProcessor>,
    pub leptos_options: LeptosOptions,
    /// The key behind what the server signs and keys (see `server::secrets`).
    pub secret: ServerSecret,
    /// The build's content-named assets (empty for a build without hashed file names).
    pub assets: Arc<AssetManifest>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The application state inside a server function or during server rendering.
pub fn app_state() -> Result<AppState, crate::wire::error::AppError> {
    leptos::prelude::use_context::<AppState>()
        .ok_or_else(|| crate::wire::error::AppError::internal("state", "AppState missing from context"))
}
