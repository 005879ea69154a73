//! The prepaid credit balance (seed 003): the balance and what is blocked, "Add to credit
//! balance" with the fee shown before paying, the low-balance alert and automatic top-up, and
//! every movement of the balance.
//!
//! `/credit?amount=13.00#top-up` opens with that amount filled in (the service status's
//! "Add … to your credit balance" button).
//!
//! The balance, the service status and the history are rendered on the server (the history with
//! "Load more" appending older entries in place, `load_more::MoreRows`); only the two forms are
//! islands. One island holding the whole page, its twenty history rows included, was the longest
//! task of any page on a throttled phone (README, Performance). After a top-up the shell shows
//! those server-rendered parts again as the server now has them (`full_reload::refresh_parts`).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::no_access::NoBillingAccess;
use crate::api::credit::{credit_entries, get_credit_page, save_credit_settings, top_up_credit};
use crate::domain::billing_items::format_unix_time;
use crate::domain::credit::parse_amount;
use crate::domain::fees::{FeeSchedule, MethodQuote, quote};
use crate::domain::money::Money;
use crate::ui::components::error_notice::ErrorNotice;
use crate::ui::components::full_reload::refresh_parts;
use crate::ui::components::idempotency::new_idempotency_key;
use crate::ui::components::load_more::MoreRows;
use crate::ui::components::payment_result::{PaymentOutcome, quote_text};
use crate::ui::components::service_status::ServiceStatusPanel;
use crate::ui::components::staff_view::{StaffViewLock, provide_rendered_for, rendered_for};
use crate::wire::auth::RenderedFor;
use crate::wire::credit::{
    CreditEntriesPage, CreditEntryView, CreditPage as CreditPageData, CreditSettingsInput, CreditSettingsView,
    TopUpMethod,
};
use crate::wire::error::AppError;
use crate::wire::payments::PaymentResult;

/// What a top-up changes of the page rendered on the server: the balance, the service status
/// and the history, shown again (one fetch) once it is done.
const CHANGED_BY_TOP_UP: &str = "credit-balance-card service-status credit-history";

#[component]
pub fn CreditPage() -> impl IntoView {
    let query = use_query_map();
    let page = Resource::new_blocking(|| (), |_| get_credit_page());
    let history = Resource::new_blocking(move || query.read().get("after"), credit_entries);
    let prefill = query.get_untracked().get("amount").unwrap_or_default();
    view! {
        <Title text="Credit balance"/>
        <h1>"Credit balance"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading your credit balance…"</p> }>
            {move || Suspend::new({
                let prefill = prefill.clone();
                async move {
                    match page.await {
                        Ok(p) => {
                            let history = match history.await {
                                Ok(page) => view! { <History page/> }.into_any(),
                                Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                            };
                            view! { <CreditView p prefill/> {history} }.into_any()
                        }
                        Err(AppError::Forbidden) => view! { <NoBillingAccess/> }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                }
            })}
        </Suspense>
    }
}

/// The balance and the service status are rendered on the server; only the two forms are
/// islands, each taken over in its own task.
#[component]
fn CreditView(p: CreditPageData, prefill: String) -> impl IntoView {
    let CreditPageData { balance, status, settings, methods, schedule, idempotency_key } = p;
    view! {
        <section class="card balance-card" id="credit-balance-card" aria-labelledby="balance-title">
            <h2 id="balance-title" class="visually-hidden">"Balance"</h2>
            <p class="balance-label">"Available credit"</p>
            <p class="balance-amount" class:is-negative=balance.minor <= 0 data-testid="credit-balance">{balance.format()}</p>
            <p class="muted">"Message usage is drawn from this balance. Outbound messages stop when it reaches zero."</p>
        </section>
        <ServiceStatusPanel status/>
        <TopUp for_whom=rendered_for() methods=methods.clone() schedule prefill key=idempotency_key currency_balance=balance/>
        <CreditSettings for_whom=rendered_for() settings methods currency_balance=balance/>
    }
}

/// An island: "Add to credit balance" and the top-up's outcome. A top-up answered (paid,
/// pending or declined) has the page show what it changed, and takes a new idempotency key: the
/// next one is another payment.
#[island]
fn TopUp(
    for_whom: RenderedFor,
    methods: Vec<TopUpMethod>,
    schedule: FeeSchedule,
    /// `?amount=`: the top-up's amount to start from.
    prefill: String,
    key: String,
    currency_balance: Money,
) -> impl IntoView {
    provide_rendered_for(for_whom);
    let key = StoredValue::new(key);
    let top_up = Action::new(|(amount, method, key): &(String, String, String)| {
        let (amount, method, key) = (amount.clone(), method.clone(), key.clone());
        async move { top_up_credit(amount, method, key).await }
    });
    Effect::new(move |_| {
        if matches!(top_up.value().get(), Some(Ok(_))) {
            key.set_value(new_idempotency_key("idem"));
            refresh_parts(CHANGED_BY_TOP_UP);
        }
    });
    let outcome = move || match top_up.value().get() {
        Some(Ok(
            result @ (PaymentResult::Paid { .. }
            | PaymentResult::Pending { .. }
            | PaymentResult::AwaitingTransfer { .. }),
        )) => Some(view! { <PaymentOutcome result history_link=true/> }.into_any()),
        Some(Ok(PaymentResult::Declined { message, .. })) => Some(
            view! {
                <section class="notice notice-error" role="alert">
                    <h2>"The top-up did not go through"</h2>
                    <p>{message}</p>
                    <p>"Nothing was added or charged. Try another card or bank account."</p>
                </section>
            }
            .into_any(),
        ),
        _ => None,
    };
    view! {
        {outcome}
        <TopUpForm methods schedule prefill key top_up currency_balance/>
    }
}

/// An island: the low-balance alert and automatic top-up.
#[island]
fn CreditSettings(
    for_whom: RenderedFor,
    settings: CreditSettingsView,
    methods: Vec<TopUpMethod>,
    currency_balance: Money,
) -> impl IntoView {
    provide_rendered_for(for_whom);
    view! { <SettingsForm settings methods currency_balance/> }
}

type TopUpAction = Action<(String, String, String), Result<PaymentResult, AppError>>;

#[component]
fn TopUpForm(
    methods: Vec<TopUpMethod>,
    schedule: FeeSchedule,
    prefill: String,
    key: StoredValue<String>,
    top_up: TopUpAction,
    currency_balance: Money,
) -> impl IntoView {
    let currency = currency_balance.currency;
    let amount_text = RwSignal::new(prefill);
    let initial = methods.iter().find(|m| m.is_default).or(methods.first()).map(|m| m.id.clone());
    let selected = RwSignal::new(initial.clone());
    let methods = StoredValue::new(methods);
    let schedule = StoredValue::new(schedule);
    let amount = move || parse_amount(&amount_text.get(), currency).ok().filter(|m| m.minor > 0);
    let quote_for = move |kind| amount().map(|a| schedule.with_value(|s| quote(s, kind, a)));
    let selected_total = move || {
        let id = selected.get()?;
        let kind = methods.with_value(|all| all.iter().find(|m| m.id == id).map(|m| m.kind))?;
        match quote_for(kind)? {
            MethodQuote::Available { total, .. } => Some(total.format()),
            MethodQuote::Unavailable { .. } => None,
        }
    };
    let error = move || top_up.value().get().and_then(Result::err);
    let amount_error = move || error().and_then(|e| e.field_message("amount"));
    let form_error = move || error().filter(|e| e.field_message("amount").is_none()).map(|e| e.to_string());
    let pending = top_up.pending();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        if let Some(method) = selected.get_untracked() {
            top_up.dispatch((amount_text.get_untracked(), method, key.get_value()));
        }
    };
    let no_methods = methods.with_value(Vec::is_empty);
    view! {
        <section class="card" id="top-up" aria-labelledby="top-up-title">
            <h2 id="top-up-title">"Add to credit balance"</h2>
            {no_methods.then(|| view! {
                <p class="notice notice-info">"Add a card or bank account under " <a href="/payment-methods">"Payment methods"</a> " to top up."</p>
            })}
            <StaffViewLock what="Adding credit">
            <form class="form" novalidate on:submit=on_submit>
                <div class="field">
                    <label for="top-up-amount">{format!("Amount ({})", currency.code())}</label>
                    <input id="top-up-amount" name="amount" type="text" inputmode="decimal" autocomplete="off" required
                        value=amount_text.get_untracked() prop:value=move || amount_text.get()
                        on:input=move |ev| amount_text.set(event_target_value(&ev))
                        aria-invalid=move || amount_error().is_some().to_string() aria-describedby="top-up-amount-error top-up-amount-hint"/>
                    <p id="top-up-amount-hint" class="form-note">"Prepaid credit for message usage; a prepayment invoice is issued and paid at once."</p>
                    <p id="top-up-amount-error" class="field-error">{amount_error}</p>
                </div>
                <fieldset class="pay-options">
                    <legend>"Pay with"</legend>
                    {methods.get_value().into_iter().map(|m| {
                        let id = m.id.clone();
                        let input_id = format!("top-up-with-{}", m.id);
                        let checked = initial.as_deref() == Some(m.id.as_str());
                        let kind = m.kind;
                        view! {
                            <label class="pay-option" for=input_id.clone()>
                                <input type="radio" id=input_id.clone() name="method" value=m.id.clone() checked=checked
                                    on:change=move |_| selected.set(Some(id.clone()))/>
                                <span class="pay-option-text">
                                    <span class="pay-option-label">{m.label.clone()}</span>
                                    <span class="pay-option-detail">
                                        {move || quote_for(kind).map(|q| quote_text(&q)).unwrap_or_else(|| "Enter an amount to see the fee".into())}
                                    </span>
                                </span>
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                <div role="alert" class="form-alert" hidden=move || form_error().is_none()>{form_error}</div>
                <button type="submit" class="button" disabled=move || pending.get() || selected.read().is_none() || no_methods>
                    {move || if pending.get() {
                        "Paying…".to_string()
                    } else {
                        selected_total().map(|t| format!("Pay {t}")).unwrap_or_else(|| "Add credit".to_string())
                    }}
                </button>
            </form>
            </StaffViewLock>
        </section>
    }
}

fn major(m: Option<Money>) -> String {
    m.map(|m| m.as_decimal().to_string()).unwrap_or_default()
}

#[component]
fn SettingsForm(settings: CreditSettingsView, methods: Vec<TopUpMethod>, currency_balance: Money) -> impl IntoView {
    let code = currency_balance.currency.code();
    let alert = RwSignal::new(major(settings.alert_threshold));
    let auto = settings.auto_top_up.clone();
    let enabled = RwSignal::new(auto.is_some());
    let threshold = RwSignal::new(major(auto.as_ref().map(|a| a.threshold)));
    let amount = RwSignal::new(major(auto.as_ref().map(|a| a.amount)));
    let method = RwSignal::new(
        auto.as_ref()
            .map(|a| a.method_id.clone())
            .or_else(|| methods.first().map(|m| m.id.clone()))
            .unwrap_or_default(),
    );
    let save = Action::new(|input: &CreditSettingsInput| save_credit_settings(input.clone()));
    let error = move || save.value().get().and_then(Result::err);
    let field = move |name: &'static str| error().and_then(|e| e.field_message(name));
    let form_error = move || error().and_then(|e| e.form_message());
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(CreditSettingsInput {
            alert_threshold: alert.get_untracked(),
            auto_top_up: enabled.get_untracked(),
            auto_threshold: threshold.get_untracked(),
            auto_amount: amount.get_untracked(),
            auto_method_id: method.get_untracked(),
        });
    };
    let text_field = move |id: &'static str, label: String, hint: &'static str, value: RwSignal<String>| {
        let error_id = format!("{id}-error");
        let hint_id = format!("{id}-hint");
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input id=id name=id type="text" inputmode="decimal" autocomplete="off"
                    value=value.get_untracked() prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))
                    aria-invalid=move || field(id).is_some().to_string() aria-describedby=format!("{hint_id} {error_id}")/>
                <p id=hint_id class="form-note">{hint}</p>
                <p id=error_id class="field-error">{move || field(id)}</p>
            </div>
        }
    };
    view! {
        <section class="card" aria-labelledby="credit-settings-title">
            <h2 id="credit-settings-title">"Alerts and automatic top-up"</h2>
            <StaffViewLock what="Changing these settings">
            <form class="form" novalidate on:submit=on_submit>
                {text_field("alert_threshold", format!("Email me when the balance falls to ({code})"), "Leave empty for no alert. Billing contacts get the email.", alert)}
                <div class="field field-checkbox">
                    <input id="auto_top_up" type="checkbox" checked=enabled.get_untracked() prop:checked=move || enabled.get() on:change=move |ev| enabled.set(event_target_checked(&ev))/>
                    <label for="auto_top_up">"Top up automatically"</label>
                </div>
                <div hidden=move || !enabled.get()>
                    {text_field("auto_threshold", format!("When the balance falls to ({code})"), "The top-up is charged as soon as usage takes the balance to this amount.", threshold)}
                    {text_field("auto_amount", format!("Add ({code})"), "Card payments carry the usual card fee.", amount)}
                    <div class="field">
                        <label for="auto_method_id">"Charge"</label>
                        <select id="auto_method_id" on:change=move |ev| method.set(event_target_value(&ev))
                            aria-invalid=move || field("auto_method_id").is_some().to_string() aria-describedby="auto_method_id-error">
                            {methods.iter().map(|m| {
                                let id = m.id.clone();
                                view! { <option value=m.id.clone() selected=move || method.get() == id>{m.label.clone()}</option> }
                            }).collect_view()}
                        </select>
                        <p id="auto_method_id-error" class="field-error">{move || field("auto_method_id")}</p>
                    </div>
                </div>
                <div role="alert" class="form-alert" hidden=move || form_error().is_none()>{form_error}</div>
                <p role="status" class="form-success">{move || saved().then_some("Settings saved.")}</p>
                <button type="submit" class="button button-secondary" disabled=move || save.pending().get()>
                    {move || if save.pending().get() { "Saving…" } else { "Save settings" }}
                </button>
            </form>
            </StaffViewLock>
        </section>
    }
}

#[component]
fn History(page: CreditEntriesPage) -> impl IntoView {
    view! {
        <section class="card" id="credit-history" aria-labelledby="credit-history-title">
            <header class="card-header"><h2 id="credit-history-title">"Balance history"</h2></header>
            <div class="table-wrap">
                <table class="data">
                    <caption class="visually-hidden">"Every movement of the credit balance, newest first"</caption>
                    <thead><tr>
                        <th scope="col">"Date"</th>
                        <th scope="col">"Description"</th>
                        <th scope="col" class="num">"Amount"</th>
                        <th scope="col" class="num">"Balance"</th>
                    </tr></thead>
                    <tbody id="credit-rows">
                        {page.entries.into_iter().map(|e| view! { <HistoryRow e/> }).collect_view()}
                    </tbody>
                </table>
            </div>
            <MoreRows rows_id="credit-rows" next_cursor=page.next/>
        </section>
    }
}

#[component]
fn HistoryRow(e: CreditEntryView) -> impl IntoView {
    view! {
        <tr>
            <td data-label="Date">{format_unix_time(e.at)}</td>
            <td data-label="Description">
                <span class="item-title">{e.kind.label()}</span>
                <span class="muted item-detail">{e.description}</span>
            </td>
            <td data-label="Amount" class="num" class:is-credit={e.amount.minor > 0}>
                {if e.amount.minor > 0 { format!("+{}", e.amount.format()) } else { e.amount.format() }}
            </td>
            <td data-label="Balance" class="num">{e.balance_after.format()}</td>
        </tr>
    }
}
