//! The citizen's data store in the runtime: reporting a mistake in a verified, locked value; and
//! (feature `dossiers`) the citizen's data log. Attribute values are never written to the
//! console. (Keeping declared values once a dossier is filed is asked by form-bind, over its
//! confirmation.)

use crate::ctx::FormCtx;
use crate::i18n::Ui;
use form_core::{Lang, Text};
use leptos::prelude::*;

pub use form_bind::store::{Asked, StoreAnswer, ask};

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
    let send =
        move |_| {
            let text = message.get_untracked();
            state.set(Report::Sending);
            let (services, key, form_id) = (services.clone(), key.clone(), form_id.clone());
            leptos::task::spawn_local(async move {
                let next =
                    match form_bind::store::report(&services, &key, &text, &form_id, form_version)
                        .await
                    {
                        Ok(()) => Report::Sent,
                        Err(t) => Report::Failed(t),
                    };
                state.set(next);
            });
        };
    view! {
        <details class="ef-report" data-testid="report-mistake">
            <summary>{Ui::ReportMistake.get(lang)}</summary>
            <div class="ef-report__body">
                <p class="ef-hint">{Ui::ReportHint.get(lang)}</p>
                <label class="ef-label" for=text_id.clone()>{Ui::ReportWhat.get(lang)}</label>
                <textarea class="ef-input" id=text_id rows="3" maxlength="2000"
                    prop:disabled=move || state.get() == Report::Sent
                    on:input=move |ev| message.set(event_target_value(&ev))></textarea>
                <button type="button" class="ef-button ef-button--secondary" data-testid="send-report"
                    disabled=move || matches!(state.get(), Report::Sending | Report::Sent)
                    on:click=send>{Ui::ReportSend.get(lang)}</button>
                <p role="status" class="ef-report__state">{move || match state.get() {
                    Report::Writing => String::new(),
                    Report::Sending => Text::new("Đang gửi…", "Sending…").get(lang).to_owned(),
                    Report::Sent => Ui::ReportSent.get(lang),
                    Report::Failed(t) => t.get(lang).to_owned(),
                }}</p>
            </div>
        </details>
    }
}

#[cfg(feature = "services")]
pub use data_log::*;
/// The data store's key catalogue (the builder names keys by it).
pub use form_bind::store::CATALOGUE;

/// The citizen's data log.
#[cfg(feature = "services")]
mod data_log {
    use super::*;
    #[cfg(feature = "dossiers")]
    use {serde::Deserialize, std::collections::BTreeMap};

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
