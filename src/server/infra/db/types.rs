//! How the domain's typed ids and text-stored enums go in and out of the database: as their
//! text, so a row struct can say `status: InvoiceStatus` and `id: InvoiceId`, and a status the
//! code does not know is a decoding error rather than a string compared by hand.

use sqlx::any::AnyTypeInfo;
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Any, Database, Decode, Encode, Type};

use crate::domain::billing_items::PaymentStatus;
use crate::domain::billing_items::{EstimateKind, EstimateStatus, InvoiceKind, InvoiceStatus, SubscriptionStatus};
use crate::domain::ids::{AccountId, EstimateId, InvoiceId, MethodId, PaymentId, PersonId, SubscriptionId};
use crate::domain::payment_method::MethodKind;

macro_rules! stored_as_text {
    ($($ty:ty => |$text:ident| $parse:expr;)+) => {$(
        impl Type<Any> for $ty {
            fn type_info() -> AnyTypeInfo {
                <String as Type<Any>>::type_info()
            }
            fn compatible(ty: &AnyTypeInfo) -> bool {
                <String as Type<Any>>::compatible(ty)
            }
        }

        impl<'r> Decode<'r, Any> for $ty {
            fn decode(value: <Any as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
                let $text = <String as Decode<'r, Any>>::decode(value)?;
                $parse
            }
        }

        impl<'q> Encode<'q, Any> for $ty {
            fn encode_by_ref(&self, buf: &mut <Any as Database>::ArgumentBuffer<'q>) -> Result<IsNull, BoxDynError> {
                <String as Encode<'q, Any>>::encode_by_ref(&self.as_str().to_string(), buf)
            }
        }
    )+};
}

fn unknown(what: &str, text: &str) -> BoxDynError {
    format!("unknown {what} {text:?} in the database").into()
}

stored_as_text! {
    AccountId => |text| Ok(AccountId::new(text));
    PersonId => |text| Ok(PersonId::new(text));
    InvoiceId => |text| Ok(InvoiceId::new(text));
    PaymentId => |text| Ok(PaymentId::new(text));
    MethodId => |text| Ok(MethodId::new(text));
    SubscriptionId => |text| Ok(SubscriptionId::new(text));
    EstimateId => |text| Ok(EstimateId::new(text));
    InvoiceStatus => |text| InvoiceStatus::parse(&text).ok_or_else(|| unknown("invoice status", &text));
    InvoiceKind => |text| InvoiceKind::parse(&text).ok_or_else(|| unknown("invoice kind", &text));
    EstimateStatus => |text| EstimateStatus::parse(&text).ok_or_else(|| unknown("estimate status", &text));
    EstimateKind => |text| EstimateKind::parse(&text).ok_or_else(|| unknown("estimate kind", &text));
    SubscriptionStatus => |text| SubscriptionStatus::parse(&text).ok_or_else(|| unknown("subscription status", &text));
    MethodKind => |text| MethodKind::parse(&text).ok_or_else(|| unknown("payment method kind", &text));
    PaymentStatus => |text| PaymentStatus::parse(&text).ok_or_else(|| unknown("payment status", &text));
}
