//! Idempotency keys as stored and sent to the processor. A key sent by a client (the payment
//! page, a top-up, a subscription change, a payment link) is namespaced by whom it belongs to:
//! `client:<account>:<key>`, or `link:<link>:<key>` for someone paying through a link. The
//! system's own keys (`cycle-<invoice>-<attempt>`, `auto-top-up-<id>`) start otherwise, so no
//! key a client chooses can be, block or replay another account's payment or an automatic
//! charge, at Portico or at the processor.

use crate::domain::ids::AccountId;
use crate::wire::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentKey(String);

/// What a client's key may be: long enough to be unguessable, short and plain enough to store.
fn check(raw: &str) -> Result<&str, AppError> {
    let raw = raw.trim();
    let plain = raw.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if raw.len() < 16 || raw.len() > 90 || !plain {
        return Err(AppError::invalid("idempotency_key", "Reload the page and try again."));
    }
    Ok(raw)
}

impl PaymentKey {
    /// A key the account's own people sent (the payment page, a top-up, a change).
    pub fn client(account_id: &AccountId, raw: &str) -> Result<PaymentKey, AppError> {
        Ok(PaymentKey(format!("client:{account_id}:{}", check(raw)?)))
    }

    /// A key sent by someone paying through the link whose token hashes to `link_hash`.
    pub fn link(link_hash: &str, raw: &str) -> Result<PaymentKey, AppError> {
        Ok(PaymentKey(format!("link:{link_hash}:{}", check(raw)?)))
    }

    /// One of the system's own keys (the billing cycle's, an automatic top-up's).
    pub fn system(key: impl Into<String>) -> PaymentKey {
        PaymentKey(key.into())
    }

    /// A key as it was stored, already in its namespace (a change's, to derive its charge's).
    pub fn from_stored(key: &str) -> PaymentKey {
        PaymentKey(key.to_string())
    }

    /// The same key for the charge that follows a change made with this one.
    pub fn derived(&self, suffix: &str) -> PaymentKey {
        PaymentKey(format!("{}-{suffix}", self.0))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clients_key_lives_in_its_accounts_namespace() {
        let key = PaymentKey::client(&AccountId::from("acc_1"), "idem_0123456789abcdef").unwrap();
        assert_eq!(key.as_str(), "client:acc_1:idem_0123456789abcdef");
        assert_ne!(key, PaymentKey::client(&AccountId::from("acc_2"), "idem_0123456789abcdef").unwrap());
        // Whatever a client sends, it is never one of the system's keys.
        let mimic = PaymentKey::client(&AccountId::from("acc_1"), "cycle-inv_abc-1-padded").unwrap();
        assert!(!mimic.as_str().starts_with(crate::server::cycle::collect::KEY_PREFIX));
        assert_ne!(PaymentKey::link("h", "idem_0123456789abcdef").unwrap().as_str(), key.as_str());
    }

    #[test]
    fn short_long_or_odd_keys_are_refused() {
        for raw in
            ["short", &"x".repeat(91), "idem with spaces here", "idem:0123456789abcdef", "idem\n0123456789abcdef"]
        {
            assert!(PaymentKey::client(&AccountId::from("acc_1"), raw).is_err(), "{raw:?}");
        }
    }
}
