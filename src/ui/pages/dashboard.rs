//! The client dashboard (seed 004).

use leptos::prelude::*;
use leptos_meta::Title;

use super::client_list::ClientList;
use super::no_access::NoBillingAccess;
use crate::api::credit::get_service_status;
use crate::api::dashboard::get_dashboard;
use crate::domain::billing_items::{InvoiceStatus, SubscriptionStatus, format_date};
use crate::domain::payment_method::ExpiryState;
use crate::domain::service_status::ServiceStatus;
use crate::ui::components::avatar::Avatar;
use crate::ui::components::badge::{Badge, Tone};
use crate::ui::components::empty_state::EmptyState;
use crate::ui::components::error_notice::ErrorNotice;
use crate::ui::components::money::totals_text;
use crate::ui::components::service_status::ServiceStatusPanel;
use crate::ui::layout::SessionResource;
use crate::wire::dashboard::{
    Dashboard, FailedPaymentNotice, OpenEstimate, OpenInvoice, PaymentMethodSummary, SubscriptionSummary,
};
use crate::wire::error::AppError;

/// The account's service status, or none where the dashboard is not shown.
type StatusResource = Resource<Result<Option<ServiceStatus>, AppError>>;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let session = expect_context::<SessionResource>();
    // Agency staff land on their client list: that is what they may see, so the page is theirs
    // (200), and no client dashboard is asked for on their behalf.
    let dashboard = Resource::new_blocking(
        || (),
        move |_| async move {
            let staff_console = session.await.map(|s| s.is_staff && s.account.is_none()).unwrap_or(false);
            if staff_console { Ok(None) } else { get_dashboard().await.map(Some) }
        },
    );
    // Made here, once per page, not in the section that shows it: a resource made inside the
    // Suspense's view is made again (and its queries run again) whenever that view re-renders.
    // Asked for only when the dashboard itself is shown.
    let status = Resource::new_blocking(
        || (),
        move |_| async move {
            match dashboard.await {
                Ok(Some(_)) => get_service_status().await.map(Some),
                _ => Ok(None),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading your billing…"</p> }>
            {move || Suspend::new(async move {
                match dashboard.await {
                    Ok(Some(d)) => view! { <DashboardView d status/> }.into_any(),
                    Ok(None) => view! { <ClientList/> }.into_any(),
                    Err(AppError::Forbidden) => view! { <NoBillingAccess/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Loaded beside the dashboard's own data: a failure here leaves the rest of the page usable.
#[component]
fn ServiceStatusSection(status: StatusResource) -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match status.await {
                    Ok(Some(status)) => view! { <ServiceStatusPanel status/> }.into_any(),
                    Ok(None) => ().into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DashboardView(d: Dashboard, status: StatusResource) -> impl IntoView {
    let expiring: Vec<String> = d
        .payment_methods
        .iter()
        .filter(|m| matches!(m.expiry, Some(ExpiryState::ExpiringSoon { .. }) | Some(ExpiryState::Expired)))
        .map(|m| m.label.clone())
        .collect();
    let overdue_count = d.open_invoices.iter().filter(|i| i.is_overdue).count();
    let open_items = d.open_invoices.len() + d.open_estimates.len();
    // An expired estimate can no longer be approved, so it is not waiting on the client.
    let awaiting = d.open_estimates.iter().filter(|e| !e.is_expired).count();
    // "Pay $640.28" when one currency is owed; several currencies are paid one at a time.
    let owed: Vec<String> = d.outstanding.0.iter().filter(|m| m.minor > 0).map(|m| m.format()).collect();
    let payable = d.open_invoices.iter().any(|i| i.status == InvoiceStatus::Open);
    let pay_all_label = match owed.as_slice() {
        [one] => format!("Pay {one}"),
        _ => "Pay all".to_string(),
    };
    view! {
        <Title text="Billing dashboard"/>
        <section class="hero" aria-labelledby="hero-name">
            <Avatar initials=d.user_initials.clone()/>
            <div class="hero-text">
                <h1 id="hero-name">{d.user_name.clone()}</h1>
                <p class="hero-company">{d.company_name.clone()} <span class="muted">" · " {d.role.label()}</span></p>
                {(!d.plan_names.is_empty()).then(|| view! {
                    <ul class="plan-chips" aria-label="Current plans">
                        {d.plan_names.iter().map(|p| view! { <li class="chip">{p.clone()}</li> }).collect_view()}
                    </ul>
                })}
            </div>
        </section>

        <ServiceStatusSection status/>

        {(overdue_count > 0).then(|| view! {
            <div class="notice notice-danger" role="status">
                <strong>{format!("{overdue_count} overdue invoice{}", if overdue_count == 1 { "" } else { "s" })}</strong>
                " — " {totals_text(&d.overdue, "")} " is past due. Paying it keeps your service running."
            </div>
        })}
        {latest_failures(d.failed_payments).into_iter().map(|f| view! { <FailedPayment f/> }).collect_view()}
        {(!expiring.is_empty()).then(|| view! {
            <div class="notice notice-warning" role="status">
                <strong>"Card expiring soon: "</strong>
                {expiring.join(", ")}
                ". Add a new card before it stops working so renewals don't fail."
            </div>
        })}

        <section class="tiles" aria-label="Summary">
            <div class="tile">
                <p class="tile-label">"Total outstanding"</p>
                <p class="tile-value" data-testid="total-outstanding">{totals_text(&d.outstanding, "Nothing due")}</p>
                {(payable && !owed.is_empty()).then(|| view! {
                    <a class="button button-small tile-action" href="/pay">{pay_all_label}</a>
                })}
            </div>
            <div class="tile">
                <p class="tile-label">"Overdue"</p>
                <p class="tile-value">{totals_text(&d.overdue, "None")}</p>
            </div>
            <div class="tile">
                <p class="tile-label">"Awaiting your decision"</p>
                <p class="tile-value">{format!("{awaiting} item{}", if awaiting == 1 { "" } else { "s" })}</p>
            </div>
        </section>

        <section class="card" aria-labelledby="open-items">
            <header class="card-header">
                <h2 id="open-items">"Open billing items"</h2>
                <span class="count">{open_items}</span>
            </header>
            {if open_items == 0 {
                view! { <EmptyState title="You're all paid up" detail="No open invoices, estimates or proposals."/> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="data">
                            <caption class="visually-hidden">"Open invoices, estimates and proposals"</caption>
                            <thead><tr>
                                <th scope="col">"Item"</th>
                                <th scope="col">"Date"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col" class="num">"Amount"</th>
                                <th scope="col"><span class="visually-hidden">"Action"</span></th>
                            </tr></thead>
                            <tbody>
                                {d.open_invoices.into_iter().map(|i| view! { <InvoiceRow i/> }).collect_view()}
                                {d.open_estimates.into_iter().map(|e| view! { <EstimateRow e/> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>

        <div class="columns">
            <section class="card" aria-labelledby="subscriptions">
                <header class="card-header"><h2 id="subscriptions">"Current subscriptions"</h2></header>
                {if d.subscriptions.is_empty() {
                    view! { <EmptyState title="No subscriptions" detail="Plans you subscribe to appear here."/> }.into_any()
                } else {
                    view! {
                        <ul class="stack">
                            {d.subscriptions.into_iter().map(|s| view! { <SubscriptionItem s/> }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
            <section class="card" aria-labelledby="payment-methods">
                <header class="card-header"><h2 id="payment-methods">"Payment methods"</h2></header>
                {if d.payment_methods.is_empty() {
                    view! { <EmptyState title="No payment method on file" detail="Add a card or bank account to pay invoices and renew subscriptions."/> }.into_any()
                } else {
                    view! {
                        <ul class="stack">
                            {d.payment_methods.into_iter().map(|m| view! { <PaymentMethodItem m/> }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
        </div>
    }
}

#[component]
fn InvoiceRow(i: OpenInvoice) -> impl IntoView {
    let (status, tone) = if i.is_overdue {
        ("Overdue".to_string(), Tone::Danger)
    } else {
        (i.status.label().to_string(), Tone::Warning)
    };
    view! {
        <tr>
            <td data-label="Item">
                <span class="item-title">{i.kind.label()} " " {i.number.clone()}</span>
            </td>
            <td data-label="Date">"Due " {format_date(i.due_date)}</td>
            <td data-label="Status"><Badge label=status tone/></td>
            <td data-label="Amount" class="num">{i.amount_due.format()}</td>
            <td class="action">
                <div class="action-group">
                    {(i.status == InvoiceStatus::Open).then(|| view! {
                        <a class="button button-small" href=format!("/pay?invoice={}", i.id) aria-label=format!("Pay invoice {}", i.number)>"Pay"</a>
                    })}
                    <a class="button button-small button-secondary" href=format!("/invoices/{}", i.id) aria-label=format!("View invoice {}", i.number)>"View"</a>
                </div>
            </td>
        </tr>
    }
}

/// The newest failure for each set of invoices (they arrive newest first): a second failed
/// try at the same invoice replaces the notice about the first rather than adding one.
fn latest_failures(all: Vec<FailedPaymentNotice>) -> Vec<FailedPaymentNotice> {
    let mut seen: Vec<Vec<String>> = Vec::new();
    all.into_iter()
        .filter(|f| {
            let mut ids = f.invoice_ids.clone();
            ids.sort();
            let first = !seen.contains(&ids);
            seen.push(ids);
            first
        })
        .collect()
}

/// "A payment of $22.13 with Mastercard •••• 5556 failed: Your card was declined. Invoice
/// ACME-000012 is still open." with a way to pay it now (seeds 002, 003).
#[component]
fn FailedPayment(f: FailedPaymentNotice) -> impl IntoView {
    let still_open = match f.invoice_numbers.as_slice() {
        [one] => format!("Invoice {one} is still open."),
        many => format!("Invoices {} are still open.", many.join(", ")),
    };
    let query: Vec<String> = f.invoice_ids.iter().map(|id| format!("invoice={id}")).collect();
    let href = format!("/pay?{}", query.join("&"));
    let failed_on = crate::domain::billing_items::format_unix_date(f.at);
    view! {
        <div class="notice notice-danger notice-with-action" role="status">
            <p>
                <strong>{format!("A payment of {} with {} failed:", f.total.format(), f.method_label)}</strong>
                " " {f.message.clone()} " " {still_open}
                <span class="muted">" (" {failed_on} ")"</span>
            </p>
            <a class="button button-small" href=href>"Pay now"<span class="visually-hidden">{format!(": {}", f.invoice_numbers.join(", "))}</span></a>
        </div>
    }
}

#[component]
fn EstimateRow(e: OpenEstimate) -> impl IntoView {
    let (status, tone) = if e.is_expired { ("Expired", Tone::Neutral) } else { ("Awaiting decision", Tone::Warning) };
    view! {
        <tr>
            <td data-label="Item">
                <span class="item-title">{e.kind.label()} " " {e.number.clone()}</span>
                <span class="item-sub">{e.title.clone()}</span>
            </td>
            <td data-label="Date">"Valid until " {format_date(e.valid_until)}</td>
            <td data-label="Status"><Badge label=status tone/></td>
            <td data-label="Amount" class="num">{e.total.format()}</td>
            <td class="action">
                <a class="button button-small" href=format!("/estimates/{}", e.id) aria-label=format!("View {} {}", e.kind.label().to_lowercase(), e.number)>"View"</a>
            </td>
        </tr>
    }
}

#[component]
fn SubscriptionItem(s: SubscriptionSummary) -> impl IntoView {
    let tone = match s.status {
        SubscriptionStatus::Active | SubscriptionStatus::Trialing => Tone::Good,
        SubscriptionStatus::PastDue => Tone::Danger,
        SubscriptionStatus::Cancelled => Tone::Neutral,
    };
    let renewal = if s.cancel_at_period_end {
        format!("Ends {}", format_date(s.renews_on))
    } else {
        format!("Renews {} · {}", format_date(s.renews_on), s.amount_per_period.format())
    };
    view! {
        <li class="stack-item">
            <div class="stack-main">
                <p class="item-title">{s.plan_name.clone()}</p>
                <p class="item-sub">
                    {if s.quantity == 1 {
                        format!("{} / {}", s.unit_amount.format(), s.interval.label())
                    } else {
                        format!("{} {}s × {} / {}", s.quantity, s.unit_label, s.unit_amount.format(), s.interval.label())
                    }}
                </p>
                <p class="item-sub">{renewal}</p>
                <p class="item-sub">
                    {match s.payment_method.clone() {
                        Some(m) => format!("Paid with {m}"),
                        None => "No payment method assigned".to_string(),
                    }}
                </p>
            </div>
            <div class="stack-side">
                <Badge label=s.status.label() tone/>
                <a class="button button-small" href=format!("/subscriptions?manage={}", s.id)>
                    "Manage" <span class="visually-hidden">{format!(" {}", s.plan_name)}</span>
                </a>
            </div>
        </li>
    }
}

#[component]
fn PaymentMethodItem(m: PaymentMethodSummary) -> impl IntoView {
    let expiry = match m.expiry {
        Some(ExpiryState::Expired) => Some(("Expired", Tone::Danger)),
        Some(ExpiryState::ExpiringSoon { .. }) => Some(("Expires soon", Tone::Warning)),
        _ => None,
    };
    view! {
        <li class="stack-item">
            <div class="stack-main">
                <p class="item-title">{m.label.clone()}</p>
                <p class="item-sub">{m.detail.clone()}</p>
            </div>
            <div class="badges">
                {m.is_default.then(|| view! { <Badge label="Default" tone=Tone::Good/> })}
                {expiry.map(|(label, tone)| view! { <Badge label tone/> })}
            </div>
        </li>
    }
}
