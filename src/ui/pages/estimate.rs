use leptos::prelude::*;

use crate::ui::components::staff_view::StaffViewLock;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::billing_items::get_estimate;
use crate::api::estimates::{ApproveEstimate, DeclineEstimate};
use crate::domain::billing_items::{EstimateStatus, format_date, format_unix_date};
use crate::ui::components::badge::{Badge, Tone};
use crate::ui::components::document::{LinesTable, Party};
use crate::ui::components::error_notice::ErrorNotice;
use crate::wire::billing_items::EstimateDetail;

#[component]
pub fn EstimatePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let estimate = Resource::new_blocking(id, get_estimate);
    view! {
        <p class="breadcrumb"><a href="/">"← Dashboard"</a></p>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match estimate.await {
                    Ok(est) => view! { <EstimateView est/> }.into_any(),
                    Err(e) => view! { <Title text="Estimate"/><ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EstimateView(est: EstimateDetail) -> impl IntoView {
    let (status, tone) = match est.status {
        EstimateStatus::Open if est.is_expired => ("Expired", Tone::Neutral),
        EstimateStatus::Open => ("Awaiting decision", Tone::Warning),
        EstimateStatus::Approved => ("Approved", Tone::Good),
        EstimateStatus::Declined => ("Declined", Tone::Neutral),
    };
    let kind = est.kind.label().to_lowercase();
    let title = format!("{} {}", est.kind.label(), est.number);
    let decidable = est.status == EstimateStatus::Open && !est.is_expired;
    let expired_note = (est.status == EstimateStatus::Open && est.is_expired).then(|| {
        format!(
            "This {kind} expired on {}. It can no longer be approved; ask for an updated one.",
            format_date(est.valid_until)
        )
    });
    let decision = est.decision.clone().map(|d| {
        let by = d
            .approver_name
            .clone()
            .map(|typed| format!("{typed} (signed by typing their name; account user {})", d.decided_by))
            .unwrap_or(d.decided_by.clone());
        view! {
            <section class="notice decision" aria-label="Decision">
                <p>
                    <strong>{if d.approver_name.is_some() { "Approved" } else { "Declined" }}</strong>
                    " on " {format_unix_date(d.decided_at)} " by " {by}
                </p>
                {d.decline_reason.map(|r| view! { <p>"Reason: " {r}</p> })}
                {d.invoice_id.zip(d.invoice_number).map(|(id, number)| view! {
                    <p><a href=format!("/invoices/{id}")>{format!("View invoice {number}")}</a></p>
                })}
            </section>
        }
    });
    view! {
        <Title text=title.clone()/>
        <article class="card document" aria-labelledby="doc-title">
            <header class="document-header">
                <div>
                    <p class="eyebrow">{est.kind.label()}</p>
                    <h1 id="doc-title">{title}</h1>
                    <p class="muted">{est.title.clone()}</p>
                </div>
                <Badge label=status tone/>
            </header>
            <dl class="facts">
                <div><dt>"Issued"</dt><dd>{format_date(est.issue_date)}</dd></div>
                <div><dt>"Valid until"</dt><dd>{format_date(est.valid_until)}</dd></div>
                <div><dt>"Total"</dt><dd class="amount-due">{est.total.format()}</dd></div>
            </dl>
            {decision}
            {expired_note.map(|n| view! { <p class="notice notice-warning" role="status">{n}</p> })}
            <div class="parties"><Party heading="From" party=est.vendor/></div>
            <LinesTable lines=est.lines subtotal=est.subtotal tax=est.tax total=est.total/>
            {(!est.terms.is_empty()).then(|| view! {
                <section class="terms"><h2>"Terms"</h2><p>{est.terms.clone()}</p></section>
            })}
            {decidable.then(|| view! { <DecisionForms id=est.id.clone() kind=kind.clone() total=est.total.format()/> })}
        </article>
    }
}

/// Plain forms, no WASM (a link in an email often opens this page first): the server answers an
/// approval with its invoice and a decline with this page, now showing the decision; a refusal
/// comes back here with the message at its field (`__err`, read by the actions), what was typed
/// kept by the shell's navigation (`wire/hydration.js`).
#[component]
fn DecisionForms(id: String, kind: String, total: String) -> impl IntoView {
    let approve = ServerAction::<ApproveEstimate>::new();
    let decline = ServerAction::<DeclineEstimate>::new();
    let approve_id = id.clone();
    let heading = format!("Your decision on this {kind}");
    let explanation =
        format!("Approving accepts the {kind} and its terms, and issues an invoice for {total}, due in 14 days.");
    let decline_summary = format!("Decline this {kind}");
    let approve_error = move || approve.value().get().and_then(Result::err);
    let decline_error = move || decline.value().get().and_then(Result::err);
    let approve_field = move || approve_error().and_then(|e| e.field_message("typed_name"));
    let approve_alert =
        move || approve_error().filter(|e| e.field_message("typed_name").is_none()).map(|e| e.to_string());
    let decline_field = move || decline_error().and_then(|e| e.field_message("reason"));
    let decline_alert = move || decline_error().filter(|e| e.field_message("reason").is_none()).map(|e| e.to_string());
    view! {
        <section class="decide" aria-labelledby="decide-heading">
            <h2 id="decide-heading">{heading}</h2>
            <StaffViewLock what="Deciding estimates">
            <ActionForm action=approve attr:class="form decide-form">
                <input type="hidden" name="id" value=approve_id/>
                <p>{explanation}</p>
                <div role="alert" class="form-alert" hidden=move || approve_alert().is_none()>{approve_alert}</div>
                <div class="field">
                    <label for="typed-name">"Type your full name to sign"</label>
                    <input id="typed-name" name="typed_name" type="text" autocomplete="name"
                        aria-invalid=move || approve_field().is_some().to_string() aria-describedby="typed-name-error"/>
                    <p id="typed-name-error" class="field-error">{approve_field}</p>
                </div>
                <button type="submit" class="button">"Approve and create invoice"</button>
            </ActionForm>
            // Open again when the server refused a decline, to show why.
            <details class="decline" open=decline_error().is_some()>
                <summary>{decline_summary}</summary>
                <ActionForm action=decline attr:class="form decide-form">
                    <input type="hidden" name="id" value=id/>
                    <div role="alert" class="form-alert" hidden=move || decline_alert().is_none()>{decline_alert}</div>
                    <div class="field">
                        <label for="decline-reason">"Reason for declining"</label>
                        <textarea id="decline-reason" name="reason" rows="3"
                            aria-invalid=move || decline_field().is_some().to_string() aria-describedby="decline-reason-error"></textarea>
                        <p id="decline-reason-error" class="field-error">{decline_field}</p>
                    </div>
                    <button type="submit" class="button button-secondary">"Decline"</button>
                </ActionForm>
            </details>
            </StaffViewLock>
        </section>
    }
}
