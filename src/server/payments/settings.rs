//! The vendor's fee settings (seeds 002, 003), with the documented defaults when unset.

use rust_decimal::Decimal;
use sqlx::Any;
use std::str::FromStr;

use crate::api::error::AppError;
use crate::domain::currency::Currency;
use crate::domain::fees::FeeSchedule;
use crate::domain::payment_method::MethodKind;

pub struct VendorPaymentSettings {
    pub schedule: FeeSchedule,
    pub wire_instructions: String,
}

pub async fn load<'e>(db: impl sqlx::Executor<'e, Database = Any>, vendor_id: &str, currency: Currency) -> Result<VendorPaymentSettings, AppError> {
    let row: Option<(String, i64, i64, String, String)> = sqlx::query_as(
        "SELECT card_surcharge_rate, ach_minimum, wire_minimum, enabled_methods, wire_instructions
         FROM vendor_payment_settings WHERE vendor_id = $1",
    )
    .bind(vendor_id)
    .fetch_optional(db)
    .await?;
    let Some((rate, ach_minimum, wire_minimum, enabled, wire_instructions)) = row else {
        return Ok(VendorPaymentSettings { schedule: FeeSchedule::default_for(currency), wire_instructions: String::new() });
    };
    let card_surcharge_rate = Decimal::from_str(&rate).map_err(|e| AppError::internal("stored surcharge rate", e))?;
    let enabled = enabled.split(',').filter_map(|k| MethodKind::parse(k.trim())).collect();
    Ok(VendorPaymentSettings {
        schedule: FeeSchedule { card_surcharge_rate, ach_minimum_minor: ach_minimum, wire_minimum_minor: wire_minimum, enabled },
        wire_instructions,
    })
}
