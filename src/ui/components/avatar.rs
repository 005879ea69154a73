use leptos::prelude::*;

#[component]
pub fn Avatar(initials: String) -> impl IntoView {
    view! { <span class="avatar" aria-hidden="true">{initials}</span> }
}
