//! The vendor's payment settings (seeds 002, 003): the card surcharge and the wire instructions
//! for every currency, and per currency the methods offered and the ACH and wire minimums (in
//! that currency's minor units). A currency the vendor has no rules for gets the documented
//! defaults ([`FeeSchedule::default_for`]): PIX and Boleto in reais, ACH in dollars, minimums of
//! about the same worth everywhere.

use rust_decimal::Decimal;
use sqlx::Any;
use std::str::FromStr;

use crate::domain::currency::Currency;
use crate::domain::fees::FeeSchedule;
use crate::domain::payment_method::MethodKind;
use crate::wire::error::AppError;

pub struct VendorPaymentSettings {
    pub schedule: FeeSchedule,
    pub wire_instructions: String,
}

/// surcharge rate, wire instructions, and the currency's rules if any: ACH minimum, wire
/// minimum, methods, wire instructions for that currency.
type SettingsRow = (Option<String>, Option<String>, Option<i64>, Option<i64>, Option<String>, Option<String>);

#[tracing::instrument(level = "debug", skip_all)]
pub async fn load<'e>(
    db: impl sqlx::Executor<'e, Database = Any>,
    vendor_id: &str,
    currency: Currency,
) -> Result<VendorPaymentSettings, AppError> {
    let row: Option<SettingsRow> = sqlx::query_as(
        "SELECT s.card_surcharge_rate, s.wire_instructions, r.ach_minimum, r.wire_minimum, r.enabled_methods, r.wire_instructions
         FROM vendors v
         LEFT JOIN vendor_payment_settings s ON s.vendor_id = v.id
         LEFT JOIN vendor_currency_rules r ON r.vendor_id = v.id AND r.currency = $2
         WHERE v.id = $1",
    )
    .bind(vendor_id)
    .bind(currency.code())
    .fetch_optional(db)
    .await?;
    let mut schedule = FeeSchedule::default_for(currency);
    let Some((rate, instructions, ach_minimum, wire_minimum, enabled, currency_instructions)) = row else {
        return Ok(VendorPaymentSettings { schedule, wire_instructions: String::new() });
    };
    if let Some(rate) = rate {
        schedule.card_surcharge_rate =
            Decimal::from_str(&rate).map_err(|e| AppError::internal("stored surcharge rate", e))?;
    }
    if let Some(minimum) = ach_minimum {
        schedule.ach_minimum_minor = minimum;
    }
    if let Some(minimum) = wire_minimum {
        schedule.wire_minimum_minor = minimum;
    }
    if let Some(enabled) = enabled {
        schedule.enabled = enabled.split(',').filter_map(|k| MethodKind::parse(k.trim())).collect();
    }
    let wire_instructions = currency_instructions.filter(|i| !i.trim().is_empty()).or(instructions).unwrap_or_default();
    Ok(VendorPaymentSettings { schedule, wire_instructions })
}
