//! Billing details (seeds 000, 002): the company name, address and tax ID that invoices
//! print, and the billing contacts who receive them.
//!
//! The address fields follow the chosen country: changing the country changes which fields
//! show and what they are called, in place. The form is checked in the browser with the same
//! rules the server enforces, so every wrong field is marked at once; the server checks again.

use crate::ui::components::staff_view::{StaffViewLock, provide_rendered_for, rendered_for};
use leptos::prelude::*;
use leptos_meta::Title;

use super::no_access::NoBillingAccess;
use crate::api::billing_details::{
    add_billing_contact, get_billing_details, remove_billing_contact, update_billing_details,
};
use crate::domain::address::{COUNTRIES, PostalFormat, RegionRule, rules};
use crate::domain::cards::FieldError;
use crate::domain::tax_id::expected_format;
use crate::ui::components::error_notice::ErrorNotice;
use crate::ui::components::form::{FieldMessage, options_html};
use crate::ui::components::tokenize::{focus_by_id, message_for};
use crate::wire::auth::RenderedFor;
use crate::wire::billing_details::{
    BillingContact, BillingDetails, DetailsInput, UpdateOutcome, validate_contact, validate_details,
};
use crate::wire::error::AppError;

pub const SAVED_MESSAGE: &str = "Billing details saved. New invoices will use them; invoices already issued keep the details they were issued with.";
const UNCHANGED_MESSAGE: &str = "These are already your billing details: nothing to save.";

/// The details form's fields, in the order they show.
const DETAIL_FIELDS: [&str; 8] =
    ["company_name", "country", "address_line1", "address_line2", "city", "region", "postal_code", "tax_id"];
const CONTACT_FIELDS: [&str; 2] = ["contact_name", "contact_email"];

#[component]
pub fn BillingDetailsPage() -> impl IntoView {
    let details = Resource::new_blocking(|| (), |_| get_billing_details());
    view! {
        <Title text="Billing details"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading your billing details…"</p> }>
            {move || Suspend::new(async move {
                match details.await {
                    Ok(d) => view! { <DetailsView for_whom=rendered_for() d/> }.into_any(),
                    Err(AppError::Forbidden) => view! { <NoBillingAccess/> }.into_any(),
                    Err(e) => view! { <h1>"Billing details"</h1><ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The element id of a form field: its name with dashes.
fn field_id(name: &str) -> String {
    name.replace('_', "-")
}

/// Moves focus to the first field (in form order) that has an error.
fn focus_first(errors: &[FieldError], order: &[&'static str]) {
    if let Some(first) = order.iter().find(|f| errors.iter().any(|e| e.field == **f)) {
        focus_by_id(&field_id(first));
    }
}

/// A field error the server sent as an [`AppError`], if it names one of `fields`.
fn field_error_of(error: &AppError, fields: &[&'static str]) -> Option<FieldError> {
    match error {
        AppError::Invalid { field: Some(name), message } => {
            fields.iter().find(|f| *f == name).map(|f| FieldError::new(f, message.clone()))
        }
        _ => None,
    }
}

/// The signals behind the details form.
#[derive(Clone, Copy)]
struct Form {
    company_name: RwSignal<String>,
    country: RwSignal<String>,
    address_line1: RwSignal<String>,
    address_line2: RwSignal<String>,
    city: RwSignal<String>,
    region: RwSignal<String>,
    postal_code: RwSignal<String>,
    tax_id: RwSignal<String>,
}

impl Form {
    fn new(d: &BillingDetails) -> Self {
        Form {
            company_name: RwSignal::new(d.company_name.clone()),
            country: RwSignal::new(d.country.clone()),
            address_line1: RwSignal::new(d.address_line1.clone()),
            address_line2: RwSignal::new(d.address_line2.clone()),
            city: RwSignal::new(d.city.clone()),
            region: RwSignal::new(d.region.clone()),
            postal_code: RwSignal::new(d.postal_code.clone()),
            tax_id: RwSignal::new(d.tax_id.clone()),
        }
    }

    /// Shows what the server stored (normalised: "98101-1234", "EIN 91-7654321").
    fn set(&self, d: &BillingDetails) {
        self.company_name.set(d.company_name.clone());
        self.country.set(d.country.clone());
        self.address_line1.set(d.address_line1.clone());
        self.address_line2.set(d.address_line2.clone());
        self.city.set(d.city.clone());
        self.region.set(d.region.clone());
        self.postal_code.set(d.postal_code.clone());
        self.tax_id.set(d.tax_id.clone());
    }

    fn input(&self) -> DetailsInput {
        DetailsInput {
            company_name: self.company_name.get_untracked(),
            country: self.country.get_untracked(),
            address_line1: self.address_line1.get_untracked(),
            address_line2: self.address_line2.get_untracked(),
            city: self.city.get_untracked(),
            region: self.region.get_untracked(),
            postal_code: self.postal_code.get_untracked(),
            tax_id: self.tax_id.get_untracked(),
        }
    }
}

/// The page: its heading and note are the server's; the address form and the contacts are two
/// islands, taken over one task each (one island for both made the page's longest task on a
/// phone: README, Performance).
#[component]
fn DetailsView(for_whom: RenderedFor, mut d: BillingDetails) -> impl IntoView {
    // The contacts are the second island's: the first one's props do not carry them again.
    let contacts = std::mem::take(&mut d.contacts);
    view! {
        <h1>"Billing details"</h1>
        <p class="page-note">
            "What your invoices show under “Bill to”, and who receives them. A change applies to invoices issued after it; "
            "invoices already issued keep the details they were issued with."
        </p>
        <AddressIsland for_whom d/>
        <ContactsIsland for_whom contacts/>
    }
}

/// An island: the fields follow the country, are checked as they are typed, and are saved in place.
#[island]
fn AddressIsland(for_whom: RenderedFor, d: BillingDetails) -> impl IntoView {
    provide_rendered_for(for_whom);
    let form = Form::new(&d);
    let version = RwSignal::new(d.version.clone());
    let address_text = RwSignal::new(d.address_text.clone());
    view! { <DetailsForm form version address_text/> }
}

/// An island: the billing contacts, added and removed in place.
#[island]
fn ContactsIsland(for_whom: RenderedFor, contacts: Vec<BillingContact>) -> impl IntoView {
    provide_rendered_for(for_whom);
    let contacts = RwSignal::new(contacts);
    view! { <ContactsSection contacts/> }
}

#[component]
fn DetailsForm(form: Form, version: RwSignal<String>, address_text: RwSignal<String>) -> impl IntoView {
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let alert = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<String>);
    let country_rules = Memo::new(move |_| rules(&form.country.get()));

    let save = Action::new(move |(input, expected): &(DetailsInput, String)| {
        let (input, expected) = (input.clone(), expected.clone());
        async move {
            let result = update_billing_details(input, Some(expected)).await;
            match result {
                Ok(UpdateOutcome::Saved { details, changed }) => {
                    form.set(&details);
                    version.set(details.version.clone());
                    address_text.set(details.address_text.clone());
                    status.set(Some(if changed { SAVED_MESSAGE } else { UNCHANGED_MESSAGE }.to_string()));
                }
                Ok(UpdateOutcome::Invalid(list)) => {
                    focus_first(&list, &DETAIL_FIELDS);
                    errors.set(list);
                }
                Err(error) => match field_error_of(&error, &DETAIL_FIELDS) {
                    Some(field_error) => {
                        focus_first(std::slice::from_ref(&field_error), &DETAIL_FIELDS);
                        errors.set(vec![field_error]);
                    }
                    None => alert.set(Some(error.to_string())),
                },
            }
        }
    });
    let pending = save.pending();

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        status.set(None);
        alert.set(None);
        let input = form.input();
        match validate_details(&input) {
            Err(list) => {
                focus_first(&list, &DETAIL_FIELDS);
                errors.set(list);
            }
            Ok(_) => {
                errors.set(Vec::new());
                save.dispatch((input, version.get_untracked()));
            }
        }
    };

    let on_country = move |ev: leptos::ev::Event| {
        let code = event_target_value(&ev);
        if code != form.country.get_untracked() {
            // A region of the old country means nothing in the new one.
            form.region.set(String::new());
            form.country.set(code);
            errors.update(|list| {
                list.retain(|e| !matches!(e.field, "country" | "city" | "region" | "postal_code" | "tax_id"))
            });
            status.set(None);
        }
    };

    let city_label = Signal::derive(move || country_rules.get().city_label.to_string());
    let tax_hint = Signal::derive(move || {
        Some(expected_format(&form.country.get()).map_or_else(
            || "If your company has one, as it appears on your tax registration.".to_string(),
            |format| format!("{format} Leave it empty if you don't have one."),
        ))
    });
    let country_error = Signal::derive(move || message_for(&errors.read(), "country"));

    view! {
        <section class="card billing-address" aria-labelledby="company-address">
            <header class="card-header"><h2 id="company-address">"Company and address"</h2></header>
            <p class="page-note">
                "New invoices will show: " <strong class="bill-to-preview">{move || address_text.get()}</strong>
            </p>
            <StaffViewLock what="Changing the billing details">
            <form class="form" novalidate on:submit=on_submit>
                <div role="alert" class="form-alert" hidden=move || alert.read().is_none()>{move || alert.get()}</div>
                <TextField name="company_name" label="Company name".to_string() value=form.company_name errors autocomplete="organization"/>
                <div class="field">
                    <label for="country">"Country"</label>
                    <select
                        id="country"
                        name="country"
                        autocomplete="country"
                        // The options first, so that the value set next finds its option.
                        inner_html=options_html(None, COUNTRIES, &form.country.get_untracked())
                        prop:value=move || form.country.get()
                        on:change=on_country
                        aria-invalid=move || country_error.read().is_some().to_string()
                        aria-describedby="country-error"
                    ></select>
                    <FieldMessage id="country-error" message=country_error/>
                </div>
                <TextField
                    name="address_line1"
                    label=Signal::derive(move || country_rules.get().line1_label.to_string())
                    value=form.address_line1
                    errors
                    autocomplete="address-line1"
                />
                <TextField
                    name="address_line2"
                    label=Signal::derive(move || country_rules.get().line2_label.to_string())
                    value=form.address_line2
                    errors
                    autocomplete="address-line2"
                />
                <div class="field-row">
                    <TextField name="city" label=city_label value=form.city errors autocomplete="address-level2"/>
                    {move || country_rules.get().region.map(|rule| view! { <RegionField rule region=form.region errors/> })}
                    {move || country_rules.get().postal.map(|rule| {
                        let hint = (rule.format != PostalFormat::Free).then(|| format!("{}.", capitalize(rule.format.example())));
                        view! {
                            <TextField
                                name="postal_code"
                                label=rule.label.to_string()
                                value=form.postal_code
                                errors
                                hint
                                autocomplete="postal-code"
                            />
                        }
                    })}
                </div>
                <TextField name="tax_id" label="Tax ID (optional)".to_string() value=form.tax_id errors hint=tax_hint/>
                <button type="submit" class="button" disabled=move || pending.get()>
                    {move || if pending.get() { "Saving…" } else { "Save billing details" }}
                </button>
                <div class="notice notice-success" role="status" hidden=move || status.read().is_none()>{move || status.get()}</div>
            </form>
            </StaffViewLock>
        </section>
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}

/// A text field with its label, an optional hint and its error message, wired for
/// assistive technology the way the sign-in form is: `aria-invalid` and `aria-describedby`.
#[component]
fn TextField(
    /// The field's name in errors; its id is the name with dashes.
    name: &'static str,
    #[prop(into)] label: Signal<String>,
    value: RwSignal<String>,
    errors: RwSignal<Vec<FieldError>>,
    #[prop(optional, into)] hint: MaybeProp<String>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] input_type: Option<&'static str>,
) -> impl IntoView {
    let id = field_id(name);
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let message = Signal::derive(move || message_for(&errors.read(), name));
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || if hint.read().is_some() { format!("{hint_id} {error_id}") } else { error_id.clone() }
    };
    view! {
        <div class="field">
            <label for=id.clone()>{move || label.get()}</label>
            <input
                id=id
                name=name
                type=input_type.unwrap_or("text")
                autocomplete=autocomplete
                value=value.get_untracked()
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                aria-invalid=move || message.read().is_some().to_string()
                aria-describedby=described_by
            />
            {move || hint.get().map(|text| view! { <p id=hint_id.clone() class="form-note">{text}</p> })}
            <FieldMessage id=error_id message/>
        </div>
    }
}

/// The state, province, county or prefecture: a list where the country has one, else text.
#[component]
fn RegionField(rule: RegionRule, region: RwSignal<String>, errors: RwSignal<Vec<FieldError>>) -> impl IntoView {
    let message = Signal::derive(move || message_for(&errors.read(), "region"));
    if rule.choices.is_empty() {
        return view! {
            <TextField name="region" label=rule.label.to_string() value=region errors autocomplete="address-level1"/>
        }
        .into_any();
    }
    view! {
        <div class="field">
            <label for="region">{rule.label}</label>
            <select
                id="region"
                name="region"
                autocomplete="address-level1"
                inner_html=options_html(Some(&format!("Choose a {}", rule.noun)), rule.choices, &region.get_untracked())
                prop:value=move || region.get()
                on:change=move |ev| region.set(event_target_value(&ev))
                aria-invalid=move || message.read().is_some().to_string()
                aria-describedby="region-error"
            ></select>
            <FieldMessage id="region-error" message/>
        </div>
    }
    .into_any()
}

#[component]
fn ContactsSection(contacts: RwSignal<Vec<BillingContact>>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let status = RwSignal::new(None::<String>);
    let alert = RwSignal::new(None::<String>);

    let add = Action::new(move |(new_name, new_email): &(String, String)| {
        let (new_name, new_email) = (new_name.clone(), new_email.clone());
        async move {
            match add_billing_contact(new_name.clone(), new_email).await {
                Ok(list) => {
                    contacts.set(list);
                    name.set(String::new());
                    email.set(String::new());
                    status.set(Some(format!("{new_name} added. They will receive new invoices.")));
                }
                Err(error) => match field_error_of(&error, &CONTACT_FIELDS) {
                    Some(field_error) => {
                        focus_first(std::slice::from_ref(&field_error), &CONTACT_FIELDS);
                        errors.set(vec![field_error]);
                    }
                    None => alert.set(Some(error.to_string())),
                },
            }
        }
    });
    let remove = Action::new(move |(id, who): &(String, String)| {
        let (id, who) = (id.clone(), who.clone());
        async move {
            match remove_billing_contact(id).await {
                Ok(list) => {
                    contacts.set(list);
                    status.set(Some(format!("{who} removed. They will no longer receive invoices.")));
                }
                Err(error) => alert.set(Some(error.to_string())),
            }
        }
    });
    let busy = Signal::derive(move || add.pending().get() || remove.pending().get());

    let on_add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        status.set(None);
        alert.set(None);
        match validate_contact(&name.get_untracked(), &email.get_untracked()) {
            Err(list) => {
                focus_first(&list, &CONTACT_FIELDS);
                errors.set(list);
            }
            Ok(_) => {
                errors.set(Vec::new());
                add.dispatch((name.get_untracked(), email.get_untracked()));
            }
        }
    };

    view! {
        <section class="card billing-contacts" aria-labelledby="billing-contacts">
            <header class="card-header">
                <h2 id="billing-contacts">"Billing contacts"</h2>
                <span class="count">{move || contacts.read().len()}</span>
            </header>
            <p class="page-note">"These people receive your invoices and payment notices by email. Keep at least one."</p>
            <div class="notice notice-success" role="status" hidden=move || status.read().is_none()>{move || status.get()}</div>
            <div class="notice notice-error" role="alert" hidden=move || alert.read().is_none()>{move || alert.get()}</div>
            <StaffViewLock what="Changing the billing contacts">
            <ul class="stack contacts-list">
                <For
                    each=move || contacts.get()
                    key=|c| c.id.clone()
                    children=move |c| {
                        let (id, who) = (c.id.clone(), c.name.clone());
                        view! {
                            <li class="stack-item">
                                <div class="stack-main">
                                    <p class="item-title">{c.name.clone()}</p>
                                    <p class="item-sub">{c.email.clone()}</p>
                                </div>
                                <div class="action-group">
                                    <button
                                        type="button"
                                        class="button button-secondary button-small"
                                        aria-label=format!("Remove {} ({})", c.name, c.email)
                                        disabled=move || busy.get()
                                        on:click=move |_| {
                                            status.set(None);
                                            alert.set(None);
                                            remove.dispatch((id.clone(), who.clone()));
                                        }
                                    >
                                        "Remove"
                                    </button>
                                </div>
                            </li>
                        }
                    }
                />
            </ul>
            <form class="form contact-form" novalidate on:submit=on_add aria-labelledby="add-contact">
                <h3 id="add-contact" class="form-heading">"Add a billing contact"</h3>
                <div class="field-row">
                    <TextField name="contact_name" label="Name".to_string() value=name errors autocomplete="name"/>
                    <TextField name="contact_email" label="Email".to_string() value=email errors autocomplete="email" input_type="email"/>
                </div>
                <button type="submit" class="button" disabled=move || busy.get()>
                    {move || if add.pending().get() { "Adding…" } else { "Add contact" }}
                </button>
            </form>
            </StaffViewLock>
        </section>
    }
}
