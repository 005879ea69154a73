use leptos::prelude::*;

use crate::wire::error::AppError;

/// How a page shows a failed load: each error says what the reader can do about it.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    let (title, detail, sign_in) = match &error {
        AppError::Unauthenticated => ("Your session has ended", "Sign in again to continue.".to_string(), true),
        AppError::NotFound => ("Not found", error.to_string(), false),
        AppError::Forbidden => ("Not available to your role", error.to_string(), false),
        _ => ("Something went wrong", error.to_string(), false),
    };
    view! {
        <section class="notice notice-error" role="alert">
            <h2>{title}</h2>
            <p>{detail}</p>
            {sign_in.then(|| view! { <a class="button" href="/login" rel="external">"Sign in"</a> })}
        </section>
    }
}
