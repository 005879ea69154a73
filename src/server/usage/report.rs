//! Usage reports: a month of `usage_records`, summed in SQL per phone number and category
//! (the monthly tables), per day and category (the daily table and chart) and per day, number
//! and category (the CSV export). Every query is scoped to the account in its SQL, and a
//! phone number is only ever looked up among the account's own.

use crate::domain::ids::AccountId;
use sqlx::FromRow;

use crate::domain::billing_items::iso_date;
use crate::domain::money::{Money, MoneyError};
use crate::domain::usage::{CategoryTallies, UsageCategory, UsageMonth};
use crate::server::infra::auth::sessions::SessionAccount;
use crate::server::infra::clock::today;
use crate::server::infra::db::decode;
use crate::server::infra::state::AppState;
use crate::server::invoices::pdf::text_field;
use crate::wire::error::AppError;
use crate::wire::usage::{DayUsage, NumberUsage, PhoneNumber, SubAccountUsage, UsageFilters, UsageReport};

/// A report request whose month parsed and whose number belongs to the account.
#[derive(Debug, Clone)]
pub struct Selection {
    pub month: UsageMonth,
    pub number: Option<PhoneNumber>,
}

impl Selection {
    fn number_id(&self) -> &str {
        self.number.as_ref().map_or("", |n| n.id.as_str())
    }
}

/// The month's records of the account's numbers, narrowed to one number unless `$4` is empty.
/// Dates are `YYYY-MM-DD` text, which sorts like the calendar.
const IN_MONTH: &str = "FROM usage_records u
     JOIN phone_numbers p ON p.id = u.phone_number_id AND p.account_id = u.account_id
     WHERE u.account_id = $1 AND u.usage_date >= $2 AND u.usage_date <= $3 AND ($4 = '' OR p.id = $4)";

/// PostgreSQL sums BIGINT as NUMERIC; the cast keeps both databases answering BIGINT.
const SUMS: &str = "CAST(SUM(u.message_count) AS BIGINT) AS messages, CAST(SUM(u.cost) AS BIGINT) AS cost";

/// The categories in the order reports list them.
const CATEGORY_ORDER: &str = "CASE u.category WHEN 'marketing' THEN 0 WHEN 'utility' THEN 1 ELSE 2 END";

fn month_range(month: UsageMonth) -> (String, String) {
    (iso_date(month.first_day()), iso_date(month.last_day()))
}

fn overflow(error: MoneyError) -> AppError {
    AppError::internal("usage totals", error)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn filters(state: &AppState, account_id: &AccountId) -> Result<UsageFilters, AppError> {
    let current = UsageMonth::of(today(state.clock.as_ref()));
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT SUBSTR(usage_date, 1, 7) AS ym FROM usage_records WHERE account_id = $1")
            .bind(account_id)
            .fetch_all(state.db.pool())
            .await?;
    let mut months = stored
        .iter()
        .map(|m| UsageMonth::parse(m).ok_or_else(|| AppError::internal("stored usage month", m)))
        .collect::<Result<Vec<_>, _>>()?;
    months.push(current);
    months.sort_by(|a, b| b.cmp(a));
    months.dedup();
    Ok(UsageFilters { current, months, numbers: phone_numbers(state, account_id, "").await? })
}

/// The account's numbers, or only the one with id `only` when it is not empty.
async fn phone_numbers(state: &AppState, account_id: &AccountId, only: &str) -> Result<Vec<PhoneNumber>, AppError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT id, number, sub_account FROM phone_numbers
         WHERE account_id = $1 AND ($2 = '' OR id = $2) ORDER BY sub_account, number, id",
    )
    .bind(account_id)
    .bind(only)
    .fetch_all(state.db.pool())
    .await?;
    Ok(rows.into_iter().map(|(id, number, sub_account)| PhoneNumber { id, number, sub_account }).collect())
}

/// Checks what the address asked for. No month means the current one; a number that is not
/// the account's answers exactly like one that does not exist.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn select(
    state: &AppState,
    account_id: &AccountId,
    month: Option<&str>,
    number: Option<&str>,
) -> Result<Selection, AppError> {
    let current = UsageMonth::of(today(state.clock.as_ref()));
    let month = match month.map(str::trim).filter(|m| !m.is_empty()) {
        None => current,
        Some(text) => UsageMonth::parse(text).ok_or_else(|| {
            AppError::invalid(
                "month",
                format!("Choose a month from the list, written as YYYY-MM (for example {current})."),
            )
        })?,
    };
    let number = match number.map(str::trim).filter(|n| !n.is_empty()) {
        None => None,
        Some(id) => Some(phone_numbers(state, account_id, id).await?.pop().ok_or_else(AppError::not_found)?),
    };
    Ok(Selection { month, number })
}

#[derive(FromRow)]
struct NumberRow {
    id: String,
    number: String,
    sub_account: String,
    category: String,
    currency: String,
    messages: i64,
    cost: i64,
}

#[derive(FromRow)]
struct DayRow {
    usage_date: String,
    category: String,
    currency: String,
    messages: i64,
    cost: i64,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn report(state: &AppState, account: &SessionAccount, selection: Selection) -> Result<UsageReport, AppError> {
    let pool = state.db.pool();
    let (from, until) = month_range(selection.month);
    let by_number: Vec<NumberRow> = sqlx::query_as(&format!(
        "SELECT p.id, p.number, p.sub_account, u.category, u.currency, {SUMS} {IN_MONTH}
         GROUP BY p.id, p.number, p.sub_account, u.category, u.currency
         ORDER BY p.sub_account, p.number, p.id"
    ))
    .bind(&account.id)
    .bind(&from)
    .bind(&until)
    .bind("")
    .fetch_all(pool)
    .await?;
    let by_day: Vec<DayRow> = sqlx::query_as(&format!(
        "SELECT u.usage_date, u.category, u.currency, {SUMS} {IN_MONTH}
         GROUP BY u.usage_date, u.category, u.currency ORDER BY u.usage_date"
    ))
    .bind(&account.id)
    .bind(&from)
    .bind(&until)
    .bind(selection.number_id())
    .fetch_all(pool)
    .await?;

    // Sub-accounts and the month roll up from the per-number sums (a few rows per number), so
    // the three monthly tables agree by construction.
    let mut numbers: Vec<NumberUsage> = Vec::new();
    let mut sub_accounts: Vec<SubAccountUsage> = Vec::new();
    let mut total = CategoryTallies::default();
    for row in by_number {
        let category = decode::enumerated(&row.category, UsageCategory::parse)?;
        let cost = decode::money(row.cost, &row.currency)?;
        if numbers.last().is_none_or(|n| n.number.id != row.id) {
            let number = PhoneNumber { id: row.id, number: row.number, sub_account: row.sub_account.clone() };
            numbers.push(NumberUsage { number, usage: CategoryTallies::default() });
        }
        if sub_accounts.last().is_none_or(|s| s.name != row.sub_account) {
            sub_accounts.push(SubAccountUsage { name: row.sub_account, usage: CategoryTallies::default() });
        }
        for tallies in
            [numbers.last_mut().map(|n| &mut n.usage), sub_accounts.last_mut().map(|s| &mut s.usage), Some(&mut total)]
                .into_iter()
                .flatten()
        {
            tallies.add(category, row.messages, cost).map_err(overflow)?;
        }
    }

    let mut days: Vec<DayUsage> = Vec::new();
    let mut days_total = CategoryTallies::default();
    for row in by_day {
        let date = decode::date(&row.usage_date)?;
        if days.last().is_none_or(|d| d.date != date) {
            days.push(DayUsage { date, usage: CategoryTallies::default() });
        }
        let category = decode::enumerated(&row.category, UsageCategory::parse)?;
        let cost = decode::money(row.cost, &row.currency)?;
        if let Some(day) = days.last_mut() {
            day.usage.add(category, row.messages, cost).map_err(overflow)?;
        }
        days_total.add(category, row.messages, cost).map_err(overflow)?;
    }

    Ok(UsageReport {
        month: selection.month,
        currency: decode::currency(&account.currency)?,
        sub_accounts,
        total,
        numbers,
        number: selection.number,
        days,
        days_total,
    })
}

/// One row of the CSV export: a day's messages of one number in one category.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageLine {
    pub date: String,
    pub number: String,
    pub sub_account: String,
    pub category: UsageCategory,
    pub messages: i64,
    pub cost: Money,
}

#[derive(FromRow)]
struct LineRow {
    usage_date: String,
    number: String,
    sub_account: String,
    category: String,
    currency: String,
    messages: i64,
    cost: i64,
}

/// The daily rows behind the report's days, one per number and category.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn lines(
    state: &AppState,
    account_id: &AccountId,
    selection: &Selection,
) -> Result<Vec<UsageLine>, AppError> {
    let (from, until) = month_range(selection.month);
    let rows: Vec<LineRow> = sqlx::query_as(&format!(
        "SELECT u.usage_date, p.number, p.sub_account, u.category, u.currency, {SUMS} {IN_MONTH}
         GROUP BY u.usage_date, p.id, p.number, p.sub_account, u.category, u.currency
         ORDER BY u.usage_date, p.sub_account, p.number, {CATEGORY_ORDER}, u.currency"
    ))
    .bind(account_id)
    .bind(&from)
    .bind(&until)
    .bind(selection.number_id())
    .fetch_all(state.db.pool())
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(UsageLine {
                category: decode::enumerated(&r.category, UsageCategory::parse)?,
                cost: decode::money(r.cost, &r.currency)?,
                date: r.usage_date,
                number: r.number,
                sub_account: r.sub_account,
                messages: r.messages,
            })
        })
        .collect()
}

/// `usage-2026-11.csv`, or `usage-2026-11-12065550101.csv` for one number.
pub fn csv_filename(selection: &Selection) -> String {
    match &selection.number {
        None => format!("usage-{}.csv", selection.month),
        Some(n) => format!(
            "usage-{}-{}.csv",
            selection.month,
            n.number.chars().filter(char::is_ascii_digit).collect::<String>()
        ),
    }
}

/// The rows as CSV in the statement export's conventions: ISO dates, plain decimal amounts
/// with the currency in its own column, text made safe for spreadsheets, CRLF line ends.
pub fn csv(lines: &[UsageLine]) -> String {
    let mut csv = String::from("date,phone_number,sub_account,category,messages,cost,currency\r\n");
    for line in lines {
        let fields = [
            text_field(&line.date),
            text_field(&line.number),
            text_field(&line.sub_account),
            text_field(line.category.label()),
            line.messages.to_string(),
            line.cost.as_decimal().to_string(),
            line.cost.currency.code().to_string(),
        ];
        csv.push_str(&fields.join(","));
        csv.push_str("\r\n");
    }
    csv
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::currency::Currency;

    #[test]
    fn usage_csv_has_one_quoted_safe_row_per_line_with_decimal_costs() {
        let line = |number: &str, sub: &str, category, messages, minor| UsageLine {
            date: "2026-11-03".into(),
            number: number.into(),
            sub_account: sub.into(),
            category,
            messages,
            cost: Money::new(minor, Currency::Usd),
        };
        let text = csv(&[
            line("+1 206 555 0101", "Northwind Retail", UsageCategory::Marketing, 120, 360),
            line("+1 206 555 0150", "Support, \"EU\"", UsageCategory::Authentication, 7, 7),
        ]);
        assert_eq!(
            text,
            "date,phone_number,sub_account,category,messages,cost,currency\r\n\
             2026-11-03,'+1 206 555 0101,Northwind Retail,Marketing,120,3.60,USD\r\n\
             2026-11-03,'+1 206 555 0150,\"Support, \"\"EU\"\"\",Authentication,7,0.07,USD\r\n"
        );
        assert_eq!(csv(&[]), "date,phone_number,sub_account,category,messages,cost,currency\r\n");
    }

    #[test]
    fn usage_csv_files_are_named_after_the_month_and_number() {
        let month = UsageMonth::parse("2026-11").unwrap();
        assert_eq!(csv_filename(&Selection { month, number: None }), "usage-2026-11.csv");
        let number = PhoneNumber { id: "num_1".into(), number: "+1 206 555 0101".into(), sub_account: "Retail".into() };
        assert_eq!(csv_filename(&Selection { month, number: Some(number) }), "usage-2026-11-12065550101.csv");
    }
}
