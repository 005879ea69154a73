//! The usage charts as inline SVG, drawn from [`crate::domain::chart`]'s geometry. Each
//! category has a pattern as well as a colour (solid, hatched, dotted), so the charts read in
//! greyscale, in forced colours and without telling colours apart. A screen reader gets one
//! summary per chart; every figure is also in the tables beside it.

use leptos::prelude::*;
use time::{Date, Duration};

use crate::domain::billing_items::format_date;
use crate::domain::chart::{Frame, format_permille, shares_permille, split_bar, stacked_bars};
use crate::domain::usage::{UsageCategory, UsageMonth, format_count};

fn fill(category: UsageCategory) -> String {
    format!("url(#usage-pattern-{})", category.as_str())
}

/// View-box units, to one decimal: the same text on the server and in the browser.
fn px(value: f64) -> String {
    format!("{value:.1}")
}

/// The category fills, defined once per page for every chart and legend on it.
#[component]
pub fn UsagePatterns() -> impl IntoView {
    view! {
        <svg class="chart-defs" width="0" height="0" aria-hidden="true" focusable="false">
            <defs>
                <pattern id="usage-pattern-marketing" width="8" height="8" patternUnits="userSpaceOnUse">
                    <rect width="8" height="8" class="pattern-marketing"/>
                </pattern>
                <pattern id="usage-pattern-utility" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                    <rect width="8" height="8" class="pattern-ground-utility"/>
                    <rect width="3.5" height="8" class="pattern-utility"/>
                </pattern>
                <pattern id="usage-pattern-authentication" width="7" height="7" patternUnits="userSpaceOnUse">
                    <rect width="7" height="7" class="pattern-ground-authentication"/>
                    <circle cx="3.5" cy="3.5" r="2" class="pattern-authentication"/>
                </pattern>
            </defs>
        </svg>
    }
}

/// A key for the categories; `details` (one per category) follow each name.
#[component]
fn Legend(#[prop(optional)] details: Option<[String; 3]>) -> impl IntoView {
    view! {
        <ul class="chart-legend">
            {UsageCategory::ALL.iter().map(|c| {
                let detail = details.as_ref().map(|d| format!(" {}", d[c.index()]));
                view! {
                    <li>
                        <svg class="legend-swatch" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
                            <rect width="16" height="16" fill=fill(*c) class="chart-segment"/>
                        </svg>
                        <span class="legend-name">{c.label()}</span>
                        {detail}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

const DAILY: Frame = Frame { width: 720.0, height: 280.0, left: 60.0, right: 12.0, top: 14.0, bottom: 50.0 };

/// A stacked bar per day of `month` (categories bottom to top in their usual order). `days`
/// holds the days with usage; `subject` names whose messages they are ("all numbers").
#[component]
pub fn DailyUsageChart(month: UsageMonth, days: Vec<(Date, [i64; 3])>, #[prop(into)] subject: String) -> impl IntoView {
    let first = month.first_day();
    let dates: Vec<Date> = (0..i64::from(month.day_count())).map(|i| first + Duration::days(i)).collect();
    let stacks: Vec<[i64; 3]> =
        dates.iter().map(|d| days.iter().find(|(date, _)| date == d).map_or([0; 3], |(_, counts)| *counts)).collect();
    let chart = stacked_bars(&stacks, &DAILY, 5);
    let total: i64 = chart.bars.iter().map(|b| b.total).sum();
    let busiest = chart.bars.iter().zip(&dates).max_by_key(|(bar, _)| bar.total).filter(|(bar, _)| bar.total > 0);
    let summary = format!(
        "Messages per day in {}, {subject}: {} in total{}.",
        month.label(),
        format_count(total),
        busiest
            .map(|(bar, date)| format!(", most on {} ({})", format_date(*date), format_count(bar.total)))
            .unwrap_or_default()
    );
    let (left, right, baseline) = (DAILY.left, DAILY.width - DAILY.right, DAILY.baseline());
    let plot_middle = DAILY.top + DAILY.plot_height() / 2.0;

    let grid = chart.ticks.iter().map(|t| view! {
        <g>
            <line x1=px(left) x2=px(right) y1=px(t.y) y2=px(t.y) class="chart-gridline"/>
            <text x=px(left - 8.0) y=px(t.y) dy="0.32em" text-anchor="end" class="chart-tick">{format_count(t.value)}</text>
        </g>
    }).collect_view();
    let bars = chart.bars.iter().zip(&dates).map(|(bar, date)| {
        let segments = bar.segments.iter().map(|s| {
            let category = UsageCategory::ALL[s.series];
            let tip = format!("{}, {}: {} messages", format_date(*date), category.label(), format_count(s.value));
            view! {
                <rect x=px(bar.x) y=px(s.y) width=px(bar.width) height=px(s.height) fill=fill(category) class="chart-segment">
                    <title>{tip}</title>
                </rect>
            }
        }).collect_view();
        // Every day would crowd the axis: the 1st and every fifth day are enough to read it.
        let day = date.day();
        let label = (day == 1 || day % 5 == 0).then(|| view! {
            <text x=px(bar.center) y=px(baseline + 18.0) text-anchor="middle" class="chart-tick">{day}</text>
        });
        view! { <g>{segments}{label}</g> }
    }).collect_view();

    view! {
        <figure class="chart">
            // Focusable, so that keyboard users can scroll it where it is wider than the screen.
            <div class="chart-scroll" tabindex="0" role="group" aria-label="Daily chart">
                <svg class="chart-svg" viewBox=format!("0 0 {} {}", DAILY.width, DAILY.height) role="img" aria-label=summary>
                    {grid}
                    {bars}
                    <line x1=px(left) x2=px(right) y1=px(baseline) y2=px(baseline) class="chart-axis"/>
                    <text x=px(left + DAILY.plot_width() / 2.0) y=px(DAILY.height - 6.0) text-anchor="middle" class="chart-axis-title">
                        {format!("Day of {}", month.label())}
                    </text>
                    <text x="0" y="0" transform=format!("translate(14 {}) rotate(-90)", px(plot_middle)) text-anchor="middle" class="chart-axis-title">
                        "Messages"
                    </text>
                </svg>
            </div>
            <figcaption><Legend/></figcaption>
        </figure>
    }
}

const SPLIT_WIDTH: f64 = 720.0;
const SPLIT_HEIGHT: f64 = 36.0;

/// The month's messages as one bar split 100 % across the categories, with the shares in
/// the legend.
#[component]
pub fn CategorySplitChart(month: UsageMonth, messages: [i64; 3]) -> impl IntoView {
    let permille = shares_permille(messages);
    let shares_text: Vec<String> =
        UsageCategory::ALL.iter().map(|c| format!("{} {}", c.label(), format_permille(permille[c.index()]))).collect();
    let summary = format!("Messages by category in {}: {}.", month.label(), shares_text.join(", "));
    let details: [String; 3] =
        std::array::from_fn(|i| format!("{} · {}", format_count(messages[i]), format_permille(permille[i])));
    let parts = split_bar(messages, 0.0, SPLIT_WIDTH)
        .into_iter()
        .map(|s| {
            let category = UsageCategory::ALL[s.series];
            let tip = format!("{}: {} messages ({})", category.label(), format_count(s.value), format_permille(s.permille));
            view! {
                <rect x=px(s.x) y="0" width=px(s.width) height=px(SPLIT_HEIGHT) fill=fill(category) class="chart-segment">
                    <title>{tip}</title>
                </rect>
            }
        })
        .collect_view();
    view! {
        <figure class="chart chart-split">
            <svg class="chart-svg" viewBox=format!("0 0 {SPLIT_WIDTH} {SPLIT_HEIGHT}") role="img" aria-label=summary>
                {parts}
            </svg>
            <figcaption><Legend details/></figcaption>
        </figure>
    }
}
