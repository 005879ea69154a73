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
        self.minor.checked_add(other.minor).map(|minor| Money::new(minor, self.currency)).ok_or(MoneyError::Overflow)
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        self.minor.checked_sub(other.minor).map(|minor| Money::new(minor, self.currency)).ok_or(MoneyError::Overflow)
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
    let scaled = rounded.checked_mul(Decimal::from(10i64.pow(exponent))).ok_or(MoneyError::Overflow)?;
    let minor: i64 = scaled.trunc().try_into().map_err(|_| MoneyError::Overflow)?;
    Ok(Money::new(minor, currency))
}

/// Reads an amount typed by a person in `currency`, as that currency's people write it, or says
/// why it cannot be read. What it returns is exactly what a confirm button shows and what is
/// charged: nothing is rounded, and nothing ambiguous is guessed at.
///
/// - The currency's symbol or code may come before or after; spaces (also non-breaking and
///   thin ones) and apostrophes may group thousands: `$1,250.50`, `1 250,50 €`, `EUR 1'250.50`.
/// - With both `.` and `,`, the last one is the decimal separator and the other groups
///   thousands (`1.250,50` and `1,250.50` are both 1250.50), in groups of three.
/// - One separator followed by one or two digits is the decimal separator, whichever it is
///   (`250,5` and `250.50` are both 250.50): no supported currency groups by twos.
/// - One separator followed by exactly three digits groups thousands when the currency's people
///   write it so (`1,250` in dollars, `1.250` in euros); otherwise (`1.250` in dollars, `1,250` in
///   euros) it is ambiguous, and refused with both readings offered.
/// - Repeated separators must group by three (`1.000.000`, `1,000,000`).
/// - More decimals than the currency has, negative amounts, or anything else are refused.
pub fn parse_typed(typed: &str, currency: Currency) -> Result<Money, String> {
    let example = || match currency.separators() {
        crate::domain::currency::Separators::PointDecimal => {
            format!("Enter an amount in {}, like 1,250.00.", currency.code())
        }
        crate::domain::currency::Separators::CommaDecimal => {
            format!("Enter an amount in {}, like 1.250,00.", currency.code())
        }
    };
    let mut text = typed.trim().to_string();
    for marker in [currency.symbol(), currency.code(), &currency.code().to_lowercase()] {
        if let Some(rest) = text.strip_prefix(marker) {
            text = rest.trim().to_string();
        }
        if let Some(rest) = text.strip_suffix(marker) {
            text = rest.trim().to_string();
        }
    }
    let text: String = text.chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '\'')).collect();
    if text.is_empty() {
        return Err("Enter an amount.".into());
    }
    if text.starts_with('-') || text.starts_with('\u{2212}') {
        return Err("Enter an amount above zero.".into());
    }
    if !text.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        || !text.starts_with(|c: char| c.is_ascii_digit())
    {
        return Err(example());
    }
    let last_separator = text.rfind(['.', ',']);
    let (whole, fraction) = match last_separator {
        None => (text.clone(), String::new()),
        Some(at) => {
            let mark = text.as_bytes()[at] as char;
            let other = if mark == '.' { ',' } else { '.' };
            let after = &text[at + 1..];
            let before = &text[..at];
            let repeated = before.contains(mark);
            let mixed = before.contains(other);
            if mixed || (!repeated && after.len() != 3) {
                // The last separator is the decimal one; all others group.
                if repeated || after.is_empty() || !after.chars().all(|c| c.is_ascii_digit()) {
                    return Err(example());
                }
                (ungroup(before, other).ok_or_else(example)?, after.to_string())
            } else {
                // Only one kind of separator, repeated or followed by three digits: grouping,
                // if this currency's people group with it.
                let groups_with = match currency.separators() {
                    crate::domain::currency::Separators::PointDecimal => ',',
                    crate::domain::currency::Separators::CommaDecimal => '.',
                };
                if mark != groups_with && !repeated {
                    let grouped = format!("{before}{after}");
                    let as_decimal = format!("{before}.{after}");
                    return Err(format!(
                        "Did you mean {} or {}? Write it without separators ({grouped}) or with the decimals ({as_decimal}).",
                        Money::new(
                            grouped.parse::<i64>().unwrap_or(0).saturating_mul(10i64.pow(currency.exponent())),
                            currency
                        )
                        .format(),
                        as_decimal
                    ));
                }
                (ungroup(&text, mark).ok_or_else(example)?, String::new())
            }
        }
    };
    if fraction.len() > currency.exponent() as usize {
        return Err(match currency.exponent() {
            0 => format!("{} has no cents: enter a whole amount.", currency.code()),
            n => format!("Use at most {n} decimals."),
        });
    }
    let digits = format!("{whole}{fraction:0<width$}", width = currency.exponent() as usize);
    let minor: i64 = digits
        .trim_start_matches('0')
        .parse()
        .or_else(|_| if digits.chars().all(|c| c == '0') { Ok(0) } else { Err(()) })
        .map_err(|_| "That amount is too large.".to_string())?;
    Ok(Money::new(minor, currency))
}

/// `1,250,000` without its group separators, if every group after the first has three digits.
fn ungroup(text: &str, separator: char) -> Option<String> {
    let mut groups = text.split(separator);
    let first = groups.next()?;
    if first.is_empty() || first.len() > 3 && text.contains(separator) || !first.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut whole = first.to_string();
    for group in groups {
        if group.len() != 3 || !group.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        whole.push_str(group);
    }
    Some(whole)
}

/// Splits `total` across parts in proportion to `weights`, exactly: the shares add up to `total`
/// to the minor unit. Each part gets its floored proportional share; the minor units left over
/// go one each to the parts with the largest remainders (ties to the earlier part). Rounding
/// each share on its own would not add up (three invoices sharing a 10-cent fee get 3 + 3 + 3).
/// Zero or negative weights get nothing; with no positive weight everything goes to the first.
pub fn allocate(total: Money, weights: &[i64]) -> Vec<Money> {
    let zero = Money::zero(total.currency);
    if weights.is_empty() {
        return Vec::new();
    }
    let sum: i128 = weights.iter().map(|&w| i128::from(w.max(0))).sum();
    if sum == 0 {
        let mut shares = vec![zero; weights.len()];
        shares[0] = total;
        return shares;
    }
    let total_minor = i128::from(total.minor);
    let mut shares: Vec<i128> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
    for (index, &weight) in weights.iter().enumerate() {
        let product = total_minor * i128::from(weight.max(0));
        shares.push(product.div_euclid(sum));
        remainders.push((product.rem_euclid(sum), index));
    }
    let left = total_minor - shares.iter().sum::<i128>();
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, index) in remainders.iter().take(left as usize) {
        shares[index] += 1;
    }
    // Each share lies between 0 and `total`, so it fits where `total` fits.
    shares.into_iter().map(|share| Money::new(share as i64, total.currency)).collect()
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

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::Eur)
    }

    #[test]
    fn typed_amounts_are_read_as_their_currencys_people_write_them() {
        // The same amount, written the ways people write it.
        for typed in ["1250.50", "1,250.50", "$1,250.50", "1 250.50", "1250,50", "USD 1250.5", "1250.5 $"] {
            assert_eq!(parse_typed(typed, Currency::Usd), Ok(usd(125_050)), "{typed:?}");
        }
        for typed in ["1250,50", "1.250,50", "1 250,50 €", "€1.250,5", "1\u{a0}250,50", "1250.50", "EUR 1'250.50"] {
            assert_eq!(parse_typed(typed, Currency::Eur), Ok(eur(125_050)), "{typed:?}");
        }
        // A European decimal comma is never a hundredfold charge.
        assert_eq!(parse_typed("250,50", Currency::Eur), Ok(eur(25_050)));
        assert_eq!(parse_typed("250,50", Currency::Usd), Ok(usd(25_050)));
        assert_eq!(parse_typed("250,5", Currency::Brl), Ok(Money::new(25_050, Currency::Brl)));
        // Grouping by the currency's convention.
        assert_eq!(parse_typed("1,250", Currency::Usd), Ok(usd(125_000)));
        assert_eq!(parse_typed("1.250", Currency::Eur), Ok(eur(125_000)));
        assert_eq!(parse_typed("1.000.000", Currency::Eur), Ok(eur(100_000_000)));
        assert_eq!(parse_typed("1,000,000", Currency::Eur), Ok(eur(100_000_000)));
        assert_eq!(parse_typed("1,250", Currency::Jpy), Ok(Money::new(1_250, Currency::Jpy)));
        assert_eq!(parse_typed("250", Currency::Usd), Ok(usd(25_000)));
        assert_eq!(parse_typed("0", Currency::Usd), Ok(usd(0)));
    }

    #[test]
    fn ambiguous_or_malformed_amounts_are_refused_with_a_reason() {
        let ambiguous = parse_typed("1.250", Currency::Usd).unwrap_err();
        assert!(ambiguous.starts_with("Did you mean $1,250.00 or 1.250?"), "{ambiguous}");
        assert!(parse_typed("1,250", Currency::Eur).unwrap_err().starts_with("Did you mean €1,250.00"));
        assert!(parse_typed("12.5", Currency::Jpy).unwrap_err().contains("no cents"));
        assert!(
            parse_typed("10.001", Currency::Usd).unwrap_err().contains("at most 2 decimals")
                || parse_typed("10.001", Currency::Usd).unwrap_err().starts_with("Did you mean")
        );
        assert!(parse_typed("1.2345", Currency::Usd).unwrap_err().contains("at most 2 decimals"));
        for bad in [
            "",
            "ten",
            "-5",
            "1,2,3",
            "12,34,567",
            "1.250,5,0",
            "1..5",
            ".5",
            "1,000.000,00",
            "5e3",
            "0x10",
            "١٢٣",
            "1,25,000",
        ] {
            assert!(parse_typed(bad, Currency::Usd).is_err(), "{bad:?}");
        }
        assert_eq!(parse_typed("-5", Currency::Usd).unwrap_err(), "Enter an amount above zero.");
        assert_eq!(parse_typed("99999999999999999999", Currency::Usd).unwrap_err(), "That amount is too large.");
    }

    proptest::proptest! {
        /// Whatever amount the portal shows, typed back as shown, is that amount.
        #[test]
        fn what_is_shown_reads_back_as_itself(minor in 0i64..1_000_000_000_000) {
            for currency in Currency::ALL {
                let shown = Money::new(minor, currency).format();
                proptest::prop_assert_eq!(parse_typed(&shown, currency), Ok(Money::new(minor, currency)), "{}", shown);
            }
        }

        /// Never a panic, whatever is typed.
        #[test]
        fn any_text_is_read_or_refused(typed in ".{0,40}") {
            for currency in Currency::ALL {
                let _ = parse_typed(&typed, currency);
            }
        }
    }

    #[test]
    fn allocations_add_up_exactly_and_follow_the_weights() {
        // Three equal invoices sharing a 10-cent fee: 4 + 3 + 3, not 3 + 3 + 3.
        assert_eq!(allocate(usd(10), &[100, 100, 100]), vec![usd(4), usd(3), usd(3)]);
        // The largest remainders get the leftover cents.
        assert_eq!(allocate(usd(100), &[1, 2, 3]), vec![usd(17), usd(33), usd(50)]);
        assert_eq!(allocate(usd(85), &[2_130]), vec![usd(85)]);
        assert_eq!(allocate(usd(2_561), &[61_900, 2_130]), vec![usd(2_476), usd(85)]);
        assert_eq!(allocate(usd(7), &[0, 5, 0]), vec![usd(0), usd(7), usd(0)]);
        assert_eq!(allocate(usd(7), &[0, 0]), vec![usd(7), usd(0)]);
        assert!(allocate(usd(7), &[]).is_empty());
        assert_eq!(
            allocate(Money::new(i64::MAX, Currency::Usd), &[i64::MAX, 1]).iter().map(|m| m.minor as i128).sum::<i128>(),
            i64::MAX as i128
        );
    }

    proptest::proptest! {
        #[test]
        fn any_split_adds_up_to_the_total(total in 0i64..10_000_000, weights in proptest::collection::vec(0i64..1_000_000, 1..12)) {
            let shares = allocate(usd(total), &weights);
            proptest::prop_assert_eq!(shares.len(), weights.len());
            proptest::prop_assert_eq!(shares.iter().map(|m| m.minor).sum::<i64>(), total);
            let weight_sum: i64 = weights.iter().sum();
            for (share, weight) in shares.iter().zip(&weights) {
                proptest::prop_assert!(share.minor >= 0);
                if weight_sum > 0 {
                    // Never more than one minor unit from the exact proportion total × weight /
                    // weight_sum, compared in integers (multiplied through by weight_sum).
                    let off = (i128::from(share.minor) * i128::from(weight_sum) - i128::from(total) * i128::from(*weight)).abs();
                    proptest::prop_assert!(off <= i128::from(weight_sum), "{} vs {}×{}/{}", share.minor, total, weight, weight_sum);
                }
            }
        }
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
