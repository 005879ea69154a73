use leptos::prelude::*;

use crate::domain::money::{CurrencyTotals, Money};

#[component]
pub fn Amount(amount: Money) -> impl IntoView {
    view! { <span class="amount">{amount.format()}</span> }
}

/// Totals in several currencies, never added together: "$1,200.00 + €80.00".
pub fn totals_text(totals: &CurrencyTotals, when_empty: &str) -> String {
    let parts: Vec<String> = totals.0.iter().filter(|m| !m.is_zero()).map(|m| m.format()).collect();
    if parts.is_empty() { when_empty.to_string() } else { parts.join(" + ") }
}
