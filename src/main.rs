use clap::{Parser, Subcommand};

/// See Cargo.toml: rendering a page is allocation-heavy.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use tracing_subscriber::EnvFilter;

use portico::app::router;
use portico::server::demo;
use portico::server::infra::clock::from_settings;
use portico::server::infra::config::Settings;
use portico::server::infra::db::{Db, redact};
use portico::server::infra::startup::new_state;
use portico::server::infra::state::AppState;

#[derive(Parser)]
#[command(name = "portico", about = "Portico billing portal", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Apply migrations and serve the portal (the default).
    Serve {
        /// Load the demo data first when the database holds no vendor yet.
        #[arg(long)]
        demo: bool,
    },
    /// Apply migrations and exit.
    Migrate,
    /// Apply migrations and load the demo data when the database is empty.
    Demo,
    /// Compress the site's assets once (brotli and gzip copies beside each), so the server sends
    /// them from disk. Run after `cargo leptos build`; needs no database.
    Precompress,
    /// The billing cycle.
    Cycle {
        #[command(subcommand)]
        action: CycleAction,
    },
}

#[derive(Subcommand)]
enum CycleAction {
    /// Issue what is due on a date and collect it: license invoices on the 1st, prorated
    /// invoices at month end, reconciliation statements, renewals, automatic charges and their
    /// retries. Running it again for the same date issues nothing new.
    Run {
        /// The cycle date, YYYY-MM-DD (default: today, UTC, or the pinned `[server] today`).
        #[arg(long, value_parser = parse_date)]
        date: Option<time::Date>,
        /// Names this worker in the leases it takes (default: host and process id).
        #[arg(long)]
        worker: Option<String>,
    },
}

fn parse_date(text: &str) -> Result<time::Date, String> {
    time::Date::parse(text, time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|_| format!("{text:?} is not a date like 2026-12-01"))
}

#[tokio::main]
async fn main() {
    if let Err(error) = run().await {
        eprintln!("portico: {error}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let settings = Settings::load()?;
    let filter = EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| EnvFilter::new(&settings.server.log));
    // Colours only on a terminal: a log written to a file or collector stays plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    tracing_subscriber::fmt().with_env_filter(filter).with_ansi(ansi).init();

    let cli = Cli::parse();
    if matches!(cli.command, Some(Command::Precompress)) {
        return precompress(&settings.server.site_root);
    }
    let clock = from_settings(&settings);
    if let Some(start) = settings.server.today {
        tracing::warn!(%start, "the calendar is pinned (server.today): today is {}, for tests and demos only", start.date());
    }
    let db = Db::connect(&settings.database.url, settings.database.max_connections).await?;
    db.migrate().await?;
    tracing::info!(database = %redact(&settings.database.url), "database ready");
    let state = new_state(db.clone(), settings, clock).await?;

    match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Migrate | Command::Precompress => Ok(()),
        Command::Demo => {
            load_demo(&state).await?;
            Ok(())
        }
        Command::Cycle { action: CycleAction::Run { date, worker } } => run_cycle(state, date, worker).await,
        Command::Serve { demo } => {
            if demo {
                load_demo(&state).await?;
            }
            serve(state).await
        }
    }
}

fn precompress(site_root: &str) -> Result<(), Box<dyn std::error::Error>> {
    let files = portico::server::infra::precompress::precompress_dir(std::path::Path::new(site_root))?;
    println!("{:<48} {:>12} {:>12} {:>12}", "asset", "raw", "gzip", "brotli");
    for file in files {
        println!("{:<48} {:>12} {:>12} {:>12}", file.path.display(), file.raw, file.gzip, file.brotli);
    }
    Ok(())
}

async fn load_demo(state: &AppState) -> Result<(), Box<dyn std::error::Error>> {
    if demo::load_if_empty(state).await? {
        tracing::info!("demo data loaded (password for every demo login: {})", demo::DEMO_PASSWORD);
    } else {
        tracing::info!("database already has data; demo data not loaded");
    }
    Ok(())
}

async fn run_cycle(
    state: AppState,
    date: Option<time::Date>,
    worker: Option<String>,
) -> Result<(), Box<dyn std::error::Error>> {
    use portico::server::cycle::{RunOptions, run, scheduler::worker_name};
    let date = date.unwrap_or_else(|| portico::server::infra::clock::today(state.clock.as_ref()));
    let options = RunOptions::configured(date, worker.unwrap_or_else(worker_name), &state.settings.billing);
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} accounts, {per_sec}, eta {eta}")
            .map_err(|e| e.to_string())?
            .progress_chars("=> "),
    );
    bar.set_message(format!("Billing cycle {date}"));
    let started = std::time::Instant::now();
    let report = run(&state, &options, &|done, total| {
        bar.set_length(total.max(done));
        bar.set_position(done);
    })
    .await
    .map_err(|e| format!("billing cycle: {e:?}"))?;
    bar.finish();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{date}: {} accounts, {} invoices and {} statements issued, {} charges succeeded, {} failed, {} expiring cards announced in {seconds:.1} s",
        report.accounts,
        report.invoices,
        report.statements,
        report.charges_succeeded,
        report.charges_failed,
        report.cards_announced
    );
    if report.left_to_others > 0 {
        println!("{} accounts are being billed by other workers.", report.left_to_others);
    }
    state.db.close().await;
    if report.failed_accounts > 0 {
        return Err(format!(
            "{} accounts could not be billed (see the log); run again to retry them",
            report.failed_accounts
        )
        .into());
    }
    Ok(())
}

async fn serve(state: AppState) -> Result<(), Box<dyn std::error::Error>> {
    let addr = state.settings.server.site_addr;
    let site_root = std::path::PathBuf::from(&state.settings.server.site_root);
    match portico::server::infra::precompress::remove_stale_copies(&site_root) {
        Ok(0) => {}
        Ok(removed) => tracing::warn!(removed, "stale compressed assets removed"),
        Err(error) => tracing::warn!(%error, "could not check the site's compressed assets"),
    }
    // A build deployed without `portico precompress` would have every visitor's WASM compressed
    // on the fly (megabytes, both cores busy): the missing copies are made once, in the
    // background, and served from disk as soon as they exist.
    tokio::task::spawn_blocking(move || match portico::server::infra::precompress::precompress_dir(&site_root) {
        Ok(files) => tracing::debug!(files = files.len(), "site assets precompressed"),
        Err(error) => {
            tracing::warn!(%error, "could not precompress the site's assets; they are compressed per request")
        }
    });
    let public_url = state.settings.server.public_url.clone();
    let db = state.db.clone();
    let mut background = portico::server::infra::background::Background::new();
    background.keep("mailer", portico::server::infra::mail::spawn_background(state.clone(), background.signal()));
    background.keep("billing scheduler", portico::server::cycle::scheduler::spawn(state.clone(), background.signal()));
    background.keep(
        "webhook deliveries",
        portico::server::webhooks::deliver::spawn_background(state.clone(), background.signal()),
    );
    let server_settings = state.settings.server.clone();
    let app = router(state);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, %public_url, "Portico listening");
    portico::server::infra::http::serve(listener, app, &server_settings, shutdown_signal()).await?;
    // The loops finish the pass they are in (an email sent is marked sent) before the
    // database closes behind them.
    background.stop(BACKGROUND_GRACE).await;
    db.close().await;
    Ok(())
}

/// How long shutdown waits for each background loop to finish its pass.
const BACKGROUND_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}
