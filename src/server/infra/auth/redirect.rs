//! Where a browser may be sent after signing in: a path on the portal itself, never another
//! site. The `next` parameter comes from a link anyone can craft, so it is judged the way the
//! browser will read it: parsed by the WHATWG URL rules against the portal's own address (which
//! drop tabs and newlines, read backslashes as slashes and percent-decode nothing that matters),
//! and followed only if it stays on the portal's origin.

use url::Url;

/// The path (with query and fragment) to send the browser to after sign-in: `next` when it is
/// a path on `public_url`'s origin, else the dashboard.
pub fn safe_next(public_url: &str, next: Option<&str>) -> String {
    let Some(next) = next.map(str::trim) else { return "/".into() };
    // Only a path written as a path: no scheme, no authority, no control characters or
    // backslashes at all (however a browser would read them, a real link has none).
    if !next.starts_with('/') || next.starts_with("//") || next.chars().any(|c| c.is_control() || c == '\\') {
        return "/".into();
    }
    let Ok(base) = Url::parse(public_url) else { return "/".into() };
    match base.join(next) {
        Ok(target) if target.origin() == base.origin() => {
            let mut path = target.path().to_string();
            if let Some(query) = target.query() {
                path.push('?');
                path.push_str(query);
            }
            // A path that, once parsed, would itself read as scheme-relative.
            if path.starts_with("//") { "/".into() } else { path }
        }
        _ => "/".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    const PORTAL: &str = "https://billing.example.com";

    #[test]
    fn follows_paths_on_the_portal() {
        assert_eq!(safe_next(PORTAL, Some("/invoices/inv_1")), "/invoices/inv_1");
        assert_eq!(safe_next(PORTAL, Some("/usage?month=2026-11&number=num_1")), "/usage?month=2026-11&number=num_1");
        assert_eq!(safe_next(PORTAL, None), "/");
        assert_eq!(safe_next(PORTAL, Some("")), "/");
    }

    #[test]
    fn refuses_every_way_out_however_encoded() {
        for hostile in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "\t//evil.example",
            "/%09/evil.example",
            "javascript:alert(1)",
            "evil.example",
            "/\u{0000}/evil.example",
            "http:/evil.example",
            "///evil.example",
            "/..//evil.example",
            "/.//evil.example",
        ] {
            let followed = safe_next(PORTAL, Some(hostile));
            assert!(followed.starts_with('/') && !followed.starts_with("//"), "{hostile:?} -> {followed:?}");
            let resolved = url::Url::parse(PORTAL).unwrap().join(&followed).unwrap();
            assert_eq!(resolved.host_str(), Some("billing.example.com"), "{hostile:?} -> {followed:?}");
        }
    }
}
