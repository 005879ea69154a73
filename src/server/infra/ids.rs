//! Identifiers. Public ids are prefixed and random (`inv_…`), so they reveal neither how many
//! objects exist nor guess their neighbours; session tokens are 256 random bits.

use base64::Engine;
use rand::Rng;
use rand::distributions::Alphanumeric;
use sha2::{Digest, Sha256};

pub fn new_id(prefix: &str) -> String {
    let body: String = rand::thread_rng().sample_iter(&Alphanumeric).take(22).map(char::from).collect();
    format!("{prefix}_{body}")
}

/// A fresh secret token, URL-safe.
pub fn new_secret_token() -> String {
    let bytes: [u8; 32] = rand::thread_rng().r#gen();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored in place of a secret token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_prefixed_and_distinct() {
        let a = new_id("inv");
        let b = new_id("inv");
        assert!(a.starts_with("inv_") && a.len() == 26);
        assert_ne!(a, b);
    }

    #[test]
    fn tokens_are_long_and_hash_stably() {
        let t = new_secret_token();
        assert_eq!(t.len(), 43);
        assert_eq!(token_hash(&t), token_hash(&t));
        assert_ne!(token_hash(&t), t);
        assert_ne!(token_hash(&t), token_hash(&new_secret_token()));
    }
}
