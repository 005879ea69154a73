use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// An ISO 4217 currency that Portico bills in.
///
/// Kept to a closed list on purpose: each entry's minor-unit exponent and symbol are facts we
/// must get right, and an unknown code should be refused at the edge rather than guessed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Currency {
    Usd,
    Eur,
    Gbp,
    Brl,
    Cad,
    Aud,
    Jpy,
}

impl Currency {
    pub const ALL: [Currency; 7] =
        [Currency::Usd, Currency::Eur, Currency::Gbp, Currency::Brl, Currency::Cad, Currency::Aud, Currency::Jpy];

    pub fn code(self) -> &'static str {
        match self {
            Currency::Usd => "USD",
            Currency::Eur => "EUR",
            Currency::Gbp => "GBP",
            Currency::Brl => "BRL",
            Currency::Cad => "CAD",
            Currency::Aud => "AUD",
            Currency::Jpy => "JPY",
        }
    }

    /// Number of decimal digits of the minor unit (ISO 4217 exponent).
    pub fn exponent(self) -> u32 {
        match self {
            Currency::Jpy => 0,
            _ => 2,
        }
    }

    /// Symbol written before the amount. Dollar currencies other than USD carry their
    /// country prefix so that a client billed in two of them can tell them apart.
    pub fn symbol(self) -> &'static str {
        match self {
            Currency::Usd => "$",
            Currency::Eur => "€",
            Currency::Gbp => "£",
            Currency::Brl => "R$",
            Currency::Cad => "CA$",
            Currency::Aud => "A$",
            Currency::Jpy => "¥",
        }
    }
}

/// How people who pay in a currency write amounts. Two conventions cover the supported ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Separators {
    /// `1,250.50`: the US, the UK, Canada, Australia, Japan.
    PointDecimal,
    /// `1.250,50`: the euro area (mostly) and Brazil.
    CommaDecimal,
}

impl Currency {
    pub fn separators(self) -> Separators {
        match self {
            Currency::Eur | Currency::Brl => Separators::CommaDecimal,
            _ => Separators::PointDecimal,
        }
    }

    /// The smallest and largest prepayment ("Add to credit balance"), in major units: below it
    /// a card fee costs more than the top-up is worth, above it a mistyped amount would be an
    /// expensive mistake. Set for each currency at amounts of about the same worth.
    pub fn top_up_limits_major(self) -> (i64, i64) {
        match self {
            Currency::Usd | Currency::Eur => (10, 50_000),
            Currency::Gbp => (10, 40_000),
            Currency::Cad => (15, 65_000),
            Currency::Aud => (15, 75_000),
            Currency::Brl => (50, 250_000),
            Currency::Jpy => (1_500, 7_500_000),
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported currency code {0:?}")]
pub struct UnknownCurrency(pub String);

impl FromStr for Currency {
    type Err = UnknownCurrency;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownCurrency(s.to_string()))
    }
}

impl TryFrom<String> for Currency {
    type Error = UnknownCurrency;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<Currency> for String {
    fn from(value: Currency) -> Self {
        value.code().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes_case_insensitively_and_refuses_unknown_ones() {
        assert_eq!("usd".parse::<Currency>(), Ok(Currency::Usd));
        assert_eq!(" BRL ".parse::<Currency>(), Ok(Currency::Brl));
        assert_eq!("XYZ".parse::<Currency>(), Err(UnknownCurrency("XYZ".into())));
    }

    #[test]
    fn serializes_as_its_iso_code() {
        assert_eq!(serde_json::to_string(&Currency::Eur).unwrap(), "\"EUR\"");
        assert_eq!(serde_json::from_str::<Currency>("\"JPY\"").unwrap(), Currency::Jpy);
        assert!(serde_json::from_str::<Currency>("\"ABC\"").is_err());
    }

    #[test]
    fn yen_has_no_minor_unit() {
        assert_eq!(Currency::Jpy.exponent(), 0);
        assert_eq!(Currency::Usd.exponent(), 2);
    }
}
