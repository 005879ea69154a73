//! Runtime settings, read from `Leptos.toml` (or the file named by `PORTICO_CONFIG`).
//!
//! Every key can be overridden by an environment variable named after its place in the file:
//! `[server] site_addr` is `PORTICO_SERVER_SITE_ADDR`, `[sessions] idle_minutes` is
//! `PORTICO_SESSIONS_IDLE_MINUTES`, and so on. `DATABASE_URL` also overrides `[database] url`,
//! as every sqlx tool expects. The override is generic on purpose: a key added to the file is
//! overridable without anyone remembering to wire it up.

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::Path;
use time::OffsetDateTime;

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub sessions: SessionSettings,
    pub mail: MailSettings,
    pub payments: PaymentSettings,
    #[serde(default)]
    pub billing: BillingSettings,
}

/// The billing cycle's scheduler inside the server (see `server::cycle`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct BillingSettings {
    /// Run the day's billing cycle from the server. Off when another process (a cron job
    /// calling `portico cycle run`) does it.
    pub scheduler: bool,
    /// How often the scheduler checks whether today's run is complete, in seconds.
    pub poll_seconds: u64,
    /// Accounts a worker leases at a time, and for how long. A batch is issued in one
    /// transaction and charged together: 500 billed a third faster than 200 (`benches/cycle.rs`)
    /// and is still a fraction of a second's work, far inside the lease.
    pub batch: i64,
    pub lease_seconds: i64,
}

impl Default for BillingSettings {
    fn default() -> Self {
        BillingSettings { scheduler: true, poll_seconds: 600, batch: 500, lease_seconds: 300 }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct MailSettings {
    pub smtp_host: String,
    pub smtp_port: u16,
    /// How the connection to the SMTP server is protected.
    #[serde(default)]
    pub smtp_tls: SmtpTls,
    /// Credentials for SMTP AUTH; empty means none. Sent only over TLS (see `validate`).
    #[serde(default)]
    pub smtp_username: String,
    #[serde(default)]
    pub smtp_password: String,
    /// A PEM file of CA certificates to trust besides the public web roots (a private CA).
    #[serde(default)]
    pub smtp_ca_file: String,
    pub from: String,
    pub poll_seconds: u64,
}

/// `none`: plain SMTP, for a relay on the same host or network. `starttls`: upgrade with
/// STARTTLS, required (a server that does not offer it is not sent to). `tls`: implicit TLS from
/// the first byte (port 465).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    #[default]
    None,
    Starttls,
    Tls,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServerSettings {
    pub site_addr: SocketAddr,
    /// The address people use to reach the portal (scheme, host, port). Cookies are marked
    /// Secure when it is https.
    pub public_url: String,
    /// Where cargo-leptos put the compiled site (the `pkg/` directory and public assets).
    pub site_root: String,
    /// Extra origins allowed to send state-changing requests, besides the portal's own.
    #[serde(default)]
    pub trusted_origins: Vec<String>,
    #[serde(default = "default_log")]
    pub log: String,
    /// Pins the calendar for tests and demos: a date (`2026-11-22`, the clock then starts at
    /// noon UTC that day) or an instant (`2026-11-30T23:59:50Z`), from which the clock runs at
    /// real speed. Empty: the system clock. Refused in a production configuration (an https
    /// public URL), where a pinned calendar would bill on the wrong day.
    #[serde(default, deserialize_with = "pinned_start")]
    pub today: Option<OffsetDateTime>,
    /// The longest a request may take, its body included (answered 408 after).
    #[serde(default = "default_request_timeout")]
    pub request_timeout_seconds: u64,
    /// How long a client has to send a request's headers (a slow-loris guard).
    #[serde(default = "default_header_timeout")]
    pub header_timeout_seconds: u64,
    /// Connections served at once; more wait in the kernel's backlog.
    #[serde(default = "default_max_connections")]
    pub max_connections: usize,
    /// Memory for rendered pages kept to be sent again while nothing they show has changed
    /// (`server::infra::page_cache`); 0 turns the cache off.
    #[serde(default = "default_page_cache_mib")]
    pub page_cache_mib: u64,
    /// The key behind what the server signs and keys (see `server::secrets`); empty: one made
    /// on first start and kept in the database.
    #[serde(default)]
    pub secret: String,
}

fn default_request_timeout() -> u64 {
    30
}

fn default_header_timeout() -> u64 {
    10
}

fn default_max_connections() -> usize {
    2_048
}

fn default_page_cache_mib() -> u64 {
    64
}

/// Reads `[server] today`: empty for the system clock, a date (noon UTC) or an RFC 3339 instant.
fn pinned_start<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<OffsetDateTime>, D::Error> {
    let text = String::deserialize(deserializer)?;
    parse_pinned_start(&text).map_err(serde::de::Error::custom)
}

pub fn parse_pinned_start(text: &str) -> Result<Option<OffsetDateTime>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Ok(date) = time::Date::parse(text, time::macros::format_description!("[year]-[month]-[day]")) {
        return Ok(Some(date.with_time(time::macros::time!(12:00)).assume_utc()));
    }
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).map(Some).map_err(|_| {
        format!("server.today = {text:?} is neither a date like 2026-11-22 nor an instant like 2026-11-30T23:59:50Z")
    })
}

#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSettings {
    pub url: String,
    pub max_connections: u32,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SessionSettings {
    pub cookie_name: String,
    /// A session unused for this long ends.
    pub idle_minutes: i64,
    /// A session ends this long after sign-in, however active.
    pub absolute_hours: i64,
    /// Staff viewing as a client are returned to their own view after this long.
    #[serde(default = "default_impersonation_minutes")]
    pub impersonation_minutes: i64,
}

fn default_impersonation_minutes() -> i64 {
    60
}

#[derive(Debug, Clone, Deserialize)]
pub struct PaymentSettings {
    pub processor: String,
    /// The sandbox never moves money and accepts test cards: on a portal served over https (a
    /// production address) it is refused unless this says it is meant.
    #[serde(default)]
    pub sandbox_on_https: bool,
}

fn default_log() -> String {
    "info".into()
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path} is not valid TOML: {source}")]
    Parse { path: String, source: toml::de::Error },
    #[error("invalid settings: {0}")]
    Invalid(String),
}

impl Settings {
    /// Loads the file named by `PORTICO_CONFIG`, or `Leptos.toml` in the working directory.
    pub fn load() -> Result<Settings, ConfigError> {
        let path = std::env::var("PORTICO_CONFIG").unwrap_or_else(|_| "Leptos.toml".into());
        Settings::load_from(Path::new(&path), |name| std::env::var(name).ok())
    }

    pub fn load_from(path: &Path, env: impl Fn(&str) -> Option<String>) -> Result<Settings, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| ConfigError::Read { path: path.display().to_string(), source })?;
        Settings::parse(&text, env).map_err(|e| match e {
            ConfigError::Parse { source, .. } => ConfigError::Parse { path: path.display().to_string(), source },
            other => other,
        })
    }

    pub fn parse(text: &str, env: impl Fn(&str) -> Option<String>) -> Result<Settings, ConfigError> {
        let mut table: toml::Table =
            toml::from_str(text).map_err(|source| ConfigError::Parse { path: String::new(), source })?;
        apply_env_overrides(&mut table, &env)?;
        if let Some(url) = env("DATABASE_URL") {
            set_key(&mut table, "database", "url", toml::Value::String(url));
        }
        let settings: Settings =
            toml::Value::Table(table).try_into().map_err(|e: toml::de::Error| ConfigError::Invalid(e.to_string()))?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.sessions.idle_minutes <= 0
            || self.sessions.absolute_hours <= 0
            || self.sessions.impersonation_minutes <= 0
        {
            return Err(ConfigError::Invalid("session lifetimes must be positive".into()));
        }
        if !(self.server.public_url.starts_with("http://") || self.server.public_url.starts_with("https://")) {
            return Err(ConfigError::Invalid("server.public_url must start with http:// or https://".into()));
        }
        if !self.mail.smtp_username.is_empty() && self.mail.smtp_tls == SmtpTls::None {
            return Err(ConfigError::Invalid("mail.smtp_username is set but mail.smtp_tls is \"none\": credentials are only sent over TLS (\"starttls\" or \"tls\")".into()));
        }
        if self.server.today.is_some() && self.secure_cookies() {
            return Err(ConfigError::Invalid(
                "server.today pins the calendar for tests and demos and is refused with an https public_url (a production configuration): leave it empty".into(),
            ));
        }
        let secret = self.server.secret.trim();
        if !secret.is_empty() && secret.chars().count() < 32 {
            return Err(ConfigError::Invalid(
                "server.secret must be at least 32 characters (or empty: one is made and kept in the database)".into(),
            ));
        }
        if self.payments.processor == "sandbox" && self.secure_cookies() && !self.payments.sandbox_on_https {
            return Err(ConfigError::Invalid(
                "payments.processor is \"sandbox\", which accepts test cards and moves no money, but server.public_url is https: set payments.sandbox_on_https = true if this is a staging portal".into(),
            ));
        }
        if self.server.request_timeout_seconds == 0
            || self.server.header_timeout_seconds == 0
            || self.server.max_connections == 0
        {
            return Err(ConfigError::Invalid(
                "server.request_timeout_seconds, header_timeout_seconds and max_connections must be positive".into(),
            ));
        }
        if self.billing.batch <= 0 || self.billing.lease_seconds <= 0 || self.billing.poll_seconds == 0 {
            return Err(ConfigError::Invalid(
                "billing.batch, billing.lease_seconds and billing.poll_seconds must be positive".into(),
            ));
        }
        Ok(())
    }

    pub fn secure_cookies(&self) -> bool {
        self.server.public_url.starts_with("https://")
    }
}

fn env_name(section: &str, key: &str) -> String {
    format!("PORTICO_{section}_{key}").to_uppercase()
}

fn apply_env_overrides(table: &mut toml::Table, env: &impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
    for (section, values) in table.iter_mut() {
        let Some(values) = values.as_table_mut() else { continue };
        for (key, value) in values.iter_mut() {
            let name = env_name(section, key);
            if let Some(raw) = env(&name) {
                *value = override_value(value, &raw)
                    .ok_or_else(|| ConfigError::Invalid(format!("{name}={raw:?} does not fit the setting's type")))?;
            }
        }
    }
    Ok(())
}

/// Reads an environment string as the same TOML type as the value it replaces.
fn override_value(current: &toml::Value, raw: &str) -> Option<toml::Value> {
    Some(match current {
        toml::Value::Integer(_) => toml::Value::Integer(raw.trim().parse().ok()?),
        toml::Value::Boolean(_) => toml::Value::Boolean(raw.trim().parse().ok()?),
        toml::Value::Float(_) => toml::Value::Float(raw.trim().parse().ok()?),
        toml::Value::Array(_) => toml::Value::Array(
            raw.split(',').map(str::trim).filter(|s| !s.is_empty()).map(|s| toml::Value::String(s.into())).collect(),
        ),
        _ => toml::Value::String(raw.to_string()),
    })
}

fn set_key(table: &mut toml::Table, section: &str, key: &str, value: toml::Value) {
    let entry = table.entry(section).or_insert_with(|| toml::Value::Table(toml::Table::new()));
    if let Some(section) = entry.as_table_mut() {
        section.insert(key.to_string(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const FILE: &str = include_str!("../../../Leptos.toml");

    fn with_env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn the_shipped_file_parses() {
        let s = Settings::parse(FILE, with_env(&[])).unwrap();
        assert_eq!(s.server.site_addr.to_string(), "127.0.0.1:3000");
        assert!(s.database.url.starts_with("sqlite:"));
        assert_eq!(s.payments.processor, "sandbox");
        assert!(!s.secure_cookies());
    }

    #[test]
    fn every_key_is_overridable_from_the_environment() {
        let s = Settings::parse(
            FILE,
            with_env(&[
                ("PORTICO_SERVER_SITE_ADDR", "0.0.0.0:8080"),
                ("PORTICO_SERVER_PUBLIC_URL", "https://billing.example.com"),
                ("PORTICO_SESSIONS_IDLE_MINUTES", "15"),
                ("PORTICO_PAYMENTS_PROCESSOR", "stripe"),
                ("PORTICO_SERVER_TRUSTED_ORIGINS", "https://a.example, https://b.example"),
            ]),
        )
        .unwrap();
        assert_eq!(s.server.site_addr.port(), 8080);
        assert_eq!(s.sessions.idle_minutes, 15);
        assert_eq!(s.payments.processor, "stripe");
        assert_eq!(s.server.trusted_origins, vec!["https://a.example", "https://b.example"]);
        assert!(s.secure_cookies());
    }

    #[test]
    fn the_calendar_is_the_systems_unless_pinned() {
        let s = Settings::parse(FILE, with_env(&[])).unwrap();
        assert_eq!(s.server.today, None);
        let s = Settings::parse(FILE, with_env(&[("PORTICO_SERVER_TODAY", "2028-02-29")])).unwrap();
        assert_eq!(s.server.today, Some(time::macros::datetime!(2028-02-29 12:00 UTC)));
        let s = Settings::parse(FILE, with_env(&[("PORTICO_SERVER_TODAY", "2026-11-30T23:59:50Z")])).unwrap();
        assert_eq!(s.server.today, Some(time::macros::datetime!(2026-11-30 23:59:50 UTC)));
    }

    #[test]
    fn a_pinned_calendar_is_refused_when_malformed_or_in_production() {
        let err = Settings::parse(FILE, with_env(&[("PORTICO_SERVER_TODAY", "2026-02-30")])).unwrap_err();
        assert!(err.to_string().contains("server.today"), "{err}");
        let err = Settings::parse(
            FILE,
            with_env(&[
                ("PORTICO_SERVER_TODAY", "2026-11-22"),
                ("PORTICO_SERVER_PUBLIC_URL", "https://billing.example.com"),
            ]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("refused with an https public_url"), "{err}");
    }

    #[test]
    fn the_sandbox_is_refused_on_https_unless_meant_and_a_short_secret_always() {
        let https = ("PORTICO_SERVER_PUBLIC_URL", "https://billing.example.com");
        let err = Settings::parse(FILE, with_env(&[https])).unwrap_err();
        assert!(err.to_string().contains("sandbox_on_https"), "{err}");
        assert!(Settings::parse(FILE, with_env(&[https, ("PORTICO_PAYMENTS_SANDBOX_ON_HTTPS", "true")])).is_ok());
        let err = Settings::parse(FILE, with_env(&[("PORTICO_SERVER_SECRET", "short")])).unwrap_err();
        assert!(err.to_string().contains("at least 32"), "{err}");
        let err = Settings::parse(FILE, with_env(&[("PORTICO_MAIL_SMTP_USERNAME", "portico")])).unwrap_err();
        assert!(err.to_string().contains("only sent over TLS"), "{err}");
    }

    #[test]
    fn database_url_wins_over_the_file() {
        let s = Settings::parse(FILE, with_env(&[("DATABASE_URL", "postgres://u@127.0.0.1/p")])).unwrap();
        assert_eq!(s.database.url, "postgres://u@127.0.0.1/p");
    }

    #[test]
    fn a_malformed_override_is_refused_with_its_name() {
        let err = Settings::parse(FILE, with_env(&[("PORTICO_SESSIONS_IDLE_MINUTES", "soon")])).unwrap_err();
        assert!(err.to_string().contains("PORTICO_SESSIONS_IDLE_MINUTES"), "{err}");
    }
}
