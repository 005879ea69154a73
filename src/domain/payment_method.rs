use super::billing_items::string_enum;
use serde::{Deserialize, Serialize};
use time::{Date, Month};

string_enum! {
    MethodKind {
        Card => "card", "Card";
        Ach => "ach", "ACH bank account";
        Wire => "wire", "Wire transfer";
        Pix => "pix", "PIX";
        Boleto => "boleto", "Boleto";
    }
}

string_enum! {
    CardBrand {
        Visa => "visa", "Visa";
        Mastercard => "mastercard", "Mastercard";
        Amex => "amex", "American Express";
        Discover => "discover", "Discover";
        Jcb => "jcb", "JCB";
        DinersClub => "diners", "Diners Club";
        UnionPay => "unionpay", "UnionPay";
        Unknown => "unknown", "Card";
    }
}

string_enum! {
    CardFunding {
        Credit => "credit", "Credit";
        Debit => "debit", "Debit";
        Prepaid => "prepaid", "Prepaid";
    }
}

/// A card is usable through the last day of its expiry month.
pub fn card_last_valid_day(exp_month: u8, exp_year: i32) -> Option<Date> {
    let month = Month::try_from(exp_month).ok()?;
    let first = Date::from_calendar_date(exp_year, month, 1).ok()?;
    Date::from_calendar_date(exp_year, month, first.month().length(exp_year)).ok()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExpiryState {
    Valid,
    /// Usable for at most `days_left` more days (0 = today is the last day).
    ExpiringSoon {
        days_left: i64,
    },
    Expired,
}

/// How close a card is to expiring, flagged `within_days` ahead (seed 003 warns 30 days out).
pub fn card_expiry_state(exp_month: u8, exp_year: i32, today: Date, within_days: i64) -> ExpiryState {
    let Some(last) = card_last_valid_day(exp_month, exp_year) else {
        return ExpiryState::Expired;
    };
    let days_left = (last - today).whole_days();
    if days_left < 0 {
        ExpiryState::Expired
    } else if days_left <= within_days {
        ExpiryState::ExpiringSoon { days_left }
    } else {
        ExpiryState::Valid
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn card_is_valid_through_the_end_of_its_month() {
        assert_eq!(card_last_valid_day(2, 2028), Some(date!(2028 - 02 - 29)));
        assert_eq!(card_last_valid_day(2, 2027), Some(date!(2027 - 02 - 28)));
        assert_eq!(card_last_valid_day(12, 2026), Some(date!(2026 - 12 - 31)));
        assert_eq!(card_last_valid_day(13, 2026), None);
        assert_eq!(card_last_valid_day(0, 2026), None);
    }

    #[test]
    fn flags_cards_expiring_within_the_window() {
        let today = date!(2026 - 11 - 22);
        assert_eq!(card_expiry_state(11, 2026, today, 30), ExpiryState::ExpiringSoon { days_left: 8 });
        assert_eq!(card_expiry_state(12, 2026, today, 30), ExpiryState::Valid); // 39 days left
        assert_eq!(card_expiry_state(12, 2026, date!(2026 - 12 - 01), 30), ExpiryState::ExpiringSoon { days_left: 30 });
        assert_eq!(card_expiry_state(10, 2026, today, 30), ExpiryState::Expired);
        assert_eq!(card_expiry_state(11, 2026, date!(2026 - 11 - 30), 30), ExpiryState::ExpiringSoon { days_left: 0 });
    }

    #[test]
    fn brand_and_kind_names_round_trip() {
        for b in CardBrand::ALL {
            assert_eq!(CardBrand::parse(b.as_str()), Some(*b));
        }
        for k in MethodKind::ALL {
            assert_eq!(MethodKind::parse(k.as_str()), Some(*k));
        }
    }
}
