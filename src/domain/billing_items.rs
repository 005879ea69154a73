//! States and kinds of the things a client is billed through.

use serde::{Deserialize, Serialize};
use time::{Date, Month};

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $db:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name stored in the database.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $db),+ }
            }

            /// The name shown to people.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s { $($db => Some($name::$variant),)+ _ => None }
            }
        }
    };
}
pub(crate) use string_enum;

string_enum! {
    InvoiceStatus {
        Draft => "draft", "Draft";
        Open => "open", "Open";
        AwaitingTransfer => "awaiting_transfer", "Awaiting transfer";
        Paid => "paid", "Paid";
        Void => "void", "Void";
        Uncollectible => "uncollectible", "Uncollectible";
    }
}

impl InvoiceStatus {
    /// The client still owes money on it.
    pub fn is_outstanding(self) -> bool {
        matches!(self, InvoiceStatus::Open | InvoiceStatus::AwaitingTransfer)
    }
}

string_enum! {
    /// A payment attempt's state, as stored and as shown.
    PaymentStatus {
        Succeeded => "succeeded", "Paid";
        Failed => "failed", "Failed";
        Pending => "pending", "Processing";
        AwaitingTransfer => "awaiting_transfer", "Awaiting transfer";
    }
}

string_enum! {
    /// Seed 003's invoice kinds plus ordinary invoices issued by the agency.
    InvoiceKind {
        Standard => "standard", "Invoice";
        License => "license", "License invoice";
        ProratedLicense => "prorated_license", "Prorated license invoice";
        Prepayment => "prepayment", "Prepayment invoice";
        Reconciliation => "reconciliation", "Reconciliation statement";
    }
}

impl InvoiceKind {
    /// What the document is called in a sentence: a statement is numbered with the invoices
    /// but asks for nothing.
    pub fn noun(self) -> &'static str {
        match self {
            InvoiceKind::Reconciliation => "statement",
            _ => "invoice",
        }
    }

    pub fn is_statement(self) -> bool {
        self == InvoiceKind::Reconciliation
    }
}

string_enum! {
    EstimateKind {
        Estimate => "estimate", "Estimate";
        Proposal => "proposal", "Proposal";
    }
}

string_enum! {
    EstimateStatus {
        Open => "open", "Awaiting decision";
        Approved => "approved", "Approved";
        Declined => "declined", "Declined";
    }
}

string_enum! {
    SubscriptionStatus {
        Trialing => "trialing", "Trial";
        Active => "active", "Active";
        PastDue => "past_due", "Past due";
        Cancelled => "cancelled", "Cancelled";
    }
}

impl SubscriptionStatus {
    /// Shown among "current subscriptions" and able to hold a payment method.
    pub fn is_current(self) -> bool {
        matches!(self, SubscriptionStatus::Trialing | SubscriptionStatus::Active | SubscriptionStatus::PastDue)
    }
}

string_enum! {
    BillingInterval {
        Month => "month", "month";
        Year => "year", "year";
    }
}

/// Whether an open invoice is past its due date on `today`.
pub fn is_overdue(status: InvoiceStatus, due: Date, today: Date) -> bool {
    status.is_outstanding() && due < today
}

/// An estimate can be decided while open and not past its validity date (the last valid day
/// is `valid_until` itself).
pub fn estimate_is_expired(valid_until: Date, today: Date) -> bool {
    today > valid_until
}

/// "Nov 22, 2026": unambiguous in every locale, unlike 11/22/2026.
pub fn format_date(date: Date) -> String {
    let month = match date.month() {
        Month::January => "Jan",
        Month::February => "Feb",
        Month::March => "Mar",
        Month::April => "Apr",
        Month::May => "May",
        Month::June => "Jun",
        Month::July => "Jul",
        Month::August => "Aug",
        Month::September => "Sep",
        Month::October => "Oct",
        Month::November => "Nov",
        Month::December => "Dec",
    };
    format!("{month} {}, {}", date.day(), date.year())
}

/// A stored Unix-seconds instant as its UTC calendar date, formatted like [`format_date`];
/// empty for an instant outside the calendar's range.
pub fn format_unix_date(seconds: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(seconds).map(|t| format_date(t.date())).unwrap_or_default()
}

/// A stored Unix-seconds instant as its UTC date and time to the minute ("Nov 22, 2026, 14:05").
pub fn format_unix_time(seconds: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(seconds)
        .map(|t| format!("{}, {:02}:{:02}", format_date(t.date()), t.hour(), t.minute()))
        .unwrap_or_default()
}

/// Parses the `YYYY-MM-DD` form dates are stored in.
pub fn parse_iso_date(s: &str) -> Option<Date> {
    Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

pub fn iso_date(date: Date) -> String {
    date.format(time::macros::format_description!("[year]-[month]-[day]")).expect("a calendar date always formats")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn instants_read_to_the_minute_in_utc() {
        assert_eq!(format_unix_time(1_795_356_300), "Nov 22, 2026, 14:05");
        assert_eq!(format_unix_time(0), "Jan 1, 1970, 00:00");
    }

    #[test]
    fn database_names_round_trip_for_every_state() {
        for s in InvoiceStatus::ALL {
            assert_eq!(InvoiceStatus::parse(s.as_str()), Some(*s));
        }
        for k in InvoiceKind::ALL {
            assert_eq!(InvoiceKind::parse(k.as_str()), Some(*k));
        }
        for s in SubscriptionStatus::ALL {
            assert_eq!(SubscriptionStatus::parse(s.as_str()), Some(*s));
        }
        assert_eq!(InvoiceStatus::parse("bogus"), None);
    }

    #[test]
    fn only_the_reconciliation_statement_is_a_statement() {
        let statements: Vec<_> = InvoiceKind::ALL.iter().filter(|k| k.is_statement()).collect();
        assert_eq!(statements, vec![&InvoiceKind::Reconciliation]);
        assert_eq!(InvoiceKind::Reconciliation.noun(), "statement");
        assert_eq!(InvoiceKind::ProratedLicense.noun(), "invoice");
    }

    #[test]
    fn outstanding_means_open_or_awaiting_transfer() {
        let outstanding: Vec<_> = InvoiceStatus::ALL.iter().filter(|s| s.is_outstanding()).collect();
        assert_eq!(outstanding, vec![&InvoiceStatus::Open, &InvoiceStatus::AwaitingTransfer]);
    }

    #[test]
    fn overdue_only_after_the_due_day_and_only_while_outstanding() {
        let due = date!(2026 - 11 - 15);
        assert!(!is_overdue(InvoiceStatus::Open, due, date!(2026 - 11 - 15)));
        assert!(is_overdue(InvoiceStatus::Open, due, date!(2026 - 11 - 16)));
        assert!(!is_overdue(InvoiceStatus::Paid, due, date!(2026 - 12 - 01)));
    }

    #[test]
    fn an_estimate_is_valid_through_its_last_day() {
        let until = date!(2026 - 02 - 28);
        assert!(!estimate_is_expired(until, date!(2026 - 02 - 28)));
        assert!(estimate_is_expired(until, date!(2026 - 03 - 01)));
    }

    #[test]
    fn formats_and_parses_dates() {
        assert_eq!(format_date(date!(2026 - 11 - 02)), "Nov 2, 2026");
        assert_eq!(format_unix_date(1_795_348_800), "Nov 22, 2026");
        assert_eq!(format_unix_date(i64::MAX), "");
        assert_eq!(parse_iso_date("2024-02-29"), Some(date!(2024 - 02 - 29)));
        assert_eq!(parse_iso_date("2025-02-29"), None);
        assert_eq!(iso_date(date!(2026 - 01 - 05)), "2026-01-05");
    }
}
