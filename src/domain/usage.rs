//! Message usage (seed 003): a month's messages and their cost, by template category.
//! Counts are plain integers; costs stay per currency and are never added across currencies.

use serde::{Deserialize, Serialize};
use std::fmt;
use time::{Date, Month};

use super::billing_items::string_enum;
use super::money::{CurrencyTotals, Money, MoneyError, group_thousands};

string_enum! {
    /// The message template categories, each priced differently.
    UsageCategory {
        Marketing => "marketing", "Marketing";
        Utility => "utility", "Utility";
        Authentication => "authentication", "Authentication";
    }
}

impl UsageCategory {
    /// Its place in [`UsageCategory::ALL`], which is also the order of stacks in charts.
    pub fn index(self) -> usize {
        match self {
            UsageCategory::Marketing => 0,
            UsageCategory::Utility => 1,
            UsageCategory::Authentication => 2,
        }
    }
}

/// A calendar month, written `YYYY-MM` in addresses, files and on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UsageMonth {
    // Year before month, so that the derived order is the calendar's.
    year: i32,
    month: Month,
}

impl UsageMonth {
    pub fn of(date: Date) -> UsageMonth {
        UsageMonth { year: date.year(), month: date.month() }
    }

    /// `YYYY-MM` exactly, as `<input type="month">` and the month picker write it.
    pub fn parse(text: &str) -> Option<UsageMonth> {
        let (year, month) = text.split_once('-')?;
        if year.len() != 4 || month.len() != 2 || !(year.bytes().chain(month.bytes()).all(|b| b.is_ascii_digit())) {
            return None;
        }
        let month = Month::try_from(month.parse::<u8>().ok()?).ok()?;
        let year: i32 = year.parse().ok()?;
        // Year 0000 parses but is no month anyone bills in.
        (year >= 1).then_some(UsageMonth { year, month })
    }

    pub fn first_day(self) -> Date {
        Date::from_calendar_date(self.year, self.month, 1).expect("years 1-9999 are in range")
    }

    /// Also for December 9999, whose next month is past the calendar's end.
    pub fn last_day(self) -> Date {
        Date::from_calendar_date(self.year, self.month, self.day_count()).expect("a month's last day exists")
    }

    pub fn previous(self) -> UsageMonth {
        match self.month {
            Month::January => UsageMonth { year: self.year - 1, month: Month::December },
            month => UsageMonth { year: self.year, month: month.previous() },
        }
    }

    pub fn day_count(self) -> u8 {
        self.month.length(self.year)
    }

    /// "November 2026".
    pub fn label(self) -> String {
        format!("{} {}", self.month, self.year)
    }
}

impl fmt::Display for UsageMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, u8::from(self.month))
    }
}

impl From<UsageMonth> for String {
    fn from(month: UsageMonth) -> String {
        month.to_string()
    }
}

impl TryFrom<String> for UsageMonth {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        UsageMonth::parse(&text).ok_or_else(|| format!("not a month: {text:?}"))
    }
}

/// Messages and what they cost, for one slice of usage.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub messages: i64,
    pub cost: CurrencyTotals,
}

impl Tally {
    pub fn add(&mut self, messages: i64, cost: Money) -> Result<(), MoneyError> {
        self.messages = self.messages.checked_add(messages).ok_or(MoneyError::Overflow)?;
        self.cost.add(cost)
    }
}

/// A [`Tally`] per category, in the order of [`UsageCategory::ALL`], and all of them together.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryTallies {
    pub by_category: [Tally; 3],
    pub total: Tally,
}

impl CategoryTallies {
    pub fn get(&self, category: UsageCategory) -> &Tally {
        &self.by_category[category.index()]
    }

    pub fn add(&mut self, category: UsageCategory, messages: i64, cost: Money) -> Result<(), MoneyError> {
        self.by_category[category.index()].add(messages, cost)?;
        self.total.add(messages, cost)
    }

    /// Message counts in category order: what the charts stack.
    pub fn messages(&self) -> [i64; 3] {
        self.by_category.each_ref().map(|t| t.messages)
    }
}

/// A message count with thousands separators: "12,345".
pub fn format_count(count: i64) -> String {
    let grouped = group_thousands(count.unsigned_abs());
    if count < 0 { format!("-{grouped}") } else { grouped }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::currency::Currency;
    use time::macros::date;

    fn month(text: &str) -> UsageMonth {
        UsageMonth::parse(text).unwrap()
    }

    #[test]
    fn months_parse_only_as_yyyy_mm() {
        assert_eq!(month("2026-11").to_string(), "2026-11");
        assert_eq!(month("0999-01").to_string(), "0999-01");
        for bad in [
            "",
            "2026",
            "2026-13",
            "2026-00",
            "2026-1",
            "26-11",
            "2026-11-01",
            "2026/11",
            "+026-11",
            "2026-1a",
            "0000-05",
            " 2026-11",
            "２０２６-11",
        ] {
            assert_eq!(UsageMonth::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn months_know_their_days_neighbours_and_name() {
        assert_eq!(month("2026-02").day_count(), 28);
        assert_eq!(month("2028-02").day_count(), 29);
        assert_eq!(month("2026-11").day_count(), 30);
        assert_eq!(month("2027-01").previous(), month("2026-12"));
        assert_eq!(month("2026-11").previous(), month("2026-10"));
        assert_eq!(month("2026-11").first_day(), date!(2026 - 11 - 01));
        assert_eq!(month("2026-11").last_day(), date!(2026 - 11 - 30));
        assert_eq!(month("9999-12").last_day(), date!(9999 - 12 - 31));
        assert_eq!(UsageMonth::of(date!(2026 - 11 - 22)), month("2026-11"));
        assert_eq!(month("2026-11").label(), "November 2026");
        assert!(month("2025-12") < month("2026-01"));
    }

    #[test]
    fn months_travel_as_their_text() {
        assert_eq!(serde_json::to_string(&month("2026-09")).unwrap(), "\"2026-09\"");
        assert_eq!(serde_json::from_str::<UsageMonth>("\"2026-09\"").unwrap(), month("2026-09"));
        assert!(serde_json::from_str::<UsageMonth>("\"2026-9\"").is_err());
    }

    #[test]
    fn tallies_add_up_per_category_and_keep_currencies_apart() {
        let usd = |minor| Money::new(minor, Currency::Usd);
        let mut tallies = CategoryTallies::default();
        tallies.add(UsageCategory::Marketing, 10, usd(30)).unwrap();
        tallies.add(UsageCategory::Marketing, 5, usd(15)).unwrap();
        tallies.add(UsageCategory::Authentication, 2, Money::new(2, Currency::Eur)).unwrap();
        assert_eq!(tallies.messages(), [15, 0, 2]);
        assert_eq!(tallies.get(UsageCategory::Marketing).cost.0, vec![usd(45)]);
        let total = &tallies.total;
        assert_eq!(total.messages, 17);
        assert_eq!(total.cost.0, vec![usd(45), Money::new(2, Currency::Eur)]);
        assert_eq!(tallies.add(UsageCategory::Utility, i64::MAX, usd(0)), Err(MoneyError::Overflow));
    }

    #[test]
    fn categories_have_a_fixed_order_and_stored_names() {
        for (i, c) in UsageCategory::ALL.iter().enumerate() {
            assert_eq!(c.index(), i);
            assert_eq!(UsageCategory::parse(c.as_str()), Some(*c));
        }
        assert_eq!(UsageCategory::parse("service"), None);
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(1_234_567), "1,234,567");
        assert_eq!(format_count(-1_000), "-1,000");
    }
}
