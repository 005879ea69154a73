//! The account statement: opening balance, every invoice and payment of the period with
//! the running balance, closing balance. [`ledger`] does the arithmetic for both the PDF
//! and the CSV, so the two cannot disagree.

use crate::domain::billing_items::format_date;
use crate::domain::money::{Money, MoneyError};
use crate::server::invoices::pdf::blocks::{
    Align, AmountBox, Cell, Column, Table, TotalLine, addressee_and_amount, letterhead, totals,
};
use crate::server::invoices::pdf::layout::{DocumentInfo, Pages};
use crate::server::invoices::pdf::{PdfError, StatementDocument, StatementEntry, StatementEntryKind};

/// One statement entry with its effect on the balance.
pub(super) struct LedgerRow<'a> {
    pub entry: &'a StatementEntry,
    /// Set for invoices.
    pub charge: Option<Money>,
    /// Set for payments.
    pub payment: Option<Money>,
    /// The balance after this entry.
    pub balance: Money,
}

pub(super) struct Ledger<'a> {
    pub rows: Vec<LedgerRow<'a>>,
    pub total_charges: Money,
    pub total_payments: Money,
    pub closing_balance: Money,
}

/// The statement's entries in date order with running balances. Fails when an entry is in
/// another currency than the opening balance (or on overflow) rather than print a wrong
/// balance.
pub(super) fn ledger(doc: &StatementDocument) -> Result<Ledger<'_>, MoneyError> {
    let currency = doc.opening_balance.currency;
    let mut entries: Vec<&StatementEntry> = doc.entries.iter().collect();
    // Stable: entries of one day stay in the caller's order (an invoice, then its payment).
    entries.sort_by_key(|entry| entry.date);

    let mut balance = doc.opening_balance;
    let mut total_charges = Money::zero(currency);
    let mut total_payments = Money::zero(currency);
    let mut rows = Vec::with_capacity(entries.len());
    for entry in entries {
        let (charge, payment) = match entry.kind {
            StatementEntryKind::Invoice => {
                balance = balance.checked_add(entry.amount)?;
                total_charges = total_charges.checked_add(entry.amount)?;
                (Some(entry.amount), None)
            }
            StatementEntryKind::Payment => {
                balance = balance.checked_sub(entry.amount)?;
                total_payments = total_payments.checked_add(entry.amount)?;
                (None, Some(entry.amount))
            }
        };
        rows.push(LedgerRow { entry, charge, payment, balance });
    }
    Ok(Ledger { rows, total_charges, total_payments, closing_balance: balance })
}

pub fn statement_pdf(doc: &StatementDocument) -> Result<Vec<u8>, PdfError> {
    let ledger = ledger(doc)?;
    let period = format!("{} – {}", format_date(doc.period_start), format_date(doc.period_end));
    let title = format!("Statement {}, {period}", doc.account.name);
    let mut pages = Pages::new(format!("{title} (continued)"));

    letterhead(
        &mut pages,
        &doc.vendor,
        "Statement",
        &[("Period", period.clone()), ("Currency", doc.opening_balance.currency.code().to_string())],
    );

    let closing = AmountBox {
        label: if ledger.closing_balance.is_negative() { "Credit balance" } else { "Balance due" },
        amount: ledger.closing_balance.format(),
        caption: format!("As of {}", format_date(doc.period_end)),
    };
    addressee_and_amount(&mut pages, "Account", &doc.account, &closing);

    let table = Table::new(vec![
        Column { title: "Date", width: 70.0, align: Align::Left },
        Column { title: "Type", width: 52.0, align: Align::Left },
        Column { title: "Reference", width: 145.28, align: Align::Left },
        Column { title: "Charges", width: 74.0, align: Align::Right },
        Column { title: "Payments", width: 74.0, align: Align::Right },
        Column { title: "Balance", width: 80.0, align: Align::Right },
    ]);
    table.header(&mut pages);
    table.row(
        &mut pages,
        &[
            Cell::plain(format_date(doc.period_start)),
            Cell::plain(""),
            Cell::bold("Opening balance"),
            Cell::plain(""),
            Cell::plain(""),
            Cell::bold(doc.opening_balance.format()),
        ],
    );
    for row in &ledger.rows {
        table.row(
            &mut pages,
            &[
                Cell::plain(format_date(row.entry.date)),
                Cell::plain(row.entry.kind.label()),
                Cell::plain(&row.entry.reference).with_note(&row.entry.description),
                Cell::plain(row.charge.map(Money::format).unwrap_or_default()),
                Cell::plain(row.payment.map(Money::format).unwrap_or_default()),
                Cell::plain(row.balance.format()),
            ],
        );
    }
    table.row(
        &mut pages,
        &[
            Cell::plain(format_date(doc.period_end)),
            Cell::plain(""),
            Cell::bold("Closing balance"),
            Cell::plain(""),
            Cell::plain(""),
            Cell::bold(ledger.closing_balance.format()),
        ],
    );

    // Shown with a minus sign: the totals read as a sum from top to bottom.
    let payments_subtracted = Money::zero(ledger.total_payments.currency).checked_sub(ledger.total_payments)?;
    totals(
        &mut pages,
        &[
            TotalLine::new("Opening balance", doc.opening_balance.format()),
            TotalLine::new("Charges", ledger.total_charges.format()),
            TotalLine::new("Payments", payments_subtracted.format()),
            TotalLine::emphasised("Closing balance", ledger.closing_balance.format()),
        ],
    );

    pages.finish(DocumentInfo {
        footer: format!("{} · {title}", doc.vendor.name),
        author: doc.vendor.name.clone(),
        title,
        date: doc.period_end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::currency::Currency;
    use crate::server::invoices::pdf::test_support::{eur, november_statement, pages_of, pdftotext};
    use crate::server::invoices::pdf::{StatementEntry, StatementEntryKind};
    use time::macros::date;

    fn entry(
        date: time::Date,
        kind: StatementEntryKind,
        reference: &str,
        description: &str,
        amount: Money,
    ) -> StatementEntry {
        StatementEntry { date, kind, reference: reference.to_string(), description: description.to_string(), amount }
    }

    #[test]
    fn pdf_statement_ledger_runs_the_balance_in_date_order() {
        let doc = november_statement();
        let ledger = ledger(&doc).unwrap();
        let balances: Vec<i64> = ledger.rows.iter().map(|r| r.balance.minor).collect();
        // 100 + 619 = 719; - 719 = 0; + 1,234 = 1,234; - 1,234 = 0.
        assert_eq!(balances, vec![71_900, 0, 123_400, 0]);
        let dates: Vec<time::Date> = ledger.rows.iter().map(|r| r.entry.date).collect();
        assert!(dates.is_sorted());
        assert_eq!(ledger.total_charges, eur(185_300));
        assert_eq!(ledger.total_payments, eur(195_300));
        assert_eq!(ledger.closing_balance, eur(0));
    }

    #[test]
    fn pdf_statement_refuses_an_entry_in_another_currency() {
        let mut doc = november_statement();
        doc.entries[0].amount = Money::new(100, Currency::Usd);
        assert!(matches!(statement_pdf(&doc), Err(PdfError::Amounts(MoneyError::CurrencyMismatch(..)))));
    }

    #[test]
    fn pdf_statement_lists_every_entry_with_its_running_balance() {
        let pdf = statement_pdf(&november_statement()).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));

        let text = pdftotext(&pdf);
        for expected in [
            "STATEMENT",
            "Globex Corporation",
            "Nov 1, 2026 – Nov 30, 2026",
            "EUR",
            "Opening balance",
            "€100.00",
            "INV-2026-0041",
            "License invoice, Nov 2026",
            "€619.00",
            "€719.00",
            "SEPA transfer",
            "Visa •••• 4242",
            "Payment for INV-2026-0042",
            "€1,234.00",
            "Closing balance",
            "€1,853.00",
            "-€1,953.00",
            "Page 1 of 1",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
        // Date order, whatever the input order was.
        let position = |needle: &str| text.find(needle).unwrap_or_else(|| panic!("{needle} missing"));
        assert!(position("INV-2026-0041") < position("SEPA transfer"));
        assert!(position("SEPA transfer") < position("Prorated license invoice"));
        // The €719.00 payment row carries a zero running balance on its own line.
        let payment_line = text.lines().find(|l| l.contains("SEPA transfer")).unwrap();
        assert!(payment_line.contains("€719.00") && payment_line.trim_end().ends_with("€0.00"), "{payment_line}");
    }

    #[test]
    fn pdf_statement_with_a_year_of_entries_paginates() {
        let mut doc = november_statement();
        doc.period_start = date!(2026 - 01 - 01);
        doc.entries = (0..80)
            .map(|n| {
                let date = date!(2026 - 01 - 01) + time::Duration::days(n * 4);
                if n % 2 == 0 {
                    entry(
                        date,
                        StatementEntryKind::Invoice,
                        &format!("INV-2026-{n:04}"),
                        "License invoice",
                        eur(61_900),
                    )
                } else {
                    entry(date, StatementEntryKind::Payment, "Visa •••• 4242", "Card payment", eur(61_900))
                }
            })
            .collect();
        let text = pdftotext(&statement_pdf(&doc).unwrap());
        let pages = pages_of(&text);
        assert!(pages.len() >= 3, "{} pages", pages.len());
        let last = pages.last().unwrap();
        assert!(last.contains(&format!("Page {0} of {0}", pages.len())));
        assert!(last.contains("Closing balance") && last.contains("€100.00"), "{last}");
        assert!(pages[1].contains("Balance"), "header repeated:\n{}", pages[1]);
    }
}
