//! Co-signing, as a co-signer sees it: the tasks waiting for their signature ("my dossiers"),
//! and `/co-sign/{code}` — what they are asked to sign (the form's content, read-only, and who
//! else signs), the Sign step of the applicant's own flow, or a decline with a reason. As the
//! applicant sees it: the co-signers' parts on the receipt ([`parties_view`]).

use crate::dossier::summary::summary_table;
use crate::fetch::{self, with_admin_units};
use crate::i18n::time_text;
use crate::session::tr;
use crate::signing::SignStep;
use form_core::display::summary;
use form_core::{Form, Lang, Text, load};
use leptos::prelude::*;
use serde_json::{Value, json};
use std::sync::Arc;

fn text_of(v: &Value) -> Text {
    Text::new(
        v["vi"].as_str().unwrap_or_default(),
        v["en"].as_str().unwrap_or_default(),
    )
}

/// A part's status in words.
pub fn part_status(status: &str) -> Text {
    match status {
        "waiting" => Text::new("Chờ ký", "Waiting to sign"),
        "signed" => Text::new("Đã ký", "Signed"),
        "declined" => Text::new("Từ chối ký", "Declined to sign"),
        "expired" => Text::new("Hết hạn, chưa ký", "Deadline passed, not signed"),
        "superseded" => Text::new(
            "Không còn hiệu lực (hồ sơ đã được sửa)",
            "No longer stands (the dossier was changed)",
        ),
        _ => Text::new(
            "Không còn chờ (người khác đã từ chối)",
            "No longer waiting (another declined)",
        ),
    }
}

/// The co-signers of a version, on the applicant's receipt and the official's case view: each
/// one's part, name, status, when, and (declined) why; the verdict on each signature.
pub fn parties_view(parties: Vec<Value>, lang: RwSignal<Lang>) -> impl IntoView {
    view! {
        <h2 class="ef-section__title">{tr(lang, "Người cùng ký", "Co-signers")}</h2>
        <ul class="ef-plain-list ef-parties" data-testid="co-signers">
            {parties.into_iter().map(|p| {
                let part = text_of(&p["label"]);
                let name = p["name"].as_str().unwrap_or_default().to_owned();
                let status = p["status"].as_str().unwrap_or_default().to_owned();
                let said = part_status(&status);
                let class = match status.as_str() {
                    "signed" => "ef-status ef-status--result-issued",
                    "waiting" => "ef-status ef-status--submitted",
                    _ => "ef-status ef-status--needs-supplement",
                };
                let when = p["decidedAt"].as_str().map(time_text);
                let due = p["dueAt"].as_str().map(time_text);
                let reason = p["reason"].as_str().map(str::to_owned);
                let report = &p["signature"]["validation"];
                let verdict = report["indication"].as_str().map(|code| (crate::dossier::verdict::verdict_text(report), code.to_owned()));
                let waiting = status == "waiting";
                view! {
                    <li class="ef-party" data-status=status.clone()>
                        <strong>{move || part.get(lang.get()).to_owned()}</strong>": "{name}" — "
                        <span class=class>{move || said.get(lang.get()).to_owned()}</span>
                        {when.map(|w| view! { " "<span class="ef-muted">{w}</span> })}
                        {waiting.then(|| due.map(|d| view! { " "<span class="ef-muted">{tr(lang, "hạn", "due")}" "{d}</span> }))}
                        {verdict.map(|(words, code)| view! { <br/><span>{tr(lang, "Chữ ký:", "Signature:")}" "{move || words.get(lang.get()).to_owned()}</span>" "<code class="ef-muted">{code}</code> })}
                        {reason.map(|r| view! { <p class="ef-history__message">{tr(lang, "Lý do:", "Reason:")}" "{r}</p> })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// "Waiting for your signature": the citizen's tasks, above their dossiers (nothing when none).
#[component]
pub fn CoSignTasks(lang: RwSignal<Lang>) -> impl IntoView {
    let tasks = RwSignal::new(Vec::<Value>::new());
    leptos::task::spawn_local(async move {
        if let Ok(a) = fetch::request("/api/v1/co-signatures", None).await
            && a.status == 200
            && let Ok(Value::Array(list)) = serde_json::from_str::<Value>(&a.body)
        {
            tasks.set(list);
        }
    });
    move || {
        let list = tasks.get();
        (!list.is_empty()).then(|| view! {
            <section class="ef-panel" aria-labelledby="ef-tasks-title" data-testid="co-sign-tasks">
                <h2 id="ef-tasks-title" class="ef-section__title">{tr(lang, "Chờ bạn ký", "Waiting for your signature")}</h2>
                <ul class="ef-plain-list">
                    {list.into_iter().map(|t| {
                        let code = t["code"].as_str().unwrap_or_default().to_owned();
                        let title = text_of(&t["formTitle"]);
                        let part = text_of(&t["label"]);
                        let who = t["applicant"]["name"].as_str().unwrap_or_default().to_owned();
                        let due = time_text(t["dueAt"].as_str().unwrap_or_default());
                        view! {
                            <li class="ef-party">
                                <a href=format!("/co-sign/{code}")>{move || title.get(lang.get()).to_owned()}" — "{code.clone()}</a>
                                <br/><span class="ef-muted">
                                    {tr(lang, "Người nộp", "Applicant")}": "{who}"; "
                                    {tr(lang, "bạn ký với tư cách", "you sign as")}" "{move || part.get(lang.get()).to_owned()}"; "
                                    {tr(lang, "hạn", "due")}" "{due}
                                </span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        })
    }
}

#[derive(Clone)]
enum Loaded {
    Loading,
    Ready(Arc<Value>, Arc<Form>),
    Missing(Text),
}

/// What became of the co-signer's answer on this page.
#[derive(Clone, PartialEq)]
enum Stage {
    Reading,
    Signing,
    Declining,
    Sending,
    Done(&'static str),
    Failed(Text),
}

async fn load_task(code: &str) -> Loaded {
    let failed = || Loaded::Missing(failed_text());
    let Ok(a) = fetch::request(&format!("/api/v1/co-signatures/{code}"), None).await else {
        return failed();
    };
    if a.status != 200 {
        return Loaded::Missing(fetch::error_of(&a.body).unwrap_or_else(failed_text));
    }
    let Ok(task) = serde_json::from_str::<Value>(&a.body) else {
        return failed();
    };
    let url = format!(
        "/forms/{}/versions/{}",
        task["formId"].as_str().unwrap_or_default(),
        task["formVersion"].as_u64().unwrap_or_default()
    );
    let Ok(def) = fetch::request(&url, None).await else {
        return failed();
    };
    let Some(form) = load(&def.body).form else {
        return failed();
    };
    match with_admin_units(form, "/refdata/admin-units.json").await {
        Some(form) => Loaded::Ready(Arc::new(task), Arc::new(form)),
        None => failed(),
    }
}

fn failed_text() -> Text {
    Text::new(
        "Không tải được yêu cầu ký.",
        "The signing request could not be loaded.",
    )
}

/// Sends the answer; gives the error's text when refused.
async fn send(code: &str, body: &Value) -> Result<(), Text> {
    let unreachable = || {
        Text::new(
            "Không gửi được; hãy thử lại.",
            "It could not be sent; try again.",
        )
    };
    match fetch::request(
        &format!("/api/v1/co-signatures/{code}"),
        Some(&body.to_string()),
    )
    .await
    {
        Ok(a) if a.status == 200 => Ok(()),
        Ok(a) => Err(fetch::error_of(&a.body).unwrap_or_else(unreachable)),
        Err(_) => Err(unreachable()),
    }
}

/// `/co-sign/{code}`: the co-signer reads what they are asked to sign, then signs or declines.
#[component]
pub fn CoSignPage(code: String, lang: RwSignal<Lang>) -> impl IntoView {
    let state = RwSignal::new(Loaded::Loading);
    {
        let code = code.clone();
        leptos::task::spawn_local(async move { state.set(load_task(&code).await) });
    }
    let stage = RwSignal::new(Stage::Reading);
    let reason = RwSignal::new(String::new());
    let code = StoredValue::new(code);
    // What replaces the clicked button takes the keyboard's focus.
    let focus = |id: &'static str| {
        request_animation_frame(move || {
            if let Some(el) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(id))
                .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
            {
                let _ = el.focus();
            }
        });
    };
    let answer = move |body: Value, done: &'static str| {
        stage.set(Stage::Sending);
        leptos::task::spawn_local(async move {
            match send(&code.get_value(), &body).await {
                Ok(()) => {
                    stage.set(Stage::Done(done));
                    focus("ef-co-sign-done");
                }
                Err(t) => {
                    // Refused (decided meanwhile, a newer version): show where it stands now.
                    let fresh = load_task(&code.get_value()).await;
                    if matches!(fresh, Loaded::Ready(..)) {
                        state.set(fresh);
                    }
                    stage.set(Stage::Failed(t));
                    focus("ef-co-sign-failed");
                }
            }
        });
    };
    move || {
        match state.get() {
        Loaded::Loading => view! { <p class="ef-hint" aria-live="polite">{tr(lang, "Đang tải…", "Loading…")}</p> }.into_any(),
        Loaded::Missing(t) => view! { <p class="ef-panel ef-panel--warn" role="alert" data-testid="co-sign-missing">{move || t.get(lang.get()).to_owned()}</p> }.into_any(),
        Loaded::Ready(task, form) => {
            let title = text_of(&task["formTitle"]);
            let part = text_of(&task["you"]["label"]);
            let mine = task["you"]["status"].as_str().unwrap_or_default().to_owned();
            let waiting = mine == "waiting";
            let version = task["version"].as_i64().unwrap_or_default();
            let applicant = task["applicant"]["name"].as_str().unwrap_or_default().to_owned();
            let due = time_text(task["you"]["dueAt"].as_str().unwrap_or_default());
            let data = task["data"].clone();
            let others: Vec<Value> = task["parties"].as_array().cloned().unwrap_or_default();
            let files: Vec<String> = task["attachments"].as_array().into_iter().flatten()
                .filter_map(|f| f["name"].as_str().map(str::to_owned)).collect();
            let (form_s, data_s) = (form.clone(), data.clone());
            let content = move || summary_table(summary(&form_s, &data_s, lang.get()), lang.get());
            let said = part_status(&mine);
            let sign_form = form.clone();
            let sign_data = data.clone();
            view! {
                <article class="ef-dossier" data-testid="co-sign">
                    <h1 class="ef-title">{tr(lang, "Ký số cùng người nộp hồ sơ", "Co-sign a dossier")}</h1>
                    <dl class="ef-meta">
                        <dt>{tr(lang, "Mã hồ sơ", "Dossier code")}</dt><dd><strong class="ef-code">{code.get_value()}</strong></dd>
                        <dt>{tr(lang, "Thủ tục, biểu mẫu", "Form")}</dt><dd>{move || title.get(lang.get()).to_owned()}</dd>
                        <dt>{tr(lang, "Người nộp", "Applicant")}</dt><dd>{applicant}</dd>
                        <dt>{tr(lang, "Bạn ký với tư cách", "You sign as")}</dt><dd>{move || part.get(lang.get()).to_owned()}</dd>
                        <dt>{tr(lang, "Hạn ký", "Sign by")}</dt><dd>{due}</dd>
                        <dt>{tr(lang, "Trạng thái của bạn", "Your part")}</dt><dd data-testid="co-sign-status">{move || said.get(lang.get()).to_owned()}</dd>
                    </dl>
                    {parties_view(others.clone(), lang)}
                    <h2 class="ef-section__title">{tr(lang, "Nội dung bạn ký", "What you sign")}</h2>
                    <div data-testid="summary">{content}</div>
                    {(!files.is_empty()).then(|| view! {
                        <h2 class="ef-section__title">{tr(lang, "Giấy tờ người nộp đính kèm", "Documents the applicant attached")}</h2>
                        <ul>{files.into_iter().map(|f| view! { <li>{f}</li> }).collect_view()}</ul>
                    })}
                    {move || match stage.get() {
                        Stage::Done(done) => {
                            let msg = if done == "signed" {
                                Text::new("Bạn đã ký. Khi mọi người cùng ký đã ký, hồ sơ được chuyển tới cơ quan tiếp nhận.", "You have signed. Once every co-signer has signed, the dossier goes to the receiving agency.")
                            } else {
                                Text::new("Bạn đã từ chối ký. Hồ sơ sẽ không được chuyển tới cơ quan; người nộp được báo kèm lý do của bạn.", "You declined to sign. The dossier will not go to the agency; the applicant is told, with your reason.")
                            };
                            view! { <div class="ef-panel ef-panel--ok" role="status" data-testid="co-sign-done" id="ef-co-sign-done" tabindex="-1"><p>{move || msg.get(lang.get()).to_owned()}</p><p><a href="/dossiers">{tr(lang, "Về hồ sơ của tôi", "Back to my dossiers")}</a></p></div> }.into_any()
                        }
                        Stage::Signing => {
                            let on_signed = UnsyncCallback::new(move |(_, p7s): (Value, String)| answer(json!({"version": version, "signature": {"cms": p7s}}), "signed"));
                            view! { <SignStep form=sign_form.clone() data=sign_data.clone() lang=lang services=crate::services::Services::portal() on_signed=on_signed on_cancel=UnsyncCallback::new(move |_| stage.set(Stage::Reading)) action=Text::new("Ký số", "Sign") back=Text::new("Quay lại", "Back") /> }.into_any()
                        }
                        Stage::Declining => view! {
                            <div class="ef-panel" role="region" aria-labelledby="ef-decline-title">
                                <h2 id="ef-decline-title" class="ef-section__title">{tr(lang, "Từ chối ký", "Decline to sign")}</h2>
                                <p>{tr(lang, "Khi bạn từ chối, hồ sơ kết thúc và không được chuyển tới cơ quan. Người nộp sẽ thấy lý do bạn ghi.", "If you decline, the dossier ends and does not go to the agency. The applicant sees the reason you give.")}</p>
                                <div class="ef-field">
                                    <label class="ef-label" for="ef-decline-reason">{tr(lang, "Lý do (không bắt buộc)", "Reason (optional)")}</label>
                                    <textarea id="ef-decline-reason" class="ef-input" maxlength="500" rows="3" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                                </div>
                                <div class="ef-actions">
                                    <button type="button" class="ef-button ef-button--danger" data-testid="decline-confirm" on:click=move |_| answer(json!({"version": version, "decline": true, "reason": reason.get_untracked()}), "declined")>{tr(lang, "Xác nhận từ chối ký", "Confirm: decline to sign")}</button>
                                    <button type="button" class="ef-button ef-button--secondary" on:click=move |_| stage.set(Stage::Reading)>{tr(lang, "Quay lại", "Back")}</button>
                                </div>
                            </div>
                        }.into_any(),
                        Stage::Sending => view! { <p role="status" class="ef-progress">{tr(lang, "Đang gửi…", "Sending…")}</p> }.into_any(),
                        Stage::Reading | Stage::Failed(_) => {
                            let failed = match stage.get() { Stage::Failed(t) => Some(t), _ => None };
                            view! {
                                {failed.map(|t| view! { <p role="alert" class="ef-error" data-testid="co-sign-failed" id="ef-co-sign-failed" tabindex="-1">{move || t.get(lang.get()).to_owned()}</p> })}
                                {waiting.then(|| view! {
                                    <div class="ef-actions">
                                        <button type="button" class="ef-button" data-testid="co-sign-start" on:click=move |_| stage.set(Stage::Signing)>{tr(lang, "Ký số", "Sign")}</button>
                                        <button type="button" class="ef-button ef-button--secondary" data-testid="decline" on:click=move |_| { stage.set(Stage::Declining); focus("ef-decline-reason"); }>{tr(lang, "Từ chối ký", "Decline")}</button>
                                    </div>
                                })}
                            }.into_any()
                        }
                    }}
                </article>
            }.into_any()
        }
    }
    }
}
