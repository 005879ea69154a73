use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::billing_items::{EstimateDetail, get_estimate};
use crate::domain::billing_items::{EstimateStatus, format_date};
use crate::ui::components::badge::{Badge, Tone};
use crate::ui::components::document::{LinesTable, Party};
use crate::ui::components::error_notice::ErrorNotice;

#[component]
pub fn EstimatePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let estimate = Resource::new_blocking(id, get_estimate);
    view! {
        <p class="breadcrumb"><a href="/">"← Dashboard"</a></p>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match estimate.await {
                    Ok(est) => view! { <EstimateView est/> }.into_any(),
                    Err(e) => view! { <Title text="Estimate"/><ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EstimateView(est: EstimateDetail) -> impl IntoView {
    let (status, tone) = match est.status {
        EstimateStatus::Open if est.is_expired => ("Expired", Tone::Neutral),
        EstimateStatus::Open => ("Awaiting decision", Tone::Warning),
        EstimateStatus::Approved => ("Approved", Tone::Good),
        EstimateStatus::Declined => ("Declined", Tone::Neutral),
    };
    let title = format!("{} {}", est.kind.label(), est.number);
    view! {
        <Title text=title.clone()/>
        <article class="card document" aria-labelledby="doc-title">
            <header class="document-header">
                <div>
                    <p class="eyebrow">{est.kind.label()}</p>
                    <h1 id="doc-title">{title}</h1>
                    <p class="muted">{est.title.clone()}</p>
                </div>
                <Badge label=status tone/>
            </header>
            <dl class="facts">
                <div><dt>"Issued"</dt><dd>{format_date(est.issue_date)}</dd></div>
                <div><dt>"Valid until"</dt><dd>{format_date(est.valid_until)}</dd></div>
                <div><dt>"Total"</dt><dd class="amount-due">{est.total.format()}</dd></div>
            </dl>
            <div class="parties"><Party heading="From" party=est.vendor/></div>
            <LinesTable lines=est.lines subtotal=est.subtotal tax=est.tax total=est.total/>
            {(!est.terms.is_empty()).then(|| view! {
                <section class="terms"><h2>"Terms"</h2><p>{est.terms.clone()}</p></section>
            })}
        </article>
    }
}
