//! The "Manage subscription" dialog (seed 004): the paying method; plan or quantity with a
//! proration preview that is exactly what the confirmation charges; cancel at period end with
//! an optional reason; resume.

use leptos::prelude::*;

use super::modal::Modal;
use crate::api::subscriptions::{
    cancel_subscription, change_subscription, preview_subscription_change, resume_subscription,
    set_subscription_payment_method,
};
use crate::domain::billing_items::{SubscriptionStatus, format_date};
use crate::wire::payments::PaymentResult;
use crate::wire::subscriptions::{ChangeOutcome, ChangePreview, MethodOption, Subscription};

/// What the last action did, shown at the top of the dialog and focused so it is read out.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub ok: bool,
    pub text: String,
    pub link: Option<(String, String)>,
}

impl Notice {
    fn ok(text: impl Into<String>) -> Self {
        Notice { ok: true, text: text.into(), link: None }
    }
}

#[component]
pub fn ManageSubscription(
    open: RwSignal<bool>,
    selected: RwSignal<Option<Subscription>>,
    methods: Signal<Vec<MethodOption>>,
    /// Reloads the subscriptions after a change (and refreshes `selected`).
    reload: Action<(), ()>,
) -> impl IntoView {
    let notice = RwSignal::new(None::<Notice>);
    let notice_ref = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |was_open: Option<bool>| {
        let is_open = open.get();
        if is_open && was_open != Some(true) {
            notice.set(None);
        }
        is_open
    });
    let announce = move |n: Notice| {
        notice.set(Some(n));
        reload.dispatch(());
        // Focused once it has rendered: an empty notice is not displayed and cannot take focus.
        request_animation_frame(move || {
            if let Some(el) = notice_ref.get_untracked() {
                let _ = el.focus();
            }
        });
    };
    view! {
        <Modal open labelled_by="manage-title">
            <div class="modal-body">
                {move || selected.with(|s| s.as_ref().map(|s| view! {
                    <h2 id="manage-title">{format!("Manage {}", s.plan_name)}</h2>
                }))}
                <div node_ref=notice_ref tabindex="-1" class="modal-notice">
                    {move || notice.get().map(|n| {
                        let class = if n.ok { "notice notice-success" } else { "notice notice-danger" };
                        let role = if n.ok { "status" } else { "alert" };
                        view! {
                            <p class=class role=role>
                                {n.text} " "
                                {n.link.map(|(href, label)| view! { <a href=href>{label}</a> })}
                            </p>
                        }
                    })}
                </div>
                {move || selected.get().map(|s| view! { <ManagePanel s methods=methods.get() announce/> })}
                <div class="actions modal-footer">
                    <button type="button" class="button button-secondary" on:click=move |_| open.set(false)>"Close"</button>
                </div>
            </div>
        </Modal>
    }
}

#[component]
fn ManagePanel(
    s: Subscription,
    methods: Vec<MethodOption>,
    announce: impl Fn(Notice) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let changeable =
        matches!(s.status, SubscriptionStatus::Active | SubscriptionStatus::Trialing) && !s.cancel_at_period_end;
    let last_day = format_date(s.period_end.previous_day().unwrap_or(s.period_end));
    let summary = if s.cancel_at_period_end {
        format!(
            "Set to end after {last_day}. Paid with {}.",
            s.payment_method_label.clone().unwrap_or_else(|| "no method".into())
        )
    } else {
        format!(
            "Renews {} for {}. Paid with {}.",
            format_date(s.period_end),
            s.renewal_amount.format(),
            s.payment_method_label.clone().unwrap_or_else(|| "no method yet".into())
        )
    };
    let past_due = (s.status == SubscriptionStatus::PastDue).then(|| {
        view! {
            <p class="notice notice-warning">"This subscription is past due. Pay the open invoice to change it."</p>
        }
    });
    view! {
        <p class="muted">{summary}</p>
        {past_due}
        <MethodSection s=s.clone() methods announce/>
        {changeable.then(|| view! { <ChangeSection s=s.clone() announce/> })}
        <EndSection s announce/>
    }
}

#[component]
fn MethodSection(
    s: Subscription,
    methods: Vec<MethodOption>,
    announce: impl Fn(Notice) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let choice = RwSignal::new(
        s.payment_method_id.clone().or_else(|| methods.first().map(|m| m.id.clone())).unwrap_or_default(),
    );
    let error = RwSignal::new(None::<String>);
    let id = s.id.clone();
    let save = Action::new(move |method: &String| {
        let (id, method) = (id.clone(), method.clone());
        async move {
            match set_subscription_payment_method(id, method).await {
                Ok(()) => {
                    error.set(None);
                    announce(Notice::ok(
                        "The payment method is saved. Renewals and changes are charged to it from now on.",
                    ));
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        }
    });
    let no_methods = methods.is_empty();
    view! {
        <section class="modal-section" aria-labelledby="method-heading">
            <h3 id="method-heading">"Payment method"</h3>
            {if no_methods {
                view! { <p>"Add a card or bank account on the " <a href="/payment-methods">"Payment methods"</a> " page first."</p> }.into_any()
            } else {
                view! {
                    <form class="form inline-form" on:submit=move |ev| { ev.prevent_default(); save.dispatch(choice.get_untracked()); }>
                        <div class="field">
                            <label for="manage-method">"Pays this subscription"</label>
                            <select id="manage-method" prop:value=move || choice.get() on:change=move |ev| choice.set(event_target_value(&ev))
                                aria-invalid=move || error.get().is_some().to_string() aria-describedby="manage-method-error">
                                {methods.into_iter().map(|m| {
                                    let selected = Some(&m.id) == s.payment_method_id.as_ref();
                                    view! { <option value=m.id selected=selected>{m.label}</option> }
                                }).collect_view()}
                            </select>
                            <p id="manage-method-error" class="field-error">{move || error.get()}</p>
                        </div>
                        <button type="submit" class="button button-secondary" disabled=move || save.pending().get()>"Save payment method"</button>
                    </form>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn ChangeSection(s: Subscription, announce: impl Fn(Notice) + Copy + Send + Sync + 'static) -> impl IntoView {
    let subscription_id = s.id.clone();
    let plan = RwSignal::new(s.plan_id.clone());
    let quantity_text = RwSignal::new(s.quantity.to_string());
    let field_error = RwSignal::new(None::<(String, String)>);
    let failure = RwSignal::new(None::<String>);
    let current = (s.plan_id.clone(), s.quantity);
    // The inputs a preview was asked for travel with its answer, so a slow answer to an older
    // input is never shown as the preview of the current one.
    let wanted = Memo::new(move |_| {
        let quantity = quantity_text.get().trim().parse::<i64>().ok();
        quantity.map(|q| (plan.get(), q))
    });
    let sub_id = subscription_id.clone();
    let preview = Action::new(move |request: &(String, i64)| {
        let (sub_id, request) = (sub_id.clone(), request.clone());
        async move { (request.clone(), preview_subscription_change(sub_id, request.0, request.1).await) }
    });
    Effect::new(move |_| {
        field_error.set(None);
        failure.set(None);
        match wanted.get() {
            Some(request) if request != current => {
                preview.dispatch(request);
            }
            Some(_) => preview.value().set(None),
            None => field_error.set(Some(("quantity".into(), "Enter a whole number from 1 to 10000.".into()))),
        }
    });
    let shown = Memo::new(move |_| match (preview.value().get(), wanted.get()) {
        (Some((asked, Ok(p))), Some(now)) if asked == now => Some(p),
        _ => None,
    });
    Effect::new(move |_| {
        if let Some((asked, Err(e))) = preview.value().get()
            && Some(asked) == wanted.get_untracked()
        {
            match (e.field_message("quantity"), e.field_message("plan")) {
                (Some(m), _) => field_error.set(Some(("quantity".into(), m))),
                (_, Some(m)) => field_error.set(Some(("plan".into(), m))),
                _ => failure.set(Some(e.to_string())),
            }
        }
    });
    let confirm = Action::new(move |p: &ChangePreview| {
        let p = p.clone();
        let plan_id = plan.get_untracked();
        async move {
            let result = change_subscription(
                p.subscription_id.clone(),
                plan_id,
                p.quantity,
                p.version,
                p.due_now.minor,
                p.idempotency_key.clone(),
            )
            .await;
            match result {
                Ok(outcome) => announce(outcome_notice(&outcome, &p)),
                Err(e) => failure.set(Some(e.to_string())),
            }
        }
    });
    let field_message = move |name: &str| field_error.get().filter(|(f, _)| f == name).map(|(_, m)| m);
    let options = s.plan_options.clone();
    let has_plans = !options.is_empty();
    let quantity_label = format!("Number of {}s", s.unit_label);
    let interval = s.interval.label();
    view! {
        <section class="modal-section" aria-labelledby="change-heading">
            <h3 id="change-heading">"Change plan or quantity"</h3>
            <form class="form" on:submit=move |ev| {
                ev.prevent_default();
                if let Some(p) = shown.get_untracked() { confirm.dispatch(p); }
            }>
                {has_plans.then(|| view! {
                    <div class="field">
                        <label for="manage-plan">"Plan"</label>
                        <select id="manage-plan" prop:value=move || plan.get() on:change=move |ev| plan.set(event_target_value(&ev))
                            aria-invalid=move || field_message("plan").is_some().to_string() aria-describedby="manage-plan-error">
                            <option value=s.plan_id.clone()>{format!("{} — {} / {interval} (current)", s.plan_name, s.unit_amount.format())}</option>
                            {options.into_iter().map(|o| view! {
                                <option value=o.id>{format!("{} — {} / {interval}", o.name, o.unit_amount.format())}</option>
                            }).collect_view()}
                        </select>
                        <p id="manage-plan-error" class="field-error">{move || field_message("plan")}</p>
                    </div>
                })}
                {s.plan_kind.allows_quantity().then(|| view! {
                    <div class="field">
                        <label for="manage-quantity">{quantity_label}</label>
                        <input id="manage-quantity" type="number" min="1" max="10000" step="1" inputmode="numeric"
                            prop:value=move || quantity_text.get() on:input=move |ev| quantity_text.set(event_target_value(&ev))
                            aria-invalid=move || field_message("quantity").is_some().to_string() aria-describedby="manage-quantity-error"/>
                        <p id="manage-quantity-error" class="field-error">{move || field_message("quantity")}</p>
                    </div>
                })}
                <div class="preview" aria-live="polite">
                    {move || match shown.get() {
                        Some(p) => view! { <PreviewTable p interval/> }.into_any(),
                        None if preview.pending().get() => view! { <p class="muted">"Working out the price…"</p> }.into_any(),
                        None => view! { <p class="muted">"Change the plan or quantity to see what it costs."</p> }.into_any(),
                    }}
                </div>
                <p role="alert" class="form-alert" hidden=move || failure.get().is_none()>{move || failure.get()}</p>
                <button type="submit" class="button" disabled=move || shown.get().is_none() || confirm.pending().get()>
                    {move || match shown.get() {
                        _ if confirm.pending().get() => "Applying…".to_string(),
                        Some(p) if p.due_now.minor > 0 => format!("Confirm and pay {}", p.due_now.format()),
                        _ => "Confirm change".to_string(),
                    }}
                </button>
            </form>
        </section>
    }
}

#[component]
fn PreviewTable(p: ChangePreview, interval: &'static str) -> impl IntoView {
    let charged_to = p.method_label.clone().map(|m| format!(" to {m}")).unwrap_or_default();
    view! {
        <table class="data preview-table">
            <caption>{format!("If you change now ({} of {} days left in this period)", p.days_left, p.days_in_period)}</caption>
            <tbody>
                <tr><th scope="row">"Credit for unused time on the current items"</th><td class="num">{format!("−{}", p.credit.format())}</td></tr>
                <tr><th scope="row">{format!("{} for the rest of the period", describe(&p))}</th><td class="num">{p.charge.format()}</td></tr>
                {(p.fee.minor > 0).then(|| view! {
                    <tr><th scope="row">"Card fee"</th><td class="num">{p.fee.format()}</td></tr>
                })}
                {if p.due_now.minor > 0 {
                    view! { <tr class="total"><th scope="row">{format!("Charged now{charged_to}")}</th><td class="num" data-testid="due-now">{p.due_now.format()}</td></tr> }.into_any()
                } else {
                    view! { <tr class="total"><th scope="row">"Added to your credit balance"</th><td class="num">{p.credited.format()}</td></tr> }.into_any()
                }}
                {(p.due_now.minor == 0 && p.credited.minor < -p.net.minor).then(|| view! {
                    <tr><td colspan="2" class="form-note">
                        "Only time you have paid for is credited: this period's invoice is not paid in full yet, so the rest stays on it."
                    </td></tr>
                })}
                <tr><th scope="row">{format!("Then, from {}", format_date(p.next_renewal_date))}</th>
                    <td class="num">{format!("{} / {interval}", p.next_renewal_amount.format())}</td></tr>
            </tbody>
        </table>
    }
}

fn describe(p: &ChangePreview) -> String {
    if p.quantity > 1 { format!("{} × {}", p.quantity, p.plan_name) } else { p.plan_name.clone() }
}

fn outcome_notice(outcome: &ChangeOutcome, p: &ChangePreview) -> Notice {
    let renewal =
        format!("From {} it renews for {}.", format_date(p.next_renewal_date), outcome.next_renewal_amount.format());
    let invoice = outcome.invoice_number.clone().unwrap_or_default();
    match (&outcome.payment, &outcome.invoice_id) {
        (Some(PaymentResult::Paid { total, method_label, .. }), _) => Notice::ok(format!(
            "Changed to {}. {} was charged to {method_label} for invoice {invoice}. {renewal}",
            describe(p),
            total.format()
        )),
        (Some(PaymentResult::Declined { message, .. }), Some(id)) => Notice {
            ok: false,
            text: format!("The change is made, but the charge was declined: {message} Invoice {invoice} is open."),
            link: Some((format!("/pay?invoice={id}"), format!("Pay invoice {invoice}"))),
        },
        (Some(_), _) => Notice::ok(format!(
            "Changed to {}. We are confirming the charge for invoice {invoice}. {renewal}",
            describe(p)
        )),
        (None, _) if outcome.credited.minor > 0 => Notice::ok(format!(
            "Changed to {}. {} was added to your credit balance. {renewal}",
            describe(p),
            outcome.credited.format()
        )),
        (None, _) => Notice::ok(format!("Changed to {}. {renewal}", describe(p))),
    }
}

#[component]
fn EndSection(s: Subscription, announce: impl Fn(Notice) + Copy + Send + Sync + 'static) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let last_day = format_date(s.period_end.previous_day().unwrap_or(s.period_end));
    let id = s.id.clone();
    let ends = last_day.clone();
    let cancel = Action::new(move |reason: &String| {
        let (id, reason, ends) = (id.clone(), reason.clone(), ends.clone());
        async move {
            match cancel_subscription(id, reason).await {
                Ok(()) => announce(Notice::ok(format!(
                    "The subscription will end after {ends}. You can resume it until then."
                ))),
                Err(e) => error.set(Some(e.to_string())),
            }
        }
    });
    let id = s.id.clone();
    let resume = Action::new(move |_: &()| {
        let id = id.clone();
        async move {
            match resume_subscription(id).await {
                Ok(()) => announce(Notice::ok("The subscription is resumed and will renew as usual.")),
                Err(e) => error.set(Some(e.to_string())),
            }
        }
    });
    let alert = move || view! { <p role="alert" class="form-alert" hidden=move || error.get().is_none()>{move || error.get()}</p> };
    if s.cancel_at_period_end {
        view! {
            <section class="modal-section" aria-labelledby="end-heading">
                <h3 id="end-heading">"Set to end"</h3>
                <p>{format!("It stays active until the end of {last_day}, then ends. Resume it to keep it renewing.")}</p>
                {alert()}
                <button type="button" class="button" disabled=move || resume.pending().get() on:click=move |_| { resume.dispatch(()); }>
                    "Resume subscription"
                </button>
            </section>
        }
        .into_any()
    } else {
        view! {
            <section class="modal-section" aria-labelledby="end-heading">
                <h3 id="end-heading">"Cancel subscription"</h3>
                <p>{format!("It stays active until the end of {last_day}, then ends. Nothing more is charged, and the current period is not refunded.")}</p>
                <form class="form" on:submit=move |ev| { ev.prevent_default(); cancel.dispatch(reason.get_untracked()); }>
                    <div class="field">
                        <label for="cancel-reason">"Reason (optional)"</label>
                        <textarea id="cancel-reason" rows="2" maxlength="1000" prop:value=move || reason.get()
                            on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                    </div>
                    {alert()}
                    <button type="submit" class="button button-danger" disabled=move || cancel.pending().get()>"Cancel at period end"</button>
                </form>
            </section>
        }
        .into_any()
    }
}
