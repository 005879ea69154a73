//! Password hashing with argon2id (the crate's defaults follow OWASP's recommendation).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::Argon2;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::api::error::AppError;

pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default().hash_password(password.as_bytes(), &salt)?.to_string())
}

pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    match PasswordHash::new(stored_hash) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// Spends the same work as a real check when the email is unknown, so that response time
/// does not tell whether an account exists.
pub fn burn_equivalent_time(password: &str) {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    if let Some(hash) = DUMMY.get_or_init(|| hash_password("portico-timing-equaliser").ok()) {
        let _ = verify_password(password, hash);
    }
}

/// Password hashes computed at once: one per core. Each argon2id hash takes 19 MiB and a core
/// for tens of milliseconds, so a flood of sign-ins must queue rather than spawn a thread each.
fn hashing_slots() -> &'static tokio::sync::Semaphore {
    static SLOTS: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    SLOTS.get_or_init(|| tokio::sync::Semaphore::new(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).max(2)))
}

/// Password checks allowed to wait for a slot; beyond this the caller is told the server is busy
/// (503) at once, so a flood costs neither memory nor threads.
pub const MAX_QUEUED_HASHES: usize = 64;
/// The longest a password check waits for a slot.
const HASH_QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

static QUEUED: AtomicUsize = AtomicUsize::new(0);

struct Queued;

impl Drop for Queued {
    fn drop(&mut self) {
        QUEUED.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Runs argon2 work (CPU-bound by design) off the async workers, at most one per core at a
/// time, with a bounded queue (see [`MAX_QUEUED_HASHES`]).
pub async fn off_the_workers<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    if QUEUED.fetch_add(1, Ordering::AcqRel) >= MAX_QUEUED_HASHES {
        QUEUED.fetch_sub(1, Ordering::AcqRel);
        return Err(AppError::Busy.tracked());
    }
    let queued = Queued;
    let permit = match tokio::time::timeout(HASH_QUEUE_WAIT, hashing_slots().acquire()).await {
        Ok(Ok(permit)) => permit,
        _ => return Err(AppError::Busy.tracked()),
    };
    drop(queued);
    let result = tokio::task::spawn_blocking(work).await.map_err(|e| AppError::internal("password work", e));
    drop(permit);
    result
}

/// Rules for a new password: long enough to resist guessing; no composition rules (NIST 800-63B).
pub fn password_problem(password: &str) -> Option<&'static str> {
    if password.chars().count() < 10 {
        Some("Use at least 10 characters.")
    } else if password.len() > 256 {
        Some("Use at most 256 characters.")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies_the_right_password_only() {
        let hash = hash_password("portico-demo").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("portico-demo", &hash));
        assert!(!verify_password("portico-dem0", &hash));
        assert!(!verify_password("portico-demo", "not a hash"));
    }

    #[test]
    fn salts_every_hash() {
        assert_ne!(hash_password("same").unwrap(), hash_password("same").unwrap());
    }

    #[test]
    fn asks_for_ten_characters() {
        assert!(password_problem("short").is_some());
        assert!(password_problem("long enough!").is_none());
    }
}
