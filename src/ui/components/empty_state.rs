use leptos::prelude::*;

#[component]
pub fn EmptyState(#[prop(into)] title: String, #[prop(into)] detail: String) -> impl IntoView {
    view! {
        <div class="empty-state">
            <p class="empty-title">{title}</p>
            <p class="empty-detail">{detail}</p>
        </div>
    }
}
