//! Operator API keys as people handle them: the name staff give a key and the short prefix
//! that tells keys apart without revealing them. The key itself is random and only its hash
//! is stored (see `server::api_keys`).

/// Every key starts with this, so a leaked one is recognisable in logs and secret scanners.
pub const KEY_PREFIX: &str = "pk_";

/// How many characters of a key are kept to show it: the marker and 8 random characters,
/// enough to tell a vendor's keys apart, far too few to guess the rest.
pub const DISPLAY_CHARS: usize = KEY_PREFIX.len() + 8;

pub const NAME_MAX_CHARS: usize = 80;

/// The name of a new key, trimmed, or the sentence that says what is wrong with it.
pub fn validate_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("Give the key a name that says which system uses it, like \u{201c}Billing sync\u{201d}.".into());
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(format!("Use at most {NAME_MAX_CHARS} characters."));
    }
    if name.chars().any(char::is_control) {
        return Err("Use letters, digits, spaces and punctuation only.".into());
    }
    Ok(name.to_string())
}

/// The part of a key that is stored and shown.
pub fn display_prefix(key: &str) -> String {
    key.chars().take(DISPLAY_CHARS).collect()
}

/// The form of a key as shown in lists: `pk_AbCd1234…`.
pub fn masked(prefix: &str) -> String {
    format!("{prefix}\u{2026}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_required_trimmed_and_bounded() {
        assert_eq!(validate_name("  Billing sync "), Ok("Billing sync".to_string()));
        assert!(validate_name("   ").unwrap_err().contains("Give the key a name"));
        assert!(validate_name(&"x".repeat(81)).unwrap_err().contains("at most 80"));
        assert_eq!(validate_name(&"é".repeat(80)).map(|n| n.chars().count()), Ok(80));
        assert!(validate_name("a\u{0}b").is_err());
    }

    #[test]
    fn only_the_marker_and_eight_characters_are_kept() {
        let key = "pk_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde";
        assert_eq!(display_prefix(key), "pk_AbCdEfGh");
        assert_eq!(masked(&display_prefix(key)), "pk_AbCdEfGh\u{2026}");
        assert_eq!(display_prefix("pk_"), "pk_");
    }
}
