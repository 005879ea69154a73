//! Shapes shared by the operator API's requests and answers. Money is always an integer
//! count of the currency's minor units (cents for USD, yen for JPY) and its ISO code; the
//! objects themselves are in `server::objects`, shared with webhook events.

pub use crate::server::objects::{Amount, rfc3339};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_are_rfc3339_utc() {
        assert_eq!(rfc3339(1_795_348_800), "2026-11-22T12:00:00Z");
    }
}
