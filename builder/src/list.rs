//! The agency's forms: each with its live version, its draft and its published versions; a
//! new form from a skeleton or an imported definition; editing a catalog form starts a draft
//! of its next version.

use crate::{api, t};
use form_core::{Lang, Text};
use form_ui::session::Me;
use leptos::prelude::*;
use serde_json::Value;

fn go(id: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_href(&format!(
            "/builder/?form={}",
            String::from(js_sys::encode_uri_component(id))
        ));
    }
}

#[component]
pub fn FormList(lang: RwSignal<Lang>, me: Me) -> impl IntoView {
    let forms = RwSignal::new(None::<Result<Value, Text>>);
    let load = move || leptos::task::spawn_local(async move { forms.set(Some(api::list().await)) });
    load();
    let new_id = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<Text>);
    let create = move |id: String| {
        problem.set(None);
        leptos::task::spawn_local(async move {
            match api::create(&id, None).await {
                Ok(_) => go(&id),
                Err(e) => problem.set(Some(e)),
            }
        });
    };
    let agency = me.agency.clone();
    let agency = move || {
        agency
            .as_ref()
            .map(|a| {
                let name = a.name.as_ref().map(|n| n.get(lang.get()).to_owned());
                format!("{} ({})", name.unwrap_or_default(), a.code)
            })
            .unwrap_or_default()
    };
    let text = move |v: &Value| -> String {
        serde_json::from_value::<Text>(v.clone())
            .map(|x| x.get(lang.get()).to_owned())
            .unwrap_or_default()
    };
    view! {
        <h1 class="ef-title">{t(lang, "Biểu mẫu của cơ quan", "Your agency's forms")}</h1>
        <p class="ef-hint">{agency}</p>
        <form class="ef-panel bd-new" on:submit=move |ev| { ev.prevent_default(); create(new_id.get_untracked()); }>
            <h2 class="ef-section__title">{t(lang, "Biểu mẫu mới", "New form")}</h2>
            <label class="ef-label" for="bd-new-id">{t(lang, "Mã biểu mẫu (chữ thường không dấu, chữ số, dấu gạch ngang)", "Form id (lower-case letters, digits, hyphens)")}</label>
            <input id="bd-new-id" class="ef-input" required pattern="[a-z][a-z0-9\\-]{0,63}" autocomplete="off"
                prop:value=move || new_id.get() on:input=move |ev| new_id.set(event_target_value(&ev)) />
            <button type="submit" class="ef-button" data-testid="new-form">{t(lang, "Tạo biểu mẫu", "Create the form")}</button>
            {move || problem.get().map(|p| view! { <p role="alert" class="ef-error">{p.get(lang.get()).to_owned()}</p> })}
        </form>
        {move || match forms.get() {
            None => view! { <p role="status">{t(lang, "Đang tải…", "Loading…")}</p> }.into_any(),
            Some(Err(e)) => view! { <p role="alert" class="ef-error">{e.get(lang.get()).to_owned()}</p> }.into_any(),
            Some(Ok(v)) => {
                let rows: Vec<Value> = v["forms"].as_array().cloned().unwrap_or_default();
                view! {
                    <table class="ef-table bd-forms" data-testid="builder-forms">
                        <caption class="ef-visually-hidden">{t(lang, "Biểu mẫu", "Forms")}</caption>
                        <thead><tr>
                            <th scope="col">{t(lang, "Biểu mẫu", "Form")}</th>
                            <th scope="col">{t(lang, "Phiên bản đang dùng", "Live version")}</th>
                            <th scope="col">{t(lang, "Bản nháp", "Draft")}</th>
                            <th scope="col">{t(lang, "Thao tác", "Action")}</th>
                        </tr></thead>
                        <tbody>
                            {rows.into_iter().map(|f| {
                                let id = f["id"].as_str().unwrap_or_default().to_owned();
                                let has_draft = !f["draft"].is_null();
                                let title = f["title"].clone();
                                let live = f["liveVersion"].as_i64();
                                let open = id.clone();
                                view! {
                                    <tr>
                                        <th scope="row">{move || text(&title)}<br/><code>{id.clone()}</code></th>
                                        <td>{live.map_or("—".to_owned(), |v| v.to_string())}</td>
                                        <td>{move || if has_draft { t(lang, "Có", "Yes")() } else { t(lang, "Không", "No")() }}</td>
                                        <td>
                                            <button type="button" class="ef-button ef-button--secondary" on:click=move |_| {
                                                if has_draft { go(&open) } else { create(open.clone()) }
                                            }>{move || if has_draft { t(lang, "Mở", "Open")() } else { t(lang, "Sửa (phiên bản mới)", "Edit (new version)")() }}</button>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }
        }}
    }
}
