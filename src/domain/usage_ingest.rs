//! Usage pushed by the vendor's systems (seed 003): the rules one reported record must meet
//! before it is charged to the client's credit balance, what makes a resend harmless, and how
//! the charge reads on the ledger. Pure: the server looks up the account and its numbers and
//! hands them in.

use serde::{Deserialize, Serialize};
use time::Date;

use super::billing_items::{format_date, iso_date, parse_iso_date, string_enum};
use super::currency::Currency;
use super::field_error::FieldError;
use super::money::{Money, group_thousands};

/// The most records one request may carry: large enough for a day of a busy client's numbers,
/// small enough that one batch is one short transaction.
pub const MAX_RECORDS_PER_BATCH: usize = 1_000;
pub const MAX_ID_CHARS: usize = 100;
/// Far above any real day of one number; it keeps a batch's sums clear of overflow.
pub const MAX_MESSAGES: i64 = 1_000_000_000_000;
pub const MAX_COST_MINOR: i64 = 1_000_000_000_000;

string_enum! {
    UsageCategory {
        Marketing => "marketing", "Marketing";
        Utility => "utility", "Utility";
        Authentication => "authentication", "Authentication";
    }
}

/// One of the account's phone numbers, as the rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber {
    pub id: String,
    pub number: String,
    pub onboarded_on: Date,
    pub released_on: Option<Date>,
}

/// What is known about the account a record names.
#[derive(Debug, Clone, Copy)]
pub struct AccountFacts<'a> {
    pub currency: Currency,
    pub numbers: &'a [PhoneNumber],
}

/// A record as reported, its JSON types already checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reported<'a> {
    pub id: &'a str,
    pub phone_number: &'a str,
    pub category: UsageCategory,
    pub date: &'a str,
    pub messages: i64,
    pub cost_amount: i64,
    pub cost_currency: &'a str,
}

/// A record that passed every rule, ready to store and charge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Usage {
    pub phone_number_id: String,
    pub category: UsageCategory,
    pub date: Date,
    pub messages: i64,
    pub cost: Money,
}

/// Only digits identify a number: "+1 206 555 0101", "+1 (206) 555-0101" and "12065550101"
/// are the same line.
pub fn number_digits(number: &str) -> String {
    number.chars().filter(char::is_ascii_digit).collect()
}

/// The account's number named by its id or by the number itself.
pub fn find_number<'a>(numbers: &'a [PhoneNumber], given: &str) -> Option<&'a PhoneNumber> {
    let given = given.trim();
    if let Some(by_id) = numbers.iter().find(|n| n.id == given) {
        return Some(by_id);
    }
    let digits = number_digits(given);
    if digits.is_empty() {
        return None;
    }
    numbers.iter().find(|n| number_digits(&n.number) == digits)
}

pub fn check_id(id: &str) -> Result<(), FieldError> {
    let chars = id.chars().count();
    if chars == 0 || chars > MAX_ID_CHARS || id.trim().is_empty() {
        return Err(FieldError::new("id", format!("Give each record your own id of 1 to {MAX_ID_CHARS} characters.")));
    }
    if id.chars().any(char::is_control) {
        return Err(FieldError::new("id", "The id cannot contain control characters."));
    }
    Ok(())
}

/// Checks one record against the rules. `account` is `None` when the account is unknown (or
/// another vendor's, which reads the same). Every broken rule is reported, not just the first.
pub fn validate(
    record: &Reported<'_>,
    account: Option<AccountFacts<'_>>,
    today: Date,
) -> Result<Usage, Vec<FieldError>> {
    let mut errors = Vec::new();
    if let Err(e) = check_id(record.id) {
        errors.push(e);
    }
    if account.is_none() {
        errors.push(FieldError::new("account_id", "No account with this id."));
    }
    let number = account.and_then(|a| find_number(a.numbers, record.phone_number));
    if account.is_some() && number.is_none() {
        errors.push(FieldError::new("phone_number", "This is not a phone number of the account."));
    }
    let date = parse_iso_date(record.date);
    match date {
        None => errors.push(FieldError::new("date", "Use a calendar date in the form YYYY-MM-DD, like 2026-11-21.")),
        Some(d) if d > today => errors
            .push(FieldError::new("date", format!("The date is in the future (today is {} UTC).", iso_date(today)))),
        Some(d) => {
            if let Some(n) = number {
                if d < n.onboarded_on {
                    errors.push(FieldError::new(
                        "date",
                        format!("The number was onboarded on {}, after this date.", iso_date(n.onboarded_on)),
                    ));
                }
                if let Some(released) = n.released_on.filter(|r| d > *r) {
                    errors.push(FieldError::new(
                        "date",
                        format!("The number was released on {}, before this date.", iso_date(released)),
                    ));
                }
            }
        }
    }
    if record.messages < 0 {
        errors.push(FieldError::new("messages", "The message count cannot be negative."));
    } else if record.messages > MAX_MESSAGES {
        errors.push(FieldError::new("messages", "The message count is larger than one record can carry."));
    }
    if record.cost_amount < 0 {
        errors.push(FieldError::new(
            "cost.amount",
            "The cost cannot be negative; credit a client with a credit adjustment.",
        ));
    } else if record.cost_amount > MAX_COST_MINOR {
        errors.push(FieldError::new("cost.amount", "The cost is larger than one record can carry."));
    }
    let currency = record.cost_currency.parse::<Currency>().ok();
    if let Some(a) = account
        && currency != Some(a.currency)
    {
        errors.push(FieldError::new("cost.currency", format!("This account is billed in {}.", a.currency.code())));
    }
    match (errors.is_empty(), number, date, currency) {
        (true, Some(n), Some(date), Some(currency)) => Ok(Usage {
            phone_number_id: n.id.clone(),
            category: record.category,
            date,
            messages: record.messages,
            cost: Money::new(record.cost_amount, currency),
        }),
        _ => Err(errors),
    }
}

/// The fields in which a record sent again under an id already accepted differs from what was
/// accepted; empty when it is the same record (a harmless resend).
pub fn differences(accepted: &Usage, record: &Reported<'_>, numbers: &[PhoneNumber]) -> Vec<&'static str> {
    let mut fields = Vec::new();
    if find_number(numbers, record.phone_number).map(|n| n.id.as_str()) != Some(accepted.phone_number_id.as_str()) {
        fields.push("phone_number");
    }
    if record.category != accepted.category {
        fields.push("category");
    }
    if parse_iso_date(record.date) != Some(accepted.date) {
        fields.push("date");
    }
    if record.messages != accepted.messages {
        fields.push("messages");
    }
    if record.cost_amount != accepted.cost.minor || record.cost_currency != accepted.cost.currency.code() {
        fields.push("cost");
    }
    fields
}

/// Why a record reusing an accepted id is refused, naming what differs.
pub fn reused_id_message(fields: &[&str]) -> String {
    format!(
        "A record with this id was already accepted with a different {}. Corrections need a new id; \
         to undo a charge, reverse its credit entry.",
        fields.join(", ")
    )
}

/// How one batch's charge to an account reads on its ledger.
pub fn charge_description(today: Date, messages: i64) -> String {
    let unit = if messages == 1 { "message" } else { "messages" };
    format!("Usage reported {}: {} {unit}", format_date(today), group_thousands(messages.unsigned_abs()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 22);

    fn numbers() -> Vec<PhoneNumber> {
        vec![
            PhoneNumber {
                id: "num_1".into(),
                number: "+1 206 555 0101".into(),
                onboarded_on: date!(2026 - 08 - 22),
                released_on: None,
            },
            PhoneNumber {
                id: "num_2".into(),
                number: "+1 206 555 0102".into(),
                onboarded_on: date!(2026 - 11 - 10),
                released_on: Some(date!(2026 - 11 - 20)),
            },
        ]
    }

    fn record() -> Reported<'static> {
        Reported {
            id: "rec-1",
            phone_number: "+1 206 555 0101",
            category: UsageCategory::Marketing,
            date: "2026-11-21",
            messages: 120,
            cost_amount: 360,
            cost_currency: "USD",
        }
    }

    fn check(r: &Reported<'_>) -> Result<Usage, Vec<FieldError>> {
        let numbers = numbers();
        validate(r, Some(AccountFacts { currency: Currency::Usd, numbers: &numbers }), TODAY)
    }

    fn fields(r: &Reported<'_>) -> Vec<String> {
        check(r).unwrap_err().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_good_record_becomes_usage_of_the_named_number() {
        let usage = check(&record()).unwrap();
        assert_eq!(usage.phone_number_id, "num_1");
        assert_eq!(usage.cost, Money::new(360, Currency::Usd));
        assert_eq!(usage.date, date!(2026 - 11 - 21));
        // By id, and by the number written any other way.
        assert!(check(&Reported { phone_number: "num_1", ..record() }).is_ok());
        assert!(check(&Reported { phone_number: "+1 (206) 555-0101", ..record() }).is_ok());
        assert!(
            check(&Reported { date: "2026-11-22", messages: 0, cost_amount: 0, ..record() }).is_ok(),
            "today and zero are fine"
        );
    }

    #[test]
    fn every_broken_rule_is_named_by_its_field() {
        let bad = Reported {
            id: "",
            phone_number: "+1 999",
            date: "2026-13-01",
            messages: -1,
            cost_amount: -5,
            cost_currency: "EUR",
            ..record()
        };
        assert_eq!(fields(&bad), ["id", "phone_number", "date", "messages", "cost.amount", "cost.currency"]);
        assert_eq!(fields(&Reported { id: &"x".repeat(101), ..record() }), ["id"]);
        assert!(check(&Reported { id: &"x".repeat(100), ..record() }).is_ok());
    }

    #[test]
    fn dates_must_be_past_or_today_and_within_the_numbers_life() {
        let future = check(&Reported { date: "2026-11-23", ..record() }).unwrap_err();
        assert_eq!(future[0].message, "The date is in the future (today is 2026-11-22 UTC).");
        let early = check(&Reported { phone_number: "num_2", date: "2026-11-09", ..record() }).unwrap_err();
        assert_eq!(early[0].message, "The number was onboarded on 2026-11-10, after this date.");
        assert!(check(&Reported { phone_number: "num_2", date: "2026-11-10", ..record() }).is_ok());
        assert!(check(&Reported { phone_number: "num_2", date: "2026-11-20", ..record() }).is_ok());
        assert_eq!(fields(&Reported { phone_number: "num_2", date: "2026-11-21", ..record() }), ["date"]);
    }

    #[test]
    fn an_unknown_account_is_reported_without_guessing_at_its_numbers() {
        let errors = validate(&record(), None, TODAY).unwrap_err();
        assert_eq!(errors, vec![FieldError::new("account_id", "No account with this id.")]);
    }

    #[test]
    fn a_resend_is_told_apart_from_a_changed_record() {
        let numbers = numbers();
        let accepted = check(&record()).unwrap();
        assert!(differences(&accepted, &record(), &numbers).is_empty());
        assert!(differences(&accepted, &Reported { phone_number: "num_1", ..record() }, &numbers).is_empty());
        let changed = Reported { messages: 121, cost_amount: 363, ..record() };
        assert_eq!(differences(&accepted, &changed, &numbers), ["messages", "cost"]);
        assert!(
            reused_id_message(&["messages", "cost"])
                .starts_with("A record with this id was already accepted with a different messages, cost.")
        );
    }

    #[test]
    fn the_charge_says_when_and_how_many_messages() {
        assert_eq!(charge_description(TODAY, 1_234), "Usage reported Nov 22, 2026: 1,234 messages");
        assert_eq!(charge_description(TODAY, 1), "Usage reported Nov 22, 2026: 1 message");
    }

    #[test]
    fn numbers_match_on_digits_only() {
        assert_eq!(number_digits("+1 (206) 555-0101"), "12065550101");
        assert!(find_number(&numbers(), "   ").is_none());
        assert!(find_number(&numbers(), "num_3").is_none());
    }
}
