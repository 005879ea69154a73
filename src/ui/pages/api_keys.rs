//! The agency console's API keys (issue 7): one per system of the vendor's that talks to the
//! operator API. A new key is shown once; revoking one stops it at once.

use crate::ui::components::form::select_all;
use crate::ui::components::staff_view::{StaffAdminLock, provide_rendered_for, rendered_for};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::api_keys::{create_api_key, list_api_keys, revoke_api_key};
use crate::domain::api_key::masked;
use crate::domain::billing_items::format_unix_time;
use crate::ui::components::badge::{Badge, Tone};
use crate::ui::components::empty_state::EmptyState;
use crate::ui::components::error_notice::ErrorNotice;
use crate::ui::components::modal::Modal;
use crate::wire::api_keys::{ApiKeyRow, CreatedApiKey};
use crate::wire::auth::RenderedFor;

/// Bumped after each change, so the list reloads as the server now has it.
type Changed = RwSignal<u32>;

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    view! {
        <Title text="API keys"/>
        <ApiKeys for_whom=rendered_for()/>
    }
}

/// An island: the list follows each key created or revoked.
#[island]
fn ApiKeys(for_whom: RenderedFor) -> impl IntoView {
    provide_rendered_for(for_whom);
    let changed: Changed = RwSignal::new(0);
    let keys = Resource::new_blocking(move || changed.get(), |_| list_api_keys());
    let created = RwSignal::new(None::<CreatedApiKey>);
    let revoking = RwSignal::new(None::<ApiKeyRow>);
    view! {
        <h1>"API keys"</h1>
        <p class="page-note">
            "Your systems use an API key to report message usage, read a client's service status and adjust credit through the "
            <a href="/api/operator/v1/openapi.json">"operator API"</a>
            ". A key reaches every client account of your agency: give each system its own, and revoke it when the system no longer needs it."
        </p>
        <CreateKeyForm changed created/>
        <section class="card" aria-labelledby="keys-heading">
            <header class="card-header"><h2 id="keys-heading">"Keys"</h2></header>
            <Transition fallback=|| view! { <p class="loading">"Loading keys…"</p> }>
                {move || Suspend::new(async move {
                    match keys.await {
                        Ok(rows) if rows.is_empty() => view! {
                            <EmptyState title="No API keys yet" detail="Create one above for the first system that reports usage."/>
                        }.into_any(),
                        Ok(rows) => view! { <KeysTable rows revoking/> }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <RevokeDialog revoking changed/>
    }
}

#[component]
fn CreateKeyForm(changed: Changed, created: RwSignal<Option<CreatedApiKey>>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let create = Action::new(|name: &String| create_api_key(name.clone()));
    Effect::new(move |_| {
        if let Some(Ok(key)) = create.value().get() {
            created.set(Some(key));
            name.set(String::new());
            changed.update(|n| *n += 1);
        }
    });
    let error = move || create.value().get().and_then(Result::err);
    let field_error = move || error().and_then(|e| e.field_message("name"));
    let form_error = move || error().and_then(|e| e.form_message());
    view! {
        <section class="card" aria-labelledby="create-key-heading">
            <header class="card-header"><h2 id="create-key-heading">"Create a key"</h2></header>
            <StaffAdminLock what="Creating and revoking API keys">
            <form
                class="form"
                novalidate
                on:submit=move |ev| {
                    ev.prevent_default();
                    created.set(None);
                    create.dispatch(name.get_untracked());
                }
            >
                <div role="alert" class="form-alert" hidden=move || form_error().is_none()>{form_error}</div>
                <div class="field">
                    <label for="api-key-name">"Name"</label>
                    <input
                        id="api-key-name"
                        type="text"
                        autocomplete="off"
                        maxlength="80"
                        placeholder="Billing sync"
                        prop:value=name
                        on:input=move |ev| name.set(event_target_value(&ev))
                        aria-invalid=move || field_error().is_some().to_string()
                        aria-describedby="api-key-name-note api-key-name-error"
                    />
                    <p id="api-key-name-note" class="form-note">"Which system uses it, so you know what stops when you revoke it."</p>
                    <p id="api-key-name-error" class="field-error">{field_error}</p>
                </div>
                <div class="actions">
                    <button type="submit" class="button" disabled=move || create.pending().get()>
                        {move || if create.pending().get() { "Creating…" } else { "Create key" }}
                    </button>
                </div>
            </form>
            </StaffAdminLock>
            {move || created.get().map(|key| view! { <NewKey key created/> })}
        </section>
    }
}

/// The whole key, this once: only its hash is kept, so it cannot be shown again.
#[component]
fn NewKey(key: CreatedApiKey, created: RwSignal<Option<CreatedApiKey>>) -> impl IntoView {
    view! {
        <div class="notice notice-success" role="status">
            <p>
                <strong>{format!("Key \u{201c}{}\u{201d} created. ", key.key.name)}</strong>
                "Copy it now and store it where the system reads its secrets: it is shown only this once."
            </p>
            <div class="field payment-link">
                <label for="new-api-key">"API key"</label>
                <input id="new-api-key" type="text" readonly prop:value=key.secret.clone() value=key.secret on:focus=select_all/>
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
fn KeysTable(rows: Vec<ApiKeyRow>, revoking: RwSignal<Option<ApiKeyRow>>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data">
                <caption class="visually-hidden">"API keys, active first"</caption>
                <thead><tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Key"</th>
                    <th scope="col">"Created"</th>
                    <th scope="col">"Last used (UTC)"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|k| view! { <KeyRow k revoking/> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn KeyRow(k: ApiKeyRow, revoking: RwSignal<Option<ApiKeyRow>>) -> impl IntoView {
    let created = format!("{} UTC", format_unix_time(k.created_at));
    let by = k.created_by.clone().map(|n| format!("by {n}")).unwrap_or_default();
    let last_used = k.last_used_at.map(format_unix_time).unwrap_or_else(|| "Never".into());
    let status = match k.revoked_at {
        Some(at) => {
            let who = k.revoked_by.clone().map(|n| format!(" by {n}")).unwrap_or_default();
            view! { <Badge label="Revoked" tone=Tone::Neutral/><br/><span class="muted">{format!("{} UTC{who}", format_unix_time(at))}</span> }.into_any()
        }
        None => view! { <Badge label="Active" tone=Tone::Good/> }.into_any(),
    };
    let active = k.revoked_at.is_none();
    // Support staff see the keys; only admins revoke them (the server refuses them too).
    let admin = crate::ui::components::staff_view::staff_admin();
    let label = format!("Revoke {}", k.name);
    let row = k.clone();
    view! {
        <tr>
            <td data-label="Name"><strong>{k.name.clone()}</strong></td>
            <td data-label="Key"><span class="reference key-prefix">{masked(&k.prefix)}</span></td>
            <td data-label="Created">{created}<br/><span class="muted">{by}</span></td>
            <td data-label="Last used (UTC)">{last_used}</td>
            <td data-label="Status">{status}</td>
            <td data-label="Actions">
                {active.then(|| view! {
                    <button
                        type="button"
                        class="button button-secondary button-small"
                        aria-label=label
                        disabled=move || !admin
                        on:click=move |_| revoking.set(Some(row.clone()))
                    >"Revoke"</button>
                })}
            </td>
        </tr>
    }
}

/// Asks before revoking: the systems using the key stop working at once.
#[component]
fn RevokeDialog(revoking: RwSignal<Option<ApiKeyRow>>, changed: Changed) -> impl IntoView {
    let open = RwSignal::new(false);
    let revoke = Action::new(|id: &String| revoke_api_key(id.clone()));
    // The dialog is open exactly while a key is chosen; each side is only written when it
    // differs, so the two effects settle instead of waking each other.
    Effect::new(move |_| {
        let chosen = revoking.with(Option::is_some);
        if chosen && !open.get_untracked() {
            revoke.value().set(None);
        }
        if open.get_untracked() != chosen {
            open.set(chosen);
        }
    });
    Effect::new(move |_| {
        if !open.get() && revoking.with_untracked(Option::is_some) {
            revoking.set(None);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = revoke.value().get() {
            revoke.value().set(None);
            revoking.set(None);
            changed.update(|n| *n += 1);
        }
    });
    let failed = move || revoke.value().get().and_then(Result::err).map(|e| e.to_string());
    view! {
        <Modal open labelled_by="revoke-title">
            <div class="modal-body">
                {move || revoking.get().map(|k| {
                    let id = k.id.clone();
                    view! {
                        <h2 id="revoke-title">{format!("Revoke \u{201c}{}\u{201d}?", k.name)}</h2>
                        <p>
                            {format!("Systems using {} stop reaching the operator API at once: their next request is refused. ", masked(&k.prefix))}
                            "This cannot be undone; create a new key to give a system access again."
                        </p>
                        <p role="alert" class="field-error">{failed}</p>
                        <div class="actions modal-footer">
                            <button type="button" class="button button-secondary" on:click=move |_| open.set(false)>"Cancel"</button>
                            <button
                                type="button"
                                class="button button-danger"
                                disabled=move || revoke.pending().get()
                                on:click=move |_| { revoke.dispatch(id.clone()); }
                            >
                                {move || if revoke.pending().get() { "Revoking…" } else { "Revoke key" }}
                            </button>
                        </div>
                    }
                })}
            </div>
        </Modal>
    }
}
