//! Runs the billing cycle inside the server: whenever today's run is not complete. Every
//! server process can run it; leases share the accounts between them.

use std::time::Duration;

use tokio::task::JoinHandle;

use crate::server::cycle::{RunOptions, leases, run};
use crate::server::infra::background::Stop;
use crate::server::infra::clock::today;
use crate::server::infra::state::AppState;

/// Names a worker in its leases: host and process, so a log line points at the process.
pub fn worker_name() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "portico".into());
    format!("{host}-{}", std::process::id())
}

pub fn spawn(state: AppState, mut stop: Stop) -> Option<JoinHandle<()>> {
    let settings = state.settings.billing.clone();
    if !settings.scheduler {
        tracing::info!("billing cycle scheduler off (billing.scheduler = false)");
        return None;
    }
    Some(tokio::spawn(async move {
        let worker = worker_name();
        loop {
            let date = today(state.clock.as_ref());
            match leases::is_complete(&state.db, date).await {
                Ok(true) => {}
                Ok(false) => {
                    let options = RunOptions::configured(date, worker.clone(), &settings);
                    match run(&state, &options, &|_, _| {}).await {
                        Ok(report) => tracing::info!(?report, date = %date, "billing cycle ran"),
                        Err(error) => tracing::warn!(?error, "billing cycle run failed; retrying at the next poll"),
                    }
                }
                Err(error) => tracing::warn!(?error, "cannot read the billing cycle's state"),
            }
            if stop.pause(Duration::from_secs(settings.poll_seconds)).await {
                break;
            }
        }
    }))
}
