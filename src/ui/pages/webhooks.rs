//! The agency console's webhooks (issue 18): where the vendor's systems hear about events, the
//! log of every delivery with a resend, and the origins portal sessions may return people to.

use crate::ui::components::form::select_all;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::webhooks::{
    create_webhook_endpoint, delete_webhook_endpoint, load_webhooks, resend_webhook_delivery, set_return_origins,
};
use crate::domain::billing_items::format_unix_time;
use crate::ui::components::badge::{Badge, Tone};
use crate::ui::components::empty_state::EmptyState;
use crate::ui::components::error_notice::ErrorNotice;
use crate::ui::components::staff_view::{StaffAdminLock, provide_rendered_for, rendered_for, staff_admin};
use crate::wire::auth::RenderedFor;
use crate::wire::webhooks::{CreatedEndpoint, WebhookDeliveryView, WebhookEndpointView, WebhooksPage};

/// Bumped after each change, so the page reloads as the server now has it.
type Changed = RwSignal<u32>;

#[component]
pub fn WebhooksPage() -> impl IntoView {
    view! {
        <Title text="Webhooks"/>
        <Webhooks for_whom=rendered_for()/>
    }
}

/// An island: the lists follow each change.
#[island]
fn Webhooks(for_whom: RenderedFor) -> impl IntoView {
    provide_rendered_for(for_whom);
    let changed: Changed = RwSignal::new(0);
    let page = Resource::new_blocking(move || changed.get(), |_| load_webhooks());
    let created = RwSignal::new(None::<CreatedEndpoint>);
    view! {
        <h1>"Webhooks"</h1>
        <p class="page-note">
            "Portico tells your systems what happened to your clients' billing (an invoice paid, a payment failed, a service blocked) by POSTing a signed JSON event to each endpoint that listens to it. "
            "Deliveries are retried for a day and arrive in order for each client; see the README's \u{201c}Connect your systems\u{201d} for how to check the signature."
        </p>
        <Transition fallback=|| view! { <p class="loading">"Loading webhooks…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <Loaded page changed created/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Loaded(page: WebhooksPage, changed: Changed, created: RwSignal<Option<CreatedEndpoint>>) -> impl IntoView {
    let WebhooksPage { endpoints, deliveries, event_types, return_origins, .. } = page;
    view! {
        <CreateEndpointForm event_types changed created/>
        <section class="card" aria-labelledby="endpoints-heading">
            <header class="card-header"><h2 id="endpoints-heading">"Endpoints"</h2></header>
            {if endpoints.is_empty() {
                view! { <EmptyState title="No endpoints yet" detail="Add the URL of the system that should hear about events."/> }.into_any()
            } else {
                view! { <EndpointsTable endpoints changed/> }.into_any()
            }}
        </section>
        <section class="card" aria-labelledby="deliveries-heading">
            <header class="card-header"><h2 id="deliveries-heading">"Delivery log"</h2></header>
            {if deliveries.is_empty() {
                view! { <EmptyState title="Nothing delivered yet" detail="Events appear here as they are sent to your endpoints."/> }.into_any()
            } else {
                view! { <DeliveriesTable deliveries changed/> }.into_any()
            }}
        </section>
        <ReturnOrigins origins=return_origins changed/>
    }
}

#[derive(Clone)]
struct NewEndpoint {
    url: String,
    description: String,
    events: Vec<String>,
}

#[component]
fn CreateEndpointForm(
    event_types: Vec<(String, String)>,
    changed: Changed,
    created: RwSignal<Option<CreatedEndpoint>>,
) -> impl IntoView {
    let url = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let all = RwSignal::new(true);
    let chosen = RwSignal::new(Vec::<String>::new());
    let create = Action::new(|input: &NewEndpoint| {
        let input = input.clone();
        create_webhook_endpoint(input.url, input.description, input.events)
    });
    Effect::new(move |_| {
        if let Some(Ok(endpoint)) = create.value().get() {
            created.set(Some(endpoint));
            url.set(String::new());
            description.set(String::new());
            changed.update(|n| *n += 1);
        }
    });
    let error = move || create.value().get().and_then(Result::err);
    let url_error = move || error().and_then(|e| e.field_message("url"));
    let events_error = move || error().and_then(|e| e.field_message("events"));
    let form_error = move || error().and_then(|e| e.form_message());
    view! {
        <section class="card" aria-labelledby="add-endpoint-heading">
            <header class="card-header"><h2 id="add-endpoint-heading">"Add an endpoint"</h2></header>
            <StaffAdminLock what="Adding and deleting webhook endpoints">
            <form
                class="form"
                novalidate
                on:submit=move |ev| {
                    ev.prevent_default();
                    created.set(None);
                    let events = if all.get_untracked() { vec!["*".to_string()] } else { chosen.get_untracked() };
                    create.dispatch(NewEndpoint { url: url.get_untracked(), description: description.get_untracked(), events });
                }
            >
                <div role="alert" class="form-alert" hidden=move || form_error().is_none()>{form_error}</div>
                <div class="field">
                    <label for="webhook-url">"Endpoint URL"</label>
                    <input
                        id="webhook-url"
                        type="url"
                        autocomplete="off"
                        placeholder="https://hooks.example.com/portico"
                        prop:value=url
                        on:input=move |ev| url.set(event_target_value(&ev))
                        aria-invalid=move || url_error().is_some().to_string()
                        aria-describedby="webhook-url-error"
                    />
                    <p id="webhook-url-error" class="field-error">{url_error}</p>
                </div>
                <div class="field">
                    <label for="webhook-description">"Description (optional)"</label>
                    <input
                        id="webhook-description"
                        type="text"
                        maxlength="200"
                        prop:value=description
                        on:input=move |ev| description.set(event_target_value(&ev))
                    />
                </div>
                <fieldset class="field">
                    <legend>"Events"</legend>
                    <label class="checkbox">
                        <input type="checkbox" checked=all.get_untracked() prop:checked=all on:change=move |ev| all.set(event_target_checked(&ev))/>
                        " All events, including ones added later"
                    </label>
                    <div class="event-choices" hidden=move || all.get()>
                        {event_types.into_iter().map(|(name, meaning)| {
                            let value = name.clone();
                            view! {
                                <label class="checkbox">
                                    <input
                                        type="checkbox"
                                        value=name.clone()
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            let value = value.clone();
                                            chosen.update(|list| {
                                                list.retain(|v| *v != value);
                                                if on { list.push(value); }
                                            });
                                        }
                                    />
                                    " "<code>{name}</code>" — "{meaning}
                                </label>
                            }
                        }).collect_view()}
                    </div>
                    <p class="field-error">{events_error}</p>
                </fieldset>
                <div class="actions">
                    <button type="submit" class="button" disabled=move || create.pending().get()>
                        {move || if create.pending().get() { "Adding…" } else { "Add endpoint" }}
                    </button>
                </div>
            </form>
            </StaffAdminLock>
            {move || created.get().map(|endpoint| view! { <NewSecret endpoint created/> })}
        </section>
    }
}

/// The signing secret, this once.
#[component]
fn NewSecret(endpoint: CreatedEndpoint, created: RwSignal<Option<CreatedEndpoint>>) -> impl IntoView {
    view! {
        <div class="notice notice-success" role="status">
            <p>
                <strong>{format!("Endpoint {} added. ", endpoint.endpoint.url)}</strong>
                "Copy its signing secret into the receiving system now: it is shown only this once."
            </p>
            <div class="field payment-link">
                <label for="new-webhook-secret">"Signing secret"</label>
                <input id="new-webhook-secret" type="text" readonly prop:value=endpoint.secret.clone() value=endpoint.secret on:focus=select_all/>
            </div>
            <div class="actions">
                <button type="button" class="button button-secondary button-small" on:click=move |_| created.set(None)>
                    "I have copied it"
                </button>
            </div>
        </div>
    }
}

#[component]
fn EndpointsTable(endpoints: Vec<WebhookEndpointView>, changed: Changed) -> impl IntoView {
    let delete = Action::new(|id: &String| delete_webhook_endpoint(id.clone()));
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            delete.value().set(None);
            changed.update(|n| *n += 1);
        }
    });
    let admin = staff_admin();
    let failed = move || delete.value().get().and_then(Result::err).map(|e| e.to_string());
    view! {
        <p role="alert" class="field-error">{failed}</p>
        <div class="table-wrap">
            <table class="data">
                <caption class="visually-hidden">"Webhook endpoints"</caption>
                <thead><tr>
                    <th scope="col">"URL"</th>
                    <th scope="col">"Events"</th>
                    <th scope="col">"Added (UTC)"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr></thead>
                <tbody>
                    {endpoints.into_iter().map(|e| {
                        let id = e.id.clone();
                        let events = if e.events == ["*"] { "All events".to_string() } else { e.events.join(", ") };
                        let label = format!("Delete endpoint {}", e.url);
                        view! {
                            <tr>
                                <td data-label="URL"><span class="reference">{e.url.clone()}</span><br/><span class="muted">{e.description.clone()}</span></td>
                                <td data-label="Events">{events}</td>
                                <td data-label="Added (UTC)">{format_unix_time(e.created_at)}</td>
                                <td data-label="Actions">
                                    <button
                                        type="button"
                                        class="button button-secondary button-small"
                                        aria-label=label
                                        disabled=move || !admin || delete.pending().get()
                                        on:click=move |_| { delete.dispatch(id.clone()); }
                                    >"Delete"</button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn DeliveriesTable(deliveries: Vec<WebhookDeliveryView>, changed: Changed) -> impl IntoView {
    let resend = Action::new(|id: &String| resend_webhook_delivery(id.clone()));
    Effect::new(move |_| {
        if let Some(Ok(())) = resend.value().get() {
            resend.value().set(None);
            changed.update(|n| *n += 1);
        }
    });
    let admin = staff_admin();
    let failed = move || resend.value().get().and_then(Result::err).map(|e| e.to_string());
    view! {
        <p role="alert" class="field-error">{failed}</p>
        <div class="table-wrap">
            <table class="data">
                <caption class="visually-hidden">"The latest deliveries, newest first"</caption>
                <thead><tr>
                    <th scope="col">"Event"</th>
                    <th scope="col">"Client"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Answer"</th>
                    <th scope="col">"Time (UTC)"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr></thead>
                <tbody>
                    {deliveries.into_iter().map(|d| {
                        let id = d.id.clone();
                        let (label, tone) = match d.status.as_str() {
                            "succeeded" => ("Delivered", Tone::Good),
                            "failed" => ("Gave up", Tone::Danger),
                            _ if d.attempts > 0 => ("Retrying", Tone::Warning),
                            _ => ("Pending", Tone::Neutral),
                        };
                        let answer = match (d.last_status_code, &d.last_error) {
                            (Some(code), _) => format!("HTTP {code}"),
                            (None, Some(error)) => error.clone(),
                            (None, None) => "—".into(),
                        };
                        let when = format_unix_time(d.delivered_at.unwrap_or(d.created_at));
                        let attempts = format!("{} attempt{}", d.attempts, if d.attempts == 1 { "" } else { "s" });
                        let resend_label = format!("Resend {} to {}", d.event_type, d.endpoint_url);
                        view! {
                            <tr>
                                <td data-label="Event"><code>{d.event_type.clone()}</code><br/><span class="muted reference">{d.event_id.clone()}</span></td>
                                <td data-label="Client">{d.account_name.clone()}</td>
                                <td data-label="Status"><Badge label tone/><br/><span class="muted">{attempts}</span></td>
                                <td data-label="Answer">{answer}</td>
                                <td data-label="Time (UTC)">{when}</td>
                                <td data-label="Actions">
                                    <button
                                        type="button"
                                        class="button button-secondary button-small"
                                        aria-label=resend_label
                                        disabled=move || !admin || resend.pending().get()
                                        on:click=move |_| { resend.dispatch(id.clone()); }
                                    >"Resend"</button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn ReturnOrigins(origins: Vec<String>, changed: Changed) -> impl IntoView {
    let text = RwSignal::new(origins.join("\n"));
    let save = Action::new(|origins: &String| set_return_origins(origins.clone()));
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            text.set(saved.join("\n"));
            changed.update(|n| *n += 1);
        }
    });
    let error = move || save.value().get().and_then(Result::err).map(|e| e.to_string());
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    view! {
        <section class="card" aria-labelledby="origins-heading">
            <header class="card-header"><h2 id="origins-heading">"Return origins"</h2></header>
            <p class="page-note">
                "A portal session made by your app may send the person back to a URL on one of these origins with a \u{201c}Back to\u{201d} link. One per line: https://, or http:// for localhost."
            </p>
            <StaffAdminLock what="Changing return origins">
            <form class="form" novalidate on:submit=move |ev| { ev.prevent_default(); save.dispatch(text.get_untracked()); }>
                <div class="field">
                    <label for="return-origins">"Origins"</label>
                    <textarea
                        id="return-origins"
                        rows="4"
                        inner_html=html_escape::encode_text(&text.get_untracked()).into_owned()
                        prop:value=text
                        on:input=move |ev| text.set(event_target_value(&ev))
                        aria-invalid=move || error().is_some().to_string()
                        aria-describedby="return-origins-error"
                    ></textarea>
                    <p id="return-origins-error" class="field-error" role="alert">{error}</p>
                </div>
                <div class="actions">
                    <button type="submit" class="button" disabled=move || save.pending().get()>"Save origins"</button>
                    <span role="status" class="muted">{move || saved().then_some("Saved.")}</span>
                </div>
            </form>
            </StaffAdminLock>
        </section>
    }
}
