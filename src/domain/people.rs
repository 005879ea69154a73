/// Up to two initials for an avatar: first letters of the first and last words of a name,
/// falling back to the email's first letter. Works for non-ASCII names ("Émile Zola" -> "ÉZ").
pub fn initials(name: &str, email: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    let first_letter = |w: &str| w.chars().find(|c| c.is_alphanumeric());
    let letters: Vec<char> = match words.as_slice() {
        [] => email.chars().find(|c| c.is_alphanumeric()).into_iter().collect(),
        [only] => first_letter(only).into_iter().collect(),
        [first, .., last] => first_letter(first).into_iter().chain(first_letter(last)).collect(),
    };
    letters.into_iter().flat_map(char::to_uppercase).collect()
}

/// A light check of an email's shape; the real check is that mail arrives.
pub fn is_plausible_email(email: &str) -> bool {
    let email = email.trim();
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(char::is_whitespace)
                && email.len() <= 254
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_first_and_last_initials() {
        assert_eq!(initials("Olivia Owner", "o@x.test"), "OO");
        assert_eq!(initials("Mary Ann van der Berg", "m@x.test"), "MB");
        assert_eq!(initials("cher", "c@x.test"), "C");
        assert_eq!(initials("  ", "zed@x.test"), "Z");
        assert_eq!(initials("émile zola", "e@x.test"), "ÉZ");
        assert_eq!(initials("", ""), "");
    }

    #[test]
    fn recognises_plausible_emails() {
        assert!(is_plausible_email("owner@northwind.test"));
        assert!(is_plausible_email(" a@b.co "));
        assert!(!is_plausible_email("no-at-sign"));
        assert!(!is_plausible_email("@northwind.test"));
        assert!(!is_plausible_email("a@localhost"));
        assert!(!is_plausible_email("a b@c.de"));
    }
}
