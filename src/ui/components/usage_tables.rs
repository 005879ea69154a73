//! The usage tables: the figures behind the charts, one row per sub-account, phone number or
//! day, and a total row that is the sum of the rows above it.

use leptos::prelude::*;

use crate::domain::billing_items::format_date;
use crate::domain::currency::Currency;
use crate::domain::money::Money;
use crate::domain::usage::{CategoryTallies, Tally, UsageCategory, UsageMonth, format_count};
use crate::ui::components::money::totals_text;
use crate::wire::usage::{DayUsage, NumberUsage, SubAccountUsage};

/// A cost that may span currencies ("$12.00 + €3.00"); nothing is a zero in `currency`.
fn cost_text(tally: &Tally, currency: Currency) -> String {
    totals_text(&tally.cost, &Money::zero(currency).format())
}

/// Messages and cost for each category and in total.
#[component]
fn TalliesCells(usage: CategoryTallies, currency: Currency) -> impl IntoView {
    let categories = UsageCategory::ALL
        .iter()
        .map(|c| {
            let tally = usage.get(*c);
            view! {
                <td class="num" data-label=format!("{} messages", c.label())>{format_count(tally.messages)}</td>
                <td class="num" data-label=format!("{} cost", c.label())>{cost_text(tally, currency)}</td>
            }
        })
        .collect_view();
    view! {
        {categories}
        <td class="num" data-label="Total messages">{format_count(usage.total.messages)}</td>
        <td class="num" data-label="Total cost">{cost_text(&usage.total, currency)}</td>
    }
}

/// Seed 003's "usage summary by WABA": each sub-account's messages and cost per category.
#[component]
pub fn SubAccountTable(
    month: UsageMonth,
    rows: Vec<SubAccountUsage>,
    total: CategoryTallies,
    currency: Currency,
) -> impl IntoView {
    let groups: Vec<&'static str> = UsageCategory::ALL.iter().map(|c| c.label()).chain(["Total"]).collect();
    view! {
        <div class="table-wrap">
            <table class="data usage-table">
                <caption class="visually-hidden">{format!("Messages and cost by sub-account and category, {}", month.label())}</caption>
                <colgroup span="1"></colgroup>
                {groups.iter().map(|_| view! { <colgroup span="2"></colgroup> }).collect_view()}
                <thead>
                    <tr>
                        <th scope="col" rowspan="2">"Sub-account"</th>
                        {groups.iter().map(|g| view! { <th scope="colgroup" colspan="2" class="num group-head">{*g}</th> }).collect_view()}
                    </tr>
                    <tr>
                        {groups.iter().map(|_| view! {
                            <th scope="col" class="num">"Messages"</th>
                            <th scope="col" class="num">"Cost"</th>
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|row| view! {
                        <tr>
                            <th scope="row" data-label="Sub-account">{row.name}</th>
                            <TalliesCells usage=row.usage currency/>
                        </tr>
                    }).collect_view()}
                </tbody>
                <tfoot>
                    <tr class="usage-total">
                        <th scope="row">"All sub-accounts"</th>
                        <TalliesCells usage=total currency/>
                    </tr>
                </tfoot>
            </table>
        </div>
    }
}

/// Message counts per category and in total, then the cost of them all.
#[component]
fn CountCells(usage: CategoryTallies, currency: Currency) -> impl IntoView {
    view! {
        {UsageCategory::ALL.iter().map(|c| view! {
            <td class="num" data-label=c.label()>{format_count(usage.get(*c).messages)}</td>
        }).collect_view()}
        <td class="num" data-label="Total">{format_count(usage.total.messages)}</td>
        <td class="num" data-label="Cost">{cost_text(&usage.total, currency)}</td>
    }
}

#[component]
fn CountHeads() -> impl IntoView {
    view! {
        {UsageCategory::ALL.iter().map(|c| view! { <th scope="col" class="num">{c.label()}</th> }).collect_view()}
        <th scope="col" class="num">"Total"</th>
        <th scope="col" class="num">"Cost"</th>
    }
}

/// Each number's month; the number leads to its daily messages.
#[component]
pub fn NumberTable(
    month: UsageMonth,
    rows: Vec<NumberUsage>,
    total: CategoryTallies,
    currency: Currency,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data usage-table">
                <caption class="visually-hidden">{format!("Messages and cost by phone number, {}", month.label())}</caption>
                <thead><tr>
                    <th scope="col">"Phone number"</th>
                    <th scope="col">"Sub-account"</th>
                    <CountHeads/>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|row| {
                        let href = format!("/usage?month={month}&number={}#usage-daily-heading", query_value(&row.number.id));
                        view! {
                            <tr>
                                <th scope="row" data-label="Phone number">
                                    <a href=href aria-label=format!("{}: daily messages", row.number.number)>{row.number.number.clone()}</a>
                                </th>
                                <td data-label="Sub-account">{row.number.sub_account}</td>
                                <CountCells usage=row.usage currency/>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
                <tfoot>
                    <tr class="usage-total">
                        <th scope="row">"All numbers"</th>
                        <td></td>
                        <CountCells usage=total currency/>
                    </tr>
                </tfoot>
            </table>
        </div>
    }
}

/// Seed 003's "daily message counts per number", for the numbers the page is narrowed to.
#[component]
pub fn DailyTable(
    #[prop(into)] caption: String,
    days: Vec<DayUsage>,
    total: CategoryTallies,
    currency: Currency,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data usage-table">
                <caption class="visually-hidden">{caption}</caption>
                <thead><tr>
                    <th scope="col">"Date"</th>
                    <CountHeads/>
                </tr></thead>
                <tbody>
                    {days.into_iter().map(|day| view! {
                        <tr>
                            <th scope="row" data-label="Date">{format_date(day.date)}</th>
                            <CountCells usage=day.usage currency/>
                        </tr>
                    }).collect_view()}
                </tbody>
                <tfoot>
                    <tr class="usage-total">
                        <th scope="row">"Total"</th>
                        <CountCells usage=total currency/>
                    </tr>
                </tfoot>
            </table>
        </div>
    }
}

/// A value for a query string: ids are plain, but nothing else may break the address.
pub fn query_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
