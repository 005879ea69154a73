//! Usage reports and their CSV export: figures checked against sums of `usage_records`
//! computed here in SQL, never against demo constants (the demo's usage moves with the day it
//! is loaded, and other records may arrive through the API).

use axum::http::{StatusCode, header};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::str::FromStr;

use crate::support::{TestApp, TestResponse};
use portico::domain::currency::Currency;
use portico::domain::money::{CurrencyTotals, Money};
use portico::domain::usage::{UsageCategory, UsageMonth, format_count};
use portico::server::infra::clock::today;
use portico::wire::usage::{UsageFilters, UsageReport};

const NORTHWIND: &str = "acc_northwind";

fn this_month(app: &TestApp) -> UsageMonth {
    UsageMonth::of(today(app.clock.as_ref()))
}

async fn report(app: &TestApp, session: &str, month: &str, number: &str) -> UsageReport {
    let res = app.call("usage", &[("month", month), ("number", number)], Some(session)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.json()
}

fn range(month: UsageMonth) -> (String, String) {
    (month.first_day().to_string(), month.last_day().to_string())
}

/// Messages and cost per currency of the account's records in `month`, optionally of one
/// number, straight from the table.
async fn sums(app: &TestApp, account: &str, month: UsageMonth, number: Option<&str>) -> (i64, Vec<Money>) {
    let (from, until) = range(month);
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT currency, CAST(SUM(message_count) AS BIGINT), CAST(SUM(cost) AS BIGINT) FROM usage_records
         WHERE account_id = $1 AND usage_date >= $2 AND usage_date <= $3 AND ($4 = '' OR phone_number_id = $4)
         GROUP BY currency ORDER BY currency",
    )
    .bind(account)
    .bind(from)
    .bind(until)
    .bind(number.unwrap_or(""))
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    let messages = rows.iter().map(|r| r.1).sum();
    (messages, rows.into_iter().map(|(c, _, cost)| Money::new(cost, c.parse::<Currency>().unwrap())).collect())
}

fn sorted(totals: &CurrencyTotals) -> Vec<Money> {
    let mut all: Vec<Money> = totals.0.iter().copied().filter(|m| !m.is_zero()).collect();
    all.sort_by_key(|m| m.currency.code());
    all
}

#[tokio::test]
async fn the_months_totals_are_the_sums_of_its_usage_records_on_the_page_too() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    // The demo's usage runs to yesterday: on a 1st, the month has none yet.
    let mut latest = this_month(&app);
    if today(app.clock.as_ref()).day() == 1 {
        latest = latest.previous();
    }
    for month in [latest, latest.previous(), latest.previous().previous()] {
        let (messages, costs) = sums(&app, NORTHWIND, month, None).await;
        assert!(messages > 0, "the demo has usage in {month}");
        let r = report(&app, &owner, &month.to_string(), "").await;
        assert_eq!(r.month, month);
        assert_eq!(r.total.total.messages, messages, "{month}");
        assert_eq!(sorted(&r.total.total.cost), costs, "{month}");
        // With no number chosen, the days are the whole month too.
        assert_eq!(r.days_total, r.total);
        assert_eq!(r.days.iter().map(|d| d.usage.total.messages).sum::<i64>(), messages);

        let page = app.get(&format!("/usage?month={month}"), Some(&owner)).await;
        assert_eq!(page.status, StatusCode::OK);
        let grand_total = &page.body[page.body.find("All sub-accounts").expect("a grand total row")..];
        let grand_total = &grand_total[..grand_total.find("</tr>").unwrap()];
        assert!(grand_total.contains(&format!(">{}<", format_count(messages))), "{grand_total}");
        for cost in &costs {
            assert!(grand_total.contains(&cost.format()), "{grand_total}");
        }
        assert!(page.body.contains(&format!("<option value=\"{month}\" selected")), "the picker shows {month}");
    }
}

#[tokio::test]
async fn sub_accounts_and_categories_split_the_month_as_the_records_do() {
    let app = TestApp::with_demo().await;
    let owner = app.login("billing@northwind.test").await;
    let month = this_month(&app).previous();
    let (from, until) = range(month);
    let rows: Vec<(String, String, String, i64, i64)> = sqlx::query_as(
        "SELECT p.sub_account, u.category, u.currency, CAST(SUM(u.message_count) AS BIGINT), CAST(SUM(u.cost) AS BIGINT)
         FROM usage_records u JOIN phone_numbers p ON p.id = u.phone_number_id
         WHERE u.account_id = $1 AND u.usage_date >= $2 AND u.usage_date <= $3
         GROUP BY p.sub_account, u.category, u.currency",
    )
    .bind(NORTHWIND)
    .bind(&from)
    .bind(&until)
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    let mut expected: BTreeMap<(String, &str), (i64, CurrencyTotals)> = BTreeMap::new();
    for (sub, category, currency, messages, cost) in rows {
        let entry = expected.entry((sub, UsageCategory::parse(&category).unwrap().as_str())).or_default();
        entry.0 += messages;
        entry.1.add(Money::new(cost, currency.parse().unwrap())).unwrap();
    }
    let r = report(&app, &owner, &month.to_string(), "").await;
    let subs: Vec<&str> = r.sub_accounts.iter().map(|s| s.name.as_str()).collect();
    let mut expected_subs: Vec<&str> = expected.keys().map(|(s, _)| s.as_str()).collect();
    expected_subs.dedup();
    assert_eq!(subs, expected_subs);
    assert!(subs.len() > 1, "the demo bills several sub-accounts");
    for sub in &r.sub_accounts {
        let mut messages = 0;
        for category in UsageCategory::ALL {
            let (count, cost) = expected.get(&(sub.name.clone(), category.as_str())).cloned().unwrap_or_default();
            let tally = sub.usage.get(*category);
            assert_eq!(tally.messages, count, "{} {category:?}", sub.name);
            assert_eq!(sorted(&tally.cost), sorted(&cost), "{} {category:?}", sub.name);
            messages += count;
        }
        assert_eq!(sub.usage.total.messages, messages, "{}", sub.name);
    }
    // Every table adds up to the same month.
    for category in UsageCategory::ALL {
        let of_subs: i64 = r.sub_accounts.iter().map(|s| s.usage.get(*category).messages).sum();
        let of_numbers: i64 = r.numbers.iter().map(|n| n.usage.get(*category).messages).sum();
        let of_days: i64 = r.days.iter().map(|d| d.usage.get(*category).messages).sum();
        assert_eq!(
            (of_subs, of_numbers, of_days),
            (r.total.get(*category).messages, r.total.get(*category).messages, r.total.get(*category).messages)
        );
        assert!(r.total.get(*category).messages > 0, "{category:?}");
    }
}

#[tokio::test]
async fn one_number_narrows_the_days_and_nothing_else() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let month = this_month(&app).previous();
    let all = report(&app, &owner, &month.to_string(), "").await;
    let chosen = &all.numbers.last().expect("numbers with usage").number;
    let one = report(&app, &owner, &month.to_string(), &chosen.id).await;
    assert_eq!(one.number.as_ref(), Some(chosen));
    assert_eq!((&one.total, &one.sub_accounts, &one.numbers), (&all.total, &all.sub_accounts, &all.numbers));
    let (messages, costs) = sums(&app, NORTHWIND, month, Some(&chosen.id)).await;
    assert_eq!(one.days_total.total.messages, messages);
    assert_eq!(sorted(&one.days_total.total.cost), costs);
    assert_eq!(all.numbers.last().unwrap().usage, one.days_total);
    assert!(one.days_total.total.messages < all.total.total.messages);
}

#[tokio::test]
async fn the_default_month_is_the_servers_and_the_picker_offers_months_with_usage() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let filters: UsageFilters = app.call("usage/filters", &[], Some(&owner)).await.json();
    assert_eq!(filters.current, this_month(&app));
    let stored: Vec<String> = sqlx::query_scalar("SELECT DISTINCT usage_date FROM usage_records WHERE account_id = $1")
        .bind(NORTHWIND)
        .fetch_all(app.state.db.pool())
        .await
        .unwrap();
    let mut expected: Vec<UsageMonth> =
        stored.iter().map(|d| UsageMonth::parse(&d[..7]).unwrap()).chain([filters.current]).collect();
    expected.sort_by(|a, b| b.cmp(a));
    expected.dedup();
    assert_eq!(filters.months, expected);
    let numbers: Vec<String> = sqlx::query_scalar("SELECT id FROM phone_numbers WHERE account_id = $1 ORDER BY id")
        .bind(NORTHWIND)
        .fetch_all(app.state.db.pool())
        .await
        .unwrap();
    let mut offered: Vec<String> = filters.numbers.iter().map(|n| n.id.clone()).collect();
    offered.sort();
    assert_eq!(offered, numbers);
    assert_eq!(report(&app, &owner, "", "").await.month, filters.current);

    // A new month by the server's clock is the new default, and offered before it has usage.
    app.clock.advance(time::Duration::days(45));
    let owner = app.login("owner@northwind.test").await;
    let later = this_month(&app);
    assert_ne!(later, filters.current);
    let r = report(&app, &owner, "", "").await;
    assert_eq!(r.month, later);
    assert!(r.sub_accounts.is_empty() && r.days.is_empty() && r.total.total.messages == 0);
    let filters: UsageFilters = app.call("usage/filters", &[], Some(&owner)).await.json();
    assert_eq!(filters.months.first(), Some(&later));
}

#[tokio::test]
async fn a_month_without_usage_says_so() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let first: String =
        sqlx::query_scalar("SELECT MIN(usage_date) FROM usage_records").fetch_one(app.state.db.pool()).await.unwrap();
    let before = UsageMonth::parse(&first[..7]).unwrap().previous();
    let r = report(&app, &owner, &before.to_string(), "").await;
    assert!(r.sub_accounts.is_empty() && r.numbers.is_empty() && r.days.is_empty());
    let page = app.get(&format!("/usage?month={before}"), Some(&owner)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!("No usage in {}", before.label())), "{}", page.body);
    assert!(!page.body.contains("Export CSV"));
    assert!(!page.body.contains("role=\"img\""), "no charts of nothing");
    // The calendar's first and last months are months like any other.
    for edge in ["0001-01", "9999-12"] {
        assert!(report(&app, &owner, edge, "").await.days.is_empty());
        assert_eq!(app.get(&format!("/usage.csv?month={edge}"), Some(&owner)).await.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn a_bad_month_is_a_field_error_in_the_function_the_page_and_the_csv() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    for bad in ["2026-13", "November", "2026-1", "2026-11-01", "0000-01", "<b>"] {
        let res = app.call("usage", &[("month", bad)], Some(&owner)).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {}", res.body);
        let message = res.app_error().field_message("month").unwrap_or_else(|| panic!("{bad}: {}", res.body));
        assert!(message.contains("YYYY-MM"), "{message}");
        let csv =
            app.get(&format!("/usage.csv?month={}", bad.replace('<', "%3C").replace('>', "%3E")), Some(&owner)).await;
        assert_eq!(csv.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(csv.body.contains("YYYY-MM"));
    }
    let page = app.get("/usage?month=2026-13", Some(&owner)).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("id=\"usage-month-error\""), "{}", page.body);
    assert!(page.body.contains("aria-invalid=\"true\""));
    assert!(page.body.contains("YYYY-MM"));
}

#[tokio::test]
async fn a_member_is_refused_usage_and_told_who_can_help() {
    let app = TestApp::with_demo().await;
    let member = app.login("member@northwind.test").await;
    for endpoint in ["usage", "usage/filters"] {
        let res = app.call(endpoint, &[], Some(&member)).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{endpoint}");
    }
    assert_eq!(app.get("/usage.csv", Some(&member)).await.status, StatusCode::FORBIDDEN);
    let page = app.get("/usage", Some(&member)).await;
    assert!(page.body.contains("have access to billing"), "{}", page.body);
    assert!(!page.body.contains("All sub-accounts"));
    assert!(app.get("/usage.csv", None).await.status.is_redirection());
}

async fn globex_number(app: &TestApp) -> String {
    sqlx::query_scalar("SELECT id FROM phone_numbers WHERE account_id = 'acc_globex' ORDER BY id LIMIT 1")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn another_accounts_number_answers_like_a_missing_one_and_its_usage_never_shows() {
    let app = TestApp::with_demo().await;
    // Nora also administers Globex: the number is one her login may see, but not in Northwind.
    let owner = app.login("owner@northwind.test").await;
    let globex = globex_number(&app).await;
    let month = this_month(&app).previous().to_string();
    let theirs = app.call("usage", &[("month", &month), ("number", &globex)], Some(&owner)).await;
    let missing = app.call("usage", &[("month", &month), ("number", "num_missing")], Some(&owner)).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert_eq!((theirs.status, &theirs.body), (missing.status, &missing.body));
    let theirs = app.get(&format!("/usage.csv?month={month}&number={globex}"), Some(&owner)).await;
    let missing = app.get(&format!("/usage.csv?month={month}&number=num_missing"), Some(&owner)).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert_eq!((theirs.status, &theirs.body), (missing.status, &missing.body));
    let page = app.get(&format!("/usage?month={month}&number={globex}"), Some(&owner)).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);

    let own: Vec<String> = sqlx::query_scalar("SELECT id FROM phone_numbers WHERE account_id = $1")
        .bind(NORTHWIND)
        .fetch_all(app.state.db.pool())
        .await
        .unwrap();
    let r = report(&app, &owner, &month, "").await;
    assert!(r.numbers.iter().all(|n| own.contains(&n.number.id)));
    let filters: UsageFilters = app.call("usage/filters", &[], Some(&owner)).await.json();
    assert!(filters.numbers.iter().all(|n| own.contains(&n.id)));
    let page = app.get(&format!("/usage?month={month}"), Some(&owner)).await;
    assert!(!page.body.contains("Globex") && !page.body.contains(&globex));
    let csv = app.get(&format!("/usage.csv?month={month}"), Some(&owner)).await;
    assert!(!csv.body.contains("Globex") && !csv.body.contains('€') && !csv.body.contains(",EUR"));

    // Globex's own people see Globex's usage, in its currency.
    let greta = app.login("owner@globex.test").await;
    let month = this_month(&app).previous();
    let r = report(&app, &greta, &month.to_string(), "").await;
    let (messages, costs) = sums(&app, "acc_globex", month, None).await;
    assert_eq!((r.total.total.messages, sorted(&r.total.total.cost)), (messages, costs));
    assert_eq!(r.currency, Currency::Eur);
}

/// The CSV's records, each a map from column name to value (RFC 4180 quoting).
fn csv_records(res: &TestResponse) -> Vec<BTreeMap<String, String>> {
    let mut lines = Vec::new();
    let (mut field, mut fields, mut quoted, mut chars) =
        (String::new(), Vec::new(), false, res.body.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            ('\r', false) => {}
            ('\n', false) => {
                fields.push(std::mem::take(&mut field));
                lines.push(std::mem::take(&mut fields));
            }
            (c, _) => field.push(c),
        }
    }
    assert!(field.is_empty() && fields.is_empty(), "the file ends with a line end");
    let header = lines.remove(0);
    assert_eq!(header, ["date", "phone_number", "sub_account", "category", "messages", "cost", "currency"]);
    lines.into_iter().map(|l| header.iter().cloned().zip(l).collect()).collect()
}

fn decimal_costs(totals: &CurrencyTotals) -> BTreeMap<String, Decimal> {
    totals.0.iter().map(|m| (m.currency.code().to_string(), m.as_decimal())).collect()
}

#[tokio::test]
async fn the_csv_has_the_daily_rows_the_function_reports() {
    let app = TestApp::with_demo().await;
    let owner = app.login("owner@northwind.test").await;
    let month = this_month(&app).previous();
    for number in [None, Some(1)] {
        let all = report(&app, &owner, &month.to_string(), "").await;
        let number = number.map(|i| all.numbers[i].number.clone());
        let id = number.as_ref().map_or("", |n| n.id.as_str());
        let r = report(&app, &owner, &month.to_string(), id).await;
        let path = match &number {
            None => format!("/usage.csv?month={month}"),
            Some(n) => format!("/usage.csv?month={month}&number={}", n.id),
        };
        let res = app.get(&path, Some(&owner)).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        assert_eq!(res.headers.get(header::CONTENT_TYPE).unwrap(), "text/csv; charset=utf-8");
        let disposition = res.headers.get(header::CONTENT_DISPOSITION).unwrap().to_str().unwrap();
        assert!(
            disposition.starts_with("attachment;") && disposition.contains(&format!("usage-{month}")),
            "{disposition}"
        );
        let records = csv_records(&res);

        let mut per_day: BTreeMap<(String, &str), i64> = BTreeMap::new();
        let mut per_number: BTreeMap<String, i64> = BTreeMap::new();
        let mut costs: BTreeMap<String, Decimal> = BTreeMap::new();
        for rec in &records {
            let messages: i64 = rec["messages"].parse().unwrap();
            let category = UsageCategory::ALL.iter().copied().find(|c| c.label() == rec["category"]).unwrap();
            *per_day.entry((rec["date"].clone(), category.as_str())).or_default() += messages;
            // Text cells starting with "+" are prefixed so that spreadsheets do not run them.
            let phone = rec["phone_number"].strip_prefix('\'').unwrap_or(&rec["phone_number"]).to_string();
            let listed = all
                .numbers
                .iter()
                .find(|n| n.number.number == phone)
                .unwrap_or_else(|| panic!("{phone} is not in the report"));
            assert_eq!(listed.number.sub_account, rec["sub_account"]);
            if let Some(n) = &number {
                assert_eq!(&phone, &n.number);
            }
            *per_number.entry(phone).or_default() += messages;
            *costs.entry(rec["currency"].clone()).or_default() += Decimal::from_str(&rec["cost"]).unwrap();
        }
        let mut expected_days: BTreeMap<(String, &str), i64> = BTreeMap::new();
        for day in &r.days {
            for category in UsageCategory::ALL {
                let count = day.usage.get(*category).messages;
                if count > 0 {
                    expected_days.insert((day.date.to_string(), category.as_str()), count);
                }
            }
        }
        per_day.retain(|_, count| *count > 0);
        assert_eq!(per_day, expected_days);
        assert_eq!(costs, decimal_costs(&r.days_total.total.cost));
        if number.is_none() {
            let expected: BTreeMap<String, i64> =
                all.numbers.iter().map(|n| (n.number.number.clone(), n.usage.total.messages)).collect();
            assert_eq!(per_number, expected);
        }
    }
}

#[tokio::test]
async fn agency_staff_viewing_as_the_client_see_its_usage_and_export_it() {
    let app = TestApp::with_demo().await;
    let alex = app.login("staff@acme.test").await;
    assert_eq!(
        app.call("usage", &[], Some(&alex)).await.status,
        StatusCode::FORBIDDEN,
        "no client account in the console"
    );
    let viewing =
        app.call("staff/view-as-client", &[("account_id", NORTHWIND)], Some(&alex)).await.session_cookie().unwrap();
    let month = this_month(&app).previous();
    let r = report(&app, &viewing, &month.to_string(), "").await;
    assert_eq!(r.total.total.messages, sums(&app, NORTHWIND, month, None).await.0);
    let page = app.get(&format!("/usage?month={month}"), Some(&viewing)).await;
    assert!(page.body.contains("All sub-accounts"), "{}", page.body);
    let csv = app.get(&format!("/usage.csv?month={month}"), Some(&viewing)).await;
    assert_eq!(csv.status, StatusCode::OK);
}
