//! Which phone numbers a month's licenses bill (seed 003), as rules. A number is active from the
//! day it is onboarded through the day it is released (inclusive: usage on the day of release
//! still counts), possibly several times if it is released and onboarded again. Each number is
//! billed once per month in which it was active:
//! - on the 1st, the month's license invoice bills a license for every number active that day;
//! - at the month's end, a prorated invoice bills each number active during the month that the
//!   1st did not bill (onboarded later, or onboarded on the 1st after that day's run), for the
//!   days it was active: license price × active days / days in the month, rounded once;
//! - a number billed on the 1st is not billed again that month, whatever happens to it; a number
//!   released before the 1st is not billed at all; nothing is refunded for a release.

use time::{Date, Duration};

use super::billing_cycle::{first_of_month, last_of_month};
use super::money::{Money, MoneyError, round_to_minor};

/// One stretch of a number's life: active from `from` through `to` (the release day), or still
/// active when `to` is `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub from: Date,
    pub to: Option<Date>,
}

impl Span {
    pub fn covers(self, day: Date) -> bool {
        self.from <= day && self.to.is_none_or(|to| day <= to)
    }
}

/// Whether a number with these spans is active on `day`.
pub fn active_on(spans: &[Span], day: Date) -> bool {
    spans.iter().any(|span| span.covers(day))
}

/// The days of `month` on which a number with these spans was active, each day once however
/// the spans overlap.
pub fn days_active_in(spans: &[Span], month: Date) -> i64 {
    let (first, last) = (first_of_month(month), last_of_month(month));
    let mut day = first;
    let mut days = 0;
    while day <= last {
        if active_on(spans, day) {
            days += 1;
        }
        day += Duration::days(1);
    }
    days
}

/// A month's license invoice bills the number when it is active on the 1st and not yet billed
/// for the month.
pub fn on_license_invoice(spans: &[Span], month: Date, billed_this_month: bool) -> bool {
    !billed_this_month && active_on(spans, first_of_month(month))
}

/// What the month-end invoice charges for a number not billed on the 1st: its active days in
/// `month` and the license price for them (rounded once, by the money rule); `None` when it was
/// billed already or not active in the month.
pub fn prorated_for(
    spans: &[Span],
    month: Date,
    billed_this_month: bool,
    price: Money,
) -> Result<Option<(Money, i64, i64)>, MoneyError> {
    if billed_this_month {
        return Ok(None);
    }
    let days = days_active_in(spans, month);
    if days == 0 {
        return Ok(None);
    }
    let of_days = i64::from(last_of_month(month).day());
    let exact = price.as_decimal() * rust_decimal::Decimal::from(days) / rust_decimal::Decimal::from(of_days);
    Ok(Some((round_to_minor(exact, price.currency)?, days, of_days)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::currency::Currency;
    use time::macros::date;

    const DEC: Date = date!(2026 - 12 - 01);

    fn usd(minor: i64) -> Money {
        Money::new(minor, Currency::Usd)
    }

    fn span(from: Date, to: Option<Date>) -> Span {
        Span { from, to }
    }

    #[test]
    fn a_number_active_on_the_first_is_on_the_license_invoice_once() {
        let since_november = [span(date!(2026 - 11 - 10), None)];
        assert!(on_license_invoice(&since_november, DEC, false));
        assert!(!on_license_invoice(&since_november, DEC, true), "billed already");
        // Onboarded on the 1st: on it (when the run comes after the onboarding).
        assert!(on_license_invoice(&[span(DEC, None)], DEC, false));
        // Released on the 1st: it was still active that day.
        assert!(on_license_invoice(&[span(date!(2026 - 10 - 01), Some(DEC))], DEC, false));
        // Released the day before: no longer exists for December.
        assert!(!on_license_invoice(&[span(date!(2026 - 10 - 01), Some(date!(2026 - 11 - 30)))], DEC, false));
        assert!(!on_license_invoice(&[span(date!(2026 - 12 - 02), None)], DEC, false));
    }

    #[test]
    fn the_month_end_bills_the_days_active_that_the_first_did_not() {
        let price = usd(1_500);
        // Onboarded on the 10th, still active: 22 of 31 days, $10.645… → $10.65.
        assert_eq!(
            prorated_for(&[span(date!(2026 - 12 - 10), None)], DEC, false, price),
            Ok(Some((usd(1_065), 22, 31)))
        );
        // Onboarded on the 1st after that day's run: the whole month.
        assert_eq!(prorated_for(&[span(DEC, None)], DEC, false, price), Ok(Some((usd(1_500), 31, 31))));
        // On the last day: one day, $0.4838… → $0.48.
        assert_eq!(prorated_for(&[span(date!(2026 - 12 - 31), None)], DEC, false, price), Ok(Some((usd(48), 1, 31))));
        // Onboarded on the 10th and released on the 20th: the 11 days it was active.
        assert_eq!(
            prorated_for(&[span(date!(2026 - 12 - 10), Some(date!(2026 - 12 - 20)))], DEC, false, price),
            Ok(Some((usd(532), 11, 31)))
        );
        // Released and onboarded again in the month: both stretches, each day once.
        let twice = [span(date!(2026 - 12 - 05), Some(date!(2026 - 12 - 09))), span(date!(2026 - 12 - 20), None)];
        assert_eq!(prorated_for(&twice, DEC, false, price), Ok(Some((usd(823), 17, 31))));
        // Billed on the 1st already, or not active at all in the month: nothing.
        assert_eq!(prorated_for(&[span(date!(2026 - 11 - 01), None)], DEC, true, price), Ok(None));
        assert_eq!(
            prorated_for(&[span(date!(2026 - 10 - 01), Some(date!(2026 - 11 - 30)))], DEC, false, price),
            Ok(None)
        );
        // Leap February, onboarded on the 29th: 1 of 29 days.
        assert_eq!(
            prorated_for(&[span(date!(2028 - 02 - 29), None)], date!(2028 - 02 - 01), false, price),
            Ok(Some((usd(52), 1, 29)))
        );
    }

    #[test]
    fn days_are_counted_once_however_the_spans_overlap() {
        let overlapping = [
            span(date!(2026 - 12 - 01), Some(date!(2026 - 12 - 10))),
            span(date!(2026 - 12 - 05), Some(date!(2026 - 12 - 12))),
        ];
        assert_eq!(days_active_in(&overlapping, DEC), 12);
        assert_eq!(days_active_in(&[span(date!(2026 - 01 - 01), None)], date!(2027 - 02 - 01)), 28);
    }
}
