//! The signed-in person's password. Changing it ends their other sessions.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::auth::ChangePassword;
use crate::ui::components::staff_view::StaffViewLock;

#[component]
pub fn ProfilePage() -> impl IntoView {
    let changed = use_query_map().with_untracked(|query| query.get("changed").is_some());
    view! {
        <Title text="Password"/>
        <h1>"Password"</h1>
        <PasswordForm changed/>
    }
}

/// A plain form, no WASM: the server answers a change with this page saying it is done
/// (`?changed=1`) and a refusal with this page and the message at its field (`__err`, read by
/// the action). The passwords typed are not kept across it (the shell keeps text fields only).
#[component]
fn PasswordForm(changed: bool) -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let error = move || change.value().get().and_then(Result::err);
    let field_error = move |name: &'static str| error().and_then(|e| e.field_message(name));
    let form_error = move || error().and_then(|e| e.form_message());
    view! {
        <section class="card" aria-labelledby="password-heading">
            <header class="card-header"><h2 id="password-heading">"Change your password"</h2></header>
            <StaffViewLock what="Changing sign-in details">
                <ActionForm action=change attr:class="form" attr:novalidate=true>
                    <div role="alert" class="form-alert" hidden=move || form_error().is_none()>{form_error}</div>
                    <p role="status" class="notice notice-success" hidden=!changed>
                        "Password changed. You stay signed in here; every other session of yours has ended."
                    </p>
                    <div class="field">
                        <label for="current-password">"Current password"</label>
                        <input id="current-password" name="current_password" type="password" autocomplete="current-password" required
                            aria-invalid=move || field_error("current_password").is_some().to_string() aria-describedby="current-password-error"/>
                        <p id="current-password-error" class="field-error">{move || field_error("current_password")}</p>
                    </div>
                    <div class="field">
                        <label for="new-password">"New password"</label>
                        <input id="new-password" name="new_password" type="password" autocomplete="new-password" required
                            aria-invalid=move || field_error("new_password").is_some().to_string() aria-describedby="new-password-hint new-password-error"/>
                        <p id="new-password-hint" class="form-note">"At least 10 characters."</p>
                        <p id="new-password-error" class="field-error">{move || field_error("new_password")}</p>
                    </div>
                    <div class="actions">
                        <button type="submit" class="button">"Change password"</button>
                    </div>
                </ActionForm>
            </StaffViewLock>
        </section>
    }
}
