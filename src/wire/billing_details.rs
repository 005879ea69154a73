//! Billing details (seeds 000, 002): the company name, billing address and tax ID printed on
//! invoices, and the billing contacts who receive them.
//!
//! The validation here is pure and compiled for the browser too: the page checks the form
//! with exactly the rules the server enforces, and the server checks again.

use crate::domain::address::{Address, AddressInput, validate_address};
use crate::domain::cards::FieldError;
use crate::domain::people::is_plausible_email;
use crate::domain::tax_id::{TaxId, validate_tax_id};
use serde::{Deserialize, Serialize};

/// Longest company name we print on an invoice.
pub const COMPANY_NAME_MAX_CHARS: usize = 200;

/// Longest billing contact name.
pub const CONTACT_NAME_MAX_CHARS: usize = 100;

/// Someone who receives the account's invoices by email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingContact {
    pub id: String,
    pub name: String,
    pub email: String,
}

/// The account's billing details as stored now. Invoices already issued keep the details
/// they were issued with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingDetails {
    pub company_name: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub address_line1: String,
    pub address_line2: String,
    pub city: String,
    /// The region's code where the country has a list (`WA`, `ON`, `SP`), else as typed.
    pub region: String,
    pub postal_code: String,
    /// As invoices show it (`DE123456789`, `EIN 91-7654321`); empty when there is none.
    pub tax_id: String,
    /// The address as invoices issued from now on will show it.
    pub address_text: String,
    pub contacts: Vec<BillingContact>,
    /// Changes whenever the details above change. Passing it back with an update makes the
    /// update refuse to overwrite a change someone else saved in between.
    pub version: String,
}

/// The details form as submitted: every field exactly as typed; a missing field is empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DetailsInput {
    pub company_name: String,
    pub country: String,
    pub address_line1: String,
    pub address_line2: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub tax_id: String,
}

/// Details that passed [`validate_details`], normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidDetails {
    pub company_name: String,
    pub address: Address,
    pub tax_id: Option<TaxId>,
}

/// Checks the whole form and reports every field that is wrong, one message per field, in
/// the order the form shows them: `company_name`, `country`, `address_line1`,
/// `address_line2`, `city`, `region`, `postal_code`, `tax_id`.
pub fn validate_details(input: &DetailsInput) -> Result<ValidDetails, Vec<FieldError>> {
    let mut errors = Vec::new();
    let company_name = input.company_name.split_whitespace().collect::<Vec<_>>().join(" ");
    if company_name.is_empty() {
        errors.push(FieldError::new("company_name", "Enter the company name to print on invoices."));
    } else if company_name.chars().count() > COMPANY_NAME_MAX_CHARS {
        errors.push(FieldError::new(
            "company_name",
            format!("Keep the company name to {COMPANY_NAME_MAX_CHARS} characters or fewer."),
        ));
    }
    let address = validate_address(&AddressInput {
        country: input.country.clone(),
        line1: input.address_line1.clone(),
        line2: input.address_line2.clone(),
        city: input.city.clone(),
        region: input.region.clone(),
        postal_code: input.postal_code.clone(),
    });
    let address = match address {
        Ok(address) => Some(address),
        Err(list) => {
            errors.extend(list);
            None
        }
    };
    // The tax ID is judged against the chosen country, even when other fields are wrong.
    let tax_id = match validate_tax_id(&input.country, &input.tax_id) {
        Ok(tax_id) => tax_id,
        Err(message) => {
            errors.push(FieldError::new("tax_id", message));
            None
        }
    };
    match address {
        Some(address) if errors.is_empty() => Ok(ValidDetails { company_name, address, tax_id }),
        _ => Err(errors),
    }
}

/// A new billing contact, checked: the name tidied, the email trimmed and lower-cased.
pub fn validate_contact(name: &str, email: &str) -> Result<(String, String), Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        errors.push(FieldError::new("contact_name", "Enter the contact's name."));
    } else if name.chars().count() > CONTACT_NAME_MAX_CHARS {
        errors.push(FieldError::new(
            "contact_name",
            format!("Keep the name to {CONTACT_NAME_MAX_CHARS} characters or fewer."),
        ));
    }
    let email = email.trim().to_lowercase();
    if email.is_empty() {
        errors.push(FieldError::new("contact_email", "Enter the email address invoices should go to."));
    } else if !is_plausible_email(&email) {
        errors.push(FieldError::new("contact_email", "Enter an email address like name@example.com."));
    }
    if errors.is_empty() { Ok((name, email)) } else { Err(errors) }
}

/// What saving the details did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum UpdateOutcome {
    /// Stored (or already exactly so: `changed` is false and nothing was recorded).
    Saved { details: Box<BillingDetails>, changed: bool },
    /// Nothing stored: these fields need fixing, one message each.
    Invalid(Vec<FieldError>),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn northwind() -> DetailsInput {
        DetailsInput {
            company_name: " Northwind  Traders LLC ".into(),
            country: "US".into(),
            address_line1: "1200 Harbor Way".into(),
            address_line2: "Floor 3".into(),
            city: "Seattle".into(),
            region: "WA".into(),
            postal_code: "98101".into(),
            tax_id: "91-7654321".into(),
        }
    }

    #[test]
    fn valid_details_are_normalised() {
        let valid = validate_details(&northwind()).unwrap();
        assert_eq!(valid.company_name, "Northwind Traders LLC");
        assert_eq!(valid.tax_id.unwrap().display, "EIN 91-7654321");
        let no_tax_id = validate_details(&DetailsInput { tax_id: " ".into(), ..northwind() }).unwrap();
        assert_eq!(no_tax_id.tax_id, None);
    }

    #[test]
    fn every_wrong_field_is_reported_in_form_order() {
        let input = DetailsInput {
            company_name: String::new(),
            country: "DE".into(),
            city: String::new(),
            postal_code: "1011".into(),
            tax_id: "DE12345".into(),
            ..northwind()
        };
        let errors = validate_details(&input).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["company_name", "city", "postal_code", "tax_id"]);
        assert_eq!(errors[3].message, "A German VAT number is DE followed by 9 digits, like DE123456789.");
    }

    #[test]
    fn contacts_need_a_name_and_a_plausible_email() {
        assert_eq!(
            validate_contact(" Ann  Lee ", " Ann@Example.COM "),
            Ok(("Ann Lee".into(), "ann@example.com".into()))
        );
        let errors = validate_contact("", "nope").unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["contact_name", "contact_email"]);
    }

    #[test]
    fn outcomes_round_trip_through_json() {
        let outcome = UpdateOutcome::Invalid(vec![FieldError::new("postal_code", "Enter the ZIP code.")]);
        let json = serde_json::to_string(&outcome).unwrap();
        assert_eq!(serde_json::from_str::<UpdateOutcome>(&json).unwrap(), outcome);
    }
}
