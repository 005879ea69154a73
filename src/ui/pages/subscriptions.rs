//! Subscriptions (seeds 000, 004): each one with its plan, price, quantity, period, renewal and
//! paying method, and a "Manage" button that opens the manage dialog. `?manage=ID` opens the
//! dialog for that subscription (the dashboard's "Manage" links here).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::no_access::NoBillingAccess;
use crate::api::subscriptions::list_subscriptions;
use crate::domain::billing_items::{SubscriptionStatus, format_date};
use crate::ui::components::badge::{Badge, Tone};
use crate::ui::components::empty_state::EmptyState;
use crate::ui::components::error_notice::ErrorNotice;
use crate::ui::components::manage_subscription::ManageSubscription;
use crate::ui::components::staff_view::{StaffViewLock, provide_rendered_for, rendered_for, staff_viewing};
use crate::wire::auth::RenderedFor;
use crate::wire::error::AppError;
use crate::wire::subscriptions::{Subscription, SubscriptionsPage};

#[component]
pub fn SubscriptionsPage() -> impl IntoView {
    let page = Resource::new_blocking(|| (), |_| list_subscriptions());
    let manage = use_query_map().get_untracked().get("manage");
    view! {
        <Title text="Subscriptions"/>
        <h1>"Subscriptions"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || { let manage = manage.clone(); Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <SubscriptionsView for_whom=rendered_for() p manage/> }.into_any(),
                    Err(AppError::Forbidden) => view! { <NoBillingAccess/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}}
        </Suspense>
    }
}

/// An island: the manage dialog changes a subscription and the list follows in place.
#[island]
fn SubscriptionsView(
    for_whom: RenderedFor,
    p: SubscriptionsPage,
    /// `?manage=ID`: the dialog opens for that subscription.
    manage: Option<String>,
) -> impl IntoView {
    let open_first = manage;
    provide_rendered_for(for_whom);
    // Held in signals and reloaded in place, so the manage dialog stays open across a change.
    let subscriptions = RwSignal::new(p.subscriptions);
    let methods = RwSignal::new(p.methods);
    let credit_balance = RwSignal::new(p.credit_balance);
    let open = RwSignal::new(false);
    let selected = RwSignal::new(None::<Subscription>);
    let reload = Action::new(move |_: &()| async move {
        if let Ok(fresh) = list_subscriptions().await {
            let id = selected.with_untracked(|s| s.as_ref().map(|s| s.id.clone()));
            selected.set(id.and_then(|id| fresh.subscriptions.iter().find(|s| s.id == id).cloned()));
            subscriptions.set(fresh.subscriptions);
            methods.set(fresh.methods);
            credit_balance.set(fresh.credit_balance);
        }
    });
    let manage = move |id: &str| {
        if let Some(s) = subscriptions.with_untracked(|list| list.iter().find(|s| s.id == id).cloned()) {
            selected.set(Some(s));
            open.set(true);
        }
    };
    let viewing = staff_viewing();
    // The dialog opens as the page does, so the shell takes this island over at load rather
    // than at its first use (`hydration.js`).
    let open_at_load = open_first.is_some() && !viewing;
    Effect::new(move |_| {
        if viewing {
            return;
        }
        if let Some(id) = &open_first {
            manage(id);
        }
    });
    let credit = move || {
        credit_balance.with(|balance| {
            (!balance.is_empty()).then(|| {
                let amounts = balance.iter().map(|m| m.format()).collect::<Vec<_>>().join(" and ");
                view! {
                    <p class="notice notice-info" role="note">
                        "Credit balance: " <strong>{amounts}</strong>
                        ". Credit from lowering a subscription stays on your account for future invoices."
                    </p>
                }
            })
        })
    };
    let list = move |ended: bool| {
        subscriptions
            .get()
            .into_iter()
            .filter(move |s| (s.status == SubscriptionStatus::Cancelled) == ended)
            .map(|s| view! { <SubscriptionCard s on_manage=manage/> })
            .collect_view()
    };
    let has = move |ended: bool| {
        subscriptions.with(|l| l.iter().any(|s| (s.status == SubscriptionStatus::Cancelled) == ended))
    };
    view! {
        {open_at_load.then(|| view! { <span hidden data-take-over="at-load"></span> })}
        {credit}
        <StaffViewLock what="Changing subscriptions">
        {move || if has(false) {
            view! { <ul class="subscription-list" aria-label="Current subscriptions">{list(false)}</ul> }.into_any()
        } else {
            view! { <EmptyState title="No current subscriptions" detail="Plans you subscribe to appear here."/> }.into_any()
        }}
        {move || has(true).then(|| view! {
            <h2>"Ended"</h2>
            <ul class="subscription-list" aria-label="Ended subscriptions">{list(true)}</ul>
        })}
        </StaffViewLock>
        <ManageSubscription open selected methods=methods.into() reload/>
    }
}

#[component]
fn SubscriptionCard(s: Subscription, on_manage: impl Fn(&str) + Copy + Send + Sync + 'static) -> impl IntoView {
    let tone = match s.status {
        SubscriptionStatus::Active | SubscriptionStatus::Trialing => Tone::Good,
        SubscriptionStatus::PastDue => Tone::Danger,
        SubscriptionStatus::Cancelled => Tone::Neutral,
    };
    let (badge, tone) = if s.cancel_at_period_end {
        ("Ending".to_string(), Tone::Warning)
    } else {
        (s.status.label().to_string(), tone)
    };
    let heading_id = format!("sub-{}", s.id);
    let last_day = s.period_end.previous_day().unwrap_or(s.period_end);
    let price = if s.plan_kind.allows_quantity() {
        format!("{} {}s × {} / {}", s.quantity, s.unit_label, s.unit_amount.format(), s.interval.label())
    } else {
        format!("{} / {}", s.unit_amount.format(), s.interval.label())
    };
    let renewal = match (s.status, s.cancel_at_period_end) {
        (SubscriptionStatus::Cancelled, _) => format!("Ended {}", format_date(s.period_end)),
        (_, true) => format!("Ends {} — it will not renew", format_date(s.period_end)),
        _ => format!("Renews {} for {}", format_date(s.period_end), s.renewal_amount.format()),
    };
    let manageable = s.status != SubscriptionStatus::Cancelled;
    let id = s.id.clone();
    let labelled_by = heading_id.clone();
    view! {
        <li class="card subscription" aria-labelledby=labelled_by>
            <header class="card-header">
                <h2 id=heading_id>{s.plan_name.clone()}</h2>
                <Badge label=badge tone/>
            </header>
            <dl class="facts">
                <div><dt>"Price"</dt><dd>{price}</dd></div>
                <div><dt>"Current period"</dt><dd>{format!("{} – {}", format_date(s.period_start), format_date(last_day))}</dd></div>
                <div><dt>"Next renewal"</dt><dd>{renewal}</dd></div>
                <div><dt>"Paid with"</dt><dd>{s.payment_method_label.clone().unwrap_or_else(|| "No payment method assigned".into())}</dd></div>
            </dl>
            {s.cancellation_reason.clone().filter(|_| s.cancel_at_period_end).map(|r| view! { <p class="muted">"Reason given: " {r}</p> })}
            {manageable.then(|| view! {
                <div class="actions">
                    <button type="button" class="button" on:click=move |_| on_manage(&id)>
                        "Manage" <span class="visually-hidden">{format!(" {}", s.plan_name)}</span>
                    </button>
                </div>
            })}
        </li>
    }
}
