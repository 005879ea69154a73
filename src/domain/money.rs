//! Money is an integer count of minor units plus a currency, everywhere: in the database, on
//! the wire and in arithmetic. Fractions only appear inside a calculation (a fee rate, a
//! proration) and are brought back to minor units by exactly one rule, [`round_to_minor`]:
//!
//! **Round half away from zero to the currency's minor unit.** 0.5 cent becomes 1 cent and
//! -0.5 cent becomes -1 cent; everything else goes to the nearest minor unit. This is the rule
//! clients check invoices with on a calculator, and it is symmetric for credits and charges.

use super::currency::Currency;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// Amount in the currency's minor unit (cents for USD, yen for JPY).
    pub minor: i64,
    pub currency: Currency,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("cannot combine {0} with {1}")]
    CurrencyMismatch(Currency, Currency),
    #[error("amount out of range")]
    Overflow,
}

impl Money {
    pub const fn new(minor: i64, currency: Currency) -> Self {
        Money { minor, currency }
    }

    pub const fn zero(currency: Currency) -> Self {
        Money { minor: 0, currency }
    }

    pub fn is_zero(self) -> bool {
        self.minor == 0
    }

    pub fn is_negative(self) -> bool {
        self.minor < 0
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        self.minor
            .checked_add(other.minor)
            .map(|minor| Money::new(minor, self.currency))
            .ok_or(MoneyError::Overflow)
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        self.minor
            .checked_sub(other.minor)
            .map(|minor| Money::new(minor, self.currency))
            .ok_or(MoneyError::Overflow)
    }

    /// Sum of amounts that must all be in `currency`.
    pub fn sum(currency: Currency, items: impl IntoIterator<Item = Money>) -> Result<Money, MoneyError> {
        items.into_iter().try_fold(Money::zero(currency), Money::checked_add)
    }

    /// `self × rate`, rounded by the one rule of this module. Used for fees and proration.
    pub fn times_rate(self, rate: Decimal) -> Result<Money, MoneyError> {
        let exact = self.as_decimal().checked_mul(rate).ok_or(MoneyError::Overflow)?;
        round_to_minor(exact, self.currency)
    }

    /// The amount in major units as an exact decimal (12.34 for 1234 cents).
    pub fn as_decimal(self) -> Decimal {
        Decimal::new(self.minor, self.currency.exponent())
    }

    fn same_currency(self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch(self.currency, other.currency))
        }
    }

    /// Display form, e.g. `$1,234.56`, `-€0.50`, `¥1,200`, `R$10.00`.
    pub fn format(self) -> String {
        let exponent = self.currency.exponent();
        let magnitude = self.minor.unsigned_abs();
        let divisor = 10u64.pow(exponent);
        let whole = group_thousands(magnitude / divisor);
        let sign = if self.minor < 0 { "-" } else { "" };
        let symbol = self.currency.symbol();
        if exponent == 0 {
            format!("{sign}{symbol}{whole}")
        } else {
            let fraction = magnitude % divisor;
            format!("{sign}{symbol}{whole}.{fraction:0width$}", width = exponent as usize)
        }
    }
}

/// The single rounding rule (see the module documentation).
pub fn round_to_minor(major_units: Decimal, currency: Currency) -> Result<Money, MoneyError> {
    let exponent = currency.exponent();
    let rounded = major_units.round_dp_with_strategy(exponent, RoundingStrategy::MidpointAwayFromZero);
    let scaled = rounded
        .checked_mul(Decimal::from(10i64.pow(exponent)))
        .ok_or(MoneyError::Overflow)?;
    let minor: i64 = scaled.trunc().try_into().map_err(|_| MoneyError::Overflow)?;
    Ok(Money::new(minor, currency))
}

/// `1234567` as `1,234,567`.
pub fn group_thousands(mut n: u64) -> String {
    let mut groups = Vec::new();
    loop {
        if n < 1000 {
            groups.push(n.to_string());
            break;
        }
        groups.push(format!("{:03}", n % 1000));
        n /= 1000;
    }
    groups.reverse();
    groups.join(",")
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format())
    }
}

/// Totals kept per currency, for views that span accounts or invoices in several currencies.
/// Never adds amounts of different currencies together.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrencyTotals(pub Vec<Money>);

impl CurrencyTotals {
    pub fn add(&mut self, amount: Money) -> Result<(), MoneyError> {
        match self.0.iter_mut().find(|m| m.currency == amount.currency) {
            Some(total) => *total = total.checked_add(amount)?,
            None => self.0.push(amount),
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|m| m.is_zero())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    fn usd(minor: i64) -> Money {
        Money::new(minor, Currency::Usd)
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn formats_with_symbol_grouping_and_minor_digits() {
        assert_eq!(usd(0).format(), "$0.00");
        assert_eq!(usd(5).format(), "$0.05");
        assert_eq!(usd(123456).format(), "$1,234.56");
        assert_eq!(usd(-50).format(), "-$0.50");
        assert_eq!(usd(10_000_000_000).format(), "$100,000,000.00");
        assert_eq!(Money::new(120000, Currency::Jpy).format(), "¥120,000");
        assert_eq!(Money::new(1000, Currency::Brl).format(), "R$10.00");
        assert_eq!(Money::new(99, Currency::Eur).format(), "€0.99");
        assert_eq!(Money::new(i64::MIN, Currency::Usd).format(), "-$92,233,720,368,547,758.08");
    }

    #[test]
    fn adds_and_subtracts_only_within_one_currency() {
        assert_eq!(usd(150).checked_add(usd(250)), Ok(usd(400)));
        assert_eq!(usd(150).checked_sub(usd(250)), Ok(usd(-100)));
        assert_eq!(
            usd(1).checked_add(Money::new(1, Currency::Eur)),
            Err(MoneyError::CurrencyMismatch(Currency::Usd, Currency::Eur))
        );
        assert_eq!(usd(i64::MAX).checked_add(usd(1)), Err(MoneyError::Overflow));
    }

    #[test]
    fn sums_a_list_and_refuses_a_stray_currency() {
        assert_eq!(Money::sum(Currency::Usd, [usd(1), usd(2), usd(3)]), Ok(usd(6)));
        assert_eq!(Money::sum(Currency::Usd, []), Ok(usd(0)));
        assert!(Money::sum(Currency::Usd, [usd(1), Money::new(1, Currency::Gbp)]).is_err());
    }

    #[test]
    fn rounds_half_away_from_zero_at_exact_half_cents() {
        assert_eq!(round_to_minor(dec("0.005"), Currency::Usd), Ok(usd(1)));
        assert_eq!(round_to_minor(dec("0.015"), Currency::Usd), Ok(usd(2)));
        assert_eq!(round_to_minor(dec("0.025"), Currency::Usd), Ok(usd(3)));
        assert_eq!(round_to_minor(dec("-0.005"), Currency::Usd), Ok(usd(-1)));
        assert_eq!(round_to_minor(dec("0.0049999"), Currency::Usd), Ok(usd(0)));
        assert_eq!(round_to_minor(dec("12.344"), Currency::Usd), Ok(usd(1234)));
        assert_eq!(round_to_minor(dec("0.5"), Currency::Jpy), Ok(Money::new(1, Currency::Jpy)));
        assert_eq!(round_to_minor(dec("2.5"), Currency::Jpy), Ok(Money::new(3, Currency::Jpy)));
    }

    #[test]
    fn applies_a_rate_with_the_rounding_rule() {
        // 4 % of $12.38 is $0.4952 -> $0.50; 4 % of $0.125 cannot occur, but 4 % of $10.125
        // (a half cent after the rate) is covered by the half-cent test above.
        assert_eq!(usd(1238).times_rate(dec("0.04")), Ok(usd(50)));
        assert_eq!(usd(1237).times_rate(dec("0.04")), Ok(usd(49))); // 0.4948
        assert_eq!(usd(1250).times_rate(dec("0.04")), Ok(usd(50)));
        assert_eq!(usd(1).times_rate(dec("0.5")), Ok(usd(1))); // 0.005 -> 0.01
        assert_eq!(usd(-1).times_rate(dec("0.5")), Ok(usd(-1)));
    }

    #[test]
    fn exposes_exact_decimal_value() {
        assert_eq!(usd(1234).as_decimal(), dec("12.34"));
        assert_eq!(Money::new(1234, Currency::Jpy).as_decimal(), dec("1234"));
    }

    #[test]
    fn keeps_totals_per_currency() {
        let mut totals = CurrencyTotals::default();
        totals.add(usd(100)).unwrap();
        totals.add(Money::new(300, Currency::Eur)).unwrap();
        totals.add(usd(50)).unwrap();
        assert_eq!(totals.0, vec![usd(150), Money::new(300, Currency::Eur)]);
        assert!(!totals.is_empty());
        assert!(CurrencyTotals::default().is_empty());
    }

    #[test]
    fn round_trips_through_json_as_minor_units() {
        let json = serde_json::to_string(&usd(1999)).unwrap();
        assert_eq!(json, r#"{"minor":1999,"currency":"USD"}"#);
        assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), usd(1999));
    }
}
