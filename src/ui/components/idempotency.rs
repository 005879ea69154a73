//! Idempotency keys made in the browser, for an island whose next payment must be a new one (a
//! second top-up, a payment link's retry after a decline). A page's first key comes from the
//! server; the server only checks a key's shape (`server::payments::key`) and namespaces it by
//! account or link, so a key chosen here can name no one else's payment.

/// A fresh key, `<prefix>_` and 32 hex digits of the browser's cryptographic randomness. Empty
/// without a browser (never used on the server) or without its crypto: the payment is then
/// refused as malformed rather than risk two payments sharing a key.
pub fn new_idempotency_key(prefix: &str) -> String {
    #[cfg(feature = "hydrate")]
    {
        let mut bytes = [0u8; 16];
        let filled = web_sys::window()
            .and_then(|w| w.crypto().ok())
            .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
        if filled {
            return format!("{prefix}_{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>());
        }
    }
    let _ = prefix;
    String::new()
}
