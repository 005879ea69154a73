//! Webhooks: what events the vendor's systems can hear about, which endpoint hears which, and
//! how long a delivery is retried.

use serde::{Deserialize, Serialize};

use crate::domain::billing_items::string_enum;

string_enum! {
    /// Something that happened to a client account, told to the vendor's systems.
    EventType {
        InvoiceIssued => "invoice.issued", "An invoice was issued";
        InvoicePaid => "invoice.paid", "An invoice was paid in full";
        InvoicePaymentFailed => "invoice.payment_failed", "A payment of an invoice failed";
        InvoiceVoided => "invoice.voided", "An invoice was voided";
        InvoiceCredited => "invoice.credited", "A credit note was issued against an invoice";
        PaymentSucceeded => "payment.succeeded", "A payment succeeded";
        PaymentFailed => "payment.failed", "A payment failed";
        PaymentRefunded => "payment.refunded", "A payment was refunded to the credit balance";
        SubscriptionCreated => "subscription.created", "A subscription was created";
        SubscriptionChanged => "subscription.changed", "A subscription's plan, quantity or renewal changed";
        SubscriptionCancelled => "subscription.cancelled", "A subscription was cancelled";
        EstimateCreated => "estimate.created", "An estimate or proposal was sent";
        EstimateApproved => "estimate.approved", "An estimate or proposal was approved";
        EstimateDeclined => "estimate.declined", "An estimate or proposal was declined";
        CreditLow => "credit.low", "The credit balance fell below its alert threshold";
        ServiceBlocked => "service.blocked", "Service was blocked for an unpaid balance";
        ServiceResumed => "service.resumed", "Service resumed";
        PersonAdded => "person.added", "A person joined the account";
        PersonRemoved => "person.removed", "A person left the account";
        AccountUpdated => "account.updated", "The account's billing details changed";
    }
}

/// Which events an endpoint receives: all of them, or the listed ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventFilter {
    All,
    Only(Vec<EventType>),
}

impl EventFilter {
    /// Parses a list of event types; `*` means every event, now and added later.
    pub fn parse(types: &[String]) -> Result<EventFilter, String> {
        if types.is_empty() {
            return Err("Choose at least one event, or \u{201c}*\u{201d} for all of them.".into());
        }
        if types.iter().any(|t| t == "*") {
            return Ok(EventFilter::All);
        }
        let mut parsed = Vec::new();
        for name in types {
            let Some(kind) = EventType::parse(name) else {
                return Err(format!("\u{201c}{name}\u{201d} is not an event type."));
            };
            if !parsed.contains(&kind) {
                parsed.push(kind);
            }
        }
        Ok(EventFilter::Only(parsed))
    }

    /// As stored: `*` or comma-separated names.
    pub fn stored(&self) -> String {
        match self {
            EventFilter::All => "*".into(),
            EventFilter::Only(types) => types.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(","),
        }
    }

    pub fn from_stored(stored: &str) -> EventFilter {
        if stored == "*" {
            EventFilter::All
        } else {
            EventFilter::Only(stored.split(',').filter_map(EventType::parse).collect())
        }
    }

    pub fn names(&self) -> Vec<String> {
        match self {
            EventFilter::All => vec!["*".into()],
            EventFilter::Only(types) => types.iter().map(|t| t.as_str().to_string()).collect(),
        }
    }

    pub fn matches(&self, kind: EventType) -> bool {
        match self {
            EventFilter::All => true,
            EventFilter::Only(types) => types.contains(&kind),
        }
    }
}

/// How long a delivery is retried before it is given up (staff can still resend it).
pub const RETRY_FOR_SECS: i64 = 24 * 60 * 60;

/// Seconds to wait after the `attempts`-th failed attempt: 30 s, 1 min, 2 min, … doubling up to
/// an hour between attempts, so a receiver down for a day is tried about thirty times.
pub fn retry_delay(attempts: i64) -> i64 {
    let exponent = attempts.clamp(1, 8) - 1;
    (30_i64 << exponent).min(60 * 60)
}

/// The next attempt's time after a failure, or `None` once a day has passed since the event:
/// then the delivery is given up.
pub fn next_attempt(created_at: i64, attempts: i64, now: i64) -> Option<i64> {
    let next = now + retry_delay(attempts);
    (next <= created_at + RETRY_FOR_SECS).then_some(next)
}

/// An endpoint's URL: absolute http(s), no credentials in it, at most 2,000 characters. Plain
/// http is allowed only when `allow_http` (development and tests; a production server asks
/// for https).
pub fn check_endpoint_url(url: &str, allow_http: bool) -> Result<(), String> {
    let url = url.trim();
    if url.is_empty() || url.len() > 2000 {
        return Err("Enter the URL that receives events, up to 2,000 characters.".into());
    }
    let rest = if let Some(rest) = url.strip_prefix("https://") {
        rest
    } else if let Some(rest) = url.strip_prefix("http://") {
        if !allow_http {
            return Err("Use an https:// URL: events carry billing data.".into());
        }
        rest
    } else {
        return Err("Enter an absolute URL starting with https://.".into());
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("Enter a URL with a host and no user name or spaces in it.".into());
    }
    // On a production server an endpoint may not point back into the server's own network:
    // a key holder must not make Portico call its neighbours.
    if !allow_http && is_internal_host(host_of(authority)) {
        return Err("Use a public host: local and private network addresses are not allowed.".into());
    }
    Ok(())
}

/// The host of `host[:port]` or `[v6]:port`.
fn host_of(authority: &str) -> &str {
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default();
    }
    authority.rsplit_once(':').map_or(authority, |(host, _)| host)
}

fn is_internal_host(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host == "localhost" || host.ends_with(".localhost") || host.ends_with(".internal") || host.ends_with(".local") {
        return true;
    }
    match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => {
            ip.is_loopback()
                || ip.is_private()
                || ip.is_link_local()
                || ip.is_unspecified()
                || ip.is_broadcast()
                || ip.octets()[0] == 100 && (64..128).contains(&ip.octets()[1])
        }
        Ok(std::net::IpAddr::V6(ip)) => {
            ip.is_loopback()
                || ip.is_unspecified()
                || (ip.segments()[0] & 0xfe00) == 0xfc00
                || (ip.segments()[0] & 0xffc0) == 0xfe80
                || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback() || v4.is_private())
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_store_and_match() {
        let only = EventFilter::parse(&["invoice.paid".into(), "invoice.paid".into(), "person.added".into()]).unwrap();
        assert_eq!(only.stored(), "invoice.paid,person.added");
        assert_eq!(EventFilter::from_stored(&only.stored()), only);
        assert!(only.matches(EventType::InvoicePaid));
        assert!(!only.matches(EventType::InvoiceIssued));
        let all = EventFilter::parse(&["invoice.paid".into(), "*".into()]).unwrap();
        assert_eq!(all, EventFilter::All);
        assert!(all.matches(EventType::ServiceBlocked));
        assert!(EventFilter::parse(&[]).is_err());
        assert!(EventFilter::parse(&["invoice.eaten".into()]).unwrap_err().contains("invoice.eaten"));
    }

    #[test]
    fn retries_back_off_to_an_hour_and_stop_after_a_day() {
        assert_eq!(retry_delay(1), 30);
        assert_eq!(retry_delay(2), 60);
        assert_eq!(retry_delay(3), 120);
        assert_eq!(retry_delay(8), 3600);
        assert_eq!(retry_delay(30), 3600);
        assert_eq!(next_attempt(0, 1, 100), Some(130));
        assert_eq!(next_attempt(0, 20, RETRY_FOR_SECS - 3600), Some(RETRY_FOR_SECS));
        assert_eq!(next_attempt(0, 20, RETRY_FOR_SECS - 3599), None);
        // A day of attempts with the receiver down: a few dozen, not thousands.
        let (mut now, mut attempts) = (0, 0);
        while let Some(next) = next_attempt(0, attempts + 1, now) {
            attempts += 1;
            now = next;
        }
        assert!((25..=40).contains(&attempts), "{attempts} attempts");
    }

    #[test]
    fn endpoint_urls_are_absolute_https_without_credentials() {
        assert!(check_endpoint_url("https://hooks.example.com/portico", false).is_ok());
        assert!(check_endpoint_url("http://127.0.0.1:9000/hook", true).is_ok());
        assert!(check_endpoint_url("http://hooks.example.com/", false).is_err());
        assert!(check_endpoint_url("ftp://example.com/", true).is_err());
        assert!(check_endpoint_url("https://user:pw@example.com/", false).is_err());
        assert!(check_endpoint_url("https:///path", false).is_err());
        assert!(check_endpoint_url("https://exa mple.com/", false).is_err());
        assert!(check_endpoint_url("", false).is_err());
    }

    #[test]
    fn a_production_endpoint_cannot_point_into_the_servers_network() {
        for url in [
            "https://localhost/hook",
            "https://127.0.0.1:8443/hook",
            "https://10.0.0.5/hook",
            "https://192.168.1.10/hook",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/hook",
            "https://[fd00::1]/hook",
            "https://metadata.google.internal/",
            "https://0.0.0.0/",
        ] {
            assert!(check_endpoint_url(url, false).is_err(), "{url}");
        }
        assert!(check_endpoint_url("https://hooks.example.com:8443/x", false).is_ok());
        assert!(check_endpoint_url("https://93.184.216.34/x", false).is_ok());
        // Development servers may call a receiver on the same machine.
        assert!(check_endpoint_url("http://127.0.0.1:9000/hook", true).is_ok());
    }
}
