//! The citizen's data store in the runtime: reporting a mistake in a verified, locked value; and
//! (feature `app`) the consent dialog that keeps declared values for next time once a dossier is
//! acknowledged. Attribute values are never written to the console.

use crate::ctx::FormCtx;
use crate::i18n::Ui;
use crate::services::Services;
use form_core::datastore::Attribute;
use form_core::{Form, Lang, Text};
use leptos::prelude::*;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The data store's values for the keys a form binds (`Err`: the store could not be reached).
pub type StoreAnswer = Result<BTreeMap<String, Attribute>, ()>;

/// What the data store said about a form's bound keys.
pub enum Asked {
    /// The form binds no key, or it has no data store: nothing was asked.
    Nothing,
    /// Nobody is signed in to the store (401): the form starts without prefill.
    SignedOut,
    /// Its values (or that it could not be reached), and whose they are (the store's
    /// `subject`, when it names one: drafts are kept per citizen).
    Answer(StoreAnswer, Option<String>),
}

/// Asks the citizen's data store for exactly the keys `form` binds.
pub async fn ask(services: &Services, form: &Form) -> Asked {
    #[derive(Deserialize)]
    struct Answer {
        attributes: BTreeMap<String, Attribute>,
        #[serde(default)]
        subject: Option<String>,
    }
    let keys = form_core::datastore::bound_keys(form.definition());
    let d = form.definition();
    let Some(url) = services.datastore(&format!(
        "/me/attributes?keys={}&formId={}&formVersion={}",
        keys.join(","),
        String::from(js_sys::encode_uri_component(&d.id)),
        d.version
    )) else {
        return Asked::Nothing;
    };
    if keys.is_empty() {
        return Asked::Nothing;
    }
    match services.get(&url).await {
        Ok(a) if a.status == 200 => match serde_json::from_str::<Answer>(&a.body) {
            Ok(a) => Asked::Answer(Ok(a.attributes), a.subject),
            Err(_) => Asked::Answer(Err(()), None),
        },
        Ok(a) if a.status == 401 => Asked::SignedOut,
        _ => Asked::Answer(Err(()), None),
    }
}

#[derive(Clone, PartialEq)]
enum Report {
    Writing,
    Sending,
    Sent,
    Failed(Text),
}

/// "Report a mistake" under a field locked to a verified register value: the value cannot be
/// changed on the form (the register is corrected by its keeper), so the citizen says what is
/// wrong and the portal passes it on; the form can still be sent meanwhile.
pub(crate) fn report_mistake(ctx: FormCtx, ptr: &str, lang: Lang) -> impl IntoView + use<> {
    let key = ctx
        .provenance
        .with_value(|m| m.get(ptr).map(|p| p.key.clone()))
        .unwrap_or_default();
    let (form_id, form_version) = ctx.form.with_value(|f| {
        let d = f.definition();
        (d.id.clone(), d.version)
    });
    let text_id = format!("{}-report", crate::dom_id::for_pointer(ptr));
    let services = ctx.services.get_value();
    let message = RwSignal::new(String::new());
    let state = RwSignal::new(Report::Writing);
    let send = move |_| {
        let text = message.get_untracked();
        if text.trim().is_empty() {
            state.set(Report::Failed(Text::new(
                "Hãy cho biết điều gì sai.",
                "Say what is wrong.",
            )));
            return;
        }
        state.set(Report::Sending);
        let body = serde_json::json!({
            "key": key, "message": text, "formId": form_id, "formVersion": form_version,
        })
        .to_string();
        let services = services.clone();
        leptos::task::spawn_local(async move {
            let url = services.datastore("/me/reports").unwrap_or_default();
            let next = match services.post_json(&url, &body, &[]).await {
                Ok(a) if a.status == 201 => Report::Sent,
                Ok(a) => Report::Failed(crate::fetch::error_of(&a.body).unwrap_or_else(|| {
                    Text::new("Chưa gửi được báo cáo.", "The report could not be sent.")
                })),
                Err(_) => Report::Failed(Ui::NetworkError.text()),
            };
            state.set(next);
        });
    };
    let t = |vi: &'static str, en: &'static str| Text::new(vi, en).get(lang).to_owned();
    view! {
        <details class="ef-report" data-testid="report-mistake">
            <summary>{t("Báo sai sót", "Report a mistake")}</summary>
            <div class="ef-report__body">
                <p class="ef-hint">{t(
                    "Giá trị đã xác thực chỉ được sửa tại cơ sở dữ liệu gốc (với thông tin cư trú: Công an cấp xã). Hãy cho biết điều gì sai; báo cáo được chuyển tới cơ quan quản lý dữ liệu. Bạn vẫn có thể nộp biểu mẫu này.",
                    "A verified value can only be corrected in its register (for residence data: the commune police). Say what is wrong; your report goes to the register's keeper. You can still send this form.",
                )}</p>
                <label class="ef-label" for=text_id.clone()>{t("Điều gì sai?", "What is wrong?")}</label>
                <textarea class="ef-input" id=text_id rows="3" maxlength="2000"
                    prop:disabled=move || state.get() == Report::Sent
                    on:input=move |ev| message.set(event_target_value(&ev))></textarea>
                <button type="button" class="ef-button ef-button--secondary" data-testid="send-report"
                    disabled=move || matches!(state.get(), Report::Sending | Report::Sent)
                    on:click=send>{t("Gửi báo cáo", "Send the report")}</button>
                <p role="status" class="ef-report__state">{move || match state.get() {
                    Report::Writing => String::new(),
                    Report::Sending => Text::new("Đang gửi…", "Sending…").get(lang).to_owned(),
                    Report::Sent => Text::new(
                        "Đã gửi báo cáo. Cơ quan quản lý dữ liệu sẽ kiểm tra; bạn có thể xem trong nhật ký dữ liệu của mình.",
                        "Report sent. The register's keeper will check it; it shows in your data log.",
                    ).get(lang).to_owned(),
                    Report::Failed(t) => t.get(lang).to_owned(),
                }}</p>
            </div>
        </details>
    }
}

#[cfg(feature = "services")]
pub use keep::*;

/// Keeping declared values for next time, with the citizen's consent.
#[cfg(feature = "services")]
mod keep {
    use super::*;
    use form_core::datastore::{Catalogue, Keep};
    use serde::Serialize;
    use std::sync::{Arc, LazyLock};

    /// The data store's key catalogue (the portal compiles in the same file).
    pub static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| {
        Catalogue::from_json(include_str!("../../schemas/datastore-keys.json"))
            .unwrap_or(Catalogue { keys: Vec::new() })
    });

    /// What a just-acknowledged dossier could keep, waiting for the citizen's answer on the
    /// receipt (in `sessionStorage`: this tab only, gone when it closes).
    #[derive(Clone, Debug, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Offer {
        pub form_id: String,
        pub form_version: u32,
        pub values: Vec<Keep>,
    }

    fn slot(code: &str) -> String {
        format!("eform.keep.{code}")
    }

    fn session() -> Option<web_sys::Storage> {
        web_sys::window()?.session_storage().ok().flatten()
    }

    /// What of `data` the store could keep (declared values it does not hold yet); none: nothing
    /// to ask.
    pub fn offer_for(
        form: &Form,
        data: &serde_json::Value,
        store: &BTreeMap<String, Attribute>,
    ) -> Option<Offer> {
        let d = form.definition();
        let values =
            form_core::datastore::keepable(form, &CATALOGUE, data, store, crate::ctx::today());
        (!values.is_empty()).then(|| Offer {
            form_id: d.id.clone(),
            form_version: d.version,
            values,
        })
    }

    /// After an acknowledgement: what the store could keep, put aside for the receipt page to
    /// ask about.
    pub fn offer(
        code: &str,
        form: &Form,
        data: &serde_json::Value,
        store: &BTreeMap<String, Attribute>,
    ) {
        let Some(offer) = offer_for(form, data, store) else {
            return;
        };
        if let (Some(s), Ok(text)) = (session(), serde_json::to_string(&offer)) {
            let _ = s.set_item(&slot(code), &text);
        }
    }

    /// The offer waiting for `code`, if any.
    pub fn pending(code: &str) -> Option<Offer> {
        let text = session()?.get_item(&slot(code)).ok().flatten()?;
        serde_json::from_str(&text).ok()
    }

    fn answered(code: &str) {
        if let Some(s) = session() {
            let _ = s.remove_item(&slot(code));
        }
    }

    #[derive(Clone, PartialEq)]
    enum Answer {
        Asking,
        Saving,
        Kept,
        Declined,
        Failed(Text),
    }

    /// The consent dialog on a fresh receipt: exactly the values that would be kept, "Agree"
    /// (stored with a consent record) or "Not now" (nothing stored). Asked once.
    #[component]
    pub fn KeepDialog(
        code: String,
        form: Arc<Form>,
        offer: Offer,
        lang: RwSignal<Lang>,
        /// Where the data store is (the portal's own, or an embedding host's).
        services: Services,
    ) -> impl IntoView {
        let dialog = NodeRef::<leptos::html::Dialog>::new();
        let answer = RwSignal::new(Answer::Asking);
        Effect::new(move |_| {
            if let Some(d) = dialog.get() {
                let _ = d.show_modal();
            }
        });
        // Each value with the field it came from (its label, and its value as people read it).
        let rows: Vec<(Text, Option<form_core::Item>, serde_json::Value)> = offer
            .values
            .iter()
            .map(|k| {
                let item = form
                    .definition()
                    .pages
                    .iter()
                    .flat_map(|p| &p.sections)
                    .flat_map(|s| &s.items)
                    .find(|i| i.pointer.as_deref() == Some(k.pointer.as_str()))
                    .cloned();
                let label = item
                    .as_ref()
                    .and_then(|i| i.label.clone())
                    .or_else(|| CATALOGUE.get(&k.key).map(|c| c.meaning.clone()))
                    .unwrap_or_else(|| Text::new(k.key.clone(), k.key.clone()));
                (label, item, k.value.clone())
            })
            .collect();
        let list = move || {
            let lang = lang.get();
            rows.iter()
                .map(|(label, item, value)| {
                    let shown = match item {
                        Some(i) => form_core::display::value_text(&form, i, value, lang),
                        None => value
                            .as_str()
                            .map_or_else(|| value.to_string(), str::to_owned),
                    };
                    view! { <dt>{label.get(lang).to_owned()}</dt><dd>{shown}</dd> }
                })
                .collect_view()
        };
        let close = move || {
            if let Some(d) = dialog.get_untracked() {
                d.close();
            }
        };
        let code_decline = code.clone();
        let decline = move || {
            answered(&code_decline);
            answer.set(Answer::Declined);
            close();
        };
        let agree = {
            let offer = offer.clone();
            move |_| {
                answer.set(Answer::Saving);
                let attributes: serde_json::Map<String, serde_json::Value> = offer
                    .values
                    .iter()
                    .map(|k| (k.key.clone(), k.value.clone()))
                    .collect();
                let given_at = String::from(js_sys::Date::new_0().to_iso_string());
                let body = serde_json::json!({
                    "consent": {"formId": offer.form_id, "formVersion": offer.form_version, "givenAt": given_at},
                    "attributes": attributes,
                })
                .to_string();
                let code = code.clone();
                let services = services.clone();
                leptos::task::spawn_local(async move {
                    let url = services.datastore("/me/attributes").unwrap_or_default();
                    let next = match services.put_json(&url, &body).await {
                        Ok(a) if a.status == 200 => {
                            answered(&code);
                            Answer::Kept
                        }
                        Ok(a) => {
                            Answer::Failed(crate::fetch::error_of(&a.body).unwrap_or_else(|| {
                                Text::new("Chưa lưu được.", "They could not be kept.")
                            }))
                        }
                        Err(_) => Answer::Failed(Ui::NetworkError.text()),
                    };
                    let done = next == Answer::Kept;
                    answer.set(next);
                    if done {
                        close();
                    }
                });
            }
        };
        let decline_on_cancel = decline.clone();
        view! {
            <dialog node_ref=dialog class="ef-dialog" aria-labelledby="keep-title" data-testid="keep-dialog"
                on:cancel=move |_: web_sys::Event| decline_on_cancel()>
                <h2 id="keep-title" class="ef-dialog__title" tabindex="-1" autofocus>{move || Text::new("Lưu lại cho lần sau?", "Keep these for next time?").get(lang.get()).to_owned()}</h2>
                <p>{move || Text::new(
                    "Nếu bạn đồng ý, cổng lưu các thông tin sau vào kho dữ liệu cá nhân của bạn và tự điền vào những biểu mẫu sau cần đến chúng. Mỗi lần dùng đều ghi vào nhật ký dữ liệu của bạn.",
                    "If you agree, the portal keeps the following in your personal data store and fills them in on later forms that ask for them. Every use shows in your data log.",
                ).get(lang.get()).to_owned()}</p>
                <dl class="ef-meta" data-testid="keep-values">{list}</dl>
                <p role="alert" class="ef-error">{move || match answer.get() {
                    Answer::Failed(t) => t.get(lang.get()).to_owned(),
                    _ => String::new(),
                }}</p>
                <div class="ef-actions">
                    <button type="button" class="ef-button" data-testid="keep-agree"
                        disabled=move || answer.get() == Answer::Saving on:click=agree>
                        {move || Text::new("Đồng ý lưu", "Agree").get(lang.get()).to_owned()}
                    </button>
                    <button type="button" class="ef-button ef-button--secondary" data-testid="keep-decline"
                        on:click=move |_| decline()>
                        {move || Text::new("Để sau", "Not now").get(lang.get()).to_owned()}
                    </button>
                </div>
            </dialog>
            <p role="status" data-testid="keep-outcome">{move || match answer.get() {
                Answer::Kept => Text::new(
                    "Đã lưu. Lần sau, các biểu mẫu cần đến sẽ được điền sẵn.",
                    "Kept. Next time, forms that ask for them are filled in.",
                ).get(lang.get()).to_owned(),
                Answer::Declined => Text::new(
                    "Không lưu gì thêm.",
                    "Nothing was kept.",
                ).get(lang.get()).to_owned(),
                _ => String::new(),
            }}</p>
        }
    }

    #[cfg(feature = "dossiers")]
    /// One entry of the citizen's data log.
    #[derive(Clone, Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "camelCase")]
    struct Entry {
        at: String,
        kind: String,
        keys: Vec<String>,
        form_id: Option<String>,
        form_version: Option<u32>,
    }

    #[cfg(feature = "dossiers")]
    #[derive(Clone, PartialEq)]
    enum Log {
        Loading,
        Ready(Vec<Entry>, BTreeMap<String, Text>),
        Failed,
    }

    #[cfg(feature = "dossiers")]
    /// `/data`: every read and write of the citizen's data store, newest first — when, what,
    /// which data, for which form.
    #[component]
    pub fn DataLog(lang: RwSignal<Lang>) -> impl IntoView {
        #[derive(Deserialize)]
        struct Audit {
            entries: Vec<Entry>,
        }
        let log = RwSignal::new(Log::Loading);
        // The outcome of "delete what I declared": how many values went (`None`: it failed).
        let erased = RwSignal::new(None::<Option<usize>>);
        leptos::task::spawn_local(async move {
            let entries = match crate::fetch::request("/datastore/v1/me/audit", None).await {
                Ok(a) if a.status == 200 => serde_json::from_str::<Audit>(&a.body).ok(),
                _ => None,
            };
            let titles: BTreeMap<String, Text> = match crate::fetch::request("/forms", None).await {
                Ok(a) if a.status == 200 => {
                    serde_json::from_str::<Vec<crate::fetch::FormSummary>>(&a.body)
                        .map(|forms| forms.into_iter().map(|f| (f.id, f.title)).collect())
                        .unwrap_or_default()
                }
                _ => BTreeMap::new(),
            };
            log.set(entries.map_or(Log::Failed, |a| Log::Ready(a.entries, titles)));
        });
        let t =
            move |vi: &'static str, en: &'static str| Text::new(vi, en).get(lang.get()).to_owned();
        view! {
            <h1 class="ef-title">{move || t("Nhật ký dữ liệu của tôi", "My data log")}</h1>
            <p>{move || t(
                "Mỗi lần cổng đọc hoặc lưu dữ liệu trong kho dữ liệu cá nhân của bạn đều được ghi lại ở đây: khi nào, dữ liệu nào, cho biểu mẫu nào.",
                "Every time the portal reads or keeps data in your personal data store is listed here: when, which data, for which form.",
            )}</p>
            <p>
                <button type="button" class="ef-button ef-button--secondary" data-testid="erase-declared" on:click=move |_| {
                    let sure = web_sys::window().and_then(|w| w.confirm_with_message(&t(
                        "Xoá mọi dữ liệu bạn đã tự khai và đồng ý lưu? Dữ liệu từ cơ sở dữ liệu quốc gia không bị xoá.",
                        "Delete everything you declared and agreed to keep? Data from the national registers is not deleted.",
                    )).ok()).unwrap_or(false);
                    if !sure { return; }
                    leptos::task::spawn_local(async move {
                        let done = match crate::fetch::delete("/datastore/v1/me/attributes").await {
                            Ok(a) if a.status == 200 => serde_json::from_str::<serde_json::Value>(&a.body).ok()
                                .and_then(|v| v["erased"].as_array().map(Vec::len)),
                            _ => None,
                        };
                        erased.set(Some(done));
                    });
                }>{move || t("Xoá dữ liệu tôi đã khai", "Delete the data I declared")}</button>
            </p>
            {move || erased.get().map(|done| match done {
                Some(n) => view! { <p class="ef-panel ef-panel--ok" role="status" data-testid="erase-outcome">{format!("{} {n}", t("Số mục đã xoá:", "Values deleted:"))}</p> }.into_any(),
                None => view! { <p class="ef-panel ef-panel--warn" role="alert">{t("Không xoá được; vui lòng thử lại.", "Nothing could be deleted; please try again.")}</p> }.into_any(),
            })}
            {move || match log.get() {
                Log::Loading => view! { <p class="ef-hint" aria-live="polite">{Ui::Loading.get(lang.get())}</p> }.into_any(),
                Log::Failed => view! { <p class="ef-panel ef-panel--warn" role="alert">{t("Không tải được nhật ký.", "The log could not be loaded.")}</p> }.into_any(),
                Log::Ready(entries, _) if entries.is_empty() => view! { <p data-testid="data-log-empty">{t("Chưa có lần nào.", "Nothing yet.")}</p> }.into_any(),
                Log::Ready(entries, titles) => {
                    let lang_now = lang.get();
                    view! {
                        <div class="ef-table-wrap">
                        <table class="ef-table" data-testid="data-log">
                            <thead><tr>
                                <th scope="col">{t("Thời gian", "When")}</th>
                                <th scope="col">{t("Việc", "What")}</th>
                                <th scope="col">{t("Dữ liệu", "Which data")}</th>
                                <th scope="col">{t("Biểu mẫu", "Form")}</th>
                            </tr></thead>
                            <tbody>
                                {entries.into_iter().map(|e| {
                                    let what = match e.kind.as_str() {
                                        "read" => Text::new("Đọc để điền sẵn biểu mẫu", "Read to fill in a form"),
                                        "write" => Text::new("Lưu theo sự đồng ý của bạn", "Kept with your consent"),
                                        "report" => Text::new("Bạn báo sai sót", "You reported a mistake"),
                                        "erase" => Text::new("Bạn xoá dữ liệu đã khai", "You deleted what you declared"),
                                        other => Text::new(other.to_owned(), other.to_owned()),
                                    };
                                    let keys = e.keys.iter().map(|k| CATALOGUE.get(k).map_or_else(|| k.clone(), |c| c.meaning.get(lang_now).to_owned())).collect::<Vec<_>>().join(", ");
                                    let form = e.form_id.as_ref().map(|id| {
                                        let title = titles.get(id).map_or_else(|| id.clone(), |t| t.get(lang_now).to_owned());
                                        match e.form_version { Some(v) => format!("{title} (v{v})"), None => title }
                                    }).unwrap_or_default();
                                    view! {
                                        <tr data-kind=e.kind.clone()>
                                            <td>{crate::i18n::time_text(&e.at)}</td>
                                            <td>{what.get(lang_now).to_owned()}</td>
                                            <td>{keys}</td>
                                            <td>{form}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                        </div>
                    }.into_any()
                }
            }}
        }
    }
}
