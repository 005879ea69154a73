//! "Load more" over a keyset-paginated list (seed 000): older entries are appended in place,
//! without a page load, until the server says there are no more. A list rendered on the server
//! only ([`MoreRows`]) needs no WASM for it: the shell's script appends the next page's rows; a
//! list inside an island ([`paged`], [`LoadMoreFooter`]) fetches them through its server function.

use leptos::prelude::*;
use std::future::Future;

use crate::wire::error::AppError;

/// The entries shown so far, where the next page starts, and the action that fetches it.
pub struct Paged<T: Send + Sync + 'static> {
    pub entries: RwSignal<Vec<T>>,
    pub next_cursor: RwSignal<Option<String>>,
    pub load: Action<String, Result<(), AppError>>,
}

/// Starts from the server-rendered first page; `fetch` gets a cursor and returns the next
/// page's entries and cursor.
pub fn paged<T, F, Fut>(first: Vec<T>, next_cursor: Option<String>, fetch: F) -> Paged<T>
where
    T: Clone + Send + Sync + 'static,
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), AppError>> + Send + 'static,
{
    let entries = RwSignal::new(first);
    let next = RwSignal::new(next_cursor);
    let load = Action::new(move |cursor: &String| {
        let page = fetch(cursor.clone());
        async move {
            let (more, cursor) = page.await?;
            entries.update(|all| all.extend(more));
            next.set(cursor);
            Ok(())
        }
    });
    Paged { entries, next_cursor: next, load }
}

/// The failure message (if the last load failed) and the "Load more" button, hidden at the end.
#[component]
pub fn LoadMoreFooter(
    next_cursor: RwSignal<Option<String>>,
    load: Action<String, Result<(), AppError>>,
) -> impl IntoView {
    let error = move || match load.value().get() {
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    };
    view! {
        <div role="alert" class="form-alert" hidden=move || error().is_none()>{error}</div>
        <div class="card-footer" hidden=move || next_cursor.read().is_none()>
            <button
                type="button"
                class="button button-secondary"
                disabled=move || load.pending().get()
                on:click=move |_| {
                    if let Some(cursor) = next_cursor.get_untracked() {
                        load.dispatch(cursor);
                    }
                }
            >
                {move || if load.pending().get() { "Loading…" } else { "Load more" }}
            </button>
        </div>
    }
}

/// "Load more" under a list rendered on the server: a GET form for this page again, from
/// `next_cursor` on (`after`), with the page's other query fields in `keep`. Without a script
/// it shows the older entries as a page of their own; the shell's script (`wire/hydration.js`,
/// `data-append`) fetches that page and appends its rows to the element `rows_id` in place.
/// At the end of the list it says so (`data-end-of`), which is what the last page brings.
#[component]
pub fn MoreRows(
    rows_id: &'static str,
    next_cursor: Option<String>,
    #[prop(optional)] keep: Vec<(&'static str, String)>,
) -> impl IntoView {
    view! {
        <div role="alert" class="form-alert" hidden data-load-more-error=rows_id></div>
        {match next_cursor {
            Some(cursor) => view! {
                <form method="get" action="" class="card-footer" data-append=rows_id>
                    {keep.into_iter().map(|(name, value)| view! { <input type="hidden" name=name value=value/> }).collect_view()}
                    <button type="submit" class="button button-secondary" name="after" value=cursor>"Load more"</button>
                </form>
            }.into_any(),
            None => view! { <p class="muted end-of-list" tabindex="-1" data-end-of=rows_id>"That's everything."</p> }.into_any(),
        }}
    }
}
