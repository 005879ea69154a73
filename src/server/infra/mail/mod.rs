//! Delivers the outbox over SMTP. An email leaves the outbox only once the SMTP server has
//! accepted it; a failure is recorded on the row and retried later with growing delays.
//! Several server processes can run the mailer: each row is leased before it is sent.

pub mod outbox;

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use tokio::task::JoinHandle;

use crate::server::infra::background::{Stop, is_due};
use crate::server::infra::clock::unix_now;
use crate::server::infra::config::{MailSettings, SmtpTls};
use crate::server::infra::state::AppState;

/// How long a claimed row is left alone by other mailers while it is being sent.
const LEASE_SECS: i64 = 120;
const BATCH: i64 = 20;

/// Seconds to wait before the next try after `attempts` failures: 30 s doubling, at most 1 h.
pub fn retry_delay(attempts: i64) -> i64 {
    (30i64 << attempts.clamp(0, 7)).min(3600)
}

pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// No SMTP server configured: each email is noted in the log (never its body: it holds
    /// payment and invitation links, which are as good as a password).
    Log,
}

#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("mail.smtp_ca_file {path}: {reason}")]
    CaFile { path: String, reason: String },
    #[error("SMTP TLS settings: {0}")]
    Tls(String),
}

impl Transport {
    pub fn from_settings(mail: &MailSettings) -> Result<Transport, TransportError> {
        let host = mail.smtp_host.trim();
        if host.is_empty() {
            return Ok(Transport::Log);
        }
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(mail.smtp_port)
            .timeout(Some(std::time::Duration::from_secs(10)));
        if mail.smtp_tls != SmtpTls::None {
            let mut parameters = TlsParameters::builder(host.to_string());
            let ca_file = mail.smtp_ca_file.trim();
            if !ca_file.is_empty() {
                let ca_error = |reason: String| TransportError::CaFile { path: ca_file.to_string(), reason };
                let pem = std::fs::read(ca_file).map_err(|e| ca_error(e.to_string()))?;
                parameters =
                    parameters.add_root_certificate(Certificate::from_pem(&pem).map_err(|e| ca_error(e.to_string()))?);
            }
            let parameters = parameters.build_rustls().map_err(|e| TransportError::Tls(e.to_string()))?;
            builder = builder.tls(match mail.smtp_tls {
                SmtpTls::Starttls => Tls::Required(parameters),
                _ => Tls::Wrapper(parameters),
            });
        }
        if !mail.smtp_username.is_empty() {
            builder = builder.credentials(Credentials::new(mail.smtp_username.clone(), mail.smtp_password.clone()));
        }
        Ok(Transport::Smtp(builder.build()))
    }
}

struct Outgoing {
    id: String,
    kind: String,
    to: String,
    subject: String,
    body: String,
    attempts: i64,
    lease: i64,
}

/// Sends what is due now. Returns (sent, failed).
pub async fn deliver_due(state: &AppState, transport: &Transport) -> Result<(usize, usize), sqlx::Error> {
    let now = unix_now(state.clock.as_ref());
    let due: Vec<(String, String, String, String, String, i64, i64)> = sqlx::query_as(
        "SELECT id, kind, to_address, subject, body_text, attempts, next_attempt_at FROM outbox
         WHERE sent_at IS NULL AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2",
    )
    .bind(now)
    .bind(BATCH)
    .fetch_all(state.db.pool())
    .await?;
    let (mut sent, mut failed) = (0, 0);
    for (id, kind, to, subject, body, attempts, next) in due {
        // Lease the row; another mailer that got here first wins and we skip it.
        let lease = now + LEASE_SECS;
        let claimed = sqlx::query(
            "UPDATE outbox SET next_attempt_at = $1 WHERE id = $2 AND next_attempt_at = $3 AND sent_at IS NULL",
        )
        .bind(lease)
        .bind(&id)
        .bind(next)
        .execute(state.db.pool())
        .await?;
        if claimed.rows_affected() != 1 {
            continue;
        }
        let mail = Outgoing { id, kind, to, subject, body, attempts, lease };
        match send(state, transport, &mail).await {
            Ok(()) => {
                sqlx::query("UPDATE outbox SET sent_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2")
                    .bind(unix_now(state.clock.as_ref()))
                    .bind(&mail.id)
                    .execute(state.db.pool())
                    .await?;
                sent += 1;
            }
            Err(error) => {
                tracing::warn!(email = %mail.id, %error, "email not delivered; will retry");
                sqlx::query("UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 WHERE id = $3 AND next_attempt_at = $4")
                    .bind(error.chars().take(500).collect::<String>())
                    .bind(unix_now(state.clock.as_ref()) + retry_delay(mail.attempts))
                    .bind(&mail.id)
                    .bind(mail.lease)
                    .execute(state.db.pool())
                    .await?;
                failed += 1;
            }
        }
    }
    Ok((sent, failed))
}

async fn send(state: &AppState, transport: &Transport, mail: &Outgoing) -> Result<(), String> {
    match transport {
        Transport::Log => {
            tracing::info!(to = %mail.to, subject = %mail.subject, kind = %mail.kind, "email not sent: no SMTP server configured");
            Ok(())
        }
        Transport::Smtp(smtp) => {
            let from: Mailbox = state.settings.mail.from.parse().map_err(|e| format!("invalid from address: {e}"))?;
            let to: Mailbox = mail.to.parse().map_err(|e| format!("invalid recipient {}: {e}", mail.to))?;
            let message = Message::builder()
                .from(from)
                .to(to)
                .subject(&mail.subject)
                .header(lettre::message::header::ContentType::TEXT_PLAIN)
                .body(mail.body.clone())
                .map_err(|e| e.to_string())?;
            smtp.send(message).await.map(|_| ()).map_err(|e| e.to_string())
        }
    }
}

/// The server's background work: deliver the outbox, settle interrupted payments and pay the
/// automatic top-ups that usage set off.
pub fn spawn_background(state: AppState, mut stop: Stop) -> Option<JoinHandle<()>> {
    let transport = match Transport::from_settings(&state.settings.mail) {
        Ok(transport) => transport,
        Err(error) => {
            tracing::error!(%error, "the mailer cannot start: emails stay in the outbox until the settings are fixed");
            return None;
        }
    };
    Some(tokio::spawn(async move {
        let period = std::time::Duration::from_secs(state.settings.mail.poll_seconds.max(1));
        let mut last_sweep = None;
        loop {
            let now = unix_now(state.clock.as_ref());
            if is_due(last_sweep, now, SWEEP_EVERY_SECS) {
                match sweep_expired(&state, now).await {
                    Ok(removed) if removed > 0 => {
                        tracing::info!(removed, "expired sessions and sign-in records deleted")
                    }
                    Ok(_) => {}
                    Err(error) => tracing::warn!(%error, "sweeping expired sessions failed"),
                }
                last_sweep = Some(now);
            }
            if let Err(error) = deliver_due(&state, &transport).await {
                tracing::warn!(%error, "mailer pass failed");
            }
            if let Err(error) = crate::server::payments::settle::reconcile_pending(&state, 120).await {
                tracing::warn!(?error, "payment reconciliation pass failed");
            }
            if let Err(error) = crate::server::credit::auto_top_up::run_requested(&state, None).await {
                tracing::warn!(?error, "automatic top-up pass failed");
            }
            if stop.pause(period).await {
                break;
            }
        }
    }))
}

/// How often expired sessions and old sign-in records are deleted.
const SWEEP_EVERY_SECS: i64 = 15 * 60;

/// Deletes sessions past their absolute or idle limit (they no longer sign anyone in, but a
/// table that only grows keeps their hashes and user agents for nothing). Returns the rows gone.
pub async fn sweep_expired(state: &AppState, now: i64) -> Result<u64, sqlx::Error> {
    let idle = state.settings.sessions.idle_minutes * 60;
    let sessions = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
        .bind(now)
        .bind(now - idle)
        .execute(state.db.pool())
        .await?
        .rows_affected();
    Ok(sessions + crate::server::infra::auth::throttle::sweep(state.db.pool(), now).await?)
}

#[cfg(test)]
mod tests {
    use super::retry_delay;

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(retry_delay(0), 30);
        assert_eq!(retry_delay(1), 60);
        assert_eq!(retry_delay(3), 240);
        assert_eq!(retry_delay(10), 3600);
    }
}
