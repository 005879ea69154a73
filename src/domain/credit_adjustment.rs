//! Credit adjustments and reversals made by the vendor's systems: what they must say before
//! they move a client's balance.

use super::currency::Currency;
use super::field_error::FieldError;
use super::money::Money;
use super::usage_ingest::{MAX_COST_MINOR, check_id};

pub const MAX_TEXT_CHARS: usize = 500;

/// An adjustment the rules accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adjustment {
    pub amount: Money,
    pub description: String,
}

/// Checks an adjustment of `amount` minor units of `currency` on an account billed in
/// `account_currency`; every broken rule is reported.
pub fn validate_adjustment(
    id: &str,
    amount: i64,
    currency: &str,
    description: &str,
    account_currency: Currency,
) -> Result<Adjustment, Vec<FieldError>> {
    let mut errors = Vec::new();
    if let Err(e) = check_id(id) {
        errors.push(e);
    }
    if amount == 0 {
        errors.push(FieldError::new(
            "amount",
            "An adjustment moves the balance: use a positive amount to credit, negative to debit.",
        ));
    } else if amount.unsigned_abs() > MAX_COST_MINOR.unsigned_abs() {
        errors.push(FieldError::new("amount", "That amount is larger than one adjustment can carry."));
    }
    if currency != account_currency.code() {
        errors.push(FieldError::new("currency", format!("This account is billed in {}.", account_currency.code())));
    }
    let description = match check_text(
        "description",
        description,
        "Say why the balance moves; the client sees it on their ledger.",
    ) {
        Ok(text) => text,
        Err(e) => {
            errors.push(e);
            String::new()
        }
    };
    if errors.is_empty() {
        Ok(Adjustment { amount: Money::new(amount, account_currency), description })
    } else {
        Err(errors)
    }
}

/// The reason given for a reversal, trimmed.
pub fn validate_reason(reason: &str) -> Result<String, FieldError> {
    check_text("reason", reason, "Say why the entry is reversed; the client sees it on their ledger.")
}

fn check_text(field: &str, text: &str, when_empty: &str) -> Result<String, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(FieldError::new(field, when_empty));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(FieldError::new(field, format!("Use at most {MAX_TEXT_CHARS} characters.")));
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(result: Result<Adjustment, Vec<FieldError>>) -> Vec<String> {
        result.unwrap_err().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn credits_and_debits_in_the_accounts_currency_with_a_reason() {
        let credit = validate_adjustment("adj-1", 5_000, "USD", "  Goodwill credit ", Currency::Usd).unwrap();
        assert_eq!(
            credit,
            Adjustment { amount: Money::new(5_000, Currency::Usd), description: "Goodwill credit".into() }
        );
        assert_eq!(validate_adjustment("adj-2", -250, "USD", "Correction", Currency::Usd).unwrap().amount.minor, -250);
    }

    #[test]
    fn zero_a_foreign_currency_and_a_missing_description_are_refused() {
        assert_eq!(
            fields(validate_adjustment("", 0, "EUR", " ", Currency::Usd)),
            ["id", "amount", "currency", "description"]
        );
        assert_eq!(fields(validate_adjustment("a", i64::MIN, "USD", "x", Currency::Usd)), ["amount"]);
        assert_eq!(fields(validate_adjustment("a", 1, "USD", &"x".repeat(501), Currency::Usd)), ["description"]);
    }

    #[test]
    fn a_reversal_needs_a_reason() {
        assert_eq!(validate_reason(" Charged twice "), Ok("Charged twice".to_string()));
        assert_eq!(validate_reason("").unwrap_err().field, "reason");
    }
}
