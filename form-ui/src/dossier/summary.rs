//! A dossier's data, read-only: one definition list per section, tables for repeatable groups
//! (the receipt, the official's case view and the co-signer's page).

use form_core::Lang;
use form_core::display::{Summary, SummaryRow};
use leptos::prelude::*;

/// The read-only data: one definition list per section, tables for repeatable groups.
pub(crate) fn summary_table(s: Summary, lang: Lang) -> impl IntoView {
    s.pages
        .into_iter()
        .map(|p| {
            let sections = p.sections.into_iter().map(|sec| {
                let rows = sec.rows.into_iter().map(|r| match r {
                    SummaryRow::Field { label, value, .. } => view! {
                        <div class="ef-summary-row"><dt>{label.get(lang).to_owned()}</dt><dd>{value}</dd></div>
                    }
                    .into_any(),
                    SummaryRow::Table { label, columns, rows, .. } => view! {
                        <div class="ef-summary-row ef-summary-row--table">
                            <dt>{label.get(lang).to_owned()}</dt>
                            <dd>
                                <table class="ef-table">
                                    <thead><tr>{columns.iter().map(|c| view! { <th scope="col">{c.get(lang).to_owned()}</th> }).collect_view()}</tr></thead>
                                    <tbody>{rows.into_iter().map(|r| view! { <tr>{r.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}</tr> }).collect_view()}</tbody>
                                </table>
                            </dd>
                        </div>
                    }
                    .into_any(),
                });
                view! {
                    <section class="ef-section">
                        {sec.title.map(|t| view! { <h4 class="ef-summary__section">{t.get(lang).to_owned()}</h4> })}
                        <dl class="ef-summary-list">{rows.collect_view()}</dl>
                    </section>
                }
            });
            view! {
                <section class="ef-summary-page">
                    <h3 class="ef-summary__page">{p.title.get(lang).to_owned()}</h3>
                    {sections.collect_view()}
                </section>
            }
        })
        .collect_view()
}
