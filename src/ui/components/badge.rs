use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Neutral,
    Good,
    Warning,
    Danger,
}

impl Tone {
    fn class(self) -> &'static str {
        match self {
            Tone::Neutral => "badge",
            Tone::Good => "badge badge-good",
            Tone::Warning => "badge badge-warning",
            Tone::Danger => "badge badge-danger",
        }
    }
}

/// A short status word. The tone is decoration: the word itself carries the meaning.
#[component]
pub fn Badge(#[prop(into)] label: String, tone: Tone) -> impl IntoView {
    view! { <span class=tone.class()>{label}</span> }
}
