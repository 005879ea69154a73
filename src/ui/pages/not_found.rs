use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found"/>
        <main id="main" class="page">
            <section class="notice">
                <h1>"Page not found"</h1>
                <p>"There is nothing at this address. It may have moved, or the link may be wrong."</p>
                <a class="button" href="/">"Go to your dashboard"</a>
            </section>
        </main>
    }
}
