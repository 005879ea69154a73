//! The server's secret: the key behind everything Portico signs or keys (sandbox tokens, card
//! fingerprints). Set it with `[server] secret` (or `PORTICO_SERVER_SECRET`); when it is empty,
//! a random one is made on first start and kept in the database, so every process on that
//! database (and every restart) uses the same. Each use derives its own key from it, so a key
//! that leaks for one purpose is no use for another.

use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::server::infra::db::Db;

type HmacSha256 = Hmac<Sha256>;

#[derive(Clone)]
pub struct ServerSecret([u8; 32]);

impl std::fmt::Debug for ServerSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerSecret(…)")
    }
}

/// What a derived key is for. One per use, never shared.
#[derive(Debug, Clone, Copy)]
pub enum Purpose {
    SandboxTokens,
    CardFingerprints,
}

impl Purpose {
    fn label(self) -> &'static str {
        match self {
            Purpose::SandboxTokens => "portico/sandbox-tokens/v1",
            Purpose::CardFingerprints => "portico/card-fingerprints/v1",
        }
    }
}

impl ServerSecret {
    /// A secret from the settings (any string of 32 characters or more), or the database's.
    pub async fn load(db: &Db, configured: &str) -> Result<ServerSecret, sqlx::Error> {
        let configured = configured.trim();
        if !configured.is_empty() {
            return Ok(ServerSecret::from_text(configured));
        }
        let mut fresh = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut fresh);
        let encoded = base64::engine::general_purpose::STANDARD.encode(fresh);
        // The first process to start keeps its secret; every later one reads it.
        sqlx::query("INSERT INTO instance_secrets (name, value) VALUES ('server', $1) ON CONFLICT (name) DO NOTHING")
            .bind(&encoded)
            .execute(db.pool())
            .await?;
        let stored: String =
            sqlx::query_scalar("SELECT value FROM instance_secrets WHERE name = 'server'").fetch_one(db.pool()).await?;
        Ok(ServerSecret::from_text(&stored))
    }

    pub fn from_text(text: &str) -> ServerSecret {
        let mut mac = HmacSha256::new_from_slice(b"portico/server-secret").expect("HMAC takes keys of any length");
        mac.update(text.as_bytes());
        ServerSecret(mac.finalize().into_bytes().into())
    }

    /// HMAC-SHA256 of `message` under the key for `purpose`.
    pub fn sign(&self, purpose: Purpose, message: &[u8]) -> [u8; 32] {
        let mut mac = HmacSha256::new_from_slice(&self.derive(purpose)).expect("HMAC takes keys of any length");
        mac.update(message);
        mac.finalize().into_bytes().into()
    }

    /// Whether `signature` is `message`'s under `purpose`, compared in constant time.
    pub fn verify(&self, purpose: Purpose, message: &[u8], signature: &[u8]) -> bool {
        let mut mac = HmacSha256::new_from_slice(&self.derive(purpose)).expect("HMAC takes keys of any length");
        mac.update(message);
        mac.verify_slice(signature).is_ok()
    }

    fn derive(&self, purpose: Purpose) -> [u8; 32] {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        mac.update(purpose.label().as_bytes());
        mac.finalize().into_bytes().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_only_for_their_message_purpose_and_secret() {
        let secret = ServerSecret::from_text("a secret of more than thirty-two characters");
        let signature = secret.sign(Purpose::SandboxTokens, b"body");
        assert!(secret.verify(Purpose::SandboxTokens, b"body", &signature));
        assert!(!secret.verify(Purpose::SandboxTokens, b"bodY", &signature));
        assert!(!secret.verify(Purpose::CardFingerprints, b"body", &signature));
        assert!(!ServerSecret::from_text("another secret").verify(Purpose::SandboxTokens, b"body", &signature));
        assert!(!secret.verify(Purpose::SandboxTokens, b"body", &signature[..16]));
    }
}
