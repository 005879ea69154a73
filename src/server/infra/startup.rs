//! What the server needs before it answers: Leptos's options, the shared state (secret and
//! payment processor), and the health check a load balancer asks.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use leptos::config::{Env, LeptosOptions};
use std::sync::Arc;

use crate::server::infra::assets::AssetManifest;
use crate::server::infra::clock::SharedClock;
use crate::server::infra::config::{ConfigError, Settings};
use crate::server::infra::db::Db;
use crate::server::infra::page_cache::PageCache;
use crate::server::infra::processors::PaymentProcessor;
use crate::server::infra::processors::sandbox::SandboxProcessor;
use crate::server::infra::secrets::ServerSecret;
use crate::server::infra::state::{AppState, SharedState};

pub const OUTPUT_NAME: &str = "portico";

/// Leptos's options. Whether the build hashed its file names is not among them: only Leptos's
/// own `HydrationScripts` reads that, and the shell links what `AssetManifest` names instead.
pub fn leptos_options(settings: &Settings) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(OUTPUT_NAME)
        .site_root(settings.server.site_root.clone())
        .site_pkg_dir("pkg")
        .site_addr(settings.server.site_addr)
        .env(Env::PROD)
        .build()
}

/// The state every request shares. Reads the server's secret from the database when the
/// settings give none (see `server::secrets`), so the database must be migrated first.
pub async fn new_state(db: Db, settings: Settings, clock: SharedClock) -> Result<AppState, ConfigError> {
    let assets = AssetManifest::beside_current_exe(OUTPUT_NAME);
    let leptos_options = leptos_options(&settings);
    let secret = ServerSecret::load(&db, &settings.server.secret)
        .await
        .map_err(|e| ConfigError::Invalid(format!("cannot read or keep the server secret: {e}")))?;
    let processor: Arc<dyn PaymentProcessor> = match settings.payments.processor.as_str() {
        "sandbox" => Arc::new(SandboxProcessor::new(db.clone(), clock.clone(), secret.clone())),
        other => return Err(ConfigError::Invalid(format!("unknown payment processor {other:?} (supported: sandbox)"))),
    };
    let pages = PageCache::new(settings.server.page_cache_mib).map(Arc::new);
    Ok(AppState::new(SharedState {
        db,
        pages,
        settings: Arc::new(settings),
        clock,
        processor,
        leptos_options,
        secret,
        assets: Arc::new(assets.unwrap_or_else(|| AssetManifest::unhashed(OUTPUT_NAME))),
    }))
}

/// 200 when the database answers, 503 otherwise: what a load balancer needs to know.
pub async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    if state.db.is_healthy().await {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
    }
}
