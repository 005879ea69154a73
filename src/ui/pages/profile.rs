//! The signed-in person's password. Changing it ends their other sessions.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::auth::ChangePassword;
use crate::ui::components::staff_view::{StaffViewLock, provide_rendered_for, rendered_for};
use crate::wire::auth::RenderedFor;

#[component]
pub fn ProfilePage() -> impl IntoView {
    view! {
        <Title text="Password"/>
        <h1>"Password"</h1>
        <PasswordForm for_whom=rendered_for()/>
    }
}

/// An island: the change is confirmed in place, which a plain form's redirect could not say.
#[island]
fn PasswordForm(for_whom: RenderedFor) -> impl IntoView {
    provide_rendered_for(for_whom);
    let change = ServerAction::<ChangePassword>::new();
    let error = move || change.value().get().and_then(Result::err);
    let done = move || matches!(change.value().get(), Some(Ok(())));
    let field_error = move |name: &'static str| error().and_then(|e| e.field_message(name));
    let form_error = move || error().and_then(|e| e.form_message());
    view! {
        <section class="card" aria-labelledby="password-heading">
            <header class="card-header"><h2 id="password-heading">"Change your password"</h2></header>
            <StaffViewLock what="Changing sign-in details">
                <ActionForm action=change attr:class="form" attr:novalidate=true>
                    <div role="alert" class="form-alert" hidden=move || form_error().is_none()>{form_error}</div>
                    <p role="status" class="notice notice-success" hidden=move || !done()>
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
                        <button type="submit" class="button" disabled=move || change.pending().get()>
                            {move || if change.pending().get() { "Saving…" } else { "Change password" }}
                        </button>
                    </div>
                </ActionForm>
            </StaffViewLock>
        </section>
    }
}
