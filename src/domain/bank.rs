//! US bank accounts for ACH debits: the ABA routing number checksum and validation of the
//! bank account form.
//!
//! Like cards, account numbers never appear in `Debug` output or error messages: only their
//! last four digits do.

use super::billing_items::string_enum;
use super::cards::{FieldError, digits_only, holder_name_problem, last_four};
use serde::{Deserialize, Serialize};
use std::fmt;

/// ACH account numbers run from 4 to 17 digits (the NACHA field is 17 characters wide).
pub const ACCOUNT_NUMBER_LENGTHS: std::ops::RangeInclusive<usize> = 4..=17;

string_enum! {
    BankAccountType {
        Checking => "checking", "Checking";
        Savings => "savings", "Savings";
    }
}

/// Whether `routing` is a well-formed ABA routing transit number: exactly nine ASCII digits
/// whose weighted sum 3·(d1+d4+d7) + 7·(d2+d5+d8) + 1·(d3+d6+d9) is a multiple of 10.
///
/// Nothing is trimmed or stripped here; [`validate_bank_account`] does that for typed input.
/// The checksum catches every single-digit typo and most swaps of neighbouring digits; it
/// cannot tell whether a bank really uses the number.
pub fn aba_routing_valid(routing: &str) -> bool {
    let bytes = routing.as_bytes();
    if bytes.len() != 9 || !bytes.iter().all(u8::is_ascii_digit) {
        return false;
    }
    const WEIGHTS: [u32; 9] = [3, 7, 1, 3, 7, 1, 3, 7, 1];
    let sum: u32 = bytes.iter().zip(WEIGHTS).map(|(byte, weight)| u32::from(byte - b'0') * weight).sum();
    sum.is_multiple_of(10)
}

/// A bank account form as submitted: every field exactly as typed. `account_type` is
/// `"checking"` or `"savings"`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankAccountInput {
    pub routing_number: String,
    pub account_number: String,
    pub holder_name: String,
    pub account_type: String,
}

impl fmt::Debug for BankAccountInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BankAccountInput")
            .field("routing_number", &self.routing_number)
            .field("account_last_four", &last_four(&digits_only(&self.account_number)))
            .field("account_type", &self.account_type)
            .finish_non_exhaustive()
    }
}

/// A bank account that passed [`validate_bank_account`], numbers normalised to digits.
#[derive(Clone, PartialEq, Eq)]
pub struct ValidBankAccount {
    pub routing_number: String,
    pub account_number: String,
    pub holder_name: String,
    pub account_type: BankAccountType,
}

impl fmt::Debug for ValidBankAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The routing number identifies the bank, not the client, so it may be shown.
        f.debug_struct("ValidBankAccount")
            .field("routing_number", &self.routing_number)
            .field("account_last_four", &last_four(&self.account_number))
            .field("holder_name", &self.holder_name)
            .field("account_type", &self.account_type)
            .finish()
    }
}

/// Checks a whole bank account form and reports every field that is wrong, at most one
/// message per field. Spaces and dashes in the numbers are ignored, as for card numbers;
/// the account type is matched ignoring case and surrounding spaces.
pub fn validate_bank_account(input: &BankAccountInput) -> Result<ValidBankAccount, Vec<FieldError>> {
    let routing_number = digits_only(&input.routing_number);
    let account_number = digits_only(&input.account_number);
    let holder_name = input.holder_name.trim();
    let account_type = BankAccountType::parse(&input.account_type.trim().to_ascii_lowercase());

    let errors: Vec<FieldError> = [
        ("routing_number", routing_number_problem(&routing_number)),
        ("account_number", account_number_problem(&account_number)),
        ("holder_name", holder_name_problem(holder_name, "Enter the name on the account.", "The name on the account")),
        ("account_type", account_type.is_none().then(|| "Choose checking or savings.".to_string())),
    ]
    .into_iter()
    .filter_map(|(field, message)| message.map(|message| FieldError::new(field, message)))
    .collect();

    match account_type {
        Some(account_type) if errors.is_empty() => {
            Ok(ValidBankAccount { routing_number, account_number, holder_name: holder_name.to_string(), account_type })
        }
        _ => Err(errors),
    }
}

fn routing_number_problem(routing: &str) -> Option<String> {
    if routing.is_empty() {
        Some("Enter the 9-digit routing number.".into())
    } else if !routing.bytes().all(|b| b.is_ascii_digit()) {
        Some("A routing number contains only digits.".into())
    } else if routing.len() != 9 {
        Some(format!("A routing number has 9 digits; this one has {}.", routing.len()))
    } else if !aba_routing_valid(routing) {
        Some(
            "This routing number is not valid. Check the 9 digits printed at the bottom left of a \
             check from this account."
                .into(),
        )
    } else {
        None
    }
}

fn account_number_problem(account: &str) -> Option<String> {
    if account.is_empty() {
        Some("Enter the account number.".into())
    } else if !account.bytes().all(|b| b.is_ascii_digit()) {
        Some("An account number contains only digits.".into())
    } else if !ACCOUNT_NUMBER_LENGTHS.contains(&account.len()) {
        Some(format!(
            "An account number has {} to {} digits; this one has {}.",
            ACCOUNT_NUMBER_LENGTHS.start(),
            ACCOUNT_NUMBER_LENGTHS.end(),
            account.len()
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(routing: &str, account: &str, holder: &str, kind: &str) -> BankAccountInput {
        BankAccountInput {
            routing_number: routing.into(),
            account_number: account.into(),
            holder_name: holder.into(),
            account_type: kind.into(),
        }
    }

    fn errors_of(input: &BankAccountInput) -> Vec<FieldError> {
        validate_bank_account(input).expect_err("expected the account to be refused")
    }

    #[test]
    fn accepts_real_routing_numbers() {
        for routing in [
            "011000015", // Federal Reserve Bank of Boston
            "021000021", // JPMorgan Chase
            "111000025",
            "110000000", // Stripe's test routing number
        ] {
            assert!(aba_routing_valid(routing), "{routing}");
        }
    }

    #[test]
    fn refuses_bad_checksums_lengths_and_characters() {
        for routing in [
            "021000022",  // last digit off by one
            "012000021",  // neighbouring digits swapped
            "12345678",   // 8 digits
            "0210000210", // 10 digits
            "",
            "02100002a",
            "ABCDEFGHI",
            " 021000021", // validate_bank_account trims; this function does not
            "021 000 021",
            "０２１０００ ０２１",
        ] {
            assert!(!aba_routing_valid(routing), "{routing:?}");
        }
    }

    #[test]
    fn checksum_weights_are_3_7_1() {
        // One non-zero digit (plus a balancing check digit) at a time pins down each weight.
        assert!(aba_routing_valid("000000000"));
        assert!(!aba_routing_valid("100000000")); // 3
        assert!(!aba_routing_valid("010000000")); // 7
        assert!(!aba_routing_valid("001000000")); // 1
        assert!(aba_routing_valid("001000009")); // 1 + 9 = 10
        assert!(aba_routing_valid("010000003")); // 7 + 3 = 10
        assert!(aba_routing_valid("100000007")); // 3 + 7 = 10
        assert!(aba_routing_valid("000100007")); // 3 + 7, second triple
    }

    #[test]
    fn accepts_a_valid_account_and_normalises_it() {
        let account =
            validate_bank_account(&input(" 110000000 ", "0001-2345 6789", "  Acme Inc. ", " Checking ")).unwrap();
        assert_eq!(
            account,
            ValidBankAccount {
                routing_number: "110000000".into(),
                account_number: "000123456789".into(),
                holder_name: "Acme Inc.".into(),
                account_type: BankAccountType::Checking,
            }
        );
        let savings = validate_bank_account(&input("021000021", "1234", "Ada", "savings")).unwrap();
        assert_eq!(savings.account_type, BankAccountType::Savings);
    }

    #[test]
    fn routing_number_messages_are_specific() {
        let cases = [
            ("", "Enter the 9-digit routing number."),
            ("02100002x", "A routing number contains only digits."),
            ("12345678", "A routing number has 9 digits; this one has 8."),
            ("0210000210", "A routing number has 9 digits; this one has 10."),
            (
                "021000022",
                "This routing number is not valid. Check the 9 digits printed at the bottom left of a check from this account.",
            ),
        ];
        for (routing, message) in cases {
            assert_eq!(
                errors_of(&input(routing, "000123456789", "Ada", "checking")),
                vec![FieldError::new("routing_number", message)],
                "{routing:?}"
            );
        }
    }

    #[test]
    fn account_number_has_4_to_17_digits() {
        assert!(validate_bank_account(&input("110000000", "1234", "Ada", "checking")).is_ok());
        assert!(validate_bank_account(&input("110000000", "12345678901234567", "Ada", "checking")).is_ok());
        let cases = [
            ("", "Enter the account number."),
            ("123", "An account number has 4 to 17 digits; this one has 3."),
            ("123456789012345678", "An account number has 4 to 17 digits; this one has 18."),
            ("1234.5678", "An account number contains only digits."),
        ];
        for (account, message) in cases {
            assert_eq!(
                errors_of(&input("110000000", account, "Ada", "checking")),
                vec![FieldError::new("account_number", message)],
                "{account:?}"
            );
        }
    }

    #[test]
    fn holder_and_type_are_required() {
        assert_eq!(
            errors_of(&input("110000000", "000123456789", " ", "checking")),
            vec![FieldError::new("holder_name", "Enter the name on the account.")]
        );
        assert_eq!(
            errors_of(&input("110000000", "000123456789", &"a".repeat(101), "checking")),
            vec![FieldError::new("holder_name", "The name on the account can be at most 100 characters long.")]
        );
        for kind in ["", "money market", "check"] {
            assert_eq!(
                errors_of(&input("110000000", "000123456789", "Ada", kind)),
                vec![FieldError::new("account_type", "Choose checking or savings.")],
                "{kind:?}"
            );
        }
    }

    #[test]
    fn reports_every_wrong_field_at_once() {
        let fields: Vec<&str> = errors_of(&BankAccountInput::default()).iter().map(|e| e.field).collect();
        assert_eq!(fields, ["routing_number", "account_number", "holder_name", "account_type"]);
    }

    #[test]
    fn never_reveals_the_account_number() {
        let account = validate_bank_account(&input("110000000", "000123456789", "Acme Inc.", "checking")).unwrap();
        let shown = format!("{account:?} {account:#?}");
        assert!(!shown.contains("000123456789") && !shown.contains("12345"), "{shown}");
        assert!(shown.contains("\"6789\"") && shown.contains("110000000"), "{shown}");

        let typed = input("110000000", "0001 2345 6789", "Acme", "checking");
        let shown = format!("{typed:?}");
        assert!(!shown.contains("2345"), "{shown}");
        assert!(shown.contains("6789"), "{shown}");

        for error in errors_of(&input("110000000", "123456789012345678", "", "")) {
            assert!(!error.message.contains("123456789012345678"), "{}", error.message);
        }
    }
}
