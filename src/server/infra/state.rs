use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

use crate::server::infra::assets::AssetManifest;
use crate::server::infra::clock::SharedClock;
use crate::server::infra::config::Settings;
use crate::server::infra::db::Db;
use crate::server::infra::processors::PaymentProcessor;
use crate::server::infra::secrets::ServerSecret;

/// Everything a request handler or server function needs. Every middleware and handler takes
/// its own copy of the state, several per request, so it is one reference-counted pointer:
/// copying the fields themselves (Leptos's options are a dozen of them) was 9 % of the CPU time
/// of a page sent from the cache (perf, bench/web.sh).
#[derive(Clone)]
pub struct AppState(Arc<SharedState>);

impl AppState {
    pub fn new(shared: SharedState) -> AppState {
        AppState(Arc::new(shared))
    }

    /// Another state with some of its parts replaced (a test's processor or assets).
    pub fn altered(&self, change: impl FnOnce(&mut SharedState)) -> AppState {
        let mut shared = (*self.0).clone();
        change(&mut shared);
        AppState::new(shared)
    }
}

impl std::ops::Deref for AppState {
    type Target = SharedState;

    fn deref(&self) -> &SharedState {
        &self.0
    }
}

#[derive(Clone)]
pub struct SharedState {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub clock: SharedClock,
    pub processor: Arc<dyn PaymentProcessor>,
    pub leptos_options: LeptosOptions,
    /// The key behind what the server signs and keys (see `server::secrets`).
    pub secret: ServerSecret,
    /// The build's content-named assets (empty for a build without hashed file names).
    pub assets: Arc<AssetManifest>,
    /// Rendered pages kept while nothing they show has changed (`None`: turned off).
    pub pages: Option<Arc<crate::server::infra::page_cache::PageCache>>,
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
