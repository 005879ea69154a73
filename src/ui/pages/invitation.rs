//! Where an invitation link lands: the invitee sees which team invites them, sets a name and
//! password (or confirms their existing password), and is signed in to that account.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::team::{AcceptInvitation, view_invitation};
use crate::wire::team::InvitationView;

#[component]
pub fn InvitationPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let invitation = Resource::new_blocking(token, view_invitation);
    view! {
        <Title text="Join your team"/>
        <main id="main" class="auth-page">
            <div class="auth-card">
                <div class="brand brand-large">
                    <span class="brand-mark" aria-hidden="true">"P"</span>
                    <span>"Portico"</span>
                </div>
                <Suspense fallback=|| view! { <p class="loading">"Loading the invitation…"</p> }>
                    {move || Suspend::new(async move {
                        match invitation.await {
                            Ok(i) => view! { <AcceptForm i token=token()/> }.into_any(),
                            Err(e) => view! {
                                <h1>"This invitation can't be used"</h1>
                                <p>{e.to_string()}</p>
                                <a class="button" href="/login">"Go to sign in"</a>
                            }.into_any(),
                        }
                    })}
                </Suspense>
            </div>
        </main>
    }
}

#[component]
fn AcceptForm(i: InvitationView, token: String) -> impl IntoView {
    let accept = ServerAction::<AcceptInvitation>::new();
    let error = move || accept.value().get().and_then(Result::err);
    let field_error = move |name: &'static str| error().and_then(|e| e.field_message(name));
    let form_error = move || error().and_then(|e| e.form_message());
    let new_user = i.new_user;
    view! {
        <h1>{format!("Join {}", i.account_name)}</h1>
        <p>{format!("{} invited {} to join as {}.", i.invited_by, i.email, i.role.label().to_lowercase())}</p>
        <ActionForm action=accept attr:class="form" attr:novalidate=true>
            <input type="hidden" name="token" value=token/>
            <div role="alert" class="form-alert" hidden=move || form_error().is_none()>{form_error}</div>
            {if new_user {
                view! {
                    <div class="field">
                        <label for="name">"Your name"</label>
                        <input id="name" name="name" type="text" autocomplete="name" required
                            aria-invalid=move || field_error("name").is_some().to_string() aria-describedby="name-error"/>
                        <p id="name-error" class="field-error">{move || field_error("name")}</p>
                    </div>
                }.into_any()
            } else {
                view! { <input type="hidden" name="name" value=""/> }.into_any()
            }}
            <div class="field">
                <label for="password">{if new_user { "Choose a password" } else { "Your password" }}</label>
                <input id="password" name="password" type="password"
                    autocomplete=if new_user { "new-password" } else { "current-password" } required
                    aria-invalid=move || field_error("password").is_some().to_string() aria-describedby="password-error password-hint"/>
                <p id="password-hint" class="form-note">
                    {if new_user { "At least 10 characters." } else { "You already have a sign-in with this email: confirm it's you." }}
                </p>
                <p id="password-error" class="field-error">{move || field_error("password")}</p>
            </div>
            <button type="submit" class="button button-block" disabled=move || accept.pending().get()>
                {move || if accept.pending().get() { "Joining…" } else { "Join the team" }}
            </button>
        </ActionForm>
    }
}
