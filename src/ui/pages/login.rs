use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::auth::Login;

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let error = move || login.value().get().and_then(Result::err);
    let field_error = move |name: &'static str| error().and_then(|e| e.field_message(name));
    let form_error = move || error().and_then(|e| e.form_message());
    view! {
        <Title text="Sign in"/>
        <main id="main" class="auth-page">
            <div class="auth-card">
                <div class="brand brand-large">
                    <span class="brand-mark" aria-hidden="true">"P"</span>
                    <span>"Portico"</span>
                </div>
                <h1>"Sign in to your billing portal"</h1>
                <ActionForm action=login attr:class="form" attr:novalidate=true>
                    <input type="hidden" name="next" value=next/>
                    <div role="alert" class="form-alert" hidden=move || form_error().is_none()>
                        {form_error}
                    </div>
                    <div class="field">
                        <label for="email">"Email"</label>
                        <input
                            id="email"
                            name="email"
                            type="email"
                            autocomplete="username"
                            required
                            aria-invalid=move || field_error("email").is_some().to_string()
                            aria-describedby="email-error"
                        />
                        <p id="email-error" class="field-error">{move || field_error("email")}</p>
                    </div>
                    <div class="field">
                        <label for="password">"Password"</label>
                        <input
                            id="password"
                            name="password"
                            type="password"
                            autocomplete="current-password"
                            required
                            aria-invalid=move || field_error("password").is_some().to_string()
                            aria-describedby="password-error"
                        />
                        <p id="password-error" class="field-error">{move || field_error("password")}</p>
                    </div>
                    <button type="submit" class="button button-block" disabled=move || login.pending().get()>
                        {move || if login.pending().get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </ActionForm>
            </div>
        </main>
    }
}
