//! Shared by the tests of this module: realistic parties and amounts, and reading a PDF's
//! text back with poppler's `pdftotext`, which shares no code with the writer.

use crate::domain::currency::Currency;
use crate::domain::money::Money;
use crate::server::invoices::pdf::{Party, StatementDocument, StatementEntry, StatementEntryKind};
use std::io::Write;
use std::process::Command;
use time::macros::date;

pub(super) fn eur(minor: i64) -> Money {
    Money::new(minor, Currency::Eur)
}

pub(super) fn usd(minor: i64) -> Money {
    Money::new(minor, Currency::Usd)
}

/// The demo's vendor.
pub(super) fn acme() -> Party {
    Party {
        name: "Acme Messaging".to_string(),
        address: vec![
            "500 Market Street, Suite 1200".to_string(),
            "San Francisco, CA 94105".to_string(),
            "United States".to_string(),
        ],
        email: Some("billing@acme.test".to_string()),
        tax_id: Some("US-12-3456789".to_string()),
    }
}

/// The demo's client that bills in euros.
pub(super) fn globex() -> Party {
    Party {
        name: "Globex Corporation".to_string(),
        address: vec!["Friedrichstraße 68".to_string(), "10117 Berlin".to_string(), "Germany".to_string()],
        email: Some("greta.olsen@globex.test".to_string()),
        tax_id: Some("DE123456789".to_string()),
    }
}

/// Globex in November: €100 owed at the start, two invoices, two payments, given out of
/// date order on purpose.
pub(super) fn november_statement() -> StatementDocument {
    use StatementEntryKind::{Invoice, Payment};
    let entry = |date, kind, reference: &str, description: &str, amount| StatementEntry {
        date,
        kind,
        reference: reference.to_string(),
        description: description.to_string(),
        amount,
    };
    StatementDocument {
        vendor: acme(),
        account: globex(),
        period_start: date!(2026 - 11 - 01),
        period_end: date!(2026 - 11 - 30),
        opening_balance: eur(10_000),
        entries: vec![
            entry(date!(2026 - 11 - 22), Payment, "Visa •••• 4242", "Payment for INV-2026-0042", eur(123_400)),
            entry(date!(2026 - 11 - 01), Invoice, "INV-2026-0041", "License invoice, Nov 2026", eur(61_900)),
            entry(
                date!(2026 - 11 - 03),
                Payment,
                "SEPA transfer",
                "Payment for INV-2026-0040, INV-2026-0041",
                eur(71_900),
            ),
            entry(date!(2026 - 11 - 10), Invoice, "INV-2026-0042", "Prorated license invoice", eur(123_400)),
        ],
    }
}

/// The text of `pdf` as `pdftotext -layout` extracts it. Fails the test, rather than
/// skipping it, when poppler-utils is not installed: without it nothing checks the PDFs.
pub(super) fn pdftotext(pdf: &[u8]) -> String {
    let mut file = tempfile::Builder::new().suffix(".pdf").tempfile().expect("create a temporary PDF file");
    file.write_all(pdf).expect("write the temporary PDF file");
    file.flush().expect("flush the temporary PDF file");

    let output = match Command::new("pdftotext").arg("-layout").arg(file.path()).arg("-").output() {
        Ok(output) => output,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => panic!(
            "`pdftotext` was not found on PATH. The PDF tests read the generated files back with it; \
             install poppler-utils (Debian: `apt-get install poppler-utils`)."
        ),
        Err(error) => panic!("could not run pdftotext: {error}"),
    };
    assert!(
        output.status.success(),
        "pdftotext rejected the PDF ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    // Poppler reports malformed structure on stderr while still extracting what it can.
    assert!(output.stderr.is_empty(), "pdftotext complained: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("pdftotext writes UTF-8")
}

/// The pages of `pdftotext` output, which ends each page with a form feed.
pub(super) fn pages_of(text: &str) -> Vec<&str> {
    text.split('\u{c}').filter(|page| !page.trim().is_empty()).collect()
}
