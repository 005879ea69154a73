//! Turning stored text back into domain types. A value that does not parse means the
//! database holds something the code never wrote: an internal error, logged with the value.

use time::Date;

use crate::domain::billing_items::parse_iso_date;
use crate::domain::currency::Currency;
use crate::domain::money::Money;
use crate::wire::error::AppError;

pub fn currency(code: &str) -> Result<Currency, AppError> {
    code.parse().map_err(|e| AppError::internal("stored currency", e))
}

pub fn date(text: &str) -> Result<Date, AppError> {
    parse_iso_date(text).ok_or_else(|| AppError::internal("stored date", text))
}

pub fn money(minor: i64, code: &str) -> Result<Money, AppError> {
    Ok(Money::new(minor, currency(code)?))
}

pub fn enumerated<T>(text: &str, parse: fn(&str) -> Option<T>) -> Result<T, AppError> {
    parse(text).ok_or_else(|| AppError::internal("stored enumeration", text))
}
