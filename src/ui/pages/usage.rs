//! Usage (seed 003): a month's messages and costs by sub-account and category, per phone
//! number, and per day with charts; the daily rows export as CSV. The month and number live in
//! the address, so a view can be bookmarked and the picker works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use super::no_access::NoBillingAccess;
use crate::api::usage::{get_usage_filters, get_usage_report};
use crate::domain::usage::UsageMonth;
use crate::ui::components::empty_state::EmptyState;
use crate::ui::components::error_notice::ErrorNotice;
use crate::ui::components::usage_chart::{CategorySplitChart, DailyUsageChart, UsagePatterns};
use crate::ui::components::usage_tables::{DailyTable, NumberTable, SubAccountTable, query_value};
use crate::wire::error::AppError;
use crate::wire::usage::{UsageFilters, UsageReport};

#[component]
pub fn UsagePage() -> impl IntoView {
    let query = use_query_map();
    let month = move || query.read().get("month").unwrap_or_default();
    let number = move || query.read().get("number").unwrap_or_default();
    let filters = Resource::new_blocking(|| (), |_| get_usage_filters());
    let report = Resource::new_blocking(
        move || (month(), number()),
        |(month, number)| get_usage_report(Some(month), Some(number)),
    );
    view! {
        <Title text="Usage"/>
        <h1>"Usage"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading your usage…"</p> }>
            {move || Suspend::new(async move {
                match (filters.await, report.await) {
                    (Err(AppError::Forbidden), _) | (_, Err(AppError::Forbidden)) => view! { <NoBillingAccess/> }.into_any(),
                    (Err(e), _) => view! { <ErrorNotice error=e/> }.into_any(),
                    (Ok(filters), report) => {
                        let shown = report.as_ref().ok().map(|r| r.month);
                        let month_error = report.as_ref().err().and_then(|e| e.field_message("month"));
                        view! {
                            <Picker filters shown number=number() month_error/>
                            {match report {
                                Ok(report) => view! { <Report report/> }.into_any(),
                                Err(e) if e.field_message("month").is_some() => ().into_any(),
                                Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                            }}
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// Month and number, applied with "Show" (choosing alone does not reload the page).
#[component]
fn Picker(
    filters: UsageFilters,
    shown: Option<UsageMonth>,
    number: String,
    month_error: Option<String>,
) -> impl IntoView {
    let selected = shown.unwrap_or(filters.current);
    let mut months = filters.months;
    if !months.contains(&selected) {
        months.push(selected);
        months.sort_by(|a, b| b.cmp(a));
    }
    let invalid = month_error.is_some();
    view! {
        <Form method="GET" action="" attr:class="filters usage-filters" attr:aria-label="Usage to show">
            <div class="field field-inline">
                <label for="usage-month">"Month"</label>
                <select
                    id="usage-month"
                    name="month"
                    aria-invalid=invalid.then_some("true")
                    aria-describedby=invalid.then_some("usage-month-error")
                >
                    {months.into_iter().map(|m| view! {
                        <option value=m.to_string() selected=m == selected>{m.label()}</option>
                    }).collect_view()}
                </select>
                {month_error.map(|message| view! { <p id="usage-month-error" class="field-error" role="alert">{message}</p> })}
            </div>
            <div class="field field-inline">
                <label for="usage-number">"Phone number"</label>
                <select id="usage-number" name="number">
                    <option value="" selected=number.is_empty()>"All numbers"</option>
                    {filters.numbers.into_iter().map(|n| view! {
                        <option value=n.id.clone() selected=n.id == number>{format!("{} · {}", n.number, n.sub_account)}</option>
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class="button button-secondary">"Show"</button>
        </Form>
    }
}

#[component]
fn Report(report: UsageReport) -> impl IntoView {
    let UsageReport { month, currency, sub_accounts, total, numbers, number, days, days_total } = report;
    if sub_accounts.is_empty() {
        return view! {
            <EmptyState
                title=format!("No usage in {}", month.label())
                detail="Messages your numbers send are counted here from the day after they are sent. Choose another month to see its usage."
            />
        }
        .into_any();
    }
    let subject = number.as_ref().map_or_else(|| "all numbers".to_string(), |n| n.number.clone());
    let csv_href = format!(
        "/usage.csv?month={month}{}",
        number.as_ref().map(|n| format!("&number={}", query_value(&n.id))).unwrap_or_default()
    );
    let has_days = !days.is_empty();
    let daily = if !has_days {
        view! {
            <EmptyState
                title=format!("No messages from {subject} in {}", month.label())
                detail="Choose all numbers or another month."
            />
        }
        .into_any()
    } else {
        let counts = days.iter().map(|d| (d.date, d.usage.messages())).collect();
        view! {
            <DailyUsageChart month days=counts subject=subject.clone()/>
            <DailyTable caption=format!("Messages per day, {}, {subject}", month.label()) days total=days_total currency/>
        }
        .into_any()
    };
    view! {
        <UsagePatterns/>
        <section class="card" aria-labelledby="usage-summary-heading">
            <header class="card-header">
                <h2 id="usage-summary-heading">{format!("{} by sub-account", month.label())}</h2>
            </header>
            <CategorySplitChart month messages=total.messages()/>
            <SubAccountTable month rows=sub_accounts total=total.clone() currency/>
        </section>
        <section class="card" aria-labelledby="usage-numbers-heading">
            <header class="card-header">
                <h2 id="usage-numbers-heading">"By phone number"</h2>
            </header>
            <NumberTable month rows=numbers total currency/>
        </section>
        <section class="card" aria-labelledby="usage-daily-heading">
            <header class="card-header card-header-split">
                <h2 id="usage-daily-heading">{format!("Daily messages: {subject}")}</h2>
                {has_days.then(|| view! {
                    <a class="button button-small button-secondary" href=csv_href download rel="external">"Export CSV"</a>
                })}
            </header>
            {daily}
        </section>
    }
    .into_any()
}
