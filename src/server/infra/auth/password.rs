//! Password hashing with argon2id (the crate's defaults follow OWASP's recommendation).

use argon2::password_hash::{Output, PasswordHash, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::wire::error::AppError;

pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    let params = Params::default();
    let mut salt_bytes = [0u8; 64];
    let salt_raw = salt.as_salt().decode_b64(&mut salt_bytes)?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    with_blocks(params.block_count(), |blocks| {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone()).hash_password_into_with_memory(
            password.as_bytes(),
            salt_raw,
            &mut out,
            blocks,
        )
    })?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: (&params).try_into()?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out)?),
    };
    Ok(hash.to_string())
}

/// Whether `password` is the one `stored_hash` (a PHC string) was made from. The comparison of
/// the outputs is constant-time (`Output`'s equality).
pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored_hash) else { return false };
    let (Ok(algorithm), Ok(params)) = (Algorithm::try_from(parsed.algorithm), Params::try_from(&parsed)) else {
        return false;
    };
    let version = parsed.version.map_or(Ok(Version::V0x13), Version::try_from);
    let (Ok(version), Some(salt), Some(expected)) = (version, parsed.salt, parsed.hash) else { return false };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else { return false };
    let mut out = vec![0u8; expected.len()];
    let computed = with_blocks(params.block_count(), |blocks| {
        Argon2::new(algorithm, version, params.clone()).hash_password_into_with_memory(
            password.as_bytes(),
            salt,
            &mut out,
            blocks,
        )
    });
    computed.is_ok() && Output::new(&out).is_ok_and(|output| output == expected)
}

thread_local! {
    /// The memory argon2 works in, kept by each hashing thread and reused for every hash: a
    /// fresh 19 MiB per hash is what made a flood of sign-ins grow the process by hundreds of
    /// MiB (the allocator kept each thread's freed copies).
    static BLOCKS: std::cell::RefCell<Vec<Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn with_blocks<T>(count: usize, work: impl FnOnce(&mut [Block]) -> T) -> T {
    BLOCKS.with(|cell| {
        let mut blocks = cell.borrow_mut();
        if blocks.len() < count {
            blocks.resize(count, Block::default());
        }
        work(&mut blocks[..count])
    })
}

/// Spends the same work as a real check when the email is unknown, so that response time
/// does not tell whether an account exists.
pub fn burn_equivalent_time(password: &str) {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    if let Some(hash) = DUMMY.get_or_init(|| hash_password("portico-timing-equaliser").ok()) {
        let _ = verify_password(password, hash);
    }
}

/// Which queue a password check waits in. Callers that have been failing (see
/// `throttle::Attempt::is_suspect`) share one slot and a short queue, so that someone guessing
/// from a few addresses cannot crowd out people signing in normally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    Normal,
    Suspect,
}

struct Queue {
    /// The threads that hash: a fixed few, so the memory each keeps for argon2 is bounded.
    pool: rayon::ThreadPool,
    waiting: AtomicUsize,
    max_waiting: usize,
}

/// Password hashes computed at once: one per core in the normal lane, one in the suspect lane,
/// each on threads of its own. Each argon2id hash takes 19 MiB and a core for tens of
/// milliseconds, so a flood of sign-ins must queue rather than take a thread each (whose
/// allocator would keep those 19 MiB); the queues are bounded too.
fn queue(lane: Lane) -> &'static Queue {
    static NORMAL: OnceLock<Queue> = OnceLock::new();
    static SUSPECT: OnceLock<Queue> = OnceLock::new();
    let build = |threads: usize, max_waiting: usize, name: &'static str| Queue {
        pool: rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(move |i| format!("{name}-{i}"))
            .build()
            .expect("the password hashing threads start"),
        waiting: AtomicUsize::new(0),
        max_waiting,
    };
    match lane {
        Lane::Normal => NORMAL.get_or_init(|| {
            build(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).max(2), MAX_QUEUED_HASHES, "hash")
        }),
        Lane::Suspect => SUSPECT.get_or_init(|| build(1, 16, "hash-suspect")),
    }
}

/// Password checks allowed to wait in the normal lane; beyond this the caller is told the
/// server is busy (503) at once, so a flood costs neither memory nor threads.
pub const MAX_QUEUED_HASHES: usize = 64;
/// The longest a password check waits for its turn.
const HASH_QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

struct Queued(&'static Queue);

impl Drop for Queued {
    fn drop(&mut self) {
        self.0.waiting.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Runs argon2 work (CPU-bound by design) off the async workers in the normal lane.
pub async fn off_the_workers<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    hash_in(Lane::Normal, work).await
}

/// Runs argon2 work on the lane's threads, with a bounded queue: a caller that would wait
/// beyond it, or longer than ten seconds, is told the server is busy (503).
pub async fn hash_in<T: Send + 'static>(lane: Lane, work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    let queue = queue(lane);
    if queue.waiting.fetch_add(1, Ordering::AcqRel) >= queue.max_waiting {
        queue.waiting.fetch_sub(1, Ordering::AcqRel);
        return Err(AppError::Busy.tracked());
    }
    let queued = Queued(queue);
    let (done, result) = tokio::sync::oneshot::channel();
    queue.pool.spawn(move || {
        // Dropped (not run) when the caller gave up waiting meanwhile.
        if !done.is_closed() {
            let _ = done.send(work());
        }
        drop(queued);
    });
    match tokio::time::timeout(HASH_QUEUE_WAIT, result).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(_)) => Err(AppError::internal("password work", "the hashing thread stopped")),
        Err(_) => Err(AppError::Busy.tracked()),
    }
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
    fn hashes_are_standard_argon2id_phc_strings_both_ways() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let ours = hash_password("portico-demo").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default().verify_password(b"portico-demo", &parsed).is_ok(), "the crate verifies ours");
        let theirs =
            Argon2::default().hash_password(b"portico-demo", &SaltString::generate(&mut OsRng)).unwrap().to_string();
        assert!(
            verify_password("portico-demo", &theirs) && !verify_password("portico-demo!", &theirs),
            "we verify the crate's"
        );
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
