//! The account statement as CSV, for spreadsheets and accounting software.
//!
//! One row per entry between an "Opening balance" and a "Closing balance" row, so the file
//! reconciles on its own. Amounts are plain decimals with a dot and no currency symbol or
//! grouping ("1234.00"), dates are ISO ("2026-11-22"): what importers parse without a
//! locale. Lines end with CRLF (RFC 4180).

use crate::domain::billing_items::iso_date;
use crate::domain::money::Money;
use crate::server::invoices::pdf::statement::ledger;
use crate::server::invoices::pdf::{PdfError, StatementDocument};

const HEADER: &str = "date,type,reference,description,charges,payments,balance";

/// The statement as CSV, with the same rows and running balances as [`crate::server::invoices::pdf::statement_pdf`].
pub fn statement_csv(doc: &StatementDocument) -> Result<String, PdfError> {
    let ledger = ledger(doc)?;
    let mut csv = String::new();
    csv.push_str(HEADER);
    csv.push_str("\r\n");

    let mut row = |date,
                   kind: &str,
                   reference: &str,
                   description: &str,
                   charge: Option<Money>,
                   payment: Option<Money>,
                   balance: Money| {
        let fields = [
            text_field(&iso_date(date)),
            text_field(kind),
            text_field(reference),
            text_field(description),
            amount_field(charge),
            amount_field(payment),
            amount_field(Some(balance)),
        ];
        csv.push_str(&fields.join(","));
        csv.push_str("\r\n");
    };

    row(doc.period_start, "Opening balance", "", "", None, None, doc.opening_balance);
    for entry in &ledger.rows {
        let e = entry.entry;
        row(e.date, e.kind.label(), &e.reference, &e.description, entry.charge, entry.payment, entry.balance);
    }
    row(doc.period_end, "Closing balance", "", "", None, None, ledger.closing_balance);
    Ok(csv)
}

/// A number column: the exact decimal ("619.00", "-50.00"), or empty. Never prefixed (it is
/// a number, and a leading "-" is its sign) and never quoted (it has no comma).
fn amount_field(amount: Option<Money>) -> String {
    amount.map(|m| m.as_decimal().to_string()).unwrap_or_default()
}

/// A text column, safe to open in a spreadsheet and quoted as CSV requires.
pub fn text_field(value: &str) -> String {
    // A cell starting with one of these is read as a formula by Excel, LibreOffice and
    // Google Sheets, and a client-supplied reference could then run one ("=HYPERLINK(…)").
    // A leading apostrophe makes the spreadsheet show it as text (OWASP's advice). Tab and
    // carriage return are on OWASP's list too.
    let neutralised =
        if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_string() };
    if neutralised.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", neutralised.replace('"', "\"\""))
    } else {
        neutralised
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::currency::Currency;
    use crate::server::invoices::pdf::test_support::{eur, november_statement};
    use crate::server::invoices::pdf::{StatementEntry, StatementEntryKind};
    use rust_decimal::Decimal;
    use std::str::FromStr;
    use time::macros::date;

    fn rows(csv: &str) -> Vec<&str> {
        assert!(csv.ends_with("\r\n"));
        csv.split("\r\n").filter(|l| !l.is_empty()).collect()
    }

    #[test]
    fn pdf_csv_starts_with_the_header_and_lists_entries_in_date_order() {
        let csv = statement_csv(&november_statement()).unwrap();
        assert_eq!(
            rows(&csv),
            vec![
                "date,type,reference,description,charges,payments,balance",
                "2026-11-01,Opening balance,,,,,100.00",
                "2026-11-01,Invoice,INV-2026-0041,\"License invoice, Nov 2026\",619.00,,719.00",
                "2026-11-03,Payment,SEPA transfer,\"Payment for INV-2026-0040, INV-2026-0041\",,719.00,0.00",
                "2026-11-10,Invoice,INV-2026-0042,Prorated license invoice,1234.00,,1234.00",
                "2026-11-22,Payment,Visa •••• 4242,Payment for INV-2026-0042,,1234.00,0.00",
                "2026-11-30,Closing balance,,,,,0.00",
            ]
        );
    }

    #[test]
    fn pdf_csv_balances_add_up_row_by_row() {
        let mut doc = november_statement();
        doc.entries.push(StatementEntry {
            date: date!(2026 - 11 - 29),
            kind: StatementEntryKind::Payment,
            reference: "Prepayment".to_string(),
            description: String::new(),
            amount: eur(5_050),
        });
        let csv = statement_csv(&doc).unwrap();
        let decimal = |field: &str| if field.is_empty() { Decimal::ZERO } else { Decimal::from_str(field).unwrap() };

        let mut balance = None;
        for line in rows(&csv).into_iter().skip(1) {
            // Amounts never contain a comma, so they are the last three fields whatever the
            // (possibly quoted) description holds.
            let fields: Vec<&str> = line.rsplitn(4, ',').collect();
            let (balance_field, payment, charge) = (fields[0], fields[1], fields[2]);
            if let Some(previous) = balance {
                assert_eq!(decimal(balance_field), previous + decimal(charge) - decimal(payment), "{line}");
            }
            balance = Some(decimal(balance_field));
        }
        // 100 + 619 - 719 + 1,234 - 1,234 - 50.50 = -50.50: a credit, with its sign.
        assert!(csv.contains(",,50.50,-50.50\r\n"), "{csv}");
        assert!(csv.ends_with("2026-11-30,Closing balance,,,,,-50.50\r\n"), "{csv}");
    }

    #[test]
    fn pdf_csv_quotes_commas_quotes_and_newlines() {
        assert_eq!(text_field("plain"), "plain");
        assert_eq!(text_field("Berlin, Germany"), "\"Berlin, Germany\"");
        assert_eq!(text_field("the \"pro\" plan"), "\"the \"\"pro\"\" plan\"");
        assert_eq!(text_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(text_field(""), "");
    }

    #[test]
    fn pdf_csv_neutralises_formulas_in_text_but_not_in_amounts() {
        assert_eq!(
            text_field("=HYPERLINK(\"http://evil.test\",\"x\")"),
            "\"'=HYPERLINK(\"\"http://evil.test\"\",\"\"x\"\")\""
        );
        assert_eq!(text_field("+1 415 555 0100"), "'+1 415 555 0100");
        assert_eq!(text_field("-2+3"), "'-2+3");
        assert_eq!(text_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(text_field("\tcmd"), "'\tcmd");
        assert_eq!(text_field("a=b"), "a=b");

        let mut doc = november_statement();
        doc.entries[0].reference = "=cmd|' /C calc'!A0".to_string();
        doc.entries[0].description = "-1,000 refund".to_string();
        doc.opening_balance = eur(-2_500);
        let csv = statement_csv(&doc).unwrap();
        assert!(csv.contains(",'=cmd|' /C calc'!A0,\"'-1,000 refund\",,1234.00,"), "{csv}");
        assert!(csv.contains("Opening balance,,,,,-25.00\r\n"), "negative amounts keep their sign: {csv}");
    }

    #[test]
    fn pdf_csv_writes_amounts_without_symbols_or_grouping() {
        let mut doc = november_statement();
        doc.opening_balance = Money::new(123_456_789, Currency::Eur);
        let csv = statement_csv(&doc).unwrap();
        assert!(csv.contains("Opening balance,,,,,1234567.89\r\n"), "{csv}");
        assert!(!csv.contains('€'));

        let yen = StatementDocument {
            opening_balance: Money::new(1_200, Currency::Jpy),
            entries: vec![],
            ..november_statement()
        };
        assert!(statement_csv(&yen).unwrap().contains("Closing balance,,,,,1200\r\n"));
    }

    #[test]
    fn pdf_csv_refuses_an_entry_in_another_currency() {
        let mut doc = november_statement();
        doc.entries[1].amount = Money::new(100, Currency::Gbp);
        assert!(matches!(statement_csv(&doc), Err(PdfError::Amounts(_))));
    }
}
