//! The prepaid credit balance (seed 003): what moves it, the limits of a top-up, and when the
//! client's alert and automatic top-up fire.

use serde::{Deserialize, Serialize};

use super::billing_items::string_enum;
use super::currency::Currency;
use super::money::{Money, parse_typed};

string_enum! {
    /// Why the balance moved. Positive kinds add credit; usage draws it down.
    EntryKind {
        Proration => "proration", "Unused subscription time";
        Prepayment => "prepayment", "Top-up";
        Usage => "usage", "Usage";
        Refund => "refund", "Refund";
        Adjustment => "adjustment", "Adjustment";
        Reversal => "reversal", "Reversal";
    }
}

/// Reads an amount typed by a person as money in `currency`, by the one rule for typed amounts
/// ([`parse_typed`]): the currency's own conventions, ambiguous input refused.
pub fn parse_amount(typed: &str, currency: Currency) -> Result<Money, String> {
    parse_typed(typed, currency)
}

/// The smallest and largest top-up in `currency` (see [`Currency::top_up_limits_major`]).
pub fn top_up_limits(currency: Currency) -> (Money, Money) {
    let unit = 10i64.pow(currency.exponent());
    let (min, max) = currency.top_up_limits_major();
    (Money::new(min * unit, currency), Money::new(max * unit, currency))
}

/// A top-up amount within the limits, or the sentence that says why not.
pub fn validate_top_up(amount: Money) -> Result<Money, String> {
    let (min, max) = top_up_limits(amount.currency);
    if amount.minor < min.minor {
        Err(format!("The smallest top-up is {}.", min.format()))
    } else if amount.minor > max.minor {
        Err(format!("The largest top-up is {}. Contact us for a larger prepayment.", max.format()))
    } else {
        Ok(amount)
    }
}

/// True when an entry takes the balance from above `threshold` to at or below it: the moment
/// an alert is sent or an automatic top-up starts, once per crossing however small the steps.
pub fn crosses_down(before: i64, after: i64, threshold: i64) -> bool {
    before > threshold && after <= threshold
}

/// The smallest top-up that makes a balance positive again (outbound messaging needs > 0).
pub fn needed_to_restore(balance: Money) -> Money {
    if balance.minor > 0 { Money::zero(balance.currency) } else { Money::new(1 - balance.minor, balance.currency) }
}

/// A top-up to offer for restoring service: what is needed, rounded up to a whole major unit
/// and never below the minimum top-up.
pub fn suggested_top_up(balance: Money) -> Money {
    let unit = 10i64.pow(balance.currency.exponent());
    let needed = needed_to_restore(balance).minor;
    let whole = needed.div_euclid(unit) + i64::from(needed.rem_euclid(unit) != 0);
    Money::new(whole.max(balance.currency.top_up_limits_major().0) * unit, balance.currency)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn usd(minor: i64) -> Money {
        Money::new(minor, Currency::Usd)
    }

    #[test]
    fn reads_typed_amounts() {
        assert_eq!(parse_amount("250", Currency::Usd), Ok(usd(25_000)));
        assert_eq!(parse_amount(" 1,250.50 ", Currency::Usd), Ok(usd(125_050)));
        assert_eq!(parse_amount("$99.9", Currency::Usd), Ok(usd(9_990)));
        assert_eq!(parse_amount("1200", Currency::Jpy), Ok(Money::new(1_200, Currency::Jpy)));
        assert_eq!(parse_amount("250,50", Currency::Eur), Ok(Money::new(25_050, Currency::Eur)), "a decimal comma");
        assert!(parse_amount("", Currency::Usd).unwrap_err().contains("Enter an amount"));
        assert!(parse_amount("ten", Currency::Usd).unwrap_err().contains("like 1,250.00"));
        assert!(parse_amount("10.1234", Currency::Usd).unwrap_err().contains("at most 2 decimals"));
        assert!(parse_amount("10.5", Currency::Jpy).unwrap_err().contains("no cents"));
    }

    #[test]
    fn top_ups_have_limits_of_about_the_same_worth_in_every_currency() {
        assert_eq!(validate_top_up(usd(1_000)), Ok(usd(1_000)));
        assert_eq!(validate_top_up(usd(999)).unwrap_err(), "The smallest top-up is $10.00.");
        assert_eq!(validate_top_up(usd(5_000_000)), Ok(usd(5_000_000)));
        assert!(validate_top_up(usd(5_000_001)).unwrap_err().starts_with("The largest top-up is $50,000.00."));
        // A yen minimum is not a dollar minimum in minor units.
        let yen = |n| Money::new(n, Currency::Jpy);
        assert_eq!(validate_top_up(yen(1_000)).unwrap_err(), "The smallest top-up is ¥1,500.");
        assert_eq!(validate_top_up(yen(50_000)), Ok(yen(50_000)), "¥50,000 (about $330) is an ordinary top-up");
        assert!(validate_top_up(yen(7_500_001)).is_err());
        assert_eq!(validate_top_up(Money::new(4_000, Currency::Brl)).unwrap_err(), "The smallest top-up is R$50.00.");
        for currency in Currency::ALL {
            let (min, max) = top_up_limits(currency);
            assert!(min.minor > 0 && max.minor > min.minor * 1_000, "{currency}");
        }
    }

    #[test]
    fn a_crossing_is_from_above_to_at_or_below() {
        assert!(crosses_down(10_001, 10_000, 10_000));
        assert!(crosses_down(20_000, -500, 10_000));
        assert!(!crosses_down(10_000, 9_000, 10_000), "already at the threshold: no new crossing");
        assert!(!crosses_down(9_000, 12_000, 10_000), "going up never alerts");
        assert!(crosses_down(1, 0, 0), "zero counts as empty");
    }

    #[test]
    fn restoring_service_needs_a_positive_balance() {
        assert_eq!(needed_to_restore(usd(-1_234)), usd(1_235));
        assert_eq!(needed_to_restore(usd(0)), usd(1));
        assert_eq!(needed_to_restore(usd(5)), usd(0));
        assert_eq!(suggested_top_up(usd(-1_234)), usd(1_300));
        assert_eq!(suggested_top_up(usd(-123_400)), usd(123_500));
        assert_eq!(suggested_top_up(usd(-100)), usd(1_000), "never below the minimum top-up");
    }

    proptest! {
        /// However a sequence of entries falls, an alert fires once per downward crossing and
        /// the number of downward crossings never exceeds upward ones by more than one.
        #[test]
        fn crossings_alternate(start in -100_000i64..100_000, steps in proptest::collection::vec(-50_000i64..50_000, 0..60), threshold in 0i64..50_000) {
            let mut balance = start;
            let mut below = balance <= threshold;
            for step in steps {
                let after = balance + step;
                let crossed = crosses_down(balance, after, threshold);
                prop_assert_eq!(crossed, !below && after <= threshold);
                below = after <= threshold;
                balance = after;
            }
        }

        #[test]
        fn a_suggested_top_up_always_restores_service(balance in -10_000_000i64..=0) {
            let suggested = suggested_top_up(usd(balance));
            prop_assert!(balance + suggested.minor > 0);
            prop_assert!(validate_top_up(suggested).is_ok() || suggested.minor > top_up_limits(Currency::Usd).1.minor);
            prop_assert_eq!(suggested.minor % 100, 0);
        }
    }
}

/// An optional threshold typed by a person: empty means "none".
pub fn parse_threshold(typed: &str, currency: Currency) -> Result<Option<Money>, String> {
    if typed.trim().is_empty() {
        return Ok(None);
    }
    if typed.trim().starts_with(['-', '\u{2212}']) {
        return Err("Enter zero or more.".into());
    }
    let amount = parse_amount(typed, currency)?;
    let (_, max) = top_up_limits(currency);
    if amount.is_negative() {
        Err("Enter zero or more.".into())
    } else if amount.minor > max.minor {
        Err(format!("Enter at most {}.", max.format()))
    } else {
        Ok(Some(amount))
    }
}

#[cfg(test)]
mod threshold_tests {
    use super::*;

    #[test]
    fn thresholds_are_optional_and_not_negative() {
        assert_eq!(parse_threshold("  ", Currency::Eur), Ok(None));
        assert_eq!(parse_threshold("0", Currency::Eur), Ok(Some(Money::new(0, Currency::Eur))));
        assert_eq!(parse_threshold("250", Currency::Eur), Ok(Some(Money::new(25_000, Currency::Eur))));
        assert_eq!(parse_threshold("-5", Currency::Eur).unwrap_err(), "Enter zero or more.");
        assert!(parse_threshold("60000", Currency::Eur).unwrap_err().starts_with("Enter at most"));
    }
}
