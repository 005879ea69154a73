//! Shapes shared by the operator API's requests and answers. Money is always an integer
//! count of the currency's minor units (cents for USD, yen for JPY) and its ISO code.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use crate::domain::money::Money;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Amount {
    /// In minor units of the currency: 360 is $3.60.
    #[schema(example = 360)]
    pub amount: i64,
    /// ISO 4217, in the account's billing currency.
    #[schema(example = "USD")]
    pub currency: String,
}

impl From<Money> for Amount {
    fn from(money: Money) -> Self {
        Amount { amount: money.minor, currency: money.currency.code().to_string() }
    }
}

/// Unix seconds as RFC 3339 in UTC (`2026-11-22T12:00:00Z`).
pub fn rfc3339(unix_seconds: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix_seconds).ok().and_then(|t| t.format(&Rfc3339).ok()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_are_rfc3339_utc() {
        assert_eq!(rfc3339(1_795_348_800), "2026-11-22T12:00:00Z");
    }
}
