//! The calendar of seed 003, as rules: which documents a cycle date makes due, how a license
//! for a number added mid-month is prorated, when a failed charge is retried, and when a card
//! will have expired before the next charge.

use time::{Date, Duration, Month};

use super::money::{Money, MoneyError};
use super::subscription::{Period, prorate};

pub fn first_of_month(day: Date) -> Date {
    day.replace_day(1).unwrap_or(day)
}

pub fn last_of_month(day: Date) -> Date {
    day.replace_day(day.month().length(day.year())).unwrap_or(day)
}

/// The first day of the month after `day`'s.
pub fn next_month_start(day: Date) -> Date {
    last_of_month(day) + Duration::days(1)
}

/// The first day of the month before `day`'s.
pub fn previous_month_start(day: Date) -> Date {
    first_of_month(first_of_month(day) - Duration::days(1))
}

/// "2026-12": the month part of a cycle key.
pub fn month_key(day: Date) -> String {
    format!("{:04}-{:02}", day.year(), u8::from(day.month()))
}

/// "December 2026".
pub fn month_name(day: Date) -> String {
    format!("{} {}", day.month(), day.year())
}

/// Month-bound documents a run on `day` issues when they are not issued yet. Each names the
/// first day of the month it covers. A run that was missed is caught up by the next one: the
/// month-end prorated invoice is still due on the 1st after, the reconciliation all month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthDocuments {
    /// The month whose numbers onboarded after its 1st get a prorated license invoice: `day`'s
    /// own month on its last day, otherwise the month before.
    pub prorated_month: Date,
    /// The month reconciled: always the month before `day`'s.
    pub reconciled_month: Date,
}

impl MonthDocuments {
    pub fn for_run_on(day: Date) -> MonthDocuments {
        let prorated_month = if day == last_of_month(day) { first_of_month(day) } else { previous_month_start(day) };
        MonthDocuments { prorated_month, reconciled_month: previous_month_start(day) }
    }
}

/// A license for a number onboarded during `month` (not on its 1st, when the month's license
/// invoice already bills it): the license price × days from onboarding (counted) to the month's
/// end / days in the month, rounded once by the money rule. Returns the amount and the days.
pub fn prorated_license(unit_price: Money, month: Date, onboarded_on: Date) -> Result<(Money, i64, i64), MoneyError> {
    let period = Period { start: first_of_month(month), end: next_month_start(month) };
    let zero = Money::zero(unit_price.currency);
    let proration = prorate(zero, unit_price, period, onboarded_on).map_err(|_| MoneyError::Overflow)?;
    Ok((proration.charge, proration.days_left, proration.days_in_period))
}

/// The vendor's retry schedule for failed automatic charges: days after the first attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrySchedule {
    days: Vec<u16>,
}

/// The longest a schedule may reach: past this an invoice is a collections matter.
pub const MAX_RETRY_DAY: u16 = 60;
pub const MAX_RETRIES: usize = 10;

impl RetrySchedule {
    /// "1, 3, 7": ascending whole days after the first attempt, at most ten, none past day 60.
    /// An empty text means no retries.
    pub fn parse(text: &str) -> Result<RetrySchedule, String> {
        let mut days: Vec<u16> = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let day: u16 = part.parse().map_err(|_| format!("\"{part}\" is not a whole number of days."))?;
            if day == 0 || day > MAX_RETRY_DAY {
                return Err(format!("Retry days must be between 1 and {MAX_RETRY_DAY}; {day} is not."));
            }
            if days.last().is_some_and(|&last| day <= last) {
                return Err("List the retry days in increasing order, each once (for example 1, 3, 7).".into());
            }
            days.push(day);
        }
        if days.len() > MAX_RETRIES {
            return Err(format!("At most {MAX_RETRIES} retries."));
        }
        Ok(RetrySchedule { days })
    }

    /// "1,3,7", as stored.
    pub fn to_text(&self) -> String {
        self.days.iter().map(u16::to_string).collect::<Vec<_>>().join(",")
    }

    /// When the attempt after `attempts_made` attempts is due, the first having been made on
    /// `first_attempt`; `None` once the schedule is used up.
    pub fn next_attempt(&self, first_attempt: Date, attempts_made: u32) -> Option<Date> {
        if attempts_made == 0 {
            return Some(first_attempt);
        }
        let day = *self.days.get(attempts_made as usize - 1)?;
        Some(first_attempt + Duration::days(i64::from(day)))
    }
}

impl Default for RetrySchedule {
    fn default() -> Self {
        RetrySchedule { days: vec![1, 3, 7] }
    }
}

/// A whole number of days typed into a settings form, between `min` and `max`.
pub fn parse_days(text: &str, min: i64, max: i64) -> Result<i64, String> {
    match text.trim().parse::<i64>() {
        Ok(days) if (min..=max).contains(&days) => Ok(days),
        Ok(_) => Err(format!("Enter a number of days from {min} to {max}.")),
        Err(_) => Err(format!("Enter a whole number of days, from {min} to {max}.")),
    }
}

/// A card is good through the last day of its expiry month. Charged on `charge_date`, it will
/// have expired when that date falls after that day.
pub fn card_expired_by(exp_month: u8, exp_year: i32, charge_date: Date) -> bool {
    let Ok(month) = Month::try_from(exp_month) else { return true };
    match Date::from_calendar_date(exp_year, month, 1) {
        Ok(first) => charge_date > last_of_month(first),
        Err(_) => true,
    }
}

/// The next date the cycle charges licenses: the 1st after `day`.
pub fn next_license_charge(day: Date) -> Date {
    next_month_start(day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::currency::Currency;
    use time::macros::date;

    fn usd(minor: i64) -> Money {
        Money::new(minor, Currency::Usd)
    }

    #[test]
    fn month_arithmetic_crosses_years_and_leap_februaries() {
        assert_eq!(next_month_start(date!(2026 - 12 - 31)), date!(2027 - 01 - 01));
        assert_eq!(previous_month_start(date!(2027 - 01 - 01)), date!(2026 - 12 - 01));
        assert_eq!(last_of_month(date!(2028 - 02 - 10)), date!(2028 - 02 - 29));
        assert_eq!(last_of_month(date!(2027 - 02 - 10)), date!(2027 - 02 - 28));
        assert_eq!(month_key(date!(2026 - 03 - 31)), "2026-03");
        assert_eq!(month_name(date!(2026 - 12 - 05)), "December 2026");
    }

    #[test]
    fn month_end_documents_are_due_on_the_last_day_and_caught_up_after() {
        let on_last = MonthDocuments::for_run_on(date!(2026 - 12 - 31));
        assert_eq!(on_last.prorated_month, date!(2026 - 12 - 01));
        assert_eq!(on_last.reconciled_month, date!(2026 - 11 - 01));
        let on_first = MonthDocuments::for_run_on(date!(2027 - 01 - 01));
        assert_eq!(on_first.prorated_month, date!(2026 - 12 - 01));
        assert_eq!(on_first.reconciled_month, date!(2026 - 12 - 01));
        let mid = MonthDocuments::for_run_on(date!(2027 - 01 - 15));
        assert_eq!((mid.prorated_month, mid.reconciled_month), (date!(2026 - 12 - 01), date!(2026 - 12 - 01)));
    }

    #[test]
    fn prorates_a_license_by_the_days_left_including_the_onboarding_day() {
        // $15.00 × 22/31 = $10.645… → $10.65; on the 31st one day: $0.4838… → $0.48.
        let december = date!(2026 - 12 - 01);
        assert_eq!(prorated_license(usd(1500), december, date!(2026 - 12 - 10)), Ok((usd(1065), 22, 31)));
        assert_eq!(prorated_license(usd(1500), december, date!(2026 - 12 - 31)), Ok((usd(48), 1, 31)));
        // 30-day month, the 10th: 21/30 exactly.
        assert_eq!(prorated_license(usd(1500), date!(2026 - 11 - 01), date!(2026 - 11 - 10)), Ok((usd(1050), 21, 30)));
        // Leap February, the 29th: 1/29 of €14.00 = €0.4827… → €0.48.
        let eur = Money::new(1400, Currency::Eur);
        assert_eq!(
            prorated_license(eur, date!(2028 - 02 - 01), date!(2028 - 02 - 29)),
            Ok((Money::new(48, Currency::Eur), 1, 29))
        );
        assert!(prorated_license(usd(1500), december, date!(2027 - 01 - 01)).is_err());
    }

    #[test]
    fn retries_follow_the_schedule_then_stop() {
        let schedule = RetrySchedule::parse("1, 3,7").unwrap();
        let issued = date!(2026 - 12 - 01);
        assert_eq!(schedule.next_attempt(issued, 0), Some(issued));
        assert_eq!(schedule.next_attempt(issued, 1), Some(date!(2026 - 12 - 02)));
        assert_eq!(schedule.next_attempt(issued, 2), Some(date!(2026 - 12 - 04)));
        assert_eq!(schedule.next_attempt(issued, 3), Some(date!(2026 - 12 - 08)));
        assert_eq!(schedule.next_attempt(issued, 4), None);
        assert_eq!(schedule.to_text(), "1,3,7");
        assert_eq!(RetrySchedule::parse("").unwrap().next_attempt(issued, 1), None);
        assert_eq!(RetrySchedule::default(), schedule);
    }

    #[test]
    fn refuses_schedules_that_are_not_increasing_whole_days_in_range() {
        assert!(RetrySchedule::parse("3,1").unwrap_err().contains("increasing"));
        assert!(RetrySchedule::parse("1,1").unwrap_err().contains("increasing"));
        assert!(RetrySchedule::parse("0").unwrap_err().contains("between 1 and 60"));
        assert!(RetrySchedule::parse("61").unwrap_err().contains("between 1 and 60"));
        assert!(RetrySchedule::parse("1,x").unwrap_err().contains("\"x\""));
        assert!(RetrySchedule::parse("1,2,3,4,5,6,7,8,9,10,11").unwrap_err().contains("At most"));
    }

    #[test]
    fn settings_days_are_whole_numbers_in_range() {
        assert_eq!(parse_days(" 7 ", 0, 90), Ok(7));
        assert_eq!(parse_days("0", 0, 90), Ok(0));
        assert!(parse_days("91", 0, 90).unwrap_err().contains("from 0 to 90"));
        assert!(parse_days("0", 1, 90).unwrap_err().contains("from 1 to 90"));
        assert!(parse_days("two", 0, 90).unwrap_err().contains("whole number"));
        assert!(parse_days("1.5", 0, 90).is_err());
    }

    #[test]
    fn a_card_is_good_through_the_end_of_its_expiry_month() {
        assert!(!card_expired_by(11, 2026, date!(2026 - 11 - 30)));
        assert!(card_expired_by(11, 2026, date!(2026 - 12 - 01)));
        assert!(!card_expired_by(12, 2026, date!(2026 - 12 - 31)));
        assert!(card_expired_by(13, 2026, date!(2026 - 01 - 01)));
        assert_eq!(next_license_charge(date!(2026 - 11 - 22)), date!(2026 - 12 - 01));
        assert_eq!(next_license_charge(date!(2026 - 12 - 01)), date!(2027 - 01 - 01));
    }
}
