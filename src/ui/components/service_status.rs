//! What is blocked, since when, and the button for the payment that lifts it (seed 003).

use leptos::prelude::*;

use crate::domain::billing_items::format_unix_date;
use crate::domain::service_status::{Block, Remedy, Service, ServiceStatus, explain, restore_hint};
use crate::ui::components::badge::{Badge, Tone};

/// Where the payment that lifts a block is made, and the button's words.
fn remedy_link(remedy: &Remedy) -> (String, String) {
    match remedy {
        Remedy::TopUp { suggested, .. } => (
            format!("/credit?amount={}#top-up", suggested.as_decimal()),
            format!("Add {} to your credit balance", suggested.format()),
        ),
        Remedy::PayInvoice { invoice_id, number, amount } => {
            (format!("/pay?invoice={invoice_id}"), format!("Pay {} for invoice {number}", amount.format()))
        }
    }
}

#[component]
pub fn ServiceStatusPanel(status: ServiceStatus) -> impl IntoView {
    let services = Service::ALL.iter().copied().map(|service| {
        let blocks: Vec<Block> = status.blocks.iter().filter(|b| b.service == service).cloned().collect();
        let since = status.blocked_since(service);
        let heading_id = format!("service-{}", service.as_str());
        let blocked = !blocks.is_empty();
        view! {
            <li class="service" class:is-blocked=blocked>
                <h3 id=heading_id class="service-name">
                    {service.label()} " "
                    {match since {
                        Some(_) => view! { <Badge label="Blocked" tone=Tone::Danger/> }.into_any(),
                        None => view! { <Badge label="Running" tone=Tone::Good/> }.into_any(),
                    }}
                </h3>
                {since.map(|at| view! { <p class="service-since">{format!("Blocked since {}.", format_unix_date(at))}</p> })}
                <ul class="service-blocks">
                    {blocks.into_iter().map(|block| {
                        let (href, label) = remedy_link(&block.remedy);
                        view! {
                            <li class="service-block">
                                <p>{explain(&block.cause)}</p>
                                <p class="muted">{restore_hint(&block.remedy)}</p>
                                <a class="button" href=href>{label}</a>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </li>
        }
    }).collect_view();
    let all_clear = status.blocks.is_empty();
    view! {
        <section class="card service-status" id="service-status" aria-labelledby="service-status-title">
            <header class="card-header">
                <h2 id="service-status-title">"Service status"</h2>
                <span class="muted">{format!("Credit balance {}", status.credit_balance.format())}</span>
            </header>
            {all_clear.then(|| view! { <p class="service-ok">"Everything is running: messages go out and you can add new numbers."</p> })}
            <ul class="services">{services}</ul>
        </section>
    }
}
