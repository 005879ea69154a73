//! The lines-and-totals table shared by invoices and estimates.

use leptos::prelude::*;

use crate::domain::money::Money;
use crate::wire::billing_items::{DocumentLine, PartyDetails};

#[component]
pub fn LinesTable(
    lines: Vec<DocumentLine>,
    subtotal: Money,
    tax: Money,
    total: Money,
    /// The vendor's tax lines, shown in place of the one tax figure when there are any.
    #[prop(optional)]
    tax_lines: Vec<crate::wire::billing_items::TaxLine>,
) -> impl IntoView {
    let taxes = if tax_lines.is_empty() {
        view! { <tr><th scope="row" colspan="3">"Tax"</th><td class="num">{tax.format()}</td></tr> }.into_any()
    } else {
        tax_lines
            .into_iter()
            .map(|t| view! { <tr><th scope="row" colspan="3">{t.description}</th><td class="num">{t.amount.format()}</td></tr> })
            .collect_view()
            .into_any()
    };
    view! {
        <div class="table-wrap">
            <table class="lines">
                <caption class="visually-hidden">"Lines"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Description"</th>
                        <th scope="col" class="num">"Qty"</th>
                        <th scope="col" class="num">"Unit price"</th>
                        <th scope="col" class="num">"Amount"</th>
                    </tr>
                </thead>
                <tbody>
                    {lines.into_iter().map(|l| view! {
                        <tr>
                            <td data-label="Description">{l.description}</td>
                            <td data-label="Qty" class="num">{l.quantity}</td>
                            <td data-label="Unit price" class="num">{l.unit_amount.format()}</td>
                            <td data-label="Amount" class="num">{l.amount.format()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
                <tfoot>
                    <tr><th scope="row" colspan="3">"Subtotal"</th><td class="num">{subtotal.format()}</td></tr>
                    {taxes}
                    <tr class="grand-total"><th scope="row" colspan="3">"Total"</th><td class="num">{total.format()}</td></tr>
                </tfoot>
            </table>
        </div>
    }
}

#[component]
pub fn Party(#[prop(into)] heading: String, party: PartyDetails) -> impl IntoView {
    view! {
        <div class="party">
            <h2>{heading}</h2>
            <p class="party-name">{party.name}</p>
            <p class="party-address">{party.address}</p>
            {party.tax_id.map(|t| view! { <p>"Tax ID: " {t}</p> })}
            {party.email.map(|e| view! { <p>{e}</p> })}
        </div>
    }
}
