//! The outbox delivered to a real SMTP server on loopback (Python's aiosmtpd, which the test
//! command installs): plain, with STARTTLS and with implicit TLS and credentials, a send that
//! fails and is retried, and the log transport, which never writes a body.

use base64::Engine;
use std::net::TcpListener;
use std::process::{Child, Command};
use time::Duration;

use crate::support::TestApp;
use portico::server::infra::config::{MailSettings, SmtpTls};
use portico::server::infra::mail::{Transport, deliver_due};

struct SmtpServer {
    child: Child,
    port: u16,
    maildir: tempfile::TempDir,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn start_smtp() -> SmtpServer {
    let port = free_port();
    let maildir = tempfile::tempdir().unwrap();
    let child = Command::new("python3")
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
        .arg(maildir.path().join("mail"))
        .spawn()
        .expect("python3 -m aiosmtpd (scripts/setup.sh --test installs it)");
    // Owned from here on, so the process is reaped whatever happens below.
    let server = SmtpServer { child, port, maildir };
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return server;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("aiosmtpd did not start on port {port}");
}

fn mail_settings(host: &str, port: u16) -> MailSettings {
    MailSettings {
        smtp_host: host.into(),
        smtp_port: port,
        smtp_tls: SmtpTls::None,
        smtp_username: String::new(),
        smtp_password: String::new(),
        smtp_ca_file: String::new(),
        from: "Acme Messaging billing <billing@acme.test>".into(),
        poll_seconds: 1,
    }
}

fn smtp(port: u16) -> Transport {
    Transport::from_settings(&mail_settings("127.0.0.1", port)).expect("plain SMTP")
}

/// An SMTP server that requires TLS (STARTTLS or from the first byte) and AUTH with
/// `user`/`password`, with a certificate for 127.0.0.1 issued by a CA of the test's own.
struct TlsSmtp {
    server: SmtpServer,
    ca_file: std::path::PathBuf,
}

const TLS_SMTP: &str = r#"
import ssl, sys, time
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword
mode, port, cert, key, maildir, user, password = sys.argv[1:]
context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)
def authenticate(server, session, envelope, mechanism, data):
    ok = isinstance(data, LoginPassword) and data.login.decode() == user and data.password.decode() == password
    return AuthResult(success=ok, handled=False)
common = dict(hostname="127.0.0.1", port=int(port), authenticator=authenticate, auth_required=True)
if mode == "starttls":
    controller = Controller(Mailbox(maildir), tls_context=context, require_starttls=True, **common)
else:
    controller = Controller(Mailbox(maildir), ssl_context=context, auth_require_tls=False, **common)
controller.start()
print("ready", flush=True)
while True:
    time.sleep(3600)
"#;

async fn start_tls_smtp(mode: &str) -> TlsSmtp {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair, SanType};
    let port = free_port();
    let maildir = tempfile::tempdir().unwrap();
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let mut server_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    server_params.subject_alt_names = vec![SanType::IpAddress("127.0.0.1".parse().unwrap())];
    let server_cert = server_params.signed_by(&server_key, &ca, &ca_key).unwrap();
    let (cert, key, ca_file) =
        (maildir.path().join("server.pem"), maildir.path().join("server.key"), maildir.path().join("ca.pem"));
    std::fs::write(&cert, server_cert.pem()).unwrap();
    std::fs::write(&key, server_key.serialize_pem()).unwrap();
    std::fs::write(&ca_file, ca.pem()).unwrap();
    let child = Command::new("python3")
        .args(["-c", TLS_SMTP, mode, &port.to_string()])
        .arg(&cert)
        .arg(&key)
        .arg(maildir.path().join("mail"))
        .args(["portico-mailer", "s3cret-smtp-password"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("python3 with aiosmtpd (scripts/setup.sh --test installs it)");
    let server = SmtpServer { child, port, maildir };
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return TlsSmtp { server, ca_file };
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("aiosmtpd ({mode}) did not start on port {port}");
}

fn tls_transport(server: &TlsSmtp, tls: SmtpTls, password: &str) -> Transport {
    let mut settings = mail_settings("127.0.0.1", server.server.port);
    settings.smtp_tls = tls;
    settings.smtp_username = "portico-mailer".into();
    settings.smtp_password = password.into();
    settings.smtp_ca_file = server.ca_file.display().to_string();
    Transport::from_settings(&settings).expect("TLS transport")
}

async fn wait_for_delivery(server: &SmtpServer, count: usize) -> Vec<String> {
    let mut messages = Vec::new();
    for _ in 0..100 {
        messages = delivered(server);
        if messages.len() >= count {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    messages
}

/// The delivered messages, decoded to text.
fn delivered(server: &SmtpServer) -> Vec<String> {
    let dir = server.maildir.path().join("mail").join("new");
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    entries
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .map(|raw| {
            let (headers, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
            let body = if headers.to_lowercase().contains("content-transfer-encoding: base64") {
                let compact: String = body.split_whitespace().collect();
                String::from_utf8(base64::engine::general_purpose::STANDARD.decode(compact).unwrap_or_default())
                    .unwrap_or_default()
            } else {
                body.replace("=\n", "").replace("=\r\n", "")
            };
            format!("{headers}\n\n{body}")
        })
        .collect()
}

async fn fail_a_payment(app: &TestApp) {
    let owner = app.login("owner@northwind.test").await;
    let token = app.card_token("4000000000000341").await;
    let added = app.call("payment-methods/add", &[("token", &token), ("make_default", "false")], Some(&owner)).await;
    let method = added.json::<serde_json::Value>()["id"].as_str().unwrap().to_string();
    let (invoice,): (String,) = sqlx::query_as(
        "SELECT id FROM invoices WHERE account_id = 'acc_northwind' AND kind = 'license' AND status = 'open'",
    )
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    let res = app
        .call_json("payments/pay", serde_json::json!({ "invoice_ids": [invoice], "method": method, "idempotency_key": "mail-test-declined-0000001" }), Some(&owner))
        .await;
    assert!(res.body.contains("Declined"), "{}", res.body);
}

#[tokio::test]
async fn a_failed_payment_email_reaches_the_smtp_server_after_a_failed_send_is_retried() {
    let app = TestApp::with_demo().await;
    fail_a_payment(&app).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL").await, 2);

    // The mail server is down: nothing is lost, each email records the failure.
    let closed = free_port();
    assert_eq!(deliver_due(&app.state, &smtp(closed)).await.unwrap(), (0, 2));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND attempts = 1 AND last_error IS NOT NULL")
            .await,
        2
    );

    let server = start_smtp().await;
    let transport = smtp(server.port);
    // Not yet due for a retry.
    assert_eq!(deliver_due(&app.state, &transport).await.unwrap(), (0, 0));
    app.clock.advance(Duration::seconds(31));
    assert_eq!(deliver_due(&app.state, &transport).await.unwrap(), (2, 0));
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL").await, 0);
    // Delivered once: another pass sends nothing again.
    app.clock.advance(Duration::hours(2));
    assert_eq!(deliver_due(&app.state, &transport).await.unwrap(), (0, 0));

    let mut messages = Vec::new();
    for _ in 0..50 {
        messages = delivered(&server);
        if messages.len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(messages.len(), 2, "both billing contacts got the email");
    let to_ap = messages.iter().find(|m| m.contains("ap@northwind.test")).expect("email to accounts payable");
    assert!(to_ap.contains("Subject: Payment failed for invoice ACME-"), "{to_ap}");
    assert!(to_ap.contains("Your card was declined."), "{to_ap}");
    assert!(to_ap.contains("http://127.0.0.1:3000/pay/"), "{to_ap}");
}

#[tokio::test]
async fn mail_goes_over_starttls_or_implicit_tls_with_credentials_and_never_in_the_clear() {
    for (mode, tls) in [("starttls", SmtpTls::Starttls), ("implicit", SmtpTls::Tls)] {
        let app = TestApp::with_demo().await;
        fail_a_payment(&app).await;
        let server = start_tls_smtp(mode).await;

        // A wrong password is refused by the server: the emails stay, marked with the error.
        assert_eq!(deliver_due(&app.state, &tls_transport(&server, tls, "wrong")).await.unwrap(), (0, 2), "{mode}");
        // Plain SMTP to a server that requires STARTTLS sends nothing either. (Against implicit
        // TLS a plain client only waits for a greeting that never comes.)
        if tls == SmtpTls::Starttls {
            app.clock.advance(Duration::seconds(31));
            assert_eq!(deliver_due(&app.state, &smtp(server.server.port)).await.unwrap(), (0, 2), "{mode}");
        }
        assert!(delivered(&server.server).is_empty());

        app.clock.advance(Duration::minutes(5));
        assert_eq!(
            deliver_due(&app.state, &tls_transport(&server, tls, "s3cret-smtp-password")).await.unwrap(),
            (2, 0),
            "{mode}"
        );
        let messages = wait_for_delivery(&server.server, 2).await;
        assert_eq!(messages.len(), 2, "{mode}");
        assert!(messages.iter().all(|m| m.contains("Your card was declined.")), "{mode}");
    }
}

/// Everything the server logs, while `work` runs.
struct LogCapture(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogCapture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn without_an_smtp_server_each_email_is_noted_in_the_log_without_its_body() {
    let app = TestApp::with_demo().await;
    fail_a_payment(&app).await;
    let bodies: Vec<String> =
        sqlx::query_scalar("SELECT body_text FROM outbox").fetch_all(app.state.db.pool()).await.unwrap();
    let link =
        bodies[0].lines().find(|l| l.contains("/pay/")).expect("the email carries a payment link").trim().to_string();

    let captured = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(move || LogCapture(writer.clone()))
        .with_max_level(tracing::Level::TRACE)
        .finish();
    let log = Transport::from_settings(&mail_settings("", 25)).unwrap();
    {
        let _guard = tracing::subscriber::set_default(subscriber);
        assert_eq!(deliver_due(&app.state, &log).await.unwrap(), (2, 0));
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL").await, 2);
    let logged = String::from_utf8(captured.lock().unwrap().clone()).unwrap();
    assert!(logged.contains("to=ap@northwind.test") && logged.contains("kind=payment_failed"), "{logged}");
    assert!(logged.contains("Payment failed for invoice ACME-"), "{logged}");
    let token = link.rsplit('/').next().unwrap();
    assert!(!logged.contains(token) && !logged.contains("/pay/"), "no link in the log: {logged}");
    assert!(!logged.contains("Your card was declined"), "no body in the log: {logged}");
}

/// The loops themselves, not only their passes: each runs its first pass at once (the mailer
/// sweeps expired sessions, the webhook loop watches service status) and ends without a panic
/// when the server stops. Their "last run" once started at `i64::MIN`, which overflowed on the
/// first pass: a panic here (tests are debug builds), and a chore that never ran in release.
#[tokio::test]
async fn the_background_loops_run_their_first_pass_at_once_and_stop_cleanly() {
    use portico::server::infra::background::Background;
    let app = TestApp::with_demo().await;
    app.login("owner@northwind.test").await;
    sqlx::query("UPDATE sessions SET expires_at = 0").execute(app.state.db.pool()).await.unwrap();
    let background = Background::new();
    let mailer = portico::server::infra::mail::spawn_background(app.state.clone(), background.signal())
        .expect("the log transport starts");
    let webhooks = portico::server::webhooks::deliver::spawn_background(app.state.clone(), background.signal())
        .expect("the webhook loop starts");

    // A failure guard, not a speed target: the sweep is the mailer's first pass.
    let mut left = i64::MAX;
    for _ in 0..300 {
        left = app.count("SELECT COUNT(*) FROM sessions").await;
        if left == 0 || mailer.is_finished() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(left, 0, "the expired session was swept");

    // The server stops (its side of the signal goes away): both loops end on their own.
    drop(background);
    let guard = std::time::Duration::from_secs(30);
    tokio::time::timeout(guard, mailer).await.expect("the mailer stopped").expect("without a panic");
    tokio::time::timeout(guard, webhooks).await.expect("the webhook loop stopped").expect("without a panic");
}
