//! The account's team (seeds 000, 002, 004): who has which role, invitations by email, role
//! changes and removals. Owners and admins manage it; only owners manage owners.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::team::{change_member_role, get_team, invite_member, remove_member, revoke_invitation};
use crate::domain::billing_items::format_unix_date;
use crate::domain::role::Role;
use crate::ui::components::error_notice::ErrorNotice;
use crate::ui::components::staff_view::{StaffViewLock, provide_rendered_for, rendered_for};
use crate::wire::auth::RenderedFor;
use crate::wire::team::{PendingInvitation, Team, TeamMember};

/// Bumped after each change, so the team reloads as the server now has it.
type Changed = RwSignal<u32>;

#[component]
pub fn TeamPage() -> impl IntoView {
    view! {
        <Title text="Team"/>
        <TeamManager for_whom=rendered_for()/>
    }
}

/// An island: the team follows each change.
#[island]
fn TeamManager(for_whom: RenderedFor) -> impl IntoView {
    provide_rendered_for(for_whom);
    let changed: Changed = RwSignal::new(0);
    // Outlives the reload that follows an invitation, which rebuilds the form.
    let sent = RwSignal::new(None::<String>);
    let team = Resource::new_blocking(move || changed.get(), |_| get_team());
    view! {
        <h1>"Team"</h1>
        <Transition fallback=|| view! { <p class="loading">"Loading the team…"</p> }>
            {move || Suspend::new(async move {
                match team.await {
                    Ok(team) => view! { <TeamView team changed sent/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn roles_for(you: Role) -> Vec<Role> {
    Role::ALL.into_iter().filter(|r| *r != Role::Owner || you == Role::Owner).collect()
}

fn role_help(role: Role) -> &'static str {
    match role {
        Role::Owner => "everything, including owners",
        Role::Admin => "billing and the team",
        Role::BillingManager => "billing: invoices, payments, methods, subscriptions",
        Role::Member => "no billing access",
    }
}

#[component]
fn TeamView(team: Team, changed: Changed, sent: RwSignal<Option<String>>) -> impl IntoView {
    let manages = team.your_role.can_manage_team();
    let you = team.your_role;
    view! {
        {team.read_only.then(|| view! {
            <p class="notice notice-info">"You are viewing as the client: managing the team stays with the client's own people."</p>
        })}
        <p class="page-note">
            {format!("People in {}. ", team.account_name)}
            "Owners and admins manage the team; only an owner can make or change an owner, and the account always keeps one."
        </p>
        <section class="card" aria-labelledby="members-heading">
            <header class="card-header"><h2 id="members-heading">"Members"</h2></header>
            <div class="table-wrap">
                <table class="data">
                    <caption class="visually-hidden">"Team members"</caption>
                    <thead><tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Role"</th>
                        {manages.then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}
                    </tr></thead>
                    <tbody>
                        {team.members.into_iter().map(|m| view! { <MemberRow m manages you changed/> }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
        {manages.then(|| view! {
            <StaffViewLock what="Managing the team" quiet=true>
                <InviteForm you changed sent/>
            </StaffViewLock>
        })}
        {(!team.invitations.is_empty()).then(|| view! { <Invitations invitations=team.invitations.clone() manages changed/> })}
    }
}

#[component]
fn MemberRow(m: TeamMember, manages: bool, you: Role, changed: Changed) -> impl IntoView {
    let role = RwSignal::new(m.role);
    let error = RwSignal::new(None::<String>);
    let user_id = m.user_id.clone();
    let save = Action::new(move |to: &Role| {
        let (user_id, to) = (user_id.clone(), *to);
        async move { change_member_role(user_id, to).await }
    });
    let user_id = m.user_id.clone();
    let remove = Action::new(move |_: &()| {
        let user_id = user_id.clone();
        async move { remove_member(user_id).await }
    });
    Effect::new(move |_| {
        let outcome = save.value().get().or_else(|| remove.value().get());
        match outcome {
            Some(Ok(())) => changed.update(|n| *n += 1),
            Some(Err(e)) => error.set(Some(e.to_string())),
            None => {}
        }
    });
    let select_id = format!("role-{}", m.user_id);
    let error_id = format!("role-error-{}", m.user_id);
    let name = m.name.clone();
    let can_touch = manages && (m.role != Role::Owner || you == Role::Owner);
    view! {
        <tr>
            <td data-label="Name">
                <strong>{m.name.clone()}</strong>{m.is_you.then_some(" (you)")}<br/>
                <span class="muted">{m.email.clone()}</span>
            </td>
            <td data-label="Role">
                {if can_touch {
                    view! {
                        <StaffViewLock what="Changing roles" quiet=true>
                            <label class="visually-hidden" for=select_id.clone()>{format!("Role of {name}")}</label>
                            <select
                                id=select_id.clone()
                                aria-describedby=error_id.clone()
                                on:change=move |ev| {
                                    if let Ok(r) = event_target_value(&ev).parse::<Role>() { role.set(r); }
                                }
                            >
                                {roles_for(you).into_iter().map(|r| view! {
                                    <option value=r.as_str() selected=r == m.role>{r.label()}</option>
                                }).collect_view()}
                            </select>
                            <p id=error_id.clone() class="field-error" role="alert">{move || error.get()}</p>
                        </StaffViewLock>
                    }.into_any()
                } else {
                    view! { <span>{m.role.label()}</span><br/><span class="muted">{role_help(m.role)}</span> }.into_any()
                }}
            </td>
            {manages.then(|| view! {
                <td data-label="Actions">
                    {can_touch.then(|| view! {
                        <StaffViewLock what="Changing the team" quiet=true>
                            <div class="action-group">
                                <button
                                    type="button"
                                    class="button button-secondary button-small"
                                    aria-label=format!("Save role of {}", m.name)
                                    disabled=move || save.pending().get() || role.get() == m.role
                                    on:click=move |_| { error.set(None); save.dispatch(role.get_untracked()); }
                                >"Save role"</button>
                                <button
                                    type="button"
                                    class="button button-secondary button-small"
                                    aria-label=format!("Remove {}", m.name)
                                    disabled=move || remove.pending().get()
                                    on:click=move |_| { error.set(None); remove.dispatch(()); }
                                >"Remove"</button>
                            </div>
                        </StaffViewLock>
                    })}
                </td>
            })}
        </tr>
    }
}

#[component]
fn InviteForm(you: Role, changed: Changed, sent: RwSignal<Option<String>>) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Member);
    let invite = Action::new(move |(email, role): &(String, Role)| {
        let (email, role) = (email.clone(), *role);
        async move { invite_member(email, role).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(invitation)) = invite.value().get() {
            sent.set(Some(format!("Invitation sent to {}. The link works for 7 days.", invitation.email)));
            email.set(String::new());
            changed.update(|n| *n += 1);
        }
    });
    let error = move || invite.value().get().and_then(Result::err);
    let field_error = move |name: &str| error().and_then(|e| e.field_message(name));
    let form_error = move || error().and_then(|e| e.form_message());
    view! {
        <section class="card" aria-labelledby="invite-heading">
            <header class="card-header"><h2 id="invite-heading">"Invite someone"</h2></header>
            <form
                class="form"
                novalidate
                on:submit=move |ev| {
                    ev.prevent_default();
                    sent.set(None);
                    invite.dispatch((email.get_untracked(), role.get_untracked()));
                }
            >
                <div role="alert" class="form-alert" hidden=move || form_error().is_none()>{form_error}</div>
                <p role="status" class="notice notice-success" hidden=move || sent.get().is_none()>{move || sent.get()}</p>
                <div class="field-row">
                    <div class="field">
                        <label for="invite-email">"Email"</label>
                        <input
                            id="invite-email"
                            type="email"
                            autocomplete="off"
                            prop:value=email
                            on:input=move |ev| email.set(event_target_value(&ev))
                            aria-invalid=move || field_error("email").is_some().to_string()
                            aria-describedby="invite-email-error"
                        />
                        <p id="invite-email-error" class="field-error">{move || field_error("email")}</p>
                    </div>
                    <div class="field">
                        <label for="invite-role">"Role"</label>
                        <select
                            id="invite-role"
                            aria-describedby="invite-role-error"
                            on:change=move |ev| { if let Ok(r) = event_target_value(&ev).parse::<Role>() { role.set(r); } }
                        >
                            {roles_for(you).into_iter().map(|r| view! {
                                <option value=r.as_str() selected=r == Role::Member>{format!("{} — {}", r.label(), role_help(r))}</option>
                            }).collect_view()}
                        </select>
                        <p id="invite-role-error" class="field-error">{move || field_error("role")}</p>
                    </div>
                </div>
                <div class="actions">
                    <button type="submit" class="button" disabled=move || invite.pending().get()>
                        {move || if invite.pending().get() { "Sending…" } else { "Send invitation" }}
                    </button>
                </div>
            </form>
        </section>
    }
}

#[component]
fn Invitations(invitations: Vec<PendingInvitation>, manages: bool, changed: Changed) -> impl IntoView {
    let revoke = Action::new(|id: &String| {
        let id = id.clone();
        async move { revoke_invitation(id).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = revoke.value().get() {
            changed.update(|n| *n += 1);
        }
    });
    let failed = move || revoke.value().get().and_then(Result::err).map(|e| e.to_string());
    view! {
        <section class="card" aria-labelledby="invitations-heading">
            <header class="card-header"><h2 id="invitations-heading">"Pending invitations"</h2></header>
            <div role="alert" class="form-alert" hidden=move || failed().is_none()>{failed}</div>
            <ul class="stack">
                {invitations.into_iter().map(|i| {
                    let id = i.id.clone();
                    view! {
                        <li class="stack-item">
                            <div class="stack-main">
                                <span class="item-title">{i.email.clone()}</span>
                                <span class="item-sub">{format!("{} · invited by {} · expires {}", i.role.label(), i.invited_by, format_unix_date(i.expires_at))}</span>
                            </div>
                            {manages.then(|| view! {
                                <StaffViewLock what="Changing the team" quiet=true>
                                    <button
                                        type="button"
                                        class="button button-secondary button-small"
                                        aria-label=format!("Revoke invitation to {}", i.email)
                                        disabled=move || revoke.pending().get()
                                        on:click=move |_| { revoke.dispatch(id.clone()); }
                                    >"Revoke"</button>
                                </StaffViewLock>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
