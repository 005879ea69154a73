//! The outbox delivered to a real SMTP server on loopback (Python's aiosmtpd, which the test
//! command installs), including a send that fails and is retried.

use base64::Engine;
use std::net::TcpListener;
use std::process::{Child, Command};
use time::Duration;

use crate::support::TestApp;
use portico::server::config::MailSettings;
use portico::server::mailer::{Transport, deliver_due};

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

fn smtp(port: u16) -> Transport {
    Transport::from_settings(&MailSettings {
        smtp_host: "127.0.0.1".into(),
        smtp_port: port,
        from: "Acme Messaging billing <billing@acme.test>".into(),
        poll_seconds: 1,
    })
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
                String::from_utf8(base64::engine::general_purpose::STANDARD.decode(compact).unwrap_or_default()).unwrap_or_default()
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
    let (invoice,): (String,) = sqlx::query_as("SELECT id FROM invoices WHERE account_id = 'acc_northwind' AND kind = 'license' AND status = 'open'")
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
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND attempts = 1 AND last_error IS NOT NULL").await, 2);

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
async fn without_an_smtp_server_emails_are_written_to_the_log_and_marked_sent() {
    let app = TestApp::with_demo().await;
    fail_a_payment(&app).await;
    let log = Transport::from_settings(&MailSettings { smtp_host: String::new(), smtp_port: 25, from: "x <x@acme.test>".into(), poll_seconds: 1 });
    assert_eq!(deliver_due(&app.state, &log).await.unwrap(), (2, 0));
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL").await, 2);
}
