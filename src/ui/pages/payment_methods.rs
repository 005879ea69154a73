//! Payment methods (seeds 001, 002, 004): the saved cards and bank accounts, adding one,
//! making one the default, and removing one (never one that still pays a subscription: the
//! page says which and offers to move them).

use leptos::prelude::*;
use leptos_meta::Title;

use super::no_access::NoBillingAccess;
use crate::api::payment_methods::{
    add_payment_method, list_payment_methods, make_default_payment_method, remove_payment_method,
};
use crate::domain::payment_method::{ExpiryState, MethodKind};
use crate::ui::components::badge::{Badge, Tone};
use crate::ui::components::bank_form::BankAccountForm;
use crate::ui::components::card_form::CardForm;
use crate::ui::components::empty_state::EmptyState;
use crate::ui::components::error_notice::ErrorNotice;
use crate::ui::components::staff_view::{StaffViewLock, provide_rendered_for, rendered_for};
use crate::wire::auth::RenderedFor;
use crate::wire::error::AppError;
use crate::wire::payment_methods::{PaymentMethodsView, RemovalOutcome, StoredMethod, SubscriptionRef};

#[component]
pub fn PaymentMethodsPage() -> impl IntoView {
    let methods = Resource::new_blocking(|| (), |_| list_payment_methods());
    view! {
        <Title text="Payment methods"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading your payment methods…"</p> }>
            {move || Suspend::new(async move {
                match methods.await {
                    Ok(v) => view! { <MethodsView for_whom=rendered_for() v/> }.into_any(),
                    Err(AppError::Forbidden) => view! { <NoBillingAccess/> }.into_any(),
                    Err(e) => view! { <h1>"Payment methods"</h1><ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A removal the server refused because the method pays subscriptions.
#[derive(Debug, Clone, PartialEq)]
struct MovePrompt {
    id: String,
    label: String,
    subscriptions: Vec<SubscriptionRef>,
    /// Where they can move: id and label, the label saying when a card is about to expire.
    alternatives: Vec<(String, String)>,
    /// The one offered first: the default method, else one that is not about to expire.
    preferred: Option<String>,
}

impl MovePrompt {
    fn new(
        id: String,
        label: String,
        subscriptions: Vec<SubscriptionRef>,
        alternatives: &[(String, String)],
        methods: &[StoredMethod],
    ) -> Self {
        let method = |alt: &str| methods.iter().find(|m| m.id == alt);
        let expiring = |alt: &str| {
            method(alt)
                .and_then(|m| m.expiry)
                .is_some_and(|e| matches!(e, ExpiryState::Expired | ExpiryState::ExpiringSoon { .. }))
        };
        let preferred = alternatives
            .iter()
            .find(|(alt, _)| method(alt).is_some_and(|m| m.is_default))
            .or_else(|| alternatives.iter().find(|(alt, _)| !expiring(alt)))
            .or(alternatives.first())
            .map(|(alt, _)| alt.clone());
        let alternatives = alternatives
            .iter()
            .map(|(alt, label)| {
                let note = match method(alt).and_then(|m| m.expiry) {
                    Some(ExpiryState::Expired) => " (expired)",
                    Some(ExpiryState::ExpiringSoon { .. }) => " (expires soon)",
                    _ => "",
                };
                (alt.clone(), format!("{label}{note}"))
            })
            .collect();
        MovePrompt { id, label, subscriptions, alternatives, preferred }
    }
}

/// "a", "a and b", "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Reloads the list after a change; on failure the current list stays.
async fn reload(methods: RwSignal<Vec<StoredMethod>>) {
    if let Ok(view) = list_payment_methods().await {
        methods.set(view.methods);
    }
}

/// An island: cards and bank accounts are added, made default and removed in place, with the list following.
#[island]
fn MethodsView(for_whom: RenderedFor, v: PaymentMethodsView) -> impl IntoView {
    provide_rendered_for(for_whom);
    let PaymentMethodsView { methods, offered, tokenization_url } = v;
    let methods = RwSignal::new(methods);
    // What the last change did ("Card added: …"), for everyone, including screen readers.
    let status = RwSignal::new(None::<String>);
    let failure = RwSignal::new(None::<String>);
    let prompt = RwSignal::new(None::<MovePrompt>);

    let make_default = Action::new(move |(id, label): &(String, String)| {
        let (id, label) = (id.clone(), label.clone());
        async move {
            let result = make_default_payment_method(id).await;
            match &result {
                Ok(()) => {
                    reload(methods).await;
                    status.set(Some(format!("{label} is now your default payment method.")));
                }
                Err(e) => failure.set(Some(e.to_string())),
            }
            result
        }
    });
    let remove = Action::new(move |(id, label, move_to): &(String, String, Option<String>)| {
        let (id, label, move_to) = (id.clone(), label.clone(), move_to.clone());
        async move {
            let result = remove_payment_method(id.clone(), move_to.clone()).await;
            match &result {
                Ok(RemovalOutcome::Removed) => {
                    prompt.set(None);
                    reload(methods).await;
                    status.set(Some(if move_to.is_some() {
                        format!("Subscriptions moved and {label} removed.")
                    } else {
                        format!("{label} removed.")
                    }));
                }
                Ok(RemovalOutcome::PaysSubscriptions { subscriptions, alternatives }) => {
                    let listed = methods.get_untracked();
                    prompt.set(Some(MovePrompt::new(id, label, subscriptions.clone(), alternatives, &listed)));
                }
                Err(e) => failure.set(Some(e.to_string())),
            }
            result
        }
    });
    let busy = Signal::derive(move || make_default.pending().get() || remove.pending().get());
    let before_change = Callback::new(move |()| {
        status.set(None);
        failure.set(None);
    });

    let on_added = move |token: String, make_default: bool| async move {
        let added = add_payment_method(token, make_default).await?;
        prompt.set(None);
        failure.set(None);
        reload(methods).await;
        status.set(Some(format!("{} added.", added.label)));
        Ok::<(), AppError>(())
    };

    let offers = |kind: MethodKind| offered.contains(&kind);
    let transfer_kinds: Vec<&'static str> = [MethodKind::Wire, MethodKind::Pix, MethodKind::Boleto]
        .into_iter()
        .filter(|k| offers(*k))
        .map(|k| k.label())
        .collect();
    let offers_card = offers(MethodKind::Card);
    let offers_ach = offers(MethodKind::Ach);
    let card_url = tokenization_url.clone();
    let bank_url = tokenization_url;

    view! {
        <h1>"Payment methods"</h1>
        <div class="notice notice-success" role="status" hidden=move || status.read().is_none()>{move || status.get()}</div>
        <div class="notice notice-error" role="alert" hidden=move || failure.read().is_none()>{move || failure.get()}</div>

        <StaffViewLock what="Changing payment methods">
        <section class="card" aria-labelledby="saved-methods">
            <header class="card-header">
                <h2 id="saved-methods">"Saved methods"</h2>
                <span class="count">{move || methods.read().len()}</span>
            </header>
            {move || if methods.read().is_empty() {
                view! { <EmptyState title="No payment method on file" detail="Add a card or bank account below to pay invoices and renew subscriptions."/> }.into_any()
            } else {
                view! {
                    <ul class="stack methods-list">
                        <For
                            each=move || methods.get()
                            key=|m| (m.id.clone(), m.is_default, m.pays_subscriptions.len())
                            children=move |m| view! {
                                <MethodItem m prompt busy before_change make_default remove/>
                            }
                        />
                    </ul>
                }.into_any()
            }}
        </section>

        <div class="columns">
            {offers_card.then(|| view! {
                <section class="card" aria-labelledby="add-card">
                    <header class="card-header"><h2 id="add-card">"Add a card"</h2></header>
                    <CardForm
                        tokenization_url=card_url
                        submit_label=Signal::derive(|| "Add card".to_string())
                        busy_label="Adding card…"
                        offer_default=true
                        on_token=on_added
                    />
                </section>
            })}
            {offers_ach.then(|| view! {
                <section class="card" aria-labelledby="add-bank">
                    <header class="card-header"><h2 id="add-bank">"Add a bank account (ACH)"</h2></header>
                    <BankAccountForm tokenization_url=bank_url on_token=on_added/>
                </section>
            })}
        </div>
        </StaffViewLock>
        {(!transfer_kinds.is_empty()).then(|| view! {
            <p class="page-note">
                <strong>{and_list(&transfer_kinds.iter().map(|k| k.to_string()).collect::<Vec<_>>())}</strong>
                {if transfer_kinds.len() == 1 { " isn't saved here: you choose it " } else { " aren't saved here: you choose them " }}
                "when you pay an invoice, and we show you how to send the money."
            </p>
        })}
    }
}

#[component]
fn MethodItem(
    m: StoredMethod,
    prompt: RwSignal<Option<MovePrompt>>,
    busy: Signal<bool>,
    before_change: Callback<()>,
    make_default: Action<(String, String), Result<(), AppError>>,
    remove: Action<(String, String, Option<String>), Result<RemovalOutcome, AppError>>,
) -> impl IntoView {
    let expiry = match m.expiry {
        Some(ExpiryState::Expired) => Some(("Expired", Tone::Danger)),
        Some(ExpiryState::ExpiringSoon { .. }) => Some(("Expires soon", Tone::Warning)),
        _ => None,
    };
    let pays: Vec<String> = m.pays_subscriptions.iter().map(|s| s.plan_name.clone()).collect();
    let id = m.id.clone();
    let label = m.label.clone();
    let (default_id, default_label) = (id.clone(), label.clone());
    let (remove_id, remove_label) = (id.clone(), label.clone());
    let prompt_here = move || prompt.get().filter(|p| p.id == id);
    view! {
        <li class="stack-item method-item">
            <div class="stack-main">
                <p class="item-title">{m.label.clone()}</p>
                <p class="item-sub">{m.detail.clone()}</p>
                {(!pays.is_empty()).then(|| view! { <p class="item-sub">"Pays: " {pays.join(", ")}</p> })}
            </div>
            <div class="badges">
                {m.is_default.then(|| view! { <Badge label="Default" tone=Tone::Good/> })}
                {expiry.map(|(label, tone)| view! { <Badge label tone/> })}
            </div>
            <div class="item-actions">
                {(!m.is_default).then(|| view! {
                    <button
                        type="button"
                        class="button button-secondary button-small"
                        disabled=move || busy.get()
                        on:click=move |_| {
                            before_change.run(());
                            make_default.dispatch((default_id.clone(), default_label.clone()));
                        }
                    >
                        "Make default"<span class="visually-hidden">": " {m.label.clone()}</span>
                    </button>
                })}
                <button
                    type="button"
                    class="button button-secondary button-small"
                    disabled=move || busy.get()
                    on:click=move |_| {
                        before_change.run(());
                        remove.dispatch((remove_id.clone(), remove_label.clone(), None));
                    }
                >
                    "Remove"<span class="visually-hidden">": " {m.label.clone()}</span>
                </button>
            </div>
            {move || prompt_here().map(|p| view! { <MovePanel p prompt busy remove/> })}
        </li>
    }
}

/// The way forward when a method still pays subscriptions: move them, then remove it.
#[component]
fn MovePanel(
    p: MovePrompt,
    prompt: RwSignal<Option<MovePrompt>>,
    busy: Signal<bool>,
    remove: Action<(String, String, Option<String>), Result<RemovalOutcome, AppError>>,
) -> impl IntoView {
    let plans: Vec<String> = p.subscriptions.iter().map(|s| s.plan_name.clone()).collect();
    let count = plans.len();
    let target = RwSignal::new(p.preferred.clone().unwrap_or_default());
    let has_alternatives = !p.alternatives.is_empty();
    let message = format!("{} pays {}.", p.label, and_list(&plans));
    let (id, label) = (p.id.clone(), p.label.clone());
    let select_id = format!("move-to-{}", p.id);
    view! {
        <div class="move-panel" role="group" aria-labelledby="move-message">
            <p id="move-message" role="alert">
                <strong>{message}</strong>
                {if has_alternatives {
                    format!(" Move {} to another method to remove it.", if count == 1 { "it" } else { "them" })
                } else {
                    " Add another card or bank account first, then move them to it.".to_string()
                }}
            </p>
            {has_alternatives.then(|| view! {
                <div class="move-row">
                    <div class="field">
                        <label for=select_id.clone()>{if count == 1 { "Move it to" } else { "Move them to" }}</label>
                        <select id=select_id.clone() on:change=move |ev| target.set(event_target_value(&ev))>
                            {p.alternatives.iter().map(|(id, label)| view! {
                                <option value=id.clone() selected=p.preferred.as_deref() == Some(id.as_str())>{label.clone()}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <button
                        type="button"
                        class="button button-small"
                        disabled=move || busy.get()
                        on:click=move |_| {
                            remove.dispatch((id.clone(), label.clone(), Some(target.get_untracked())));
                        }
                    >
                        "Move and remove"
                    </button>
                </div>
            })}
            <button type="button" class="button button-secondary button-small" on:click=move |_| prompt.set(None)>"Cancel"</button>
        </div>
    }
}
