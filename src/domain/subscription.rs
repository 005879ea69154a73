//! Subscriptions: billing periods, prices, proration and the rules for what a client may do.
//!
//! ## Proration basis
//!
//! Proration is by whole days. A billing period is `[start, end)`: `end` is the renewal date
//! and belongs to the next period. A change made on day `D` takes effect from the start of
//! `D`, so `D` is the first day of the new items:
//!
//! * `days_left = end - D` and `days_in_period = end - start`;
//! * credit = `old_price × days_left / days_in_period` (the unused part of what was paid);
//! * charge = `new_price × days_left / days_in_period` (the new items for the rest of the period).
//!
//! Each of credit and charge is computed exactly (`amount × days_left` first, then divided by
//! the days) and rounded once by [`round_to_minor`], the one rounding rule for money. A change
//! on the first day of a period therefore credits the whole old price and charges the whole
//! new price; a change on the last day (`end - 1`) uses `1 / days_in_period`.

use super::billing_items::string_enum;
use super::money::{Money, MoneyError, round_to_minor};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

/// Defined once, in `billing_items`, where the dashboard already uses them; re-exported so that
/// subscription code has everything in one place without a second, incompatible type.
pub use super::billing_items::{BillingInterval, SubscriptionStatus};

string_enum! {
    /// What a plan sells, which decides whether a client may hold more than one.
    PlanKind {
        Partner => "partner", "Partner plan";
        License => "license", "License";
        Service => "service", "Service";
    }
}

impl PlanKind {
    /// Licenses and services are bought by the unit; a partner plan is one per account.
    pub fn allows_quantity(self) -> bool {
        matches!(self, PlanKind::License | PlanKind::Service)
    }
}

/// A billing period [start, end): `end` is the renewal date and is not part of the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub start: Date,
    pub end: Date,
}

impl Period {
    /// Number of days billed by this period.
    pub fn days(self) -> i64 {
        (self.end - self.start).whole_days()
    }

    pub fn contains(self, day: Date) -> bool {
        self.start <= day && day < self.end
    }

    /// Days from `from` (counted) to the end of the period; the caller ensures `contains(from)`.
    pub fn days_left(self, from: Date) -> i64 {
        (self.end - from).whole_days()
    }

    /// The next period: starts at self.end, ends one interval later on the anchor day.
    pub fn following(self, interval: BillingInterval, anchor_day: u8) -> Period {
        Period { start: self.end, end: add_interval(self.end, interval, anchor_day) }
    }
}

/// `start` plus one month or year, landing on `anchor_day` (1..=31) clamped to the month's
/// last day: anchor 31 gives Jan 31 -> Feb 28 (Feb 29 in leap years) -> Mar 31; a yearly
/// period anchored on Feb 29 renews on Feb 28 in common years and Feb 29 in leap years.
///
/// The anchor is kept apart from `start` because a clamped date forgets it: after Feb 28 the
/// next renewal must go back to the 31st, not stay on the 28th. An anchor of 0 is read as 1.
/// Past the last date `time` can represent, the result saturates at [`Date::MAX`].
pub fn add_interval(start: Date, interval: BillingInterval, anchor_day: u8) -> Date {
    let (year, month) = match interval {
        BillingInterval::Month if start.month() == time::Month::December => (start.year() + 1, time::Month::January),
        BillingInterval::Month => (start.year(), start.month().next()),
        BillingInterval::Year => (start.year() + 1, start.month()),
    };
    let day = anchor_day.clamp(1, month.length(year));
    Date::from_calendar_date(year, month, day).unwrap_or(Date::MAX)
}

/// Price of one period: unit × quantity (checked, MoneyError::Overflow on overflow).
pub fn period_price(unit: Money, quantity: i64) -> Result<Money, MoneyError> {
    unit.minor.checked_mul(quantity).map(|minor| Money::new(minor, unit.currency)).ok_or(MoneyError::Overflow)
}

/// The money side of changing a subscription part-way through its period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proration {
    /// Unused part of what was already paid for the old items, given back (>= 0).
    pub credit: Money,
    /// The new items for the rest of the period (>= 0).
    pub charge: Money,
    pub days_left: i64,
    pub days_in_period: i64,
}

impl Proration {
    /// charge - credit: positive is charged now, negative is credited.
    ///
    /// Cannot overflow for non-negative prices; saturates rather than panics otherwise.
    pub fn net(&self) -> Money {
        Money::new(self.charge.minor.saturating_sub(self.credit.minor), self.charge.currency)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProrationError {
    #[error("the change date is outside the current period")]
    OutsidePeriod,
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// Proration by day, on the basis described in the module documentation. Prices are the
/// full-period prices (see [`period_price`]) and must share a currency.
pub fn prorate(
    old_price: Money,
    new_price: Money,
    period: Period,
    change_on: Date,
) -> Result<Proration, ProrationError> {
    if old_price.currency != new_price.currency {
        return Err(MoneyError::CurrencyMismatch(old_price.currency, new_price.currency).into());
    }
    // An empty or inverted period contains no day, so the division below never sees zero.
    if !period.contains(change_on) {
        return Err(ProrationError::OutsidePeriod);
    }
    let days_left = period.days_left(change_on);
    let days_in_period = period.days();
    Ok(Proration {
        credit: share_of(old_price, days_left, days_in_period)?,
        charge: share_of(new_price, days_left, days_in_period)?,
        days_left,
        days_in_period,
    })
}

/// `price × days / of_days`, multiplied before dividing so that the only loss of precision is
/// the single rounding at the end.
fn share_of(price: Money, days: i64, of_days: i64) -> Result<Money, MoneyError> {
    let exact = price
        .as_decimal()
        .checked_mul(Decimal::from(days))
        .and_then(|scaled| scaled.checked_div(Decimal::from(of_days)))
        .ok_or(MoneyError::Overflow)?;
    round_to_minor(exact, price.currency)
}

/// Where a subscription stands, as far as the rules below are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionState {
    pub status: SubscriptionStatus,
    /// The client asked to stop; the subscription ends at the next renewal instead of renewing.
    pub cancel_at_period_end: bool,
}

/// Something a client (or, for `Renew`, the billing cycle) asks of a subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    ChangeItems,
    ChangePaymentMethod,
    ScheduleCancel,
    Resume,
    Renew,
}

/// Why a transition was refused, worded so the client knows what to do next.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("This subscription has ended.")]
    Ended,
    #[error("This subscription is already set to end at the end of its period.")]
    AlreadyScheduledToCancel,
    #[error("This subscription is not set to end, so there is nothing to resume.")]
    NotScheduledToCancel,
    #[error("Resume the subscription before changing it.")]
    ScheduledToCancel,
    #[error("Pay the overdue invoice before changing this subscription.")]
    PastDue,
}

impl SubscriptionState {
    /// The state after `t`, or why `t` is not allowed now.
    ///
    /// A cancelled subscription is final. Items can only change while the subscription is in
    /// good standing and not on its way out: an overdue balance is settled first, and a
    /// scheduled cancellation is resumed first (when both apply, paying comes first). The
    /// payment method can always be changed while the subscription lives, since that is how an
    /// overdue balance gets paid.
    pub fn apply(self, t: Transition) -> Result<SubscriptionState, TransitionError> {
        use SubscriptionStatus::{Active, Cancelled, PastDue, Trialing};
        if self.status == Cancelled {
            return Err(TransitionError::Ended);
        }
        match t {
            Transition::ChangeItems if self.status == PastDue => Err(TransitionError::PastDue),
            Transition::ChangeItems if self.cancel_at_period_end => Err(TransitionError::ScheduledToCancel),
            Transition::ChangeItems | Transition::ChangePaymentMethod => Ok(self),
            Transition::ScheduleCancel if self.cancel_at_period_end => Err(TransitionError::AlreadyScheduledToCancel),
            Transition::ScheduleCancel => Ok(SubscriptionState { cancel_at_period_end: true, ..self }),
            Transition::Resume if self.cancel_at_period_end => {
                Ok(SubscriptionState { cancel_at_period_end: false, ..self })
            }
            Transition::Resume => Err(TransitionError::NotScheduledToCancel),
            Transition::Renew if self.cancel_at_period_end => {
                Ok(SubscriptionState { status: Cancelled, cancel_at_period_end: false })
            }
            Transition::Renew => {
                let status = match self.status {
                    Trialing | Active => Active,
                    other => other,
                };
                Ok(SubscriptionState { status, ..self })
            }
        }
    }

    /// Not cancelled: still billed, or still able to be billed.
    pub fn is_live(self) -> bool {
        self.status != SubscriptionStatus::Cancelled
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::currency::Currency;
    use proptest::prelude::*;
    use time::Duration;
    use time::macros::date;

    fn usd(minor: i64) -> Money {
        Money::new(minor, Currency::Usd)
    }

    fn period(start: Date, end: Date) -> Period {
        Period { start, end }
    }

    /// Shorthand for the expected (credit, charge, net) of a proration, in minor units.
    fn amounts(p: &Proration) -> (i64, i64, i64) {
        (p.credit.minor, p.charge.minor, p.net().minor)
    }

    #[test]
    fn monthly_renewals_clamp_to_the_month_end_and_return_to_the_anchor() {
        let month = BillingInterval::Month;
        assert_eq!(add_interval(date!(2028 - 01 - 31), month, 31), date!(2028 - 02 - 29));
        assert_eq!(add_interval(date!(2027 - 01 - 31), month, 31), date!(2027 - 02 - 28));
        assert_eq!(add_interval(date!(2027 - 02 - 28), month, 31), date!(2027 - 03 - 31));
        assert_eq!(add_interval(date!(2027 - 12 - 31), month, 31), date!(2028 - 01 - 31));
        assert_eq!(add_interval(date!(2027 - 03 - 31), month, 31), date!(2027 - 04 - 30));
        assert_eq!(add_interval(date!(2027 - 05 - 15), month, 15), date!(2027 - 06 - 15));
        let jan = period(date!(2027 - 01 - 31), date!(2027 - 02 - 28));
        assert_eq!(jan.following(month, 31), period(date!(2027 - 02 - 28), date!(2027 - 03 - 31)));
    }

    #[test]
    fn yearly_renewals_anchored_on_leap_day_use_feb_28_in_common_years() {
        let year = BillingInterval::Year;
        assert_eq!(add_interval(date!(2028 - 02 - 29), year, 29), date!(2029 - 02 - 28));
        assert_eq!(add_interval(date!(2031 - 02 - 28), year, 29), date!(2032 - 02 - 29));
        assert_eq!(add_interval(date!(2027 - 07 - 04), year, 4), date!(2028 - 07 - 04));
        assert_eq!(add_interval(Date::MAX, year, 31), Date::MAX);
    }

    #[test]
    fn periods_count_their_days_without_the_renewal_date() {
        let feb = period(date!(2028 - 02 - 01), date!(2028 - 03 - 01));
        assert_eq!(feb.days(), 29);
        assert!(feb.contains(date!(2028 - 02 - 01)));
        assert!(feb.contains(date!(2028 - 02 - 29)));
        assert!(!feb.contains(date!(2028 - 03 - 01)));
        assert!(!feb.contains(date!(2028 - 01 - 31)));
        assert_eq!(feb.days_left(date!(2028 - 02 - 01)), 29);
        assert_eq!(feb.days_left(date!(2028 - 02 - 29)), 1);
    }

    #[test]
    fn prices_a_period_by_quantity_and_refuses_overflow() {
        assert_eq!(period_price(usd(1500), 8), Ok(usd(12_000)));
        assert_eq!(period_price(usd(1500), 0), Ok(usd(0)));
        assert_eq!(period_price(usd(i64::MAX), 2), Err(MoneyError::Overflow));
        assert!(PlanKind::License.allows_quantity() && PlanKind::Service.allows_quantity());
        assert!(!PlanKind::Partner.allows_quantity());
        for kind in PlanKind::ALL {
            assert_eq!(PlanKind::parse(kind.as_str()), Some(*kind));
        }
    }

    #[test]
    fn prorates_in_a_leap_february() {
        // 29 days; change on Feb 10 leaves Feb 10..=29 = 20 days.
        // credit 10000 × 20 / 29 = 6896.55 -> 6897; charge 15000 × 20 / 29 = 10344.83 -> 10345.
        let feb = period(date!(2028 - 02 - 01), date!(2028 - 03 - 01));
        let p = prorate(usd(10_000), usd(15_000), feb, date!(2028 - 02 - 10)).unwrap();
        assert_eq!((p.days_left, p.days_in_period), (20, 29));
        assert_eq!(amounts(&p), (6897, 10_345, 3448));
    }

    #[test]
    fn prorates_in_a_31_day_month() {
        // Change on Jan 17 leaves Jan 17..=31 = 15 days.
        // credit 4999 × 15 / 31 = 2418.87 -> 2419; charge 9999 × 15 / 31 = 4838.23 -> 4838.
        let jan = period(date!(2027 - 01 - 01), date!(2027 - 02 - 01));
        let p = prorate(usd(4999), usd(9999), jan, date!(2027 - 01 - 17)).unwrap();
        assert_eq!((p.days_left, p.days_in_period), (15, 31));
        assert_eq!(amounts(&p), (2419, 4838, 2419));
    }

    #[test]
    fn prorates_a_downgrade_in_a_30_day_month() {
        // Change on Apr 19 leaves Apr 19..=30 = 12 days.
        // credit 2999 × 12 / 30 = 1199.6 -> 1200; charge 1999 × 12 / 30 = 799.6 -> 800.
        let apr = period(date!(2027 - 04 - 01), date!(2027 - 05 - 01));
        let p = prorate(usd(2999), usd(1999), apr, date!(2027 - 04 - 19)).unwrap();
        assert_eq!((p.days_left, p.days_in_period), (12, 30));
        assert_eq!(amounts(&p), (1200, 800, -400));
    }

    #[test]
    fn prorates_in_a_common_february() {
        // 28 days; change on Feb 22 leaves Feb 22..=28 = 7 days.
        // credit 3333 × 7 / 28 = 833.25 -> 833; charge 4999 × 7 / 28 = 1249.75 -> 1250.
        let feb = period(date!(2027 - 02 - 01), date!(2027 - 03 - 01));
        let p = prorate(usd(3333), usd(4999), feb, date!(2027 - 02 - 22)).unwrap();
        assert_eq!((p.days_left, p.days_in_period), (7, 28));
        assert_eq!(amounts(&p), (833, 1250, 417));
    }

    #[test]
    fn a_change_on_the_first_day_swaps_whole_prices_and_on_the_last_day_one_day() {
        let jan = period(date!(2027 - 01 - 01), date!(2027 - 02 - 01));
        let first = prorate(usd(10_000), usd(15_000), jan, date!(2027 - 01 - 01)).unwrap();
        assert_eq!(amounts(&first), (10_000, 15_000, 5000));
        // Jan 31 is the last day: 10000 / 31 = 322.58 -> 323; 15000 / 31 = 483.87 -> 484.
        let last = prorate(usd(10_000), usd(15_000), jan, date!(2027 - 01 - 31)).unwrap();
        assert_eq!((last.days_left, last.days_in_period), (1, 31));
        assert_eq!(amounts(&last), (323, 484, 161));
    }

    #[test]
    fn refuses_a_day_outside_the_period_and_mixed_currencies() {
        let jan = period(date!(2027 - 01 - 01), date!(2027 - 02 - 01));
        assert_eq!(prorate(usd(1), usd(2), jan, date!(2027 - 02 - 01)), Err(ProrationError::OutsidePeriod));
        assert_eq!(prorate(usd(1), usd(2), jan, date!(2026 - 12 - 31)), Err(ProrationError::OutsidePeriod));
        let empty = period(date!(2027 - 01 - 01), date!(2027 - 01 - 01));
        assert_eq!(prorate(usd(1), usd(2), empty, date!(2027 - 01 - 01)), Err(ProrationError::OutsidePeriod));
        let eur = Money::new(2, Currency::Eur);
        assert_eq!(
            prorate(usd(1), eur, jan, date!(2027 - 01 - 10)),
            Err(ProrationError::Money(MoneyError::CurrencyMismatch(Currency::Usd, Currency::Eur)))
        );
    }

    #[test]
    fn an_upgrade_then_a_downgrade_bills_the_days_used_at_each_quantity() {
        // Licenses at $15.00 for April (30 days): 8 -> 10 on Apr 10, then 10 -> 6 on Apr 20.
        let unit = usd(1500);
        let apr = period(date!(2027 - 04 - 01), date!(2027 - 05 - 01));
        let price = |quantity| period_price(unit, quantity).unwrap();
        // Apr 10..=30 = 21 days: credit 12000 × 21 / 30 = 8400, charge 15000 × 21 / 30 = 10500.
        let up = prorate(price(8), price(10), apr, date!(2027 - 04 - 10)).unwrap();
        assert_eq!(amounts(&up), (8400, 10_500, 2100));
        // Apr 20..=30 = 11 days: credit 15000 × 11 / 30 = 5500, charge 9000 × 11 / 30 = 3300.
        let down = prorate(price(10), price(6), apr, date!(2027 - 04 - 20)).unwrap();
        assert_eq!(amounts(&down), (5500, 3300, -2200));
        // Paid 12000 + 2100 - 2200 = 11900. Used: $15 / 30 = 50 cents a license-day, times
        // 8 × 9 + 10 × 10 + 6 × 11 = 238 license-days = 11900. Nothing was rounded, so exact.
        let paid = price(8).minor + up.net().minor + down.net().minor;
        assert_eq!(paid, 11_900);
        assert_eq!(paid, 50 * (8 * 9 + 10 * 10 + 6 * 11));
    }

    #[test]
    fn the_same_changes_in_a_31_day_month_stay_within_each_steps_rounding() {
        // May (31 days). May 10..=31 = 22 days: credit 264000 / 31 = 8516.13 -> 8516,
        // charge 330000 / 31 = 10645.16 -> 10645. May 20..=31 = 12 days: credit
        // 180000 / 31 = 5806.45 -> 5806, charge 108000 / 31 = 3483.87 -> 3484.
        let may = period(date!(2027 - 05 - 01), date!(2027 - 06 - 01));
        let up = prorate(usd(12_000), usd(15_000), may, date!(2027 - 05 - 10)).unwrap();
        let down = prorate(usd(15_000), usd(9000), may, date!(2027 - 05 - 20)).unwrap();
        assert_eq!(amounts(&up), (8516, 10_645, 2129));
        assert_eq!(amounts(&down), (5806, 3484, -2322));
        // Paid 12000 + 2129 - 2322 = 11807. Used: 1500 × (8 × 9 + 10 × 10 + 6 × 12) / 31 =
        // 366000 / 31 = 11806.45. Each step rounds credit and charge by at most half a cent
        // each, so the two steps together are within 2 cents; here the gap is 0.55 cents.
        let paid = 12_000 + up.net().minor + down.net().minor;
        assert_eq!(paid, 11_807);
        let used = Decimal::from(366_000) / Decimal::from(31);
        assert!((Decimal::from(paid) - used).abs() <= Decimal::from(2));
    }

    #[test]
    fn yen_rounds_exact_halves_away_from_zero() {
        // April, change on Apr 16 leaves 15 of 30 days: half of each price.
        // credit ¥12345 / 2 = 6172.5 -> 6173; charge ¥20001 / 2 = 10000.5 -> 10001.
        let yen = |minor| Money::new(minor, Currency::Jpy);
        let apr = period(date!(2027 - 04 - 01), date!(2027 - 05 - 01));
        let p = prorate(yen(12_345), yen(20_001), apr, date!(2027 - 04 - 16)).unwrap();
        assert_eq!((p.days_left, p.days_in_period), (15, 30));
        assert_eq!(amounts(&p), (6173, 10_001, 3828));
        assert_eq!(p.net().currency, Currency::Jpy);
    }

    #[test]
    fn every_transition_from_every_state() {
        use SubscriptionStatus::{Active, Cancelled, PastDue, Trialing};
        use Transition::*;
        type Outcome = Result<(SubscriptionStatus, bool), &'static str>;
        let state = |status, cancel_at_period_end| SubscriptionState { status, cancel_at_period_end };
        const PAY: &str = "Pay the overdue invoice before changing this subscription.";
        const RESUME_FIRST: &str = "Resume the subscription before changing it.";
        const ALREADY: &str = "This subscription is already set to end at the end of its period.";
        const NOTHING: &str = "This subscription is not set to end, so there is nothing to resume.";
        let table: &[(SubscriptionStatus, bool, Transition, Outcome)] = &[
            (Trialing, false, ChangeItems, Ok((Trialing, false))),
            (Trialing, false, ChangePaymentMethod, Ok((Trialing, false))),
            (Trialing, false, ScheduleCancel, Ok((Trialing, true))),
            (Trialing, false, Resume, Err(NOTHING)),
            (Trialing, false, Renew, Ok((Active, false))),
            (Trialing, true, ChangeItems, Err(RESUME_FIRST)),
            (Trialing, true, ChangePaymentMethod, Ok((Trialing, true))),
            (Trialing, true, ScheduleCancel, Err(ALREADY)),
            (Trialing, true, Resume, Ok((Trialing, false))),
            (Trialing, true, Renew, Ok((Cancelled, false))),
            (Active, false, ChangeItems, Ok((Active, false))),
            (Active, false, ChangePaymentMethod, Ok((Active, false))),
            (Active, false, ScheduleCancel, Ok((Active, true))),
            (Active, false, Resume, Err(NOTHING)),
            (Active, false, Renew, Ok((Active, false))),
            (Active, true, ChangeItems, Err(RESUME_FIRST)),
            (Active, true, ChangePaymentMethod, Ok((Active, true))),
            (Active, true, ScheduleCancel, Err(ALREADY)),
            (Active, true, Resume, Ok((Active, false))),
            (Active, true, Renew, Ok((Cancelled, false))),
            (PastDue, false, ChangeItems, Err(PAY)),
            (PastDue, false, ChangePaymentMethod, Ok((PastDue, false))),
            (PastDue, false, ScheduleCancel, Ok((PastDue, true))),
            (PastDue, false, Resume, Err(NOTHING)),
            (PastDue, false, Renew, Ok((PastDue, false))),
            (PastDue, true, ChangeItems, Err(PAY)),
            (PastDue, true, ChangePaymentMethod, Ok((PastDue, true))),
            (PastDue, true, ScheduleCancel, Err(ALREADY)),
            (PastDue, true, Resume, Ok((PastDue, false))),
            (PastDue, true, Renew, Ok((Cancelled, false))),
        ];
        let all = [ChangeItems, ChangePaymentMethod, ScheduleCancel, Resume, Renew];
        assert_eq!(table.len(), 3 * 2 * all.len(), "one row per live state and transition");
        for &(status, flag, t, expected) in table {
            let got = state(status, flag).apply(t).map(|s| (s.status, s.cancel_at_period_end));
            let got = got.map_err(|e| e.to_string());
            assert_eq!(got, expected.map_err(String::from), "{status:?} cancel_at_period_end={flag} {t:?}");
            assert!(state(status, flag).is_live());
        }
        for flag in [false, true] {
            assert!(!state(Cancelled, flag).is_live());
            for t in all {
                let refused = state(Cancelled, flag).apply(t).map_err(|e| e.to_string());
                assert_eq!(refused, Err("This subscription has ended.".to_string()), "{t:?}");
            }
        }
    }

    /// A period of 28..=366 days starting somewhere in 2000..2100, with days inside it picked
    /// by index (so every day of the period can come up).
    fn period_strategy() -> impl Strategy<Value = Period> {
        (0i64..36_500, 28i64..=366).prop_map(|(offset, days)| {
            let start = date!(2000 - 01 - 01) + Duration::days(offset);
            period(start, start + Duration::days(days))
        })
    }

    fn day_in(p: Period, index: prop::sample::Index) -> Date {
        p.start + Duration::days(index.index(p.days() as usize) as i64)
    }

    proptest! {
        #[test]
        fn a_proration_never_exceeds_the_full_prices(
            old in 0i64..=10_000_000, new in 0i64..=10_000_000, p in period_strategy(), i in any::<prop::sample::Index>()
        ) {
            let r = prorate(usd(old), usd(new), p, day_in(p, i)).unwrap();
            prop_assert!(0 <= r.credit.minor && r.credit.minor <= old);
            prop_assert!(0 <= r.charge.minor && r.charge.minor <= new);
        }

        #[test]
        fn credit_and_charge_add_up(
            old in 0i64..=10_000_000, new in 0i64..=10_000_000, p in period_strategy(), i in any::<prop::sample::Index>()
        ) {
            let r = prorate(usd(old), usd(new), p, day_in(p, i)).unwrap();
            let used = usd(old).checked_sub(r.credit).unwrap();
            prop_assert_eq!(r.credit.checked_add(used).unwrap(), usd(old));
            prop_assert_eq!(r.net(), r.charge.checked_sub(r.credit).unwrap());
        }

        #[test]
        fn changing_and_changing_back_on_the_same_day_nets_zero(
            a in 0i64..=10_000_000, b in 0i64..=10_000_000, p in period_strategy(), i in any::<prop::sample::Index>()
        ) {
            let day = day_in(p, i);
            let there = prorate(usd(a), usd(b), p, day).unwrap();
            let back = prorate(usd(b), usd(a), p, day).unwrap();
            prop_assert_eq!(there.net().checked_add(back.net()).unwrap(), usd(0));
        }

        #[test]
        fn an_earlier_change_never_gives_a_smaller_credit(
            old in 0i64..=10_000_000, p in period_strategy(),
            i in any::<prop::sample::Index>(), j in any::<prop::sample::Index>()
        ) {
            let (earlier, later) = (day_in(p, i).min(day_in(p, j)), day_in(p, i).max(day_in(p, j)));
            let early = prorate(usd(old), usd(0), p, earlier).unwrap();
            let late = prorate(usd(old), usd(0), p, later).unwrap();
            prop_assert!(early.credit.minor >= late.credit.minor);
        }
    }
}
