//! Demo data: Acme Messaging, a messaging platform, and two of its clients. Dates are laid
//! out relative to today, so the story always holds: an overdue license invoice, a card about
//! to expire, estimates awaiting a decision (and one that lapsed), months of paid history and
//! daily message usage per phone number.

use crate::domain::ids::{AccountId, InvoiceId};
use serde_json::json;
use time::{Date, Duration};

use crate::domain::billing_cycle::{
    first_of_month, month_key, month_name, next_month_start, previous_month_start, prorated_license,
};
use crate::domain::billing_items::iso_date;
use crate::domain::credit::EntryKind;
use crate::domain::currency::Currency;
use crate::domain::money::Money;
use crate::server::accounts::provision::{self, NewAccount};
use crate::server::credit::ledger::{NewEntry, append};
use crate::server::cycle::documents::insert_lines;
use crate::server::cycle::{load, plan};
use crate::server::estimates::issue::{NewEstimate, create_in as create_estimate_in};
use crate::server::infra::actor::Actor;
use crate::server::infra::audit::{AuditEvent, record};
use crate::server::infra::auth::password::hash_password;
use crate::server::infra::clock::unix_now;
use crate::server::infra::db::Tx;
use crate::server::infra::ids::new_id;
use crate::server::infra::secrets::ServerSecret;
use crate::server::infra::state::AppState;
use crate::server::invoices::issue::NewLine;
use crate::server::subscriptions::create::{NewSubscription, create_in as create_subscription_in};
use crate::server::subscriptions::plans::{self, NewPlan};
use crate::server::usage::numbers::onboard;
use crate::wire::billing_details::DetailsInput;
use crate::wire::error::AppError;

pub const DEMO_PASSWORD: &str = "portico-demo";
pub const VENDOR_ID: &str = "ven_acme";
pub const NORTHWIND: &str = "acc_northwind";
pub const GLOBEX: &str = "acc_globex";

/// Who the audit trail says made what the demo makes through the operator API's use cases.
const DEMO_ACTOR_LABEL: &str = "Demo loader";

fn demo_actor() -> Actor {
    Actor::System { label: DEMO_ACTOR_LABEL }
}

impl From<AppError> for DemoError {
    fn from(error: AppError) -> Self {
        DemoError::UseCase(error.to_string())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("password hashing: {0}")]
    Hash(String),
    /// A use case of the operator API refused the demo's data.
    #[error("{0}")]
    UseCase(String),
    #[error("credit ledger: {0}")]
    Ledger(String),
}

/// Loads the demo data unless the database already holds a vendor. Returns whether it loaded.
/// On the state's clock (the demo is laid out around its today) and with its secret (the demo's
/// cards are sandbox tokens the server signs).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn load_if_empty(state: &AppState) -> Result<bool, DemoError> {
    let (db, clock) = (&state.db, state.clock.as_ref());
    let mut tx = db.begin_write().await?;
    let vendors: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM vendors").fetch_one(&mut *tx).await?;
    if vendors > 0 {
        tx.rollback().await?;
        return Ok(false);
    }
    let hash = hash_password(DEMO_PASSWORD).map_err(|e| DemoError::Hash(e.to_string()))?;
    Demo {
        tx: &mut tx,
        now: unix_now(clock),
        today: clock.now().date(),
        hash,
        secret: &state.secret,
        invoices: Vec::new(),
        estimate_no: 0,
        usage_days: Vec::new(),
        prepayments: Vec::new(),
        statements: Vec::new(),
    }
    .load()
    .await?;
    tx.commit().await?;
    Ok(true)
}

struct Demo<'a> {
    tx: &'a mut Tx,
    now: i64,
    today: Date,
    hash: String,
    secret: &'a ServerSecret,
    invoices: Vec<PlannedInvoice>,
    estimate_no: i64,
    /// Per account and day: the cost and message count of that day's usage.
    usage_days: Vec<(&'static str, Date, i64, i64)>,
    /// Paid prepayment invoices: account, invoice id, number, amount, paid at.
    prepayments: Vec<(&'static str, String, String, i64, i64)>,
    /// Reconciliation statements to fill in: account, invoice id, month reconciled.
    statements: Vec<(&'static str, String, Date)>,
}

/// A demo ledger entry: when, kind, amount, description, prepayment invoice, usage day.
type LedgerEvent = (i64, EntryKind, i64, String, Option<String>, Option<Date>);

struct PlannedInvoice {
    id: String,
    account: &'static str,
    kind: &'static str,
    status: &'static str,
    currency: &'static str,
    issue: Date,
    due: Date,
    period: Option<(Date, Date)>,
    lines: Vec<(String, i64, i64)>,
    paid_with: Option<&'static str>,
    memo: Option<String>,
    /// What the billing cycle keys it by, so a cycle run on the demo issues it again never.
    cycle_key: Option<String>,
}

fn months_before(d: Date, n: u8) -> Date {
    let mut first = first_of_month(d);
    for _ in 0..n {
        first = previous_month_start(first);
    }
    first
}

impl Demo<'_> {
    async fn exec(&mut self, sql: &str, args: Vec<Arg>) -> Result<(), sqlx::Error> {
        let mut q = sqlx::query(sql);
        for a in args {
            q = match a {
                Arg::S(s) => q.bind(s),
                Arg::OS(s) => q.bind(s),
                Arg::I(i) => q.bind(i),
                Arg::OI(i) => q.bind(i),
            };
        }
        q.execute(&mut **self.tx).await?;
        Ok(())
    }

    async fn load(mut self) -> Result<(), DemoError> {
        let now = self.now;
        self.exec(
            "INSERT INTO vendors (id, name, legal_name, email, address, tax_id, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)",
            vec![
                s(VENDOR_ID), s("Acme Messaging"), s("Acme Messaging, Inc."), s("billing@acme.test"),
                s("500 Market Street, Suite 400, San Francisco, CA 94105, United States"), os(Some("EIN 94-1234567")), i(now),
            ],
        )
        .await?;
        self.exec(
            "INSERT INTO invoice_sequences (vendor_id, prefix, next_number) VALUES ($1, 'ACME-', 1)",
            vec![s(VENDOR_ID)],
        )
        .await?;
        // Acme's own rules for its dollar clients; clients in other currencies get the defaults
        // for theirs (PIX and Boleto in reais, wires from about $1,000 everywhere).
        self.exec(
            "INSERT INTO vendor_currency_rules (vendor_id, currency, ach_minimum, wire_minimum, enabled_methods) VALUES ($1, 'USD', 5000, 100000, 'card,ach,wire')",
            vec![s(VENDOR_ID)],
        )
        .await?;
        self.exec(
            "INSERT INTO vendor_payment_settings (vendor_id, card_surcharge_rate, wire_instructions) VALUES ($1, '0.04', $2)",
            vec![
                s(VENDOR_ID),
                s("Bank: First Republic Trust, 111 Pine Street, San Francisco, CA 94111\nAccount name: Acme Messaging, Inc.\nAccount number: 000123456789\nRouting (ABA): 021000021 · SWIFT: FRTSUS6S\nPut the payment reference in the transfer's memo."),
            ],
        )
        .await?;

        for (code, name, kind, unit, amount, currency) in [
            ("partner-usd", "Partner plan", "partner", "plan", 49_900, "USD"),
            ("license-usd", "Phone number license", "license", "phone number", 1_500, "USD"),
            ("partner-eur", "Partner plan", "partner", "plan", 45_900, "EUR"),
            ("license-eur", "Phone number license", "license", "phone number", 1_400, "EUR"),
            ("partner-plus-usd", "Partner Plus plan", "partner", "plan", 79_900, "USD"),
            ("partner-plus-eur", "Partner Plus plan", "partner", "plan", 72_900, "EUR"),
        ] {
            plans::create_in(
                &mut *self.tx,
                now,
                VENDOR_ID,
                DEMO_ACTOR_LABEL,
                NewPlan {
                    id: Some(format!("plan_{}", code.replace('-', "_"))),
                    code: code.into(),
                    name: name.into(),
                    kind: kind.into(),
                    unit_label: unit.into(),
                    unit_amount: amount,
                    currency: currency.into(),
                    interval: "month".into(),
                },
            )
            .await?;
        }

        self.accounts().await?;
        self.users().await?;
        self.payment_methods().await?;
        self.phone_numbers_and_usage().await?;
        self.subscriptions().await?;
        self.plan_invoices();
        self.write_invoices().await?;
        // Which numbers each license and prorated invoice billed, as the cycle records them (one
        // billing per number and month, see domain::licenses).
        self.exec(
            "INSERT INTO number_billings (account_id, number, month, invoice_id)
             SELECT n.account_id, n.number, substr(i.cycle_key, 9, 7), i.id FROM invoices i JOIN phone_numbers n ON n.account_id = i.account_id
             WHERE i.cycle_key LIKE 'license:%' AND n.onboarded_on <= substr(i.cycle_key, 9, 7) || '-01'",
            Vec::new(),
        )
        .await?;
        self.exec(
            "INSERT INTO number_billings (account_id, number, month, invoice_id)
             SELECT n.account_id, n.number, substr(i.cycle_key, 10, 7), i.id FROM invoices i JOIN phone_numbers n ON n.account_id = i.account_id
             WHERE i.cycle_key LIKE 'prorated:%' AND substr(n.onboarded_on, 1, 7) = substr(i.cycle_key, 10, 7) AND substr(n.onboarded_on, 9, 2) <> '01'",
            Vec::new(),
        )
        .await?;
        self.credit_ledger().await?;
        self.reconciliation_statements().await?;
        self.estimates().await?;
        record(
            self.tx,
            now,
            AuditEvent { action: "demo.loaded", detail: json!({ "vendor": VENDOR_ID }), ..Default::default() },
        )
        .await?;
        Ok(())
    }

    /// The two clients, created as the operator API creates them.
    async fn accounts(&mut self) -> Result<(), DemoError> {
        let now = self.now;
        let clients = [
            (
                NORTHWIND,
                "Northwind Traders",
                "USD",
                [
                    "Northwind Traders LLC",
                    "US",
                    "1200 Harbor Way",
                    "Floor 3",
                    "Seattle",
                    "WA",
                    "98101",
                    "EIN 91-7654321",
                ],
                ("Northwind Accounts Payable", "ap@northwind.test"),
            ),
            (
                GLOBEX,
                "Globex Corporation",
                "EUR",
                ["Globex Corporation GmbH", "DE", "Friedrichstraße 68", "", "Berlin", "", "10117", "DE123456789"],
                ("Globex Buchhaltung", "buchhaltung@globex.test"),
            ),
        ];
        for (id, name, currency, [company, country, line1, line2, city, region, postal, tax], contact) in clients {
            let input = NewAccount {
                id: Some(AccountId::new(id)),
                name: name.into(),
                currency: currency.into(),
                details: DetailsInput {
                    company_name: company.into(),
                    country: country.into(),
                    address_line1: line1.into(),
                    address_line2: line2.into(),
                    city: city.into(),
                    region: region.into(),
                    postal_code: postal.into(),
                    tax_id: tax.into(),
                },
                billing_contact: Some((contact.0.into(), contact.1.into())),
            };
            provision::create_in(&mut *self.tx, now, VENDOR_ID, &demo_actor(), input).await?;
        }
        // A second contact: the portal's billing-details page adds these, not the API.
        self.exec(
            "INSERT INTO billing_contacts (id, account_id, name, email, created_at) VALUES ($1,$2,$3,$4,$5)",
            vec![s(&new_id("bct")), s(NORTHWIND), s("Ben Carter"), s("billing@northwind.test"), i(now + 1)],
        )
        .await?;
        Ok(())
    }

    async fn users(&mut self) -> Result<(), sqlx::Error> {
        let now = self.now;
        let hash = self.hash.clone();
        for (id, email, name) in [
            ("usr_nora", "owner@northwind.test", "Nora Whitfield"),
            ("usr_ben", "billing@northwind.test", "Ben Carter"),
            ("usr_mia", "member@northwind.test", "Mia Lopez"),
            ("usr_greta", "owner@globex.test", "Greta Olsen"),
            ("usr_alex", "staff@acme.test", "Alex Rivera"),
            ("usr_sam", "support@acme.test", "Sam Patel"),
        ] {
            self.exec(
                "INSERT INTO users (id, email, name, password_hash, created_at) VALUES ($1,$2,$3,$4,$5)",
                vec![s(id), s(email), s(name), s(&hash), i(now)],
            )
            .await?;
        }
        for (account, user, role) in [
            (NORTHWIND, "usr_nora", "owner"),
            (NORTHWIND, "usr_ben", "billing_manager"),
            (NORTHWIND, "usr_mia", "member"),
            (GLOBEX, "usr_greta", "owner"),
            // One login, several accounts (seed 001): Nora also administers Globex's billing.
            (GLOBEX, "usr_nora", "admin"),
        ] {
            self.exec(
                "INSERT INTO memberships (account_id, user_id, role, created_at) VALUES ($1,$2,$3,$4)",
                vec![s(account), s(user), s(role), i(now)],
            )
            .await?;
        }
        // Alex administers the vendor's keys and rules; Sam helps clients and reads them.
        for (user, role) in [("usr_alex", "admin"), ("usr_sam", "support")] {
            self.exec(
                "INSERT INTO staff_members (user_id, vendor_id, staff_role, created_at) VALUES ($1, $2, $3, $4)",
                vec![s(user), s(VENDOR_ID), s(role), i(now)],
            )
            .await?;
        }
        Ok(())
    }

    async fn payment_methods(&mut self) -> Result<(), sqlx::Error> {
        let now = self.now;
        // One card runs out at the end of this month, so the expiry warning shows.
        let soon = self.today;
        let soon_month = i64::from(u8::from(soon.month()));
        let soon_year = i64::from(soon.year());
        let y = i64::from(self.today.year());
        type MethodRow<'a> = (
            &'a str,
            &'a str,
            &'a str,
            Option<&'a str>,
            Option<&'a str>,
            Option<&'a str>,
            Option<i64>,
            Option<i64>,
            Option<&'a str>,
            bool,
            &'a str,
        );
        let rows: [MethodRow; 5] = [
            (
                "pm_nw_visa",
                NORTHWIND,
                "card",
                Some("visa"),
                Some("credit"),
                Some("4242"),
                Some(12),
                Some(y + 2),
                None,
                true,
                "Nora Whitfield",
            ),
            (
                "pm_nw_mc",
                NORTHWIND,
                "card",
                Some("mastercard"),
                Some("debit"),
                Some("5556"),
                Some(soon_month),
                Some(soon_year),
                None,
                false,
                "Ben Carter",
            ),
            (
                "pm_nw_amex",
                NORTHWIND,
                "card",
                Some("amex"),
                Some("credit"),
                Some("8431"),
                Some(3),
                Some(y + 1),
                None,
                false,
                "Nora Whitfield",
            ),
            (
                "pm_nw_ach",
                NORTHWIND,
                "ach",
                None,
                None,
                Some("6789"),
                None,
                None,
                Some("Chase"),
                false,
                "Northwind Traders LLC",
            ),
            (
                "pm_gx_mc",
                GLOBEX,
                "card",
                Some("mastercard"),
                Some("credit"),
                Some("3222"),
                Some(8),
                Some(y + 3),
                None,
                true,
                "Greta Olsen",
            ),
        ];
        for (id, account, kind, brand, funding, last4, m, yr, bank, default, holder) in rows {
            let method_kind = crate::domain::payment_method::MethodKind::parse(kind).expect("demo kinds are valid");
            let exp = m.zip(yr).map(|(m, y)| (m as u8, y as i32));
            let (token, fingerprint) = crate::server::infra::processors::sandbox::demo_token(
                self.secret,
                method_kind,
                brand,
                funding,
                last4.unwrap_or_default(),
                exp,
                holder,
                bank,
                id,
            );
            self.exec(
                "INSERT INTO payment_methods (id, account_id, kind, processor, processor_token, fingerprint, brand, funding, last4,
                                              exp_month, exp_year, holder_name, bank_name, is_default, created_at)
                 VALUES ($1,$2,$3,'sandbox',$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)",
                vec![
                    s(id), s(account), s(kind), s(&token), os(Some(&fingerprint)),
                    os(brand), os(funding), os(last4), oi(m), oi(yr), s(holder), os(bank), i(i64::from(default)), i(now),
                ],
            )
            .await?;
        }
        Ok(())
    }

    async fn phone_numbers_and_usage(&mut self) -> Result<(), DemoError> {
        let start = months_before(self.today, 3);
        let numbers: [(&str, &str, &str, &str, Date); 11] = [
            ("num_nw_1", NORTHWIND, "Northwind Retail", "+1 206 555 0101", start),
            ("num_nw_2", NORTHWIND, "Northwind Retail", "+1 206 555 0102", start),
            ("num_nw_3", NORTHWIND, "Northwind Retail", "+1 206 555 0103", start),
            ("num_nw_4", NORTHWIND, "Northwind Retail", "+1 206 555 0104", start),
            ("num_nw_5", NORTHWIND, "Northwind Support", "+1 206 555 0150", start),
            ("num_nw_6", NORTHWIND, "Northwind Support", "+1 206 555 0151", start),
            (
                "num_nw_7",
                NORTHWIND,
                "Northwind Support",
                "+1 206 555 0152",
                months_before(self.today, 1) + Duration::days(9),
            ),
            (
                "num_nw_8",
                NORTHWIND,
                "Northwind Support",
                "+1 206 555 0153",
                months_before(self.today, 1) + Duration::days(9),
            ),
            ("num_gx_1", GLOBEX, "Globex Vertrieb", "+49 30 5550 1001", start),
            ("num_gx_2", GLOBEX, "Globex Vertrieb", "+49 30 5550 1002", start),
            ("num_gx_3", GLOBEX, "Globex Service", "+49 30 5550 2001", start),
        ];
        for (id, account, sub, number, onboarded) in numbers {
            onboard(&mut *self.tx, &AccountId::new(account), number, sub, onboarded, Some(id)).await?;
        }
        // Per-message prices in minor units: marketing costs most, authentication least.
        let categories = [("marketing", 3), ("utility", 1), ("authentication", 1)];
        let mut rows: Vec<Vec<Arg>> = Vec::new();
        let mut day = start;
        while day < self.today {
            let mut day_totals: Vec<(&'static str, Date, i64, i64)> = Vec::new();
            for (n, (id, account, _, _, onboarded)) in numbers.iter().enumerate() {
                // Globex's credit ran out with the charge for the day before yesterday: no
                // outbound messages since.
                if day < *onboarded || (*account == GLOBEX && day >= self.today - Duration::days(1)) {
                    continue;
                }
                let currency = if *account == GLOBEX { "EUR" } else { "USD" };
                for (c, (category, price)) in categories.iter().enumerate() {
                    // A deterministic, plausible pattern: weekday peaks, per-number volume.
                    let weekday = day.weekday().number_days_from_monday() as i64;
                    let base = 40 + (n as i64 * 17) % 60;
                    let count = (base * (if weekday < 5 { 3 } else { 1 }) / (c as i64 + 1))
                        + (day.day() as i64 * 7 + n as i64 * 3) % 25;
                    rows.push(vec![
                        s(&new_id("use")),
                        s(account),
                        s(id),
                        s(category),
                        s(&iso_date(day)),
                        i(count),
                        i(count * price),
                        s(currency),
                        i(self.now),
                    ]);
                    match day_totals.iter_mut().find(|t| t.0 == *account) {
                        Some(total) => {
                            total.2 += count * price;
                            total.3 += count;
                        }
                        None => day_totals.push((account, day, count * price, count)),
                    }
                }
            }
            self.usage_days.extend(day_totals);
            day += Duration::days(1);
        }
        for chunk in rows.chunks(100) {
            let placeholders: Vec<String> = (0..chunk.len())
                .map(|r| {
                    let b = r * 9;
                    format!(
                        "(${},${},${},${},${},${},${},${},${})",
                        b + 1,
                        b + 2,
                        b + 3,
                        b + 4,
                        b + 5,
                        b + 6,
                        b + 7,
                        b + 8,
                        b + 9
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO usage_records (id, account_id, phone_number_id, category, usage_date, message_count, cost, currency, created_at) VALUES {}",
                placeholders.join(",")
            );
            self.exec(&sql, chunk.iter().flat_map(|r| r.iter().cloned()).collect()).await?;
        }
        Ok(())
    }

    /// Subscriptions as the operator API starts them; their current period was billed with the
    /// month's license invoice, so nothing is invoiced here.
    async fn subscriptions(&mut self) -> Result<(), DemoError> {
        let start = first_of_month(self.today);
        for (id, account, plan, quantity, method) in [
            ("sub_nw_partner", NORTHWIND, "plan_partner_usd", 1, "pm_nw_visa"),
            ("sub_nw_licenses", NORTHWIND, "plan_license_usd", 8, "pm_nw_visa"),
            ("sub_gx_partner", GLOBEX, "plan_partner_eur", 1, "pm_gx_mc"),
            ("sub_gx_licenses", GLOBEX, "plan_license_eur", 3, "pm_gx_mc"),
        ] {
            let input = NewSubscription {
                id: Some(id.into()),
                plan_id: plan.into(),
                quantity,
                start_date: Some(start),
                payment_method_id: Some(method.into()),
                bill_now: false,
            };
            let account = AccountId::new(account);
            create_subscription_in(&mut *self.tx, self.now, self.today, &demo_actor(), &account, input).await?;
        }
        Ok(())
    }

    /// Three months of history and the current month, for both clients.
    fn plan_invoices(&mut self) {
        let today = self.today;
        for back in (0..=3u8).rev() {
            let month = months_before(today, back);
            let month_end = next_month_start(month) - Duration::days(1);
            let current = back == 0;
            let nw_numbers = if back >= 1 { 6 } else { 8 };
            // License invoice on the 1st: the partner plan plus a license per number.
            let due = if current {
                (month + Duration::days(14)).max(today + Duration::days(3))
            } else {
                month + Duration::days(14)
            };
            self.invoices.push(PlannedInvoice {
                id: new_id("inv"),
                account: NORTHWIND,
                kind: "license",
                status: if current { "open" } else { "paid" },
                currency: "USD",
                issue: month,
                due,
                period: Some((month, month_end)),
                lines: vec![
                    (format!("Partner plan — {}", month_name(month)), 1, 49_900),
                    (format!("Phone number licenses — {}", month_name(month)), nw_numbers, 1_500),
                ],
                paid_with: (!current).then_some("pm_nw_visa"),
                memo: None,
                cycle_key: Some(format!("license:{}", month_key(month))),
            });
            self.invoices.push(PlannedInvoice {
                id: new_id("inv"),
                account: GLOBEX,
                kind: "license",
                status: if current { "open" } else { "paid" },
                currency: "EUR",
                issue: month,
                due,
                period: Some((month, month_end)),
                lines: vec![
                    (format!("Partner plan — {}", month_name(month)), 1, 45_900),
                    (format!("Phone number licenses — {}", month_name(month)), 3, 1_400),
                ],
                paid_with: (!current).then_some("pm_gx_mc"),
                memo: None,
                cycle_key: Some(format!("license:{}", month_key(month))),
            });
            if back >= 1 {
                // A prepayment mid-month tops up the message credit.
                self.invoices.push(PlannedInvoice {
                    id: new_id("inv"),
                    account: NORTHWIND,
                    kind: "prepayment",
                    status: "paid",
                    currency: "USD",
                    issue: month + Duration::days(11),
                    due: month + Duration::days(11),
                    period: None,
                    lines: vec![("Prepaid message credit".into(), 1, 100_000)],
                    paid_with: Some(if back == 2 { "pm_nw_ach" } else { "pm_nw_visa" }),
                    memo: Some("Added to your credit balance".into()),
                    cycle_key: None,
                });
            }
            if back <= 2 {
                // The reconciliation statement of the month before, issued on the 1st. Its lines
                // are written by the cycle's own rules once the credit ledger exists.
                let previous = months_before(month, 1);
                for (account, currency) in [(NORTHWIND, "USD"), (GLOBEX, "EUR")] {
                    self.invoices.push(PlannedInvoice {
                        id: new_id("inv"),
                        account,
                        kind: "reconciliation",
                        status: "paid",
                        currency,
                        issue: month,
                        due: month,
                        period: Some((previous, month - Duration::days(1))),
                        lines: Vec::new(),
                        paid_with: None,
                        memo: None,
                        cycle_key: Some(plan::statement_key(previous)),
                    });
                }
            }
        }
        // Two numbers were onboarded on the 10th of last month: the prorated license invoice
        // issued at that month's end is overdue.
        let last_month = months_before(today, 1);
        let last_month_end = next_month_start(last_month) - Duration::days(1);
        let onboarded = last_month + Duration::days(9);
        let (prorated, _, _) =
            prorated_license(Money::new(1_500, Currency::Usd), last_month, onboarded).expect("a day of the month");
        self.invoices.push(PlannedInvoice {
            id: new_id("inv"),
            account: NORTHWIND,
            kind: "prorated_license",
            status: "open",
            currency: "USD",
            issue: last_month_end,
            due: (last_month_end + Duration::days(10)).min(today - Duration::days(1)),
            period: Some((last_month + Duration::days(9), last_month_end)),
            lines: vec![(
                format!(
                    "Phone number licenses added {} (prorated)",
                    crate::domain::billing_items::format_date(onboarded)
                ),
                2,
                prorated.minor,
            )],
            paid_with: None,
            memo: None,
            cycle_key: Some(format!("prorated:{}", month_key(last_month))),
        });
    }

    async fn write_invoices(&mut self) -> Result<(), sqlx::Error> {
        let mut invoices = std::mem::take(&mut self.invoices);
        invoices.sort_by(|a, b| (a.issue, a.account, a.kind).cmp(&(b.issue, b.account, b.kind)));
        let count = invoices.len() as i64;
        for (n, inv) in invoices.into_iter().enumerate() {
            let number = format!("ACME-{:06}", n + 1);
            let subtotal: i64 = inv.lines.iter().map(|(_, q, u)| q * u).sum();
            let (bill_to, address, tax_id) = if inv.account == NORTHWIND {
                (
                    "Northwind Traders LLC",
                    "1200 Harbor Way, Floor 3, Seattle, WA 98101, United States",
                    "EIN 91-7654321",
                )
            } else {
                ("Globex Corporation GmbH", "Friedrichstraße 68, 10117 Berlin, Germany", "DE123456789")
            };
            let issued_at = inv.issue.midnight().assume_utc().unix_timestamp();
            let paid = inv.status == "paid";
            self.exec(
                "INSERT INTO invoices (id, vendor_id, account_id, number, kind, status, currency, issue_date, due_date, period_start, period_end,
                                       subtotal, tax, total, amount_paid, bill_to_name, bill_to_address, bill_to_tax_id, memo, paid_at, created_at, cycle_key)
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,0,$12,$13,$14,$15,$16,$17,$18,$19,$20)",
                vec![
                    s(&inv.id), s(VENDOR_ID), s(inv.account), s(&number), s(inv.kind), s(inv.status), s(inv.currency),
                    s(&iso_date(inv.issue)), s(&iso_date(inv.due)),
                    os(inv.period.map(|p| iso_date(p.0)).as_deref()), os(inv.period.map(|p| iso_date(p.1)).as_deref()),
                    i(subtotal), i(if paid { subtotal } else { 0 }), s(bill_to), s(address), os(Some(tax_id)), os(inv.memo.as_deref()),
                    oi(paid.then_some(issued_at + 3 * 86_400)), i(issued_at), os(inv.cycle_key.as_deref()),
                ],
            )
            .await?;
            for (pos, (desc, qty, unit)) in inv.lines.iter().enumerate() {
                self.exec(
                    "INSERT INTO invoice_lines (id, invoice_id, position, description, quantity, unit_amount, amount, plan_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
                    vec![s(&new_id("lin")), s(&inv.id), i(pos as i64), s(desc), i(*qty), i(*unit), i(qty * unit), os(plan_of_line(desc, inv.currency))],
                )
                .await?;
            }
            if inv.kind == "reconciliation" {
                self.statements.push((inv.account, inv.id.clone(), inv.period.map(|p| p.0).unwrap_or(inv.issue)));
            }
            if inv.kind == "prepayment" && paid {
                self.prepayments.push((inv.account, inv.id.clone(), number.clone(), subtotal, issued_at + 3 * 86_400));
            }
            if let Some(pm) = inv.paid_with {
                self.payment(&inv.id, inv.account, pm, subtotal, inv.currency, "succeeded", issued_at + 3 * 86_400)
                    .await?;
            }
            if inv.kind == "prorated_license" && inv.status == "open" {
                // The automatic charge on issue was declined; the invoice stays open.
                self.payment(&inv.id, inv.account, "pm_nw_mc", subtotal, inv.currency, "failed", issued_at + 3600)
                    .await?;
            }
        }
        self.exec(
            "UPDATE invoice_sequences SET next_number = $1 WHERE vendor_id = $2",
            vec![i(count + 1), s(VENDOR_ID)],
        )
        .await?;
        Ok(())
    }

    /// The credit ledger the story implies: a balance carried over from the previous billing
    /// system, the paid prepayments, and each day's usage charged the next morning. Northwind
    /// always stayed in credit; Globex's balance ran out yesterday.
    async fn credit_ledger(&mut self) -> Result<(), DemoError> {
        let start = months_before(self.today, 3).midnight().assume_utc().unix_timestamp();
        for (account, currency) in [(NORTHWIND, Currency::Usd), (GLOBEX, Currency::Eur)] {
            let mut events: Vec<LedgerEvent> = Vec::new();
            for (_, invoice, number, amount, at) in self.prepayments.iter().filter(|p| p.0 == account) {
                events.push((
                    *at,
                    EntryKind::Prepayment,
                    *amount,
                    format!("Top-up, invoice {number}"),
                    Some(invoice.clone()),
                    None,
                ));
            }
            for (_, day, cost, messages) in self.usage_days.iter().filter(|u| u.0 == account) {
                let at = (*day + Duration::days(1)).midnight().assume_utc().unix_timestamp() + 1800;
                let label = crate::domain::billing_items::format_date(*day);
                events.push((
                    at,
                    EntryKind::Usage,
                    -cost,
                    format!("Messages sent on {label}: {messages}"),
                    None,
                    Some(*day),
                ));
            }
            events.sort_by_key(|e| e.0);
            let opening = if account == NORTHWIND {
                // Enough that the balance never fell below $500, in whole hundreds.
                let mut running = 0i64;
                let lowest = events
                    .iter()
                    .map(|e| {
                        running += e.2;
                        running
                    })
                    .min()
                    .unwrap_or(0);
                ((50_000 - lowest).max(50_000) + 9_999) / 10_000 * 10_000
            } else {
                // Enough for all but half of the last day's usage.
                let total: i64 = events.iter().map(|e| -e.2).sum();
                let last = events.last().map(|e| -e.2).unwrap_or(0);
                total - last / 2
            };
            events.insert(
                0,
                (
                    start,
                    EntryKind::Adjustment,
                    opening,
                    "Balance carried over from your previous billing system".into(),
                    None,
                    None,
                ),
            );
            for (at, kind, amount, description, invoice, usage_day) in &events {
                let mut entry = NewEntry::new(account, Money::new(*amount, currency), *kind, description);
                entry.invoice_id = invoice.as_deref();
                let appended = append(self.tx, *at, entry).await.map_err(|e| DemoError::Ledger(e.to_string()))?;
                if let Some(day) = usage_day {
                    let sql = "UPDATE usage_records SET ledger_entry_id = $1 WHERE account_id = $2 AND usage_date = $3";
                    self.exec(sql, vec![s(&appended.id), s(account), s(&iso_date(*day))]).await?;
                }
            }
        }
        // Northwind asked to hear when its balance falls to $250.
        self.exec(
            "INSERT INTO credit_settings (account_id, alert_threshold, updated_at) VALUES ($1, 25000, $2)",
            vec![s(NORTHWIND), i(self.now)],
        )
        .await?;
        Ok(())
    }

    /// Each statement says what the ledger and invoices say about its month, by the same rule
    /// the billing cycle issues them with.
    async fn reconciliation_statements(&mut self) -> Result<(), DemoError> {
        for (account, invoice_id, month) in std::mem::take(&mut self.statements) {
            let currency = if account == GLOBEX { Currency::Eur } else { Currency::Usd };
            let ledger_error = |e: crate::wire::error::AppError| DemoError::Ledger(e.to_string());
            let facts = load::facts(self.tx, &[account.to_string()], month).await.map_err(ledger_error)?;
            let Some(facts) = facts.get(account) else { continue };
            let composed =
                plan::compose_statement(&facts.ledger, &facts.memo_invoices, currency, month).map_err(ledger_error)?;
            let (lines, memo) = composed.unwrap_or_default();
            insert_lines(self.tx, &InvoiceId::from(invoice_id.to_string()), &lines, currency)
                .await
                .map_err(|e| DemoError::Ledger(e.to_string()))?;
            self.exec("UPDATE invoices SET memo = $1 WHERE id = $2", vec![s(&memo), s(&invoice_id)]).await?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn payment(
        &mut self,
        invoice: &str,
        account: &str,
        pm: &str,
        amount: i64,
        currency: &str,
        status: &str,
        at: i64,
    ) -> Result<(), sqlx::Error> {
        let id = new_id("pay");
        let (kind, label) = match pm {
            "pm_nw_visa" => ("card", "Visa •••• 4242"),
            "pm_nw_mc" => ("card", "Mastercard •••• 5556"),
            "pm_nw_ach" => ("ach", "ACH •••• 6789 (Chase)"),
            _ => ("card", "Mastercard •••• 3222"),
        };
        let failed = status == "failed";
        // Card payments carry the 4 % surcharge; ACH is free above its minimum.
        let fee = if kind == "card" { (amount * 4 + 50) / 100 } else { 0 };
        self.exec(
            "INSERT INTO payments (id, account_id, payment_method_id, method_kind, method_label, amount, fee, currency, status,
                                   idempotency_key, processor_charge_id, failure_code, failure_message, created_at, settled_at)
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)",
            vec![
                s(&id), s(account), s(pm), s(kind), s(label), i(amount), i(fee), s(currency), s(status), s(&new_id("idem")),
                os((!failed).then(|| format!("sandbox_ch_{id}")).as_deref()),
                os(failed.then_some("card_declined")), os(failed.then_some("Your card was declined.")), i(at), oi((!failed).then_some(at)),
            ],
        )
        .await?;
        self.exec(
            "INSERT INTO payment_allocations (payment_id, invoice_id, amount, fee) VALUES ($1,$2,$3,$4)",
            vec![s(&id), s(invoice), i(amount), i(fee)],
        )
        .await?;
        Ok(())
    }

    async fn estimates(&mut self) -> Result<(), DemoError> {
        let today = self.today;
        type EstimateRow<'a> = (&'a str, &'a str, &'a str, &'a str, Date, i64, Vec<(&'a str, i64, i64)>);
        let estimates: [EstimateRow; 5] = [
            (
                "est_nw_onboarding",
                NORTHWIND,
                "estimate",
                "Onboarding 20 new phone numbers",
                today + Duration::days(20),
                -3,
                vec![("Number porting and verification", 20, 2_500), ("Template review and approval", 1, 35_000)],
            ),
            (
                "est_nw_annual",
                NORTHWIND,
                "proposal",
                "Annual partner plan with priority support",
                today + Duration::days(10),
                -5,
                vec![
                    ("Partner plan, 12 months (2 months free)", 10, 49_900),
                    ("Priority support, 12 months", 12, 9_900),
                ],
            ),
            (
                "est_nw_lapsed",
                NORTHWIND,
                "estimate",
                "Chatbot flow design workshop",
                today - Duration::days(3),
                -33,
                vec![("Workshop, half day", 1, 120_000)],
            ),
            (
                "est_gx_expansion",
                GLOBEX,
                "proposal",
                "Expansion to Austria and Switzerland",
                today + Duration::days(25),
                -2,
                vec![
                    ("Regional number licenses, setup", 6, 5_000),
                    ("Localised template pack (DE-AT, DE-CH)", 1, 80_000),
                ],
            ),
            (
                "est_gx_chatbot",
                GLOBEX,
                "proposal",
                "Customer-service chatbot build",
                today + Duration::days(9),
                -12,
                vec![("Chatbot design and build", 1, 240_000)],
            ),
        ];
        for (id, account, kind, title, valid_until, issued_offset, lines) in estimates {
            self.estimate_no += 1;
            let prefix = if kind == "proposal" { "PRO" } else { "EST" };
            let input = NewEstimate {
                id: Some(id.into()),
                kind: kind.into(),
                title: title.into(),
                lines: lines
                    .iter()
                    .map(|(description, quantity, unit)| NewLine {
                        description: (*description).into(),
                        quantity: *quantity,
                        unit_amount: *unit,
                    })
                    .collect(),
                tax_lines: Vec::new(),
                valid_until,
                terms: Some(
                    "Prices exclude applicable taxes. Approval creates an invoice due in 14 days. Work starts within 5 business days of payment."
                        .into(),
                ),
                number: Some(format!("{prefix}-{:04}", self.estimate_no)),
                issue_date: Some(today + Duration::days(issued_offset)),
            };
            let account = AccountId::new(account);
            create_estimate_in(&mut *self.tx, self.now, today, &demo_actor(), &account, input).await?;
        }
        // One decision already made, so the agency's list of decisions has a story to tell.
        self.exec(
            "UPDATE estimates SET status = 'declined', decided_at = $1, decided_by = 'usr_greta',
                                  decline_reason = 'We are building the chatbot in-house this quarter.'
             WHERE id = 'est_gx_chatbot'",
            vec![i(self.now - 4 * 86_400)],
        )
        .await?;
        Ok(())
    }
}

#[derive(Clone)]
enum Arg {
    S(String),
    OS(Option<String>),
    I(i64),
    OI(Option<i64>),
}

/// The plan a demo invoice line bills, so the service status can tell partner-plan invoices.
fn plan_of_line(description: &str, currency: &str) -> Option<&'static str> {
    match (description.starts_with("Partner plan"), description.starts_with("Phone number licenses"), currency) {
        (true, _, "USD") => Some("plan_partner_usd"),
        (true, _, _) => Some("plan_partner_eur"),
        (_, true, "USD") => Some("plan_license_usd"),
        (_, true, _) => Some("plan_license_eur"),
        _ => None,
    }
}

fn s(v: &str) -> Arg {
    Arg::S(v.to_string())
}
fn os(v: Option<&str>) -> Arg {
    Arg::OS(v.map(str::to_string))
}
fn i(v: i64) -> Arg {
    Arg::I(v)
}
fn oi(v: Option<i64>) -> Arg {
    Arg::OI(v)
}
