//! The cycle's emails: the documents issued to an account, and a card that will have expired
//! by the next charge. Written to the outbox in the transaction that issues what they announce.

use time::Date;

use crate::domain::billing_items::{InvoiceKind, format_date};
use crate::server::cycle::documents::Issued;
use crate::server::cycle::load::Method;

/// How an issued document gets paid, for its paragraph in the email.
pub enum Settlement<'a> {
    Charged(&'a Method),
    /// A payment link's path (`/pay/…`).
    Link(String),
    NothingDue,
}

/// The subject and the paragraphs of the email listing everything issued to an account today.
pub fn issued(documents: &[(&Issued, Settlement<'_>)], base_url: &str) -> (String, String) {
    let base = base_url.trim_end_matches('/');
    let paragraphs: Vec<String> = documents
        .iter()
        .map(|(document, settlement)| {
            let title = format!("{} {}", document.kind.label(), document.number);
            match settlement {
                _ if document.kind == InvoiceKind::Reconciliation => {
                    format!("  {title}: your statement for the past month. Nothing to pay.")
                }
                Settlement::Charged(method) => {
                    format!("  {title}: {}, charged to {} today.", document.total.format(), method.label)
                }
                Settlement::Link(path) => format!(
                    "  {title}: {}, due {}.\n  Pay it here (no sign-in needed): {base}{path}",
                    document.total.format(),
                    format_date(document.due)
                ),
                Settlement::NothingDue => format!("  {title}: {}.", document.total.format()),
            }
        })
        .collect();
    let subject = match documents {
        [(only, _)] => format!("{} {}", only.kind.label(), only.number),
        _ => format!("{} new billing documents", documents.len()),
    };
    let body = format!(
        "New in your billing portal:\n\n{}\n\nView and download them at {base}/billing-history\n\n— Portico billing",
        paragraphs.join("\n\n")
    );
    (subject, body)
}

/// The subject and body of the notice that `method` will have expired by `charge_date`.
pub fn expiring_card(method: &Method, charge_date: Date) -> (String, String) {
    let (month, year) = method.expiry.unwrap_or_default();
    let subject = format!("Your {} expires before your next charge", method.label);
    let body = format!(
        "Your next invoice will be charged on {} to {}, which expires at the end of {month}/{year}. \
         That charge would fail, and an unpaid license invoice blocks outbound messaging.\n\n\
         Add a new card or bank account and make it your default in the billing portal's Payment methods page before then.\n\n— Portico billing",
        format_date(charge_date),
        method.label,
    );
    (subject, body)
}
