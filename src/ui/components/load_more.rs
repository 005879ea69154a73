//! "Load more" over a keyset-paginated list (seed 000): older entries are appended in place,
//! without a page load, until the server says there are no more. Lists are rendered on the
//! server ([`MoreRows`]) and need no WASM for it: the shell's script appends the next page's rows.

use leptos::prelude::*;

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
